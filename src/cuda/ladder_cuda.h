/*
 * ladder_cuda.h - the C interface of the matmul ladder's CUDA side (src/cuda/ladder_*.cu),
 * called by the CUDA kernel registry (src/cuda_kernels.c), which has already checked the
 * arguments and made the plan. The arguments are as the kernel reads them: for rungs 7-10,
 * a and b point at K-major copies (wg_gemm_prepare: A m x k, B n x k), BF16 for rungs 8
 * and 9, and lda, ldb count their elements.
 */
#ifndef WG_LADDER_CUDA_H
#define WG_LADDER_CUDA_H

#include "../ladder.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Launches the rung of `plan` on cuda:index (made current here); checked, not waited for. */
wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                const wg_gemm_args *args);

/* Frees a copy made by wg_cuda_ladder_copy. */
void wg_cuda_ladder_free(int index, void *ptr);

/* Rung 6's tile variant for cuda:index (its tuning table, ladder_tuning.c), chosen once
 * per device and process. */
wg_status wg_cuda_ladder6_variant(int index, int *variant);
/* Allocates on cuda:index the copy of op(X) (rows x cols of the stored matrix src, leading
 * dimension src_ld, transposed first when `transpose`) with leading dimension dst_ld, as
 * BF16 (rounded to nearest even) when `bf16`, else FP32; padding columns are zero. src holds
 * bfloat16 elements when `src_bf16` (then `bf16` must be set: the copy is exact). Waits for
 * the copy. The K-major inputs of rungs 7-10 and cuBLAS TF32/BF16 (wg_cuda_gemm_prepare). */
wg_status wg_cuda_ladder_copy(int index, const float *src, int src_bf16, int64_t rows,
                              int64_t cols, int64_t src_ld, int transpose, int bf16,
                              int64_t dst_ld, void **out);

/* One launcher per rung (ladder_N_*.cu); the device is already current. */
wg_status wg_ladder_launch_1(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_2(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_3(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_4(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_5(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_6(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_7(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_8(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_9(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_10(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_11(const wg_ladder_plan *plan, const wg_gemm_args *ops);

#ifdef __cplusplus
}
#endif

#endif /* WG_LADDER_CUDA_H */
