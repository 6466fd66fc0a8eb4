/*
 * ladder_11_wgmma_cluster.cu - rung 11 of the matmul ladder: rung 9's BF16 wgmma pipeline
 * (ladder_hopper.cuh) run as 2-CTA clusters sharing B through TMA multicast, on a
 * persistent grid (sm_90a only).
 *
 * What changes from rung 9:
 *  - Thread-block clusters of two CTAs along M (`__cluster_dims__(2, 1, 1)`): the two CTAs
 *    compute vertically adjacent 128x256 tiles of C, so they need the same 256 x 64 tile of
 *    B at every k-step. Each CTA loads its own A tile and HALF of the shared B tile with
 *    `cp.async.bulk.tensor ... .multicast::cluster` (ctaMask 0b11): one L2 read lands in
 *    both CTAs' shared memory, and each CTA's `full[s]` barrier counts the bytes from both
 *    producers (its own A, its own B half, the partner's B half: still 48 KiB a stage). B
 *    traffic from L2 halves: 32 KiB instead of 48 KiB a CTA per stage.
 *  - A slot may be refilled only when BOTH CTAs' consumers are done with it (the partner's
 *    producer writes into it too): `empty[s]` counts 4 arrivals (2 consumer warpgroups x 2
 *    CTAs); after its wgmma completes, thread r of each consumer warpgroup arrives on CTA r's
 *    `empty[s]` through `mapa` + `mbarrier.arrive.shared::cluster` (CUTLASS's form), and the
 *    producer waits on it (its own barrier, plain try_wait.parity).
 *  - Persistent schedule: the grid is the number of 2-CTA clusters that fit on the GPU at
 *    once (cudaOccupancyMaxActiveClusters: about one CTA per SM), each cluster walks
 *    "cluster tiles" (a pair of tile rows x one tile column) in grouped order with a stride
 *    of the cluster count. The ring's mbarrier phases simply continue across tiles, so the
 *    producer loads the next tile's first stages while the consumers still store the last
 *    tile's C (the epilogue overlaps the loads; rung 9 drains the ring between blocks).
 *  - `barrier.cluster` arrive/wait after the barriers are initialised (the partner's TMA
 *    and arrivals must find them ready) and at the end (a CTA's shared memory must outlive
 *    the partner's last remote arrival).
 * Odd tile-row counts: the last pair's second CTA computes a tile below the matrix (its A
 * is not loaded: a TMA box wholly outside the matrix is not documented, so it is never
 * issued; the epilogue's guards drop the tile) but still loads and multicasts its half of
 * B, which its partner needs. Likewise the second half of B when the last tile column has
 * at most 128 columns: neither CTA loads or expects it.
 *
 * Reason it exploits: tensor cores, with less L2 -> SM traffic per FLOP and no pipeline
 * drain between tiles.
 *
 * Prediction (H100 SXM, docs/ladder.md): fast.cu's public kernels at 8192 reached 799
 * TFLOP/s with this step (cuBLAS 798, bf16 C); with FP32 C through guarded register stores
 * and wait_group 0: ~640 TFLOP/s at 4096, ~700 at 8192, ~90-95% of cuBLAS BF16 (which
 * writes the same FP32 C). Never ran on a GPU.
 */
#include "ladder_hopper.cuh"

#ifndef WG_LADDER_EMULATE
#include <atomic>
#endif

/* The shape: rung 9's tile and ring; clusters of WG_L11_CLUSTER CTAs along M. */
#define WG_CLUSTER_CTAS WG_L11_CLUSTER
#define WG_CLUSTER_GROUP_PAIRS 4 /* grouped order: 4 pairs (8 tile rows) per group */
static_assert(WG_CLUSTER_CTAS == 2, "the kernel multicasts B to a pair of CTAs");

