/*
 * compare.c - see compare.h. Three parts: loading (arguments to runs, runs to documents
 * keyed by kind), figures (one extractor per kind turning a document into named figures,
 * merged across runs by key), and the sentences that follow from them (the first run's
 * CPU against each other run's GPU, the comparison the project exists for).
 */
#include "compare.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "whygpu.h"
#include "whygpu_lab.h"

#ifdef WG_HAVE_CJSON
#include "json_read.h"
#endif

/* ---------------------------------------------------------------- formatting ------ */

const char *compare_format_value(const char *unit, double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
    } else if (strcmp(unit, "s") == 0) {
        wg_format_seconds(v, buf, size);
    } else if (strcmp(unit, "GB/s") == 0) {
        if (v >= 1000) snprintf(buf, size, "%.2f TB/s", v / 1000);
        else snprintf(buf, size, "%.3g GB/s", v);
    } else if (strcmp(unit, "GFLOP/s") == 0) {
        if (v >= 1000) snprintf(buf, size, "%.3g TFLOP/s", v / 1000);
        else snprintf(buf, size, "%.3g GFLOP/s", v);
    } else if (strcmp(unit, "x") == 0) {
        if (v >= 1000) snprintf(buf, size, "%.0fx", v);
        else snprintf(buf, size, "%.3gx", v);
    } else if (strcmp(unit, "images/s") == 0) {
        snprintf(buf, size, "%.0f images/s", v);
    } else if (strcmp(unit, "fraction") == 0) {
        snprintf(buf, size, "%.0f%%", v * 100);
    } else {
        snprintf(buf, size, "%.0f", v);
    }
    return buf;
}

#ifdef WG_HAVE_CJSON

/* How many times better run i's figure is than run 0's (rates: vi / v0; times and sizes,
 * lower better: v0 / vi); NaN when either is missing. */
static double advantage(const cmp_figure *f, int i)
{
    double a = f->value[0], b = f->value[i];
    if (!isfinite(a) || !isfinite(b) || a <= 0 || b <= 0) return NAN;
    return f->better == CMP_LOWER_BETTER ? a / b : b / a;
}

/* ---------------------------------------------------------------- loading --------- */

/* The kinds this whygpu reads, with the newest schema version it understands. */
typedef struct kind_info {
    const char *schema; /* "whygpu.demo" */
    int max_version;
} kind_info;

static const kind_info kinds[] = {
    {"whygpu.demo", 1},   {"whygpu.explain", 1}, {"whygpu.sweep", 1},
    {"whygpu.ladder", 1}, {"whygpu.train", 2},   {"whygpu.bench-gemm", 1},
    {"whygpu.info", 1},
};

typedef struct doc {
    char path[512];
    char kind[32];   /* "demo", "sweep matmul", "train compare", ... */
    char schema[40]; /* as written, e.g. "whygpu.demo/1" */
    cJSON *root;
} doc;

typedef struct run_docs {
    doc docs[24];
    int count;
    cJSON *provenance;
} run_docs;

static void set_error(char *error, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(char *error, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int valid_reference_name(const char *name)
{
    if (!name[0] || !(islower((unsigned char)name[0]) || isdigit((unsigned char)name[0])))
        return 0;
    for (const char *p = name; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("._-", *p))
            return 0;
    return 1;
}

int compare_find_reference(const char *name, char *out, size_t size, char *why, size_t why_size)
{
    char candidates[4][PATH_MAX + 64];
    int count = 0;
    const char *env = getenv("WHYGPU_REFERENCE_DIR");
    if (env && env[0]) snprintf(candidates[count++], sizeof candidates[0], "%s/%s", env, name);
    char exe[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length > 0) {
        exe[length] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        snprintf(candidates[count++], sizeof candidates[0], "%s/../reference/%s", exe, name);
        snprintf(candidates[count++], sizeof candidates[0], "%s/../share/whygpu/reference/%s",
                 exe, name);
    }
#ifdef WG_REFERENCE_DIR
    snprintf(candidates[count++], sizeof candidates[0], "%s/%s", WG_REFERENCE_DIR, name);
#endif
    for (int i = 0; i < count; i++) {
        char probe[PATH_MAX + 96];
        if ((size_t)snprintf(probe, sizeof probe, "%s/provenance.json", candidates[i]) >=
            sizeof probe)
            continue;
        if (is_file(probe)) {
            char resolved[PATH_MAX];
            snprintf(out, size, "%s", realpath(candidates[i], resolved) ? resolved : candidates[i]);
            return 1;
        }
    }
    size_t used = (size_t)snprintf(why, why_size, "no reference '%s' (looked in", name);
    for (int i = 0; i < count && used < why_size; i++)
        used += (size_t)snprintf(why + used, why_size - used, "%s %s", i ? "," : "",
                                 candidates[i]);
    if (used < why_size)
        snprintf(why + used, why_size - used, "; WHYGPU_REFERENCE_DIR names another place)");
    return 0;
}

/* Reads one document and finds its kind; 0, or 1 with error set. A document whose schema
 * is not a whygpu one is skipped in a folder (quiet = 1) and refused when named alone. */
static int read_doc(const char *path, doc *d, int quiet, int *skipped, char *error,
                    size_t error_size)
{
    jr r = {""};
    char *text = jr_read_file(&r, path);
    cJSON *root = text ? jr_parse(&r, text, path) : NULL;
    free(text);
    if (!root) {
        set_error(error, error_size, "%s", r.error);
        return 1;
    }
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsObject(root) || !cJSON_IsString(schema)) {
        cJSON_Delete(root);
        if (quiet) {
            *skipped = 1;
            return 0;
        }
        set_error(error, error_size, "%s: field 'schema' is missing: not a whygpu JSON document",
                  path);
        return 1;
    }
    const char *s = schema->valuestring;
    const char *slash = strrchr(s, '/');
    const kind_info *known = NULL;
    for (size_t i = 0; slash && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].schema) == (size_t)(slash - s) &&
            strncmp(s, kinds[i].schema, (size_t)(slash - s)) == 0)
            known = &kinds[i];
    char *end = NULL;
    long version = slash ? strtol(slash + 1, &end, 10) : 0;
    if (!known || !end || *end || version < 1) {
        int skip = quiet && strncmp(s, "whygpu.", 7) != 0;
        if (skip) *skipped = 1;
        else
            set_error(error, error_size, "%s: schema '%s' is not one whygpu compare reads (demo, "
                      "explain, sweep, ladder, train, bench-gemm)", path, s);
        cJSON_Delete(root);
        return skip ? 0 : 1;
    }
    if (version > known->max_version) {
        set_error(error, error_size, "%s: schema '%s' is newer than this whygpu reads (up to "
                  "%s/%d): compare it with a newer whygpu", path, s, known->schema,
                  known->max_version);
        cJSON_Delete(root);
        return 1;
    }
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s", path);
    snprintf(d->schema, sizeof d->schema, "%s", s);
    const char *kind = known->schema + 7;
    if (strcmp(kind, "sweep") == 0 || strcmp(kind, "train") == 0) {
        const char *field = kind[0] == 's' ? "op" : "mode";
        const char *value = jr_string(&r, root, "", field, JR_STRING);
        if (!value) {
            set_error(error, error_size, "%s: %s", path, r.error);
            cJSON_Delete(root);
            return 1;
        }
        snprintf(d->kind, sizeof d->kind, "%s %.20s", kind, value);
    } else {
        snprintf(d->kind, sizeof d->kind, "%s", kind);
    }
    d->root = root;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every whygpu document of a folder (its *.json, by name; provenance.json apart). */
