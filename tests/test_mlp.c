/*
 * test_mlp.c - the MLP trainer: gradients of every layer against central finite
 * differences (on every device), the layer operations of each device against plain loops,
 * a short training run on a small synthetic dataset that must learn it, checkpoint round
 * trips through the model (and a mismatched model refused), the GPU's losses against
 * the CPU's for the same seed (skipped without a GPU), the trainer's info getter, the
 * library's CPU-vs-GPU comparison (CPU against CPU, and a missing GPU named), and one-image
 * prediction with a saved model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "blobs.h"
#include "check.h"
#include "nn/mlp.h"
#include "nn/mlp_checkpoint.h"
#include "nn/train.h"
#include "reference.h"

/* ---------------------------------------------------------------- helpers --------- */

/* A buffer of `bytes` on the device with the host bytes copied in (NULL on failure). */
static void *device_copy(wg_device device, const void *host, size_t bytes)
{
    const wg_backend *backend = wg_backend_for(device);
    void *ptr = NULL;
    if (!backend || backend->alloc(device.index, bytes, &ptr) != WG_OK) return NULL;
    if (backend->copy_from_host(device.index, ptr, host, bytes) != WG_OK) {
        backend->release(device.index, ptr);
        return NULL;
    }
    return ptr;
}

static void device_release(wg_device device, void *ptr)
{
    const wg_backend *backend = wg_backend_for(device);
    if (backend && ptr) backend->release(device.index, ptr);
}

/* The mean loss of the model on the batch, no gradient. */
static wg_status mean_loss(wg_mlp *mlp, const float *x, const uint8_t *y, int64_t rows,
                           double *loss)
{
    wg_nn_stats stats;
    wg_status status = wg_mlp_stats_reset(mlp);
    if (status == WG_OK) status = wg_mlp_forward(mlp, x, rows);
    if (status == WG_OK) status = wg_mlp_loss(mlp, y, rows, 0);
    if (status == WG_OK) status = wg_mlp_stats_read(mlp, &stats);
    if (status == WG_OK) *loss = stats.loss_sum / (double)rows;
    return status;
}

/* ---------------------------------------------------------------- gradients ------- */

DEVICE_TEST(mlp_gradients_match_finite_differences)
{
    const int64_t sizes[] = {7, 6, 5, 4};
    const int layers = 3;
    const int64_t rows = 5;
    float x[5 * 7];
    uint8_t y[5] = {0, 3, 1, 2, 3};
    ref_random(x, 5 * 7, 77);
    wg_mlp *mlp = NULL;
    REQUIRE_OK(wg_mlp_create(device, layers, sizes, 8, &mlp));
    REQUIRE_OK(wg_mlp_init(mlp, 2024));
    /* Non-zero biases, so their gradients go through every path. */
    for (int l = 0; l < layers; l++) {
        float bias[8];
        ref_random(bias, sizes[l + 1], 300 + l);
        for (int i = 0; i < sizes[l + 1]; i++) bias[i] *= 0.1f;
        REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, 2 * l + 1, bias));
    }
    float *dx = device_copy(device, x, sizeof x);
    uint8_t *dy = device_copy(device, y, sizeof y);
    REQUIRE(dx && dy);

    REQUIRE_OK(wg_mlp_stats_reset(mlp));
    REQUIRE_OK(wg_mlp_forward(mlp, dx, rows));
    REQUIRE_OK(wg_mlp_loss(mlp, dy, rows, 1));
    REQUIRE_OK(wg_mlp_backward(mlp, dx, rows));

    const double eps = 1e-3;
    for (int t = 0; t < mlp->param_tensors; t++) {
        const wg_mlp_param *p = &mlp->params[t];
        float params[64], grads[64];
        REQUIRE(p->count <= 64);
        REQUIRE_OK(wg_mlp_read(mlp, WG_MLP_GRADS, t, grads));
        REQUIRE_OK(wg_mlp_read(mlp, WG_MLP_PARAMS, t, params));
        double worst = 0.0, largest = 0.0;
        for (int64_t i = 0; i < p->count; i++) {
            const float saved = params[i];
            double up = 0, down = 0;
            params[i] = saved + (float)eps;
            REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, t, params));
            REQUIRE_OK(mean_loss(mlp, dx, dy, rows, &up));
            params[i] = saved - (float)eps;
            REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, t, params));
            REQUIRE_OK(mean_loss(mlp, dx, dy, rows, &down));
            params[i] = saved;
            REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, t, params));
            const double numeric = (up - down) / (2 * eps);
            const double error = fabs(numeric - grads[i]) / (1e-3 + fabs(numeric));
            if (error > worst) worst = error;
            if (fabs(numeric) > largest) largest = fabs(numeric);
        }
        CHECK_MSG(worst < 2e-2, "%s: gradient differs from finite differences by %.3g (relative)",
                  p->name, worst);
        CHECK_MSG(largest > 1e-3, "%s: all gradients are ~0; the check would prove nothing",
                  p->name);
    }
    device_release(device, dx);
    device_release(device, dy);
    wg_mlp_free(mlp);
}

