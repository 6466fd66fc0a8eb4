/*
 * hopper_shim.h - CPU versions of the Hopper primitives the wgmma rungs use
 * (src/cuda/ladder_hopper.cuh), included at the end of cuda_shim.h, so those kernels run on
 * CPU threads like the others:
 *  - shared memory is one 1024-byte aligned window per CTA of a cluster; a kernel's dynamic
 *    shared memory starts 16 bytes into it (so the kernel's rounding up to the swizzle's
 *    alignment is exercised), and shared addresses are offsets into the CTA's own window,
 *    as on the GPU;
 *  - an mbarrier has a real phase, pending-arrival count and transaction count (a side table
 *    keyed by its shared address, under one mutex); try_wait.parity(P) passes when the phase
 *    of parity P has completed, so a fresh barrier passes parity 1; a wait that never ends
 *    (wrong parity, wrong expected byte count) aborts after 20 s with the barrier's state;
 *  - a tensor map is encoded with the driver's documented limits checked (16-byte aligned
 *    base and strides, box of at most 256 per side and one 128-byte row with the 128-byte
 *    swizzle); a TMA load is a synchronous box copy that zero-fills outside the matrix,
 *    places each 16-byte chunk by the 128-byte swizzle of its shared address, and then
 *    completes the box's bytes on the barrier;
 *  - wgmma decodes the two shared-memory descriptors (start, leading and stride byte
 *    offsets, base offset, swizzle mode; anything but the one layout the kernels use
 *    aborts), reads A and B through them with the same swizzle, and adds A.B to the 128
 *    accumulator values this thread holds in the wgmma fragment layout; TF32 truncates each
 *    input to 10 mantissa bits;
 *  - clusters (rung 11): the launch runs a cluster's CTAs at once (cuda_shim.h), each with
 *    its own window and barriers; an mbarrier is keyed by (CTA rank, shared offset), so a
 *    remote arrive (mapa + mbarrier.arrive.shared::cluster) lands on the partner's barrier
 *    of that offset, a TMA multicast copies the box into every CTA of its ctaMask and
 *    completes the bytes on each one's barrier (bytes may reach a barrier before its own
 *    producer's expect_tx, as on the GPU, when they come from the partner), and
 *    barrier.cluster is a barrier of every thread of the cluster. How many clusters "fit on
 *    the GPU" is emu_cluster_capacity (the harness varies it, so the persistent loop runs
 *    with fewer, as many or more tiles than clusters).
 *
 * What it cannot catch: the asynchrony (TMA and wgmma complete immediately, so a missing
 * wgmma.wait_group, fence.proxy.async or wgmma.fence goes unseen); whether the real hardware
 * decodes a descriptor or places a swizzled chunk as this file does (the decoder here
 * follows the PTX field layout and CUTLASS's GmmaDescriptor and canonical K-major layout,
 * not the kernel's encoder, see docs/ladder.md "Checked against the sources"; still only a
 * GPU run checks the silicon); setmaxnreg; timing and bank conflicts.
 */
#ifndef WG_HOPPER_SHIM_H
#define WG_HOPPER_SHIM_H

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "ladder.h" /* wg_status */

#define __grid_constant__

/* ---------------------------------------------------------------- shared memory ---- */

constexpr uint32_t emu_smem_window_bytes = 256 * 1024;
alignas(1024) inline unsigned char emu_smem_window[emu_max_cluster][emu_smem_window_bytes];
constexpr uint32_t emu_dynamic_offset = 16; /* where a kernel's dynamic shared memory starts */

#define __cluster_dims__(...)
#define WG_HOPPER_DYNAMIC_SMEM(name) \
    unsigned char *const name = emu_smem_window[emu_cta_rank] + emu_dynamic_offset
#define WG_HOPPER_LAUNCH_CLUSTER(kernel, grid, block, smem, cluster, ...)                   \
    do {                                                                                    \
        if ((size_t)(smem) + emu_dynamic_offset > emu_smem_window_bytes) {                   \
            std::fprintf(stderr, "emulator: %zu bytes of dynamic shared memory do not fit\n", \
                         (size_t)(smem));                                                   \
            std::abort();                                                                   \
        }                                                                                   \
        emu_mbars.clear(); /* a barrier used before its init this launch is not found */    \
        std::memset(emu_reads, 0, sizeof emu_reads);                                        \
        emu_launch((grid), (block), [&]() { kernel(__VA_ARGS__); }, 0, (cluster));          \
    } while (0)
