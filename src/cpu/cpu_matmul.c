/*
 * cpu_matmul.c - the CPU's matrix products: the plain triple loop (the reference every
 * other kernel is compared with in spirit) and the blocked kernel, split across OpenMP
 * threads by blocks of C, with its instruction set chosen at run time from cpuid.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "cpu_backend.h"
#include "gemm_kernels.h"

/* ---------------------------------------------------------------- ISA choice ------ */

typedef struct isa_choice {
    const char *name;
    wg_gemm_block_fn fn;
    wg_status status;
    char message[256];
} isa_choice;

static isa_choice chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static int isa_supported(const char *name, const wg_cpu_info *info)
{
    if (strcmp(name, "generic") == 0) return 1;
#ifdef WG_GEMM_HAVE_X86_KERNELS
    /* The AVX-512 kernels are compiled with AVX-512VL too (the compiler uses it). */
    if (strcmp(name, "avx512") == 0) return info->avx512f && info->avx512vl && info->fma;
    if (strcmp(name, "avx2") == 0) return info->avx2 && info->fma;
#else
    (void)info;
#endif
    return 0;
}

static wg_gemm_block_fn isa_kernel(const char *name)
{
#ifdef WG_GEMM_HAVE_X86_KERNELS
    if (strcmp(name, "avx512") == 0) return wg_gemm_block_avx512;
    if (strcmp(name, "avx2") == 0) return wg_gemm_block_avx2;
#endif
    (void)name;
    return wg_gemm_block_generic;
}

/* Decided once per process: the environment and the CPU do not change under us. */
static void choose_isa(void)
{
    static const char *const known[] = {"avx512", "avx2", "generic"};
    wg_cpu_info info;
    memset(&info, 0, sizeof info);
    if (wg_cpu_info_get(&info) != WG_OK) memset(&info, 0, sizeof info);
    const char *forced = getenv("WHYGPU_CPU_ISA");
    chosen.status = WG_OK;
    if (forced && *forced) {
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(forced, known[i]) != 0) continue;
            if (!isa_supported(known[i], &info)) {
                chosen.status = WG_ERR_UNSUPPORTED;
                snprintf(chosen.message, sizeof chosen.message,
                         "WHYGPU_CPU_ISA=%s, but this CPU (or build) does not support it", forced);
                return;
            }
            chosen.name = known[i];
            chosen.fn = isa_kernel(known[i]);
            return;
        }
        chosen.status = WG_ERR_UNSUPPORTED;
        snprintf(chosen.message, sizeof chosen.message,
                 "WHYGPU_CPU_ISA=%s is unknown: expected avx512, avx2 or generic", forced);
        return;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (isa_supported(known[i], &info)) {
            chosen.name = known[i];
            chosen.fn = isa_kernel(known[i]);
            return;
        }
    }
}

wg_status wg_cpu_matmul_isa(const char **isa)
{
    pthread_once(&chosen_once, choose_isa);
    if (chosen.status != WG_OK) return wg_fail(chosen.status, "%s", chosen.message);
    *isa = chosen.name;
    return WG_OK;
}

/* ---------------------------------------------------------------- kernels --------- */

/* The textbook loop, i-k-j order so the inner loop walks rows of B and C contiguously
 * (when B is not transposed). C is scaled by beta first; beta == 0 overwrites it. */
static void gemm_reference(const wg_gemm_args *g)
{
    const int64_t m = g->m, n = g->n, k = g->k;
#pragma omp parallel for schedule(static) if (m * n * k >= ((int64_t)1 << 20))
    for (int64_t i = 0; i < m; i++) {
        float *ci = g->c + i * g->ldc;
        for (int64_t j = 0; j < n; j++) ci[j] = g->beta == 0.0f ? 0.0f : g->beta * ci[j];
        if (g->alpha == 0.0f) continue;
        for (int64_t p = 0; p < k; p++) {
            const float av = g->alpha * (g->trans_a ? g->a[p * g->lda + i] : g->a[i * g->lda + p]);
            if (g->trans_b) {
                for (int64_t j = 0; j < n; j++) ci[j] += av * g->b[j * g->ldb + p];
            } else {
                const float *bp = g->b + p * g->ldb;
                for (int64_t j = 0; j < n; j++) ci[j] += av * bp[j];
            }
        }
    }
}

