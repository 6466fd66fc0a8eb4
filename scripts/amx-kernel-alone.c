/*
 * amx-kernel-alone.c - the AMX bf16 tile kernel of the packed GEMM (gemm_amx.c) alone, on
 * one thread, with its operands already in cache: the ceiling the whole GEMM cannot pass
 * on this machine, beside the tdpbf16ps register-loop peak `bench gemm --dtype bf16` uses
 * as its denominator.
 *
 * The kernel is called as the GEMM calls it, a row of 32 x 32 tiles of C (C kept in L2,
 * loaded and stored on every call, as in the GEMM's k sub-panels) with one A micro-panel
 * of depth KS against NP B micro-panels, over and over. Three settings:
 *   - NP 1: one B micro-panel, so A and B are read from L1/L2 and nothing from memory;
 *   - NP 32 at KS 512: the GEMM's own blocking on a 2 MiB L2 (A from L1, B streamed from L2);
 *   - KS 1024, NP 16: A too deep for L1, read from L2 beside B (1 MiB).
 * What it shows: how far the tile loads, not the arithmetic, hold the kernel below the
 * unit's peak even with no memory traffic at all.
 *
 *   make CUDA=0 BUILD=build-cpu
 *   cc -O2 -Iinclude -Isrc -DWG_CPU_HAVE_X86_KERNELS scripts/amx-kernel-alone.c \
 *      build-cpu/libwhygpu.a -fopenmp -lm -lpthread -lz -lclblast -lOpenCL -lcjson \
 *      -o /tmp/amx-kernel-alone          (the libraries the whygpu binary links with)
 *   /tmp/amx-kernel-alone
 *
 * Not part of the build: a measuring aid for the results. x86-64 Linux with AMX only.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "whygpu.h"
#include "whygpu_lab.h"
#include "cpu/gemm_kernels.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* GFLOP/s of the tile kernel over rows of np tiles at depth ks, best of five timed runs of
 * about a tenth of a second each. */
static double kernel_gflops(int ks, int np)
{
    const wg_gemm_microkernels *uk = &wg_gemm_microkernels_amx_bf16;
    const size_t a_bytes = (size_t)32 * ks * 2, b_bytes = (size_t)np * 32 * ks * 2;
    const size_t c_bytes = (size_t)32 * np * 32 * 4;
    float *a = aligned_alloc(64, a_bytes), *b = aligned_alloc(64, b_bytes);
    float *c = aligned_alloc(64, c_bytes);
    if (!a || !b || !c) {
        free(a), free(b), free(c);
        return NAN;
    }
    memset(a, 0x3c, a_bytes); /* bf16 0x3c3c: about 0.0115, so the sums stay finite */
    memset(b, 0x3c, b_bytes);
    memset(c, 0, c_bytes);
    const int reps = (int)(1.2e8 / ((double)32 * 32 * ks * np)) + 1; /* ~0.1 s at 2 TFLOP/s */
    uk->thread_begin();
    double best = INFINITY;
    for (int run = 0; run < 5; run++) {
        const double t0 = now_s();
        for (int r = 0; r < reps; r++)
            for (int j = 0; j < np; j++)
                uk->tile_kernel(ks, a, b + (size_t)j * 32 * ks / 2, 32, c + j * 32, np * 32, 1,
                                1.0f, 1.0f, 32, 32, a);
        const double t = now_s() - t0;
        if (t < best) best = t;
    }
    uk->thread_end();
    free(a), free(b), free(c);
    return 2.0 * 32 * 32 * ks * (double)np * reps / best / 1e9;
}

int main(void)
{
    if (wg_cpu_amx_permission() != WG_OK) {
        fprintf(stderr, "amx-kernel-alone: %s\n", wg_error_message());
        return 1;
    }
    wg_bf16_peak peak;
    if (wg_cpu_bf16_peak(1, 0.2, &peak) != WG_OK) {
        fprintf(stderr, "amx-kernel-alone: %s\n", wg_error_message());
        return 1;
    }
    const double amx = peak.gflops[WG_BF16_UNIT_AMX];
    printf("tdpbf16ps register loop, one thread: %.0f GFLOP/s\n", amx);
    static const int settings[][2] = {{512, 1}, {512, 32}, {1024, 16}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        const int ks = settings[i][0], np = settings[i][1];
        const double g = kernel_gflops(ks, np);
        printf("tile kernel, A 32 x %4d (%3d KiB), %2d B micro-panels (%4d KiB): %5.0f GFLOP/s, "
               "%3.0f%% of the register loop\n",
               ks, ks * 64 / 1024, np, np * ks * 64 / 1024, g, 100.0 * g / amx);
    }
    return 0;
}
