/*
 * mlp.c - the multilayer perceptron: buffers, He initialisation, forward, loss, backward and
 * the optimiser step (see mlp.h). Device-independent: GEMMs through wg_gemm_on, the other
 * layer operations through the device's nn_backend table.
 */
#include "mlp.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "../rng.h"
#include "whygpu_lab.h"

/* Each parameter tensor starts on a 64-byte boundary (16 floats). */
#define PARAM_ALIGN 16

const char *wg_optimizer_name(wg_optimizer_kind kind)
{
    return kind == WG_OPTIMIZER_ADAM ? "adam" : "sgd";
}

wg_status wg_optimizer_parse(const char *text, wg_optimizer_kind *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "optimizer: NULL argument");
    if (strcmp(text, "sgd") == 0) *out = WG_OPTIMIZER_SGD;
    else if (strcmp(text, "adam") == 0) *out = WG_OPTIMIZER_ADAM;
    else return wg_fail(WG_ERR_ARGUMENT, "unknown optimizer '%s' (expected sgd or adam)", text);
    return WG_OK;
}

/* Allocates `count` elements of `elem` bytes on the model's device. */
static wg_status alloc_device(wg_mlp *mlp, int64_t count, size_t elem, void **out)
{
    int64_t bytes = 0;
    wg_status status = wg_mul_i64(count, (int64_t)elem, &bytes);
    if (status != WG_OK) return status;
    return mlp->backend->alloc(mlp->device.index, (size_t)bytes, out);
}

static void release_device(wg_mlp *mlp, void *ptr)
{
    if (ptr) mlp->backend->release(mlp->device.index, ptr);
}

void wg_mlp_free(wg_mlp *mlp)
{
    if (!mlp) return;
    for (int b = 0; b < WG_MLP_BUFFERS; b++) release_device(mlp, mlp->buffer[b]);
    for (int l = 0; l < mlp->layers; l++) {
        release_device(mlp, mlp->act[l]);
        release_device(mlp, mlp->grad[l]);
        release_device(mlp, mlp->act16[l]);
        release_device(mlp, mlp->grad16[l]);
    }
    release_device(mlp, mlp->stats);
    release_device(mlp, mlp->params16);
    release_device(mlp, mlp->x16);
    for (int l = 0; l < WG_MLP_MAX_LAYERS; l++) release_device(mlp, mlp->aux[l]);
    wg_mlp_lt_free(mlp);
    free(mlp->cpu_scratch);
    free(mlp->cpu_stats);
    free(mlp);
}

static wg_status check_sizes(int layers, const int64_t *sizes, int64_t capacity);

/* Floats in each flat buffer: every tensor padded to PARAM_ALIGN (as mlp_create lays
 * them out). */
static int64_t param_floats(int layers, const int64_t *sizes)
{
    int64_t offset = 0;
    for (int l = 0; l < layers; l++)
        for (int bias = 0; bias < 2; bias++) {
            const int64_t count = bias ? sizes[l + 1] : sizes[l] * sizes[l + 1];
            offset += (count + PARAM_ALIGN - 1) / PARAM_ALIGN * PARAM_ALIGN;
        }
    return offset;
}

