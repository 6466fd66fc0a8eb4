/*
 * explain_roofline.c - the roofline: from each device's measured peak (FLOP/s) and
 * bandwidth (bytes/s), the ridge point (flops per byte an operation needs to be limited by
 * arithmetic rather than memory), and where the demo's operations fall: the scalar square,
 * x*x on 10^8 elements, and the 10000x10000 matmul. Figures come from earlier sections
 * when they ran; what is missing is measured here.
 */
#include <stdio.h>

#include "explain.h"

static const explain_col device_cols[] = {
    {"device", "device", 8, NULL},
    {"peak_gflops", "peak GFLOP/s", 13, "%.0f"},
    {"peak_source", "peak from", 26, NULL},
    {"bandwidth_gbs", "bandwidth GB/s", 15, "%.1f"},
    {"ridge_flops_per_byte", "ridge flop/byte", 16, "%.1f"},
};

static const explain_col op_cols[] = {
    {"op", "op", 20, NULL},
    {"flops_per_byte", "flop/byte", 10, "%.3g"},
    {"device", "device", 7, NULL},
    {"attainable_gflops", "attainable GFLOP/s", 19, "%.3g"},
    {"bound", "bound by", 9, NULL},
    {"predicted_s", "predicted time", 15, EXPLAIN_SECONDS},
};

typedef struct roof {
    const char *device;
    double peak;      /* GFLOP/s */
    double bandwidth; /* GB/s */
} roof;

typedef struct op {
    const char *name;
    double flops;
    double bytes; /* the least traffic: inputs read once, output written once */
} op;

static wg_status cpu_figures(explain_ctx *x)
{
    wg_status status = WG_OK;
    if (x->cpu_fma_peak_gflops <= 0) {
        explain_progress(x, "roofline: CPU FMA peak");
        status = wg_cpu_fma_peak(NULL, 0, x->quick ? 0.05 : 0.2, &x->cpu_fma_peak_gflops);
    }
    if (status == WG_OK && x->cpu_triad_gbs <= 0) {
        wg_stream_result r;
        int64_t elements = explain_cpu_llc_bytes(x); /* floats: 4x the LLC in bytes */
        if (elements < ((int64_t)32 << 20)) elements = (int64_t)32 << 20;
        explain_progress(x, "roofline: CPU triad");
        status = wg_cpu_stream(WG_STREAM_TRIAD, elements, 0, 10, &r);
        if (status == WG_OK) x->cpu_triad_gbs = r.best_gbs;
    }
    if (status == WG_OK && x->cpu_gemm_gflops <= 0) {
        explain_progress(x, "roofline: CPU matmul");
        status = explain_matmul_gflops(x, wg_cpu(), NULL, NULL, x->quick ? 1024 : 2048,
                                       &x->cpu_gemm_gflops);
    }
    return status;
}

static wg_status gpu_figures(explain_ctx *x)
{
    wg_status status = WG_OK;
    if (x->gpu_gemm_gflops <= 0) {
        explain_progress(x, "roofline: GPU matmul (cuBLAS)");
        const int64_t n = x->gpu.kind == WG_DEVICE_OPENCL ? (x->quick ? 1024 : 2048)
                                                          : (x->quick ? 2048 : 4096);
        status = explain_matmul_gflops(x, x->gpu, explain_gpu_kernel(x, "best"), NULL, n,
                                       &x->gpu_gemm_gflops);
    }
    if (status == WG_OK && x->gpu_triad_gbs <= 0) {
        wg_stream_result r;
        explain_progress(x, "roofline: GPU triad");
        status = explain_gpu_stream(x, WG_STREAM_TRIAD, (int64_t)64 << 20, 0, 0, 10, &r);
        if (status == WG_OK) x->gpu_triad_gbs = r.best_gbs;
    }
    return status;
}

