/*
 * idx.c - the IDX reader. Everything is checked against the bytes actually present before
 * anything is allocated: the header's sizes must multiply without overflow and describe
 * exactly the bytes that follow it. Gzip data is inflated with zlib into a buffer that
 * grows only as output arrives and never beyond what the header describes, so a small
 * file that claims (or inflates to) gigabytes cannot make the reader allocate them.
 */
#include "nn/idx.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef WG_HAVE_ZLIB
#include <zlib.h>
#endif

#include "error.h"
#include "nn/file_io.h"

#define IDX_TYPE_UNSIGNED_BYTE 0x08

typedef struct idx_header {
    uint32_t magic;
    int rank;
    int64_t dims[WG_IDX_MAX_RANK];
    int64_t count;       /* product of dims */
    size_t header_bytes; /* 4 + 4 * rank */
    size_t total_bytes;  /* header_bytes + count */
} idx_header;

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *magic_meaning(uint32_t magic)
{
    switch (magic) {
    case WG_IDX_MAGIC_IMAGES: return "unsigned-byte images: count, rows, cols";
    case WG_IDX_MAGIC_LABELS: return "unsigned-byte labels: count";
    default: return "unsigned-byte data";
    }
}

/* "60000 x 28 x 28" */
static const char *format_dims(const idx_header *h, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < h->rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, i ? " x " : "",
                                 h->dims[i]);
    return buf;
}

/* Checks the magic, rank and sizes in the first `avail` bytes (the data need not be
 * there yet). */
static wg_status parse_header(const uint8_t *b, size_t avail, const char *name,
                              uint32_t expected_magic, idx_header *h)
{
    memset(h, 0, sizeof *h);
    if (avail < 4)
        return wg_fail(WG_ERR_IO, "%s: truncated: %zu bytes, an IDX header needs at least 4",
                       name, avail);
    uint32_t magic = read_be32(b);
    const char *problem = NULL;
    char why[96];
    if (b[0] != 0 || b[1] != 0) {
        problem = "not an IDX file: the first two bytes are not zero";
    } else if (b[2] != IDX_TYPE_UNSIGNED_BYTE) {
        snprintf(why, sizeof why, "data type 0x%02X, only 0x08 (unsigned byte) is read",
                 b[2]);
        problem = why;
    } else if (expected_magic != 0 && magic != expected_magic) {
        snprintf(why, sizeof why, "rank %d, expected %d", b[3], (int)(expected_magic & 0xFFu));
        problem = why;
    }
    if (problem && expected_magic != 0)
        return wg_fail(WG_ERR_IO, "%s: magic 0x%08" PRIX32 ", expected 0x%08" PRIX32 " (%s): %s",
                       name, magic, expected_magic, magic_meaning(expected_magic), problem);
    if (problem)
        return wg_fail(WG_ERR_IO, "%s: magic 0x%08" PRIX32 ": %s", name, magic, problem);
    int rank = b[3];
    if (rank < 1 || rank > WG_IDX_MAX_RANK)
        return wg_fail(WG_ERR_IO, "%s: rank %d, this reader accepts ranks 1 to %d", name, rank,
                       WG_IDX_MAX_RANK);
    h->magic = magic;
    h->rank = rank;
    h->header_bytes = 4 + 4 * (size_t)rank;
    if (avail < h->header_bytes)
        return wg_fail(WG_ERR_IO, "%s: truncated header: %zu bytes, a rank-%d IDX header has %zu",
                       name, avail, rank, h->header_bytes);
    int64_t count = 1;
    for (int i = 0; i < WG_IDX_MAX_RANK; i++) h->dims[i] = 1;
    for (int i = 0; i < rank; i++) {
        h->dims[i] = read_be32(b + 4 + 4 * (size_t)i);
        if (h->dims[i] == 0)
            return wg_fail(WG_ERR_IO, "%s: size of axis %d is 0 (an IDX size must be >= 1)",
                           name, i);
    }
    char dims[96];
    for (int i = 0; i < rank; i++) {
        if (wg_mul_i64(count, h->dims[i], &count) != WG_OK || (uint64_t)count > SIZE_MAX / 2)
            return wg_fail(WG_ERR_IO, "%s: absurd sizes %s: their product overflows", name,
                           format_dims(h, dims, sizeof dims));
    }
    h->count = count;
    h->total_bytes = h->header_bytes + (size_t)count;
    return WG_OK;
}

/* Parses an uncompressed IDX image: `stored` bytes are in memory, `total` bytes were in
 * the file (total > stored when trailing bytes were counted but not kept). */
static wg_status parse_plain(const uint8_t *b, size_t stored, uint64_t total, const char *name,
                             uint32_t expected_magic, wg_idx *out)
{
    idx_header h;
    wg_status status = parse_header(b, stored, name, expected_magic, &h);
    if (status != WG_OK) return status;
    char dims[96];
    if (total < h.total_bytes)
        return wg_fail(WG_ERR_IO,
                       "%s: truncated (or wrong sizes): the header says %s, so expected %zu "
                       "bytes (%zu of header), got %" PRIu64,
                       name, format_dims(&h, dims, sizeof dims), h.total_bytes, h.header_bytes,
                       total);
    if (total > h.total_bytes)
        return wg_fail(WG_ERR_IO,
                       "%s: %" PRIu64 " trailing bytes after the %zu bytes the header "
                       "describes (%s)",
                       name, total - h.total_bytes, h.total_bytes,
                       format_dims(&h, dims, sizeof dims));
    uint8_t *data = malloc((size_t)h.count);
    if (!data)
        return wg_fail(WG_ERR_NO_MEMORY, "%s: cannot allocate %" PRId64 " bytes", name,
                       h.count);
    memcpy(data, b + h.header_bytes, (size_t)h.count);
    out->magic = h.magic;
    out->rank = h.rank;
    memcpy(out->dims, h.dims, sizeof out->dims);
    out->count = h.count;
    out->data = data;
    return WG_OK;
}

