/*
 * whygpu_lab.h - the public API of whygpu's laboratory: the experiments built on the tensor
 * library of whygpu.h. Measurement (bandwidth, latency, caches, peaks, "time an op and
 * check it against float64"), the size sweep, the GPU matmul ladder, training, and the
 * JSON documents every command writes. The command-line tool (tools/) uses only this
 * header and whygpu.h; nothing under src/ is private to it.
 *
 * Conventions are those of whygpu.h: every call that can fail returns a wg_status with a
 * message in wg_error_message(); nothing here prints or exits.
 */
#ifndef WHYGPU_LAB_H
#define WHYGPU_LAB_H

#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ measurement ======= */

/* The measurements behind `whygpu explain`: memory bandwidth (STREAM), host <-> device
 * transfers, the working-set sweep that shows the caches, launch latency, and the FMA
 * peak. Each returns plain numbers; the CLI turns them into tables and sentences. CPU
 * measurements live in src/measure/, GPU ones in src/cuda/cuda_measure.cu; the wg_gpu_*
 * functions return WG_ERR_NO_DEVICE (with the reason) without CUDA or the device. All
 * timings take the best of several trials after a warm-up, and every kernel's result is
 * validated. */

/* ---------------------------------------------------------------- STREAM ---------- */

/* McCalpin's four kernels, on float32 arrays a, b, c and a scalar q:
 *   copy  c = a        scale b = q*c       add c = a + b       triad a = b + q*c       */
typedef enum wg_stream_kernel {
    WG_STREAM_COPY = 0,
    WG_STREAM_SCALE,
    WG_STREAM_ADD,
    WG_STREAM_TRIAD,
    WG_STREAM_KERNEL_COUNT
} wg_stream_kernel;

const char *wg_stream_kernel_name(wg_stream_kernel kernel);
/* Arrays touched per element, as STREAM counts bytes (2, 2, 3, 3; write-allocate traffic
 * is not counted). */
int wg_stream_arrays(wg_stream_kernel kernel);
/* Floating-point operations per element (0, 1, 1, 2). */
int wg_stream_flops(wg_stream_kernel kernel);

typedef struct wg_stream_result {
    wg_stream_kernel kernel;
    int64_t elements;     /* per array */
    int threads;          /* CPU: OpenMP threads; GPU: threads per block */
    int64_t blocks;       /* GPU: blocks in the grid; CPU: 0 */
    int trials;           /* timed trials (after one untimed warm-up) */
    double bytes;         /* per trial: arrays * elements * 4 */
    double best_s;        /* fastest trial */
    double median_s;
    double best_gbs;      /* bytes / best_s / 1e9 */
    double max_rel_error; /* arrays checked against the values the kernels must produce */
    int valid;            /* max_rel_error within float32 rounding */
} wg_stream_result;

/* Runs `kernel` on three arrays of `elements` floats. threads 0: all OpenMP threads. The
 * arrays are first-touched by the threads that use them. trials >= 1. */
wg_status wg_cpu_stream(wg_stream_kernel kernel, int64_t elements, int threads, int trials,
                        wg_stream_result *out);

/* The same on a GPU: 16-byte (float4) accesses, grid-stride loops. blocks 0: enough to fill
 * the chip; threads_per_block 0: 256. */
wg_status wg_gpu_stream(int device, wg_stream_kernel kernel, int64_t elements, int64_t blocks,
                        int threads_per_block, int trials, wg_stream_result *out);

/* cudaMemcpy device-to-device of `bytes`, the vendor's copy: best GB/s counting the read
 * and the write (2 * bytes per trial), as STREAM's copy does. */
wg_status wg_gpu_memcpy_bandwidth(int device, int64_t bytes, int trials, double *best_gbs);

/* ---------------------------------------------------------------- transfers ------- */

typedef struct wg_transfer_result {
    int64_t bytes;
    int to_device;    /* 1 host->device, 0 device->host */
    int pinned;       /* host buffer from cudaMallocHost (1) or malloc (0) */
    int async;        /* cudaMemcpyAsync timed by events on its stream, the device's time
                       * (1), or cudaMemcpy timed by the host's clock around the call (0) */
    int trials;
    double best_s;
    double median_s;
    double best_gbs;  /* bytes / best_s / 1e9 */
} wg_transfer_result;

/* One host<->device copy of `bytes`: async 1 the device's time for cudaMemcpyAsync (events
 * on its stream, queued behind a gate kernel so the host's submission is not counted);
 * async 0 the host's time around a blocking cudaMemcpy. */
wg_status wg_gpu_transfer(int device, int64_t bytes, int to_device, int pinned, int async,
                          int trials, wg_transfer_result *out);

/* ---------------------------------------------------------------- caches ---------- */

/* Read bandwidth of a buffer of `bytes` read again and again (a sum, vectorised, so the
 * loads are the whole cost) for at least min_seconds; best GB/s of a few trials.
 * CPU: threads 0 = one thread (the caches of one core); bytes >= 4096. */
wg_status wg_cpu_read_bandwidth(int64_t bytes, int threads, double min_seconds, double *gbs);
/* GPU: the whole chip reads the buffer (L1, L2, then HBM as it grows). */
wg_status wg_gpu_read_bandwidth(int device, int64_t bytes, double min_seconds, double *gbs);

/* Load-to-use latency in a working set of `bytes`: a pointer chase through every 64-byte
 * line of the buffer in a random cyclic order, so each load depends on the one before and
 * no prefetcher can guess the next line. Nanoseconds per load, the best of 3 trials of at
 * least min_seconds / 3 each. One thread; bytes >= 4096. Caches differ far more in latency
 * than in bandwidth (on some CPUs L2 and L3 stream at nearly the same rate), so this finds
 * the cache sizes more surely than the read sweep. */
wg_status wg_cpu_load_latency(int64_t bytes, double min_seconds, double *ns);

/* Finds the cache sizes a working-set sweep implies: the sizes after which the bandwidth
 * falls to below `drop` (e.g. 0.7) of the plateau before. sizes ascending, count points;
 * writes up to max_edges sizes (the last size of each plateau) and returns how many. */
int wg_find_cache_edges(const int64_t *sizes, const double *gbs, int count, double drop,
                        int64_t *edges, int max_edges);

/* ---------------------------------------------------------------- latency --------- */

typedef struct wg_launch_latency {
    double launch_and_sync_s; /* an empty kernel, then wait for it: the round trip */
    double launch_only_s;     /* empty kernels queued back to back, per launch */
    double copy_back_s;       /* a 4-byte device->host copy (the result of a scalar op) */
} wg_launch_latency;

wg_status wg_gpu_launch_latency(int device, int launches, wg_launch_latency *out);

/* ---------------------------------------------------------------- on OpenCL ------- */

/* The measurements above on an OpenCL device (opencl:N): STREAM on device memory,
 * host<->device copies (plain and mapped host memory), launch latency (enqueue alone and
 * enqueue + finish) and how compute throughput grows with the number of work-groups
 * (compute-unit scaling). Arguments are checked on every build; without OpenCL each
 * returns WG_ERR_NO_DEVICE saying so. */

/* STREAM with float4 accesses: groups 0 = compute units x 64 work-groups; local_size 0 = 64.
 * a = 1, b = 2, c = 0.5 first; every element is checked afterwards. */
wg_status wg_opencl_stream(int device, wg_stream_kernel kernel, int64_t elements, int64_t groups,
                           int local_size, int trials, wg_stream_result *out);

/* A host<->device copy of `bytes` (clEnqueueWrite/ReadBuffer). pinned 0: host memory from
 * malloc; 1: a mapped CL_MEM_ALLOC_HOST_PTR buffer (the driver's pinned memory). async 0:
 * a blocking call; 1: non-blocking, then clFinish. Timed on the host around the call. */
wg_status wg_opencl_transfer(int device, int64_t bytes, int to_device, int pinned, int async,
                             int trials, wg_transfer_result *out);

/* An empty kernel of one work-item: enqueue + clFinish (the round trip), enqueues back to
 * back (per launch; the queue drained at the end) and a 4-byte read back, each the median
 * of `launches` after a warm-up. */
wg_status wg_opencl_launch_latency(int device, int launches, wg_launch_latency *out);

/* clEnqueueCopyBuffer device-to-device of `bytes`: best GB/s counting read and write. */
wg_status wg_opencl_memcpy_bandwidth(int device, int64_t bytes, int trials, double *best_gbs);

/* Read bandwidth of a working set of `bytes` (a multiple of 16 is read) read again and
 * again by the whole device; best of 5 launches of about min_seconds / 5. */
wg_status wg_opencl_read_bandwidth(int device, int64_t bytes, double min_seconds, double *gbs);

