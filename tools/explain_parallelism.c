/*
 * explain_parallelism.c - reason 2: parallelism. How the CPU's triad and matmul scale
 * from one thread to all cores, what SIMD width is worth (the same matmul and FMA loop
 * compiled for 16-, 8- and 4-float vectors), and how a GPU kernel's bandwidth grows from
 * one block to one block per SM to a full grid.
 */
#include <stdio.h>
#include <string.h>

#include "explain.h"

static const explain_col scaling_cols[] = {
    {"threads", "threads", 8, "%.0f"},
    {"triad_gbs", "triad GB/s", 11, "%.1f"},
    {"triad_speedup", "speed-up", 9, "%.2fx"},
    {"matmul_gflops", "matmul GFLOP/s", 15, "%.1f"},
    {"matmul_speedup", "speed-up", 9, "%.2fx"},
};

static const explain_col simd_cols[] = {
    {"isa", "instruction set", 16, NULL},
    {"floats_per_vector", "floats/vector", 14, "%.0f"},
    {"fma_peak_1thread_gflops", "FMA peak, 1 thread", 19, "%.1f"},
    {"fma_peak_all_gflops", "FMA peak, all", 14, "%.1f"},
    {"matmul_gflops", "matmul GFLOP/s", 15, "%.1f"},
};

static const explain_col grid_cols[] = {
    {"grid", "grid", 20, NULL},
    {"blocks", "blocks", 8, "%.0f"},
    {"triad_gbs", "triad GB/s", 11, "%.1f"},
};

/* 1, 2, ..., n for small n; powers of two and n for larger. */
static int thread_counts(int n, int *counts, int max)
{
    int count = 0;
    for (int t = 1; t <= n && count < max; t = n <= 8 ? t + 1 : t * 2) counts[count++] = t;
    if (count < max && counts[count - 1] != n) counts[count++] = n;
    return count;
}

static wg_status scaling(explain_ctx *x, int64_t n, double *triad_gain, double *matmul_gain)
{
    int counts[32];
    int count = thread_counts(x->machine.cpu.omp_threads, counts, 32);
    int64_t elements = explain_cpu_llc_bytes(x); /* floats: 4x the LLC in bytes */
    char title[160];
    snprintf(title, sizeof title, "CPU thread scaling: STREAM triad and a %lldx%lld matmul",
             (long long)n, (long long)n);
    explain_table_begin(x, "cpu_scaling", title, scaling_cols, 5);
    double triad1 = 0, matmul1 = 0;
    wg_status status = WG_OK;
    for (int i = 0; i < count && status == WG_OK; i++) {
        wg_stream_result r;
        double gflops = 0;
        explain_progress(x, "parallelism: CPU thread scaling");
        wg_set_cpu_threads(counts[i]);
        status = wg_cpu_stream(WG_STREAM_TRIAD, elements, counts[i], 10, &r);
        if (status == WG_OK)
            status = explain_matmul_gflops(x, wg_cpu(), NULL, NULL, n, &gflops);
        if (status != WG_OK) break;
        if (i == 0) {
            triad1 = r.best_gbs;
            matmul1 = gflops;
        }
        if (!r.valid) x->failed = 1;
        const explain_val row[] = {NUM(counts[i]), NUM(r.best_gbs), NUM(r.best_gbs / triad1),
                                   NUM(gflops), NUM(gflops / matmul1)};
        explain_table_row(x, scaling_cols, row, 5);
        *triad_gain = r.best_gbs / triad1;
        *matmul_gain = gflops / matmul1;
        if (gflops > x->cpu_gemm_gflops) x->cpu_gemm_gflops = gflops;
    }
    wg_set_cpu_threads(0);
    explain_table_end(x);
    return status;
}

static wg_status simd(explain_ctx *x, int64_t n, double *fma_gain, double *matmul_gain,
                      const char **wide, const char **narrow)
{
    static const char *const isas[] = {"avx512", "avx2", "generic"};
    static const int lanes[] = {16, 8, 4};
    double seconds = x->quick ? 0.05 : 0.2;
    char title[160];
    snprintf(title, sizeof title, "SIMD width: the same code for each instruction set "
             "(matmul %lldx%lld, all threads)", (long long)n, (long long)n);
    explain_table_begin(x, "simd", title, simd_cols, 5);
    double first_fma = 0, first_matmul = 0, last_fma = 0, last_matmul = 0;
    for (int i = 0; i < 3; i++) {
        double one = 0, all = 0, gflops = 0;
        wg_status status = wg_cpu_fma_peak(isas[i], 1, seconds, &one);
        if (status == WG_ERR_UNSUPPORTED) continue; /* this CPU lacks it */
        explain_progress(x, "parallelism: SIMD width");
        if (status == WG_OK) status = wg_cpu_fma_peak(isas[i], 0, seconds, &all);
        if (status == WG_OK)
            status = explain_matmul_gflops(x, wg_cpu(), NULL, isas[i], n, &gflops);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        const explain_val row[] = {STR(isas[i]), NUM(lanes[i]), NUM(one), NUM(all), NUM(gflops)};
        explain_table_row(x, simd_cols, row, 5);
        if (first_fma == 0) {
            first_fma = one;
            first_matmul = gflops;
            *wide = isas[i];
            x->cpu_fma_peak_gflops = all; /* the widest ISA, all threads */
        }
        last_fma = one;
        last_matmul = gflops;
        *narrow = isas[i];
        if (gflops > x->cpu_gemm_gflops) x->cpu_gemm_gflops = gflops;
    }
    explain_table_end(x);
    *fma_gain = last_fma > 0 ? first_fma / last_fma : 0;
    *matmul_gain = last_matmul > 0 ? first_matmul / last_matmul : 0;
    return WG_OK;
}

