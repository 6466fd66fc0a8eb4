/*
 * lt_gemm.h - cuBLASLt products with a fused epilogue (cublaslt.cu), for the training
 * step's train --epilogue lt (src/nn/mlp_epilogue.c). A product's descriptors, layouts and
 * algorithm are made once (the heuristic asked once) and then run any number of times, on
 * the device's own stream with cuBLAS's workspace, so a run can be captured into a CUDA
 * graph. src/cuda_stub.c stands in for them in a build without CUDA.
 */
#ifndef WG_CUDA_LT_GEMM_H
#define WG_CUDA_LT_GEMM_H

#include <stdint.h>

#include "../nn/epilogue_plan.h"
#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pointers handed to a product must be aligned to this many bytes (the alignment the
 * heuristic is told to assume). */
#define WG_LT_MIN_ALIGNMENT 16

/* One float32 product C = op(A).op(B) in row-major terms (as wg_gemm_args; alpha 1, beta
 * 0) and its epilogue (epilogue_plan.h). For BIAS and RELU_AUX_BIAS `bias` is read (n
 * floats); for DRELU_BGRAD and BGRAD_B the bias gradient (n floats) is written there.
 * `aux` is ReLU's bit mask (written by RELU_AUX_BIAS, read by DRELU_BGRAD) with a leading
 * dimension of aux_ld bits (wg_lt_aux_ld(n)). */
typedef struct wg_lt_gemm_spec {
    int trans_a, trans_b;
    int64_t m, n, k, lda, ldb, ldc;
    wg_lt_epilogue epilogue;
    void *bias;
    void *aux;
    int64_t aux_ld;
} wg_lt_gemm_spec;

typedef struct wg_lt_gemm wg_lt_gemm;

/* Makes the product's descriptors and asks cuBLASLt's heuristic for its algorithm (once).
 * WG_ERR_UNSUPPORTED with the reason when cuBLASLt has no algorithm for it; WG_ERR_BACKEND
 * naming the cuBLASLt status when a call fails. */
wg_status wg_cuda_lt_gemm_create(int index, const wg_lt_gemm_spec *spec, wg_lt_gemm **out);
/* Queues the product on the device's stream (does not wait). a, b and c must be
 * WG_LT_MIN_ALIGNMENT-aligned. */
wg_status wg_cuda_lt_gemm_run(int index, const wg_lt_gemm *gemm, const float *a, const float *b,
                              float *c);
void wg_cuda_lt_gemm_free(wg_lt_gemm *gemm);

#ifdef __cplusplus
}
#endif

#endif /* WG_CUDA_LT_GEMM_H */
