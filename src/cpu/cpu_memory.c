/*
 * cpu_memory.c - host memory for CPU tensors.
 *
 * Big buffers are 2 MiB aligned and advised to use transparent huge pages, so a
 * 10000x10000 matmul walks 200 pages of 2 MiB instead of 100,000 of 4 KiB. Allocations that
 * cannot fit in the memory available are refused with a message instead of succeeding
 * (Linux overcommits) and ending in the OOM killer when first touched.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../error.h"
#include "cpu_backend.h"

#define SMALL_ALIGN ((size_t)64)
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_FROM ((size_t)4 << 20)
#define CHECK_AVAILABLE_FROM ((size_t)64 << 20)

wg_status wg_cpu_alloc(int index, size_t bytes, void **out)
{
    (void)index;
    if (bytes == 0) return wg_fail(WG_ERR_ARGUMENT, "cannot allocate 0 bytes");
    size_t align = bytes >= HUGE_FROM ? HUGE_PAGE : SMALL_ALIGN;
    if (bytes > SIZE_MAX - align)
        return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate %zu bytes of host memory", bytes);
    size_t rounded = (bytes + align - 1) / align * align;
    if (bytes >= CHECK_AVAILABLE_FROM) {
        int64_t available = wg_host_memory_available();
        if (available >= 0 && (uint64_t)rounded > (uint64_t)available)
            return wg_fail(WG_ERR_NO_MEMORY,
                           "cannot allocate %zu bytes (%.1f GiB) of host memory: %.1f GiB "
                           "available", bytes, (double)bytes / (1 << 30),
                           (double)available / (1 << 30));
    }
    void *ptr = NULL;
    int rc = posix_memalign(&ptr, align, rounded);
    if (rc != 0 || !ptr)
        return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate %zu bytes (%.1f GiB) of host memory: %s",
                       bytes, (double)bytes / (1 << 30), strerror(rc ? rc : ENOMEM));
    if (align == HUGE_PAGE) (void)madvise(ptr, rounded, MADV_HUGEPAGE); /* a hint only */
    *out = ptr;
    return WG_OK;
}

void wg_cpu_release(int index, void *ptr)
{
    (void)index;
    free(ptr);
}
