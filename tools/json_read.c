/*
 * json_read.c - see json_read.h.
 */
#include "json_read.h"

#ifdef WG_HAVE_CJSON
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whygpu_lab.h"

#define MAX_JSON_BYTES (256L * 1024 * 1024)

void jr_fail(jr *r, const char *format, ...)
{
    if (r->error[0]) return;
    va_list args;
    va_start(args, format);
    vsnprintf(r->error, sizeof r->error, format, args);
    va_end(args);
}

cJSON *jr_parse(jr *r, const char *text, const char *name)
{
    cJSON *root = cJSON_Parse(text);
    if (root) return root;
    const char *near = cJSON_GetErrorPtr();
    char excerpt[24] = "";
    if (near) {
        size_t i = 0;
        for (; near[i] && i + 1 < sizeof excerpt; i++)
            excerpt[i] = (near[i] == '\n' || near[i] == '\r' || near[i] == '\t') ? ' ' : near[i];
        excerpt[i] = '\0';
    }
    if (excerpt[0])
        jr_fail(r, "%s is not valid JSON (error near '%s')", name, excerpt);
    else
        jr_fail(r, "%s is not valid JSON (it ends too early or is empty)", name);
    return NULL;
}

char *jr_read_file(jr *r, const char *path)
{
    /* A FIFO or device is refused without blocking in open(). */
    FILE *in = NULL;
    if (wg_input_fopen(path, &in) != WG_OK) {
        jr_fail(r, "%s", wg_error_message());
        return NULL;
    }
    size_t size = 0, capacity = 65536;
    char *buf = malloc(capacity);
    while (buf) {
        if (size + 1 >= capacity) {
            if (capacity >= (size_t)MAX_JSON_BYTES) {
                jr_fail(r, "'%s' is larger than %ld MiB: not a whygpu JSON document", path,
                        MAX_JSON_BYTES >> 20);
                free(buf);
                buf = NULL;
                break;
            }
            char *bigger = realloc(buf, capacity * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            capacity *= 2;
        }
        size_t got = fread(buf + size, 1, capacity - size - 1, in);
        size += got;
        if (got == 0) break;
    }
    if (!buf && !r->error[0]) jr_fail(r, "out of memory reading '%s'", path);
    if (buf && ferror(in)) {
        jr_fail(r, "reading '%s' failed: %s", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(in);
    if (buf) buf[size] = '\0';
    return buf;
}

static const char *type_name(jr_type type)
{
    switch (type) {
    case JR_NUMBER: return "a number";
    case JR_NUMBER_OR_NULL: return "a number or null";
    case JR_STRING: return "a string";
    case JR_STRING_OR_NULL: return "a string or null";
    case JR_BOOL: return "true or false";
    case JR_ARRAY: return "an array";
    case JR_OBJECT: return "an object";
    default: return "an object or null";
    }
}

static int type_ok(const cJSON *item, jr_type type)
{
    int null_ok = type == JR_NUMBER_OR_NULL || type == JR_STRING_OR_NULL || type == JR_OBJECT_OR_NULL;
    if (null_ok && cJSON_IsNull(item)) return 1;
    switch (type) {
    case JR_NUMBER:
    case JR_NUMBER_OR_NULL: return cJSON_IsNumber(item) && isfinite(item->valuedouble);
    case JR_STRING:
    case JR_STRING_OR_NULL: return cJSON_IsString(item);
    case JR_BOOL: return cJSON_IsBool(item);
    case JR_ARRAY: return cJSON_IsArray(item);
    default: return cJSON_IsObject(item);
    }
}

cJSON *jr_get(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type)
{
    const char *dot = where && where[0] ? "." : "";
    if (!where) where = "";
    if (!obj || !cJSON_IsObject(obj)) {
        jr_fail(r, "%s%s%s: its parent is not an object", where, dot, key);
        return NULL;
    }
    cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item) {
        jr_fail(r, "field '%s%s%s' is missing", where, dot, key);
        return NULL;
    }
    if (!type_ok(item, type)) {
        jr_fail(r, "field '%s%s%s' should be %s%s", where, dot, key, type_name(type),
                cJSON_IsNumber(item) ? " (finite)" : "");
        return NULL;
    }
    return item;
}

double jr_number(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type)
{
    cJSON *item = jr_get(r, obj, where, key, type);
    return item && cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

const char *jr_string(jr *r, const cJSON *obj, const char *where, const char *key, jr_type type)
{
    cJSON *item = jr_get(r, obj, where, key, type);
    return item && cJSON_IsString(item) ? item->valuestring : NULL;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int json_read_unused;
#endif /* WG_HAVE_CJSON */