/* The loss and its gradient for logits whose softmax is known in closed form, including
 * logits of 1000 (an unshifted exp would overflow to inf). */
DEVICE_TEST(softmax_xent_is_stable_and_exact)
{
    const int64_t sizes[] = {2, 3};
    wg_mlp *mlp = NULL;
    REQUIRE_OK(wg_mlp_create(device, 1, sizes, 4, &mlp));
    /* W = I-ish: logits = x . W with W [2, 3]; biases zero. */
    const float w[6] = {1, 0, 0, 0, 1, 0};
    REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, 0, w));
    const float x[4] = {1000, 1000, 0, 0}; /* rows: logits (1000, 1000, 0), (0, 0, 0) */
    const uint8_t y[2] = {0, 2};
    float *dx = device_copy(device, x, sizeof x);
    uint8_t *dy = device_copy(device, y, sizeof y);
    REQUIRE(dx && dy);
    REQUIRE_OK(wg_mlp_stats_reset(mlp));
    REQUIRE_OK(wg_mlp_forward(mlp, dx, 2));
    REQUIRE_OK(wg_mlp_loss(mlp, dy, 2, 1));
    wg_nn_stats stats;
    REQUIRE_OK(wg_mlp_stats_read(mlp, &stats));
    /* row 0: -log(1/2); row 1: -log(1/3) */
    CHECK_MSG(fabs(stats.loss_sum - (log(2.0) + log(3.0))) < 1e-5, "loss sum %.9g", stats.loss_sum);
    /* row 0: logits tie, the first (0) is the prediction: right; row 1: 0 predicted, wrong */
    CHECK_MSG(stats.correct == 1.0, "correct %g", stats.correct);
    float g[6];
    REQUIRE_OK(wg_backend_for(device)->copy_to_host(device.index, g, mlp->grad[0], sizeof g));
    const float want[6] = {(0.5f - 1) / 2, 0.5f / 2, 0, 1.0f / 6, 1.0f / 6, (1.0f / 3 - 1) / 2};
    for (int i = 0; i < 6; i++) CHECK_MSG(fabsf(g[i] - want[i]) < 1e-6f, "dlogits[%d] = %g, want %g", i, g[i], want[i]);
    device_release(device, dx);
    device_release(device, dy);
    wg_mlp_free(mlp);
}

/* SGD with momentum and Adam against the textbook formulas, over two steps. */
DEVICE_TEST(optimizers_match_formulas)
{
    const int64_t sizes[] = {3, 2};
    for (int kind = 0; kind < 2; kind++) {
        wg_mlp *mlp = NULL;
        REQUIRE_OK(wg_mlp_create(device, 1, sizes, 1, &mlp));
        float w[6], g[6], got[6];
        ref_random(w, 6, 5);
        ref_random(g, 6, 6);
        REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_PARAMS, 0, w));
        REQUIRE_OK(wg_mlp_write(mlp, WG_MLP_GRADS, 0, g));
        wg_optimizer opt = {.kind = (wg_optimizer_kind)kind, .momentum = 0.9f, .beta1 = 0.9f,
                            .beta2 = 0.999f, .eps = 1e-8f};
        REQUIRE_OK(wg_mlp_update(mlp, &opt, 0.1f));
        REQUIRE_OK(wg_mlp_update(mlp, &opt, 0.1f));
        REQUIRE_OK(wg_mlp_read(mlp, WG_MLP_PARAMS, 0, got));
        double worst = 0;
        for (int i = 0; i < 6; i++) {
            double want;
            if (kind == WG_OPTIMIZER_SGD) {
                /* v1 = g, w1 = w - 0.1 g; v2 = 0.9 g + g, w2 = w1 - 0.1 v2 */
                want = w[i] - 0.1 * g[i] - 0.1 * 1.9 * g[i];
            } else {
                /* the same gradient twice: m_hat = g, v_hat = g^2 each step */
                want = w[i] - 2 * 0.1 * g[i] / (fabs(g[i]) + 1e-8);
            }
            double e = fabs(got[i] - want);
            if (e > worst) worst = e;
        }
        CHECK_MSG(worst < 1e-5, "%s: parameters differ from the formula by %.3g",
                  wg_optimizer_name((wg_optimizer_kind)kind), worst);
        wg_mlp_free(mlp);
    }
}

