/*
 * sweep_cli.h - `whygpu sweep`'s options and run (the library's wg_sweep_result with the
 * machine and command line), which cmd_sweep.c fills and sweep_output.c renders as the
 * table, the whygpu.sweep/1 JSON document or CSV.
 */
#ifndef WG_SWEEP_CLI_H
#define WG_SWEEP_CLI_H

#include <stdio.h>

#include "recorded.h"
#include "whygpu_lab.h"

#define COLUMNS WG_SWEEP_COLUMN_COUNT

typedef struct sweep_options {
    wg_sweep_op op;
    int64_t low, high;
    int points;
    double budget_s;
    wg_device gpu;
    int want_gpu;
    uint64_t seed;
    const wg_kernel *cpu_kernel, *gpu_kernel; /* matmul, --kernel; NULL: auto */
    wg_precision precision;                   /* matmul, --dtype (FP32 default) */
    int dtype_given;
    const char *json_path; /* NULL, "-" (stdout) or a file */
    const char *csv_path;
    int progress;
    const char *reference; /* --reference: NULL (default), "none", a name or a folder */
} sweep_options;

/* A reference machine's recorded GPU columns at this sweep's sizes (recorded.h): shown
 * in the GPU columns, marked, when this machine has no GPU; kept apart in the JSON. */
typedef struct sweep_recorded {
    recorded ref;                                  /* ref.loaded 0: none shown */
    double median_s[WG_SWEEP_MAX_POINTS][WG_SWEEP_COLUMN_COUNT]; /* GPU columns; NaN absent */
    wg_crossover crossover[WG_SWEEP_COLUMN_COUNT]; /* this CPU against that GPU */
    int points;                                    /* sizes the reference recorded */
    char note[600];
} sweep_recorded;

typedef struct sweep_run {
    sweep_options o;
    char command[1024];
    wg_machine_facts machine; /* the GPU columns run when machine.gpu_available */
    wg_sweep_result r;
    sweep_recorded recorded;
} sweep_run;

/* Fills run->recorded from its reference after the sweep ran. */
void sweep_fill_recorded(sweep_run *run);

/* The table on stdout. */
void sweep_print_table(const sweep_run *run);
/* The JSON document or the CSV rows on `out`; 0 when written. */
int sweep_write_json(const sweep_run *run, FILE *out);
int sweep_write_csv(const sweep_run *run, FILE *out);

#endif /* WG_SWEEP_CLI_H */
