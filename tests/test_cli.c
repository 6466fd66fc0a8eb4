/*
 * test_cli.c - the whygpu command line, run as a user would: exit codes, one-line error
 * messages naming the bad value, help texts, and the demo's JSON read back with cJSON.
 */
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef WG_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

#include "check.h"
#include "cli_run.h"
#include "nn_files.h"

/* The runner is shared with the sweep and ladder CLI tests (cli_run.c). */
typedef cli_run_result run_result;
static run_result run_whygpu(const char *const *args) { return cli_run(args, NULL); }
static void run_free(run_result *r) { cli_run_free(r); }
static int count_lines(const char *text) { return cli_run_lines(text); }

/* Bad usage: exit `code`, exactly one line on stderr, naming `value`, nothing on stdout. */
static void check_bad(const char *const *args, int code, const char *value)
{
    run_result r = run_whygpu(args);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == code, "whygpu %s %s %s: exit %d, expected %d (stderr: %s)", args[0],
              args[1] ? args[1] : "", args[1] && args[2] ? args[2] : "", r.exit_code, code, r.err);
    CHECK_MSG(count_lines(r.err) == 1, "expected one line on stderr, got: %s", r.err);
    CHECK_MSG(strstr(r.err, value) != NULL, "stderr does not name '%s': %s", value, r.err);
    CHECK_MSG(strncmp(r.err, "whygpu", 6) == 0, "stderr: %s", r.err);
    CHECK(r.out[0] == '\0');
    run_free(&r);
}

TEST(cli_version_and_help)
{
    const char *version[] = {"--version", NULL}, *help[] = {"--help", NULL},
               *none[] = {NULL}, *unknown[] = {"frobnicate", NULL};
    run_result r = run_whygpu(version);
    CHECK(r.exit_code == 0);
    CHECK(r.out && strstr(r.out, WG_VERSION) != NULL);
    run_free(&r);
    r = run_whygpu(help);
    CHECK(r.exit_code == 0);
    CHECK(r.out && strstr(r.out, "demo") && strstr(r.out, "info"));
    run_free(&r);
    r = run_whygpu(none);
    CHECK(r.exit_code == 2);
    run_free(&r);
    check_bad(unknown, 2, "frobnicate");
}

TEST(cli_every_command_has_help)
{
    const char *commands[] = {"info", "demo", "explain", "train", "predict"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *args[] = {commands[i], "--help", NULL};
        run_result r = run_whygpu(args);
        CHECK_MSG(r.exit_code == 0, "%s --help: exit %d", commands[i], r.exit_code);
        CHECK_MSG(r.out && strcasestr(r.out, "usage: whygpu") != NULL, "%s --help: %s", commands[i],
                  r.out);
        run_free(&r);
    }
}

TEST(cli_demo_rejects_bad_sizes)
{
    const char *zero[] = {"demo", "--size", "0", NULL};
    const char *negative[] = {"demo", "--size", "-5", NULL};
    const char *word[] = {"demo", "--size", "abc", NULL};
    const char *fraction[] = {"demo", "--size", "1.5", NULL};
    const char *huge_exp[] = {"demo", "--size", "1e30", NULL};
    const char *absurd[] = {"demo", "--size", "1e9", "--no-progress", NULL};
    const char *overflow[] = {"demo", "--size", "5000000000", "--no-progress", NULL};
    check_bad(zero, 2, "'0'");
    check_bad(negative, 2, "'-5'");
    check_bad(word, 2, "'abc'");
    check_bad(fraction, 2, "'1.5'");
    check_bad(huge_exp, 2, "'1e30'");
    /* Well-formed but cannot be allocated: a failure (1), refused before any work. */
    check_bad(absurd, 1, "1000000000");
    check_bad(overflow, 1, "5000000000");
}

TEST(cli_demo_rejects_bad_options)
{
    const char *repeat[] = {"demo", "--repeat", "0", NULL};
    const char *device[] = {"demo", "--device", "tpu:0", NULL};
    const char *kernel[] = {"demo", "--kernel", "magic", NULL};
    const char *option[] = {"demo", "--frobnicate", NULL};
    const char *missing[] = {"demo", "--size", NULL};
    const char *extra[] = {"demo", "stray", NULL};
    check_bad(repeat, 2, "'0'");
    check_bad(device, 2, "tpu:0");
    check_bad(kernel, 2, "magic");
    check_bad(option, 2, "--frobnicate");
    check_bad(missing, 2, "--size");
    check_bad(extra, 2, "stray");
}

TEST(cli_demo_runs_small)
{
    const char *args[] = {"demo", "--size", "48", "--repeat", "3", "--no-progress", NULL};
    run_result r = run_whygpu(args);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 0, "exit %d, stderr: %s", r.exit_code, r.err);
    CHECK(strstr(r.out, "square 1x1 (x*x)") != NULL);
    CHECK(strstr(r.out, "matmul 48x48") != NULL);
    CHECK(strstr(r.out, "What the numbers say") != NULL);
    CHECK(strstr(r.out, "FAILED") == NULL);
    if (wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) != WG_OK)
        CHECK_MSG(strstr(r.out, "GPU: none measured") != NULL, "no GPU line: %s", r.out);
    run_free(&r);
}

TEST(cli_info_runs)
{
    const char *args[] = {"info", NULL};
    run_result r = run_whygpu(args);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    CHECK(r.out && strstr(r.out, "CPU") && strstr(r.out, "GPU"));
    run_free(&r);
}

#ifdef WG_HAVE_CJSON
static cJSON *field(cJSON *object, const char *name, int type_ok)
{
    cJSON *value = cJSON_GetObjectItemCaseSensitive(object, name);
    CHECK_MSG(value != NULL, "JSON field '%s' is missing", name);
    CHECK_MSG(value == NULL || type_ok, "JSON field '%s' has the wrong type", name);
    return value;
}
#define NUMBER_FIELD(obj, name) field(obj, name, cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(obj, name)))
#define STRING_FIELD(obj, name) field(obj, name, cJSON_IsString(cJSON_GetObjectItemCaseSensitive(obj, name)))
#define BOOL_FIELD(obj, name) field(obj, name, cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(obj, name)))

