/*
 * json_read.h - reading whygpu's JSON documents back (for `whygpu plot` and `whygpu report`)
 * with cJSON, with errors that name the field: "points[3].cpu.median_s is missing". The
 * first error sticks, so a reader can fetch every field it needs and check once.
 *
 * Only built with cJSON (WG_HAVE_CJSON); without it plot and report say so.
 */
#ifndef WG_JSON_READ_H
#define WG_JSON_READ_H

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum jr_type {
    JR_NUMBER,         /* a finite number */
    JR_NUMBER_OR_NULL, /* a finite number, or null (not measured) */
    JR_STRING,
    JR_STRING_OR_NULL,
    JR_BOOL,
    JR_ARRAY,
    JR_OBJECT,
    JR_OBJECT_OR_NULL
} jr_type;

typedef struct jr {
    char error[512]; /* "" while all is well */
} jr;

/* Parses `text`; NULL with r->error set ("<name> is not valid JSON near '...'"). */
cJSON *jr_parse(jr *r, const char *text, const char *name);

/* Reads a whole file into a NUL-terminated buffer (free it); NULL with r->error set. */
char *jr_read_file(jr *r, const char *path);

/* The field `key` of object `obj` (whose own path is `where`, "" at the top), of `type`.
 * NULL when absent, of another type or non-finite, with r->error naming where.key; a null
 * allowed by the type returns the cJSON null item. */
cJSON *jr_get(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type);

/* The number of a field, or NaN for null or a failed read (which sets r->error). */
double jr_number(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type);
/* The string of a field, or NULL for null or a failed read. */
const char *jr_string(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type);

/* Records an error of the caller's own (if none is recorded yet). */
void jr_fail(jr *r, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif /* WG_HAVE_CJSON */
#endif /* WG_JSON_READ_H */
