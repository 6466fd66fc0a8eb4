/*
 * test_checkpoint.c - checkpoints: CRC-32 values, a bit-exact round trip, atomic saves
 * (over an old file, into a missing directory, onto a directory), and every corruption
 * (magic, version, flipped bytes, truncation, trailing bytes, absurd sizes behind a valid
 * checksum, names without a NUL) refused with a message naming the problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "nn/checkpoint.h"
#include "nn/crc32.h"
#include "nn_files.h"

/* Offsets in a version-1 file (docs/checkpoint.md). */
enum {
    OFF_VERSION = 8,
    OFF_COUNT = 12,
    OFF_SIZE = 16,
    OFF_MODEL = 48,
    OFF_OPTIMIZER = 304,
    OFF_TENSORS = 336,
    OFF_FIRST_RANK = OFF_TENSORS + 64,
    OFF_FIRST_SHAPE = OFF_FIRST_RANK + 4,
};

TEST(crc32_matches_the_standard_and_zlib)
{
    /* The CRC-32 check value of "123456789". */
    CHECK(wg_crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(wg_crc32_portable(0, "123456789", 9) == 0xCBF43926u);
    CHECK(wg_crc32_portable(0, "", 0) == 0);
    /* Random data, whole and in pieces: both implementations agree. */
    uint8_t data[10007];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof data; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        data[i] = (uint8_t)x;
    }
    uint32_t whole = wg_crc32(0, data, sizeof data);
    uint32_t pieces = wg_crc32_portable(wg_crc32_portable(0, data, 1000), data + 1000,
                                        sizeof data - 1000);
    CHECK(whole == pieces);
    CHECK(whole != wg_crc32(0, data, sizeof data - 1));
#ifdef WG_HAVE_ZLIB
    CHECK(wg_crc32_uses_zlib());
#else
    CHECK(!wg_crc32_uses_zlib());
#endif
}

/* A checkpoint with three tensors whose floats cover awkward bit patterns. */
typedef struct sample {
    float w[6], b[3], q[2 * 1 * 3 * 2];
    wg_checkpoint_tensor tensors[3];
    wg_checkpoint ck;
} sample;

static void make_sample(sample *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    uint32_t bits[6] = {0x7FC00001u /* NaN with payload */, 0x80000000u /* -0 */,
                        0x00000001u /* smallest denormal */, 0x7F800000u /* inf */,
                        0x3F800000u, 0xC2F6E979u};
    memcpy(s->w, bits, sizeof bits);
    for (int i = 0; i < 3; i++) s->b[i] = (float)(seed + (uint64_t)i) * 0.125f;
    for (int i = 0; i < 12; i++) s->q[i] = 1.0f / (float)(i + 3);
    s->tensors[0] = (wg_checkpoint_tensor){.name = "fc1.weight", .rank = 2, .shape = {2, 3},
                                           .data = s->w};
    s->tensors[1] = (wg_checkpoint_tensor){.name = "fc1.bias", .rank = 1, .shape = {3},
                                           .data = s->b};
    s->tensors[2] = (wg_checkpoint_tensor){.name = "adam.m.fc1.weight", .rank = 4,
                                           .shape = {2, 1, 3, 2}, .data = s->q};
    snprintf(s->ck.model, sizeof s->ck.model, "mlp 3-2-10 relu");
    snprintf(s->ck.optimizer, sizeof s->ck.optimizer, "adam");
    s->ck.epoch = 3;
    s->ck.step = 1234567890123ll;
    s->ck.seed = seed;
    s->ck.count = 3;
    s->ck.tensors = s->tensors;
}

