/*
 * gpu_measure.c - the wg_gpu_* measurements of measure.h: the arguments are checked first
 * (so a bad call is WG_ERR_ARGUMENT on every build, GPU or not), then the device
 * (wg_device_check: WG_ERR_NO_DEVICE with the reason), then whether the buffers fit in the
 * device's free memory (WG_ERR_NO_MEMORY, saying how much is needed and free), and only
 * then the CUDA implementation (src/cuda/cuda_measure.cu). Without CUDA the device check
 * fails (src/cuda_stub.c) with WG_ERR_NO_DEVICE saying so.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "measure.h"
#include "../cuda/cuda_measure.h"

#define MAX_TRIALS 1000000
#define MAX_THREADS_PER_BLOCK 1024
#define MAX_BLOCKS 2147483647LL /* gridDim.x */
#define MAX_LAUNCHES 100000000
#define MAX_READ_SECONDS 600.0
#define MIN_READ_BYTES 4096LL
#define MAX_READ_BYTES (16LL << 30)
/* Kept free beside the buffers: the context, cudaMalloc's rounding, the read kernel's
 * block sums. */
#define DEVICE_RESERVE_BYTES (64.0 * 1024 * 1024)

static wg_status check_trials(const char *fn, int trials)
{
    if (trials < 1 || trials > MAX_TRIALS)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d trials (expected 1 to %d)", fn, trials,
                       MAX_TRIALS);
    return WG_OK;
}

/* WG_OK when cuda:device can be used (else the library's reason) and `need` bytes (plus a
 * reserve) fit in its free memory. */
static wg_status check_device_memory(const char *fn, int device, double need, const char *what)
{
    wg_status status = wg_device_check((wg_device){WG_DEVICE_CUDA, device});
    if (status != WG_OK) return status;
    wg_gpu_info info;
    status = wg_gpu_info_get(device, &info);
    if (status != WG_OK) return wg_fail_context(status, "%s", fn);
    if (need + DEVICE_RESERVE_BYTES > (double)info.free_memory_bytes) {
        char need_text[32], free_text[32], total_text[32];
        return wg_fail(WG_ERR_NO_MEMORY,
                       "%s: %s needs %s of GPU memory, but cuda:%d has %s free (of %s)", fn,
                       what, wg_format_bytes(need, need_text, sizeof need_text), device,
                       wg_format_bytes((double)info.free_memory_bytes, free_text, sizeof free_text),
                       wg_format_bytes((double)info.total_memory_bytes, total_text,
                                    sizeof total_text));
    }
    return WG_OK;
}

/* WG_OK when `need` bytes fit in the host's available memory (or it is unknown). */
static wg_status check_host_memory(const char *fn, double need, const char *what)
{
    const int64_t available = wg_host_memory_available();
    if (available >= 0 && need > (double)available) {
        char need_text[32], free_text[32];
        return wg_fail(WG_ERR_NO_MEMORY, "%s: %s needs %s of host memory, but %s is available",
                       fn, what, wg_format_bytes(need, need_text, sizeof need_text),
                       wg_format_bytes((double)available, free_text, sizeof free_text));
    }
    return WG_OK;
}

wg_status wg_gpu_stream(int device, wg_stream_kernel kernel, int64_t elements, int64_t blocks,
                        int threads_per_block, int trials, wg_stream_result *out)
{
    static const char fn[] = "wg_gpu_stream";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if ((int)kernel < 0 || kernel >= WG_STREAM_KERNEL_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "%s: unknown kernel %d (expected 0 to %d: copy, scale, "
                       "add, triad)", fn, (int)kernel, WG_STREAM_KERNEL_COUNT - 1);
    if (elements < 1 || elements > INT64_MAX / 12)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld elements (expected 1 to %lld)", fn,
                       (long long)elements, (long long)(INT64_MAX / 12));
    if (blocks < 0 || blocks > MAX_BLOCKS)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld blocks (expected 0 = fill the GPU, or 1 to "
                       "%lld)", fn, (long long)blocks, MAX_BLOCKS);
    if (threads_per_block < 0 || threads_per_block > MAX_THREADS_PER_BLOCK)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d threads per block (expected 0 = %d, or 1 to "
                       "%d)", fn, threads_per_block, 256, MAX_THREADS_PER_BLOCK);
    wg_status status = check_trials(fn, trials);
    if (status != WG_OK) return status;

    status = check_device_memory(fn, device, 3.0 * 4.0 * (double)elements,
                                 "STREAM (3 arrays of float32)");
    if (status != WG_OK) return status;
    /* The arrays are read back through a 16 MiB host buffer, so host memory is no limit. */
    return wg_cuda_measure_stream(device, kernel, elements, blocks, threads_per_block, trials,
                                  out);
}