#define WG_HOPPER_LAUNCH(kernel, grid, block, smem, ...) \
    WG_HOPPER_LAUNCH_CLUSTER(kernel, grid, block, smem, 1, __VA_ARGS__)

inline uint32_t smem_addr(const void *p)
{
    const unsigned char *c = static_cast<const unsigned char *>(p);
    const unsigned char *own = emu_smem_window[emu_cta_rank];
    if (c < own || c >= own + emu_smem_window_bytes) {
        std::fprintf(stderr, "emulator: %p is not in the shared memory of CTA %u\n", p,
                     emu_cta_rank);
        std::abort();
    }
    return (uint32_t)(c - own);
}
/* The bytes at shared address addr .. addr + bytes - 1 of CTA `rank` of the cluster. */
inline unsigned char *emu_smem_of(unsigned rank, uint32_t addr, uint32_t bytes)
{
    if ((uint64_t)addr + bytes > emu_smem_window_bytes || rank >= emu_cluster_size) {
        std::fprintf(stderr, "emulator: shared address %u + %u bytes of CTA %u is outside the "
                     "window (cluster of %u)\n", addr, bytes, rank, emu_cluster_size);
        std::abort();
    }
    return emu_smem_window[rank] + addr;
}
/* ... of this thread's own CTA. */
inline unsigned char *emu_smem(uint32_t addr, uint32_t bytes)
{
    return emu_smem_of(emu_cta_rank, addr, bytes);
}
/* The operands each thread's wgmma reads, from the wgmma until its wgmma.wait_group (the
 * GPU reads them asynchronously in between): A's 64 rows and B's 256 rows of one stage, as
 * [lo, hi) shared ranges of its CTA. A TMA write into such a range is a stage refilled
 * while a warpgroup may still read it: the emulator stops there (how likely it sees it
 * depends on the threads' timing, since the producer must get there inside the window). */
struct emu_reading {
    uint32_t a_lo, a_hi, b_lo, b_hi; /* empty ranges when lo == hi */
};
inline std::mutex emu_reads_mutex;
inline emu_reading emu_reads[emu_max_cluster][1024];
inline unsigned emu_thread_in_block()
{
    return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
}
inline void emu_reads_set(uint32_t a_lo, uint32_t a_hi, uint32_t b_lo, uint32_t b_hi)
{
    std::lock_guard<std::mutex> lock(emu_reads_mutex);
    emu_reads[emu_cta_rank][emu_thread_in_block()] = emu_reading{a_lo, a_hi, b_lo, b_hi};
}
inline void emu_reads_check(unsigned rank, uint32_t lo, uint32_t hi)
{
    std::lock_guard<std::mutex> lock(emu_reads_mutex);
    for (unsigned t = 0; t < 1024; t++) {
        const emu_reading &r = emu_reads[rank][t];
        if ((lo < r.a_hi && r.a_lo < hi) || (lo < r.b_hi && r.b_lo < hi)) {
            std::fprintf(stderr, "emulator: TMA (issued by CTA %u) writes shared bytes %u-%u of CTA "
                         "%u while thread %u's wgmma there has not been waited for (a stage "
                         "refilled before its consumers released it)\n", emu_cta_rank, lo,
                         hi - 1, rank, t);
            std::abort();
        }
    }
}

/* The 128-byte swizzle: the 16-byte chunk index (address bits 4-6) XOR the row within the
 * 1024-byte period (bits 7-9). */
inline uint32_t emu_swizzle128(uint32_t addr) { return addr ^ (((addr >> 7) & 7u) << 4); }

/* ---------------------------------------------------------------- mbarrier --------- */

struct emu_mbarrier {
    uint32_t count, pending;
    int64_t tx;
    uint32_t phase;
};
inline std::mutex emu_mbar_mutex;
inline std::condition_variable emu_mbar_cv;
inline std::map<uint32_t, emu_mbarrier> emu_mbars;

