/*
 * crc32.c - CRC-32 for checkpoint files: zlib's crc32 when available, otherwise a
 * byte-at-a-time table (256 entries, built once) for the same reflected polynomial.
 */
#include "nn/crc32.h"

#include <pthread.h>

#ifdef WG_HAVE_ZLIB
#include <zlib.h>
#endif

#define CRC32_POLYNOMIAL 0xEDB88320u

static uint32_t crc_table[256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_build(void)
{
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1u) ? (crc >> 1) ^ CRC32_POLYNOMIAL : crc >> 1;
        crc_table[byte] = crc;
    }
}

uint32_t wg_crc32_portable(uint32_t crc, const void *data, size_t size)
{
    pthread_once(&crc_table_once, crc_table_build);
    const uint8_t *bytes = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = crc_table[(crc ^ bytes[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

uint32_t wg_crc32(uint32_t crc, const void *data, size_t size)
{
#ifdef WG_HAVE_ZLIB
    /* zlib takes a uInt length: feed it in chunks that fit. */
    const uint8_t *bytes = data;
    while (size > 0) {
        uInt chunk = size > (1u << 30) ? (1u << 30) : (uInt)size;
        crc = (uint32_t)crc32((uLong)crc, bytes, chunk);
        bytes += chunk;
        size -= chunk;
    }
    return crc;
#else
    return wg_crc32_portable(crc, data, size);
#endif
}

int wg_crc32_uses_zlib(void)
{
#ifdef WG_HAVE_ZLIB
    return 1;
#else
    return 0;
#endif
}
