/*
 * ladder_5_regblock_2d.cu - rung 5 of the matmul ladder: 2-D register blocking with
 * 16-byte vector loads.
 *
 * What changes from rung 4: each thread computes an 8x8 block of C (64 accumulators in
 * registers) from 8 values of A and 8 of B per step of k: 16 shared-memory loads (four
 * 16-byte ones) for 64 FMAs instead of 9 for 8. A block of 256 threads computes a 128x128
 * tile with BK = 8. Global loads are 16 bytes wide (float4) when the matrix allows it
 * (base 16-byte aligned, leading dimension a multiple of 4: wg_ladder_vector_ok); edge
 * groups and unaligned matrices take the scalar path of the same loader.
 * Reason it exploits: registers (arithmetic intensity per thread: 64 FMAs per 16 loads) and
 * bandwidth (fewer, wider memory instructions).
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): FMA-bound at last; losses are the loads and
 * their latency between __syncthreads (no overlap of loading and computing) and 2-way bank
 * conflicts on B reads: about 36 TFLOP/s at n = 4096 and 38 at 8192 (~70% of cuBLAS
 * SGEMM); ~30 ms a call at 8192.
 */
#include "ladder_common.cuh"

#define BM WG_L5_BM
#define BN WG_L5_BN
#define BK WG_L5_BK
#define TM WG_L5_TM
#define TN WG_L5_TN
#define NT WG_L5_THREADS
#define LDS_A (BM + 4) /* rows stay 16-byte aligned; transposing stores avoid conflicts */
#define LDS_B (BN + 4)

template <bool TA, bool TB>
static __global__ void __launch_bounds__(NT) ladder_regblock_2d_kernel(const wg_gemm_args g,
                                                                       int vec_a, int vec_b)
{
    __shared__ __align__(16) float a_tile[BK * LDS_A]; /* a_tile[p][i] */
    __shared__ __align__(16) float b_tile[BK * LDS_B]; /* b_tile[p][j] */
    const int tid = (int)threadIdx.x;
    const int row_base = (tid / (BN / TN)) * TM; /* this thread's 8x8 block of the tile */
    const int col_base = (tid % (BN / TN)) * TN;
    const float *a = static_cast<const float *>(g.a);
    const float *b = static_cast<const float *>(g.b);
    const int64_t tiles_m = ladder_tiles(g.m, BM), tiles_n = ladder_tiles(g.n, BN);

    for (int64_t tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
        for (int64_t tn = blockIdx.x; tn < tiles_n; tn += gridDim.x) {
            const int64_t row0 = tm * BM, col0 = tn * BN;
            float acc[TM][TN] = {};
            for (int64_t p0 = 0; p0 < g.k; p0 += BK) {
                load_tile_kx<BK, BM, LDS_A, NT, 4, !TA>(a_tile, a, g.lda, row0, p0, g.m, g.k,
                                                       vec_a != 0, tid);
                load_tile_kx<BK, BN, LDS_B, NT, 4, TB>(b_tile, b, g.ldb, col0, p0, g.n, g.k,
                                                      vec_b != 0, tid);
                __syncthreads();
#pragma unroll
                for (int p = 0; p < BK; ++p) {
                    float a_reg[TM], b_reg[TN];
                    const float4 *a_row = reinterpret_cast<const float4 *>(a_tile + p * LDS_A + row_base);
                    const float4 *b_row = reinterpret_cast<const float4 *>(b_tile + p * LDS_B + col_base);
#pragma unroll
                    for (int v = 0; v < TM / 4; ++v) {
                        const float4 f = a_row[v];
                        a_reg[4 * v] = f.x; a_reg[4 * v + 1] = f.y; a_reg[4 * v + 2] = f.z; a_reg[4 * v + 3] = f.w;
                    }
#pragma unroll
                    for (int v = 0; v < TN / 4; ++v) {
                        const float4 f = b_row[v];
                        b_reg[4 * v] = f.x; b_reg[4 * v + 1] = f.y; b_reg[4 * v + 2] = f.z; b_reg[4 * v + 3] = f.w;
                    }
#pragma unroll
                    for (int r = 0; r < TM; ++r)
#pragma unroll
                        for (int c = 0; c < TN; ++c) acc[r][c] += a_reg[r] * b_reg[c];
                }
                __syncthreads();
            }
#pragma unroll
            for (int r = 0; r < TM; ++r)
#pragma unroll
                for (int c = 0; c < TN; ++c)
                    ladder_store(g, row0 + row_base + r, col0 + col_base + c, acc[r][c]);
        }
    }
}

template <bool TA, bool TB>
static void launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    void (*kernel)(const wg_gemm_args, int, int) = ladder_regblock_2d_kernel<TA, TB>;
    WG_LADDER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(NT), *ops, plan->vec_a,
                     plan->vec_b);
}

extern "C" wg_status wg_ladder_launch_5(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    WG_LADDER_LAUNCH_CHECK(5, plan, ops);
    return WG_OK;
}
