/*
 * cuda_check.h - internal helpers of the CUDA backend (.cu files only): every CUDA and
 * cuBLAS call goes through WG_CUDA_TRY / WG_CUBLAS_TRY, which turn a failure into
 * wg_fail(WG_ERR_BACKEND, ...) naming what was being done, the error's name and its text:
 *
 *   "cudaMemcpy host->cuda:0 of 400000000 bytes: cudaErrorIllegalAddress: an illegal
 *    memory access was encountered (...)"
 *
 * and wg_cuda_use(index), which makes a device current with the same checking.
 */
#ifndef WG_CUDA_CHECK_H
#define WG_CUDA_CHECK_H

#include <stdarg.h>
#include <stdio.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "../error.h"
#include "cuda_limits.h"

/* Errors after which the CUDA context is corrupt: every later call on the device fails too. */
static inline int wg_cuda_is_sticky(cudaError_t err)
{
    switch (err) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorMisalignedAddress:
    case cudaErrorIllegalInstruction:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorHardwareStackError:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout:
    case cudaErrorECCUncorrectable:
        return 1;
    default:
        return 0;
    }
}

/* Records "<what>: <cudaErrorName>: <text>" with `status` and returns it. The failure is
 * also taken off the runtime's last-error slot (cudaGetLastError), so that a later launch
 * check does not report it a second time; sticky errors stay, and say so. */
static inline wg_status wg_cuda_failv(wg_status status, cudaError_t err, const char *format,
                                      va_list args)
{
    char what[256];
    vsnprintf(what, sizeof what, format, args);
    (void)cudaGetLastError();
    return wg_fail(status, "%s: %s: %s%s", what, cudaGetErrorName(err), cudaGetErrorString(err),
                   wg_cuda_is_sticky(err)
                       ? " (this error is sticky: the GPU cannot be used again by this process)"
                       : "");
}

static inline wg_status wg_cuda_fail_status(wg_status status, cudaError_t err,
                                            const char *format, ...) WG_PRINTF(3, 4);
static inline wg_status wg_cuda_fail_status(wg_status status, cudaError_t err,
                                            const char *format, ...)
{
    va_list args;
    va_start(args, format);
    wg_status result = wg_cuda_failv(status, err, format, args);
    va_end(args);
    return result;
}

/* WG_ERR_BACKEND with "<what>: <cudaErrorName>: <text>". */
static inline wg_status wg_cuda_fail(cudaError_t err, const char *format, ...) WG_PRINTF(2, 3);
static inline wg_status wg_cuda_fail(cudaError_t err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    wg_status result = wg_cuda_failv(WG_ERR_BACKEND, err, format, args);
    va_end(args);
    return result;
}

/* WG_ERR_BACKEND (WG_ERR_NO_MEMORY for an allocation failure inside cuBLAS) with
 * "<what>: <CUBLAS_STATUS_NAME>: <text>". */
static inline wg_status wg_cublas_fail(cublasStatus_t st, const char *format, ...)
    WG_PRINTF(2, 3);
static inline wg_status wg_cublas_fail(cublasStatus_t st, const char *format, ...)
{
    char what[256];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    (void)cudaGetLastError(); /* cuBLAS may leave a runtime error behind */
    return wg_fail(st == CUBLAS_STATUS_ALLOC_FAILED ? WG_ERR_NO_MEMORY : WG_ERR_BACKEND,
                   "%s: %s: %s", what, cublasGetStatusName(st), cublasGetStatusString(st));
}

/* Runs a CUDA runtime call; on failure returns wg_cuda_fail(err, format, ...) from the
 * enclosing function (which must return wg_status). */
#define WG_CUDA_TRY(call, ...)                                                             \
    do {                                                                                   \
        cudaError_t wg_cuda_err_ = (call);                                                 \
        if (wg_cuda_err_ != cudaSuccess) return wg_cuda_fail(wg_cuda_err_, __VA_ARGS__);   \
    } while (0)

/* The same for a cuBLAS call. */
#define WG_CUBLAS_TRY(call, ...)                                                           \
    do {                                                                                   \
        cublasStatus_t wg_cublas_st_ = (call);                                             \
        if (wg_cublas_st_ != CUBLAS_STATUS_SUCCESS)                                        \
            return wg_cublas_fail(wg_cublas_st_, __VA_ARGS__);                             \
    } while (0)

/* Checks a kernel launch (bad configuration, no kernel image, ...) without waiting for the
 * kernel: errors while it runs show up at the next synchronising call. */
#define WG_CUDA_LAUNCH_CHECK(...) WG_CUDA_TRY(cudaGetLastError(), __VA_ARGS__)

/* WG_OK when 0 <= index < the number of CUDA devices; otherwise WG_ERR_NO_DEVICE with the
 * reason (no driver, no GPU, or "cuda:3 does not exist: ..."). In cuda_device.cu. */
wg_status wg_cuda_check_index(int index);

/* Makes device `index` current for this host thread. A missing driver or device is
 * WG_ERR_NO_DEVICE with the reason from wg_cuda_check_index; anything else (e.g. an error
 * creating the context) is WG_ERR_BACKEND. */
static inline wg_status wg_cuda_use(int index)
{
    /* cudaGetDevice only reads the thread's state: the switch is paid when it is needed */
    int current = -1;
    if (cudaGetDevice(&current) == cudaSuccess && current == index) return WG_OK;
    cudaError_t err = cudaSetDevice(index);
    if (err == cudaSuccess) return WG_OK;
    if (err == cudaErrorInvalidDevice || err == cudaErrorNoDevice ||
        err == cudaErrorInsufficientDriver || err == cudaErrorStubLibrary ||
        err == cudaErrorInitializationError) {
        (void)cudaGetLastError();
        wg_status status = wg_cuda_check_index(index);
        if (status != WG_OK) return status;
    }
    return wg_cuda_fail(err, "making cuda:%d current (cudaSetDevice)", index);
}

/* The per-device state every launch needs, looked up once (cuda_stream.cu): the device's
 * own stream, on which the training kernels and cuBLAS run (a stream that can be captured
 * into a CUDA graph, unlike the legacy default stream; created blocking, so the legacy
 * stream's copies and kernels still wait for it and it for them), and its SM count. Both
 * make the device current first. */
wg_status wg_cuda_stream(int index, cudaStream_t *out);
wg_status wg_cuda_sm_count(int index, int *out);

#endif /* WG_CUDA_CHECK_H */
