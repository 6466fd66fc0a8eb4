/*
 * cuda_device.cu - the CUDA device itself: discovery (and why there is no GPU when there
 * is none), the description `whygpu info` prints, memory, copies, synchronisation and the
 * event-pair timer. C-style CUDA; every call is checked (cuda_check.h).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_backend.h"
#include "cuda_check.h"

/* "13.0" from 13000. */
static void format_cuda_version(int version, char *buf, size_t size)
{
    snprintf(buf, size, "%d.%d", version / 1000, (version % 1000) / 10);
}


/* ---------------------------------------------------------------- discovery ------- */

wg_status wg_cuda_device_count(int *count)
{
    if (!count) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_device_count: NULL argument");
    *count = 0;

    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err == cudaSuccess && n > 0) {
        *count = n;
        return WG_OK;
    }
    (void)cudaGetLastError();

    int runtime = 0, driver = 0;
    char runtime_text[16] = "?", driver_text[16] = "?";
    if (cudaRuntimeGetVersion(&runtime) == cudaSuccess)
        format_cuda_version(runtime, runtime_text, sizeof runtime_text);
    if (cudaDriverGetVersion(&driver) != cudaSuccess) driver = 0;
    format_cuda_version(driver, driver_text, sizeof driver_text);
    (void)cudaGetLastError();

    if (err == cudaSuccess) /* n == 0 */
        return wg_fail(WG_ERR_NO_DEVICE, "the CUDA driver reports no GPU (0 devices)");

    switch (err) {
    case cudaErrorInsufficientDriver:
        if (driver > 0 && driver < runtime)
            return wg_fail(WG_ERR_NO_DEVICE,
                           "the NVIDIA driver supports CUDA %s, older than the CUDA %s runtime "
                           "whygpu was built with: update the driver (%s)",
                           driver_text, runtime_text, cudaGetErrorName(err));
        return wg_fail(WG_ERR_NO_DEVICE,
                       "no CUDA driver found (libcuda.so.1 could not be loaded or is older "
                       "than the CUDA %s runtime)",
                       runtime_text);
    case cudaErrorStubLibrary:
        return wg_fail(WG_ERR_NO_DEVICE,
                       "no CUDA driver found (the libcuda.so.1 that was loaded is the CUDA "
                       "toolkit's stub library, not an NVIDIA driver)");
    case cudaErrorNoDevice: {
        const char *visible = getenv("CUDA_VISIBLE_DEVICES");
        if (visible)
            return wg_fail(WG_ERR_NO_DEVICE,
                           "the CUDA driver reports no GPU (CUDA_VISIBLE_DEVICES='%s' may hide "
                           "them)",
                           visible);
        return wg_fail(WG_ERR_NO_DEVICE, "the CUDA driver reports no GPU");
    }
    default:
        /* cudaErrorInitializationError, cudaErrorSystemDriverMismatch,
         * cudaErrorSystemNotReady, cudaErrorCompatNotSupportedOnDevice, ... */
        if (driver > 0)
            return wg_fail(WG_ERR_NO_DEVICE,
                           "the CUDA driver (CUDA %s) could not be initialised: %s: %s",
                           driver_text, cudaGetErrorName(err), cudaGetErrorString(err));
        return wg_fail(WG_ERR_NO_DEVICE, "the CUDA driver could not be initialised: %s: %s",
                       cudaGetErrorName(err), cudaGetErrorString(err));
    }
}

wg_status wg_cuda_check_index(int index)
{
    int count = 0;
    wg_status status = wg_cuda_device_count(&count);
    if (status != WG_OK) return status;
    if (index >= 0 && index < count) return WG_OK;

    char present[64];
    if (count == 1)
        snprintf(present, sizeof present, "1 CUDA device is present (cuda:0)");
    else if (count == 2)
        snprintf(present, sizeof present, "2 CUDA devices are present (cuda:0 and cuda:1)");
    else
        snprintf(present, sizeof present, "%d CUDA devices are present (cuda:0 to cuda:%d)",
                 count, count - 1);
    return wg_fail(WG_ERR_NO_DEVICE, "cuda:%d does not exist: %s", index, present);
}

/* A kernel that does nothing: asking for its attributes tells whether this build carries
 * code (SASS or PTX) that the device can run. */
static __global__ void wg_cuda_probe_kernel(void) {}