#ifdef WG_HAVE_ZLIB
/* Inflates gzip data (one member or several, back to back) and parses the result. */
static wg_status parse_gzip(const uint8_t *bytes, size_t size, const char *name,
                            uint32_t expected_magic, wg_idx *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int rc = inflateInit2(&zs, 16 + MAX_WBITS); /* 16: gzip wrapper only */
    if (rc != Z_OK)
        return wg_fail(rc == Z_MEM_ERROR ? WG_ERR_NO_MEMORY : WG_ERR_IO,
                       "%s: cannot start zlib's inflate (%d)", name, rc);
    wg_status status = WG_OK;
    uint8_t *buf = NULL, scratch[16384];
    size_t capacity = 0, stored = 0, limit = SIZE_MAX, fed = 0;
    uint64_t total = 0;
    int header_checked = 0;
    for (;;) {
        if (zs.avail_in == 0 && fed < size) {
            size_t chunk = size - fed > (1u << 30) ? (1u << 30) : size - fed;
            zs.next_in = (Bytef *)(uintptr_t)(bytes + fed);
            zs.avail_in = (uInt)chunk;
            fed += chunk;
        }
        int keep = stored < limit; /* past the described bytes: count only */
        if (keep && stored == capacity) {
            size_t grown = capacity ? capacity * 2 : 65536;
            if (grown > limit) grown = limit;
            uint8_t *bigger = realloc(buf, grown);
            if (!bigger) {
                status = wg_fail(WG_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes to inflate",
                                 name, grown);
                break;
            }
            buf = bigger;
            capacity = grown;
        }
        size_t room = keep ? capacity - stored : sizeof scratch;
        if (room > (1u << 30)) room = 1u << 30;
        zs.next_out = keep ? buf + stored : scratch;
        zs.avail_out = (uInt)room;
        rc = inflate(&zs, Z_NO_FLUSH);
        size_t produced = room - zs.avail_out;
        total += produced;
        if (keep) stored += produced;
        /* Check the header as soon as it is in: a wrong file stops here, and a good one
         * bounds the buffer. (A rank this reader refuses is refused after 4 bytes.) */
        size_t header_bytes = stored >= 4 && buf[3] <= WG_IDX_MAX_RANK ? 4 + 4 * (size_t)buf[3]
                                                                       : 4;
        if (!header_checked && stored >= header_bytes) {
            idx_header h;
            status = parse_header(buf, stored, name, expected_magic, &h);
            if (status != WG_OK) break;
            header_checked = 1;
            limit = h.total_bytes;
        }
        if (rc == Z_STREAM_END) {
            size_t left = zs.avail_in + (size - fed);
            if (left == 0) break;
            const uint8_t *next = zs.next_in;
            if (zs.avail_in >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
                inflateReset(&zs); /* another gzip member follows */
                continue;
            }
            status = wg_fail(WG_ERR_IO, "%s: %zu bytes of garbage after the end of the gzip data",
                             name, left);
            break;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && fed == size) {
            status = wg_fail(WG_ERR_IO,
                             "%s: the gzip data ends early (truncated after %" PRIu64
                             " uncompressed bytes)", name, total);
            break;
        }
        if (rc == Z_MEM_ERROR) {
            status = wg_fail(WG_ERR_NO_MEMORY, "%s: zlib is out of memory", name);
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            status = wg_fail(WG_ERR_IO, "%s: corrupt gzip data: %s", name,
                             zs.msg ? zs.msg : "inflate failed");
            break;
        }
    }
    inflateEnd(&zs);
    if (status == WG_OK) status = parse_plain(buf, stored, total, name, expected_magic, out);
    free(buf);
    return status;
}
#endif

wg_status wg_idx_parse(const uint8_t *bytes, size_t size, const char *name,
                       uint32_t expected_magic, wg_idx *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output");
    memset(out, 0, sizeof *out);
    if (!name) name = "IDX data";
    if (!bytes && size > 0) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL data", name);
    if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
#ifdef WG_HAVE_ZLIB
        return parse_gzip(bytes, size, name, expected_magic, out);
#else
        return wg_fail(WG_ERR_UNSUPPORTED,
                       "%s is gzip-compressed and whygpu was built without zlib: gunzip %s "
                       "first (or install zlib1g-dev and rebuild)", name, name);
#endif
    }
    return parse_plain(bytes, size, size, name, expected_magic, out);
}

wg_status wg_idx_read_file(const char *path, uint32_t expected_magic, wg_idx *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output");
    memset(out, 0, sizeof *out);
    if (!path) return wg_fail(WG_ERR_ARGUMENT, "NULL path");
    uint8_t *bytes = NULL;
    size_t size = 0;
    wg_status status = wg_read_whole_file(path, &bytes, &size);
    if (status != WG_OK) return status;
    status = wg_idx_parse(bytes, size, path, expected_magic, out);
    free(bytes);
    return status;
}

void wg_idx_free(wg_idx *idx)
{
    if (!idx) return;
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}
