/*
 * recorded.c - see recorded.h. Loads a reference folder's provenance and the documents the
 * commands fill GPU cells from, and answers "what did that machine's GPU record here".
 */
#include "recorded.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare.h"
#include "whygpu_lab.h"

#ifdef WG_HAVE_CJSON
#include "json_read.h"
#endif

enum { DOC_DEMO, DOC_EXPLAIN, DOC_SWEEP, DOC_SWEEP_MUL };

const char *recorded_tag(const recorded *rec, char *buf, size_t size)
{
    snprintf(buf, size, "%s, recorded %s, not this machine", rec->label, rec->date);
    return buf;
}

void recorded_json_begin(wg_json *json, const recorded *rec)
{
    char tag[256];
    wg_json_begin_object(json);
    wg_json_key(json, "reference"); wg_json_string(json, rec->name);
    wg_json_key(json, "label"); wg_json_string(json, rec->label);
    wg_json_key(json, "recorded"); wg_json_string(json, rec->date);
    wg_json_key(json, "gpu"); wg_json_string(json, rec->gpu[0] ? rec->gpu : NULL);
    wg_json_key(json, "tag"); wg_json_string(json, recorded_tag(rec, tag, sizeof tag));
}

#ifdef WG_HAVE_CJSON

static const char *const doc_files[4] = {"demo.json", "explain.json", "sweep.json",
                                         "sweep-mul.json"};

static cJSON *load(const char *dir, const char *file, char *error, size_t error_size)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct stat st;
    if (stat(path, &st) != 0) return NULL; /* absent: the provenance says why */
    jr r = {""};
    char *text = jr_read_file(&r, path);
    cJSON *root = text ? jr_parse(&r, text, path) : NULL;
    free(text);
    if (!root && error && !error[0]) snprintf(error, error_size, "%s", r.error);
    return root;
}

static void copy_string(char *out, size_t size, const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (cJSON_IsString(v)) snprintf(out, size, "%s", v->valuestring);
}

int recorded_open(recorded *rec, const char *spec, int gpu_present, char *note, size_t note_size,
                  char *error, size_t error_size)
{
    memset(rec, 0, sizeof *rec);
    if (note && note_size) note[0] = '\0';
    if (error && error_size) error[0] = '\0';
    int named = spec && spec[0];
    if (named && strcmp(spec, "none") == 0) return 0;
    if (!named && gpu_present) return 0;
    const char *name = named ? spec : RECORDED_DEFAULT;
    char dir[PATH_MAX], why[1200] = "";
    struct stat st;
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%.4000s/provenance.json", name);
    if (stat(probe, &st) == 0) {
        snprintf(dir, sizeof dir, "%s", name);
    } else if (!strchr(name, '/') && compare_find_reference(name, dir, sizeof dir, why, sizeof why)) {
        /* found by name */
    } else {
        if (!why[0]) snprintf(why, sizeof why, "'%s' is not a reference folder (no provenance.json)", name);
        if (named) {
            snprintf(error, error_size, "--reference: %s", why);
            return 1;
        }
        snprintf(note, note_size, "no recorded GPU to show: %s", why);
        return 0;
    }
    char load_error[600] = "";
    cJSON *provenance = load(dir, "provenance.json", load_error, sizeof load_error);
    if (!provenance) {
        if (named) {
            snprintf(error, error_size, "--reference: %s", load_error);
            return 1;
        }
        snprintf(note, note_size, "no recorded GPU to show: %s", load_error);
        return 0;
    }
    snprintf(rec->dir, sizeof rec->dir, "%s", dir);
    copy_string(rec->name, sizeof rec->name, provenance, "name");
    copy_string(rec->label, sizeof rec->label, provenance, "label");
    char date[40] = "";
    copy_string(date, sizeof date, provenance, "date");
    snprintf(rec->date, sizeof rec->date, "%.10s", date);
    const cJSON *machine = cJSON_GetObjectItemCaseSensitive(provenance, "machine");
    copy_string(rec->gpu, sizeof rec->gpu, cJSON_GetObjectItemCaseSensitive(machine, "gpu"), "name");
    copy_string(rec->cpu, sizeof rec->cpu, cJSON_GetObjectItemCaseSensitive(machine, "cpu"), "model");
    cJSON_Delete(provenance);
    if (!rec->label[0]) snprintf(rec->label, sizeof rec->label, "%s", rec->name);
    for (int i = 0; i < 4; i++) rec->doc[i] = load(dir, doc_files[i], load_error, sizeof load_error);
    if (load_error[0]) {
        recorded_close(rec);
        if (named) {
            snprintf(error, error_size, "--reference: %s", load_error);
            return 1;
        }
        snprintf(note, note_size, "no recorded GPU to show: %s", load_error);
        return 0;
    }
    rec->loaded = 1;
    return 0;
}

void recorded_close(recorded *rec)
{
    for (int i = 0; i < 4; i++) {
        cJSON_Delete(rec->doc[i]);
        rec->doc[i] = NULL;
    }
    rec->loaded = 0;
}

