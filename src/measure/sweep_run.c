/*
 * sweep_run.c - measuring one cell of the size sweep (see sweep.h): random inputs in host
 * memory; the op timed with wg_timeit on the CPU, on the GPU with the data already there,
 * or on the GPU with the copies a user starting from host memory pays (inputs to the
 * device, the op, the output back); then the output of the last call checked against a
 * float64 reference before the timing is trusted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend.h"
#include "../error.h"
#include "sweep.h"

#define MATMUL_CHECK_SAMPLES 64
/* One float32 rounding of a correctly rounded product or sum (2^-24 ~ 6e-8). */
#define ELEMENTWISE_TOLERANCE 1e-7

static int shape_of(wg_sweep_op op, int64_t size, int64_t shape[2])
{
    shape[0] = size;
    shape[1] = op == WG_SWEEP_MLP_STEP ? wg_sweep_mlp_sizes[0] : size;
    return op == WG_SWEEP_MATMUL || op == WG_SWEEP_MLP_STEP ? 2 : 1;
}

void wg_sweep_inputs_free(wg_sweep_inputs *inputs)
{
    if (!inputs) return;
    wg_tensor_free(inputs->a);
    wg_tensor_free(inputs->b);
    wg_tensor_free(inputs->out);
    free(inputs->readback);
    free(inputs->labels);
    memset(inputs, 0, sizeof *inputs);
}

