/*
 * measure.h - the measurements behind `whygpu explain`: memory bandwidth (STREAM), host <->
 * device transfers, the working-set sweep that shows the caches, launch latency, and the
 * FMA peak. Each returns plain numbers; the CLI turns them into tables and sentences.
 *
 * CPU measurements live in src/measure/ (.c files) (C11 + OpenMP); GPU ones in
 * src/cuda/cuda_measure.cu behind the wg_cuda_measure_* interface, reached through the
 * wg_gpu_* functions here, which return WG_ERR_NO_DEVICE (with the reason) when the
 * library was built without CUDA or the device is absent.
 *
 * All timings take the best of several trials after a warm-up (STREAM's rule: the best
 * trial is the one least disturbed), and every kernel's result is validated.
 */
#ifndef WG_MEASURE_H
#define WG_MEASURE_H

#include <stdint.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    int async;        /* cudaMemcpyAsync + stream synchronise (1) or cudaMemcpy (0) */
    int trials;
    double best_s;
    double median_s;
    double best_gbs;  /* bytes / best_s / 1e9 */
} wg_transfer_result;

/* One host<->device copy of `bytes`, timed with events around the copy. */
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

/* ---------------------------------------------------------------- peak ------------ */

/* FP32 multiply-add throughput: independent FMA chains in vector registers, enough to
 * cover the latency of the FMA units. isa: "avx512", "avx2", "generic" or NULL for the
 * widest this CPU has; threads 0 = all OpenMP threads. GFLOP/s counts an FMA as 2 flops. */
wg_status wg_cpu_fma_peak(const char *isa, int threads, double min_seconds, double *gflops);

/* The median of `count` values (1 .. WG_TIMEIT_MAX_REPEAT; NAN otherwise), as wg_timeit
 * takes it over its repeats: for callers that time repeat by repeat themselves. */
double wg_median(const double *values, int count);

#ifdef __cplusplus
}
#endif

#endif /* WG_MEASURE_H */
