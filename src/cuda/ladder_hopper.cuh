/*
 * ladder_hopper.cuh - the Hopper tensor-core kernel of rungs 9 (BF16) and 10 (TF32), one
 * template over the input type (included by ladder_9_wgmma_bf16.cu and
 * ladder_10_wgmma_tf32.cu only; built for sm_90a, the only target with wgmma).
 *
 * Why it is fast: WMMA (rungs 7-8) makes every warp load its fragments from shared memory
 * into registers and issue small mma.sync ops; on Hopper that caps a kernel near two thirds
 * of the tensor cores' rate. Here
 *  - TMA copies whole tiles of A and B from global to shared memory (one instruction per
 *    tile, issued by one thread, zero fill outside the matrix, 128-byte swizzle so the
 *    tensor cores read them without bank conflicts), into a ring of STAGES buffers;
 *  - mbarriers guard the ring: `full[s]` completes when the bytes of stage s have landed
 *    (arrive + expect-tx by the producer, complete-tx by TMA), `empty[s]` when every
 *    consumer thread is done reading it; each waits on the barrier's phase parity, so no
 *    __syncthreads is needed in the main loop;
 *  - the warpgroup-wide `wgmma.mma_async` m64n256 reads both operands straight from
 *    shared memory through matrix descriptors: no fragment loads through registers;
 *  - one producer (thread 0 of warpgroup 0, which gives its registers to the consumers
 *    with setmaxnreg) and two consumer warpgroups, each owning 64 x 256 of the 128 x 256
 *    tile of C, 128 FP32 accumulators per thread;
 *  - tiles are visited in groups of GROUP_M tile rows (grouped rasterisation), so the
 *    blocks running at once share rows of A and columns of B in L2.
 *
 * Layout: both operands K-major (A stored m x k, B stored n x k: trans_a = 0, trans_b = 1),
 * the layout TF32 wgmma requires; wg_cuda_gemm_prepare makes such copies before any timing.
 * One row of a tile is 128 bytes along k (64 BF16 or 32 FP32 values), which is exactly the
 * 128-byte swizzle's row.
 *
 * Under WG_LADDER_EMULATE (tests/emulate/hopper_shim.h) the PTX primitives below are replaced
 * by CPU versions: TMA as a synchronous box copy with the swizzle and zero fill, mbarriers
 * with real phases, wgmma as D += A.B read through the decoded descriptors.
 */
#ifndef WG_LADDER_HOPPER_CUH
#define WG_LADDER_HOPPER_CUH

#ifndef WG_LADDER_EMULATE
#include <cuda.h> /* CUtensorMap and its enums only: the driver is reached through the runtime */
#include <cudaTypedefs.h>
#include <cuda_bf16.h>
#endif

#include "../error.h"
#include "ladder_common.cuh"

/* The shape every Hopper rung shares (ladder.h has the numbers the planner uses). */
#define WG_HOPPER_BM 128          /* tile of C: 128 rows ... */
#define WG_HOPPER_BN 256          /* ... by 256 columns */
#define WG_HOPPER_ROW_BYTES 128   /* one tile row along k: the 128-byte swizzle's row */
#define WG_HOPPER_STAGES 4        /* ring of 4 x 48 KiB */
#define WG_HOPPER_CONSUMERS 2     /* consumer warpgroups, 64 rows of C each */
#define WG_HOPPER_THREADS (128 * (1 + WG_HOPPER_CONSUMERS))
#define WG_HOPPER_GROUP_M 8       /* grouped rasterisation: 8 tile rows per group */
#define WG_HOPPER_STAGE_BYTES ((WG_HOPPER_BM + WG_HOPPER_BN) * WG_HOPPER_ROW_BYTES)
/* the ring, its barriers, and 1024 bytes to round the start up to the swizzle's alignment */
#define WG_HOPPER_SMEM_BYTES (WG_HOPPER_STAGES * WG_HOPPER_STAGE_BYTES + 2 * WG_HOPPER_STAGES * 8 + 1024)

