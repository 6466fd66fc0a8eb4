/*
 * test_compare.c - `whygpu compare`, run as a user would: this machine's demo against the
 * recorded H100 reference and against another run of this machine; every schema it reads;
 * runs of different kinds; schema versions it cannot read; truncated, malformed and
 * incomplete files (one line on stderr naming the file and the field, exit 1); bad usage
 * (exit 2); folders; --json and --html. The documents under test are the reference's own
 * (reference/h100/, next to the binary's checkout) and ones this whygpu writes here.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#include "check.h"
#include "cli_run.h"

#ifdef WG_HAVE_CJSON

/* A fresh folder under /tmp for a test's files; removed by cleanup(). */
static int temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/whygpu-compare-test-XXXXXX");
    return mkdtemp(dir) != NULL;
}

static void cleanup(const char *dir)
{
    char command[600];
    if (strncmp(dir, "/tmp/whygpu-compare-test-", 25) != 0) return;
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* reference/h100 of the checkout the binary under test was built in. */
static int reference_dir(char *out, size_t size)
{
    char exe[PATH_MAX];
    if (!realpath(check_whygpu_path, exe)) return 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return 0;
    *slash = '\0';
    snprintf(out, size, "%.3900s/../reference/h100", exe);
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%.4000s/provenance.json", out);
    return access(probe, R_OK) == 0;
}

static char *read_all(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) return NULL;
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, in) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(in);
    return buf;
}

static cJSON *load_json(const char *path)
{
    char *text = read_all(path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    return root;
}

static int save_json(const char *path, const cJSON *root)
{
    char *text = cJSON_Print(root);
    int rc = text ? cli_run_write_file(path, text) : -1;
    free(text);
    return rc;
}

/* Runs `whygpu compare a b` and checks the exit status; on failure, one line on stderr
 * that names every string of `names` (NULL-terminated). */
static void expect(const char *a, const char *b, int code, const char *const *names)
{
    const char *args[] = {"compare", a, b, NULL};
    cli_run_result r = cli_run(args, NULL);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == code, "compare %s %s: exit %d, expected %d (stderr: %s)", a, b,
              r.exit_code, code, r.err);
    if (code != 0) {
        CHECK_MSG(cli_run_lines(r.err) == 1, "expected one line on stderr, got: %s", r.err);
        CHECK_MSG(strncmp(r.err, "whygpu compare: ", 16) == 0, "stderr: %s", r.err);
        CHECK(r.out[0] == '\0');
        for (int i = 0; names && names[i]; i++)
            CHECK_MSG(strstr(r.err, names[i]) != NULL, "stderr does not name '%s': %s", names[i],
                      r.err);
    }
    cli_run_free(&r);
}

/* A small demo of this machine, as JSON, written to path. */
static int write_demo(const char *path, const char *size)
{
    const char *args[] = {"demo", "--size", size, "--repeat", "3", "--no-progress", "--json", NULL};
    cli_run_result r = cli_run(args, NULL);
    int ok = r.exit_code == 0 && r.out && cli_run_write_file(path, r.out) == 0;
    cli_run_free(&r);
    return ok;
}

#define SETUP(dir, ref)                                                                   \
    char dir[64], ref[PATH_MAX];                                                          \
    if (!reference_dir(ref, sizeof ref)) {                                                \
        SKIP("no reference/h100 next to the binary under test (%s)", check_whygpu_path);  \
        return;                                                                           \
    }                                                                                     \
    REQUIRE(temp_dir(dir, sizeof dir))

