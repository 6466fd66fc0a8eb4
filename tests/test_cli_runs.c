/*
 * test_cli_runs.c - runs a hostile or careless user starts (issue 21): memory plans that
 * refuse up front (WHYGPU_MEMORY_LIMIT stands in for a machine short of memory, so no test
 * needs or uses the memory it asks about), a diverging training run, crafted checkpoints,
 * and the messages and option parsing around them.
 */
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cli_run.h"
#include "nn/checkpoint.h"
#include "nn/mlp.h"
#include "nn_files.h"
#include "whygpu_lab.h"

/* Exit `code`, one line on stderr starting "whygpu", containing each of `needles`
 * (NULL-terminated), nothing on stdout. */
static void check_one_line(const char *const *args, const char *const *env, int code,
                           const char *const *needles)
{
    cli_run_result r = cli_run(args, env);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == code, "whygpu %s %s: exit %d, expected %d (stderr: %s)", args[0],
              args[1] ? args[1] : "", r.exit_code, code, r.err);
    CHECK_MSG(cli_run_lines(r.err) == 1, "expected one line on stderr, got: %s", r.err);
    CHECK_MSG(strncmp(r.err, "whygpu", 6) == 0, "stderr: %s", r.err);
    for (int i = 0; needles[i]; i++)
        CHECK_MSG(strstr(r.err, needles[i]) != NULL, "stderr does not say '%s': %s", needles[i],
                  r.err);
    CHECK_MSG(r.out[0] == '\0', "stdout: %s", r.out);
    cli_run_free(&r);
}

static int tiny_data(char *dir, size_t size)
{
    if (nn_temp_dir(dir, size) != 0) return -1;
    if (nn_write_tiny_fashion(dir, "train", 200, 1) != 0) return -1;
    return nn_write_tiny_fashion(dir, "t10k", 100, 2);
}

/* ---------------------------------------------------------------- memory plans ---- */

/* #2: A, B, C read back and C on the CPU (4 x 95 MiB at n = 5000) against a 600 MiB cap
 * less its 256 MiB headroom: refused before anything is allocated, naming the need, each
 * buffer and the limit. Without the plan the product ran (each buffer fits on its own). */
TEST(cli_runs_matmul_memory_plan)
{
    const char *args[] = {"matmul", "--device", "cpu", "--size", "5000", "--repeat", "1",
                          "--no-progress", NULL};
    const char *env[] = {"WHYGPU_MEMORY_LIMIT=600M", NULL};
    const char *says[] = {"needs 381.5 MiB of host memory", "B 5000x5000", "C read back",
                          "WHYGPU_MEMORY_LIMIT", "headroom", NULL};
    check_one_line(args, env, 1, says);
}

/* #3: the demo holds A, C and C read back (12 N^2 bytes) on the host and checks that with
 * headroom; its help says the same figure. The old check (3 N^2 floats, no headroom)
 * passed at this size and cap. */
TEST(cli_runs_demo_memory_plan)
{
    const char *args[] = {"demo", "--device", "cpu", "--size", "5000", "--repeat", "1",
                          "--no-progress", NULL};
    const char *env[] = {"WHYGPU_MEMORY_LIMIT=500M", NULL};
    const char *says[] = {"--size 5000", "needs 286.1 MiB of host memory", "headroom", NULL};
    check_one_line(args, env, 1, says);
    const char *help[] = {"demo", "--help", NULL};
    cli_run_result r = cli_run(help, NULL);
    CHECK(r.exit_code == 0);
    CHECK_MSG(r.out && strstr(r.out, "12*N*N bytes of host memory") && strstr(r.out, "8*N*N"),
              "help: %s", r.out ? r.out : "");
    cli_run_free(&r);
    /* A bad cap is a clear error, not a silent "no limit". */
    const char *bad_env[] = {"WHYGPU_MEMORY_LIMIT=lots", NULL};
    const char *bad_says[] = {"WHYGPU_MEMORY_LIMIT='lots'", NULL};
    check_one_line(args, bad_env, 1, bad_says);
}

