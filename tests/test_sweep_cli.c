/*
 * test_sweep_cli.c - `whygpu sweep`, `whygpu plot` and `whygpu report` run as a user would:
 * bad options are one-line usage errors; a tiny real sweep's JSON has every documented
 * field with finite numbers (read back with cJSON) and its CSV one row per size; plot
 * rejects malformed, truncated, wrong-schema and incomplete JSON naming what is wrong, and
 * says so clearly when gnuplot is missing; report turns saved JSON into one HTML page that
 * loads nothing from elsewhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#include "check.h"
#include "cli_run.h"

/* Exit `code`, one line on stderr that names `value`, nothing on stdout. */
static void check_refused(const char *const *args, const char *const *env, int code,
                          const char *value)
{
    cli_run_result r = cli_run(args, env);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == code, "whygpu %s %s: exit %d, expected %d (stderr: %s)", args[0],
              args[1] ? args[1] : "", r.exit_code, code, r.err);
    CHECK_MSG(cli_run_lines(r.err) == 1, "expected one line on stderr, got: %s", r.err);
    CHECK_MSG(strstr(r.err, value) != NULL, "stderr does not name '%s': %s", value, r.err);
    CHECK_MSG(r.out[0] == '\0', "stdout not empty: %.200s", r.out);
    cli_run_free(&r);
}

/* A fresh folder under /tmp for a test's files. */
static int make_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/whygpu-sweep-test-XXXXXX");
    return mkdtemp(dir) != NULL;
}

static void remove_files(const char *dir, const char *const *names)
{
    char path[512];
    for (int i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

TEST(sweep_cli_rejects_bad_options)
{
    const char *op[] = {"sweep", "--op", "conv", NULL};
    const char *order[] = {"sweep", "--sizes", "100:10", NULL};
    const char *sizes[] = {"sweep", "--sizes", "abc", NULL};
    const char *zero[] = {"sweep", "--sizes", "0:10", NULL};
    const char *points[] = {"sweep", "--points", "1", NULL};
    const char *many[] = {"sweep", "--points", "1000", NULL};
    const char *budget[] = {"sweep", "--budget", "soon", NULL};
    const char *tiny[] = {"sweep", "--budget", "0.1s", NULL};
    const char *both[] = {"sweep", "--json", "-", "--csv", "-", NULL};
    const char *device[] = {"sweep", "--device", "tpu:0", NULL};
    const char *option[] = {"sweep", "--fast", NULL};
    const char *extra[] = {"sweep", "stray", NULL};
    check_refused(op, NULL, 2, "conv");
    check_refused(order, NULL, 2, "100:10");
    check_refused(sizes, NULL, 2, "abc");
    check_refused(zero, NULL, 2, "'0'");
    check_refused(points, NULL, 2, "'1'");
    check_refused(many, NULL, 2, "'1000'");
    check_refused(budget, NULL, 2, "soon");
    check_refused(tiny, NULL, 2, "0.1s");
    check_refused(both, NULL, 2, "stdout");
    check_refused(device, NULL, 2, "tpu:0");
    check_refused(option, NULL, 2, "--fast");
    check_refused(extra, NULL, 2, "stray");
    /* An output that cannot be written is refused before anything is measured. */
    const char *unwritable[] = {"sweep", "--json", "/nonexistent/dir/sweep.json", NULL};
    check_refused(unwritable, NULL, 1, "/nonexistent/dir/sweep.json");
    /* Sizes that cannot fit are reported, not crashed on (n = 10^6: 16 TB of matrices). */
    const char *huge[] = {"sweep", "--sizes", "1000000:1000000", "--budget", "1s",
                          "--no-progress", NULL};
    cli_run_result big = cli_run(huge, NULL);
    CHECK_MSG(big.exit_code == 0, "huge sizes: exit %d: %s", big.exit_code, big.err ? big.err : "");
    CHECK(big.out && strstr(big.out, "does not fit in host memory") != NULL);
    cli_run_free(&big);
    static const char *const commands[3] = {"sweep", "plot", "report"};
    for (int i = 0; i < 3; i++) {
        const char *help[] = {commands[i], "--help", NULL};
        cli_run_result r = cli_run(help, NULL);
        CHECK_MSG(r.exit_code == 0, "%s --help: exit %d", commands[i], r.exit_code);
        CHECK_MSG(r.out && strstr(r.out, "usage: whygpu ") && strstr(r.out, commands[i]),
                  "%s --help: %s", commands[i], r.out ? r.out : "");
        cli_run_free(&r);
    }
}

/* A tiny real sweep: 4 sizes of matmul in about a second, JSON and CSV to files. */
TEST(sweep_cli_tiny_run_writes_table_json_and_csv)
{
    char dir[64];
    REQUIRE(make_dir(dir, sizeof dir));
    char json_path[128], csv_path[128];
    snprintf(json_path, sizeof json_path, "%s/sweep.json", dir);
    snprintf(csv_path, sizeof csv_path, "%s/sweep.csv", dir);
    const char *args[] = {"sweep", "--sizes", "1:48", "--points", "4", "--budget", "2s",
                          "--json", json_path, "--csv", csv_path, "--no-progress", NULL};
    cli_run_result r = cli_run(args, NULL);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    CHECK(strstr(r.out, "whygpu sweep: matmul") != NULL);
    CHECK(strstr(r.out, "Crossover, data resident on the GPU") != NULL);
    if (wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) != WG_OK)
        CHECK_MSG(strstr(r.out, "GPU: none measured: no GPU: ") != NULL, "%s", r.out);
    cli_run_free(&r);

    FILE *csv = fopen(csv_path, "r");
    REQUIRE(csv != NULL);
    char line[2048];
    int rows = 0;
    CHECK(fgets(line, sizeof line, csv) && strncmp(line, "op,size,flops,cpu_median_s", 26) == 0);
    while (fgets(line, sizeof line, csv)) {
        rows++;
        CHECK_MSG(strncmp(line, "matmul,", 7) == 0, "row: %s", line);
        /* the CPU's status is "ok" (a busy machine may skip later sizes for the budget) */
        int ok = strstr(line, ",ok,") != NULL || strstr(line, ",ok\n") != NULL;
        CHECK_MSG(ok || (rows > 1 && strstr(line, "skipped: ") != NULL), "row: %s", line);
    }
    fclose(csv);
    CHECK_MSG(rows == 4, "%d CSV rows for 4 sizes", rows);
    const char *files[] = {"sweep.json", "sweep.csv", NULL};
    remove_files(dir, files);
}

#ifdef WG_HAVE_CJSON
/* Every number in the document is finite (a NaN written as a number would not parse). */
static int numbers_finite(const cJSON *item)
{
    if (cJSON_IsNumber(item)) return isfinite(item->valuedouble);
    for (const cJSON *child = item->child; child; child = child->next)
        if (!numbers_finite(child)) return 0;
    return 1;
}

/* The field exists and passes the type test; else a failed check naming it. */
static const cJSON *need(const cJSON *obj, const char *where, const char *key,
                         cJSON_bool (*is)(const cJSON *), int null_ok)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    CHECK_MSG(item != NULL, "field %s.%s is missing", where, key);
    if (item) CHECK_MSG(is(item) || (null_ok && cJSON_IsNull(item)), "field %s.%s has the wrong type",
                        where, key);
    return item;
}

