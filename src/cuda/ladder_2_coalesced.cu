/*
 * ladder_2_coalesced.cu - rung 2 of the matmul ladder: coalesced loads.
 *
 * What changes from rung 1: only which way threadIdx.x runs - now along the COLUMNS of C.
 * A warp computes C[i][j..j+31]: each step it reads 32 consecutive floats of a row of B
 * (one 128-byte line: coalesced), one element of A it shares (a broadcast), and it writes
 * 128 contiguous bytes of C. Same arithmetic, same number of loads, ~16x fewer memory
 * transactions.
 * Reason it exploits: memory bandwidth - moving whole lines instead of 4 useful bytes in
 * each 32-byte sector.
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): each warp FMA still needs one 128-byte load
 * from L1/L2 (no reuse in registers or shared memory), so L1 bandwidth (~128 B/cycle/SM)
 * caps it near one warp FMA per cycle per SM, and misses to L2 lower that: about 4.5
 * TFLOP/s at n = 4096 and 4.0 at 8192 (7-9% of cuBLAS SGEMM); ~0.27 s a call at 8192.
 */
#include "ladder_common.cuh"

static __global__ void __launch_bounds__(WG_L2_BLOCK_X *WG_L2_BLOCK_Y)
    ladder_coalesced_kernel(const wg_gemm_args g)
{
    const int64_t row_stride = (int64_t)gridDim.y * blockDim.y;
    const int64_t col_stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t row = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; row < g.m;
         row += row_stride) {
        for (int64_t col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; col < g.n;
             col += col_stride) {
            float acc = 0.0f;
            for (int64_t p = 0; p < g.k; ++p) acc += ladder_op_a(g, row, p) * ladder_op_b(g, p, col);
            ladder_store(g, row, col, acc);
        }
    }
}

extern "C" wg_status wg_ladder_launch_2(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_LAUNCH(ladder_coalesced_kernel, dim3(plan->grid_x, plan->grid_y),
                     dim3(plan->block_x, plan->block_y), *ops);
    WG_LADDER_LAUNCH_CHECK(2, plan, ops);
    return WG_OK;
}
