/*
 * explain_caches.c - reason 3: fast memory close to the cores. A working-set sweep reads
 * buffers from 4 KiB to 1 GiB again and again: the bandwidth steps down each time the
 * buffer outgrows a cache, and the steps give the cache sizes, set beside the sizes the
 * hardware reports. Then what using that memory is worth: the naive and the tiled matmul
 * on each device.
 */
#include <stdio.h>
#include <stdlib.h>

#include "explain.h"

#define MAX_POINTS 64
#define MAX_EDGES 6
#define EDGE_DROP 0.7         /* a bandwidth step: below 70% of the plateau before */
#define LATENCY_EDGE_DROP 0.6 /* latency steps are larger (2x to 10x), noise too */

static const explain_col sweep_cols[] = {
    {"bytes", "working set", 12, NULL},
    {"gbs", "read GB/s", 10, "%.1f"},
    {"latency_ns", "latency ns", 11, "%.1f"},
};

static const explain_col edge_cols[] = {
    {"cache", "cache", 6, NULL},
    {"reported", "reported", 10, NULL},
    {"latency_edge", "latency step at", 16, NULL},
    {"bandwidth_edge", "bandwidth step at", 18, NULL},
    {"within_2x", "within 2x", 10, NULL},
};

static const explain_col tiling_cols[] = {
    {"device", "device", 8, NULL},
    {"kernel", "kernel", 10, NULL},
    {"gflops", "GFLOP/s", 10, "%.1f"},
    {"vs_naive", "vs naive", 9, "%.1fx"},
};

/* The found edge nearest (by ratio) to `reported`, or 0. */
static int64_t nearest_edge(int64_t reported, const int64_t *edges, int count)
{
    int64_t best = 0;
    double best_ratio = 1e30;
    for (int i = 0; i < count; i++) {
        double ratio = edges[i] > reported ? (double)edges[i] / reported
                                           : (double)reported / edges[i];
        if (ratio < best_ratio) {
            best_ratio = ratio;
            best = edges[i];
        }
    }
    return best;
}

/* Sweeps (CPU: bandwidth and latency of one core; GPU: bandwidth of the chip), prints the
 * curve, then each reported cache next to the nearest step found. A cache counts as found
 * when the step (latency on the CPU, bandwidth on the GPU) is within 2x of its size. */
