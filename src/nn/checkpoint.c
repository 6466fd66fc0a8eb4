/*
 * checkpoint.c - the checkpoint format of docs/checkpoint.md: atomic save, and a loader
 * that trusts nothing in the file. The loader checks, in order: the magic, the version,
 * the declared file size against the real one (truncation), the CRC-32 (corruption), and
 * then every count, rank and shape against the bytes actually present before allocating.
 */
#include "nn/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "nn/crc32.h"
#include "nn/file_io.h"
#include "whygpu_lab.h"

static const uint8_t checkpoint_magic[8] = {'W', 'H', 'Y', 'G', 'P', 'U', 'C', 'K'};

enum {
    MAGIC_BYTES = 8,
    MODEL_BYTES = 256,
    OPTIMIZER_BYTES = 32,
    NAME_BYTES = 64,
    /* magic, version, tensor count, file size, epoch, step, seed, model, optimizer */
    HEADER_BYTES = MAGIC_BYTES + 4 + 4 + 8 + 8 + 8 + 8 + MODEL_BYTES + OPTIMIZER_BYTES,
    CRC_BYTES = 4,
    /* the smallest tensor record: name, rank 1, one size, one float */
    MIN_TENSOR_BYTES = NAME_BYTES + 4 + 8 + 4,
};

/* ---------------------------------------------------------------- little-endian ----- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* ---------------------------------------------------------------- checks ------------ */

static int has_nul(const char *text, size_t size) { return memchr(text, '\0', size) != NULL; }

/* Bytes of the record of a tensor with this rank and element count. */
static int record_bytes(int rank, int64_t numel, uint64_t *bytes)
{
    if (numel < 0 || (uint64_t)numel > (UINT64_MAX - NAME_BYTES - 4 - 8 * 4) / 4) return -1;
    *bytes = NAME_BYTES + 4 + 8 * (uint64_t)rank + 4 * (uint64_t)numel;
    return 0;
}

/* Checks what save needs and computes the file's size. */
static wg_status check_for_save(const wg_checkpoint *ck, uint64_t *file_bytes)
{
    if (!has_nul(ck->model, sizeof ck->model))
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint model description is not NUL-terminated");
    if (!has_nul(ck->optimizer, sizeof ck->optimizer))
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint optimizer name is not NUL-terminated");
    if (ck->count < 0)
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor count %d is negative", ck->count);
    if (ck->count > 0 && !ck->tensors)
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint has %d tensors but a NULL tensor array",
                       ck->count);
    uint64_t total = HEADER_BYTES + CRC_BYTES;
    for (int i = 0; i < ck->count; i++) {
        const wg_checkpoint_tensor *t = &ck->tensors[i];
        if (!has_nul(t->name, sizeof t->name))
            return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor %d: name is not NUL-terminated "
                           "within %d bytes", i, NAME_BYTES);
        if (t->name[0] == '\0')
            return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor %d has an empty name", i);
        for (int j = 0; j < i; j++)
            if (strcmp(ck->tensors[j].name, t->name) == 0)
                return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensors %d and %d are both "
                               "called \"%s\"", j, i, t->name);
        if (t->rank < 1 || t->rank > WG_CHECKPOINT_MAX_RANK)
            return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor \"%s\": rank %d is not in 1..%d",
                           t->name, t->rank, WG_CHECKPOINT_MAX_RANK);
        int64_t numel = 1;
        for (int a = 0; a < t->rank; a++) {
            if (t->shape[a] < 1)
                return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor \"%s\": size %" PRId64
                               " of axis %d is not >= 1", t->name, t->shape[a], a);
            if (wg_mul_i64(numel, t->shape[a], &numel) != WG_OK)
                return wg_fail(WG_ERR_OVERFLOW, "checkpoint tensor \"%s\": its shape has more "
                               "elements than fit in 64 bits", t->name);
        }
        if (!t->data)
            return wg_fail(WG_ERR_ARGUMENT, "checkpoint tensor \"%s\" has NULL data", t->name);
        uint64_t bytes = 0;
        if (record_bytes(t->rank, numel, &bytes) != 0 || total > UINT64_MAX - bytes)
            return wg_fail(WG_ERR_OVERFLOW, "checkpoint tensor \"%s\": %" PRId64
                           " elements do not fit in a file", t->name, numel);
        total += bytes;
    }
    *file_bytes = total;
    return WG_OK;
}

