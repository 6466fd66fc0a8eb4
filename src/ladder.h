/*
 * ladder.h - the GPU matmul ladder: eight CUDA SGEMM kernels, from one thread per output
 * to tensor cores, each a small step from the one before (docs/ladder.md), and the cuBLAS
 * figure each is compared with.
 *
 *   1 naive         one thread per output, threadIdx.x along rows: uncoalesced
 *   2 coalesced     threadIdx.x along columns: a warp reads one row segment of B
 *   3 smem-tiled    32x32 tiles of A and B in shared memory
 *   4 regblock-1d   a thread computes 8 outputs of a column (registers)
 *   5 regblock-2d   a thread computes 8x8 outputs; 16-byte vector loads
 *   6 warptile      warp tiles and a double-buffered cp.async pipeline
 *   7 wmma-tf32     tensor cores (WMMA), TF32 inputs, FP32 accumulation
 *   8 wmma-bf16     tensor cores (WMMA), BF16 inputs, FP32 accumulation
 *
 * Every rung computes the row-major SGEMM of wg_gemm_args (any m, n, k >= 1, both
 * transposes, alpha and beta; beta == 0 does not read C).
 *
 * This file and ladder.c are plain C, compiled in every build (CPU-only too), so the host
 * side - the rung table, launch planning, alignment and argument checks - is unit-tested
 * on any machine. The kernels are in src/cuda/ladder_*.cu.
 */
#ifndef WG_LADDER_H
#define WG_LADDER_H

#include <stdint.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WG_LADDER_RUNGS 8

/* CUDA's limits on the grid; plans never exceed them (kernels loop over the tiles a
 * capped grid does not cover). */
#define WG_LADDER_MAX_GRID_X 2147483647u
#define WG_LADDER_MAX_GRID_Y 65535u

/* The tile shapes of the rungs: shared by the planner (C) and the kernels (CUDA), so the
 * two cannot disagree. BM x BN is the tile of C one block computes, BK its step along k. */
#define WG_L1_BLOCK_X 32 /* rung 1: threadIdx.x along the rows of C ... */
#define WG_L1_BLOCK_Y 8  /* ... threadIdx.y along the columns */
#define WG_L2_BLOCK_X 32 /* rung 2: threadIdx.x along the columns of C ... */
#define WG_L2_BLOCK_Y 8  /* ... threadIdx.y along the rows */
#define WG_L3_TILE 32    /* rung 3: 32x32 tile, 32x32 threads, BK = 32 */
#define WG_L4_BM 64      /* rung 4: 64x64 tile, BK 8, each thread 8 rows of one column */
#define WG_L4_BN 64
#define WG_L4_BK 8
#define WG_L4_TM 8
#define WG_L4_THREADS (WG_L4_BM * WG_L4_BN / WG_L4_TM) /* 512 */
#define WG_L5_BM 128     /* rung 5: 128x128 tile, BK 8, each thread an 8x8 block */
#define WG_L5_BN 128
#define WG_L5_BK 8
#define WG_L5_TM 8
#define WG_L5_TN 8
#define WG_L5_THREADS (WG_L5_BM * WG_L5_BN / (WG_L5_TM * WG_L5_TN)) /* 256 */
#define WG_L6_BM 128     /* rung 6: 128x128 tile, BK 16, 8 warps of 64x32, 8x8 per thread */
#define WG_L6_BN 128
#define WG_L6_BK 16
#define WG_L6_WM 64
#define WG_L6_WN 32
#define WG_L6_THREADS 256
#define WG_L7_BM 128     /* rung 7: 128x128 tile, BK 16 (two TF32 k-steps of 8), 8 warps */
#define WG_L7_BN 128
#define WG_L7_BK 16
#define WG_L7_THREADS 256
#define WG_L8_BM 128     /* rung 8: 128x128 tile, BK 32 (two BF16 k-steps of 16), 8 warps */
#define WG_L8_BN 128
#define WG_L8_BK 32
#define WG_L8_THREADS 256

/* The precision a rung computes in, and the cuBLAS call it is compared with. */
typedef enum wg_ladder_precision {
    WG_LADDER_FP32 = 0, /* FP32 on CUDA cores; cuBLAS: cublasSgemm, CUBLAS_PEDANTIC_MATH */
    WG_LADDER_TF32,     /* TF32 tensor cores; cuBLAS: GemmEx, CUBLAS_COMPUTE_32F_FAST_TF32 */
    WG_LADDER_BF16      /* BF16 tensor cores; cuBLAS: GemmEx, CUDA_R_16BF, COMPUTE_32F */
} wg_ladder_precision;

