/*
 * nn_cuda.cu - the GPU's layer operations for training (see src/nn/nn_backend.h).
 *
 * At the batch sizes people train with, a step's non-GEMM kernels each touch well under a
 * megabyte, so they are bound by launch latency rather than arithmetic or bandwidth: the
 * point is few launches (bias and activation fused, ReLU backward fused with the bias
 * gradient, softmax fused with the loss and its gradient, one optimiser launch over every
 * parameter at once) and no host synchronisation anywhere in a step. Statistics (loss
 * sum, correct count) stay in device memory until the caller reads them.
 *
 * Mixed precision (train --dtype bf16) uses the same kernels with a non-NULL `copy`: each
 * also stores the bfloat16 of what it wrote (__float2bfloat16_rn: round to nearest even),
 * the input the next cuBLAS BF16 product reads, so no launch is added for it but the input
 * batch's rounding.
 *
 * All launches go to the device's own stream (wg_cuda_stream), the stream cuBLAS uses
 * too, so the kernels and the GEMMs of a step run in order without events, and the whole
 * step can be captured into a CUDA graph (src/nn/step_graph.c). The stream and the SM
 * count are looked up once per device, not per launch.
 */
#include <cuda_bf16.h>
#include <inttypes.h>
#include <stdint.h>

#include "../nn/nn_backend.h"
#include "cuda_check.h"
#include "step_graph.h"

#define NN_THREADS 256
#define NN_BLOCKS_PER_SM 8

/* ---------------------------------------------------------------- kernels --------- */

/* y = act(y + bias), grid-stride over rows x cols. The column of element i is kept up to
 * date by addition (one 64-bit division per thread, not one per element). */
static __global__ void bias_act_kernel(float *y, const float *__restrict__ bias, int64_t rows,
                                       int64_t cols, int relu, __nv_bfloat16 *copy)
{
    const int64_t n = rows * cols;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t step = stride % cols;
    int64_t c = start % cols;
    for (int64_t i = start; i < n; i += stride) {
        const float v = y[i] + bias[c];
        const float out = relu ? (v > 0.0f ? v : 0.0f) : v;
        y[i] = out;
        if (copy) copy[i] = __float2bfloat16_rn(out);
        c += step;
        if (c >= cols) c -= cols;
    }
}

/* ReLU backward and the bias gradient in one pass. A block of 32 x 8 threads owns 32
 * adjacent columns (a warp reads 128 contiguous bytes of a row: coalesced) and a band of
 * rows; the 8 row-lanes sum in registers, then in shared memory. With one band
 * (gridDim.y == 1) the block writes its sums; with several, it adds them to dbias, which
 * the caller zeroed first. */
static __global__ void bias_act_backward_kernel(float *dy, const float *__restrict__ y,
                                                float *dbias, int64_t rows, int64_t cols,
                                                int relu, int64_t rows_per_band,
                                                __nv_bfloat16 *copy)
{
    __shared__ float partial[8][33];
    const int64_t c = (int64_t)blockIdx.x * 32 + threadIdx.x;
    const int64_t r0 = (int64_t)blockIdx.y * rows_per_band;
    const int64_t r1 = r0 + rows_per_band < rows ? r0 + rows_per_band : rows;
    float sum = 0.0f;
    if (c < cols) {
        for (int64_t r = r0 + threadIdx.y; r < r1; r += 8) {
            const int64_t i = r * cols + c;
            float g = dy[i];
            if (relu) {
                g = y[i] > 0.0f ? g : 0.0f;
                dy[i] = g;
            }
            if (copy) copy[i] = __float2bfloat16_rn(g);
            sum += g;
        }
    }
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        float total = 0.0f;
        for (int k = 0; k < 8; k++) total += partial[k][threadIdx.x];
        if (gridDim.y == 1)
            dbias[c] = total;
        else
            atomicAdd(dbias + c, total);
    }
}

/* Softmax cross-entropy, one warp per row: the lanes stride over the classes, and warp
 * shuffles find the maximum (with the first index holding it, for accuracy) and the sum of
 * exponentials without shared memory or block barriers. Lane 0 adds the row's loss and
 * hit to the statistics. */