static int read_folder(const char *dir, run_docs *rd, char *error, size_t error_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        set_error(error, error_size, "cannot open folder '%s'", dir);
        return 1;
    }
    char *names[64];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < 64) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)count, sizeof names[0], compare_names);
    int rc = 0;
    for (int i = 0; i < count; i++) {
        char path[1024];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) continue;
        if (strcmp(names[i], "provenance.json") == 0) {
            jr r = {""};
            char *text = jr_read_file(&r, path);
            rd->provenance = text ? jr_parse(&r, text, path) : NULL;
            free(text);
            if (!rd->provenance && !rc) {
                set_error(error, error_size, "%s", r.error);
                rc = 1;
            }
            continue;
        }
        if (rc || rd->count >= (int)(sizeof rd->docs / sizeof rd->docs[0])) continue;
        int skipped = 0;
        doc one;
        if (read_doc(path, &one, 1, &skipped, error, error_size) != 0) {
            rc = 1;
            continue;
        }
        if (skipped) continue;
        /* The first document of a kind (by file name) stands for the folder. */
        int duplicate = 0;
        for (int j = 0; j < rd->count; j++)
            if (strcmp(rd->docs[j].kind, one.kind) == 0) duplicate = 1;
        if (duplicate) cJSON_Delete(one.root);
        else rd->docs[rd->count++] = one;
    }
    for (int i = 0; i < count; i++) free(names[i]);
    if (!rc && rd->count == 0)
        set_error(error, error_size, "%s: no whygpu JSON document in the folder", dir), rc = 1;
    return rc;
}

static const doc *find_kind(const run_docs *rd, const char *kind)
{
    for (int i = 0; i < rd->count; i++)
        if (strcmp(rd->docs[i].kind, kind) == 0) return &rd->docs[i];
    return NULL;
}

/* Why a reference lacks a kind, from its provenance's "absent" map. */
static const char *absent_reason(const run_docs *rd, const char *kind)
{
    static const struct { const char *kind, *key; } keys[] = {
        {"train compare", "train-compare"}, {"bench-gemm", "bench-gemm"},
        {"sweep matmul", "sweep-matmul"},   {"sweep mul", "sweep-mul"},
        {"demo", "demo"}, {"explain", "explain"}, {"ladder", "ladder"}, {"info", "info"}};
    const cJSON *absent = rd->provenance ? cJSON_GetObjectItemCaseSensitive(rd->provenance, "absent")
                                         : NULL;
    for (size_t i = 0; absent && i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(kind, keys[i].kind) == 0) {
            const cJSON *why = cJSON_GetObjectItemCaseSensitive(absent, keys[i].key);
            if (cJSON_IsString(why)) return why->valuestring;
        }
    return NULL;
}

/* ---------------------------------------------------------------- figures --------- */

/* A section under construction: run i's figures are added by key. */
typedef struct builder {
    cmp_section *s;
    int run;
    jr r;
} builder;

static void put(builder *b, const char *key, const char *label, const char *unit, int better,
                double value)
{
    cmp_section *s = b->s;
    int i = 0;
    while (i < s->figures && strcmp(s->figure[i].key, key) != 0) i++;
    if (i == s->figures) {
        if (s->figures >= CMP_MAX_FIGURES) return;
        cmp_figure *f = &s->figure[s->figures++];
        memset(f, 0, sizeof *f);
        snprintf(f->key, sizeof f->key, "%s", key);
        snprintf(f->label, sizeof f->label, "%s", label);
        snprintf(f->unit, sizeof f->unit, "%s", unit);
        f->better = better;
        for (int j = 0; j < CMP_MAX_RUNS; j++) f->value[j] = NAN;
    }
    s->figure[i].value[b->run] = value;
}

static void note(cmp_section *s, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void note(cmp_section *s, const char *format, ...)
{
    if (s->notes >= CMP_MAX_NOTES) return;
    va_list args;
    va_start(args, format);
    vsnprintf(s->note[s->notes++], sizeof s->note[0], format, args);
    va_end(args);
}

/* The machine block of demo, explain and sweep: cpu.model, cpu.threads (or omp_threads),
 * gpu.available and gpu.name. */
static void read_machine(builder *b, const cJSON *root)
{
    cmp_source *src = &b->s->source[b->run];
    const cJSON *machine = jr_get(&b->r, root, "", "machine", JR_OBJECT);
    const cJSON *cpu = machine ? jr_get(&b->r, machine, "machine", "cpu", JR_OBJECT) : NULL;
    const cJSON *gpu = machine ? jr_get(&b->r, machine, "machine", "gpu", JR_OBJECT) : NULL;
    const char *model = cpu ? jr_string(&b->r, cpu, "machine.cpu", "model", JR_STRING) : NULL;
    if (model) snprintf(src->cpu, sizeof src->cpu, "%s", model);
    const cJSON *threads = cpu ? cJSON_GetObjectItemCaseSensitive(cpu, "threads") : NULL;
    if (!threads && cpu) threads = cJSON_GetObjectItemCaseSensitive(cpu, "omp_threads");
    if (cJSON_IsNumber(threads)) src->threads = (int)threads->valuedouble;
    const cJSON *available = gpu ? cJSON_GetObjectItemCaseSensitive(gpu, "available") : NULL;
    const cJSON *name = gpu ? cJSON_GetObjectItemCaseSensitive(gpu, "name") : NULL;
    if (cJSON_IsTrue(available) && cJSON_IsString(name))
        snprintf(src->gpu, sizeof src->gpu, "%s", name->valuestring);
}

static void read_date(builder *b, const cJSON *root)
{
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(root, "date");
    if (cJSON_IsString(date))
        snprintf(b->s->source[b->run].date, sizeof b->s->source[0].date, "%.31s", date->valuestring);
}

static void extract_demo(builder *b, const cJSON *root)
{
    read_machine(b, root);
    read_date(b, root);
    double size = jr_number(&b->r, root, "", "size", JR_NUMBER);
    const cJSON *cells = jr_get(&b->r, root, "", "cells", JR_ARRAY);
    if (b->r.error[0]) return;
    int index = 0;
    const cJSON *cell;
    cJSON_ArrayForEach(cell, cells) {
        char where[32];
        snprintf(where, sizeof where, "cells[%d]", index++);
        const char *op = jr_string(&b->r, cell, where, "op", JR_STRING);
        const char *device = jr_string(&b->r, cell, where, "device", JR_STRING);
        const cJSON *measured = jr_get(&b->r, cell, where, "measured", JR_BOOL);
        if (b->r.error[0]) return;
        if (!cJSON_IsTrue(measured)) continue;
        const char *dev = strcmp(device, "cpu") == 0 ? "cpu" : "gpu";
        const char *Dev = dev[0] == 'c' ? "CPU" : "GPU";
        char at[48], key[96], label[128];
        snprintf(at, sizeof at, "%s.time", where);
        const cJSON *time = jr_get(&b->r, cell, where, "time", JR_OBJECT);
        double median = time ? jr_number(&b->r, time, at, "median_s", JR_NUMBER) : NAN;
        if (b->r.error[0]) return;
        if (strcmp(op, "square") == 0) {
            snprintf(key, sizeof key, "%s.square.time", dev);
            snprintf(label, sizeof label, "%s: x*x on a 1x1 tensor", Dev);
            put(b, key, label, "s", CMP_LOWER_BETTER, median);
        } else {
            double gflops = jr_number(&b->r, cell, where, "gflops", JR_NUMBER);
            snprintf(key, sizeof key, "%s.matmul.rate", dev);
            snprintf(label, sizeof label, "%s: matmul rate", Dev);
            put(b, key, label, "GFLOP/s", CMP_HIGHER_BETTER, gflops);
            snprintf(key, sizeof key, "%s.matmul.time@%.0f", dev, size);
            snprintf(label, sizeof label, "%s: matmul %.0fx%.0f time", Dev, size, size);
            put(b, key, label, "s", CMP_LOWER_BETTER, median);
        }
    }
    const cJSON *comparisons = cJSON_GetObjectItemCaseSensitive(root, "comparisons");
    const cJSON *c;
    cJSON_ArrayForEach(c, comparisons) {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(c, "op");
        const cJSON *ratio = cJSON_GetObjectItemCaseSensitive(c, "cpu_over_gpu");
        if (!cJSON_IsString(op) || !cJSON_IsNumber(ratio)) continue;
        char key[64], label[128];
        snprintf(key, sizeof key, "speedup.%s", op->valuestring);
        snprintf(label, sizeof label, "GPU over its CPU: %s",
                 strcmp(op->valuestring, "square") == 0 ? "x*x 1x1" : "matmul");
        put(b, key, label, "x", CMP_HIGHER_BETTER, ratio->valuedouble);
    }
}

/* The row of `table` (an array of objects) whose `field` equals `value`. */
static const cJSON *row_where(const cJSON *table, const char *field, const char *value)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, table) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(row, field);
        if (cJSON_IsString(f) && strcmp(f->valuestring, value) == 0) return row;
    }
    return NULL;
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