TEST(compare_demo_against_the_h100_reference)
{
    SETUP(dir, ref);
    char mine[128];
    snprintf(mine, sizeof mine, "%s/demo.json", dir);
    REQUIRE(write_demo(mine, "64"));
    const char *args[] = {"compare", mine, "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    REQUIRE(r.out);
    CHECK(strstr(r.out, "whygpu compare: demo, 2 runs") != NULL);
    CHECK(strstr(r.out, "H100") != NULL);
    CHECK_MSG(strstr(r.out, "recorded 2026-11-27, not this machine") != NULL, "%s", r.out);
    CHECK(strstr(r.out, "GPU: matmul rate") != NULL);
    CHECK(strstr(r.out, "B vs A") != NULL);
    /* Your CPU against that GPU, in words. */
    CHECK_MSG(strstr(r.out, "Your CPU") != NULL && strstr(r.out, "multiplies matrices") != NULL,
              "%s", r.out);
    CHECK(strstr(r.out, "the matmul sizes differ") != NULL);
    cli_run_free(&r);

    /* The same reference found through WHYGPU_REFERENCE_DIR under another name. */
    char other[160], command[PATH_MAX + 400];
    snprintf(other, sizeof other, "%s/refs", dir);
    snprintf(command, sizeof command, "mkdir -p '%s' && cp -r '%s' '%s/lent'", other, ref, other);
    REQUIRE(system(command) == 0);
    char env[200];
    snprintf(env, sizeof env, "WHYGPU_REFERENCE_DIR=%s", other);
    const char *env_list[] = {env, NULL};
    const char *args2[] = {"compare", mine, "lent", NULL};
    r = cli_run(args2, env_list);
    CHECK_MSG(r.exit_code == 0, "WHYGPU_REFERENCE_DIR: exit %d: %s", r.exit_code, r.err);
    cli_run_free(&r);
    cleanup(dir);
}

TEST(compare_two_runs_of_this_machine)
{
    SETUP(dir, ref);
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/a.json", dir);
    snprintf(b, sizeof b, "%s/b.json", dir);
    REQUIRE(write_demo(a, "48"));
    REQUIRE(write_demo(b, "48"));
    const char *args[] = {"compare", "--json", a, b, NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    cJSON *root = r.out ? cJSON_Parse(r.out) : NULL;
    REQUIRE(root);
    const cJSON *schema = cJSON_GetObjectItem(root, "schema");
    CHECK(cJSON_IsString(schema) && strcmp(schema->valuestring, "whygpu.compare/1") == 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(root, "runs")) == 2);
    const cJSON *sections = cJSON_GetObjectItem(root, "comparisons");
    REQUIRE(cJSON_GetArraySize(sections) == 1);
    const cJSON *section = cJSON_GetArrayItem(sections, 0);
    CHECK(strcmp(cJSON_GetObjectItem(section, "kind")->valuestring, "demo") == 0);
    const cJSON *figures = cJSON_GetObjectItem(section, "figures");
    CHECK(cJSON_GetArraySize(figures) >= 3);
    const cJSON *f;
    int rate_found = 0;
    cJSON_ArrayForEach(f, figures) {
        const cJSON *values = cJSON_GetObjectItem(f, "values");
        CHECK(cJSON_GetArraySize(values) == 2);
        if (strcmp(cJSON_GetObjectItem(f, "key")->valuestring, "cpu.matmul.rate") == 0) {
            rate_found = 1;
            CHECK(cJSON_IsNumber(cJSON_GetArrayItem(values, 0)));
            CHECK(cJSON_IsNumber(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "vs_first"), 1)));
        }
    }
    CHECK(rate_found);
    cJSON_Delete(root);
    cli_run_free(&r);
    cleanup(dir);
}

/* Minimal documents of the kinds the reference lacks (train compare and train modes, bench
 * gemm), shaped as docs/json.md describes them. */
static const char train_compare_doc[] =
    "{\"schema\": \"whygpu.train/1\", \"whygpu_version\": \"0.1.0\", \"date\": "
    "\"2026-11-27T06:00:00Z\", \"mode\": \"compare\", \"machine\": {\"cpu\": \"Test CPU\", "
    "\"threads\": 2, \"gpu\": \"Test GPU\"}, \"runs\": [{\"device\": \"cpu\", \"ran\": true, "
    "\"error\": null, \"steps\": 20, \"timed_steps\": 10, \"seconds\": 0.02, "
    "\"seconds_per_step\": 0.002, \"images_per_s\": 128000, \"first_losses\": [2.3]}, "
    "{\"device\": \"cuda:0\", \"ran\": true, \"error\": null, \"steps\": 20, \"timed_steps\": 10, "
    "\"seconds\": 0.002, \"seconds_per_step\": 0.0002, \"images_per_s\": 1280000, "
    "\"first_losses\": [2.3]}], \"speedup\": 10, \"losses_agree\": true}";
