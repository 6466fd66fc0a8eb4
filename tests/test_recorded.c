/*
 * test_recorded.c - a reference machine's recorded GPU figures in demo, sweep, explain and
 * report (--reference; docs/reference.md), run as a user would: without a GPU they fill the
 * GPU parts, always labelled with the machine and date and kept apart from what was measured
 * here (a field of their own in the JSON); --reference none shows none; a reference that
 * does not exist is bad usage; saved results are never called "measured on this machine".
 * On a machine with a GPU the default shows none, so the tests name h100 explicitly where
 * the GPU cells are not the point.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#include "check.h"
#include "cli_run.h"

#ifdef WG_HAVE_CJSON

#define TAG "H100 80GB HBM3, recorded 2026-11-27, not this machine"

/* reference/h100 of the checkout the binary under test was built in, else skip. */
static int have_reference(void)
{
    char exe[PATH_MAX], probe[PATH_MAX + 64];
    if (!realpath(check_whygpu_path, exe)) return 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = '\0';
    snprintf(probe, sizeof probe, "%.3900s/../reference/h100/provenance.json", exe);
    return access(probe, R_OK) == 0;
}

#define NEED_REFERENCE()                                                                  \
    do {                                                                                  \
        if (!have_reference()) {                                                          \
            SKIP("no reference/h100 next to the binary under test (%s)", check_whygpu_path); \
            return;                                                                       \
        }                                                                                 \
    } while (0)

/* Whether the machine has a GPU whygpu can use (then the default shows no reference). */
static int gpu_present(void)
{
    const char *args[] = {"info", "--json", NULL};
    cli_run_result r = cli_run(args, NULL);
    cJSON *root = r.out ? cJSON_Parse(r.out) : NULL;
    const cJSON *count = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "gpu"), "count");
    int present = cJSON_IsNumber(count) && count->valuedouble > 0;
    cJSON_Delete(root);
    cli_run_free(&r);
    return present;
}

TEST(recorded_demo_fills_the_gpu_cells_labelled)
{
    NEED_REFERENCE();
    const char *args[] = {"demo", "--size", "64", "--repeat", "3", "--no-progress",
                          "--reference", "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    REQUIRE(r.out);
    CHECK_MSG(strstr(r.out, TAG) != NULL, "no label: %s", r.out);
    CHECK(strstr(r.out, "your CPU against that GPU") != NULL);
    CHECK(strstr(r.out, "Your CPU against the H100 80GB HBM3") != NULL);
    if (!gpu_present()) {
        /* the GPU columns hold the recorded cells, each marked */
        CHECK_MSG(strstr(r.out, "3.40 us*") != NULL, "%s", r.out);
        CHECK(strstr(r.out, "the GPU cells (*) are another machine's") != NULL);
    }
    cli_run_free(&r);

    /* JSON: the recorded cells in a field of their own; this run's GPU cells untouched. */
    const char *json_args[] = {"demo", "--size", "64", "--repeat", "3", "--no-progress", "--json",
                               "--reference", "h100", NULL};
    r = cli_run(json_args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cJSON *root = r.out ? cJSON_Parse(r.out) : NULL;
    REQUIRE(root);
    const cJSON *rec = cJSON_GetObjectItem(root, "recorded");
    REQUIRE(cJSON_IsObject(rec));
    CHECK(strcmp(cJSON_GetObjectItem(rec, "reference")->valuestring, "h100") == 0);
    CHECK(strcmp(cJSON_GetObjectItem(rec, "tag")->valuestring, TAG) == 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "cells")) == 2);
    const cJSON *cmp = cJSON_GetArrayItem(cJSON_GetObjectItem(rec, "comparisons"), 1);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(cmp, "cpu_over_recorded_gpu")));
    CHECK(strcmp(cJSON_GetObjectItem(cmp, "basis")->valuestring, "gflops") == 0);
    const cJSON *gpu_cell = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "cells"), 3);
    if (!gpu_present()) CHECK(cJSON_IsFalse(cJSON_GetObjectItem(gpu_cell, "measured")));
    CHECK(cJSON_IsString(cJSON_GetObjectItem(root, "commit")));
    cJSON_Delete(root);
    cli_run_free(&r);
}

