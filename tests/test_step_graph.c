/*
 * test_step_graph.c - the host side of the CUDA-graph training step (src/nn/step_plan.c,
 * src/nn/train_graph.c), tested without a GPU: the epoch's table gives the values the eager
 * step uses (an update replayed from the table on the CPU matches the eager update bit for
 * bit), which graph a step takes, and when and why steps run eagerly. On a CUDA device the
 * graph step is also compared with the eager one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"
#include "nn/mlp.h"
#include "nn_files.h"
#include "nn/step_plan.h"
#include "nn/train.h"
#include "nn/train_graph.h"
#include "reference.h"

static wg_step_plan_input plan_input(wg_optimizer_kind kind)
{
    wg_step_plan_input in = {.count = 633, .batch = 50, .position = 0, .step = 0,
                             .total_steps = 65, .schedule = WG_LR_COSINE, .lr = 0.05f};
    in.optimizer = (wg_optimizer){kind, 0.9f, 0.9f, 0.999f, 1e-8f};
    return in;
}

TEST(step_plan_table_is_the_epochs_steps)
{
    wg_step_plan_input in = plan_input(WG_OPTIMIZER_SGD);
    wg_step_params table[13];
    CHECK(wg_step_plan_length(&in) == 13);
    REQUIRE_OK(wg_step_plan_epoch(&in, table, 13));
    for (int i = 0; i < 13; i++) {
        CHECK(table[i].first == 50 * i);
        CHECK(table[i].rows == (i < 12 ? 50 : 33));
        CHECK(table[i].lr == wg_lr_at(WG_LR_COSINE, 0.05f, i, 65));
    }
    /* mid-epoch (a resumed or --steps run): from row 300 at step 19, 7 steps left */
    in.position = 300;
    in.step = 19;
    CHECK(wg_step_plan_length(&in) == 7);
    REQUIRE_OK(wg_step_plan_epoch(&in, table, 7));
    CHECK(table[0].first == 300 && table[6].first == 600 && table[6].rows == 33);
    CHECK(table[3].lr == wg_lr_at(WG_LR_COSINE, 0.05f, 22, 65));
    CHECK_STATUS(wg_step_plan_epoch(&in, table, 6), WG_ERR_ARGUMENT);
    in.position = 633;
    CHECK(wg_step_plan_length(&in) == 0);
    CHECK_STATUS(wg_step_plan_epoch(&in, table, 13), WG_ERR_ARGUMENT);
    in.position = 0;
    in.batch = 0;
    CHECK_STATUS(wg_step_plan_epoch(&in, table, 13), WG_ERR_ARGUMENT);
}

/* The parameters after `steps` steps of the eager update (wg_mlp_update with the
 * schedule's rate) and after the same steps updated from the table's values, as the
 * graph's optimiser kernel reads them: they must be equal bit for bit. */
static void check_table_update(wg_optimizer_kind kind, int64_t optimizer_steps)
{
    const int64_t sizes[] = {6, 5, 3};
    const int64_t rows = 8;
    wg_mlp *eager = NULL, *replay = NULL;
    REQUIRE_OK(wg_mlp_create(wg_cpu(), 2, sizes, rows, &eager));
    REQUIRE_OK(wg_mlp_create(wg_cpu(), 2, sizes, rows, &replay));
    REQUIRE_OK(wg_mlp_init(eager, 5));
    REQUIRE_OK(wg_mlp_init(replay, 5));
    eager->optimizer_steps = replay->optimizer_steps = optimizer_steps;
    float x[8 * 6];
    uint8_t y[8];
    ref_random(x, 8 * 6, 77);
    for (int i = 0; i < 8; i++) y[i] = (uint8_t)(i % 3);
    wg_step_plan_input in = plan_input(kind);
    in.count = 40;
    in.batch = 8;
    in.total_steps = 5;
    in.lr = kind == WG_OPTIMIZER_ADAM ? 0.01f : 0.1f;
    in.optimizer_steps = optimizer_steps;
    wg_step_params table[5];
    REQUIRE_OK(wg_step_plan_epoch(&in, table, 5));
    for (int s = 0; s < 5; s++) {
        wg_mlp *m[2] = {eager, replay};
        for (int k = 0; k < 2; k++) {
            REQUIRE_OK(wg_mlp_forward(m[k], x, rows));
            REQUIRE_OK(wg_mlp_loss(m[k], y, rows, 1));
            REQUIRE_OK(wg_mlp_backward(m[k], x, rows));
        }
        REQUIRE_OK(wg_mlp_update(eager, &in.optimizer, wg_lr_at(in.schedule, in.lr, s, 5)));
        float **b = replay->buffer;
        if (kind == WG_OPTIMIZER_SGD)
            REQUIRE_OK(wg_nn_cpu.sgd(0, b[WG_MLP_PARAMS], b[WG_MLP_STATE1], b[WG_MLP_GRADS],
                                     replay->param_count, table[s].lr, in.optimizer.momentum));
        else
            REQUIRE_OK(wg_nn_cpu.adam(0, b[WG_MLP_PARAMS], b[WG_MLP_STATE1], b[WG_MLP_STATE2],
                                      b[WG_MLP_GRADS], replay->param_count, table[s].lr_t,
                                      in.optimizer.beta1, in.optimizer.beta2, table[s].eps_t));
    }
    CHECK_MSG(memcmp(eager->buffer[WG_MLP_PARAMS], replay->buffer[WG_MLP_PARAMS],
                     (size_t)eager->param_count * sizeof(float)) == 0,
              "%s from optimizer step %lld: the table's update differs from the eager one",
              wg_optimizer_name(kind), (long long)optimizer_steps);
    wg_mlp_free(eager);
    wg_mlp_free(replay);
}