wg_status wg_mlp_memory_plan(wg_device device, int layers, const int64_t *sizes,
                             int64_t capacity, int inference, wg_dtype dtype,
                             wg_epilogue_mode epilogue, wg_memory_plan *plan)
{
    if (!plan) return wg_fail(WG_ERR_ARGUMENT, "mlp memory plan: NULL plan");
    wg_memory_plan_init(plan);
    wg_status status = check_sizes(layers, sizes, capacity);
    if (status != WG_OK) return status;
    const int64_t params = param_floats(layers, sizes);
    int64_t activations = 0, hidden = 0;
    for (int l = 0; l < layers; l++) {
        activations += capacity * sizes[l + 1]; /* < 2^50 */
        if (l + 1 < layers) hidden += capacity * sizes[l + 1];
    }
    const int buffers = inference ? 1 : WG_MLP_BUFFERS;
    status = wg_memory_plan_add(plan, device, params * (int64_t)sizeof(float) * buffers,
                                inference ? "parameters" : "parameters, gradients, optimiser state");
    if (status == WG_OK)
        status = wg_memory_plan_add(plan, device,
                                    activations * (int64_t)sizeof(float) * (inference ? 1 : 2),
                                    inference ? "activations" : "activations and their gradients");
    /* BF16 (training only): the copies mlp_create allocates - the parameters', the input
     * batch's, each hidden layer's output (not the logits) and every layer's dZ */
    if (status == WG_OK && dtype == WG_DTYPE_BF16 && !inference)
        status = wg_memory_plan_add(plan, device,
                                    (params + capacity * sizes[0] + hidden + activations) *
                                        (int64_t)sizeof(wg_bf16),
                                    "bfloat16 copies of the parameters and activations");
    /* gpu-epilogue: the ReLU masks cuBLASLt's epilogues pass from forward to backward */
    wg_epilogue_plan fused;
    wg_epilogue_plan_init(&fused, epilogue, device, dtype, inference, layers, sizes, capacity);
    if (status == WG_OK && fused.aux_total > 0)
        status = wg_memory_plan_add(plan, device, fused.aux_total,
                                    "ReLU masks of the cuBLASLt epilogues");
    return status;
}

static wg_status check_sizes(int layers, const int64_t *sizes, int64_t capacity)
{
    if (layers < 1 || layers > WG_MLP_MAX_LAYERS)
        return wg_fail(WG_ERR_ARGUMENT, "mlp: %d weight layers; 1 to %d are supported", layers,
                       WG_MLP_MAX_LAYERS);
    if (!sizes) return wg_fail(WG_ERR_ARGUMENT, "mlp: NULL sizes");
    for (int l = 0; l <= layers; l++)
        if (sizes[l] < 1 || sizes[l] > WG_MLP_MAX_WIDTH)
            return wg_fail(WG_ERR_ARGUMENT, "mlp: layer width %" PRId64 " (at position %d) is "
                           "outside 1..%" PRId64, sizes[l], l, WG_MLP_MAX_WIDTH);
    if (sizes[layers] < 2 || sizes[layers] > WG_MLP_MAX_CLASSES)
        return wg_fail(WG_ERR_ARGUMENT, "mlp: %" PRId64 " classes; 2 to %d are supported",
                       sizes[layers], WG_MLP_MAX_CLASSES);
    if (capacity < 1 || capacity > ((int64_t)1 << 24))
        return wg_fail(WG_ERR_ARGUMENT, "mlp: batch capacity %" PRId64 " is outside 1..%d",
                       capacity, 1 << 24);
    return WG_OK;
}

/* The products' kernel of a BF16 model: the device's best BF16 kernel (on the CPU there
 * is always one: AMX, AVX512-BF16, or the inputs widened to fp32). */
static wg_status choose_bf16_kernel(wg_mlp *mlp)
{
    if (!mlp->nn->to_bf16 || !mlp->nn->bias_act_bf16 || !mlp->nn->bias_act_backward_bf16 ||
        !mlp->nn->sgd_bf16 || !mlp->nn->adam_bf16) {
        char device[32];
        return wg_fail(WG_ERR_UNSUPPORTED, "mixed precision (bf16) training is not implemented "
                       "on %s", wg_device_format(mlp->device, device, sizeof device));
    }
    wg_status status = wg_kernel_best(mlp->device, WG_PRECISION_BF16, &mlp->kernel);
    if (status != WG_OK) return wg_fail_context(status, "mixed precision (bf16) training");
    return WG_OK;
}

/* A model for training (parameters, gradients, optimiser state, activations and their
 * gradients) or, with `inference`, only what a forward pass reads and writes: the
 * parameters and the activations. BF16 adds the bfloat16 copies (training only). */
