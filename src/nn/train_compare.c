/*
 * train_compare.c - the CPU against a GPU (wg_train_compare, whygpu_lab.h): the same steps
 * from the same seed on both devices, the time per step and the first steps' losses of
 * each, the speed-up and whether the losses agree. The timing lives here, not in the CLI,
 * so that every caller measures the same way.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "train.h"
#include "train_graph.h"

/* The first `loss_steps` steps one by one, reading each batch's loss back (this waits for
 * the device, so they also serve as warm-up); then the rest timed as a block, the device
 * synchronised at both ends. */
static wg_status compare_on(const wg_train_options *options, const wg_dataset *train,
                            wg_train_compare_result *result, int index,
                            wg_train_compare_progress_fn progress, void *context)
{
    wg_train_compare_run *run = &result->runs[index];
    wg_train_options o = *options;
    o.device = run->device;
    o.batch = result->batch;
    o.max_steps = result->steps;
    o.epochs = 1000000; /* max_steps decides */
    wg_status status = wg_device_check(run->device);
    wg_trainer *t = NULL;
    if (status == WG_OK) status = wg_trainer_create(&o, train, NULL, &t);
    if (status != WG_OK) return status;
    /* the step counts only of a run that starts (a run that could not start says 0) */
    run->steps = result->steps;
    run->loss_steps = result->steps / 2 < WG_TRAIN_COMPARE_LOSS_STEPS
                          ? result->steps / 2 : WG_TRAIN_COMPARE_LOSS_STEPS;
    run->timed_steps = result->steps - run->loss_steps;
    if (progress) progress(context, result, index, "first steps");
    for (int64_t s = 0; s < run->loss_steps && status == WG_OK; s++) {
        const int64_t left = t->train.count - t->position;
        const int64_t rows = left < t->options.batch ? left : t->options.batch;
        wg_nn_stats stats;
        status = wg_mlp_stats_reset(t->model);
        if (status == WG_OK) status = wg_trainer_step(t);
        if (status == WG_OK) status = wg_mlp_stats_read(t->model, &stats);
        if (status == WG_OK) run->losses[s] = stats.loss_sum / (double)rows;
    }
    if (progress && status == WG_OK) progress(context, result, index, "timed steps");
    if (status == WG_OK) status = wg_synchronize(run->device);
    wg_energy_meter meter; /* the timed steps' energy (unavailable: the reason) */
    (void)wg_energy_start(run->device, &meter);
    const double start = wg_now();
    for (int64_t s = 0; s < run->timed_steps && status == WG_OK; s++) status = wg_trainer_step(t);
    if (status == WG_OK) status = wg_synchronize(run->device);
    run->seconds = wg_now() - start;
    (void)wg_energy_stop(&meter, &run->energy);
    if (status == WG_OK) {
        run->ran = 1;
        run->seconds_per_step = run->seconds / (double)run->timed_steps;
        run->images_per_s = (double)(run->timed_steps * t->options.batch) / run->seconds;
    }
    wg_train_graphs_describe(t->graphs, run->step_mode, sizeof run->step_mode, NULL);
    wg_trainer_info info; /* gpu-epilogue: which epilogues ran, and the launches a step */
    if (wg_trainer_info_get(t, &info) == WG_OK) {
        snprintf(run->epilogue, sizeof run->epilogue, "%s", info.epilogue);
        run->step_launches = info.step_launches;
    }
    wg_trainer_free(t);
    if (progress) progress(context, result, index, NULL);
    return status;
}

/* The model string and parameter count the options give for this dataset. */
static void plan_model(const wg_train_options *o, const wg_dataset *train,
                       wg_train_compare_result *out)
{
    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    const int layers = o->hidden_layers + 1;
    sizes[0] = train->features;
    for (int l = 0; l < o->hidden_layers; l++) sizes[l + 1] = o->hidden[l];
    sizes[layers] = train->classes;
    wg_mlp_describe_sizes(layers, sizes, out->model, sizeof out->model);
    for (int l = 0; l < layers; l++) out->parameters += sizes[l] * sizes[l + 1] + sizes[l + 1];
}

double wg_train_compare_tolerance(wg_dtype dtype)
{
    return dtype == WG_DTYPE_BF16 ? WG_TRAIN_COMPARE_TOLERANCE_BF16 : WG_TRAIN_COMPARE_TOLERANCE;
}

wg_status wg_train_compare(const wg_train_options *options, const wg_dataset *train,
                           wg_train_compare_progress_fn progress, void *context,
                           wg_train_compare_result *out)
{
    if (!options || !train || !out) return wg_fail(WG_ERR_ARGUMENT, "train compare: NULL argument");
    memset(out, 0, sizeof *out);
    out->speedup = NAN;
    out->loss_max_relative_difference = NAN;
    out->tolerance = wg_train_compare_tolerance(options->dtype);
    if (train->count < 1 || options->batch < 1 || options->max_steps < 0 ||
        options->hidden_layers < 0 || options->hidden_layers > WG_MLP_MAX_LAYERS - 1)
        return wg_fail(WG_ERR_ARGUMENT, "train compare: %" PRId64 " training images, batch %"
                       PRId64 ", %" PRId64 " steps, %d hidden layers", train->count,
                       options->batch, options->max_steps, options->hidden_layers);
    out->batch = options->batch < train->count ? options->batch : train->count;
    out->steps = options->max_steps > 0 ? options->max_steps
                                        : (train->count + out->batch - 1) / out->batch;
    if (out->steps < 2)
        return wg_fail(WG_ERR_ARGUMENT, "the comparison needs at least 2 steps, got %" PRId64,
                       out->steps);
    plan_model(options, train, out);
    out->runs[0].device = wg_cpu();
    out->runs[1].device = options->device;
    wg_status first_failure = WG_OK;
    for (int i = 0; i < 2; i++) {
        wg_train_compare_run *run = &out->runs[i];
        const wg_status status = compare_on(options, train, out, i, progress, context);
        if (status != WG_OK) {
            snprintf(run->error, sizeof run->error, "%s", wg_error_message());
            if (first_failure == WG_OK) first_failure = status;
        }
    }
    if (!out->runs[0].ran || !out->runs[1].ran) {
        /* the message of the run that failed first, which the status is */
        const wg_train_compare_run *failed = out->runs[0].ran ? &out->runs[1] : &out->runs[0];
        char device[32];
        return wg_fail(first_failure, "%s could not run: %s",
                       wg_device_format(failed->device, device, sizeof device), failed->error);
    }
    double max_diff = 0;
    for (int64_t s = 0; s < out->runs[0].loss_steps; s++) {
        const double a = out->runs[0].losses[s], b = out->runs[1].losses[s];
        const double diff = fabs(a - b) / fmax(1.0, fabs(a));
        if (!(diff <= max_diff)) max_diff = diff; /* NaN sticks */
    }
    out->loss_max_relative_difference = max_diff;
    out->agree = max_diff <= out->tolerance;
    out->speedup = out->runs[0].seconds_per_step / out->runs[1].seconds_per_step;
    return WG_OK;
}
