/*
 * demo.h - `whygpu demo`'s options and its result description, which cmd_demo.c fills
 * (measuring with wg_op_measure) and demo_output.c renders as text or JSON.
 */
#ifndef WG_DEMO_H
#define WG_DEMO_H

#include <stdint.h>

#include "recorded.h"
#include "whygpu.h"
#include "whygpu_lab.h"

#define DEMO_CELLS 4

typedef struct demo_options {
    int64_t size;
    int repeat;
    uint64_t seed;
    wg_device gpu;
    int want_gpu;
    const wg_kernel *cpu_kernel, *gpu_kernel; /* NULL: auto */
    wg_precision precision;                   /* --dtype of the matmul cells (FP32 default) */
    int dtype_given;
    int json;
    int progress;
    const char *reference; /* --reference: NULL (the default), "none", a name or a folder */
} demo_options;

typedef struct demo_cell {
    int number;
    const char *op;      /* "square" or "matmul" */
    int64_t rows, cols;
    wg_device device;
    int measured;
    char reason[512];    /* why not measured */
    double flops;        /* per call */
    wg_timeit_result time;
    int checked;
    int check_samples;
    double check_error;  /* max relative error vs the float64 reference */
    double check_tolerance;
    int check_passed;
    wg_precision precision; /* the arithmetic the cell used (the square: always FP32) */
    double gflops;       /* flops / median / 1e9; NaN when not measured */
    wg_energy_reading energy; /* (gpu-energy) one call's: the cell's average power x median */
} demo_cell;

/* One row of the table: the same op on the CPU and on the GPU. */
typedef struct demo_comparison {
    const char *op;
    double cpu_median_s, gpu_median_s; /* NaN when that cell was not measured */
    double cpu_over_gpu;               /* above 1 the GPU wins; NaN unless both ran */
    const char *winner;                /* "gpu", "cpu", or NULL */
} demo_comparison;

/* A reference machine's GPU cells (recorded.h), shown next to this run's, labelled: in the
 * GPU columns when this machine measured none, else as lines of their own. */
typedef struct demo_recorded {
    recorded ref;               /* ref.loaded 0: none shown (note says why, if it was sought) */
    recorded_cell cells[2];     /* the square and the matmul on that GPU */
    double cpu_over_gpu[2];     /* this CPU's time / that GPU's (by_rate: that GPU's GFLOP/s /
                                   this CPU's); above 1 that GPU is faster; NaN if unknown */
    int by_rate[2];             /* the matmul was recorded at another size */
    char note[600];
} demo_recorded;

/* What a run found: the text and the JSON are both written from this. */
typedef struct demo_result {
    demo_cell cells[DEMO_CELLS];
    demo_comparison rows[2];           /* square, matmul */
    wg_machine_facts machine;
    demo_recorded recorded;
} demo_result;

/* The table and the plain-language reading on stdout. */
void demo_print_text(const demo_options *o, const demo_result *r);
/* The whygpu.demo/1 document on stdout; CLI_EXIT_FAILURE if writing it failed. */
int demo_print_json(const demo_options *o, const demo_result *r, const char *command);

#endif /* WG_DEMO_H */
