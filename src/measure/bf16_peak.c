/*
 * bf16_peak.c - the CPU's bfloat16 peaks, measured beside the FP32 FMA one (fma_peak.c):
 * what the "% of peak" of a bf16 product divides by.
 *
 * Two units, each a register-only loop with enough independent accumulators to cover its
 * latency, timed by the same harness as the FMA peak (wg_measure_peak_rate):
 *  - AVX512-BF16 vdpbf16ps: 16 float lanes, each adding two bf16 products per instruction
 *    (64 flops per instruction);
 *  - AMX-BF16 tdpbf16ps: a 16x16 float tile += a 16x32 bf16 tile . a 32x16 bf16 tile
 *    (16384 flops per instruction), four accumulator tiles fed by two A and two B tiles,
 *    as a 2x2-blocked GEMM microkernel uses them. Linux hands out the AMX register state
 *    only on request: the library's wg_cpu_amx_permission, which the AMX GEMM uses too.
 * A unit this CPU (or this build, or the kernel) lacks is skipped with the reason; the
 * faster of the two is "the CPU bf16 peak".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../cpu/gemm_kernels.h"
#include "../error.h"
#include "simd_kernels.h"

#if defined(WG_CPU_HAVE_X86_KERNELS) && defined(__linux__)
#include <immintrin.h>
#define BF16_X86 1
#endif

#define DOT_CHAINS 12    /* vdpbf16ps latency is 5-8 cycles at up to 2 per cycle */
#define AMX_FLOPS (2.0 * 16 * 16 * 32)

const char *wg_bf16_unit_name(wg_bf16_unit unit)
{
    switch (unit) {
    case WG_BF16_UNIT_DOT: return "avx512-bf16 vdpbf16ps";
    case WG_BF16_UNIT_AMX: return "amx-bf16 tdpbf16ps";
    default: return "unknown";
    }
}

#ifdef BF16_X86
/* DOT_CHAINS accumulators += a . b (pairs of bf16), `iterations` times. */
__attribute__((target("avx512f,avx512bf16"))) static float dot_loop(int64_t iterations,
                                                                     void *context)
{
    (void)context;
    __m512 acc[DOT_CHAINS];
    for (int i = 0; i < DOT_CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    /* 0x3a83 is about 1e-3: the sums stay small and normal however long the loop runs */
    const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3a83), b = (__m512bh)_mm512_set1_epi16(0x3a83);
    for (int64_t j = 0; j < iterations; j++) {
#pragma GCC unroll 16
        for (int i = 0; i < DOT_CHAINS; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < DOT_CHAINS; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

/* The tile configuration: palette 1, tiles 0-7 of 16 rows of 64 bytes. */
typedef struct amx_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} amx_config;

/* Four accumulator tiles += two A tiles . two B tiles, `iterations` times; each thread
 * loads the configuration (it is per thread) and releases the tiles after. */
__attribute__((target("amx-tile,amx-bf16,avx512f"))) static float amx_loop(int64_t iterations,
                                                                            void *context)
{
    (void)context;
    amx_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.colsb[t] = 64;
        config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
    static const uint16_t small[16 * 32] = {[0 ... 511] = 0x3a83}; /* about 1e-3 */
    float out[16 * 16];
    memset(out, 0, sizeof out);
    _tile_loadd(0, out, 64);
    _tile_loadd(1, out, 64);
    _tile_loadd(2, out, 64);
    _tile_loadd(3, out, 64);
    _tile_loadd(4, small, 64);
    _tile_loadd(5, small, 64);
    _tile_loadd(6, small, 64);
    _tile_loadd(7, small, 64);
    for (int64_t j = 0; j < iterations; j++) {
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    float sum = 0.0f;
    float part[16 * 16];
    _tile_stored(0, part, 64);
    sum += part[0];
    _tile_stored(1, part, 64);
    sum += part[17];
    _tile_stored(2, part, 64);
    sum += part[34];
    _tile_stored(3, part, 64);
    sum += part[255];
    _tile_release();
    return sum;
}

#endif

wg_status wg_cpu_bf16_unit_peak(wg_bf16_unit unit, int threads, double min_seconds,
                                double *gflops)
{
    if (!gflops) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_bf16_unit_peak: gflops is NULL");
    if (unit != WG_BF16_UNIT_DOT && unit != WG_BF16_UNIT_AMX)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_bf16_unit_peak: unknown unit %d", (int)unit);
#ifdef BF16_X86
    wg_cpu_info info;
    wg_status status = wg_cpu_info_get(&info);
    if (status != WG_OK) return status;
    if (unit == WG_BF16_UNIT_DOT) {
        if (!info.avx512_bf16)
            return wg_fail(WG_ERR_UNSUPPORTED, "this CPU has no AVX512-BF16 (vdpbf16ps)");
        return wg_measure_peak_rate("wg_cpu_bf16_unit_peak", threads, min_seconds,
                                    64.0 * DOT_CHAINS, dot_loop, NULL, gflops);
    }
    if (!info.amx_tile || !info.amx_bf16)
        return wg_fail(WG_ERR_UNSUPPORTED, "this CPU has no AMX-BF16 (tdpbf16ps)");
    status = wg_cpu_amx_permission(); /* the library's one request (gemm_amx.c) */
    if (status != WG_OK) return status;
    return wg_measure_peak_rate("wg_cpu_bf16_unit_peak", threads, min_seconds, 4 * AMX_FLOPS,
                                amx_loop, NULL, gflops);
#else
    (void)threads;
    (void)min_seconds;
    return wg_fail(WG_ERR_UNSUPPORTED, "%s: this build has no x86-64 Linux kernels",
                   wg_bf16_unit_name(unit));
#endif
}

wg_status wg_cpu_bf16_peak(int threads, double min_seconds, wg_bf16_peak *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_bf16_peak: out is NULL");
    memset(out, 0, sizeof *out);
    out->best = -1;
    out->best_gflops = NAN;
    for (int unit = 0; unit < WG_BF16_UNIT_COUNT; unit++) {
        out->gflops[unit] = NAN;
        wg_status status = wg_cpu_bf16_unit_peak((wg_bf16_unit)unit, threads, min_seconds,
                                                 &out->gflops[unit]);
        if (status == WG_ERR_UNSUPPORTED) {
            snprintf(out->skipped[unit], sizeof out->skipped[unit], "%s", wg_error_message());
            out->gflops[unit] = NAN;
            continue;
        }
        if (status != WG_OK) return status;
        if (out->best < 0 || out->gflops[unit] > out->best_gflops) {
            out->best = unit;
            out->best_gflops = out->gflops[unit];
        }
    }
    return WG_OK;
}