wg_status wg_sweep_inputs_create(wg_sweep_op op, int64_t size, uint64_t seed,
                                 wg_sweep_inputs *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: NULL output");
    memset(out, 0, sizeof *out);
    if (op < 0 || op >= WG_SWEEP_OP_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: unknown op %d", (int)op);
    if (size < 1) return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: size %lld < 1", (long long)size);
    int64_t shape[2];
    int rank = shape_of(op, size, shape);
    int64_t numel = 0;
    wg_status status = wg_shape_numel(rank, shape, &numel);
    if (status != WG_OK) return status;
    out->op = op;
    out->size = size;
    out->seed = seed;
    if (op == WG_SWEEP_MLP_STEP) {
        /* a batch of "images" in [0, 1) and labels 0..9, as the MLP trains on */
        status = wg_tensor_rand(rank, shape, 0.0f, 1.0f, seed, wg_cpu(), &out->a);
        out->labels = status == WG_OK ? malloc((size_t)size) : NULL;
        if (status == WG_OK && !out->labels)
            status = wg_fail(WG_ERR_NO_MEMORY, "sweep inputs: cannot allocate %lld labels",
                             (long long)size);
        uint64_t h = seed;
        for (int64_t i = 0; status == WG_OK && i < size; i++) {
            h = h * 6364136223846793005ull + 1442695040888963407ull;
            out->labels[i] = (uint8_t)((h >> 33) % (uint64_t)wg_sweep_mlp_sizes[WG_SWEEP_MLP_LAYERS]);
        }
        if (status != WG_OK) {
            char message[512];
            snprintf(message, sizeof message, "%s", wg_error_message());
            wg_sweep_inputs_free(out);
            return wg_fail(status, "%s", message);
        }
        return WG_OK;
    }
    status = wg_tensor_rand(rank, shape, -1.0f, 1.0f, seed, wg_cpu(), &out->a);
    if (status == WG_OK && op != WG_SWEEP_RELU)
        status = wg_tensor_rand(rank, shape, -1.0f, 1.0f, seed + 1, wg_cpu(), &out->b);
    if (status == WG_OK) status = wg_tensor_empty(rank, shape, wg_cpu(), &out->out);
    if (status == WG_OK) {
        out->readback = malloc((size_t)numel * sizeof(float));
        if (!out->readback)
            status = wg_fail(WG_ERR_NO_MEMORY, "sweep inputs: cannot allocate %lld floats for "
                             "the GPU result", (long long)numel);
    }
    if (status != WG_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", wg_error_message());
        wg_sweep_inputs_free(out);
        return wg_fail(status, "%s", message);
    }
    return WG_OK;
}

/* ---------------------------------------------------------------- timed calls ----- */

typedef struct sweep_call {
    wg_sweep_op op;
    const wg_tensor *a, *b; /* on the column's device */
    wg_tensor *out;
    /* the copies column: host sources and destination, and the device's copy functions */
    const wg_backend *backend;
    int index;
    const float *host_a, *host_b;
    float *host_out;
    size_t bytes;           /* of one operand */
} sweep_call;

static wg_status run_op(const sweep_call *call)
{
    switch (call->op) {
    case WG_SWEEP_MATMUL: return wg_matmul(call->a, call->b, call->out);
    case WG_SWEEP_MUL: return wg_mul(call->a, call->b, call->out);
    case WG_SWEEP_ADD: return wg_add(call->a, call->b, call->out);
    case WG_SWEEP_RELU: return wg_relu(call->a, call->out);
    default: return wg_fail(WG_ERR_ARGUMENT, "sweep: unknown op %d", (int)call->op);
    }
}

static wg_status call_resident(void *context)
{
    return run_op(context);
}

/* What a user starting from host memory pays: inputs in, op, output out. */
static wg_status call_with_copies(void *context)
{
    const sweep_call *call = context;
    wg_status status = call->backend->copy_from_host(
        call->index, wg_tensor_data((wg_tensor *)call->a), call->host_a, call->bytes);
    if (status == WG_OK && call->b)
        status = call->backend->copy_from_host(call->index, wg_tensor_data((wg_tensor *)call->b),
                                               call->host_b, call->bytes);
    if (status == WG_OK) status = run_op(call);
    if (status == WG_OK)
        status = call->backend->copy_to_host(call->index, call->host_out,
                                             wg_tensor_data(call->out), call->bytes);
    return status;
}

/* ---------------------------------------------------------------- the check ------- */

static void check_output(const wg_sweep_inputs *in, const float *got, wg_sweep_cell *cell)
{
    const float *a = wg_tensor_host_data(in->a);
    const float *b = in->b ? wg_tensor_host_data(in->b) : NULL;
    if (in->op == WG_SWEEP_MATMUL) {
        cell->check_error = wg_matmul_sampled_error(a, b, got, in->size, in->size, in->size,
                                                    MATMUL_CHECK_SAMPLES, in->seed);
        cell->check_tolerance = wg_matmul_fp32_tolerance(in->size);
    } else {
        double worst = 0.0;
        for (int64_t i = 0; i < in->size; i++) {
            double x = a[i], want;
            switch (in->op) {
            case WG_SWEEP_MUL: want = x * (double)b[i]; break;
            case WG_SWEEP_ADD: want = x + (double)b[i]; break;
            default: want = x > 0 ? x : 0.0; break;
            }
            double error = fabs((double)got[i] - want) / (want != 0 ? fabs(want) : 1.0);
            if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
        }
        cell->check_error = worst;
        cell->check_tolerance = ELEMENTWISE_TOLERANCE;
    }
    cell->check_passed = cell->check_error <= cell->check_tolerance;
}

/* ---------------------------------------------------------------- one cell -------- */

wg_status wg_sweep_measure(const wg_sweep_inputs *inputs, wg_sweep_column column,
                           wg_device gpu, const wg_timeit_options *timing, wg_sweep_cell *out)
{
    if (inputs && inputs->op == WG_SWEEP_MLP_STEP)
        return wg_sweep_measure_mlp_step(inputs, column, gpu, timing, out);
    if (!inputs || !inputs->a || !inputs->out || !out)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: NULL inputs or output");
    if (column < 0 || column >= WG_SWEEP_COLUMN_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: unknown column %d", (int)column);
    memset(out, 0, sizeof *out);
    sweep_call call;
    memset(&call, 0, sizeof call);
    call.op = inputs->op;
    if (column == WG_SWEEP_CPU) {
        call.a = inputs->a;
        call.b = inputs->b;
        call.out = inputs->out;
        wg_status status = wg_timeit(wg_cpu(), call_resident, &call, timing, &out->time);
        if (status != WG_OK) return status;
        out->measured = 1;
        check_output(inputs, wg_tensor_host_data(inputs->out), out);
        return WG_OK;
    }

    if (gpu.kind == WG_DEVICE_CPU)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: the GPU columns need a GPU device, not cpu");
    wg_status status = wg_device_check(gpu);
    if (status != WG_OK) return status;
    wg_tensor *a = NULL, *b = NULL, *result = NULL;
    status = wg_tensor_to(inputs->a, gpu, &a);
    if (status == WG_OK && inputs->b) status = wg_tensor_to(inputs->b, gpu, &b);
    if (status == WG_OK) status = wg_tensor_empty_like(a, &result);
    if (status == WG_OK) {
        call.a = a;
        call.b = b;
        call.out = result;
        wg_timeit_fn fn = call_resident;
        if (column == WG_SWEEP_GPU_COPIES) {
            call.backend = wg_backend_for(gpu);
            call.index = gpu.index;
            call.host_a = wg_tensor_host_data(inputs->a);
            call.host_b = inputs->b ? wg_tensor_host_data(inputs->b) : NULL;
            call.host_out = inputs->readback;
            call.bytes = (size_t)wg_tensor_numel(inputs->a) * sizeof(float);
            fn = call_with_copies;
            if (!call.backend) status = WG_ERR_NO_DEVICE; /* message set by wg_backend_for */
        }
        if (status == WG_OK) status = wg_timeit(gpu, fn, &call, timing, &out->time);
        /* The copies column brought the output back itself; the other reads it now. */
        if (status == WG_OK && column == WG_SWEEP_GPU)
            status = wg_tensor_to_host(result, inputs->readback, wg_tensor_numel(result));
    }
    if (status == WG_OK) {
        out->measured = 1;
        check_output(inputs, inputs->readback, out);
    }
    wg_tensor_free(a);
    wg_tensor_free(b);
    wg_tensor_free(result);
    return status;
}
