/*
 * cuda_measure.h - the CUDA half of the measurements behind `whygpu explain` (the C
 * interface of cuda_measure.cu; src/cuda_stub.c stands in for it without nvcc).
 *
 * Each function takes the same parameters as its wg_gpu_* counterpart in
 * src/measure/measure.h, which checks the arguments, the device and the free memory first
 * (src/measure/gpu_measure.c); these only make the device current, run, and report CUDA
 * failures with wg_fail() (the error's name and text, and what was being done). Every
 * buffer, event and stream they create is freed on every path.
 */
#ifndef WG_CUDA_MEASURE_H
#define WG_CUDA_MEASURE_H

#include <stdint.h>

#include "../measure/measure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* STREAM on device memory: a = 1, b = 2, c = 0.5 (set on the device), one untimed warm-up,
 * then `trials` launches each timed with a pair of events. blocks 0: the SMs times the
 * blocks of this size that fit on one SM at once (occupancy), but no more than the float4
 * items need; any other value is used exactly. threads_per_block 0: 256. The arrays are
 * read back and every element compared with the values the same sequence gives on the
 * host. */
wg_status wg_cuda_measure_stream(int device, wg_stream_kernel kernel, int64_t elements,
                                 int64_t blocks, int threads_per_block, int trials,
                                 wg_stream_result *out);

/* cudaMemcpyAsync device-to-device of `bytes` (timed as STREAM's trials are, behind a
 * gate kernel); best of `trials` (after a warm-up) as 2 * bytes / best_s / 1e9. */
wg_status wg_cuda_measure_memcpy(int device, int64_t bytes, int trials, double *best_gbs);

/* A host<->device copy of `bytes`: host memory from malloc (pinned 0) or cudaMallocHost
 * (pinned 1). async 1: cudaMemcpyAsync on a stream of its own between two events queued
 * behind a gate kernel, so the time is the device's for the copy alone; async 0: cudaMemcpy
 * timed with the host's clock around the call (the latency a caller waiting on it sees). */
wg_status wg_cuda_measure_transfer(int device, int64_t bytes, int to_device, int pinned,
                                   int async, int trials, wg_transfer_result *out);

/* Read bandwidth of a working set of `bytes` (>= 16; a multiple of 16 is read, the rest
 * ignored): see read_kernel in cuda_measure.cu for the access pattern. Best of 5 launches
 * of >= min_seconds / 5 each. */
wg_status wg_cuda_measure_read_bandwidth(int device, int64_t bytes, double min_seconds,
                                         double *gbs);

/* An empty kernel <<<1, 1>>>: launch + cudaDeviceSynchronize, launches back to back, and a
 * 4-byte cudaMemcpy device->host, each `launches` times after a warm-up, per call. */
wg_status wg_cuda_measure_launch_latency(int device, int launches, wg_launch_latency *out);

/* The PCI bus id of cuda:device ("0000:3B:00.0"), by which NVML finds the same GPU
 * (src/measure/energy_nvml.c): CUDA and NVML may number GPUs differently. */
wg_status wg_cuda_pci_bus_id(int device, char *buf, int size);

#ifdef __cplusplus
}
#endif

#endif /* WG_CUDA_MEASURE_H */
