/*
 * ladder.h - the host side of the GPU matmul ladder that the kernels share (the public
 * part - the rung table - is in whygpu_lab.h): the tile shapes, and the launch plan.
 *
 * Every rung computes the row-major SGEMM of wg_gemm_args (any m, n, k >= 1, both
 * transposes, alpha and beta; beta == 0 does not read C), on the arguments as the kernel
 * reads them: for rung 8, a and b point at BF16 copies made by wg_gemm_prepare; for rungs 9
 * and 10 at K-major copies (A m x k, B n x k: trans_a 0, trans_b 1; BF16 for rungs 9, 11).
 *
 * This file and ladder.c are plain C, compiled in every build (CPU-only too), so the host
 * side - the rung table, launch planning, alignment checks - is unit-tested on any
 * machine. The kernels are in src/cuda/ladder_*.cu; they run as entries of the CUDA
 * kernel registry (src/cuda_kernels.c).
 */
#ifndef WG_LADDER_H
#define WG_LADDER_H

#include <stdint.h>

#include "cuda/cuda_limits.h"
#include "whygpu_lab.h"

#ifdef __cplusplus
extern "C" {
#endif

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
#define WG_L6_BM 128     /* rung 6 (default variant): 128x64 tile, BK 16, 4 warps of 64x32, */
#define WG_L6_BN 64      /* 8x8 per thread, 4 cp.async stages, 2+ blocks per SM */
#define WG_L6_BK 16
#define WG_L6_WM 64
#define WG_L6_WN 32
#define WG_L6_THREADS 128
/* Rung 6's compiled variants (ladder_6_warptile.cu instantiates each; the tuning table of
 * ladder_tuning.c picks one per GPU; variant 0 is the default and the shape above):
 * X(index, name, BM, BN, BK, WM, WN, STAGES, MIN_BLOCKS), MIN_BLOCKS the blocks per SM the
 * register cap of __launch_bounds__ is set for (65536 / (MIN_BLOCKS x threads) registers).
 * Caps that spilled on sm_90 are not offered: 168 (three 128-thread blocks) spilled in the
 * A^T kernels, 128 (two 256-thread blocks of 128x128) everywhere; so 128x128 is kept at
 * one block per SM, the first version's occupancy, as the autotune's baseline. */
#define WG_L6_VARIANTS(X)                                   \
    X(0, "128x64x16-s4", 128, 64, 16, 64, 32, 4, 2)         \
    X(1, "128x64x16-s3", 128, 64, 16, 64, 32, 3, 2)         \
    X(2, "64x128x16-s4", 64, 128, 16, 32, 64, 4, 2)         \
    X(3, "128x128x16-s3", 128, 128, 16, 64, 32, 3, 1)
#define WG_L6_VARIANT_COUNT 4
#define WG_L7_BM 128     /* rung 7: 128x128 tile, BK 16 (two TF32 k-steps of 8), 8 warps */
#define WG_L7_BN 128
#define WG_L7_BK 16
#define WG_L7_THREADS 256
#define WG_L8_BM 128     /* rung 8: 128x128 tile, BK 32 (two BF16 k-steps of 16), 8 warps */
#define WG_L8_BN 128
#define WG_L8_BK 32
#define WG_L8_THREADS 256
/* rungs 9 (BF16) and 10 (TF32), Hopper wgmma + TMA (src/cuda/ladder_hopper.cuh): 128x256
 * tile, one 128-byte row along k per stage (64 BF16 or 32 FP32 values), 3 warpgroups */
#define WG_L9_BM 128
#define WG_L9_BN 256
#define WG_L9_BK 64
#define WG_L10_BK 32
#define WG_L9_THREADS 384
/* rung 11 (BF16, src/cuda/ladder_11_wgmma_cluster.cu): rung 9's tile in 2-CTA clusters
 * along M sharing B by TMA multicast, persistent: grid_x counts CTAs (a multiple of the
 * cluster), grid_y is 1, and the launcher lowers grid_x to the clusters that fit at once */
#define WG_L11_CLUSTER 2
/* Rungs that read A stored m x k and B stored n x k only (trans_a 0, trans_b 1, 16-byte
 * aligned rows): wg_cuda_gemm_prepare makes such copies for them. */
#define WG_LADDER_K_MAJOR(rung) ((rung) >= 9)

/* 1 when 16-byte vector loads of a row-major matrix are safe: the base pointer is 16-byte
 * aligned and every row starts 16-byte aligned (ld * elem_bytes a multiple of 16). The
 * kernels only start vectors at column offsets that are multiples of the vector width. */
int wg_ladder_vector_ok(const void *ptr, int64_t ld, int elem_bytes);

/* How one rung is launched for one product. */
typedef struct wg_ladder_plan {
    int rung;
    unsigned grid_x, grid_y;   /* blocks; never above WG_CUDA_MAX_GRID_X/Y */
    unsigned block_x, block_y; /* threads per block */
    int64_t tiles_x, tiles_y;  /* the blocks an uncapped grid would have in x and y */
    int grid_loops;            /* 1 when the grid is capped and blocks loop over tiles */
    int edge_m, edge_n, edge_k; /* 1 when m (n, k) is not a multiple of the tile: the
                                   kernels guard or zero-pad that edge */
    int vec_a, vec_b;          /* 16-byte loads of A / B (only rungs with vector_bytes) */
    int elem_bytes;            /* bytes per input element: 4, or 2 for BF16 */
    int variant;               /* rung 6: index into WG_L6_VARIANTS (0 otherwise) */
} wg_ladder_plan;

/* Plans the launch of `rung` for these arguments, as the kernel reads them (pointers are
 * only looked at for the alignment of vector loads). Checks the rung and the sizes. */
wg_status wg_ladder_plan_make(int rung, const wg_gemm_args *args, wg_ladder_plan *out);

/* ---- rung 6 variants and their tuning table (ladder_tuning.c) ---- */

typedef struct wg_ladder6_variant {
    const char *name; /* e.g. "128x128x16-s3" */
    int bm, bn, bk, wm, wn, stages, min_blocks;
    int threads;      /* (bm / wm) * (bn / wn) * 32 */
    int smem_bytes;   /* the shared-memory ring: stages * bk * (bm + 4 + bn + 4) floats */
} wg_ladder6_variant;

/* Variant i (0 .. WG_L6_VARIANT_COUNT - 1), or NULL. */
const wg_ladder6_variant *wg_ladder6_variant_get(int index);
/* The index of the variant called name, or -1. */
int wg_ladder6_variant_find(const char *name);

/* As wg_ladder_plan_make, with rung 6's tile shape taken from `variant` (ignored for other
 * rungs; wg_ladder_plan_make uses variant 0). */
wg_status wg_ladder_plan_make_variant(int rung, int variant, const wg_gemm_args *args,
                                      wg_ladder_plan *out);

/* The tuning table: text, one GPU a line, "SMS<TAB>VARIANT<TAB>GPU NAME[<TAB># note]";
 * '#' starts a comment line; blank lines are skipped. Looks up the line for this GPU name
 * and SM count: *variant is its index, or 0 (the default) when no line matches. Fails on
 * a malformed line or an unknown variant name, naming the line. scripts/ladder-autotune.sh
 * writes the table. */
wg_status wg_ladder_tuning_lookup(const char *table, const char *gpu, int sms, int *variant);
/* The table compiled into the library (src/ladder6-tuning.txt). */
const char *wg_ladder_tuning_builtin(void);
/* The variant rung 6 uses on this GPU: WHYGPU_LADDER6_VARIANT (a variant name) when set,
 * else the table in the file WHYGPU_LADDER_TUNING when set, else the built-in table. */
wg_status wg_ladder6_choose(const char *gpu, int sms, int *variant);

#ifdef __cplusplus
}
#endif

#endif /* WG_LADDER_H */
