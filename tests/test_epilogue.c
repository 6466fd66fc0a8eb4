/*
 * test_epilogue.c - train --epilogue (src/nn/epilogue_plan.c, src/nn/mlp_epilogue.c): which
 * products fuse, the ReLU masks' sizes, the launch counts, the fallback to the own kernels
 * and its reason, tested without a GPU; on a CUDA device the cuBLASLt products' outputs and
 * gradients are compared with the own kernels'.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"
#include "nn/epilogue_plan.h"
#include "nn/mlp.h"
#include "nn/train.h"
#include "reference.h"

static const wg_device cuda0 = {WG_DEVICE_CUDA, 0};

TEST(epilogue_plan_fuses_every_layer_on_cuda)
{
    const int64_t sizes[] = {784, 512, 256, 10};
    wg_epilogue_plan p;
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 3, sizes, 1024);
    CHECK(p.use_lt && p.fused_backward && p.bgrad_last && p.reason[0] == '\0');
    CHECK(p.forward[0] == WG_LT_RELU_AUX_BIAS && p.forward[1] == WG_LT_RELU_AUX_BIAS);
    CHECK(p.forward[2] == WG_LT_BIAS);
    /* layer l's d(in) carries layer l - 1's ReLU and bias gradient; none for the input */
    CHECK(p.dx[0] == WG_LT_PLAIN && p.dx[1] == WG_LT_DRELU_BGRAD && p.dx[2] == WG_LT_DRELU_BGRAD);
    CHECK(p.dw[0] == WG_LT_PLAIN && p.dw[1] == WG_LT_PLAIN && p.dw[2] == WG_LT_BGRAD_B);
    /* one bit an element: 512 / 8 and 256 / 8 bytes a row, no mask for the logits */
    CHECK(p.aux_bytes[0] == 64 * 1024 && p.aux_bytes[1] == 32 * 1024 && p.aux_bytes[2] == 0);
    CHECK(p.aux_total == 96 * 1024);
    /* 17 launches a step with the own kernels (9 own + 8 products), 11 with Lt */
    CHECK(wg_epilogue_plan_own_launches(&p) == 0);
    CHECK_MSG(wg_epilogue_plan_step_launches(&p, 0) == 11, "%d",
              wg_epilogue_plan_step_launches(&p, 0));
    CHECK(wg_epilogue_plan_step_launches(&p, 1) == 12);
    char text[320];
    CHECK_MSG(strncmp(wg_epilogue_plan_describe(&p, text, sizeof text), "lt (", 4) == 0, "%s",
              text);
    /* no BGRADA for the last layer: its bias gradient by the own kernel, one launch more */
    wg_epilogue_plan_drop_bgrad_last(&p);
    CHECK(p.use_lt && !p.bgrad_last && p.dw[2] == WG_LT_PLAIN);
    CHECK(wg_epilogue_plan_own_launches(&p) == 1 && wg_epilogue_plan_step_launches(&p, 0) == 12);
    CHECK(strstr(wg_epilogue_plan_describe(&p, text, sizeof text), "no BGRADA") != NULL);

    /* no DRELU_BGRAD: the forward stays fused, the backward runs the own kernels */
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 3, sizes, 1024);
    wg_epilogue_plan_drop_backward(&p, "no algorithm for the drelu product");
    CHECK(p.use_lt && !p.fused_backward && !p.bgrad_last);
    CHECK(p.forward[0] == WG_LT_RELU_AUX_BIAS && p.forward[2] == WG_LT_BIAS);
    CHECK(p.dx[1] == WG_LT_PLAIN && p.dx[2] == WG_LT_PLAIN && p.dw[2] == WG_LT_PLAIN);
    CHECK(wg_epilogue_plan_own_launches(&p) == 3 && wg_epilogue_plan_step_launches(&p, 0) == 14);
    CHECK_MSG(strcmp(wg_epilogue_plan_describe(&p, text, sizeof text),
                     "lt (cuBLASLt bias+ReLU forward; backward by the own kernels: no "
                     "algorithm for the drelu product)") == 0, "%s", text);

    wg_epilogue_plan own;
    wg_epilogue_plan_init(&own, WG_EPILOGUE_OWN, cuda0, WG_DTYPE_FP32, 0, 3, sizes, 1024);
    CHECK(wg_epilogue_plan_own_launches(&own) == 6);
    CHECK(wg_epilogue_plan_step_launches(&own, 0) == 17);
    CHECK(wg_epilogue_plan_step_launches(&own, 1) == 18);
    CHECK(own.aux_total == 0);
}