/* #1: two hidden layers of 40000 need ~26 GB with gradients and optimiser state: the CLI
 * says so in one line (exit 1) before training; the cap keeps a large machine from
 * trying. */
TEST(cli_runs_train_huge_model_refused)
{
    char dir[64];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    const char *args[] = {"train", "--data", dir, "--hidden", "40000,40000", "--steps", "1",
                          "--no-progress", NULL};
    const char *env[] = {"WHYGPU_MEMORY_LIMIT=8G", NULL};
    const char *says[] = {"needs", "host memory", "parameters, gradients, optimiser state",
                          "mlp 784-40000-40000-10", NULL};
    check_one_line(args, env, 1, says);
    nn_remove_dir(dir);
}

/* #4: a small file whose header names "mlp 784-30000-30000-10" (3.7 GB of weights) but
 * whose tensors are tiny: predict checks the tensors against the header before it makes
 * the model, so the answer is the shape, not a memory error (or a 15 GB model). */
TEST(cli_runs_predict_crafted_checkpoint)
{
    char dir[64], path[128];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/crafted.ck", dir);
    static float data[784 * 4];
    wg_checkpoint_tensor tensors[6];
    const int64_t shapes[6][2] = {{784, 4}, {4, 1}, {4, 4}, {4, 1}, {4, 10}, {10, 1}};
    for (int i = 0; i < 6; i++) {
        memset(&tensors[i], 0, sizeof tensors[i]);
        snprintf(tensors[i].name, sizeof tensors[i].name, "layer%d.%s", i / 2,
                 i % 2 ? "bias" : "weight");
        tensors[i].rank = i % 2 ? 1 : 2;
        tensors[i].shape[0] = shapes[i][0];
        tensors[i].shape[1] = shapes[i][1];
        tensors[i].data = data;
    }
    wg_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    snprintf(ck.model, sizeof ck.model, "mlp 784-30000-30000-10 relu softmax-xent");
    snprintf(ck.optimizer, sizeof ck.optimizer, "sgd");
    ck.count = 6;
    ck.tensors = tensors;
    REQUIRE_OK(wg_checkpoint_save(path, &ck));
    const char *args[] = {"predict", "--load", path, "--data", dir, "3", NULL};
    const char *env[] = {"WHYGPU_MEMORY_LIMIT=2G", NULL};
    const char *says[] = {"layer0.weight", "[784, 4]", "[784, 30000]", NULL};
    check_one_line(args, env, 1, says);
    nn_remove_dir(dir);
}

/* #4: prediction builds the parameters and activations only. Under a 600 MiB cap (344 MiB
 * after headroom) a 784-5000-5000-10 model for training (4 x 116 MB) is refused, the same
 * model for inference (116 MB) is made, with no gradient or optimiser buffers. */
TEST(mlp_inference_model_has_no_training_buffers)
{
    const int64_t sizes[4] = {784, 5000, 5000, 10};
    setenv("WHYGPU_MEMORY_LIMIT", "600M", 1);
    wg_mlp *m = NULL;
    CHECK_STATUS(wg_mlp_create(wg_cpu(), 3, sizes, 1, &m), WG_ERR_NO_MEMORY);
    wg_status status = wg_mlp_create_inference(wg_cpu(), 3, sizes, 1, &m);
    unsetenv("WHYGPU_MEMORY_LIMIT");
    REQUIRE_OK(status);
    CHECK(m->buffer[WG_MLP_PARAMS] != NULL);
    CHECK(m->buffer[WG_MLP_GRADS] == NULL && m->buffer[WG_MLP_STATE1] == NULL &&
          m->buffer[WG_MLP_STATE2] == NULL);
    for (int l = 0; l < 3; l++) CHECK(m->act[l] != NULL && m->grad[l] == NULL);
    float w[10];
    CHECK_STATUS(wg_mlp_read(m, WG_MLP_GRADS, 5, w), WG_ERR_ARGUMENT);
    REQUIRE_OK(wg_mlp_init(m, 1));
    wg_mlp_free(m);
}

