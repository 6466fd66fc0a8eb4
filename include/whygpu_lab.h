/*
 * whygpu_lab.h - the public API of whygpu's laboratory: the experiments built on the tensor
 * library of whygpu.h. Measurement (bandwidth, latency, caches, peaks, "time an op and
 * check it against float64"), the size sweep, the GPU matmul ladder, training, and the
 * JSON documents every command writes. The command-line tool (tools/) uses only this
 * header and whygpu.h; nothing under src/ is private to it.
 *
 * Conventions are those of whygpu.h: every call that can fail returns a wg_status with a
 * message in wg_error_message(); nothing here prints or exits.
 */
#ifndef WHYGPU_LAB_H
#define WHYGPU_LAB_H

#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ measurement ======= */

/* ================================================================ sweep ============= */

/* ================================================================ ladder ============ */

/* The GPU matmul ladder: eight CUDA SGEMM kernels, from one thread per output to tensor
 * cores, each a small step from the one before (docs/ladder.md), and the cuBLAS figure of
 * each precision they are compared with. Each rung is an entry of the CUDA kernel registry
 * (wg_kernel_find(WG_DEVICE_CUDA, rung->name, ...)), whose summary says what it changes.
 *
 *   1 naive         one thread per output, threadIdx.x along rows: uncoalesced
 *   2 coalesced     threadIdx.x along columns: a warp reads one row segment of B
 *   3 smem-tiled    32x32 tiles of A and B in shared memory
 *   4 regblock-1d   a thread computes 8 outputs of a column (registers)
 *   5 regblock-2d   a thread computes 8x8 outputs; 16-byte vector loads
 *   6 warptile      warp tiles and a double-buffered cp.async pipeline
 *   7 wmma-tf32     tensor cores (WMMA), TF32 inputs, FP32 accumulation
 *   8 wmma-bf16     tensor cores (WMMA), BF16 inputs, FP32 accumulation */

#define WG_LADDER_RUNGS 8

typedef struct wg_ladder_rung {
    int number;             /* 1 .. WG_LADDER_RUNGS */
    const char *name;       /* its registry name, e.g. "regblock-2d" */
    wg_precision precision; /* compared with the cuBLAS entry of this precision */
    const char *reason;     /* the reason it exploits: "bandwidth", "parallelism",
                               "caches/shared memory/registers" or "tensor cores" */
    /* Tile of C per block (block_m x block_n) and step along k; for rungs 1-2 the rows and
     * columns of C one block covers. */
    int block_m, block_n, block_k;
    unsigned threads_x, threads_y; /* threads per block */
    int vector_bytes;       /* 16 when the rung uses 16-byte loads where alignment allows */
    /* Predicted TFLOP/s on an H100 SXM at n = 4096 and 8192 (docs/ladder.md derives them). */
    double predicted_tflops_4096, predicted_tflops_8192;
} wg_ladder_rung;

/* The Frobenius relative error bound vs float64: fp32 1e-5, tf32 2e-3, bf16 1e-2. */
double wg_ladder_error_bound(wg_precision precision);
/* The name the ladder's table and JSON give the cuBLAS reference of a precision:
 * "cublas-fp32-pedantic", "cublas-tf32", "cublas-bf16" (registry: cublas-fp32, ...). */
const char *wg_ladder_cublas_name(wg_precision precision);

/* The rung with this number, or NULL outside 1 .. WG_LADDER_RUNGS. */
const wg_ladder_rung *wg_ladder_rung_find(int number);
/* The same with an error naming the bad number (WG_ERR_ARGUMENT). */
wg_status wg_ladder_rung_get(int number, const wg_ladder_rung **out);
/* Parses a rung number ("1" .. "8") or name ("naive", "wmma-bf16", ...). */
wg_status wg_ladder_parse(const char *text, int *rung);

/* The rung the library would use as its best CUDA kernel instead of cuBLAS: 0 means
 * cuBLAS (the default now). Changing it is a one-line change in ladder.c. */
int wg_ladder_default_rung(void);

/* ================================================================ training ========== */

/* ================================================================ JSON documents ==== */

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
