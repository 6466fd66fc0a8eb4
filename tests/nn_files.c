/*
 * nn_files.c - makes IDX and gzip test files in scratch directories (see nn_files.h).
 */
#include "nn_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WG_HAVE_ZLIB
#include <zlib.h>
#endif

uint8_t *nn_idx_bytes(uint8_t type, int rank, const uint32_t *dims, const uint8_t *data,
                      size_t data_size, size_t *size)
{
    size_t header = 4 + 4 * (size_t)rank;
    uint8_t *bytes = malloc(header + data_size + 1);
    if (!bytes) return NULL;
    bytes[0] = 0;
    bytes[1] = 0;
    bytes[2] = type;
    bytes[3] = (uint8_t)rank;
    for (int i = 0; i < rank; i++) {
        uint8_t *p = bytes + 4 + 4 * i;
        p[0] = (uint8_t)(dims[i] >> 24);
        p[1] = (uint8_t)(dims[i] >> 16);
        p[2] = (uint8_t)(dims[i] >> 8);
        p[3] = (uint8_t)dims[i];
    }
    if (data_size) memcpy(bytes + header, data, data_size);
    *size = header + data_size;
    return bytes;
}

int nn_write_file(const char *path, const void *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t written = size ? fwrite(bytes, 1, size, f) : 0;
    int closed = fclose(f);
    return written == size && closed == 0 ? 0 : -1;
}

uint8_t *nn_gzip_bytes(const void *bytes, size_t size, size_t *out_size)
{
#ifdef WG_HAVE_ZLIB
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t capacity = deflateBound(&zs, (uLong)size) + 64;
    uint8_t *out = malloc(capacity);
    if (!out) {
        deflateEnd(&zs);
        return NULL;
    }
    zs.next_in = (Bytef *)(uintptr_t)bytes;
    zs.avail_in = (uInt)size;
    zs.next_out = out;
    zs.avail_out = (uInt)capacity;
    int rc = deflate(&zs, Z_FINISH);
    *out_size = capacity - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
#else
    (void)bytes;
    (void)size;
    (void)out_size;
    return NULL;
#endif
}

int nn_write_gzip(const char *path, const void *bytes, size_t size)
{
    size_t gz_size = 0;
    uint8_t *gz = nn_gzip_bytes(bytes, size, &gz_size);
    if (!gz) return -1;
    int rc = nn_write_file(path, gz, gz_size);
    free(gz);
    return rc;
}

int nn_temp_dir(char *dir, size_t size)
{
    if (size < 32) return -1;
    snprintf(dir, size, "/tmp/whygpu-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

int nn_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

void nn_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) != 0) rmdir(path); /* an empty subdirectory */
        }
        closedir(d);
    }
    rmdir(dir);
}

uint8_t *nn_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t capacity = 4096, used = 0;
    uint8_t *buf = malloc(capacity);
    while (buf) {
        used += fread(buf + used, 1, capacity - used, f);
        if (used < capacity) break;
        uint8_t *bigger = realloc(buf, capacity *= 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
        } else {
            buf = bigger;
        }
    }
    fclose(f);
    *size = used;
    return buf;
}

/* A tiny stand-in for Fashion-MNIST in its IDX format: 28x28 images whose class is a bright
 * horizontal band (rows 2k..2k+3 for class k) over noise, easy to learn in two epochs. */
int nn_write_tiny_fashion(const char *dir, const char *prefix, int count, uint32_t seed)
{
    uint8_t *pixels = malloc((size_t)count * 784), *labels = malloc((size_t)count);
    if (!pixels || !labels) {
        free(pixels);
        free(labels);
        return -1;
    }
    uint32_t state = seed;
    for (int i = 0; i < count; i++) {
        labels[i] = (uint8_t)((i * 3 + i / 10) % 10);
        for (int p = 0; p < 784; p++) {
            state = state * 1664525u + 1013904223u;
            int row = p / 28;
            int band = row >= 2 * labels[i] && row < 2 * labels[i] + 4;
            pixels[(size_t)i * 784 + p] = (uint8_t)(band ? 160 + (state >> 27) : (state >> 26));
        }
    }
    const uint32_t image_dims[3] = {(uint32_t)count, 28, 28}, label_dims[1] = {(uint32_t)count};
    size_t image_size = 0, label_size = 0;
    uint8_t *images = nn_idx_bytes(0x08, 3, image_dims, pixels, (size_t)count * 784, &image_size);
    uint8_t *label_file = nn_idx_bytes(0x08, 1, label_dims, labels, (size_t)count, &label_size);
    char path[256];
    int rc = images && label_file ? 0 : -1;
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", dir, prefix);
    if (rc == 0) rc = nn_write_file(path, images, image_size);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", dir, prefix);
    if (rc == 0) rc = nn_write_file(path, label_file, label_size);
    free(images);
    free(label_file);
    free(pixels);
    free(labels);
    return rc;
}