static double number(const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

/* The GPU column of the sweep point nearest to size (in log(size)); exact = only size. */
static int sweep_point(const recorded *rec, const char *op, double size, int with_copies, int exact,
                       recorded_cell *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *doc = NULL;
    for (int i = DOC_SWEEP; i <= DOC_SWEEP_MUL; i++) {
        const cJSON *d = rec->doc[i];
        const cJSON *o = d ? cJSON_GetObjectItemCaseSensitive(d, "op") : NULL;
        if (cJSON_IsString(o) && strcmp(o->valuestring, op) == 0) doc = d;
    }
    if (!doc || !(size > 0)) return 0;
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(doc, "points");
    const cJSON *p, *best = NULL;
    double best_distance = INFINITY;
    const char *column = with_copies ? "gpu_with_copies" : "gpu";
    cJSON_ArrayForEach(p, points) {
        const cJSON *cell = cJSON_GetObjectItemCaseSensitive(p, column);
        double s = number(p, "size"), m = number(cell, "median_s");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cell, "measured")) || !isfinite(m) ||
            !(s > 0))
            continue;
        double distance = fabs(log(s / size));
        if (exact && s != size) continue;
        if (distance < best_distance) best_distance = distance, best = p;
    }
    if (!best) return 0;
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(best, column);
    out->found = 1;
    out->size = number(best, "size");
    out->median_s = number(cell, "median_s");
    double flops = number(best, "flops");
    out->gflops = isfinite(flops) ? flops / out->median_s / 1e9 : NAN;
    snprintf(out->from, sizeof out->from, "%s",
             strcmp(op, "matmul") == 0 ? "sweep.json" : "sweep-mul.json");
    return 1;
}

int recorded_demo_cell(const recorded *rec, const char *op, int64_t n, recorded_cell *out)
{
    memset(out, 0, sizeof *out);
    if (!rec->loaded) return 0;
    const cJSON *demo = rec->doc[DOC_DEMO];
    double size = number(demo, "size");
    const cJSON *cells = demo ? cJSON_GetObjectItemCaseSensitive(demo, "cells") : NULL;
    const cJSON *cell;
    int square = strcmp(op, "square") == 0;
    if (square || size == (double)n) {
        cJSON_ArrayForEach(cell, cells) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(cell, "op");
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(cell, "device");
            if (!cJSON_IsString(o) || strcmp(o->valuestring, op) != 0 || !cJSON_IsString(d) ||
                strcmp(d->valuestring, "cpu") == 0 ||
                !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cell, "measured")))
                continue;
            double median = number(cJSON_GetObjectItemCaseSensitive(cell, "time"), "median_s");
            if (!isfinite(median)) continue;
            out->found = 1;
            out->median_s = median;
            out->gflops = number(cell, "gflops");
            out->size = square ? 1 : size;
            snprintf(out->from, sizeof out->from, "demo.json");
            return 1;
        }
    }
    if (square) return 0;
    return sweep_point(rec, "matmul", (double)n, 0, 0, out);
}

int recorded_sweep_point(const recorded *rec, const char *op, double size, int with_copies,
                         recorded_cell *out)
{
    memset(out, 0, sizeof *out);
    return rec->loaded ? sweep_point(rec, op, size, with_copies, 1, out) : 0;
}

const void *recorded_explain_section(const recorded *rec, const char *section)
{
    const cJSON *explain = rec->loaded ? rec->doc[DOC_EXPLAIN] : NULL;
    const cJSON *sections = explain ? cJSON_GetObjectItemCaseSensitive(explain, "sections") : NULL;
    return sections ? cJSON_GetObjectItemCaseSensitive(sections, section) : NULL;
}

#else /* !WG_HAVE_CJSON */

int recorded_open(recorded *rec, const char *spec, int gpu_present, char *note, size_t note_size,
                  char *error, size_t error_size)
{
    memset(rec, 0, sizeof *rec);
    if (error && error_size) error[0] = '\0';
    if (note && note_size) note[0] = '\0';
    int named = spec && spec[0] && strcmp(spec, "none") != 0;
    if (named) {
        snprintf(error, error_size, "--reference: whygpu was built without cJSON (libcjson-dev), "
                 "so recorded runs cannot be read");
        return 1;
    }
    if (!gpu_present && !(spec && strcmp(spec, "none") == 0))
        snprintf(note, note_size, "no recorded GPU to show: whygpu was built without cJSON");
    return 0;
}

void recorded_close(recorded *rec) { rec->loaded = 0; }

int recorded_demo_cell(const recorded *rec, const char *op, int64_t n, recorded_cell *out)
{
    (void)rec, (void)op, (void)n;
    memset(out, 0, sizeof *out);
    return 0;
}

int recorded_sweep_point(const recorded *rec, const char *op, double size, int with_copies,
                         recorded_cell *out)
{
    (void)rec, (void)op, (void)size, (void)with_copies;
    memset(out, 0, sizeof *out);
    return 0;
}

const void *recorded_explain_section(const recorded *rec, const char *section)
{
    (void)rec, (void)section;
    return NULL;
}

#endif /* WG_HAVE_CJSON */