/* One point of the work-group scaling: `groups` work-groups of `local_size` work-items,
 * each running multiply-add chains; GFLOP/s of the best of the trials. */
typedef struct wg_opencl_scaling_point {
    int64_t groups;
    int local_size;
    double best_s;
    double gflops;
} wg_opencl_scaling_point;

/* For each of `count` work-group counts (>= 1); local_size 0 = 64; steps multiply-add steps
 * per work-item (0: 4096). */
wg_status wg_opencl_workgroup_scaling(int device, const int64_t *groups, int count,
                                      int local_size, int steps, int trials,
                                      wg_opencl_scaling_point *out);

/* ---------------------------------------------------------------- peak ------------ */

/* FP32 multiply-add throughput: independent FMA chains in vector registers, enough to
 * cover the latency of the FMA units. isa: "avx512", "avx2", "generic" or NULL for the
 * widest this CPU has; threads 0 = all OpenMP threads. GFLOP/s counts an FMA as 2 flops. */
wg_status wg_cpu_fma_peak(const char *isa, int threads, double min_seconds, double *gflops);

/* --- bf16 peaks (helper bf16-cli) --- */
/* The CPU's bfloat16 units: AVX512-BF16's vdpbf16ps (16 lanes, two products each) and
 * AMX-BF16's tdpbf16ps (a 16x16 tile += 16x32 . 32x16). */
typedef enum wg_bf16_unit { WG_BF16_UNIT_DOT = 0, WG_BF16_UNIT_AMX, WG_BF16_UNIT_COUNT } wg_bf16_unit;
/* "avx512-bf16 vdpbf16ps", "amx-bf16 tdpbf16ps". */
const char *wg_bf16_unit_name(wg_bf16_unit unit);
/* One unit's peak in GFLOP/s (a product-add counts 2): register-only loops timed as
 * wg_cpu_fma_peak times its own. WG_ERR_UNSUPPORTED with the reason where the CPU, the
 * build or Linux (AMX state permission) lacks the unit. */
wg_status wg_cpu_bf16_unit_peak(wg_bf16_unit unit, int threads, double min_seconds,
                                double *gflops);
/* Both units and the faster of them, "the CPU bf16 peak": the denominator of % of peak for
 * bf16 products. A unit that cannot run is a result (skipped[unit] says why), not an error. */
typedef struct wg_bf16_peak {
    double gflops[WG_BF16_UNIT_COUNT];     /* NaN where skipped */
    char skipped[WG_BF16_UNIT_COUNT][256]; /* why not measured ("" when measured) */
    int best;                              /* the faster unit; -1 when neither ran */
    double best_gflops;                    /* NaN when neither ran */
} wg_bf16_peak;
wg_status wg_cpu_bf16_peak(int threads, double min_seconds, wg_bf16_peak *out);
/* --- end bf16 peaks --- */

/* The median of `count` values (1 .. WG_TIMEIT_MAX_REPEAT; NAN otherwise), as wg_timeit
 * takes it over its repeats: for callers that time repeat by repeat themselves. */
double wg_median(const double *values, int count);


/* ---------------------------------------------------------------- time an op, checked */

/* The one way every command times an operation and checks it against float64 before its
 * time is trusted (demo, matmul, sweep, explain): host inputs made once from a seed, the op
 * timed with wg_timeit on a device (the data resident there, or paying the copies a user
 * starting from host memory pays), the output of the last timed call read back and compared
 * with a float64 reference. The output is filled with NaN before the timing, so an element
 * no call writes fails the check. */
typedef enum wg_op_kind {
    WG_OP_MATMUL = 0, /* C = alpha op(A) op(B): op(A) m x k, op(B) k x n, C m x n */
    WG_OP_MUL,        /* out = a * b, m x n elements */
    WG_OP_ADD,        /* out = a + b */
    WG_OP_RELU,       /* out = max(a, 0) */
    WG_OP_KIND_COUNT
} wg_op_kind;

/* "matmul", "mul", "add", "relu". */
const char *wg_op_kind_name(wg_op_kind kind);

#define WG_OP_CHECK_FULL_LIMIT ((int64_t)1 << 30) /* matmul m*n*k checked in full up to this */
#define WG_OP_CHECK_SAMPLES 1024                  /* elements of a larger product sampled */

typedef struct wg_op {
    wg_op_kind kind;
    int64_t m, n, k;     /* k: matmul only */
    int trans_a, trans_b; /* matmul: A stored k x m, B stored n x k */
    int b_is_a;          /* the second operand is the first (x*x, A.A); needs m == n == k */
    uint64_t seed;       /* A uniform in [-1, 1) from seed, B from seed + 1; check positions */
    int check_samples;   /* matmul: elements of C compared; 0: all when m*n*k <= the full
                          * limit, else WG_OP_CHECK_SAMPLES. Elementwise ops: all, always */
    wg_precision precision; /* matmul: the kernels' precision (0: FP32); for the memory plan,
                             * which counts the bf16 copies of A and B a BF16 kernel makes */
} wg_op;

/* An op's host operands, made once and measured on any device. */
typedef struct wg_op_inputs {
    wg_op op;
    wg_tensor *a, *b; /* host; b is NULL for relu and when b_is_a */
    float *result;    /* host: the output read back for the check */
} wg_op_inputs;

wg_status wg_op_inputs_create(const wg_op *op, wg_op_inputs *out);
void wg_op_inputs_free(wg_op_inputs *inputs);

/* Floating-point operations of one call: 2mnk for matmul, one per element otherwise. */
double wg_op_flops(const wg_op *op);

typedef struct wg_op_result {
    int measured;
    const wg_kernel *kernel; /* matmul: the kernel that ran (auto resolved); else NULL */
    wg_timeit_result time;
    double check_error;    /* the largest relative error against float64: matmul relative
                            * to |alpha| sum |a b| (wg_gemm_sampled_error), elementwise to
                            * the exact value; infinite when an element is NaN */
    double check_bound;    /* matmul: wg_precision_error_bound of the kernel's precision at k;
                            * elementwise: one float32 rounding */
    int64_t check_samples; /* elements compared */
    int check_full;        /* 1: every element of the output */
    int64_t not_finite;    /* elements of the whole output that are NaN or infinite */
    int check_passed;      /* check_error <= check_bound and not_finite == 0 */
} wg_op_result;

/* How the op is timed on the device. */
typedef struct wg_op_run {
    wg_device device;
    const wg_kernel *kernel; /* matmul: a kernel of the device's registry; NULL: auto */
    int with_copies;         /* GPU: each timed call also copies the inputs in and the output
                              * back, as a user starting from host memory pays */
    const wg_timeit_options *timing; /* NULL: wg_timeit's defaults */
    int fail_on_check;       /* 1: a failed check is returned as WG_ERR_BACKEND, saying the
                              * error and the bound (for callers that only want a rate) */
} wg_op_run;

/* Times the op and checks it: *out gets the time and the check, whether or not it passed
 * (a failed check is a result, not an error, unless run->fail_on_check). Device buffers
 * are made before the timing. */
wg_status wg_op_measure(const wg_op_inputs *inputs, const wg_op_run *run, wg_op_result *out);

/* The check wg_op_measure ends with, on its own: inputs->result (host) against float64.
 * Sets out's check_error, check_samples, check_full, check_bound (the precision of
 * out->kernel for matmul, FP32 when it is NULL), not_finite and check_passed. */
void wg_op_check(const wg_op_inputs *inputs, wg_op_result *out);

/* ---------------------------------------------------------------- energy (gpu-energy) */
/* Energy meters (src/measure/energy.c): started before a measurement and stopped after it,
 * they give the joules it took and the average watts. GPU: NVML's total-energy counter
 * (libnvidia-ml opened at run time with dlopen; $WHYGPU_NVML names another library), plus
 * the SM clock and board power at the end. CPU: RAPL's package counters in
 * /sys/class/powercap ($WHYGPU_POWERCAP names another folder), wraparound handled. Where a
 * counter cannot be read the meter says why (no driver, no powercap in a VM, root-only);
 * absence is a result, not an error: only NULL arguments fail. */
#define WG_ENERGY_REASON 400
#define WG_ENERGY_PATH 256
#define WG_RAPL_MAX_PACKAGES 8
/* Windows shorter than this are marked rough: the counters update every few to tens of
 * milliseconds. */
#define WG_ENERGY_MIN_SECONDS 0.5