typedef struct wg_ladder_rung {
    int number;             /* 1 .. WG_LADDER_RUNGS */
    const char *name;       /* e.g. "regblock-2d" */
    wg_ladder_precision precision;
    const wg_kernel *kernel; /* its entry in the CUDA kernel registry; its summary says
                                what it changes from the rung before */
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

/* "fp32", "tf32", "bf16" ("unknown" otherwise). */
const char *wg_ladder_precision_name(wg_ladder_precision precision);
/* The Frobenius relative error bound vs float64: fp32 1e-5, tf32 2e-3, bf16 1e-2. */
double wg_ladder_error_bound(wg_ladder_precision precision);
/* The name of the cuBLAS reference of a precision: "cublas-fp32-pedantic", "cublas-tf32",
 * "cublas-bf16". */
const char *wg_ladder_cublas_name(wg_ladder_precision precision);

/* The rung with this number, or NULL outside 1 .. WG_LADDER_RUNGS. */
const wg_ladder_rung *wg_ladder_rung_find(int number);
/* The same with an error naming the bad number (WG_ERR_ARGUMENT). */
wg_status wg_ladder_rung_get(int number, const wg_ladder_rung **out);
/* Parses a rung number ("1" .. "8") or name ("naive", "wmma-bf16", ...). */
wg_status wg_ladder_parse(const char *text, int *rung);

/* 1 when 16-byte vector loads of a row-major matrix are safe: the base pointer is 16-byte
 * aligned and every row starts 16-byte aligned (ld * elem_bytes a multiple of 16). The
 * kernels only start vectors at column offsets that are multiples of the vector width. */
int wg_ladder_vector_ok(const void *ptr, int64_t ld, int elem_bytes);

/* How one rung is launched for one product. */
typedef struct wg_ladder_plan {
    int rung;
    unsigned grid_x, grid_y;   /* blocks; never above WG_LADDER_MAX_GRID_X/Y */
    unsigned block_x, block_y; /* threads per block */
    int64_t tiles_x, tiles_y;  /* the blocks an uncapped grid would have in x and y */
    int grid_loops;            /* 1 when the grid is capped and blocks loop over tiles */
    int edge_m, edge_n, edge_k; /* 1 when m (n, k) is not a multiple of the tile: the
                                   kernels guard or zero-pad that edge */
    int vec_a, vec_b;          /* 16-byte loads of A / B (only rungs with vector_bytes) */
    int elem_bytes;            /* bytes per input element: 4, or 2 for BF16 */
} wg_ladder_plan;

/* The operands as a kernel sees them: like wg_gemm_args, but A and B in the rung's input
 * type (float, or BF16 for rung 8) with their own leading dimensions. */
typedef struct wg_ladder_operands {
    int trans_a, trans_b;
    int64_t m, n, k;
    float alpha, beta;
    const void *a;
    int64_t lda;
    const void *b;
    int64_t ldb;
    float *c;
    int64_t ldc;
} wg_ladder_operands;

/* Plans the launch of `rung` for these operands (pointers are only looked at for the
 * alignment of vector loads). Checks the rung and the sizes. */
wg_status wg_ladder_plan_make(int rung, const wg_ladder_operands *ops, wg_ladder_plan *out);

/* The inputs of a rung in its input precision. For FP32 and TF32 they are the caller's
 * A and B as they are (TF32 rounding happens inside the kernel, as in cuBLAS). For BF16,
 * A and B are converted once, before any timing, into device buffers holding the same
 * stored matrices in BF16 (round to nearest even), each row padded to a multiple of 8
 * elements (so 16-byte loads are always possible); rung 8 and cuBLAS BF16 read the same
 * buffers. */
typedef struct wg_ladder_inputs {
    wg_ladder_precision precision;
    int device_index;
    const void *a, *b;
    int64_t lda, ldb;
    void *owned_a, *owned_b; /* device buffers to free, or NULL */
} wg_ladder_inputs;

wg_status wg_ladder_inputs_prepare(int rung, int device_index, const wg_gemm_args *args,
                                   wg_ladder_inputs *out);
void wg_ladder_inputs_free(wg_ladder_inputs *inputs);

/* Runs rung `rung` (use_cublas 0) or the cuBLAS reference of its precision (use_cublas 1)
 * on prepared inputs; the launch is checked, not waited for. */
wg_status wg_ladder_run_prepared(int rung, int use_cublas, int device_index,
                                 const wg_gemm_args *args, const wg_ladder_inputs *inputs);

/* C = alpha op(A) op(B) + beta C on cuda:device_index with rung `rung`: prepares the
 * inputs (BF16 conversion for rung 8), runs, waits, frees. For tests and one-off calls;
 * timing loops use wg_ladder_inputs_prepare + wg_ladder_run_prepared. */
wg_status wg_ladder_run(int rung, int device_index, const wg_gemm_args *args);

/* The rung the library would use as its best CUDA kernel once one is verified on a GPU:
 * 0 means cuBLAS (the default now). Changing it is a one-line change in ladder.c. */
int wg_ladder_default_rung(void);

#ifdef __cplusplus
}
#endif

#endif /* WG_LADDER_H */
