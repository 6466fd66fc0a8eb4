/*
 * ladder_cuda.h - the C interface of the matmul ladder's CUDA side (src/cuda/ladder_*.cu),
 * called by src/ladder.c, which has already checked the rung, the sizes and the plan.
 */
#ifndef WG_LADDER_CUDA_H
#define WG_LADDER_CUDA_H

#include "../ladder.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Launches the rung of `plan` on cuda:index (made current here); checked, not waited for. */
wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                const wg_ladder_operands *ops);

/* The cuBLAS reference of a precision on the same operands (A and B in BF16 for BF16). */
wg_status wg_cuda_ladder_cublas(int index, wg_ladder_precision precision,
                                const wg_ladder_operands *ops);

/* Allocates rows x dst_ld BF16 values on cuda:index and fills them with the stored
 * rows x cols float matrix src (leading dimension src_ld) rounded to nearest even; the
 * padding columns cols .. dst_ld-1 are zero. Waits for the conversion. */
wg_status wg_cuda_ladder_to_bf16(int index, const float *src, int64_t rows, int64_t cols,
                                 int64_t src_ld, int64_t dst_ld, void **out);
void wg_cuda_ladder_free(int index, void *ptr);

/* One launcher per rung (ladder_N_*.cu); the device is already current. */
wg_status wg_ladder_launch_1(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_2(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_3(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_4(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_5(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_6(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_7(const wg_ladder_plan *plan, const wg_ladder_operands *ops);
wg_status wg_ladder_launch_8(const wg_ladder_plan *plan, const wg_ladder_operands *ops);

#ifdef __cplusplus
}
#endif

#endif /* WG_LADDER_CUDA_H */
