/*
 * cuda_measure.cu - the GPU measurements of `whygpu explain`: STREAM on device memory,
 * cudaMemcpy device-to-device, host<->device transfers, the read-bandwidth working-set
 * sweep (L1, L2, HBM) and launch latency. C-style CUDA; every call is checked
 * (cuda_check.h); nothing is printed.
 *
 * Timing: a pair of CUDA events around the work, on the stream that runs it, behind a
 * gate kernel that holds the stream while the host queues them (gated_start), so the
 * interval is the device's own time for the work; a blocking cudaMemcpy is timed with the
 * host's clock instead (an event after it is queued only once it returned, so it would
 * time the host's round trip while claiming the device's). One untimed warm-up first (it pays for module
 * loading, first-touch of pages and clock ramp-up); the best trial is reported (STREAM's
 * rule) and the median next to it. Launch latency is host time (wg_now), since the host's
 * side of a launch is what it measures.
 *
 * Every function gathers what it allocates in a `resources` record that one function
 * frees on every path, success or failure (cleanup never overwrites the error message).
 */
#include <algorithm>
#include <cmath>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_backend.h"
#include "cuda_check.h"
#include "cuda_measure.h"
#include "measure_index.h"

#define WG_MEASURE_THREADS 256 /* default threads per block */
#define WG_STREAM_Q 3.0f       /* STREAM's scalar */
/* The read kernel's trials (its threads per block, WG_READ_THREADS, fixed because the
 * reduction relies on it, and its slices are in measure_index.h). */
#define WG_READ_TRIALS 5
#define WG_READ_MAX_PASSES (1 << 30)
/* Host buffer for reading STREAM arrays back: 16 MiB at a time. */
#define WG_CHECK_CHUNK_FLOATS ((int64_t)1 << 22)

/* ---------------------------------------------------------------- kernels --------- */

/*
 * STREAM's four kernels. Each measures how fast the grid can stream its arrays through
 * DRAM (or L2, for arrays that fit there): every element is touched once per launch, so
 * there is no reuse for any cache to exploit. Access pattern: a grid-stride loop of 16-byte
 * (float4) accesses, so consecutive threads of a warp touch consecutive 16-byte words and
 * a warp's access is 512 contiguous bytes (fully coalesced, whole 32-byte sectors), for any
 * grid size, including one block; the last n % 4 elements are done one by one. The arrays
 * come from separate cudaMalloc calls (256-byte aligned) and never overlap, hence
 * __restrict__.
 */

/* copy: c = a (2 arrays, 0 flops per element). Four float4 loads in flight per thread
 * (wg_copy_thread, measure_index.h): the copy has no arithmetic to hide a load's latency
 * behind, so only more outstanding loads per thread bring it to cudaMemcpy's rate. */
static __global__ void stream_copy_kernel(const float *__restrict__ a, float *__restrict__ c,
                                          int64_t n)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    wg_copy_thread(reinterpret_cast<const float4 *>(a), reinterpret_cast<float4 *>(c), n4,
                   start, stride);
    for (int64_t i = 4 * n4 + start; i < n; i += stride) c[i] = a[i];
}

/* scale: b = q * c (2 arrays, 1 flop) */
static __global__ void stream_scale_kernel(const float *__restrict__ c, float *__restrict__ b,
                                           int64_t n, float q)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 *c4 = reinterpret_cast<const float4 *>(c);
    float4 *b4 = reinterpret_cast<float4 *>(b);
    for (int64_t i = start; i < n4; i += stride) {
        const float4 x = c4[i];
        b4[i] = make_float4(q * x.x, q * x.y, q * x.z, q * x.w);
    }
    for (int64_t i = 4 * n4 + start; i < n; i += stride) b[i] = q * c[i];
}

/* add: c = a + b (3 arrays, 1 flop) */
static __global__ void stream_add_kernel(const float *__restrict__ a, const float *__restrict__ b,
                                         float *__restrict__ c, int64_t n)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 *a4 = reinterpret_cast<const float4 *>(a);
    const float4 *b4 = reinterpret_cast<const float4 *>(b);
    float4 *c4 = reinterpret_cast<float4 *>(c);
    for (int64_t i = start; i < n4; i += stride) {
        const float4 x = a4[i];
        const float4 y = b4[i];
        c4[i] = make_float4(x.x + y.x, x.y + y.y, x.z + y.z, x.w + y.w);
    }
    for (int64_t i = 4 * n4 + start; i < n; i += stride) c[i] = a[i] + b[i];
}

/* triad: a = b + q * c (3 arrays, 2 flops) */
static __global__ void stream_triad_kernel(const float *__restrict__ b,
                                           const float *__restrict__ c, float *__restrict__ a,
                                           int64_t n, float q)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 *b4 = reinterpret_cast<const float4 *>(b);
    const float4 *c4 = reinterpret_cast<const float4 *>(c);
    float4 *a4 = reinterpret_cast<float4 *>(a);
    for (int64_t i = start; i < n4; i += stride) {
        const float4 y = b4[i];
        const float4 z = c4[i];
        a4[i] = make_float4(y.x + q * z.x, y.y + q * z.y, y.z + q * z.z, y.w + q * z.w);
    }
    for (int64_t i = 4 * n4 + start; i < n; i += stride) a[i] = b[i] + q * c[i];
}