/* The input types: the element, and how many elements one wgmma consumes along k (32 bytes). */
struct hopper_bf16 {
    typedef __nv_bfloat16 element;
    static constexpr int k_step = 16;
    static constexpr bool is_bf16 = true;
};
struct hopper_tf32 {
    typedef float element;
    static constexpr int k_step = 8;
    static constexpr bool is_bf16 = false;
};

#ifndef WG_LADDER_EMULATE
/* ---------------------------------------------------------------- PTX primitives --- */

static __device__ __forceinline__ uint32_t smem_addr(const void *p)
{
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

static __device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
/* Makes the initialised barriers visible to the other threads and to the TMA unit. */
static __device__ __forceinline__ void mbar_init_fence()
{
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}
static __device__ __forceinline__ void mbar_arrive(uint32_t bar)
{
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
/* Arrives and announces `bytes` of asynchronous copies the phase must also wait for. */
static __device__ __forceinline__ void mbar_arrive_expect_tx(uint32_t bar, uint32_t bytes)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes)
                 : "memory");
}
/* How long a barrier wait may last before the kernel gives up: legitimate waits last
 * microseconds, so a wait this long is a deadlock (a wrong parity, a byte count that never
 * arrives, a partner that never releases). The kernel then traps: the launch fails within
 * seconds (a sticky launch error on the host) instead of hanging until a script's timeout
 * on a GPU window that has only minutes. */
#define WG_HOPPER_HANG_NS 10000000000ull

static __device__ __forceinline__ bool mbar_try_wait(uint32_t bar, uint32_t parity)
{
    uint32_t done;
    asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
                 " selp.u32 %0, 1, 0, p;\n}\n"
                 : "=r"(done) : "r"(bar), "r"(parity) : "memory");
    return done != 0;
}
static __device__ __forceinline__ uint64_t global_ns()
{
    uint64_t t;
    asm volatile("mov.u64 %0, %%globaltimer;\n" : "=l"(t));
    return t;
}
/* Waits until the phase of parity `parity` has completed (default .acquire.cta: rung 11's
 * producer waits so too on arrivals from the partner CTA, as CUTLASS's PipelineTmaAsync
 * does; the .acquire.cluster form costs a CCTL.IVALL, an L1 invalidation, per wait). The
 * clock is read only once the first try has failed (try_wait itself suspends the thread
 * for a while, so the loop turns slowly); past WG_HOPPER_HANG_NS it traps. */
static __device__ __forceinline__ void mbar_wait(uint32_t bar, uint32_t parity)
{
    if (mbar_try_wait(bar, parity)) return;
    const uint64_t start = global_ns();
    while (!mbar_try_wait(bar, parity))
        if (global_ns() - start > WG_HOPPER_HANG_NS) __trap();
}

/* TMA: the box at (c0 along k, c1 along rows) of `map` into shared memory at dst; the
 * bytes are counted on barrier bar. */
static __device__ __forceinline__ void tma_load_2d(uint32_t dst, const CUtensorMap *map,
                                                   int c0, int c1, uint32_t bar)
{
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                 " [%0], [%1, {%2, %3}], [%4];\n" ::"r"(dst),
                 "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(bar)
                 : "memory");
}

/* ---- the cluster primitives of rung 11 (ladder_11_wgmma_cluster.cu) ---- */

/* This CTA's rank within its cluster (0 or 1 for 2-CTA clusters). */
static __device__ __forceinline__ uint32_t cluster_ctarank()
{
    uint32_t rank;
    asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(rank));
    return rank;
}
/* Every thread of every CTA of the cluster: released writes (barrier inits) before, acquired
 * after; also keeps a CTA's shared memory alive until its partner is done with it. */