/* Runs whygpu with args, which must exit 0 and print one JSON document of `schema`.
 * Returns it parsed (cJSON_Delete it), or NULL after recording why; r is always filled. */
static cJSON *run_json(const char *const *args, const char *schema, run_result *r)
{
    *r = run_whygpu(args);
    if (!r->out || !r->err) {
        check_failed(__FILE__, __LINE__, "could not run %s", check_whygpu_path);
        return NULL;
    }
    CHECK_MSG(r->exit_code == 0, "exit %d: %s", r->exit_code, r->err);
    cJSON *root = cJSON_Parse(r->out);
    CHECK_MSG(root != NULL, "stdout is not JSON: %.300s", r->out);
    if (!root) return NULL;
    cJSON *name = STRING_FIELD(root, "schema");
    CHECK_MSG(name && strcmp(name->valuestring, schema) == 0, "schema is not %s", schema);
    return root;
}
#endif

TEST(cli_demo_json_schema)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *args[] = {"demo", "--size", "40", "--repeat", "3", "--json", "--no-progress",
                          NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.demo/1", &r);
    if (!root) { run_free(&r); return; }
    STRING_FIELD(root, "whygpu_version");
    STRING_FIELD(root, "command");
    STRING_FIELD(root, "date");
    cJSON *size = NUMBER_FIELD(root, "size");
    CHECK(size && size->valuedouble == 40);
    NUMBER_FIELD(root, "seed");
    cJSON *machine = field(root, "machine", 1);
    cJSON *cpu = machine ? field(machine, "cpu", 1) : NULL;
    cJSON *gpu = machine ? field(machine, "gpu", 1) : NULL;
    if (cpu) {
        STRING_FIELD(cpu, "model");
        NUMBER_FIELD(cpu, "threads");
        STRING_FIELD(cpu, "matmul_isa");
    }
    cJSON *available = gpu ? BOOL_FIELD(gpu, "available") : NULL;
    cJSON *cells = field(root, "cells", cJSON_IsArray(cJSON_GetObjectItem(root, "cells")));
    CHECK(cells && cJSON_GetArraySize(cells) == 4);
    for (int i = 0; cells && i < cJSON_GetArraySize(cells); i++) {
        cJSON *cell = cJSON_GetArrayItem(cells, i);
        cJSON *number = NUMBER_FIELD(cell, "cell");
        CHECK(number && number->valuedouble == i + 1);
        STRING_FIELD(cell, "op");
        STRING_FIELD(cell, "device");
        cJSON *flops = NUMBER_FIELD(cell, "flops");
        CHECK(flops && flops->valuedouble == (i % 2 ? 2.0 * 40 * 40 * 40 : 1.0));
        cJSON *measured = BOOL_FIELD(cell, "measured");
        int expect_measured = i < 2 || (available && cJSON_IsTrue(available));
        CHECK(measured && cJSON_IsTrue(measured) == expect_measured);
        cJSON *time = cJSON_GetObjectItem(cell, "time");
        if (expect_measured) {
            CHECK(cJSON_IsObject(time));
            cJSON *median = time ? NUMBER_FIELD(time, "median_s") : NULL;
            cJSON *best = time ? NUMBER_FIELD(time, "best_s") : NULL;
            CHECK(median && best && median->valuedouble > 0 &&
                  best->valuedouble <= median->valuedouble);
            cJSON *repeats = time ? NUMBER_FIELD(time, "repeats") : NULL;
            CHECK(repeats && repeats->valuedouble == 3);
            NUMBER_FIELD(cell, "gflops");
            cJSON *check = field(cell, "check", 1);
            cJSON *passed = check ? BOOL_FIELD(check, "passed") : NULL;
            CHECK(passed && cJSON_IsTrue(passed));
        } else {
            CHECK(cJSON_IsNull(time));
            STRING_FIELD(cell, "reason");
        }
    }
    cJSON *comparisons = field(root, "comparisons", 1);
    CHECK(comparisons && cJSON_GetArraySize(comparisons) == 2);
    cJSON_Delete(root);
    run_free(&r);
#endif
}

TEST(cli_info_json)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *args[] = {"info", "--json", NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.info/1", &r);
    if (!root) { run_free(&r); return; }
    cJSON *cpu = field(root, "cpu", 1);
    cJSON *gpu = field(root, "gpu", 1);
    cJSON *cpus = cpu ? NUMBER_FIELD(cpu, "logical_cpus") : NULL;
    CHECK(cpus && cpus->valuedouble >= 1);
    if (cpu) STRING_FIELD(cpu, "simd_level");
    cJSON *count = gpu ? NUMBER_FIELD(gpu, "count") : NULL;
    cJSON *devices = gpu ? cJSON_GetObjectItem(gpu, "devices") : NULL;
    CHECK(count && devices && cJSON_GetArraySize(devices) == (int)count->valuedouble);
    if (count && count->valuedouble == 0) STRING_FIELD(gpu, "error");
    /* the machine block every document opens with, the same number under both names */
    cJSON *machine = field(root, "machine", 1);
    cJSON *mcpu = machine ? field(machine, "cpu", 1) : NULL;
    cJSON *threads = mcpu ? NUMBER_FIELD(mcpu, "threads") : NULL;
    cJSON *omp = cpu ? NUMBER_FIELD(cpu, "omp_threads") : NULL;
    CHECK(threads && omp && threads->valuedouble == omp->valuedouble);
    if (machine) CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(field(machine, "gpu", 1),
                                                                     "available")));
    STRING_FIELD(root, "date");
    cJSON_Delete(root);
    run_free(&r);
#endif
}

