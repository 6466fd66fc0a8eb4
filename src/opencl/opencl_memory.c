/*
 * opencl_memory.c - device memory as pointers (see opencl_internal.h: each buffer owns a
 * reserved, inaccessible address range of the same size), blocking copies, and the
 * marker-pair timer.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "opencl_internal.h"

typedef struct allocation {
    uintptr_t base;
    size_t bytes;
    int device;
    cl_mem mem;
} allocation;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static allocation *table; /* sorted by base */
static size_t table_count, table_capacity;

/* The entry whose range holds p, or -1 (table_lock held). */
static ptrdiff_t find(uintptr_t p)
{
    size_t lo = 0, hi = table_count;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (table[mid].base + table[mid].bytes <= p)
            lo = mid + 1;
        else if (table[mid].base > p)
            hi = mid;
        else
            return (ptrdiff_t)mid;
    }
    return -1;
}

wg_status wg_ocl_alloc(int index, size_t bytes, void **out)
{
    if (!out || bytes == 0)
        return wg_fail(WG_ERR_ARGUMENT, "opencl:%d alloc: %zu bytes or NULL output", index, bytes);
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    cl_int err = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (err != CL_SUCCESS)
        return wg_ocl_fail(err, "opencl:%d: allocating %zu bytes (clCreateBuffer)", index, bytes);
    /* Some drivers allocate lazily: a size the device cannot hold fails here instead. */
    void *range = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range == MAP_FAILED) {
        clReleaseMemObject(mem);
        return wg_fail(WG_ERR_NO_MEMORY,
                       "opencl:%d: reserving %zu bytes of address space for a buffer (mmap)",
                       index, bytes);
    }
    pthread_mutex_lock(&table_lock);
    if (table_count == table_capacity) {
        const size_t capacity = table_capacity ? 2 * table_capacity : 64;
        allocation *grown = realloc(table, capacity * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&table_lock);
            munmap(range, bytes);
            clReleaseMemObject(mem);
            return wg_fail(WG_ERR_NO_MEMORY, "opencl:%d: growing the buffer table", index);
        }
        table = grown;
        table_capacity = capacity;
    }
    size_t at = 0;
    while (at < table_count && table[at].base < (uintptr_t)range) at++;
    memmove(table + at + 1, table + at, (table_count - at) * sizeof *table);
    table[at] = (allocation){(uintptr_t)range, bytes, index, mem};
    table_count++;
    pthread_mutex_unlock(&table_lock);
    *out = range;
    return WG_OK;
}

void wg_ocl_release(int index, void *ptr)
{
    if (!ptr) return;
    pthread_mutex_lock(&table_lock);
    const ptrdiff_t at = find((uintptr_t)ptr);
    if (at < 0 || table[at].base != (uintptr_t)ptr || table[at].device != index) {
        pthread_mutex_unlock(&table_lock);
        return; /* not ours: nothing to free (release cannot report) */
    }
    allocation entry = table[at];
    memmove(table + at, table + at + 1, (table_count - (size_t)at - 1) * sizeof *table);
    table_count--;
    pthread_mutex_unlock(&table_lock);
    /* Queued kernels may still use the buffer: the driver keeps it alive until they end. */
    clReleaseMemObject(entry.mem);
    munmap((void *)entry.base, entry.bytes);
}

wg_status wg_ocl_resolve(int index, const void *ptr, size_t bytes, cl_mem *mem, size_t *offset)
{
    pthread_mutex_lock(&table_lock);
    const ptrdiff_t at = find((uintptr_t)ptr);
    if (at < 0 || table[at].device != index) {
        pthread_mutex_unlock(&table_lock);
        return wg_fail(WG_ERR_ARGUMENT, "opencl:%d: pointer %p is not memory of this device",
                       index, ptr);
    }
    const allocation entry = table[at];
    pthread_mutex_unlock(&table_lock);
    const size_t off = (size_t)((uintptr_t)ptr - entry.base);
    if (bytes > entry.bytes - off)
        return wg_fail(WG_ERR_ARGUMENT,
                       "opencl:%d: %zu bytes at offset %zu run past the end of a %zu-byte buffer",
                       index, bytes, off, entry.bytes);
    *mem = entry.mem;
    *offset = off;
    return WG_OK;
}