static __device__ __forceinline__ void cluster_sync()
{
    asm volatile("barrier.cluster.arrive.release;\n" ::: "memory");
    asm volatile("barrier.cluster.wait.acquire;\n" ::: "memory");
}
/* Arrives on the mbarrier at shared offset `bar` of CTA `rank` of this cluster (this CTA's
 * own rank included): mapa turns the offset into the partner's shared::cluster address.
 * The default semantics (.release.cta), as CUTLASS's ClusterBarrier::arrive(cta_id): the
 * arrival only says that this warpgroup's wgmma reads of the stage are complete (waited
 * for), it publishes no data; `.release.cluster` would put MEMBAR.ALL.GPU + ERRBAR +
 * CGAERRBAR before every release in the k-loop (scripts/sass-checks.txt keeps them out). */
static __device__ __forceinline__ void mbar_arrive_cluster(uint32_t bar, uint32_t rank)
{
    asm volatile("{\n .reg .b32 remote;\n"
                 " mapa.shared::cluster.u32 remote, %0, %1;\n"
                 " mbarrier.arrive.shared::cluster.b64 _, [remote];\n}\n"
                 ::"r"(bar), "r"(rank)
                 : "memory");
}
/* The producer's wait on a barrier the partner CTA also arrives on (see mbar_wait). */
static __device__ __forceinline__ void mbar_wait_cluster(uint32_t bar, uint32_t parity)
{
    mbar_wait(bar, parity);
}
/* TMA multicast: the box lands at shared offset dst of every CTA in `mask` (bit i: rank i),
 * and its bytes are counted on the barrier at offset bar of each of them. */
static __device__ __forceinline__ void tma_load_2d_multicast(uint32_t dst, const CUtensorMap *map,
                                                             int c0, int c1, uint32_t bar,
                                                             uint16_t mask)
{
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes"
                 ".multicast::cluster [%0], [%1, {%2, %3}], [%4], %5;\n" ::"r"(dst),
                 "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(bar), "h"(mask)
                 : "memory");
}

template <int N> static __device__ __forceinline__ void setmaxnreg_inc()
{
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(N));
}
template <int N> static __device__ __forceinline__ void setmaxnreg_dec()
{
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(N));
}

static __device__ __forceinline__ void wgmma_fence()
{
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
static __device__ __forceinline__ void wgmma_commit()
{
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
template <int N> static __device__ __forceinline__ void wgmma_wait()
{
    asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}

/* The 128 accumulator registers of an m64n256 wgmma, as PTX operands %0-%127. */
#define WG_WGMMA_D_REGS \
    "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
    "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
    "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
    "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, " \
    "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, " \
    "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, " \
    "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, " \
    "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127"
#define WG_WGMMA_D_OPERANDS(d) \
    "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
    "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
    "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
    "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
    "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
    "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
    "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
    "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), \
    "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), \
    "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), \
    "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), \
    "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), \
    "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), \
    "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), \
    "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), \
    "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])

/* D (64 x 256 FP32, this thread's 128 values) += A (64 x k) . B (k x 256), both read
 * from shared memory through their descriptors. */
static __device__ __forceinline__ void wgmma_bf16(float (&d)[128], uint64_t desc_a, uint64_t desc_b)
{
    asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %130, 0;\n"
                 " wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {" WG_WGMMA_D_REGS "},"
                 " %128, %129, p, 1, 1, 0, 0;\n}\n"
                 : WG_WGMMA_D_OPERANDS(d)
                 : "l"(desc_a), "l"(desc_b), "r"(1));
}

/* D (64 x 256 FP32, this thread's 128 values) += A (64 x k) . B (k x 256), both read
 * from shared memory through their descriptors. */
static __device__ __forceinline__ void wgmma_tf32(float (&d)[128], uint64_t desc_a, uint64_t desc_b)
{
    asm volatile("{\n .reg .pred p;\n setp.ne.b32 p, %130, 0;\n"
                 " wgmma.mma_async.sync.aligned.m64n256k8.f32.tf32.tf32 {" WG_WGMMA_D_REGS "},"
                 " %128, %129, p, 1, 1;\n}\n"
                 : WG_WGMMA_D_OPERANDS(d)
                 : "l"(desc_a), "l"(desc_b), "r"(1));
}