TEST(cli_explain_rejects_bad_options)
{
    const char *only[] = {"explain", "--only", "bandwidth,warp", NULL};
    const char *empty[] = {"explain", "--only", ",", NULL};
    const char *device[] = {"explain", "--device", "npu", NULL};
    const char *option[] = {"explain", "--fast", NULL};
    check_bad(only, 2, "warp");
    check_bad(empty, 2, "--only");
    check_bad(device, 2, "npu");
    check_bad(option, 2, "--fast");
}

TEST(cli_explain_latency_text)
{
    const char *args[] = {"explain", "--only", "latency", "--quick", "--no-progress", NULL};
    run_result r = run_whygpu(args);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    CHECK(strstr(r.out, "4. Latency") != NULL);
    CHECK(strstr(r.out, "CPU: x*x on a 1x1 tensor") != NULL);
    CHECK(strstr(r.out, "What this says:") != NULL);
    CHECK(strstr(r.out, "1. Memory bandwidth") == NULL); /* --only honoured */
    if (wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) != WG_OK)
        CHECK(strstr(r.out, "not measured:") != NULL);
    run_free(&r);
}

#ifdef WG_HAVE_CJSON
/* Every number in the JSON value is finite (cJSON turns NaN/Inf into null on output, but
 * a number we wrote must parse as a finite double). */
static int all_numbers_finite(const cJSON *item)
{
    if (cJSON_IsNumber(item)) return item->valuedouble == item->valuedouble &&
                                      item->valuedouble < 1e300 && item->valuedouble > -1e300;
    for (const cJSON *child = item->child; child; child = child->next)
        if (!all_numbers_finite(child)) return 0;
    return 1;
}
#endif

TEST(cli_explain_json_schema)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *args[] = {"explain", "--only", "latency,roofline", "--quick", "--json",
                          "--no-progress", NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.explain/1", &r);
    if (!root) { run_free(&r); return; }
    BOOL_FIELD(root, "quick");
    cJSON *machine = field(root, "machine", 1);
    if (machine) field(machine, "gpu", 1);
    CHECK(all_numbers_finite(root));
    cJSON *sections = field(root, "sections", 1);
    cJSON *latency = sections ? field(sections, "latency", 1) : NULL;
    cJSON *roofline = sections ? field(sections, "roofline", 1) : NULL;
    CHECK(sections && cJSON_GetObjectItem(sections, "bandwidth") == NULL);
    cJSON *rows = latency ? cJSON_GetObjectItem(latency, "latency") : NULL;
    CHECK(cJSON_IsArray(rows) && cJSON_GetArraySize(rows) >= 1);
    for (int i = 0; rows && i < cJSON_GetArraySize(rows); i++) {
        cJSON *row = cJSON_GetArrayItem(rows, i);
        STRING_FIELD(row, "what");
        cJSON *seconds = NUMBER_FIELD(row, "seconds");
        CHECK(seconds && seconds->valuedouble > 0);
    }
    cJSON *devices = roofline ? cJSON_GetObjectItem(roofline, "devices") : NULL;
    CHECK(cJSON_IsArray(devices) && cJSON_GetArraySize(devices) >= 1);
    cJSON *cpu_roof = devices ? cJSON_GetArrayItem(devices, 0) : NULL;
    if (cpu_roof) {
        cJSON *peak = NUMBER_FIELD(cpu_roof, "peak_gflops");
        cJSON *bw = NUMBER_FIELD(cpu_roof, "bandwidth_gbs");
        cJSON *ridge = NUMBER_FIELD(cpu_roof, "ridge_flops_per_byte");
        CHECK(peak && bw && ridge && peak->valuedouble > 0 && bw->valuedouble > 0);
        if (peak && bw && ridge)
            CHECK(fabs(ridge->valuedouble - peak->valuedouble / bw->valuedouble) <
                  1e-9 * ridge->valuedouble + 1e-12);
    }
    cJSON *ops = roofline ? cJSON_GetObjectItem(roofline, "ops") : NULL;
    CHECK(cJSON_IsArray(ops) && cJSON_GetArraySize(ops) >= 3);
    for (int i = 0; ops && i < cJSON_GetArraySize(ops); i++) {
        cJSON *op = cJSON_GetArrayItem(ops, i);
        cJSON *intensity = NUMBER_FIELD(op, "flops_per_byte");
        cJSON *bound = STRING_FIELD(op, "bound");
        /* x*x is 1 flop per 8 bytes, memory-bound; the 10000^3 matmul is compute-bound. */
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(op, "op"));
        if (name && intensity && bound && strncmp(name, "x*x", 3) == 0) {
            CHECK(intensity->valuedouble == 0.125);
            CHECK(strcmp(bound->valuestring, "memory") == 0);
        }
        if (name && bound && strncmp(name, "matmul", 6) == 0)
            CHECK(strcmp(bound->valuestring, "compute") == 0);
        /* each op sits under the ceiling of its own precision on its device */
        cJSON *device = cJSON_GetObjectItemCaseSensitive(op, "device");
        cJSON *precision = STRING_FIELD(op, "precision");
        cJSON *attainable = NUMBER_FIELD(op, "attainable_gflops");
        int ceilings = 0;
        for (int d = 0; devices && device && precision && attainable &&
                        d < cJSON_GetArraySize(devices); d++) {
            cJSON *roof = cJSON_GetArrayItem(devices, d);
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(roof, "device")),
                       device->valuestring) != 0 ||
                strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(roof, "precision")),
                       precision->valuestring) != 0)
                continue;
            ceilings++;
            CHECK(attainable->valuedouble <=
                  cJSON_GetObjectItem(roof, "peak_gflops")->valuedouble * (1 + 1e-9));
        }
        CHECK_MSG(ceilings == 1, "op %d (%s): %d ceilings of its precision", i,
                  name ? name : "?", ceilings);
    }
    /* the fp32 ceiling of each device comes first (older readers take the first row) */
    cJSON *first_precision = cpu_roof ? STRING_FIELD(cpu_roof, "precision") : NULL;
    CHECK(first_precision && strcmp(first_precision->valuestring, "fp32") == 0);
    cJSON *reading = latency ? cJSON_GetObjectItem(latency, "reading") : NULL;
    CHECK(cJSON_IsArray(reading) && cJSON_GetArraySize(reading) >= 1);
    cJSON_Delete(root);
    run_free(&r);