static wg_status mlp_create(wg_device device, int layers, const int64_t *sizes, int64_t capacity,
                            int inference, wg_dtype dtype, wg_epilogue_mode epilogue,
                            wg_mlp **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "mlp: NULL output");
    wg_status status = check_sizes(layers, sizes, capacity);
    if (status != WG_OK) return status;
    status = wg_device_check(device);
    if (status != WG_OK) return status;
    const wg_backend *backend = wg_backend_for(device);
    const wg_nn_backend *nn = wg_nn_backend_for(device);
    if (!backend || !nn) return WG_ERR_NO_DEVICE;

    wg_mlp *mlp = calloc(1, sizeof *mlp);
    if (!mlp) return wg_fail(WG_ERR_NO_MEMORY, "mlp: out of host memory");
    mlp->device = device;
    mlp->backend = backend;
    mlp->nn = nn;
    mlp->layers = layers;
    mlp->capacity = capacity;
    mlp->dtype = dtype;
    memcpy(mlp->sizes, sizes, (size_t)(layers + 1) * sizeof *sizes);
    if (dtype != WG_DTYPE_FP32 && (dtype != WG_DTYPE_BF16 || inference)) {
        free(mlp);
        return wg_fail(WG_ERR_ARGUMENT, "mlp: dtype %d is not supported here (fp32, or bf16 "
                       "for training)", (int)dtype);
    }
    if (dtype == WG_DTYPE_BF16 && (status = choose_bf16_kernel(mlp)) != WG_OK) {
        free(mlp);
        return status;
    }
    wg_epilogue_plan_init(&mlp->epilogue, epilogue, device, dtype, inference, layers, sizes,
                          capacity);

    int64_t offset = 0;
    for (int l = 0; l < layers; l++) {
        for (int bias = 0; bias < 2; bias++) {
            wg_mlp_param *p = &mlp->params[mlp->param_tensors++];
            snprintf(p->name, sizeof p->name, "layer%d.%s", l, bias ? "bias" : "weight");
            p->rank = bias ? 1 : 2;
            p->shape[0] = bias ? sizes[l + 1] : sizes[l];
            p->shape[1] = bias ? 1 : sizes[l + 1];
            p->count = p->shape[0] * p->shape[1]; /* <= 2^40: no overflow */
            p->offset = offset;
            offset += (p->count + PARAM_ALIGN - 1) / PARAM_ALIGN * PARAM_ALIGN;
        }
    }
    mlp->param_count = offset;

    /* The whole model, checked before any of it is allocated: every buffer fitting on
     * its own is not enough when all of them are zero-filled next (#21 item 1). */
    const int buffers = inference ? 1 : WG_MLP_BUFFERS;
    wg_memory_plan plan;
    status = wg_mlp_memory_plan(device, layers, sizes, capacity, inference, dtype, epilogue,
                                &plan);
    if (status == WG_OK) status = wg_memory_plan_check(&plan);
    if (status != WG_OK) {
        char model[160];
        wg_fail_context(status, "creating %s for %" PRId64 " rows",
                        wg_mlp_describe(mlp, model, sizeof model), capacity);
        free(mlp);
        return status;
    }

    for (int b = 0; b < buffers && status == WG_OK; b++)
        status = alloc_device(mlp, offset, sizeof(float), (void **)&mlp->buffer[b]);
    for (int l = 0; l < layers && status == WG_OK; l++) {
        int64_t count = 0;
        status = wg_mul_i64(capacity, sizes[l + 1], &count);
        if (status == WG_OK) status = alloc_device(mlp, count, sizeof(float), (void **)&mlp->act[l]);
        if (status == WG_OK && !inference)
            status = alloc_device(mlp, count, sizeof(float), (void **)&mlp->grad[l]);
    }
    if (status == WG_OK) status = alloc_device(mlp, 1, sizeof(wg_nn_stats), (void **)&mlp->stats);
    for (int l = 0; l < layers && status == WG_OK; l++)
        if (mlp->epilogue.aux_bytes[l] > 0)
            status = alloc_device(mlp, mlp->epilogue.aux_bytes[l], 1, &mlp->aux[l]);
    if (dtype == WG_DTYPE_BF16) {
        mlp->params16_stale = 1;
        if (status == WG_OK)
            status = alloc_device(mlp, offset, sizeof(wg_bf16), (void **)&mlp->params16);
        if (status == WG_OK)
            status = alloc_device(mlp, capacity * sizes[0], sizeof(wg_bf16), (void **)&mlp->x16);
        for (int l = 0; l < layers && status == WG_OK; l++) {
            if (l + 1 < layers)
                status = alloc_device(mlp, capacity * sizes[l + 1], sizeof(wg_bf16),
                                      (void **)&mlp->act16[l]);
            if (status == WG_OK)
                status = alloc_device(mlp, capacity * sizes[l + 1], sizeof(wg_bf16),
                                      (void **)&mlp->grad16[l]);
        }
    }

    /* Zero everything: the padding between tensors is never written again, and a model
     * used before wg_mlp_init computes with zeros rather than garbage. */
    for (int b = 0; b < buffers && status == WG_OK; b++)
        status = backend->fill(device.index, mlp->buffer[b], offset, 0.0f);
    if (status == WG_OK) status = nn->stats_reset(device.index, mlp->stats);
    if (status == WG_OK) status = backend->synchronize(device.index);
    if (status != WG_OK) {
        wg_fail_context(status, "creating a %d-layer mlp for %" PRId64 " rows", layers, capacity);
        wg_mlp_free(mlp);
        return status;
    }
    *out = mlp;
    return WG_OK;
}

