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

/* ================================================================ training ========== */

/* ================================================================ JSON documents ==== */

/* A small streaming JSON writer for whygpu's machine-readable output. It tracks nesting and
 * commas so callers write keys and values in order; strings are escaped (control characters
 * as \u00XX, UTF-8 passed through); non-finite numbers are written as null, since JSON has
 * no NaN. Output is indented two spaces a level. */
#define WG_JSON_MAX_DEPTH 32

typedef struct wg_json {
    FILE *out;
    int depth;
    int count[WG_JSON_MAX_DEPTH]; /* values written so far at each level */
    int after_key;                /* a key was just written: the value follows on the line */
    int error;                    /* nesting misuse or a write error; sticky */
} wg_json;

void wg_json_init(wg_json *json, FILE *out);

void wg_json_begin_object(wg_json *json);
void wg_json_end_object(wg_json *json);
void wg_json_begin_array(wg_json *json);
void wg_json_end_array(wg_json *json);

/* Inside an object: the key of the next value. */
void wg_json_key(wg_json *json, const char *key);

void wg_json_string(wg_json *json, const char *value); /* NULL writes null */
void wg_json_number(wg_json *json, double value);      /* non-finite writes null */
void wg_json_int(wg_json *json, int64_t value);
void wg_json_bool(wg_json *json, int value);
void wg_json_null(wg_json *json);

/* A wg_timeit result as an object: median_s, best_s, worst_s, mean_s, stddev_s (per call),
 * spread, spread_warning, loops, repeats, warmup_s. */
void wg_json_timeit(wg_json *json, const wg_timeit_result *t);

/* 0 when everything was balanced and written; finishes the output with a newline. */
int wg_json_finish(wg_json *json);

/* The machine a document's results were measured on: one block, the same keys in every
 * command's document (docs/json.md, "The machine block"). */
typedef struct wg_machine_facts {
    wg_cpu_info cpu;
    const char *cpu_kernel;  /* the CPU matmul kernel used (static string); NULL: not written */
    int gpu_requested;       /* a GPU was named; 0 with --device cpu */
    wg_device gpu_device;    /* the GPU named, when gpu_requested */
    int gpu_available;       /* the GPU was found and described: gpu is valid */
    wg_gpu_info gpu;
    char gpu_reason[512];    /* why not available; "" when available */
    const char *gpu_kernel;  /* the GPU matmul kernel used (static string); NULL: not written */
} wg_machine_facts;

/* Fills *out: the CPU (wg_cpu_info_get) and, when want_gpu, whether the GPU `gpu` can be used
 * and its description, or why not ("not requested (--device cpu)" when !want_gpu). An absent
 * GPU is a fact, not a failure; only a failure to read the CPU's facts is returned. The
 * kernel fields are left NULL for the caller to set. */
wg_status wg_machine_facts_get(int want_gpu, wg_device gpu, wg_machine_facts *out);

/* Writes the key "machine" and its object: "cpu" {model, vendor, logical_cpus,
 * physical_cores, threads, simd, l1d_bytes, l2_bytes, l3_bytes, memory_bytes[, matmul_isa]}
 * and "gpu" {device, available, name, reason[, compute_capability, sm_count,
 * total_memory_bytes, driver_version][, matmul_kernel]}. */
void wg_json_machine(wg_json *json, const wg_machine_facts *machine);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf; returns buf. */
char *wg_utc_date(char *buf, size_t size);

/* Opens every command's JSON document on `out`: initialises the writer, opens the top-level
 * object and writes "schema", "whygpu_version", "command" (when command_line is not NULL),
 * "date" (now, UTC) and the machine block (when machine is not NULL). The caller writes its
 * own keys next, closes the object and calls wg_json_finish. */
void wg_json_document_begin(wg_json *json, FILE *out, const char *schema,
                            const char *command_line, const wg_machine_facts *machine);

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