template <typename P>
static __global__ void __cluster_dims__(WG_CLUSTER_CTAS, 1, 1)
    __launch_bounds__(WG_HOPPER_THREADS, 1)
        hopper_cluster_kernel(const __grid_constant__ CUtensorMap map_a,
                              const __grid_constant__ CUtensorMap map_b, const wg_gemm_args g)
{
    typedef typename P::element T;
    constexpr int BM = WG_HOPPER_BM, BN = WG_HOPPER_BN, STAGES = WG_HOPPER_STAGES;
    constexpr int BK = WG_HOPPER_ROW_BYTES / (int)sizeof(T);
    constexpr int A_BYTES = BM * WG_HOPPER_ROW_BYTES;
    constexpr int B_HALF_ROWS = BN / WG_CLUSTER_CTAS;
    constexpr int B_HALF_BYTES = B_HALF_ROWS * WG_HOPPER_ROW_BYTES;
    constexpr int STAGE_BYTES = WG_HOPPER_STAGE_BYTES;
    static_assert(BM == 64 * WG_HOPPER_CONSUMERS, "64 rows of C per consumer warpgroup");
    static_assert(B_HALF_BYTES % 1024 == 0, "each half of B starts on the swizzle's period");

    WG_HOPPER_DYNAMIC_SMEM(smem_raw);
    const uint32_t base = hopper_ring_base(smem_raw); /* the same offset in both CTAs */
    const uint32_t bars = base + STAGES * STAGE_BYTES;
#define WG_FULL(s) (bars + 8u * (uint32_t)(s))
#define WG_EMPTY(s) (bars + 8u * (uint32_t)(STAGES + (s)))

    const int tid = (int)threadIdx.x;
    const int wg = tid / 128;
    const uint32_t rank = cluster_ctarank();
    if (tid == 0) {
        for (int s = 0; s < STAGES; ++s) {
            mbar_init(WG_FULL(s), 1); /* this CTA's producer; bytes from both producers */
            mbar_init(WG_EMPTY(s), WG_HOPPER_CONSUMERS * WG_CLUSTER_CTAS); /* both CTAs */
        }
        mbar_init_fence();
    }
    cluster_sync(); /* the partner's barriers are ready before anything reaches them */

    /* 32-bit tile counts (the launcher checks they fit): 64-bit ones cost the registers
     * that kept the consumers from spilling */
    const int tiles_n = (int)ladder_tiles(g.n, BN);
    const int pairs_m = (int)ladder_tiles(g.m, BM * WG_CLUSTER_CTAS);
    const int cluster_tiles = pairs_m * tiles_n;
    const int ksteps = (int)ladder_tiles(g.k, BK);
    const int cluster = (int)(blockIdx.x / WG_CLUSTER_CTAS);
    const int clusters = (int)(gridDim.x / WG_CLUSTER_CTAS);

    if (wg == 0) { /* producer warpgroup: one thread issues every copy */
        setmaxnreg_dec<40>();
        if (tid == 0) {
            uint32_t it = 0; /* stages filled so far: the ring slot and its phase */
            for (int u = cluster; u < cluster_tiles; u += clusters) {
                int64_t pm, tn;
                hopper_tile_grouped(u, pairs_m, tiles_n, WG_CLUSTER_GROUP_PAIRS, &pm, &tn);
                const int64_t tm = pm * WG_CLUSTER_CTAS + rank;
                /* A box wholly outside the matrix (the odd pair's second A tile, the second
                 * half of B when the last tile column has <= 128 columns) is not issued: the
                 * PTX ISA documents TMA's zero fill for boxes crossing the bounds only. The
                 * slot keeps stale data there, which only reaches rows/columns of C that
                 * the epilogue drops; both CTAs expect the same B bytes. */
                const int a_row = (int)(tm * BM), b_col0 = (int)(tn * BN);
                const bool a_in = a_row < g.m, half_in = b_col0 + B_HALF_ROWS < g.n;
                const bool load_b = rank == 0 || half_in; /* my half of B */
                const uint32_t bytes = (a_in ? A_BYTES : 0) + B_HALF_BYTES +
                                       (half_in ? B_HALF_BYTES : 0);
                for (int ks = 0; ks < ksteps; ++ks, ++it) {
                    const uint32_t s = it % STAGES, phase = (it / STAGES) & 1u;
                    /* both CTAs' consumers have released slot s (a fresh barrier passes
                     * parity 1) */
                    mbar_wait_cluster(WG_EMPTY(s), phase ^ 1u);
                    mbar_arrive_expect_tx(WG_FULL(s), bytes);
                    const uint32_t a_dst = base + s * STAGE_BYTES;
                    if (a_in) tma_load_2d(a_dst, &map_a, ks * BK, a_row, WG_FULL(s));
                    if (load_b)
                        tma_load_2d_multicast(a_dst + A_BYTES + rank * B_HALF_BYTES, &map_b,
                                              ks * BK, b_col0 + (int)rank * B_HALF_ROWS,
                                              WG_FULL(s), (uint16_t)((1u << WG_CLUSTER_CTAS) - 1u));
                }
            }
        }
    } else {
        /* consumer warpgroups: 64 rows of the tile each */
        setmaxnreg_inc<232>();
        const int c = wg - 1, t128 = tid % 128;
        uint32_t it = 0;
        /* the tile count again, behind an empty asm so the compiler cannot reuse the one
         * made before the branch: keeping that one alive across the 232-register consumer
         * loop is what ptxas spilled */
        int pairs_c = pairs_m;
        asm volatile("" : "+r"(pairs_c));
        const int consumer_tiles = pairs_c * tiles_n;
        for (int u = cluster; u < consumer_tiles; u += clusters) {
            float d[128];
#pragma unroll
            for (int i = 0; i < 128; ++i) d[i] = 0.0f;
            for (int ks = 0; ks < ksteps; ++ks, ++it) {
                const uint32_t s = it % STAGES, phase = (it / STAGES) & 1u;
                mbar_wait(WG_FULL(s), phase);
                hopper_consume_stage<P>(d, base + s * STAGE_BYTES, c);
                /* this warpgroup no longer reads slot s: thread r tells CTA r's producer */
                if (t128 < WG_CLUSTER_CTAS) mbar_arrive_cluster(WG_EMPTY(s), (uint32_t)t128);
            }
            /* Epilogue (rung 9's): rows below m (the odd pair's second tile) are dropped by
             * ladder_store's guard. The tile is found here, not before the k-loop, so its
             * indices do not hold registers the accumulators need. */
            int64_t pm, tn;
            hopper_tile_grouped(u, pairs_m, tiles_n, WG_CLUSTER_GROUP_PAIRS, &pm, &tn);
            hopper_store_tile(g, d, pm * WG_CLUSTER_CTAS + rank, tn, c, tid);
        }
    }
    cluster_sync(); /* neither CTA leaves while the partner may still arrive on its barriers */
#undef WG_FULL
#undef WG_EMPTY
}

