/*
 * ladder_cuda.h - the C interface of the matmul ladder's CUDA side (src/cuda/ladder_*.cu),
 * called by the CUDA kernel registry (src/cuda_kernels.c), which has already checked the
 * arguments and made the plan. The arguments are as the kernel reads them: for rung 8, a
 * and b point at BF16 copies (wg_gemm_prepare) and lda, ldb count BF16 elements.
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

/* Allocates rows x dst_ld BF16 values on cuda:index and fills them with the stored
 * rows x cols float matrix src (leading dimension src_ld) rounded to nearest even; the
 * padding columns cols .. dst_ld-1 are zero. Waits for the conversion. */
wg_status wg_cuda_ladder_to_bf16(int index, const float *src, int64_t rows, int64_t cols,
                                 int64_t src_ld, int64_t dst_ld, void **out);
void wg_cuda_ladder_free(int index, void *ptr);

/* Rung 6's tile variant for cuda:index (its tuning table, ladder_tuning.c), chosen once
 * per device and process. */
wg_status wg_cuda_ladder6_variant(int index, int *variant);

/* One launcher per rung (ladder_N_*.cu); the device is already current. */
wg_status wg_ladder_launch_1(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_2(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_3(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_4(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_5(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_6(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_7(const wg_ladder_plan *plan, const wg_gemm_args *ops);
wg_status wg_ladder_launch_8(const wg_ladder_plan *plan, const wg_gemm_args *ops);

#ifdef __cplusplus
}
#endif

#endif /* WG_LADDER_CUDA_H */