#endif
}

/* ---------------------------------------------------------------- train / predict - */

TEST(cli_train_rejects_bad_options)
{
    const char *batch[] = {"train", "--batch", "0", NULL};
    const char *hidden[] = {"train", "--hidden", "512,,256", NULL};
    const char *width[] = {"train", "--hidden", "512,abc", NULL};
    const char *optimizer[] = {"train", "--optimizer", "rmsprop", NULL};
    const char *lr[] = {"train", "--lr", "-1", NULL};
    const char *lr_word[] = {"train", "--lr", "fast", NULL};
    const char *schedule[] = {"train", "--schedule", "warm", NULL};
    const char *compare_cpu[] = {"train", "--compare", "--device", "cpu", NULL};
    const char *compare_save[] = {"train", "--compare", "--save", "/tmp/x.ck", NULL};
    const char *extra[] = {"train", "stray", NULL};
    const char *no_data[] = {"train", "--data", "/nonexistent/fashion", "--no-progress", NULL};
    const char *predict_no_load[] = {"predict", "3", NULL};
    const char *predict_no_index[] = {"predict", "--load", "/tmp/x.ck", NULL};
    const char *predict_bad_index[] = {"predict", "--load", "/tmp/x.ck", "-4", NULL};
    const char *predict_missing[] = {"predict", "--load", "/nonexistent/model.ck", "3", NULL};
    check_bad(batch, 2, "'0'");
    check_bad(hidden, 2, "512,,256");
    check_bad(width, 2, "abc");
    check_bad(optimizer, 2, "rmsprop");
    check_bad(lr, 2, "'-1'");
    check_bad(lr_word, 2, "fast");
    check_bad(schedule, 2, "warm");
    check_bad(compare_cpu, 2, "cpu");
    check_bad(compare_save, 2, "--save");
    check_bad(extra, 2, "stray");
    check_bad(no_data, 1, "/nonexistent/fashion");
    check_bad(predict_no_load, 2, "--load");
    check_bad(predict_no_index, 2, "INDEX");
    check_bad(predict_bad_index, 2, "'-4'");
    check_bad(predict_missing, 1, "/nonexistent/model.ck");
}