static wg_status gpu_grid(explain_ctx *x, double *one_block, double *per_sm, double *full)
{
    int64_t elements = x->quick ? (int64_t)16 << 20 : (int64_t)64 << 20;
    const int64_t blocks[] = {1, x->machine.gpu.sm_count, 0};
    const char *names[] = {"1 block", "1 block per SM", "full grid"};
    double *out[] = {one_block, per_sm, full};
    explain_table_begin(x, "gpu_grid", "GPU: the same triad kernel on grids of growing size",
                        grid_cols, 3);
    for (int i = 0; i < 3; i++) {
        wg_stream_result r;
        explain_progress(x, "parallelism: GPU grid size");
        wg_status status = explain_gpu_stream(x, WG_STREAM_TRIAD, elements, blocks[i], 0,
                                         x->quick ? 3 : 5, &r);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        if (!r.valid) x->failed = 1;
        const explain_val row[] = {STR(names[i]), NUM(r.blocks), NUM(r.best_gbs)};
        explain_table_row(x, grid_cols, row, 3);
        *out[i] = r.best_gbs;
    }
    explain_table_end(x);
    return WG_OK;
}

wg_status explain_parallelism(explain_ctx *x)
{
    explain_section_begin(x, "parallelism", "2. Parallelism: how many operations at once");
    int64_t n = x->quick ? 1024 : 2048;
    double triad_gain = 0, matmul_gain = 0, fma_gain = 0, simd_matmul_gain = 0;
    const char *wide = "generic", *narrow = "generic";
    wg_status status = scaling(x, n, &triad_gain, &matmul_gain);
    if (status == WG_OK) status = simd(x, n, &fma_gain, &simd_matmul_gain, &wide, &narrow);
    if (status != WG_OK) return status;
    double one_block = 0, per_sm = 0, full = 0;
    if (x->machine.gpu_available) {
        status = gpu_grid(x, &one_block, &per_sm, &full);
        if (status != WG_OK) return status;
    } else {
        explain_skip(x, "gpu", "GPU grid scaling", x->machine.gpu_reason);
    }

    if (x->machine.cpu.omp_threads > 1 && matmul_gain > 1.15 * triad_gain)
        explain_say(x, "Going from 1 to %d threads speeds the matmul up %.2fx but the triad only "
                    "%.2fx: more cores add arithmetic, not memory bandwidth, so only work with "
                    "many operations per number read gains from them.",
                    x->machine.cpu.omp_threads, matmul_gain, triad_gain);
    else if (x->machine.cpu.omp_threads > 1)
        explain_say(x, "Going from 1 to %d threads speeds the matmul up %.2fx and the triad "
                    "%.2fx: on this machine one core cannot use all of the memory's bandwidth, "
                    "so both gain from more cores.",
                    x->machine.cpu.omp_threads, matmul_gain, triad_gain);
    if (strcmp(wide, narrow) != 0)
        explain_say(x, "One %s instruction works on %d floats where %s works on %d: the FMA "
                    "loop runs %.1fx faster and the matmul %.1fx. SIMD is parallelism inside "
                    "one core; a GPU takes the same idea much further.",
                    wide, strcmp(wide, "avx512") == 0 ? 16 : 8, narrow,
                    strcmp(narrow, "generic") == 0 ? 4 : 8, fma_gain, simd_matmul_gain);
    if (x->machine.gpu_available)
        explain_say(x, "On the GPU one block of threads reaches %.1f GB/s, one block per SM "
                    "(%d SMs) %.1f GB/s, and a full grid %.1f GB/s (%.0fx one block): a GPU is "
                    "fast only with tens of thousands of threads in flight, which is what large "
                    "tensors provide and a scalar does not.",
                    one_block, x->machine.gpu.sm_count, per_sm, full, full / one_block);
    explain_section_end(x);
    return WG_OK;
}