TEST(step_plan_update_matches_eager_update)
{
    check_table_update(WG_OPTIMIZER_SGD, 0);
    check_table_update(WG_OPTIMIZER_ADAM, 0);
    check_table_update(WG_OPTIMIZER_ADAM, 37); /* resumed: Adam's t goes on from the file */
}

TEST(step_graph_routes_full_last_and_fallback)
{
    wg_step_graph_plan p;
    int slot = -1;
    char text[400];
    wg_step_graph_plan_init(&p, WG_GRAPH_ON, (wg_device){WG_DEVICE_CUDA, 0});
    CHECK(p.enabled && p.reason[0] == '\0');
    CHECK(strcmp(wg_step_graph_describe(&p, text, sizeof text), "cuda graph (no step yet)") == 0);
    CHECK(wg_step_graph_route(&p, 50, 50, &slot) == WG_STEP_CAPTURE && slot == WG_STEP_GRAPH_FULL);
    wg_step_graph_ran(&p, WG_STEP_CAPTURE, slot, 50);
    CHECK(wg_step_graph_route(&p, 50, 50, &slot) == WG_STEP_REPLAY && slot == WG_STEP_GRAPH_FULL);
    wg_step_graph_ran(&p, WG_STEP_REPLAY, slot, 50);
    /* the epoch's last, shorter batch: its own graph */
    CHECK(wg_step_graph_route(&p, 33, 50, &slot) == WG_STEP_CAPTURE && slot == WG_STEP_GRAPH_LAST);
    wg_step_graph_ran(&p, WG_STEP_CAPTURE, slot, 33);
    CHECK(wg_step_graph_route(&p, 33, 50, &slot) == WG_STEP_REPLAY && slot == WG_STEP_GRAPH_LAST);
    /* another last batch (another dataset length) is captured again */
    CHECK(wg_step_graph_route(&p, 20, 50, &slot) == WG_STEP_CAPTURE && slot == WG_STEP_GRAPH_LAST);
    CHECK(p.captures == 2 && p.replays == 3 && p.eager_steps == 0);
    CHECK(strcmp(wg_step_graph_describe(&p, text, sizeof text),
                 "cuda graph (2 captured, 3 steps replayed)") == 0);
    /* a failed capture: eager from then on, the reason kept */
    wg_step_graph_failed(&p, WG_STEP_GRAPH_LAST, "cudaErrorStreamCaptureImplicit: x");
    wg_step_graph_ran(&p, WG_STEP_EAGER, WG_STEP_GRAPH_LAST, 20);
    CHECK(wg_step_graph_route(&p, 50, 50, &slot) == WG_STEP_EAGER);
    CHECK_MSG(strstr(wg_step_graph_describe(&p, text, sizeof text), "then eager for 1") &&
                  strstr(text, "the last-batch graph failed: cudaErrorStreamCaptureImplicit"),
              "%s", text);

    wg_step_graph_plan_init(&p, WG_GRAPH_OFF, (wg_device){WG_DEVICE_CUDA, 0});
    CHECK(!p.enabled && wg_step_graph_route(&p, 50, 50, &slot) == WG_STEP_EAGER);
    CHECK(strcmp(wg_step_graph_describe(&p, text, sizeof text), "eager (--graph off)") == 0);
    wg_step_graph_plan_init(&p, WG_GRAPH_ON, wg_cpu());
    CHECK(!p.enabled && wg_step_graph_route(&p, 50, 50, &slot) == WG_STEP_EAGER);
    CHECK_MSG(strstr(wg_step_graph_describe(&p, text, sizeof text), "CUDA feature"), "%s", text);
    wg_graph_mode mode = WG_GRAPH_OFF;
    REQUIRE_OK(wg_graph_mode_parse("on", &mode));
    CHECK(mode == WG_GRAPH_ON && strcmp(wg_graph_mode_name(mode), "on") == 0);
    CHECK_STATUS(wg_graph_mode_parse("maybe", &mode), WG_ERR_ARGUMENT);
}