TEST(cli_train_save_resume_predict)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    REQUIRE(nn_write_tiny_fashion(dir, "train", 400, 1) == 0);
    REQUIRE(nn_write_tiny_fashion(dir, "t10k", 100, 2) == 0);
    char model[128], corrupt[128];
    snprintf(model, sizeof model, "%s/model.ck", dir);
    snprintf(corrupt, sizeof corrupt, "%s/corrupt.ck", dir);

    const char *train[] = {"train", "--data", dir, "--epochs", "2", "--batch", "32", "--hidden",
                           "32", "--save", model, "--no-progress", NULL};
    run_result r = run_whygpu(train);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 0, "train: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(strstr(r.out, "mlp 784-32-10") != NULL, "train output: %s", r.out);
    CHECK(strstr(r.out, "test accuracy") != NULL);
    /* The bands are unmistakable: two epochs must learn them. */
    const char *acc = strstr(r.out, "test accuracy ");
    CHECK_MSG(acc && atof(acc + strlen("test accuracy ")) >= 90.0, "train output: %s", r.out);
    run_free(&r);

    /* Resuming a finished checkpoint only evaluates. */
    const char *resume[] = {"train", "--data", dir, "--epochs", "2", "--batch", "32", "--load",
                            model, "--no-progress", NULL};
    r = run_whygpu(resume);
    CHECK_MSG(r.exit_code == 0, "resume: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(r.out && strstr(r.out, "nothing to train"), "resume output: %s", r.out);
    run_free(&r);
    /* One more epoch on top. */
    const char *more[] = {"train", "--data", dir, "--epochs", "3", "--batch", "32", "--load",
                          model, "--no-progress", NULL};
    r = run_whygpu(more);
    CHECK_MSG(r.exit_code == 0, "resume: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(r.out && strstr(r.out, "resumed from") && strstr(r.out, "after 3 epochs"),
              "resume output: %s", r.out);
    run_free(&r);

    /* Another architecture: a clear error naming both models. */
    const char *mismatch[] = {"train", "--data", dir, "--hidden", "16", "--load", model,
                              "--no-progress", NULL};
    check_bad(mismatch, 1, "mlp 784-32-10");

    const char *predict[] = {"predict", "--load", model, "--data", dir, "7", NULL};
    r = run_whygpu(predict);
    CHECK_MSG(r.exit_code == 0, "predict: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(r.out && strstr(r.out, "test image 7: predicted") && strstr(r.out, "true label"),
              "predict output: %s", r.out);
    run_free(&r);
    const char *predict_range[] = {"predict", "--load", model, "--data", dir, "100", NULL};
    check_bad(predict_range, 2, "100");

    /* A flipped byte in the middle of the checkpoint: refused, naming the file. */
    size_t size = 0;
    uint8_t *bytes = nn_read_file(model, &size);
    REQUIRE(bytes && size > 1000);
    bytes[size / 2] ^= 0x40;
    REQUIRE(nn_write_file(corrupt, bytes, size) == 0);
    free(bytes);
    const char *predict_corrupt[] = {"predict", "--load", corrupt, "--data", dir, "7", NULL};
    check_bad(predict_corrupt, 1, "corrupt.ck");

#ifdef WG_HAVE_CJSON
    const char *json[] = {"train", "--data", dir, "--epochs", "1", "--batch", "50", "--hidden",
                          "none", "--json", "-", "--no-progress", NULL};
    cJSON *root = run_json(json, "whygpu.train/2", &r);
    if (root) {
        cJSON *mode = STRING_FIELD(root, "mode");
        CHECK(mode && strcmp(mode->valuestring, "train") == 0);
        /* the machine block every command shares: the CPU with its threads, no GPU named */
        cJSON *machine = field(root, "machine", cJSON_IsObject(cJSON_GetObjectItem(root, "machine")));
        cJSON *cpu = machine ? field(machine, "cpu", cJSON_IsObject(cJSON_GetObjectItem(machine, "cpu"))) : NULL;
        if (cpu) NUMBER_FIELD(cpu, "threads");
        if (cpu) STRING_FIELD(cpu, "matmul_isa");
        cJSON *gpu = machine ? field(machine, "gpu", cJSON_IsObject(cJSON_GetObjectItem(machine, "gpu"))) : NULL;
        if (gpu) CHECK(cJSON_IsFalse(cJSON_GetObjectItem(gpu, "available")));
        cJSON *name = STRING_FIELD(root, "model");
        CHECK(name && strcmp(name->valuestring, "mlp 784-10 relu softmax-xent") == 0);
        cJSON *params = NUMBER_FIELD(root, "parameters");
        CHECK(params && params->valuedouble == 7850);
        cJSON *epochs = cJSON_GetObjectItem(root, "epochs");
        CHECK(cJSON_IsArray(epochs) && cJSON_GetArraySize(epochs) == 1);
        cJSON *e = epochs ? cJSON_GetArrayItem(epochs, 0) : NULL;
        if (e) {
            cJSON *steps = NUMBER_FIELD(e, "steps");
            CHECK(steps && steps->valuedouble == 8);
            cJSON *ips = NUMBER_FIELD(e, "images_per_s");
            CHECK(ips && ips->valuedouble > 0);
            cJSON *test_acc = NUMBER_FIELD(e, "test_accuracy");
            CHECK(test_acc && test_acc->valuedouble >= 0 && test_acc->valuedouble <= 1);
        }
        cJSON *final = field(root, "final", 1);
        if (final) NUMBER_FIELD(final, "test_accuracy");
        /* plot draws this document, and one of the version before the shared machine block
         * (whygpu.train/1: machine {"cpu": "<model>", "threads": N, "gpu": null}) */
        char doc_path[128], chart[128];
        snprintf(doc_path, sizeof doc_path, "%s/train.json", dir);
        snprintf(chart, sizeof chart, "%s/train.svg", dir);
        for (int version = 2; version >= 1; version--) {
            if (version == 1) {
                cJSON_ReplaceItemInObject(root, "schema", cJSON_CreateString("whygpu.train/1"));
                cJSON *old = cJSON_CreateObject();
                cJSON_AddStringToObject(old, "cpu", "Some CPU");
                cJSON_AddNumberToObject(old, "threads", 2);
                cJSON_AddNullToObject(old, "gpu");
                cJSON_ReplaceItemInObject(root, "machine", old);
            }
            char *text = cJSON_Print(root);
            REQUIRE(text && cli_run_write_file(doc_path, text) == 0);
            free(text);
            const char *plot[] = {"plot", doc_path, "-o", chart, NULL};
            run_result p = run_whygpu(plot);
            REQUIRE(p.out && p.err);
            if (strstr(p.err, "gnuplot not found")) {
                run_free(&p);
                break;
            }
            CHECK_MSG(p.exit_code == 0 && access(chart, F_OK) == 0,
                      "plot of a whygpu.train/%d document: exit %d: %s", version, p.exit_code, p.err);
            unlink(chart);
            run_free(&p);
        }
        unlink(doc_path);
        cJSON_Delete(root);
    }
    run_free(&r);
#endif

    /* --compare: the CPU part runs; without a GPU it says so and fails (1). */
    const char *compare[] = {"train", "--compare", "--data", dir, "--steps", "6", "--batch",
                             "16", "--hidden", "16", "--no-progress", NULL};
    r = run_whygpu(compare);
    REQUIRE(r.out && r.err);
    if (wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) != WG_OK) {
        CHECK_MSG(r.exit_code == 1, "compare without a GPU: exit %d", r.exit_code);
        CHECK_MSG(strstr(r.err, "no GPU") != NULL, "compare stderr: %s", r.err);
        CHECK_MSG(strstr(r.out, "cpu") != NULL, "compare output: %s", r.out);
        /* (gpu-energy) the CPU run's energy, or why it is unavailable */
        CHECK_MSG(strstr(r.out, "cpu       energy: ") != NULL, "compare output: %s", r.out);
    } else {
        CHECK_MSG(r.exit_code == 0, "compare: exit %d: %s", r.exit_code, r.err);
        CHECK_MSG(strstr(r.out, "they agree") != NULL, "compare output: %s", r.out);
    }
    run_free(&r);
    nn_remove_dir(dir);
}

/* ---------------------------------------------------------------- bench gemm ------ */

TEST(cli_bench_gemm_usage)
{
    const char *help[] = {"bench", "gemm", "--help", NULL};
    run_result r = run_whygpu(help);
    REQUIRE(r.out && r.err);
    CHECK(r.exit_code == 0);
    CHECK(strstr(r.out, "OPENBLAS_CORETYPE") != NULL);
    run_free(&r);
    const char *no_bench[] = {"bench", NULL};
    r = run_whygpu(no_bench);
    CHECK(r.exit_code == 2);
    run_free(&r);
    const char *unknown[] = {"bench", "fft", NULL};
    check_bad(unknown, 2, "fft");
    const char *zero[] = {"bench", "gemm", "--sizes", "0", NULL};
    check_bad(zero, 2, "0");
    const char *huge[] = {"bench", "gemm", "--sizes", "512,99999999", NULL};
    check_bad(huge, 2, "99999999");
    const char *threads[] = {"bench", "gemm", "--threads", "-2", NULL};
    check_bad(threads, 2, "-2");
    const char *repeat[] = {"bench", "gemm", "--min-repeat", "soon", NULL};
    check_bad(repeat, 2, "soon");
    const char *rounds[] = {"bench", "gemm", "--rounds", "0", NULL};
    check_bad(rounds, 2, "0");
    const char *many[] = {"bench", "gemm", "--rounds", "22", NULL};
    check_bad(many, 2, "22");
}

