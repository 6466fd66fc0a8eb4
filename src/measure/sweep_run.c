/*
 * sweep_run.c - one cell of the size sweep (whygpu_lab.h, "sweep"): a point's random inputs
 * in host memory, and a column (the CPU, the GPU with the data resident, the GPU with the
 * copies) timed and checked by wg_op_measure; mlp-step has its own cell (sweep_mlp.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "sweep.h"

#define MATMUL_CHECK_SAMPLES 64

void wg_sweep_inputs_free(wg_sweep_inputs *inputs)
{
    if (!inputs) return;
    wg_op_inputs_free(&inputs->data);
    wg_tensor_free(inputs->batch);
    free(inputs->labels);
    memset(inputs, 0, sizeof *inputs);
}

/* The sweep's ops as wg_op's: n x n matmul, vectors of `size` elements otherwise. */
static const wg_op_kind op_kinds[] = {WG_OP_MATMUL, WG_OP_MUL, WG_OP_ADD, WG_OP_RELU};

wg_status wg_sweep_inputs_create(wg_sweep_op op, int64_t size, uint64_t seed,
                                 wg_sweep_inputs *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: NULL output");
    memset(out, 0, sizeof *out);
    if (op < 0 || op >= WG_SWEEP_OP_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: unknown op %d", (int)op);
    if (size < 1) return wg_fail(WG_ERR_ARGUMENT, "sweep inputs: size %lld < 1", (long long)size);
    out->op = op;
    out->size = size;
    out->seed = seed;
    if (op != WG_SWEEP_MLP_STEP) {
        const int matmul = op == WG_SWEEP_MATMUL;
        const wg_op spec = {.kind = op_kinds[op], .m = matmul ? size : 1, .n = size,
                            .k = matmul ? size : 0, .seed = seed,
                            .check_samples = matmul ? MATMUL_CHECK_SAMPLES : 0};
        return wg_op_inputs_create(&spec, &out->data);
    }
    /* a batch of "images" in [0, 1) and labels 0..9, as the MLP trains on */
    const int64_t shape[2] = {size, wg_sweep_mlp_sizes[0]};
    wg_status status = wg_tensor_rand(2, shape, 0.0f, 1.0f, seed, wg_cpu(), &out->batch);
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

wg_status wg_sweep_measure(const wg_sweep_inputs *inputs, wg_sweep_column column,
                           wg_device gpu, const wg_kernel *kernel,
                           const wg_timeit_options *timing, wg_sweep_cell *out)
{
    if (inputs && inputs->op == WG_SWEEP_MLP_STEP)
        return wg_sweep_measure_mlp_step(inputs, column, gpu, timing, out);
    if (!inputs || !inputs->data.a || !out)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: NULL inputs or output");
    if (column < 0 || column >= WG_SWEEP_COLUMN_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: unknown column %d", (int)column);
    memset(out, 0, sizeof *out);
    if (column != WG_SWEEP_CPU && gpu.kind == WG_DEVICE_CPU)
        return wg_fail(WG_ERR_ARGUMENT, "sweep measure: the GPU columns need a GPU device, not cpu");
    const wg_device device = column == WG_SWEEP_CPU ? wg_cpu() : gpu;
    const wg_op_run run = {.device = device,
                           .kernel = kernel && kernel->device == device.kind ? kernel : NULL,
                           .with_copies = column == WG_SWEEP_GPU_COPIES, .timing = timing};
    wg_op_result result;
    wg_status status = wg_op_measure(&inputs->data, &run, &result);
    out->measured = result.measured;
    out->time = result.time;
    out->check_error = result.check_error;
    out->check_tolerance = result.check_bound;
    out->check_passed = result.check_passed;
    out->precision = result.kernel ? result.kernel->precision : WG_PRECISION_FP32;
    return status;
}
