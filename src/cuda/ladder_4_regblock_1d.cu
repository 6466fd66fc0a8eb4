/*
 * ladder_4_regblock_1d.cu - rung 4 of the matmul ladder: 1-D register blocking.
 *
 * What changes from rung 3: each thread computes TM = 8 outputs of one column of C
 * (rows r..r+7) instead of one. A block of 512 threads computes a 64x64 tile, stepping k
 * by BK = 8. In the inner loop a thread loads ONE value of B from shared memory, keeps it
 * in a register, and multiplies it with 8 values of A (the same for the whole warp: a
 * broadcast), so shared-memory loads per FMA drop from 2 to 9/8, and 8 independent
 * accumulators give the scheduler instruction-level parallelism. The tile of A is stored
 * k-major (a_tile[k][i]) so the 8 values a thread needs are consecutive.
 * Reason it exploits: registers - the fastest memory there is, private to each thread.
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): still shared-memory-load bound, but at ~1.1 loads
 * per FMA instead of 2, plus better latency hiding: about 20 TFLOP/s at n = 4096 and 21 at
 * 8192 (~40% of cuBLAS SGEMM); ~55 ms a call at 8192.
 */
#include "ladder_common.cuh"

#define BM WG_L4_BM
#define BN WG_L4_BN
#define BK WG_L4_BK
#define TM WG_L4_TM
#define NT WG_L4_THREADS
#define LDS_A (BM + 4) /* +4: the transposing stores of A hit distinct banks */
#define LDS_B (BN + 4)

template <bool TA, bool TB>
static __global__ void __launch_bounds__(NT) ladder_regblock_1d_kernel(const wg_gemm_args g)
{
    __shared__ __align__(16) float a_tile[BK * LDS_A]; /* a_tile[p][i] = op(A)[row0 + i][p0 + p] */
    __shared__ __align__(16) float b_tile[BK * LDS_B]; /* b_tile[p][j] = op(B)[p0 + p][col0 + j] */
    const int tid = (int)threadIdx.x;
    const int col = tid % BN;           /* this thread's column of the tile */
    const int row_base = (tid / BN) * TM; /* and its TM rows */
    const float *a = static_cast<const float *>(g.a);
    const float *b = static_cast<const float *>(g.b);
    const int64_t tiles_m = ladder_tiles(g.m, BM), tiles_n = ladder_tiles(g.n, BN);

    for (int64_t tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
        for (int64_t tn = blockIdx.x; tn < tiles_n; tn += gridDim.x) {
            const int64_t row0 = tm * BM, col0 = tn * BN;
            float acc[TM] = {};
            for (int64_t p0 = 0; p0 < g.k; p0 += BK) {
                load_tile_kx<BK, BM, LDS_A, NT, 1, !TA>(a_tile, a, g.lda, row0, p0, g.m, g.k,
                                                       false, tid);
                load_tile_kx<BK, BN, LDS_B, NT, 1, TB>(b_tile, b, g.ldb, col0, p0, g.n, g.k,
                                                      false, tid);
                __syncthreads();
#pragma unroll
                for (int p = 0; p < BK; ++p) {
                    const float b_value = b_tile[p * LDS_B + col];
#pragma unroll
                    for (int r = 0; r < TM; ++r)
                        acc[r] += a_tile[p * LDS_A + row_base + r] * b_value;
                }
                __syncthreads();
            }
#pragma unroll
            for (int r = 0; r < TM; ++r) ladder_store(g, row0 + row_base + r, col0 + col, acc[r]);
        }
    }
}

template <bool TA, bool TB>
static void launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    void (*kernel)(const wg_gemm_args) = ladder_regblock_1d_kernel<TA, TB>;
    WG_LADDER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(NT), *ops);
}

extern "C" wg_status wg_ladder_launch_4(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    WG_LADDER_LAUNCH_CHECK(4, plan, ops);
    return WG_OK;
}
