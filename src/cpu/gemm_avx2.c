/* gemm_avx2.c - the blocked matmul compiled for AVX2+FMA (8-float vectors, 6x16 tile).
 * Chosen at run time only on CPUs whose cpuid reports AVX2 and FMA. */
#include "gemm_kernels.h"

#ifdef WG_GEMM_HAVE_X86_KERNELS
#pragma GCC target("avx2,fma")
#define GEMM_VECTOR_BYTES 32
#define GEMM_BLOCK_FN wg_gemm_block_avx2
#include "gemm_blocked.inc"
#endif
