/*
 * stream_cpu.c - McCalpin's STREAM on the CPU (wg_cpu_stream): how many bytes per second
 * the cores can move between memory and registers, the bound of every elementwise op.
 *
 * Following STREAM's rules:
 *  - three arrays a, b, c of `elements` floats, 2 MiB aligned and advised to use huge pages
 *    when big (wg_cpu_alloc), so the TLB is not what is measured;
 *  - each thread first-touches the part of the arrays it will later work on (the same
 *    static split in the initialisation, the kernels and the check), so on a multi-socket
 *    machine each part sits in the memory next to the core that uses it;
 *  - one untimed warm-up run, then `trials` timed runs; best and median time;
 *  - bytes counted as STREAM does: the arrays the kernel names, read or written once each
 *    (copy and scale 2, add and triad 3); a store's write-allocate read is not counted;
 *  - the result is checked: starting from a = 1, b = 2, c = 0.5 (STREAM has c = 0; 0.5 keeps
 *    scale, which reads only c, from expecting zeros), the expected value of each
 *    array is followed through every run (as STREAM's checkSTREAMresults does), then every
 *    element is compared with it.
 *
 * The loops themselves are in simd_kernels.inc, compiled for the widest ISA this CPU has.
 */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "../cpu/cpu_backend.h"
#include "../error.h"
#include "simd_kernels.h"

/* Every thread's share starts on a 64-byte boundary (16 floats): no cache line is written
 * by two threads. */
#define SHARE_ALIGN ((int64_t)16)
/* Float32 rounding: the kernels here are exact on STREAM's values, so any error is a bug. */
#define STREAM_MAX_REL_ERROR 1e-6

static const char *const kernel_names[WG_STREAM_KERNEL_COUNT] = {"copy", "scale", "add",
                                                                 "triad"};
static const int kernel_arrays[WG_STREAM_KERNEL_COUNT] = {2, 2, 3, 3};
static const int kernel_flops[WG_STREAM_KERNEL_COUNT] = {0, 1, 1, 2};

static int kernel_ok(wg_stream_kernel kernel)
{
    return (int)kernel >= 0 && kernel < WG_STREAM_KERNEL_COUNT;
}

const char *wg_stream_kernel_name(wg_stream_kernel kernel)
{
    return kernel_ok(kernel) ? kernel_names[kernel] : "unknown";
}

int wg_stream_arrays(wg_stream_kernel kernel)
{
    return kernel_ok(kernel) ? kernel_arrays[kernel] : 0;
}

int wg_stream_flops(wg_stream_kernel kernel)
{
    return kernel_ok(kernel) ? kernel_flops[kernel] : 0;
}

/* Thread `me` of `team` owns elements [*begin, *end): contiguous, aligned shares. */
static void share(int64_t n, int me, int team, int64_t *begin, int64_t *end)
{
    int64_t per = (n + team - 1) / team;
    per = (per + SHARE_ALIGN - 1) / SHARE_ALIGN * SHARE_ALIGN;
    int64_t lo = per * me;
    *begin = lo < n ? lo : n;
    *end = lo + per < n ? lo + per : n;
}

static int compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double relative_error(float value, float expected)
{
    double e = expected == 0.0f ? fabs((double)value)
                                : fabs((double)value - expected) / fabs((double)expected);
    return isnan(e) ? INFINITY : e;
}

