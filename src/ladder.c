/*
 * ladder.c - the host side of the GPU matmul ladder (see ladder.h): the rung table,
 * parsing and launch planning in plain C, compiled in every build. The rungs run as
 * entries of the CUDA kernel registry (cuda_kernels.c).
 */
#include "ladder.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Predictions are for an H100 SXM; docs/ladder.md and each kernel file derive them. */

/* The rung the library's auto CUDA matmul would use instead of cuBLAS; 0 = cuBLAS. Every
 * rung has run and passed its checks on an H100 (docs/ladder.md); cuBLAS stays the
 * default. */
#define WG_LADDER_DEFAULT_RUNG 0

static const wg_ladder_rung rungs[WG_LADDER_RUNGS] = {
    {1, "naive", WG_PRECISION_FP32,
     "parallelism", WG_L1_BLOCK_X, WG_L1_BLOCK_Y, 1, WG_L1_BLOCK_X, WG_L1_BLOCK_Y, 0, 0.5, 0.5},
    {2, "coalesced", WG_PRECISION_FP32,
     "bandwidth", WG_L2_BLOCK_Y, WG_L2_BLOCK_X, 1, WG_L2_BLOCK_X, WG_L2_BLOCK_Y, 0, 4.5, 4.0},
    {3, "smem-tiled", WG_PRECISION_FP32,
     "caches/shared memory/registers", WG_L3_TILE, WG_L3_TILE, WG_L3_TILE, WG_L3_TILE,
     WG_L3_TILE, 0, 7.0, 7.0},
    {4, "regblock-1d", WG_PRECISION_FP32,
     "caches/shared memory/registers", WG_L4_BM, WG_L4_BN, WG_L4_BK, WG_L4_THREADS, 1, 0,
     20.0, 21.0},
    {5, "regblock-2d", WG_PRECISION_FP32,
     "caches/shared memory/registers", WG_L5_BM, WG_L5_BN, WG_L5_BK, WG_L5_THREADS, 1, 16,
     36.0, 38.0},
    {6, "warptile", WG_PRECISION_FP32,
     "caches/shared memory/registers", WG_L6_BM, WG_L6_BN, WG_L6_BK, WG_L6_THREADS, 1, 16,
     41.0, 43.0},
    {7, "wmma-tf32", WG_PRECISION_TF32, "tensor cores",
     WG_L7_BM, WG_L7_BN, WG_L7_BK, WG_L7_THREADS, 1, 16, 150.0, 160.0},
    {8, "wmma-bf16", WG_PRECISION_BF16,
     "tensor cores", WG_L8_BM, WG_L8_BN, WG_L8_BK, WG_L8_THREADS, 1, 16, 280.0, 300.0},
    {9, "wgmma-bf16", WG_PRECISION_BF16,
     "tensor cores", WG_L9_BM, WG_L9_BN, WG_L9_BK, WG_L9_THREADS, 1, 16, 560.0, 600.0},
    {10, "wgmma-tf32", WG_PRECISION_TF32,
     "tensor cores", WG_L9_BM, WG_L9_BN, WG_L10_BK, WG_L9_THREADS, 1, 16, 280.0, 300.0},
    {11, "wgmma-cluster", WG_PRECISION_BF16,
     "tensor cores", WG_L9_BM, WG_L9_BN, WG_L9_BK, WG_L9_THREADS, 1, 16, 640.0, 700.0},
};

double wg_ladder_error_bound(wg_precision precision)
{
    switch (precision) {
    case WG_PRECISION_FP32: return 1e-5;
    case WG_PRECISION_TF32: return 2e-3;
    case WG_PRECISION_BF16: return 1e-2;
    }
    return 0.0;
}

const char *wg_ladder_cublas_name(wg_precision precision)
{
    switch (precision) {
    case WG_PRECISION_FP32: return "cublas-fp32-pedantic";
    case WG_PRECISION_TF32: return "cublas-tf32";
    case WG_PRECISION_BF16: return "cublas-bf16";
    }
    return "unknown";
}

const wg_ladder_rung *wg_ladder_rung_find(int number)
{
    if (number < 1 || number > WG_LADDER_RUNGS) return NULL;
    return &rungs[number - 1];
}

wg_status wg_ladder_rung_get(int number, const wg_ladder_rung **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_rung_get: NULL out");
    const wg_ladder_rung *rung = wg_ladder_rung_find(number);
    if (!rung)
        return wg_fail(WG_ERR_ARGUMENT, "no ladder rung %d: the rungs are 1 to %d", number,
                       WG_LADDER_RUNGS);
    *out = rung;
    return WG_OK;
}

wg_status wg_ladder_parse(const char *text, int *rung)
{
    if (!text || !rung) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_parse: NULL argument");
    char *end = NULL;
    long number = strtol(text, &end, 10);
    if (text[0] >= '0' && text[0] <= '9' && *end == '\0') {
        if (number < 1 || number > WG_LADDER_RUNGS)
            return wg_fail(WG_ERR_ARGUMENT, "no ladder rung %s: the rungs are 1 to %d", text,
                           WG_LADDER_RUNGS);
        *rung = (int)number;
        return WG_OK;
    }
    for (int i = 0; i < WG_LADDER_RUNGS; i++) {
        if (strcmp(text, rungs[i].name) == 0) {
            *rung = rungs[i].number;
            return WG_OK;
        }
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown ladder rung '%s': expected 1 to %d or a name "
                   "(naive, coalesced, smem-tiled, regblock-1d, regblock-2d, warptile, "
                   "wmma-tf32, wmma-bf16, wgmma-bf16, wgmma-tf32, wgmma-cluster)", text, WG_LADDER_RUNGS);
}