/* The key of the barrier at shared offset bar of CTA rank: (rank, offset). */
inline uint32_t emu_mbar_key(unsigned rank, uint32_t bar) { return (uint32_t)rank << 24 | bar; }
inline emu_mbarrier &emu_mbar_find(uint32_t key, const char *op)
{
    auto found = emu_mbars.find(key);
    if (found == emu_mbars.end() || key % 8 != 0) {
        std::fprintf(stderr, "emulator: %s on shared address %u of CTA %u: no initialised "
                     "mbarrier there\n", op, key & 0xFFFFFFu, key >> 24);
        std::abort();
    }
    return found->second;
}
/* Ends the phase once every arrival and every expected byte is in. */
inline void emu_mbar_settle(emu_mbarrier &b)
{
    if (b.pending == 0 && b.tx == 0) {
        b.phase++;
        b.pending = b.count;
        emu_mbar_cv.notify_all();
    }
}
inline void mbar_init(uint32_t bar, uint32_t count)
{
    std::lock_guard<std::mutex> lock(emu_mbar_mutex);
    if (bar % 8 != 0 || count == 0) {
        std::fprintf(stderr, "emulator: mbarrier.init at %u with count %u\n", bar, count);
        std::abort();
    }
    emu_mbars[emu_mbar_key(emu_cta_rank, bar)] = emu_mbarrier{count, count, 0, 0};
}
inline void mbar_init_fence() {}
inline void emu_mbar_arrive(uint32_t key, uint32_t bytes, const char *op)
{
    std::lock_guard<std::mutex> lock(emu_mbar_mutex);
    emu_mbarrier &b = emu_mbar_find(key, op);
    b.tx += bytes;
    b.pending--;
    emu_mbar_settle(b);
}
inline void mbar_arrive(uint32_t bar)
{
    emu_mbar_arrive(emu_mbar_key(emu_cta_rank, bar), 0, "mbarrier.arrive");
}
inline void mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes)
{
    emu_mbar_arrive(emu_mbar_key(emu_cta_rank, bar), bytes, "mbarrier.arrive.expect_tx");
}
/* mapa + mbarrier.arrive.shared::cluster: the barrier at offset bar of CTA rank. */
inline void mbar_arrive_cluster(uint32_t bar, uint32_t rank)
{
    if (rank >= emu_cluster_size) {
        std::fprintf(stderr, "emulator: mapa to CTA %u of a cluster of %u\n", rank,
                     emu_cluster_size);
        std::abort();
    }
    emu_mbar_arrive(emu_mbar_key(rank, bar), 0, "mbarrier.arrive.shared::cluster");
}
/* `remote`: the bytes come from another CTA's multicast, which may land before this CTA's
 * producer has announced them (its expect_tx) without any bug. */
inline void emu_mbar_complete_tx(uint32_t key, uint32_t bytes, bool remote)
{
    std::lock_guard<std::mutex> lock(emu_mbar_mutex);
    emu_mbarrier &b = emu_mbar_find(key, "complete_tx");
    b.tx -= bytes;
    if (b.tx < 0 && b.pending == b.count && !remote) {
        /* bytes landed on a phase nobody announced: the hardware would count them against
         * the next expect_tx; from the CTA's own copy it is always a bug of the producer */
        std::fprintf(stderr, "emulator: %u bytes completed on mbarrier %u of CTA %u with no "
                     "expect_tx\n", bytes, key & 0xFFFFFFu, key >> 24);
        std::abort();
    }
    emu_mbar_settle(b);
}
inline void mbar_wait(uint32_t bar, uint32_t parity)
{
    const uint32_t key = emu_mbar_key(emu_cta_rank, bar);
    std::unique_lock<std::mutex> lock(emu_mbar_mutex);
    emu_mbarrier *b = &emu_mbar_find(key, "mbarrier.try_wait.parity");
    const bool ok = emu_mbar_cv.wait_for(lock, std::chrono::seconds(20), [&] {
        b = &emu_mbar_find(key, "mbarrier.try_wait.parity");
        return (b->phase & 1u) != parity;
    });
    if (!ok) {
        std::fprintf(stderr, "emulator: thread %u of CTA %u waited 20 s on mbarrier %u for parity "
                     "%u: phase %u, %u of %u arrivals pending, %lld bytes pending (a deadlock)\n",
                     threadIdx.x, emu_cta_rank, bar, parity, b->phase, b->pending, b->count,
                     (long long)b->tx);
        std::abort();
    }
}
/* The cluster-scope acquire changes nothing here: every arrival goes through one mutex. */
inline void mbar_wait_cluster(uint32_t bar, uint32_t parity) { mbar_wait(bar, parity); }

