/*
 * matmul_check.h - the result check of `whygpu ladder` and `whygpu matmul`: C against a
 * float64 reference, as a Frobenius relative error ||C - R|| / ||R||, over every element
 * when m*n*k is small enough and over a fixed sample of elements otherwise (the four
 * corners, the first element past the last full 128x128 tile, then pseudo-random ones),
 * plus a count of the elements of C that are not finite (C is poisoned with NaN before
 * the checked run, so an unwritten element shows up there).
 */
#ifndef WG_MATMUL_CHECK_H
#define WG_MATMUL_CHECK_H

#include <stdint.h>

#include "whygpu.h"

/* Products with m*n*k up to this are checked in full (1024^3: about a second on 2 cores). */
#define MATMUL_CHECK_FULL_LIMIT ((int64_t)1 << 30)
#define MATMUL_CHECK_SAMPLES 1024

typedef struct matmul_reference {
    int64_t count;   /* positions checked */
    int full;        /* 1: every element of C */
    int64_t *row, *col;
    double *value;   /* alpha * op(A) op(B) at each position, in float64 (beta is 0) */
} matmul_reference;

/* Computes the reference of C = alpha op(A) op(B) for host matrices a and b (stored with
 * lda, ldb as in wg_gemm_args). WG_ERR_NO_MEMORY if the arrays cannot be allocated. */
wg_status matmul_reference_make(const wg_gemm_args *host_args, uint64_t seed,
                                matmul_reference *out);
void matmul_reference_free(matmul_reference *ref);

typedef struct matmul_check_result {
    double relative_error;   /* Frobenius, over the reference's positions; inf if NaN */
    int64_t not_finite;      /* elements of the whole m x n C that are NaN or infinite */
} matmul_check_result;

/* Checks host C (m x n, leading dimension ldc) against the reference. */
void matmul_check(const matmul_reference *ref, const float *c, int64_t m, int64_t n,
                  int64_t ldc, matmul_check_result *out);

#endif /* WG_MATMUL_CHECK_H */
