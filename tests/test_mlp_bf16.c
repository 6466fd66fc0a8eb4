/*
 * test_mlp_bf16.c - mixed-precision training (train --dtype bf16): the CPU's layer
 * operations that also write bfloat16 copies (rounded exactly as wg_bf16_from_float, float32
 * results unchanged), a BF16 model's forward pass against the FP32 model's within a bf16
 * bound, training a synthetic set (the loss falls, and ends close to FP32's), checkpoints
 * (float32 masters saved; the copies remade after a load), and the comparison's bf16
 * tolerance. Devices without mixed precision (OpenCL) skip with the reason.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blobs.h"
#include "check.h"
#include "nn/mlp.h"
#include "nn/mlp_checkpoint.h"
#include "nn/train.h"
#include "reference.h"

/* Creates a BF16 model, or says why the device has none (then the caller skips). */
static wg_status create_bf16(wg_device device, int layers, const int64_t *sizes,
                             int64_t capacity, wg_mlp **out)
{
    return wg_mlp_create_dtype(device, layers, sizes, capacity, WG_DTYPE_BF16, out);
}

static int same_bits(const void *a, const void *b, size_t bytes) { return memcmp(a, b, bytes) == 0; }

/* ---------------------------------------------------------------- CPU entries ----- */

TEST(nn_cpu_bf16_entries_round_like_the_library)
{
    const wg_nn_backend *nn = &wg_nn_cpu;
    REQUIRE(nn->to_bf16 && nn->bias_act_bf16 && nn->bias_act_backward_bf16 && nn->sgd_bf16 &&
            nn->adam_bf16);
    /* Rounding edge cases and random values, long enough for the vector loops and tails. */
    enum { N = 70001 };
    float *src = malloc(N * sizeof *src);
    wg_bf16 *got = malloc(N * sizeof *got), *want = malloc(N * sizeof *want);
    REQUIRE(src && got && want);
    ref_random(src, N, 5);
    const uint32_t edges[] = {0x7fc00001u, 0xffa00000u, 0x7f800001u, 0x7f800000u, 0xff800000u,
                              0x00000001u, 0x00018000u, 0x3f808000u, 0x3f818000u, 0x3f80c000u,
                              0x7f7fffffu, 0x80000000u, 0x00000000u, 0x3f7fffffu};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        memcpy(&src[i * 4999], &edges[i], sizeof(float));
    REQUIRE_OK(nn->to_bf16(0, src, got, N));
    wg_bf16_from_floats(src, want, N);
    CHECK_MSG(same_bits(got, want, N * sizeof *got), "to_bf16 differs from wg_bf16_from_floats");

    /* bias + ReLU: the float32 result as the FP32 entry's, the copy its rounding. */
    const int64_t rows = 37, cols = 77;
    float *y = malloc(rows * cols * sizeof *y), *y32 = malloc(rows * cols * sizeof *y32);
    float bias[77], dbias[77], dbias32[77];
    wg_bf16 *y16 = malloc(rows * cols * sizeof *y16);
    REQUIRE(y && y32 && y16);
    ref_random(bias, cols, 6);
    for (int relu = 0; relu < 2; relu++) {
        ref_random(y, rows * cols, 7);
        memcpy(y32, y, rows * cols * sizeof *y);
        REQUIRE_OK(nn->bias_act_bf16(0, y, bias, rows, cols, relu, y16));
        REQUIRE_OK(nn->bias_act(0, y32, bias, rows, cols, relu));
        wg_bf16_from_floats(y, want, rows * cols);
        CHECK(same_bits(y, y32, rows * cols * sizeof *y));
        CHECK_MSG(same_bits(y16, want, rows * cols * sizeof *y16), "bias_act_bf16 copy, relu %d",
                  relu);
        /* backward on that output */
        float *d = malloc(rows * cols * sizeof *d), *d32 = malloc(rows * cols * sizeof *d32);
        REQUIRE(d && d32);
        ref_random(d, rows * cols, 8);
        memcpy(d32, d, rows * cols * sizeof *d);
        REQUIRE_OK(nn->bias_act_backward_bf16(0, d, y, dbias, rows, cols, relu, y16));
        REQUIRE_OK(nn->bias_act_backward(0, d32, y, dbias32, rows, cols, relu));
        wg_bf16_from_floats(d, want, rows * cols);
        CHECK(same_bits(d, d32, rows * cols * sizeof *d) && same_bits(dbias, dbias32, sizeof dbias));
        CHECK_MSG(same_bits(y16, want, rows * cols * sizeof *y16),
                  "bias_act_backward_bf16 copy, relu %d", relu);
        free(d);
        free(d32);
    }

    /* The optimisers: masters and state as the FP32 entries leave them, copies rounded. */
    enum { P = 40000 };
    float *w = malloc(P * sizeof *w), *v = malloc(P * sizeof *v), *m = malloc(P * sizeof *m),
          *g = malloc(P * sizeof *g);
    float *w2 = malloc(P * sizeof *w2), *v2 = malloc(P * sizeof *v2), *m2 = malloc(P * sizeof *m2);
    wg_bf16 *w16 = malloc(P * sizeof *w16);
    REQUIRE(w && v && m && g && w2 && v2 && m2 && w16);
    for (int adam = 0; adam < 2; adam++) {
        ref_random(w, P, 9);
        ref_random(v, P, 10);
        ref_random(g, P, 11);
        for (int i = 0; i < P; i++) v[i] = fabsf(v[i]); /* Adam's second moment */
        ref_random(m, P, 12);
        memcpy(w2, w, P * sizeof *w);
        memcpy(v2, v, P * sizeof *v);
        memcpy(m2, m, P * sizeof *m);
        if (adam) {
            REQUIRE_OK(nn->adam_bf16(0, w, m, v, g, P, 0.01f, 0.9f, 0.999f, 1e-8f, w16));
            REQUIRE_OK(nn->adam(0, w2, m2, v2, g, P, 0.01f, 0.9f, 0.999f, 1e-8f));
        } else {
            REQUIRE_OK(nn->sgd_bf16(0, w, v, g, P, 0.1f, 0.9f, w16));
            REQUIRE_OK(nn->sgd(0, w2, v2, g, P, 0.1f, 0.9f));
        }
        wg_bf16_from_floats(w, want, P);
        CHECK_MSG(same_bits(w, w2, P * sizeof *w) && same_bits(v, v2, P * sizeof *v) &&
                      same_bits(m, m2, P * sizeof *m),
                  "%s: the bf16 entry's float32 results differ", adam ? "adam" : "sgd");
        CHECK_MSG(same_bits(w16, want, P * sizeof *w16), "%s: the weight copies",
                  adam ? "adam" : "sgd");
    }
    free(w), free(v), free(m), free(g), free(w2), free(v2), free(m2), free(w16);
    free(y), free(y32), free(y16), free(src), free(got), free(want);
}

