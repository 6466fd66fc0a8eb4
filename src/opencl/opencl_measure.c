/*
 * opencl_measure.c - the OpenCL half of the measurements (whygpu_lab.h, measurement):
 * STREAM on device memory, host<->device copies, launch latency and work-group scaling.
 * Kernels are timed with profiling events (the device's own start and end of the kernel);
 * copies and latencies with the host clock around the calls, as a program sees them.
 * Every buffer and event is released on every path.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opencl_internal.h"

static const wg_ocl_source measure_source = {"measure.cl",
#include "measure.cl.h"
};

static wg_status measure_kernel(wg_ocl_device *dev, const char *name, cl_kernel *kernel)
{
    const wg_ocl_source *sources[] = {&measure_source};
    return wg_ocl_kernel(dev, sources, 1, NULL, name, kernel);
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Seconds between a finished event's start and end. */
static wg_status event_seconds(int index, cl_event event, double *seconds)
{
    cl_ulong t0 = 0, t1 = 0;
    WG_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL),
              "opencl:%d: reading a kernel's start time", index);
    WG_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL),
              "opencl:%d: reading a kernel's end time", index);
    *seconds = t1 > t0 ? (double)(t1 - t0) * 1e-9 : 1e-9;
    return WG_OK;
}

/* Enqueues a 1-D kernel, waits, and returns its device time. */
static wg_status timed_run(wg_ocl_device *dev, cl_kernel kernel, const wg_ocl_arg *args, int nargs,
                           size_t global, size_t local, const char *what, double *seconds)
{
    cl_event event = NULL;
    wg_status status = wg_ocl_enqueue(dev, kernel, args, nargs, 1, &global, &local, &event, what);
    if (status != WG_OK) return status;
    cl_int err = clWaitForEvents(1, &event);
    if (err != CL_SUCCESS)
        status = wg_ocl_fail(err, "opencl:%d: waiting for %s", dev->index, what);
    else
        status = event_seconds(dev->index, event, seconds);
    clReleaseEvent(event);
    return status;
}

/* ---------------------------------------------------------------- STREAM ---------- */

/* Every element of a device array equals `expected` (relative error within float32
 * rounding); the largest relative error goes to *worst. Read back in chunks. */
static wg_status check_array(wg_ocl_device *dev, cl_mem mem, int64_t n, float expected,
                             double *worst)
{
    const int64_t chunk = 1 << 22;
    float *host = malloc((size_t)(n < chunk ? n : chunk) * sizeof *host);
    if (!host) return wg_fail(WG_ERR_NO_MEMORY, "opencl:%d STREAM check: no host memory", dev->index);
    for (int64_t at = 0; at < n; at += chunk) {
        const int64_t count = n - at < chunk ? n - at : chunk;
        cl_int err = clEnqueueReadBuffer(dev->queue, mem, CL_TRUE, (size_t)at * sizeof(float),
                                         (size_t)count * sizeof(float), host, 0, NULL, NULL);
        if (err != CL_SUCCESS) {
            free(host);
            return wg_ocl_fail(err, "opencl:%d: reading a STREAM array back", dev->index);
        }
        for (int64_t i = 0; i < count; i++) {
            double e = fabs((double)host[i] - expected) / fabs((double)expected);
            if (!(e <= *worst)) *worst = isnan(e) ? INFINITY : e;
        }
    }
    free(host);
    return WG_OK;
}

