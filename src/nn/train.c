/*
 * train.c - the training loop (see train.h): dataset upload, per-epoch shuffle, steps,
 * learning-rate schedule and evaluation.
 */
#include "train.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../backend.h"
#include "../error.h"
#include "../rng.h"
#include "train_graph.h"

const char *wg_lr_schedule_name(wg_lr_schedule schedule)
{
    switch (schedule) {
    case WG_LR_COSINE: return "cosine";
    case WG_LR_STEP: return "step";
    default: return "constant";
    }
}

wg_status wg_lr_schedule_parse(const char *text, wg_lr_schedule *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "schedule: NULL argument");
    if (strcmp(text, "constant") == 0) *out = WG_LR_CONSTANT;
    else if (strcmp(text, "cosine") == 0) *out = WG_LR_COSINE;
    else if (strcmp(text, "step") == 0) *out = WG_LR_STEP;
    else
        return wg_fail(WG_ERR_ARGUMENT,
                       "unknown learning-rate schedule '%s' (expected constant, cosine or step)",
                       text);
    return WG_OK;
}

float wg_lr_at(wg_lr_schedule schedule, float lr, int64_t step, int64_t total)
{
    if (total < 1) total = 1;
    if (step < 0) step = 0;
    if (step > total) step = total;
    const double progress = (double)step / (double)total;
    switch (schedule) {
    case WG_LR_COSINE: return (float)(lr * 0.5 * (1.0 + cos(3.14159265358979323846 * progress)));
    case WG_LR_STEP: return progress < 0.5 ? lr : progress < 0.75 ? lr * 0.1f : lr * 0.01f;
    default: return lr;
    }
}

void wg_train_defaults(wg_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->device = wg_cpu();
    o->hidden_layers = 2;
    o->hidden[0] = 512;
    o->hidden[1] = 256;
    o->batch = 256;
    o->epochs = 10;
    o->max_steps = 0;
    o->optimizer.kind = WG_OPTIMIZER_SGD;
    o->optimizer.momentum = 0.9f;
    o->optimizer.beta1 = 0.9f;
    o->optimizer.beta2 = 0.999f;
    o->optimizer.eps = 1e-8f;
    o->lr = 0.1f;
    o->schedule = WG_LR_COSINE;
    o->seed = 42;
    o->dtype = WG_DTYPE_FP32;
    o->graph = WG_GRAPH_ON;
    o->epilogue = WG_EPILOGUE_LT;
}

/* ---------------------------------------------------------------- datasets -------- */

static wg_status check_host_dataset(const wg_dataset *d, const char *which)
{
    if (!d || !d->images || !d->labels || d->count < 1 || d->features < 1 || d->classes < 2 ||
        d->classes > WG_MLP_MAX_CLASSES)
        return wg_fail(WG_ERR_ARGUMENT, "%s dataset is empty or malformed (count %" PRId64
                       ", features %" PRId64 ", classes %d)", which, d ? d->count : 0,
                       d ? d->features : 0, d ? d->classes : 0);
    if (d->count > INT32_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "%s dataset has %" PRId64 " examples; at most %d are "
                       "supported", which, d->count, INT32_MAX);
    return WG_OK;
}

wg_status wg_device_dataset_upload(const wg_dataset *host, wg_device device,
                                   wg_device_dataset *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "dataset upload: NULL output");
    memset(out, 0, sizeof *out);
    wg_status status = check_host_dataset(host, "the");
    if (status != WG_OK) return status;
    out->device = device;
    out->count = host->count;
    out->features = host->features;
    out->classes = host->classes;
    if (device.kind == WG_DEVICE_CPU) {
        out->images = host->images;
        out->labels = host->labels;
        return WG_OK;
    }
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;
    int64_t floats = 0;
    status = wg_mul_i64(host->count, host->features, &floats);
    if (status == WG_OK && floats > INT64_MAX / 4) status = wg_fail(WG_ERR_OVERFLOW, "dataset too large");
    if (status == WG_OK)
        status = backend->alloc(device.index, (size_t)floats * sizeof(float), &out->owned_images);
    if (status == WG_OK)
        status = backend->alloc(device.index, (size_t)host->count, &out->owned_labels);
    if (status == WG_OK)
        status = backend->copy_from_host(device.index, out->owned_images, host->images,
                                         (size_t)floats * sizeof(float));
    if (status == WG_OK)
        status = backend->copy_from_host(device.index, out->owned_labels, host->labels,
                                         (size_t)host->count);
    if (status != WG_OK) {
        wg_fail_context(status, "copying %" PRId64 " examples to the device", host->count);
        wg_device_dataset_free(out);
        return status;
    }
    out->images = out->owned_images;
    out->labels = out->owned_labels;
    return WG_OK;
}