/* The shared-memory window and launches with dynamic shared memory. */
#define WG_HOPPER_DYNAMIC_SMEM(name) extern __shared__ __align__(1024) unsigned char name[]
#define WG_HOPPER_LAUNCH(kernel, grid, block, smem, ...) \
    kernel<<<(grid), (block), (smem)>>>(__VA_ARGS__)
/* a kernel with __cluster_dims__: the cluster shape is compiled in (the emulator uses it) */
#define WG_HOPPER_LAUNCH_CLUSTER(kernel, grid, block, smem, cluster, ...) \
    kernel<<<(grid), (block), (smem)>>>(__VA_ARGS__)

/* Fills a TMA descriptor for the stored rows x cols matrix at base (leading dimension ld
 * elements, FP32 or BF16), boxes of box_rows rows by one 128-byte row along cols, 128-byte
 * swizzle, zero fill outside. The driver's encoder is reached through the runtime
 * (cudaGetDriverEntryPointByVersion), so the library does not link libcuda. */
static wg_status hopper_tensor_map(CUtensorMap *map, const void *base, bool bf16, int64_t cols,
                                   int64_t rows, int64_t ld, uint32_t box_rows)
{
    static PFN_cuTensorMapEncodeTiled_v12000 encode = NULL;
    if (!encode) {
        void *fn = NULL;
        cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
        const cudaError_t err = cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn,
                                                                 12000, cudaEnableDefault, &found);
        if (err != cudaSuccess || found != cudaDriverEntryPointSuccess || !fn)
            return wg_fail(WG_ERR_BACKEND, "the CUDA driver has no cuTensorMapEncodeTiled "
                           "(error %d, query result %d): TMA needs a CUDA 12 driver",
                           (int)err, (int)found);
        encode = reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
    }
    const int elem = bf16 ? 2 : 4;
    const cuuint64_t dims[2] = {(cuuint64_t)cols, (cuuint64_t)rows};
    const cuuint64_t strides[1] = {(cuuint64_t)(ld * elem)};
    const cuuint32_t box[2] = {(cuuint32_t)(WG_HOPPER_ROW_BYTES / elem), box_rows};
    const cuuint32_t element_strides[2] = {1, 1};
    const CUresult result = encode(map, bf16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                             : CU_TENSOR_MAP_DATA_TYPE_FLOAT32,
                                   2, const_cast<void *>(base), dims, strides, box,
                                   element_strides, CU_TENSOR_MAP_INTERLEAVE_NONE,
                                   CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                                   CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
    if (result != CUDA_SUCCESS)
        return wg_fail(WG_ERR_BACKEND, "cuTensorMapEncodeTiled failed (CUresult %d) for a %" PRId64
                       " x %" PRId64 " matrix, ld %" PRId64 ", box %u x %u", (int)result, rows,
                       cols, ld, box_rows, box[0]);
    return WG_OK;
}
#endif /* !WG_LADDER_EMULATE */

/* ---------------------------------------------------------------- the kernel ------- */

/* A shared-memory matrix descriptor for wgmma: a K-major tile whose rows are 128 bytes,
 * 128-byte swizzle, 8-row groups 1024 bytes apart (stride byte offset); the leading byte
 * offset is unused for a swizzled K-major operand (1 by convention). Moving along k within
 * the 128-byte row is done by moving the start address (32 bytes per wgmma k-step): the
 * swizzle is a function of the address bits, so the tile must start 1024-byte aligned. */
static __device__ __forceinline__ uint64_t hopper_desc(uint32_t addr)
{
    return (uint64_t)((addr & 0x3FFFF) >> 4) | ((uint64_t)1 << 16) |
           ((uint64_t)(1024 >> 4) << 32) | ((uint64_t)1 << 62);
}

