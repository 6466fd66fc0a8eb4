/*
 * cpu_elementwise.c - fill, seeded uniform fill and elementwise multiply on the CPU.
 *
 * Small tensors take a plain loop: starting OpenMP threads costs microseconds, a thousand
 * times the work of squaring one float. Large ones are split across threads in static
 * chunks (first touch then places pages next to the thread that uses them).
 */
#include "cpu_backend.h"

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