/* ---------------------------------------------------------------- forward --------- */

/* The BF16 model's logits against the FP32 model's with the same weights: each product
 * reads inputs rounded to 8 bits of mantissa (relative error 2^-9 each), so a logit moves
 * by about 2^-8 of the sum of |terms| per layer; with ReLU layers of He-initialised weights
 * that stays well under 3% of the logits' scale, while a stale or wrong copy (other
 * weights) is off by the logits' whole size. */
DEVICE_TEST(mlp_bf16_forward_close_to_fp32)
{
    const int64_t sizes[] = {64, 48, 32, 10};
    const int64_t rows = 33;
    wg_mlp *f32 = NULL, *b16 = NULL;
    wg_status status = create_bf16(device, 3, sizes, rows, &b16);
    if (status == WG_ERR_UNSUPPORTED) SKIP("%s", wg_error_message());
    REQUIRE_OK(status);
    REQUIRE_OK(wg_mlp_create(device, 3, sizes, rows, &f32));
    REQUIRE_OK(wg_mlp_init(f32, 3));
    REQUIRE_OK(wg_mlp_init(b16, 3));
    float x[33 * 64], a[33 * 10], b[33 * 10];
    ref_random(x, rows * sizes[0], 4);
    const wg_backend *backend = wg_backend_for(device);
    void *dx = NULL;
    REQUIRE_OK(backend->alloc(device.index, sizeof x, &dx));
    REQUIRE_OK(backend->copy_from_host(device.index, dx, x, sizeof x));
    REQUIRE_OK(wg_mlp_forward(f32, dx, rows));
    REQUIRE_OK(wg_mlp_forward(b16, dx, rows));
    REQUIRE_OK(backend->copy_to_host(device.index, a, f32->act[2], sizeof a));
    REQUIRE_OK(backend->copy_to_host(device.index, b, b16->act[2], sizeof b));
    double scale = 0, diff = 0;
    for (int i = 0; i < rows * 10; i++) {
        scale = fmax(scale, fabs(a[i]));
        diff = fmax(diff, fabs((double)a[i] - b[i]));
    }
    CHECK_MSG(diff > 0, "the bf16 forward equals the fp32 one bit for bit: no rounding applied");
    CHECK_MSG(diff <= 0.03 * scale, "bf16 logits differ by %.3g, logits up to %.3g", diff, scale);
    /* New parameters written to the masters reach the copies before the next forward. */
    float w0[64 * 48];
    ref_random(w0, 64 * 48, 77);
    REQUIRE_OK(wg_mlp_write(f32, WG_MLP_PARAMS, 0, w0));
    REQUIRE_OK(wg_mlp_write(b16, WG_MLP_PARAMS, 0, w0));
    REQUIRE_OK(wg_mlp_forward(f32, dx, rows));
    REQUIRE_OK(wg_mlp_forward(b16, dx, rows));
    REQUIRE_OK(backend->copy_to_host(device.index, a, f32->act[2], sizeof a));
    REQUIRE_OK(backend->copy_to_host(device.index, b, b16->act[2], sizeof b));
    scale = diff = 0;
    for (int i = 0; i < rows * 10; i++) {
        scale = fmax(scale, fabs(a[i]));
        diff = fmax(diff, fabs((double)a[i] - b[i]));
    }
    CHECK_MSG(diff <= 0.03 * scale, "after a write: bf16 logits differ by %.3g (scale %.3g): "
              "stale weight copies?", diff, scale);
    backend->release(device.index, dx);
    wg_mlp_free(f32);
    wg_mlp_free(b16);
}

