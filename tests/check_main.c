/*
 * check_main.c - the test runner: runs every registered test (or those whose name contains
 * one of the arguments), prints PASS/FAIL/SKIP per test and closes with
 * "N passed, N failed, N skipped". Exit status 1 if any test failed.
 *
 * Usage: test_whygpu [--whygpu PATH] [NAME-FILTER...]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_TESTS 1024

typedef struct test_entry {
    const char *name;
    check_fn fn;
    check_device_fn device_fn;
} test_entry;

static test_entry tests[MAX_TESTS];
static int test_count;
static check_state state;
check_state *check_current = &state;
const char *check_whygpu_path = "build/whygpu";

static void add(const char *name, check_fn fn, check_device_fn device_fn)
{
    if (test_count == MAX_TESTS) {
        fprintf(stderr, "check: more than %d tests; raise MAX_TESTS\n", MAX_TESTS);
        abort();
    }
    tests[test_count++] = (test_entry){name, fn, device_fn};
}

void check_register(const char *name, check_fn fn) { add(name, fn, NULL); }
void check_register_device(const char *name, check_device_fn fn) { add(name, NULL, fn); }

void check_failed(const char *file, int line, const char *format, ...)
{
    va_list args;
    state.failures++;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(args, format);
    vfprintf(stdout, format, args);
    va_end(args);
    fputc('\n', stdout);
}

void check_skip(const char *format, ...)
{
    va_list args;
    state.skipped = 1;
    va_start(args, format);
    vsnprintf(state.skip_reason, sizeof state.skip_reason, format, args);
    va_end(args);
}

static int selected(const char *name, int filter_count, char **filters)
{
    if (filter_count == 0) return 1;
    for (int i = 0; i < filter_count; i++)
        if (strstr(name, filters[i])) return 1;
    return 0;
}

/* Runs one test (for one device, when device_name is set) and tallies the outcome. */
static void run_one(const test_entry *test, wg_device device, const char *device_name,
                    int *passed, int *failed, int *skipped)
{
    char label[256];
    if (device_name)
        snprintf(label, sizeof label, "%s[%s]", test->name, device_name);
    else
        snprintf(label, sizeof label, "%s", test->name);
    memset(&state, 0, sizeof state);
    fflush(stdout);
    if (test->device_fn) {
        if (wg_device_check(device) != WG_OK)
            check_skip("%s", wg_error_message());
        else
            test->device_fn(device);
    } else {
        test->fn();
    }
    if (state.failures > 0) {
        printf("FAIL %s (%d of %d checks failed)\n", label, state.failures, state.checks);
        (*failed)++;
    } else if (state.skipped) {
        printf("SKIP %s: %s\n", label, state.skip_reason);
        (*skipped)++;
    } else if (state.checks == 0) {
        printf("FAIL %s: the test made no check\n", label);
        (*failed)++;
    } else {
        printf("PASS %s (%d checks)\n", label, state.checks);
        (*passed)++;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int filter_count = 0;
    char **filters = calloc((size_t)argc + 1, sizeof *filters);
    if (!filters) return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--whygpu") == 0 && i + 1 < argc)
            check_whygpu_path = argv[++i];
        else
            filters[filter_count++] = argv[i];
    }
    /* The OpenCL device under test: opencl:0, or WHYGPU_TEST_OPENCL (e.g. "opencl:1", the
     * GPU of a machine whose first OpenCL device is PoCL). */
    wg_device devices[] = {{WG_DEVICE_CPU, 0}, {WG_DEVICE_CUDA, 0}, {WG_DEVICE_OPENCL, 0}};
    const char *opencl = getenv("WHYGPU_TEST_OPENCL");
    if (opencl && (wg_device_parse(opencl, &devices[2]) != WG_OK ||
                   devices[2].kind != WG_DEVICE_OPENCL)) {
        fprintf(stderr, "WHYGPU_TEST_OPENCL='%s': expected opencl:N\n", opencl);
        free(filters);
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (int t = 0; t < test_count; t++) {
        if (!tests[t].device_fn) {
            if (selected(tests[t].name, filter_count, filters))
                run_one(&tests[t], devices[0], NULL, &passed, &failed, &skipped);
            continue;
        }
        for (size_t d = 0; d < sizeof devices / sizeof devices[0]; d++) {
            char name[32], label[256];
            wg_device_format(devices[d], name, sizeof name);
            snprintf(label, sizeof label, "%s[%s]", tests[t].name, name);
            if (selected(label, filter_count, filters))
                run_one(&tests[t], devices[d], name, &passed, &failed, &skipped);
        }
    }
    free(filters);
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed > 0 ? 1 : 0;
}
