/*
 * ladder_10_wgmma_tf32.cu - rung 10 of the matmul ladder: the rung-9 kernel on FP32 inputs
 * read as TF32 (ladder_hopper.cuh; sm_90a only).
 *
 * What changes from rung 9: the element is a 4-byte float, so a 128-byte tile row holds 32
 * values of k instead of 64 and one wgmma (m64n256k8) covers 8 of them; the tensor cores
 * read the top 19 bits of each float (TF32, mantissa truncated to 10 bits) with no rounding
 * pass in the kernel (rung 7 rounds every fragment element). TF32 wgmma reads both operands
 * K-major only, so A is m x k and B is n x k: wg_cuda_gemm_prepare copies them so before
 * timing, and gives cuBLAS TF32 the same copies. Relative error ~5e-4 (bound 2e-3).
 * Reason it exploits: tensor cores (~495 TFLOP/s dense TF32 on an H100 SXM), half of the
 * BF16 rate on twice the bytes.
 *
 * Prediction (H100 SXM): the same pipeline as rung 9 at half the work per byte, still
 * compute-bound: ~60% of the TF32 peak, about 280 TFLOP/s at n = 4096 and 300 at 8192,
 * ~80% of cuBLAS TF32 (~360); ~3.7 ms a call at 8192.
 */
#include "ladder_hopper.cuh"

extern "C" wg_status wg_ladder_launch_10(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    return hopper_launch<hopper_tf32>(10, plan, ops);
}