/* ---------------------------------------------------------------- training -------- */

DEVICE_TEST(training_bf16_learns_and_stays_close_to_fp32)
{
    wg_dataset train, test;
    REQUIRE(make_blobs(&train, 633, 20, 5, 1000, 1001));
    REQUIRE(make_blobs(&test, 200, 20, 5, 1000, 2002));
    for (int kind = 0; kind < 2; kind++) {
        double loss[2] = {0, 0}, accuracy[2] = {0, 0}, first = 0;
        for (int bf16 = 0; bf16 < 2; bf16++) {
            wg_train_options o;
            wg_train_defaults(&o);
            o.device = device;
            o.hidden[0] = 32;
            o.hidden[1] = 16;
            o.batch = 50;
            o.epochs = 5;
            o.optimizer.kind = (wg_optimizer_kind)kind;
            o.lr = kind == WG_OPTIMIZER_ADAM ? 0.01f : 0.05f;
            o.seed = 9;
            o.dtype = bf16 ? WG_DTYPE_BF16 : WG_DTYPE_FP32;
            wg_trainer *t = NULL;
            wg_status status = wg_trainer_create(&o, &train, &test, &t);
            if (status == WG_ERR_UNSUPPORTED) {
                wg_dataset_free(&train);
                wg_dataset_free(&test);
                SKIP("%s", wg_error_message());
            }
            REQUIRE_OK(status);
            REQUIRE_OK(wg_trainer_evaluate(t, &t->test, &first, &accuracy[bf16]));
            wg_epoch_result r;
            while (!wg_trainer_finished(t)) REQUIRE_OK(wg_trainer_run_epoch(t, NULL, NULL, &r));
            loss[bf16] = r.test_loss;
            accuracy[bf16] = r.test_accuracy;
            if (bf16)
                CHECK_MSG(r.test_loss < 0.3 * first && r.test_accuracy >= 0.95,
                          "%s bf16: test loss %.3f (from %.3f), accuracy %.3f",
                          wg_optimizer_name(o.optimizer.kind), r.test_loss, first,
                          r.test_accuracy);
            wg_trainer_free(t);
        }
        CHECK_MSG(fabs(accuracy[1] - accuracy[0]) <= 0.02 &&
                      fabs(loss[1] - loss[0]) <= 0.2 * loss[0] + 0.01,
                  "%s: bf16 ends at accuracy %.3f loss %.4f, fp32 at %.3f and %.4f",
                  wg_optimizer_name((wg_optimizer_kind)kind), accuracy[1], loss[1],
                  accuracy[0], loss[0]);
    }
    wg_dataset_free(&train);
    wg_dataset_free(&test);
}

