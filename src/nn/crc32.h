/*
 * crc32.h - CRC-32 (the zlib / gzip / PNG polynomial 0xEDB88320, reflected), used to check
 * that a checkpoint file is intact. zlib's crc32 when built with zlib, else a small
 * table-driven copy that gives the same values.
 */
#ifndef WG_NN_CRC32_H
#define WG_NN_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32 over `size` more bytes; start with crc = 0. Same values as zlib's
 * crc32(crc, data, size). */
uint32_t wg_crc32(uint32_t crc, const void *data, size_t size);

/* The table-driven implementation, always compiled (the tests compare it with zlib). */
uint32_t wg_crc32_portable(uint32_t crc, const void *data, size_t size);

/* 1 when wg_crc32 is zlib's. */
int wg_crc32_uses_zlib(void);

#endif /* WG_NN_CRC32_H */
