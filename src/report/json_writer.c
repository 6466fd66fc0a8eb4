/*
 * json_writer.c - the streaming JSON writer of json_writer.h.
 *
 * Layout: every value inside a container starts on its own line, indented two spaces per
 * level; a key's value follows it on the same line ("key": value); empty containers are
 * written as {} and []. For example:
 *
 *   {
 *     "name": "cpu",
 *     "sizes": [
 *       1,
 *       2.5
 *     ],
 *     "empty": {}
 *   }
 *
 * Levels: depth 0 is the document itself (exactly one root value); each open container
 * adds a level, so at most WG_JSON_MAX_DEPTH - 1 containers can be nested. count[level]
 * holds the number of values written at that level; a container that is an object has
 * LEVEL_OBJECT set in its count as well (the struct has no other place for the kind).
 *
 * Misuse sets the sticky error flag and writes nothing more: a value without a key inside
 * an object, a key outside an object or twice in a row, an end that does not match the
 * open container (or a key left without its value), nesting deeper than the limit, a
 * second root value, or a write error of the stream. wg_json_finish reports it.
 */
#include "whygpu_lab.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL_OBJECT (1 << 30)
#define LEVEL_COUNT_MASK (LEVEL_OBJECT - 1)

static int level_count(const wg_json *json) { return json->count[json->depth] & LEVEL_COUNT_MASK; }
static int level_is_object(const wg_json *json)
{
    return json->depth > 0 && (json->count[json->depth] & LEVEL_OBJECT) != 0;
}

static void put(wg_json *json, const char *text)
{
    if (json->error) return;
    if (fputs(text, json->out) == EOF) json->error = 1;
}

static void newline_indent(wg_json *json)
{
    put(json, "\n");
    for (int i = 0; i < json->depth && !json->error; i++) put(json, "  ");
}

/* Checks that a value may be written here and writes what goes before it (a comma, the
 * line break and indentation). Returns 0 when the value may follow. */
static int begin_value(wg_json *json)
{
    if (!json) return -1;
    if (json->error) return -1;
    if (!json->out) {
        json->error = 1;
        return -1;
    }
    if (json->depth == 0) {
        if (level_count(json) > 0) { /* a document has one root value */
            json->error = 1;
            return -1;
        }
    } else if (level_is_object(json)) {
        if (!json->after_key) {
            json->error = 1;
            return -1;
        }
    } else {
        if (level_count(json) > 0) put(json, ",");
        newline_indent(json);
    }
    if (level_count(json) >= LEVEL_COUNT_MASK) {
        json->error = 1;
        return -1;
    }
    json->count[json->depth]++;
    json->after_key = 0;
    return json->error ? -1 : 0;
}

static void write_escaped(wg_json *json, const char *text)
{
    char buf[256];
    size_t used = 0;
    buf[used++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (used + 8 > sizeof buf) {
            buf[used] = '\0';
            put(json, buf);
            used = 0;
        }
        unsigned char c = *p;
        switch (c) {
        case '"': buf[used++] = '\\'; buf[used++] = '"'; break;
        case '\\': buf[used++] = '\\'; buf[used++] = '\\'; break;
        case '\n': buf[used++] = '\\'; buf[used++] = 'n'; break;
        case '\t': buf[used++] = '\\'; buf[used++] = 't'; break;
        case '\r': buf[used++] = '\\'; buf[used++] = 'r'; break;
        case '\b': buf[used++] = '\\'; buf[used++] = 'b'; break;
        case '\f': buf[used++] = '\\'; buf[used++] = 'f'; break;
        default:
            if (c < 0x20) {
                used += (size_t)snprintf(buf + used, sizeof buf - used, "\\u%04x", c);
            } else {
                buf[used++] = (char)c; /* UTF-8 bytes pass through */
            }
        }
    }
    buf[used++] = '"';
    buf[used] = '\0';
    put(json, buf);
}

