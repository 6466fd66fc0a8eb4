/*
 * recorded.h - a reference machine's recorded figures (reference/NAME/, docs/reference.md)
 * for the GPU cells that this machine cannot measure: `demo`, `sweep`, `explain` and
 * `report` show them next to what was measured here, always labelled with the machine and
 * the date ("H100 80GB HBM3, recorded 2026-11-27, not this machine") and kept in fields of
 * their own, never mixed with this run's measurements.
 *
 * `--reference NAME|DIR|none` picks one; without the option the default is the h100
 * reference when no GPU is present and none when one is. Needs cJSON (WG_HAVE_CJSON);
 * without it no reference is loaded and the note says why.
 */
#ifndef WG_RECORDED_H
#define WG_RECORDED_H

#include <stddef.h>
#include <stdint.h>

/* The reference used when none is named and no GPU is present. */
#define RECORDED_DEFAULT "h100"

typedef struct recorded {
    int loaded;          /* 1: figures are available */
    char name[64];       /* "h100" */
    char label[128];     /* "H100 80GB HBM3" */
    char date[16];       /* "2026-11-27" */
    char dir[4096];      /* the reference folder */
    char gpu[128];       /* the GPU's full name */
    char cpu[128];       /* the reference machine's CPU */
    void *doc[4];        /* cJSON documents: demo, explain, sweep (matmul), sweep-mul */
} recorded;

/* Resolves `spec` (NULL or "" for the default, "none", a reference name, or a folder with a
 * provenance.json) and loads its documents. gpu_present decides the default. Returns 0 with
 * rec->loaded 0 or 1 (a missing default reference is no error: note says why), or 1 with
 * error set when a reference named by the user cannot be loaded. */
int recorded_open(recorded *rec, const char *spec, int gpu_present, char *note, size_t note_size,
                  char *error, size_t error_size);
void recorded_close(recorded *rec);

/* "H100 80GB HBM3, recorded 2026-11-27, not this machine" */
const char *recorded_tag(const recorded *rec, char *buf, size_t size);

struct wg_json;
/* Opens a document's "recorded" object with what names the reference: "reference" (its
 * name), "label", "recorded" (its date), "gpu" and "tag"; the caller adds its figures and
 * closes the object. */
void recorded_json_begin(struct wg_json *json, const recorded *rec);

/* One recorded GPU figure: a time per call and its rate, at a size. */
typedef struct recorded_cell {
    int found;
    double median_s;
    double gflops;   /* NaN when the document has none */
    double size;     /* n of the matmul (or elements), the size it was recorded at */
    char from[48];   /* the reference's document: "demo.json", "sweep.json" */
} recorded_cell;

/* The recorded GPU cell of the demo's op ("square", "matmul") for an n x n matmul: the
 * reference demo's own cell when it ran at n (the square at any n), else the recorded sweep's
 * GPU point (data on the GPU) nearest to n in log(size). */
int recorded_demo_cell(const recorded *rec, const char *op, int64_t n, recorded_cell *out);

/* The recorded sweep of `op` ("matmul", "mul", ...) at exactly `size`: its GPU column
 * (with_copies 0: data on the GPU; 1: counting the copies). */
int recorded_sweep_point(const recorded *rec, const char *op, double size, int with_copies,
                         recorded_cell *out);

/* The recorded explain document's section (a cJSON object), or NULL. */
const void *recorded_explain_section(const recorded *rec, const char *section);

#endif /* WG_RECORDED_H */