/* Runs a tiny sweep with --json - and returns the parsed document (or NULL, checked). */
static cJSON *tiny_sweep_json(const char *op, const char *sizes, const char *points)
{
    const char *args[] = {"sweep", "--op", op, "--sizes", sizes, "--points", points, "--budget",
                          "2s", "--json", "-", "--no-progress", NULL};
    cli_run_result r = cli_run(args, NULL);
    if (!r.out || !r.err) {
        CHECK_MSG(0, "could not run %s", check_whygpu_path);
        cli_run_free(&r);
        return NULL;
    }
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cJSON *root = cJSON_Parse(r.out);
    CHECK_MSG(root != NULL, "stdout is not JSON: %.300s", r.out);
    cli_run_free(&r);
    return root;
}
#endif

TEST(sweep_cli_json_has_every_field)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    static const char *const ops[2][3] = {{"matmul", "1:40", "3"}, {"relu", "1:100000", "3"}};
    int gpu = wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) == WG_OK;
    for (int k = 0; k < 2; k++) {
        cJSON *root = tiny_sweep_json(ops[k][0], ops[k][1], ops[k][2]);
        if (!root) return;
        CHECK(numbers_finite(root));
        const cJSON *schema = need(root, "", "schema", cJSON_IsString, 0);
        CHECK(schema && strcmp(schema->valuestring, "whygpu.sweep/1") == 0);
        need(root, "", "whygpu_version", cJSON_IsString, 0);
        need(root, "", "command", cJSON_IsString, 0);
        need(root, "", "date", cJSON_IsString, 0);
        const cJSON *op = need(root, "", "op", cJSON_IsString, 0);
        CHECK(op && strcmp(op->valuestring, ops[k][0]) == 0);
        need(root, "", "size_unit", cJSON_IsString, 0);
        const cJSON *range = need(root, "", "sizes", cJSON_IsArray, 0);
        CHECK(range && cJSON_GetArraySize(range) == 2);
        need(root, "", "points_requested", cJSON_IsNumber, 0);
        need(root, "", "seed", cJSON_IsNumber, 0);
        const cJSON *budget = need(root, "", "budget_s", cJSON_IsNumber, 0);
        CHECK(budget && budget->valuedouble == 2.0);
        const cJSON *elapsed = need(root, "", "elapsed_s", cJSON_IsNumber, 0);
        CHECK(elapsed && elapsed->valuedouble > 0 && elapsed->valuedouble < 10);
        const cJSON *machine = need(root, "", "machine", cJSON_IsObject, 0);
        const cJSON *cpu = machine ? need(machine, "machine", "cpu", cJSON_IsObject, 0) : NULL;
        const cJSON *gpu_info = machine ? need(machine, "machine", "gpu", cJSON_IsObject, 0) : NULL;
        if (cpu) {
            need(cpu, "machine.cpu", "model", cJSON_IsString, 0);
            need(cpu, "machine.cpu", "threads", cJSON_IsNumber, 0);
            need(cpu, "machine.cpu", "matmul_isa", cJSON_IsString, 0);
        }
        if (gpu_info) {
            need(gpu_info, "machine.gpu", "device", cJSON_IsString, 1);
            const cJSON *available = need(gpu_info, "machine.gpu", "available", cJSON_IsBool, 0);
            CHECK(available && cJSON_IsTrue(available) == gpu);
            need(gpu_info, "machine.gpu", "name", cJSON_IsString, !gpu);
            need(gpu_info, "machine.gpu", "reason", cJSON_IsString, gpu);
        }
        const cJSON *points = need(root, "", "points", cJSON_IsArray, 0);
        REQUIRE(points && cJSON_GetArraySize(points) == 3);
        double previous = 0;
        for (int i = 0; i < cJSON_GetArraySize(points); i++) {
            const cJSON *p = cJSON_GetArrayItem(points, i);
            const cJSON *size = need(p, "points[]", "size", cJSON_IsNumber, 0);
            CHECK(size && size->valuedouble > previous);
            if (size) previous = size->valuedouble;
            need(p, "points[]", "flops", cJSON_IsNumber, 0);
            need(p, "points[]", "bytes", cJSON_IsNumber, 0);
            need(p, "points[]", "speedup", cJSON_IsNumber, 1);
            need(p, "points[]", "speedup_with_copies", cJSON_IsNumber, 1);
            static const char *const columns[3] = {"cpu", "gpu", "gpu_with_copies"};
            for (int c = 0; c < 3; c++) {
                const cJSON *cell = need(p, "points[]", columns[c], cJSON_IsObject, 0);
                if (!cell) continue;
                const cJSON *measured = need(cell, columns[c], "measured", cJSON_IsBool, 0);
                int yes = measured && cJSON_IsTrue(measured);
                const char *why = cJSON_GetStringValue(cJSON_GetObjectItem(cell, "reason"));
                /* On a very busy machine the 2 s budget may run out before the last sizes:
                 * such a cell must say so; the first size is always measured. */
                int budget_skip = !yes && why && strncmp(why, "skipped: ", 9) == 0 && i > 0;
                CHECK_MSG(yes == (c == 0 || gpu) || budget_skip, "%s measured = %d (%s)",
                          columns[c], yes, why ? why : "");
                need(cell, columns[c], "reason", cJSON_IsString, yes);
                static const char *const numbers[] = {"median_s", "best_s", "worst_s", "spread",
                                                      "loops", "repeats", "check_error",
                                                      "check_tolerance"};
                for (size_t f = 0; f < sizeof numbers / sizeof numbers[0]; f++)
                    need(cell, columns[c], numbers[f], cJSON_IsNumber, !yes);
                need(cell, columns[c], "check_passed", cJSON_IsBool, !yes);
                if (yes) {
                    const cJSON *median = cJSON_GetObjectItem(cell, "median_s");
                    CHECK(median && median->valuedouble > 0);
                    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cell, "check_passed")));
                } else if (!budget_skip) {
                    CHECK_MSG(why && strncmp(why, "no GPU: ", 8) == 0, "reason: %s", why ? why : "");
                }
            }
        }
        const cJSON *crossover = need(root, "", "crossover", cJSON_IsObject, 0);
        static const char *const gpu_columns[2] = {"gpu", "gpu_with_copies"};
        for (int c = 0; crossover && c < 2; c++) {
            const cJSON *x = need(crossover, "crossover", gpu_columns[c], cJSON_IsObject, 0);
            if (!x) continue;
            const cJSON *state = need(x, gpu_columns[c], "state", cJSON_IsString, 0);
            if (!gpu) CHECK(state && strcmp(state->valuestring, "no_data") == 0);
            need(x, gpu_columns[c], "size", cJSON_IsNumber, 1);
            need(x, gpu_columns[c], "below", cJSON_IsNumber, 1);
            need(x, gpu_columns[c], "above", cJSON_IsNumber, 1);
            need(x, gpu_columns[c], "valid_points", cJSON_IsNumber, 0);
            need(x, gpu_columns[c], "best_speedup", cJSON_IsNumber, 1);
            need(x, gpu_columns[c], "best_speedup_size", cJSON_IsNumber, 1);
        }
        need(root, "", "budget_skips", cJSON_IsNumber, 0);
        const cJSON *passed = need(root, "", "passed", cJSON_IsBool, 0);
        CHECK(passed && cJSON_IsTrue(passed));
        cJSON_Delete(root);
    }
