/*
 * cuda_stub.c - the CUDA backend of a build without nvcc (compiled instead of src/cuda/):
 * every CUDA entry point exists once and fails with WG_ERR_NO_DEVICE and one message, so
 * the rest of the library calls CUDA the same way in every build. The CUDA kernel
 * registry (cuda_kernels.c) is in every build, so the CUDA kernels are still listed.
 */
#include "cuda/cuda_backend.h"
#include "cuda/cuda_measure.h"
#include "cuda/ladder_cuda.h"
#include "cuda_kernels.h"
#include "error.h"
#include "nn/nn_backend.h"

#define WG_NO_CUDA_BUILD "whygpu was built without CUDA (nvcc was absent at build time, or CUDA=0)"

static wg_status no_cuda(int index)
{
    return wg_fail(WG_ERR_NO_DEVICE, "cuda:%d is unavailable: " WG_NO_CUDA_BUILD, index);
}

/* ---------------------------------------------------------------- device queries -- */

int wg_built_with_cuda(void) { return 0; }

wg_status wg_cuda_device_count(int *count)
{
    *count = 0;
    return wg_fail(WG_ERR_NO_DEVICE, WG_NO_CUDA_BUILD);
}

wg_status wg_cuda_check(int index) { return no_cuda(index); }

wg_status wg_cuda_gpu_info(int index, wg_gpu_info *out)
{
    (void)out;
    return no_cuda(index);
}

/* ---------------------------------------------------------------- backend table --- */

static wg_status stub_alloc(int index, size_t bytes, void **out)
{
    (void)bytes, (void)out;
    return no_cuda(index);
}

static void stub_release(int index, void *ptr) { (void)index, (void)ptr; }

static wg_status stub_copy(int index, void *dst, const void *src, size_t bytes)
{
    (void)dst, (void)src, (void)bytes;
    return no_cuda(index);
}

static wg_status stub_fill(int index, float *dst, int64_t n, float value)
{
    (void)dst, (void)n, (void)value;
    return no_cuda(index);
}

static wg_status stub_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                                   uint64_t seed)
{
    (void)dst, (void)n, (void)low, (void)high, (void)seed;
    return no_cuda(index);
}

static wg_status stub_binary(int index, const float *a, const float *b, float *out, int64_t n)
{
    (void)a, (void)b, (void)out, (void)n;
    return no_cuda(index);
}

static wg_status stub_relu(int index, const float *x, float *out, int64_t n)
{
    (void)x, (void)out, (void)n;
    return no_cuda(index);
}

static wg_status stub_timer_start(int index, wg_device_timer *timer)
{
    (void)timer;
    return no_cuda(index);
}

static wg_status stub_timer_stop(int index, wg_device_timer *timer, double *seconds)
{
    (void)timer, (void)seconds;
    return no_cuda(index);
}

const wg_backend wg_cuda_backend = {
    .name = "cuda",
    .check = wg_cuda_check,
    .alloc = stub_alloc,
    .release = stub_release,
    .copy_from_host = stub_copy,
    .copy_to_host = stub_copy,
    .fill = stub_fill,
    .fill_uniform = stub_fill_uniform,
    .mul = stub_binary,
    .add = stub_binary,
    .relu = stub_relu,
    WG_CUDA_BACKEND_KERNELS,
    .synchronize = wg_cuda_check,
    .timer_start = stub_timer_start,
    .timer_stop = stub_timer_stop,
};

/* ---------------------------------------------------------------- ladder ---------- */

wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                const wg_gemm_args *ops)
{
    (void)plan, (void)ops;
    return no_cuda(index);
}

wg_status wg_cuda_cublas_gemm(int index, wg_precision precision, const wg_gemm_args *args)
{
    (void)precision, (void)args;
    return no_cuda(index);
}