/*
 * read_kernel: the read bandwidth of a working set of n4 float4s (the working-set sweep:
 * L1, then L2, then HBM as n4 grows). It only loads and adds, and each block writes one
 * sum, so the loads cannot be dropped and are the whole cost.
 *
 * Access pattern, the same at every size (measure_index.h): the buffer is cut into
 * `shares` slices; in pass p block b reads span4 float4s from the start of slice
 * (b + p) mod shares, wrapping around the end, its threads reading consecutive float4s
 * (a warp loads 512 contiguous bytes). Every pass reads the whole buffer once, so a line
 * is reread only after the chip has read the whole buffer: from L2 while the buffer fits
 * there (50 MB on H100), from HBM beyond. Over `shares` passes every block reads the whole
 * buffer, so an SM's L1 serves it while it fits (about 200 KiB of the 256 KiB L1/shared
 * on A100/H100; the kernel asks for the largest L1 carve-out). A slice is read by one
 * block at a time once the buffer holds 4 KiB per block, so blocks cannot ride on each
 * other's misses. (An earlier pattern gave each block the whole buffer up to 1 MiB and its
 * own slice beyond, and the curve showed that switch instead of the L2.)
 *
 * Index math in int: the wrapper limits n4 to 2^30 (16 GiB), so base + i < 2 * n4 fits,
 * and span4 <= n4, so one subtraction wraps any index. The sums use 16 independent float
 * chains (4 accumulators x 4 lanes) to keep loads in flight, then double for the
 * reduction; with the buffer all 1.0f the sums are exact counts (checked on the host).
 */
static __global__ void __launch_bounds__(WG_READ_THREADS)
    read_kernel(const float4 *__restrict__ buf, int n4, int shares, int span4, int passes,
                double *__restrict__ partial)
{
    const int step = WG_READ_THREADS;
    float4 acc0 = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    float4 acc1 = acc0, acc2 = acc0, acc3 = acc0;

    for (int p = 0; p < passes; ++p) {
        const int base = (int)wg_read_start(n4, shares, (int)blockIdx.x, p);
        int i = (int)threadIdx.x;
        for (; i + 3 * step < span4; i += 4 * step) {
            int j0 = base + i;
            if (j0 >= n4) j0 -= n4;
            int j1 = j0 + step;
            if (j1 >= n4) j1 -= n4;
            int j2 = j1 + step;
            if (j2 >= n4) j2 -= n4;
            int j3 = j2 + step;
            if (j3 >= n4) j3 -= n4;
            const float4 x0 = buf[j0];
            const float4 x1 = buf[j1];
            const float4 x2 = buf[j2];
            const float4 x3 = buf[j3];
            acc0.x += x0.x; acc0.y += x0.y; acc0.z += x0.z; acc0.w += x0.w;
            acc1.x += x1.x; acc1.y += x1.y; acc1.z += x1.z; acc1.w += x1.w;
            acc2.x += x2.x; acc2.y += x2.y; acc2.z += x2.z; acc2.w += x2.w;
            acc3.x += x3.x; acc3.y += x3.y; acc3.z += x3.z; acc3.w += x3.w;
        }
        for (; i < span4; i += step) {
            int j = base + i;
            if (j >= n4) j -= n4;
            const float4 x = buf[j];
            acc0.x += x.x; acc0.y += x.y; acc0.z += x.z; acc0.w += x.w;
        }
    }

    double sum = ((double)acc0.x + (double)acc0.y + (double)acc0.z + (double)acc0.w) +
                 ((double)acc1.x + (double)acc1.y + (double)acc1.z + (double)acc1.w) +
                 ((double)acc2.x + (double)acc2.y + (double)acc2.z + (double)acc2.w) +
                 ((double)acc3.x + (double)acc3.y + (double)acc3.z + (double)acc3.w);
    for (int offset = 16; offset > 0; offset >>= 1)
        sum += __shfl_down_sync(0xffffffffu, sum, offset);
    __shared__ double warp_sums[WG_READ_THREADS / 32];
    if ((threadIdx.x & 31) == 0) warp_sums[threadIdx.x / 32] = sum;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0.0;
        for (int w = 0; w < WG_READ_THREADS / 32; ++w) total += warp_sums[w];
        partial[blockIdx.x] = total;
    }
}

/* Does nothing: its launch and completion are the whole cost (launch latency). */
static __global__ void empty_kernel(void) {}

/* Keeps the stream busy for `ns` nanoseconds of the GPU's global timer. Launched before a
 * timed trial's start event, it holds the stream while the host queues the event, the
 * work and the stop event, so the interval between the events is the work alone, not the
 * host's time to submit it (a few microseconds that a small copy would otherwise carry). */
static __global__ void gate_kernel(unsigned long long ns)
{
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    } while (now - start < ns);
}

#define WG_GATE_NS 50000ULL /* far longer than queueing two events and one call */

/* ---------------------------------------------------------------- resources ------- */

/* Everything a measurement allocates; resources_free releases what is set. */
typedef struct resources {
    int device;
    void *dev[3];          /* wg_cuda_alloc */
    void *host;            /* malloc, or cudaMallocHost when host_pinned */
    int host_pinned;
    void *scratch;         /* malloc */
    double *times;         /* malloc */
    cudaEvent_t start, stop;
    cudaStream_t stream;
} resources;

