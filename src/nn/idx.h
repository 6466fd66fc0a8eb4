/*
 * idx.h - reading IDX files, the format of MNIST and Fashion-MNIST: a big-endian header
 * (two zero bytes, a type byte, a rank byte, then one 32-bit size per axis) followed by
 * the data. Only unsigned-byte data (type 0x08) is read. Files may be gzip-compressed.
 */
#ifndef WG_NN_IDX_H
#define WG_NN_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"

#define WG_IDX_MAGIC_IMAGES 0x00000803u /* unsigned bytes, rank 3: count, rows, cols */
#define WG_IDX_MAGIC_LABELS 0x00000801u /* unsigned bytes, rank 1: count */
#define WG_IDX_MAX_RANK 4

typedef struct wg_idx {
    uint32_t magic;                /* as read, e.g. WG_IDX_MAGIC_IMAGES */
    int rank;                      /* 1..WG_IDX_MAX_RANK */
    int64_t dims[WG_IDX_MAX_RANK]; /* each >= 1; unused axes are 1 */
    int64_t count;                 /* elements: the product of dims */
    uint8_t *data;                 /* count bytes, owned (wg_idx_free) */
} wg_idx;

/* Parses an IDX file held in memory (gzip-compressed when it starts with 1f 8b). `name`
 * (a path, for messages; NULL: "IDX data") is named in every error. expected_magic: one
 * of the WG_IDX_MAGIC_* values, or 0 for any unsigned-byte IDX of rank 1..4. On failure
 * *out is left zeroed and nothing is allocated. Errors: WG_ERR_IO (malformed: magic, rank,
 * zero or absurd sizes, truncated, trailing bytes, corrupt gzip), WG_ERR_UNSUPPORTED (gzip
 * data in a build without zlib), WG_ERR_NO_MEMORY, WG_ERR_ARGUMENT. */
wg_status wg_idx_parse(const uint8_t *bytes, size_t size, const char *name,
                       uint32_t expected_magic, wg_idx *out);

/* Reads and parses the file at `path` (plain or gzip, by content). */
wg_status wg_idx_read_file(const char *path, uint32_t expected_magic, wg_idx *out);

/* Frees the data and zeroes *idx; NULL and zeroed are fine. */
void wg_idx_free(wg_idx *idx);

#endif /* WG_NN_IDX_H */