wg_status wg_cuda_ladder_to_bf16(int index, const float *src, int64_t rows, int64_t cols,
                                 int64_t src_ld, int64_t dst_ld, void **out)
{
    (void)src, (void)rows, (void)cols, (void)src_ld, (void)dst_ld, (void)out;
    return no_cuda(index);
}

void wg_cuda_ladder_free(int index, void *ptr) { (void)index, (void)ptr; }

/* ---------------------------------------------------------------- measurements ---- */

wg_status wg_cuda_measure_stream(int device, wg_stream_kernel kernel, int64_t elements,
                                 int64_t blocks, int threads_per_block, int trials,
                                 wg_stream_result *out)
{
    (void)kernel, (void)elements, (void)blocks, (void)threads_per_block, (void)trials, (void)out;
    return no_cuda(device);
}

wg_status wg_cuda_measure_memcpy(int device, int64_t bytes, int trials, double *best_gbs)
{
    (void)bytes, (void)trials, (void)best_gbs;
    return no_cuda(device);
}

wg_status wg_cuda_measure_transfer(int device, int64_t bytes, int to_device, int pinned,
                                   int async, int trials, wg_transfer_result *out)
{
    (void)bytes, (void)to_device, (void)pinned, (void)async, (void)trials, (void)out;
    return no_cuda(device);
}

wg_status wg_cuda_measure_read_bandwidth(int device, int64_t bytes, double min_seconds,
                                         double *gbs)
{
    (void)bytes, (void)min_seconds, (void)gbs;
    return no_cuda(device);
}

wg_status wg_cuda_measure_launch_latency(int device, int launches, wg_launch_latency *out)
{
    (void)launches, (void)out;
    return no_cuda(device);
}

/* ---------------------------------------------------------------- layer operations  */

static wg_status nn_bias_act(int index, float *y, const float *bias, int64_t rows, int64_t cols,
                             int relu)
{
    (void)y, (void)bias, (void)rows, (void)cols, (void)relu;
    return no_cuda(index);
}

static wg_status nn_bias_act_backward(int index, float *dy, const float *y, float *dbias,
                                      int64_t rows, int64_t cols, int relu)
{
    (void)dy, (void)y, (void)dbias, (void)rows, (void)cols, (void)relu;
    return no_cuda(index);
}

static wg_status nn_softmax_xent(int index, const float *logits, const uint8_t *labels,
                                 int64_t rows, int64_t classes, float scale, float *dlogits,
                                 wg_nn_stats *stats)
{
    (void)logits, (void)labels, (void)rows, (void)classes, (void)scale, (void)dlogits,
        (void)stats;
    return no_cuda(index);
}

static wg_status nn_stats_reset(int index, wg_nn_stats *stats)
{
    (void)stats;
    return no_cuda(index);
}

static wg_status nn_sgd(int index, float *w, float *v, const float *g, int64_t n, float lr,
                        float momentum)
{
    (void)w, (void)v, (void)g, (void)n, (void)lr, (void)momentum;
    return no_cuda(index);
}

static wg_status nn_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                         float lr_t, float beta1, float beta2, float eps_t)
{
    (void)w, (void)m, (void)v, (void)g, (void)n, (void)lr_t, (void)beta1, (void)beta2,
        (void)eps_t;
    return no_cuda(index);
}

static wg_status nn_gather(int index, const float *images, const uint8_t *labels,
                           const int32_t *order, int64_t first, int64_t rows, int64_t features,
                           float *x, uint8_t *y)
{
    (void)images, (void)labels, (void)order, (void)first, (void)rows, (void)features, (void)x,
        (void)y;
    return no_cuda(index);
}

const wg_nn_backend wg_nn_cuda = {
    .bias_act = nn_bias_act,
    .bias_act_backward = nn_bias_act_backward,
    .softmax_xent = nn_softmax_xent,
    .stats_reset = nn_stats_reset,
    .sgd = nn_sgd,
    .adam = nn_adam,
    .gather = nn_gather,
};