wg_status wg_gpu_memcpy_bandwidth(int device, int64_t bytes, int trials, double *best_gbs)
{
    static const char fn[] = "wg_gpu_memcpy_bandwidth";
    if (!best_gbs) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    *best_gbs = 0.0;
    if (bytes < 1 || bytes > INT64_MAX / 2)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected at least 1)", fn,
                       (long long)bytes);
    wg_status status = check_trials(fn, trials);
    if (status != WG_OK) return status;

    status = check_device_memory(fn, device, 2.0 * (double)bytes,
                                 "a device-to-device copy (source and destination)");
    if (status != WG_OK) return status;
    return wg_cuda_measure_memcpy(device, bytes, trials, best_gbs);
}

wg_status wg_gpu_transfer(int device, int64_t bytes, int to_device, int pinned, int async,
                          int trials, wg_transfer_result *out)
{
    static const char fn[] = "wg_gpu_transfer";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if (bytes < 1)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected at least 1)", fn,
                       (long long)bytes);
    wg_status status = check_trials(fn, trials);
    if (status != WG_OK) return status;

    status = check_device_memory(fn, device, (double)bytes, "a host<->device copy");
    if (status != WG_OK) return status;
    status = check_host_memory(fn, (double)bytes,
                               pinned ? "a host<->device copy (pinned buffer)"
                                      : "a host<->device copy (pageable buffer)");
    if (status != WG_OK) return status;
    return wg_cuda_measure_transfer(device, bytes, to_device != 0, pinned != 0, async != 0,
                                    trials, out);
}

wg_status wg_gpu_read_bandwidth(int device, int64_t bytes, double min_seconds, double *gbs)
{
    static const char fn[] = "wg_gpu_read_bandwidth";
    if (!gbs) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    *gbs = 0.0;
    if (bytes < MIN_READ_BYTES || bytes > MAX_READ_BYTES)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %lld bytes (expected 4 KiB to 16 GiB)", fn,
                       (long long)bytes);
    if (!(min_seconds > 0.0) || !(min_seconds <= MAX_READ_SECONDS))
        return wg_fail(WG_ERR_ARGUMENT, "%s: min_seconds %g (expected more than 0, at most "
                       "%g)", fn, min_seconds, MAX_READ_SECONDS);

    wg_status status = check_device_memory(fn, device, (double)bytes, "the read-bandwidth buffer");
    if (status != WG_OK) return status;
    return wg_cuda_measure_read_bandwidth(device, bytes, min_seconds, gbs);
}

wg_status wg_gpu_launch_latency(int device, int launches, wg_launch_latency *out)
{
    static const char fn[] = "wg_gpu_launch_latency";
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL result", fn);
    memset(out, 0, sizeof *out);
    if (launches < 1 || launches > MAX_LAUNCHES)
        return wg_fail(WG_ERR_ARGUMENT, "%s: %d launches (expected 1 to %d)", fn, launches,
                       MAX_LAUNCHES);

    wg_status status = wg_device_check((wg_device){WG_DEVICE_CUDA, device});
    if (status != WG_OK) return status;
    return wg_cuda_measure_launch_latency(device, launches, out);
}
