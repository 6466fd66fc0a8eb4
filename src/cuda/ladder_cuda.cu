/*
 * ladder_cuda.cu - the CUDA side of the matmul ladder's front door: launches the rung a
 * plan names, and copies the inputs of the tensor-core entries once, K-major (A m x k,
 * B n x k) and in BF16 for the BF16 ones (every TF32/BF16 rung and cuBLAS read the same
 * copies). The cuBLAS references are in cublas.cu.
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
    case 9: return wg_ladder_launch_9(plan, ops);
    case 10: return wg_ladder_launch_10(plan, ops);
    case 11: return wg_ladder_launch_11(plan, ops);
    default: break;
    }
    return wg_fail(WG_ERR_ARGUMENT, "cuda:%d: no ladder rung %d", index, plan->rung);
}

/* ---------------------------------------------------------------- K-major inputs -- */

/* dst[x][p] = op(src)[x][p] for p < k, 0 up to dst_ld: src stored rows x cols, read
 * transposed when `transpose` (then x runs along src's columns). One thread per element of
 * dst; the transposed reads are strided, which is fine outside the timing. */
template <typename T, typename S>
static __global__ void ladder_copy_kernel(T *dst, const S *src, int64_t x_count, int64_t p_count,
                                          int64_t src_ld, int transpose, int64_t dst_ld)
{
    const int64_t total = x_count * dst_ld;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t x = e / dst_ld, p = e % dst_ld;
        if constexpr (sizeof(S) == 2) { /* bf16 to bf16: the bits as they are */
            dst[e] = p < p_count ? (transpose ? src[p * src_ld + x] : src[x * src_ld + p])
                                 : __float2bfloat16_rn(0.0f);
        } else {
            const float v =
                p < p_count ? (transpose ? src[p * src_ld + x] : src[x * src_ld + p]) : 0.0f;
            if constexpr (sizeof(T) == 2)
                dst[e] = __float2bfloat16_rn(v);
            else
                dst[e] = v;
        }
    }
}

extern "C" wg_status wg_cuda_ladder_copy(int index, const float *src, int src_bf16, int64_t rows,
                                         int64_t cols, int64_t src_ld, int transpose, int bf16,
                                         int64_t dst_ld, void **out)
{
    if (src_bf16 && !bf16)
        return wg_fail(WG_ERR_ARGUMENT, "K-major copy on cuda:%d: bf16 inputs copy to bf16 only",
                       index);
    const int64_t x_count = transpose ? cols : rows, p_count = transpose ? rows : cols;
    if (!src || !out || rows < 1 || cols < 1 || src_ld < cols || dst_ld < p_count)
        return wg_fail(WG_ERR_ARGUMENT, "K-major copy on cuda:%d: bad arguments (rows=%" PRId64
                       ", cols=%" PRId64 ", ld %" PRId64 " -> %" PRId64 ")", index, rows, cols,
                       src_ld, dst_ld);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    const size_t elem = bf16 ? sizeof(__nv_bfloat16) : sizeof(float);
    const size_t bytes = (size_t)x_count * (size_t)dst_ld * elem;
    void *dst = NULL;
    cudaError_t err = cudaMalloc(&dst, bytes);
    if (err != cudaSuccess)
        return wg_cuda_fail_status(err == cudaErrorMemoryAllocation ? WG_ERR_NO_MEMORY : WG_ERR_BACKEND,
                                   err, "allocating %zu bytes for K-major inputs on cuda:%d", bytes,
                                   index);
    const int64_t blocks = (x_count * dst_ld + 255) / 256;
    const unsigned grid = (unsigned)(blocks < 65535 * 16 ? blocks : 65535 * 16);
    if (src_bf16)
        ladder_copy_kernel<<<grid, 256>>>(static_cast<__nv_bfloat16 *>(dst),
                                          reinterpret_cast<const __nv_bfloat16 *>(src), x_count,
                                          p_count, src_ld, transpose, dst_ld);
    else if (bf16)
        ladder_copy_kernel<<<grid, 256>>>(static_cast<__nv_bfloat16 *>(dst), src, x_count, p_count,
                                          src_ld, transpose, dst_ld);
    else
        ladder_copy_kernel<<<grid, 256>>>(static_cast<float *>(dst), src, x_count, p_count, src_ld,
                                          transpose, dst_ld);
    err = cudaGetLastError();
    if (err == cudaSuccess) err = cudaDeviceSynchronize();
    if (err != cudaSuccess) {
        (void)cudaFree(dst);
        return wg_cuda_fail(err, "copying a %" PRId64 "x%" PRId64 " matrix K-major on cuda:%d",
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