/* One GPU's clock and power now (NVML). NaN for what NVML does not report. */
typedef struct wg_gpu_power {
    int available;                 /* 0: reason says why */
    char reason[WG_ENERGY_REASON];
    double sm_clock_mhz, sm_clock_max_mhz;
    double power_watts, power_limit_watts; /* board power (nvmlDeviceGetPowerUsage: a 1 s
                                            * average on Ampere and newer but GA100, H100
                                            * included); the enforced limit */
    double temperature_c;
} wg_gpu_power;

typedef struct wg_energy_meter {
    wg_device device;
    int available;                 /* 0: reason says why */
    char reason[WG_ENERGY_REASON];
    char source[8];                /* "nvml" or "rapl" */
    double start_s;                /* wg_now() at the start */
    /* RAPL */
    char root[WG_ENERGY_PATH];
    int packages;
    char rapl_zone[WG_RAPL_MAX_PACKAGES][32];
    uint64_t rapl_range_uj[WG_RAPL_MAX_PACKAGES], rapl_start_uj[WG_RAPL_MAX_PACKAGES];
    /* NVML */
    void *nvml_device;
    uint64_t nvml_start_mj;
} wg_energy_meter;

typedef struct wg_energy_reading {
    int available;                 /* joules, seconds, average_watts are valid */
    char reason[WG_ENERGY_REASON]; /* why not; when available, "" or a note ("rough: ...") */
    char source[8];                /* "nvml", "rapl" */
    double joules, seconds, average_watts;
    double sm_clock_mhz, power_watts; /* GPU: at the stop; NaN otherwise */
} wg_energy_reading;

/* Starts a meter for `device`: NVML for cuda:N, RAPL for the CPU, unavailable (with the
 * reason) for other devices. */
wg_status wg_energy_start(wg_device device, wg_energy_meter *meter);
/* The CPU meter reading RAPL under `root` (NULL: $WHYGPU_POWERCAP or /sys/class/powercap). */
wg_status wg_energy_start_rapl(const char *root, wg_energy_meter *meter);
/* Reads the counters again: the joules since the start. */
wg_status wg_energy_stop(wg_energy_meter *meter, wg_energy_reading *out);

/* end - start of a counter that wraps to 0 after `range` (RAPL's max_energy_range_uj; 0:
 * never wraps). A start above the range, or a wrap with range 0, gives 0 (unreadable). */
uint64_t wg_energy_counter_delta(uint64_t start, uint64_t end, uint64_t range);

/* A reading's energy per unit of work; NaN where the reading or the count is missing. */
typedef struct wg_energy_work {
    double joules_per_step, joules_per_image, images_per_joule;
} wg_energy_work;
void wg_energy_per_work(const wg_energy_reading *reading, double steps, double images,
                        wg_energy_work *out);
/* The energy of `seconds` at a window's average power (per-call energy from a window that
 * also held warm-up calls: average watts x time per call). out may be window. */
wg_status wg_energy_scaled(const wg_energy_reading *window, double seconds,
                           wg_energy_reading *out);

/* The SM clock and power of cuda:device now; unavailable with the reason without NVML. */
wg_status wg_gpu_power_get(int device, wg_gpu_power *out);
/* "SM 1980/1980 MHz, 650 W of 700 W, 61 C" or "clock/power unavailable: reason". */
void wg_gpu_power_format(const wg_gpu_power *power, char *buf, size_t size);
/* "12.3 J in 2.01 s, 612 W average (nvml), 0.05 J/step, 0.2 mJ/image, 5000 images/J, SM
 * clock 1980 MHz at the end" or "energy unavailable (rapl): reason". steps, images <= 0:
 * left out. */
void wg_energy_format(const wg_energy_reading *reading, double steps, double images,
                      char *buf, size_t size);
/* As JSON objects (docs/json.md, "Energy and clock"): {available, reason, sm_clock_mhz,
 * sm_clock_max_mhz, power_watts, power_limit_watts, temperature_c} and {source, available,
 * reason, joules, seconds, average_watts, sm_clock_mhz, power_watts, joules_per_step,
 * joules_per_image, images_per_joule}. */
struct wg_json;
void wg_json_gpu_power(struct wg_json *json, const wg_gpu_power *power);
void wg_json_energy(struct wg_json *json, const wg_energy_reading *reading, double steps,
                    double images);
/* ---------------------------------------------------------------- end of energy ---- */

/* ================================================================ sweep ============= */

/* The size sweep behind `whygpu sweep`: one operation timed at log-spaced sizes on the
 * CPU, on the GPU with its data resident, and on the GPU including the copies, to find
 * where the GPU starts to win. The arithmetic (grid, crossover, budget planner, memory) is
 * pure and unit-tested without a device (sweep_plan.c); the measuring is sweep_run.c. */

/* ---------------------------------------------------------------- ops and columns - */

typedef enum wg_sweep_op {
    WG_SWEEP_MATMUL = 0, /* C = A . B, n x n: size is n */
    WG_SWEEP_MUL,        /* out = a * b: size is the element count */
    WG_SWEEP_ADD,        /* out = a + b */
    WG_SWEEP_RELU,       /* out = max(x, 0) */
    WG_SWEEP_MLP_STEP,   /* one SGD training step of the 784-512-256-10 MLP: size is the batch */
    WG_SWEEP_OP_COUNT
} wg_sweep_op;

const char *wg_sweep_op_name(wg_sweep_op op);
/* "matmul", "mul", "add", "relu", "mlp-step"; WG_ERR_ARGUMENT naming the text otherwise. */
wg_status wg_sweep_op_parse(const char *text, wg_sweep_op *out);

typedef enum wg_sweep_column {
    WG_SWEEP_CPU = 0,        /* inputs and output in host memory */
    WG_SWEEP_GPU,            /* inputs and output already in GPU memory */
    WG_SWEEP_GPU_COPIES,     /* host inputs copied to the GPU, op, output copied back */
    WG_SWEEP_COLUMN_COUNT
} wg_sweep_column;

/* JSON keys: "cpu", "gpu", "gpu_with_copies". */
const char *wg_sweep_column_key(wg_sweep_column column);

/* Floating-point operations of one call (matmul 2n^3; elementwise one per element; an MLP
 * step about 6 x batch x the weights: forward, and the two products of the backward). */
double wg_sweep_flops(wg_sweep_op op, int64_t size);
/* Bytes one call must at least read and write (inputs once, output once). */
double wg_sweep_traffic_bytes(wg_sweep_op op, int64_t size);
/* How the work of one call grows with size: 3 for matmul, 1 for the others. */
int wg_sweep_work_exponent(wg_sweep_op op);

/* ---------------------------------------------------------------- the grid -------- */

#define WG_SWEEP_MAX_POINTS 64

/* Log-spaced whole sizes from low to high, both exact, `points` requested (2..64; 1 only
 * when low == high). Rounding can make neighbours equal at the small end: duplicates are
 * dropped, so *count <= points and sizes are strictly increasing. `sizes` holds
 * WG_SWEEP_MAX_POINTS entries. */
wg_status wg_sweep_grid(int64_t low, int64_t high, int points, int64_t *sizes, int *count);

/* ---------------------------------------------------------------- crossover ------- */

typedef enum wg_crossover_state {
    WG_CROSSOVER_NO_DATA = 0, /* fewer than one point with both times finite and > 0 */
    WG_CROSSOVER_FOUND,       /* the GPU loses below `size` and wins at every point above */
    WG_CROSSOVER_GPU_ALWAYS,  /* the GPU wins at every measured size: at or below sizes[0] */
    WG_CROSSOVER_NEVER        /* the GPU does not win at the largest measured size */
} wg_crossover_state;

const char *wg_crossover_state_name(wg_crossover_state state);

typedef struct wg_crossover {
    wg_crossover_state state;
    double size;       /* FOUND: interpolated; GPU_ALWAYS: smallest valid size; NEVER: largest */
    int64_t below;     /* FOUND: the grid points either side (else both = size's point) */
    int64_t above;
    int valid_points;  /* points with both times finite and > 0 */
} wg_crossover;

/* Where the GPU starts to win, from times per call at ascending sizes: the ratio
 * r = cpu / gpu is taken at each point whose two times are finite and > 0 (others are
 * skipped); the crossover is the last interval where r goes from < 1 to >= 1 after which
 * r stays >= 1, interpolated linearly in log(size) vs log(r). */
wg_status wg_sweep_crossover(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                             int count, wg_crossover *out);

/* The largest cpu / gpu over the valid points: *speedup and *at_size, or NaN and -1 when
 * there is none. */
void wg_sweep_best_speedup(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                           int count, double *speedup, int64_t *at_size);

/* ---------------------------------------------------------------- the budget ------ */

/* Seconds wg_timeit takes for a call of `call_s` with these settings, following its rules:
 * a warm-up call, a second one when the first lasted [min_repeat_s, 10 min_repeat_s),
 * auto-range by powers of ten to min_repeat_s, then `repeat` repeats of that many loops. */