/* ---------------------------------------------------------------- save -------------- */

/* Buffered writes to a file descriptor that keep the running CRC-32. */
typedef struct writer {
    int fd;
    size_t used;
    uint32_t crc;
    int error; /* errno of the first failed write, 0 if none */
    uint8_t buf[1 << 16];
} writer;

static void writer_flush(writer *w)
{
    size_t done = 0;
    while (done < w->used && !w->error) {
        ssize_t n = write(w->fd, w->buf + done, w->used - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) w->error = errno;
        else if (n == 0) w->error = EIO;
        else done += (size_t)n;
    }
    w->used = 0;
}

static void writer_put(writer *w, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    w->crc = wg_crc32(w->crc, bytes, size);
    while (size > 0) {
        if (w->used == sizeof w->buf) writer_flush(w);
        size_t chunk = sizeof w->buf - w->used;
        if (chunk > size) chunk = size;
        memcpy(w->buf + w->used, bytes, chunk);
        w->used += chunk;
        bytes += chunk;
        size -= chunk;
    }
}

static void writer_u32(writer *w, uint32_t v)
{
    uint8_t b[4];
    put_u32(b, v);
    writer_put(w, b, sizeof b);
}

static void writer_u64(writer *w, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    writer_put(w, b, sizeof b);
}

/* A fixed-size text field: the string, then zeros. */
static void writer_text(writer *w, const char *text, size_t field)
{
    uint8_t b[MODEL_BYTES] = {0};
    size_t len = strnlen(text, field);
    memcpy(b, text, len);
    writer_put(w, b, field);
}

static void write_checkpoint(writer *w, const wg_checkpoint *ck, uint64_t file_bytes)
{
    writer_put(w, checkpoint_magic, MAGIC_BYTES);
    writer_u32(w, WG_CHECKPOINT_VERSION);
    writer_u32(w, (uint32_t)ck->count);
    writer_u64(w, file_bytes);
    writer_u64(w, (uint64_t)ck->epoch);
    writer_u64(w, (uint64_t)ck->step);
    writer_u64(w, ck->seed);
    writer_text(w, ck->model, MODEL_BYTES);
    writer_text(w, ck->optimizer, OPTIMIZER_BYTES);
    for (int i = 0; i < ck->count; i++) {
        const wg_checkpoint_tensor *t = &ck->tensors[i];
        writer_text(w, t->name, NAME_BYTES);
        writer_u32(w, (uint32_t)t->rank);
        int64_t numel = 1;
        for (int a = 0; a < t->rank; a++) {
            writer_u64(w, (uint64_t)t->shape[a]);
            numel *= t->shape[a]; /* checked in check_for_save */
        }
        uint8_t chunk[4096];
        for (int64_t start = 0; start < numel; start += (int64_t)(sizeof chunk / 4)) {
            int64_t n = numel - start < (int64_t)(sizeof chunk / 4) ? numel - start
                                                                      : (int64_t)(sizeof chunk / 4);
            for (int64_t k = 0; k < n; k++) {
                uint32_t bits;
                memcpy(&bits, &t->data[start + k], sizeof bits);
                put_u32(chunk + 4 * k, bits);
            }
            writer_put(w, chunk, (size_t)n * 4);
        }
    }
    uint8_t crc[4];
    put_u32(crc, w->crc);
    writer_put(w, crc, sizeof crc);
    writer_flush(w);
}

/* Permissions for the new file: the old file's, or rw-r--r-- for a new one. */
static mode_t target_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    return 0644;
}

