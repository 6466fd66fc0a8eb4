/*
 * nn_cpu.c - the CPU's layer operations for training (see nn_backend.h).
 *
 * Every entry is one pass over its data, split across OpenMP threads when there is enough
 * work to pay for waking them, and allocates nothing: the GEMMs of a step should be all
 * that costs. Loops are written so the compiler vectorises them (unit stride, no aliasing
 * between the arrays a loop reads and writes, except in-place updates of one element).
 * The mixed-precision entries are the same passes with one more store: the bfloat16 copy
 * of each value produced, so no separate conversion pass reads it again.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "../cpu/cpu_isa.h"
#include "nn_backend.h"

/* Below this many elements one thread is faster than waking the others. */
#define PARALLEL_FROM ((int64_t)1 << 14)

/* The inner loops below are compiled (at -O3, see the Makefile) once per vector width and
 * the widest one this CPU runs is picked when the program loads: without it they stay
 * scalar SSE code, and a ReLU's compare-and-branch per element cost as much as a sixth of
 * a training step. */
#ifdef WG_CPU_HAVE_X86_KERNELS
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* float32 -> bfloat16 as wg_bf16_from_float rounds (to nearest even, NaN kept a quiet NaN;
 * a test checks they agree), written branch-free so the loops around it vectorise. */
