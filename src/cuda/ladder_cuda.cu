/*
 * ladder_cuda.cu - the CUDA side of the matmul ladder's front door: launches the rung a
 * plan names, runs the cuBLAS reference of each precision, and converts inputs to BF16.
 *
 * cuBLAS references (row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, so
 * each call passes B before A with m and n swapped: with column-major eyes a stored
 * row-major matrix is its own transpose):
 *   fp32  cublasSgemm with CUBLAS_PEDANTIC_MATH: true FP32, no TF32, no reduced-precision
 *         tricks - the fair opponent of the CUDA-core rungs 1-6;
 *   tf32  cublasGemmEx, FP32 A/B/C, CUBLAS_COMPUTE_32F_FAST_TF32 - rung 7's opponent;
 *   bf16  cublasGemmEx, BF16 A/B (the same converted copies rung 8 reads), FP32 C,
 *         CUBLAS_COMPUTE_32F - rung 8's opponent.
 * One cuBLAS handle per device serves every call (the backend's and the ladder's); each
 * call sets the math mode its precision needs.
 */
#include <limits.h>
#include <pthread.h>

#include <cuda_bf16.h>

#include "ladder_common.cuh"

#define WG_LADDER_MAX_DEVICES 64

/* ---------------------------------------------------------------- launching ------- */

extern "C" wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                           const wg_ladder_operands *ops)
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

/* ---------------------------------------------------------------- cuBLAS ---------- */

static cublasHandle_t ladder_handles[WG_LADDER_MAX_DEVICES];
static pthread_mutex_t ladder_handle_lock = PTHREAD_MUTEX_INITIALIZER;

/* The ladder's handle of device `index` (already current), created on first use. */
static wg_status ladder_handle(int index, cublasHandle_t *out)
{
    if (index < 0 || index >= WG_LADDER_MAX_DEVICES)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d: the ladder's cuBLAS runs on cuda:0 to "
                       "cuda:%d only", index, WG_LADDER_MAX_DEVICES - 1);
    if (pthread_mutex_lock(&ladder_handle_lock) != 0)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d: could not lock the ladder's cuBLAS handles",
                       index);
    wg_status status = WG_OK;
    if (!ladder_handles[index]) {
        cublasHandle_t handle = NULL;
        cublasStatus_t st = cublasCreate(&handle);
        if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST);
        if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetStream(handle, 0);
        if (st == CUBLAS_STATUS_SUCCESS) {
            ladder_handles[index] = handle;
        } else {
            if (handle) (void)cublasDestroy(handle);
            status = wg_cublas_fail(st, "creating the ladder's cuBLAS handle on cuda:%d", index);
        }
    }
    *out = ladder_handles[index];
    (void)pthread_mutex_unlock(&ladder_handle_lock);
    return status;
}

extern "C" wg_status wg_cuda_ladder_cublas(int index, wg_ladder_precision precision,
                                           const wg_ladder_operands *g)
{
    if (!g) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_ladder_cublas: NULL operands");
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    cublasHandle_t handle = NULL;
    status = ladder_handle(index, &handle);
    if (status != WG_OK) return status;
    const cublasOperation_t op_a = g->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const char *name = wg_ladder_cublas_name(precision);
    const int small = g->m <= INT_MAX && g->n <= INT_MAX && g->k <= INT_MAX &&
                      g->lda <= INT_MAX && g->ldb <= INT_MAX && g->ldc <= INT_MAX;

    if (precision == WG_LADDER_FP32) {
        WG_CUBLAS_TRY(cublasSetMathMode(handle, CUBLAS_PEDANTIC_MATH),
                      "%s on cuda:%d: setting CUBLAS_PEDANTIC_MATH", name, index);
        const float *a = static_cast<const float *>(g->a), *b = static_cast<const float *>(g->b);
        if (small)
            WG_CUBLAS_TRY(cublasSgemm(handle, op_b, op_a, (int)g->n, (int)g->m, (int)g->k,
                                      &g->alpha, b, (int)g->ldb, a, (int)g->lda, &g->beta, g->c,
                                      (int)g->ldc),
                          "%s on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")", name,
                          index, g->m, g->n, g->k);
        else
            WG_CUBLAS_TRY(cublasSgemm_64(handle, op_b, op_a, g->n, g->m, g->k, &g->alpha, b,
                                         g->ldb, a, g->lda, &g->beta, g->c, g->ldc),
                          "%s on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")", name,
                          index, g->m, g->n, g->k);
    } else {
        const cudaDataType_t in_type = precision == WG_LADDER_BF16 ? CUDA_R_16BF : CUDA_R_32F;
        const cublasComputeType_t compute = precision == WG_LADDER_BF16
                                                ? CUBLAS_COMPUTE_32F
                                                : CUBLAS_COMPUTE_32F_FAST_TF32;
        WG_CUBLAS_TRY(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH),
                      "%s on cuda:%d: setting CUBLAS_DEFAULT_MATH", name, index);
        if (small)
            WG_CUBLAS_TRY(cublasGemmEx(handle, op_b, op_a, (int)g->n, (int)g->m, (int)g->k,
                                       &g->alpha, g->b, in_type, (int)g->ldb, g->a, in_type,
                                       (int)g->lda, &g->beta, g->c, CUDA_R_32F, (int)g->ldc,
                                       compute, CUBLAS_GEMM_DEFAULT),
                          "%s on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")", name,
                          index, g->m, g->n, g->k);
        else
            WG_CUBLAS_TRY(cublasGemmEx_64(handle, op_b, op_a, g->n, g->m, g->k, &g->alpha, g->b,
                                          in_type, g->ldb, g->a, in_type, g->lda, &g->beta, g->c,
                                          CUDA_R_32F, g->ldc, compute, CUBLAS_GEMM_DEFAULT),
                          "%s on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")", name,
                          index, g->m, g->n, g->k);
    }
    /* cuBLAS reports its own launch failures (CUBLAS_STATUS_EXECUTION_FAILED); a runtime
     * error it tolerated internally must not be blamed on our next kernel launch. */
    (void)cudaGetLastError();
    return WG_OK;
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
