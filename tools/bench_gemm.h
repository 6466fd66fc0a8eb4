/*
 * bench_gemm.h - the shapes `whygpu bench gemm` times, their operands, and the OpenBLAS
 * reference run in a child process (bench_openblas.c).
 */
#ifndef WG_BENCH_GEMM_H
#define WG_BENCH_GEMM_H

#include <stdint.h>

#include "whygpu.h"

#define BENCH_MAX_SHAPES 32

typedef struct bench_shape {
    int64_t m, n, k;
    int trans_a, trans_b;
    char label[48]; /* e.g. "2048^3", "mlp fc1 forward" */
} bench_shape;

/* One OpenBLAS run over all shapes, in a child process, so that OPENBLAS_CORETYPE (read once
 * when the library loads) can differ between runs of one benchmark. */
typedef struct bench_openblas {
    int ok;                        /* 0: not run; the reason is in `why` */
    char why[256];
    char core[64];                 /* the kernels OpenBLAS chose, e.g. "SkylakeX" */
    double median_s[BENCH_MAX_SHAPES];
    double error[BENCH_MAX_SHAPES]; /* sampled relative error of its result */
} bench_openblas;

/* Fills A and B with seeded values and times them; `shapes` index the results. */
void bench_openblas_run(const char *self, const char *coretype, int threads,
                        const bench_shape *shapes, int count, double min_repeat_s,
                        bench_openblas *out);

/* The child side: `whygpu bench openblas-child THREADS M,N,K,TA,TB ...` (internal). */
int bench_openblas_child(int argc, char **argv);

/* Allocates op(A), op(B) storage (dense, leading dimension = stored width) and C for a
 * shape, filled from `seed` (C with NaN); frees with bench_operands_free. */
typedef struct bench_operands {
    wg_tensor *a, *b, *c;
    wg_gemm_args args;
} bench_operands;

wg_status bench_operands_make(const bench_shape *s, uint64_t seed, bench_operands *out);
void bench_operands_free(bench_operands *o);

#endif /* WG_BENCH_GEMM_H */
