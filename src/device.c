/*
 * device.c - naming devices, checking that they are present, and finding each one's
 * backend. Without nvcc the CUDA side is src/cuda_stub.c, which says so; without the
 * OpenCL headers and loader the OpenCL side is src/opencl_stub.c, likewise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cuda/cuda_backend.h"
#include "error.h"
#include "opencl/opencl_backend.h"

wg_device wg_cpu(void) { return (wg_device){WG_DEVICE_CPU, 0}; }

/* Parses the ":N" after "cuda" or "opencl" (or nothing, meaning 0). */
static wg_status parse_index(const char *full, const char *rest, int *index)
{
    if (*rest == '\0') {
        *index = 0;
        return WG_OK;
    }
    if (*rest != ':' || rest[1] < '0' || rest[1] > '9')
        return wg_fail(WG_ERR_ARGUMENT,
                       "bad device name '%s': expected cpu, cuda, cuda:N, opencl or opencl:N (N >= 0)", full);
    char *end = NULL;
    long value = strtol(rest + 1, &end, 10);
    if (*end != '\0' || value > 1023)
        return wg_fail(WG_ERR_ARGUMENT,
                       "bad device name '%s': expected cpu, cuda, cuda:N, opencl or opencl:N (0 <= N < 1024)",
                       full);
    *index = (int)value;
    return WG_OK;
}

wg_status wg_device_parse(const char *text, wg_device *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_device_parse: NULL argument");
    if (strcmp(text, "cpu") == 0) {
        *out = wg_cpu();
        return WG_OK;
    }
    const char *rest = NULL;
    if (strncmp(text, "opencl", 6) == 0) {
        int index = 0;
        wg_status status = parse_index(text, text + 6, &index);
        if (status != WG_OK) return status;
        *out = (wg_device){WG_DEVICE_OPENCL, index};
        return WG_OK;
    }
    if (strncmp(text, "cuda", 4) == 0)
        rest = text + 4;
    else if (strncmp(text, "gpu", 3) == 0)
        rest = text + 3;
    if (!rest)
        return wg_fail(WG_ERR_ARGUMENT,
                       "unknown device '%s': expected cpu, cuda, cuda:N, opencl or opencl:N", text);
    int index = 0;
    wg_status status = parse_index(text, rest, &index);
    if (status != WG_OK) return status;
    *out = (wg_device){WG_DEVICE_CUDA, index};
    return WG_OK;
}

const char *wg_device_format(wg_device device, char *buf, size_t size)
{
    if (!buf || size == 0) return "";
    if (device.kind == WG_DEVICE_CPU)
        snprintf(buf, size, "cpu");
    else if (device.kind == WG_DEVICE_CUDA)
        snprintf(buf, size, "cuda:%d", device.index);
    else if (device.kind == WG_DEVICE_OPENCL)
        snprintf(buf, size, "opencl:%d", device.index);
    else
        snprintf(buf, size, "device?%d", (int)device.kind);
    return buf;
}

const wg_backend *wg_backend_for(wg_device device)
{
    switch (device.kind) {
    case WG_DEVICE_CPU:
        return &wg_cpu_backend;
    case WG_DEVICE_CUDA:
        return &wg_cuda_backend;
    case WG_DEVICE_OPENCL:
        return &wg_opencl_backend;
    }
    wg_fail(WG_ERR_ARGUMENT, "unknown device kind %d", (int)device.kind);
    return NULL;
}

wg_status wg_device_check(wg_device device)
{
    if (device.kind == WG_DEVICE_CPU) {
        if (device.index != 0)
            return wg_fail(WG_ERR_NO_DEVICE, "cpu:%d does not exist: the CPU is device 'cpu'",
                           device.index);
        return WG_OK;
    }
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;
    return backend->check(device.index);
}

wg_status wg_synchronize(wg_device device)
{
    wg_status status = wg_device_check(device);
    if (status != WG_OK) return status;
    return wg_backend_for(device)->synchronize(device.index);
}

wg_status wg_gpu_count(int *count)
{
    if (!count) return wg_fail(WG_ERR_ARGUMENT, "wg_gpu_count: NULL argument");
    *count = 0;
    return wg_cuda_device_count(count);
}

wg_status wg_gpu_info_get(int index, wg_gpu_info *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_gpu_info_get: NULL argument");
    memset(out, 0, sizeof *out);
    /* Not wg_cuda_check: a GPU this build cannot run kernels on is still described. */
    return wg_cuda_gpu_info(index, out);
}

wg_status wg_opencl_device_count(int *count)
{
    if (!count) return wg_fail(WG_ERR_ARGUMENT, "wg_opencl_device_count: NULL argument");
    *count = 0;
    return wg_ocl_device_count(count); /* src/opencl_stub.c's without OpenCL */
}

wg_status wg_opencl_info_get(int index, wg_opencl_info *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_opencl_info_get: NULL argument");
    memset(out, 0, sizeof *out);
    return wg_ocl_info(index, out);
}

const char *wg_opencl_describe(int index, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    wg_opencl_info info;
    if (wg_opencl_info_get(index, &info) != WG_OK) {
        snprintf(buf, size, "opencl:%d (unavailable: %s)", index, wg_error_message());
        return buf;
    }
    snprintf(buf, size, "%s (OpenCL %s on %s%s)", info.name, info.type, info.platform_name,
             info.is_cpu ? ": a CPU pretending to be a GPU, its kernels run on this "
                           "machine's CPU cores"
                         : "");
    return buf;
}
