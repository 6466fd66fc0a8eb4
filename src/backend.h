/*
 * backend.h - the table of operations a device provides.
 *
 * tensor.c checks arguments (shapes, devices, sizes) once, then calls the table of the
 * device that holds the data; a backend sees only raw pointers and validated sizes. A new
 * device, or a new kernel for an existing one, plugs in here and nowhere else.
 *
 * Every entry takes the device index first (0 for the CPU) and returns WG_OK or a status
 * set with wg_fail().
 */
#ifndef WG_BACKEND_H
#define WG_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A running interval timer. CPU: host clock. CUDA: a pair of events (OpenCL: of markers),
 * so the interval is the device's own time from the start mark to the end of the last
 * queued work. */
typedef struct wg_device_timer {
    double host_start;
    void *start_event;
    void *stop_event;
} wg_device_timer;

/* A product as its kernel reads it: the caller's arguments, except that a BF16 kernel's
 * a and b point at copies converted to BF16 in device memory (lda, ldb counting BF16
 * elements; each row padded to a multiple of 8 elements so that 16-byte loads are always
 * possible), which owned_a and owned_b hold for freeing. */
typedef struct wg_gemm_inputs {
    wg_gemm_args args;
    void *owned_a, *owned_b;
} wg_gemm_inputs;

typedef struct wg_backend {
    const char *name;
    /* WG_OK if the device with this index can be used, else WG_ERR_NO_DEVICE and why. */
    wg_status (*check)(int index);
    /* Memory: `bytes` > 0; memory is suitably aligned for vector loads (>= 64 bytes). */
    wg_status (*alloc)(int index, size_t bytes, void **out);
    void (*release)(int index, void *ptr);
    /* Blocking copies between host memory and this device's memory. */
    wg_status (*copy_from_host)(int index, void *dst, const void *src, size_t bytes);
    wg_status (*copy_to_host)(int index, void *dst, const void *src, size_t bytes);
    /* dst[i] = value. */
    wg_status (*fill)(int index, float *dst, int64_t n, float value);
    /* dst[i] = wg_rng_uniform(seed, i, low, high) (src/rng.h): identical on every device. */
    wg_status (*fill_uniform)(int index, float *dst, int64_t n, float low, float high,
                              uint64_t seed);
    /* out[i] = a[i] * b[i]; out may alias a or b. */
    wg_status (*mul)(int index, const float *a, const float *b, float *out, int64_t n);
    /* out[i] = a[i] + b[i]; out may alias a or b. */
    wg_status (*add)(int index, const float *a, const float *b, float *out, int64_t n);
    /* out[i] = max(x[i], 0) (NaN stays NaN); out may alias x. */
    wg_status (*relu)(int index, const float *x, float *out, int64_t n);
    /* dst[i] = src[i] converted between two different dtypes (fp32 -> bf16 rounded to nearest
     * even with NaN kept, as wg_bf16_from_float; bf16 -> fp32 exact); n >= 1 elements in
     * this device's memory, src and dst do not overlap. */
    wg_status (*convert)(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                         int64_t n);
    /* The device's matmul kernels: its registry (see wg_kernel in whygpu.h). */
    const wg_kernel *kernels;
    int kernel_count;
    /* The kernel "auto" stands for on this device. */
    wg_status (*kernel_auto)(int index, const wg_kernel **out);
    /* WG_OK if `kernel` (one of this backend's) can run on device `index`, else why not. */
    wg_status (*kernel_available)(int index, const wg_kernel *kernel);
    /* SGEMM (see wg_gemm_args in whygpu.h) on this device's memory, arguments already
     * checked by wg_gemm_args_check; kernel is one of this backend's, or NULL for auto. */
    wg_status (*gemm)(int index, const wg_kernel *kernel, const wg_gemm_args *args);
    /* Prepared products (wg_gemm_prepare): inputs converted to the kernel's precision once,
     * run any number of times, released. NULL entries: the caller's arguments as they are
     * (gemm_prepare), gemm on them (gemm_run_prepared), nothing to free. */
    wg_status (*gemm_prepare)(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                              wg_gemm_inputs *out);
    wg_status (*gemm_run_prepared)(int index, const wg_kernel *kernel,
                                   const wg_gemm_inputs *inputs);
    void (*gemm_inputs_free)(int index, wg_gemm_inputs *inputs);
    /* Waits for all queued work. */
    wg_status (*synchronize)(int index);
    /* Interval timing that counts asynchronous work in full (see wg_device_timer). */
    wg_status (*timer_start)(int index, wg_device_timer *timer);
    wg_status (*timer_stop)(int index, wg_device_timer *timer, double *seconds);
} wg_backend;

extern const wg_backend wg_cpu_backend;
/* The CUDA backend: src/cuda/ when built with nvcc, else src/cuda_stub.c, whose entries
 * all say the build has no CUDA. Its kernel registry is in every build. */
extern const wg_backend wg_cuda_backend;
/* The OpenCL backend: src/opencl/ when the OpenCL headers and loader were found, else
 * src/opencl_stub.c, likewise; its kernel registry (src/opencl_kernels.c) is in every build. */
extern const wg_backend wg_opencl_backend;

/* The backend of a device kind, or NULL with WG_ERR_ARGUMENT set (unknown kind). */
const wg_backend *wg_backend_for(wg_device device);

#ifdef __cplusplus
}
#endif

#endif /* WG_BACKEND_H */