TEST(epilogue_aux_sizes_follow_cublaslt_rules)
{
    /* the leading dimension in bits: a multiple of 128, at least the width */
    CHECK(wg_lt_aux_ld(1) == 128 && wg_lt_aux_ld(128) == 128 && wg_lt_aux_ld(129) == 256);
    CHECK(wg_lt_aux_ld(512) == 512 && wg_lt_aux_ld(0) == 0 && wg_lt_aux_ld(-3) == 0);
    /* 128 bits = 16 bytes a row, rounded up to the allocation's 256 */
    CHECK(wg_lt_aux_bytes(10, 3) == 256);
    CHECK(wg_lt_aux_bytes(10, 16) == 256);
    CHECK(wg_lt_aux_bytes(10, 17) == 512);
    CHECK(wg_lt_aux_bytes(300, 1000) == 48128); /* 384 bits: 48 bytes x 1000, to 256 */
    CHECK(wg_lt_aux_bytes(300, 0) == 0 && wg_lt_aux_bytes(0, 10) == 0);
    CHECK(wg_lt_aux_bytes(300, ((int64_t)1 << 24) + 1) == 0);
}

TEST(epilogue_plan_falls_back_with_the_reason)
{
    const int64_t sizes[] = {12, 130, 4};
    wg_epilogue_plan p;
    wg_epilogue_plan_init(&p, WG_EPILOGUE_OWN, cuda0, WG_DTYPE_FP32, 0, 2, sizes, 64);
    CHECK(!p.use_lt && strcmp(p.reason, "--epilogue own") == 0 && p.aux_total == 0);
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, wg_cpu(), WG_DTYPE_FP32, 0, 2, sizes, 64);
    CHECK_MSG(!p.use_lt && strstr(p.reason, "CUDA feature") && strstr(p.reason, "cpu"), "%s",
              p.reason);
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_BF16, 0, 2, sizes, 64);
    CHECK_MSG(!p.use_lt && strstr(p.reason, "bf16"), "%s", p.reason);
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 1, 2, sizes, 64);
    CHECK(!p.use_lt && strstr(p.reason, "prediction"));
    CHECK(p.forward[0] == WG_LT_PLAIN && p.dw[1] == WG_LT_PLAIN && p.aux_total == 0);

    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 2, sizes, 64);
    CHECK(p.use_lt && p.aux_bytes[0] == 256 / 8 * 64);
    wg_epilogue_plan_refuse(&p, "no algorithm for the bias product 64x4x130 (float32)");
    CHECK(!p.use_lt && p.forward[0] == WG_LT_PLAIN && p.dx[1] == WG_LT_PLAIN);
    CHECK_MSG(strcmp(p.reason, "cuBLASLt: no algorithm for the bias product 64x4x130 "
                               "(float32); the own kernels run") == 0, "%s", p.reason);
    CHECK(wg_epilogue_plan_own_launches(&p) == 4);
    /* a refusal of an own plan changes nothing */
    wg_epilogue_plan_refuse(&p, "later");
    CHECK(strstr(p.reason, "later") == NULL);

    /* a layer l > 0 of width 1 makes its d(in) product's k 1, which cuBLASLt's DRELU
     * epilogues do not take (nvmath-python refuses K = 1 for them): the forward fuses, the
     * backward runs the own kernels */
    const int64_t narrow[] = {12, 8, 1, 3};
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 3, narrow, 64);
    CHECK(p.use_lt && p.forward[0] == WG_LT_RELU_AUX_BIAS && p.forward[1] == WG_LT_RELU_AUX_BIAS);
    CHECK(!p.fused_backward && !p.bgrad_last && p.dx[1] == WG_LT_PLAIN && p.dx[2] == WG_LT_PLAIN);
    CHECK_MSG(strstr(p.reason, "backward by the own kernels") && strstr(p.reason, "layer 1"),
              "%s", p.reason);
    const int64_t narrow_first[] = {12, 1, 8, 3}; /* the first layer's d(in) is never made */
    wg_epilogue_plan_init(&p, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 3, narrow_first, 64);
    CHECK(p.use_lt && p.fused_backward && p.bgrad_last && p.reason[0] == '\0');

    wg_epilogue_mode mode = WG_EPILOGUE_OWN;
    REQUIRE_OK(wg_epilogue_mode_parse("lt", &mode));
    CHECK(mode == WG_EPILOGUE_LT && strcmp(wg_epilogue_mode_name(mode), "lt") == 0);
    REQUIRE_OK(wg_epilogue_mode_parse("own", &mode));
    CHECK(mode == WG_EPILOGUE_OWN && strcmp(wg_epilogue_mode_name(mode), "own") == 0);
    CHECK_STATUS(wg_epilogue_mode_parse("fused", &mode), WG_ERR_ARGUMENT);
}