static void resources_init(resources *r, int device)
{
    memset(r, 0, sizeof *r);
    r->device = device;
}

/* Frees everything. Failures here (a sticky error from a kernel) were or will be reported
 * by a call that can return them, so they are only cleared from the last-error slot; the
 * thread's error message is left as it is. */
static void resources_free(resources *r)
{
    (void)cudaSetDevice(r->device);
    if (r->stream) (void)cudaStreamDestroy(r->stream);
    if (r->start) (void)cudaEventDestroy(r->start);
    if (r->stop) (void)cudaEventDestroy(r->stop);
    if (r->host && r->host_pinned) (void)cudaFreeHost(r->host);
    (void)cudaGetLastError();
    for (int i = 0; i < 3; ++i) wg_cuda_release(r->device, r->dev[i]);
    if (r->host && !r->host_pinned) free(r->host);
    free(r->scratch);
    free(r->times);
    memset(r, 0, sizeof *r);
}

static wg_status create_events(resources *r)
{
    WG_CUDA_TRY(cudaEventCreate(&r->start), "creating a timing event on cuda:%d "
                "(cudaEventCreate)", r->device);
    WG_CUDA_TRY(cudaEventCreate(&r->stop), "creating a timing event on cuda:%d "
                "(cudaEventCreate)", r->device);
    return WG_OK;
}

static wg_status alloc_times(resources *r, int trials)
{
    r->times = (double *)malloc((size_t)trials * sizeof(double));
    if (!r->times)
        return wg_fail(WG_ERR_NO_MEMORY, "out of host memory for %d trial times", trials);
    return WG_OK;
}

/* Waits for r->stop and returns the seconds since r->start. */
static wg_status event_seconds(resources *r, const char *what, double *seconds)
{
    WG_CUDA_TRY(cudaEventSynchronize(r->stop), "waiting for %s on cuda:%d "
                "(cudaEventSynchronize)", what, r->device);
    float ms = 0.0f;
    WG_CUDA_TRY(cudaEventElapsedTime(&ms, r->start, r->stop), "timing %s on cuda:%d "
                "(cudaEventElapsedTime)", what, r->device);
    *seconds = (double)ms * 1e-3;
    return WG_OK;
}

/* Holds `stream` with gate_kernel, then records r->start on it: the next work queued is
 * timed from when the GPU reaches it, not from when the host queued the event. */
static wg_status gated_start(resources *r, cudaStream_t stream)
{
    gate_kernel<<<1, 1, 0, stream>>>(WG_GATE_NS);
    WG_CUDA_LAUNCH_CHECK("launching the gate kernel on cuda:%d", r->device);
    WG_CUDA_TRY(cudaEventRecord(r->start, stream), "recording a timing event on cuda:%d "
                "(cudaEventRecord)", r->device);
    return WG_OK;
}