#ifndef WG_LADDER_EMULATE
/* How many clusters of this kernel fit on the current device at once (cached per device,
 * so a timing loop pays for the query once). The emulator has its own. */
static wg_status hopper_cluster_capacity(const void *kernel, int *out)
{
    static std::atomic<int> cached[64];
    int device = 0;
    cudaError_t err = cudaGetDevice(&device);
    if (err != cudaSuccess) return wg_cuda_fail(err, "ladder rung 11: cudaGetDevice");
    if (device >= 0 && device < 64 && cached[device].load() > 0) {
        *out = cached[device].load();
        return WG_OK;
    }
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(WG_CLUSTER_CTAS);
    config.blockDim = dim3(WG_HOPPER_THREADS);
    config.dynamicSmemBytes = WG_HOPPER_SMEM_BYTES;
    int clusters = 0;
    err = cudaOccupancyMaxActiveClusters(&clusters, kernel, &config);
    if (err != cudaSuccess)
        return wg_cuda_fail(err, "ladder rung 11: cudaOccupancyMaxActiveClusters (2-CTA clusters "
                            "of %d threads, %d bytes of shared memory)", WG_HOPPER_THREADS,
                            WG_HOPPER_SMEM_BYTES);
    if (clusters < 1)
        return wg_fail(WG_ERR_UNSUPPORTED, "ladder rung 11: no 2-CTA cluster of %d threads with %d "
                       "bytes of shared memory fits on cuda device %d", WG_HOPPER_THREADS,
                       WG_HOPPER_SMEM_BYTES, device);
    if (device >= 0 && device < 64) cached[device].store(clusters);
    *out = clusters;
    return WG_OK;
}
#endif

/* The persistent launch: plan->grid_x CTAs at most (the plan asks for one per tile, in
 * pairs; a smaller cap makes clusters loop), and no more than fit on the GPU at once. */
template <typename P>
static wg_status cluster_launch(int rung, const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    const hopper_kernel kernel = hopper_cluster_kernel<P>;
    CUtensorMap map_a, map_b; /* each CTA loads half of B's tile */
    wg_status status = hopper_prepare<P>(rung, ops, kernel, WG_HOPPER_BN / WG_CLUSTER_CTAS,
                                         &map_a, &map_b);
    if (status != WG_OK) return status;
    const int64_t pairs_m = (ops->m + 2 * WG_HOPPER_BM - 1) / (2 * WG_HOPPER_BM);
    const int64_t tiles_n = (ops->n + WG_HOPPER_BN - 1) / WG_HOPPER_BN;
    /* m and n fit in 32 bits (hopper_prepare checked), their product may not */
    if (pairs_m * tiles_n > INT32_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung %d counts its %" PRId64 " x %" PRId64
                       " cluster tiles in 32 bits (m=%" PRId64 ", n=%" PRId64 ")", rung, pairs_m,
                       tiles_n, ops->m, ops->n);
    int fit = 0;
    status = hopper_cluster_capacity(reinterpret_cast<const void *>(kernel), &fit);
    if (status != WG_OK) return status;
    int64_t clusters = ((int64_t)plan->grid_x + WG_CLUSTER_CTAS - 1) / WG_CLUSTER_CTAS;
    if (clusters > fit) clusters = fit;
    if (clusters < 1) clusters = 1;
    WG_HOPPER_LAUNCH_CLUSTER(kernel, dim3((unsigned)(clusters * WG_CLUSTER_CTAS)),
                             dim3(WG_HOPPER_THREADS), WG_HOPPER_SMEM_BYTES, WG_CLUSTER_CTAS,
                             map_a, map_b, *ops);
    WG_LADDER_LAUNCH_CHECK(rung, plan, ops);
    return WG_OK;
}

extern "C" wg_status wg_ladder_launch_11(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    return cluster_launch<hopper_bf16>(11, plan, ops);
}