static void extract_explain(builder *b, const cJSON *root)
{
    read_machine(b, root);
    read_date(b, root);
    const cJSON *sections = jr_get(&b->r, root, "", "sections", JR_OBJECT);
    if (b->r.error[0]) return;
    const cJSON *bw = cJSON_GetObjectItemCaseSensitive(sections, "bandwidth");
    if (bw) {
        const cJSON *cpu = jr_get(&b->r, bw, "sections.bandwidth", "cpu_stream", JR_ARRAY);
        if (b->r.error[0]) return;
        put(b, "cpu.triad", "CPU: memory bandwidth (STREAM triad)", "GB/s", CMP_HIGHER_BETTER,
            num(row_where(cpu, "kernel", "triad"), "best_gbs"));
        const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(bw, "gpu_stream");
        put(b, "gpu.triad", "GPU: memory bandwidth (STREAM triad)", "GB/s", CMP_HIGHER_BETTER,
            num(row_where(gpu, "kernel", "triad"), "best_gbs"));
        const cJSON *transfers = cJSON_GetObjectItemCaseSensitive(bw, "transfers");
        const cJSON *row, *largest = NULL;
        cJSON_ArrayForEach(row, transfers) {
            const cJSON *dir = cJSON_GetObjectItemCaseSensitive(row, "direction");
            if (cJSON_IsString(dir) && strcmp(dir->valuestring, "host->GPU") == 0) largest = row;
        }
        if (largest) {
            const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(largest, "bytes");
            char label[128];
            snprintf(label, sizeof label, "host->GPU copy, pinned, %s",
                     cJSON_IsString(bytes) ? bytes->valuestring : "largest");
            put(b, "transfer.h2d", label, "GB/s", CMP_HIGHER_BETTER, num(largest, "pinned_gbs"));
        }
    }
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(sections, "parallelism");
    if (par) {
        const cJSON *scaling = cJSON_GetObjectItemCaseSensitive(par, "cpu_scaling");
        int rows = cJSON_GetArraySize(scaling);
        if (rows > 0) {
            const cJSON *last = cJSON_GetArrayItem(scaling, rows - 1);
            put(b, "cpu.matmul.all", "CPU: matmul, all threads", "GFLOP/s", CMP_HIGHER_BETTER,
                num(last, "matmul_gflops"));
            put(b, "cpu.thread_speedup", "CPU: matmul speed-up from threads", "x",
                CMP_HIGHER_BETTER, num(last, "matmul_speedup"));
        }
        const cJSON *grid = cJSON_GetObjectItemCaseSensitive(par, "gpu_grid");
        put(b, "gpu.grid.one_block", "GPU: triad with 1 block", "GB/s", CMP_HIGHER_BETTER,
            num(row_where(grid, "grid", "1 block"), "triad_gbs"));
    }
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(sections, "latency");
    if (lat) {
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(lat, "latency");
        const cJSON *row;
        cJSON_ArrayForEach(row, rows) {
            const cJSON *what = cJSON_GetObjectItemCaseSensitive(row, "what");
            if (!cJSON_IsString(what)) continue;
            char key[96];
            snprintf(key, sizeof key, "latency.%.80s", what->valuestring);
            put(b, key, what->valuestring, "s", CMP_LOWER_BETTER, num(row, "seconds"));
        }
    }
    const cJSON *roof = cJSON_GetObjectItemCaseSensitive(sections, "roofline");
    if (roof) {
        const cJSON *devices = cJSON_GetObjectItemCaseSensitive(roof, "devices");
        put(b, "cpu.peak", "CPU: peak (FMA loop)", "GFLOP/s", CMP_HIGHER_BETTER,
            num(row_where(devices, "device", "cpu"), "peak_gflops"));
        put(b, "gpu.peak", "GPU: peak (cuBLAS SGEMM FP32)", "GFLOP/s", CMP_HIGHER_BETTER,
            num(row_where(devices, "device", "gpu"), "peak_gflops"));
    }
}

/* Largest size at which `column` of the sweep was measured, and its time and flops. */
static int sweep_largest(const cJSON *points, const char *column, double *size, double *median,
                         double *flops)
{
    int found = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, points) {
        const cJSON *cell = cJSON_GetObjectItemCaseSensitive(p, column);
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cell, "measured"))) continue;
        double m = num(cell, "median_s");
        if (!isfinite(m)) continue;
        *size = num(p, "size");
        *median = m;
        *flops = num(p, "flops");
        found = 1;
    }
    return found;
}