static __global__ void softmax_xent_kernel(const float *logits, const uint8_t *labels,
                                           int64_t rows, int64_t classes, float scale,
                                           float *dlogits, wg_nn_stats *stats)
{
    const int lane = threadIdx.x & 31;
    const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
    for (int64_t r = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows;
         r += warps) {
        const float *z = logits + r * classes;
        float max = -INFINITY;
        int64_t best = classes;
        for (int64_t c = lane; c < classes; c += 32)
            if (z[c] > max) {
                max = z[c];
                best = c;
            }
        for (int offset = 16; offset > 0; offset >>= 1) {
            float other = __shfl_xor_sync(0xffffffffu, max, offset);
            int64_t other_best = __shfl_xor_sync(0xffffffffu, best, offset);
            if (other > max || (other == max && other_best < best)) {
                max = other;
                best = other_best;
            }
        }
        const int label = labels[r];
        const float z_label = z[label]; /* read before dlogits (which may alias z) is written */
        float sum = 0.0f;
        for (int64_t c = lane; c < classes; c += 32) sum += __expf(z[c] - max);
        for (int offset = 16; offset > 0; offset >>= 1)
            sum += __shfl_xor_sync(0xffffffffu, sum, offset);
        if (dlogits) {
            const float inv = scale / sum;
            float *d = dlogits + r * classes;
            for (int64_t c = lane; c < classes; c += 32) {
                float p = __expf(z[c] - max) * inv;
                d[c] = c == label ? p - scale : p;
            }
        }
        if (lane == 0) {
            const float loss = logf(sum) - (z_label - max);
            atomicAdd(&stats->loss_sum, (double)loss);
            if (best == label) atomicAdd(&stats->correct, 1.0);
        }
    }
}

static __global__ void stats_reset_kernel(wg_nn_stats *stats)
{
    stats->loss_sum = 0.0;
    stats->correct = 0.0;
}

/* SGD with momentum over every parameter of the model in one launch. With a step table
 * (a captured graph's launch), the learning rate is the current step's, read on the
 * device. */
static __global__ void sgd_kernel(float *__restrict__ w, float *__restrict__ v,
                                  const float *__restrict__ g, int64_t n, float lr,
                                  float momentum, const wg_step_params *table,
                                  const int64_t *cursor, __nv_bfloat16 *__restrict__ copy)
{
    if (table) lr = table[*cursor].lr;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float vi = momentum * v[i] + g[i];
        const float wi = w[i] - lr * vi;
        v[i] = vi;
        w[i] = wi;
        if (copy) copy[i] = __float2bfloat16_rn(wi);
    }
}

/* Adam over every parameter in one launch (bias corrections folded in by the caller, or
 * read from the current step of a step table). */
static __global__ void adam_kernel(float *__restrict__ w, float *__restrict__ m,
                                   float *__restrict__ v, const float *__restrict__ g,
                                   int64_t n, float lr_t, float beta1, float beta2, float eps_t,
                                   const wg_step_params *table, const int64_t *cursor,
                                   __nv_bfloat16 *__restrict__ copy)
{
    if (table) {
        lr_t = table[*cursor].lr_t;
        eps_t = table[*cursor].eps_t;
    }
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float gi = g[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float wi = w[i] - lr_t * mi / (sqrtf(vi) + eps_t);
        w[i] = wi;
        if (copy) copy[i] = __float2bfloat16_rn(wi);
    }
}

/* dst = bf16(src): the input batch of a mixed-precision forward pass. */
static __global__ void to_bf16_kernel(const float *__restrict__ src,
                                      __nv_bfloat16 *__restrict__ dst, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = __float2bfloat16_rn(src[i]);
}

/* The mini-batch gather from the dataset kept in device memory: grid-stride over the
 * batch's elements (consecutive threads copy consecutive floats of one image: coalesced),
 * the row and column of element i kept up to date by addition; the first `rows` threads
 * also copy the labels. With a step table, `first` is the current step's. */
static __global__ void gather_kernel(const float *__restrict__ images,
                                     const uint8_t *__restrict__ labels,
                                     const int32_t *__restrict__ order, int64_t first,
                                     int64_t rows, int64_t features, float *__restrict__ x,
                                     uint8_t *__restrict__ y, const wg_step_params *table,
                                     const int64_t *cursor)
{
    if (table) first = table[*cursor].first;
    const int64_t n = rows * features;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t row_step = stride / features, col_step = stride % features;
    int64_t r = start / features, f = start % features;
    for (int64_t i = start; i < n; i += stride) {
        x[i] = images[(int64_t)order[first + r] * features + f];
        r += row_step;
        f += col_step;
        if (f >= features) {
            f -= features;
            r++;
        }
    }
    for (int64_t r = start; r < rows; r += stride) y[r] = labels[order[first + r]];
}

/* ---------------------------------------------------------------- launching ------- */

/* Makes the device current and picks a grid for `items` grid-stride work items on the
 * device's stream. */
static wg_status grid_for(int index, int64_t items, unsigned *blocks, cudaStream_t *stream)
{
    int sms = 0;
    wg_status status = wg_cuda_sm_count(index, &sms);
    if (status == WG_OK) status = wg_cuda_stream(index, stream);
    if (status != WG_OK) return status;
    const int64_t wanted = (items + NN_THREADS - 1) / NN_THREADS;
    const int64_t cap = (int64_t)sms * NN_BLOCKS_PER_SM;
    *blocks = (unsigned)(wanted < 1 ? 1 : wanted < cap ? wanted : cap);
    return WG_OK;
}