/* ---------------------------------------------------------------- checkpoints ----- */

/* A BF16 model saves its float32 masters; loading them into another BF16 model remakes
 * its copies (its forward is then the saved model's bit for bit), and an FP32 model loads
 * the same file. */
DEVICE_TEST(mlp_bf16_checkpoint_round_trip)
{
    const int64_t sizes[] = {12, 8, 4};
    const int64_t rows = 6;
    wg_mlp *a = NULL, *b = NULL, *f32 = NULL;
    wg_status status = create_bf16(device, 2, sizes, rows, &a);
    if (status == WG_ERR_UNSUPPORTED) SKIP("%s", wg_error_message());
    REQUIRE_OK(status);
    REQUIRE_OK(create_bf16(device, 2, sizes, rows, &b));
    REQUIRE_OK(wg_mlp_create(device, 2, sizes, rows, &f32));
    REQUIRE_OK(wg_mlp_init(a, 1));
    REQUIRE_OK(wg_mlp_init(b, 2));
    float x[6 * 12];
    uint8_t y[6] = {0, 1, 2, 3, 0, 1};
    ref_random(x, rows * sizes[0], 3);
    const wg_backend *backend = wg_backend_for(device);
    void *dx = NULL, *dy = NULL;
    REQUIRE_OK(backend->alloc(device.index, sizeof x, &dx));
    REQUIRE_OK(backend->alloc(device.index, sizeof y, &dy));
    REQUIRE_OK(backend->copy_from_host(device.index, dx, x, sizeof x));
    REQUIRE_OK(backend->copy_from_host(device.index, dy, y, sizeof y));
    wg_optimizer sgd = {.kind = WG_OPTIMIZER_SGD, .momentum = 0.9f};
    for (int s = 0; s < 3; s++) REQUIRE_OK(wg_mlp_train_step(a, dx, dy, rows, &sgd, 0.1f));
    char path[] = "/tmp/whygpu-bf16-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    REQUIRE_OK(wg_mlp_save(a, path, WG_OPTIMIZER_SGD, 1, 3, 1));
    REQUIRE_OK(wg_mlp_forward(b, dx, rows)); /* b's copies made from its own weights */
    REQUIRE_OK(wg_mlp_load(b, path, WG_OPTIMIZER_SGD, NULL));
    REQUIRE_OK(wg_mlp_load(f32, path, WG_OPTIMIZER_SGD, NULL));
    int same = 1;
    for (int t = 0; t < a->param_tensors; t++) {
        float pa[96], pb[96], pf[96];
        REQUIRE_OK(wg_mlp_read(a, WG_MLP_PARAMS, t, pa));
        REQUIRE_OK(wg_mlp_read(b, WG_MLP_PARAMS, t, pb));
        REQUIRE_OK(wg_mlp_read(f32, WG_MLP_PARAMS, t, pf));
        const size_t bytes = (size_t)a->params[t].count * sizeof *pa;
        same &= same_bits(pa, pb, bytes) && same_bits(pa, pf, bytes);
    }
    CHECK_MSG(same, "the loaded float32 masters differ from the saved ones");
    float la[6 * 4], lb[6 * 4];
    REQUIRE_OK(wg_mlp_forward(a, dx, rows));
    REQUIRE_OK(wg_mlp_forward(b, dx, rows));
    REQUIRE_OK(backend->copy_to_host(device.index, la, a->act[1], sizeof la));
    REQUIRE_OK(backend->copy_to_host(device.index, lb, b->act[1], sizeof lb));
    CHECK_MSG(same_bits(la, lb, sizeof la), "the loaded bf16 model computes other logits "
              "(its weight copies were not remade from the loaded masters)");
    unlink(path);
    backend->release(device.index, dx);
    backend->release(device.index, dy);
    wg_mlp_free(a);
    wg_mlp_free(b);
    wg_mlp_free(f32);
}