static void extract_sweep(builder *b, const cJSON *root)
{
    read_machine(b, root);
    read_date(b, root);
    const char *op = jr_string(&b->r, root, "", "op", JR_STRING);
    const cJSON *points = jr_get(&b->r, root, "", "points", JR_ARRAY);
    const cJSON *crossover = jr_get(&b->r, root, "", "crossover", JR_OBJECT);
    if (b->r.error[0]) return;
    int index = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, points) { /* every point must say its size and each column's state */
        char where[32];
        snprintf(where, sizeof where, "points[%d]", index++);
        jr_number(&b->r, p, where, "size", JR_NUMBER);
        static const char *const columns[] = {"cpu", "gpu", "gpu_with_copies"};
        for (int c = 0; c < 3; c++) {
            char at[64];
            snprintf(at, sizeof at, "%s.%s", where, columns[c]);
            const cJSON *cell = jr_get(&b->r, p, where, columns[c], JR_OBJECT);
            const cJSON *measured = cell ? jr_get(&b->r, cell, at, "measured", JR_BOOL) : NULL;
            if (cJSON_IsTrue(measured)) jr_number(&b->r, cell, at, "median_s", JR_NUMBER);
        }
        if (b->r.error[0]) return;
    }
    const char *unit = strcmp(op, "matmul") == 0 ? "n" : "elements";
    static const char *const columns[] = {"gpu", "gpu_with_copies"};
    for (int c = 0; c < 2; c++) {
        char at[48], key[64], label[128];
        snprintf(at, sizeof at, "crossover.%s", columns[c]);
        const cJSON *x = jr_get(&b->r, crossover, "crossover", columns[c], JR_OBJECT);
        const char *state = x ? jr_string(&b->r, x, at, "state", JR_STRING) : NULL;
        if (!state) return;
        double size = num(x, "size");
        snprintf(key, sizeof key, "crossover.%s", columns[c]);
        snprintf(label, sizeof label, "GPU wins from %s (%s)", unit,
                 c == 0 ? "data on the GPU" : "counting the copies");
        put(b, key, label, "size", CMP_LOWER_BETTER,
            strcmp(state, "found") == 0 || strcmp(state, "gpu_always") == 0 ? size : NAN);
        if (strcmp(state, "never") == 0)
            note(b->s, "%s: the GPU (%s) never wins up to %s %.0f", b->s->source[b->run].file,
                 c == 0 ? "data on the GPU" : "counting the copies", unit, size);
        snprintf(key, sizeof key, "best.%s", columns[c]);
        snprintf(label, sizeof label, "best GPU speed-up over its CPU (%s)",
                 c == 0 ? "data on the GPU" : "with copies");
        put(b, key, label, "x", CMP_HIGHER_BETTER, num(x, "best_speedup"));
    }
    static const char *const devices[] = {"cpu", "gpu"};
    for (int d = 0; d < 2; d++) {
        double size, median, flops;
        if (!sweep_largest(points, devices[d], &size, &median, &flops)) continue;
        char key[64], label[128];
        snprintf(key, sizeof key, "%s.time@%.0f", devices[d], size);
        snprintf(label, sizeof label, "%s: %s at %s = %.0f", d ? "GPU" : "CPU", op, unit, size);
        put(b, key, label, "s", CMP_LOWER_BETTER, median);
    }
}

static void extract_ladder(builder *b, const cJSON *root)
{
    cmp_source *src = &b->s->source[b->run];
    const cJSON *gpu = jr_get(&b->r, root, "", "gpu", JR_OBJECT);
    const char *name = gpu ? jr_string(&b->r, gpu, "gpu", "name", JR_STRING) : NULL;
    if (name) snprintf(src->gpu, sizeof src->gpu, "%s", name);
    read_date(b, root);
    const cJSON *runs = jr_get(&b->r, root, "", "runs", JR_ARRAY);
    if (b->r.error[0]) return;
    int index = 0;
    const cJSON *run;
    cJSON_ArrayForEach(run, runs) {
        char where[32];
        snprintf(where, sizeof where, "runs[%d]", index++);
        double n = jr_number(&b->r, run, where, "n", JR_NUMBER);
        const cJSON *rungs = jr_get(&b->r, run, where, "rungs", JR_ARRAY);
        if (b->r.error[0]) return;
        int j = 0;
        const cJSON *rung;
        cJSON_ArrayForEach(rung, rungs) {
            char at[64];
            snprintf(at, sizeof at, "%s.rungs[%d]", where, j++);
            const char *rname = jr_string(&b->r, rung, at, "name", JR_STRING);
            const cJSON *measured = jr_get(&b->r, rung, at, "measured", JR_BOOL);
            if (b->r.error[0]) return;
            if (!cJSON_IsTrue(measured)) continue;
            double gflops = jr_number(&b->r, rung, at, "gflops", JR_NUMBER);
            char key[96], label[128];
            snprintf(key, sizeof key, "%s@%.0f", rname, n);
            snprintf(label, sizeof label, "%s, n = %.0f", rname, n);
            put(b, key, label, "GFLOP/s", CMP_HIGHER_BETTER, gflops);
        }
    }
}

static void extract_train(builder *b, const cJSON *root)
{
    cmp_source *src = &b->s->source[b->run];
    read_date(b, root);
    const cJSON *machine = jr_get(&b->r, root, "", "machine", JR_OBJECT);
    const char *mode = jr_string(&b->r, root, "", "mode", JR_STRING);
    if (b->r.error[0]) return;
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(machine, "cpu");
    if (cJSON_IsString(cpu)) snprintf(src->cpu, sizeof src->cpu, "%s", cpu->valuestring);
    else if (cJSON_IsObject(cpu) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(cpu, "model")))
        snprintf(src->cpu, sizeof src->cpu, "%s",
                 cJSON_GetObjectItemCaseSensitive(cpu, "model")->valuestring);
    double threads = num(machine, "threads"); /* train/1; train/2 has the machine block */
    if (!isfinite(threads) && cJSON_IsObject(cpu)) threads = num(cpu, "threads");
    if (isfinite(threads)) src->threads = (int)threads;
    const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(machine, "gpu");
    if (cJSON_IsString(gpu)) snprintf(src->gpu, sizeof src->gpu, "%s", gpu->valuestring);
    else if (cJSON_IsObject(gpu) && !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(gpu, "available")) &&
             cJSON_IsString(cJSON_GetObjectItemCaseSensitive(gpu, "name")))
        snprintf(src->gpu, sizeof src->gpu, "%s",
                 cJSON_GetObjectItemCaseSensitive(gpu, "name")->valuestring);
    if (strcmp(mode, "compare") == 0) {
        const cJSON *runs = jr_get(&b->r, root, "", "runs", JR_ARRAY);
        if (b->r.error[0]) return;
        int index = 0;
        const cJSON *run;
        cJSON_ArrayForEach(run, runs) {
            char where[32];
            snprintf(where, sizeof where, "runs[%d]", index++);
            const char *device = jr_string(&b->r, run, where, "device", JR_STRING);
            const cJSON *ran = jr_get(&b->r, run, where, "ran", JR_BOOL);
            if (b->r.error[0]) return;
            if (!cJSON_IsTrue(ran)) continue;
            int is_cpu = strcmp(device, "cpu") == 0;
            double step = jr_number(&b->r, run, where, "seconds_per_step", JR_NUMBER);
            double images = jr_number(&b->r, run, where, "images_per_s", JR_NUMBER);
            put(b, is_cpu ? "cpu.step" : "gpu.step", is_cpu ? "CPU: time per training step"
                                                            : "GPU: time per training step",
                "s", CMP_LOWER_BETTER, step);
            put(b, is_cpu ? "cpu.images" : "gpu.images",
                is_cpu ? "CPU: training images/s" : "GPU: training images/s", "images/s",
                CMP_HIGHER_BETTER, images);
        }
        put(b, "speedup", "GPU over its CPU: training step", "x", CMP_HIGHER_BETTER,
            num(root, "speedup"));
    } else {
        const cJSON *epochs = jr_get(&b->r, root, "", "epochs", JR_ARRAY);
        const cJSON *final = jr_get(&b->r, root, "", "final", JR_OBJECT);
        const char *device = jr_string(&b->r, root, "", "device", JR_STRING);
        if (b->r.error[0]) return;
        double best = NAN;
        const cJSON *e;
        cJSON_ArrayForEach(e, epochs) {
            double v = num(e, "images_per_s");
            if (isfinite(v) && (!isfinite(best) || v > best)) best = v;
        }
        int is_cpu = strcmp(device, "cpu") == 0;
        put(b, is_cpu ? "cpu.images" : "gpu.images",
            is_cpu ? "CPU: training images/s (best epoch)" : "GPU: training images/s (best epoch)",
            "images/s", CMP_HIGHER_BETTER, best);
        put(b, "accuracy", "test accuracy at the end", "fraction", CMP_HIGHER_BETTER,
            num(final, "test_accuracy"));
    }
}

