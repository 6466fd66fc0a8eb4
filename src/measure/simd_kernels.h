/*
 * simd_kernels.h - the hot loops of the CPU measurements (simd_kernels.inc), compiled once
 * per instruction set by simd_avx512.c, simd_avx2.c and simd_generic.c, like the matmul's
 * gemm_*.c. The callers (stream_cpu.c, cache_cpu.c, fma_peak.c) own threads, timing and
 * checking, and pick the ISA at run time from cpuid (wg_measure_simd_pick, over the ISA
 * table of cpu_isa.h that the matmul uses too).
 *
 * Each function works on one thread's share; none starts threads itself.
 */
#ifndef WG_MEASURE_SIMD_KERNELS_H
#define WG_MEASURE_SIMD_KERNELS_H

#include <stdint.h>

#include "../cpu/cpu_isa.h"
#include "measure.h"

/* The STREAM kernels on elements [0, n) of the arrays (q = WG_STREAM_Q). */
#define WG_STREAM_Q 3.0f

/* FMA chains per iteration: enough independent multiply-adds to cover the FMA latency
 * (4 cycles) on two FMA pipes with room to spare, and few enough to stay in registers on
 * every ISA here (12 + 2 operands <= 16 registers of SSE2/AVX2). Each chain is unrolled
 * WG_FMA_UNROLL times per iteration to amortise the loop's own instructions. */
#define WG_FMA_CHAINS 12
#define WG_FMA_UNROLL 4

typedef struct wg_measure_simd {
    wg_cpu_isa isa;
    int lanes;        /* floats per vector */
    /* One STREAM kernel on elements [0, n): copy c=a, scale b=q*c, add c=a+b, triad a=b+q*c. */
    void (*stream)(wg_stream_kernel kernel, float *a, float *b, float *c, int64_t n);
    /* The sum of x[0..n) read `passes` times, with 16 vector accumulators so the loads, not
     * the adds, are the cost (n a multiple of 16 * lanes: no scalar leftover). */
    float (*sum)(const float *x, int64_t n, int64_t passes);
    /* `iterations` rounds of WG_FMA_CHAINS * WG_FMA_UNROLL vector FMAs acc = acc*m + add
     * on independent accumulators; returns a value that depends on every accumulator. */
    float (*fma)(int64_t iterations, float m, float add);
} wg_measure_simd;

#ifdef WG_CPU_HAVE_X86_KERNELS
extern const wg_measure_simd wg_measure_simd_avx512;
extern const wg_measure_simd wg_measure_simd_avx2;
#endif
extern const wg_measure_simd wg_measure_simd_generic;

/* The kernels for `isa` ("avx512", "avx2", "generic", or NULL for the widest this CPU
 * runs). WG_ERR_ARGUMENT for an unknown name, WG_ERR_UNSUPPORTED for one this CPU (or this
 * build) cannot run; both with a message. Defined in fma_peak.c. */
wg_status wg_measure_simd_pick(const char *isa, const wg_measure_simd **out);

#endif /* WG_MEASURE_SIMD_KERNELS_H */