TEST(cli_bench_gemm_json)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *args[] = {"bench", "gemm", "--sizes", "67", "--loop-max", "67", "--scaling",
                          "--min-repeat", "0.01", "--rounds", "3", "--json", "--no-progress",
                          NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.bench-gemm/1", &r);
    if (!root) { run_free(&r); return; }
    cJSON *peak = NUMBER_FIELD(root, "fma_peak_gflops");
    CHECK(peak && peak->valuedouble > 0);
    /* read before and after whygpu's products; %peak divides by the higher */
    cJSON *start = NUMBER_FIELD(root, "fma_peak_start_gflops");
    cJSON *end = NUMBER_FIELD(root, "fma_peak_end_gflops");
    if (peak && start && end) {
        CHECK(start->valuedouble > 0 && end->valuedouble > 0);
        CHECK(peak->valuedouble == fmax(start->valuedouble, end->valuedouble));
        const int apart = fmin(start->valuedouble, end->valuedouble) < 0.9 * peak->valuedouble;
        CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(root, "fma_peak_settled")));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "fma_peak_settled")) == !apart);
    }
    cJSON *isa = STRING_FIELD(root, "isa");
    /* the machine block names the same ISA and the threads used */
    cJSON *machine = field(root, "machine", 1);
    cJSON *mcpu = machine ? field(machine, "cpu", 1) : NULL;
    cJSON *misa = mcpu ? STRING_FIELD(mcpu, "matmul_isa") : NULL;
    CHECK(isa && misa && strcmp(isa->valuestring, misa->valuestring) == 0);
    cJSON *threads = NUMBER_FIELD(root, "threads");
    cJSON *mthreads = mcpu ? NUMBER_FIELD(mcpu, "threads") : NULL;
    CHECK(threads && mthreads && threads->valuedouble == mthreads->valuedouble);
    cJSON *rounds = NUMBER_FIELD(root, "rounds");
    CHECK(rounds && rounds->valueint == 3);
    cJSON *shapes = cJSON_GetObjectItemCaseSensitive(root, "shapes");
    CHECK(cJSON_IsArray(shapes) && cJSON_GetArraySize(shapes) == 8); /* 67^3 + 7 MLP shapes */
    int transposed = 0;
    cJSON *shape;
    cJSON_ArrayForEach(shape, shapes)
    {
        cJSON *g = NUMBER_FIELD(shape, "gflops");
        CHECK(g && g->valuedouble > 0 && isfinite(g->valuedouble));
        /* one time per round; the figure is their median */
        cJSON *round_s = cJSON_GetObjectItemCaseSensitive(shape, "round_s");
        cJSON *median = NUMBER_FIELD(shape, "median_s");
        CHECK(cJSON_IsArray(round_s) && cJSON_GetArraySize(round_s) == 3);
        if (cJSON_IsArray(round_s) && cJSON_GetArraySize(round_s) == 3 && median) {
            double t[3];
            for (int i = 0; i < 3; i++) t[i] = cJSON_GetArrayItem(round_s, i)->valuedouble;
            const double lo = fmin(t[0], fmin(t[1], t[2])), hi = fmax(t[0], fmax(t[1], t[2]));
            const double mid = t[0] + t[1] + t[2] - lo - hi; /* printed to 6 digits */
            CHECK(lo > 0 && fabs(median->valuedouble - mid) <= 1e-5 * mid);
        }
        cJSON *error = NUMBER_FIELD(shape, "error");
        CHECK(error && error->valuedouble <= 1e-6);
        NUMBER_FIELD(shape, "thread_speedup");
        transposed += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(shape, "trans_a")) ||
                      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(shape, "trans_b"));
        cJSON *ob = cJSON_GetObjectItemCaseSensitive(shape, "openblas_forced");
        CHECK(cJSON_IsObject(ob));
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ob, "ran"))) {
            cJSON *oe = NUMBER_FIELD(ob, "error");
            CHECK(oe && oe->valuedouble <= 1e-6); /* the reference is checked too */
        } else { /* only for want of OpenBLAS: any other reason is a broken child run */
            cJSON *why = STRING_FIELD(ob, "why");
            CHECK_MSG(why && strstr(why->valuestring, "not installed"),
                      "OpenBLAS did not run: %s", why ? why->valuestring : "(no reason)");
        }
    }
    CHECK(transposed == 4); /* fc1 dW, fc2 dX, fc3 dW, fc3 dX */
    cJSON *first = cJSON_GetArrayItem(shapes, 0);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(first, "loop_median_s")));
    cJSON_Delete(root);
    run_free(&r);
#endif
}

/* ---------------------------------------------------------------- --dtype --------- */

