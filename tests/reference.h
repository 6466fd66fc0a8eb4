/*
 * reference.h - float64 references and comparison helpers shared by the tests.
 */
#ifndef WG_TEST_REFERENCE_H
#define WG_TEST_REFERENCE_H

#include <stdint.h>

/* Fresh random floats in [-1, 1) from a seed (not the library's generator). */
void ref_random(float *dst, int64_t n, uint64_t seed);

/* c[m,n] = a[m,k] . b[k,n] in float64. */
void ref_matmul(const float *a, const float *b, double *c, int64_t m, int64_t n, int64_t k);

/* want[m,n] (dense) = alpha op(a) op(b) + beta c0 in float64, with the row-major layout and
 * leading dimensions of wg_gemm_args; beta == 0 ignores c0 (it may hold NaN). */
void ref_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
              const float *a, int64_t lda, const float *b, int64_t ldb, double beta,
              const float *c0, int64_t ldc, double *want);

/* Frobenius-norm relative error ||got - want|| / ||want||; NaN in got gives +inf. */
double ref_relative_error(const float *got, const double *want, int64_t n);

/* Fills with NaN, so an output that is not fully written is caught. */
void ref_poison(float *dst, int64_t n);

/* A GEMM's C (m x n, leading dimension ldc) before the call: NaN everywhere for beta == 0
 * (it must be overwritten, not multiplied by 0), else random values from `seed` with NaN
 * in the leading-dimension padding (which must stay untouched). */
void ref_gemm_c_init(float *c, int64_t m, int64_t n, int64_t ldc, float beta, uint64_t seed);

/* Copies C's m x n values into got (dense); 1 when its padding still holds only NaN. */
int ref_gemm_c_take(const float *c, int64_t m, int64_t n, int64_t ldc, float *got);

#endif
