/*
 * ladder_8_bf16.cu - rung 8 of the matmul ladder: tensor cores, BF16 inputs, FP32
 * accumulation (WMMA 16x16x16; the kernel is in ladder_wmma.cuh).
 *
 * What changes from rung 7: the inputs are BF16 (8-bit exponent, 7-bit mantissa): half
 * the bytes per element to move and store, and twice the tensor-core rate of TF32. A and
 * B are converted once before the kernel (and before any timing) into BF16 copies of the
 * stored matrices, rounded to nearest even, rows padded to a multiple of 8 elements
 * (wg_gemm_prepare); cuBLAS BF16 reads the very same copies. Products are summed
 * in FP32; relative error ~3e-3 (bound 1e-2).
 * Reason it exploits: tensor cores (~990 TFLOP/s dense BF16 on an H100 SXM) and bandwidth
 * (2-byte elements).
 *
 * Prediction (H100 SXM): the same WMMA structure as rung 7, with twice the work per byte
 * of shared memory: ~30% of the BF16 peak, about 280 TFLOP/s at n = 4096 and 300 at 8192
 * (~40% of cuBLAS BF16, which should reach ~700); ~4 ms a call at 8192.
 */
#include "ladder_wmma.cuh"

template <bool TA, bool TB>
static void launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    void (*kernel)(const wg_gemm_args, int, int) =
        ladder_wmma_kernel<ladder_bf16, WG_L8_BM, WG_L8_BN, WG_L8_BK, WG_L8_THREADS, TA, TB>;
    WG_LADDER_LAUNCH(kernel, dim3(plan->grid_x, plan->grid_y), dim3(WG_L8_THREADS), *ops, plan->vec_a,
                     plan->vec_b);
}

extern "C" wg_status wg_ladder_launch_8(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    WG_LADDER_LAUNCH_CHECK(8, plan, ops);
    return WG_OK;
}
