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

/* ================================================================ sweep ============= */

/* ================================================================ ladder ============ */

/* The GPU matmul ladder: eight CUDA SGEMM kernels, from one thread per output to tensor
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
 *   8 wmma-bf16     tensor cores (WMMA), BF16 inputs, FP32 accumulation */

#define WG_LADDER_RUNGS 8

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
    const wg_kernel *kernel;   /* its CUDA registry entry */
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
    wg_device device;          /* cuda:N */
    int64_t n;
    uint64_t seed;             /* A from seed, B from seed + 1 */
    int repeat;                /* wg_timeit repeats; 0: its default (3 s budget per entry) */
    double max_call_s;         /* skip entries whose estimated call is longer; 0: 10 s */
    const wg_kernel *only;     /* NULL: every entry; else it and its precision's cuBLAS */
    wg_timeit_progress_fn progress; /* passed to wg_timeit, with progress_context */
    void *progress_context;
    wg_ladder_entry_fn on_entry;    /* with progress_context; may be NULL */
} wg_ladder_options;

/* Runs the ladder at one size. A failed check is a result (check_passed 0), not an error;
 * a device, memory (WG_ERR_NO_MEMORY when A, B, C and the BF16 copies do not fit in the
 * GPU's free memory or the host's) or kernel failure is returned as such. */
wg_status wg_ladder_measure(const wg_ladder_options *options, wg_ladder_result *out);

/* ================================================================ training ========== */

/* ================================================================ JSON documents ==== */

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
