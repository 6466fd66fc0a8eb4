/*
 * error.c - the thread-local last-error message behind wg_error_message(), and checked
 * 64-bit size arithmetic.
 */
#include "error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WG_MESSAGE_SIZE 512

static _Thread_local char last_message[WG_MESSAGE_SIZE];

const char *wg_error_message(void) { return last_message; }

void wg_clear_error(void) { last_message[0] = '\0'; }

wg_status wg_fail(wg_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(last_message, sizeof last_message, format, args);
    va_end(args);
    return status;
}

wg_status wg_fail_context(wg_status status, const char *format, ...)
{
    char previous[WG_MESSAGE_SIZE];
    char prefix[WG_MESSAGE_SIZE];
    va_list args;
    memcpy(previous, last_message, sizeof previous);
    va_start(args, format);
    vsnprintf(prefix, sizeof prefix, format, args);
    va_end(args);
    snprintf(last_message, sizeof last_message, "%.200s: %.300s", prefix, previous);
    return status;
}

const char *wg_status_name(wg_status status)
{
    switch (status) {
    case WG_OK: return "ok";
    case WG_ERR_ARGUMENT: return "invalid argument";
    case WG_ERR_SHAPE: return "shape mismatch";
    case WG_ERR_DEVICE_MISMATCH: return "device mismatch";
    case WG_ERR_NO_DEVICE: return "no such device";
    case WG_ERR_NO_MEMORY: return "out of memory";
    case WG_ERR_OVERFLOW: return "size overflow";
    case WG_ERR_BACKEND: return "backend failure";
    case WG_ERR_UNSUPPORTED: return "unsupported";
    case WG_ERR_IO: return "i/o error";
    }
    return "unknown status";
}

wg_status wg_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return wg_fail(WG_ERR_ARGUMENT, "negative size in %" PRId64 " x %" PRId64, a, b);
    if (a != 0 && b > INT64_MAX / a)
        return wg_fail(WG_ERR_OVERFLOW, "%" PRId64 " x %" PRId64 " does not fit in 64 bits",
                       a, b);
    *out = a * b;
    return WG_OK;
}