DEVICE_TEST(mlp_rejects_bad_sizes)
{
    wg_mlp *mlp = NULL;
    const int64_t ok[] = {4, 3, 2}, zero[] = {4, 0, 2}, one_class[] = {4, 3, 1};
    CHECK_STATUS(wg_mlp_create(device, 0, ok, 8, &mlp), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_create(device, WG_MLP_MAX_LAYERS + 1, ok, 8, &mlp), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_create(device, 2, zero, 8, &mlp), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_create(device, 2, one_class, 8, &mlp), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_create(device, 2, ok, 0, &mlp), WG_ERR_ARGUMENT);
    CHECK(mlp == NULL);
    REQUIRE_OK(wg_mlp_create(device, 2, ok, 8, &mlp));
    CHECK_STATUS(wg_mlp_forward(mlp, mlp->act[0], 9), WG_ERR_ARGUMENT); /* rows > capacity */
    CHECK_STATUS(wg_mlp_forward(mlp, mlp->act[0], 0), WG_ERR_ARGUMENT);
    char text[128];
    CHECK(strcmp(wg_mlp_describe(mlp, text, sizeof text), "mlp 4-3-2 relu softmax-xent") == 0);
    wg_mlp_free(mlp);
}

/* ---------------------------------------------------------------- training -------- */

/* blobs.h */
int make_blobs(wg_dataset *d, int64_t count, int64_t features, int classes,
                      uint64_t centre_seed, uint64_t noise_seed)
{
    memset(d, 0, sizeof *d);
    float *centres = malloc((size_t)(classes * features) * sizeof *centres);
    float *noise = malloc((size_t)(count * features) * sizeof *noise);
    d->images = malloc((size_t)(count * features) * sizeof *d->images);
    d->labels = malloc((size_t)count);
    if (!centres || !noise || !d->images || !d->labels) {
        free(centres);
        free(noise);
        wg_dataset_free(d);
        return 0;
    }
    ref_random(centres, classes * features, centre_seed);
    ref_random(noise, count * features, noise_seed);
    for (int64_t i = 0; i < count; i++) {
        const int label = (int)((i * 7 + i / 3) % classes);
        d->labels[i] = (uint8_t)label;
        for (int64_t f = 0; f < features; f++)
            d->images[i * features + f] = centres[label * features + f] + 0.35f * noise[i * features + f];
    }
    d->count = count;
    d->rows = 1;
    d->cols = features;
    d->features = features;
    d->classes = classes;
    free(centres);
    free(noise);
    return 1;
}

static void train_options(wg_train_options *o, wg_device device, wg_optimizer_kind kind)
{
    wg_train_defaults(o);
    o->device = device;
    o->hidden_layers = 2;
    o->hidden[0] = 32;
    o->hidden[1] = 16;
    o->batch = 50; /* 600 / 50 and a last batch of 33 for the 633-row set */
    o->epochs = 5;
    o->optimizer.kind = kind;
    o->lr = kind == WG_OPTIMIZER_ADAM ? 0.01f : 0.05f;
    o->seed = 9;
}

DEVICE_TEST(training_learns_synthetic_blobs)
{
    wg_dataset train, test;
    REQUIRE(make_blobs(&train, 633, 20, 5, 1000, 1001));
    REQUIRE(make_blobs(&test, 200, 20, 5, 1000, 2002));
    for (int kind = 0; kind < 2; kind++) {
        wg_train_options o;
        train_options(&o, device, (wg_optimizer_kind)kind);
        wg_trainer *t = NULL;
        REQUIRE_OK(wg_trainer_create(&o, &train, &test, &t));
        CHECK(t->steps_per_epoch == 13);
        double first_loss = 0, loss = 0, accuracy = 0;
        REQUIRE_OK(wg_trainer_evaluate(t, &t->test, &first_loss, &accuracy));
        wg_epoch_result r;
        int epochs = 0;
        while (!wg_trainer_finished(t)) {
            REQUIRE_OK(wg_trainer_run_epoch(t, NULL, NULL, &r));
            epochs++;
            CHECK(r.steps == 13 && r.images == 633);
            CHECK(r.seconds > 0 && r.images_per_s > 0);
        }
        CHECK(epochs == 5 && t->step == 65);
        REQUIRE_OK(wg_trainer_evaluate(t, &t->test, &loss, &accuracy));
        CHECK_MSG(accuracy >= 0.95 && loss < 0.3 * first_loss,
                  "%s: after 5 epochs test accuracy %.3f, loss %.3f (from %.3f)",
                  wg_optimizer_name((wg_optimizer_kind)kind), accuracy, loss, first_loss);
        CHECK_MSG(r.train_accuracy >= 0.9, "train accuracy %.3f", r.train_accuracy);
        CHECK(fabs(r.test_accuracy - accuracy) < 1e-9);
        wg_trainer_free(t);
    }
    wg_dataset_free(&train);
    wg_dataset_free(&test);
}

