/*
 * ladder_1_naive.cu - rung 1 of the matmul ladder: the naive kernel.
 *
 * What it is: one thread per element of C, a plain loop over k, and threadIdx.x running
 * along the ROWS of C. The 32 threads of a warp so compute C[i..i+31][j]: at each step
 * they read 32 elements of A from 32 different rows (32 separate 32-byte sectors for 128
 * useful bytes: uncoalesced), one element of B that they share (a broadcast), and at the
 * end write 32 floats that are ldc apart (32 sectors again).
 * Reason it exploits: parallelism only - m*n independent threads - and nothing else.
 *
 * Prediction (H100 SXM: 132 SMs at ~1.98 GHz, 67 TFLOP/s FP32, 3.35 TB/s HBM3): every FMA
 * costs a warp-wide uncoalesced load of A that hits L1 (each 32-byte sector serves 8 steps
 * of k) but still takes ~32 L1 wavefronts per request, so an SM retires about one warp
 * FMA instruction per ~32 cycles: ~1 FMA/cycle/SM = 132 * 1.98e9 * 2 = ~0.5 TFLOP/s at
 * n = 4096 and 8192 (about 1% of cuBLAS SGEMM). At n = 8192 one call is ~2.2 s.
 */
#include "ladder_common.cuh"

static __global__ void __launch_bounds__(WG_L1_BLOCK_X *WG_L1_BLOCK_Y)
    ladder_naive_kernel(const wg_gemm_args g)
{
    const int64_t row_stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t col_stride = (int64_t)gridDim.y * blockDim.y;
    for (int64_t col = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; col < g.n;
         col += col_stride) {
        for (int64_t row = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; row < g.m;
             row += row_stride) {
            float acc = 0.0f;
            for (int64_t p = 0; p < g.k; ++p) acc += ladder_op_a(g, row, p) * ladder_op_b(g, p, col);
            ladder_store(g, row, col, acc);
        }
    }
}

extern "C" wg_status wg_ladder_launch_1(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_LAUNCH(ladder_naive_kernel, dim3(plan->grid_x, plan->grid_y),
                     dim3(plan->block_x, plan->block_y), *ops);
    WG_LADDER_LAUNCH_CHECK(1, plan, ops);
    return WG_OK;
}
