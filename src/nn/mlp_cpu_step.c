/*
 * mlp_cpu_step.c - the CPU's float32 training step, data-parallel over the threads in one
 * OpenMP region (see wg_mlp_cpu_train_step in mlp.h).
 *
 * The generic step (mlp.c) calls each product and layer operation in turn, and each one
 * spreads itself over the threads: a dozen fork/joins a step, and every product of the
 * network's size split in two, where a thread's share packs and streams less well than a
 * whole product on one core (the products of a step ran about 13% faster as one product
 * per thread on half the batch than as two-thread products on the whole batch). Here each
 * thread owns a band of the batch's rows through the forward pass, the loss and the ReLU
 * backward (rows are independent there: no synchronisation), and a band of the output
 * columns of each weight gradient (dW = X^T.dZ sums over all rows, so those wait for every
 * thread's dZ: one barrier per layer). Each thread's bias-gradient sums over its rows go to
 * its own scratch row and are added up per column after the barrier. The optimiser updates
 * a band of the flat parameter buffer per thread after the last barrier. Every product and
 * operation called inside runs on the calling thread alone.
 *
 * Mixed precision (BF16) takes the same path with the bf16 entries: each thread rounds its
 * rows of the input batch, its rows of each hidden output and of each dZ (in the passes that
 * make them), and its band of the parameters' copies (in the optimiser's pass).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "mlp.h"

/* Below this many rows a thread, the generic step (threaded products) is the faster. */
#define MIN_ROWS_PER_THREAD 32

/* [*first, *end) of thread me's share of count items, whole multiples of align (the last
 * share takes the remainder). */
static void band(int64_t count, int64_t align, int parts, int me, int64_t *first, int64_t *end)
{
    const int64_t units = (count + align - 1) / align;
    const int64_t a = units * me / parts * align, b = units * (me + 1) / parts * align;
    *first = a < count ? a : count;
    *end = b < count ? b : count;
}

/* Per-thread scratch: bias-gradient partial sums (two sets, one per layer parity, so a
 * thread filling the next layer's sums never overwrites sums another thread still adds
 * up) and loss statistics. Grown when more threads or wider layers come. */
static wg_status scratch_for(wg_mlp *mlp, int threads)
{
    int64_t widest = 0;
    for (int l = 1; l <= mlp->layers; l++) widest = mlp->sizes[l] > widest ? mlp->sizes[l] : widest;
    const int64_t row = (widest + 15) / 16 * 16;
    if (mlp->cpu_scratch && mlp->cpu_scratch_threads >= threads && mlp->cpu_scratch_row >= row)
        return WG_OK;
    free(mlp->cpu_scratch);
    free(mlp->cpu_stats);
    mlp->cpu_scratch = aligned_alloc(64, (size_t)(2 * threads * row) * sizeof(float));
    mlp->cpu_stats = calloc((size_t)threads, sizeof *mlp->cpu_stats);
    if (!mlp->cpu_scratch || !mlp->cpu_stats) {
        free(mlp->cpu_scratch);
        free(mlp->cpu_stats);
        mlp->cpu_scratch = NULL;
        mlp->cpu_stats = NULL;
        mlp->cpu_scratch_threads = 0;
        return wg_fail(WG_ERR_NO_MEMORY, "mlp: out of host memory for the step's scratch");
    }
    mlp->cpu_scratch_threads = threads;
    mlp->cpu_scratch_row = row;
    return WG_OK;
}