wg_status wg_ocl_measure_stream(int index, int which, int64_t elements, int64_t groups,
                                int local_size, int trials, wg_stream_result *out)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    cl_kernel kernel = NULL;
    if (status == WG_OK) status = measure_kernel(dev, "wg_stream", &kernel);
    if (status != WG_OK) return status;
    const int64_t n4 = elements / 4, n = 4 * n4;
    const size_t bytes = (size_t)n * sizeof(float);
    const size_t local = local_size ? (size_t)local_size : 64;
    const size_t global = groups ? (size_t)groups * local : wg_ocl_elementwise_global(dev, n4, local);
    cl_mem mem[3] = {NULL, NULL, NULL};
    const float init[3] = {1.0f, 2.0f, 0.5f}, q = 3.0f;
    double *times = calloc((size_t)trials, sizeof *times);
    if (!times) return wg_fail(WG_ERR_NO_MEMORY, "opencl:%d STREAM: no host memory", index);
    for (int i = 0; i < 3 && status == WG_OK; i++) {
        cl_int err = CL_SUCCESS;
        mem[i] = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
        if (err == CL_SUCCESS)
            err = clEnqueueFillBuffer(dev->queue, mem[i], &init[i], sizeof init[i], 0, bytes, 0,
                                      NULL, NULL);
        if (err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: a STREAM array of %zu bytes", index, bytes);
    }
    const cl_long count4 = n4;
    const cl_int kernel_id = which;
    const wg_ocl_arg args[] = {WG_CL_ARG(mem[0]), WG_CL_ARG(mem[1]), WG_CL_ARG(mem[2]),
                               WG_CL_ARG(count4), WG_CL_ARG(q), WG_CL_ARG(kernel_id)};
    double warm = 0.0;
    if (status == WG_OK)
        status = timed_run(dev, kernel, args, 6, global, local, "STREAM", &warm);
    for (int t = 0; t < trials && status == WG_OK; t++)
        status = timed_run(dev, kernel, args, 6, global, local, "STREAM", &times[t]);
    if (status == WG_OK) {
        /* Each kernel repeated gives the same arrays: copy c = 1; scale b = 1.5;
         * add c = 3; triad a = 2 + 1.5. */
        float expected[3] = {init[0], init[1], init[2]};
        switch (which) {
        case WG_STREAM_COPY: expected[2] = 1.0f; break;
        case WG_STREAM_SCALE: expected[1] = q * 0.5f; break;
        case WG_STREAM_ADD: expected[2] = 3.0f; break;
        default: expected[0] = 2.0f + q * 0.5f; break;
        }
        double worst = 0.0;
        for (int i = 0; i < 3 && status == WG_OK; i++)
            status = check_array(dev, mem[i], n, expected[i], &worst);
        if (status == WG_OK) {
            double best = times[0];
            for (int t = 1; t < trials; t++)
                if (times[t] < best) best = times[t];
            out->kernel = (wg_stream_kernel)which;
            out->elements = n;
            out->threads = (int)local;
            out->blocks = (int64_t)(global / local);
            out->trials = trials;
            out->bytes = (double)wg_stream_arrays((wg_stream_kernel)which) * (double)bytes;
            out->best_s = best;
            out->median_s = median_of(times, trials);
            out->best_gbs = out->bytes / best / 1e9;
            out->max_rel_error = worst;
            out->valid = worst <= 1e-6;
        }
    }
    for (int i = 0; i < 3; i++)
        if (mem[i]) clReleaseMemObject(mem[i]);
    free(times);
    return status;
}

/* ---------------------------------------------------------------- transfers ------- */

wg_status wg_ocl_measure_transfer(int index, int64_t bytes, int to_device, int pinned, int async,
                                  int trials, wg_transfer_result *out)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    const size_t size = (size_t)bytes;
    cl_int err = CL_SUCCESS;
    cl_mem device_mem = NULL, host_mem = NULL;
    void *host = NULL;
    double *times = calloc((size_t)trials, sizeof *times);
    if (!times) return wg_fail(WG_ERR_NO_MEMORY, "opencl:%d transfer: no host memory", index);
    device_mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, size, NULL, &err);
    if (err != CL_SUCCESS)
        status = wg_ocl_fail(err, "opencl:%d: a device buffer of %zu bytes", index, size);
    if (status == WG_OK && pinned) {
        /* the driver's own host memory, mapped: what OpenCL offers for pinned copies */
        host_mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, size,
                                  NULL, &err);
        if (err == CL_SUCCESS)
            host = clEnqueueMapBuffer(dev->queue, host_mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                      size, 0, NULL, NULL, &err);
        if (err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: mapped host memory of %zu bytes", index, size);
    } else if (status == WG_OK) {
        host = aligned_alloc(64, (size + 63) / 64 * 64);
        if (!host) status = wg_fail(WG_ERR_NO_MEMORY, "opencl:%d: %zu bytes of host memory", index, size);
    }
    if (status == WG_OK) memset(host, 1, size);
    for (int t = -1; t < trials && status == WG_OK; t++) { /* t == -1: the warm-up */
        const cl_bool blocking = async ? CL_FALSE : CL_TRUE;
        const double t0 = wg_now();
        err = to_device ? clEnqueueWriteBuffer(dev->queue, device_mem, blocking, 0, size, host, 0,
                                               NULL, NULL)
                        : clEnqueueReadBuffer(dev->queue, device_mem, blocking, 0, size, host, 0,
                                              NULL, NULL);
        if (err == CL_SUCCESS && async) err = clFinish(dev->queue);
        const double elapsed = wg_now() - t0;
        if (err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: copying %zu bytes %s", index, size,
                                 to_device ? "host->device" : "device->host");
        else if (t >= 0)
            times[t] = elapsed;
    }
    if (status == WG_OK) {
        double best = times[0];
        for (int t = 1; t < trials; t++)
            if (times[t] < best) best = times[t];
        out->bytes = bytes;
        out->to_device = to_device;
        out->pinned = pinned;
        out->async = async;
        out->trials = trials;
        out->best_s = best;
        out->median_s = median_of(times, trials);
        out->best_gbs = (double)bytes / best / 1e9;
    }
    if (host_mem) {
        if (host) {
            clEnqueueUnmapMemObject(dev->queue, host_mem, host, 0, NULL, NULL);
            clFinish(dev->queue);
        }
        clReleaseMemObject(host_mem);
    } else {
        free(host);
    }
    if (device_mem) clReleaseMemObject(device_mem);
    free(times);
    return status;
}