/* A small learnable set: the class is the largest of the first `classes` features. */
static void small_set(wg_dataset *d, float *images, uint8_t *labels, int64_t count)
{
    memset(d, 0, sizeof *d);
    ref_random(images, count * 12, 31);
    for (int64_t i = 0; i < count; i++) {
        int best = 0;
        for (int c = 1; c < 4; c++)
            if (images[i * 12 + c] > images[i * 12 + best]) best = c;
        labels[i] = (uint8_t)best;
    }
    d->images = images;
    d->labels = labels;
    d->count = count;
    d->rows = 1;
    d->cols = 12;
    d->features = 12;
    d->classes = 4;
}

/* Trains 2 epochs of 5 steps (the last one short) and reads the first layer's weights. */
static void train_two_epochs(wg_device device, wg_graph_mode graph, wg_optimizer_kind kind,
                             float *weights, wg_trainer_info *info)
{
    static float images[90 * 12];
    static uint8_t labels[90];
    wg_dataset d;
    small_set(&d, images, labels, 90);
    wg_train_options o;
    wg_train_defaults(&o);
    o.device = device;
    o.hidden_layers = 1;
    o.hidden[0] = 16;
    o.batch = 20;
    o.epochs = 2;
    o.optimizer.kind = kind;
    o.lr = kind == WG_OPTIMIZER_ADAM ? 0.01f : 0.05f;
    o.graph = graph;
    wg_trainer *t = NULL;
    REQUIRE_OK(wg_trainer_create(&o, &d, NULL, &t));
    while (!wg_trainer_finished(t)) REQUIRE_OK(wg_trainer_step(t));
    REQUIRE_OK(wg_synchronize(device));
    REQUIRE_OK(wg_mlp_read(t->model, WG_MLP_PARAMS, 0, weights));
    REQUIRE_OK(wg_trainer_info_get(t, info));
    wg_trainer_free(t);
}

/* Graph on and off train the same model. On the CPU both are eager (the reason said); on
 * a CUDA GPU the graph steps (2 captured, 10 replayed) match the eager ones to rounding. */
DEVICE_TEST(step_graph_trains_like_eager)
{
    if (device.kind == WG_DEVICE_OPENCL) SKIP("CUDA graphs: the CPU and CUDA cases only");
    for (int kind = 0; kind < 2; kind++) {
        float on[12 * 16], off[12 * 16];
        wg_trainer_info info_on, info_off;
        train_two_epochs(device, WG_GRAPH_ON, (wg_optimizer_kind)kind, on, &info_on);
        train_two_epochs(device, WG_GRAPH_OFF, (wg_optimizer_kind)kind, off, &info_off);
        if (check_current->failures) return;
        double diff = 0, scale = 0;
        for (int i = 0; i < 12 * 16; i++) {
            diff = fmax(diff, fabs((double)on[i] - off[i]));
            scale = fmax(scale, fabs((double)off[i]));
        }
        CHECK(strcmp(info_off.step_mode, "eager (--graph off)") == 0);
        CHECK(info_off.graph_steps == 0);
        if (device.kind == WG_DEVICE_CPU) {
            CHECK_MSG(strstr(info_on.step_mode, "eager (graphs are a CUDA feature"), "%s",
                      info_on.step_mode);
            CHECK(diff == 0);
        } else {
            CHECK_MSG(strcmp(info_on.step_mode, "cuda graph (2 captured, 10 steps replayed)") == 0,
                      "%s", info_on.step_mode);
            CHECK(info_on.graph_steps == 10);
            CHECK_MSG(diff <= 1e-5 * scale, "%s: graph vs eager weights differ by %g (scale %g)",
                      wg_optimizer_name((wg_optimizer_kind)kind), diff, scale);
        }
    }
}