wg_status wg_mlp_create(wg_device device, int layers, const int64_t *sizes, int64_t capacity,
                        wg_mlp **out)
{
    return mlp_create(device, layers, sizes, capacity, 0, WG_DTYPE_FP32, WG_EPILOGUE_OWN, out);
}

wg_status wg_mlp_create_dtype(wg_device device, int layers, const int64_t *sizes,
                              int64_t capacity, wg_dtype dtype, wg_mlp **out)
{
    return mlp_create(device, layers, sizes, capacity, 0, dtype, WG_EPILOGUE_OWN, out);
}

wg_status wg_mlp_create_epilogue(wg_device device, int layers, const int64_t *sizes,
                                 int64_t capacity, wg_dtype dtype, wg_epilogue_mode epilogue,
                                 wg_mlp **out)
{
    return mlp_create(device, layers, sizes, capacity, 0, dtype, epilogue, out);
}

wg_status wg_mlp_create_inference(wg_device device, int layers, const int64_t *sizes,
                                  int64_t capacity, wg_mlp **out)
{
    return mlp_create(device, layers, sizes, capacity, 1, WG_DTYPE_FP32, WG_EPILOGUE_OWN, out);
}

const char *wg_mlp_describe_sizes(int layers, const int64_t *sizes, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    buf[0] = '\0';
    if (!sizes) return buf;
    size_t used = (size_t)snprintf(buf, size, "mlp ");
    for (int l = 0; l <= layers && used < size; l++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, l ? "-" : "", sizes[l]);
    if (used < size) snprintf(buf + used, size - used, " relu softmax-xent");
    return buf;
}

const char *wg_mlp_describe(const wg_mlp *mlp, char *buf, size_t size)
{
    if (!mlp) {
        if (buf && size) buf[0] = '\0';
        return buf;
    }
    return wg_mlp_describe_sizes(mlp->layers, mlp->sizes, buf, size);
}

