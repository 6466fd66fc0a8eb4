/*
 * measure_index.h - the index arithmetic of two measurement kernels of cuda_measure.cu,
 * written once for the device and the host so that tests/test_measure_index.c checks on
 * the CPU what every thread of the GPU does:
 *
 *  - wg_copy_thread: STREAM copy with four 16-byte loads in flight per thread (loads issued
 *    before the stores, a grid-stride loop unrolled by 4), which keeps enough bytes in
 *    flight per SM to approach cudaMemcpy's device-to-device rate; one load at a time
 *    leaves the memory system idle between a thread's requests.
 *  - wg_read_share_*: the read-bandwidth sweep's one access pattern for every size: the
 *    buffer is cut into `shares` slices (one per block once it has 4 KiB per block); in
 *    pass p block b reads slice (b + p) mod shares. Each pass reads the whole buffer once
 *    (reuse distance = the buffer: L2 holds it or not), no two blocks read the same slice
 *    at once once there are as many slices as blocks (no convoys that would share misses),
 *    and over `shares` passes every block sees the whole buffer (its SM's L1 holds it or
 *    not). The same rule at 4 KiB and at 1 GiB, so the edges in the curve are the caches'.
 */
#ifndef WG_MEASURE_INDEX_H
#define WG_MEASURE_INDEX_H

#include <stdint.h>

#ifdef __CUDACC__
#define WG_HD __host__ __device__ static inline
typedef float4 wg_f4;
#else
#define WG_HD static inline
typedef struct wg_f4 {
    float x, y, z, w;
} __attribute__((aligned(16))) wg_f4;
#endif

/* Threads per block of the read kernel, and the float4s a slice holds at least (one per
 * thread). */
#define WG_READ_THREADS 256

/* The copy's loads on the device: ld.global.cs (__ldcs: streamed, evict-first; the copy
 * never rereads), not the read-only ld.global.nc that const __restrict__ gives. ptxas may
 * move a store above a later .nc load (it cannot alias one), and for sm_90 it did: the
 * plain loop stored the second float4 before issuing the third load, so a thread waited
 * with two loads in flight, not four. Loads that may alias the stores keep the order
 * written (scripts/sass-checks.txt checks four 16-byte loads before the first store, on
 * sm_80 and sm_90). On the host, a plain read. */
#if defined(__CUDA_ARCH__)
#define WG_COPY_LOAD(p) __ldcs(p)
#else
#define WG_COPY_LOAD(p) (*(p))
#endif

/* One thread's part of c = a over n4 float4s: thread `start` of a grid of `stride`. */
WG_HD void wg_copy_thread(const wg_f4 *__restrict__ a, wg_f4 *__restrict__ c, int64_t n4,
                          int64_t start, int64_t stride)
{
    int64_t i = start;
    for (; i + 3 * stride < n4; i += 4 * stride) {
        const wg_f4 x0 = WG_COPY_LOAD(a + i);
        const wg_f4 x1 = WG_COPY_LOAD(a + i + stride);
        const wg_f4 x2 = WG_COPY_LOAD(a + i + 2 * stride);
        const wg_f4 x3 = WG_COPY_LOAD(a + i + 3 * stride);
        c[i] = x0;
        c[i + stride] = x1;
        c[i + 2 * stride] = x2;
        c[i + 3 * stride] = x3;
    }
    for (; i < n4; i += stride) c[i] = a[i];
}

/* How many slices a buffer of n4 float4s is cut into for `blocks` blocks: one per block,
 * but none smaller than WG_READ_THREADS float4s; at least 1. */
WG_HD int wg_read_shares(int64_t n4, int blocks)
{
    int64_t shares = n4 / WG_READ_THREADS;
    if (shares > blocks) shares = blocks;
    return shares < 1 ? 1 : (int)shares;
}

/* Float4s a block reads per pass: a slice, plus 8 so that slices starting on 128-byte
 * boundaries still cover the buffer; at most the buffer. */
WG_HD int64_t wg_read_span(int64_t n4, int shares)
{
    int64_t span = (n4 + shares - 1) / shares + 8;
    return span > n4 ? n4 : span;
}

/* First float4 block `block` reads in pass `pass` (128-byte aligned; reads wrap around the
 * end of the buffer). */
WG_HD int64_t wg_read_start(int64_t n4, int shares, int block, int pass)
{
    const int64_t slice = ((int64_t)block + pass) % shares;
    return ((slice * n4) / shares) & ~(int64_t)7;
}

#endif /* WG_MEASURE_INDEX_H */
