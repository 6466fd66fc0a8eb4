/*
 * opencl_kernels.h - the OpenCL device's kernel registry (opencl_kernels.c) and GEMM
 * entries, host C in every build: the OpenCL backend's table (src/opencl/opencl_backend.c,
 * or src/opencl_stub.c without OpenCL) points at them.
 */
#ifndef WG_OPENCL_KERNELS_H
#define WG_OPENCL_KERNELS_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WG_NO_OPENCL_BUILD                                                                    \
    "whygpu was built without OpenCL (the OpenCL headers or ICD loader were absent at build " \
    "time: install ocl-icd-opencl-dev and opencl-c-headers and rebuild; or OPENCL=0)"

/* The rungs of the OpenCL ladder in order, then CLBlast; wg_kernel.id is the index here. */
enum {
    WG_OCL_NAIVE = 0,
    WG_OCL_COALESCED,
    WG_OCL_LOCAL_TILED,
    WG_OCL_REGBLOCK_1D,
    WG_OCL_REGBLOCK_2D_VEC,
    WG_OCL_CLBLAST,
    WG_OPENCL_KERNEL_COUNT
};
#define WG_OCL_RUNGS 5

extern const wg_kernel wg_opencl_kernels[WG_OPENCL_KERNEL_COUNT];

/* The backend table's registry entries (see backend.h). */
wg_status wg_opencl_kernel_auto(int index, const wg_kernel **out);
wg_status wg_opencl_kernel_available(int index, const wg_kernel *kernel);
/* In src/opencl/opencl_gemm.c (or the stub): */
wg_status wg_opencl_gemm(int index, const wg_kernel *kernel, const wg_gemm_args *args);
wg_status wg_opencl_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                                 wg_gemm_inputs *out);
wg_status wg_opencl_gemm_run_prepared(int index, const wg_kernel *kernel,
                                      const wg_gemm_inputs *inputs);

/* The registry part of the OpenCL backend's table, the same in every build. */
#define WG_OPENCL_BACKEND_KERNELS                                                          \
    .kernels = wg_opencl_kernels, .kernel_count = WG_OPENCL_KERNEL_COUNT,                  \
    .kernel_auto = wg_opencl_kernel_auto, .kernel_available = wg_opencl_kernel_available,  \
    .gemm = wg_opencl_gemm, .gemm_prepare = wg_opencl_gemm_prepare,                        \
    .gemm_run_prepared = wg_opencl_gemm_run_prepared

#ifdef __cplusplus
}
#endif

#endif /* WG_OPENCL_KERNELS_H */