/* Tile t of the grouped order: GROUP_M tile rows at a time, column by column within the
 * group, so consecutive blocks share B's columns and a few rows of A in L2. */
static __device__ __forceinline__ void hopper_tile_grouped(int64_t t, int64_t tiles_m,
                                                           int64_t tiles_n, int64_t group,
                                                           int64_t *tm, int64_t *tn)
{
    const int64_t per_group = group * tiles_n;
    const int64_t first_m = t / per_group * group;
    const int64_t rows = tiles_m - first_m < group ? tiles_m - first_m : group;
    *tm = first_m + t % per_group % rows;
    *tn = t % per_group / rows;
}
static __device__ __forceinline__ void hopper_tile(int64_t t, int64_t tiles_m, int64_t tiles_n,
                                                   int64_t *tm, int64_t *tn)
{
    hopper_tile_grouped(t, tiles_m, tiles_n, WG_HOPPER_GROUP_M, tm, tn);
}

/* The start of the ring: the dynamic shared memory rounded up to the next 1024-byte
 * boundary (the swizzle's period); the same offset in every CTA of a cluster, as TMA
 * multicast and mapa need. */
static __device__ __forceinline__ uint32_t hopper_ring_base(const void *smem_raw)
{
    const uint32_t raw_addr = smem_addr(smem_raw);
    return raw_addr + (1024 - raw_addr % 1024) % 1024;
}

/* One ring stage (at shared address `stage`) for consumer warpgroup c: its 64 x 256 part of
 * the tile, d, += rows c*64 .. c*64+63 of the stage's A times its B, one wgmma per 32 bytes
 * of k read straight from shared memory; returns when they are complete. */
template <typename P>
static __device__ __forceinline__ void hopper_consume_stage(float (&d)[128], uint32_t stage, int c)
{
    typedef typename P::element T;
    constexpr int BK = WG_HOPPER_ROW_BYTES / (int)sizeof(T);
    constexpr int KSTEP_BYTES = P::k_step * (int)sizeof(T); /* 32 */
    static_assert(KSTEP_BYTES == 32 && BK % P::k_step == 0, "one wgmma k-step is 32 bytes");
    const uint32_t a_addr = stage + (uint32_t)c * 64 * WG_HOPPER_ROW_BYTES;
    const uint32_t b_addr = stage + WG_HOPPER_BM * WG_HOPPER_ROW_BYTES;
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BK / P::k_step; ++kk) {
        if constexpr (P::is_bf16)
            wgmma_bf16(d, hopper_desc(a_addr + kk * KSTEP_BYTES),
                       hopper_desc(b_addr + kk * KSTEP_BYTES));
        else
            wgmma_tf32(d, hopper_desc(a_addr + kk * KSTEP_BYTES),
                       hopper_desc(b_addr + kk * KSTEP_BYTES));
    }
    wgmma_commit();
    wgmma_wait<0>();
}

/* Epilogue of consumer warpgroup c (thread tid of the block) for tile (tm, tn): the wgmma
 * accumulator layout - value i of a thread is row warp*16 + lane/4 + 8*((i/2)%2), column
 * (i/4)*8 + (lane%4)*2 + i%2 of the warpgroup's 64 rows - stored with guards and alpha/beta. */
static __device__ __forceinline__ void hopper_store_tile(const wg_gemm_args &g, const float (&d)[128],
                                                         int64_t tm, int64_t tn, int c, int tid)
{
    const int warp = tid % 128 / 32, lane = tid % 32;
    const int64_t row0 = tm * WG_HOPPER_BM + c * 64 + warp * 16 + lane / 4;
    const int64_t col0 = tn * WG_HOPPER_BN + (lane % 4) * 2;
#pragma unroll
    for (int i = 0; i < 128; ++i)
        ladder_store(g, row0 + 8 * ((i / 2) % 2), col0 + (i / 4) * 8 + i % 2, d[i]);
}

