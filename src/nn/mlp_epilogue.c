/*
 * mlp_epilogue.c - the model's forward and backward passes with cuBLASLt fused epilogues
 * (train --epilogue lt; the plan is epilogue_plan.h, the products ../cuda/lt_gemm.h).
 *
 * The products of each batch size are made once (descriptors, layouts, the heuristic's
 * algorithm) and kept in a few slots - a training run sees at most four sizes: the full
 * and last training batch, the full and last evaluation batch. A product Lt refuses
 * switches the whole model to its own kernels before anything of the step was queued, so
 * a step never mixes the two halves of a ReLU (mask written by one, read by the other).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "../cuda/lt_gemm.h"
#include "../error.h"
#include "mlp.h"

#define WG_MLP_LT_SHAPES 6

struct wg_mlp_lt_shape {
    int64_t rows; /* 0: empty */
    wg_lt_gemm *forward[WG_MLP_MAX_LAYERS];
    wg_lt_gemm *dx[WG_MLP_MAX_LAYERS];
    wg_lt_gemm *dw_last;
};

static void shape_clear(struct wg_mlp_lt_shape *s)
{
    for (int l = 0; l < WG_MLP_MAX_LAYERS; l++) {
        wg_cuda_lt_gemm_free(s->forward[l]);
        wg_cuda_lt_gemm_free(s->dx[l]);
    }
    wg_cuda_lt_gemm_free(s->dw_last);
    *s = (struct wg_mlp_lt_shape){0};
}

void wg_mlp_lt_free(wg_mlp *mlp)
{
    if (!mlp || !mlp->lt_shapes) return;
    for (int i = 0; i < WG_MLP_LT_SHAPES; i++) shape_clear(&mlp->lt_shapes[i]);
    free(mlp->lt_shapes);
    mlp->lt_shapes = NULL;
}

static struct wg_mlp_lt_shape *find_shape(wg_mlp *mlp, int64_t rows)
{
    if (!mlp->lt_shapes) return NULL;
    for (int i = 0; i < WG_MLP_LT_SHAPES; i++)
        if (mlp->lt_shapes[i].rows == rows) return &mlp->lt_shapes[i];
    return NULL;
}

/* The products of layer l for `rows` rows (epilogue_plan.h has the table). */
static wg_lt_gemm_spec forward_spec(const wg_mlp *mlp, int l, int64_t rows)
{
    const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
    return (wg_lt_gemm_spec){
        .m = rows, .n = fan_out, .k = fan_in, .lda = fan_in, .ldb = fan_out, .ldc = fan_out,
        .epilogue = mlp->epilogue.forward[l],
        .bias = mlp->buffer[WG_MLP_PARAMS] + mlp->params[2 * l + 1].offset,
        .aux = mlp->aux[l], .aux_ld = wg_lt_aux_ld(fan_out)};
}

static wg_lt_gemm_spec dx_spec(const wg_mlp *mlp, int l, int64_t rows)
{
    const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
    /* d(in) = dZ.W^T, masked by layer l - 1's ReLU; layer l - 1's bias gradient */
    return (wg_lt_gemm_spec){
        .trans_b = 1, .m = rows, .n = fan_in, .k = fan_out, .lda = fan_out, .ldb = fan_out,
        .ldc = fan_in, .epilogue = mlp->epilogue.dx[l],
        .bias = mlp->buffer[WG_MLP_GRADS] + mlp->params[2 * (l - 1) + 1].offset,
        .aux = mlp->aux[l - 1], .aux_ld = wg_lt_aux_ld(fan_in)};
}

static wg_lt_gemm_spec dw_last_spec(const wg_mlp *mlp, int64_t rows)
{
    const int l = mlp->layers - 1;
    const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
    /* dW = in^T.dZ; db = column sums of dZ */
    return (wg_lt_gemm_spec){
        .trans_a = 1, .m = fan_in, .n = fan_out, .k = rows, .lda = fan_in, .ldb = fan_out,
        .ldc = fan_out, .epilogue = WG_LT_BGRAD_B,
        .bias = mlp->buffer[WG_MLP_GRADS] + mlp->params[2 * l + 1].offset};
}

/* Builds a shape's products; on failure the error message says which refused and why. */
static wg_status build_shape(wg_mlp *mlp, struct wg_mlp_lt_shape *s, int64_t rows)
{
    const int index = mlp->device.index;
    wg_status status = WG_OK;
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        const wg_lt_gemm_spec spec = forward_spec(mlp, l, rows);
        status = wg_cuda_lt_gemm_create(index, &spec, &s->forward[l]);
    }
    if (status != WG_OK) return status; /* no fused forward: nothing fuses */
    for (int l = 1; l < mlp->layers && mlp->epilogue.fused_backward; l++) {
        const wg_lt_gemm_spec spec = dx_spec(mlp, l, rows);
        if (wg_cuda_lt_gemm_create(index, &spec, &s->dx[l]) == WG_OK) continue;
        /* no DRELU_BGRAD: the forward stays fused, the backward runs the own kernels
         * (for every shape) */
        wg_epilogue_plan_drop_backward(&mlp->epilogue, wg_error_message());
        for (int i = 0; i < WG_MLP_LT_SHAPES; i++)
            for (int k = 0; k < WG_MLP_MAX_LAYERS; k++) {
                wg_cuda_lt_gemm_free(mlp->lt_shapes[i].dx[k]);
                mlp->lt_shapes[i].dx[k] = NULL;
            }
    }
    if (!mlp->epilogue.bgrad_last) return WG_OK;
    const wg_lt_gemm_spec spec = dw_last_spec(mlp, rows);
    if (wg_cuda_lt_gemm_create(index, &spec, &s->dw_last) != WG_OK) {
        /* no BGRADA: the last layer's bias gradient by the own kernel, for every shape */
        wg_epilogue_plan_drop_bgrad_last(&mlp->epilogue);
        for (int i = 0; i < WG_MLP_LT_SHAPES; i++) {
            wg_cuda_lt_gemm_free(mlp->lt_shapes[i].dw_last);
            mlp->lt_shapes[i].dw_last = NULL;
        }
    }
    return WG_OK;
}