static void check_same(const wg_checkpoint *a, const wg_checkpoint *b)
{
    CHECK(strcmp(a->model, b->model) == 0);
    CHECK(strcmp(a->optimizer, b->optimizer) == 0);
    CHECK(a->epoch == b->epoch && a->step == b->step && a->seed == b->seed);
    REQUIRE(a->count == b->count);
    for (int i = 0; i < a->count; i++) {
        const wg_checkpoint_tensor *x = &a->tensors[i], *y = &b->tensors[i];
        CHECK(strcmp(x->name, y->name) == 0);
        REQUIRE(x->rank == y->rank);
        int64_t numel = 1;
        for (int k = 0; k < x->rank; k++) {
            CHECK(x->shape[k] == y->shape[k]);
            numel *= x->shape[k];
        }
        CHECK_MSG(memcmp(x->data, y->data, (size_t)numel * sizeof(float)) == 0,
                  "tensor %s differs after the round trip", x->name);
    }
}

TEST(checkpoint_round_trip_is_bit_exact)
{
    char dir[64], path[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
    sample s;
    make_sample(&s, 42);
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_OK);
    CHECK(nn_dir_entries(dir) == 1);
    wg_checkpoint loaded;
    CHECK_STATUS(wg_checkpoint_load(path, &loaded), WG_OK);
    check_same(&s.ck, &loaded);
    CHECK(loaded.tensors[1].shape[1] == 1 && loaded.tensors[1].shape[3] == 1);
    const wg_checkpoint_tensor *t = wg_checkpoint_find(&loaded, "fc1.bias");
    CHECK(t != NULL && t == &loaded.tensors[1]);
    CHECK(wg_checkpoint_find(&loaded, "fc2.bias") == NULL);
    CHECK(wg_checkpoint_find(NULL, "fc1.bias") == NULL);
    wg_checkpoint_free(&loaded);
    CHECK(loaded.tensors == NULL && loaded.count == 0);
    wg_checkpoint_free(&loaded); /* zeroed: fine */
    wg_checkpoint_free(NULL);

    /* The file's size follows the format: header, records, CRC. */
    size_t size = 0;
    uint8_t *bytes = nn_read_file(path, &size);
    REQUIRE(bytes != NULL);
    CHECK(size == 336 + (64 + 4 + 16 + 24) + (64 + 4 + 8 + 12) + (64 + 4 + 32 + 48) + 4);
    CHECK(memcmp(bytes, "WHYGPUCK", 8) == 0);
    free(bytes);

    /* No tensors at all is a valid checkpoint too. */
    s.ck.count = 0;
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_OK);
    CHECK_STATUS(wg_checkpoint_load(path, &loaded), WG_OK);
    CHECK(loaded.count == 0 && loaded.tensors == NULL && loaded.epoch == 3);
    wg_checkpoint_free(&loaded);
    nn_remove_dir(dir);
}

TEST(checkpoint_save_is_atomic)
{
    char dir[64], path[256], missing[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
    sample first, second;
    make_sample(&first, 1);
    make_sample(&second, 2);
    second.ck.epoch = 4;
    /* Over an existing file: the new one replaces it whole. */
    CHECK_STATUS(wg_checkpoint_save(path, &first.ck), WG_OK);
    chmod(path, 0640);
    CHECK_STATUS(wg_checkpoint_save(path, &second.ck), WG_OK);
    wg_checkpoint loaded;
    CHECK_STATUS(wg_checkpoint_load(path, &loaded), WG_OK);
    check_same(&second.ck, &loaded);
    wg_checkpoint_free(&loaded);
    CHECK(nn_dir_entries(dir) == 1);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640); /* permissions kept */

    /* Into a directory that does not exist: an error naming it, nothing created. */
    snprintf(missing, sizeof missing, "%s/absent/model.ckpt", dir);
    CHECK_STATUS(wg_checkpoint_save(missing, &first.ck), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), missing) != NULL);
    CHECK(strstr(wg_error_message(), "No such file or directory") != NULL);
    snprintf(missing, sizeof missing, "%s/absent", dir);
    CHECK(stat(missing, &st) != 0);
    CHECK(nn_dir_entries(dir) == 1);

    /* Onto a directory: the rename fails, the directory and the old file stay, and the
     * temporary file is removed. */
    char subdir[256];
    snprintf(subdir, sizeof subdir, "%s/sub", dir);
    REQUIRE(mkdir(subdir, 0755) == 0);
    CHECK_STATUS(wg_checkpoint_save(subdir, &first.ck), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), subdir) != NULL);
    CHECK(stat(subdir, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(nn_dir_entries(dir) == 2);
    CHECK(nn_dir_entries(subdir) == 0);
    /* Through a path component that is a file. */
    snprintf(missing, sizeof missing, "%s/model.ckpt/x.ckpt", dir);
    CHECK_STATUS(wg_checkpoint_save(missing, &first.ck), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "Not a directory") != NULL);
    CHECK_STATUS(wg_checkpoint_load(path, &loaded), WG_OK); /* the old file is intact */
    check_same(&second.ck, &loaded);
    wg_checkpoint_free(&loaded);
    CHECK(nn_dir_entries(dir) == 2);
    nn_remove_dir(dir);
}