TEST(cli_dtype_bad_usage_is_refused_before_measuring)
{
    const char *unknown[] = {"demo", "--dtype", "fp16", NULL};
    check_bad(unknown, 2, "fp16");
    const char *demo_cpu_tf32[] = {"demo", "--device", "cpu", "--dtype", "tf32", NULL};
    check_bad(demo_cpu_tf32, 2, "the CPU has no tf32 arithmetic");
    const char *matmul_cpu_tf32[] = {"matmul", "--device", "cpu", "--dtype", "tf32", NULL};
    check_bad(matmul_cpu_tf32, 2, "the CPU has no tf32 arithmetic; use fp32 or bf16");
    const char *mismatch[] = {"matmul", "--device", "cpu", "--kernel", "packed-generic",
                              "--dtype", "bf16", NULL};
    check_bad(mismatch, 2, "packed-generic computes in fp32, not --dtype bf16");
    const char *gpu_mismatch[] = {"matmul", "--device", "cuda", "--kernel", "cublas-bf16",
                                  "--dtype", "tf32", NULL};
    check_bad(gpu_mismatch, 2, "cublas-bf16 computes in bf16");
    const char *demo_mismatch[] = {"demo", "--kernel", "cublas-fp32", "--dtype", "bf16", NULL};
    check_bad(demo_mismatch, 2, "cublas-fp32 computes in fp32");
    const char *sweep_op[] = {"sweep", "--op", "add", "--dtype", "bf16", NULL};
    check_bad(sweep_op, 2, "only --op matmul");
    const char *sweep_tf32[] = {"sweep", "--device", "cpu", "--dtype", "tf32", NULL};
    check_bad(sweep_tf32, 2, "no tf32 arithmetic");
    const char *bench_tf32[] = {"bench", "gemm", "--dtype", "tf32", NULL};
    check_bad(bench_tf32, 2, "no tf32 arithmetic");
    const char *ladder_opencl[] = {"ladder", "--device", "opencl", "--dtype", "bf16", NULL};
    check_bad(ladder_opencl, 2, "fp32 only");
    const char *ladder_mismatch[] = {"ladder", "--kernel", "8", "--dtype", "fp32", NULL};
    check_bad(ladder_mismatch, 2, "wmma-bf16 computes in bf16");
    const char *matmul_opencl[] = {"matmul", "--device", "opencl", "--dtype", "bf16", NULL};
    run_result r = run_whygpu(matmul_opencl); /* 2 with an OpenCL device, 1 without one */
    REQUIRE(r.err);
    CHECK_MSG(r.exit_code == 2 ? strstr(r.err, "fp32 only") != NULL : r.exit_code == 1,
              "exit %d: %s", r.exit_code, r.err);
    run_free(&r);
}

/* The reason the CPU has no bf16 kernel here, or NULL when it has one. */
static const char *cpu_bf16_missing(void)
{
    static char why[512];
    const wg_kernel *kernel = NULL;
    if (wg_kernel_best(wg_cpu(), WG_PRECISION_BF16, &kernel) == WG_OK) return NULL;
    snprintf(why, sizeof why, "no CPU bf16 kernel: %s", wg_error_message());
    return why;
}

TEST(cli_dtype_fp32_and_bf16_on_the_cpu)
{
    const char *fp32[] = {"matmul", "--device", "cpu", "--size", "40", "--dtype", "fp32",
                          "--repeat", "2", "--no-progress", NULL};
    run_result r = run_whygpu(fp32);
    REQUIRE(r.out);
    CHECK_MSG(r.exit_code == 0 && strstr(r.out, "precision fp32"), "exit %d: %s%s",
              r.exit_code, r.out, r.err);
    run_free(&r);
    const char *bf16[] = {"matmul", "--device", "cpu", "--m", "33", "--n", "47", "--k", "129",
                          "--trans-b", "--dtype", "bf16", "--repeat", "2", "--no-progress", NULL};
    r = run_whygpu(bf16);
    REQUIRE(r.out && r.err);
    const char *missing = cpu_bf16_missing();
    if (missing) {
        CHECK_MSG(r.exit_code == 1 && strstr(r.err, "bf16"), "exit %d: %s", r.exit_code, r.err);
        run_free(&r);
        SKIP("%s", missing);
    }
    CHECK_MSG(r.exit_code == 0 && strstr(r.out, "precision bf16") && strstr(r.out, ": ok"),
              "exit %d: %s%s", r.exit_code, r.out, r.err);
    run_free(&r);
}

TEST(cli_dtype_demo_json_names_each_cells_precision)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *missing = cpu_bf16_missing();
    for (int bf16 = 0; bf16 <= 1; bf16++) {
        if (bf16 && missing) SKIP("%s", missing);
        const char *args[] = {"demo", "--device", "cpu", "--size", "48", "--repeat", "2",
                              "--dtype", bf16 ? "bf16" : "fp32", "--json", "--no-progress",
                              NULL};
        run_result r;
        cJSON *root = run_json(args, "whygpu.demo/1", &r);
        if (!root) { run_free(&r); return; }
        cJSON *cells = cJSON_GetObjectItemCaseSensitive(root, "cells");
        for (int i = 0; i < 2; i++) {
            cJSON *cell = cJSON_GetArrayItem(cells, i);
            cJSON *precision = cell ? STRING_FIELD(cell, "precision") : NULL;
            const char *want = i == 1 && bf16 ? "bf16" : "fp32";
            CHECK_MSG(precision && strcmp(precision->valuestring, want) == 0, "cell %d: %s",
                      i + 1, precision ? precision->valuestring : "(none)");
            cJSON *error = cell ? NUMBER_FIELD(cell, "rel_error") : NULL;
            cJSON *check = cell ? cJSON_GetObjectItemCaseSensitive(cell, "check") : NULL;
            cJSON *max = check ? cJSON_GetObjectItemCaseSensitive(check, "max_rel_error") : NULL;
            CHECK(error && max && error->valuedouble == max->valuedouble);
            /* bf16 inputs cost accuracy: far more error than fp32, still inside the bound */
            if (i == 1 && error)
                CHECK_MSG(bf16 ? error->valuedouble > 1e-5 : error->valuedouble < 1e-6,
                          "%s matmul relative error %g", want, error->valuedouble);
        }
        cJSON *gpu_cell = cJSON_GetArrayItem(cells, 3);
        CHECK(gpu_cell && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(gpu_cell, "precision")));
        cJSON_Delete(root);
        run_free(&r);
    }
#endif
}