/* ---------------------------------------------------------------- clusters --------- */

inline uint32_t cluster_ctarank() { return emu_cta_rank; }
inline void cluster_sync() { pthread_barrier_wait(&emu_barrier); } /* the whole cluster */
/* How many clusters fit on the emulated GPU at once (the persistent grid's size). */
inline int emu_cluster_capacity = 1 << 20;
inline wg_status hopper_cluster_capacity(const void *, int *out)
{
    *out = emu_cluster_capacity;
    return WG_OK;
}

/* ---------------------------------------------------------------- TMA -------------- */

struct CUtensorMap {
    const unsigned char *base;
    int elem;
    uint64_t dims[2];   /* elements: inner (contiguous), outer */
    uint64_t stride;    /* bytes between outer rows */
    uint32_t box[2];
};

inline wg_status hopper_tensor_map(CUtensorMap *map, const void *base, bool bf16, int64_t cols,
                                   int64_t rows, int64_t ld, uint32_t box_rows)
{
    const int elem = bf16 ? 2 : 4;
    const uint32_t box0 = 128 / elem; /* one 128-byte row */
    /* cuTensorMapEncodeTiled's documented requirements */
    if ((uintptr_t)base % 16 != 0 || (ld * elem) % 16 != 0 || ld * elem >= ((int64_t)1 << 40) ||
        ld < cols || cols < 1 || rows < 1 || cols > ((int64_t)1 << 32) ||
        rows > ((int64_t)1 << 32) || box0 > 256 || box_rows > 256 || box_rows < 1 ||
        box0 * elem > 128 /* one 128-byte swizzle row */) {
        std::fprintf(stderr, "emulator: cuTensorMapEncodeTiled would refuse base %p, %lld x %lld, "
                     "ld %lld, box %u x %u\n", base, (long long)rows, (long long)cols,
                     (long long)ld, box_rows, box0);
        std::abort();
    }
    *map = CUtensorMap{static_cast<const unsigned char *>(base), elem,
                       {(uint64_t)cols, (uint64_t)rows}, (uint64_t)(ld * elem), {box0, box_rows}};
    return WG_OK;
}

/* The box at (c0, c1) into shared offset dst of CTA rank; its bytes completed on that
 * CTA's barrier at offset bar. */
inline void emu_tma_box(unsigned rank, uint32_t dst, const CUtensorMap *map, int c0, int c1,
                        uint32_t bar)
{
    const uint32_t row_bytes = map->box[0] * map->elem, bytes = row_bytes * map->box[1];
    if (dst % 1024 != 0) { /* the 128-byte swizzle's period */
        std::fprintf(stderr, "emulator: TMA into shared address %u, not 1024-byte aligned\n", dst);
        std::abort();
    }
    /* The PTX ISA documents the zero fill for a box that crosses the tensor's bounds, not
     * for one wholly outside it (nor the bytes such a box completes): kernels skip those */
    if ((int64_t)c0 >= (int64_t)map->dims[0] || (int64_t)c1 >= (int64_t)map->dims[1] ||
        (int64_t)c0 + map->box[0] <= 0 || (int64_t)c1 + map->box[1] <= 0) {
        std::fprintf(stderr, "emulator: TMA box at (%d, %d) lies wholly outside the %llu x %llu "
                     "tensor (undocumented: skip the copy and expect fewer bytes)\n", c0, c1,
                     (unsigned long long)map->dims[1], (unsigned long long)map->dims[0]);
        std::abort();
    }
    emu_smem_of(rank, dst, bytes);
    emu_reads_check(rank, dst, dst + bytes);
    for (uint32_t r = 0; r < map->box[1]; r++)
        for (uint32_t e = 0; e < map->box[0]; e++) {
            const int64_t gr = (int64_t)c1 + r, gc = (int64_t)c0 + e;
            unsigned char *to =
                emu_smem_of(rank, emu_swizzle128(dst + r * row_bytes + e * map->elem), map->elem);
            if (gr >= 0 && gc >= 0 && (uint64_t)gr < map->dims[1] && (uint64_t)gc < map->dims[0])
                std::memcpy(to, map->base + gr * map->stride + gc * map->elem, map->elem);
            else
                std::memset(to, 0, map->elem);
        }
    emu_mbar_complete_tx(emu_mbar_key(rank, bar), bytes, rank != emu_cta_rank);
}
inline void tma_load_2d(uint32_t dst, const CUtensorMap *map, int c0, int c1, uint32_t bar)
{
    emu_tma_box(emu_cta_rank, dst, map, c0, c1, bar);
}
/* Multicast: the same box into every CTA whose bit is set in mask. */
inline void tma_load_2d_multicast(uint32_t dst, const CUtensorMap *map, int c0, int c1,
                                  uint32_t bar, uint16_t mask)
{
    if (mask == 0 || mask >> emu_cluster_size != 0) {
        std::fprintf(stderr, "emulator: TMA multicast with ctaMask %#x in a cluster of %u\n",
                     mask, emu_cluster_size);
        std::abort();
    }
    for (unsigned rank = 0; rank < emu_cluster_size; rank++)
        if (mask >> rank & 1u) emu_tma_box(rank, dst, map, c0, c1, bar);
}

