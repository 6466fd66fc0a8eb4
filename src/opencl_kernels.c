/*
 * opencl_kernels.c - the OpenCL device's kernel registry: the rungs of the OpenCL matmul
 * ladder (src/opencl/kernels/gemm.cl), each one step from the one before, and CLBlast, the
 * tuned OpenCL BLAS, as the vendor reference (as cuBLAS is for CUDA). Plain C in every
 * build, so `whygpu kernels` lists them (and says why they cannot run) without OpenCL too.
 */
#include "error.h"
#include "opencl_kernels.h"

const wg_kernel wg_opencl_kernels[WG_OPENCL_KERNEL_COUNT] = {
    {"naive", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "one work-item per output, neighbours down a column of C: reads of A and writes of C a "
     "row apart", 1, 0, WG_OCL_NAIVE},
    {"coalesced", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "neighbouring work-items along a row of C: they read neighbouring floats of B and write "
     "neighbouring floats of C", 2, 0, WG_OCL_COALESCED},
    {"local-tiled", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "16 x 16 tiles of A and B staged in local memory: each global load serves 16 "
     "multiply-adds", 3, 0, WG_OCL_LOCAL_TILED},
    {"regblock-1d", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "16 outputs of a column per work-item in registers: one local read of B serves 16 "
     "multiply-adds", 4, 0, WG_OCL_REGBLOCK_1D},
    {"regblock-vec", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "2-D register tiles fed by float-vector loads (on CPU drivers from the caches, not local "
     "memory, k in slices)", 5, 0, WG_OCL_REGBLOCK_2D_VEC},
    {"clblast", WG_DEVICE_OPENCL, WG_PRECISION_FP32,
     "CLBlast SGEMM, the tuned OpenCL BLAS with its default parameters: the vendor reference",
     0, 1, WG_OCL_CLBLAST},
};

/* auto: the last rung, which beats CLBlast on PoCL (docs/ladder.md) and needs no library. */
wg_status wg_opencl_kernel_auto(int index, const wg_kernel **out)
{
    (void)index;
    *out = &wg_opencl_kernels[WG_OCL_REGBLOCK_2D_VEC];
    return WG_OK;
}

wg_status wg_opencl_kernel_available(int index, const wg_kernel *kernel)
{
    wg_status status = wg_device_check((wg_device){WG_DEVICE_OPENCL, index});
    if (status != WG_OK) return status;
#ifndef WG_HAVE_CLBLAST
    if (kernel->id == WG_OCL_CLBLAST)
        return wg_fail(WG_ERR_UNSUPPORTED, "clblast: whygpu was built without CLBlast (install "
                       "libclblast-dev and rebuild)");
#else
    (void)kernel;
#endif
    return WG_OK;
}
