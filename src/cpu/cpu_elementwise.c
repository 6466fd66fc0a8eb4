/*
 * cpu_elementwise.c - fill, seeded uniform fill, elementwise multiply, add and ReLU, and
 * the fp32 <-> bf16 conversion on the CPU.
 *
 * Small tensors take a plain loop: starting OpenMP threads costs microseconds, a thousand
 * times the work of squaring one float. Large ones are split across threads in static
 * chunks (first touch then places pages next to the thread that uses them).
 */
#include "cpu_backend.h"

#include "../error.h"
#include "../rng.h"

/* Below this many elements one thread is faster than waking the others. */
#define PARALLEL_FROM ((int64_t)1 << 16)

wg_status wg_cpu_fill(int index, float *dst, int64_t n, float value)
{
    (void)index;
    if (n < PARALLEL_FROM) {
        for (int64_t i = 0; i < n; i++) dst[i] = value;
        return WG_OK;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) dst[i] = value;
    return WG_OK;
}

wg_status wg_cpu_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                              uint64_t seed)
{
    (void)index;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_FROM)
    for (int64_t i = 0; i < n; i++) dst[i] = wg_rng_uniform(seed, (uint64_t)i, low, high);
    return WG_OK;
}

wg_status wg_cpu_mul(int index, const float *a, const float *b, float *out, int64_t n)
{
    (void)index;
    if (n < PARALLEL_FROM) {
        for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];
        return WG_OK;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];
    return WG_OK;
}

wg_status wg_cpu_add(int index, const float *a, const float *b, float *out, int64_t n)
{
    (void)index;
    if (n < PARALLEL_FROM) {
        for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
        return WG_OK;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
    return WG_OK;
}

/* x > 0 ? x : 0 written so that NaN (for which x > 0 and x <= 0 are both false) passes
 * through unchanged instead of becoming 0. */
static inline float relu1(float x) { return x <= 0.0f ? 0.0f : x; }

wg_status wg_cpu_relu(int index, const float *x, float *out, int64_t n)
{
    (void)index;
    if (n < PARALLEL_FROM) {
        for (int64_t i = 0; i < n; i++) out[i] = relu1(x[i]);
        return WG_OK;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) out[i] = relu1(x[i]);
    return WG_OK;
}

wg_status wg_cpu_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                         int64_t n)
{
    (void)index;
    if (from == WG_DTYPE_FP32 && to == WG_DTYPE_BF16) {
        wg_bf16_from_floats(src, dst, n);
        return WG_OK;
    }
    if (from == WG_DTYPE_BF16 && to == WG_DTYPE_FP32) {
        wg_floats_from_bf16(src, dst, n);
        return WG_OK;
    }
    return wg_fail(WG_ERR_ARGUMENT, "cpu convert: no conversion from %s to %s",
                   wg_dtype_name(from), wg_dtype_name(to));
}