wg_status wg_mlp_init(wg_mlp *mlp, uint64_t seed)
{
    if (!mlp) return wg_fail(WG_ERR_ARGUMENT, "mlp init: NULL model");
    const int index = mlp->device.index;
    wg_status status = WG_OK;
    for (int b = 0; b < WG_MLP_BUFFERS && status == WG_OK; b++)
        if (mlp->buffer[b]) status = mlp->backend->fill(index, mlp->buffer[b], mlp->param_count, 0.0f);
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        const wg_mlp_param *w = &mlp->params[2 * l];
        const float limit = (float)sqrt(6.0 / (double)mlp->sizes[l]);
        /* One stream of the generator per layer, derived from the seed. */
        const uint64_t layer_seed = wg_rng_bits(seed, 0x6c61796572ull + (uint64_t)l);
        status = mlp->backend->fill_uniform(index, mlp->buffer[WG_MLP_PARAMS] + w->offset,
                                            w->count, -limit, limit, layer_seed);
    }
    mlp->optimizer_steps = 0;
    mlp->params16_stale = 1;
    if (status != WG_OK) return wg_fail_context(status, "initialising the mlp");
    return WG_OK;
}

static wg_status check_rows(const wg_mlp *mlp, const char *who, int64_t rows)
{
    if (rows < 1 || rows > mlp->capacity)
        return wg_fail(WG_ERR_ARGUMENT, "mlp %s: %" PRId64 " rows; the model holds 1..%" PRId64,
                       who, rows, mlp->capacity);
    return WG_OK;
}

wg_status wg_mlp_gemm(const wg_mlp *mlp, int trans_a, int trans_b, int64_t m, int64_t n,
                      int64_t k, const void *a, int64_t lda, const void *b, int64_t ldb,
                      float *c, int64_t ldc)
{
    const wg_gemm_args args = {.trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
                               .alpha = 1.0f, .beta = 0.0f, .a = a, .lda = lda, .b = b,
                               .ldb = ldb, .c = c, .ldc = ldc, .input_dtype = mlp->dtype};
    return wg_gemm_on(mlp->device, mlp->kernel, &args);
}

static wg_status gemm(const wg_mlp *mlp, int trans_a, int trans_b, int64_t m, int64_t n,
                      int64_t k, const void *a, int64_t lda, const void *b, int64_t ldb,
                      float *c, int64_t ldc)
{
    return wg_mlp_gemm(mlp, trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
}

wg_status wg_mlp_refresh_copies(wg_mlp *mlp)
{
    if (!mlp) return wg_fail(WG_ERR_ARGUMENT, "mlp refresh: NULL model");
    if (mlp->dtype != WG_DTYPE_BF16) return WG_OK;
    wg_status status = mlp->nn->to_bf16(mlp->device.index, mlp->buffer[WG_MLP_PARAMS],
                                        mlp->params16, mlp->param_count);
    if (status == WG_OK) mlp->params16_stale = 0;
    return status;
}

/* The forward pass of a BF16 model: the input batch rounded once, then every product on
 * bf16 copies; bias+ReLU writes each hidden output and its copy in one pass. */
static wg_status forward_bf16(wg_mlp *mlp, const float *x, int64_t rows)
{
    const int index = mlp->device.index;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    wg_status status = mlp->params16_stale ? wg_mlp_refresh_copies(mlp) : WG_OK;
    if (status == WG_OK) status = mlp->nn->to_bf16(index, x, mlp->x16, rows * mlp->sizes[0]);
    const wg_bf16 *in = mlp->x16;
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const wg_bf16 *w = mlp->params16 + mlp->params[2 * l].offset;
        const float *bias = params + mlp->params[2 * l + 1].offset;
        const int hidden = l + 1 < mlp->layers;
        status = gemm(mlp, 0, 0, rows, fan_out, fan_in, in, fan_in, w, fan_out, mlp->act[l],
                      fan_out);
        if (status == WG_OK && hidden)
            status = mlp->nn->bias_act_bf16(index, mlp->act[l], bias, rows, fan_out, 1,
                                            mlp->act16[l]);
        else if (status == WG_OK) /* the logits: float32 only, for the loss */
            status = mlp->nn->bias_act(index, mlp->act[l], bias, rows, fan_out, 0);
        in = mlp->act16[l];
    }
    return status;
}

