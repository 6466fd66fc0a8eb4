/*
 * cpu_elementwise.c - fill, seeded uniform fill, elementwise multiply, add and ReLU, and
 * the fp32 <-> bf16 conversion on the CPU; bf16 mul, add and ReLU fused (widen, compute in
 * float32, round) in one vectorised pass, which moves a third of the bytes of the float32
 * op instead of the three extra passes of converting copies.
 *
 * Small tensors take a plain loop: starting OpenMP threads costs microseconds, a thousand
 * times the work of squaring one float. Large ones are split across threads in static
 * chunks (first touch then places pages next to the thread that uses them).
 */
#include "cpu_backend.h"

#include "../bf16_bits.h"
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

/* One block of a bf16 op; `op` is loop-invariant, so each loop below vectorises. out may
 * alias a or b: element i is read before it is written, by the same iteration. */
WG_SIMD_CLONES
static void bf16_block(wg_op_kind op, const wg_bf16 *a, const wg_bf16 *b, wg_bf16 *out,
                       int64_t n)
{
    if (op == WG_OP_MUL) {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = wg_bf16_round(wg_bf16_widen(a[i]) * wg_bf16_widen(b[i]));
    } else if (op == WG_OP_ADD) {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = wg_bf16_round(wg_bf16_widen(a[i]) + wg_bf16_widen(b[i]));
    } else {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) out[i] = wg_bf16_round(relu1(wg_bf16_widen(a[i])));
    }
}

wg_status wg_cpu_elementwise_bf16(int index, wg_op_kind op, const wg_bf16 *a,
                                  const wg_bf16 *b, wg_bf16 *out, int64_t n)
{
    (void)index;
    if (op != WG_OP_MUL && op != WG_OP_ADD && op != WG_OP_RELU)
        return wg_fail(WG_ERR_ARGUMENT, "cpu bf16 elementwise: unknown op %d", (int)op);
    if (op == WG_OP_RELU) b = a;
    if (n < PARALLEL_FROM) {
        bf16_block(op, a, b, out, n);
        return WG_OK;
    }
    const int64_t chunk = (int64_t)1 << 14;
    const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < chunks; c++) {
        const int64_t at = c * chunk;
        bf16_block(op, a + at, b + at, out + at, n - at < chunk ? n - at : chunk);
    }
    return WG_OK;
}