/* ---------------------------------------------------------------- latency --------- */

wg_status wg_ocl_measure_launch_latency(int index, int launches, wg_launch_latency *out)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    cl_kernel kernel = NULL;
    if (status == WG_OK) status = measure_kernel(dev, "wg_empty", &kernel);
    if (status != WG_OK) return status;
    double *times = calloc((size_t)launches, sizeof *times);
    if (!times) return wg_fail(WG_ERR_NO_MEMORY, "opencl:%d latency: no host memory", index);
    const size_t one = 1;
    cl_int err = CL_SUCCESS;
    cl_mem word = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, 4, NULL, &err);
    if (err != CL_SUCCESS) {
        free(times);
        return wg_ocl_fail(err, "opencl:%d: a 4-byte buffer", index);
    }
    /* enqueue + finish, one at a time (after a warm-up) */
    for (int t = -1; t < launches && status == WG_OK; t++) {
        const double t0 = wg_now();
        status = wg_ocl_enqueue(dev, kernel, NULL, 0, 1, &one, &one, NULL, "the empty kernel");
        if (status == WG_OK) {
            err = clFinish(dev->queue);
            if (err != CL_SUCCESS) status = wg_ocl_fail(err, "opencl:%d: clFinish", index);
        }
        if (t >= 0) times[t] = wg_now() - t0;
    }
    if (status == WG_OK) out->launch_and_sync_s = median_of(times, launches);
    /* enqueues back to back: the host's cost of one launch */
    if (status == WG_OK) {
        const double t0 = wg_now();
        for (int t = 0; t < launches && status == WG_OK; t++)
            status = wg_ocl_enqueue(dev, kernel, NULL, 0, 1, &one, &one, NULL, "the empty kernel");
        out->launch_only_s = (wg_now() - t0) / launches;
        err = clFinish(dev->queue);
        if (status == WG_OK && err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: clFinish", index);
    }
    /* a 4-byte read back */
    float value = 0.0f;
    for (int t = -1; t < launches && status == WG_OK; t++) {
        const double t0 = wg_now();
        err = clEnqueueReadBuffer(dev->queue, word, CL_TRUE, 0, 4, &value, 0, NULL, NULL);
        if (err != CL_SUCCESS) status = wg_ocl_fail(err, "opencl:%d: a 4-byte read", index);
        if (t >= 0) times[t] = wg_now() - t0;
    }
    if (status == WG_OK) out->copy_back_s = median_of(times, launches);
    clReleaseMemObject(word);
    free(times);
    return status;
}

/* ---------------------------------------------------------------- scaling --------- */

wg_status wg_ocl_measure_scaling(int index, const int64_t *groups, int count, int local_size,
                                 int steps, int trials, wg_opencl_scaling_point *out)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    cl_kernel kernel = NULL;
    if (status == WG_OK) status = measure_kernel(dev, "wg_fma_chains", &kernel);
    if (status != WG_OK) return status;
    const size_t local = local_size ? (size_t)local_size : 64;
    const cl_int step_count = steps ? steps : 4096;
    int64_t most = 1;
    for (int i = 0; i < count; i++)
        if (groups[i] > most) most = groups[i];
    cl_int err = CL_SUCCESS;
    cl_mem sink = clCreateBuffer(dev->context, CL_MEM_WRITE_ONLY, (size_t)most * local * sizeof(float),
                                 NULL, &err);
    if (err != CL_SUCCESS)
        return wg_ocl_fail(err, "opencl:%d: the scaling kernel's output", index);
    const float x = 1.0f;
    const wg_ocl_arg args[] = {WG_CL_ARG(sink), WG_CL_ARG(step_count), WG_CL_ARG(x)};
    for (int i = 0; i < count && status == WG_OK; i++) {
        const size_t global = (size_t)groups[i] * local;
        double best = INFINITY, seconds = 0.0;
        for (int t = -1; t < trials && status == WG_OK; t++) {
            status = timed_run(dev, kernel, args, 3, global, local, "the multiply-add kernel",
                               &seconds);
            if (t >= 0 && seconds < best) best = seconds;
        }
        if (status == WG_OK) {
            out[i].groups = groups[i];
            out[i].local_size = (int)local;
            out[i].best_s = best;
            out[i].gflops = (double)global * step_count * 64.0 / best / 1e9;
        }
    }
    clReleaseMemObject(sink);
    return status;
}