double wg_sweep_timeit_cost(double call_s, double min_repeat_s, int repeat);

/* The per-call time expected at `size` from the time measured at `known_size` (work
 * scaling with size^exponent). Timing at small sizes is mostly fixed cost, so this
 * over-estimates: the planner errs on the safe side. NaN/<= 0 known time gives 0 (unknown). */
double wg_sweep_extrapolate(int64_t known_size, double known_s, int64_t size, int exponent);

/* Seconds to make (and free) the inputs of a point at `size`, from the seconds it took at
 * `known_size`, scaled by the host memory the two need; 0 when nothing is known yet. */
double wg_sweep_setup_estimate(wg_sweep_op op, int64_t known_size, double known_s, int64_t size);

typedef struct wg_sweep_plan {
    int skip;            /* 1: even the cheapest setting does not fit what is left */
    int repeat;          /* for wg_timeit_options */
    double min_repeat_s;
    int64_t loops;       /* calls per repeat: ceil(min_repeat_s / estimate); 0 (auto-range)
                          * when the call's time is unknown */
    double estimate_s;   /* the expected cost with these settings */
} wg_sweep_plan;

#define WG_SWEEP_MIN_REPEAT_FLOOR_S 0.002
#define WG_SWEEP_MIN_REPEATS 3

/* The cost of timing a call of `call_s` with `repeat` repeats of `loops` calls each (a
 * fixed count: timeit then makes one warm-up call and no auto-range). */
double wg_sweep_fixed_loops_cost(double call_s, int64_t loops, int repeat);

/* Chooses timeit settings for the next cell: the best-quality setting (7, 5 then 3
 * repeats; min_repeat_s from 0.2 s halving down to 2 ms) whose cost fits this cell's share,
 * budget_left_s / cells_left, capped at share_cap_s (> 0; 0: no cap) so that small, cheap
 * cells early in a sweep leave time for the large ones after them; if none fits, the
 * cheapest, unless its cost exceeds all of budget_left_s: then skip. With an estimate the
 * loop count is fixed at ceil(min_repeat_s / estimate): timeit's powers-of-ten auto-range
 * could make a repeat up to 10x longer than planned when the call is a little faster than
 * estimated. call_estimate_s 0 means unknown: auto-range, cost assumed for a tiny call. */
wg_status wg_sweep_plan_cell(double call_estimate_s, double budget_left_s, int cells_left,
                             double share_cap_s, wg_sweep_plan *out);

/* ---------------------------------------------------------------- memory ---------- */

/* Bytes of host memory a point needs: inputs, output, and the copy read back from the GPU
 * for the check. */
double wg_sweep_host_bytes(wg_sweep_op op, int64_t size);
/* Bytes of device memory a GPU column needs: inputs and output. */
double wg_sweep_device_bytes(wg_sweep_op op, int64_t size);
/* Bytes a matmul kernel adds on its device: the bf16 copies of both inputs that a BF16
 * kernel's prepared product makes (wg_gemm_prepare); 0 for other kernels, NULL and ops. */
double wg_sweep_kernel_copy_bytes(wg_sweep_op op, int64_t size, const wg_kernel *kernel);

/* 1 when `need` bytes fit in `available` less `reserve`; available < 0 (unknown) fits. */
int wg_sweep_fits(double need, int64_t available, double reserve);

/* ---------------------------------------------------------------- measuring ------- */

/* One point's inputs, random from a seed, in host memory. */
typedef struct wg_sweep_inputs {
    wg_sweep_op op;
    int64_t size;
    uint64_t seed;
    wg_op_inputs data; /* matmul, mul, add, relu: the operands, in [-1, 1) (wg_op_measure) */
    wg_tensor *batch;  /* mlp-step: the batch of "images", in [0, 1) */
    uint8_t *labels;   /* mlp-step: the batch's labels, 0..9 */
} wg_sweep_inputs;

wg_status wg_sweep_inputs_create(wg_sweep_op op, int64_t size, uint64_t seed,
                                 wg_sweep_inputs *out);
void wg_sweep_inputs_free(wg_sweep_inputs *inputs);

typedef struct wg_sweep_cell {
    int measured;
    wg_timeit_result time;
    double check_error;     /* largest relative error against float64 */
    double check_tolerance;
    int check_passed;
    wg_precision precision; /* the arithmetic used: matmul's kernel's; FP32 for the others */
    /* (gpu-energy) mlp-step: the energy of one call (the timing's average power x the
     * median), with the SM clock and power at its end on a GPU; others: not measured */
    wg_energy_reading energy;
} wg_sweep_cell;

/* Times the op on one column (`gpu` names the device of the GPU columns) with `timing`,
 * then checks the output of the last call against float64 (wg_op_measure: every element
 * for the elementwise ops, 64 sampled elements of the matmul). Device buffers are
 * allocated before timing, so the copies column times only the copies. `kernel`: the
 * matmul kernel of the columns on its device kind (the others use auto); NULL: auto. */
wg_status wg_sweep_measure(const wg_sweep_inputs *inputs, wg_sweep_column column,
                           wg_device gpu, const wg_kernel *kernel,
                           const wg_timeit_options *timing, wg_sweep_cell *out);

/* The MLP's layer sizes (784-512-256-10, Fashion-MNIST's) and its weights, for mlp-step. */
#define WG_SWEEP_MLP_LAYERS 3
extern const int64_t wg_sweep_mlp_sizes[WG_SWEEP_MLP_LAYERS + 1];
int64_t wg_sweep_mlp_weights(void);

/* wg_sweep_measure for mlp-step (sweep_mlp.c): one training step on the batch, timed; the
 * CPU column: the new parameters finite and changed (the MLP itself is checked against
 * float64 finite differences in tests/test_mlp.c); the GPU columns: the parameters after one
 * step from the same start against the CPU's. The copies column copies the batch in. */
wg_status wg_sweep_measure_mlp_step(const wg_sweep_inputs *inputs, wg_sweep_column column,
                                    wg_device gpu, const wg_timeit_options *timing,
                                    wg_sweep_cell *out);


/* ---------------------------------------------------------------- the whole sweep - */

/* What a size counts, in a sentence ("n", "batch", "size") and as the unit of a document
 * ("n (n x n matrices)", "batch rows (784-512-256-10 MLP)", "elements"). */
const char *wg_sweep_size_name(wg_sweep_op op);
const char *wg_sweep_size_unit(wg_sweep_op op);

/* A cell as the sweep names it: "matmul n = 64 on cpu", "... on cuda:0 with copies". */
void wg_sweep_cell_label(wg_sweep_op op, int64_t size, wg_sweep_column column, wg_device gpu,
                         char *buf, size_t length);

/* Host and device memory a point leaves free for everything else. */
#define WG_SWEEP_MEMORY_RESERVE_BYTES (256.0 * 1024 * 1024)

typedef struct wg_sweep_request {
    wg_sweep_op op;
    int64_t low, high;       /* the sizes (wg_sweep_grid) */
    int points;
    double budget_s;         /* > 0: the measurements' time budget */
    uint64_t seed;
    wg_device gpu;           /* the device of the GPU columns */
    int gpu_columns;         /* 1: measure the GPU columns; 0: gpu_reason says why not */
    const char *gpu_reason;
    const wg_kernel *cpu_kernel, *gpu_kernel; /* matmul kernels; NULL: auto */
    /* Told of each cell: done 0 as it starts (label: "matmul n = 64 on cpu"), done 1 when it
     * ends, with `failure` its reason when it failed or gave a wrong result. Optional. */
    void (*on_cell)(void *context, const char *label, int done, const char *failure);
    wg_timeit_progress_fn progress; /* timeit's phases of the current cell; optional */
    void *context;           /* for on_cell and progress */
} wg_sweep_request;

typedef struct wg_sweep_cell_result {
    int measured;     /* timed and the check passed */
    char reason[640]; /* why not: "no GPU: ...", "skipped: ...", "does not fit ...", "failed: ..." */
    wg_sweep_cell cell;
} wg_sweep_cell_result;

typedef struct wg_sweep_point {
    int64_t size;
    wg_sweep_cell_result col[WG_SWEEP_COLUMN_COUNT];
} wg_sweep_point;

typedef struct wg_sweep_result {
    int count;
    wg_sweep_point points[WG_SWEEP_MAX_POINTS];
    wg_crossover crossover[WG_SWEEP_COLUMN_COUNT]; /* of the two GPU columns */
    double best_speedup[WG_SWEEP_COLUMN_COUNT];
    int64_t best_speedup_size[WG_SWEEP_COLUMN_COUNT];
    double elapsed_s;
    int failed;       /* a measurement failed or a check did not pass */
    int budget_skips; /* cells skipped to keep the budget */
} wg_sweep_result;

