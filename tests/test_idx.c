/*
 * test_idx.c - the IDX reader: round trips from memory and from plain and gzip files, and
 * every malformed input (magic, type, rank, zero and absurd sizes, truncation, trailing
 * bytes, corrupt gzip, missing files) refused with a message naming the problem.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nn/idx.h"
#include "nn_files.h"

#define IDX_UBYTE 0x08

/* 2 images of 3 x 4 with distinct pixel values. */
static uint8_t *sample_images(size_t *size, uint8_t *pixels)
{
    for (int i = 0; i < 24; i++) pixels[i] = (uint8_t)(i * 11 + 1);
    const uint32_t dims[3] = {2, 3, 4};
    return nn_idx_bytes(IDX_UBYTE, 3, dims, pixels, 24, size);
}

/* The call must fail with WG_ERR_IO, leave *out zeroed, and the message must hold every
 * one of the (up to three) fragments. */
static void expect_idx_error(const uint8_t *bytes, size_t size, uint32_t magic,
                             const char *a, const char *b, const char *c)
{
    wg_idx idx;
    memset(&idx, 0xAB, sizeof idx);
    CHECK_STATUS(wg_idx_parse(bytes, size, "sample.idx", magic, &idx), WG_ERR_IO);
    const char *message = wg_error_message();
    CHECK_MSG(strstr(message, "sample.idx") != NULL, "message does not name the file: %s",
              message);
    const char *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (parts[i])
            CHECK_MSG(strstr(message, parts[i]) != NULL, "message lacks \"%s\": %s", parts[i],
                      message);
    CHECK(idx.data == NULL && idx.count == 0 && idx.rank == 0);
}

TEST(idx_parses_images_and_labels)
{
    uint8_t pixels[24];
    size_t size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    REQUIRE(bytes != NULL);
    CHECK(size == 16 + 24);
    wg_idx idx;
    REQUIRE_OK(wg_idx_parse(bytes, size, "images", WG_IDX_MAGIC_IMAGES, &idx));
    CHECK(idx.magic == WG_IDX_MAGIC_IMAGES && idx.rank == 3);
    CHECK(idx.dims[0] == 2 && idx.dims[1] == 3 && idx.dims[2] == 4 && idx.dims[3] == 1);
    CHECK(idx.count == 24);
    CHECK(idx.data != NULL && memcmp(idx.data, pixels, 24) == 0);
    wg_idx_free(&idx);
    CHECK(idx.data == NULL && idx.count == 0);
    wg_idx_free(&idx); /* zeroed: fine */
    wg_idx_free(NULL);
    /* Any rank is accepted with expected magic 0. */
    REQUIRE_OK(wg_idx_parse(bytes, size, NULL, 0, &idx));
    CHECK(idx.rank == 3 && idx.count == 24);
    wg_idx_free(&idx);
    free(bytes);

    const uint8_t labels[5] = {9, 0, 3, 3, 7};
    const uint32_t label_dims[1] = {5};
    bytes = nn_idx_bytes(IDX_UBYTE, 1, label_dims, labels, sizeof labels, &size);
    REQUIRE(bytes != NULL);
    REQUIRE_OK(wg_idx_parse(bytes, size, "labels", WG_IDX_MAGIC_LABELS, &idx));
    CHECK(idx.rank == 1 && idx.dims[0] == 5 && idx.count == 5);
    CHECK(memcmp(idx.data, labels, 5) == 0);
    wg_idx_free(&idx);
    free(bytes);
}

TEST(idx_rejects_wrong_magic_type_and_rank)
{
    uint8_t pixels[24];
    size_t size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    REQUIRE(bytes != NULL);
    /* Images where labels are expected: names both magics and the rank. */
    expect_idx_error(bytes, size, WG_IDX_MAGIC_LABELS, "0x00000803", "expected 0x00000801",
                     "rank 3");
    bytes[0] = 0x50; /* not an IDX file at all */
    expect_idx_error(bytes, size, WG_IDX_MAGIC_IMAGES, "not an IDX file",
                     "expected 0x00000803", NULL);
    expect_idx_error(bytes, size, 0, "not an IDX file", NULL, NULL);
    bytes[0] = 0;
    bytes[2] = 0x0D; /* float data */
    expect_idx_error(bytes, size, WG_IDX_MAGIC_IMAGES, "data type 0x0D", "0x08", NULL);
    bytes[2] = IDX_UBYTE;
    bytes[3] = 5; /* rank 5 */
    expect_idx_error(bytes, size, 0, "rank 5", NULL, NULL);
    bytes[3] = 0;
    expect_idx_error(bytes, size, 0, "rank 0", NULL, NULL);
    free(bytes);
}

