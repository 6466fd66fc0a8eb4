/* gemm_avx2.c - the packed GEMM compiled for AVX2 + FMA: a 6 x 16 register tile (12 ymm
 * accumulators, two 8-float vectors of B and six broadcasts of A per k step, 15 of the 16
 * ymm registers), chosen at run time only on CPUs whose cpuid reports AVX2 and FMA. */
#include "gemm_kernels.h"

#ifdef WG_GEMM_HAVE_X86_KERNELS
#pragma GCC target("avx2,fma")
#define GEMM_VECTOR_BYTES 32
#define GEMM_MR 6
#define GEMM_NV 2
#define GEMM_FN wg_gemm_packed_avx2
#define GEMM_TILE wg_gemm_tile_avx2
#include "gemm_packed.inc"
#endif