TEST(checkpoint_save_rejects_bad_tensors)
{
    char dir[64], path[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
    sample s;
    make_sample(&s, 3);
    s.tensors[1].rank = 5;
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "rank 5") != NULL);
    s.tensors[1].rank = 1;
    s.tensors[1].shape[0] = 0;
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "size 0") != NULL);
    s.tensors[1].shape[0] = 3;
    s.tensors[1].data = NULL;
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "NULL data") != NULL);
    s.tensors[1].data = s.b;
    strcpy(s.tensors[1].name, "fc1.weight");
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "both called \"fc1.weight\"") != NULL);
    memset(s.tensors[1].name, 'x', sizeof s.tensors[1].name);
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "not NUL-terminated") != NULL);
    s.tensors[1].name[0] = '\0';
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "empty name") != NULL);
    strcpy(s.tensors[1].name, "fc1.bias");
    memset(s.ck.model, 'm', sizeof s.ck.model);
    CHECK_STATUS(wg_checkpoint_save(path, &s.ck), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_checkpoint_save(NULL, &s.ck), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_checkpoint_save(path, NULL), WG_ERR_ARGUMENT);
    CHECK(nn_dir_entries(dir) == 0); /* nothing was written */
    nn_remove_dir(dir);
}

/* The sample, saved and read back as bytes. */
static uint8_t *sample_bytes(size_t *size)
{
    char dir[64], path[256];
    if (nn_temp_dir(dir, sizeof dir) != 0) return NULL;
    snprintf(path, sizeof path, "%s/model.ckpt", dir);
    sample s;
    make_sample(&s, 9);
    uint8_t *bytes = NULL;
    if (wg_checkpoint_save(path, &s.ck) == WG_OK) bytes = nn_read_file(path, size);
    nn_remove_dir(dir);
    return bytes;
}

/* Recomputes the CRC-32 at the end, as a writer with a bug would: what lies behind the
 * checksum must still be checked. */
