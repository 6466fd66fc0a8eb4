/*
 * explain_report.c - the reporting half of `whygpu explain` (explain.h): each call writes
 * text to the terminal or JSON to stdout, so a section is written once for both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#define WRAP_COLUMNS 88

static void skipped_flush(explain_ctx *x);

void explain_section_begin(explain_ctx *x, const char *key, const char *title)
{
    x->section_key = key;
    if (x->json) {
        wg_json_key(&x->json_out, key);
        wg_json_begin_object(&x->json_out);
    } else {
        printf("\n== %s ==\n", title);
    }
}

/* Prints `text` wrapped at WRAP_COLUMNS, the first line after "- ", the rest indented. */
static void print_wrapped(const char *text)
{
    const char *p = text;
    int column = 0, first = 1;
    while (*p) {
        const char *word_end = p;
        while (*word_end && *word_end != ' ') word_end++;
        int length = (int)(word_end - p);
        if (first) {
            printf("- ");
            column = 2;
            first = 0;
        } else if (column + 1 + length > WRAP_COLUMNS) {
            printf("\n  ");
            column = 2;
        } else {
            putchar(' ');
            column++;
        }
        printf("%.*s", length, p);
        column += length;
        p = word_end;
        while (*p == ' ') p++;
    }
    putchar('\n');
}

/* The reference's reading of this section (its GPU half, measured there), labelled: in
 * the text after this machine's reading, in the JSON as the section's "recorded". */
static void recorded_section(explain_ctx *x)
{
#ifndef WG_HAVE_CJSON
    (void)x; /* without cJSON no reference is loaded */
#else
    const cJSON *section = x->section_key ? recorded_explain_section(&x->ref, x->section_key) : NULL;
    const cJSON *reading = section ? cJSON_GetObjectItemCaseSensitive(section, "reading") : NULL;
    if (cJSON_GetArraySize(reading) == 0) return;
    char tag[256];
    recorded_tag(&x->ref, tag, sizeof tag);
    const cJSON *line;
    if (x->json) {
        wg_json_key(&x->json_out, "recorded");
        recorded_json_begin(&x->json_out, &x->ref);
        wg_json_key(&x->json_out, "reading");
        wg_json_begin_array(&x->json_out);
        cJSON_ArrayForEach(line, reading) wg_json_string(&x->json_out, cJSON_GetStringValue(line));
        wg_json_end_array(&x->json_out);
        wg_json_end_object(&x->json_out);
        return;
    }
    printf("\nOn a GPU machine (recorded there: %s; reference %s):\n", tag, x->ref.name);
    cJSON_ArrayForEach(line, reading) {
        if (cJSON_IsString(line)) print_wrapped(line->valuestring);
    }
#endif
}

void explain_section_end(explain_ctx *x)
{
    if (x->json) {
        skipped_flush(x);
        wg_json_key(&x->json_out, "reading");
        wg_json_begin_array(&x->json_out);
        for (int i = 0; i < x->saying_count; i++) wg_json_string(&x->json_out, x->sayings[i]);
        wg_json_end_array(&x->json_out);
        recorded_section(x);
        wg_json_end_object(&x->json_out);
    } else {
        skipped_flush(x);
        if (x->saying_count > 0) printf("\nWhat this says:\n");
        for (int i = 0; i < x->saying_count; i++) print_wrapped(x->sayings[i]);
        recorded_section(x);
    }
    for (int i = 0; i < x->saying_count; i++) free(x->sayings[i]);
    x->saying_count = 0;
}

void explain_table_begin(explain_ctx *x, const char *key, const char *title,
                         const explain_col *cols, int count)
{
    if (x->json) {
        wg_json_key(&x->json_out, key);
        wg_json_begin_array(&x->json_out);
        return;
    }
    printf("\n%s\n", title);
    for (int i = 0; i < count; i++)
        printf(i == 0 ? "  %-*s" : "  %*s", cols[i].width, cols[i].title);
    putchar('\n');
}

