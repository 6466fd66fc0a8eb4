/*
 * explain_bandwidth.c - reason 1: memory bandwidth. STREAM's four kernels on the CPU (all
 * cores, arrays 4x the last-level cache) and on the GPU (device memory, next to
 * cudaMemcpy's own copy), then host<->device copies, pageable and pinned, from sizes where
 * latency dominates to sizes where bandwidth does.
 */
#include <stdio.h>

#include "explain.h"

#define STREAM_TRIALS 10

static const explain_col stream_cols[] = {
    {"kernel", "kernel", 8, NULL},
    {"bytes_per_trial", "bytes/trial", 12, "%.3g"},
    {"best_gbs", "best GB/s", 10, "%.1f"},
    {"median_gbs", "median GB/s", 12, "%.1f"},
    {"valid", "checked", 8, NULL},
};
#define STREAM_COLS 5

/* One STREAM table; triad's best is stored in *triad_gbs. */
static wg_status stream_table(explain_ctx *x, int gpu, int64_t elements, const char *key,
                              const char *title, double *triad_gbs, double *copy_gbs)
{
    explain_table_begin(x, key, title, stream_cols, STREAM_COLS);
    for (int k = 0; k < WG_STREAM_KERNEL_COUNT; k++) {
        wg_stream_result r;
        wg_status status =
            gpu ? explain_gpu_stream(x, (wg_stream_kernel)k, elements, 0, 0, STREAM_TRIALS, &r)
                : wg_cpu_stream((wg_stream_kernel)k, elements, 0, STREAM_TRIALS, &r);
        if (status != WG_OK) {
            explain_table_end(x);
            return status;
        }
        const explain_val row[] = {STR(wg_stream_kernel_name((wg_stream_kernel)k)), NUM(r.bytes),
                                   NUM(r.best_gbs), NUM(r.bytes / r.median_s / 1e9),
                                   YESNO(r.valid)};
        explain_table_row(x, stream_cols, row, STREAM_COLS);
        if (!r.valid) {
            x->failed = 1;
            explain_say(x, "STREAM %s on the %s gave wrong values (max relative error %.3g): "
                        "its bandwidth is not to be trusted.",
                        wg_stream_kernel_name((wg_stream_kernel)k), gpu ? "GPU" : "CPU",
                        r.max_rel_error);
        }
        if (k == WG_STREAM_TRIAD) *triad_gbs = r.best_gbs;
        if (k == WG_STREAM_COPY && copy_gbs) *copy_gbs = r.best_gbs;
    }
    explain_table_end(x);
    return WG_OK;
}

static const explain_col transfer_cols[] = {
    {"bytes", "size", 9, NULL},
    {"direction", "direction", 13, NULL},
    {"pageable_gbs", "pageable GB/s", 14, "%.2f"},
    {"pinned_gbs", "pinned GB/s", 12, "%.2f"},
    {"pinned_async_gbs", "pinned async GB/s", 18, "%.2f"},
    {"pinned_time_s", "pinned time", 12, EXPLAIN_SECONDS},
};
#define TRANSFER_COLS 6

static wg_status transfers(explain_ctx *x, double *best_h2d_gbs, double *small_copy_s)
{
    static const int64_t quick_sizes[] = {4096, 1 << 20, 64 << 20};
    static const int64_t sizes[] = {4096, 65536, 1 << 20, 16 << 20, 256 << 20};
    const int64_t *list = x->quick ? quick_sizes : sizes;
    int count = x->quick ? 3 : 5;
    explain_table_begin(x, "transfers", "Host <-> GPU copies (best of 10; pinned: cudaMemcpy, the host's time "
                        "around it; async: cudaMemcpyAsync, the GPU's time for the copy)",
                        transfer_cols, TRANSFER_COLS);
    for (int i = 0; i < count; i++) {
        for (int to_device = 1; to_device >= 0; to_device--) {
            wg_transfer_result pageable, pinned, async;
            explain_progress(x, "bandwidth: host<->GPU copies");
            wg_status status = explain_gpu_transfer(x, list[i], to_device, 0, 0, 10, &pageable);
            if (status == WG_OK)
                status = explain_gpu_transfer(x, list[i], to_device, 1, 0, 10, &pinned);
            if (status == WG_OK)
                status = explain_gpu_transfer(x, list[i], to_device, 1, 1, 10, &async);
            if (status != WG_OK) {
                explain_table_end(x);
                return status;
            }
            char size[32];
            wg_format_bytes((double)list[i], size, sizeof size);
            const explain_val row[] = {STR(size), STR(to_device ? "host->GPU" : "GPU->host"),
                                       NUM(pageable.best_gbs), NUM(pinned.best_gbs),
                                       NUM(async.best_gbs), NUM(pinned.best_s)};
            explain_table_row(x, transfer_cols, row, TRANSFER_COLS);
            if (to_device && pinned.best_gbs > *best_h2d_gbs) *best_h2d_gbs = pinned.best_gbs;
            if (to_device && async.best_gbs > *best_h2d_gbs) *best_h2d_gbs = async.best_gbs;
            if (to_device && i == 0) *small_copy_s = pinned.best_s;
        }
    }
    explain_table_end(x);
    return WG_OK;
}