template <typename P>
static __global__ void __launch_bounds__(WG_HOPPER_THREADS, 1)
    hopper_gemm_kernel(const __grid_constant__ CUtensorMap map_a,
                       const __grid_constant__ CUtensorMap map_b, const wg_gemm_args g)
{
    typedef typename P::element T;
    constexpr int BM = WG_HOPPER_BM, BN = WG_HOPPER_BN, STAGES = WG_HOPPER_STAGES;
    constexpr int BK = WG_HOPPER_ROW_BYTES / (int)sizeof(T);
    constexpr int A_BYTES = BM * WG_HOPPER_ROW_BYTES;
    constexpr int STAGE_BYTES = WG_HOPPER_STAGE_BYTES;
    static_assert(BM == 64 * WG_HOPPER_CONSUMERS, "64 rows of C per consumer warpgroup");

    WG_HOPPER_DYNAMIC_SMEM(smem_raw);
    const uint32_t base = hopper_ring_base(smem_raw);
    const uint32_t bars = base + STAGES * STAGE_BYTES;
#define WG_FULL(s) (bars + 8u * (uint32_t)(s))
#define WG_EMPTY(s) (bars + 8u * (uint32_t)(STAGES + (s)))

    const int tid = (int)threadIdx.x;
    const int wg = tid / 128;
    if (tid == 0) {
        for (int s = 0; s < STAGES; ++s) {
            mbar_init(WG_FULL(s), 1);                           /* the producer's arrive */
            mbar_init(WG_EMPTY(s), WG_HOPPER_CONSUMERS * 128); /* every consumer thread */
        }
        mbar_init_fence();
    }
    __syncthreads();

    const int64_t tiles_m = ladder_tiles(g.m, BM), tiles_n = ladder_tiles(g.n, BN);
    const int64_t tiles = tiles_m * tiles_n;
    const int ksteps = (int)ladder_tiles(g.k, BK);
    const int64_t first = (int64_t)blockIdx.y * gridDim.x + blockIdx.x;
    const int64_t stride = (int64_t)gridDim.x * gridDim.y;

    if (wg == 0) { /* producer warpgroup: one thread issues every copy */
        setmaxnreg_dec<40>();
        if (tid != 0) return;
        uint32_t it = 0; /* stages filled so far: the ring slot and its phase */
        for (int64_t t = first; t < tiles; t += stride) {
            int64_t tm, tn;
            hopper_tile(t, tiles_m, tiles_n, &tm, &tn);
            for (int ks = 0; ks < ksteps; ++ks, ++it) {
                const uint32_t s = it % STAGES, phase = (it / STAGES) & 1u;
                mbar_wait(WG_EMPTY(s), phase ^ 1u); /* a fresh barrier passes parity 1 */
                mbar_arrive_expect_tx(WG_FULL(s), STAGE_BYTES);
                const uint32_t a_dst = base + s * STAGE_BYTES;
                tma_load_2d(a_dst, &map_a, ks * BK, (int)(tm * BM), WG_FULL(s));
                tma_load_2d(a_dst + A_BYTES, &map_b, ks * BK, (int)(tn * BN), WG_FULL(s));
            }
        }
        return;
    }

    /* consumer warpgroups: 64 rows of the tile each */
    setmaxnreg_inc<232>();
    const int c = wg - 1;
    uint32_t it = 0;
    for (int64_t t = first; t < tiles; t += stride) {
        int64_t tm, tn;
        hopper_tile(t, tiles_m, tiles_n, &tm, &tn);
        float d[128];
#pragma unroll
        for (int i = 0; i < 128; ++i) d[i] = 0.0f;
        for (int ks = 0; ks < ksteps; ++ks, ++it) {
            const uint32_t s = it % STAGES, phase = (it / STAGES) & 1u;
            mbar_wait(WG_FULL(s), phase);
            hopper_consume_stage<P>(d, base + s * STAGE_BYTES, c);
            mbar_arrive(WG_EMPTY(s)); /* this thread no longer reads stage s */
        }
        hopper_store_tile(g, d, tm, tn, c, tid);
    }
#undef WG_FULL
#undef WG_EMPTY
}