/* Sorts times[0..n) and returns the best (first) and the median. */
static void best_and_median(double *times, int n, double *best, double *median)
{
    std::sort(times, times + n);
    *best = times[0];
    *median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

static wg_status sm_count(int device, int *sms)
{
    WG_CUDA_TRY(cudaDeviceGetAttribute(sms, cudaDevAttrMultiProcessorCount, device),
                "reading the SM count of cuda:%d (cudaDeviceGetAttribute)", device);
    if (*sms < 1) *sms = 1;
    return WG_OK;
}

/* ---------------------------------------------------------------- STREAM ---------- */

static const char *stream_name(wg_stream_kernel kernel)
{
    switch (kernel) {
    case WG_STREAM_COPY: return "copy";
    case WG_STREAM_SCALE: return "scale";
    case WG_STREAM_ADD: return "add";
    case WG_STREAM_TRIAD: return "triad";
    default: return "?";
    }
}

/* Blocks of `threads` threads of this kernel that fit on one SM at once. */
static wg_status stream_occupancy(int device, wg_stream_kernel kernel, int threads, int *per_sm)
{
    cudaError_t err = cudaSuccess;
    *per_sm = 0;
    switch (kernel) {
    case WG_STREAM_COPY:
        err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(per_sm, stream_copy_kernel, threads, 0);
        break;
    case WG_STREAM_SCALE:
        err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(per_sm, stream_scale_kernel, threads, 0);
        break;
    case WG_STREAM_ADD:
        err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(per_sm, stream_add_kernel, threads, 0);
        break;
    case WG_STREAM_TRIAD:
        err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(per_sm, stream_triad_kernel, threads, 0);
        break;
    default:
        return wg_fail(WG_ERR_ARGUMENT, "unknown STREAM kernel %d", (int)kernel);
    }
    if (err != cudaSuccess)
        return wg_cuda_fail(err, "finding how many blocks of %d threads of STREAM %s fit on an "
                            "SM of cuda:%d (cudaOccupancyMaxActiveBlocksPerMultiprocessor)",
                            threads, stream_name(kernel), device);
    return WG_OK;
}

/* One launch of the kernel on the arrays (r->dev[0..2] = a, b, c), checked, not waited for. */
static wg_status stream_launch(const resources *r, wg_stream_kernel kernel, int64_t n,
                               unsigned blocks, unsigned threads)
{
    float *a = (float *)r->dev[0], *b = (float *)r->dev[1], *c = (float *)r->dev[2];
    switch (kernel) {
    case WG_STREAM_COPY: stream_copy_kernel<<<blocks, threads>>>(a, c, n); break;
    case WG_STREAM_SCALE: stream_scale_kernel<<<blocks, threads>>>(c, b, n, WG_STREAM_Q); break;
    case WG_STREAM_ADD: stream_add_kernel<<<blocks, threads>>>(a, b, c, n); break;
    case WG_STREAM_TRIAD: stream_triad_kernel<<<blocks, threads>>>(b, c, a, n, WG_STREAM_Q); break;
    default: return wg_fail(WG_ERR_ARGUMENT, "unknown STREAM kernel %d", (int)kernel);
    }
    WG_CUDA_LAUNCH_CHECK("launching STREAM %s on cuda:%d (%lld elements, %u blocks of %u "
                         "threads)",
                         stream_name(kernel), r->device, (long long)n, blocks, threads);
    return WG_OK;
}

/* The kernel's effect on one element, `runs` times, on the host: the values every element
 * of the device arrays must hold (STREAM's checkSTREAMresults). */
static void stream_replay(wg_stream_kernel kernel, int64_t runs, float *a, float *b, float *c)
{
    const float q = WG_STREAM_Q;
    for (int64_t r = 0; r < runs; ++r) {
        switch (kernel) {
        case WG_STREAM_COPY: *c = *a; break;
        case WG_STREAM_SCALE: *b = q * *c; break;
        case WG_STREAM_ADD: *c = *a + *b; break;
        case WG_STREAM_TRIAD: *a = *b + q * *c; break;
        default: break;
        }
    }
}

/* Reads array `dev` of n floats back in chunks through host[chunk] and raises *worst to the
 * largest relative error against `expected` (absolute where expected is 0; infinite for a
 * NaN). */
static wg_status stream_check_array(int device, const float *dev, int64_t n, float expected,
                                    float *host, int64_t chunk, const char *name,
                                    double *worst)
{
    const double want = (double)expected;
    const double scale = want != 0.0 ? std::fabs(want) : 1.0;
    for (int64_t offset = 0; offset < n; offset += chunk) {
        const int64_t m = n - offset < chunk ? n - offset : chunk;
        WG_CUDA_TRY(cudaMemcpy(host, dev + offset, (size_t)m * sizeof(float),
                               cudaMemcpyDeviceToHost),
                    "reading STREAM array %s back from cuda:%d (cudaMemcpy of %lld bytes)",
                    name, device, (long long)m * 4);
        for (int64_t i = 0; i < m; ++i) {
            const double err = std::fabs((double)host[i] - want) / scale;
            if (std::isnan(err))
                *worst = INFINITY;
            else if (err > *worst)
                *worst = err;
        }
    }
    return WG_OK;
}

static wg_status stream_run(resources *r, wg_stream_kernel kernel, int64_t elements,
                            int64_t blocks, int threads_per_block, int trials,
                            wg_stream_result *out)
{
    const int device = r->device;
    const int threads = threads_per_block > 0 ? threads_per_block : WG_MEASURE_THREADS;
    int max_threads = 0, sms = 0, per_sm = 0;
    WG_CUDA_TRY(cudaDeviceGetAttribute(&max_threads, cudaDevAttrMaxThreadsPerBlock, device),
                "reading the largest block size of cuda:%d (cudaDeviceGetAttribute)", device);
    if (threads > max_threads)
        return wg_fail(WG_ERR_ARGUMENT, "STREAM on cuda:%d: %d threads per block, more than "
                       "the device's limit of %d", device, threads, max_threads);
    wg_status status = sm_count(device, &sms);
    if (status != WG_OK) return status;
    status = stream_occupancy(device, kernel, threads, &per_sm);
    if (status != WG_OK) return status;
    if (per_sm < 1)
        return wg_fail(WG_ERR_ARGUMENT, "STREAM %s cannot run blocks of %d threads on cuda:%d",
                       stream_name(kernel), threads, device);

    /* blocks 0: fill the chip (every SM holds as many blocks as fit), but launch no block
     * that would find no float4 to do. */
    int64_t grid = blocks;
    if (grid == 0) {
        const int64_t items = elements / 4 > 0 ? elements / 4 : 1;
        const int64_t needed = (items + threads - 1) / threads;
        grid = (int64_t)sms * per_sm;
        if (needed < grid) grid = needed;
    }
    if (grid < 1 || grid > INT_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "STREAM on cuda:%d: %lld blocks (expected 1 to %d)",
                       device, (long long)grid, INT_MAX);

    const size_t array_bytes = (size_t)elements * sizeof(float);
    for (int i = 0; i < 3; ++i) {
        status = wg_cuda_alloc(device, array_bytes, &r->dev[i]);
        if (status != WG_OK)
            return wg_fail_context(status, "STREAM array %c (%lld floats)", "abc"[i],
                                   (long long)elements);
    }
    /* STREAM starts from a = 1, b = 2, c = 0; c = 0.5 here so that every kernel run alone
     * (scale reads only c) writes values a wrong kernel could not produce by accident. */
    const float init[3] = {1.0f, 2.0f, 0.5f};
    for (int i = 0; i < 3; ++i) {
        status = wg_cuda_fill(device, (float *)r->dev[i], elements, init[i]);
        if (status != WG_OK) return status;
    }
    status = create_events(r);
    if (status != WG_OK) return status;
    status = alloc_times(r, trials);
    if (status != WG_OK) return status;

    const unsigned grid_u = (unsigned)grid, threads_u = (unsigned)threads;
    status = stream_launch(r, kernel, elements, grid_u, threads_u); /* warm-up */
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaDeviceSynchronize(), "running the STREAM %s warm-up on cuda:%d "
                "(cudaDeviceSynchronize)", stream_name(kernel), device);

    for (int t = 0; t < trials; ++t) {
        status = gated_start(r, 0);
        if (status != WG_OK) return status;
        status = stream_launch(r, kernel, elements, grid_u, threads_u);
        if (status != WG_OK) return status;
        WG_CUDA_TRY(cudaEventRecord(r->stop, 0), "recording a timing event on cuda:%d "
                    "(cudaEventRecord)", device);
        status = event_seconds(r, "a STREAM trial", &r->times[t]);
        if (status != WG_OK) return status;
    }

    /* Validation: the same sequence (warm-up + trials) on one element, on the host, then
     * every element of every array compared with it. */
    float a = init[0], b = init[1], c = init[2];
    stream_replay(kernel, (int64_t)trials + 1, &a, &b, &c);
    const int64_t chunk = elements < WG_CHECK_CHUNK_FLOATS ? elements : WG_CHECK_CHUNK_FLOATS;
    r->scratch = malloc((size_t)chunk * sizeof(float));
    if (!r->scratch)
        return wg_fail(WG_ERR_NO_MEMORY, "out of host memory for reading STREAM arrays back "
                       "(%lld bytes)", (long long)chunk * 4);
    double worst = 0.0;
    const float expected[3] = {a, b, c};
    for (int i = 0; i < 3; ++i) {
        const char name[2] = {"abc"[i], '\0'};
        status = stream_check_array(device, (const float *)r->dev[i], elements, expected[i],
                                    (float *)r->scratch, chunk, name, &worst);
        if (status != WG_OK) return status;
    }

    out->kernel = kernel;
    out->elements = elements;
    out->threads = threads;
    out->blocks = grid;
    out->trials = trials;
    out->bytes = (kernel == WG_STREAM_ADD || kernel == WG_STREAM_TRIAD ? 3.0 : 2.0) *
                 (double)elements * (double)sizeof(float);
    best_and_median(r->times, trials, &out->best_s, &out->median_s);
    out->best_gbs = out->best_s > 0.0 ? out->bytes / out->best_s / 1e9 : 0.0;
    out->max_rel_error = worst;
    out->valid = worst <= 1e-6;
    return WG_OK;
}