TEST(recorded_none_and_bad_names)
{
    NEED_REFERENCE();
    const char *none[] = {"demo", "--size", "32", "--repeat", "3", "--no-progress", "--json",
                          "--reference", "none", NULL};
    cli_run_result r = cli_run(none, NULL);
    CHECK(r.exit_code == 0);
    cJSON *root = r.out ? cJSON_Parse(r.out) : NULL;
    REQUIRE(root);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(root, "recorded")));
    cJSON_Delete(root);
    cli_run_free(&r);
    static const char *const commands[] = {"demo", "sweep", "explain", "report"};
    for (int i = 0; i < 4; i++) {
        const char *args[] = {commands[i], "--reference", "no-such-machine", NULL};
        r = cli_run(args, NULL);
        CHECK_MSG(r.exit_code == 2, "%s: exit %d", commands[i], r.exit_code);
        CHECK_MSG(r.err && cli_run_lines(r.err) == 1 && strstr(r.err, "no-such-machine"),
                  "%s: %s", commands[i], r.err);
        CHECK(r.out && r.out[0] == '\0');
        cli_run_free(&r);
    }
}

TEST(recorded_sweep_columns_and_crossover)
{
    NEED_REFERENCE();
    const char *args[] = {"sweep", "--sizes", "1:64", "--points", "4", "--budget", "2s",
                          "--no-progress", "--json", "-", "--reference", "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cJSON *root = r.out ? cJSON_Parse(r.out) : NULL;
    REQUIRE(root);
    const cJSON *rec = cJSON_GetObjectItem(root, "recorded");
    /* the grid 1:64 in 4 points shares only its sizes with the reference's grid when they
     * coincide; at least n = 1 does */
    REQUIRE(cJSON_IsObject(rec));
    CHECK(strcmp(cJSON_GetObjectItem(rec, "tag")->valuestring, TAG) == 0);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(rec, "points"), 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(first, "gpu_median_s")));
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "crossover"), "gpu")));
    cJSON_Delete(root);
    cli_run_free(&r);
}

TEST(recorded_explain_reading_labelled)
{
    NEED_REFERENCE();
    const char *args[] = {"explain", "--only", "latency", "--quick", "--no-progress",
                          "--reference", "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    if (!gpu_present()) {
        CHECK_MSG(r.out && strstr(r.out, "On a GPU machine (recorded there: " TAG) != NULL, "%s",
                  r.out);
    }
    cli_run_free(&r);
}

TEST(recorded_report_labels_every_section)
{
    NEED_REFERENCE();
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/whygpu-recorded-test-XXXXXX");
    REQUIRE(mkdtemp(dir));
    char page[128];
    snprintf(page, sizeof page, "%s/report.html", dir);
    /* From saved results: the reference's own folder is a set of saved results. */
    char exe[PATH_MAX], from[PATH_MAX + 64];
    REQUIRE(realpath(check_whygpu_path, exe));
    *strrchr(exe, '/') = '\0';
    snprintf(from, sizeof from, "%.3900s/../reference/h100", exe);
    const char *args[] = {"report", "--from", from, "-o", page, NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cli_run_free(&r);
    FILE *in = fopen(page, "r");
    REQUIRE(in);
    static char html[1 << 20];
    size_t n = fread(html, 1, sizeof html - 1, in);
    html[n] = '\0';
    fclose(in);
    CHECK_MSG(strstr(html, "measured on the machine above") == NULL, "a saved report says "
              "'measured on the machine above'");
    CHECK(strstr(html, "measured on this machine") == NULL);
    CHECK(strstr(html, "Saved results of") != NULL);
    CHECK(strstr(html, "Figures: recorded on") != NULL);
    CHECK(strstr(html, "2026-11-27") != NULL);
    char command[200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

#else /* !WG_HAVE_CJSON */

TEST(recorded_needs_cjson_to_be_named)
{
    const char *args[] = {"demo", "--size", "8", "--reference", "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 2, "exit %d", r.exit_code);
    CHECK(r.err && strstr(r.err, "cJSON") != NULL);
    cli_run_free(&r);
}

#endif /* WG_HAVE_CJSON */
