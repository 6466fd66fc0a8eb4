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
 * run and `why` says what went wrong. */
void bench_openblas_round(const char *self, const char *coretype, int threads,
                          const bench_shape *shapes, int count, double min_repeat_s,
                          bench_openblas *out);

/* After the last round: ok when all `rounds` ran, and the medians. */
void bench_openblas_finish(bench_openblas *out, int rounds, int count);

/* The child side: `whygpu bench openblas-child THREADS MIN_REPEAT_S M,N,K,TA,TB,LOOPS ...`
 * (internal; LOOPS 0: find them). */
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
