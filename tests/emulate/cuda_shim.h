/*
 * cuda_shim.h - just enough of CUDA for the matmul ladder's kernels (src/cuda/ladder_*.cu)
 * to compile as plain C++ and run on CPU threads, so their indexing, edge handling,
 * transposes and epilogues can be checked on a machine without a GPU (see
 * ladder_emulate.cpp and scripts/ladder-emulate.sh).
 *
 * A launch runs one POSIX thread per CUDA thread of a block; the blocks of the grid run one
 * after another. A launch with clusters (rung 11) runs the CTAs of one cluster at once,
 * one POSIX thread per CUDA thread of each, and the clusters one after another.
 * __shared__ becomes `static` (one copy, shared by the block's threads),
 * __syncthreads and __syncwarp are a barrier of the whole block (the kernels call both
 * uniformly), and a WMMA fragment holds its whole tile in every thread. cp.async is
 * deferred as on the GPU, at its latest: a copy is queued (alignment asserted), commit
 * closes the thread's group, and a copy lands only when cp.async.wait_group makes it, so
 * reading a stage before waiting for it reads stale or poisoned data and the result is
 * wrong. Dynamic shared memory is one NaN-poisoned buffer per launch.
 *
 * What it cannot check: timing, copies landing earlier than their wait (harmless when
 * the waits are right), bank conflicts, and the compiler's real code generation.
 */
#ifndef WG_CUDA_SHIM_H
#define WG_CUDA_SHIM_H

#include <pthread.h>

#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <type_traits>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct emu_uint3 {
    unsigned x, y, z;
};
inline thread_local emu_uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
/* emu_barrier: every thread of the running cluster (of the block when there is none);
 * emu_cta_barrier[r]: the threads of CTA r of the cluster (__syncthreads) */
constexpr unsigned emu_max_cluster = 2;
inline pthread_barrier_t emu_barrier, emu_cta_barrier[emu_max_cluster];
/* emu_warpgroup_barrier[r][w]: the 128 threads of warpgroup w of CTA r (wgmma's
 * .sync.aligned instructions), when a block is made of whole warpgroups */
constexpr unsigned emu_max_warpgroups = 8;
inline pthread_barrier_t emu_warpgroup_barrier[emu_max_cluster][emu_max_warpgroups];
inline unsigned emu_warpgroups;
inline thread_local unsigned emu_cta_rank; /* this thread's CTA within its cluster */
inline unsigned emu_cluster_size = 1;