/* The logits and every gradient of one forward + loss + backward of `rows` rows. */
typedef struct pass_out {
    float logits[64 * 4];
    float grads[2 * 3][16 * 130];
    char epilogue[320];
} pass_out;

static const int64_t pass_sizes[] = {12, 130, 16, 4};

static void one_pass(wg_device device, wg_epilogue_mode mode, int force_lt, int64_t rows,
                     pass_out *out)
{
    wg_mlp *m = NULL;
    REQUIRE_OK(wg_mlp_create_epilogue(device, 3, pass_sizes, 64, WG_DTYPE_FP32, mode, &m));
    REQUIRE_OK(wg_mlp_init(m, 7));
    if (force_lt) {
        /* the plan a CUDA model would have, on this device: Lt must refuse, and the pass
         * go on with the own kernels, saying why */
        wg_epilogue_plan_init(&m->epilogue, WG_EPILOGUE_LT, cuda0, WG_DTYPE_FP32, 0, 3,
                              pass_sizes, 64);
        for (int l = 0; l < 2; l++)
            REQUIRE_OK(m->backend->alloc(device.index, (size_t)m->epilogue.aux_bytes[l],
                                         &m->aux[l]));
    }
    float x[64 * 12];
    uint8_t y[64];
    ref_random(x, 64 * 12, 5);
    for (int i = 0; i < 64; i++) y[i] = (uint8_t)(i * 7 % 4);
    void *dx = NULL, *dy = NULL;
    REQUIRE_OK(m->backend->alloc(device.index, sizeof x, &dx));
    REQUIRE_OK(m->backend->alloc(device.index, sizeof y, &dy));
    REQUIRE_OK(m->backend->copy_from_host(device.index, dx, x, sizeof x));
    REQUIRE_OK(m->backend->copy_from_host(device.index, dy, y, sizeof y));
    REQUIRE_OK(wg_mlp_forward(m, dx, rows));
    REQUIRE_OK(wg_mlp_loss(m, dy, rows, 0));
    REQUIRE_OK(m->backend->copy_to_host(device.index, out->logits, m->act[2],
                                        (size_t)(rows * 4) * sizeof(float)));
    REQUIRE_OK(wg_mlp_loss(m, dy, rows, 1));
    REQUIRE_OK(wg_mlp_backward(m, dx, rows));
    for (int i = 0; i < m->param_tensors; i++)
        REQUIRE_OK(wg_mlp_read(m, WG_MLP_GRADS, i, out->grads[i]));
    wg_epilogue_plan_describe(&m->epilogue, out->epilogue, sizeof out->epilogue);
    m->backend->release(device.index, dx);
    m->backend->release(device.index, dy);
    wg_mlp_free(m);
}

