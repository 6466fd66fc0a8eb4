/*
 * check.c - the result check that comes before every timing a claim rests on: sampled
 * elements of a matmul against float64 (cheap enough for a 10000x10000 product: 64
 * dot products instead of 10^12 multiply-adds).
 */
#include <math.h>

#include "whygpu.h"

double wg_matmul_sampled_error(const float *a, const float *b, const float *c, int64_t m,
                               int64_t n, int64_t k, int samples, uint64_t seed)
{
    double worst = 0.0;
    for (int s = 0; s < samples; s++) {
        uint64_t h = seed * 0x9E3779B97F4A7C15ull + (uint64_t)(s + 1) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        h *= 0x94D049BB133111EBull;
        h ^= h >> 29;
        int64_t i = (int64_t)(h % (uint64_t)m), j = (int64_t)((h >> 32) % (uint64_t)n);
        double sum = 0.0, scale = 0.0;
        for (int64_t p = 0; p < k; p++) {
            double term = (double)a[i * k + p] * (double)b[p * n + j];
            sum += term;
            scale += fabs(term);
        }
        double error = fabs((double)c[i * n + j] - sum) / (scale > 0 ? scale : 1.0);
        if (!(error <= worst)) worst = isnan(error) ? INFINITY : error; /* NaN sticks */
    }
    return worst;
}

double wg_matmul_fp32_tolerance(int64_t k)
{
    return 4.0 * 5.96e-8 * sqrt((double)(k > 1 ? k : 1));
}