static void extract_bench(builder *b, const cJSON *root)
{
    cmp_source *src = &b->s->source[b->run];
    read_date(b, root);
    const char *cpu = jr_string(&b->r, root, "", "cpu", JR_STRING);
    double threads = jr_number(&b->r, root, "", "threads", JR_NUMBER);
    const cJSON *shapes = jr_get(&b->r, root, "", "shapes", JR_ARRAY);
    if (b->r.error[0]) return;
    snprintf(src->cpu, sizeof src->cpu, "%s", cpu);
    src->threads = (int)threads;
    put(b, "cpu.fma_peak", "CPU: FMA peak", "GFLOP/s", CMP_HIGHER_BETTER,
        num(root, "fma_peak_gflops"));
    int index = 0;
    const cJSON *shape;
    cJSON_ArrayForEach(shape, shapes) {
        char where[32];
        snprintf(where, sizeof where, "shapes[%d]", index++);
        const char *label = jr_string(&b->r, shape, where, "label", JR_STRING);
        double gflops = jr_number(&b->r, shape, where, "gflops", JR_NUMBER);
        if (b->r.error[0]) return;
        char key[96], text[128];
        snprintf(key, sizeof key, "gemm.%.80s", label);
        snprintf(text, sizeof text, "CPU GEMM %.100s", label);
        put(b, key, text, "GFLOP/s", CMP_HIGHER_BETTER, gflops);
    }
}

/* ---------------------------------------------------------------- sentences ------- */

static const cmp_figure *figure(const cmp_section *s, const char *key)
{
    for (int i = 0; i < s->figures; i++)
        if (strcmp(s->figure[i].key, key) == 0) return &s->figure[i];
    return NULL;
}

/* Run i's device as a sentence names it: "your CPU (AMD EPYC)" for the one run that is
 * not a reference, "the H100 80GB HBM3" for a reference's GPU, "B's CPU (...)" otherwise. */
static void subject(const cmp_result *res, const cmp_section *s, int i, int gpu, char *buf,
                    size_t size)
{
    const cmp_run *run = &res->run[i];
    const cmp_source *src = &s->source[i];
    int own = 0;
    for (int j = 0; j < res->runs; j++) own += !res->run[j].reference;
    const char *what = gpu ? (src->gpu[0] ? src->gpu : "its GPU") : (src->cpu[0] ? src->cpu : "?");
    if (run->reference && gpu)
        snprintf(buf, size, "the %s (%s, recorded %s)", run->label, run->name, run->recorded);
    else if (run->reference)
        snprintf(buf, size, "the %s machine's CPU (%s)", run->label, what);
    else if (own == 1)
        snprintf(buf, size, "your %s (%s)", gpu ? "GPU" : "CPU", what);
    else
        snprintf(buf, size, "%s's %s (%s)", run->id, gpu ? "GPU" : "CPU", what);
}

