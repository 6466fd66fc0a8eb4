/*
 * sweep_mlp.c - the sweep's mlp-step op (see sweep.h): the time of one SGD training step of
 * the 784-512-256-10 MLP (src/nn/mlp.h) against the batch size, on the CPU, on the GPU with
 * the batch already there, and on the GPU with the batch copied in for every step (what a
 * training loop pays that keeps its dataset in host memory).
 *
 * The check before the timing is trusted: one step from the same He initialisation on the
 * CPU and on the column's device; the GPU's parameters must match the CPU's, and the CPU's
 * must be finite and changed by the step (the MLP's gradients are checked against float64
 * finite differences in tests/test_mlp.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend.h"
#include "../error.h"
#include "../nn/mlp.h"
#include "sweep.h"

#define MLP_SEED 7
#define MLP_LR 0.01f
/* Same step, two devices: float32 sums in different orders differ by a few ulps of the
 * largest weights; a wrong kernel is off by far more. */
#define MLP_MATCH_TOLERANCE 1e-4

typedef struct mlp_call {
    wg_mlp *model;
    const float *x;         /* in the model's device memory */
    const uint8_t *labels;
    int64_t rows;
    wg_optimizer optimizer;
    /* the copies column: the host batch and where it goes */
    const wg_backend *backend;
    int index;
    const float *host_x;
    const uint8_t *host_labels;
} mlp_call;

static wg_status call_step(void *context)
{
    mlp_call *call = context;
    return wg_mlp_train_step(call->model, call->x, call->labels, call->rows, &call->optimizer,
                             MLP_LR);
}

static wg_status call_step_with_copies(void *context)
{
    mlp_call *call = context;
    size_t features = (size_t)wg_sweep_mlp_sizes[0];
    wg_status status = call->backend->copy_from_host(call->index, (void *)call->x, call->host_x,
                                                     (size_t)call->rows * features * sizeof(float));
    if (status == WG_OK)
        status = call->backend->copy_from_host(call->index, (void *)call->labels,
                                               call->host_labels, (size_t)call->rows);
    if (status == WG_OK) status = call_step(call);
    return status;
}

/* A fresh model on `device`, He-initialised from MLP_SEED. */
static wg_status make_model(wg_device device, int64_t rows, wg_mlp **out)
{
    wg_status status = wg_mlp_create(device, WG_SWEEP_MLP_LAYERS, wg_sweep_mlp_sizes, rows, out);
    if (status == WG_OK) status = wg_mlp_init(*out, MLP_SEED);
    if (status != WG_OK && *out) {
        wg_mlp_free(*out);
        *out = NULL;
    }
    return status;
}

/* One step from the same start on the CPU and on `device` (x, labels in its memory), then
 * every parameter tensor compared: max |w_dev - w_cpu| / max |w_cpu|. On the CPU itself:
 * 0 when the parameters are finite and the step changed them, else infinity. */
static wg_status check_step(const wg_sweep_inputs *in, wg_device device, const float *x,
                            const uint8_t *labels, wg_sweep_cell *cell)
{
    wg_mlp *cpu = NULL, *dev = NULL, *before = NULL;
    wg_optimizer sgd = {WG_OPTIMIZER_SGD, 0.9f, 0.9f, 0.999f, 1e-8f};
    const float *cpu_x = wg_tensor_host_data(in->batch);
    wg_status status = make_model(wg_cpu(), in->size, &cpu);
    if (status == WG_OK) status = make_model(wg_cpu(), in->size, &before);
    if (status == WG_OK) status = wg_mlp_train_step(cpu, cpu_x, in->labels, in->size, &sgd, MLP_LR);
    int on_cpu = device.kind == WG_DEVICE_CPU;
    if (status == WG_OK && !on_cpu) status = make_model(device, in->size, &dev);
    if (status == WG_OK && !on_cpu) status = wg_mlp_train_step(dev, x, labels, in->size, &sgd, MLP_LR);
    if (status == WG_OK && !on_cpu) status = wg_synchronize(device);
    int64_t largest = 0;
    for (int t = 0; cpu && t < cpu->param_tensors; t++)
        if (cpu->params[t].count > largest) largest = cpu->params[t].count;
    float *want = status == WG_OK ? malloc((size_t)largest * sizeof(float)) : NULL;
    float *got = status == WG_OK ? malloc((size_t)largest * sizeof(float)) : NULL;
    if (status == WG_OK && (!want || !got))
        status = wg_fail(WG_ERR_NO_MEMORY, "sweep mlp-step check: out of host memory");
    double scale = 0, difference = 0;
    int changed = 0, finite = 1;
    for (int t = 0; status == WG_OK && t < cpu->param_tensors; t++) {
        status = wg_mlp_read(cpu, WG_MLP_PARAMS, t, want);
        if (status == WG_OK) status = wg_mlp_read(on_cpu ? before : dev, WG_MLP_PARAMS, t, got);
        for (int64_t i = 0; status == WG_OK && i < cpu->params[t].count; i++) {
            double w = want[i], g = got[i];
            if (!isfinite(w) || !isfinite(g)) finite = 0;
            if (fabs(w) > scale) scale = fabs(w);
            if (fabs(w - g) > difference) difference = fabs(w - g);
            changed |= w != g;
        }
    }
    if (status == WG_OK) {
        if (on_cpu) /* `got` is the model before the step: it must differ */
            cell->check_error = finite && changed ? 0.0 : INFINITY;
        else
            cell->check_error = finite && scale > 0 ? difference / scale : INFINITY;
        cell->check_tolerance = on_cpu ? 0.0 : MLP_MATCH_TOLERANCE;
        cell->check_passed = cell->check_error <= cell->check_tolerance;
    }
    free(want);
    free(got);
    wg_mlp_free(cpu);
    wg_mlp_free(before);
    wg_mlp_free(dev);
    return status;
}