wg_status wg_mlp_lt_prepare(wg_mlp *mlp, int64_t rows)
{
    if (!mlp) return wg_fail(WG_ERR_ARGUMENT, "mlp lt prepare: NULL model");
    if (!mlp->epilogue.use_lt || find_shape(mlp, rows)) return WG_OK;
    if (rows < 1 || rows > mlp->capacity)
        return wg_fail(WG_ERR_ARGUMENT, "mlp lt prepare: %" PRId64 " rows; the model holds "
                       "1..%" PRId64, rows, mlp->capacity);
    if (!mlp->lt_shapes) {
        mlp->lt_shapes = calloc(WG_MLP_LT_SHAPES, sizeof *mlp->lt_shapes);
        if (!mlp->lt_shapes) return wg_fail(WG_ERR_NO_MEMORY, "mlp lt: out of host memory");
    }
    struct wg_mlp_lt_shape *s = &mlp->lt_shapes[mlp->lt_next_shape];
    mlp->lt_next_shape = (mlp->lt_next_shape + 1) % WG_MLP_LT_SHAPES;
    shape_clear(s);
    if (build_shape(mlp, s, rows) != WG_OK) {
        /* Lt refused (no handle, no algorithm, a failing call): the own kernels from now
         * on; the step goes on, and the reason is shown where the run is described */
        wg_epilogue_plan_refuse(&mlp->epilogue, wg_error_message());
        wg_mlp_lt_free(mlp);
        return WG_OK;
    }
    s->rows = rows;
    return WG_OK;
}

static int aligned(const void *p) { return (uintptr_t)p % WG_LT_MIN_ALIGNMENT == 0; }

wg_status wg_mlp_lt_forward(wg_mlp *mlp, const float *x, int64_t rows, int *used)
{
    *used = 0;
    mlp->lt_masks_rows = 0;
    if (!mlp->epilogue.use_lt || !aligned(x)) return WG_OK;
    wg_status status = wg_mlp_lt_prepare(mlp, rows);
    const struct wg_mlp_lt_shape *s = status == WG_OK ? find_shape(mlp, rows) : NULL;
    if (!s) return status; /* refused: the own path */
    const int index = mlp->device.index;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    const float *in = x;
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        status = wg_cuda_lt_gemm_run(index, s->forward[l], in,
                                     params + mlp->params[2 * l].offset, mlp->act[l]);
        in = mlp->act[l];
    }
    if (status == WG_OK) mlp->lt_masks_rows = rows;
    *used = 1;
    return status;
}

wg_status wg_mlp_lt_backward(wg_mlp *mlp, const float *x, int64_t rows, int *used)
{
    *used = 0;
    const struct wg_mlp_lt_shape *s =
        mlp->epilogue.use_lt && mlp->epilogue.fused_backward && mlp->lt_masks_rows == rows
            ? find_shape(mlp, rows) : NULL;
    if (!s) return WG_OK;
    *used = 1;
    const int index = mlp->device.index;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    float *grads = mlp->buffer[WG_MLP_GRADS];
    const int last = mlp->layers - 1;
    wg_status status = WG_OK;
    for (int l = last; l >= 0 && status == WG_OK; l--) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const wg_mlp_param *w = &mlp->params[2 * l], *b = &mlp->params[2 * l + 1];
        const float *in = l > 0 ? mlp->act[l - 1] : x;
        /* grad[l] is dZ already: the logits' gradient, or masked by layer l + 1's d(in) */
        if (l == last && s->dw_last) {
            status = wg_cuda_lt_gemm_run(index, s->dw_last, in, mlp->grad[l], grads + w->offset);
        } else {
            if (l == last) /* no BGRADA: the bias gradient by the own kernel */
                status = mlp->nn->bias_act_backward(index, mlp->grad[l], mlp->act[l],
                                                    grads + b->offset, rows, fan_out, 0);
            if (status == WG_OK)
                status = wg_mlp_gemm(mlp, 1, 0, fan_in, fan_out, rows, in, fan_in,
                                     mlp->grad[l], fan_out, grads + w->offset, fan_out);
        }
        if (status == WG_OK && l > 0)
            status = wg_cuda_lt_gemm_run(index, s->dx[l], mlp->grad[l], params + w->offset,
                                         mlp->grad[l - 1]);
    }
    return status;
}
