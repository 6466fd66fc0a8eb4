/*
 * ladder_7_tf32.cu - rung 7 of the matmul ladder: tensor cores, TF32 inputs, FP32
 * accumulation (WMMA 16x16x8; the kernel is in ladder_wmma.cuh).
 *
 * What changes from rung 6: the multiply-adds leave the CUDA cores. A warp hands a 16x8
 * piece of A and an 8x16 piece of B to the tensor cores (wmma::mma_sync) and gets 16x16x8
 * = 2048 multiply-adds back in one instruction. Inputs are FP32 in memory and shared
 * memory; each fragment is rounded to TF32 (8-bit exponent, 10-bit mantissa) after
 * loading, exactly what cuBLAS does with CUBLAS_COMPUTE_32F_FAST_TF32, and products are
 * summed in FP32. Relative error grows to ~1e-4 to 1e-3 (bound 2e-3).
 * Reason it exploits: tensor cores - dedicated matrix units with ~7x the FP32 CUDA-core
 * rate (H100 SXM: ~495 TFLOP/s dense TF32 vs ~67 FP32).
 *
 * Prediction (H100 SXM): WMMA issues Ampere-style mma.sync, not Hopper's wgmma, and loads
 * fragments without ldmatrix swizzling; with 2 operand loads per 8 mma per warp and a
 * 2-stage pipeline, ~30% of the TF32 peak: about 150 TFLOP/s at n = 4096 and 160 at 8192
 * (~40% of cuBLAS TF32, which should reach ~380); ~7 ms a call at 8192.
 */
#include "ladder_wmma.cuh"

template <bool TA, bool TB>
static void launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    void (*kernel)(const wg_gemm_args, int, int) =
        ladder_wmma_kernel<ladder_tf32, WG_L7_BM, WG_L7_BN, WG_L7_BK, WG_L7_THREADS, TA, TB>;
    WG_LADDER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(WG_L7_THREADS), *ops, plan->vec_a,
                     plan->vec_b);
}

extern "C" wg_status wg_ladder_launch_7(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    WG_LADDER_LAUNCH_CHECK(7, plan, ops);
    return WG_OK;
}