wg_status wg_cuda_check(int index)
{
    wg_status status = wg_cuda_check_index(index);
    if (status != WG_OK) return status;
    status = wg_cuda_use(index); /* creates the device's context: it can fail here */
    if (status != WG_OK)
        return wg_fail_context(WG_ERR_NO_DEVICE, "cuda:%d cannot be used", index);

    cudaFuncAttributes attributes;
    cudaError_t err = cudaFuncGetAttributes(&attributes, wg_cuda_probe_kernel);
    if (err != cudaSuccess && err != cudaErrorNoKernelImageForDevice &&
        err != cudaErrorInvalidDeviceFunction && err != cudaErrorUnsupportedPtxVersion &&
        err != cudaErrorInvalidPtx && err != cudaErrorJitCompilerNotFound &&
        err != cudaErrorInvalidKernelImage)
        return wg_cuda_fail_status(WG_ERR_NO_DEVICE, err,
                                   "cuda:%d cannot be used (cudaFuncGetAttributes)", index);
    if (err != cudaSuccess) {
        (void)cudaGetLastError();
        int major = 0, minor = 0;
        (void)cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, index);
        (void)cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, index);
        (void)cudaGetLastError();
        return wg_fail(WG_ERR_NO_DEVICE,
                       "cuda:%d (compute capability %d.%d) cannot run this build's kernels "
                       "(%s: %s); rebuild with make CUDA_GENCODE='-gencode "
                       "arch=compute_%d%d,code=sm_%d%d'",
                       index, major, minor, cudaGetErrorName(err), cudaGetErrorString(err),
                       major, minor, major, minor);
    }
    return WG_OK;
}

wg_status wg_cuda_gpu_info(int index, wg_gpu_info *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_gpu_info: NULL argument");
    memset(out, 0, sizeof *out);
    wg_status status = wg_cuda_check_index(index);
    if (status != WG_OK) return status;
    status = wg_cuda_use(index);
    if (status != WG_OK) return status;

    cudaDeviceProp prop;
    WG_CUDA_TRY(cudaGetDeviceProperties(&prop, index),
                "reading the properties of cuda:%d (cudaGetDeviceProperties)", index);

    /* cudaDeviceProp lost clockRate and memoryClockRate in CUDA 13: attributes for all. */
    int cc_major = 0, cc_minor = 0, sms = 0, clock = 0, mem_clock = 0, bus = 0, l2 = 0,
        shared = 0;
    const struct {
        cudaDeviceAttr attr;
        int *value;
        const char *name;
    } attrs[] = {
        {cudaDevAttrComputeCapabilityMajor, &cc_major, "cudaDevAttrComputeCapabilityMajor"},
        {cudaDevAttrComputeCapabilityMinor, &cc_minor, "cudaDevAttrComputeCapabilityMinor"},
        {cudaDevAttrMultiProcessorCount, &sms, "cudaDevAttrMultiProcessorCount"},
        {cudaDevAttrClockRate, &clock, "cudaDevAttrClockRate"},
        {cudaDevAttrMemoryClockRate, &mem_clock, "cudaDevAttrMemoryClockRate"},
        {cudaDevAttrGlobalMemoryBusWidth, &bus, "cudaDevAttrGlobalMemoryBusWidth"},
        {cudaDevAttrL2CacheSize, &l2, "cudaDevAttrL2CacheSize"},
        {cudaDevAttrMaxSharedMemoryPerMultiprocessor, &shared,
         "cudaDevAttrMaxSharedMemoryPerMultiprocessor"},
    };
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; ++i)
        WG_CUDA_TRY(cudaDeviceGetAttribute(attrs[i].value, attrs[i].attr, index),
                    "reading %s of cuda:%d (cudaDeviceGetAttribute)", attrs[i].name, index);

    size_t free_bytes = 0, total_bytes = 0;
    WG_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes),
                "reading the free memory of cuda:%d (cudaMemGetInfo)", index);

    int driver = 0, runtime = 0;
    WG_CUDA_TRY(cudaDriverGetVersion(&driver), "reading the CUDA driver version");
    WG_CUDA_TRY(cudaRuntimeGetVersion(&runtime), "reading the CUDA runtime version");

    out->index = index;
    snprintf(out->name, sizeof out->name, "%s", prop.name);
    out->cc_major = cc_major;
    out->cc_minor = cc_minor;
    out->sm_count = sms;
    out->total_memory_bytes = (int64_t)total_bytes;
    out->free_memory_bytes = (int64_t)free_bytes;
    out->clock_khz = clock;
    out->memory_clock_khz = mem_clock;
    out->memory_bus_bits = bus;
    out->l2_bytes = l2;
    out->shared_memory_per_sm_bytes = shared;
    out->driver_version = driver;
    out->runtime_version = runtime;
    return WG_OK;
}

/* ---------------------------------------------------------------- memory ---------- */

wg_status wg_cuda_alloc(int index, size_t bytes, void **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_alloc: NULL argument");
    *out = NULL;
    if (bytes == 0) return wg_fail(WG_ERR_ARGUMENT, "cuda:%d: allocation of 0 bytes", index);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;

    void *ptr = NULL; /* cudaMalloc aligns to 256 bytes */
    cudaError_t err = cudaMalloc(&ptr, bytes);
    if (err == cudaSuccess) {
        *out = ptr;
        return WG_OK;
    }
    if (err != cudaErrorMemoryAllocation)
        return wg_cuda_fail(err, "cudaMalloc of %zu bytes on cuda:%d", bytes, index);

    (void)cudaGetLastError(); /* clear the failure before asking how much is free */
    char asked[32];
    wg_format_bytes((double)bytes, asked, sizeof asked);
    size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) {
        (void)cudaGetLastError();
        return wg_fail(WG_ERR_NO_MEMORY, "cuda:%d is out of memory: cudaMalloc of %zu bytes "
                       "(%s) failed",
                       index, bytes, asked);
    }
    char free_text[32], total_text[32];
    wg_format_bytes((double)free_bytes, free_text, sizeof free_text);
    wg_format_bytes((double)total_bytes, total_text, sizeof total_text);
    return wg_fail(WG_ERR_NO_MEMORY,
                   "cuda:%d is out of memory: cudaMalloc of %zu bytes (%s) failed with %s free "
                   "of %s",
                   index, bytes, asked, free_text, total_text);
}