static inline wg_bf16 round_bf16(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (bits >> 16) | 0x0040u;
    return (wg_bf16)((bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

VECTOR_CLONES static void to_bf16_range(const float *restrict src, wg_bf16 *restrict dst,
                                        int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = round_bf16(src[i]);
}

/* y = act(y + bias), one row; y16 (may be NULL) = bf16 of the result */
VECTOR_CLONES static void bias_act_row(float *restrict y, const float *restrict bias,
                                       int64_t cols, int relu, wg_bf16 *restrict y16)
{
    if (relu)
        for (int64_t c = 0; c < cols; c++) {
            const float v = y[c] + bias[c];
            y[c] = v > 0.0f ? v : 0.0f; /* NaN becomes 0 */
        }
    else
        for (int64_t c = 0; c < cols; c++) y[c] += bias[c];
    if (y16)
        for (int64_t c = 0; c < cols; c++) y16[c] = round_bf16(y[c]);
}

/* d = (out > 0 ? d : 0) when relu; sum += d; d16 (may be NULL) = bf16(d); one row of a
 * band of columns */
VECTOR_CLONES static void act_backward_row(float *restrict d, const float *restrict out,
                                           float *restrict sum, int64_t width, int relu,
                                           wg_bf16 *restrict d16)
{
    if (relu)
        for (int64_t c = 0; c < width; c++) {
            const float g = out[c] > 0.0f ? d[c] : 0.0f;
            d[c] = g;
            sum[c] += g;
        }
    else
        for (int64_t c = 0; c < width; c++) sum[c] += d[c];
    if (d16)
        for (int64_t c = 0; c < width; c++) d16[c] = round_bf16(d[c]);
}

VECTOR_CLONES static void sgd_range(float *restrict w, float *restrict v,
                                    const float *restrict g, int64_t n, float lr,
                                    float momentum, wg_bf16 *restrict w16)
{
    if (w16)
        for (int64_t i = 0; i < n; i++) {
            const float vi = momentum * v[i] + g[i];
            const float wi = w[i] - lr * vi;
            v[i] = vi;
            w[i] = wi;
            w16[i] = round_bf16(wi);
        }
    else
        for (int64_t i = 0; i < n; i++) {
            const float vi = momentum * v[i] + g[i];
            v[i] = vi;
            w[i] -= lr * vi;
        }
}

VECTOR_CLONES static void adam_range(float *restrict w, float *restrict m, float *restrict v,
                                     const float *restrict g, int64_t n, float lr_t,
                                     float beta1, float beta2, float eps_t,
                                     wg_bf16 *restrict w16)
{
    for (int64_t i = 0; i < n; i++) {
        const float mi = beta1 * m[i] + (1.0f - beta1) * g[i];
        const float vi = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        w[i] -= lr_t * mi / (sqrtf(vi) + eps_t);
    }
    if (w16)
        for (int64_t i = 0; i < n; i++) w16[i] = round_bf16(w[i]);
}

/* [*first, *end) of n elements for this thread: equal shares, each starting on a 64-byte
 * line (16 floats) so no two threads write one line. */
static void thread_range(int64_t n, int64_t *first, int64_t *end)
{
    const int threads = omp_get_num_threads(), me = omp_get_thread_num();
    int64_t share = (n + threads - 1) / threads;
    share = (share + 15) / 16 * 16;
    const int64_t a = (int64_t)me * share;
    *first = a < n ? a : n;
    *end = a + share < n ? a + share : n;
}

static wg_status cpu_bias_act_bf16(int index, float *y, const float *bias, int64_t rows,
                                   int64_t cols, int relu, wg_bf16 *y16)
{
    (void)index;
#pragma omp parallel for schedule(static) if (rows * cols >= PARALLEL_FROM)
    for (int64_t r = 0; r < rows; r++)
        bias_act_row(y + r * cols, bias, cols, relu, y16 ? y16 + r * cols : NULL);
    return WG_OK;
}

static wg_status cpu_bias_act(int index, float *y, const float *bias, int64_t rows,
                              int64_t cols, int relu)
{
    return cpu_bias_act_bf16(index, y, bias, rows, cols, relu, NULL);
}

/* The column sums are split by columns, not rows: each thread owns a band of columns (a
 * multiple of 16 floats, so bands do not share cache lines) and walks every row of it, so
 * the sums need no reduction between threads and the masking of dy happens in the same
 * pass. */
static wg_status cpu_bias_act_backward_bf16(int index, float *dy, const float *y,
                                            float *dbias, int64_t rows, int64_t cols, int relu,
                                            wg_bf16 *dy16)
{
    (void)index;
    int parallel = rows * cols >= PARALLEL_FROM && cols >= 32;
#pragma omp parallel if (parallel)
    {
        int threads = omp_get_num_threads(), me = omp_get_thread_num();
        int64_t band = (cols + threads - 1) / threads;
        band = (band + 15) / 16 * 16;
        int64_t c0 = (int64_t)me * band, c1 = c0 + band < cols ? c0 + band : cols;
        if (c0 < c1) {
            float *restrict sum = dbias + c0;
            const int64_t width = c1 - c0;
            for (int64_t c = 0; c < width; c++) sum[c] = 0.0f;
            for (int64_t r = 0; r < rows; r++)
                act_backward_row(dy + r * cols + c0, y + r * cols + c0, sum, width, relu,
                                 dy16 ? dy16 + r * cols + c0 : NULL);
        }
    }
    return WG_OK;
}

static wg_status cpu_bias_act_backward(int index, float *dy, const float *y, float *dbias,
                                       int64_t rows, int64_t cols, int relu)
{
    return cpu_bias_act_backward_bf16(index, dy, y, dbias, rows, cols, relu, NULL);
}

static wg_status cpu_softmax_xent(int index, const float *logits, const uint8_t *labels,
                                  int64_t rows, int64_t classes, float scale, float *dlogits,
                                  wg_nn_stats *stats)
{
    (void)index;
    double loss = 0.0, correct = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : loss, correct) \
    if (rows * classes >= PARALLEL_FROM)
    for (int64_t r = 0; r < rows; r++) {
        const float *z = logits + r * classes;
        const int label = labels[r];
        int best = 0;
        float max = z[0];
        for (int64_t c = 1; c < classes; c++)
            if (z[c] > max) {
                max = z[c];
                best = (int)c;
            }
        float sum = 0.0f;
        for (int64_t c = 0; c < classes; c++) sum += expf(z[c] - max);
        /* -log(exp(z_label - max) / sum) */
        loss += (double)(logf(sum) - (z[label] - max));
        correct += best == label;
        if (dlogits) {
            float *d = dlogits + r * classes;
            const float inv = scale / sum;
            for (int64_t c = 0; c < classes; c++) d[c] = expf(z[c] - max) * inv;
            d[label] -= scale;
        }
    }
    stats->loss_sum += loss;
    stats->correct += correct;
    return WG_OK;
}

static wg_status cpu_stats_reset(int index, wg_nn_stats *stats)
{
    (void)index;
    stats->loss_sum = 0.0;
    stats->correct = 0.0;
    return WG_OK;
}

static wg_status cpu_sgd_bf16(int index, float *w, float *v, const float *g, int64_t n,
                              float lr, float momentum, wg_bf16 *w16)
{
    (void)index;
#pragma omp parallel if (n >= PARALLEL_FROM)
    {
        int64_t a, b;
        thread_range(n, &a, &b);
        if (a < b) sgd_range(w + a, v + a, g + a, b - a, lr, momentum, w16 ? w16 + a : NULL);
    }
    return WG_OK;
}

static wg_status cpu_sgd(int index, float *w, float *v, const float *g, int64_t n, float lr,
                         float momentum)
{
    return cpu_sgd_bf16(index, w, v, g, n, lr, momentum, NULL);
}

static wg_status cpu_adam_bf16(int index, float *w, float *m, float *v, const float *g,
                               int64_t n, float lr_t, float beta1, float beta2, float eps_t,
                               wg_bf16 *w16)
{
    (void)index;
#pragma omp parallel if (n >= PARALLEL_FROM)
    {
        int64_t a, b;
        thread_range(n, &a, &b);
        if (a < b)
            adam_range(w + a, m + a, v + a, g + a, b - a, lr_t, beta1, beta2, eps_t,
                       w16 ? w16 + a : NULL);
    }
    return WG_OK;
}

static wg_status cpu_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                          float lr_t, float beta1, float beta2, float eps_t)
{
    return cpu_adam_bf16(index, w, m, v, g, n, lr_t, beta1, beta2, eps_t, NULL);
}

static wg_status cpu_to_bf16(int index, const float *src, wg_bf16 *dst, int64_t n)
{
    (void)index;
#pragma omp parallel if (n >= PARALLEL_FROM)
    {
        int64_t a, b;
        thread_range(n, &a, &b);
        if (a < b) to_bf16_range(src + a, dst + a, b - a);
    }
    return WG_OK;
}

static wg_status cpu_gather(int index, const float *images, const uint8_t *labels,
                            const int32_t *order, int64_t first, int64_t rows,
                            int64_t features, float *x, uint8_t *y)
{
    (void)index;
#pragma omp parallel for schedule(static) if (rows * features >= PARALLEL_FROM)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t src = order[first + r];
        memcpy(x + r * features, images + src * features, (size_t)features * sizeof *x);
        y[r] = labels[src];
    }
    return WG_OK;
}

const wg_nn_backend wg_nn_cpu = {
    .bias_act = cpu_bias_act,
    .bias_act_backward = cpu_bias_act_backward,
    .softmax_xent = cpu_softmax_xent,
    .stats_reset = cpu_stats_reset,
    .sgd = cpu_sgd,
    .adam = cpu_adam,
    .gather = cpu_gather,
    .to_bf16 = cpu_to_bf16,
    .bias_act_bf16 = cpu_bias_act_bf16,
    .bias_act_backward_bf16 = cpu_bias_act_backward_bf16,
    .sgd_bf16 = cpu_sgd_bf16,
    .adam_bf16 = cpu_adam_bf16,
};
