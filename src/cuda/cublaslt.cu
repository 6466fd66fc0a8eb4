/*
 * cublaslt.cu - cuBLASLt products with fused epilogues (lt_gemm.h) for the training step.
 *
 * Why: the step's bias+ReLU and ReLU-backward/bias-gradient passes are separate kernels
 * that each read and write a whole activation; cuBLASLt applies them in the product's own
 * epilogue, on the tile still in registers, so each saves a launch (a few microseconds of
 * host work at the batch sizes people train with) and a round trip of the activation
 * through memory. ReLU's mask goes from forward to backward as one bit per element.
 *
 * Row-major C = op(A).op(B) is column-major C^T = op(B)^T.op(A)^T (see cublas.cu): our B
 * is cuBLASLt's A. So the bias (our C's columns) is cuBLASLt's D rows - the vector
 * cuBLASLt's BIAS and BGRAD epilogues use - and "column sums of our B" is BGRADA.
 *
 * One cuBLASLt handle per device, made once (lock only on first use); a product's
 * descriptors, layouts and algorithm are made once by wg_cuda_lt_gemm_create (the
 * heuristic is asked there, never per run). Runs go to the device's own stream with the
 * workspace cuBLAS owns (they are ordered on one stream), so they can be captured into a
 * CUDA graph. Compute is CUBLAS_COMPUTE_32F: float32 arithmetic, no TF32.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include <cublasLt.h>

#include "cuda_backend.h"
#include "cuda_check.h"
#include "lt_gemm.h"

#define WG_LT_MAX_DEVICES 64

static cublasLtHandle_t lt_handles[WG_LT_MAX_DEVICES];
static pthread_mutex_t lt_lock = PTHREAD_MUTEX_INITIALIZER;

struct wg_lt_gemm {
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t a, b, c; /* cuBLASLt's A (our B), B (our A), C = D (our C) */
    cublasLtMatmulAlgo_t algo;
    cublasLtHandle_t handle;
    void *workspace;
    size_t workspace_bytes;
    int64_t m, n, k;
    wg_lt_epilogue epilogue;
};

static wg_status get_lt_handle(int index, cublasLtHandle_t *out)
{
    if (index < 0 || index >= WG_LT_MAX_DEVICES)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d: cuBLASLt is supported on cuda:0 to "
                       "cuda:%d only", index, WG_LT_MAX_DEVICES - 1);
    *out = __atomic_load_n(&lt_handles[index], __ATOMIC_ACQUIRE);
    if (*out) return WG_OK;
    if (pthread_mutex_lock(&lt_lock) != 0)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d: could not lock the cuBLASLt handle table",
                       index);
    wg_status status = WG_OK;
    if (!lt_handles[index]) {
        cublasLtHandle_t handle = NULL;
        const cublasStatus_t st = cublasLtCreate(&handle);
        if (st == CUBLAS_STATUS_SUCCESS)
            __atomic_store_n(&lt_handles[index], handle, __ATOMIC_RELEASE);
        else
            status = wg_cublas_fail(st, "creating the cuBLASLt handle of cuda:%d", index);
    }
    *out = lt_handles[index];
    (void)pthread_mutex_unlock(&lt_lock);
    return status;
}

static cublasLtEpilogue_t lt_epilogue(wg_lt_epilogue e)
{
    switch (e) {
    case WG_LT_BIAS: return CUBLASLT_EPILOGUE_BIAS;
    case WG_LT_RELU_AUX_BIAS: return CUBLASLT_EPILOGUE_RELU_AUX_BIAS;
    case WG_LT_DRELU_BGRAD: return CUBLASLT_EPILOGUE_DRELU_BGRAD;
    case WG_LT_BGRAD_B: return CUBLASLT_EPILOGUE_BGRADA; /* our B is cuBLASLt's A */
    default: return CUBLASLT_EPILOGUE_DEFAULT;
    }
}

extern "C" void wg_cuda_lt_gemm_free(wg_lt_gemm *g)
{
    if (!g) return;
    if (g->desc) (void)cublasLtMatmulDescDestroy(g->desc);
    if (g->a) (void)cublasLtMatrixLayoutDestroy(g->a);
    if (g->b) (void)cublasLtMatrixLayoutDestroy(g->b);
    if (g->c) (void)cublasLtMatrixLayoutDestroy(g->c);
    free(g);
}

