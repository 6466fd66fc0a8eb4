/*
 * dtype.c - the element types a tensor stores (float32, bfloat16) and the conversions
 * between them. bfloat16 is the high half of a float32, so widening is a shift and
 * narrowing is a rounding of the low 16 bits: to nearest, ties to even, the rounding every
 * bf16 unit (vcvtneps2bf16, CUDA's __float2bfloat16, PyTorch) uses, with NaN kept a NaN
 * (a plain rounding could carry a NaN's low payload bits into the exponent: infinity).
 * The array versions are vectorised and, for large arrays, threaded.
 */
#include <string.h>

#include "bf16_bits.h"
#include "error.h"
#include "whygpu.h"

const char *wg_dtype_name(wg_dtype dtype)
{
    switch (dtype) {
    case WG_DTYPE_FP32: return "fp32";
    case WG_DTYPE_BF16: return "bf16";
    }
    return "unknown";
}

size_t wg_dtype_size(wg_dtype dtype)
{
    switch (dtype) {
    case WG_DTYPE_FP32: return 4;
    case WG_DTYPE_BF16: return 2;
    }
    return 0;
}

wg_status wg_dtype_parse(const char *name, wg_dtype *out)
{
    if (!name || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_dtype_parse: NULL argument");
    if (strcmp(name, "fp32") == 0 || strcmp(name, "float32") == 0) {
        *out = WG_DTYPE_FP32;
        return WG_OK;
    }
    if (strcmp(name, "bf16") == 0 || strcmp(name, "bfloat16") == 0) {
        *out = WG_DTYPE_BF16;
        return WG_OK;
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown dtype '%s': expected fp32 or bf16", name);
}

wg_bf16 wg_bf16_from_float(float x) { return wg_bf16_round(x); }

float wg_float_from_bf16(wg_bf16 x) { return wg_bf16_widen(x); }

/* The array loops (bf16_bits.h): plain loops the compiler vectorises, 16 lanes a step
 * with AVX-512. */
WG_SIMD_CLONES
static void narrow_block(const float *restrict src, wg_bf16 *restrict dst, int64_t n)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) dst[i] = wg_bf16_round(src[i]);
}

WG_SIMD_CLONES
static void widen_block(const wg_bf16 *restrict src, float *restrict dst, int64_t n)
{
#pragma omp simd
    for (int64_t i = 0; i < n; i++) dst[i] = wg_bf16_widen(src[i]);
}

/* From this many elements the conversion is split across threads: below it, waking them
 * costs more than the work (a few microseconds against ~0.1 ns an element). */
#define PARALLEL_FROM ((int64_t)1 << 18)
#define CHUNK ((int64_t)1 << 16)

typedef void (*block_fn)(const void *src, void *dst, int64_t n);

static void narrow_any(const void *src, void *dst, int64_t n) { narrow_block(src, dst, n); }
static void widen_any(const void *src, void *dst, int64_t n) { widen_block(src, dst, n); }

/* One conversion over n elements (src_size and dst_size bytes each), in chunks across
 * threads when n is large. */
static void convert(block_fn block, const void *src, size_t src_size, void *dst,
                    size_t dst_size, int64_t n)
{
    if (n <= 0) return;
    if (n < PARALLEL_FROM) {
        block(src, dst, n);
        return;
    }
    const int64_t chunks = (n + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < chunks; c++) {
        const int64_t at = c * CHUNK;
        block((const char *)src + (size_t)at * src_size, (char *)dst + (size_t)at * dst_size,
              n - at < CHUNK ? n - at : CHUNK);
    }
}

void wg_bf16_from_floats(const float *src, wg_bf16 *dst, int64_t n)
{
    convert(narrow_any, src, sizeof *src, dst, sizeof *dst, n);
}

void wg_floats_from_bf16(const wg_bf16 *src, float *dst, int64_t n)
{
    convert(widen_any, src, sizeof *src, dst, sizeof *dst, n);
}