wg_status wg_cpu_stream(wg_stream_kernel kernel, int64_t elements, int threads, int trials,
                        wg_stream_result *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_stream: out is NULL");
    if (!kernel_ok(kernel))
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_stream: unknown kernel %d (0..%d)",
                       (int)kernel, WG_STREAM_KERNEL_COUNT - 1);
    if (elements < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_stream: elements %" PRId64 " < 1", elements);
    if (trials < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_stream: trials %d < 1", trials);
    if (threads < 0)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_stream: threads %d < 0 (0 means all)",
                       threads);

    int64_t array_bytes, total_bytes;
    wg_status st = wg_mul_i64(elements, (int64_t)sizeof(float), &array_bytes);
    if (st == WG_OK) st = wg_mul_i64(array_bytes, 3, &total_bytes);
    if (st != WG_OK) return wg_fail_context(st, "wg_cpu_stream: ");
    if ((uint64_t)total_bytes > SIZE_MAX)
        return wg_fail(WG_ERR_NO_MEMORY, "wg_cpu_stream: 3 arrays of %" PRId64 " bytes do not "
                       "fit in this address space", array_bytes);
    int64_t available = wg_host_memory_available();
    if (available >= 0 && total_bytes > available)
        return wg_fail(WG_ERR_NO_MEMORY, "wg_cpu_stream: 3 arrays of %" PRId64 " floats need "
                       "%" PRId64 " bytes (%.2f GiB); %.2f GiB of host memory is available",
                       elements, total_bytes, (double)total_bytes / (1 << 30),
                       (double)available / (1 << 30));

    const wg_measure_simd *simd;
    st = wg_measure_simd_pick(NULL, &simd);
    if (st != WG_OK) return st;

    double *times = malloc((size_t)trials * sizeof *times);
    float *arrays[3] = {NULL, NULL, NULL};
    if (!times) {
        return wg_fail(WG_ERR_NO_MEMORY, "wg_cpu_stream: cannot allocate %zu bytes for the "
                       "trial times", (size_t)trials * sizeof *times);
    }
    for (int k = 0; k < 3 && st == WG_OK; k++) {
        st = wg_cpu_alloc(0, (size_t)array_bytes, (void **)&arrays[k]);
        if (st != WG_OK)
            st = wg_fail_context(st, "wg_cpu_stream: array %c of %" PRId64 " bytes: ",
                                 "abc"[k], array_bytes);
    }
    if (st != WG_OK) {
        for (int k = 0; k < 3; k++)
            if (arrays[k]) wg_cpu_release(0, arrays[k]);
        free(times);
        return st;
    }
    float *a = arrays[0], *b = arrays[1], *c = arrays[2];
    const int team = threads > 0 ? threads : omp_get_max_threads();
    int used = team;

    /* First touch: each thread writes the share it will work on. */
#pragma omp parallel num_threads(team)
    {
        int64_t lo, hi;
        share(elements, omp_get_thread_num(), omp_get_num_threads(), &lo, &hi);
        for (int64_t i = lo; i < hi; i++) {
            a[i] = 1.0f;
            b[i] = 2.0f;
            c[i] = 0.5f;
        }
    }

    for (int run = 0; run <= trials; run++) { /* run 0 is the untimed warm-up */
        double t0 = wg_now();
#pragma omp parallel num_threads(team)
        {
            int64_t lo, hi;
            int me = omp_get_thread_num(), size = omp_get_num_threads();
            share(elements, me, size, &lo, &hi);
            simd->stream(kernel, a + lo, b + lo, c + lo, hi - lo);
            if (me == 0) used = size;
        }
        double elapsed = wg_now() - t0;
        if (run > 0) times[run - 1] = elapsed;
    }

    /* The values every element must hold now, computed in float as the kernels do. */
    float ea = 1.0f, eb = 2.0f, ec = 0.5f;
    for (int run = 0; run <= trials; run++) {
        switch (kernel) {
        case WG_STREAM_COPY: ec = ea; break;
        case WG_STREAM_SCALE: eb = WG_STREAM_Q * ec; break;
        case WG_STREAM_ADD: ec = ea + eb; break;
        case WG_STREAM_TRIAD: ea = eb + WG_STREAM_Q * ec; break;
        default: break;
        }
    }
    double max_error = 0.0;
#pragma omp parallel num_threads(team)
    {
        int64_t lo, hi;
        share(elements, omp_get_thread_num(), omp_get_num_threads(), &lo, &hi);
        double mine = 0.0;
        for (int64_t i = lo; i < hi; i++) {
            double e = fmax(relative_error(a[i], ea),
                            fmax(relative_error(b[i], eb), relative_error(c[i], ec)));
            if (e > mine) mine = e;
        }
#pragma omp critical(wg_stream_check)
        if (mine > max_error) max_error = mine;
    }

    for (int k = 0; k < 3; k++) wg_cpu_release(0, arrays[k]);

    qsort(times, (size_t)trials, sizeof *times, compare_doubles);
    wg_stream_result r;
    r.kernel = kernel;
    r.elements = elements;
    r.threads = used;
    r.blocks = 0;
    r.trials = trials;
    r.bytes = (double)kernel_arrays[kernel] * (double)elements * sizeof(float);
    r.best_s = times[0];
    r.median_s = trials % 2 ? times[trials / 2]
                            : 0.5 * (times[trials / 2 - 1] + times[trials / 2]);
    r.best_gbs = r.best_s > 0 ? r.bytes / r.best_s / 1e9 : INFINITY;
    r.max_rel_error = max_error;
    r.valid = max_error <= STREAM_MAX_REL_ERROR;
    free(times);
    *out = r;
    return WG_OK;
}