static const char train_doc[] =
    "{\"schema\": \"whygpu.train/1\", \"whygpu_version\": \"0.1.0\", \"date\": "
    "\"2026-11-27T06:00:00Z\", \"mode\": \"train\", \"device\": \"cpu\", \"machine\": "
    "{\"cpu\": \"Test CPU\", \"threads\": 2, \"gpu\": null}, \"epochs\": [{\"epoch\": 1, "
    "\"images_per_s\": 9000}, {\"epoch\": 2, \"images_per_s\": 9800}], \"final\": "
    "{\"test_accuracy\": 0.85}}";
/* The same run as train/2 writes it: the shared machine block. */
static const char train_compare_v2_doc[] =
    "{\"schema\": \"whygpu.train/2\", \"whygpu_version\": \"0.1.0\", \"date\": "
    "\"2026-12-05T06:00:00Z\", \"machine\": {\"cpu\": {\"model\": \"Test CPU\", \"threads\": 4}, "
    "\"gpu\": {\"device\": \"cuda:0\", \"available\": true, \"name\": \"Test GPU\"}}, "
    "\"mode\": \"compare\", \"runs\": [{\"device\": \"cpu\", \"ran\": true, \"seconds_per_step\": "
    "0.004, \"images_per_s\": 64000}, {\"device\": \"cuda:0\", \"ran\": false, \"error\": "
    "\"no GPU\"}], \"speedup\": null}";
static const char bench_doc[] =
    "{\"schema\": \"whygpu.bench-gemm/1\", \"whygpu_version\": \"0.1.0\", \"cpu\": \"Test CPU\", "
    "\"isa\": \"avx512\", \"threads\": 2, \"fma_peak_gflops\": 230, \"shapes\": [{\"label\": "
    "\"square 1024\", \"m\": 1024, \"n\": 1024, \"k\": 1024, \"gflops\": 200}]}";

TEST(compare_reads_every_schema)
{
    SETUP(dir, ref);
    static const struct { const char *file, *kind; } docs[] = {
        {"demo.json", "demo"},     {"explain.json", "explain"},   {"sweep.json", "sweep matmul"},
        {"sweep-mul.json", "sweep mul"}, {"ladder.json", "ladder"}};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char path[PATH_MAX + 64], header[96];
        snprintf(path, sizeof path, "%s/%s", ref, docs[i].file);
        const char *args[] = {"compare", path, "h100", NULL};
        cli_run_result r = cli_run(args, NULL);
        CHECK_MSG(r.exit_code == 0, "%s: exit %d: %s", docs[i].file, r.exit_code, r.err);
        snprintf(header, sizeof header, "whygpu compare: %s, 2 runs", docs[i].kind);
        CHECK_MSG(r.out && strstr(r.out, header), "%s: %s", docs[i].file, r.out);
        /* Two copies of one run: every figure is 1x the other. */
        CHECK_MSG(r.out && strstr(r.out, " 1x\n") != NULL, "%s: %s", docs[i].file, r.out);
        cli_run_free(&r);
    }
    static const struct { const char *name, *text, *kind, *figure; } made[] = {
        {"train-compare.json", train_compare_doc, "train compare", "GPU: training images/s"},
        {"train.json", train_doc, "train train", "CPU: training images/s (best epoch)"},
        {"bench.json", bench_doc, "bench-gemm", "CPU GEMM square 1024"}};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, made[i].name);
        REQUIRE(cli_run_write_file(path, made[i].text) == 0);
        const char *args[] = {"compare", path, path, NULL};
        cli_run_result r = cli_run(args, NULL);
        CHECK_MSG(r.exit_code == 0, "%s: exit %d: %s", made[i].name, r.exit_code, r.err);
        CHECK_MSG(r.out && strstr(r.out, made[i].kind) && strstr(r.out, made[i].figure), "%s: %s",
                  made[i].name, r.out);
        cli_run_free(&r);
    }
    /* train/1 against train/2: the old and the new machine block both read. */
    char v1[128], v2[128];
    snprintf(v1, sizeof v1, "%s/train-compare.json", dir);
    snprintf(v2, sizeof v2, "%s/train-compare-v2.json", dir);
    REQUIRE(cli_run_write_file(v2, train_compare_v2_doc) == 0);
    const char *versions[] = {"compare", v1, v2, NULL};
    cli_run_result rv = cli_run(versions, NULL);
    CHECK_MSG(rv.exit_code == 0, "train/1 vs train/2: exit %d: %s", rv.exit_code, rv.err);
    CHECK_MSG(rv.out && strstr(rv.out, "Test CPU, 4 threads") && strstr(rv.out, "Test CPU, 2 threads"),
              "%s", rv.out);
    cli_run_free(&rv);
    /* The train comparison against the reference, which has none: named, with the why. */
    char path[128];
    snprintf(path, sizeof path, "%s/train-compare.json", dir);
    const char *why[] = {"train compare", "h100", "did not ask for --json", NULL};
    expect(path, "h100", 1, why);
    /* info holds facts, not measurements. */
    char info[128];
    snprintf(info, sizeof info, "%s/info.json", dir);
    const char *info_args[] = {"info", "--json", NULL};
    cli_run_result r = cli_run(info_args, NULL);
    REQUIRE(r.exit_code == 0 && r.out && cli_run_write_file(info, r.out) == 0);
    cli_run_free(&r);
    const char *names[] = {info, "no measurements", NULL};
    expect(info, info, 1, names);
    cleanup(dir);
}

