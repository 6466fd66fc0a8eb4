/*
 * bf16_bits.h - the float32 <-> bfloat16 conversions on the bits, inline and branch-free so
 * that loops over them vectorise (dtype.c's array conversions, the CPU's fused bf16
 * elementwise ops), and the attribute that compiles such loops for AVX-512 and AVX2
 * besides the baseline, picked at load time by the CPU (GCC's function multiversioning).
 */
#ifndef WG_BF16_BITS_H
#define WG_BF16_BITS_H

#include <stdint.h>
#include <string.h>

#include "whygpu.h"

/* To nearest, ties to even: add 0x7fff plus the lowest kept bit and truncate (a carry into
 * the exponent is the correct rounding up, to infinity past the largest finite). A NaN (all
 * exponent bits, a nonzero mantissa) keeps its sign and top payload and is quieted, since
 * the plain rounding could carry a payload in the low half into the exponent. Integer
 * arithmetic, not vcvtneps2bf16, which flushes subnormals to zero. */
static inline wg_bf16 wg_bf16_round_bits(uint32_t bits)
{
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (bits >> 16) | 0x0040u;
    return (wg_bf16)((bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

static inline wg_bf16 wg_bf16_round(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return wg_bf16_round_bits(bits);
}

static inline float wg_bf16_widen(wg_bf16 x)
{
    const uint32_t bits = (uint32_t)x << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define WG_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef WG_SIMD_CLONES
#define WG_SIMD_CLONES
#endif

#endif /* WG_BF16_BITS_H */
