/*
 * nn_files.h - test helpers that make the files the nn loaders read: IDX images in memory,
 * plain and gzip files, and scratch directories removed afterwards. Used by the tests and
 * by the fuzzers' seed writer (tests/fuzz/fuzz_seeds.c).
 */
#ifndef WG_TEST_NN_FILES_H
#define WG_TEST_NN_FILES_H

#include <stddef.h>
#include <stdint.h>

/* An IDX file in memory: the 4-byte magic (0, 0, type, rank), rank big-endian sizes, then
 * `data_size` bytes of data. malloc'd; *size gets its length. NULL when out of memory. */
uint8_t *nn_idx_bytes(uint8_t type, int rank, const uint32_t *dims, const uint8_t *data,
                      size_t data_size, size_t *size);

/* Writes bytes to path (0 on success). */
int nn_write_file(const char *path, const void *bytes, size_t size);

/* Writes bytes gzip-compressed to path (0 on success; -1 without zlib). */
int nn_write_gzip(const char *path, const void *bytes, size_t size);

/* Compresses bytes to gzip in memory (malloc'd, NULL without zlib or on failure). */
uint8_t *nn_gzip_bytes(const void *bytes, size_t size, size_t *out_size);

/* mkdtemp("/tmp/whygpu-test-XXXXXX") into dir (size >= 32); 0 on success. */
int nn_temp_dir(char *dir, size_t size);

/* Removes a directory made by nn_temp_dir and the plain files in it. */
void nn_remove_dir(const char *dir);

/* Entries in dir other than . and .. (temporary files left behind show up); -1 if it
 * cannot be read. */
int nn_dir_entries(const char *dir);

/* Reads a whole file (malloc'd) or NULL. */
uint8_t *nn_read_file(const char *path, size_t *size);

/* A tiny stand-in for Fashion-MNIST: DIR/PREFIX-images-idx3-ubyte and -labels-idx1-ubyte
 * with `count` 28x28 images whose class k is a bright band (rows 2k..2k+3) over noise drawn
 * from `seed`; 0 on success. */
int nn_write_tiny_fashion(const char *dir, const char *prefix, int count, uint32_t seed);

#endif /* WG_TEST_NN_FILES_H */