#endif
}

/* ---------------------------------------------------------------- plot ------------ */

TEST(plot_cli_rejects_malformed_input)
{
    char dir[64];
    REQUIRE(make_dir(dir, sizeof dir));
    char path[128], chart[128];
    snprintf(chart, sizeof chart, "%s/chart.svg", dir);
    const char *no_output[] = {"plot", "x.json", NULL};
    const char *bad_extension[] = {"plot", "x.json", "-o", "chart.pdf", NULL};
    const char *no_input[] = {"plot", "-o", "chart.svg", NULL};
    check_refused(no_output, NULL, 2, "-o");
    check_refused(bad_extension, NULL, 2, "chart.pdf");
    check_refused(no_input, NULL, 2, "RESULTS.json");
#ifndef WG_HAVE_CJSON
    snprintf(path, sizeof path, "%s/x.json", dir);
    REQUIRE(cli_run_write_file(path, "{}") == 0);
    const char *args[] = {"plot", path, "-o", chart, NULL};
    check_refused(args, NULL, 1, "built without cJSON");
    const char *files[] = {"x.json", NULL};
    remove_files(dir, files);
#else
    const char *missing[] = {"plot", "/nonexistent/sweep.json", "-o", chart, NULL};
    check_refused(missing, NULL, 1, "/nonexistent/sweep.json");
    /* Each broken document: its content and what the error must name. */
    static const char *const cases[][2] = {
        {"", "not valid JSON"},
        {"{\"schema\": \"whygpu.sweep/1\", \"op\": \"matmul\", \"points\": [{\"size\": 1,",
         "not valid JSON"},
        {"[1, 2, 3]", "schema"},
        {"{\"op\": \"matmul\"}", "schema"},
        {"{\"schema\": \"whygpu.nope/7\"}", "whygpu.nope/7"},
        {"{\"schema\": \"whygpu.sweep/1\", \"op\": \"matmul\", \"size_unit\": \"n\"}", "machine"},
        {"{\"schema\": \"whygpu.sweep/1\", \"op\": \"matmul\", \"size_unit\": \"n\", \"machine\": "
         "{\"cpu\": {\"model\": \"x\"}, \"gpu\": {\"available\": false, \"name\": null, \"reason\": "
         "\"none\"}}, \"crossover\": {}, \"points\": [{\"size\": 2, \"cpu\": {\"measured\": true, "
         "\"median_s\": \"fast\"}}]}",
         "points[0].cpu.median_s"},
        {"{\"schema\": \"whygpu.sweep/1\", \"op\": \"matmul\", \"size_unit\": \"n\", \"machine\": "
         "{\"cpu\": {\"model\": \"x\"}, \"gpu\": {\"available\": false, \"name\": null, \"reason\": "
         "\"none\"}}, \"crossover\": {}, \"points\": [{\"size\": 2, \"cpu\": {\"measured\": true, "
         "\"median_s\": 1e-3}}]}",
         "points[0].gpu"},
        {"{\"schema\": \"whygpu.explain/1\", \"sections\": {\"latency\": {}}}", "sections.roofline"},
        {"{\"schema\": \"whygpu.explain/1\", \"sections\": {\"roofline\": {\"devices\": "
         "[{\"device\": \"cpu\", \"peak_gflops\": 100}], \"ops\": []}}}",
         "sections.roofline.devices[0].bandwidth_gbs"},
    };
    snprintf(path, sizeof path, "%s/bad.json", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(cli_run_write_file(path, cases[i][0]) == 0);
        const char *args[] = {"plot", path, "-o", chart, NULL};
        check_refused(args, NULL, 1, cases[i][1]);
        CHECK_MSG(access(chart, F_OK) != 0, "case %zu left a chart behind", i);
    }
    const char *files[] = {"bad.json", "chart.svg", NULL};
    remove_files(dir, files);
#endif
}

