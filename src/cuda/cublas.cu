/*
 * cublas.cu - the CUDA backend's one cuBLAS module: one handle per device, and the SGEMM of
 * each precision the kernel registry offers (cublas-fp32, cublas-tf32, cublas-bf16).
 *
 * Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: with column-major eyes
 * a stored row-major matrix is its own transpose, so each call passes B before A with m
 * and n swapped, the same transpose flags and the same leading dimensions.
 *   fp32  cublasSgemm with CUBLAS_PEDANTIC_MATH: true FP32, no TF32, no reduced-precision
 *         tricks - the fair opponent of the CUDA-core rungs 1-6;
 *   tf32  cublasGemmEx, FP32 A/B/C, CUBLAS_COMPUTE_32F_FAST_TF32 - rung 7's opponent;
 *   bf16  cublasGemmEx, BF16 A/B (converted copies, see wg_gemm_prepare), FP32 C,
 *         CUBLAS_COMPUTE_32F - rung 8's opponent.
 * Math mode is a property of the handle, so each call sets the one its precision needs.
 *
 * The handle works on the device's own stream (wg_cuda_stream) with a workspace set once,
 * so that its GEMMs queue behind the training kernels and can be captured into a CUDA
 * graph (cuBLAS allocates nothing inside a capture when it has a workspace of its own).
 * After the first call, finding the handle is an atomic load: no lock per GEMM.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>

#include "cuda_backend.h"
#include "cuda_check.h"

#define WG_CUBLAS_MAX_DEVICES 64
/* cuBLAS's recommended workspace on Hopper (32 MiB; 4 MiB suffices on older GPUs) */
#define WG_CUBLAS_WORKSPACE_BYTES ((size_t)32 << 20)

static cublasHandle_t handles[WG_CUBLAS_MAX_DEVICES];
static void *workspaces[WG_CUBLAS_MAX_DEVICES]; /* gpu-epilogue: shared with cuBLASLt */
static pthread_mutex_t handle_lock = PTHREAD_MUTEX_INITIALIZER;

/* The handle of device `index` (already current), created on first use and kept for the
 * life of the process (a handle is bound to the device current when it was created), on
 * the device's stream with its own workspace. */
static wg_status get_handle(int index, cublasHandle_t *out)
{
    if (index < 0 || index >= WG_CUBLAS_MAX_DEVICES)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d: cuBLAS is supported on cuda:0 to "
                       "cuda:%d only", index, WG_CUBLAS_MAX_DEVICES - 1);
    *out = __atomic_load_n(&handles[index], __ATOMIC_ACQUIRE);
    if (*out) return WG_OK;
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    if (pthread_mutex_lock(&handle_lock) != 0)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d: could not lock the cuBLAS handle table",
                       index);
    cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
    if (!handles[index] && cudaStreamIsCapturing(stream, &capture) == cudaSuccess &&
        capture != cudaStreamCaptureStatusNone) {
        /* cublasCreate and the workspace's cudaMalloc would break the capture, and a
         * handle made there would keep no workspace (the failed cudaMalloc reads as "out
         * of memory") for the life of the process */
        status = wg_fail(WG_ERR_BACKEND, "cuda:%d: the cuBLAS handle cannot be made during "
                         "a CUDA graph capture (wg_cuda_graph_capture makes it before)",
                         index);
    } else if (!handles[index]) {
        cublasHandle_t handle = NULL;
        void *workspace = NULL;
        cublasStatus_t st = cublasCreate(&handle);
        if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST);
        /* the stream first: setting it resets the workspace to cuBLAS's own pool */
        if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetStream(handle, stream);
        if (st == CUBLAS_STATUS_SUCCESS &&
            cudaMalloc(&workspace, WG_CUBLAS_WORKSPACE_BYTES) != cudaSuccess) {
            (void)cudaGetLastError();
            workspace = NULL; /* cuBLAS's pool then: eager GEMMs work, capture may not */
        }
        if (st == CUBLAS_STATUS_SUCCESS && workspace)
            st = cublasSetWorkspace(handle, workspace, WG_CUBLAS_WORKSPACE_BYTES);
        if (st == CUBLAS_STATUS_SUCCESS) {
            workspaces[index] = workspace;
            __atomic_store_n(&handles[index], handle, __ATOMIC_RELEASE);
        } else {
            if (handle) (void)cublasDestroy(handle);
            if (workspace) (void)cudaFree(workspace);
            status = wg_cublas_fail(st, "creating the cuBLAS handle of cuda:%d", index);
        }
    }
    *out = handles[index];
    (void)pthread_mutex_unlock(&handle_lock);
    return status;
}

/* gpu-epilogue: the handle's workspace (NULL, 0 when it could not be allocated), for the
 * cuBLASLt products of the same stream: they run in stream order with cuBLAS's, so one
 * workspace serves both. */
extern "C" wg_status wg_cuda_cublas_workspace(int index, void **workspace, size_t *bytes)
{
    cublasHandle_t handle = NULL;
    wg_status status = wg_cuda_use(index);
    if (status == WG_OK) status = get_handle(index, &handle);
    if (status != WG_OK) return status;
    *workspace = workspaces[index];
    *bytes = workspaces[index] ? WG_CUBLAS_WORKSPACE_BYTES : 0;
    return WG_OK;
}

extern "C" wg_status wg_cuda_cublas_gemm(int index, wg_precision precision,
                                         const wg_gemm_args *g)
{
    if (!g) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_cublas_gemm: NULL arguments");
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    cublasHandle_t handle = NULL;
    status = get_handle(index, &handle);
    if (status != WG_OK) return status;
    const cublasOperation_t op_a = g->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const char *name = precision == WG_PRECISION_FP32   ? "cublasSgemm (pedantic FP32)"
                       : precision == WG_PRECISION_TF32 ? "cublasGemmEx (TF32)"
                                                        : "cublasGemmEx (BF16)";
    const int small = g->m <= INT_MAX && g->n <= INT_MAX && g->k <= INT_MAX &&
                      g->lda <= INT_MAX && g->ldb <= INT_MAX && g->ldc <= INT_MAX;

    if (precision == WG_PRECISION_FP32) {
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
        const cudaDataType_t in_type = precision == WG_PRECISION_BF16 ? CUDA_R_16BF : CUDA_R_32F;
        const cublasComputeType_t compute = precision == WG_PRECISION_BF16
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
