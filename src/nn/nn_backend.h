/*
 * nn_backend.h - the layer operations a device provides for training a multilayer
 * perceptron: the non-GEMM parts of a step (the GEMMs go through wg_gemm_on).
 *
 * Each entry works on raw pointers in the memory of its device, sizes already checked by
 * the caller (src/nn/mlp.c, src/nn/train.c), and is fused where a step would otherwise make
 * two passes over the same memory: bias add with ReLU, ReLU backward with the bias
 * gradient, softmax with cross-entropy and its gradient. CUDA entries only queue work:
 * nothing inside a step waits for the GPU. CPU entries use OpenMP and allocate nothing.
 *
 * The CPU table is in nn_cpu.c, the CUDA table in ../cuda/nn_cuda.cu, the OpenCL table in
 * ../opencl/nn_opencl.c.
 */
#ifndef WG_NN_BACKEND_H
#define WG_NN_BACKEND_H

#include <stdint.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Accumulated by the loss entry, in device memory: read back once per epoch (or per step
 * when a caller asks), never inside a step. */
typedef struct wg_nn_stats {
    double loss_sum; /* sum over rows of -log softmax(logits)[label] */
    double correct;  /* rows whose first largest logit is the label */
} wg_nn_stats;

typedef struct wg_nn_backend {
    /* y[r, c] = act(y[r, c] + bias[c]) in place, y is rows x cols; act is ReLU when relu. */
    wg_status (*bias_act)(int index, float *y, const float *bias, int64_t rows, int64_t cols,
                          int relu);
    /* Backward of bias_act, in place: when relu, dy[r, c] = 0 where y[r, c] <= 0 (y is the
     * layer's ReLU output); then dbias[c] = sum over r of dy[r, c]. */
    wg_status (*bias_act_backward)(int index, float *dy, const float *y, float *dbias,
                                   int64_t rows, int64_t cols, int relu);
    /* Softmax cross-entropy of logits (rows x classes) against labels, numerically stable
     * (shifted by the row maximum). Adds the rows' loss and correct count to *stats. When
     * dlogits is not NULL, dlogits = scale * (softmax(logits) - onehot(label)) (it may be
     * logits itself). */
    wg_status (*softmax_xent)(int index, const float *logits, const uint8_t *labels,
                              int64_t rows, int64_t classes, float scale, float *dlogits,
                              wg_nn_stats *stats);
    /* stats = {0, 0}. */
    wg_status (*stats_reset)(int index, wg_nn_stats *stats);
    /* SGD with momentum (PyTorch's form): v = momentum * v + g; w -= lr * v. */
    wg_status (*sgd)(int index, float *w, float *v, const float *g, int64_t n, float lr,
                     float momentum);
    /* Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * w -= lr_t * m / (sqrt(v) + eps_t), with the bias corrections folded into lr_t and
     * eps_t by the caller (lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), eps_t = eps sqrt(1 - b2^t)). */
    wg_status (*adam)(int index, float *w, float *m, float *v, const float *g, int64_t n,
                      float lr_t, float beta1, float beta2, float eps_t);
    /* A mini-batch: x[r, :] = images[order[first + r], :] and y[r] = labels[order[first + r]]
     * for r < rows. */
    wg_status (*gather)(int index, const float *images, const uint8_t *labels,
                        const int32_t *order, int64_t first, int64_t rows, int64_t features,
                        float *x, uint8_t *y);

    /* ---- mixed precision (train --dtype bf16): the same operations, each also writing
     * the bfloat16 copy (rounded to nearest even, NaN kept) of what it produced, which the
     * next products read. NULL on a device without them (the model then refuses bf16). */
    /* dst[i] = bf16(src[i]) */
    wg_status (*to_bf16)(int index, const float *src, wg_bf16 *dst, int64_t n);
    /* bias_act, then y16 = bf16(y) */
    wg_status (*bias_act_bf16)(int index, float *y, const float *bias, int64_t rows,
                               int64_t cols, int relu, wg_bf16 *y16);
    /* bias_act_backward, then dy16 = bf16(dy) (dy masked) */
    wg_status (*bias_act_backward_bf16)(int index, float *dy, const float *y, float *dbias,
                                        int64_t rows, int64_t cols, int relu, wg_bf16 *dy16);
    /* sgd and adam on the float32 master weights, then w16 = bf16(w): the copies the
     * products read are refreshed in the same pass as the update. */
    wg_status (*sgd_bf16)(int index, float *w, float *v, const float *g, int64_t n, float lr,
                          float momentum, wg_bf16 *w16);
    wg_status (*adam_bf16)(int index, float *w, float *m, float *v, const float *g, int64_t n,
                           float lr_t, float beta1, float beta2, float eps_t, wg_bf16 *w16);
} wg_nn_backend;

extern const wg_nn_backend wg_nn_cpu;
/* src/cuda/nn_cuda.cu, or src/cuda_stub.c (every entry: built without CUDA) without nvcc */
extern const wg_nn_backend wg_nn_cuda;
/* src/opencl/nn_opencl.c, or src/opencl_stub.c (likewise) without OpenCL */
extern const wg_nn_backend wg_nn_opencl;

/* The table for a device, or NULL with WG_ERR_NO_DEVICE set (unknown device kind). */
const wg_nn_backend *wg_nn_backend_for(wg_device device);

#ifdef __cplusplus
}
#endif

#endif /* WG_NN_BACKEND_H */