static double max_rel_diff(const float *a, const float *b, int64_t n)
{
    double diff = 0, scale = 1e-30;
    for (int64_t i = 0; i < n; i++) {
        diff = fmax(diff, fabs((double)a[i] - b[i]));
        scale = fmax(scale, fabs((double)b[i]));
    }
    return diff / scale;
}

/* The fused pass gives the own kernels' logits and gradients (37 rows: not a multiple of
 * anything; a 130-wide layer: a mask leading dimension of 256 bits). Where Lt is absent,
 * a model told to use it falls back, says why, and computes the same. */
DEVICE_TEST(epilogue_lt_matches_own_kernels)
{
    if (device.kind == WG_DEVICE_OPENCL) SKIP("cuBLASLt epilogues: the CPU and CUDA cases only");
    static pass_out lt, own, forced;
    const int64_t rows = 37;
    one_pass(device, WG_EPILOGUE_LT, 0, rows, &lt);
    one_pass(device, WG_EPILOGUE_OWN, 0, rows, &own);
    if (check_current->failures) return;
    CHECK(strcmp(own.epilogue, "own (--epilogue own)") == 0);
    const int64_t counts[] = {12 * 130, 130, 130 * 16, 16, 16 * 4, 4};
    double worst = max_rel_diff(lt.logits, own.logits, rows * 4);
    for (int i = 0; i < 6; i++) worst = fmax(worst, max_rel_diff(lt.grads[i], own.grads[i], counts[i]));
    if (device.kind == WG_DEVICE_CUDA) {
        CHECK_MSG(strncmp(lt.epilogue, "lt (", 4) == 0, "%s", lt.epilogue);
        CHECK_MSG(worst <= 1e-5, "cuBLASLt vs own kernels differ by %g (relative)", worst);
        return;
    }
    CHECK_MSG(strstr(lt.epilogue, "CUDA feature"), "%s", lt.epilogue);
    CHECK(worst == 0);
    one_pass(device, WG_EPILOGUE_LT, 1, rows, &forced);
    if (check_current->failures) return;
    CHECK_MSG(strncmp(forced.epilogue, "own (cuBLASLt: ", 15) == 0 &&
                  strstr(forced.epilogue, "the own kernels run"), "%s", forced.epilogue);
    worst = max_rel_diff(forced.logits, own.logits, rows * 4);
    for (int i = 0; i < 6; i++)
        worst = fmax(worst, max_rel_diff(forced.grads[i], own.grads[i], counts[i]));
    CHECK_MSG(worst == 0, "the fallback differs from the own kernels by %g", worst);
}

TEST(cli_train_epilogue_option)
{
    const char *bad[] = {"train", "--epilogue", "fused", NULL};
    cli_run_result r = cli_run(bad, NULL);
    CHECK(r.exit_code == 2);
    CHECK_MSG(r.err && strstr(r.err, "--epilogue") && strstr(r.err, "fused"), "%s",
              r.err ? r.err : "");
    cli_run_free(&r);
    const char *help[] = {"train", "--help", NULL};
    r = cli_run(help, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "--epilogue lt|own"));
    cli_run_free(&r);
}

/* The trainer says which epilogues ran and the launches a step makes with them. */
DEVICE_TEST(trainer_reports_its_epilogue)
{
    if (device.kind == WG_DEVICE_OPENCL) SKIP("cuBLASLt epilogues: the CPU and CUDA cases only");
    static float images[40 * 12];
    static uint8_t labels[40];
    ref_random(images, 40 * 12, 9);
    for (int i = 0; i < 40; i++) labels[i] = (uint8_t)(i % 3);
    const wg_dataset d = {.images = images, .labels = labels, .count = 40, .rows = 1,
                          .cols = 12, .features = 12, .classes = 3};
    for (int mode = 0; mode < 2; mode++) {
        wg_train_options o;
        wg_train_defaults(&o);
        CHECK(o.epilogue == WG_EPILOGUE_LT); /* the default */
        o.device = device;
        o.hidden_layers = 1;
        o.hidden[0] = 16;
        o.batch = 16;
        o.epochs = 1;
        o.graph = WG_GRAPH_OFF;
        o.epilogue = (wg_epilogue_mode)mode;
        wg_trainer *t = NULL;
        REQUIRE_OK(wg_trainer_create(&o, &d, NULL, &t));
        while (!wg_trainer_finished(t)) REQUIRE_OK(wg_trainer_step(t));
        wg_trainer_info info;
        REQUIRE_OK(wg_trainer_info_get(t, &info));
        wg_trainer_free(t);
        const int fused = device.kind == WG_DEVICE_CUDA && mode == WG_EPILOGUE_LT;
        CHECK_MSG(strncmp(info.epilogue, fused ? "lt (" : "own (", fused ? 4 : 5) == 0, "%s",
                  info.epilogue);
        /* 2 layers: gather, 2 forward, softmax, 2 dW, 1 d(in), optimiser = 8; the own
         * kernels add 4; none counted on the CPU (its step is one parallel region) */
        const int launches = device.kind != WG_DEVICE_CUDA ? 0 : fused ? 8 : 12;
        CHECK_MSG(info.step_launches == launches, "%d launches a step, %d wanted; epilogues: %s",
                  info.step_launches, launches, info.epilogue);
    }
}