void wg_cuda_release(int index, void *ptr)
{
    if (!ptr) return;
    /* Nothing to report to: a failure here (a sticky error from an earlier kernel) has
     * been or will be reported by a call that can return it. cudaFree waits for the
     * device, so pending kernels that use ptr finish first. */
    if (cudaSetDevice(index) == cudaSuccess) (void)cudaFree(ptr);
    (void)cudaGetLastError();
}

wg_status wg_cuda_copy_from_host(int index, void *dst, const void *src, size_t bytes)
{
    if (bytes == 0) return WG_OK;
    if (!dst || !src) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_copy_from_host: NULL pointer");
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice),
                "cudaMemcpy host->cuda:%d of %zu bytes", index, bytes);
    return WG_OK;
}

wg_status wg_cuda_copy_to_host(int index, void *dst, const void *src, size_t bytes)
{
    if (bytes == 0) return WG_OK;
    if (!dst || !src) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_copy_to_host: NULL pointer");
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost),
                "cudaMemcpy cuda:%d->host of %zu bytes", index, bytes);
    return WG_OK;
}

/* ---------------------------------------------------------------- waiting --------- */

wg_status wg_cuda_synchronize(int index)
{
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaDeviceSynchronize(),
                "waiting for the work queued on cuda:%d (cudaDeviceSynchronize)", index);
    return WG_OK;
}

/* Destroys the timer's events (either may be NULL) and clears the handles. */
static void timer_destroy(wg_device_timer *timer)
{
    int failed = 0;
    if (timer->start_event)
        failed |= cudaEventDestroy((cudaEvent_t)timer->start_event) != cudaSuccess;
    if (timer->stop_event)
        failed |= cudaEventDestroy((cudaEvent_t)timer->stop_event) != cudaSuccess;
    if (failed) (void)cudaGetLastError(); /* keep it from being blamed on a later launch */
    timer->start_event = NULL;
    timer->stop_event = NULL;
}

wg_status wg_cuda_timer_start(int index, wg_device_timer *timer)
{
    if (!timer) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_timer_start: NULL timer");
    timer->start_event = NULL;
    timer->stop_event = NULL;
    timer->host_start = 0.0;
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;

    cudaEvent_t start = NULL, stop = NULL;
    cudaError_t err = cudaEventCreate(&start);
    if (err != cudaSuccess)
        return wg_cuda_fail(err, "creating the start event of a timer on cuda:%d "
                            "(cudaEventCreate)", index);
    err = cudaEventCreate(&stop);
    if (err != cudaSuccess) {
        (void)cudaEventDestroy(start);
        return wg_cuda_fail(err, "creating the stop event of a timer on cuda:%d "
                            "(cudaEventCreate)", index);
    }
    timer->start_event = (void *)start;
    timer->stop_event = (void *)stop;
    err = cudaEventRecord(start, 0);
    if (err != cudaSuccess) {
        timer_destroy(timer);
        return wg_cuda_fail(err, "recording the start event of a timer on cuda:%d "
                            "(cudaEventRecord)", index);
    }
    return WG_OK;
}

wg_status wg_cuda_timer_stop(int index, wg_device_timer *timer, double *seconds)
{
    if (!timer || !seconds) {
        if (timer) timer_destroy(timer);
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_timer_stop: NULL argument");
    }
    *seconds = 0.0;
    if (!timer->start_event || !timer->stop_event) {
        timer_destroy(timer);
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_timer_stop: the timer on cuda:%d was not "
                       "started", index);
    }
    cudaEvent_t start = (cudaEvent_t)timer->start_event;
    cudaEvent_t stop = (cudaEvent_t)timer->stop_event;

    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) {
        timer_destroy(timer);
        return status;
    }
    const char *step = "recording the stop event (cudaEventRecord)";
    cudaError_t err = cudaEventRecord(stop, 0);
    if (err == cudaSuccess) {
        step = "waiting for the stop event (cudaEventSynchronize)";
        err = cudaEventSynchronize(stop);
    }
    float ms = 0.0f;
    if (err == cudaSuccess) {
        step = "reading the elapsed time (cudaEventElapsedTime)";
        err = cudaEventElapsedTime(&ms, start, stop);
    }
    timer_destroy(timer);
    if (err != cudaSuccess) return wg_cuda_fail(err, "timer on cuda:%d: %s", index, step);
    *seconds = (double)ms * 1e-3;
    return WG_OK;
}