TEST(compare_refuses_runs_of_different_kinds)
{
    SETUP(dir, ref);
    char demo[PATH_MAX + 32], sweep[PATH_MAX + 32], mul[PATH_MAX + 32];
    snprintf(demo, sizeof demo, "%s/demo.json", ref);
    snprintf(sweep, sizeof sweep, "%s/sweep.json", ref);
    snprintf(mul, sizeof mul, "%s/sweep-mul.json", ref);
    const char *names[] = {"sweep.json", "sweep matmul", "demo", "same kind", NULL};
    expect(demo, sweep, 1, names);
    const char *ops[] = {"sweep-mul.json", "sweep mul", "sweep matmul", NULL};
    expect(sweep, mul, 1, ops);
    cleanup(dir);
}

/* Writes the reference's demo with `edit` applied to path. */
static int edited_demo(const char *ref, const char *path, void (*edit)(cJSON *root))
{
    char source[PATH_MAX + 32];
    snprintf(source, sizeof source, "%s/demo.json", ref);
    cJSON *root = load_json(source);
    if (!root) return 0;
    edit(root);
    int ok = save_json(path, root) == 0;
    cJSON_Delete(root);
    return ok;
}

static void schema_v2(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "schema", cJSON_CreateString("whygpu.demo/2"));
}
static void schema_unknown(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "schema", cJSON_CreateString("whygpu.frobnicate/1"));
}
static void schema_gone(cJSON *root) { cJSON_DeleteItemFromObject(root, "schema"); }
static void threads_renamed(cJSON *root)
{
    /* The machine block as issue 15 unifies it: "omp_threads" where demo said "threads". */
    cJSON *cpu = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "machine"), "cpu");
    cJSON *threads = cJSON_DetachItemFromObject(cpu, "threads");
    if (threads) cJSON_AddItemToObject(cpu, "omp_threads", threads);
}
static void time_gone(cJSON *root)
{
    cJSON *cell = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "cells"), 1);
    cJSON_DeleteItemFromObject(cell, "time");
}
static void cells_gone(cJSON *root) { cJSON_DeleteItemFromObject(root, "cells"); }
static void gflops_text(cJSON *root)
{
    cJSON *cell = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "cells"), 3);
    cJSON_ReplaceItemInObject(cell, "gflops", cJSON_CreateString("fast"));
}

