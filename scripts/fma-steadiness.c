/*
 * fma-steadiness.c - how steady this machine's FMA throughput is over time, core by core:
 * the evidence for how far a single GEMM run on a shared VM can be trusted.
 *
 * One thread per logical CPU (pinned) runs the very loop `whygpu bench gemm` measures
 * its FMA peak with (the library's simd->fma: independent multiply-add chains on
 * registers, no memory touched, nothing shared; the widest ISA here, or the one named),
 * and reports its rate in every 50 ms window. Any dip is the machine's (a neighbour on
 * the host, clocks), not a program's: on the 2-core development VM a GEMM at 93% of the
 * peak in one run and 86% a minute later could be nothing else if these windows dip
 * alike. It also reads the steal time the hypervisor reports (/proc/stat) over the run.
 *
 *   make CUDA=0 BUILD=build-cpu
 *   cc -O2 -Iinclude -Isrc scripts/fma-steadiness.c build-cpu/libwhygpu.a -fopenmp -lm \
 *      -lpthread -o /tmp/fma-steadiness
 *   /tmp/fma-steadiness [SECONDS (1..60, default 30)] [avx512|avx2|generic]
 *
 * Not part of the build: a measuring aid for the results.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "measure/simd_kernels.h"

#define WINDOW_S 0.05
#define MAX_WINDOWS 1200
#define MAX_CPUS 64

static double rates[MAX_CPUS][MAX_WINDOWS];
static int windows_done[MAX_CPUS];
static double start_at, run_s;
static const wg_measure_simd *simd;
static float sums[MAX_CPUS]; /* the chains' results, printed: they cannot be optimised away */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long long steal_jiffies(void)
{
    FILE *f = fopen("/proc/stat", "r");
    long long v[8] = {0};
    if (!f) return -1;
    int got = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2],
                     &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    return got == 8 ? v[7] : -1;
}

static void *spin(void *arg)
{
    const int cpu = (int)(long)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    const double flops_per_iteration = 2.0 * WG_FMA_CHAINS * WG_FMA_UNROLL * simd->lanes;
    float kept = 0.0f;
    while (now() < start_at) {
    }
    double t0 = start_at;
    int w = 0;
    while (w < MAX_WINDOWS && t0 - start_at < run_s - WINDOW_S / 2) {
        long long iterations = 0;
        double t;
        do {
            kept += simd->fma(1 << 10, 0.999f, 0.001f);
            iterations += 1 << 10;
            t = now();
        } while (t - t0 < WINDOW_S);
        rates[cpu][w++] = (double)iterations * flops_per_iteration / (t - t0) / 1e9;
        t0 = t;
    }
    windows_done[cpu] = w;
    sums[cpu] = kept;
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    run_s = argc > 1 ? atof(argv[1]) : 30;
    if (!(run_s >= 1 && run_s <= 60)) {
        fprintf(stderr, "fma-steadiness: SECONDS must be 1..60\n");
        return 2;
    }
    if (wg_measure_simd_pick(argc > 2 ? argv[2] : NULL, &simd) != WG_OK) {
        fprintf(stderr, "fma-steadiness: %s\n", wg_error_message());
        return 2;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1 || cpus > MAX_CPUS) {
        fprintf(stderr, "fma-steadiness: %ld CPUs (1..%d supported)\n", cpus, MAX_CPUS);
        return 1;
    }
    pthread_t threads[MAX_CPUS];
    const long long steal0 = steal_jiffies();
    start_at = now() + 0.1;
    for (long c = 0; c < cpus; c++)
        if (pthread_create(&threads[c], NULL, spin, (void *)c) != 0) {
            fprintf(stderr, "fma-steadiness: cannot start thread %ld\n", c);
            return 1;
        }
    for (long c = 0; c < cpus; c++) pthread_join(threads[c], NULL);
    const long long steal1 = steal_jiffies();
    int n = MAX_WINDOWS;
    for (long c = 0; c < cpus; c++)
        if (windows_done[c] < n) n = windows_done[c];
    printf("%ld CPUs, %d windows of %.0f ms each, all CPUs at once (%s FMA chains on registers)\n",
           cpus, n, WINDOW_S * 1000, simd->isa);
    double best_sum = 0;
    for (int w = 0; w < n; w++) {
        double s = 0;
        for (long c = 0; c < cpus; c++) s += rates[c][w];
        if (s > best_sum) best_sum = s;
    }
    for (long c = 0; c < cpus; c++) {
        double sorted[MAX_WINDOWS];
        for (int w = 0; w < n; w++) sorted[w] = rates[c][w];
        qsort(sorted, (size_t)n, sizeof sorted[0], cmp_double);
        const double best = sorted[n - 1];
        int below90 = 0;
        for (int w = 0; w < n; w++) below90 += rates[c][w] < 0.9 * best;
        printf("cpu%ld: best %.1f GFLOP/s; percentiles 1/5/50: %.1f %.1f %.1f; windows under 90%% "
               "of its best: %d (%.1f%%)\n",
               c, best, sorted[n / 100], sorted[n / 20], sorted[n / 2], below90, 100.0 * below90 / n);
    }
    int sum_below90 = 0, sum_below95 = 0;
    for (int w = 0; w < n; w++) {
        double s = 0;
        for (long c = 0; c < cpus; c++) s += rates[c][w];
        sum_below90 += s < 0.9 * best_sum;
        sum_below95 += s < 0.95 * best_sum;
    }
    printf("all CPUs together: best %.1f GFLOP/s; windows under 95%% of it: %d (%.1f%%), under "
           "90%%: %d (%.1f%%)\n",
           best_sum, sum_below95, 100.0 * sum_below95 / n, sum_below90, 100.0 * sum_below90 / n);
    if (steal0 >= 0 && steal1 >= 0)
        printf("steal time reported by the hypervisor over the run: %lld jiffies (%.2f%% of the "
               "CPUs' time)\n",
               steal1 - steal0,
               100.0 * (double)(steal1 - steal0) / (run_s * (double)sysconf(_SC_CLK_TCK) * cpus));
    float all = 0.0f;
    for (long c = 0; c < cpus; c++) all += sums[c];
    printf("(the chains' sum, so that they are kept: %g)\n", all);
    return 0;
}