static wg_status cuda_bias_act_bf16(int index, float *y, const float *bias, int64_t rows,
                                    int64_t cols, int relu, wg_bf16 *y16)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, rows * cols, &blocks, &stream);
    if (status != WG_OK) return status;
    bias_act_kernel<<<blocks, NN_THREADS, 0, stream>>>(y, bias, rows, cols, relu,
                                                       (__nv_bfloat16 *)y16);
    WG_CUDA_LAUNCH_CHECK("launching bias_act on cuda:%d (%" PRId64 " x %" PRId64 ")", index,
                         rows, cols);
    return WG_OK;
}

static wg_status cuda_bias_act(int index, float *y, const float *bias, int64_t rows,
                               int64_t cols, int relu)
{
    return cuda_bias_act_bf16(index, y, bias, rows, cols, relu, NULL);
}

static wg_status cuda_bias_act_backward_bf16(int index, float *dy, const float *y,
                                             float *dbias, int64_t rows, int64_t cols,
                                             int relu, wg_bf16 *dy16)
{
    int sms = 0;
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_sm_count(index, &sms);
    if (status == WG_OK) status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    /* Enough row bands to give every SM a few blocks, but at least 256 rows a band (so a
     * usual batch is one band: no zeroing, no atomics). */
    const int64_t col_blocks = (cols + 31) / 32;
    int64_t bands = (4 * (int64_t)sms + col_blocks - 1) / col_blocks;
    const int64_t max_bands = (rows + 255) / 256;
    if (bands > max_bands) bands = max_bands;
    if (bands < 1) bands = 1;
    if (bands > WG_CUDA_MAX_GRID_Y) bands = WG_CUDA_MAX_GRID_Y;
    const int64_t rows_per_band = (rows + bands - 1) / bands;
    bands = (rows + rows_per_band - 1) / rows_per_band;
    if (bands > 1)
        WG_CUDA_TRY(cudaMemsetAsync(dbias, 0, (size_t)cols * sizeof(float), stream),
                    "zeroing a bias gradient of %" PRId64 " floats on cuda:%d", cols, index);
    dim3 grid((unsigned)col_blocks, (unsigned)bands), block(32, 8);
    bias_act_backward_kernel<<<grid, block, 0, stream>>>(dy, y, dbias, rows, cols, relu,
                                                         rows_per_band, (__nv_bfloat16 *)dy16);
    WG_CUDA_LAUNCH_CHECK("launching bias_act_backward on cuda:%d (%" PRId64 " x %" PRId64 ")",
                         index, rows, cols);
    return WG_OK;
}

static wg_status cuda_bias_act_backward(int index, float *dy, const float *y, float *dbias,
                                        int64_t rows, int64_t cols, int relu)
{
    return cuda_bias_act_backward_bf16(index, dy, y, dbias, rows, cols, relu, NULL);
}

static wg_status cuda_softmax_xent(int index, const float *logits, const uint8_t *labels,
                                   int64_t rows, int64_t classes, float scale, float *dlogits,
                                   wg_nn_stats *stats)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, rows * 32, &blocks, &stream);
    if (status != WG_OK) return status;
    softmax_xent_kernel<<<blocks, NN_THREADS, 0, stream>>>(logits, labels, rows, classes, scale,
                                                           dlogits, stats);
    WG_CUDA_LAUNCH_CHECK("launching softmax_xent on cuda:%d (%" PRId64 " x %" PRId64 ")",
                         index, rows, classes);
    return WG_OK;
}

static wg_status cuda_stats_reset(int index, wg_nn_stats *stats)
{
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    stats_reset_kernel<<<1, 1, 0, stream>>>(stats);
    WG_CUDA_LAUNCH_CHECK("launching stats_reset on cuda:%d", index);
    return WG_OK;
}

static wg_status sgd_launch(int index, float *w, float *v, const float *g, int64_t n, float lr,
                            float momentum, const wg_step_params *table, const int64_t *cursor,
                            wg_bf16 *w16)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, n, &blocks, &stream);
    if (status != WG_OK) return status;
    sgd_kernel<<<blocks, NN_THREADS, 0, stream>>>(w, v, g, n, lr, momentum, table, cursor,
                                                  (__nv_bfloat16 *)w16);
    WG_CUDA_LAUNCH_CHECK("launching sgd on cuda:%d (%" PRId64 " parameters)", index, n);
    return WG_OK;
}