TEST(idx_rejects_zero_absurd_and_truncated_sizes)
{
    uint8_t pixels[24];
    size_t size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    REQUIRE(bytes != NULL);

    /* Truncated data: expected vs got. */
    expect_idx_error(bytes, size - 1, WG_IDX_MAGIC_IMAGES, "truncated", "expected 40 bytes",
                     "got 39");
    expect_idx_error(bytes, 16, WG_IDX_MAGIC_IMAGES, "truncated", "got 16", NULL);
    /* Truncated header, and no header at all. */
    expect_idx_error(bytes, 10, WG_IDX_MAGIC_IMAGES, "truncated header", "10 bytes", NULL);
    expect_idx_error(bytes, 2, WG_IDX_MAGIC_IMAGES, "truncated", "2 bytes", NULL);
    expect_idx_error(bytes, 0, WG_IDX_MAGIC_IMAGES, "truncated", "0 bytes", NULL);

    /* Trailing bytes. */
    uint8_t *longer = malloc(size + 3);
    REQUIRE(longer != NULL);
    memcpy(longer, bytes, size);
    memset(longer + size, 0, 3);
    expect_idx_error(longer, size + 3, WG_IDX_MAGIC_IMAGES, "3 trailing bytes", "40 bytes",
                     NULL);
    free(longer);
    free(bytes);

    /* A size of zero. */
    const uint32_t zero_dims[3] = {2, 0, 4};
    bytes = nn_idx_bytes(IDX_UBYTE, 3, zero_dims, NULL, 0, &size);
    REQUIRE(bytes != NULL);
    expect_idx_error(bytes, size, WG_IDX_MAGIC_IMAGES, "axis 1 is 0", NULL, NULL);
    free(bytes);

    /* Sizes whose product overflows. */
    const uint32_t huge_dims[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
    bytes = nn_idx_bytes(IDX_UBYTE, 3, huge_dims, NULL, 0, &size);
    REQUIRE(bytes != NULL);
    expect_idx_error(bytes, size, WG_IDX_MAGIC_IMAGES, "absurd", "4294967295 x 4294967295",
                     "overflow");
    free(bytes);

    /* Sizes that fit but describe far more bytes than there are: refused before any
     * allocation of that size. */
    const uint32_t big_dims[3] = {60000, 28, 28};
    uint8_t few[10] = {0};
    bytes = nn_idx_bytes(IDX_UBYTE, 3, big_dims, few, sizeof few, &size);
    REQUIRE(bytes != NULL);
    expect_idx_error(bytes, size, WG_IDX_MAGIC_IMAGES, "60000 x 28 x 28",
                     "expected 47040016 bytes", "got 26");
    free(bytes);
}

TEST(idx_reads_plain_files_and_reports_missing_ones)
{
    char dir[64], path[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    uint8_t pixels[24];
    size_t size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    snprintf(path, sizeof path, "%s/images-idx3-ubyte", dir);
    int written = bytes ? nn_write_file(path, bytes, size) : -1;
    free(bytes);
    if (written != 0) {
        nn_remove_dir(dir);
        REQUIRE(written == 0);
    }
    wg_idx idx;
    CHECK_STATUS(wg_idx_read_file(path, WG_IDX_MAGIC_IMAGES, &idx), WG_OK);
    CHECK(idx.count == 24 && idx.data && memcmp(idx.data, pixels, 24) == 0);
    wg_idx_free(&idx);
    /* The wrong kind of file: the message names the path. */
    CHECK_STATUS(wg_idx_read_file(path, WG_IDX_MAGIC_LABELS, &idx), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), path) != NULL);

    snprintf(path, sizeof path, "%s/absent", dir);
    CHECK_STATUS(wg_idx_read_file(path, WG_IDX_MAGIC_IMAGES, &idx), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), path) != NULL);
    CHECK(strstr(wg_error_message(), "No such file") != NULL);
    CHECK(idx.data == NULL);
    CHECK_STATUS(wg_idx_read_file(dir, WG_IDX_MAGIC_IMAGES, &idx), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "not a regular file") != NULL);
    CHECK_STATUS(wg_idx_read_file(NULL, WG_IDX_MAGIC_IMAGES, &idx), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_idx_parse(NULL, 4, "x", 0, &idx), WG_ERR_ARGUMENT);
    nn_remove_dir(dir);
}