/* Runs the whole sweep: every size of the grid, each column planned to fit what is left of
 * the budget (a cell that cannot is skipped with its reason), timed and checked, then the
 * crossover and the best speed-up of each GPU column. Cells that fail are results with
 * their reasons (and out->failed); only bad arguments are returned as errors. */
wg_status wg_sweep_run(const wg_sweep_request *request, wg_sweep_result *out);

/* ================================================================ ladder ============ */

/* The GPU matmul ladder: eleven CUDA SGEMM kernels, from one thread per output to tensor
 * cores, each a small step from the one before (docs/ladder.md), and the cuBLAS figure of
 * each precision they are compared with. Each rung is an entry of the CUDA kernel registry
 * (wg_kernel_find(WG_DEVICE_CUDA, rung->name, ...)), whose summary says what it changes.
 *
 *   1 naive         one thread per output, threadIdx.x along rows: uncoalesced
 *   2 coalesced     threadIdx.x along columns: a warp reads one row segment of B
 *   3 smem-tiled    32x32 tiles of A and B in shared memory
 *   4 regblock-1d   a thread computes 8 outputs of a column (registers)
 *   5 regblock-2d   a thread computes 8x8 outputs; 16-byte vector loads
 *   6 warptile      warp tiles and a double-buffered cp.async pipeline
 *   7 wmma-tf32     tensor cores (WMMA), TF32 inputs, FP32 accumulation
 *   8 wmma-bf16     tensor cores (WMMA), BF16 inputs, FP32 accumulation
 *   9 wgmma-bf16    Hopper (sm_90a): TMA + mbarrier ring + wgmma from shared memory, BF16
 *  10 wgmma-tf32    the same on FP32 inputs read as TF32
 *  11 wgmma-cluster rung 9 in 2-CTA clusters sharing B by TMA multicast, persistent grid */

#define WG_LADDER_RUNGS 11

typedef struct wg_ladder_rung {
    int number;             /* 1 .. WG_LADDER_RUNGS */
    const char *name;       /* its registry name, e.g. "regblock-2d" */
    wg_precision precision; /* compared with the cuBLAS entry of this precision */
    const char *reason;     /* the reason it exploits: "bandwidth", "parallelism",
                               "caches/shared memory/registers" or "tensor cores" */
    /* Tile of C per block (block_m x block_n) and step along k; for rungs 1-2 the rows and
     * columns of C one block covers. */
    int block_m, block_n, block_k;
    unsigned threads_x, threads_y; /* threads per block */
    int vector_bytes;       /* 16 when the rung uses 16-byte loads where alignment allows */
    /* Predicted TFLOP/s on an H100 SXM at n = 4096 and 8192 (docs/ladder.md derives them). */
    double predicted_tflops_4096, predicted_tflops_8192;
} wg_ladder_rung;

/* The Frobenius relative error bound vs float64: fp32 1e-5, tf32 2e-3, bf16 1e-2. */
double wg_ladder_error_bound(wg_precision precision);
/* The name the ladder's table and JSON give the cuBLAS reference of a precision:
 * "cublas-fp32-pedantic", "cublas-tf32", "cublas-bf16" (registry: cublas-fp32, ...). */
const char *wg_ladder_cublas_name(wg_precision precision);

/* The rung with this number, or NULL outside 1 .. WG_LADDER_RUNGS. */
const wg_ladder_rung *wg_ladder_rung_find(int number);
/* The same with an error naming the bad number (WG_ERR_ARGUMENT). */
wg_status wg_ladder_rung_get(int number, const wg_ladder_rung **out);
/* Parses a rung number ("1" .. "8") or name ("naive", "wmma-bf16", ...). */
wg_status wg_ladder_parse(const char *text, int *rung);

/* The rung the library would use as its best CUDA kernel instead of cuBLAS: 0 means
 * cuBLAS (the default now). Changing it is a one-line change in ladder.c. */
int wg_ladder_default_rung(void);

/* The ladder's result check: C against a float64 reference, as a Frobenius relative error
 * ||C - R|| / ||R||, over every element when m*n*k <= WG_LADDER_CHECK_FULL_LIMIT and over
 * WG_LADDER_CHECK_SAMPLES elements otherwise (the four corners, the first element past the
 * last full 128x128 tile, then pseudo-random ones from the seed), plus a count of the
 * elements of C that are not finite (C is poisoned with NaN before the checked run, so an
 * unwritten element shows up there). */
#define WG_LADDER_CHECK_FULL_LIMIT ((int64_t)1 << 30)
#define WG_LADDER_CHECK_SAMPLES 1024

typedef struct wg_ladder_reference {
    int64_t count;   /* positions checked */
    int full;        /* 1: every element of C */
    int64_t *row, *col;
    double *value;   /* alpha * op(A) op(B) at each position, in float64 (beta is 0) */
} wg_ladder_reference;

typedef struct wg_ladder_check_result {
    double relative_error;   /* Frobenius, over the reference's positions; inf if NaN */
    int64_t not_finite;      /* elements of the whole m x n C that are NaN or infinite */
} wg_ladder_check_result;

/* The reference of C = alpha op(A) op(B) for host matrices (pointers of host_args);
 * WG_ERR_NO_MEMORY if its arrays cannot be allocated. */
wg_status wg_ladder_reference_make(const wg_gemm_args *host_args, uint64_t seed,
                                   wg_ladder_reference *out);
void wg_ladder_reference_free(wg_ladder_reference *ref);
/* Checks host C (m x n, leading dimension ldc) against the reference. */
void wg_ladder_check(const wg_ladder_reference *ref, const float *c, int64_t m, int64_t n,
                     int64_t ldc, wg_ladder_check_result *out);

/* One run of the ladder at one size: C = A.B with A, B fresh uniform random n x n matrices
 * in [-1, 1). Each entry (a rung, or the cuBLAS reference of a precision) is first probed
 * at a small size (WG_LADDER_PROBE_SIZE) to estimate one call at n; an entry whose call
 * would take longer than max_call_s is skipped and says why. Otherwise C is poisoned with
 * NaN, the entry runs once (inputs prepared with wg_gemm_prepare, BF16 copies made outside
 * any timing) and is checked, then timed with wg_timeit. */
#define WG_LADDER_ENTRIES (WG_LADDER_RUNGS + 3)
#define WG_LADDER_PROBE_SIZE 1024

typedef struct wg_ladder_entry {
    const wg_kernel *kernel;   /* its registry entry (CUDA, or OpenCL on opencl:N) */
    int rung;                  /* the rung, or for cuBLAS the rung of its precision */
    int use_cublas;
    const char *name;          /* the rung's name, or wg_ladder_cublas_name */
    wg_precision precision;
    int measured;
    char skipped[256];         /* why not measured ("" if measured) */
    double probe_s;            /* one call at the probe size, 0 if not probed */
    double estimate_s;         /* one call at n, from the probe */
    wg_timeit_result time;
    double tflops;             /* NaN if not measured */
    double percent_of_cublas;  /* NaN for cuBLAS itself or when either is missing */
    wg_ladder_check_result check;
    double bound;              /* wg_ladder_error_bound of its precision */
    int check_passed;
} wg_ladder_entry;

typedef struct wg_ladder_result {
    int64_t n;
    int full_check;            /* every element of C checked (else sampled) */
    int64_t check_elements;
    int count;                 /* entries, in the table's order: rungs 1-6, cuBLAS FP32,
                                  rung 7, cuBLAS TF32, rung 8, cuBLAS BF16 */
    wg_ladder_entry entries[WG_LADDER_ENTRIES];
} wg_ladder_result;

/* Told when an entry starts and ends its timing (for progress display). */
typedef void (*wg_ladder_entry_fn)(void *context, const wg_ladder_result *run,
                                   const wg_ladder_entry *entry, int started);

typedef struct wg_ladder_options {
    wg_device device;          /* cuda:N, or opencl:N (the OpenCL ladder's rungs and CLBlast) */
    int64_t n;
    uint64_t seed;             /* A from seed, B from seed + 1 */
    int repeat;                /* wg_timeit repeats; 0: its default (3 s budget per entry) */
    double max_call_s;         /* skip entries whose estimated call is longer; 0: 10 s */
    const wg_kernel *only;     /* NULL: every entry; else it and its precision's cuBLAS */
    wg_timeit_progress_fn progress; /* passed to wg_timeit, with progress_context */
    void *progress_context;
    wg_ladder_entry_fn on_entry;    /* with progress_context; may be NULL */
    /* --- bf16-cli: ladder --dtype --- */
    int precision_only;        /* 1: only the entries (rungs and vendor) of `precision` */
    wg_precision precision;
} wg_ladder_options;