/* A product on this thread alone (an empty band does nothing). */
static wg_status gemm1(const wg_mlp *mlp, int trans_a, int trans_b, int64_t m, int64_t n,
                       int64_t k, const void *a, int64_t lda, const void *b, int64_t ldb,
                       float *c, int64_t ldc)
{
    if (m < 1 || n < 1) return WG_OK;
    return wg_mlp_gemm(mlp, trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
}

/* The product inputs of a model: its float32 buffers, or their bf16 copies (element
 * offsets are the same). */
static const void *input_at(const wg_mlp *mlp, const float *f32, const wg_bf16 *bf16,
                            int64_t offset)
{
    if (mlp->dtype == WG_DTYPE_BF16) return bf16 + offset;
    return f32 + offset;
}

/* One thread's part of the step. Returns its first failure; it still reaches every
 * barrier (the others wait there), skipping work once something failed. */
static wg_status thread_step(wg_mlp *mlp, const float *x, const uint8_t *labels, int64_t rows,
                             const wg_optimizer *optimizer, float lr, float lr_t, float eps_t,
                             int me, int team)
{
    const wg_nn_backend *nn = mlp->nn;
    const float *params = mlp->buffer[WG_MLP_PARAMS];
    float *grads = mlp->buffer[WG_MLP_GRADS];
    int64_t r0, r1;
    band(rows, 1, team, me, &r0, &r1);
    const int64_t mine = r1 - r0;
    wg_status status = WG_OK;

    const int bf16 = mlp->dtype == WG_DTYPE_BF16;
    /* forward and loss: this thread's rows */
    if (bf16)
        status = nn->to_bf16(0, x + r0 * mlp->sizes[0], mlp->x16 + r0 * mlp->sizes[0],
                             mine * mlp->sizes[0]);
    const void *in = input_at(mlp, x, mlp->x16, r0 * mlp->sizes[0]);
    for (int l = 0; l < mlp->layers && status == WG_OK; l++) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        float *out = mlp->act[l] + r0 * fan_out;
        const float *bias = params + mlp->params[2 * l + 1].offset;
        const int hidden = l + 1 < mlp->layers;
        status = gemm1(mlp, 0, 0, mine, fan_out, fan_in, in, fan_in,
                       input_at(mlp, params, mlp->params16, mlp->params[2 * l].offset), fan_out,
                       out, fan_out);
        if (status == WG_OK && bf16 && hidden)
            status = nn->bias_act_bf16(0, out, bias, mine, fan_out, 1,
                                       mlp->act16[l] + r0 * fan_out);
        else if (status == WG_OK)
            status = nn->bias_act(0, out, bias, mine, fan_out, hidden);
        in = bf16 ? (const void *)(mlp->act16[l] + r0 * fan_out) : (const void *)out;
    }
    wg_nn_stats *stats = &mlp->cpu_stats[me];
    stats->loss_sum = stats->correct = 0.0;
    const int last = mlp->layers - 1;
    const int64_t classes = mlp->sizes[mlp->layers];
    if (status == WG_OK)
        status = nn->softmax_xent(0, mlp->act[last] + r0 * classes, labels + r0, mine, classes,
                                  1.0f / (float)rows, mlp->grad[last] + r0 * classes, stats);

    /* backward */
    for (int l = last; l >= 0; l--) {
        const int64_t fan_in = mlp->sizes[l], fan_out = mlp->sizes[l + 1];
        const int64_t row = mlp->cpu_scratch_row;
        float *partials = mlp->cpu_scratch + (int64_t)(l & 1) * team * row;
        /* ReLU's mask on this thread's rows of dZ, their column sums to its scratch row */
        if (status == WG_OK && bf16)
            status = nn->bias_act_backward_bf16(0, mlp->grad[l] + r0 * fan_out,
                                                mlp->act[l] + r0 * fan_out, partials + me * row,
                                                mine, fan_out, l < last,
                                                mlp->grad16[l] + r0 * fan_out);
        else if (status == WG_OK)
            status = nn->bias_act_backward(0, mlp->grad[l] + r0 * fan_out,
                                           mlp->act[l] + r0 * fan_out, partials + me * row,
                                           mine, fan_out, l < last);
#pragma omp barrier
        /* this thread's columns of the bias and weight gradients, over every row */
        int64_t c0, c1;
        band(fan_out, 16, team, me, &c0, &c1);
        float *db = grads + mlp->params[2 * l + 1].offset;
        for (int64_t c = c0; c < c1; c++) {
            float sum = 0.0f;
            for (int t = 0; t < team; t++) sum += partials[t * row + c];
            db[c] = sum;
        }
        const void *input = l > 0 ? input_at(mlp, mlp->act[l - 1], mlp->act16[l - 1], 0)
                                  : input_at(mlp, x, mlp->x16, 0);
        if (status == WG_OK)
            status = gemm1(mlp, 1, 0, fan_in, c1 - c0, rows, input, fan_in,
                           input_at(mlp, mlp->grad[l], mlp->grad16[l], c0), fan_out,
                           grads + mlp->params[2 * l].offset + c0, fan_out);
        /* d(in) for this thread's rows: needs only its rows of dZ */
        if (status == WG_OK && l > 0)
            status = gemm1(mlp, 0, 1, mine, fan_in, fan_out,
                           input_at(mlp, mlp->grad[l], mlp->grad16[l], r0 * fan_out), fan_out,
                           input_at(mlp, params, mlp->params16, mlp->params[2 * l].offset),
                           fan_out, mlp->grad[l - 1] + r0 * fan_in, fan_in);
    }
#pragma omp barrier
    /* the optimiser on this thread's band of the flat buffers */
    int64_t p0, p1;
    band(mlp->param_count, 16, team, me, &p0, &p1);
    float **buf = mlp->buffer;
    if (status == WG_OK && p1 > p0 && bf16) {
        wg_bf16 *copies = mlp->params16 + p0;
        if (optimizer->kind == WG_OPTIMIZER_SGD)
            status = nn->sgd_bf16(0, buf[WG_MLP_PARAMS] + p0, buf[WG_MLP_STATE1] + p0,
                                  buf[WG_MLP_GRADS] + p0, p1 - p0, lr, optimizer->momentum,
                                  copies);
        else
            status = nn->adam_bf16(0, buf[WG_MLP_PARAMS] + p0, buf[WG_MLP_STATE1] + p0,
                                   buf[WG_MLP_STATE2] + p0, buf[WG_MLP_GRADS] + p0, p1 - p0,
                                   lr_t, optimizer->beta1, optimizer->beta2, eps_t, copies);
    } else if (status == WG_OK && p1 > p0) {
        if (optimizer->kind == WG_OPTIMIZER_SGD)
            status = nn->sgd(0, buf[WG_MLP_PARAMS] + p0, buf[WG_MLP_STATE1] + p0,
                             buf[WG_MLP_GRADS] + p0, p1 - p0, lr, optimizer->momentum);
        else
            status = nn->adam(0, buf[WG_MLP_PARAMS] + p0, buf[WG_MLP_STATE1] + p0,
                              buf[WG_MLP_STATE2] + p0, buf[WG_MLP_GRADS] + p0, p1 - p0, lr_t,
                              optimizer->beta1, optimizer->beta2, eps_t);
    }
    return status;
}