static wg_status sweep(explain_ctx *x, int gpu, int *matched, int *reported_count,
                       double *first_gbs, double *last_gbs, double *first_ns, double *last_ns)
{
    int64_t sizes[MAX_POINTS], bw_edges[MAX_EDGES], lat_edges[MAX_EDGES];
    double gbs[MAX_POINTS], rate[MAX_POINTS], ns[MAX_POINTS];
    int64_t high = x->quick ? (int64_t)256 << 20 : (int64_t)1 << 30;
    int count = explain_log_sizes(4096, high, 2, sizes, MAX_POINTS);
    double seconds = x->quick ? 0.01 : 0.04;
    explain_table_begin(x, gpu ? "gpu_sweep" : "cpu_sweep",
                        gpu ? "GPU read bandwidth by working set (whole chip)"
                            : "CPU read bandwidth and load latency by working set (one thread)",
                        sweep_cols, gpu ? 2 : 3);
    for (int i = 0; i < count; i++) {
        explain_progress(x, gpu ? "caches: GPU working-set sweep" : "caches: CPU working-set sweep");
        wg_status status = gpu ? explain_gpu_read_bandwidth(x, sizes[i], seconds, &gbs[i])
                               : wg_cpu_read_bandwidth(sizes[i], 0, seconds, &gbs[i]);
        ns[i] = 0;
        if (status == WG_OK && !gpu) status = wg_cpu_load_latency(sizes[i], seconds, &ns[i]);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        rate[i] = ns[i] > 0 ? 1.0 / ns[i] : 0.0;
        char size[32];
        const explain_val row[] = {STR(wg_format_bytes((double)sizes[i], size, sizeof size)),
                                   NUM(gbs[i]), NUM(ns[i])};
        explain_table_row(x, sweep_cols, row, gpu ? 2 : 3);
    }
    explain_table_end(x);
    if (gpu) explain_gpu_clock(x, "gpu_sweep_clock");
    *first_gbs = gbs[0];
    *last_gbs = gbs[count - 1];
    *first_ns = ns[0];
    *last_ns = ns[count - 1];

    int bw_count = wg_find_cache_edges(sizes, gbs, count, EDGE_DROP, bw_edges, MAX_EDGES);
    int lat_count = gpu ? 0 : wg_find_cache_edges(sizes, rate, count, LATENCY_EDGE_DROP, lat_edges,
                                                     MAX_EDGES);
    const char *names_cpu[] = {"L1d", "L2", "L3"};
    const int64_t reported_cpu[] = {x->machine.cpu.l1d_bytes, x->machine.cpu.l2_bytes, x->machine.cpu.l3_bytes};
    const char *names_gpu[] = {"L2"};
    const int64_t reported_gpu[] = {x->machine.gpu.l2_bytes};
    const char **names = gpu ? names_gpu : names_cpu;
    const int64_t *reported = gpu ? reported_gpu : reported_cpu;
    int caches = gpu ? 1 : 3;
    explain_table_begin(x, gpu ? "gpu_caches" : "cpu_caches",
                        "Cache sizes: reported by the hardware, and where the curves step down",
                        edge_cols, 5);
    *matched = 0;
    *reported_count = 0;
    for (int c = 0; c < caches; c++) {
        if (reported[c] <= 0) continue;
        (*reported_count)++;
        int64_t bw = nearest_edge(reported[c], bw_edges, bw_count);
        int64_t lat = nearest_edge(reported[c], lat_edges, lat_count);
        int64_t found = gpu ? bw : lat;
        int within = found > 0 && found <= 2 * reported[c] && 2 * found >= reported[c];
        *matched += within;
        char r[32], l[32], b[32];
        wg_format_bytes((double)reported[c], r, sizeof r);
        wg_format_bytes((double)lat, l, sizeof l);
        wg_format_bytes((double)bw, b, sizeof b);
        const explain_val row[] = {STR(names[c]), STR(r), lat > 0 ? STR(l) : NOVAL,
                                   bw > 0 ? STR(b) : NOVAL, YESNO(within)};
        explain_table_row(x, edge_cols, row, 5);
    }
    explain_table_end(x);
    return WG_OK;
}

