/*
 * json_writer.h - a small streaming JSON writer for whygpu's machine-readable output.
 *
 * It tracks nesting and commas so callers write keys and values in order; strings are
 * escaped (control characters as \u00XX, UTF-8 passed through); non-finite numbers are
 * written as null, since JSON has no NaN. Output is indented two spaces a level.
 */
#ifndef WG_JSON_WRITER_H
#define WG_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

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

#endif /* WG_JSON_WRITER_H */
