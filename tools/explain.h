/*
 * explain.h - what the sections of `whygpu explain` share: the run's options and the
 * machine, the figures later sections build on (the roofline uses the bandwidth and peak
 * measured before it), and one way to report: tables and sentences that come out either
 * as text on the terminal or as JSON, from the same calls.
 */
#ifndef WG_EXPLAIN_H
#define WG_EXPLAIN_H

#include <stdint.h>

#include "progress.h"
#include "recorded.h"
#include "whygpu.h"
#include "whygpu_lab.h"

#define EXPLAIN_MAX_SAYINGS 16

typedef struct explain_ctx {
    /* options */
    int quick;
    int json;
    int gpu_index;
    wg_device gpu; /* the GPU measured: cuda:N or opencl:N (its index is gpu_index) */
    /* the machine; the GPU parts run when machine.gpu_available, else gpu_reason says why */
    wg_machine_facts machine;
    /* figures measured in one section and used by later ones (0 = not measured) */
    double cpu_triad_gbs, gpu_triad_gbs;     /* all cores / full grid */
    double cpu_fma_peak_gflops;              /* all threads, widest ISA */
    double cpu_gemm_gflops, gpu_gemm_gflops; /* the best matmul measured */
    double cpu_scalar_s;                     /* CPU x*x on a 1x1 tensor */
    double gpu_scalar_resident_s;            /* the same on the GPU, result left there */
    double gpu_scalar_copy_back_s;           /* ... and copied back to the host */
    /* reporting */
    wg_json json_out;
    progress progress;
    char *sayings[EXPLAIN_MAX_SAYINGS];
    int saying_count;
    char *skipped_keys[EXPLAIN_MAX_SAYINGS];
    char *skipped_reasons[EXPLAIN_MAX_SAYINGS];
    int skipped_count;
    int failed; /* a measurement failed its validation */
    char last_progress[128];
    /* a reference machine's reading of each section's GPU half (--reference), shown after
     * this machine's, labelled; ref.loaded 0: none */
    recorded ref;
    const char *section_key;
} explain_ctx;

/* A column: JSON key, title on the terminal, width, printf format for numbers (or
 * EXPLAIN_SECONDS: a duration with a fitting unit, "3.2 us"). */
#define EXPLAIN_SECONDS "seconds"
typedef struct explain_col {
    const char *key;
    const char *title;
    int width;
    const char *format;
} explain_col;

/* A cell value. */
typedef struct explain_val {
    enum { VAL_NUM, VAL_STR, VAL_NULL, VAL_BOOL } kind;
    double num;
    const char *str;
} explain_val;

#define NUM(x) ((explain_val){VAL_NUM, (double)(x), NULL})
#define STR(s) ((explain_val){VAL_STR, 0.0, (s)})
#define NOVAL ((explain_val){VAL_NULL, 0.0, NULL})
#define YESNO(b) ((explain_val){VAL_BOOL, (double)((b) != 0), NULL})

/* A section: a heading on the terminal, an object in the JSON. */
void explain_section_begin(explain_ctx *x, const char *key, const char *title);
void explain_section_end(explain_ctx *x);

/* A table inside a section: `title` heads it on the terminal; rows become JSON objects. */
void explain_table_begin(explain_ctx *x, const char *key, const char *title,
                         const explain_col *cols, int count);
void explain_table_row(explain_ctx *x, const explain_col *cols, const explain_val *vals,
                       int count);
void explain_table_end(explain_ctx *x);

/* A single named figure of the section (JSON: "key": value; text: "title: value unit"). */
void explain_figure(explain_ctx *x, const char *key, const char *title, explain_val value,
                    const char *format, const char *unit);

/* A sentence of the section's reading, printed after its tables (JSON: "reading"). */
void explain_say(explain_ctx *x, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* A part of the section that did not run, and why (JSON: "skipped": {key: reason}). */
void explain_skip(explain_ctx *x, const char *key, const char *what, const char *reason);

/* Shows what is being measured (stderr). */
void explain_progress(explain_ctx *x, const char *what);

/* The sections. Each measures, reports, and stores figures in x for later sections.
 * A measurement that fails outright returns its status; a GPU part that cannot run is
 * reported with explain_skip and is not a failure. */
wg_status explain_bandwidth(explain_ctx *x);
wg_status explain_parallelism(explain_ctx *x);
wg_status explain_caches(explain_ctx *x);
wg_status explain_latency(explain_ctx *x);
wg_status explain_roofline(explain_ctx *x);

#endif /* WG_EXPLAIN_H */

/* ---------------------------------------------------------------- shared measuring -- */

/* GFLOP/s of an n x n x n matmul on `device` with `kernel` (median of 3 repeats, checked
 * against float64 on sampled elements: a wrong result is WG_ERR_BACKEND). isa non-NULL
 * (CPU only) forces the CPU instruction set. */
/* The registry's kernel of that name (names that are always registered; NULL if not). */
const wg_kernel *explain_kernel(wg_device_kind kind, const char *name);
wg_status explain_matmul_gflops(explain_ctx *x, wg_device device, const wg_kernel *kernel,
                                const char *isa, int64_t n, double *gflops);

/* The GPU measurements of whygpu_lab.h on x->gpu, CUDA's (wg_gpu_*) or OpenCL's
 * (wg_opencl_*): blocks and threads_per_block are work-groups and their size on OpenCL. */
wg_status explain_gpu_stream(const explain_ctx *x, wg_stream_kernel kernel, int64_t elements,
                             int64_t blocks, int threads_per_block, int trials,
                             wg_stream_result *out);
wg_status explain_gpu_transfer(const explain_ctx *x, int64_t bytes, int to_device, int pinned,
                               int async, int trials, wg_transfer_result *out);
wg_status explain_gpu_memcpy_bandwidth(const explain_ctx *x, int64_t bytes, int trials,
                                       double *best_gbs);
wg_status explain_gpu_read_bandwidth(const explain_ctx *x, int64_t bytes, double min_seconds,
                                     double *gbs);
wg_status explain_gpu_launch_latency(const explain_ctx *x, int launches, wg_launch_latency *out);
/* (gpu-energy) The GPU's SM clock and power right after its figures (NVML), beside them:
 * JSON "key": {available, reason, sm_clock_mhz, ...}; text a line. CUDA GPUs only. */
void explain_gpu_clock(explain_ctx *x, const char *key);
/* The GPU's kernel for a role: "naive" (CUDA coalesced, OpenCL coalesced), "tiled" (CUDA
 * smem-tiled, OpenCL local-tiled), "vendor" (cublas-fp32, clblast) or "best" (cublas-fp32;
 * on OpenCL NULL, auto). */
const wg_kernel *explain_gpu_kernel(const explain_ctx *x, const char *role);

/* Seconds per x*x on a 1x1 tensor on `device` (median); copy_back also reads the result
 * back to the host after each call. */
wg_status explain_scalar_square(wg_device device, int copy_back, double *seconds);

/* The last-level cache of the whole machine: L3 size times the L3 instances (sockets or
 * chiplets); 32 MiB if unknown. STREAM's arrays must be 4x this. */
int64_t explain_cpu_llc_bytes(const explain_ctx *x);

/* Log-spaced sizes from `low` to `high` (bytes), `per_doubling` points per doubling,
 * rounded to multiples of 64 bytes; returns the count (<= max). */
int explain_log_sizes(int64_t low, int64_t high, int per_doubling, int64_t *sizes, int max);
