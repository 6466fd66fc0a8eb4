/*
 * cpu_backend.c - the CPU device's table of operations, and the entries too small to
 * deserve a file: presence, synchronisation (CPU work is synchronous) and the host clock.
 */
#include "cpu_backend.h"

#include <string.h>

#include "../error.h"

static wg_status cpu_check(int index)
{
    if (index != 0) return wg_fail(WG_ERR_NO_DEVICE, "cpu:%d does not exist", index);
    return WG_OK;
}

static wg_status cpu_copy(int index, void *dst, const void *src, size_t bytes)
{
    (void)index;
    const char *from = src;
    char *to = dst;
    /* Large copies in parallel: one thread cannot saturate the memory bus. */
    if (bytes < ((size_t)8 << 20)) {
        memcpy(to, from, bytes);
        return WG_OK;
    }
    const size_t chunk = (size_t)1 << 20;
    const long chunks = (long)((bytes + chunk - 1) / chunk);
#pragma omp parallel for schedule(static)
    for (long c = 0; c < chunks; c++) {
        size_t start = (size_t)c * chunk;
        size_t len = bytes - start < chunk ? bytes - start : chunk;
        memcpy(to + start, from + start, len);
    }
    return WG_OK;
}

static wg_status cpu_synchronize(int index)
{
    (void)index;
    return WG_OK;
}

static wg_status cpu_timer_start(int index, wg_device_timer *timer)
{
    (void)index;
    timer->host_start = wg_now();
    timer->start_event = timer->stop_event = NULL;
    return WG_OK;
}

static wg_status cpu_timer_stop(int index, wg_device_timer *timer, double *seconds)
{
    (void)index;
    *seconds = wg_now() - timer->host_start;
    return WG_OK;
}

const wg_backend wg_cpu_backend = {
    .name = "cpu",
    .check = cpu_check,
    .alloc = wg_cpu_alloc,
    .release = wg_cpu_release,
    .copy_from_host = cpu_copy,
    .copy_to_host = cpu_copy,
    .fill = wg_cpu_fill,
    .fill_uniform = wg_cpu_fill_uniform,
    .mul = wg_cpu_mul,
    .add = wg_cpu_add,
    .relu = wg_cpu_relu,
    .convert = wg_cpu_convert,
    .elementwise_bf16 = wg_cpu_elementwise_bf16,
    .kernels = wg_cpu_kernels,
    .kernel_count = WG_CPU_KERNEL_COUNT,
    .kernel_auto = wg_cpu_kernel_auto,
    .kernel_available = wg_cpu_kernel_available,
    .gemm = wg_cpu_gemm_entry,
    .gemm_prepare = wg_cpu_gemm_prepare,
    .gemm_inputs_free = wg_cpu_gemm_inputs_free,
    .synchronize = cpu_synchronize,
    .timer_start = cpu_timer_start,
    .timer_stop = cpu_timer_stop,
};
