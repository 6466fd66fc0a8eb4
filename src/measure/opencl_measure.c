/*
 * opencl_measure.c - the wg_opencl_* measurements of whygpu_lab.h: arguments checked
 * first (WG_ERR_ARGUMENT on every build), then the device, then the OpenCL implementation
 * (src/opencl/opencl_measure.c, or src/opencl_stub.c without OpenCL, which says so).
 */
#include <string.h>

#include "../error.h"
#include "measure.h"
#include "../opencl/opencl_backend.h"

#define MAX_TRIALS 100000
#define MAX_LAUNCHES 10000000
#define MAX_LOCAL 1024

static wg_status check_trials(const char *fn, int trials)
{
    if (trials < 1 || trials > MAX_TRIALS)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d trials (expected 1 to %d)", fn, trials, MAX_TRIALS);
    return WG_OK;
}

/* The device must be usable (else the library's reason); without OpenCL, why not. */
static wg_status check_device(int device)
{
    return wg_device_check((wg_device){WG_DEVICE_OPENCL, device});
}

wg_status wg_opencl_stream(int device, wg_stream_kernel kernel, int64_t elements, int64_t groups,
                           int local_size, int trials, wg_stream_result *out)
{
    static const char fn[] = "wg_opencl_stream";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if ((int)kernel < 0 || kernel >= WG_STREAM_KERNEL_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "%s: unknown kernel %d (expected 0 to %d)", fn,
                       (int)kernel, WG_STREAM_KERNEL_COUNT - 1);
    if (elements < 4 || elements > INT64_MAX / 12)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld elements (expected at least 4)", fn,
                       (long long)elements);
    if (groups < 0 || groups > (1LL << 31))
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld work-groups (expected 0 = automatic, or 1 to "
                       "2^31)", fn, (long long)groups);
    if (local_size < 0 || local_size > MAX_LOCAL)
        return wg_fail(WG_ERR_ARGUMENT, "%s: work-group size %d (expected 0 = 64, or 1 to %d)",
                       fn, local_size, MAX_LOCAL);
    wg_status status = check_trials(fn, trials);
    if (status == WG_OK) status = check_device(device);
    if (status != WG_OK) return status;
    return wg_ocl_measure_stream(device, (int)kernel, elements, groups, local_size, trials, out);
}

wg_status wg_opencl_transfer(int device, int64_t bytes, int to_device, int pinned, int async,
                             int trials, wg_transfer_result *out)
{
    static const char fn[] = "wg_opencl_transfer";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if (bytes < 1)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected at least 1)", fn,
                       (long long)bytes);
    wg_status status = check_trials(fn, trials);
    if (status == WG_OK) status = check_device(device);
    if (status != WG_OK) return status;
    const int64_t available = wg_host_memory_available();
    if (available >= 0 && bytes > available)
        return wg_fail(WG_ERR_NO_MEMORY, "%s: %lld bytes of host memory needed, %lld available",
                       fn, (long long)bytes, (long long)available);
    return wg_ocl_measure_transfer(device, bytes, to_device != 0, pinned != 0, async != 0, trials,
                                   out);
}

wg_status wg_opencl_launch_latency(int device, int launches, wg_launch_latency *out)
{
    static const char fn[] = "wg_opencl_launch_latency";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if (launches < 1 || launches > MAX_LAUNCHES)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d launches (expected 1 to %d)", fn, launches,
                       MAX_LAUNCHES);
    wg_status status = check_device(device);
    if (status != WG_OK) return status;
    return wg_ocl_measure_launch_latency(device, launches, out);
}

wg_status wg_opencl_workgroup_scaling(int device, const int64_t *groups, int count,
                                      int local_size, int steps, int trials,
                                      wg_opencl_scaling_point *out)
{
    static const char fn[] = "wg_opencl_workgroup_scaling";
    if (!groups || !out || count < 1)
        return wg_fail(WG_ERR_ARGUMENT, "%s: NULL array or %d points", fn, count);
    memset(out, 0, (size_t)count * sizeof *out);
    for (int i = 0; i < count; i++)
        if (groups[i] < 1 || groups[i] > (1LL << 24))
            return wg_fail(WG_ERR_ARGUMENT, "%s: point %d has %lld work-groups (expected 1 to "
                           "2^24)", fn, i, (long long)groups[i]);
    if (local_size < 0 || local_size > MAX_LOCAL)
        return wg_fail(WG_ERR_ARGUMENT, "%s: work-group size %d (expected 0 = 64, or 1 to %d)",
                       fn, local_size, MAX_LOCAL);
    if (steps < 0 || steps > (1 << 24))
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d steps (expected 0 = 4096, or 1 to 2^24)", fn,
                       steps);
    wg_status status = check_trials(fn, trials);
    if (status == WG_OK) status = check_device(device);
    if (status != WG_OK) return status;
    return wg_ocl_measure_scaling(device, groups, count, local_size, steps, trials, out);
}

wg_status wg_opencl_memcpy_bandwidth(int device, int64_t bytes, int trials, double *best_gbs)
{
    static const char fn[] = "wg_opencl_memcpy_bandwidth";
    if (!best_gbs) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    *best_gbs = 0.0;
    if (bytes < 1 || bytes > INT64_MAX / 2)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected at least 1)", fn,
                       (long long)bytes);
    wg_status status = check_trials(fn, trials);
    if (status == WG_OK) status = check_device(device);
    if (status != WG_OK) return status;
    return wg_ocl_measure_memcpy(device, bytes, trials, best_gbs);
}

wg_status wg_opencl_read_bandwidth(int device, int64_t bytes, double min_seconds, double *gbs)
{
    static const char fn[] = "wg_opencl_read_bandwidth";
    if (!gbs) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    *gbs = 0.0;
    if (bytes < 4096 || bytes > (16LL << 30))
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected 4 KiB to 16 GiB)", fn,
                       (long long)bytes);
    if (!(min_seconds > 0.0) || !(min_seconds <= 600.0))
        return wg_fail(WG_ERR_ARGUMENT, "%s: min_seconds %g (expected more than 0, at most 600)",
                       fn, min_seconds);
    wg_status status = check_device(device);
    if (status != WG_OK) return status;
    return wg_ocl_measure_read_bandwidth(device, bytes, min_seconds, gbs);
}
