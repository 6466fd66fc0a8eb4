/*
 * check.h - the test framework: tests register themselves, the runner (check_main.c) runs
 * them and ends with the line "N passed, N failed, N skipped".
 *
 *   TEST(tensor_zeros) { ... CHECK(x == 1); CHECK_OK(wg_...); }
 *   DEVICE_TEST(mul_matches_reference) { ... `device` is cpu, then cuda:0 ... }
 *
 * A failed CHECK records file, line and message and the test goes on; REQUIRE stops it.
 * SKIP(reason) stops it as skipped. A test that makes no check at all counts as failed:
 * a test must be able to fail. DEVICE_TEST registers one test per device; on a device
 * that is absent it is skipped with the library's reason.
 */
#ifndef WG_CHECK_H
#define WG_CHECK_H

#include <stdio.h>

#include "whygpu.h"

typedef struct check_state {
    int checks;
    int failures;
    int skipped;
    char skip_reason[512];
} check_state;

extern check_state *check_current;

typedef void (*check_fn)(void);
typedef void (*check_device_fn)(wg_device device);

void check_register(const char *name, check_fn fn);
void check_register_device(const char *name, check_device_fn fn);
void check_failed(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void check_skip(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Path of the whygpu executable under test (for CLI tests), set by the runner. */
extern const char *check_whygpu_path;

#define TEST(name)                                                                        \
    static void test_##name(void);                                                        \
    __attribute__((constructor)) static void register_##name(void)                        \
    {                                                                                     \
        check_register(#name, test_##name);                                               \
    }                                                                                     \
    static void test_##name(void)

#define DEVICE_TEST(name)                                                                 \
    static void test_##name(wg_device device);                                            \
    __attribute__((constructor)) static void register_##name(void)                        \
    {                                                                                     \
        check_register_device(#name, test_##name);                                        \
    }                                                                                     \
    static void test_##name(wg_device device)

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        check_current->checks++;                                                          \
        if (!(cond)) check_failed(__FILE__, __LINE__, "CHECK(%s)", #cond);                \
    } while (0)

#define CHECK_MSG(cond, ...)                                                              \
    do {                                                                                  \
        check_current->checks++;                                                          \
        if (!(cond)) check_failed(__FILE__, __LINE__, __VA_ARGS__);                       \
    } while (0)

#define REQUIRE(cond)                                                                     \
    do {                                                                                  \
        check_current->checks++;                                                          \
        if (!(cond)) {                                                                    \
            check_failed(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                       \
            return;                                                                       \
        }                                                                                 \
    } while (0)

/* The call must succeed; on failure the library's message is shown and the test stops. */
#define REQUIRE_OK(call)                                                                  \
    do {                                                                                  \
        check_current->checks++;                                                          \
        wg_status check_status_ = (call);                                                 \
        if (check_status_ != WG_OK) {                                                     \
            check_failed(__FILE__, __LINE__, "%s -> %s: %s", #call,                       \
                         wg_status_name(check_status_), wg_error_message());              \
            return;                                                                       \
        }                                                                                 \
    } while (0)

/* The call must fail with `expected` and leave a non-empty message. */
#define CHECK_STATUS(call, expected)                                                      \
    do {                                                                                  \
        check_current->checks++;                                                          \
        wg_status check_status_ = (call);                                                 \
        if (check_status_ != (expected))                                                  \
            check_failed(__FILE__, __LINE__, "%s -> %s, expected %s (%s)", #call,         \
                         wg_status_name(check_status_), wg_status_name(expected),         \
                         wg_error_message());                                             \
        else if ((expected) != WG_OK && wg_error_message()[0] == '\0')                    \
            check_failed(__FILE__, __LINE__, "%s failed without a message", #call);       \
    } while (0)

#define SKIP(...)                                                                         \
    do {                                                                                  \
        check_skip(__VA_ARGS__);                                                          \
        return;                                                                           \
    } while (0)

#endif /* WG_CHECK_H */