wg_status wg_checkpoint_save(const char *path, const wg_checkpoint *ck)
{
    if (!path || !ck) return wg_fail(WG_ERR_ARGUMENT, "NULL checkpoint path or checkpoint");
    if (path[0] == '\0') return wg_fail(WG_ERR_ARGUMENT, "empty checkpoint path");
    /* Never replace a FIFO, device or symlink; fail before any work on a bad folder. */
    wg_status status = wg_output_path_check(path);
    if (status != WG_OK) return wg_fail_context(status, "cannot save the checkpoint");
    uint64_t file_bytes = 0;
    status = check_for_save(ck, &file_bytes);
    if (status != WG_OK) return wg_fail_context(status, "cannot save %s", path);

    /* The temporary file: "DIR/.BASE.tmp-XXXXXX", in the target's directory so that the
     * rename is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    if (base[0] == '\0')
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint path %s names a directory, not a file",
                       path);
    size_t tmp_size = strlen(path) + 16;
    char *tmp = malloc(tmp_size);
    writer *w = malloc(sizeof *w);
    if (!tmp || !w) {
        free(tmp);
        free(w);
        return wg_fail(WG_ERR_NO_MEMORY, "cannot save %s: out of memory", path);
    }
    snprintf(tmp, tmp_size, "%.*s.%s.tmp-XXXXXX", (int)dir_len, path, base);
    mode_t mode = target_mode(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        status = wg_fail(WG_ERR_IO, "cannot save %s: cannot create a file in %.*s: %s", path,
                         dir_len ? (int)dir_len : 1, dir_len ? path : ".", strerror(err));
        free(tmp);
        free(w);
        return status;
    }
    const int cleanup_slot = wg_cleanup_add_path(tmp); /* removed on SIGINT/SIGTERM */
    w->fd = fd;
    w->used = 0;
    w->crc = 0;
    w->error = 0;
    write_checkpoint(w, ck, file_bytes);
    const char *step = "writing";
    int err = w->error;
    if (!err && fchmod(fd, mode) != 0) { err = errno; step = "setting permissions on"; }
    if (!err && fsync(fd) != 0) { err = errno; step = "flushing to disk"; }
    if (close(fd) != 0 && !err) { err = errno; step = "closing"; }
    int renamed = 0;
    if (!err && rename(tmp, path) != 0) { err = errno; renamed = 1; }
    wg_cleanup_remove(cleanup_slot);
    if (err) {
        unlink(tmp);
        if (renamed)
            status = wg_fail(WG_ERR_IO, "cannot save %s: renaming %s to it: %s", path, tmp,
                             strerror(err));
        else
            status = wg_fail(WG_ERR_IO, "cannot save %s: %s %s: %s", path, step, tmp,
                             strerror(err));
        free(tmp);
        free(w);
        return status;
    }
    free(tmp);
    free(w);
    /* Make the rename itself durable (best effort: some file systems refuse fsync on a
     * directory, and the new file is complete either way). */
    char *dir = malloc(dir_len + 2);
    if (dir) {
        if (dir_len) snprintf(dir, dir_len + 1, "%.*s", (int)dir_len, path);
        else strcpy(dir, ".");
        int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd >= 0) {
            (void)fsync(dir_fd);
            close(dir_fd);
        }
        free(dir);
    }
    return WG_OK;
}

/* ---------------------------------------------------------------- load -------------- */

/* Copies a fixed-size text field that must hold a NUL. */
static wg_status read_text(const uint8_t *p, size_t field, char *dst, size_t dst_size,
                           const char *what)
{
    if (!memchr(p, '\0', field))
        return wg_fail(WG_ERR_IO, "checkpoint: %s is not NUL-terminated within %zu bytes", what,
                       field);
    size_t len = strlen((const char *)p);
    if (len >= dst_size) len = dst_size - 1;
    memcpy(dst, p, len);
    dst[len] = '\0';
    return WG_OK;
}