/* ---------------------------------------------------------------- comparison ------ */

/* The tolerance of --compare --dtype bf16, and its use: two BF16 runs on the CPU agree;
 * a BF16 run differs from the FP32 run of the same seed (the rounding is in effect) by
 * less than half that tolerance (so two devices, each that close to float32, agree). */
TEST(train_compare_bf16_tolerance)
{
    CHECK(wg_train_compare_tolerance(WG_DTYPE_FP32) == WG_TRAIN_COMPARE_TOLERANCE);
    CHECK(wg_train_compare_tolerance(WG_DTYPE_BF16) == WG_TRAIN_COMPARE_TOLERANCE_BF16);
    CHECK(WG_TRAIN_COMPARE_TOLERANCE_BF16 > WG_TRAIN_COMPARE_TOLERANCE);
    wg_dataset train;
    REQUIRE(make_blobs(&train, 600, 20, 5, 1000, 1001));
    wg_train_options o;
    wg_train_defaults(&o);
    o.hidden[0] = 32;
    o.hidden[1] = 16;
    o.batch = 50;
    o.max_steps = 12;
    o.lr = 0.05f;
    o.device = wg_cpu();
    wg_train_compare_result fp32, bf16;
    REQUIRE_OK(wg_train_compare(&o, &train, NULL, NULL, &fp32));
    o.dtype = WG_DTYPE_BF16;
    REQUIRE_OK(wg_train_compare(&o, &train, NULL, NULL, &bf16));
    CHECK(fp32.tolerance == WG_TRAIN_COMPARE_TOLERANCE);
    CHECK(bf16.tolerance == WG_TRAIN_COMPARE_TOLERANCE_BF16);
    CHECK_MSG(bf16.agree && bf16.loss_max_relative_difference == 0,
              "bf16 CPU against itself: difference %.3g", bf16.loss_max_relative_difference);
    double diff = 0;
    for (int64_t s = 0; s < bf16.runs[0].loss_steps; s++) {
        const double a = fp32.runs[0].losses[s], b = bf16.runs[0].losses[s];
        diff = fmax(diff, fabs(a - b) / fmax(1.0, fabs(a)));
    }
    CHECK_MSG(diff > 0, "bf16 losses equal fp32's: no rounding in effect");
    CHECK_MSG(diff < 0.5 * WG_TRAIN_COMPARE_TOLERANCE_BF16,
              "bf16 against fp32: losses %.3g apart, tolerance %.0e", diff,
              WG_TRAIN_COMPARE_TOLERANCE_BF16);
    wg_dataset_free(&train);
}