void wg_device_dataset_free(wg_device_dataset *data)
{
    if (!data) return;
    const wg_backend *backend =
        data->owned_images || data->owned_labels ? wg_backend_for(data->device) : NULL;
    if (backend) {
        if (data->owned_images) backend->release(data->device.index, data->owned_images);
        if (data->owned_labels) backend->release(data->device.index, data->owned_labels);
    }
    memset(data, 0, sizeof *data);
}

/* ---------------------------------------------------------------- trainer --------- */

void wg_trainer_free(wg_trainer *t)
{
    if (!t) return;
    const wg_backend *backend = t->model ? t->model->backend : NULL;
    wg_train_graphs_free(t, t->graphs);
    if (backend) {
        if (t->order) backend->release(t->options.device.index, t->order);
        if (t->x) backend->release(t->options.device.index, t->x);
        if (t->y) backend->release(t->options.device.index, t->y);
    }
    wg_mlp_free(t->model);
    wg_device_dataset_free(&t->train);
    wg_device_dataset_free(&t->test);
    free(t->order_host);
    free(t);
}

static wg_status check_options(const wg_train_options *o)
{
    if (o->hidden_layers < 0 || o->hidden_layers > WG_MLP_MAX_LAYERS - 1)
        return wg_fail(WG_ERR_ARGUMENT, "%d hidden layers; 0 to %d are supported",
                       o->hidden_layers, WG_MLP_MAX_LAYERS - 1);
    if (o->batch < 1 || o->batch > ((int64_t)1 << 20))
        return wg_fail(WG_ERR_ARGUMENT, "batch size %" PRId64 " is outside 1..%d", o->batch,
                       1 << 20);
    if (o->epochs < 1) return wg_fail(WG_ERR_ARGUMENT, "%" PRId64 " epochs; at least 1", o->epochs);
    if (o->max_steps < 0)
        return wg_fail(WG_ERR_ARGUMENT, "max_steps %" PRId64 " < 0", o->max_steps);
    if (!(o->lr > 0.0f) || !isfinite(o->lr))
        return wg_fail(WG_ERR_ARGUMENT, "learning rate %g is not a finite value > 0", (double)o->lr);
    if (o->optimizer.kind == WG_OPTIMIZER_SGD &&
        !(o->optimizer.momentum >= 0.0f && o->optimizer.momentum < 1.0f))
        return wg_fail(WG_ERR_ARGUMENT, "momentum %g is outside [0, 1)",
                       (double)o->optimizer.momentum);
    if (o->optimizer.kind == WG_OPTIMIZER_ADAM &&
        !(o->optimizer.beta1 >= 0.0f && o->optimizer.beta1 < 1.0f && o->optimizer.beta2 >= 0.0f &&
          o->optimizer.beta2 < 1.0f && o->optimizer.eps > 0.0f))
        return wg_fail(WG_ERR_ARGUMENT, "Adam's beta1 %g, beta2 %g (each in [0, 1)) or eps %g "
                       "(> 0) is out of range", (double)o->optimizer.beta1,
                       (double)o->optimizer.beta2, (double)o->optimizer.eps);
    return WG_OK;
}