/* Runs the ladder at one size. A failed check is a result (check_passed 0), not an error;
 * a device, memory (WG_ERR_NO_MEMORY when A, B, C and the BF16 copies do not fit in the
 * GPU's free memory or the host's) or kernel failure is returned as such. */
wg_status wg_ladder_measure(const wg_ladder_options *options, wg_ladder_result *out);

/* ================================================================ training ========== */

/* Training a multilayer perceptron (linear layers, ReLU between them, softmax
 * cross-entropy) on a labelled image set, on the CPU or a GPU with one code path; the
 * CPU-vs-GPU comparison of the same steps; classifying one image with a saved model. */

/* Where Debian's dataset-fashion-mnist package puts the files. */
#define WG_FASHION_MNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define WG_FASHION_MNIST_CLASSES 10

#define WG_MLP_MAX_LAYERS 8
/* Labels are bytes. */
#define WG_MLP_MAX_CLASSES 256
#define WG_MLP_MAX_WIDTH ((int64_t)1 << 20)

/* A labelled image set in host memory. */
typedef struct wg_dataset {
    int64_t count;      /* images */
    int64_t rows, cols; /* 28 x 28 */
    int64_t features;   /* rows * cols */
    float *images;      /* count x features, pixel / 255 in [0, 1], host memory */
    uint8_t *labels;    /* count entries, each < classes */
    int classes;        /* 10 */
} wg_dataset;

/* train = 1: the 60000 training images; 0: the 10000 test images. dir NULL: the default.
 * Each file is looked for under its standard name (train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), plain first,
 * then with ".gz". Image and label counts must match and every label must be < 10. On
 * failure *out is zeroed and the message names the directory or file and the problem. */
wg_status wg_dataset_load_fashion_mnist(const char *dir, int train, wg_dataset *out);
/* Frees and zeroes; NULL and zeroed are fine. */
void wg_dataset_free(wg_dataset *d);
/* "T-shirt/top", "Trouser", ... "Ankle boot"; "unknown" outside 0..9. */
const char *wg_fashion_mnist_class_name(int label);

typedef enum wg_optimizer_kind { WG_OPTIMIZER_SGD = 0, WG_OPTIMIZER_ADAM = 1 } wg_optimizer_kind;

typedef struct wg_optimizer {
    wg_optimizer_kind kind;
    float momentum;          /* SGD (0 is plain SGD) */
    float beta1, beta2, eps; /* Adam */
} wg_optimizer;

/* "sgd" / "adam", and parsing of them. */
const char *wg_optimizer_name(wg_optimizer_kind kind);
wg_status wg_optimizer_parse(const char *text, wg_optimizer_kind *out);

typedef enum wg_lr_schedule {
    WG_LR_CONSTANT = 0,
    WG_LR_COSINE, /* lr * (1 + cos(pi * step / total)) / 2: from lr down to 0 at the end */
    WG_LR_STEP    /* lr, then lr / 10 from half-way, lr / 100 from three quarters */
} wg_lr_schedule;

const char *wg_lr_schedule_name(wg_lr_schedule schedule);
wg_status wg_lr_schedule_parse(const char *text, wg_lr_schedule *out);
/* The learning rate of step `step` (0-based) of `total`. */
float wg_lr_at(wg_lr_schedule schedule, float lr, int64_t step, int64_t total);

/* ---- gpu-step (#20 item 1): the training step as a CUDA graph ---- */
/* ON (the default): on a CUDA device each step is captured once into a CUDA graph (one for
 * the full batch, one for the epoch's last shorter batch) and replayed, falling back to
 * launching the step's kernels one by one, with the reason kept, when capture fails;
 * other devices always run eagerly. OFF: eagerly everywhere. */
typedef enum wg_graph_mode { WG_GRAPH_ON = 0, WG_GRAPH_OFF } wg_graph_mode;
const char *wg_graph_mode_name(wg_graph_mode mode); /* "on", "off" */
wg_status wg_graph_mode_parse(const char *text, wg_graph_mode *out);
/* ---- end gpu-step ---- */

/* ---- gpu-epilogue (#20 item 1): cuBLASLt fused epilogues in the GPU step ---- */
/* LT (the default): on a CUDA device, fp32, the forward products add the bias and apply
 * ReLU (writing ReLU's mask) and the backward products apply the mask and sum the bias
 * gradient in cuBLASLt's epilogues, instead of separate kernels; OWN: the own kernels.
 * Where Lt is unavailable or refuses a product, the own kernels run and the reason is
 * kept (wg_trainer_info.epilogue). */
typedef enum wg_epilogue_mode { WG_EPILOGUE_LT = 0, WG_EPILOGUE_OWN } wg_epilogue_mode;
const char *wg_epilogue_mode_name(wg_epilogue_mode mode); /* "lt", "own" */
wg_status wg_epilogue_mode_parse(const char *text, wg_epilogue_mode *out);
/* ---- end gpu-epilogue ---- */

typedef struct wg_train_options {
    wg_device device;
    int hidden_layers;                        /* 0 .. WG_MLP_MAX_LAYERS - 1 */
    int64_t hidden[WG_MLP_MAX_LAYERS - 1];    /* widths of the hidden layers */
    int64_t batch;
    int64_t epochs;
    int64_t max_steps;                        /* > 0: stop after this many steps in all */
    wg_optimizer optimizer;
    float lr;
    wg_lr_schedule schedule;
    uint64_t seed;
    /* The products' inputs: WG_DTYPE_FP32, or WG_DTYPE_BF16 for mixed precision (bf16
     * copies of the weights and activations in the products, float32 accumulation, master
     * weights, optimiser state and loss; checkpoints keep the float32 masters). */
    wg_dtype dtype;
    wg_graph_mode graph;                      /* gpu-step: CUDA graphs for the step */
    wg_epilogue_mode epilogue;                /* gpu-epilogue: cuBLASLt or own layer kernels */
} wg_train_options;

/* The defaults: cpu, 512,256 hidden, batch 256, 10 epochs, SGD momentum 0.9, lr 0.1 with a
 * cosine schedule, seed 42, fp32 (Adam's betas 0.9/0.999, eps 1e-8, for when Adam is chosen). */
void wg_train_defaults(wg_train_options *options);

/* What a checkpoint file says about itself. */
typedef struct wg_mlp_checkpoint_info {
    char model[256];         /* "mlp 784-512-256-10 relu softmax-xent" */
    char optimizer[32];
    int64_t epoch, step;
    uint64_t seed;
    int has_optimizer_state; /* the state was in the file and was loaded */
} wg_mlp_checkpoint_info;

/* Reads a checkpoint's header fields (the whole file is checked). */
wg_status wg_mlp_checkpoint_peek(const char *path, wg_mlp_checkpoint_info *info);
/* The layer sizes named by a model string "mlp 784-512-256-10 ...": *layers weight layers,
 * sizes[0..layers]. */
wg_status wg_mlp_parse_description(const char *model, int *layers, int64_t *sizes);

/* A training run: the model, the datasets on the device and where training is. Opaque;
 * wg_trainer_info tells what a caller needs to know about it. */
typedef struct wg_trainer wg_trainer;

/* Copies the datasets to the device and builds the model (He-initialised from the seed).
 * test may be NULL. The datasets' features and classes must fit the model. */
wg_status wg_trainer_create(const wg_train_options *options, const wg_dataset *train,
                            const wg_dataset *test, wg_trainer **out);
void wg_trainer_free(wg_trainer *trainer);

typedef struct wg_trainer_info {
    wg_train_options options; /* as used: batch at most the training set's size */
    char model[256];          /* "mlp 784-512-256-10 relu softmax-xent" */
    int layers;               /* weight layers */
    int64_t sizes[WG_MLP_MAX_LAYERS + 1]; /* sizes[0] inputs ... sizes[layers] classes */
    int64_t parameters;       /* trainable floats */
    int64_t train_images, test_images; /* test_images 0 without a test set */
    int64_t steps_per_epoch;
    int64_t total_steps;      /* the schedule's length */
    int64_t epoch;            /* epochs completed */
    int64_t step;             /* steps completed, in all */
    int mid_epoch;            /* 1 when the last step did not end an epoch */
    /* gpu-step: how the steps so far ran: "cuda graph (2 captured, 235 steps replayed)"
     * or "eager (<why>)"; graph_steps of them were graph replays */
    char step_mode[320];
    int64_t graph_steps;
    /* gpu-epilogue: which layer epilogues ran: "lt (cuBLASLt ...)" or "own (<why>)", and
     * on a CUDA device the launches a step makes with them (each product counted as one;
     * 0 elsewhere) */
    char epilogue[320];
    int step_launches;
} wg_trainer_info;

