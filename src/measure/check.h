/*
 * check.h - the library's own use of the float64 check of check.c: one element's error,
 * so a check over every element (measure_op.c) and a sampled one measure the same thing.
 */
#ifndef WG_CHECK_INTERNAL_H
#define WG_CHECK_INTERNAL_H

#include "whygpu.h"

/* |c_ij - alpha sum_p a_ip b_pj| / (|alpha| sum_p |a_ip b_pj|) in float64, for host args
 * as in wg_gemm_sampled_error; infinite when c_ij is NaN. */
double wg_gemm_element_error(const wg_gemm_args *args, int64_t i, int64_t j);

#endif /* WG_CHECK_INTERNAL_H */