/* Blocks of C (96 x 512) are independent: threads share nothing but read-only A and B. */
static void matmul_blocked(wg_gemm_block_fn block, const wg_gemm_args *g)
{
    const int64_t m = g->m, n = g->n, k = g->k;
    const int64_t row_blocks = (m + WG_GEMM_BLOCK_ROWS - 1) / WG_GEMM_BLOCK_ROWS;
    const int64_t col_blocks = (n + WG_GEMM_BLOCK_COLS - 1) / WG_GEMM_BLOCK_COLS;
    const int64_t blocks = row_blocks * col_blocks;
    /* Column blocks vary fastest, so neighbouring threads share the rows of A. */
#pragma omp parallel for schedule(dynamic, 1) if (blocks > 1 && m * n * k >= ((int64_t)1 << 18))
    for (int64_t t = 0; t < blocks; t++) {
        int64_t i0 = t / col_blocks * WG_GEMM_BLOCK_ROWS;
        int64_t j0 = t % col_blocks * WG_GEMM_BLOCK_COLS;
        int64_t rows = m - i0 < WG_GEMM_BLOCK_ROWS ? m - i0 : WG_GEMM_BLOCK_ROWS;
        int64_t cols = n - j0 < WG_GEMM_BLOCK_COLS ? n - j0 : WG_GEMM_BLOCK_COLS;
        block(g->a + i0 * g->lda, g->lda, g->b + j0, g->ldb, g->c + i0 * g->ldc + j0, g->ldc,
              rows, cols, k);
    }
}

static void gemm_run(wg_gemm_block_fn block, const wg_gemm_args *g)
{
    if (!g->trans_a && !g->trans_b && g->alpha == 1.0f && g->beta == 0.0f)
        matmul_blocked(block, g);
    else
        gemm_reference(g);
}

wg_status wg_cpu_gemm_isa(const char *isa, const wg_gemm_args *args)
{
    static const char *const known[] = {"avx512", "avx2", "generic"};
    wg_cpu_info info;
    if (!isa) return wg_fail(WG_ERR_ARGUMENT, "gemm: NULL instruction set");
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    if (wg_cpu_info_get(&info) != WG_OK) memset(&info, 0, sizeof info);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(isa, known[i]) != 0) continue;
        if (!isa_supported(isa, &info))
            return wg_fail(WG_ERR_UNSUPPORTED, "this CPU (or build) cannot run the %s gemm",
                           isa);
        gemm_run(isa_kernel(isa), args);
        return WG_OK;
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown instruction set '%s': expected avx512, avx2 or "
                   "generic", isa);
}

wg_status wg_cpu_gemm(const wg_gemm_args *args)
{
    const char *isa = NULL;
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status == WG_OK) status = wg_cpu_matmul_isa(&isa);
    if (status != WG_OK) return status;
    gemm_run(chosen.fn, args);
    return WG_OK;
}

wg_status wg_cpu_matmul_isa_run(const char *isa, const float *a, const float *b, float *c,
                                int64_t m, int64_t n, int64_t k)
{
    const wg_gemm_args args = {.m = m, .n = n, .k = k, .alpha = 1.0f, .beta = 0.0f,
                               .a = a, .lda = k, .b = b, .ldb = n, .c = c, .ldc = n};
    return wg_cpu_gemm_isa(isa, &args);
}

wg_status wg_cpu_gemm_entry(int index, wg_matmul_kernel kernel, const wg_gemm_args *args)
{
    (void)index;
    switch (kernel) {
    case WG_MATMUL_REFERENCE:
        gemm_reference(args);
        return WG_OK;
    case WG_MATMUL_AUTO:
    case WG_MATMUL_TILED:
        return wg_cpu_gemm(args);
    case WG_MATMUL_CUBLAS:
        return wg_fail(WG_ERR_UNSUPPORTED, "matmul kernel 'cublas' runs only on a CUDA device");
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown matmul kernel %d", (int)kernel);
}
