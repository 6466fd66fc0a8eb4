/*
 * compare.h - saved whygpu runs side by side (`whygpu compare`, and a section `whygpu
 * report` can add): JSON documents, folders of them (a `report --save` folder, a
 * gpu-check output folder) and recorded reference machines (reference/NAME/, see
 * docs/reference.md) are loaded, matched by kind (demo, explain, sweep per op, ladder,
 * train per mode, bench gemm), and turned into one table per kind: each figure per run,
 * how many times better each run's figure is than the first's, and the sentences that
 * follow ("your CPU's memory delivers 45 GB/s; the H100's 2842 GB/s, 63x: ...").
 *
 * Runs of different kinds, schema versions this whygpu cannot read, and documents that lack
 * a field the comparison needs are refused with one message naming the file and the field.
 * Needs cJSON (WG_HAVE_CJSON); without it compare_load says so.
 */
#ifndef WG_COMPARE_H
#define WG_COMPARE_H

#include <stdio.h>

#define CMP_MAX_RUNS 8
#define CMP_MAX_FIGURES 96
#define CMP_MAX_SENTENCES 8
#define CMP_MAX_NOTES 8
#define CMP_MAX_SECTIONS 10

/* What a figure is worth: higher better (rates), lower better (times, crossover sizes). */
enum { CMP_LOWER_BETTER = -1, CMP_NEITHER = 0, CMP_HIGHER_BETTER = 1 };

typedef struct cmp_figure {
    char key[96];    /* what matches across runs, e.g. "gpu.matmul.rate" */
    char label[128]; /* "GPU: matmul rate" */
    char unit[16];   /* "s", "GB/s", "GFLOP/s", "x", "size", "images/s", "fraction" */
    int better;
    double value[CMP_MAX_RUNS]; /* NaN: not measured in that run */
} cmp_figure;

/* One run as a section shows it: where the figures come from. */
typedef struct cmp_source {
    char file[512];    /* the document read */
    char cpu[128];     /* CPU model, "" if the document does not say */
    int threads;       /* 0 if unknown */
    char gpu[128];     /* GPU name, "" when none ran */
    char date[32];     /* when the document's figures were measured, "" if unknown */
} cmp_source;

typedef struct cmp_section {
    char kind[32];   /* "demo", "explain", "sweep matmul", "ladder", "train compare", ... */
    char schema[CMP_MAX_RUNS][40];
    cmp_source source[CMP_MAX_RUNS];
    cmp_figure figure[CMP_MAX_FIGURES];
    int figures;
    char sentence[CMP_MAX_SENTENCES][640];
    int sentences;
    char note[CMP_MAX_NOTES][320];
    int notes;
} cmp_section;

typedef struct cmp_run {
    char id[4];          /* "A", "B", ... */
    char arg[512];       /* as given on the command line */
    char path[512];      /* the file or folder read */
    char name[64];       /* short column name: the reference's name, else the file's */
    int folder;          /* a folder of documents, not one file */
    int reference;       /* a recorded reference machine (provenance.json present) */
    char label[128];     /* reference: its machine label, e.g. "H100 80GB HBM3" */
    char recorded[32];   /* reference: the date of the run, "2026-11-27" */
} cmp_run;

typedef struct cmp_result {
    cmp_run run[CMP_MAX_RUNS];
    int runs;
    cmp_section section[CMP_MAX_SECTIONS];
    int sections;
    char not_compared[CMP_MAX_SECTIONS][400]; /* "train compare: absent in h100 (...)" */
    int not_compared_count;
} cmp_result;

/* Where reference NAME lives: $WHYGPU_REFERENCE_DIR/NAME, then reference/NAME next to the
 * checkout of the running binary (build/whygpu -> ./reference), then an installed
 * share/whygpu/reference/NAME. Writes the folder to out (size bytes) and returns 1, or
 * returns 0 with the places searched in why. */
int compare_find_reference(const char *name, char *out, size_t size, char *why, size_t why_size);

/* Loads the runs named by args (files, folders or reference names) and compares them.
 * Returns 0, or 1 with a one-line message in error (naming the file and the field) when
 * the runs cannot be compared, or 2 when an argument names nothing (bad usage). */
int compare_load(cmp_result *result, const char *const *args, int count, char *error,
                 size_t error_size);

/* The comparison as text (tables and sentences), as a JSON document (schema
 * whygpu.compare/1, docs/json.md; 0 when written), and as an HTML <section> a page can
 * include. */
void compare_print_text(FILE *out, const cmp_result *result);
int compare_print_json(FILE *out, const cmp_result *result, const char *command_line);
void compare_print_html_section(FILE *out, const cmp_result *result);

/* A figure's value with its unit, e.g. "2.84 TB/s", "3.40 us", "-" for NaN. */
const char *compare_format_value(const char *unit, double value, char *buf, size_t size);

#endif /* WG_COMPARE_H */
