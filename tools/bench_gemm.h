/*
 * bench_gemm.h - `whygpu bench gemm` (tools-local): its options, the shapes it times and
 * their operands (bench_operands.c), the run (bench_run.c), the OpenBLAS reference run in a
 * child process (bench_openblas.c), and the one result rendered as text or JSON
 * (bench_render.c).
 */
#ifndef WG_BENCH_GEMM_H
#define WG_BENCH_GEMM_H

#include <stdint.h>

#include "progress.h"
#include "whygpu_lab.h"

#define BENCH_MAX_SHAPES 32

typedef struct bench_shape {
    int64_t m, n, k;
    int trans_a, trans_b;
    char label[48]; /* e.g. "2048^3", "mlp fc1 forward" */
} bench_shape;

#define BENCH_MAX_ROUNDS 21

/* OpenBLAS over all shapes, round by round, each round in a child process, so that
 * OPENBLAS_CORETYPE (read once when the library loads) can differ between the two
 * references of one benchmark. */
typedef struct bench_openblas {
    int ok;                        /* 0: not run; the reason is in `why` */
    char why[256];
    char core[64];                 /* the kernels OpenBLAS chose, e.g. "SkylakeX" */
    int rounds;                    /* rounds completed */
    int64_t loops[BENCH_MAX_SHAPES]; /* calls per timed repeat, found in the first round */
    double round_s[BENCH_MAX_SHAPES][BENCH_MAX_ROUNDS]; /* per call, one repeat per round */
    double median_s[BENCH_MAX_SHAPES]; /* over the rounds (bench_openblas_finish) */
    double error[BENCH_MAX_SHAPES]; /* sampled relative error of its result */
} bench_openblas;

/* One round: a timed repeat of every shape, operands filled from seeds, in a fresh child;
 * appended to out (zeroed before the first round). Once a round fails, later ones do not
 * run and `why` says what went wrong. bf16: cblas_sbgemm on bf16 copies of the operands
 * (made before the timing) instead of cblas_sgemm. */
void bench_openblas_round(const char *self, const char *coretype, int threads, int bf16,
                          const bench_shape *shapes, int count, double min_repeat_s,
                          bench_openblas *out);

/* After the last round: ok when all `rounds` ran, and the medians. */
void bench_openblas_finish(bench_openblas *out, int rounds, int count);

/* The child side: `whygpu bench openblas-child THREADS MIN_REPEAT_S M,N,K,TA,TB,LOOPS ...`
 * (internal; LOOPS 0: find them); `openblas-sbgemm-child` the same with cblas_sbgemm. */
int bench_openblas_child(int argc, char **argv);

/* PyTorch's torch.mm on bf16 tensors (scripts/compare-torch-gemm.py, run by a Python with
 * PyTorch) as the reference of bench gemm --dtype bf16: one process for the whole run,
 * asked for one timed repeat per shape each round, so its rounds alternate with whygpu's. */
typedef struct bench_torch {
    int ok;                        /* 0: not run (or failed); `why` says why */
    char why[256];
    char version[64];              /* torch.__version__ */
    int pid, to, from;             /* the running script and its pipes (-1: none) */
    int rounds;
    int64_t loops[BENCH_MAX_SHAPES];
    double round_s[BENCH_MAX_SHAPES][BENCH_MAX_ROUNDS];
    double median_s[BENCH_MAX_SHAPES];
    double error[BENCH_MAX_SHAPES]; /* sampled relative error against float64 */
} bench_torch;

/* Starts the script with `python` (NULL or "": not run, why says so), threads as whygpu. */
void bench_torch_start(const char *python, const char *script, int threads, bench_torch *out);
/* One round over the shapes; a failure stops the script and says why. */
void bench_torch_round(bench_torch *t, const bench_shape *shapes, int count,
                       double min_repeat_s);
/* Stops the script; ok when all `rounds` ran, and the medians. */
void bench_torch_finish(bench_torch *t, int rounds, int count);

/* Allocates op(A), op(B) storage (dense, leading dimension = stored width) and C for a
 * shape, filled from `seed` (C with NaN); frees with bench_operands_free. */
typedef struct bench_operands {
    wg_tensor *a, *b, *c;
    wg_gemm_args args;
} bench_operands;

wg_status bench_operands_make(const bench_shape *s, uint64_t seed, bench_operands *out);
void bench_operands_free(bench_operands *o);

/* ---------------------------------------------------------------- the run ----------- */

typedef struct bench_options {
    int64_t sizes[16];
    int size_count;
    int mlp_shapes;
    int threads;
    int64_t loop_max;     /* the triple loop runs up to this size (0: never) */
    int openblas;
    const char *coretype; /* the forced OpenBLAS core type */
    int scaling;          /* also time ours on one thread */
    double min_repeat_s;
    int rounds;
    int json;
    int progress;
    wg_precision precision; /* --dtype: fp32 (default) or bf16 */
    const char *python;     /* --python or WHYGPU_TORCH_PYTHON: the torch reference (bf16) */
} bench_options;

/* One implementation on one shape, round by round. */
typedef struct bench_cell {
    int64_t loops; /* calls per timed repeat, found in the first round */
    double round_s[BENCH_MAX_ROUNDS];
} bench_cell;

typedef struct bench_row {
    bench_shape shape;
    bench_cell ours, one, loop, fp32;
    double ours_s, ours_error, ours_one_s, loop_s, loop_error; /* medians of the rounds */
    double fp32_s, fp32_error; /* --dtype bf16: whygpu's fp32 GEMM on the same shape */
} bench_row;


/* The peak of the precision (FP32: the FMA peak; BF16: the faster bf16 unit), read before
 * and after whygpu's products (all threads and one core). */
typedef struct bench_peak {
    double start, end, one_start, one_end;
    double all, one; /* the higher of each pair: what %peak divides by */
    int settled;     /* the two all-thread readings within 10% of each other */
    char unit[64];   /* what was measured: "FMA avx512", "amx-bf16 tdpbf16ps" */
    char why[256];   /* bf16: why no unit could be measured ("" when one was) */
} bench_peak;

/* Everything one run measured. */
typedef struct bench_result {
    const char *isa;        /* whygpu's CPU matmul instruction set */
    int threads;
    wg_machine_facts machine; /* the JSON's machine block (threads: those used) */
    bench_peak peak;
    int count;              /* shapes */
    bench_row rows[BENCH_MAX_SHAPES];
    const wg_kernel *kernel; /* whygpu's kernel of the precision (NULL: fp32 auto) */
    bench_openblas ob_default, ob_forced;
    bench_torch torch;       /* --dtype bf16 */
    char why[512];          /* when the run failed: what went wrong */
} bench_result;

/* The whole benchmark as the options say; progress on p. On failure res->why says why. */
wg_status bench_gemm_run(const bench_options *o, progress *p, bench_result *res);

/* 2mnk / seconds in GFLOP/s; NaN when seconds is not > 0. */
double bench_gflops(const bench_shape *s, double seconds);
/* The result as the table (stdout), or as JSON (stdout; CLI exit code) whose "command" is
 * command_line. */
void bench_print_table(const bench_options *o, const bench_result *res);
int bench_print_json(const bench_options *o, const bench_result *res, const char *command_line);

#endif /* WG_BENCH_GEMM_H */