/* ---------------------------------------------------------------- wgmma ------------ */

template <int N> inline void setmaxnreg_inc() {}
template <int N> inline void setmaxnreg_dec() {}
inline void wgmma_fence() {}
inline void wgmma_commit() {}
/* wgmma.wait_group.sync.aligned: modelled as a barrier of the warpgroup's 128 threads, so
 * once one of them is past it, every thread's wgmma has read its operands. That is the
 * reading rung 11 relies on when one thread of warp 0 releases the stage for its whole
 * warpgroup, as fast.cu does and CUTLASS's PipelineTmaAsync for clusters (one thread of
 * one warp per destination CTA; the wgmma is one warpgroup operation); the PTX text
 * itself only makes .sync wait for the warp, so this
 * model cannot catch a release that is early by that reading. */
template <int N> inline void wgmma_wait()
{
    static_assert(N == 0, "the emulator completes every wgmma group at wait_group 0 only");
    const unsigned t = emu_thread_in_block();
    if (t / 128 >= emu_warpgroups) {
        std::fprintf(stderr, "emulator: wgmma.wait_group in thread %u: the block is not made of "
                     "whole warpgroups\n", t);
        std::abort();
    }
    emu_reads_set(0, 0, 0, 0); /* this thread's wgmma reads are complete */
    pthread_barrier_wait(&emu_warpgroup_barrier[emu_cta_rank][t / 128]);
}

/* The address of element (row r, byte offset kb along k) of a K-major operand described by
 * desc: only the 128-byte swizzled layout with 1024-byte row groups is accepted. The fields
 * as the PTX ISA lays them out for sm_90 ("Matrix Descriptor Format" of wgmma; CUTLASS
 * cute/arch/mma_sm90_desc.hpp): start address >> 4 in bits 0-13, leading byte offset >> 4
 * in 16-29 (unused by a swizzled K-major operand: 1, as CUTLASS's make_gmma_desc), stride
 * byte offset >> 4 in 32-45, base offset in 49-51, layout in 62-63 (1: 128-byte swizzle).
 * PTX: the base offset is 0 when the swizzle's repeating pattern starts on a 1024-byte
 * boundary (else (pattern start >> 7) & 7); our TMA destinations are 1024-byte aligned, so
 * 0. The start itself must lie in the first 128-byte row of its pattern (bits 7-9 zero,
 * the k advance stays below 128 bytes): there, reading the swizzle off the absolute
 * address (as below) and off the row index plus base offset agree, so the model does not
 * depend on which of the two the hardware does. */