/* ---------------------------------------------------------------- divergence ------ */

/* A checkpoint of "mlp 784-10" whose weights are finite but so large (3e38) that any
 * image's scores overflow: the state of a model a step before its loss turns NaN. */
static int write_overflowing_model(const char *path)
{
    static float weight[784 * 10], bias[10];
    for (int i = 0; i < 784 * 10; i++) weight[i] = 3e38f;
    wg_checkpoint_tensor tensors[2];
    memset(tensors, 0, sizeof tensors);
    snprintf(tensors[0].name, sizeof tensors[0].name, "layer0.weight");
    tensors[0].rank = 2;
    tensors[0].shape[0] = 784;
    tensors[0].shape[1] = 10;
    tensors[0].data = weight;
    snprintf(tensors[1].name, sizeof tensors[1].name, "layer0.bias");
    tensors[1].rank = 1;
    tensors[1].shape[0] = 10;
    tensors[1].data = bias;
    wg_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    snprintf(ck.model, sizeof ck.model, "mlp 784-10 relu softmax-xent");
    snprintf(ck.optimizer, sizeof ck.optimizer, "sgd");
    ck.count = 2;
    ck.tensors = tensors;
    return wg_checkpoint_save(path, &ck) == WG_OK ? 0 : -1;
}

/* #10: training that diverges (resumed from the overflowing model, so it does on any
 * machine): exit 1 naming the step, and the --save checkpoint of an earlier good run left
 * byte for byte as it was. */
TEST(cli_runs_train_divergence_keeps_checkpoint)
{
    char dir[64], model[128], wild[128];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    snprintf(model, sizeof model, "%s/model.ck", dir);
    snprintf(wild, sizeof wild, "%s/wild.ck", dir);
    REQUIRE(write_overflowing_model(wild) == 0);
    const char *good[] = {"train", "--data", dir, "--epochs", "1", "--batch", "20", "--hidden",
                          "none", "--save", model, "--no-progress", NULL};
    cli_run_result r = cli_run(good, NULL);
    CHECK_MSG(r.exit_code == 0, "train: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    size_t before_size = 0, after_size = 0;
    uint8_t *before = nn_read_file(model, &before_size);
    REQUIRE(before);
    const char *diverge[] = {"train", "--data", dir, "--epochs", "3", "--batch", "20",
                             "--hidden", "none", "--load", wild, "--save", model,
                             "--no-progress", NULL};
    r = cli_run(diverge, NULL);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 1, "diverging train: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(strstr(r.err, "diverged") && strstr(r.err, "at step 1 ") && strstr(r.err, model),
              "stderr: %s", r.err);
    CHECK_MSG(cli_run_lines(r.err) == 1, "stderr: %s", r.err);
    CHECK_MSG(!strstr(r.out, "nan"), "stdout: %s", r.out);
    cli_run_free(&r);
    uint8_t *after = nn_read_file(model, &after_size);
    CHECK(after && after_size == before_size && memcmp(before, after, before_size) == 0);
    free(before);
    free(after);
    nn_remove_dir(dir);
}

/* #10: the same overflowing model given to predict is refused rather than printing
 * "(-nan%)". */
TEST(cli_runs_predict_refuses_overflowing_model)
{
    char dir[64], path[128];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/huge.ck", dir);
    REQUIRE(write_overflowing_model(path) == 0);
    const char *args[] = {"predict", "--load", path, "--data", dir, "3", NULL};
    const char *says[] = {"non-finite", "diverged", NULL};
    check_one_line(args, NULL, 1, says);
    nn_remove_dir(dir);
}

/* #17 item 5: train --dtype bf16 trains (and says so), records the dtype in its JSON, saves
 * a checkpoint an fp32 run resumes from; a dtype it does not know is bad usage naming it. */
