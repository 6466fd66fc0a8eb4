/*
 * dtype.c - the element types a tensor stores (float32, bfloat16) and the conversions
 * between them. bfloat16 is the high half of a float32, so widening is a shift and
 * narrowing is a rounding of the low 16 bits: to nearest, ties to even, the rounding every
 * bf16 unit (vcvtneps2bf16, CUDA's __float2bfloat16, PyTorch) uses, with NaN kept a NaN
 * (a plain rounding could carry a NaN's low payload bits into the exponent: infinity).
 */
#include <string.h>

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

wg_bf16 wg_bf16_from_float(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0)
        return (wg_bf16)((bits >> 16) | 0x0040u); /* NaN: keep sign and top payload, quiet */
    /* Round to nearest even: add 0x7fff plus the lowest kept bit, then truncate. A carry
     * into the exponent is the correct rounding up (to infinity past the largest finite). */
    uint32_t lsb = (bits >> 16) & 1u;
    return (wg_bf16)((bits + 0x7fffu + lsb) >> 16);
}

float wg_float_from_bf16(wg_bf16 x)
{
    uint32_t bits = (uint32_t)x << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

void wg_bf16_from_floats(const float *src, wg_bf16 *dst, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = wg_bf16_from_float(src[i]);
}

void wg_floats_from_bf16(const wg_bf16 *src, float *dst, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = wg_float_from_bf16(src[i]);
}