/* ---------------------------------------------------------------- copies and reads  */

wg_status wg_ocl_measure_memcpy(int index, int64_t bytes, int trials, double *best_gbs)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    cl_int err = CL_SUCCESS;
    cl_mem src = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, (size_t)bytes, NULL, &err);
    cl_mem dst = err == CL_SUCCESS
                     ? clCreateBuffer(dev->context, CL_MEM_READ_WRITE, (size_t)bytes, NULL, &err)
                     : NULL;
    if (err != CL_SUCCESS) status = wg_ocl_fail(err, "opencl:%d: two buffers of %lld bytes", index,
                                                (long long)bytes);
    double best = INFINITY;
    for (int t = -1; t < trials && status == WG_OK; t++) {
        cl_event event = NULL;
        err = clEnqueueCopyBuffer(dev->queue, src, dst, 0, 0, (size_t)bytes, 0, NULL, &event);
        if (err == CL_SUCCESS) err = clWaitForEvents(1, &event);
        double seconds = 0.0;
        if (err != CL_SUCCESS)
            status = wg_ocl_fail(err, "opencl:%d: copying %lld bytes (clEnqueueCopyBuffer)",
                                 index, (long long)bytes);
        else
            status = event_seconds(index, event, &seconds);
        if (event) clReleaseEvent(event);
        if (t >= 0 && seconds < best) best = seconds;
    }
    if (status == WG_OK) *best_gbs = 2.0 * (double)bytes / best / 1e9;
    if (src) clReleaseMemObject(src);
    if (dst) clReleaseMemObject(dst);
    return status;
}

wg_status wg_ocl_measure_read_bandwidth(int index, int64_t bytes, double min_seconds, double *gbs)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    cl_kernel kernel = NULL;
    if (status == WG_OK) status = measure_kernel(dev, "wg_read_sum", &kernel);
    if (status != WG_OK) return status;
    const cl_long n4 = bytes / 16;
    const size_t local = 64;
    const size_t global = wg_ocl_elementwise_global(dev, n4, local);
    cl_int err = CL_SUCCESS;
    cl_mem buf = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, (size_t)n4 * 16, NULL, &err);
    cl_mem out = err == CL_SUCCESS ? clCreateBuffer(dev->context, CL_MEM_WRITE_ONLY,
                                                    global * sizeof(float), NULL, &err)
                                   : NULL;
    const float one = 1.0f;
    if (err == CL_SUCCESS)
        err = clEnqueueFillBuffer(dev->queue, buf, &one, sizeof one, 0, (size_t)n4 * 16, 0, NULL,
                                  NULL);
    if (err != CL_SUCCESS)
        status = wg_ocl_fail(err, "opencl:%d: a %lld-byte read buffer", index, (long long)bytes);
    /* passes: enough for a launch of about min_seconds / 5, from one pass timed first */
    cl_int passes = 1;
    double seconds = 0.0, best = INFINITY;
    const wg_ocl_arg args[] = {WG_CL_ARG(buf), WG_CL_ARG(n4), WG_CL_ARG(passes), WG_CL_ARG(out)};
    if (status == WG_OK)
        status = timed_run(dev, kernel, args, 4, global, local, "the read kernel", &seconds);
    if (status == WG_OK) {
        const double want = min_seconds / 5.0;
        passes = seconds >= want ? 1 : (cl_int)(want / (seconds > 1e-7 ? seconds : 1e-7)) + 1;
        if (passes > 1 << 20) passes = 1 << 20;
    }
    for (int t = 0; t < 5 && status == WG_OK; t++) {
        status = timed_run(dev, kernel, args, 4, global, local, "the read kernel", &seconds);
        if (seconds < best) best = seconds;
    }
    if (status == WG_OK) *gbs = (double)n4 * 16.0 * passes / best / 1e9;
    if (buf) clReleaseMemObject(buf);
    if (out) clReleaseMemObject(out);
    return status;
}