static void fix_crc(uint8_t *bytes, size_t size)
{
    uint32_t crc = wg_crc32(0, bytes, size - 4);
    for (int i = 0; i < 4; i++) bytes[size - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Parsing must fail with WG_ERR_IO, leave *out zeroed, and name each fragment. */
static void expect_parse_error(const uint8_t *bytes, size_t size, const char *a, const char *b)
{
    wg_checkpoint ck;
    memset(&ck, 0x77, sizeof ck);
    CHECK_STATUS(wg_checkpoint_parse(bytes, size, &ck), WG_ERR_IO);
    const char *message = wg_error_message();
    if (a) CHECK_MSG(strstr(message, a) != NULL, "message lacks \"%s\": %s", a, message);
    if (b) CHECK_MSG(strstr(message, b) != NULL, "message lacks \"%s\": %s", b, message);
    CHECK(ck.tensors == NULL && ck.count == 0 && ck.model[0] == '\0');
}

TEST(checkpoint_corruption_is_reported)
{
    size_t size = 0;
    uint8_t *good = sample_bytes(&size);
    REQUIRE(good != NULL);
    uint8_t *bytes = malloc(size + 8);
    REQUIRE(bytes != NULL);
    wg_checkpoint ck;
    CHECK_STATUS(wg_checkpoint_parse(good, size, &ck), WG_OK);
    wg_checkpoint_free(&ck);

#define RESET() memcpy(bytes, good, size)
    RESET();
    bytes[0] = 'X';
    expect_parse_error(bytes, size, "not a whygpu checkpoint", "WHYGPUCK");
    expect_parse_error(bytes, 0, "not a whygpu checkpoint", NULL);

    RESET();
    put_le(bytes + OFF_VERSION, 2, 4);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "version 2 is not supported", "reads version 1");

    /* One flipped bit anywhere else: the checksum catches it. */
    const size_t flips[] = {OFF_SIZE + 8 /* epoch */, OFF_MODEL + 3, OFF_OPTIMIZER + 20,
                            OFF_FIRST_RANK, OFF_FIRST_SHAPE + 1, size / 2, size - 5, size - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        RESET();
        bytes[flips[i]] ^= 0x10;
        expect_parse_error(bytes, size, "checksum mismatch", "corrupt");
    }

    /* Truncated at several points: expected vs got. */
    const size_t cuts[] = {5, 8, 20, 24, 100, OFF_TENSORS, size / 2, size - 4, size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        RESET();
        expect_parse_error(bytes, cuts[i], "truncated", NULL);
        if (cuts[i] >= 24) {
            char expected[64];
            snprintf(expected, sizeof expected, "expected %zu bytes, got %zu", size, cuts[i]);
            expect_parse_error(bytes, cuts[i], expected, NULL);
        }
    }

    /* Trailing bytes. */
    RESET();
    memset(bytes + size, 0, 3);
    expect_parse_error(bytes, size + 3, "3 trailing bytes", NULL);

    /* Absurd sizes behind a valid checksum. */
    RESET();
    put_le(bytes + OFF_COUNT, 0xFFFFFFFFu, 4);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "absurd tensor count 4294967295", NULL);
    RESET();
    put_le(bytes + OFF_COUNT, 4, 4); /* one tensor more than there are */
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "tensor 3 of 4", "truncated");
    RESET();
    put_le(bytes + OFF_COUNT, 2, 4); /* one tensor fewer: its bytes are left over */
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "bytes after the last of its 2 tensors", NULL);
    RESET();
    put_le(bytes + OFF_FIRST_RANK, 7, 4);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "rank 7", "fc1.weight");
    RESET();
    put_le(bytes + OFF_FIRST_SHAPE, 1ull << 62, 8);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "absurd", "4611686018427387904");
    RESET();
    put_le(bytes + OFF_FIRST_SHAPE + 8, 0, 8);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "size 0 of axis 1", NULL);

    /* Names and texts without a NUL. */
    RESET();
    memset(bytes + OFF_TENSORS, 'A', 64);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "name of tensor 0", "not NUL-terminated");
    RESET();
    memset(bytes + OFF_MODEL, 'M', 256);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "model", "not NUL-terminated");
    RESET();
    memset(bytes + OFF_OPTIMIZER, 'O', 32);
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "optimizer", "not NUL-terminated");
    RESET();
    memcpy(bytes + OFF_TENSORS + 64 + 4 + 16 + 24, "fc1.weight", 11); /* a duplicate name */
    fix_crc(bytes, size);
    expect_parse_error(bytes, size, "both called \"fc1.weight\"", NULL);
#undef RESET
    free(bytes);
    free(good);
}

TEST(checkpoint_load_names_the_file)
{
    char dir[64], path[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/absent.ckpt", dir);
    wg_checkpoint ck;
    CHECK_STATUS(wg_checkpoint_load(path, &ck), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), path) != NULL);
    CHECK(strstr(wg_error_message(), "No such file") != NULL);
    snprintf(path, sizeof path, "%s/text.ckpt", dir);
    if (nn_write_file(path, "hello", 5) == 0) {
        CHECK_STATUS(wg_checkpoint_load(path, &ck), WG_ERR_IO);
        CHECK(strstr(wg_error_message(), path) != NULL);
        CHECK(strstr(wg_error_message(), "not a whygpu checkpoint") != NULL);
    }
    CHECK_STATUS(wg_checkpoint_load(NULL, &ck), WG_ERR_ARGUMENT);
    nn_remove_dir(dir);
}