wg_status wg_trainer_info_get(const wg_trainer *trainer, wg_trainer_info *out);

/* One training step on the next batch (shuffling when an epoch starts). Queues work only,
 * except for the upload of a new epoch's order. */
wg_status wg_trainer_step(wg_trainer *trainer);

typedef struct wg_epoch_result {
    int64_t epoch;          /* 1-based */
    int64_t steps, images;  /* trained in this epoch */
    float lr;               /* the learning rate of the epoch's last step */
    double train_loss;      /* mean per image over the epoch, as trained (running) */
    double train_accuracy;  /* share of the epoch's images classified right as trained */
    double test_loss;       /* mean over the test set after the epoch (NaN without one) */
    double test_accuracy;
    double seconds;         /* wall time of the training steps, the device finished */
    double images_per_s;
    double eval_seconds;
} wg_epoch_result;

/* Called after each step with the steps done in this epoch and the epoch's step count. */
typedef void (*wg_train_progress_fn)(void *context, int64_t epoch, int64_t step,
                                     int64_t steps);

/* Trains one epoch (fewer steps when max_steps runs out; then *out covers those steps),
 * then evaluates the test set. */
wg_status wg_trainer_run_epoch(wg_trainer *trainer, wg_train_progress_fn progress,
                               void *context, wg_epoch_result *out);

/* 1 when max_steps is reached or all epochs are done. */
int wg_trainer_finished(const wg_trainer *trainer);

/* Mean loss and accuracy of the model over the test set (WG_ERR_ARGUMENT without one). */
wg_status wg_trainer_evaluate_test(wg_trainer *trainer, double *loss, double *accuracy);

/* 1 when an epoch stopped because the loss went non-finite (wg_trainer_run_epoch then
 * fails naming the step); such a trainer saves nothing. */
int wg_trainer_diverged(const wg_trainer *trainer);
/* Saves the model and optimiser state with the trainer's epoch, step and seed. */
wg_status wg_trainer_save(const wg_trainer *trainer, const char *path);
/* Resumes from a checkpoint of the same model: parameters, optimiser state (when the file
 * has this optimiser's), epoch and step. Training then goes on until `epochs` epochs (and
 * `max_steps` steps) in all, counting those in the file, with the schedule as if never
 * interrupted; a finished checkpoint only evaluates. info may be NULL. */
wg_status wg_trainer_load(wg_trainer *trainer, const char *path, wg_mlp_checkpoint_info *info);

/* ---- the CPU against a GPU: the same steps from the same seed on both ---- */

/* Steps whose losses the comparison records on each device and compares. */
#define WG_TRAIN_COMPARE_LOSS_STEPS 10
/* How far apart the two devices' losses may be over those steps, relative to the loss.
 * Both run float32 with differently ordered sums (and the GPU's fast exp), so they drift
 * apart by ~1e-6 a step; a wrong kernel is off by far more than this. */
#define WG_TRAIN_COMPARE_TOLERANCE 2e-3
/* The same for mixed precision (bf16 inputs to the products): a float32 sum that differs
 * in its last bits can round a copy to the neighbouring bfloat16 (2^-8 apart), so the two
 * devices' losses wander ~1e-3 apart over ten steps; still far below a wrong kernel. */
#define WG_TRAIN_COMPARE_TOLERANCE_BF16 2e-2
/* The tolerance of a comparison whose products read `dtype` inputs. */
double wg_train_compare_tolerance(wg_dtype dtype);

typedef struct wg_train_compare_run {
    wg_device device;
    int ran;                  /* 1 when every step ran */
    char error[512];          /* why not, when !ran */
    int64_t steps, timed_steps, loss_steps; /* 0 when the run could not start */
    double losses[WG_TRAIN_COMPARE_LOSS_STEPS]; /* mean loss of each of the first steps */
    double seconds;           /* of the timed steps, the device finished */
    double seconds_per_step, images_per_s;
    wg_energy_reading energy; /* (gpu-energy) of the timed steps; SM clock at their end */
    char step_mode[320];      /* gpu-step: as wg_trainer_info's, after the run */
    char epilogue[320];       /* gpu-epilogue: as wg_trainer_info's, after the run */
    int step_launches;        /* gpu-epilogue: likewise */
} wg_train_compare_run;

typedef struct wg_train_compare_result {
    char model[256];
    int64_t parameters;
    int64_t batch;            /* as used: at most the training set's size */
    int64_t steps;            /* on each device */
    wg_train_compare_run runs[2]; /* [0] the CPU, [1] options->device */
    double speedup;           /* CPU time/step over the other's; NaN unless both ran */
    double loss_max_relative_difference; /* NaN unless both ran */
    double tolerance;         /* wg_train_compare_tolerance(options->dtype) */
    int agree;                /* both ran and the difference is within the tolerance */
} wg_train_compare_result;

/* Called as each run enters a phase ("first steps", "timed steps") and with phase NULL when
 * a run ends. The plan fields of the result (model, parameters, batch, steps) are filled
 * before the first call. */
typedef void (*wg_train_compare_progress_fn)(void *context, const wg_train_compare_result *result,
                                             int run, const char *phase);

/* Trains `steps` steps (options->max_steps, or one epoch when 0) of batch options->batch
 * from options->seed on the CPU and then on options->device (which may be the CPU too:
 * the same logic, a check of determinism). The first steps (at most
 * WG_TRAIN_COMPARE_LOSS_STEPS, at most half) read their loss back one by one and warm
 * up; the rest are timed as a block. Returns WG_OK when both ran (whether or not they
 * agree: see result->agree); else the status of the run that failed (WG_ERR_NO_DEVICE for
 * an absent GPU), with *out filled as far as it got (the run's error says why).
 * WG_ERR_ARGUMENT with out->steps set when there are fewer than 2 steps. */
wg_status wg_train_compare(const wg_train_options *options, const wg_dataset *train,
                           wg_train_compare_progress_fn progress, void *context,
                           wg_train_compare_result *out);

/* ---- gpu-step (#20 item 2): the batch-size curve ---- */
/* Of `count` comparisons (one per batch size), the index of the one whose GPU run made the
 * most images per second (*best_rate) and of the one with the largest speed-up over the
 * CPU (*best_speedup); -1 for each when no comparison ran on both devices. Either pointer
 * may be NULL. */
void wg_train_curve_best(const wg_train_compare_result *results, int count, int *best_rate,
                         int *best_speedup);
/* ---- end gpu-step ---- */

/* ---- classifying one image with a saved model ---- */

typedef struct wg_prediction {
    int classes;
    double probability[WG_MLP_MAX_CLASSES]; /* softmax of the logits */
    int ranked[WG_MLP_MAX_CLASSES];         /* classes by falling probability */
    wg_mlp_checkpoint_info checkpoint;      /* what the file said */
} wg_prediction;

/* Loads the model in `checkpoint` onto `device` and classifies image `index` of `data`.
 * WG_ERR_SHAPE when the model does not take data's images to its classes, WG_ERR_ARGUMENT
 * for an index outside the set. */
wg_status wg_predict(const char *checkpoint, wg_device device, const wg_dataset *data,
                     int64_t index, wg_prediction *out);


/* ================================================================ JSON documents ==== */

/* A small streaming JSON writer for whygpu's machine-readable output. It tracks nesting and
 * commas so callers write keys and values in order; strings are escaped (control characters
 * as \u00XX, UTF-8 passed through); non-finite numbers are written as null, since JSON has
 * no NaN. Output is indented two spaces a level. */
#define WG_JSON_MAX_DEPTH 32

typedef struct wg_json {
    FILE *out;
    int depth;
    int count[WG_JSON_MAX_DEPTH]; /* values written so far at each level */
    int after_key;                /* a key was just written: the value follows on the line */
    int error;                    /* nesting misuse or a write error; sticky */
} wg_json;

void wg_json_init(wg_json *json, FILE *out);

void wg_json_begin_object(wg_json *json);
void wg_json_end_object(wg_json *json);
void wg_json_begin_array(wg_json *json);
void wg_json_end_array(wg_json *json);

/* Inside an object: the key of the next value. */
void wg_json_key(wg_json *json, const char *key);

void wg_json_string(wg_json *json, const char *value); /* NULL writes null */
void wg_json_number(wg_json *json, double value);      /* non-finite writes null */
void wg_json_int(wg_json *json, int64_t value);
void wg_json_bool(wg_json *json, int value);
void wg_json_null(wg_json *json);

