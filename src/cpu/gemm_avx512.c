/* gemm_avx512.c - the packed GEMM compiled for AVX-512: a 12 x 32 register tile (24 zmm
 * accumulators, two 16-float vectors of B and twelve broadcasts of A per k step), chosen
 * at run time only on CPUs whose cpuid reports AVX-512F and AVX-512VL. */
#include "gemm_kernels.h"

#ifdef WG_GEMM_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define GEMM_VECTOR_BYTES 64
#define GEMM_MR 12
#define GEMM_NV 2
#define GEMM_FN wg_gemm_packed_avx512
#define GEMM_TILE wg_gemm_tile_avx512
#include "gemm_packed.inc"
#endif