/* ---------------------------------------------------------------- checkpoints ----- */

DEVICE_TEST(mlp_checkpoint_round_trip)
{
    const int64_t sizes[] = {6, 5, 3};
    char path[] = "/tmp/whygpu-mlp-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    for (int kind = 0; kind < 2; kind++) {
        wg_mlp *a = NULL, *b = NULL, *other = NULL;
        REQUIRE_OK(wg_mlp_create(device, 2, sizes, 4, &a));
        REQUIRE_OK(wg_mlp_create(device, 2, sizes, 4, &b));
        REQUIRE_OK(wg_mlp_init(a, 1));
        REQUIRE_OK(wg_mlp_init(b, 2));
        /* Some optimiser state worth saving. */
        float state[30];
        for (int t = 0; t < a->param_tensors; t++) {
            ref_random(state, a->params[t].count, 40 + t);
            REQUIRE_OK(wg_mlp_write(a, WG_MLP_STATE1, t, state));
            REQUIRE_OK(wg_mlp_write(a, WG_MLP_STATE2, t, state));
        }
        REQUIRE_OK(wg_mlp_save(a, path, (wg_optimizer_kind)kind, 3, 120, 99));
        wg_mlp_checkpoint_info info;
        REQUIRE_OK(wg_mlp_load(b, path, (wg_optimizer_kind)kind, &info));
        CHECK(info.epoch == 3 && info.step == 120 && info.seed == 99 && info.has_optimizer_state);
        CHECK(strcmp(info.model, "mlp 6-5-3 relu softmax-xent") == 0);
        int same = 1;
        for (int t = 0; t < a->param_tensors; t++) {
            float x[30], y[30];
            for (int buf = WG_MLP_PARAMS; buf <= (kind ? WG_MLP_STATE2 : WG_MLP_STATE1); buf++) {
                if (buf == WG_MLP_GRADS) continue;
                REQUIRE_OK(wg_mlp_read(a, (wg_mlp_buffer)buf, t, x));
                REQUIRE_OK(wg_mlp_read(b, (wg_mlp_buffer)buf, t, y));
                same &= memcmp(x, y, (size_t)a->params[t].count * sizeof *x) == 0;
            }
        }
        CHECK_MSG(same, "%s: the loaded model differs from the saved one",
                  wg_optimizer_name((wg_optimizer_kind)kind));
        /* The other optimiser's state is not in the file: parameters load, state zeroed. */
        REQUIRE_OK(wg_mlp_load(b, path, (wg_optimizer_kind)!kind, &info));
        CHECK(!info.has_optimizer_state);
        /* Another architecture is refused with both model strings, and left untouched. */
        const int64_t wider[] = {6, 7, 3};
        REQUIRE_OK(wg_mlp_create(device, 2, wider, 4, &other));
        CHECK_STATUS(wg_mlp_load(other, path, (wg_optimizer_kind)kind, NULL), WG_ERR_ARGUMENT);
        CHECK(strstr(wg_error_message(), "mlp 6-5-3") && strstr(wg_error_message(), "mlp 6-7-3"));
        wg_mlp_free(a);
        wg_mlp_free(b);
        wg_mlp_free(other);
    }
    int layers = 0;
    int64_t parsed[WG_MLP_MAX_LAYERS + 1];
    REQUIRE_OK(wg_mlp_parse_description("mlp 784-512-256-10 relu softmax-xent", &layers, parsed));
    CHECK(layers == 3 && parsed[0] == 784 && parsed[2] == 256 && parsed[3] == 10);
    CHECK_STATUS(wg_mlp_parse_description("mlp 784", &layers, parsed), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_parse_description("cnn 1-2", &layers, parsed), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_parse_description("mlp 784-x-10", &layers, parsed), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_mlp_parse_description("mlp 1-2-3-4-5-6-7-8-9-10-11", &layers, parsed),
                 WG_ERR_ARGUMENT);
    unlink(path);
}

/* ---------------------------------------------------------------- CPU vs GPU ------ */

/* The same seed gives the same weights on both devices (bit for bit), and the same steps
 * give the same losses to float32 rounding. */