void explain_table_row(explain_ctx *x, const explain_col *cols, const explain_val *vals,
                       int count)
{
    if (x->json) {
        wg_json_begin_object(&x->json_out);
        for (int i = 0; i < count; i++) {
            wg_json_key(&x->json_out, cols[i].key);
            switch (vals[i].kind) {
            case VAL_NUM: wg_json_number(&x->json_out, vals[i].num); break;
            case VAL_STR: wg_json_string(&x->json_out, vals[i].str); break;
            case VAL_BOOL: wg_json_bool(&x->json_out, vals[i].num != 0); break;
            case VAL_NULL: wg_json_null(&x->json_out); break;
            }
        }
        wg_json_end_object(&x->json_out);
        return;
    }
    for (int i = 0; i < count; i++) {
        char cell[64];
        switch (vals[i].kind) {
        case VAL_NUM:
            if (cols[i].format && strcmp(cols[i].format, EXPLAIN_SECONDS) == 0)
                wg_format_seconds(vals[i].num, cell, sizeof cell);
            else
                snprintf(cell, sizeof cell, cols[i].format ? cols[i].format : "%g", vals[i].num);
            break;
        case VAL_STR: snprintf(cell, sizeof cell, "%s", vals[i].str ? vals[i].str : "-"); break;
        case VAL_BOOL: snprintf(cell, sizeof cell, "%s", vals[i].num != 0 ? "yes" : "no"); break;
        case VAL_NULL: snprintf(cell, sizeof cell, "-"); break;
        }
        printf(i == 0 ? "  %-*s" : "  %*s", cols[i].width, cell);
    }
    putchar('\n');
}

void explain_table_end(explain_ctx *x)
{
    if (x->json) wg_json_end_array(&x->json_out);
}

void explain_figure(explain_ctx *x, const char *key, const char *title, explain_val value,
                    const char *format, const char *unit)
{
    if (x->json) {
        wg_json_key(&x->json_out, key);
        if (value.kind == VAL_NUM) wg_json_number(&x->json_out, value.num);
        else if (value.kind == VAL_STR) wg_json_string(&x->json_out, value.str);
        else if (value.kind == VAL_BOOL) wg_json_bool(&x->json_out, value.num != 0);
        else wg_json_null(&x->json_out);
        return;
    }
    char text[64];
    if (value.kind == VAL_NUM)
        snprintf(text, sizeof text, format ? format : "%g", value.num);
    else if (value.kind == VAL_STR)
        snprintf(text, sizeof text, "%s", value.str);
    else if (value.kind == VAL_BOOL)
        snprintf(text, sizeof text, "%s", value.num != 0 ? "yes" : "no");
    else
        snprintf(text, sizeof text, "-");
    printf("  %-40s %s%s%s\n", title, text, unit && *unit ? " " : "", unit ? unit : "");
}

void explain_say(explain_ctx *x, const char *format, ...)
{
    if (x->saying_count == EXPLAIN_MAX_SAYINGS) return;
    va_list args;
    va_start(args, format);
    char *text = NULL;
    if (vasprintf(&text, format, args) < 0) text = NULL;
    va_end(args);
    if (text) x->sayings[x->saying_count++] = text;
}

void explain_skip(explain_ctx *x, const char *key, const char *what, const char *reason)
{
    int i = x->skipped_count;
    if (i == EXPLAIN_MAX_SAYINGS) return;
    x->skipped_keys[i] = strdup(key);
    if (asprintf(&x->skipped_reasons[i], "%s: not measured: %s", what, reason) < 0)
        x->skipped_reasons[i] = NULL;
    if (x->skipped_keys[i] && x->skipped_reasons[i]) {
        x->skipped_count++;
    } else {
        free(x->skipped_keys[i]);
        free(x->skipped_reasons[i]);
    }
}

static void skipped_flush(explain_ctx *x)
{
    if (x->skipped_count == 0) return;
    if (x->json) {
        wg_json_key(&x->json_out, "skipped");
        wg_json_begin_object(&x->json_out);
    } else {
        putchar('\n');
    }
    for (int i = 0; i < x->skipped_count; i++) {
        if (x->json) {
            wg_json_key(&x->json_out, x->skipped_keys[i]);
            wg_json_string(&x->json_out, x->skipped_reasons[i]);
        } else {
            printf("  %s\n", x->skipped_reasons[i]);
        }
        free(x->skipped_keys[i]);
        free(x->skipped_reasons[i]);
    }
    if (x->json) wg_json_end_object(&x->json_out);
    x->skipped_count = 0;
}

void explain_progress(explain_ctx *x, const char *what)
{
    if (strcmp(x->last_progress, what) == 0) return; /* one line per step, not per point */
    snprintf(x->last_progress, sizeof x->last_progress, "%s", what);
    progress_on_phase(&x->progress, what, 0, 0, 0.0);
}
