/*
 * opencl_measure.h - the measurements of measure.h on an OpenCL device (opencl:N): STREAM
 * on device memory, host<->device copies (plain and mapped host memory), launch latency
 * (enqueue alone and enqueue + finish) and how compute throughput grows with the number of
 * work-groups (compute-unit scaling). Arguments are checked on every build; without
 * OpenCL each returns WG_ERR_NO_DEVICE saying so.
 */
#ifndef WG_OPENCL_MEASURE_H
#define WG_OPENCL_MEASURE_H

#include "measure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* STREAM with float4 accesses: groups 0 = compute units x 64 work-groups; local_size 0 = 64.
 * a = 1, b = 2, c = 0.5 first; every element is checked afterwards. */
wg_status wg_opencl_stream(int device, wg_stream_kernel kernel, int64_t elements, int64_t groups,
                           int local_size, int trials, wg_stream_result *out);

/* A host<->device copy of `bytes` (clEnqueueWrite/ReadBuffer). pinned 0: host memory from
 * malloc; 1: a mapped CL_MEM_ALLOC_HOST_PTR buffer (the driver's pinned memory). async 0:
 * a blocking call; 1: non-blocking, then clFinish. Timed on the host around the call. */
wg_status wg_opencl_transfer(int device, int64_t bytes, int to_device, int pinned, int async,
                             int trials, wg_transfer_result *out);

/* An empty kernel of one work-item: enqueue + clFinish (the round trip), enqueues back to
 * back (per launch; the queue drained at the end) and a 4-byte read back, each the median
 * of `launches` after a warm-up. */
wg_status wg_opencl_launch_latency(int device, int launches, wg_launch_latency *out);

/* One point of the work-group scaling: `groups` work-groups of `local_size` work-items,
 * each running multiply-add chains; GFLOP/s of the best of the trials. */
typedef struct wg_opencl_scaling_point {
    int64_t groups;
    int local_size;
    double best_s;
    double gflops;
} wg_opencl_scaling_point;

/* For each of `count` work-group counts (>= 1); local_size 0 = 64; steps multiply-add steps
 * per work-item (0: 4096). */
wg_status wg_opencl_workgroup_scaling(int device, const int64_t *groups, int count,
                                      int local_size, int steps, int trials,
                                      wg_opencl_scaling_point *out);

#ifdef __cplusplus
}
#endif

#endif /* WG_OPENCL_MEASURE_H */