wg_status wg_cuda_measure_stream(int device, wg_stream_kernel kernel, int64_t elements,
                                 int64_t blocks, int threads_per_block, int trials,
                                 wg_stream_result *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_stream: NULL result");
    memset(out, 0, sizeof *out);
    if ((int)kernel < 0 || kernel >= WG_STREAM_KERNEL_COUNT || elements < 1 || blocks < 0 ||
        threads_per_block < 0 || trials < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_stream: bad argument (kernel %d, "
                       "%lld elements, %lld blocks, %d threads, %d trials)",
                       (int)kernel, (long long)elements, (long long)blocks, threads_per_block,
                       trials);
    wg_status status = wg_cuda_use(device);
    if (status != WG_OK) return status;
    resources r;
    resources_init(&r, device);
    status = stream_run(&r, kernel, elements, blocks, threads_per_block, trials, out);
    resources_free(&r);
    if (status != WG_OK) memset(out, 0, sizeof *out);
    return status;
}

/* ---------------------------------------------------------------- memcpy ---------- */

static wg_status memcpy_run(resources *r, int64_t bytes, int trials, double *best_gbs)
{
    const int device = r->device;
    const size_t size = (size_t)bytes;
    for (int i = 0; i < 2; ++i) {
        wg_status status = wg_cuda_alloc(device, size, &r->dev[i]);
        if (status != WG_OK)
            return wg_fail_context(status, "device-to-device copy, %s buffer",
                                   i == 0 ? "source" : "destination");
        WG_CUDA_TRY(cudaMemset(r->dev[i], 0, size), "clearing a buffer of %zu bytes on "
                    "cuda:%d (cudaMemset)", size, device);
    }
    wg_status status = create_events(r);
    if (status != WG_OK) return status;
    status = alloc_times(r, trials);
    if (status != WG_OK) return status;

    for (int t = -1; t < trials; ++t) { /* t = -1: the warm-up */
        status = gated_start(r, 0); /* as STREAM's trials, so the two compare */
        if (status != WG_OK) return status;
        WG_CUDA_TRY(cudaMemcpyAsync(r->dev[1], r->dev[0], size, cudaMemcpyDeviceToDevice, 0),
                    "cudaMemcpyAsync cuda:%d->cuda:%d of %zu bytes", device, device, size);
        WG_CUDA_TRY(cudaEventRecord(r->stop, 0), "recording a timing event on cuda:%d "
                    "(cudaEventRecord)", device);
        double seconds = 0.0;
        status = event_seconds(r, "a device-to-device copy", &seconds);
        if (status != WG_OK) return status;
        if (t >= 0) r->times[t] = seconds;
    }
    double best = 0.0, median = 0.0;
    best_and_median(r->times, trials, &best, &median);
    *best_gbs = best > 0.0 ? 2.0 * (double)bytes / best / 1e9 : 0.0;
    return WG_OK;
}

wg_status wg_cuda_measure_memcpy(int device, int64_t bytes, int trials, double *best_gbs)
{
    if (!best_gbs) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_memcpy: NULL result");
    *best_gbs = 0.0;
    if (bytes < 1 || trials < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_memcpy: %lld bytes, %d trials",
                       (long long)bytes, trials);
    wg_status status = wg_cuda_use(device);
    if (status != WG_OK) return status;
    resources r;
    resources_init(&r, device);
    status = memcpy_run(&r, bytes, trials, best_gbs);
    resources_free(&r);
    if (status != WG_OK) *best_gbs = 0.0;
    return status;
}

/* ---------------------------------------------------------------- transfers ------- */

static wg_status transfer_run(resources *r, int64_t bytes, int to_device, int pinned,
                              int async, int trials, wg_transfer_result *out)
{
    const int device = r->device;
    const size_t size = (size_t)bytes;
    if (pinned) {
        cudaError_t err = cudaMallocHost(&r->host, size);
        if (err != cudaSuccess) {
            r->host = NULL;
            return wg_cuda_fail_status(err == cudaErrorMemoryAllocation ? WG_ERR_NO_MEMORY
                                                                        : WG_ERR_BACKEND,
                                       err, "allocating %zu bytes of pinned host memory "
                                       "(cudaMallocHost)", size);
        }
        r->host_pinned = 1;
    } else {
        r->host = malloc(size);
        if (!r->host)
            return wg_fail(WG_ERR_NO_MEMORY, "out of host memory: malloc of %zu bytes for a "
                           "transfer buffer", size);
    }
    memset(r->host, 0, size); /* the pages exist before the first copy */
    wg_status status = wg_cuda_alloc(device, size, &r->dev[0]);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaMemset(r->dev[0], 0, size), "clearing a buffer of %zu bytes on cuda:%d "
                "(cudaMemset)", size, device);
    WG_CUDA_TRY(cudaDeviceSynchronize(), "clearing a buffer on cuda:%d "
                "(cudaDeviceSynchronize)", device);
    if (async)
        WG_CUDA_TRY(cudaStreamCreateWithFlags(&r->stream, cudaStreamNonBlocking),
                    "creating a stream on cuda:%d (cudaStreamCreateWithFlags)", device);
    status = create_events(r);
    if (status != WG_OK) return status;
    status = alloc_times(r, trials);
    if (status != WG_OK) return status;

    void *dst = to_device ? r->dev[0] : r->host;
    const void *src = to_device ? r->host : r->dev[0];
    const cudaMemcpyKind kind = to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost;
    const char *direction = to_device ? "host->cuda" : "cuda->host";
    const cudaStream_t stream = async ? r->stream : (cudaStream_t)0;

    for (int t = -1; t < trials; ++t) { /* t = -1: the warm-up */
        double seconds = 0.0;
        if (async) {
            /* the device's time for the copy: events on its stream, behind a gate */
            status = gated_start(r, stream);
            if (status != WG_OK) return status;
            WG_CUDA_TRY(cudaMemcpyAsync(dst, src, size, kind, stream),
                        "cudaMemcpyAsync %s:%d of %zu bytes (%s host memory)", direction,
                        device, size, pinned ? "pinned" : "pageable");
            WG_CUDA_TRY(cudaEventRecord(r->stop, stream), "recording a timing event on "
                        "cuda:%d (cudaEventRecord)", device);
            status = event_seconds(r, "a host<->device copy", &seconds);
            if (status != WG_OK) return status;
        } else {
            /* a blocking call: what the caller waits for is the host's time around it
             * (an event after it would be queued only once it had returned) */
            const double t0 = wg_now();
            WG_CUDA_TRY(cudaMemcpy(dst, src, size, kind),
                        "cudaMemcpy %s:%d of %zu bytes (%s host memory)", direction, device,
                        size, pinned ? "pinned" : "pageable");
            seconds = wg_now() - t0;
        }
        if (t >= 0) r->times[t] = seconds;
    }

    out->bytes = bytes;
    out->to_device = to_device;
    out->pinned = pinned;
    out->async = async;
    out->trials = trials;
    best_and_median(r->times, trials, &out->best_s, &out->median_s);
    out->best_gbs = out->best_s > 0.0 ? (double)bytes / out->best_s / 1e9 : 0.0;
    return WG_OK;
}