TEST(compare_schema_versions_old_and_new)
{
    SETUP(dir, ref);
    char path[128];
    snprintf(path, sizeof path, "%s/v2.json", dir);
    REQUIRE(edited_demo(ref, path, schema_v2));
    const char *newer[] = {"v2.json", "whygpu.demo/2", "newer", NULL};
    expect(path, "h100", 1, newer);
    snprintf(path, sizeof path, "%s/unknown.json", dir);
    REQUIRE(edited_demo(ref, path, schema_unknown));
    const char *unknown[] = {"unknown.json", "whygpu.frobnicate/1", NULL};
    expect(path, "h100", 1, unknown);
    snprintf(path, sizeof path, "%s/none.json", dir);
    REQUIRE(edited_demo(ref, path, schema_gone));
    const char *none[] = {"none.json", "schema", NULL};
    expect(path, "h100", 1, none);
    /* The recorded reference (an older whygpu) against a demo this whygpu writes now, and
     * a machine block with the unified key: both read. */
    char mine[128];
    snprintf(mine, sizeof mine, "%s/mine.json", dir);
    REQUIRE(write_demo(mine, "32"));
    expect("h100", mine, 0, NULL);
    snprintf(path, sizeof path, "%s/omp.json", dir);
    REQUIRE(edited_demo(ref, path, threads_renamed));
    const char *args[] = {"compare", path, "h100", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(r.out && strstr(r.out, "16 threads") != NULL, "%s", r.out);
    cli_run_free(&r);
    cleanup(dir);
}

TEST(compare_truncated_and_malformed_files)
{
    SETUP(dir, ref);
    char source[PATH_MAX + 32], path[128];
    snprintf(source, sizeof source, "%s/demo.json", ref);
    char *text = read_all(source);
    REQUIRE(text);
    text[strlen(text) / 2] = '\0';
    snprintf(path, sizeof path, "%s/truncated.json", dir);
    REQUIRE(cli_run_write_file(path, text) == 0);
    free(text);
    const char *truncated[] = {"truncated.json", "not valid JSON", NULL};
    expect(path, "h100", 1, truncated);
    expect("h100", path, 1, truncated);
    snprintf(path, sizeof path, "%s/malformed.json", dir);
    REQUIRE(cli_run_write_file(path, "{\"schema\": \"whygpu.demo/1\", ]") == 0);
    const char *malformed[] = {"malformed.json", "not valid JSON", NULL};
    expect(path, "h100", 1, malformed);
    snprintf(path, sizeof path, "%s/empty.json", dir);
    REQUIRE(cli_run_write_file(path, "") == 0);
    const char *empty[] = {"empty.json", NULL};
    expect(path, "h100", 1, empty);
    snprintf(path, sizeof path, "%s/array.json", dir);
    REQUIRE(cli_run_write_file(path, "[1, 2, 3]") == 0);
    const char *array[] = {"array.json", "schema", NULL};
    expect(path, "h100", 1, array);
    cleanup(dir);
}

TEST(compare_names_missing_fields)
{
    SETUP(dir, ref);
    char path[128];
    snprintf(path, sizeof path, "%s/no-time.json", dir);
    REQUIRE(edited_demo(ref, path, time_gone));
    const char *no_time[] = {"no-time.json", "cells[1].time", NULL};
    expect(path, "h100", 1, no_time);
    snprintf(path, sizeof path, "%s/no-cells.json", dir);
    REQUIRE(edited_demo(ref, path, cells_gone));
    const char *no_cells[] = {"no-cells.json", "cells", NULL};
    expect("h100", path, 1, no_cells);
    snprintf(path, sizeof path, "%s/text.json", dir);
    REQUIRE(edited_demo(ref, path, gflops_text));
    const char *text[] = {"text.json", "cells[3].gflops", NULL};
    expect(path, "h100", 1, text);
    /* A sweep without its crossover, a ladder rung without its rate. */
    char source[PATH_MAX + 32];
    snprintf(source, sizeof source, "%s/sweep.json", ref);
    cJSON *sweep = load_json(source);
    REQUIRE(sweep);
    cJSON_DeleteItemFromObject(sweep, "crossover");
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    REQUIRE(save_json(path, sweep) == 0);
    cJSON_Delete(sweep);
    const char *no_crossover[] = {"sweep.json", "crossover", NULL};
    expect(path, "h100", 1, no_crossover);
    snprintf(source, sizeof source, "%s/ladder.json", ref);
    cJSON *ladder = load_json(source);
    REQUIRE(ladder);
    cJSON *rung = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(ladder, "runs"), 0), "rungs"), 0);
    cJSON_DeleteItemFromObject(rung, "gflops");
    snprintf(path, sizeof path, "%s/ladder.json", dir);
    REQUIRE(save_json(path, ladder) == 0);
    cJSON_Delete(ladder);
    const char *no_rate[] = {"ladder.json", "runs[0].rungs[0].gflops", NULL};
    expect("h100", path, 1, no_rate);
    cleanup(dir);
}

