/*
 * opencl_stub.c - the OpenCL backend of a build without the OpenCL headers or ICD loader
 * (compiled instead of src/opencl/): every entry exists once and fails with
 * WG_ERR_NO_DEVICE and one message, so the rest of the library calls OpenCL the same way
 * in every build. The registry (opencl_kernels.c) is in every build.
 */
#include "error.h"
#include "opencl_kernels.h"

static wg_status no_opencl(int index)
{
    return wg_fail(WG_ERR_NO_DEVICE, "opencl:%d is unavailable: " WG_NO_OPENCL_BUILD, index);
}

static wg_status stub_check(int index) { return no_opencl(index); }

static wg_status stub_alloc(int index, size_t bytes, void **out)
{
    (void)bytes, (void)out;
    return no_opencl(index);
}

static void stub_release(int index, void *ptr) { (void)index, (void)ptr; }

static wg_status stub_copy(int index, void *dst, const void *src, size_t bytes)
{
    (void)dst, (void)src, (void)bytes;
    return no_opencl(index);
}

static wg_status stub_fill(int index, float *dst, int64_t n, float value)
{
    (void)dst, (void)n, (void)value;
    return no_opencl(index);
}

static wg_status stub_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                                   uint64_t seed)
{
    (void)dst, (void)n, (void)low, (void)high, (void)seed;
    return no_opencl(index);
}

static wg_status stub_binary(int index, const float *a, const float *b, float *out, int64_t n)
{
    (void)a, (void)b, (void)out, (void)n;
    return no_opencl(index);
}

static wg_status stub_relu(int index, const float *x, float *out, int64_t n)
{
    (void)x, (void)out, (void)n;
    return no_opencl(index);
}

static wg_status stub_timer_start(int index, wg_device_timer *timer)
{
    (void)timer;
    return no_opencl(index);
}

static wg_status stub_timer_stop(int index, wg_device_timer *timer, double *seconds)
{
    (void)timer, (void)seconds;
    return no_opencl(index);
}

wg_status wg_opencl_gemm(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    (void)kernel, (void)args;
    return no_opencl(index);
}

wg_status wg_opencl_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                                 wg_gemm_inputs *out)
{
    (void)kernel, (void)args, (void)out;
    return no_opencl(index);
}

wg_status wg_opencl_gemm_run_prepared(int index, const wg_kernel *kernel,
                                      const wg_gemm_args *args, const wg_gemm_inputs *inputs)
{
    (void)kernel, (void)args, (void)inputs;
    return no_opencl(index);
}

void wg_opencl_gemm_inputs_free(int index, wg_gemm_inputs *inputs) { (void)index, (void)inputs; }

const wg_backend wg_opencl_backend = {
    .name = "opencl",
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
    WG_OPENCL_BACKEND_KERNELS,
    .synchronize = stub_check,
    .timer_start = stub_timer_start,
    .timer_stop = stub_timer_stop,
};