/* Parses the tensor records in [p, end); ck->tensors must hold ck->count zeroed entries. */
static wg_status parse_tensors(const uint8_t *p, const uint8_t *end, wg_checkpoint *ck)
{
    for (int i = 0; i < ck->count; i++) {
        wg_checkpoint_tensor *t = &ck->tensors[i];
        size_t left = (size_t)(end - p);
        if (left < NAME_BYTES + 4)
            return wg_fail(WG_ERR_IO, "checkpoint: tensor %d of %d: record truncated (%zu bytes "
                           "left, the name and rank alone take %d)", i, ck->count, left,
                           NAME_BYTES + 4);
        char what[48];
        snprintf(what, sizeof what, "the name of tensor %d", i);
        wg_status status = read_text(p, NAME_BYTES, t->name, sizeof t->name, what);
        if (status != WG_OK) return status;
        if (t->name[0] == '\0')
            return wg_fail(WG_ERR_IO, "checkpoint: tensor %d has an empty name", i);
        for (int j = 0; j < i; j++)
            if (strcmp(ck->tensors[j].name, t->name) == 0)
                return wg_fail(WG_ERR_IO, "checkpoint: tensors %d and %d are both called \"%s\"",
                               j, i, t->name);
        uint32_t rank = get_u32(p + NAME_BYTES);
        p += NAME_BYTES + 4;
        left -= NAME_BYTES + 4;
        if (rank < 1 || rank > WG_CHECKPOINT_MAX_RANK)
            return wg_fail(WG_ERR_IO, "checkpoint: tensor \"%s\": rank %" PRIu32
                           " is not in 1..%d", t->name, rank, WG_CHECKPOINT_MAX_RANK);
        t->rank = (int)rank;
        if (left < 8 * (size_t)rank)
            return wg_fail(WG_ERR_IO, "checkpoint: tensor \"%s\": truncated in its shape",
                           t->name);
        left -= 8 * (size_t)rank;
        /* Every size and the running product must fit in the floats actually left. */
        uint64_t max_numel = left / 4, numel = 1;
        for (int a = 0; a < WG_CHECKPOINT_MAX_RANK; a++) t->shape[a] = 1;
        for (uint32_t a = 0; a < rank; a++) {
            uint64_t dim = get_u64(p + 8 * a);
            if (dim < 1 || dim > max_numel || numel > max_numel / dim)
                return wg_fail(WG_ERR_IO, "checkpoint: tensor \"%s\": size %" PRIu64
                               " of axis %" PRIu32 " is absurd (%zu bytes are left for "
                               "%" PRIu64 " floats at most)", t->name, dim, a, left,
                               max_numel);
            numel *= dim;
            t->shape[a] = (int64_t)dim;
        }
        p += 8 * (size_t)rank;
        t->data = malloc((size_t)numel * sizeof(float));
        if (!t->data)
            return wg_fail(WG_ERR_NO_MEMORY, "checkpoint: cannot allocate %" PRIu64
                           " floats for tensor \"%s\"", numel, t->name);
        for (uint64_t k = 0; k < numel; k++) {
            uint32_t bits = get_u32(p + 4 * k);
            memcpy(&t->data[k], &bits, sizeof bits);
        }
        p += 4 * (size_t)numel;
    }
    if (p != end)
        return wg_fail(WG_ERR_IO, "checkpoint: %zu bytes after the last of its %d tensors",
                       (size_t)(end - p), ck->count);
    return WG_OK;
}