wg_status wg_cuda_measure_transfer(int device, int64_t bytes, int to_device, int pinned,
                                   int async, int trials, wg_transfer_result *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_transfer: NULL result");
    memset(out, 0, sizeof *out);
    if (bytes < 1 || trials < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_transfer: %lld bytes, %d trials",
                       (long long)bytes, trials);
    wg_status status = wg_cuda_use(device);
    if (status != WG_OK) return status;
    resources r;
    resources_init(&r, device);
    status = transfer_run(&r, bytes, to_device != 0, pinned != 0, async != 0, trials, out);
    resources_free(&r);
    if (status != WG_OK) memset(out, 0, sizeof *out);
    return status;
}

/* ---------------------------------------------------------------- read bandwidth -- */

/* One launch of read_kernel with `passes` passes, timed with events. */
static wg_status read_launch(resources *r, int blocks, int n4, int shares, int span4,
                             int passes, double *seconds)
{
    wg_status status = gated_start(r, 0);
    if (status != WG_OK) return status;
    read_kernel<<<(unsigned)blocks, WG_READ_THREADS>>>((const float4 *)r->dev[0], n4, shares,
                                                        span4, passes, (double *)r->dev[1]);
    WG_CUDA_LAUNCH_CHECK("launching the read kernel on cuda:%d (%d blocks, %d float4s, %d "
                         "passes)", r->device, blocks, n4, passes);
    WG_CUDA_TRY(cudaEventRecord(r->stop, 0), "recording a timing event on cuda:%d "
                "(cudaEventRecord)", r->device);
    return event_seconds(r, "the read kernel", seconds);
}

