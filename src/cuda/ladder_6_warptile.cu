/*
 * ladder_6_warptile.cu - rung 6 of the matmul ladder: warp tiling and a double-buffered
 * cp.async pipeline.
 *
 * What changes from rung 5:
 *  - Pipelining: two shared-memory buffers per operand. While the block computes on
 *    tile t, the copies of tile t+1 are already in flight (cp.async copies global to
 *    shared memory without stalling the thread on registers), so load latency hides
 *    behind arithmetic instead of being paid between two __syncthreads. BK grows to 16.
 *  - Warp tiling: the 8 warps of a block each own a 64x32 piece of the 128x128 tile, and
 *    each thread's 8x8 outputs are four 4x4 blocks 32 rows / 16 columns apart. The lanes
 *    of a warp then read 128 contiguous bytes of A and 64 of B per step (broadcasts, no
 *    bank conflicts), where rung 5's layout had 2-way conflicts.
 * Reason it exploits: parallelism in time (copy and compute overlap) and shared memory
 * (conflict-free, warp-local reads).
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): close to what FP32 FMAs allow with this tile
 * (~85% of issue slots on FMAs): about 41 TFLOP/s at n = 4096 and 43 at 8192 (~80% of
 * cuBLAS SGEMM, which reaches ~52); ~26 ms a call at 8192.
 */
#include "ladder_common.cuh"

#define BM WG_L6_BM
#define BN WG_L6_BN
#define BK WG_L6_BK
#define WM WG_L6_WM
#define WN WG_L6_WN
#define NT WG_L6_THREADS
#define LDS_A (BM + 4)
#define LDS_B (BN + 4)
#define TILE_A (BK * LDS_A)
#define TILE_B (BK * LDS_B)

static_assert((BM / WM) * (BN / WN) * 32 == NT, "one warp per warp tile");
static_assert(WM == 64 && WN == 32, "the lane layout below assumes 64x32 warp tiles");

template <bool TA, bool TB>
static __device__ __forceinline__ void load_stage(float *a_tile, float *b_tile,
                                                  const wg_gemm_args &g, int64_t row0,
                                                  int64_t col0, int64_t p0, bool vec_a,
                                                  bool vec_b, int tid)
{
    load_tile_kx_async<BK, BM, LDS_A, NT, !TA>(a_tile, static_cast<const float *>(g.a), g.lda,
                                              row0, p0, g.m, g.k, vec_a, tid);
    load_tile_kx_async<BK, BN, LDS_B, NT, TB>(b_tile, static_cast<const float *>(g.b), g.ldb,
                                             col0, p0, g.n, g.k, vec_b, tid);
    cp_async_commit();
}

template <bool TA, bool TB>
static __global__ void __launch_bounds__(NT) ladder_warptile_kernel(const wg_gemm_args g,
                                                                    int vec_a, int vec_b)
{
    __shared__ __align__(16) float a_tiles[2 * TILE_A]; /* [buffer][p][i] */
    __shared__ __align__(16) float b_tiles[2 * TILE_B]; /* [buffer][p][j] */
    const int tid = (int)threadIdx.x;
    const int warp = tid / 32, lane = tid % 32;
    const int warp_row = (warp / (BN / WN)) * WM; /* the warp's 64x32 piece of the tile */
    const int warp_col = (warp % (BN / WN)) * WN;
    const int lane_row = (lane / 4) * 4; /* lanes: 8 down x 4 across, 4x4 outputs each ... */
    const int lane_col = (lane % 4) * 4; /* ... repeated at +32 rows and +16 columns */
    const int64_t tiles_m = ladder_tiles(g.m, BM), tiles_n = ladder_tiles(g.n, BN);
    const int64_t steps = ladder_tiles(g.k, BK);

    for (int64_t tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
        for (int64_t tn = blockIdx.x; tn < tiles_n; tn += gridDim.x) {
            const int64_t row0 = tm * BM, col0 = tn * BN;
            float acc[8][8] = {};
            load_stage<TA, TB>(a_tiles, b_tiles, g, row0, col0, 0, vec_a != 0, vec_b != 0, tid);
            for (int64_t s = 0; s < steps; ++s) {
                const int buf = (int)(s & 1);
                if (s + 1 < steps) { /* start the next tile's copies, then wait for this one */
                    const int next = buf ^ 1;
                    load_stage<TA, TB>(a_tiles + next * TILE_A, b_tiles + next * TILE_B, g,
                                       row0, col0, (s + 1) * BK, vec_a != 0, vec_b != 0, tid);
                    cp_async_wait<1>();
                } else {
                    cp_async_wait<0>();
                }
                __syncthreads(); /* tile s is in shared memory for every thread */
                const float *a_tile = a_tiles + buf * TILE_A;
                const float *b_tile = b_tiles + buf * TILE_B;
#pragma unroll
                for (int p = 0; p < BK; ++p) {
                    float a_reg[8], b_reg[8];
                    const float *a_row = a_tile + p * LDS_A + warp_row + lane_row;
                    const float *b_row = b_tile + p * LDS_B + warp_col + lane_col;
                    const float4 a0 = *reinterpret_cast<const float4 *>(a_row);
                    const float4 a1 = *reinterpret_cast<const float4 *>(a_row + 32);
                    const float4 b0 = *reinterpret_cast<const float4 *>(b_row);
                    const float4 b1 = *reinterpret_cast<const float4 *>(b_row + 16);
                    a_reg[0] = a0.x; a_reg[1] = a0.y; a_reg[2] = a0.z; a_reg[3] = a0.w;
                    a_reg[4] = a1.x; a_reg[5] = a1.y; a_reg[6] = a1.z; a_reg[7] = a1.w;
                    b_reg[0] = b0.x; b_reg[1] = b0.y; b_reg[2] = b0.z; b_reg[3] = b0.w;
                    b_reg[4] = b1.x; b_reg[5] = b1.y; b_reg[6] = b1.z; b_reg[7] = b1.w;
#pragma unroll
                    for (int r = 0; r < 8; ++r)
#pragma unroll
                        for (int c = 0; c < 8; ++c) acc[r][c] += a_reg[r] * b_reg[c];
                }
                __syncthreads(); /* everyone is done with buffer `buf` before it is refilled */
            }
#pragma unroll
            for (int r = 0; r < 8; ++r) {
                const int64_t i = row0 + warp_row + lane_row + (r < 4 ? r : 32 + r - 4);
#pragma unroll
                for (int c = 0; c < 8; ++c) {
                    const int64_t j = col0 + warp_col + lane_col + (c < 4 ? c : 16 + c - 4);
                    ladder_store(g, i, j, acc[r][c]);
                }
            }
        }
    }
}

template <bool TA, bool TB>
static void launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    void (*kernel)(const wg_gemm_args, int, int) = ladder_warptile_kernel<TA, TB>;
    WG_LADDER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(NT), *ops, plan->vec_a,
                     plan->vec_b);
}

extern "C" wg_status wg_ladder_launch_6(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    WG_LADDER_LAUNCH_CHECK(6, plan, ops);
    return WG_OK;
}
