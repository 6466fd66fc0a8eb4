/*
 * explain_roofline.c - the roofline: from each device's measured peaks (FLOP/s) and
 * bandwidth (bytes/s), the ridge point (flops per byte an operation needs to be limited by
 * arithmetic rather than memory), and where the demo's operations fall: the scalar square,
 * x*x on 10^8 elements, and the 10000x10000 matmul in fp32 and in bf16. A device has one
 * ceiling per precision it computes in (CPU: the fp32 FMA peak and the bf16 peak of its
 * dot-product or AMX unit; GPU: cuBLAS in fp32, tf32 and bf16, measured in this run), and
 * each operation sits under the ceiling of the precision it uses. Figures come from
 * earlier sections when they ran; what is missing is measured here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"

static const explain_col device_cols[] = {
    {"device", "device", 8, NULL},
    {"precision", "prec", 5, NULL},
    {"peak_gflops", "peak GFLOP/s", 13, "%.0f"},
    {"peak_source", "peak from", 26, NULL},
    {"bandwidth_gbs", "bandwidth GB/s", 15, "%.1f"},
    {"ridge_flops_per_byte", "ridge flop/byte", 16, "%.1f"},
};

static const explain_col op_cols[] = {
    {"op", "op", 25, NULL},
    {"flops_per_byte", "flop/byte", 10, "%.3g"},
    {"device", "device", 7, NULL},
    {"precision", "prec", 5, NULL},
    {"attainable_gflops", "attainable GFLOP/s", 19, "%.3g"},
    {"bound", "bound by", 9, NULL},
    {"predicted_s", "predicted time", 15, EXPLAIN_SECONDS},
};

/* One ceiling: a device's peak in one precision under its memory slope. */
typedef struct roof {
    const char *device;
    wg_precision precision;
    const char *source; /* what measured the peak */
    double peak;      /* GFLOP/s */
    double bandwidth; /* GB/s */
} roof;

#define MAX_ROOFS 5

typedef struct op {
    const char *name;
    wg_precision precision;
    double flops;
    double bytes; /* the least traffic: inputs read once, output written once */
} op;

/* The GPU's cuBLAS ceilings of TF32 and BF16 (CUDA only): measured in this run, or skipped
 * with the reason (no tensor cores, an OpenCL device). */
static wg_status gpu_precision_ceiling(explain_ctx *x, wg_precision precision, double *gflops)
{
    *gflops = 0;
    const char *name = precision == WG_PRECISION_TF32 ? "cublas-tf32" : "cublas-bf16";
    char key[32], why[320];
    snprintf(key, sizeof key, "gpu_%s", wg_precision_name(precision));
    const wg_kernel *kernel = NULL;
    if (x->gpu.kind != WG_DEVICE_CUDA) {
        snprintf(why, sizeof why, "the OpenCL kernels compute in fp32 only");
    } else if (wg_kernel_find(WG_DEVICE_CUDA, name, &kernel) != WG_OK ||
               wg_kernel_available(kernel, x->gpu.index) != WG_OK) {
        snprintf(why, sizeof why, "%s", wg_error_message());
    } else {
        char label[64];
        snprintf(label, sizeof label, "roofline: GPU matmul (cuBLAS %s)",
                 wg_precision_name(precision));
        explain_progress(x, label);
        return explain_matmul_gflops(x, x->gpu, kernel, NULL, x->quick ? 2048 : 4096, gflops);
    }
    char what[64];
    snprintf(what, sizeof what, "the GPU's %s ceiling", wg_precision_name(precision));
    explain_skip(x, key, what, why);
    return WG_OK;
}