TEST(cli_runs_train_dtype_bf16)
{
    char dir[64], model[128], json[128];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    snprintf(model, sizeof model, "%s/model.ck", dir);
    snprintf(json, sizeof json, "%s/run.json", dir);
    const char *train[] = {"train", "--data", dir, "--epochs", "1", "--batch", "20", "--hidden",
                           "16", "--dtype", "bf16", "--save", model, "--json", json,
                           "--no-progress", NULL};
    cli_run_result r = cli_run(train, NULL);
    CHECK_MSG(r.exit_code == 0, "train --dtype bf16: exit %d: %s", r.exit_code, r.err ? r.err : "");
    CHECK_MSG(r.out && strstr(r.out, "bf16 mixed precision"), "stdout: %s", r.out ? r.out : "");
    cli_run_free(&r);
    size_t size = 0;
    uint8_t *bytes = nn_read_file(json, &size);
    char *doc = bytes ? calloc(size + 1, 1) : NULL; /* the file as a C string */
    if (doc) memcpy(doc, bytes, size);
    CHECK_MSG(doc && strstr(doc, "\"dtype\": \"bf16\""), "json: %s", doc ? doc : "(none)");
    free(bytes);
    free(doc);
    const char *resume[] = {"train", "--data", dir, "--epochs", "2", "--batch", "20", "--hidden",
                            "16", "--load", model, "--no-progress", NULL};
    r = cli_run(resume, NULL);
    CHECK_MSG(r.exit_code == 0, "fp32 resume of a bf16 checkpoint: exit %d: %s", r.exit_code,
              r.err ? r.err : "");
    cli_run_free(&r);
    const char *bad[] = {"train", "--dtype", "fp16", "--data", dir, NULL};
    const char *says[] = {"--dtype", "'fp16'", NULL};
    check_one_line(bad, NULL, 2, says);
    const char *help[] = {"train", "--help", NULL};
    r = cli_run(help, NULL);
    CHECK_MSG(r.exit_code == 0 && r.out && strstr(r.out, "--dtype T"), "help: %s",
              r.out ? r.out : "");
    cli_run_free(&r);
    nn_remove_dir(dir);
}

/* ---------------------------------------------------------------- messages -------- */