TEST(mlp_gpu_matches_cpu)
{
    const wg_device gpu = {WG_DEVICE_CUDA, 0};
    if (wg_device_check(gpu) != WG_OK) SKIP("no GPU: %s", wg_error_message());
    wg_dataset data;
    REQUIRE(make_blobs(&data, 500, 40, 10, 7, 8));
    wg_trainer *t[2] = {NULL, NULL};
    for (int d = 0; d < 2; d++) {
        wg_train_options o;
        wg_train_defaults(&o);
        o.device = d ? gpu : wg_cpu();
        o.hidden[0] = 64;
        o.hidden[1] = 32;
        o.batch = 64;
        o.seed = 5;
        REQUIRE_OK(wg_trainer_create(&o, &data, NULL, &t[d]));
    }
    for (int p = 0; p < t[0]->model->param_tensors; p++) {
        const int64_t n = t[0]->model->params[p].count;
        float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
        REQUIRE(a && b);
        REQUIRE_OK(wg_mlp_read(t[0]->model, WG_MLP_PARAMS, p, a));
        REQUIRE_OK(wg_mlp_read(t[1]->model, WG_MLP_PARAMS, p, b));
        CHECK_MSG(memcmp(a, b, (size_t)n * sizeof *a) == 0, "%s: initial weights differ",
                  t[0]->model->params[p].name);
        free(a);
        free(b);
    }
    double worst = 0;
    for (int step = 0; step < 20; step++) {
        double loss[2];
        for (int d = 0; d < 2; d++) {
            wg_nn_stats stats;
            REQUIRE_OK(wg_mlp_stats_reset(t[d]->model));
            REQUIRE_OK(wg_trainer_step(t[d]));
            REQUIRE_OK(wg_mlp_stats_read(t[d]->model, &stats));
            loss[d] = stats.loss_sum;
        }
        const double diff = fabs(loss[0] - loss[1]) / fmax(1.0, fabs(loss[0]));
        if (!(diff <= worst)) worst = diff;
    }
    CHECK_MSG(worst < 1e-3, "CPU and GPU losses differ by %.3g (relative)", worst);
    double cpu_loss, cpu_acc, gpu_loss, gpu_acc;
    wg_device_dataset cpu_data;
    REQUIRE_OK(wg_device_dataset_upload(&data, wg_cpu(), &cpu_data));
    REQUIRE_OK(wg_trainer_evaluate(t[0], &cpu_data, &cpu_loss, &cpu_acc));
    REQUIRE_OK(wg_trainer_evaluate(t[1], &t[1]->train, &gpu_loss, &gpu_acc));
    CHECK_MSG(fabs(cpu_loss - gpu_loss) < 1e-3 * fmax(1.0, cpu_loss) && fabs(cpu_acc - gpu_acc) < 0.01,
              "evaluation: CPU loss %.6f acc %.4f, GPU loss %.6f acc %.4f", cpu_loss, cpu_acc,
              gpu_loss, gpu_acc);
    wg_trainer_free(t[0]);
    wg_trainer_free(t[1]);
    wg_dataset_free(&data);
}

/* ---------------------------------------------------------------- CPU step -------- */

/* The CPU's data-parallel step (mlp_cpu_step.c) against the four generic calls on a twin
 * model, for SGD and Adam, FP32 and BF16, with 2 and 3 threads (uneven bands) and a batch
 * whose rows and widths do not divide evenly: the same parameters, optimiser state and loss
 * statistics to float32 rounding (only the order of the bias gradients' sums differs; in
 * BF16 that can move a rounded copy to its neighbour, hence the looser bound there). */