inline uint32_t emu_desc_addr(uint64_t desc, int r, int kb)
{
    const uint32_t start = (uint32_t)(desc & 0x3FFF) << 4;
    const uint32_t leading = (uint32_t)((desc >> 16) & 0x3FFF) << 4;
    const uint32_t stride = (uint32_t)((desc >> 32) & 0x3FFF) << 4;
    const uint32_t base_offset = (uint32_t)((desc >> 49) & 7);
    const uint32_t swizzle = (uint32_t)(desc >> 62);
    if (swizzle != 1 || stride != 1024 || leading != 16 || base_offset != 0 ||
        ((start >> 7) & 7) != 0 || (desc >> 14 & 3) != 0 || (desc >> 30 & 3) != 0 ||
        (desc >> 46 & 7) != 0 || (desc >> 52 & 0x3FF) != 0) {
        std::fprintf(stderr, "emulator: wgmma descriptor %#llx: expected 128-byte swizzle, "
                     "stride 1024, leading 16, base offset 0 and a start whose bits 7-9 are 0 "
                     "(got swizzle %u, stride %u, leading %u, base offset %u, start %u)\n",
                     (unsigned long long)desc, swizzle, stride, leading, base_offset, start);
        std::abort();
    }
    return emu_swizzle128(start + (uint32_t)(r / 8) * stride + (uint32_t)(r % 8) * 128 + (uint32_t)kb);
}

inline float emu_tf32(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u &= 0xFFFFE000u; /* the tensor cores read the top 19 bits */
    std::memcpy(&f, &u, 4);
    return f;
}

/* Element kk of row r of an operand, as the tensor cores see it. */
template <typename T> inline float emu_operand(uint64_t desc, int r, int kk)
{
    T v;
    std::memcpy(&v, emu_smem(emu_desc_addr(desc, r, kk * (int)sizeof(T)), sizeof(T)), sizeof(T));
    if constexpr (std::is_same<T, float>::value)
        return emu_tf32(v);
    else
        return emu_float(v);
}

template <typename T>
inline void emu_wgmma_m64n256(float (&d)[128], uint64_t desc_a, uint64_t desc_b, int k_step)
{
    /* the operands stay "being read" until wgmma.wait_group: 64 rows of A, 256 of B, in
     * 8-row groups of 1024 bytes from the start's group */
    const uint32_t a0 = ((uint32_t)(desc_a & 0x3FFF) << 4) / 1024 * 1024;
    const uint32_t b0 = ((uint32_t)(desc_b & 0x3FFF) << 4) / 1024 * 1024;
    emu_reads_set(a0, a0 + 64 / 8 * 1024, b0, b0 + 256 / 8 * 1024);
    /* a thread's values cover rows r0 and r0 + 8 of A and 64 columns of B: read those once */
    const unsigned t = threadIdx.x % 128, warp = t / 32, lane = t % 32;
    const int r0 = (int)(warp * 16 + lane / 4);
    float a[2][16], b[64][16];
    for (int kk = 0; kk < k_step; kk++) {
        a[0][kk] = emu_operand<T>(desc_a, r0, kk);
        a[1][kk] = emu_operand<T>(desc_a, r0 + 8, kk);
        for (int c = 0; c < 64; c++)
            b[c][kk] = emu_operand<T>(desc_b, (c / 2) * 8 + (int)(lane % 4) * 2 + c % 2, kk);
    }
    for (int i = 0; i < 128; i++) {
        /* value i: row r0 + 8 * ((i / 2) % 2), column (i / 4) * 8 + (lane % 4) * 2 + i % 2 */
        const float *ar = a[(i / 2) % 2], *bc = b[(i / 4) * 2 + i % 2];
        float sum = 0.0f;
        for (int kk = 0; kk < k_step; kk++) sum += ar[kk] * bc[kk];
        d[i] += sum;
    }
}
inline void wgmma_bf16(float (&d)[128], uint64_t desc_a, uint64_t desc_b)
{
    emu_wgmma_m64n256<__nv_bfloat16>(d, desc_a, desc_b, 16);
}
inline void wgmma_tf32(float (&d)[128], uint64_t desc_a, uint64_t desc_b)
{
    emu_wgmma_m64n256<float>(d, desc_a, desc_b, 8);
}

/* Host side: nothing to set. */
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize };
typedef int cudaError_t;
constexpr cudaError_t cudaSuccess = 0;
template <typename F> inline cudaError_t cudaFuncSetAttribute(F, cudaFuncAttribute, int) { return cudaSuccess; }
inline wg_status wg_cuda_fail(cudaError_t, const char *, ...) { std::abort(); }

#endif /* WG_HOPPER_SHIM_H */
