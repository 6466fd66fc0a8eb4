/* gemm_avx512.c - the blocked matmul compiled for AVX-512 (16-float vectors, 6x32 tile).
 * Chosen at run time only on CPUs whose cpuid reports AVX-512F. */
#include "gemm_kernels.h"

#ifdef WG_GEMM_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define GEMM_VECTOR_BYTES 64
#define GEMM_BLOCK_FN wg_gemm_block_avx512
#include "gemm_blocked.inc"
#endif