#ifdef WG_HAVE_ZLIB
TEST(idx_reads_gzip_files)
{
    char dir[64], path[256];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    uint8_t pixels[24];
    size_t size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    snprintf(path, sizeof path, "%s/images-idx3-ubyte.gz", dir);
    int written = bytes ? nn_write_gzip(path, bytes, size) : -1;
    free(bytes);
    if (written != 0) {
        nn_remove_dir(dir);
        REQUIRE(written == 0);
    }
    wg_idx idx;
    CHECK_STATUS(wg_idx_read_file(path, WG_IDX_MAGIC_IMAGES, &idx), WG_OK);
    CHECK(idx.rank == 3 && idx.dims[0] == 2 && idx.dims[1] == 3 && idx.dims[2] == 4);
    CHECK(idx.count == 24 && idx.data && memcmp(idx.data, pixels, 24) == 0);
    wg_idx_free(&idx);
    nn_remove_dir(dir);
}

/* gzip-compresses bytes[0, size) into a malloc'd buffer. */
static uint8_t *gzip_of(const uint8_t *bytes, size_t size, size_t *gz_size)
{
    return nn_gzip_bytes(bytes, size, gz_size);
}

TEST(idx_gzip_corruption_is_reported)
{
    uint8_t pixels[24];
    size_t size = 0, gz_size = 0;
    uint8_t *bytes = sample_images(&size, pixels);
    REQUIRE(bytes != NULL);
    uint8_t *gz = gzip_of(bytes, size, &gz_size);
    if (!gz) free(bytes);
    REQUIRE(gz != NULL);
    REQUIRE(gz_size > 30);

    /* Cut inside the compressed data. */
    expect_idx_error(gz, gz_size - 12, WG_IDX_MAGIC_IMAGES, "gzip", "ends early", NULL);
    /* A flipped byte in the middle: inflate or the gzip CRC catches it. */
    uint8_t *flipped = malloc(gz_size);
    REQUIRE(flipped != NULL);
    memcpy(flipped, gz, gz_size);
    flipped[gz_size - 6] ^= 0x40; /* in the stored CRC/length trailer */
    expect_idx_error(flipped, gz_size, WG_IDX_MAGIC_IMAGES, "corrupt gzip", NULL, NULL);
    free(flipped);
    /* Garbage after the gzip data. */
    uint8_t *garbage = malloc(gz_size + 5);
    REQUIRE(garbage != NULL);
    memcpy(garbage, gz, gz_size);
    memcpy(garbage + gz_size, "junk!", 5);
    expect_idx_error(garbage, gz_size + 5, WG_IDX_MAGIC_IMAGES, "5 bytes of garbage", NULL,
                     NULL);
    free(garbage);
    /* Two gzip members back to back are one file (like gunzip): here that doubles the
     * data, so the IDX has trailing bytes. */
    uint8_t *twice = malloc(2 * gz_size);
    REQUIRE(twice != NULL);
    memcpy(twice, gz, gz_size);
    memcpy(twice + gz_size, gz, gz_size);
    expect_idx_error(twice, 2 * gz_size, WG_IDX_MAGIC_IMAGES, "40 trailing bytes", NULL, NULL);
    free(twice);
    free(gz);

    /* A gzip IDX whose data is truncated, and one whose header is wrong. */
    gz = gzip_of(bytes, size - 5, &gz_size);
    REQUIRE(gz != NULL);
    expect_idx_error(gz, gz_size, WG_IDX_MAGIC_IMAGES, "expected 40 bytes", "got 35", NULL);
    expect_idx_error(gz, gz_size, WG_IDX_MAGIC_LABELS, "expected 0x00000801", NULL, NULL);
    free(gz);
    free(bytes);

    /* A small gzip file whose header claims a billion pixels: refused as truncated,
     * without allocating a gigabyte. */
    const uint32_t big_dims[3] = {1000, 1000, 1000};
    uint8_t few[100] = {0};
    bytes = nn_idx_bytes(IDX_UBYTE, 3, big_dims, few, sizeof few, &size);
    REQUIRE(bytes != NULL);
    gz = gzip_of(bytes, size, &gz_size);
    free(bytes);
    REQUIRE(gz != NULL);
    expect_idx_error(gz, gz_size, WG_IDX_MAGIC_IMAGES, "expected 1000000016 bytes", "got 116",
                     NULL);
    free(gz);
}
#else
TEST(idx_reads_gzip_files)
{
    SKIP("built without zlib (zlib1g-dev absent, or ZLIB=0): gzip IDX files are not read");
}

TEST(idx_gzip_without_zlib_says_gunzip)
{
    const uint8_t gz_magic[20] = {0x1f, 0x8b, 8, 0};
    wg_idx idx;
    CHECK_STATUS(wg_idx_parse(gz_magic, sizeof gz_magic, "train.gz", 0, &idx),
                 WG_ERR_UNSUPPORTED);
    CHECK(strstr(wg_error_message(), "without zlib") != NULL);
    CHECK(strstr(wg_error_message(), "gunzip train.gz") != NULL);
}
#endif
