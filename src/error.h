/*
 * error.h - how library code reports a failure: wg_fail() records a one-line message in
 * a thread-local buffer (read back with wg_error_message) and returns the status, so a
 * failing path is one line:  return wg_fail(WG_ERR_ARGUMENT, "size %lld < 1", n);
 */
#ifndef WG_ERROR_H
#define WG_ERROR_H

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WG_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define WG_PRINTF(fmt_index, first_arg)
#endif

/* Records the message for this thread and returns `status`. */
wg_status wg_fail(wg_status status, const char *format, ...) WG_PRINTF(2, 3);

/* Prefixes the current message with context ("to(cuda:0): " + old message), keeps the
 * status. For callers that add what they were doing when a callee failed. */
wg_status wg_fail_context(wg_status status, const char *format, ...) WG_PRINTF(2, 3);

/* Clears this thread's message. */
void wg_clear_error(void);

/* a * b into *out, or WG_ERR_OVERFLOW (with a message naming both) when it does not fit in
 * int64. Both factors must be >= 0. */
wg_status wg_mul_i64(int64_t a, int64_t b, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif /* WG_ERROR_H */
