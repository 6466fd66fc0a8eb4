/*
 * cuda_stub.c - the CUDA backend of a build without nvcc (compiled instead of src/cuda/):
 * every CUDA entry point exists once and fails with WG_ERR_NO_DEVICE and one message, so
 * the rest of the library calls CUDA the same way in every build. The CUDA kernel
 * registry (cuda_kernels.c) is in every build, so the CUDA kernels are still listed.
 */
#include "cuda/ladder_cuda.h"
#include "cuda_kernels.h"
#include "error.h"

#define WG_NO_CUDA_BUILD "whygpu was built without CUDA (nvcc was absent at build time, or CUDA=0)"

static wg_status no_cuda(int index)
{
    return wg_fail(WG_ERR_NO_DEVICE, "cuda:%d is unavailable: " WG_NO_CUDA_BUILD, index);
}

/* ---------------------------------------------------------------- backend table --- */

static wg_status stub_check(int index) { return no_cuda(index); }

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
    .check = stub_check,
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
    .synchronize = stub_check,
    .timer_start = stub_timer_start,
    .timer_stop = stub_timer_stop,
};

/* ---------------------------------------------------------------- ladder ---------- */

wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                const wg_ladder_operands *ops)
{
    (void)plan, (void)ops;
    return no_cuda(index);
}

wg_status wg_cuda_ladder_cublas(int index, wg_ladder_precision precision,
                                const wg_ladder_operands *ops)
{
    (void)precision, (void)ops;
    return no_cuda(index);
}

wg_status wg_cuda_ladder_to_bf16(int index, const float *src, int64_t rows, int64_t cols,
                                 int64_t src_ld, int64_t dst_ld, void **out)
{
    (void)src, (void)rows, (void)cols, (void)src_ld, (void)dst_ld, (void)out;
    return no_cuda(index);
}

void wg_cuda_ladder_free(int index, void *ptr) { (void)index, (void)ptr; }