wg_status explain_roofline(explain_ctx *x)
{
    explain_section_begin(x, "roofline", "5. The roofline: which limit each operation hits");
    wg_status status = cpu_figures(x);
    if (status == WG_OK && x->machine.gpu_available) status = gpu_figures(x);
    if (status != WG_OK) return status;

    roof roofs[2];
    int roof_count = 0;
    /* The CPU's roof is its FMA peak; the matmul shows how much of it a real kernel gets. */
    roofs[roof_count++] = (roof){"cpu", x->cpu_fma_peak_gflops, x->cpu_triad_gbs};
    if (x->machine.gpu_available) roofs[roof_count++] = (roof){"gpu", x->gpu_gemm_gflops, x->gpu_triad_gbs};

    explain_table_begin(x, "devices", "Each device's roof (measured in this run)", device_cols, 5);
    for (int i = 0; i < roof_count; i++) {
        const explain_val row[] = {STR(roofs[i].device), NUM(roofs[i].peak),
                                   STR(i == 0 ? "FMA microbenchmark" : "cuBLAS SGEMM (FP32)"),
                                   NUM(roofs[i].bandwidth), NUM(roofs[i].peak / roofs[i].bandwidth)};
        explain_table_row(x, device_cols, row, 5);
    }
    explain_table_end(x);

    const op ops[] = {
        {"square 1x1 (x*x)", 1.0, 8.0},
        {"x*x on 1e8 elements", 1e8, 8e8},
        {"matmul 10000x10000", 2e12, 3.0 * 1e8 * 4.0}, /* C = A.B: A, B read, C written */
    };
    explain_table_begin(x, "ops", "The demo's operations on the roofline", op_cols, 6);
    double intensity_matmul = ops[2].flops / ops[2].bytes;
    for (int o = 0; o < 3; o++) {
        double intensity = ops[o].flops / ops[o].bytes;
        for (int i = 0; i < roof_count; i++) {
            double memory_roof = intensity * roofs[i].bandwidth;
            double attainable = memory_roof < roofs[i].peak ? memory_roof : roofs[i].peak;
            const char *bound = memory_roof < roofs[i].peak ? "memory" : "compute";
            const explain_val row[] = {STR(ops[o].name), NUM(intensity), STR(roofs[i].device),
                                       NUM(attainable), STR(bound),
                                       NUM(ops[o].flops / (attainable * 1e9))};
            explain_table_row(x, op_cols, row, 6);
        }
    }
    explain_table_end(x);

    double cpu_ridge = roofs[0].peak / roofs[0].bandwidth;
    explain_say(x, "The CPU peaks at %.0f GFLOP/s (its best matmul reached %.0f, %.0f%% of it) "
                "and streams %.1f GB/s: an operation needs %.1f flops per byte moved before "
                "arithmetic, not memory, limits it.",
                roofs[0].peak, x->cpu_gemm_gflops, 100.0 * x->cpu_gemm_gflops / roofs[0].peak,
                roofs[0].bandwidth, cpu_ridge);
    explain_say(x, "x*x does 1 flop per 8 bytes (0.125 flop/byte), far left of the ridge: "
                "memory-bound on every device, so the best a GPU can do there is its bandwidth "
                "ratio. The 10000x10000 matmul does %.0f flop/byte, far right of it: "
                "compute-bound, so there the GPU's arithmetic counts in full.",
                intensity_matmul);
    if (x->machine.gpu_available) {
        double gpu_ridge = roofs[1].peak / roofs[1].bandwidth;
        explain_say(x, "The GPU reaches %.0f GFLOP/s in cuBLAS and %.0f GB/s (ridge %.1f flop/"
                    "byte): against the CPU's best matmul (%.0f GFLOP/s) that predicts %.0fx "
                    "the CPU's speed for the matmul, and %.1fx for x*x on a big tensor.",
                    roofs[1].peak, roofs[1].bandwidth, gpu_ridge, x->cpu_gemm_gflops,
                    roofs[1].peak / x->cpu_gemm_gflops, roofs[1].bandwidth / roofs[0].bandwidth);
        if (x->gpu_scalar_resident_s > 0 && x->cpu_scalar_s > 0)
            explain_say(x, "The scalar square is on neither roof: the roofline predicts "
                        "nanoseconds, but the GPU measured %.3g us a call against the CPU's "
                        "%.3g ns. Below some size, launch latency, not flops or bytes, decides.",
                        x->gpu_scalar_resident_s * 1e6, x->cpu_scalar_s * 1e9);
    } else {
        explain_skip(x, "gpu", "the GPU's roof", x->machine.gpu_reason);
        explain_say(x, "The scalar square is on neither roof: the roofline predicts a fraction of "
                    "a nanosecond, and what a call actually costs is overhead (see latency).");
    }
    explain_section_end(x);
    return WG_OK;
}