static wg_status adam_launch(int index, float *w, float *m, float *v, const float *g,
                             int64_t n, float lr_t, float beta1, float beta2, float eps_t,
                             const wg_step_params *table, const int64_t *cursor, wg_bf16 *w16)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, n, &blocks, &stream);
    if (status != WG_OK) return status;
    adam_kernel<<<blocks, NN_THREADS, 0, stream>>>(w, m, v, g, n, lr_t, beta1, beta2, eps_t,
                                                   table, cursor, (__nv_bfloat16 *)w16);
    WG_CUDA_LAUNCH_CHECK("launching adam on cuda:%d (%" PRId64 " parameters)", index, n);
    return WG_OK;
}

static wg_status gather_launch(int index, const float *images, const uint8_t *labels,
                               const int32_t *order, int64_t first, int64_t rows,
                               int64_t features, float *x, uint8_t *y,
                               const wg_step_params *table, const int64_t *cursor)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, rows * features, &blocks, &stream);
    if (status != WG_OK) return status;
    gather_kernel<<<blocks, NN_THREADS, 0, stream>>>(images, labels, order, first, rows, features,
                                                     x, y, table, cursor);
    WG_CUDA_LAUNCH_CHECK("launching gather on cuda:%d (%" PRId64 " rows of %" PRId64 ")",
                         index, rows, features);
    return WG_OK;
}

static wg_status cuda_sgd_bf16(int index, float *w, float *v, const float *g, int64_t n,
                               float lr, float momentum, wg_bf16 *w16)
{
    return sgd_launch(index, w, v, g, n, lr, momentum, NULL, NULL, w16);
}

static wg_status cuda_sgd(int index, float *w, float *v, const float *g, int64_t n, float lr,
                          float momentum)
{
    return cuda_sgd_bf16(index, w, v, g, n, lr, momentum, NULL);
}

static wg_status cuda_adam_bf16(int index, float *w, float *m, float *v, const float *g,
                                int64_t n, float lr_t, float beta1, float beta2, float eps_t,
                                wg_bf16 *w16)
{
    return adam_launch(index, w, m, v, g, n, lr_t, beta1, beta2, eps_t, NULL, NULL, w16);
}

static wg_status cuda_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                           float lr_t, float beta1, float beta2, float eps_t)
{
    return cuda_adam_bf16(index, w, m, v, g, n, lr_t, beta1, beta2, eps_t, NULL);
}

static wg_status cuda_to_bf16(int index, const float *src, wg_bf16 *dst, int64_t n)
{
    unsigned blocks = 0;
    cudaStream_t stream = NULL;
    wg_status status = grid_for(index, n, &blocks, &stream);
    if (status != WG_OK) return status;
    to_bf16_kernel<<<blocks, NN_THREADS, 0, stream>>>(src, (__nv_bfloat16 *)dst, n);
    WG_CUDA_LAUNCH_CHECK("launching to_bf16 on cuda:%d (%" PRId64 " values)", index, n);
    return WG_OK;
}

static wg_status cuda_gather(int index, const float *images, const uint8_t *labels,
                             const int32_t *order, int64_t first, int64_t rows,
                             int64_t features, float *x, uint8_t *y)
{
    return gather_launch(index, images, labels, order, first, rows, features, x, y, NULL, NULL);
}

/* The step-table forms (step_graph.h): the same kernels, the per-step values read from
 * table[*cursor] on the device. */
extern "C" wg_status wg_cuda_step_gather(int index, const float *images, const uint8_t *labels,
                                         const int32_t *order, const wg_step_params *table,
                                         const int64_t *cursor, int64_t rows,
                                         int64_t features, float *x, uint8_t *y)
{
    return gather_launch(index, images, labels, order, 0, rows, features, x, y, table, cursor);
}

extern "C" wg_status wg_cuda_step_sgd(int index, float *w, float *v, const float *g, int64_t n,
                                      float momentum, const wg_step_params *table,
                                      const int64_t *cursor)
{
    return sgd_launch(index, w, v, g, n, 0.0f, momentum, table, cursor, NULL);
}

extern "C" wg_status wg_cuda_step_adam(int index, float *w, float *m, float *v, const float *g,
                                       int64_t n, float beta1, float beta2,
                                       const wg_step_params *table, const int64_t *cursor)
{
    return adam_launch(index, w, m, v, g, n, 0.0f, beta1, beta2, 0.0f, table, cursor, NULL);
}

extern "C" const wg_nn_backend wg_nn_cuda = {
    cuda_bias_act, cuda_bias_act_backward, cuda_softmax_xent, cuda_stats_reset,
    cuda_sgd,      cuda_adam,              cuda_gather,
    /* mixed precision */
    cuda_to_bf16,  cuda_bias_act_bf16,     cuda_bias_act_backward_bf16,
    cuda_sgd_bf16, cuda_adam_bf16,
};