static void say(cmp_section *s, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(cmp_section *s, const char *format, ...)
{
    if (s->sentences >= CMP_MAX_SENTENCES) return;
    va_list args;
    va_start(args, format);
    char *text = s->sentence[s->sentences++];
    vsnprintf(text, sizeof s->sentence[0], format, args);
    va_end(args);
    text[0] = (char)toupper((unsigned char)text[0]);
}

/* A figure of run i on one device against run j's figure on another: "X delivers a; Y b,
 * r x". The ratio is in favour of j. */
static int pair(const cmp_section *s, const char *key_i, int i, const char *key_j, int j,
                double *vi, double *vj)
{
    const cmp_figure *fi = figure(s, key_i), *fj = figure(s, key_j);
    if (!fi || !fj) return 0;
    *vi = fi->value[i];
    *vj = fj->value[j];
    return isfinite(*vi) && isfinite(*vj) && *vi > 0 && *vj > 0;
}

/* A ratio as text: "63.2x", "1234x". */
static const char *rx(double v, char *buf)
{
    return compare_format_value("x", v, buf, 32);
}

/* The sentences of run c's CPU against run j's GPU (and, for the ladder, run c's GPU). */
static void pair_sentences(const cmp_result *res, cmp_section *s, int c, int j)
{
    char a[200], g[200], v1[48], v2[48], r1[32];
    double x, y;
    subject(res, s, c, 0, a, sizeof a);
    subject(res, s, j, 1, g, sizeof g);
    if (strcmp(s->kind, "explain") == 0) {
        if (pair(s, "cpu.triad", c, "gpu.triad", j, &x, &y))
            say(s, "The memory of %s delivers %s; that of %s %s, %s. That is why x*x on a big "
                "tensor, which reads each number once, runs about %s faster there and no more.",
                a, compare_format_value("GB/s", x, v1, sizeof v1), g,
                compare_format_value("GB/s", y, v2, sizeof v2), rx(y / x, r1), rx(y / x, r1));
        if (pair(s, "cpu.peak", c, "gpu.peak", j, &x, &y))
            say(s, "%s peaks at %s (FMA loop); %s reaches %s in cuBLAS FP32, %s: a "
                "matmul, which does many flops per number moved, can use all of it.", a,
                compare_format_value("GFLOP/s", x, v1, sizeof v1), g,
                compare_format_value("GFLOP/s", y, v2, sizeof v2), rx(y / x, r1));
        if (pair(s, "latency.CPU: x*x on a 1x1 tensor", c,
                 "latency.GPU: x*x, result copied back", j, &x, &y))
            say(s, "%s squares a number held in a tensor in %s; %s needs %s for the same "
                "square with its result copied back (%s as long): for tiny work the "
                "GPU's fixed costs decide, not its arithmetic.", a,
                compare_format_value("s", x, v1, sizeof v1), g,
                compare_format_value("s", y, v2, sizeof v2), rx(y / x, r1));
        if (pair(s, "transfer.h2d", j, "gpu.triad", j, &x, &y))
            say(s, "Data must cross to %s first: %s (pinned host->GPU), %s slower than its "
                "own memory (%s): moving data can cost more than computing on it.", g,
                compare_format_value("GB/s", x, v1, sizeof v1), rx(y / x, r1),
                compare_format_value("GB/s", y, v2, sizeof v2));
    } else if (strcmp(s->kind, "demo") == 0) {
        if (pair(s, "cpu.matmul.rate", c, "gpu.matmul.rate", j, &x, &y))
            say(s, "%s multiplies matrices at %s; %s at %s, %s: a matrix product reuses "
                "each number it reads many times, so a GPU's thousands of cores all work.",
                a, compare_format_value("GFLOP/s", x, v1, sizeof v1), g,
                compare_format_value("GFLOP/s", y, v2, sizeof v2), rx(y / x, r1));
        if (pair(s, "cpu.square.time", c, "gpu.square.time", j, &x, &y))
            say(s, "%s squares a 1x1 tensor in %s; %s takes %s (%s as long): one number "
                "is not worth a kernel launch.", a, compare_format_value("s", x, v1, sizeof v1),
                g, compare_format_value("s", y, v2, sizeof v2), rx(y / x, r1));
    } else if (strncmp(s->kind, "sweep", 5) == 0) {
        /* The largest size both measured: run 0 on its CPU, run j on its GPU. */
        for (int k = s->figures - 1; k >= 0; k--) {
            const cmp_figure *f = &s->figure[k];
            if (strncmp(f->key, "cpu.time@", 9) != 0) continue;
            char gkey[64];
            snprintf(gkey, sizeof gkey, "gpu.time@%s", f->key + 9);
            if (pair(s, f->key, c, gkey, j, &x, &y)) {
                say(s, "At %s %s: %s takes %s, %s %s, %s.", strcmp(s->kind, "sweep matmul") == 0
                    ? "n =" : "elements =", f->key + 9, a,
                    compare_format_value("s", x, v1, sizeof v1), g,
                    compare_format_value("s", y, v2, sizeof v2), rx(x / y, r1));
                break;
            }
        }
        if (pair(s, "crossover.gpu", j, "crossover.gpu", j, &x, &y))
            say(s, "On %s's machine the GPU starts to win at %s %.0f with the data on the "
                "GPU; below that size its CPU is faster.", res->run[j].name,
                strcmp(s->kind, "sweep matmul") == 0 ? "n =" : "elements =", x);
    } else if (strcmp(s->kind, "train compare") == 0 || strcmp(s->kind, "train train") == 0) {
        if (pair(s, "cpu.images", c, "gpu.images", j, &x, &y))
            say(s, "%s trains the network at %s; %s at %s, %s.", a,
                compare_format_value("images/s", x, v1, sizeof v1), g,
                compare_format_value("images/s", y, v2, sizeof v2), rx(y / x, r1));
    }
    /* Same device, the other run: the largest figure that both have. */
    for (int k = 0; k < s->figures && strcmp(s->kind, "ladder") == 0; k++) {
        const cmp_figure *f = &s->figure[k];
        if (strncmp(f->key, "cublas-fp32", 11) != 0) continue;
        double r = f->value[j] / f->value[c];
        if (!(f->value[c] > 0) || !isfinite(r)) continue;
        subject(res, s, c, 1, a, sizeof a);
        say(s, "cuBLAS FP32 (%s): %s %s, %s %s, %s.", f->label, a,
            compare_format_value("GFLOP/s", f->value[c], v1, sizeof v1), g,
            compare_format_value("GFLOP/s", f->value[j], v2, sizeof v2), rx(r, r1));
        break;
    }
}

/* For each run after the first: the first run's CPU against its GPU, or, when that says
 * nothing (the first run is the GPU machine), its CPU against the first run's GPU. */
static void sentences(const cmp_result *res, cmp_section *s)
{
    for (int j = 1; j < res->runs; j++) {
        int before = s->sentences;
        pair_sentences(res, s, 0, j);
        if (s->sentences == before) pair_sentences(res, s, j, 0);
    }
}

/* ---------------------------------------------------------------- the comparison -- */

static void section_for(cmp_result *res, const doc *const *docs, const char *kind, char *error,
                        size_t error_size, int *rc)
{
    if (res->sections >= CMP_MAX_SECTIONS) return;
    cmp_section *s = &res->section[res->sections];
    memset(s, 0, sizeof *s);
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    for (int i = 0; i < res->runs; i++) {
        builder b = {s, i, {""}};
        snprintf(s->source[i].file, sizeof s->source[i].file, "%s", docs[i]->path);
        snprintf(s->schema[i], sizeof s->schema[i], "%s", docs[i]->schema);
        const cJSON *root = docs[i]->root;
        if (strcmp(kind, "demo") == 0) extract_demo(&b, root);
        else if (strcmp(kind, "explain") == 0) extract_explain(&b, root);
        else if (strncmp(kind, "sweep", 5) == 0) extract_sweep(&b, root);
        else if (strcmp(kind, "ladder") == 0) extract_ladder(&b, root);
        else if (strncmp(kind, "train", 5) == 0) extract_train(&b, root);
        else if (strcmp(kind, "bench-gemm") == 0) extract_bench(&b, root);
        if (b.r.error[0]) {
            set_error(error, error_size, "%s: %s", docs[i]->path, b.r.error);
            *rc = 1;
            return;
        }
        /* A reference's documents are dated by its provenance when they carry no date. */
        if (!s->source[i].date[0] && res->run[i].reference)
            snprintf(s->source[i].date, sizeof s->source[i].date, "%s", res->run[i].recorded);
    }
    if (strcmp(kind, "demo") == 0) { /* rates at different sizes: say so */
        double first = num(docs[0]->root, "size");
        for (int i = 1; i < res->runs; i++) {
            double other = num(docs[i]->root, "size");
            if (isfinite(first) && isfinite(other) && first != other) {
                note(s, "the matmul sizes differ (A %.0f, %s %.0f): rates at different sizes "
                     "compare less well, since a small product cannot keep a large machine busy",
                     first, res->run[i].id, other);
                break;
            }
        }
    }
    sentences(res, s);
    res->sections++;
}

static void run_names(cmp_result *res, int i, const char *arg, const char *path, int folder,
                      const cJSON *provenance)
{
    cmp_run *run = &res->run[i];
    snprintf(run->id, sizeof run->id, "%c", 'A' + i);
    snprintf(run->arg, sizeof run->arg, "%s", arg);
    snprintf(run->path, sizeof run->path, "%s", path);
    run->folder = folder;
    const char *base = strrchr(path, '/');
    base = base && base[1] ? base + 1 : path;
    snprintf(run->name, sizeof run->name, "%.63s", base);
    if (provenance) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(provenance, "name");
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(provenance, "label");
        const cJSON *date = cJSON_GetObjectItemCaseSensitive(provenance, "date");
        run->reference = 1;
        if (cJSON_IsString(name)) snprintf(run->name, sizeof run->name, "%.63s", name->valuestring);
        snprintf(run->label, sizeof run->label, "%s",
                 cJSON_IsString(label) ? label->valuestring : run->name);
        snprintf(run->recorded, sizeof run->recorded, "%.10s",
                 cJSON_IsString(date) ? date->valuestring : "an unknown date");
    }
}

static void free_docs(run_docs *rd, int count)
{
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < rd[i].count; j++) cJSON_Delete(rd[i].docs[j].root);
        cJSON_Delete(rd[i].provenance);
    }
}