wg_status wg_checkpoint_parse(const uint8_t *data, size_t size, wg_checkpoint *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output");
    memset(out, 0, sizeof *out);
    if (!data && size > 0) return wg_fail(WG_ERR_ARGUMENT, "NULL checkpoint data");
    size_t magic_seen = size < MAGIC_BYTES ? size : MAGIC_BYTES;
    if (size == 0 || memcmp(data, checkpoint_magic, magic_seen) != 0)
        return wg_fail(WG_ERR_IO, "not a whygpu checkpoint: it does not start with \"WHYGPUCK\"");
    if (size < MAGIC_BYTES + 4 + 4 + 8)
        return wg_fail(WG_ERR_IO, "checkpoint truncated: %zu bytes, the header alone has %d",
                       size, HEADER_BYTES);
    uint32_t version = get_u32(data + MAGIC_BYTES);
    if (version != WG_CHECKPOINT_VERSION)
        return wg_fail(WG_ERR_IO, "checkpoint version %" PRIu32 " is not supported (this "
                       "build reads version %d)", version, WG_CHECKPOINT_VERSION);
    uint32_t count = get_u32(data + MAGIC_BYTES + 4);
    uint64_t declared = get_u64(data + MAGIC_BYTES + 8);
    if (declared > size)
        return wg_fail(WG_ERR_IO, "checkpoint truncated: expected %" PRIu64 " bytes, got %zu",
                       declared, size);
    if (declared < size)
        return wg_fail(WG_ERR_IO, "checkpoint has %" PRIu64 " trailing bytes after the %"
                       PRIu64 " its header declares", (uint64_t)size - declared, declared);
    if (size < HEADER_BYTES + CRC_BYTES)
        return wg_fail(WG_ERR_IO, "checkpoint too short: %zu bytes, the header and checksum "
                       "alone take %d", size, HEADER_BYTES + CRC_BYTES);
    uint32_t stored_crc = get_u32(data + size - CRC_BYTES);
    uint32_t crc = wg_crc32(0, data, size - CRC_BYTES);
    if (crc != stored_crc)
        return wg_fail(WG_ERR_IO, "checkpoint checksum mismatch: the file records CRC-32 "
                       "0x%08" PRIX32 ", its contents give 0x%08" PRIX32 " (the file is "
                       "corrupt)", stored_crc, crc);

    const uint8_t *p = data + MAGIC_BYTES + 16;
    wg_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    ck.epoch = (int64_t)get_u64(p);
    ck.step = (int64_t)get_u64(p + 8);
    ck.seed = get_u64(p + 16);
    p += 24;
    wg_status status = read_text(p, MODEL_BYTES, ck.model, sizeof ck.model, "the model");
    if (status != WG_OK) return status;
    p += MODEL_BYTES;
    status = read_text(p, OPTIMIZER_BYTES, ck.optimizer, sizeof ck.optimizer,
                       "the optimizer");
    if (status != WG_OK) return status;
    p += OPTIMIZER_BYTES;
    const uint8_t *end = data + size - CRC_BYTES;
    size_t body = (size_t)(end - p);
    if (count > body / MIN_TENSOR_BYTES || count > INT32_MAX)
        return wg_fail(WG_ERR_IO, "checkpoint: absurd tensor count %" PRIu32 " for %zu bytes of "
                       "tensor records (each takes at least %d)", count, body, MIN_TENSOR_BYTES);
    ck.count = (int)count;
    if (count > 0) {
        ck.tensors = calloc(count, sizeof *ck.tensors);
        if (!ck.tensors)
            return wg_fail(WG_ERR_NO_MEMORY, "checkpoint: cannot allocate %" PRIu32 " tensors",
                           count);
    }
    status = parse_tensors(p, end, &ck);
    if (status != WG_OK) {
        wg_checkpoint_free(&ck);
        return status;
    }
    *out = ck;
    return WG_OK;
}

wg_status wg_checkpoint_load(const char *path, wg_checkpoint *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output");
    memset(out, 0, sizeof *out);
    if (!path) return wg_fail(WG_ERR_ARGUMENT, "NULL checkpoint path");
    uint8_t *bytes = NULL;
    size_t size = 0;
    wg_status status = wg_read_whole_file(path, &bytes, &size);
    if (status != WG_OK) return status;
    status = wg_checkpoint_parse(bytes, size, out);
    free(bytes);
    if (status != WG_OK) return wg_fail_context(status, "%s", path);
    return WG_OK;
}

void wg_checkpoint_free(wg_checkpoint *ck)
{
    if (!ck) return;
    if (ck->tensors)
        for (int i = 0; i < ck->count; i++) free(ck->tensors[i].data);
    free(ck->tensors);
    memset(ck, 0, sizeof *ck);
}

const wg_checkpoint_tensor *wg_checkpoint_find(const wg_checkpoint *ck, const char *name)
{
    if (!ck || !name || !ck->tensors) return NULL;
    for (int i = 0; i < ck->count; i++)
        if (strcmp(ck->tensors[i].name, name) == 0) return &ck->tensors[i];
    return NULL;
}
