/*
 * fma_peak.c - the CPU's FP32 multiply-add peak, measured (wg_cpu_fma_peak), and the choice
 * of instruction set for every CPU measurement (wg_measure_simd_pick).
 *
 * The peak is what the FMA units give when nothing else is in the way: WG_FMA_CHAINS
 * independent chains acc = acc * m + add in vector registers (simd_kernels.inc), so every
 * cycle can start new multiply-adds without waiting for the last ones, and no memory is
 * touched. Each thread runs its chains for at least min_seconds and counts its own
 * iterations; the rate is the sum over threads of flops / seconds, best of three trials
 * after one warm-up trial (which also lets the clock settle after the vector units wake).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "simd_kernels.h"

#define FMA_TRIALS 3
/* Iterations between two readings of the clock: about 0.1 ms of work on a fast core. */
#define FMA_BATCH ((int64_t)1 << 12)

wg_status wg_measure_simd_pick(const char *isa, const wg_measure_simd **out)
{
    wg_cpu_isa which = WG_CPU_ISA_GENERIC;
    wg_status st = isa ? wg_cpu_isa_from_name(isa, &which) : WG_OK;
    if (st != WG_OK) return st;
    if (which != WG_CPU_ISA_GENERIC || !isa) {
        wg_cpu_info info;
        st = wg_cpu_info_get(&info);
        if (st != WG_OK) return st;
        if (!isa) which = wg_cpu_isa_widest(&info);
        st = wg_cpu_isa_check(which, &info);
        if (st != WG_OK) return st;
    }
    switch (which) {
#ifdef WG_CPU_HAVE_X86_KERNELS
    case WG_CPU_ISA_AVX512: *out = &wg_measure_simd_avx512; return WG_OK;
    case WG_CPU_ISA_AVX2: *out = &wg_measure_simd_avx2; return WG_OK;
#endif
    default: *out = &wg_measure_simd_generic; return WG_OK;
    }
}

wg_status wg_measure_peak_rate(const char *who, int threads, double min_seconds,
                               double flops_per_iteration,
                               float (*loop)(int64_t iterations, void *context), void *context,
                               double *gflops)
{
    if (!gflops) return wg_fail(WG_ERR_ARGUMENT, "%s: gflops is NULL", who);
    if (threads < 0)
        return wg_fail(WG_ERR_ARGUMENT, "%s: threads %d < 0 (0 means all)", who, threads);
    if (!(min_seconds >= 0.0) || !isfinite(min_seconds))
        return wg_fail(WG_ERR_ARGUMENT, "%s: min_seconds %g is not a finite number >= 0", who,
                       min_seconds);
    int team = threads > 0 ? threads : omp_get_max_threads();
    double *rate = calloc((size_t)team, sizeof *rate);
    if (!rate)
        return wg_fail(WG_ERR_NO_MEMORY, "%s: cannot allocate %zu bytes", who,
                       (size_t)team * sizeof *rate);
    volatile float sink = 0.0f;
    double best = 0.0;
    for (int trial = 0; trial <= FMA_TRIALS; trial++) { /* trial 0 is the warm-up */
        memset(rate, 0, (size_t)team * sizeof *rate);
#pragma omp parallel num_threads(team)
        {
            int me = omp_get_thread_num();
            float kept = 0.0f;
            int64_t iterations = 0;
#pragma omp barrier
            double t0 = wg_now(), elapsed;
            do {
                kept += loop(FMA_BATCH, context);
                iterations += FMA_BATCH;
                elapsed = wg_now() - t0;
            } while (elapsed < min_seconds);
            rate[me] = (double)iterations * flops_per_iteration / elapsed;
#pragma omp critical(wg_fma_sink)
            sink += kept; /* the chains' result is used: they cannot be optimised away */
        }
        double total = 0.0;
        for (int t = 0; t < team; t++) total += rate[t];
        if (trial > 0 && total > best) best = total;
    }
    (void)sink;
    free(rate);
    *gflops = best / 1e9;
    return WG_OK;
}

static float fma_loop(int64_t iterations, void *context)
{
    const wg_measure_simd *simd = context;
    return simd->fma(iterations, 0.999f, 0.001f);
}

wg_status wg_cpu_fma_peak(const char *isa, int threads, double min_seconds, double *gflops)
{
    if (!gflops) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_fma_peak: gflops is NULL");
    const wg_measure_simd *simd;
    wg_status st = wg_measure_simd_pick(isa, &simd);
    if (st != WG_OK) return wg_fail_context(st, "wg_cpu_fma_peak: ");
    const double flops_per_iteration =
        2.0 * WG_FMA_CHAINS * WG_FMA_UNROLL * (double)simd->lanes;
    return wg_measure_peak_rate("wg_cpu_fma_peak", threads, min_seconds, flops_per_iteration,
                                fma_loop, (void *)simd, gflops);
}