struct alignas(16) float4 {
    float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

inline void __syncthreads() { pthread_barrier_wait(&emu_cta_barrier[emu_cta_rank]); }
inline void __syncwarp() { pthread_barrier_wait(&emu_cta_barrier[emu_cta_rank]); }

/* BF16: the top 16 bits of a float, rounded to nearest even. */
struct __nv_bfloat16 {
    uint16_t bits;
};
inline __nv_bfloat16 __float2bfloat16_rn(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return __nv_bfloat16{(uint16_t)(u >> 16)};
}
inline float emu_float(float f) { return f; }
inline float emu_float(__nv_bfloat16 b)
{
    uint32_t u = (uint32_t)b.bits << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

/* cp.async, deferred: per thread, the copies not yet committed and the committed groups. */
struct emu_copy {
    void *dst;
    const void *src;
    int bytes, src_bytes; /* src_bytes < bytes: zero fill the rest */
};
inline thread_local std::vector<emu_copy> emu_uncommitted;
inline thread_local std::vector<std::vector<emu_copy>> emu_groups;
inline void emu_copy_land(const emu_copy &c)
{
    std::memset(c.dst, 0, (size_t)c.bytes);
    if (c.src_bytes > 0) std::memcpy(c.dst, c.src, (size_t)c.src_bytes);
}
inline void cp_async_4(void *smem, const void *gmem, int src_bytes)
{
    assert((uintptr_t)smem % 4 == 0 && (uintptr_t)gmem % 4 == 0);
    assert(src_bytes == 0 || src_bytes == 4);
    emu_uncommitted.push_back(emu_copy{smem, gmem, 4, src_bytes});
}
inline void cp_async_16(void *smem, const void *gmem)
{
    if ((uintptr_t)smem % 16 != 0 || (uintptr_t)gmem % 16 != 0) {
        std::fprintf(stderr, "cp.async 16 bytes: misaligned (shared %p, global %p)\n", smem, gmem);
        std::abort();
    }
    emu_uncommitted.push_back(emu_copy{smem, gmem, 16, 16});
}
inline void cp_async_commit()
{
    emu_groups.push_back(emu_uncommitted);
    emu_uncommitted.clear();
}
/* Lands every committed group but the N most recent. */
template <int N> inline void cp_async_wait()
{
    while (emu_groups.size() > (size_t)N) {
        for (const emu_copy &c : emu_groups.front()) emu_copy_land(c);
        emu_groups.erase(emu_groups.begin());
    }
}
/* A kernel that ends with copies in flight: they land (the GPU would finish them), but a
 * copy never committed is a bug the harness reports. */
inline bool emu_copies_drain()
{
    cp_async_wait<0>();
    const bool clean = emu_uncommitted.empty();
    for (const emu_copy &c : emu_uncommitted) emu_copy_land(c);
    emu_uncommitted.clear();
    return clean;
}
inline float4 __ldg(const float4 *p)
{
    assert((uintptr_t)p % 16 == 0);
    return *p;
}

#define WG_CUDA_LAUNCH_CHECK(...) ((void)0)

/* The dynamic shared memory of the running launch (WG_LADDER_DYNAMIC_SMEM). */
inline float *emu_dynamic_smem;
#define WG_LADDER_DYNAMIC_SMEM(name) float *const name = emu_dynamic_smem

/* Runs body for every block of grid, with block.x * block.y * block.z threads and
 * smem_bytes of dynamic shared memory (NaN-poisoned, so a read before its copy shows).
 * With cluster > 1 (clusters along x, as __cluster_dims__(cluster, 1, 1)), the cluster's
 * CTAs run at once, each with its own threads and __syncthreads barrier. */
inline void emu_launch(dim3 grid, dim3 block, const std::function<void()> &body,
                       size_t smem_bytes = 0, unsigned cluster = 1)
{
    if (cluster < 1 || cluster > emu_max_cluster || grid.x % cluster != 0) {
        std::fprintf(stderr, "emulator: a grid of %u blocks in x cannot be cut in clusters of %u\n",
                     grid.x, cluster);
        std::abort();
    }
    std::vector<float> dynamic_smem(smem_bytes / sizeof(float) + 4, NAN);
    emu_dynamic_smem = reinterpret_cast<float *>(
        (reinterpret_cast<uintptr_t>(dynamic_smem.data()) + 15) / 16 * 16);
    gridDim = grid;
    blockDim = block;
    emu_cluster_size = cluster;
    const unsigned cta_threads = block.x * block.y * block.z, threads = cta_threads * cluster;
    pthread_barrier_init(&emu_barrier, NULL, threads);
    emu_warpgroups = cta_threads % 128 == 0 ? cta_threads / 128 : 0;
    for (unsigned r = 0; r < cluster; r++) {
        pthread_barrier_init(&emu_cta_barrier[r], NULL, cta_threads);
        for (unsigned w = 0; w < emu_warpgroups; w++)
            pthread_barrier_init(&emu_warpgroup_barrier[r][w], NULL, 128);
    }
    struct worker {
        unsigned tid;
        const std::function<void()> *body;
        static void *run(void *arg)
        {
            const worker *w = static_cast<const worker *>(arg);
            const unsigned per_cta = blockDim.x * blockDim.y * blockDim.z;
            const unsigned t = w->tid % per_cta;
            emu_cta_rank = w->tid / per_cta;
            threadIdx.x = t % blockDim.x;
            threadIdx.y = t / blockDim.x % blockDim.y;
            threadIdx.z = t / (blockDim.x * blockDim.y);
            for (unsigned by = 0; by < gridDim.y; by++)
                for (unsigned bx = emu_cta_rank; bx < gridDim.x; bx += emu_cluster_size) {
                    blockIdx.x = bx;
                    blockIdx.y = by;
                    blockIdx.z = 0;
                    (*w->body)();
                    if (!emu_copies_drain()) {
                        std::fprintf(stderr, "emulator: cp.async copies never committed\n");
                        std::abort();
                    }
                    pthread_barrier_wait(&emu_barrier); /* the block (cluster) is done */
                }
            return NULL;
        }
    };
    std::vector<worker> workers(threads);
    std::vector<pthread_t> ids(threads);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1 << 20);
    for (unsigned t = 0; t < threads; t++) {
        workers[t] = worker{t, &body};
        if (pthread_create(&ids[t], &attr, worker::run, &workers[t]) != 0) {
            std::fprintf(stderr, "emulator: cannot start thread %u of %u\n", t, threads);
            std::abort();
        }
    }
    for (unsigned t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    pthread_attr_destroy(&attr);
    pthread_barrier_destroy(&emu_barrier);
    for (unsigned r = 0; r < cluster; r++) {
        pthread_barrier_destroy(&emu_cta_barrier[r]);
        for (unsigned w = 0; w < emu_warpgroups; w++)
            pthread_barrier_destroy(&emu_warpgroup_barrier[r][w]);
    }
    emu_cluster_size = 1;
}

#define WG_LADDER_LAUNCH(kernel, grid, block, ...) \
    emu_launch((grid), (block), [&]() { kernel(__VA_ARGS__); })
#define WG_LADDER_LAUNCH_SMEM(kernel, grid, block, smem, ...) \
    emu_launch((grid), (block), [&]() { kernel(__VA_ARGS__); }, (smem))

/* WMMA: each thread holds the whole tile of a fragment. */
namespace nvcuda {
namespace wmma {
struct row_major {};
struct col_major {};
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
namespace precision {
struct tf32 {};
}
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void> struct fragment {
    static constexpr int rows = std::is_same<Use, matrix_b>::value ? K : M;
    static constexpr int cols = std::is_same<Use, matrix_a>::value ? K : N;
    static constexpr int num_elements = rows * cols;
    float x[rows * cols];
};

inline float __float_to_tf32(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u = (u + 0x1000u) & 0xFFFFE000u; /* keep 10 mantissa bits, rounded */
    std::memcpy(&f, &u, 4);
    return f;
}

template <typename Use, int M, int N, int K, typename T, typename Layout, typename E>
inline void load_matrix_sync(fragment<Use, M, N, K, T, Layout> &f, const E *p, unsigned ldm)
{
    typedef fragment<Use, M, N, K, T, Layout> F;
    if ((uintptr_t)p % 32 != 0 || (ldm * sizeof(E)) % 16 != 0) {
        std::fprintf(stderr, "load_matrix_sync: pointer %p not 32-byte aligned or ldm %u bad\n",
                     (const void *)p, ldm);
        std::abort();
    }
    for (int r = 0; r < F::rows; r++)
        for (int c = 0; c < F::cols; c++)
            f.x[r * F::cols + c] = emu_float(std::is_same<Layout, row_major>::value
                                                 ? p[r * ldm + c]
                                                 : p[c * ldm + r]);
}

template <int M, int N, int K>
inline void fill_fragment(fragment<accumulator, M, N, K, float> &f, float v)
{
    for (int e = 0; e < M * N; e++) f.x[e] = v;
}

template <int M, int N, int K, typename T, typename LA, typename LB>
inline void mma_sync(fragment<accumulator, M, N, K, float> &d,
                     const fragment<matrix_a, M, N, K, T, LA> &a,
                     const fragment<matrix_b, M, N, K, T, LB> &b,
                     const fragment<accumulator, M, N, K, float> &c)
{
    float out[M * N];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float s = c.x[i * N + j];
            for (int k = 0; k < K; k++) s += a.x[i * K + k] * b.x[k * N + j];
            out[i * N + j] = s;
        }
    std::memcpy(d.x, out, sizeof out);
}

template <int M, int N, int K>
inline void store_matrix_sync(float *p, const fragment<accumulator, M, N, K, float> &f,
                              unsigned ldm, layout_t layout)
{
    if ((uintptr_t)p % 32 != 0) {
        std::fprintf(stderr, "store_matrix_sync: pointer %p not 32-byte aligned\n", (void *)p);
        std::abort();
    }
    const unsigned tid = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    if (tid % 32 != 0) return; /* one lane writes what all lanes hold */
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            p[layout == mem_row_major ? i * ldm + j : j * ldm + i] = f.x[i * N + j];
}
} // namespace wmma
} // namespace nvcuda

#include "hopper_shim.h" /* TMA, mbarriers, wgmma and clusters for rungs 9-11 */

#endif /* WG_CUDA_SHIM_H */