int wg_ladder_vector_ok(const void *ptr, int64_t ld, int elem_bytes)
{
    if (!ptr || elem_bytes <= 0 || ld < 1) return 0;
    return (uintptr_t)ptr % 16 == 0 && (ld * elem_bytes) % 16 == 0;
}

static int64_t ceil_div(int64_t a, int64_t b) { return a / b + (a % b != 0); }

static unsigned capped(int64_t blocks, unsigned limit)
{
    return blocks > (int64_t)limit ? limit : (unsigned)blocks;
}

wg_status wg_ladder_plan_make(int rung_number, const wg_gemm_args *ops, wg_ladder_plan *out)
{
    return wg_ladder_plan_make_variant(rung_number, 0, ops, out);
}

wg_status wg_ladder_plan_make_variant(int rung_number, int variant, const wg_gemm_args *ops,
                                      wg_ladder_plan *out)
{
    const wg_ladder_rung *rung = NULL;
    wg_status status = wg_ladder_rung_get(rung_number, &rung);
    if (status != WG_OK) return status;
    if (!ops || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_plan_make: NULL argument");
    if (ops->m < 1 || ops->n < 1 || ops->k < 1)
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung %d: sizes must be >= 1, got m=%" PRId64
                       ", n=%" PRId64 ", k=%" PRId64, rung_number, ops->m, ops->n, ops->k);
    int block_m = rung->block_m, block_n = rung->block_n, block_k = rung->block_k;
    memset(out, 0, sizeof *out);
    out->rung = rung_number;
    out->block_x = rung->threads_x;
    out->block_y = rung->threads_y;
    if (rung_number == 6) {
        const wg_ladder6_variant *v = wg_ladder6_variant_get(variant);
        if (!v)
            return wg_fail(WG_ERR_ARGUMENT, "ladder rung 6: no variant %d (0 to %d)", variant,
                           WG_L6_VARIANT_COUNT - 1);
        out->variant = variant;
        out->block_x = (unsigned)v->threads;
        block_m = v->bm;
        block_n = v->bn;
        block_k = v->bk;
    }
    out->elem_bytes = rung->precision == WG_PRECISION_BF16 ? 2 : 4;
    /* Rung 1 puts threadIdx.x (and grid x) along the rows of C; every other rung along
     * the columns, with grid y along the rows. */
    if (rung_number == 1) {
        out->tiles_x = ceil_div(ops->m, rung->block_m);
        out->tiles_y = ceil_div(ops->n, rung->block_n);
    } else {
        out->tiles_x = ceil_div(ops->n, block_n);
        out->tiles_y = ceil_div(ops->m, block_m);
    }
    out->grid_x = capped(out->tiles_x, WG_CUDA_MAX_GRID_X);
    out->grid_y = capped(out->tiles_y, WG_CUDA_MAX_GRID_Y);
    out->grid_loops = out->grid_x < out->tiles_x || out->grid_y < out->tiles_y;
    if (rung_number == 11) {
        /* one-dimensional grid of 2-CTA clusters, one CTA per tile (the pair of tile rows
         * of the last cluster padded); the launcher makes it persistent */
        const int64_t ctas = ceil_div(out->tiles_y, WG_L11_CLUSTER) * WG_L11_CLUSTER * out->tiles_x;
        const int64_t cap = WG_CUDA_MAX_GRID_X / WG_L11_CLUSTER * WG_L11_CLUSTER;
        out->grid_x = (unsigned)(ctas < cap ? ctas : cap);
        out->grid_y = 1;
        out->grid_loops = ctas > cap;
    }
    out->edge_m = ops->m % block_m != 0;
    out->edge_n = ops->n % block_n != 0;
    out->edge_k = ops->k % block_k != 0;
    if (rung->vector_bytes) {
        out->vec_a = wg_ladder_vector_ok(ops->a, ops->lda, out->elem_bytes);
        out->vec_b = wg_ladder_vector_ok(ops->b, ops->ldb, out->elem_bytes);
    }
    return WG_OK;
}

int wg_ladder_default_rung(void) { return WG_LADDER_DEFAULT_RUNG; }

#define WG_L6_ENTRY(index, name, bm, bn, bk, wm, wn, stages, min_blocks)                 \
    {name, bm, bn, bk, wm, wn, stages, min_blocks, (bm / wm) * (bn / wn) * 32,            \
     stages * bk * ((bm + 4) + (bn + 4)) * 4},
static const wg_ladder6_variant l6_variants[WG_L6_VARIANT_COUNT] = {WG_L6_VARIANTS(WG_L6_ENTRY)};
#undef WG_L6_ENTRY

const wg_ladder6_variant *wg_ladder6_variant_get(int index)
{
    return index >= 0 && index < WG_L6_VARIANT_COUNT ? &l6_variants[index] : NULL;
}

int wg_ladder6_variant_find(const char *name)
{
    for (int i = 0; name && i < WG_L6_VARIANT_COUNT; i++)
        if (strcmp(name, l6_variants[i].name) == 0) return i;
    return -1;
}
