/*
 * reference.c - the float64 references the tests compare every kernel with.
 */
#include "reference.h"

#include <math.h>
#include <string.h>

void ref_random(float *dst, int64_t n, uint64_t seed)
{
    uint64_t state = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (int64_t i = 0; i < n; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        dst[i] = (float)((double)(state >> 40) / 16777216.0 * 2.0 - 1.0);
    }
}

void ref_matmul(const float *a, const float *b, double *c, int64_t m, int64_t n, int64_t k)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (int64_t p = 0; p < k; p++) sum += (double)a[i * k + p] * (double)b[p * n + j];
            c[i * n + j] = sum;
        }
}

double ref_relative_error(const float *got, const double *want, int64_t n)
{
    double diff = 0.0, norm = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(got[i])) return INFINITY;
        double d = (double)got[i] - want[i];
        diff += d * d;
        norm += want[i] * want[i];
    }
    return norm > 0 ? sqrt(diff / norm) : sqrt(diff);
}

void ref_poison(float *dst, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = NAN;
}

void ref_gemm_c_init(float *c, int64_t m, int64_t n, int64_t ldc, float beta, uint64_t seed)
{
    if (beta == 0.0f) {
        ref_poison(c, m * ldc);
        return;
    }
    ref_random(c, m * ldc, seed);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = n; j < ldc; j++) c[i * ldc + j] = NAN;
}

int ref_gemm_c_take(const float *c, int64_t m, int64_t n, int64_t ldc, float *got)
{
    int untouched = 1;
    for (int64_t i = 0; i < m; i++) {
        memcpy(got + i * n, c + i * ldc, (size_t)n * sizeof *got);
        for (int64_t j = n; j < ldc; j++) untouched &= isnan(c[i * ldc + j]);
    }
    return untouched;
}

void ref_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
              const float *a, int64_t lda, const float *b, int64_t ldb, double beta,
              const float *c0, int64_t ldc, double *want)
{
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (int64_t p = 0; p < k; p++) {
                double av = trans_a ? a[p * lda + i] : a[i * lda + p];
                double bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += av * bv;
            }
            want[i * n + j] = alpha * sum + (beta == 0.0 ? 0.0 : beta * c0[i * ldc + j]);
        }
    }
}