wg_status wg_sweep_measure_mlp_step(const wg_sweep_inputs *inputs, wg_sweep_column column,
                                    wg_device gpu, const wg_timeit_options *timing,
                                    wg_sweep_cell *out)
{
    if (!inputs || !inputs->batch || !inputs->labels || !out)
        return wg_fail(WG_ERR_ARGUMENT, "sweep mlp-step: NULL inputs or output");
    if (column < 0 || column >= WG_SWEEP_COLUMN_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "sweep mlp-step: unknown column %d", (int)column);
    memset(out, 0, sizeof *out);
    wg_device device = column == WG_SWEEP_CPU ? wg_cpu() : gpu;
    if (column != WG_SWEEP_CPU && gpu.kind == WG_DEVICE_CPU)
        return wg_fail(WG_ERR_ARGUMENT, "sweep mlp-step: the GPU columns need a GPU device, not cpu");
    wg_status status = wg_device_check(device);
    if (status != WG_OK) return status;
    const int64_t rows = inputs->size;
    const size_t x_bytes = (size_t)rows * (size_t)wg_sweep_mlp_sizes[0] * sizeof(float);
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;

    mlp_call call;
    memset(&call, 0, sizeof call);
    call.rows = rows;
    call.optimizer = (wg_optimizer){WG_OPTIMIZER_SGD, 0.9f, 0.9f, 0.999f, 1e-8f};
    void *x = NULL, *labels = NULL;
    if (column == WG_SWEEP_CPU) {
        call.x = wg_tensor_host_data(inputs->batch);
        call.labels = inputs->labels;
    } else {
        status = backend->alloc(device.index, x_bytes, &x);
        if (status == WG_OK) status = backend->alloc(device.index, (size_t)rows, &labels);
        if (status == WG_OK)
            status = backend->copy_from_host(device.index, x, wg_tensor_host_data(inputs->batch), x_bytes);
        if (status == WG_OK)
            status = backend->copy_from_host(device.index, labels, inputs->labels, (size_t)rows);
        call.x = x;
        call.labels = labels;
    }
    if (status == WG_OK) status = make_model(device, rows, &call.model);
    if (status == WG_OK) {
        wg_timeit_fn fn = call_step;
        if (column == WG_SWEEP_GPU_COPIES) {
            call.backend = backend;
            call.index = device.index;
            call.host_x = wg_tensor_host_data(inputs->batch);
            call.host_labels = inputs->labels;
            fn = call_step_with_copies;
        }
        /* energy of the timing alone (not the check), per step: the window's average
         * power x the median time of a step */
        wg_energy_meter meter;
        wg_energy_reading window;
        (void)wg_energy_start(device, &meter);
        status = wg_timeit(device, fn, &call, timing, &out->time);
        (void)wg_energy_stop(&meter, &window);
        if (status == WG_OK) (void)wg_energy_scaled(&window, out->time.median_s, &out->energy);
    }
    wg_mlp_free(call.model);
    if (status == WG_OK) {
        out->measured = 1;
        status = check_step(inputs, device, call.x, call.labels, out);
    }
    if (x) backend->release(device.index, x);
    if (labels) backend->release(device.index, labels);
    return status;
}