TEST(mlp_cpu_data_parallel_step_matches_generic)
{
    const int64_t sizes[] = {37, 50, 21, 7};
    const int64_t rows = 101;
    float *x = malloc(rows * 37 * sizeof *x);
    uint8_t y[101];
    REQUIRE(x);
    ref_random(x, rows * 37, 12);
    for (int i = 0; i < rows; i++) y[i] = (uint8_t)((i * 5 + 3) % 7);
    for (int run = 0; run < 8; run++) {
        const int threads = 2 + (run & 1), kind = (run >> 1) & 1;
        const wg_dtype dtype = run >= 4 ? WG_DTYPE_BF16 : WG_DTYPE_FP32;
        {
            wg_set_cpu_threads(threads);
            wg_mlp *fast = NULL, *plain = NULL;
            REQUIRE_OK(wg_mlp_create_dtype(wg_cpu(), 3, sizes, 128, dtype, &fast));
            REQUIRE_OK(wg_mlp_create_dtype(wg_cpu(), 3, sizes, 128, dtype, &plain));
            REQUIRE_OK(wg_mlp_init(fast, 4));
            REQUIRE_OK(wg_mlp_init(plain, 4));
            CHECK(wg_mlp_cpu_step_suits(fast, rows) && !wg_mlp_cpu_step_suits(fast, 40));
            wg_optimizer opt = {.kind = (wg_optimizer_kind)kind, .momentum = 0.9f,
                                .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
            const float lr = kind ? 0.01f : 0.1f;
            wg_nn_stats a = {0, 0}, b = {0, 0};
            for (int step = 0; step < 4; step++) {
                REQUIRE_OK(wg_mlp_stats_reset(fast));
                REQUIRE_OK(wg_mlp_stats_reset(plain));
                REQUIRE_OK(wg_mlp_train_step(fast, x, y, rows, &opt, lr));
                REQUIRE_OK(wg_mlp_forward(plain, x, rows));
                REQUIRE_OK(wg_mlp_loss(plain, y, rows, 1));
                REQUIRE_OK(wg_mlp_backward(plain, x, rows));
                REQUIRE_OK(wg_mlp_update(plain, &opt, lr));
                REQUIRE_OK(wg_mlp_stats_read(fast, &a));
                REQUIRE_OK(wg_mlp_stats_read(plain, &b));
            }
            const double bound = dtype == WG_DTYPE_BF16 ? 1e-2 : 1e-5;
            CHECK_MSG(fabs(a.loss_sum - b.loss_sum) <= bound * fabs(b.loss_sum) &&
                          fabs(a.correct - b.correct) <= (dtype == WG_DTYPE_BF16),
                      "%d threads, %s, %s: loss sum %.7g correct %g, generic %.7g and %g",
                      threads, wg_optimizer_name(opt.kind), wg_dtype_name(dtype), a.loss_sum,
                      a.correct, b.loss_sum, b.correct);
            double worst = 0;
            for (int buf = WG_MLP_PARAMS; buf < WG_MLP_BUFFERS; buf++)
                for (int p = 0; p < fast->param_tensors; p++) {
                    float u[37 * 50], v[37 * 50]; /* the largest tensor */
                    REQUIRE_OK(wg_mlp_read(fast, (wg_mlp_buffer)buf, p, u));
                    REQUIRE_OK(wg_mlp_read(plain, (wg_mlp_buffer)buf, p, v));
                    for (int64_t i = 0; i < fast->params[p].count; i++)
                        worst = fmax(worst, fabs((double)u[i] - v[i]) / fmax(1e-3, fabs(v[i])));
                }
            CHECK_MSG(worst <= (dtype == WG_DTYPE_BF16 ? 2e-2 : 1e-4),
                      "%d threads, %s, %s: parameters, gradients or state differ by %.3g "
                      "(relative)", threads, wg_optimizer_name(opt.kind),
                      wg_dtype_name(dtype), worst);
            CHECK(fast->optimizer_steps == plain->optimizer_steps);
            wg_mlp_free(fast);
            wg_mlp_free(plain);
        }
    }
    wg_set_cpu_threads(0);
    free(x);
}

/* ---------------------------------------------------------------- trainer info ---- */

/* The info getter tells what the opaque trainer holds: the model, the sizes, where training
 * is; and the test-set evaluation refuses a trainer without a test set. */
DEVICE_TEST(trainer_info_tells_model_and_position)
{
    wg_dataset train, test;
    REQUIRE(make_blobs(&train, 633, 20, 5, 1000, 1001));
    REQUIRE(make_blobs(&test, 200, 20, 5, 1000, 2002));
    wg_train_options o;
    train_options(&o, device, WG_OPTIMIZER_SGD);
    o.batch = 1000; /* more than the set: clipped to 633 */
    wg_trainer *t = NULL;
    REQUIRE_OK(wg_trainer_create(&o, &train, &test, &t));
    wg_trainer_info info;
    REQUIRE_OK(wg_trainer_info_get(t, &info));
    CHECK_MSG(strcmp(info.model, "mlp 20-32-16-5 relu softmax-xent") == 0, "model '%s'", info.model);
    CHECK(info.layers == 3 && info.sizes[0] == 20 && info.sizes[1] == 32 && info.sizes[2] == 16 &&
          info.sizes[3] == 5);
    CHECK_MSG(info.parameters == 20 * 32 + 32 + 32 * 16 + 16 + 16 * 5 + 5, "%lld parameters",
              (long long)info.parameters);
    CHECK(info.options.batch == 633 && info.options.epochs == 5 && info.options.seed == 9);
    CHECK(info.options.device.kind == device.kind && info.options.device.index == device.index);
    CHECK(info.options.optimizer.kind == WG_OPTIMIZER_SGD && info.options.lr == o.lr);
    CHECK(info.train_images == 633 && info.test_images == 200);
    CHECK(info.steps_per_epoch == 1 && info.total_steps == 5);
    CHECK(info.epoch == 0 && info.step == 0 && !info.mid_epoch);
    wg_epoch_result r;
    REQUIRE_OK(wg_trainer_run_epoch(t, NULL, NULL, &r));
    REQUIRE_OK(wg_trainer_info_get(t, &info));
    CHECK(info.epoch == 1 && info.step == 1 && !info.mid_epoch);
    double loss = 0, accuracy = 0;
    REQUIRE_OK(wg_trainer_evaluate_test(t, &loss, &accuracy));
    CHECK(fabs(loss - r.test_loss) < 1e-9 && fabs(accuracy - r.test_accuracy) < 1e-9);
    wg_trainer_free(t);

    /* mid-epoch: a step of a smaller batch; no test set */
    o.batch = 100;
    REQUIRE_OK(wg_trainer_create(&o, &train, NULL, &t));
    REQUIRE_OK(wg_trainer_step(t));
    REQUIRE_OK(wg_trainer_info_get(t, &info));
    CHECK(info.steps_per_epoch == 7 && info.step == 1 && info.epoch == 0 && info.mid_epoch);
    CHECK(info.test_images == 0);
    CHECK_STATUS(wg_trainer_evaluate_test(t, &loss, &accuracy), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_trainer_info_get(NULL, &info), WG_ERR_ARGUMENT);
    wg_trainer_free(t);
    wg_dataset_free(&train);
    wg_dataset_free(&test);
}

/* ---------------------------------------------------------------- compare --------- */

/* Counts the comparison's progress calls and checks the plan is there before the first. */
typedef struct compare_calls {
    int calls, ends, planned_first;
} compare_calls;

static void count_compare_calls(void *context, const wg_train_compare_result *r, int run,
                                const char *phase)
{
    compare_calls *c = context;
    if (c->calls++ == 0) c->planned_first = r->steps > 0 && r->model[0] && r->parameters > 0;
    if (!phase) c->ends++;
    (void)run;
}

static void compare_options(wg_train_options *o, wg_device device)
{
    wg_train_defaults(o);
    o->device = device;
    o->hidden_layers = 1;
    o->hidden[0] = 16;
    o->batch = 40;
    o->max_steps = 14;
    o->seed = 3;
}

/* The CPU against the CPU runs the whole logic: the same seed gives the same losses, both
 * runs are timed, and the result says they agree. */
TEST(train_compare_cpu_with_cpu)
{
    wg_dataset data;
    REQUIRE(make_blobs(&data, 500, 30, 4, 11, 12));
    wg_train_options o;
    compare_options(&o, wg_cpu());
    wg_train_compare_result r;
    compare_calls calls = {0, 0, 0};
    REQUIRE_OK(wg_train_compare(&o, &data, count_compare_calls, &calls, &r));
    CHECK_MSG(strcmp(r.model, "mlp 30-16-4 relu softmax-xent") == 0, "model '%s'", r.model);
    CHECK(r.parameters == 30 * 16 + 16 + 16 * 4 + 4);
    CHECK(r.steps == 14 && r.batch == 40);
    CHECK_MSG(calls.calls == 6 && calls.ends == 2 && calls.planned_first,
              "%d progress calls, %d ends, planned first %d", calls.calls, calls.ends,
              calls.planned_first);
    for (int i = 0; i < 2; i++) {
        const wg_train_compare_run *run = &r.runs[i];
        CHECK(run->device.kind == WG_DEVICE_CPU && run->ran && run->error[0] == '\0');
        CHECK(run->steps == 14 && run->loss_steps == 7 && run->timed_steps == 7);
        CHECK(run->seconds > 0 && run->seconds_per_step > 0 && run->images_per_s > 0);
        CHECK(fabs(run->seconds_per_step * 7 - run->seconds) < 1e-12);
        for (int64_t k = 0; k < run->loss_steps; k++)
            CHECK_MSG(isfinite(run->losses[k]) && run->losses[k] > 0, "loss %d: %g", (int)k,
                      run->losses[k]);
    }
    /* the first loss is about log(4) for a fresh classifier of 4 classes, and it falls */
    CHECK_MSG(r.runs[0].losses[0] > 0.5 && r.runs[0].losses[6] < r.runs[0].losses[0],
              "losses %g .. %g", r.runs[0].losses[0], r.runs[0].losses[6]);
    CHECK_MSG(r.loss_max_relative_difference <= 1e-6, "CPU against CPU differs by %g",
              r.loss_max_relative_difference);
    CHECK(r.agree && r.tolerance == WG_TRAIN_COMPARE_TOLERANCE);
    CHECK(isfinite(r.speedup) && r.speedup > 0);

    /* without max_steps: one epoch (500 / 40 -> 13 steps), at most 10 loss steps */
    o.max_steps = 0;
    REQUIRE_OK(wg_train_compare(&o, &data, NULL, NULL, &r));
    CHECK(r.steps == 13 && r.runs[1].loss_steps == 6 && r.runs[1].timed_steps == 7);
    o.max_steps = 40;
    REQUIRE_OK(wg_train_compare(&o, &data, NULL, NULL, &r));
    CHECK(r.runs[0].loss_steps == WG_TRAIN_COMPARE_LOSS_STEPS && r.runs[0].timed_steps == 30);

    /* fewer than 2 steps is refused with the step count */
    o.max_steps = 1;
    CHECK_STATUS(wg_train_compare(&o, &data, NULL, NULL, &r), WG_ERR_ARGUMENT);
    CHECK(r.steps == 1 && strstr(wg_error_message(), "at least 2 steps"));
    o.max_steps = 0;
    o.batch = 1000;
    CHECK_STATUS(wg_train_compare(&o, &data, NULL, NULL, &r), WG_ERR_ARGUMENT);
    CHECK(r.steps == 1 && r.batch == 500);
    CHECK_STATUS(wg_train_compare(NULL, &data, NULL, NULL, &r), WG_ERR_ARGUMENT);
    wg_dataset_free(&data);
}

/* Against a GPU: without one the CPU part still runs and the status says no device, with
 * the reason in the GPU run's error; with one they must agree. */
TEST(train_compare_names_a_missing_gpu)
{
    const wg_device gpu = {WG_DEVICE_CUDA, 0};
    const int have_gpu = wg_device_check(gpu) == WG_OK;
    wg_dataset data;
    REQUIRE(make_blobs(&data, 300, 30, 4, 21, 22));
    wg_train_options o;
    compare_options(&o, gpu);
    o.max_steps = 6;
    wg_train_compare_result r;
    const wg_status status = wg_train_compare(&o, &data, NULL, NULL, &r);
    CHECK(r.runs[0].ran && r.runs[0].loss_steps == 3);
    if (!have_gpu) {
        CHECK_MSG(status == WG_ERR_NO_DEVICE, "status %s", wg_status_name(status));
        CHECK_MSG(strstr(wg_error_message(), "cuda:0") != NULL, "message: %s", wg_error_message());
        CHECK(!r.runs[1].ran && r.runs[1].error[0] != '\0');
        CHECK(r.runs[1].steps == 0 && r.runs[1].timed_steps == 0);
        CHECK(!r.agree && isnan(r.speedup) && isnan(r.loss_max_relative_difference));
    } else {
        CHECK_MSG(status == WG_OK, "status %s: %s", wg_status_name(status), wg_error_message());
        CHECK_MSG(r.runs[1].ran && r.agree, "GPU against CPU: difference %g",
                  r.loss_max_relative_difference);
    }
    wg_dataset_free(&data);
}

/* ---------------------------------------------------------------- predict --------- */

/* A trained model saved and classified again: the probabilities sum to 1 and are ranked,
 * the blobs are mostly classified right; a set the model does not fit is refused. */
DEVICE_TEST(predict_classifies_with_a_saved_model)
{
    char path[] = "/tmp/whygpu-predict-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    wg_dataset train, test, other;
    REQUIRE(make_blobs(&train, 633, 20, 5, 1000, 1001));
    REQUIRE(make_blobs(&test, 50, 20, 5, 1000, 2002));
    REQUIRE(make_blobs(&other, 10, 21, 5, 1000, 2002));
    wg_train_options o;
    train_options(&o, device, WG_OPTIMIZER_SGD);
    wg_trainer *t = NULL;
    REQUIRE_OK(wg_trainer_create(&o, &train, NULL, &t));
    wg_epoch_result r;
    while (!wg_trainer_finished(t)) REQUIRE_OK(wg_trainer_run_epoch(t, NULL, NULL, &r));
    REQUIRE_OK(wg_trainer_save(t, path));
    wg_trainer_free(t);
    int right = 0;
    for (int64_t i = 0; i < test.count; i++) {
        wg_prediction p;
        REQUIRE_OK(wg_predict(path, device, &test, i, &p));
        double sum = 0;
        for (int k = 0; k < p.classes; k++) sum += p.probability[k];
        CHECK_MSG(p.classes == 5 && fabs(sum - 1) < 1e-9, "%d classes, probabilities sum to %g",
                  p.classes, sum);
        for (int k = 1; k < p.classes; k++)
            CHECK(p.probability[p.ranked[k - 1]] >= p.probability[p.ranked[k]]);
        CHECK(p.checkpoint.epoch == 5 && strcmp(p.checkpoint.model, "mlp 20-32-16-5 relu softmax-xent") == 0);
        right += p.ranked[0] == test.labels[i];
    }
    CHECK_MSG(right >= 45, "%d of 50 right", right);
    wg_prediction p;
    CHECK_STATUS(wg_predict(path, device, &other, 0, &p), WG_ERR_SHAPE);
    CHECK(strstr(wg_error_message(), "21 pixels") != NULL);
    CHECK_STATUS(wg_predict(path, device, &test, 50, &p), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_predict(path, device, &test, -1, &p), WG_ERR_ARGUMENT);
    unlink(path);
    CHECK(wg_predict(path, device, &test, 0, &p) != WG_OK);
    wg_dataset_free(&train);
    wg_dataset_free(&test);
    wg_dataset_free(&other);
}