wg_status wg_mlp_forward(wg_mlp *mlp, const float *x, int64_t rows)
{
    if (!mlp || !x) return wg_fail(WG_ERR_ARGUMENT, "mlp forward: NULL argument");
    wg_status status = check_rows(mlp, "forward", rows);
    if (status == WG_OK && mlp->dtype == WG_DTYPE_BF16) return forward_bf16(mlp, x, rows);
    int fused = 0; /* gpu-epilogue: the products carried bias and ReLU (mlp_epilogue.c) */
    if (status == WG_OK) status = wg_mlp_lt_forward(mlp, x, rows, &fused);
    if (status != WG_OK || fused) return status;
    const int index = mlp->device.index;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    const float *in = x;
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const float *w = params + mlp->params[2 * l].offset;
        const float *bias = params + mlp->params[2 * l + 1].offset;
        /* Z = in . W */
        status = gemm(mlp, 0, 0, rows, fan_out, fan_in, in, fan_in, w, fan_out, mlp->act[l],
                      fan_out);
        if (status == WG_OK)
            status = mlp->nn->bias_act(index, mlp->act[l], bias, rows, fan_out,
                                       l + 1 < mlp->layers);
        in = mlp->act[l];
    }
    return status;
}

wg_status wg_mlp_loss(wg_mlp *mlp, const uint8_t *labels, int64_t rows, int with_grad)
{
    if (!mlp || !labels) return wg_fail(WG_ERR_ARGUMENT, "mlp loss: NULL argument");
    wg_status status = check_rows(mlp, "loss", rows);
    if (status != WG_OK) return status;
    const int last = mlp->layers - 1;
    return mlp->nn->softmax_xent(mlp->device.index, mlp->act[last], labels, rows,
                                 mlp->sizes[mlp->layers], 1.0f / (float)rows,
                                 with_grad ? mlp->grad[last] : NULL, mlp->stats);
}

/* The backward pass of a BF16 model: the ReLU mask and bias gradient write dZ's copy in the
 * same pass; the products read the copies the forward pass made (x16, act16) and the
 * parameters' copies, and write float32 gradients. */
static wg_status backward_bf16(wg_mlp *mlp, int64_t rows)
{
    const int index = mlp->device.index;
    float *grads = mlp->buffer[WG_MLP_GRADS];
    wg_status status = WG_OK;
    for (int l = mlp->layers - 1; l >= 0 && status == WG_OK; l--) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const wg_mlp_param *w = &mlp->params[2 * l], *b = &mlp->params[2 * l + 1];
        const wg_bf16 *in = l > 0 ? mlp->act16[l - 1] : mlp->x16;
        status = mlp->nn->bias_act_backward_bf16(index, mlp->grad[l], mlp->act[l],
                                                 grads + b->offset, rows, fan_out,
                                                 l + 1 < mlp->layers, mlp->grad16[l]);
        if (status == WG_OK)
            status = gemm(mlp, 1, 0, fan_in, fan_out, rows, in, fan_in, mlp->grad16[l], fan_out,
                          grads + w->offset, fan_out);
        if (status == WG_OK && l > 0)
            status = gemm(mlp, 0, 1, rows, fan_in, fan_out, mlp->grad16[l], fan_out,
                          mlp->params16 + w->offset, fan_out, mlp->grad[l - 1], fan_in);
    }
    return status;
}