static void open_container(wg_json *json, int is_object)
{
    if (begin_value(json) != 0) return;
    if (json->depth + 1 >= WG_JSON_MAX_DEPTH) {
        json->error = 1;
        return;
    }
    put(json, is_object ? "{" : "[");
    json->depth++;
    json->count[json->depth] = is_object ? LEVEL_OBJECT : 0;
}

static void close_container(wg_json *json, int is_object)
{
    if (!json || json->error) return;
    if (json->depth == 0 || level_is_object(json) != is_object || json->after_key) {
        json->error = 1;
        return;
    }
    int had_values = level_count(json) > 0;
    json->count[json->depth] = 0;
    json->depth--;
    if (had_values) newline_indent(json);
    put(json, is_object ? "}" : "]");
}

void wg_json_init(wg_json *json, FILE *out)
{
    if (!json) return;
    memset(json, 0, sizeof *json);
    json->out = out;
    if (!out) json->error = 1;
}

void wg_json_begin_object(wg_json *json) { open_container(json, 1); }
void wg_json_end_object(wg_json *json) { close_container(json, 1); }
void wg_json_begin_array(wg_json *json) { open_container(json, 0); }
void wg_json_end_array(wg_json *json) { close_container(json, 0); }

void wg_json_key(wg_json *json, const char *key)
{
    if (!json || json->error) return;
    if (!level_is_object(json) || json->after_key || !key) {
        json->error = 1;
        return;
    }
    if (level_count(json) > 0) put(json, ",");
    newline_indent(json);
    write_escaped(json, key);
    put(json, ": ");
    json->after_key = 1;
}

void wg_json_string(wg_json *json, const char *value)
{
    if (begin_value(json) != 0) return;
    if (value)
        write_escaped(json, value);
    else
        put(json, "null");
}

/* The shortest of %.15g, %.16g and %.17g that reads back as the same double. */
static void format_double(double value, char *buf, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, value);
        if (strtod(buf, NULL) == value) break;
    }
    /* JSON wants '.', whatever LC_NUMERIC says. */
    for (char *p = buf; *p; p++)
        if (*p == ',') *p = '.';
}

void wg_json_number(wg_json *json, double value)
{
    if (begin_value(json) != 0) return;
    if (!isfinite(value)) {
        put(json, "null");
        return;
    }
    char buf[40];
    format_double(value, buf, sizeof buf);
    put(json, buf);
}

void wg_json_int(wg_json *json, int64_t value)
{
    if (begin_value(json) != 0) return;
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    put(json, buf);
}

void wg_json_bool(wg_json *json, int value)
{
    if (begin_value(json) != 0) return;
    put(json, value ? "true" : "false");
}

void wg_json_null(wg_json *json)
{
    if (begin_value(json) != 0) return;
    put(json, "null");
}

int wg_json_finish(wg_json *json)
{
    if (!json) return -1;
    if (json->depth != 0 || json->after_key || level_count(json) != 1) json->error = 1;
    if (json->out) {
        if (!json->error) put(json, "\n");
        if (fflush(json->out) != 0 || ferror(json->out)) json->error = 1;
    }
    return json->error ? -1 : 0;
}

void wg_json_timeit(wg_json *j, const wg_timeit_result *t)
{
    wg_json_begin_object(j);
    wg_json_key(j, "median_s"); wg_json_number(j, t->median_s);
    wg_json_key(j, "best_s"); wg_json_number(j, t->best_s);
    wg_json_key(j, "worst_s"); wg_json_number(j, t->worst_s);
    wg_json_key(j, "mean_s"); wg_json_number(j, t->mean_s);
    wg_json_key(j, "stddev_s"); wg_json_number(j, t->stddev_s);
    wg_json_key(j, "spread"); wg_json_number(j, t->spread);
    wg_json_key(j, "spread_warning"); wg_json_bool(j, t->spread_warning);
    wg_json_key(j, "loops"); wg_json_int(j, t->loops);
    wg_json_key(j, "repeats"); wg_json_int(j, t->repeats);
    wg_json_key(j, "warmup_s"); wg_json_number(j, t->warmup_s);
    wg_json_end_object(j);
}