wg_status wg_trainer_create(const wg_train_options *options, const wg_dataset *train,
                            const wg_dataset *test, wg_trainer **out)
{
    if (!options || !out) return wg_fail(WG_ERR_ARGUMENT, "trainer: NULL argument");
    wg_status status = check_options(options);
    if (status == WG_OK) status = check_host_dataset(train, "the training");
    if (status == WG_OK && test) status = check_host_dataset(test, "the test");
    if (status != WG_OK) return status;
    if (test && (test->features != train->features || test->classes != train->classes))
        return wg_fail(WG_ERR_SHAPE, "the test set (%" PRId64 " features, %d classes) does not "
                       "match the training set (%" PRId64 ", %d)", test->features,
                       test->classes, train->features, train->classes);
    status = wg_device_check(options->device);
    if (status != WG_OK) return status;

    wg_trainer *t = calloc(1, sizeof *t);
    if (!t) return wg_fail(WG_ERR_NO_MEMORY, "trainer: out of host memory");
    t->options = *options;
    const int64_t batch = options->batch < train->count ? options->batch : train->count;
    t->options.batch = batch;
    t->steps_per_epoch = (train->count + batch - 1) / batch;
    t->total_steps = options->epochs * t->steps_per_epoch;
    if (options->max_steps > 0 && options->max_steps < t->total_steps)
        t->total_steps = options->max_steps;

    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    const int layers = options->hidden_layers + 1;
    sizes[0] = train->features;
    for (int l = 0; l < options->hidden_layers; l++) sizes[l + 1] = options->hidden[l];
    sizes[layers] = train->classes;
    /* Evaluation batches use the same buffers: at least a few hundred rows. */
    const int64_t capacity = batch > 1024 ? batch : 1024;
    status = wg_mlp_create_epilogue(options->device, layers, sizes, capacity, options->dtype,
                                    options->epilogue, &t->model);
    if (status == WG_OK) status = wg_mlp_init(t->model, options->seed);
    /* gpu-epilogue: the cuBLASLt products of every batch size the run will see (full and
     * last training batch, full and last evaluation batch), so that whether the epilogues
     * fuse is decided once, before the first step */
    const int64_t sizes_seen[4] = {batch, train->count % batch, capacity,
                                   test ? test->count % capacity : 0};
    for (int i = 0; i < 4 && status == WG_OK; i++)
        if (sizes_seen[i] > 0) status = wg_mlp_lt_prepare(t->model, sizes_seen[i]);
    if (status == WG_OK) status = wg_device_dataset_upload(train, options->device, &t->train);
    if (status == WG_OK && test) status = wg_device_dataset_upload(test, options->device, &t->test);
    const wg_backend *backend = t->model ? t->model->backend : NULL;
    const int index = options->device.index;
    if (status == WG_OK) {
        t->order_host = malloc((size_t)train->count * sizeof *t->order_host);
        if (!t->order_host) status = wg_fail(WG_ERR_NO_MEMORY, "trainer: out of host memory");
    }
    if (status == WG_OK)
        status = backend->alloc(index, (size_t)train->count * sizeof(int32_t), (void **)&t->order);
    if (status == WG_OK)
        status = backend->alloc(index, (size_t)(batch * train->features) * sizeof(float),
                                (void **)&t->x);
    if (status == WG_OK) status = backend->alloc(index, (size_t)batch, (void **)&t->y);
    if (status == WG_OK) status = wg_train_graphs_create(t, &t->graphs);
    if (status != WG_OK) {
        wg_trainer_free(t);
        return status;
    }
    *out = t;
    return WG_OK;
}

/* The epoch's order: a Fisher-Yates shuffle whose draws come from the counter-based
 * generator keyed by (seed, epoch), so a run can be repeated, and resumed at any epoch. */