/* The body of create: fills g, returns on the first failure (the caller frees g). */
static wg_status lt_create(int index, const wg_lt_gemm_spec *s, wg_lt_gemm *g)
{
    const char *name = wg_lt_epilogue_name(s->epilogue);
    wg_status status = get_lt_handle(index, &g->handle);
    if (status == WG_OK) status = wg_cuda_cublas_workspace(index, &g->workspace, &g->workspace_bytes);
    if (status != WG_OK) return status;
    const cublasOperation_t op_a = s->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N; /* cuBLASLt's A */
    const cublasOperation_t op_b = s->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasLtEpilogue_t epilogue = lt_epilogue(s->epilogue);
    WG_CUBLAS_TRY(cublasLtMatmulDescCreate(&g->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F),
                  "cuBLASLt %s product on cuda:%d: creating its descriptor", name, index);
    WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a,
                                                 sizeof op_a),
                  "cuBLASLt %s product on cuda:%d: setting TRANSA", name, index);
    WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b,
                                                 sizeof op_b),
                  "cuBLASLt %s product on cuda:%d: setting TRANSB", name, index);
    WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                 &epilogue, sizeof epilogue),
                  "cuBLASLt %s product on cuda:%d: setting the epilogue", name, index);
    if (s->epilogue != WG_LT_PLAIN)
        WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                     &s->bias, sizeof s->bias),
                      "cuBLASLt %s product on cuda:%d: setting the bias pointer", name, index);
    if (s->epilogue == WG_LT_RELU_AUX_BIAS || s->epilogue == WG_LT_DRELU_BGRAD) {
        WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc,
                                                     CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER,
                                                     &s->aux, sizeof s->aux),
                      "cuBLASLt %s product on cuda:%d: setting the ReLU mask pointer", name,
                      index);
        WG_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD,
                                                     &s->aux_ld, sizeof s->aux_ld),
                      "cuBLASLt %s product on cuda:%d: setting the mask's leading dimension "
                      "%" PRId64, name, index, s->aux_ld);
    }
    /* stored shapes (column-major eyes): our B is n x k (k x n transposed), our A k x m */
    WG_CUBLAS_TRY(cublasLtMatrixLayoutCreate(&g->a, CUDA_R_32F, s->trans_b ? s->k : s->n,
                                             s->trans_b ? s->n : s->k, s->ldb),
                  "cuBLASLt %s product on cuda:%d: the layout of B", name, index);
    WG_CUBLAS_TRY(cublasLtMatrixLayoutCreate(&g->b, CUDA_R_32F, s->trans_a ? s->m : s->k,
                                             s->trans_a ? s->k : s->m, s->lda),
                  "cuBLASLt %s product on cuda:%d: the layout of A", name, index);
    WG_CUBLAS_TRY(cublasLtMatrixLayoutCreate(&g->c, CUDA_R_32F, s->n, s->m, s->ldc),
                  "cuBLASLt %s product on cuda:%d: the layout of C", name, index);

    cublasLtMatmulPreference_t pref = NULL;
    WG_CUBLAS_TRY(cublasLtMatmulPreferenceCreate(&pref),
                  "cuBLASLt %s product on cuda:%d: creating the preference", name, index);
    const uint64_t ws = g->workspace_bytes;
    const uint32_t align = WG_LT_MIN_ALIGNMENT;
    cublasStatus_t st = cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    const cublasLtMatmulPreferenceAttributes_t aligns[] = {
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
    for (int i = 0; i < 4 && st == CUBLAS_STATUS_SUCCESS; i++)
        st = cublasLtMatmulPreferenceSetAttribute(pref, aligns[i], &align, sizeof align);
    cublasLtMatmulHeuristicResult_t result;
    int found = 0;
    if (st == CUBLAS_STATUS_SUCCESS)
        st = cublasLtMatmulAlgoGetHeuristic(g->handle, g->desc, g->a, g->b, g->c, g->c, pref, 1,
                                            &result, &found);
    (void)cublasLtMatmulPreferenceDestroy(pref);
    /* "not supported", an empty answer and an answer whose state is not SUCCESS (its
     * other fields are then invalid, cublasLt.h) all mean: no algorithm for this product */
    if (st == CUBLAS_STATUS_NOT_SUPPORTED ||
        (st == CUBLAS_STATUS_SUCCESS && (found < 1 || result.state != CUBLAS_STATUS_SUCCESS))) {
        (void)cudaGetLastError();
        return wg_fail(WG_ERR_UNSUPPORTED, "no algorithm for the %s product %" PRId64 "x%"
                       PRId64 "x%" PRId64 " (float32)%s%s", name, s->m, s->n, s->k,
                       st == CUBLAS_STATUS_NOT_SUPPORTED ? ": " : "",
                       st == CUBLAS_STATUS_NOT_SUPPORTED ? cublasGetStatusName(st) : "");
    }
    if (st != CUBLAS_STATUS_SUCCESS)
        return wg_cublas_fail(st, "cuBLASLt %s product %" PRId64 "x%" PRId64 "x%" PRId64
                              " on cuda:%d: asking the heuristic", name, s->m, s->n, s->k,
                              index);
    g->algo = result.algo;
    return WG_OK;
}

