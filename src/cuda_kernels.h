/*
 * cuda_kernels.h - the CUDA device's kernel registry and GEMM entries (cuda_kernels.c),
 * host C in every build: the CUDA backend's table (src/cuda/cuda_backend.c, or
 * src/cuda_stub.c without nvcc) points at them.
 */
#ifndef WG_CUDA_KERNELS_H
#define WG_CUDA_KERNELS_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WG_CUDA_KERNEL_COUNT 14

extern const wg_kernel wg_cuda_kernels[WG_CUDA_KERNEL_COUNT];

/* The backend table's registry entries (see backend.h). */
wg_status wg_cuda_kernel_auto(int index, const wg_kernel **out);
wg_status wg_cuda_kernel_available(int index, const wg_kernel *kernel);
wg_status wg_cuda_gemm(int index, const wg_kernel *kernel, const wg_gemm_args *args);
wg_status wg_cuda_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                               wg_gemm_inputs *out);
wg_status wg_cuda_gemm_run_prepared(int index, const wg_kernel *kernel,
                                    const wg_gemm_inputs *inputs);
void wg_cuda_gemm_inputs_free(int index, wg_gemm_inputs *inputs);

/* The registry part of the CUDA backend's table, the same in every build. */
#define WG_CUDA_BACKEND_KERNELS                                                            \
    .kernels = wg_cuda_kernels, .kernel_count = WG_CUDA_KERNEL_COUNT,                      \
    .kernel_auto = wg_cuda_kernel_auto, .kernel_available = wg_cuda_kernel_available,      \
    .gemm = wg_cuda_gemm, .gemm_prepare = wg_cuda_gemm_prepare,                            \
    .gemm_run_prepared = wg_cuda_gemm_run_prepared,                                        \
    .gemm_inputs_free = wg_cuda_gemm_inputs_free

#ifdef __cplusplus
}
#endif

#endif /* WG_CUDA_KERNELS_H */
