/*
 * opencl_stub.c - the OpenCL backend of a build without the OpenCL headers or ICD loader
 * (compiled instead of src/opencl/): every entry exists once and fails with
 * WG_ERR_NO_DEVICE and one message, so the rest of the library calls OpenCL the same way
 * in every build. The registry (opencl_kernels.c) is in every build.
 */
#include "error.h"
#include "nn/nn_backend.h"
#include "opencl/opencl_backend.h"
#include "opencl_kernels.h"

static wg_status no_opencl(int index)
{
    return wg_fail(WG_ERR_NO_DEVICE, "opencl:%d is unavailable: " WG_NO_OPENCL_BUILD, index);
}

/* ---------------------------------------------------------------- device queries -- */

int wg_built_with_opencl(void) { return 0; }

wg_status wg_ocl_device_count(int *count)
{
    *count = 0;
    return wg_fail(WG_ERR_NO_DEVICE, WG_NO_OPENCL_BUILD);
}

wg_status wg_ocl_check(int index) { return no_opencl(index); }

wg_status wg_ocl_info(int index, wg_opencl_info *out)
{
    (void)out;
    return no_opencl(index);
}

/* ---------------------------------------------------------------- backend table --- */

#define STUB_FAIL no_opencl
#include "stub_entries.inc"

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
                                      const wg_gemm_inputs *inputs)
{
    (void)kernel, (void)inputs;
    return no_opencl(index);
}

const wg_backend wg_opencl_backend = {
    .name = "opencl",
    .check = wg_ocl_check,
    WG_STUB_BACKEND_ENTRIES,
    WG_OPENCL_BACKEND_KERNELS,
    .synchronize = wg_ocl_check,
};

const wg_nn_backend wg_nn_opencl = WG_STUB_NN_TABLE;

/* ---------------------------------------------------------------- measurements ---- */

wg_status wg_ocl_measure_stream(int index, int kernel, int64_t elements, int64_t groups,
                                int local_size, int trials, wg_stream_result *out)
{
    (void)kernel, (void)elements, (void)groups, (void)local_size, (void)trials, (void)out;
    return no_opencl(index);
}

wg_status wg_ocl_measure_transfer(int index, int64_t bytes, int to_device, int pinned, int async,
                                  int trials, wg_transfer_result *out)
{
    (void)bytes, (void)to_device, (void)pinned, (void)async, (void)trials, (void)out;
    return no_opencl(index);
}

wg_status wg_ocl_measure_launch_latency(int index, int launches, wg_launch_latency *out)
{
    (void)launches, (void)out;
    return no_opencl(index);
}

wg_status wg_ocl_measure_scaling(int index, const int64_t *groups, int count, int local_size,
                                 int steps, int trials, wg_opencl_scaling_point *out)
{
    (void)groups, (void)count, (void)local_size, (void)steps, (void)trials, (void)out;
    return no_opencl(index);
}

wg_status wg_ocl_measure_memcpy(int index, int64_t bytes, int trials, double *best_gbs)
{
    (void)bytes, (void)trials, (void)best_gbs;
    return no_opencl(index);
}

wg_status wg_ocl_measure_read_bandwidth(int index, int64_t bytes, double min_seconds, double *gbs)
{
    (void)bytes, (void)min_seconds, (void)gbs;
    return no_opencl(index);
}