int compare_load(cmp_result *res, const char *const *args, int count, char *error,
                 size_t error_size)
{
    memset(res, 0, sizeof *res);
    error[0] = '\0';
    if (count < 2) {
        set_error(error, error_size, "give at least two runs to compare (files, folders or "
                  "reference names such as h100)");
        return 2;
    }
    if (count > CMP_MAX_RUNS) {
        set_error(error, error_size, "at most %d runs at once, got %d", CMP_MAX_RUNS, count);
        return 2;
    }
    static run_docs rd[CMP_MAX_RUNS];
    memset(rd, 0, sizeof rd);
    int rc = 0;
    const char *file_kind = NULL;
    for (int i = 0; i < count && !rc; i++) {
        const char *arg = args[i];
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s", arg);
        if (!is_file(arg) && !is_dir(arg)) {
            char why[1200];
            if (!strchr(arg, '/') && valid_reference_name(arg) &&
                compare_find_reference(arg, path, sizeof path, why, sizeof why)) {
                /* found: path is the reference folder */
            } else {
                if (!strchr(arg, '/') && valid_reference_name(arg))
                    set_error(error, error_size, "'%s' is no file or folder, and %s", arg, why);
                else
                    set_error(error, error_size, "'%s' is no file or folder", arg);
                rc = 2;
                break;
            }
        }
        res->runs = i + 1;
        if (is_dir(path)) {
            rc = read_folder(path, &rd[i], error, error_size);
            run_names(res, i, arg, path, 1, rd[i].provenance);
        } else {
            int skipped = 0;
            rc = read_doc(path, &rd[i].docs[0], 0, &skipped, error, error_size);
            if (!rc) {
                rd[i].count = 1;
                if (!file_kind) file_kind = rd[i].docs[0].kind;
                else if (strcmp(file_kind, rd[i].docs[0].kind) != 0) {
                    set_error(error, error_size, "%s is a %s run (%s) and %s a %s run: only runs "
                              "of the same kind compare", path, rd[i].docs[0].kind,
                              rd[i].docs[0].schema, args[0], file_kind);
                    rc = 1;
                }
            }
            /* A document inside a reference folder is that reference's. */
            char dir[PATH_MAX + 32];
            snprintf(dir, sizeof dir, "%s", path);
            char *slash = strrchr(dir, '/');
            if (slash) snprintf(slash, sizeof dir - (size_t)(slash - dir), "/provenance.json");
            else snprintf(dir, sizeof dir, "provenance.json");
            if (!rc && is_file(dir)) {
                jr r = {""};
                char *text = jr_read_file(&r, dir);
                rd[i].provenance = text ? jr_parse(&r, text, dir) : NULL;
                free(text);
            }
            run_names(res, i, arg, path, 0, rd[i].provenance);
        }
    }
    if (!rc) {
        /* The kinds to compare: the files' kind, or every kind all folders hold. */
        const char *wanted[24];
        int nwanted = 0;
        if (file_kind) {
            wanted[nwanted++] = file_kind;
        } else {
            for (int k = 0; k < rd[0].count; k++) wanted[nwanted++] = rd[0].docs[k].kind;
        }
        for (int k = 0; k < nwanted && !rc; k++) {
            const char *kind = wanted[k];
            const doc *docs[CMP_MAX_RUNS];
            int missing = -1;
            for (int i = 0; i < res->runs; i++) {
                docs[i] = find_kind(&rd[i], kind);
                if (!docs[i] && missing < 0) missing = i;
            }
            if (strcmp(kind, "info") == 0) {
                if (!file_kind) continue; /* a folder's info is facts, not measurements */
                set_error(error, error_size, "%s: info documents hold no measurements; compare "
                          "demo, explain, sweep, ladder, train or bench-gemm runs", docs[0]->path);
                rc = 1;
                break;
            }
            if (missing >= 0) {
                const char *why = absent_reason(&rd[missing], kind);
                char text[400];
                snprintf(text, sizeof text, "%s: no %s document in %s%s%.250s%s", kind, kind,
                         res->run[missing].path, why ? " (" : "", why ? why : "", why ? ")" : "");
                if (file_kind) {
                    set_error(error, error_size, "%s", text);
                    rc = 1;
                } else if (res->not_compared_count < CMP_MAX_SECTIONS) {
                    snprintf(res->not_compared[res->not_compared_count++],
                             sizeof res->not_compared[0], "%s", text);
                }
                continue;
            }
            section_for(res, docs, kind, error, error_size, &rc);
        }
        if (!rc && res->sections == 0) {
            set_error(error, error_size, "%s and %s hold no run of the same kind to compare%s%s",
                      res->run[0].path, res->run[1].path,
                      res->not_compared_count ? ": " : "",
                      res->not_compared_count ? res->not_compared[0] : "");
            rc = 1;
        }
    }
    free_docs(rd, CMP_MAX_RUNS);
    return rc;
}

/* ---------------------------------------------------------------- output ---------- */

static void source_line(FILE *out, const cmp_run *run, const cmp_source *src)
{
    fprintf(out, "  %s  %s", run->id, run->reference ? run->name : src->file);
    if (run->reference) fprintf(out, " (%s, recorded %s, not this machine)", run->label, run->recorded);
    fprintf(out, ": ");
    if (src->cpu[0]) fprintf(out, "%s", src->cpu);
    if (src->threads > 0) fprintf(out, ", %d threads", src->threads);
    fprintf(out, "%s%s", src->cpu[0] ? "; " : "", src->gpu[0] ? src->gpu : "no GPU");
    if (src->date[0]) fprintf(out, "; measured %.10s", src->date);
    fprintf(out, "\n");
}

void compare_print_text(FILE *out, const cmp_result *res)
{
    for (int k = 0; k < res->sections; k++) {
        const cmp_section *s = &res->section[k];
        if (k) fprintf(out, "\n");
        fprintf(out, "whygpu compare: %s, %d runs\n", s->kind, res->runs);
        for (int i = 0; i < res->runs; i++) source_line(out, &res->run[i], &s->source[i]);
        int width = 6;
        for (int f = 0; f < s->figures; f++) {
            int w = (int)strlen(s->figure[f].label);
            if (w > width) width = w;
        }
        fprintf(out, "\n%-*s", width, "figure");
        for (int i = 0; i < res->runs; i++) fprintf(out, "  %14s", res->run[i].id);
        for (int i = 1; i < res->runs; i++) fprintf(out, "  %7s vs A", res->run[i].id);
        fprintf(out, "\n");
        for (int f = 0; f < s->figures; f++) {
            const cmp_figure *fig = &s->figure[f];
            fprintf(out, "%-*s", width, fig->label);
            char v[48];
            for (int i = 0; i < res->runs; i++)
                fprintf(out, "  %14s", compare_format_value(fig->unit, fig->value[i], v, sizeof v));
            for (int i = 1; i < res->runs; i++) {
                double r = advantage(fig, i);
                if (isfinite(r)) fprintf(out, "  %11.3gx", r);
                else fprintf(out, "  %12s", "-");
            }
            fprintf(out, "\n");
        }
        fprintf(out, "(X vs A: how many times better X's figure is than A's: for times and sizes "
                     "A / X, for rates X / A; - where one was not measured)\n");
        for (int n = 0; n < s->notes; n++) fprintf(out, "note: %s\n", s->note[n]);
        if (s->sentences) {
            fprintf(out, "\nWhat follows:\n");
            for (int n = 0; n < s->sentences; n++) fprintf(out, "  - %s\n", s->sentence[n]);
        }
    }
    for (int n = 0; n < res->not_compared_count; n++)
        fprintf(out, "\nnot compared: %s\n", res->not_compared[n]);
}

/* key: an array of `count` strings stored `stride` bytes apart from `first`. */
static void json_strings(wg_json *j, const char *key, const char *first, size_t stride, int count)
{
    wg_json_key(j, key);
    wg_json_begin_array(j);
    for (int n = 0; n < count; n++) wg_json_string(j, first + (size_t)n * stride);
    wg_json_end_array(j);
}

