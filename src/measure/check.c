/*
 * check.c - the result check that comes before every timing a claim rests on: sampled
 * elements of a matmul against float64 (cheap enough for a 10000x10000 product: 64
 * dot products instead of 10^12 multiply-adds). BF16 inputs (input_dtype) are read as the
 * bf16 values they are, so the reference is the exact product of what the kernel was given.
 */
#include <math.h>

#include "check.h"
#include "error.h"
#include "whygpu.h"

/* The element compared in sample s: first the four corners and the last element of
 * the last full 32x32 tile's neighbour (where edge handling goes wrong), then random ones. */
static void sample_position(int s, int64_t m, int64_t n, uint64_t seed, int64_t *i, int64_t *j)
{
    switch (s) {
    case 0: *i = 0; *j = 0; return;
    case 1: *i = m - 1; *j = n - 1; return;
    case 2: *i = 0; *j = n - 1; return;
    case 3: *i = m - 1; *j = 0; return;
    case 4: *i = m / 32 * 32 < m ? m / 32 * 32 : m - 1; *j = n / 32 * 32 < n ? n / 32 * 32 : n - 1; return;
    default: break;
    }
    uint64_t h = seed * 0x9E3779B97F4A7C15ull + (uint64_t)(s + 1) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 29;
    *i = (int64_t)(h % (uint64_t)m);
    *j = (int64_t)((h >> 32) % (uint64_t)n);
}

/* Element `at` of an input matrix stored as `dtype` (bf16 values widen exactly). */
static double input_at(const float *m, wg_dtype dtype, int64_t at)
{
    if (dtype == WG_DTYPE_BF16) return (double)wg_float_from_bf16(((const wg_bf16 *)m)[at]);
    return (double)m[at];
}

double wg_gemm_element_error(const wg_gemm_args *g, int64_t i, int64_t j)
{
    double sum = 0.0, scale = 0.0;
    const wg_dtype dt = g->input_dtype;
    for (int64_t p = 0; p < g->k; p++) {
        const double a = input_at(g->a, dt, g->trans_a ? p * g->lda + i : i * g->lda + p);
        const double b = input_at(g->b, dt, g->trans_b ? j * g->ldb + p : p * g->ldb + j);
        sum += a * b;
        scale += fabs(a * b);
    }
    const double alpha = fabs((double)g->alpha) > 0 ? fabs((double)g->alpha) : 1.0;
    const double error = fabs((double)g->c[i * g->ldc + j] - (double)g->alpha * sum) /
                         (alpha * (scale > 0 ? scale : 1.0));
    return isnan(error) ? INFINITY : error;
}

double wg_gemm_sampled_error(const wg_gemm_args *g, int samples, uint64_t seed)
{
    /* Nothing checked is no pass: bad arguments give NaN, which fails `error <= bound`. */
    if (samples <= 0) {
        wg_fail(WG_ERR_ARGUMENT, "wg_gemm_sampled_error: %d samples; at least 1 is needed",
                samples);
        return NAN;
    }
    if (wg_gemm_args_check("wg_gemm_sampled_error", g) != WG_OK) return NAN;
    double worst = 0.0;
    for (int s = 0; s < samples; s++) {
        int64_t i = 0, j = 0;
        sample_position(s, g->m, g->n, seed, &i, &j);
        const double error = wg_gemm_element_error(g, i, j);
        if (error > worst) worst = error; /* NaN was made infinite: it sticks */
    }
    return worst;
}

double wg_matmul_sampled_error(const float *a, const float *b, const float *c, int64_t m,
                               int64_t n, int64_t k, int samples, uint64_t seed)
{
    const wg_gemm_args g = {.m = m, .n = n, .k = k, .alpha = 1.0f, .a = a, .lda = k,
                            .b = b, .ldb = n, .c = (float *)c, .ldc = n};

    return wg_gemm_sampled_error(&g, samples, seed);
}

double wg_matmul_fp32_tolerance(int64_t k)
{
    /* Rounding errors of a float32 dot product, relative to sum |a_ip b_pj|, stay near
     * 2^-24 for any k on random data (they grow like sqrt(k), the scale like k): whygpu's
     * kernels measure about 1e-7 at k = 10000. TF32 or BF16 arithmetic lands near 1e-5 and
     * 1e-3, so this bound also catches a "FP32" path that is not. */
    (void)k;
    return 1e-6;
}

double wg_precision_error_bound(wg_precision precision, int64_t k)
{
    /* TF32 and BF16 round each input to 11 and 8 significant bits: a product's relative
     * error stays under twice the unit roundoff (2^-11, 2^-8), and so does the sum's
     * relative to sum |a b|; FP32 accumulation adds its own small share. */
    switch (precision) {
    case WG_PRECISION_FP32: return wg_matmul_fp32_tolerance(k);
    case WG_PRECISION_TF32: return 2e-3 + wg_matmul_fp32_tolerance(k);
    case WG_PRECISION_BF16: return 1e-2 + wg_matmul_fp32_tolerance(k);
    }
    return 0.0;
}