static wg_status read_run(resources *r, int64_t bytes, double min_seconds, double *gbs)
{
    const int device = r->device;
    const int64_t n4_64 = bytes / 16;
    if (n4_64 < WG_READ_THREADS || n4_64 > ((int64_t)1 << 30))
        return wg_fail(WG_ERR_ARGUMENT, "read bandwidth on cuda:%d: %lld bytes (expected 4 "
                       "KiB to 16 GiB)", device, (long long)bytes);
    const int n4 = (int)n4_64;

    /* Ask for the largest L1 (the kernel needs 64 bytes of shared memory). Only a hint:
     * a device that cannot honour it still runs the kernel, so a refusal is not an error. */
    if (cudaFuncSetAttribute(read_kernel, cudaFuncAttributePreferredSharedMemoryCarveout,
                             (int)cudaSharedmemCarveoutMaxL1) != cudaSuccess)
        (void)cudaGetLastError();
    int sms = 0, per_sm = 0;
    wg_status status = sm_count(device, &sms);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, read_kernel,
                                                              WG_READ_THREADS, 0),
                "finding how many read-kernel blocks fit on an SM of cuda:%d "
                "(cudaOccupancyMaxActiveBlocksPerMultiprocessor)", device);
    if (per_sm < 1) per_sm = 1;
    const int64_t blocks64 = (int64_t)sms * per_sm;
    if (blocks64 > INT_MAX)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d reports %d SMs x %d blocks", device, sms,
                       per_sm);
    const int blocks = (int)blocks64;

    /* The slices of the one access pattern (read_kernel, measure_index.h). */
    const int shares = wg_read_shares(n4_64, blocks);
    const int64_t span4_64 = wg_read_span(n4_64, shares);
    const int span4 = (int)span4_64;

    const size_t size = (size_t)n4_64 * 16;
    status = wg_cuda_alloc(device, size, &r->dev[0]);
    if (status != WG_OK) return wg_fail_context(status, "read-bandwidth buffer");
    status = wg_cuda_alloc(device, (size_t)blocks * sizeof(double), &r->dev[1]);
    if (status != WG_OK) return status;
    status = wg_cuda_fill(device, (float *)r->dev[0], n4_64 * 4, 1.0f);
    if (status != WG_OK) return status;
    status = create_events(r);
    if (status != WG_OK) return status;

    /* Calibrate: grow the passes until one launch lasts min_seconds / trials (the first
     * launch, one pass, is also the warm-up). */
    double target = min_seconds / WG_READ_TRIALS;
    if (target < 1e-4) target = 1e-4;
    int passes = 1;
    double seconds = 0.0;
    status = read_launch(r, blocks, n4, shares, span4, passes, &seconds);
    if (status != WG_OK) return status;
    while (seconds < target && passes < WG_READ_MAX_PASSES) {
        double grow = seconds > 0.0 ? 1.2 * target / seconds : 1000.0;
        if (grow < 2.0) grow = 2.0;
        if (grow > 1000.0) grow = 1000.0;
        const double next = std::ceil((double)passes * grow);
        passes = next >= (double)WG_READ_MAX_PASSES ? WG_READ_MAX_PASSES : (int)next;
        status = read_launch(r, blocks, n4, shares, span4, passes, &seconds);
        if (status != WG_OK) return status;
    }

    double best = 0.0;
    for (int t = 0; t < WG_READ_TRIALS; ++t) {
        status = read_launch(r, blocks, n4, shares, span4, passes, &seconds);
        if (status != WG_OK) return status;
        if (t == 0 || seconds < best) best = seconds;
    }

    /* Validation: every element is 1.0f, so each block's sum is the count of floats it
     * read, exactly, as long as no float accumulator passed 2^24. */
    const int64_t per_thread = (span4_64 + WG_READ_THREADS - 1) / WG_READ_THREADS;
    if ((double)per_thread * passes < 16777216.0) {
        r->scratch = malloc((size_t)blocks * sizeof(double));
        if (!r->scratch)
            return wg_fail(WG_ERR_NO_MEMORY, "out of host memory for %d block sums", blocks);
        WG_CUDA_TRY(cudaMemcpy(r->scratch, r->dev[1], (size_t)blocks * sizeof(double),
                               cudaMemcpyDeviceToHost),
                    "reading the read kernel's sums back from cuda:%d (cudaMemcpy)", device);
        const double expected = 4.0 * (double)span4 * (double)passes;
        const double *sums = (const double *)r->scratch;
        for (int b = 0; b < blocks; ++b)
            if (!(std::fabs(sums[b] - expected) <= 1e-9 * expected))
                return wg_fail(WG_ERR_BACKEND, "the read kernel on cuda:%d gave a wrong sum "
                               "in block %d: %.17g instead of %.17g (%d float4s, %d passes)",
                               device, b, sums[b], expected, span4, passes);
    }

    const double read = (double)blocks * (double)span4 * 16.0 * (double)passes;
    *gbs = best > 0.0 ? read / best / 1e9 : 0.0;
    return WG_OK;
}

