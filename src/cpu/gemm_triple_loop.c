/*
 * gemm_triple_loop.c - the CPU's plainest correct SGEMM: the textbook triple loop, the
 * baseline every faster CPU kernel is compared with.
 */
#include "cpu_backend.h"

/* The textbook loop, i-k-j order so the inner loop walks rows of B and C contiguously
 * (when B is not transposed). C is scaled by beta first; beta == 0 overwrites it. */
void wg_cpu_gemm_triple_loop(const wg_gemm_args *g)
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
