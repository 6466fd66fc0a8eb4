/*
 * file_io.h - whole-file reads for the loaders in src/nn (IDX files, checkpoints).
 */
#ifndef WG_NN_FILE_IO_H
#define WG_NN_FILE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"

/* Reads the regular file at `path` into a malloc'd buffer of *size bytes (free() it).
 * Errors (WG_ERR_IO, WG_ERR_NO_MEMORY) name the path and the system's reason. */
wg_status wg_read_whole_file(const char *path, uint8_t **data, size_t *size);

#endif /* WG_NN_FILE_IO_H */