/* The model's memory plan counts what mlp_create allocates: the masks of the fused
 * epilogues on a CUDA device, the bf16 copies of mixed precision (the logits have none). */
TEST(mlp_memory_plan_counts_masks_and_bf16_copies)
{
    const int64_t sizes[] = {784, 512, 256, 10};
    wg_memory_plan plan;
    REQUIRE_OK(wg_mlp_memory_plan(cuda0, 3, sizes, 1024, 0, WG_DTYPE_FP32, WG_EPILOGUE_LT, &plan));
    REQUIRE(plan.count == 3);
    CHECK_MSG(strstr(plan.entries[2].what, "ReLU masks") && plan.entries[2].bytes == 96 * 1024,
              "%s %lld", plan.entries[2].what, (long long)plan.entries[2].bytes);
    REQUIRE_OK(wg_mlp_memory_plan(cuda0, 3, sizes, 1024, 0, WG_DTYPE_FP32, WG_EPILOGUE_OWN, &plan));
    CHECK(plan.count == 2);
    REQUIRE_OK(wg_mlp_memory_plan(wg_cpu(), 3, sizes, 1024, 0, WG_DTYPE_FP32, WG_EPILOGUE_LT, &plan));
    CHECK(plan.count == 2); /* no masks off CUDA */

    /* the parameters' entry is the model's own layout (4 flat buffers of param_count) */
    wg_mlp *m = NULL;
    const int64_t small[] = {12, 130, 16, 4};
    REQUIRE_OK(wg_mlp_create_dtype(wg_cpu(), 3, small, 64, WG_DTYPE_BF16, &m));
    REQUIRE_OK(wg_mlp_memory_plan(wg_cpu(), 3, small, 64, 0, WG_DTYPE_BF16, WG_EPILOGUE_OWN, &plan));
    const int64_t params = m->param_count;
    wg_mlp_free(m);
    REQUIRE(plan.count == 3);
    CHECK(plan.entries[0].bytes == params * 4 * 4);
    CHECK(plan.entries[1].bytes == 64 * (130 + 16 + 4) * 4 * 2);
    /* copies: parameters, input batch, hidden outputs (130 + 16), dZ of all three layers */
    CHECK_MSG(strstr(plan.entries[2].what, "bfloat16") &&
                  plan.entries[2].bytes == (params + 64 * 12 + 64 * (130 + 16) +
                                            64 * (130 + 16 + 4)) * 2,
              "%s %lld", plan.entries[2].what, (long long)plan.entries[2].bytes);
    REQUIRE_OK(wg_mlp_memory_plan(cuda0, 3, small, 64, 1, WG_DTYPE_FP32, WG_EPILOGUE_LT, &plan));
    CHECK(plan.count == 2 && plan.entries[0].bytes == params * 4);
    CHECK_STATUS(wg_mlp_memory_plan(cuda0, 0, small, 64, 0, WG_DTYPE_FP32, WG_EPILOGUE_LT, &plan),
                 WG_ERR_ARGUMENT);
}
