/*
 * ladder_cuda.cu - the CUDA side of the matmul ladder's front door: launches the rung a
 * plan names, and converts inputs to BF16 once for the BF16 kernels (rung 8 and cuBLAS
 * BF16 read the same copies). The cuBLAS references are in cublas.cu.
 */
#include <cuda_bf16.h>

#include "ladder_common.cuh"

/* ---------------------------------------------------------------- launching ------- */

extern "C" wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                           const wg_gemm_args *ops)
{
    if (!plan || !ops) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_ladder_launch: NULL argument");
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    switch (plan->rung) {
    case 1: return wg_ladder_launch_1(plan, ops);
    case 2: return wg_ladder_launch_2(plan, ops);
    case 3: return wg_ladder_launch_3(plan, ops);
    case 4: return wg_ladder_launch_4(plan, ops);
    case 5: return wg_ladder_launch_5(plan, ops);
    case 6: return wg_ladder_launch_6(plan, ops);
    case 7: return wg_ladder_launch_7(plan, ops);
    case 8: return wg_ladder_launch_8(plan, ops);
    default: break;
    }
    return wg_fail(WG_ERR_ARGUMENT, "cuda:%d: no ladder rung %d", index, plan->rung);
}

/* ---------------------------------------------------------------- BF16 inputs ----- */

/* dst[r][c] = bf16(src[r][c]) for c < cols, 0 for the padding columns up to dst_ld. */
static __global__ void ladder_to_bf16_kernel(__nv_bfloat16 *dst, const float *src, int64_t rows,
                                             int64_t cols, int64_t src_ld, int64_t dst_ld)
{
    const int64_t total = rows * dst_ld;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t r = e / dst_ld, c = e % dst_ld;
        dst[e] = c < cols ? __float2bfloat16_rn(src[r * src_ld + c]) : __float2bfloat16_rn(0.0f);
    }
}

extern "C" wg_status wg_cuda_ladder_to_bf16(int index, const float *src, int64_t rows,
                                            int64_t cols, int64_t src_ld, int64_t dst_ld,
                                            void **out)
{
    if (!src || !out || rows < 1 || cols < 1 || src_ld < cols || dst_ld < cols)
        return wg_fail(WG_ERR_ARGUMENT, "BF16 conversion on cuda:%d: bad arguments (rows=%" PRId64
                       ", cols=%" PRId64 ", ld %" PRId64 " -> %" PRId64 ")", index, rows, cols,
                       src_ld, dst_ld);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    const size_t bytes = (size_t)rows * (size_t)dst_ld * sizeof(__nv_bfloat16);
    void *dst = NULL;
    cudaError_t err = cudaMalloc(&dst, bytes);
    if (err != cudaSuccess)
        return wg_cuda_fail_status(err == cudaErrorMemoryAllocation ? WG_ERR_NO_MEMORY : WG_ERR_BACKEND,
                                   err, "allocating %zu bytes for BF16 inputs on cuda:%d", bytes,
                                   index);
    const int64_t total = rows * dst_ld;
    const int64_t blocks = (total + 255) / 256;
    const unsigned grid = (unsigned)(blocks < 65535 * 16 ? blocks : 65535 * 16);
    ladder_to_bf16_kernel<<<grid, 256>>>(static_cast<__nv_bfloat16 *>(dst), src, rows, cols,
                                         src_ld, dst_ld);
    err = cudaGetLastError();
    if (err == cudaSuccess) err = cudaDeviceSynchronize();
    if (err != cudaSuccess) {
        (void)cudaFree(dst);
        return wg_cuda_fail(err, "converting a %" PRId64 "x%" PRId64 " matrix to BF16 on cuda:%d",
                            rows, cols, index);
    }
    *out = dst;
    return WG_OK;
}

extern "C" void wg_cuda_ladder_free(int index, void *ptr)
{
    if (!ptr) return;
    if (cudaSetDevice(index) == cudaSuccess) (void)cudaFree(ptr);
    (void)cudaGetLastError();
}