wg_status wg_ocl_resolve_elems(int index, const void *ptr, int64_t count, size_t element,
                               cl_mem *mem, cl_ulong *offset)
{
    size_t bytes_off = 0;
    wg_status status = wg_ocl_resolve(index, ptr, (size_t)count * element, mem, &bytes_off);
    if (status != WG_OK) return status;
    if (bytes_off % element != 0)
        return wg_fail(WG_ERR_ARGUMENT, "opencl:%d: pointer %p is not aligned to %zu bytes",
                       index, ptr, element);
    *offset = (cl_ulong)(bytes_off / element);
    return WG_OK;
}

/* A blocking copy between host memory and device memory (either direction). */
static wg_status copy(int index, void *host, const void *device_ptr, size_t bytes, int to_device)
{
    if (bytes == 0) return WG_OK;
    if (!host || !device_ptr) return wg_fail(WG_ERR_ARGUMENT, "opencl:%d copy: NULL pointer", index);
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    cl_mem mem = NULL;
    size_t offset = 0;
    status = wg_ocl_resolve(index, device_ptr, bytes, &mem, &offset);
    if (status != WG_OK) return status;
    const cl_int err =
        to_device
            ? clEnqueueWriteBuffer(dev->queue, mem, CL_TRUE, offset, bytes, host, 0, NULL, NULL)
            : clEnqueueReadBuffer(dev->queue, mem, CL_TRUE, offset, bytes, host, 0, NULL, NULL);
    if (err != CL_SUCCESS)
        return wg_ocl_fail(err, "opencl:%d: copying %zu bytes %s", index, bytes,
                           to_device ? "host->device (clEnqueueWriteBuffer)"
                                     : "device->host (clEnqueueReadBuffer)");
    return WG_OK;
}

wg_status wg_ocl_copy_from_host(int index, void *dst, const void *src, size_t bytes)
{
    return copy(index, (void *)src, dst, bytes, 1);
}

wg_status wg_ocl_copy_to_host(int index, void *dst, const void *src, size_t bytes)
{
    return copy(index, dst, src, bytes, 0);
}

/* ---------------------------------------------------------------- timer ----------- */

/* A marker's end time: when everything queued before it had finished. */
static wg_status marker(wg_ocl_device *dev, cl_event *event)
{
    WG_CL_TRY(clEnqueueMarkerWithWaitList(dev->queue, 0, NULL, event),
              "opencl:%d: queueing a timing marker (clEnqueueMarkerWithWaitList)", dev->index);
    return WG_OK;
}

wg_status wg_ocl_timer_start(int index, wg_device_timer *timer)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    memset(timer, 0, sizeof *timer);
    cl_event start = NULL;
    status = marker(dev, &start);
    if (status != WG_OK) return status;
    timer->start_event = start;
    timer->host_start = wg_now();
    return WG_OK;
}

wg_status wg_ocl_timer_stop(int index, wg_device_timer *timer, double *seconds)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status == WG_OK && !timer->start_event)
        status = wg_fail(WG_ERR_ARGUMENT, "opencl:%d: timer stopped without being started", index);
    cl_event stop = NULL;
    if (status == WG_OK) status = marker(dev, &stop);
    if (status == WG_OK) {
        cl_int err = clWaitForEvents(1, &stop);
        if (err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: waiting for a timing marker", index);
    }
    const double host_s = wg_now() - timer->host_start;
    if (status == WG_OK) {
        cl_ulong t0 = 0, t1 = 0;
        cl_event start = (cl_event)timer->start_event;
        /* Some drivers give markers no times: the host clock around clWaitForEvents is
         * then the interval (it counts the queued work in full too). */
        if (clGetEventProfilingInfo(start, CL_PROFILING_COMMAND_END, sizeof t0, &t0, NULL) ==
                CL_SUCCESS &&
            clGetEventProfilingInfo(stop, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) ==
                CL_SUCCESS &&
            t1 > t0)
            *seconds = (double)(t1 - t0) * 1e-9;
        else
            *seconds = host_s;
    }
    if (stop) clReleaseEvent(stop);
    if (timer->start_event) clReleaseEvent((cl_event)timer->start_event);
    timer->start_event = NULL;
    return status;
}