extern "C" wg_status wg_cuda_lt_gemm_create(int index, const wg_lt_gemm_spec *spec,
                                            wg_lt_gemm **out)
{
    if (!spec || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_lt_gemm_create: NULL argument");
    *out = NULL;
    if (spec->m < 1 || spec->n < 1 || spec->k < 1 ||
        (spec->epilogue != WG_LT_PLAIN && !spec->bias) ||
        ((spec->epilogue == WG_LT_RELU_AUX_BIAS || spec->epilogue == WG_LT_DRELU_BGRAD) &&
         (!spec->aux || spec->aux_ld < spec->n || spec->aux_ld % WG_LT_AUX_LD_MULTIPLE != 0)))
        return wg_fail(WG_ERR_ARGUMENT, "cuBLASLt %s product %" PRId64 "x%" PRId64 "x%" PRId64
                       ": a missing bias or mask, or a mask leading dimension %" PRId64
                       " (a multiple of %d, at least %" PRId64 ")",
                       wg_lt_epilogue_name(spec->epilogue), spec->m, spec->n, spec->k,
                       spec->aux_ld, WG_LT_AUX_LD_MULTIPLE, spec->n);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;
    wg_lt_gemm *g = static_cast<wg_lt_gemm *>(calloc(1, sizeof *g));
    if (!g) return wg_fail(WG_ERR_NO_MEMORY, "cuBLASLt product: out of host memory");
    g->m = spec->m;
    g->n = spec->n;
    g->k = spec->k;
    g->epilogue = spec->epilogue;
    status = lt_create(index, spec, g);
    if (status != WG_OK) {
        wg_cuda_lt_gemm_free(g);
        return status;
    }
    *out = g;
    return WG_OK;
}

extern "C" wg_status wg_cuda_lt_gemm_run(int index, const wg_lt_gemm *g, const float *a,
                                         const float *b, float *c)
{
    if (!g || !a || !b || !c) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_lt_gemm_run: NULL argument");
    if (((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % WG_LT_MIN_ALIGNMENT != 0)
        return wg_fail(WG_ERR_ARGUMENT, "cuBLASLt %s product: an operand is not %d-byte "
                       "aligned (%p, %p, %p)", wg_lt_epilogue_name(g->epilogue),
                       WG_LT_MIN_ALIGNMENT, (const void *)a, (const void *)b, (void *)c);
    wg_status status = wg_cuda_use(index);
    cudaStream_t stream = NULL;
    if (status == WG_OK) status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    const float one = 1.0f, zero = 0.0f;
    WG_CUBLAS_TRY(cublasLtMatmul(g->handle, g->desc, &one, b, g->a, a, g->b, &zero, c, g->c, c,
                                 g->c, &g->algo, g->workspace, g->workspace_bytes, stream),
                  "cublasLtMatmul (%s) on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64
                  ")", wg_lt_epilogue_name(g->epilogue), index, g->m, g->n, g->k);
    (void)cudaGetLastError();
    return WG_OK;
}
