/*
 * checkpoint.h - saving and loading a trained model's parameters (and where training was)
 * in a small versioned binary format, documented in docs/checkpoint.md: little-endian,
 * one record per tensor, a CRC-32 of everything at the end. Saves are atomic: a reader
 * (or a crash) sees the old file or the new one, never half of one.
 */
#ifndef WG_NN_CHECKPOINT_H
#define WG_NN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"

#define WG_CHECKPOINT_VERSION 1
#define WG_CHECKPOINT_MAX_RANK 4

typedef struct wg_checkpoint_tensor {
    char name[64];        /* NUL-terminated, non-empty, unique within a checkpoint */
    int rank;             /* 1..4 */
    int64_t shape[4];     /* each >= 1; entries past rank are ignored on save, 1 on load */
    float *data;          /* numel floats, host memory; owned by the checkpoint after load */
} wg_checkpoint_tensor;

typedef struct wg_checkpoint {
    char model[256];      /* describes the architecture, e.g. "mlp 784-512-256-10 relu" */
    char optimizer[32];   /* e.g. "sgd", "adam" */
    int64_t epoch, step;
    uint64_t seed;
    int count;
    wg_checkpoint_tensor *tensors;
} wg_checkpoint;

/* Writes ck to path atomically: a temporary file in the same directory, flushed to disk,
 * then renamed over path. On failure path is untouched and no temporary file is left.
 * Errors: WG_ERR_ARGUMENT (a bad checkpoint: names, ranks, shapes, NULL data),
 * WG_ERR_IO (with the path and the system's reason: missing directory, permissions, disk
 * full), WG_ERR_OVERFLOW. */
wg_status wg_checkpoint_save(const char *path, const wg_checkpoint *ck);

/* Reads and checks the file at path (see wg_checkpoint_parse). */
wg_status wg_checkpoint_load(const char *path, wg_checkpoint *out);

/* Parses a checkpoint held in memory. Every size is checked against the bytes present
 * before anything is allocated. Errors (WG_ERR_IO): not a checkpoint, unsupported version,
 * truncated, checksum mismatch, absurd counts/ranks/shapes, trailing bytes, names without
 * a NUL. On failure *out is zeroed and nothing is left allocated. */
wg_status wg_checkpoint_parse(const uint8_t *data, size_t size, wg_checkpoint *out);

/* Frees what load/parse allocated and zeroes *ck; NULL and zeroed are fine. Do not call it
 * on a checkpoint whose tensors the caller allocated. */
void wg_checkpoint_free(wg_checkpoint *ck);

/* The tensor called name, or NULL. */
const wg_checkpoint_tensor *wg_checkpoint_find(const wg_checkpoint *ck, const char *name);

#endif /* WG_NN_CHECKPOINT_H */