/* A wg_timeit result as an object: median_s, best_s, worst_s, mean_s, stddev_s (per call),
 * spread, spread_warning, loops, repeats, warmup_s. */
void wg_json_timeit(wg_json *json, const wg_timeit_result *t);

/* 0 when everything was balanced and written; finishes the output with a newline. */
int wg_json_finish(wg_json *json);

/* The machine a document's results were measured on: one block, the same keys in every
 * command's document (docs/json.md, "The machine block"). */
typedef struct wg_machine_facts {
    wg_cpu_info cpu;
    const char *cpu_kernel;  /* the CPU matmul kernel used (static string); NULL: not written */
    int gpu_requested;       /* a GPU was named; 0 with --device cpu */
    wg_device gpu_device;    /* the GPU named, when gpu_requested */
    int gpu_available;       /* the GPU was found and described: gpu is valid */
    wg_gpu_info gpu;
    char gpu_reason[512];    /* why not available; "" when available */
    const char *gpu_kernel;  /* the GPU matmul kernel used (static string); NULL: not written */
} wg_machine_facts;

/* Fills *out: the CPU (wg_cpu_info_get) and, when want_gpu, whether the GPU `gpu` can be used
 * and its description, or why not ("not requested (--device cpu)" when !want_gpu). An absent
 * GPU is a fact, not a failure; only a failure to read the CPU's facts is returned. The
 * kernel fields are left NULL for the caller to set. */
wg_status wg_machine_facts_get(int want_gpu, wg_device gpu, wg_machine_facts *out);

/* Writes the key "machine" and its object: "cpu" {model, vendor, logical_cpus,
 * physical_cores, threads, simd, l1d_bytes, l2_bytes, l3_bytes, memory_bytes[, matmul_isa]}
 * and "gpu" {device, available, name, reason[, compute_capability, sm_count,
 * total_memory_bytes, driver_version][, matmul_kernel]}. */
void wg_json_machine(wg_json *json, const wg_machine_facts *machine);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf; returns buf. */
char *wg_utc_date(char *buf, size_t size);

/* The git commit this whygpu was built from (40 hex digits, "-dirty" when the tree had
 * uncommitted changes), or "unknown" when it was not built from a git checkout. */
const char *wg_build_commit(void);

/* Opens every command's JSON document on `out`: initialises the writer, opens the top-level
 * object and writes "schema", "whygpu_version", "commit" (wg_build_commit), "command" (when
 * command_line is not NULL),
 * "date" (now, UTC) and the machine block (when machine is not NULL). The caller writes its
 * own keys next, closes the object and calls wg_json_finish. */
void wg_json_document_begin(wg_json *json, FILE *out, const char *schema,
                            const char *command_line, const wg_machine_facts *machine);

/* ================================================================ files and memory == */
/* Output files that never destroy what was there, inputs that cannot block, cleanup on
 * SIGINT/SIGTERM, and the memory plan a command checks before it allocates. */

#include <sys/types.h>

/* Checks, before a run, that `path` can be written as an output: not empty
 * (WG_ERR_ARGUMENT), a regular file or a new name (a FIFO, device, folder or symbolic
 * link is refused: WG_ERR_IO), in an existing folder this process may write to. */
wg_status wg_output_path_check(const char *path);

/* An output written to a temporary file beside its target (same folder, O_EXCL, the
 * target's permissions) and renamed over the target by wg_output_commit only when complete
 * and on disk; an interrupted or failed run leaves the old file untouched. The temporary
 * file is on the cleanup list (below) while it exists. */
typedef struct wg_output_file wg_output_file;
wg_status wg_output_open(const char *path, wg_output_file **out);
/* The stream to write to (fprintf, fwrite...). */
FILE *wg_output_stream(wg_output_file *file);
/* The temporary file's path (for tools that must write by name, e.g. gnuplot). */
const char *wg_output_temp_path(const wg_output_file *file);
/* Flushes, fsyncs and closes the temporary file, then renames it over the target. On any
 * failure the temporary file is removed, the target is kept, and the message says why
 * (e.g. "No space left on device"). Frees `file` either way. */
wg_status wg_output_commit(wg_output_file *file);
/* Removes the temporary file and frees `file`, leaving the target as it was. NULL is
 * allowed. */
void wg_output_abort(wg_output_file *file);
/* Flushes a stream that is not a wg_output_file (stdout) and reports a write that failed
 * on it at any time (a full disk, a closed stdout) as WG_ERR_IO naming `name`. */
wg_status wg_stream_finish(FILE *stream, const char *name);

/* Opens an input file for reading without blocking on a FIFO or a device: open with
 * O_NONBLOCK, fstat, refuse anything but a regular file (WG_ERR_IO naming what it is),
 * then clear O_NONBLOCK. The descriptor (or stream) is the caller's to close. */
wg_status wg_input_open(const char *path, int *fd);
wg_status wg_input_fopen(const char *path, FILE **out);

/* The cleanup list: files and folders to remove and child processes to stop (SIGTERM)
 * when the process is killed by SIGINT, SIGTERM or SIGHUP. Adding returns a slot (-1 when
 * the list is full or the path too long), removing takes it back. The handler uses only
 * async-signal-safe calls, then dies of the same signal. */
int wg_cleanup_add_path(const char *path);
int wg_cleanup_add_child(pid_t pid);
void wg_cleanup_remove(int slot);
/* Installs the handler for SIGINT, SIGTERM and SIGHUP (not for a signal that is ignored,
 * e.g. under nohup). A CLI calls it once at start. */
wg_status wg_cleanup_install_handlers(void);
/* What the handler does (also callable directly, e.g. by tests): stop the children,
 * remove the paths, empty the list. */
void wg_cleanup_run(void);

/* Where the host's available memory is read from; NULL members (or a NULL pointer) mean
 * the real files: /proc/meminfo, /proc/self/cgroup and /sys/fs/cgroup. */
typedef struct wg_memory_paths {
    const char *meminfo;
    const char *self_cgroup;
    const char *cgroup_root;
} wg_memory_paths;

/* Host memory this process can still use: MemAvailable, lowered by the limit of each
 * cgroup (v1 or v2, the process's and its parents') less its usage, where page cache the
 * cgroup could drop (inactive_file) counts as free. `why` (may be NULL) receives what
 * set the figure: "MemAvailable", "cgroup v2 memory.max" or "cgroup v1
 * memory.limit_in_bytes". */
wg_status wg_host_memory_probe(const wg_memory_paths *paths, int64_t *bytes, char *why,
                               size_t why_size);
/* The same for any device: the host for the CPU, the free memory of a GPU (cudaMemGetInfo)
 * with why = "free GPU memory". */
wg_status wg_memory_available(wg_device device, int64_t *bytes, char *why, size_t why_size);

/* A memory plan: what a run will hold on each device, listed before anything is
 * allocated and checked as totals per device. */
#define WG_MEMORY_PLAN_MAX 32
typedef struct wg_memory_entry {
    wg_device device;
    int64_t bytes;
    char what[64]; /* e.g. "A 10000x10000" */
} wg_memory_entry;
typedef struct wg_memory_plan {
    int count;
    wg_memory_entry entries[WG_MEMORY_PLAN_MAX];
} wg_memory_plan;

void wg_memory_plan_init(wg_memory_plan *plan);
wg_status wg_memory_plan_add(wg_memory_plan *plan, wg_device device, int64_t bytes,
                             const char *what);
/* The room a plan must leave free on a device with `available` bytes: a tenth of it on
 * the host, a twentieth on a GPU, at least 256 MiB. */
int64_t wg_memory_headroom(wg_device device, int64_t available);
/* WG_OK when each device's total fits in its available memory less the headroom; else
 * WG_ERR_NO_MEMORY with one line naming the need and the limit: "needs 22.6 GiB of host
 * memory (A 7.5 GiB, B 7.5 GiB, C 7.5 GiB), 21.9 GiB available (cgroup v2 memory.max), of
 * which 2.2 GiB is kept as headroom". */
wg_status wg_memory_plan_check(const wg_memory_plan *plan);
/* The same with the host's figures read from `paths` (tests). */
wg_status wg_memory_plan_check_with(const wg_memory_plan *plan, const wg_memory_paths *paths);

/* Adds what measuring `op` (wg_op_inputs_create + wg_op_measure) holds: on the host the
 * operands and the result read back; on each of `devices` the output, and on a GPU copies
 * of the operands too (on the CPU the host operands are used in place). A device listed
 * twice is counted once. */
wg_status wg_op_memory_plan(const wg_op *op, const wg_device *devices, int count,
                            wg_memory_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