wg_status explain_bandwidth(explain_ctx *x)
{
    explain_section_begin(x, "bandwidth", "1. Memory bandwidth: how fast numbers reach the cores");
    /* STREAM's rule: each array at least 4x the last-level cache. */
    int64_t llc = explain_cpu_llc_bytes(x);
    int64_t cpu_elements = 4 * llc / 4;
    if (cpu_elements < ((int64_t)32 << 20)) cpu_elements = (int64_t)32 << 20;
    char title[160], size[32];
    snprintf(title, sizeof title, "CPU STREAM, %d threads, 3 arrays of %s (best of %d)",
             x->machine.cpu.omp_threads, wg_format_bytes((double)cpu_elements * 4, size, sizeof size),
             STREAM_TRIALS);
    explain_progress(x, "bandwidth: CPU STREAM");
    wg_status status =
        stream_table(x, 0, cpu_elements, "cpu_stream", title, &x->cpu_triad_gbs, NULL);
    if (status != WG_OK) return status;

    double gpu_copy = 0, memcpy_gbs = 0, h2d = 0, small_copy = 0;
    if (x->machine.gpu_available) {
        int64_t gpu_elements = 4 * x->machine.gpu.l2_bytes / 4;
        if (gpu_elements < ((int64_t)64 << 20)) gpu_elements = (int64_t)64 << 20;
        snprintf(title, sizeof title, "GPU STREAM, full grid, 3 arrays of %s (best of %d)",
                 wg_format_bytes((double)gpu_elements * 4, size, sizeof size), STREAM_TRIALS);
        explain_progress(x, "bandwidth: GPU STREAM");
        status = stream_table(x, 1, gpu_elements, "gpu_stream", title, &x->gpu_triad_gbs,
                              &gpu_copy);
        if (status == WG_OK)
            status = explain_gpu_memcpy_bandwidth(x, gpu_elements * 4, STREAM_TRIALS,
                                             &memcpy_gbs);
        if (status != WG_OK) return status;
        explain_figure(x, "gpu_memcpy_d2d_gbs", "cudaMemcpy device-to-device", NUM(memcpy_gbs),
                       "%.1f", "GB/s");
        explain_figure(x, "gpu_copy_vs_memcpy", "STREAM copy / cudaMemcpy",
                       NUM(gpu_copy / memcpy_gbs), "%.2f", "");
        explain_gpu_clock(x, "gpu_stream_clock");
        status = transfers(x, &h2d, &small_copy);
        if (status != WG_OK) return status;
        explain_gpu_clock(x, "transfers_clock");
    } else {
        explain_skip(x, "gpu", "GPU STREAM and host<->GPU copies", x->machine.gpu_reason);
    }

    explain_say(x, "The CPU's memory delivers %.1f GB/s to its %d threads (STREAM triad).",
                x->cpu_triad_gbs, x->machine.cpu.omp_threads);
    if (x->machine.gpu_available) {
        explain_say(x, "The GPU's memory delivers %.1f GB/s (triad), %.1fx the CPU: an operation "
                    "that reads each number once, like x*x on a big tensor, runs about that "
                    "much faster on the GPU and no more, whatever its core count.",
                    x->gpu_triad_gbs, x->gpu_triad_gbs / x->cpu_triad_gbs);
        if (gpu_copy >= 0.8 * memcpy_gbs)
            explain_say(x, "Our STREAM copy kernel reaches %.0f%% of cudaMemcpy's device-to-device "
                        "%.1f GB/s, so these figures are the memory's, not a weak kernel's.",
                        100.0 * gpu_copy / memcpy_gbs, memcpy_gbs);
        else
            explain_say(x, "Our STREAM copy kernel reaches only %.0f%% of cudaMemcpy's "
                        "device-to-device %.1f GB/s: the GPU's memory is faster than these "
                        "kernels show.", 100.0 * gpu_copy / memcpy_gbs, memcpy_gbs);
        explain_say(x, "Data that starts in host memory must cross to the GPU first: at most "
                    "%.1f GB/s (pinned host->GPU), %.0fx slower than the GPU's own memory, and "
                    "even a 4 KiB copy costs %.1f us. Moving the data can cost more than "
                    "computing on it.",
                    h2d, x->gpu_triad_gbs / h2d, small_copy * 1e6);
    } else {
        explain_say(x, "No GPU was measured, so only the CPU side of the comparison is known "
                    "here; run this on a machine with an NVIDIA GPU to see the ratio.");
    }
    explain_section_end(x);
    return WG_OK;
}