wg_status wg_cuda_measure_read_bandwidth(int device, int64_t bytes, double min_seconds,
                                         double *gbs)
{
    if (!gbs) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_read_bandwidth: NULL result");
    *gbs = 0.0;
    if (!(min_seconds > 0.0) || !std::isfinite(min_seconds))
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_read_bandwidth: min_seconds %g",
                       min_seconds);
    wg_status status = wg_cuda_use(device);
    if (status != WG_OK) return status;
    resources r;
    resources_init(&r, device);
    status = read_run(&r, bytes, min_seconds, gbs);
    resources_free(&r);
    if (status != WG_OK) *gbs = 0.0;
    return status;
}

/* ---------------------------------------------------------------- launch latency -- */

static wg_status empty_launch(int device)
{
    empty_kernel<<<1, 1>>>();
    WG_CUDA_LAUNCH_CHECK("launching an empty kernel on cuda:%d", device);
    return WG_OK;
}

static wg_status latency_run(resources *r, int launches, wg_launch_latency *out)
{
    const int device = r->device;
    wg_status status = wg_cuda_alloc(device, sizeof(float), &r->dev[0]);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaMemset(r->dev[0], 0, sizeof(float)), "clearing 4 bytes on cuda:%d "
                "(cudaMemset)", device);
    float value = 0.0f;

    /* Warm-up: loads the module, wakes the device and the host thread's paths. */
    const int warm = launches < 100 ? launches : 100;
    for (int i = 0; i < warm; ++i) {
        status = empty_launch(device);
        if (status != WG_OK) return status;
        WG_CUDA_TRY(cudaDeviceSynchronize(), "waiting for an empty kernel on cuda:%d "
                    "(cudaDeviceSynchronize)", device);
        WG_CUDA_TRY(cudaMemcpy(&value, r->dev[0], sizeof value, cudaMemcpyDeviceToHost),
                    "cudaMemcpy cuda:%d->host of 4 bytes", device);
    }

    /* (a) the round trip: launch, then wait for it. */
    double t0 = wg_now();
    for (int i = 0; i < launches; ++i) {
        status = empty_launch(device);
        if (status != WG_OK) return status;
        WG_CUDA_TRY(cudaDeviceSynchronize(), "waiting for an empty kernel on cuda:%d "
                    "(cudaDeviceSynchronize)", device);
    }
    out->launch_and_sync_s = (wg_now() - t0) / launches;

    /* (b) launches queued back to back, one wait at the end. */
    t0 = wg_now();
    for (int i = 0; i < launches; ++i) {
        status = empty_launch(device);
        if (status != WG_OK) return status;
    }
    WG_CUDA_TRY(cudaDeviceSynchronize(), "waiting for %d empty kernels on cuda:%d "
                "(cudaDeviceSynchronize)", launches, device);
    out->launch_only_s = (wg_now() - t0) / launches;

    /* (c) a 4-byte copy back, as reading one scalar result does. */
    t0 = wg_now();
    for (int i = 0; i < launches; ++i)
        WG_CUDA_TRY(cudaMemcpy(&value, r->dev[0], sizeof value, cudaMemcpyDeviceToHost),
                    "cudaMemcpy cuda:%d->host of 4 bytes", device);
    out->copy_back_s = (wg_now() - t0) / launches;
    return WG_OK;
}

wg_status wg_cuda_measure_launch_latency(int device, int launches, wg_launch_latency *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_launch_latency: NULL result");
    memset(out, 0, sizeof *out);
    if (launches < 1)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_measure_launch_latency: %d launches",
                       launches);
    wg_status status = wg_cuda_use(device);
    if (status != WG_OK) return status;
    resources r;
    resources_init(&r, device);
    status = latency_run(&r, launches, out);
    resources_free(&r);
    if (status != WG_OK) memset(out, 0, sizeof *out);
    return status;
}

/* ---------------------------------------------------------------- PCI bus id ------ */

wg_status wg_cuda_pci_bus_id(int device, char *buf, int size)
{
    if (!buf || size < 16)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_pci_bus_id: buffer of %d bytes", size);
    buf[0] = '\0';
    wg_status status = wg_cuda_check(device);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaDeviceGetPCIBusId(buf, size, device), "reading the PCI bus id of "
                "cuda:%d (cudaDeviceGetPCIBusId)", device);
    return WG_OK;
}