wg_status wg_mlp_backward(wg_mlp *mlp, const float *x, int64_t rows)
{
    if (!mlp || !x) return wg_fail(WG_ERR_ARGUMENT, "mlp backward: NULL argument");
    wg_status status = check_rows(mlp, "backward", rows);
    if (status == WG_OK && mlp->dtype == WG_DTYPE_BF16) return backward_bf16(mlp, rows);
    int fused = 0; /* gpu-epilogue: ReLU's mask and the bias gradients in the products */
    if (status == WG_OK) status = wg_mlp_lt_backward(mlp, x, rows, &fused);
    if (status != WG_OK || fused) return status;
    const int index = mlp->device.index;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    float *grads = mlp->buffer[WG_MLP_GRADS];
    for (int l = mlp->layers - 1; l >= 0 && status == WG_OK; l--) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const wg_mlp_param *w = &mlp->params[2 * l], *b = &mlp->params[2 * l + 1];
        const float *in = l > 0 ? mlp->act[l - 1] : x;
        /* grad[l] holds dL/d(output of layer l); ReLU's mask makes it dL/dZ, and its column
         * sums are the bias gradient. */
        status = mlp->nn->bias_act_backward(index, mlp->grad[l], mlp->act[l], grads + b->offset,
                                            rows, fan_out, l + 1 < mlp->layers);
        /* dW = in^T . dZ   ([fan_in, rows] . [rows, fan_out]) */
        if (status == WG_OK)
            status = gemm(mlp, 1, 0, fan_in, fan_out, rows, in, fan_in, mlp->grad[l], fan_out,
                          grads + w->offset, fan_out);
        /* d(in) = dZ . W^T   ([rows, fan_out] . [fan_out, fan_in]); not needed for x */
        if (status == WG_OK && l > 0)
            status = gemm(mlp, 0, 1, rows, fan_in, fan_out, mlp->grad[l], fan_out,
                          params + w->offset, fan_out, mlp->grad[l - 1], fan_in);
    }
    return status;
}

static wg_status check_update(const wg_mlp *mlp, const wg_optimizer *optimizer, float lr)
{
    if (!mlp || !optimizer) return wg_fail(WG_ERR_ARGUMENT, "mlp update: NULL argument");
    if (!(lr >= 0.0f) || !isfinite(lr))
        return wg_fail(WG_ERR_ARGUMENT, "mlp update: learning rate %g is not a finite value >= 0",
                       (double)lr);
    if (optimizer->kind != WG_OPTIMIZER_SGD && optimizer->kind != WG_OPTIMIZER_ADAM)
        return wg_fail(WG_ERR_ARGUMENT, "mlp update: unknown optimizer %d", (int)optimizer->kind);
    return WG_OK;
}

/* Adam's step t (counted here) folded into the rate and epsilon (see nn_backend.h). */
static void adam_rates(wg_mlp *mlp, const wg_optimizer *optimizer, float lr, float *lr_t,
                       float *eps_t)
{
    const double t = (double)++mlp->optimizer_steps;
    const double c1 = 1.0 - pow((double)optimizer->beta1, t);
    const double c2 = sqrt(1.0 - pow((double)optimizer->beta2, t));
    *lr_t = (float)(lr * c2 / c1);
    *eps_t = (float)(optimizer->eps * c2);
}

wg_status wg_mlp_update(wg_mlp *mlp, const wg_optimizer *optimizer, float lr)
{
    wg_status checked = check_update(mlp, optimizer, lr);
    if (checked != WG_OK) return checked;
    const int index = mlp->device.index;
    float **buf = mlp->buffer;
    /* BF16: the parameters' copies are rewritten by the update's own pass */
    wg_bf16 *copies = mlp->dtype == WG_DTYPE_BF16 ? mlp->params16 : NULL;
    wg_status status;
    if (optimizer->kind == WG_OPTIMIZER_SGD) {
        status = copies ? mlp->nn->sgd_bf16(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                            buf[WG_MLP_GRADS], mlp->param_count, lr,
                                            optimizer->momentum, copies)
                        : mlp->nn->sgd(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                       buf[WG_MLP_GRADS], mlp->param_count, lr,
                                       optimizer->momentum);
    } else {
        float lr_t, eps_t;
        adam_rates(mlp, optimizer, lr, &lr_t, &eps_t);
        status = copies ? mlp->nn->adam_bf16(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                             buf[WG_MLP_STATE2], buf[WG_MLP_GRADS],
                                             mlp->param_count, lr_t, optimizer->beta1,
                                             optimizer->beta2, eps_t, copies)
                        : mlp->nn->adam(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                        buf[WG_MLP_STATE2], buf[WG_MLP_GRADS], mlp->param_count,
                                        lr_t, optimizer->beta1, optimizer->beta2, eps_t);
    }
    /* the update rewrote every copy from the new masters */
    if (status == WG_OK && copies) mlp->params16_stale = 0;
    return status;
}