int wg_mlp_cpu_step_suits(const wg_mlp *mlp, int64_t rows)
{
    const int threads = wg_cpu_threads();
    return mlp && mlp->device.kind == WG_DEVICE_CPU &&
           mlp->buffer[WG_MLP_GRADS] && threads > 1 && !omp_in_parallel() &&
           rows >= (int64_t)threads * MIN_ROWS_PER_THREAD;
}

wg_status wg_mlp_cpu_train_step(wg_mlp *mlp, const float *x, const uint8_t *labels,
                                int64_t rows, const wg_optimizer *optimizer, float lr,
                                float lr_t, float eps_t)
{
    const int threads = wg_cpu_threads();
    wg_status status = scratch_for(mlp, threads);
    if (status == WG_OK && mlp->params16_stale) status = wg_mlp_refresh_copies(mlp);
    if (status != WG_OK) return status;
    wg_status failure = WG_OK;
    char message[512] = "";
    int team_used = 1;
#pragma omp parallel num_threads(threads)
    {
        const int me = omp_get_thread_num(), team = omp_get_num_threads();
        if (me == 0) team_used = team;
        /* the products and operations inside run on this thread alone (the setting is per
         * thread; the caller's own is put back below) */
        wg_set_cpu_threads(1);
        const wg_status mine = thread_step(mlp, x, labels, rows, optimizer, lr, lr_t, eps_t,
                                           me, team);
        if (me != 0) wg_set_cpu_threads(0);
        if (mine != WG_OK) {
#pragma omp critical(wg_mlp_cpu_step_failure)
            if (failure == WG_OK) {
                failure = mine;
                snprintf(message, sizeof message, "%s", wg_error_message());
            }
        }
    }
    wg_set_cpu_threads(threads);
    if (failure != WG_OK) return wg_fail(failure, "%s", message);
    for (int t = 0; t < team_used; t++) {
        mlp->stats->loss_sum += mlp->cpu_stats[t].loss_sum;
        mlp->stats->correct += mlp->cpu_stats[t].correct;
    }
    if (mlp->dtype == WG_DTYPE_BF16) mlp->params16_stale = 0; /* every band rewrote its copies */
    return WG_OK;
}