/* The ceiling of `precision` on `device` among the roofs; NULL when it has none. */
static const roof *ceiling_of(const roof *roofs, int count, const char *device,
                              wg_precision precision)
{
    for (int i = 0; i < count; i++)
        if (strcmp(roofs[i].device, device) == 0 && roofs[i].precision == precision)
            return &roofs[i];
    return NULL;
}

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
    /* the bf16 ceilings: the CPU's faster bf16 unit, the GPU's cuBLAS TF32 and BF16 */
    wg_bf16_peak bf16;
    explain_progress(x, "roofline: CPU bf16 peak");
    status = wg_cpu_bf16_peak(0, x->quick ? 0.05 : 0.2, &bf16);
    if (status != WG_OK) return status;
    double gpu_tf32 = 0, gpu_bf16 = 0;
    if (x->machine.gpu_available) {
        status = gpu_precision_ceiling(x, WG_PRECISION_TF32, &gpu_tf32);
        if (status == WG_OK) status = gpu_precision_ceiling(x, WG_PRECISION_BF16, &gpu_bf16);
        if (status != WG_OK) return status;
    }

    /* The fp32 ceilings first (readers of older files take a device's first row). The
     * CPU's fp32 roof is its FMA peak; the matmul shows how much of it a real kernel gets. */
    roof roofs[MAX_ROOFS];
    int roof_count = 0;
    roofs[roof_count++] = (roof){"cpu", WG_PRECISION_FP32, "FMA microbenchmark",
                                 x->cpu_fma_peak_gflops, x->cpu_triad_gbs};
    if (bf16.best >= 0)
        roofs[roof_count++] = (roof){"cpu", WG_PRECISION_BF16,
                                     wg_bf16_unit_name((wg_bf16_unit)bf16.best),
                                     bf16.best_gflops, x->cpu_triad_gbs};
    else
        explain_skip(x, "cpu_bf16", "the CPU's bf16 ceiling", bf16.skipped[WG_BF16_UNIT_DOT]);
    if (x->machine.gpu_available) {
        roofs[roof_count++] = (roof){"gpu", WG_PRECISION_FP32, "cuBLAS SGEMM (FP32)",
                                     x->gpu_gemm_gflops, x->gpu_triad_gbs};
        if (gpu_tf32 > 0)
            roofs[roof_count++] = (roof){"gpu", WG_PRECISION_TF32, "cuBLAS TF32 tensor cores",
                                         gpu_tf32, x->gpu_triad_gbs};
        if (gpu_bf16 > 0)
            roofs[roof_count++] = (roof){"gpu", WG_PRECISION_BF16, "cuBLAS BF16 tensor cores",
                                         gpu_bf16, x->gpu_triad_gbs};
    }

    explain_table_begin(x, "devices", "Each device's ceilings, one per precision (measured "
                        "in this run)", device_cols, 6);
    for (int i = 0; i < roof_count; i++) {
        const explain_val row[] = {STR(roofs[i].device), STR(wg_precision_name(roofs[i].precision)),
                                   NUM(roofs[i].peak), STR(roofs[i].source),
                                   NUM(roofs[i].bandwidth), NUM(roofs[i].peak / roofs[i].bandwidth)};
        explain_table_row(x, device_cols, row, 6);
    }
    explain_table_end(x);

    const op ops[] = {
        {"square 1x1 (x*x)", WG_PRECISION_FP32, 1.0, 8.0},
        {"x*x on 1e8 elements", WG_PRECISION_FP32, 1e8, 8e8},
        /* C = A.B: A, B read, C written; bf16 halves the inputs' bytes, C stays fp32 */
        {"matmul 10000x10000", WG_PRECISION_FP32, 2e12, 3.0 * 1e8 * 4.0},
        {"matmul 10000x10000 bf16", WG_PRECISION_BF16, 2e12, 2.0 * 1e8 * 2.0 + 1e8 * 4.0},
    };
    explain_table_begin(x, "ops", "The demo's operations under the ceiling of their precision",
                        op_cols, 7);
    double intensity_matmul = ops[2].flops / ops[2].bytes;
    for (int o = 0; o < (int)(sizeof ops / sizeof ops[0]); o++) {
        double intensity = ops[o].flops / ops[o].bytes;
        for (int d = 0; d < 2; d++) {
            const roof *ceiling = ceiling_of(roofs, roof_count, d ? "gpu" : "cpu",
                                             ops[o].precision);
            if (!ceiling) continue;
            double memory_roof = intensity * ceiling->bandwidth;
            double attainable = memory_roof < ceiling->peak ? memory_roof : ceiling->peak;
            const char *bound = memory_roof < ceiling->peak ? "memory" : "compute";
            const explain_val row[] = {STR(ops[o].name), NUM(intensity), STR(ceiling->device),
                                       STR(wg_precision_name(ceiling->precision)),
                                       NUM(attainable), STR(bound),
                                       NUM(ops[o].flops / (attainable * 1e9))};
            explain_table_row(x, op_cols, row, 7);
        }
    }
    explain_table_end(x);
    const roof *cpu_bf16 = ceiling_of(roofs, roof_count, "cpu", WG_PRECISION_BF16);
    if (cpu_bf16)
        explain_say(x, "In bf16 the CPU's ceiling is %.0f GFLOP/s (%s), %.1fx its fp32 FMA peak: "
                    "its matrix unit, not its vector FMAs, is where a CPU's bf16 speed comes from.",
                    cpu_bf16->peak, cpu_bf16->source, cpu_bf16->peak / roofs[0].peak);

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
    const roof *gpu_bf16_roof = ceiling_of(roofs, roof_count, "gpu", WG_PRECISION_BF16);
    if (gpu_bf16_roof && cpu_bf16)
        explain_say(x, "Each device's best arithmetic against the other's: bf16 on the GPU "
                    "(%.0f GFLOP/s, cuBLAS) is %.0fx bf16 on the CPU (%.0f GFLOP/s).",
                    gpu_bf16_roof->peak, gpu_bf16_roof->peak / cpu_bf16->peak, cpu_bf16->peak);
    const roof *r1 = ceiling_of(roofs, roof_count, "gpu", WG_PRECISION_FP32);
    if (r1) {
        double gpu_ridge = r1->peak / r1->bandwidth;
        explain_say(x, "The GPU reaches %.0f GFLOP/s in cuBLAS and %.0f GB/s (ridge %.1f flop/"
                    "byte): against the CPU's best matmul (%.0f GFLOP/s) that predicts %.0fx "
                    "the CPU's speed for the matmul, and %.1fx for x*x on a big tensor.",
                    r1->peak, r1->bandwidth, gpu_ridge, x->cpu_gemm_gflops,
                    r1->peak / x->cpu_gemm_gflops, r1->bandwidth / roofs[0].bandwidth);
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
