/*
 * cuda_backend.h - the C interface of the CUDA backend (.cu files, C-style CUDA).
 *
 * These functions fill the backend table in cuda_backend.c and answer the device queries
 * of device.c. Compiled when nvcc is found; src/cuda_stub.c stands in for them otherwise.
 * Each takes the CUDA device
 * ordinal, makes it current, checks every CUDA and cuBLAS call, and reports failures with
 * wg_fail() (the CUDA error's name and text, and the values involved).
 */
#ifndef WG_CUDA_BACKEND_H
#define WG_CUDA_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "../backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Device discovery. WG_ERR_NO_DEVICE says why there are none: no driver (libcuda absent or
 * too old for this runtime), or the driver sees no device. */
wg_status wg_cuda_device_count(int *count);
wg_status wg_cuda_check(int index);
wg_status wg_cuda_gpu_info(int index, wg_gpu_info *out);

/* The backend table's entries (see backend.h). */
wg_status wg_cuda_alloc(int index, size_t bytes, void **out);
void wg_cuda_release(int index, void *ptr);
wg_status wg_cuda_copy_from_host(int index, void *dst, const void *src, size_t bytes);
wg_status wg_cuda_copy_to_host(int index, void *dst, const void *src, size_t bytes);
wg_status wg_cuda_fill(int index, float *dst, int64_t n, float value);
wg_status wg_cuda_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                               uint64_t seed);
wg_status wg_cuda_mul(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_cuda_add(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_cuda_relu(int index, const float *x, float *out, int64_t n);
/* fp32 <-> bf16 on the device (cuda_elementwise.cu), bit for bit wg_bf16_from_float's. */
wg_status wg_cuda_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                          int64_t n);
wg_status wg_cuda_synchronize(int index);
/* cuBLAS's GEMM of a precision (cublas.cu; A and B are BF16 copies for BF16); launched,
 * not waited for. */
wg_status wg_cuda_cublas_gemm(int index, wg_precision precision, const wg_gemm_args *args);
/* gpu-epilogue: cuBLAS's workspace on device `index` (cublas.cu), shared with cuBLASLt. */
wg_status wg_cuda_cublas_workspace(int index, void **workspace, size_t *bytes);
wg_status wg_cuda_timer_start(int index, wg_device_timer *timer);
wg_status wg_cuda_timer_stop(int index, wg_device_timer *timer, double *seconds);

#ifdef __cplusplus
}
#endif

#endif /* WG_CUDA_BACKEND_H */