/* Refuses operands the Hopper rungs cannot read: they take A stored m x k and B stored
 * n x k, 16-byte aligned with rows of whole 16-byte groups, sizes within TMA's 32-bit
 * coordinates (elem: bytes per element). */
static wg_status hopper_check_operands(int rung, const wg_gemm_args *ops, int elem)
{
    if (ops->trans_a || !ops->trans_b)
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung %d reads A stored m x k and B stored n x k "
                       "(trans_a 0, trans_b 1), got trans_a %d, trans_b %d", rung, ops->trans_a,
                       ops->trans_b);
    if (ops->m > INT32_MAX || ops->n > INT32_MAX || ops->k > INT32_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung %d: TMA coordinates are 32-bit, got m=%" PRId64
                       ", n=%" PRId64 ", k=%" PRId64, rung, ops->m, ops->n, ops->k);
    if (!wg_ladder_vector_ok(ops->a, ops->lda, elem) || !wg_ladder_vector_ok(ops->b, ops->ldb, elem))
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung %d: TMA needs 16-byte aligned A and B with "
                       "rows of whole 16-byte groups, got lda=%" PRId64 ", ldb=%" PRId64, rung,
                       ops->lda, ops->ldb);
    return WG_OK;
}

/* A Hopper kernel's signature: the tensor maps of A and B, the product. */
typedef void (*hopper_kernel)(const CUtensorMap, const CUtensorMap, const wg_gemm_args);

/* What every Hopper launcher does first: refuses operands it cannot read, encodes the
 * tensor maps (boxes of WG_HOPPER_BM rows of A and b_rows rows of B, one 128-byte row
 * along k) and lets the kernel have the ring's dynamic shared memory. */
template <typename P>
static wg_status hopper_prepare(int rung, const wg_gemm_args *ops, hopper_kernel kernel,
                                uint32_t b_rows, CUtensorMap *map_a, CUtensorMap *map_b)
{
    wg_status status = hopper_check_operands(rung, ops, (int)sizeof(typename P::element));
    if (status == WG_OK)
        status = hopper_tensor_map(map_a, ops->a, P::is_bf16, ops->k, ops->m, ops->lda,
                                   WG_HOPPER_BM);
    if (status == WG_OK)
        status = hopper_tensor_map(map_b, ops->b, P::is_bf16, ops->k, ops->n, ops->ldb, b_rows);
    if (status != WG_OK) return status;
    const cudaError_t err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                 WG_HOPPER_SMEM_BYTES);
    if (err != cudaSuccess)
        return wg_cuda_fail(err, "ladder rung %d: asking for %d bytes of shared memory", rung,
                            WG_HOPPER_SMEM_BYTES);
    return WG_OK;
}

/* Launches the kernel for a product whose operands are K-major (trans_a 0, trans_b 1),
 * 16-byte aligned with rows of whole 16-byte groups (wg_cuda_gemm_prepare makes them so). */
template <typename P>
static wg_status hopper_launch(int rung, const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    const hopper_kernel kernel = hopper_gemm_kernel<P>;
    CUtensorMap map_a, map_b;
    const wg_status status = hopper_prepare<P>(rung, ops, kernel, WG_HOPPER_BN, &map_a, &map_b);
    if (status != WG_OK) return status;
    WG_HOPPER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(WG_HOPPER_THREADS),
                     WG_HOPPER_SMEM_BYTES, map_a, map_b, *ops);
    WG_LADDER_LAUNCH_CHECK(rung, plan, ops);
    return WG_OK;
}

#endif /* WG_LADDER_HOPPER_CUH */
