/*
 * opencl_backend.h - the C interface of the OpenCL backend (src/opencl/, the .c files), compiled only
 * when the OpenCL headers and ICD loader were found at build time (WG_WITH_OPENCL).
 *
 * These fill the backend table (opencl_backend.c) and answer the device queries of
 * device.c. Each takes the index N of opencl:N and reports failures with wg_fail() (the
 * OpenCL error's name and code, and what was being done).
 */
#ifndef WG_OPENCL_BACKEND_H
#define WG_OPENCL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "../backend.h"
#include "../opencl_kernels.h"
#include "../measure/measure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Discovery (the public wg_opencl_device_count / wg_opencl_info_get are these). */
wg_status wg_ocl_device_count(int *count);
wg_status wg_ocl_check(int index);
wg_status wg_ocl_info(int index, wg_opencl_info *out);

/* The backend table's entries (see backend.h). */
wg_status wg_ocl_alloc(int index, size_t bytes, void **out);
void wg_ocl_release(int index, void *ptr);
wg_status wg_ocl_copy_from_host(int index, void *dst, const void *src, size_t bytes);
wg_status wg_ocl_copy_to_host(int index, void *dst, const void *src, size_t bytes);
wg_status wg_ocl_fill(int index, float *dst, int64_t n, float value);
wg_status wg_ocl_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                              uint64_t seed);
wg_status wg_ocl_mul(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_ocl_add(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_ocl_relu(int index, const float *x, float *out, int64_t n);
wg_status wg_ocl_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                         int64_t n);
wg_status wg_ocl_synchronize(int index);
wg_status wg_ocl_timer_start(int index, wg_device_timer *timer);
wg_status wg_ocl_timer_stop(int index, wg_device_timer *timer, double *seconds);

/* ---- the matmul ladder on OpenCL (opencl_gemm.c); the registry entries are in
 * ../opencl_kernels.c ------------------------------------------------------------------ */

/* Builds the kernel's program for this device and these transposes now, so that a timing
 * does not include the driver's compiler. */
wg_status wg_ocl_gemm_warm(int index, const wg_kernel *kernel, const wg_gemm_args *args);

/* ---- measurements (opencl_measure.c), arguments already checked by the wg_opencl_*
 * functions of src/measure/opencl_measure.c ---------------------------------------------- */
wg_status wg_ocl_measure_stream(int index, int kernel, int64_t elements, int64_t groups,
                                int local_size, int trials, wg_stream_result *out);
wg_status wg_ocl_measure_transfer(int index, int64_t bytes, int to_device, int pinned, int async,
                                  int trials, wg_transfer_result *out);
wg_status wg_ocl_measure_launch_latency(int index, int launches, wg_launch_latency *out);
wg_status wg_ocl_measure_memcpy(int index, int64_t bytes, int trials, double *best_gbs);
wg_status wg_ocl_measure_read_bandwidth(int index, int64_t bytes, double min_seconds, double *gbs);
wg_status wg_ocl_measure_scaling(int index, const int64_t *groups, int count, int local_size,
                                 int steps, int trials, wg_opencl_scaling_point *out);

#ifdef __cplusplus
}
#endif

#endif /* WG_OPENCL_BACKEND_H */