static void shuffle(int32_t *order, int64_t count, uint64_t seed, int64_t epoch)
{
    const uint64_t key = wg_rng_bits(seed ^ 0x73687566666c65ull, (uint64_t)epoch);
    for (int64_t i = 0; i < count; i++) order[i] = (int32_t)i;
    for (int64_t i = count - 1; i > 0; i--) {
        const int64_t j = (int64_t)(wg_rng_bits(key, (uint64_t)i) % (uint64_t)(i + 1));
        const int32_t tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

wg_status wg_trainer_step(wg_trainer *t)
{
    if (!t) return wg_fail(WG_ERR_ARGUMENT, "trainer step: NULL trainer");
    wg_mlp *model = t->model;
    const int index = t->options.device.index;
    wg_status status = WG_OK;
    if (t->position == 0) {
        shuffle(t->order_host, t->train.count, t->options.seed, t->epoch);
        status = model->backend->copy_from_host(index, t->order, t->order_host,
                                                (size_t)t->train.count * sizeof(int32_t));
        if (status != WG_OK) return status;
    }
    const int64_t left = t->train.count - t->position;
    const int64_t rows = left < t->options.batch ? left : t->options.batch;
    int replayed = 0; /* the step ran as a CUDA graph (train_graph.c) */
    status = wg_train_graphs_step(t, rows, &replayed);
    if (status == WG_OK && !replayed)
        status = model->nn->gather(index, t->train.images, t->train.labels, t->order,
                                   t->position, rows, t->train.features, t->x, t->y);
    const float lr = wg_lr_at(t->options.schedule, t->options.lr, t->step, t->total_steps);
    if (status == WG_OK && !replayed)
        status = wg_mlp_train_step(model, t->x, t->y, rows, &t->options.optimizer, lr);
    if (status != WG_OK) return status;
    t->step++;
    t->position += rows;
    if (t->position >= t->train.count) {
        t->position = 0;
        t->epoch++;
    }
    return WG_OK;
}

int wg_trainer_diverged(const wg_trainer *t) { return t && t->diverged; }

int wg_trainer_finished(const wg_trainer *t)
{
    if (!t) return 1;
    if (t->options.max_steps > 0 && t->step >= t->options.max_steps) return 1;
    return t->epoch >= t->options.epochs;
}

wg_status wg_trainer_evaluate(wg_trainer *t, const wg_device_dataset *data, double *loss,
                              double *accuracy)
{
    if (!t || !data || !loss || !accuracy)
        return wg_fail(WG_ERR_ARGUMENT, "evaluate: NULL argument");
    if (data->count < 1) return wg_fail(WG_ERR_ARGUMENT, "evaluate: empty dataset");
    if (data->features != t->model->sizes[0])
        return wg_fail(WG_ERR_SHAPE, "evaluate: %" PRId64 " features, the model takes %" PRId64,
                       data->features, t->model->sizes[0]);
    wg_mlp *model = t->model;
    wg_status status = wg_mlp_stats_reset(model);
    for (int64_t first = 0; first < data->count && status == WG_OK; first += model->capacity) {
        const int64_t left = data->count - first;
        const int64_t rows = left < model->capacity ? left : model->capacity;
        status = wg_mlp_forward(model, data->images + first * data->features, rows);
        if (status == WG_OK) status = wg_mlp_loss(model, data->labels + first, rows, 0);
    }
    wg_nn_stats stats = {0, 0};
    if (status == WG_OK) status = wg_mlp_stats_read(model, &stats);
    if (status != WG_OK) return status;
    *loss = stats.loss_sum / (double)data->count;
    *accuracy = stats.correct / (double)data->count;
    return WG_OK;
}

wg_status wg_trainer_run_epoch(wg_trainer *t, wg_train_progress_fn progress, void *context,
                               wg_epoch_result *out)
{
    if (!t || !out) return wg_fail(WG_ERR_ARGUMENT, "run epoch: NULL argument");
    if (wg_trainer_finished(t)) return wg_fail(WG_ERR_ARGUMENT, "run epoch: training is finished");
    memset(out, 0, sizeof *out);
    wg_mlp *model = t->model;
    const wg_device device = t->options.device;
    const int64_t epoch = t->epoch;
    out->epoch = epoch + 1;
    wg_status status = wg_mlp_stats_reset(model);
    if (status == WG_OK) status = wg_synchronize(device);
    if (status != WG_OK) return status;
    const double start = wg_now();
    int64_t images = 0, steps = 0, checked_step = t->step;
    /* Divergence is caught by the loss going non-finite: read after every step on the CPU
     * (no cost), every 32 steps on a GPU (a read waits for the device). */
    const int64_t check_every = device.kind == WG_DEVICE_CPU ? 1 : 32;
    wg_nn_stats stats = {0, 0};
    while (status == WG_OK && t->epoch == epoch && !wg_trainer_finished(t)) {
        const int64_t before = t->position;
        out->lr = wg_lr_at(t->options.schedule, t->options.lr, t->step, t->total_steps);
        status = wg_trainer_step(t);
        if (status != WG_OK) break;
        images += (t->position == 0 ? t->train.count : t->position) - before;
        steps++;
        if (progress) progress(context, epoch + 1, steps, t->steps_per_epoch);
        if (steps % check_every == 0) {
            status = wg_mlp_stats_read(model, &stats);
            if (status == WG_OK && !isfinite(stats.loss_sum)) break;
            checked_step = t->step;
        }
    }
    if (status == WG_OK) status = wg_synchronize(device);
    out->seconds = wg_now() - start;
    if (status == WG_OK) status = wg_mlp_stats_read(model, &stats);
    if (status != WG_OK) return status;
    if (!isfinite(stats.loss_sum)) {
        t->diverged = 1;
        if (t->step == checked_step + 1)
            return wg_fail(WG_ERR_BACKEND, "training diverged: the loss is %g at step %" PRId64
                           " (epoch %" PRId64 ", learning rate %g); try a smaller --lr",
                           stats.loss_sum, t->step, epoch + 1, (double)out->lr);
        return wg_fail(WG_ERR_BACKEND, "training diverged: the loss became %g between steps %"
                       PRId64 " and %" PRId64 " (epoch %" PRId64 ", learning rate %g); try a "
                       "smaller --lr", stats.loss_sum, checked_step + 1, t->step, epoch + 1,
                       (double)out->lr);
    }
    out->steps = steps;
    out->images = images;
    out->images_per_s = out->seconds > 0 ? (double)images / out->seconds : 0.0;
    out->train_loss = stats.loss_sum / (double)images;
    out->train_accuracy = stats.correct / (double)images;
    out->test_loss = NAN;
    out->test_accuracy = NAN;
    if (t->test.count > 0) {
        const double eval_start = wg_now();
        status = wg_trainer_evaluate(t, &t->test, &out->test_loss, &out->test_accuracy);
        out->eval_seconds = wg_now() - eval_start;
    }
    return status;
}

wg_status wg_trainer_save(const wg_trainer *t, const char *path)
{
    if (!t || !path) return wg_fail(WG_ERR_ARGUMENT, "save: NULL argument");
    if (t->diverged)
        return wg_fail(WG_ERR_ARGUMENT, "not saving %s: training has diverged; the file is "
                       "left as it was", path);
    return wg_mlp_save(t->model, path, t->options.optimizer.kind, t->epoch, t->step,
                       t->options.seed);
}

wg_status wg_trainer_load(wg_trainer *t, const char *path, wg_mlp_checkpoint_info *info)
{
    if (!t || !path) return wg_fail(WG_ERR_ARGUMENT, "load: NULL argument");
    wg_mlp_checkpoint_info local;
    wg_status status = wg_mlp_load(t->model, path, t->options.optimizer.kind, &local);
    if (status != WG_OK) return status;
    if (local.epoch < 0 || local.step < 0 || local.epoch > INT32_MAX) /* epoch * steps fits */
        return wg_fail(WG_ERR_ARGUMENT, "checkpoint %s: epoch %" PRId64 " or step %" PRId64
                       " is out of range (epochs 0..%d)", path, local.epoch, local.step,
                       INT32_MAX);
    /* Training resumes at the start of the first epoch not completed (a checkpoint saved
     * in the middle of one, after --steps, repeats that epoch), with the schedule's
     * position taken from the epochs done, so a different batch size resumes too. */
    t->epoch = local.epoch;
    t->step = local.epoch * t->steps_per_epoch;
    t->position = 0;
    if (info) *info = local;
    return WG_OK;
}

wg_status wg_trainer_evaluate_test(wg_trainer *t, double *loss, double *accuracy)
{
    if (!t || !loss || !accuracy) return wg_fail(WG_ERR_ARGUMENT, "evaluate: NULL argument");
    if (t->test.count == 0) return wg_fail(WG_ERR_ARGUMENT, "evaluate: the trainer has no test set");
    return wg_trainer_evaluate(t, &t->test, loss, accuracy);
}

wg_status wg_trainer_info_get(const wg_trainer *t, wg_trainer_info *out)
{
    if (!t || !out) return wg_fail(WG_ERR_ARGUMENT, "trainer info: NULL argument");
    memset(out, 0, sizeof *out);
    const wg_mlp *model = t->model;
    out->options = t->options;
    wg_mlp_describe(model, out->model, sizeof out->model);
    out->layers = model->layers;
    for (int l = 0; l <= model->layers; l++) out->sizes[l] = model->sizes[l];
    for (int i = 0; i < model->param_tensors; i++) out->parameters += model->params[i].count;
    out->train_images = t->train.count;
    out->test_images = t->test.count;
    out->steps_per_epoch = t->steps_per_epoch;
    out->total_steps = t->total_steps;
    out->epoch = t->epoch;
    out->step = t->step;
    out->mid_epoch = t->position != 0;
    wg_train_graphs_describe(t->graphs, out->step_mode, sizeof out->step_mode, &out->graph_steps);
    wg_epilogue_plan_describe(&model->epilogue, out->epilogue, sizeof out->epilogue);
    /* launches are a GPU's cost: the CPU's step is one parallel region */
    if (t->options.device.kind == WG_DEVICE_CUDA)
        out->step_launches = wg_epilogue_plan_step_launches(&model->epilogue,
                                                            out->graph_steps > 0);
    return WG_OK;
}