int compare_print_json(FILE *out, const cmp_result *res, const char *command_line)
{
    wg_machine_facts machine;
    if (wg_machine_facts_get(0, wg_cpu(), &machine) != WG_OK) return -1;
    wg_json j;
    wg_json_document_begin(&j, out, "whygpu.compare/1", command_line, &machine);
    wg_json_key(&j, "runs");
    wg_json_begin_array(&j);
    for (int i = 0; i < res->runs; i++) {
        const cmp_run *r = &res->run[i];
        wg_json_begin_object(&j);
        wg_json_key(&j, "id"); wg_json_string(&j, r->id);
        wg_json_key(&j, "argument"); wg_json_string(&j, r->arg);
        wg_json_key(&j, "path"); wg_json_string(&j, r->path);
        wg_json_key(&j, "name"); wg_json_string(&j, r->name);
        wg_json_key(&j, "folder"); wg_json_bool(&j, r->folder);
        wg_json_key(&j, "reference"); wg_json_bool(&j, r->reference);
        wg_json_key(&j, "label"); wg_json_string(&j, r->reference ? r->label : NULL);
        wg_json_key(&j, "recorded"); wg_json_string(&j, r->reference ? r->recorded : NULL);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_key(&j, "comparisons");
    wg_json_begin_array(&j);
    for (int k = 0; k < res->sections; k++) {
        const cmp_section *s = &res->section[k];
        wg_json_begin_object(&j);
        wg_json_key(&j, "kind"); wg_json_string(&j, s->kind);
        wg_json_key(&j, "sources");
        wg_json_begin_array(&j);
        for (int i = 0; i < res->runs; i++) {
            const cmp_source *src = &s->source[i];
            wg_json_begin_object(&j);
            wg_json_key(&j, "run"); wg_json_string(&j, res->run[i].id);
            wg_json_key(&j, "file"); wg_json_string(&j, src->file);
            wg_json_key(&j, "schema"); wg_json_string(&j, s->schema[i]);
            wg_json_key(&j, "cpu"); wg_json_string(&j, src->cpu[0] ? src->cpu : NULL);
            wg_json_key(&j, "threads");
            if (src->threads > 0) wg_json_int(&j, src->threads); else wg_json_null(&j);
            wg_json_key(&j, "gpu"); wg_json_string(&j, src->gpu[0] ? src->gpu : NULL);
            wg_json_key(&j, "date"); wg_json_string(&j, src->date[0] ? src->date : NULL);
            wg_json_end_object(&j);
        }
        wg_json_end_array(&j);
        wg_json_key(&j, "figures");
        wg_json_begin_array(&j);
        for (int f = 0; f < s->figures; f++) {
            const cmp_figure *fig = &s->figure[f];
            wg_json_begin_object(&j);
            wg_json_key(&j, "key"); wg_json_string(&j, fig->key);
            wg_json_key(&j, "label"); wg_json_string(&j, fig->label);
            wg_json_key(&j, "unit"); wg_json_string(&j, fig->unit);
            wg_json_key(&j, "better");
            wg_json_string(&j, fig->better > 0 ? "higher" : fig->better < 0 ? "lower" : "neither");
            wg_json_key(&j, "values");
            wg_json_begin_array(&j);
            for (int i = 0; i < res->runs; i++) wg_json_number(&j, fig->value[i]);
            wg_json_end_array(&j);
            wg_json_key(&j, "vs_first");
            wg_json_begin_array(&j);
            for (int i = 0; i < res->runs; i++) wg_json_number(&j, i ? advantage(fig, i) : NAN);
            wg_json_end_array(&j);
            wg_json_end_object(&j);
        }
        wg_json_end_array(&j);
        json_strings(&j, "reading", s->sentence[0], sizeof s->sentence[0], s->sentences);
        json_strings(&j, "notes", s->note[0], sizeof s->note[0], s->notes);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    json_strings(&j, "not_compared", res->not_compared[0], sizeof res->not_compared[0],
                 res->not_compared_count);
    wg_json_end_object(&j);
    return wg_json_finish(&j);
}

static void html_escaped(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*text, out);
        }
    }
}

void compare_print_html_section(FILE *out, const cmp_result *res)
{
    for (int k = 0; k < res->sections; k++) {
        const cmp_section *s = &res->section[k];
        fprintf(out, "<section class=\"compare\">\n<h2>Compared: ");
        html_escaped(out, s->kind);
        fprintf(out, "</h2>\n<ul class=\"sources\">\n");
        for (int i = 0; i < res->runs; i++) {
            const cmp_run *r = &res->run[i];
            const cmp_source *src = &s->source[i];
            fprintf(out, "<li%s><b>%s</b> ", r->reference ? " class=\"recorded\"" : "", r->id);
            html_escaped(out, r->reference ? r->name : src->file);
            if (r->reference) {
                fprintf(out, " (");
                html_escaped(out, r->label);
                fprintf(out, ", recorded %s, not this machine)", r->recorded);
            }
            fprintf(out, ": ");
            html_escaped(out, src->cpu[0] ? src->cpu : "CPU not named");
            if (src->threads > 0) fprintf(out, ", %d threads", src->threads);
            fprintf(out, "; ");
            html_escaped(out, src->gpu[0] ? src->gpu : "no GPU");
            if (src->date[0]) fprintf(out, "; measured %.10s", src->date);
            fprintf(out, "</li>\n");
        }
        fprintf(out, "</ul>\n<table>\n<tr><th>figure</th>");
        for (int i = 0; i < res->runs; i++)
            fprintf(out, "<th%s>%s</th>", res->run[i].reference ? " class=\"recorded\"" : "",
                    res->run[i].id);
        for (int i = 1; i < res->runs; i++) fprintf(out, "<th>%s vs A</th>", res->run[i].id);
        fprintf(out, "</tr>\n");
        for (int f = 0; f < s->figures; f++) {
            const cmp_figure *fig = &s->figure[f];
            char v[48];
            fprintf(out, "<tr><td>");
            html_escaped(out, fig->label);
            fprintf(out, "</td>");
            for (int i = 0; i < res->runs; i++)
                fprintf(out, "<td%s>%s</td>", res->run[i].reference ? " class=\"recorded\"" : "",
                        compare_format_value(fig->unit, fig->value[i], v, sizeof v));
            for (int i = 1; i < res->runs; i++) {
                double r = advantage(fig, i);
                if (isfinite(r)) fprintf(out, "<td>%.3gx</td>", r);
                else fprintf(out, "<td>-</td>");
            }
            fprintf(out, "</tr>\n");
        }
        fprintf(out, "</table>\n");
        if (s->sentences) {
            fprintf(out, "<ul class=\"reading\">\n");
            for (int n = 0; n < s->sentences; n++) {
                fprintf(out, "<li>");
                html_escaped(out, s->sentence[n]);
                fprintf(out, "</li>\n");
            }
            fprintf(out, "</ul>\n");
        }
        for (int n = 0; n < s->notes; n++) {
            fprintf(out, "<p class=\"note\">");
            html_escaped(out, s->note[n]);
            fprintf(out, "</p>\n");
        }
        fprintf(out, "</section>\n");
    }
}

#else /* !WG_HAVE_CJSON */

int compare_find_reference(const char *name, char *out, size_t size, char *why, size_t why_size)
{
    (void)name, (void)out, (void)size;
    snprintf(why, why_size, "whygpu was built without cJSON");
    return 0;
}

int compare_load(cmp_result *result, const char *const *args, int count, char *error,
                 size_t error_size)
{
    (void)args, (void)count;
    memset(result, 0, sizeof *result);
    snprintf(error, error_size, "built without cJSON (libcjson-dev), so saved runs cannot be "
             "read: install it and rebuild");
    return 1;
}

void compare_print_text(FILE *out, const cmp_result *result) { (void)out, (void)result; }

int compare_print_json(FILE *out, const cmp_result *result, const char *command_line)
{
    (void)out, (void)result, (void)command_line;
    return -1;
}

void compare_print_html_section(FILE *out, const cmp_result *result) { (void)out, (void)result; }

#endif /* WG_HAVE_CJSON */