TEST(compare_bad_usage)
{
    const char *one[] = {"compare", "h100", NULL};
    cli_run_result r = cli_run(one, NULL);
    CHECK_MSG(r.exit_code == 2, "one run: exit %d", r.exit_code);
    CHECK(r.err && cli_run_lines(r.err) == 1 && strstr(r.err, "two runs"));
    cli_run_free(&r);
    const char *option[] = {"compare", "--frobnicate", "a", "b", NULL};
    r = cli_run(option, NULL);
    CHECK(r.exit_code == 2 && r.err && strstr(r.err, "--frobnicate"));
    cli_run_free(&r);
    const char *nothing[] = {"compare", "h100", "no-such-reference", NULL};
    r = cli_run(nothing, NULL);
    CHECK_MSG(r.exit_code == 2, "unknown reference: exit %d", r.exit_code);
    CHECK(r.err && cli_run_lines(r.err) == 1 && strstr(r.err, "no-such-reference"));
    cli_run_free(&r);
    const char *help[] = {"compare", "--help", NULL};
    r = cli_run(help, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "usage: whygpu compare"));
    cli_run_free(&r);
}

TEST(compare_folders_and_html)
{
    SETUP(dir, ref);
    char folder[128], path[200], html[128];
    snprintf(folder, sizeof folder, "%s/run", dir);
    REQUIRE(mkdir(folder, 0755) == 0);
    snprintf(path, sizeof path, "%s/demo.json", folder);
    REQUIRE(write_demo(path, "32"));
    snprintf(html, sizeof html, "%s/compare.html", dir);
    /* Two folders: the kind both hold is compared, the others are named with the why. */
    const char *args[] = {"compare", "--html", html, "h100", folder, NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    CHECK(r.out && strstr(r.out, "whygpu compare: demo, 2 runs"));
    CHECK_MSG(r.out && strstr(r.out, "not compared: explain: no explain document in"), "%s", r.out);
    cli_run_free(&r);
    char *page = read_all(html);
    REQUIRE(page);
    CHECK(strstr(page, "<section class=\"compare\">") != NULL);
    CHECK(strstr(page, "recorded 2026-11-27, not this machine") != NULL);
    CHECK(strstr(page, "class=\"recorded\"") != NULL);
    free(page);
    /* Folders with no kind in common. */
    char empty[128];
    snprintf(empty, sizeof empty, "%s/other", dir);
    REQUIRE(mkdir(empty, 0755) == 0);
    snprintf(path, sizeof path, "%s/bench.json", empty);
    REQUIRE(cli_run_write_file(path, bench_doc) == 0);
    const char *names[] = {"other", NULL};
    expect(folder, empty, 1, names);
    cleanup(dir);
}

#else /* !WG_HAVE_CJSON */

TEST(compare_says_it_needs_cjson)
{
    const char *args[] = {"compare", "a.json", "b.json", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 1, "exit %d", r.exit_code);
    CHECK(r.err && strstr(r.err, "cJSON") != NULL);
    cli_run_free(&r);
}

#endif /* WG_HAVE_CJSON */