wg_status wg_mlp_train_step(wg_mlp *mlp, const float *x, const uint8_t *labels, int64_t rows,
                            const wg_optimizer *optimizer, float lr)
{
    if (mlp && x && labels && wg_mlp_cpu_step_suits(mlp, rows) && rows <= mlp->capacity) {
        wg_status status = check_update(mlp, optimizer, lr);
        float lr_t = 0.0f, eps_t = 0.0f;
        if (status == WG_OK && optimizer->kind == WG_OPTIMIZER_ADAM)
            adam_rates(mlp, optimizer, lr, &lr_t, &eps_t);
        return status == WG_OK ? wg_mlp_cpu_train_step(mlp, x, labels, rows, optimizer, lr,
                                                        lr_t, eps_t)
                               : status;
    }
    wg_status status = wg_mlp_forward(mlp, x, rows);
    if (status == WG_OK) status = wg_mlp_loss(mlp, labels, rows, 1);
    if (status == WG_OK) status = wg_mlp_backward(mlp, x, rows);
    if (status == WG_OK) status = wg_mlp_update(mlp, optimizer, lr);
    return status;
}

wg_status wg_mlp_stats_reset(wg_mlp *mlp)
{
    if (!mlp) return wg_fail(WG_ERR_ARGUMENT, "mlp stats: NULL model");
    return mlp->nn->stats_reset(mlp->device.index, mlp->stats);
}

wg_status wg_mlp_stats_read(wg_mlp *mlp, wg_nn_stats *out)
{
    if (!mlp || !out) return wg_fail(WG_ERR_ARGUMENT, "mlp stats: NULL argument");
    return mlp->backend->copy_to_host(mlp->device.index, out, mlp->stats, sizeof *out);
}

static wg_status check_param(const wg_mlp *mlp, wg_mlp_buffer which, int index, const void *host)
{
    if (!mlp || !host) return wg_fail(WG_ERR_ARGUMENT, "mlp tensor access: NULL argument");
    if ((unsigned)which >= WG_MLP_BUFFERS)
        return wg_fail(WG_ERR_ARGUMENT, "mlp tensor access: unknown buffer %d", (int)which);
    if (!mlp->buffer[which])
        return wg_fail(WG_ERR_ARGUMENT, "mlp tensor access: buffer %d is not allocated (an "
                       "inference-only model)", (int)which);
    if (index < 0 || index >= mlp->param_tensors)
        return wg_fail(WG_ERR_ARGUMENT, "mlp tensor access: tensor %d of %d", index,
                       mlp->param_tensors);
    return WG_OK;
}

wg_status wg_mlp_read(const wg_mlp *mlp, wg_mlp_buffer which, int index, float *host)
{
    wg_status status = check_param(mlp, which, index, host);
    if (status != WG_OK) return status;
    const wg_mlp_param *p = &mlp->params[index];
    return mlp->backend->copy_to_host(mlp->device.index, host, mlp->buffer[which] + p->offset,
                                      (size_t)p->count * sizeof(float));
}

wg_status wg_mlp_write(wg_mlp *mlp, wg_mlp_buffer which, int index, const float *host)
{
    wg_status status = check_param(mlp, which, index, host);
    if (status != WG_OK) return status;
    const wg_mlp_param *p = &mlp->params[index];
    if (which == WG_MLP_PARAMS) mlp->params16_stale = 1;
    return mlp->backend->copy_from_host(mlp->device.index, mlp->buffer[which] + p->offset, host,
                                        (size_t)p->count * sizeof(float));
}

int wg_mlp_find(const wg_mlp *mlp, const char *name)
{
    if (!mlp || !name) return -1;
    for (int i = 0; i < mlp->param_tensors; i++)
        if (strcmp(mlp->params[i].name, name) == 0) return i;
    return -1;
}
