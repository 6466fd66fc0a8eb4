/*
 * ladder_9_wgmma_bf16.cu - rung 9 of the matmul ladder: Hopper's own tensor-core path for
 * BF16 inputs, FP32 accumulation (the kernel is in ladder_hopper.cuh; sm_90a only).
 *
 * What changes from rung 8: the WMMA API is dropped. TMA copies 128x64 and 256x64 BF16
 * tiles into a four-stage shared-memory ring (128-byte swizzle) guarded by mbarriers, one
 * producer thread keeps the ring full, and two consumer warpgroups issue wgmma.mma_async
 * m64n256k16 straight from shared memory on a 128x256 tile of C. No fragment passes through
 * registers, no __syncthreads in the main loop, B is read K-major (n x k, prepared before
 * timing; cuBLAS BF16 gets the same copies).
 * Reason it exploits: tensor cores (~990 TFLOP/s dense BF16 on an H100 SXM) fed at their
 * rate: rung 8's WMMA loads and mma.sync issue cap it near a quarter of that.
 *
 * Prediction (H100 SXM): one wgmma warpgroup pair per SM with loads fully hidden behind a
 * four-deep ring, but the whole pipeline drains between tiles (epilogue not overlapped) and
 * every stage waits for its own wgmma (wait_group 0): ~60-65% of peak, about 560 TFLOP/s at
 * n = 4096 and 600 at 8192, ~80% of cuBLAS BF16 (~700-750); ~1.8 ms a call at 8192.
 */
#include "ladder_hopper.cuh"

extern "C" wg_status wg_ladder_launch_9(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    return hopper_launch<hopper_bf16>(9, plan, ops);
}
