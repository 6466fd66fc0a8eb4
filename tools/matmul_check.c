/*
 * matmul_check.c - float64 references for checking a matrix product before it is timed
 * (see matmul_check.h).
 */
#include "matmul_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
}

wg_status matmul_reference_make(const wg_gemm_args *g, uint64_t seed, matmul_reference *out)
{
    memset(out, 0, sizeof *out);
    const int64_t m = g->m, n = g->n, k = g->k;
    const int full = (double)m * (double)n * (double)k <= (double)MATMUL_CHECK_FULL_LIMIT;
    const int64_t count = full ? m * n : MATMUL_CHECK_SAMPLES;
    out->row = malloc((size_t)count * sizeof *out->row);
    out->col = malloc((size_t)count * sizeof *out->col);
    out->value = malloc((size_t)count * sizeof *out->value);
    if (!out->row || !out->col || !out->value) {
        matmul_reference_free(out);
        return WG_ERR_NO_MEMORY;
    }
    out->count = count;
    out->full = full;
    for (int64_t s = 0; s < count; s++) {
        int64_t i, j;
        if (full) {
            i = s / n;
            j = s % n;
        } else if (s < 5) { /* corners, and the first element past the last full tile */
            const int64_t edge_i = m / 128 * 128 < m ? m / 128 * 128 : m - 1;
            const int64_t edge_j = n / 128 * 128 < n ? n / 128 * 128 : n - 1;
            const int64_t rows[5] = {0, m - 1, 0, m - 1, edge_i};
            const int64_t cols[5] = {0, n - 1, n - 1, 0, edge_j};
            i = rows[s];
            j = cols[s];
        } else {
            const uint64_t h = mix(seed * 0x9E3779B97F4A7C15ull + (uint64_t)s);
            i = (int64_t)(h % (uint64_t)m);
            j = (int64_t)(mix(h) % (uint64_t)n);
        }
        out->row[s] = i;
        out->col[s] = j;
    }
    const float *a = g->a, *b = g->b;
#pragma omp parallel for schedule(static)
    for (int64_t s = 0; s < count; s++) {
        const int64_t i = out->row[s], j = out->col[s];
        double sum = 0.0;
        for (int64_t p = 0; p < k; p++) {
            const double av = g->trans_a ? a[p * g->lda + i] : a[i * g->lda + p];
            const double bv = g->trans_b ? b[j * g->ldb + p] : b[p * g->ldb + j];
            sum += av * bv;
        }
        out->value[s] = (double)g->alpha * sum;
    }
    return WG_OK;
}

void matmul_reference_free(matmul_reference *ref)
{
    if (!ref) return;
    free(ref->row);
    free(ref->col);
    free(ref->value);
    memset(ref, 0, sizeof *ref);
}

void matmul_check(const matmul_reference *ref, const float *c, int64_t m, int64_t n,
                  int64_t ldc, matmul_check_result *out)
{
    int64_t not_finite = 0;
#pragma omp parallel for reduction(+ : not_finite) schedule(static)
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) not_finite += !isfinite(c[i * ldc + j]);
    double diff = 0.0, norm = 0.0;
    int nan_seen = 0;
    for (int64_t s = 0; s < ref->count; s++) {
        const double got = c[ref->row[s] * ldc + ref->col[s]];
        if (!isfinite(got)) nan_seen = 1;
        const double d = got - ref->value[s];
        diff += d * d;
        norm += ref->value[s] * ref->value[s];
    }
    out->not_finite = not_finite;
    out->relative_error = nan_seen ? INFINITY : norm > 0 ? sqrt(diff / norm) : sqrt(diff);
}