TEST(cli_dtype_sweep_json_names_the_precision)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *missing = cpu_bf16_missing();
    for (int bf16 = 0; bf16 <= 1; bf16++) {
        if (bf16 && missing) SKIP("%s", missing);
        const char *args[] = {"sweep", "--device", "cpu", "--sizes", "8:40", "--points", "2",
                              "--budget", "5s", "--dtype", bf16 ? "bf16" : "fp32", "--json", "-",
                              "--no-progress", NULL};
        run_result r;
        cJSON *root = run_json(args, "whygpu.sweep/1", &r);
        if (!root) { run_free(&r); return; }
        const char *want = bf16 ? "bf16" : "fp32";
        cJSON *precision = STRING_FIELD(root, "precision");
        CHECK(precision && strcmp(precision->valuestring, want) == 0);
        cJSON *points = cJSON_GetObjectItemCaseSensitive(root, "points");
        CHECK(cJSON_GetArraySize(points) == 2);
        for (int i = 0; i < cJSON_GetArraySize(points); i++) {
            cJSON *cpu = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(points, i), "cpu");
            cJSON *p = cpu ? STRING_FIELD(cpu, "precision") : NULL;
            CHECK(p && strcmp(p->valuestring, want) == 0);
            cJSON *error = cpu ? NUMBER_FIELD(cpu, "rel_error") : NULL;
            cJSON *tolerance = cpu ? NUMBER_FIELD(cpu, "check_tolerance") : NULL;
            CHECK(error && tolerance && error->valuedouble <= tolerance->valuedouble);
        }
        cJSON_Delete(root);
        run_free(&r);
    }
#endif
}

TEST(cli_info_shows_the_bf16_peaks)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *args[] = {"info", "--json", NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.info/1", &r);
    if (!root) { run_free(&r); return; }
    cJSON *cpu = field(root, "cpu", 1);
    cJSON *fma = cpu ? NUMBER_FIELD(cpu, "fma_peak_gflops") : NULL;
    CHECK(fma && fma->valuedouble > 0);
    cJSON *peaks = cpu ? cJSON_GetObjectItemCaseSensitive(cpu, "bf16_peaks") : NULL;
    CHECK(cJSON_IsArray(peaks) && cJSON_GetArraySize(peaks) == 2);
    double best = 0;
    for (int i = 0; peaks && i < cJSON_GetArraySize(peaks); i++) {
        cJSON *peak = cJSON_GetArrayItem(peaks, i);
        STRING_FIELD(peak, "unit");
        cJSON *gflops = cJSON_GetObjectItemCaseSensitive(peak, "gflops");
        cJSON *skipped = cJSON_GetObjectItemCaseSensitive(peak, "skipped");
        /* measured (a rate, no reason) or skipped (null, with the reason) */
        CHECK(cJSON_IsNumber(gflops) ? cJSON_IsNull(skipped) && gflops->valuedouble > 0
                                     : cJSON_IsNull(gflops) && cJSON_IsString(skipped));
        if (cJSON_IsNumber(gflops) && gflops->valuedouble > best) best = gflops->valuedouble;
    }
    cJSON *best_json = cpu ? cJSON_GetObjectItemCaseSensitive(cpu, "bf16_peak_gflops") : NULL;
    CHECK(best > 0 ? cJSON_IsNumber(best_json) && best_json->valuedouble == best
                   : cJSON_IsNull(best_json));
    cJSON_Delete(root);
    run_free(&r);
#endif
}

TEST(cli_bench_gemm_bf16_says_why_a_reference_did_not_run)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON (libcjson-dev), so the JSON cannot be read back");
#else
    const char *missing = cpu_bf16_missing();
    if (missing) {
        const char *args[] = {"bench", "gemm", "--dtype", "bf16", "--no-progress", NULL};
        run_result r = run_whygpu(args);
        REQUIRE(r.err);
        CHECK_MSG(r.exit_code == 1 && strstr(r.err, "--dtype bf16"), "exit %d: %s",
                  r.exit_code, r.err);
        run_free(&r);
        SKIP("%s", missing);
    }
    /* a "Python" without PyTorch: the reference is skipped with what it said */
    char python[] = "/tmp/whygpu-fake-python-XXXXXX";
    int fd = mkstemp(python);
    REQUIRE(fd >= 0);
    const char script[] = "#!/bin/sh\necho 'error this Python has no PyTorch'\n";
    CHECK(write(fd, script, sizeof script - 1) == (ssize_t)(sizeof script - 1));
    close(fd);
    chmod(python, 0700);
    const char *args[] = {"bench", "gemm", "--dtype", "bf16", "--sizes", "64", "--no-mlp",
                          "--rounds", "2", "--min-repeat", "0.01", "--no-openblas",
                          "--python", python, "--json", "--no-progress", NULL};
    run_result r;
    cJSON *root = run_json(args, "whygpu.bench-gemm/1", &r);
    unlink(python);
    if (!root) { run_free(&r); return; }
    cJSON *precision = STRING_FIELD(root, "precision");
    CHECK(precision && strcmp(precision->valuestring, "bf16") == 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "fma_peak_gflops")));
    cJSON *torch = field(root, "torch", 1);
    cJSON *why = torch ? STRING_FIELD(torch, "why") : NULL;
    CHECK_MSG(why && strstr(why->valuestring, "no PyTorch"), "why: %s",
              why ? why->valuestring : "(none)");
    cJSON *shape = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "shapes"), 0);
    cJSON *error = shape ? NUMBER_FIELD(shape, "error") : NULL;
    CHECK(error && error->valuedouble <= wg_precision_error_bound(WG_PRECISION_BF16, 64));
    cJSON *fp32 = shape ? NUMBER_FIELD(shape, "fp32_gflops") : NULL;
    CHECK(fp32 && fp32->valuedouble > 0);
    cJSON *fp32_error = shape ? NUMBER_FIELD(shape, "fp32_error") : NULL;
    CHECK(fp32_error && fp32_error->valuedouble <= 1e-6);
    cJSON_Delete(root);
    run_free(&r);
#endif
}