TEST(plot_cli_draws_a_real_sweep_and_says_when_gnuplot_is_missing)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev): plot cannot read JSON");
#else
    char dir[64];
    REQUIRE(make_dir(dir, sizeof dir));
    char json_path[128], chart[128];
    snprintf(json_path, sizeof json_path, "%s/sweep.json", dir);
    snprintf(chart, sizeof chart, "%s/sweep.svg", dir);
    const char *sweep[] = {"sweep", "--sizes", "1:32", "--points", "3", "--budget", "1s",
                           "--json", json_path, "--no-progress", NULL};
    cli_run_result r = cli_run(sweep, NULL);
    CHECK_MSG(r.exit_code == 0, "sweep: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    const char *plot[] = {"plot", json_path, "-o", chart, NULL};
    const char *no_gnuplot[] = {"WHYGPU_GNUPLOT=/nonexistent/gnuplot", NULL};
    check_refused(plot, no_gnuplot, 1, "gnuplot not found");
    if (access("/usr/bin/gnuplot", X_OK) != 0 && access("/usr/local/bin/gnuplot", X_OK) != 0) {
        const char *files[] = {"sweep.json", NULL};
        remove_files(dir, files);
        SKIP("gnuplot is not installed (Debian: gnuplot-nox), so no chart can be drawn");
    }
    r = cli_run(plot, NULL);
    CHECK_MSG(r.exit_code == 0, "plot: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    FILE *svg = fopen(chart, "r");
    REQUIRE(svg != NULL);
    static char head[1 << 18];
    size_t got = fread(head, 1, sizeof head - 1, svg);
    head[got] = '\0';
    fclose(svg);
    CHECK(strstr(head, "<svg") != NULL);
    CHECK(strstr(head, "whygpu sweep: matmul") != NULL);
    const char *files[] = {"sweep.json", "sweep.svg", NULL};
    remove_files(dir, files);
#endif
}

/* ---------------------------------------------------------------- report ---------- */

TEST(report_cli_from_saved_json_is_self_contained)
{
#ifndef WG_HAVE_CJSON
    const char *args[] = {"report", "--from", "/tmp", "-o", "/tmp/x.html", NULL};
    check_refused(args, NULL, 1, "built without cJSON");
#else
    char dir[64];
    REQUIRE(make_dir(dir, sizeof dir));
    char json_path[128], html_path[128];
    snprintf(json_path, sizeof json_path, "%s/sweep.json", dir);
    snprintf(html_path, sizeof html_path, "%s/report.html", dir);
    const char *not_dir[] = {"report", "--from", "/nonexistent/results", NULL};
    const char *both[] = {"report", "--from", dir, "--save", dir, NULL};
    const char *option[] = {"report", "--slow", NULL};
    check_refused(not_dir, NULL, 2, "/nonexistent/results");
    check_refused(both, NULL, 2, "--save");
    check_refused(option, NULL, 2, "--slow");
    const char *empty[] = {"report", "--from", dir, "-o", html_path, NULL};
    check_refused(empty, NULL, 1, "no whygpu JSON");
    const char *sweep[] = {"sweep", "--sizes", "1:32", "--points", "3", "--budget", "1s",
                           "--json", json_path, "--no-progress", NULL};
    cli_run_result r = cli_run(sweep, NULL);
    CHECK_MSG(r.exit_code == 0, "sweep: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    r = cli_run(empty, NULL);
    CHECK_MSG(r.exit_code == 0, "report: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    FILE *in = fopen(html_path, "r");
    REQUIRE(in != NULL);
    static char html[1 << 20];
    size_t got = fread(html, 1, sizeof html - 1, in);
    html[got] = '\0';
    fclose(in);
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(html, "Where the GPU starts to win") != NULL);
    CHECK(strstr(html, "No demo results") != NULL); /* absent documents are said to be */
    CHECK(strstr(html, "</html>") != NULL);
    /* Nothing loaded from elsewhere: no scripts, links, remote sources or DOCTYPE of SVG. */
    CHECK(strstr(html, "<script") == NULL);
    CHECK(strstr(html, "<link") == NULL);
    CHECK(strstr(html, "src=") == NULL);
    CHECK(strstr(html, "<!DOCTYPE svg") == NULL);
    if (access("/usr/bin/gnuplot", X_OK) == 0) CHECK(strstr(html, "<svg") != NULL);
    const char *files[] = {"sweep.json", "report.html", NULL};
    remove_files(dir, files);
#endif
}
