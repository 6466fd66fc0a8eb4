/*
 * gemm_kernels.h - the per-instruction-set blocked matmul kernels (gemm_blocked.inc,
 * compiled once per ISA by gemm_avx512.c, gemm_avx2.c and gemm_generic.c).
 *
 * Each computes one block of C = A . B over the whole k range, row-major with leading
 * dimensions; the caller (cpu_matmul.c) splits C into blocks across threads and picks the
 * ISA at run time from cpuid.
 */
#ifndef WG_GEMM_KERNELS_H
#define WG_GEMM_KERNELS_H

#include <stdint.h>

/* Rows and columns of C handled by one OpenMP task: multiples of every kernel's tile. */
#define WG_GEMM_BLOCK_ROWS 96
#define WG_GEMM_BLOCK_COLS 512

typedef void (*wg_gemm_block_fn)(const float *a, int64_t lda, const float *b, int64_t ldb,
                                 float *c, int64_t ldc, int64_t rows, int64_t cols, int64_t k);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WG_GEMM_HAVE_X86_KERNELS 1
void wg_gemm_block_avx512(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                          int64_t ldc, int64_t rows, int64_t cols, int64_t k);
void wg_gemm_block_avx2(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                        int64_t ldc, int64_t rows, int64_t cols, int64_t k);
#endif
void wg_gemm_block_generic(const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                           int64_t ldc, int64_t rows, int64_t cols, int64_t k);

#endif /* WG_GEMM_KERNELS_H */