/* #14, #20: the INDEX's messages: the real test-set size, and "-1" as an index. */
TEST(cli_runs_predict_index_messages)
{
    char dir[64], model[128];
    REQUIRE(tiny_data(dir, sizeof dir) == 0);
    snprintf(model, sizeof model, "%s/model.ck", dir);
    const char *train[] = {"train", "--data", dir, "--steps", "2", "--batch", "20", "--hidden",
                           "none", "--save", model, "--no-progress", NULL};
    cli_run_result r = cli_run(train, NULL);
    CHECK_MSG(r.exit_code == 0, "train: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    const char *big[] = {"predict", "--load", model, "--data", dir, "10000", NULL};
    const char *big_says[] = {"below 100", "10000", NULL};
    check_one_line(big, NULL, 2, big_says);
    const char *negative[] = {"predict", "--load", model, "--data", dir, "-1", NULL};
    const char *negative_says[] = {"INDEX must be >= 0", "'-1'", NULL};
    check_one_line(negative, NULL, 2, negative_says);
    nn_remove_dir(dir);
}

/* #20: numbers are decimal, with no leading space and no hex, in float options as in
 * integer ones. */
TEST(cli_runs_numbers_are_strict)
{
    const char *texts[] = {" 0.1", "0x1p-3", "0X10", "\t1", "inf", "nan", NULL};
    for (int i = 0; texts[i]; i++) {
        const char *lr[] = {"train", "--lr", texts[i], "--data", "/nonexistent", NULL};
        const char *says[] = {"--lr", texts[i], NULL};
        check_one_line(lr, NULL, 2, says);
        const char *steps[] = {"train", "--steps", texts[i], "--data", "/nonexistent", NULL};
        const char *steps_says[] = {"--steps", texts[i], NULL};
        check_one_line(steps, NULL, 2, steps_says);
        const char *budget[] = {"sweep", "--budget", texts[i], NULL};
        const char *budget_says[] = {"--budget", NULL};
        check_one_line(budget, NULL, 2, budget_says);
    }
}

/* #20: the duration the message offers ("1s to 24h") is accepted in hours too; 25h is not. */
TEST(cli_runs_budget_in_hours)
{
    const char *late[] = {"sweep", "--budget", "25h", NULL};
    const char *says[] = {"1s to 24h", "25h", NULL};
    check_one_line(late, NULL, 2, says);
    const char *hour[] = {"sweep", "--budget", "1h", "--op", "relu", "--sizes", "1:1",
                          "--device", "cpu", "--no-progress", NULL};
    cli_run_result r = cli_run(hour, NULL);
    CHECK_MSG(r.exit_code == 0, "--budget 1h: exit %d: %s", r.exit_code, r.err ? r.err : "");
    CHECK_MSG(r.out && strstr(r.out, "3600"), "stdout: %s", r.out ? r.out : "");
    cli_run_free(&r);
}

/* #20: a GEMM whose inner sizes differ says so, not "c [2, 2], got c [2, 2]". */
TEST(gemm_shape_messages_name_the_fault)
{
    const int64_t s22[2] = {2, 2}, s32[2] = {3, 2}, s23[2] = {2, 3};
    wg_tensor *a = NULL, *b = NULL, *c = NULL, *c3 = NULL;
    REQUIRE_OK(wg_tensor_zeros(2, s22, wg_cpu(), &a));
    REQUIRE_OK(wg_tensor_zeros(2, s32, wg_cpu(), &b));
    REQUIRE_OK(wg_tensor_zeros(2, s22, wg_cpu(), &c));
    REQUIRE_OK(wg_tensor_zeros(2, s23, wg_cpu(), &c3));
    CHECK_STATUS(wg_gemm(0, 0, 1.0f, a, b, 0.0f, c), WG_ERR_SHAPE);
    CHECK_MSG(strstr(wg_error_message(), "inner sizes differ") &&
              strstr(wg_error_message(), "2 columns") && strstr(wg_error_message(), "3 rows"),
              "%s", wg_error_message());
    CHECK_STATUS(wg_gemm(0, 0, 1.0f, a, a, 0.0f, c3), WG_ERR_SHAPE);
    CHECK_MSG(strstr(wg_error_message(), "c is [2, 3]") && strstr(wg_error_message(), "[2, 2]"),
              "%s", wg_error_message());
    wg_tensor_free(a);
    wg_tensor_free(b);
    wg_tensor_free(c);
    wg_tensor_free(c3);
}

/* #20: under TERM=dumb on a terminal, progress is plain lines with no ESC[K (run through
 * script(1) for a terminal; skipped without it). */
TEST(cli_runs_progress_plain_under_term_dumb)
{
    if (access("/usr/bin/script", X_OK) != 0) SKIP("no script(1) to give the run a terminal");
    char dir[64], log[128], command[512];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(log, sizeof log, "%s/typescript", dir);
    const char *whygpu = check_whygpu_path;
    snprintf(command, sizeof command,
             "/usr/bin/script -qec 'TERM=dumb %s matmul --device cpu --size 64 --repeat 2' %s "
             ">/dev/null 2>&1", whygpu, log);
    CHECK(system(command) == 0);
    size_t size = 0;
    uint8_t *text = nn_read_file(log, &size);
    REQUIRE(text && size > 0);
    CHECK_MSG(memmem(text, size, "\033[K", 3) == NULL, "ESC[K under TERM=dumb");
    CHECK(memmem(text, size, "matmul", 6) != NULL);
    free(text);
    nn_remove_dir(dir);
}

/* The first line `whygpu args...` writes to stderr (the child is then stopped with
 * SIGTERM, so a run of minutes costs only its start); "" when there is none within
 * 120 s. */
static void first_stderr_line(const char *const *args, char *line, size_t size)
{
    line[0] = '\0';
    int fds[2];
    if (pipe(fds) != 0) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1);
        const char *argv[16] = {check_whygpu_path};
        for (int i = 0; args[i] && i < 14; i++) argv[i + 1] = args[i];
        execv(check_whygpu_path, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    char c;
    /* 120 s for the first line at most (it comes after a probe of milliseconds): a binary
     * that says nothing up front fails the test instead of hanging it */
    struct pollfd wait_for = {fds[0], POLLIN, 0};
    while (pid > 0 && used + 1 < size && poll(&wait_for, 1, 120 * 1000) == 1 &&
           read(fds[0], &c, 1) == 1 && c != '\n')
        line[used++] = c;
    line[used] = '\0';
    close(fds[0]);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* #3: a run of minutes says so before it starts, with the estimate and how to stop it.
 * n = 12000 with 100 repeats is 3.5e14 flops: minutes even at 3 TFLOP/s. */
TEST(cli_runs_long_matmul_says_so_up_front)
{
    char line[512];
    const char *demo[] = {"demo", "--device", "cpu", "--size", "12000", "--repeat", "100",
                          "--no-progress", NULL};
    first_stderr_line(demo, line, sizeof line);
    if (strstr(line, "needs")) SKIP("too little memory for n = 12000 here: %s", line);
    CHECK_MSG(strstr(line, "whygpu demo: this will take about") && strstr(line, "GFLOP/s") &&
              strstr(line, "Ctrl-C"), "first line: %s", line);
    const char *matmul[] = {"matmul", "--device", "cpu", "--size", "12000", "--repeat", "100",
                            "--no-progress", NULL};
    first_stderr_line(matmul, line, sizeof line);
    CHECK_MSG(strstr(line, "whygpu matmul: this will take about"), "first line: %s", line);
    /* a run of seconds says nothing */
    const char *small[] = {"matmul", "--device", "cpu", "--size", "256", "--no-progress", NULL};
    cli_run_result r = cli_run(small, NULL);
    CHECK_MSG(r.exit_code == 0 && r.err && !strstr(r.err, "will take"), "stderr: %s",
              r.err ? r.err : "");
    cli_run_free(&r);
}

/* #10: plot draws a run's curves with a diverged (null) epoch as a gap, and when no epoch
 * has a finite loss says so (not "should be a number"); #20: an unwritable chart says
 * why. Needs gnuplot and cJSON. */
TEST(cli_runs_plot_takes_a_diverged_run)
{
#ifndef WG_HAVE_CJSON
    SKIP("built without cJSON");
#else
    if (system("command -v gnuplot >/dev/null 2>&1") != 0 && !getenv("WHYGPU_GNUPLOT"))
        SKIP("no gnuplot");
    char dir[64], json[128], svg[128];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(json, sizeof json, "%s/run.json", dir);
    snprintf(svg, sizeof svg, "%s/run.svg", dir);
    REQUIRE(cli_run_write_file(json,
        "{\"schema\": \"whygpu.train/2\", \"mode\": \"train\", \"epochs\": ["
        "{\"epoch\": 1, \"train_loss\": 0.9, \"train_accuracy\": 0.7, \"test_accuracy\": 0.72},"
        "{\"epoch\": 2, \"train_loss\": null, \"train_accuracy\": null, \"test_accuracy\": null}"
        "]}\n") == 0);
    const char *plot[] = {"plot", json, "-o", svg, NULL};
    cli_run_result r = cli_run(plot, NULL);
    CHECK_MSG(r.exit_code == 0, "plot: exit %d: %s", r.exit_code, r.err ? r.err : "");
    cli_run_free(&r);
    CHECK(access(svg, F_OK) == 0);
    REQUIRE(cli_run_write_file(json,
        "{\"schema\": \"whygpu.train/2\", \"mode\": \"train\", \"epochs\": ["
        "{\"epoch\": 1, \"train_loss\": null, \"train_accuracy\": null}]}\n") == 0);
    const char *says[] = {"diverged", "no curve", NULL};
    const char *again[] = {"plot", json, "-o", svg, NULL};
    check_one_line(again, NULL, 1, says);
    /* #20: a chart that cannot be written says why, not "gnuplot failed: </svg>": a missing
     * folder is now refused before gnuplot runs (#18), naming the folder and the reason */
    REQUIRE(cli_run_write_file(json,
        "{\"schema\": \"whygpu.train/2\", \"mode\": \"train\", \"epochs\": ["
        "{\"epoch\": 1, \"train_loss\": 0.9, \"train_accuracy\": 0.7}]}\n") == 0);
    const char *nowhere[] = {"plot", json, "-o", "/nonexistent/whygpu/chart.svg", NULL};
    const char *reason[] = {"/nonexistent/whygpu", "No such file or directory", NULL};
    check_one_line(nowhere, NULL, 1, reason);
    nn_remove_dir(dir);
#endif
}

/* #20: a host allocation that fails says how much and why. A child whose address space
 * is capped 1 GiB above what it holds asks for a 20000^2 product's operands (1.5 GiB
 * each). Not under ASan, which reserves terabytes of address space up front. */
TEST(host_allocation_failure_names_size_and_reason)
{
#ifdef __SANITIZE_ADDRESS__
    SKIP("ASan's shadow memory makes an address-space cap meaningless");
#else
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        long pages = 0;
        FILE *statm = fopen("/proc/self/statm", "r");
        if (statm && fscanf(statm, "%ld", &pages) == 1) {
            struct rlimit cap;
            getrlimit(RLIMIT_AS, &cap);
            cap.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)1 << 30);
            setrlimit(RLIMIT_AS, &cap);
        }
        if (statm) fclose(statm);
        const wg_op op = {.kind = WG_OP_MATMUL, .m = 20000, .n = 20000, .k = 20000};
        wg_op_inputs inputs;
        wg_status status = wg_op_inputs_create(&op, &inputs);
        if (status == WG_OK) wg_op_inputs_free(&inputs);
        char out[600];
        snprintf(out, sizeof out, "%d %s", (int)status, wg_error_message());
        ssize_t ignored = write(fds[1], out, strlen(out) + 1);
        (void)ignored;
        _exit(0);
    }
    close(fds[1]);
    char got[600] = "";
    size_t used = 0;
    for (ssize_t n; used < sizeof got - 1 && (n = read(fds[0], got + used, sizeof got - 1 - used)) > 0;)
        used += (size_t)n;
    close(fds[0]);
    REQUIRE(waitpid(pid, NULL, 0) == pid);
    CHECK_MSG(atoi(got) == (int)WG_ERR_NO_MEMORY, "got: %s", got);
    CHECK_MSG(strstr(got, "1600000000 bytes") && strstr(got, "1.5 GiB") &&
              strstr(got, "Cannot allocate memory"), "message: %s", got);
#endif
}

/* #19: the first size no longer spends the budget of the rest: its loops come from a probe
 * of the call, not from timeit's power-of-ten auto-range (a repeat up to ten times what
 * was planned). Both sizes are measured; the time bound is loose (three budgets) so that a
 * busy machine cannot make it flake. */
TEST(cli_runs_sweep_first_size_leaves_budget_for_the_next)
{
    const char *args[] = {"sweep", "--sizes", "1:2", "--budget", "5s", "--device", "cpu",
                          "--no-progress", NULL};
    cli_run_result r = cli_run(args, NULL);
    REQUIRE(r.out && r.err);
    CHECK_MSG(r.exit_code == 0, "sweep: exit %d: %s", r.exit_code, r.err);
    CHECK_MSG(!strstr(r.out, "skipped"), "a size was skipped: %s", r.out);
    const char *took = strstr(r.out, "Measuring took ");
    CHECK_MSG(took && atof(took + strlen("Measuring took ")) < 15.0, "stdout: %s", r.out);
    cli_run_free(&r);
}