static wg_status tiling(explain_ctx *x, double *cpu_gain, double *gpu_gain)
{
    int64_t cpu_n = x->quick ? 512 : 1024, gpu_n = x->quick ? 2048 : 4096;
    if (x->gpu.kind == WG_DEVICE_OPENCL) gpu_n = cpu_n; /* naive OpenCL kernels, PoCL: slow */
    char title[160];
    if (x->machine.gpu_available)
        snprintf(title, sizeof title, "Naive vs tiled matmul (CPU %lldx%lld, GPU %lldx%lld)",
                 (long long)cpu_n, (long long)cpu_n, (long long)gpu_n, (long long)gpu_n);
    else
        snprintf(title, sizeof title, "Naive vs tiled matmul (CPU %lldx%lld)", (long long)cpu_n,
                 (long long)cpu_n);
    explain_table_begin(x, "tiling", title, tiling_cols, 4);
    double naive = 0, tiled = 0;
    explain_progress(x, "caches: naive vs tiled matmul");
    wg_status status = explain_matmul_gflops(x, wg_cpu(), explain_kernel(WG_DEVICE_CPU, "triple-loop"), NULL, cpu_n, &naive);
    if (status == WG_OK)
        status = explain_matmul_gflops(x, wg_cpu(), NULL, NULL, cpu_n, &tiled);
    if (status != WG_OK) {
        explain_table_end(x);
        return status;
    }
    const explain_val cpu_naive[] = {STR("cpu"), STR("naive"), NUM(naive), NUM(1.0)};
    const explain_val cpu_tiled[] = {STR("cpu"), STR("tiled"), NUM(tiled), NUM(tiled / naive)};
    explain_table_row(x, tiling_cols, cpu_naive, 4);
    explain_table_row(x, tiling_cols, cpu_tiled, 4);
    *cpu_gain = tiled / naive;
    if (tiled > x->cpu_gemm_gflops) x->cpu_gemm_gflops = tiled;
    if (x->machine.gpu_available) {
        const wg_device gpu = x->gpu;
        double g_naive = 0, g_tiled = 0, g_cublas = 0;
        explain_progress(x, "caches: naive vs tiled matmul on the GPU");
        status = explain_matmul_gflops(x, gpu, explain_gpu_kernel(x, "naive"), NULL, gpu_n, &g_naive);
        if (status == WG_OK)
            status = explain_matmul_gflops(x, gpu, explain_gpu_kernel(x, "tiled"), NULL, gpu_n, &g_tiled);
        if (status == WG_OK)
            status = explain_matmul_gflops(x, gpu, explain_gpu_kernel(x, "vendor"), NULL, gpu_n, &g_cublas);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        const explain_val r1[] = {STR("gpu"), STR("naive"), NUM(g_naive), NUM(1.0)};
        const explain_val r2[] = {STR("gpu"), STR("tiled"), NUM(g_tiled), NUM(g_tiled / g_naive)};
        const explain_val r3[] = {STR("gpu"), STR(x->gpu.kind == WG_DEVICE_OPENCL ? "clblast" : "cublas"),
                                  NUM(g_cublas), NUM(g_cublas / g_naive)};
        explain_table_row(x, tiling_cols, r1, 4);
        explain_table_row(x, tiling_cols, r2, 4);
        explain_table_row(x, tiling_cols, r3, 4);
        *gpu_gain = g_tiled / g_naive;
        if (g_cublas > x->gpu_gemm_gflops) x->gpu_gemm_gflops = g_cublas;
    }
    explain_table_end(x);
    return WG_OK;
}

wg_status explain_caches(explain_ctx *x)
{
    explain_section_begin(x, "caches", "3. Fast memory: caches, shared memory and registers");
    int matched = 0, reported = 0, gpu_matched = 0, gpu_reported = 0;
    double first = 0, last = 0, gpu_first = 0, gpu_last = 0, cpu_gain = 0, gpu_gain = 0;
    double first_ns = 0, last_ns = 0, unused_ns = 0;
    wg_status status = sweep(x, 0, &matched, &reported, &first, &last, &first_ns, &last_ns);
    if (status == WG_OK && x->machine.gpu_available)
        status = sweep(x, 1, &gpu_matched, &gpu_reported, &gpu_first, &gpu_last, &unused_ns,
                       &unused_ns);
    if (status == WG_OK) status = tiling(x, &cpu_gain, &gpu_gain);
    if (status != WG_OK) return status;
    if (!x->machine.gpu_available) explain_skip(x, "gpu", "GPU working-set sweep and GPU tiling", x->machine.gpu_reason);

    explain_say(x, "One CPU core reads a small buffer at %.1f GB/s but a large one at %.1f GB/s, "
                "%.0fx slower once the data lives only in main memory; and a load that must wait "
                "for its data takes %.1f ns from L1 but %.0f ns from memory, %.0fx longer. The "
                "latency steps match %d of the %d cache sizes the CPU reports (within 2x).",
                first, last, first / last, first_ns, last_ns, last_ns / first_ns, matched,
                reported);
    explain_say(x, "Tiling is how a matmul lives in that fast memory: each number brought into "
                "the cache (or registers) is used many times before it leaves. On the CPU the "
                "tiled kernel is %.1fx faster than the naive loop.", cpu_gain);
    if (x->machine.gpu_available)
        explain_say(x, "The GPU reads a working set that fits its caches at %.0f GB/s and a large "
                    "one at %.0f GB/s; its tiled kernel, which stages tiles in shared memory, is "
                    "%.1fx faster than its naive one.", gpu_first, gpu_last, gpu_gain);
    explain_section_end(x);
    return WG_OK;
}