/* A fresh process's first step is a capture, and in it the step's first GEMM: with the
 * own kernels (nothing made cuBLAS's handle before) the capture once made the handle and
 * its workspace inside itself (cudaMalloc: not allowed there) and failed: every step ran
 * eagerly. The handle is made before the capture now; a process that already has one
 * (every other test here) cannot show it, so this runs the CLI. */
DEVICE_TEST(step_graph_captures_in_a_fresh_process)
{
    if (device.kind == WG_DEVICE_OPENCL) SKIP("CUDA graphs: the CPU and CUDA cases only");
    char dir[64], name[32];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    REQUIRE(nn_write_tiny_fashion(dir, "train", 96, 3) == 0);
    REQUIRE(nn_write_tiny_fashion(dir, "t10k", 20, 4) == 0);
    wg_device_format(device, name, sizeof name);
    const char *epilogues[] = {"own", "lt"};
    for (int e = 0; e < 2; e++) {
        const char *args[] = {"train", "--device", name, "--data", dir, "--steps", "8",
                              "--batch", "16", "--hidden", "16", "--graph", "on",
                              "--epilogue", epilogues[e], "--no-progress", NULL};
        cli_run_result r = cli_run(args, NULL);
        CHECK_MSG(r.exit_code == 0, "train --epilogue %s: exit %d: %s", epilogues[e],
                  r.exit_code, r.err ? r.err : "");
        const char *want = device.kind == WG_DEVICE_CUDA
                               ? "steps ran as: cuda graph (1 captured, 8 steps replayed)"
                               : "steps ran as: eager (graphs are a CUDA feature";
        CHECK_MSG(r.out && strstr(r.out, want), "train --epilogue %s: want '%s' in: %s",
                  epilogues[e], want, r.out ? r.out : "");
        cli_run_free(&r);
    }
    nn_remove_dir(dir);
}

TEST(cli_train_graph_option)
{
    const char *bad[] = {"train", "--graph", "maybe", NULL};
    cli_run_result r = cli_run(bad, NULL);
    CHECK(r.exit_code == 2);
    CHECK_MSG(r.err && strstr(r.err, "--graph") && strstr(r.err, "maybe"), "%s",
              r.err ? r.err : "");
    cli_run_free(&r);
    const char *help[] = {"train", "--help", NULL};
    r = cli_run(help, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "--graph on|off"));
    cli_run_free(&r);
}

/* ---------------------------------------------------------------- batch curve ----- */

static void curve_point(wg_train_compare_result *r, int64_t batch, int ran, double gpu_rate,
                        double speedup)
{
    memset(r, 0, sizeof *r);
    r->batch = batch;
    r->runs[0].ran = 1;
    r->runs[1].ran = ran;
    r->runs[1].images_per_s = gpu_rate;
    r->speedup = ran ? speedup : NAN;
}

TEST(train_curve_names_the_best_batch)
{
    wg_train_compare_result r[4];
    curve_point(&r[0], 64, 1, 1e5, 3.0);
    curve_point(&r[1], 256, 1, 4e5, 12.0);
    curve_point(&r[2], 1024, 1, 9e5, 9.0);  /* the most images/s, a smaller lead */
    curve_point(&r[3], 4096, 0, 5e6, 99.0); /* did not run on the GPU: never the best */
    int best = -2, lead = -2;
    wg_train_curve_best(r, 4, &best, &lead);
    CHECK(best == 2 && lead == 1);
    wg_train_curve_best(r + 3, 1, &best, &lead);
    CHECK(best == -1 && lead == -1);
    wg_train_curve_best(r, 4, NULL, &lead); /* either output may be left out */
    CHECK(lead == 1);
}

TEST(cli_train_batches_option)
{
    const char *no_compare[] = {"train", "--batches", "64,256", NULL};
    const char *bad[] = {"train", "--compare", "--batches", "64,,256", NULL};
    const char *zero[] = {"train", "--compare", "--batches", "64,0", NULL};
    const char *const *cases[] = {no_compare, bad, zero};
    const char *want[] = {"--compare", "64,,256", "'0'"};
    for (int i = 0; i < 3; i++) {
        cli_run_result r = cli_run(cases[i], NULL);
        CHECK_MSG(r.exit_code == 2 && r.err && strstr(r.err, want[i]), "case %d: exit %d: %s", i,
                  r.exit_code, r.err ? r.err : "");
        cli_run_free(&r);
    }
}
