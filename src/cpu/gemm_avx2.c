/* gemm_avx2.c - the GEMM's pieces compiled for AVX2 + FMA: a 6 x 16 register tile (12 ymm
 * accumulators, two 8-float vectors of B and six broadcasts of A per k step, 15 of the 16
 * ymm registers), chosen at run time only on CPUs whose cpuid reports AVX2 and FMA
 * (cpu_isa.c). */
#include "gemm_kernels.h"

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx2,fma")
#define GEMM_VECTOR_BYTES 32
#define GEMM_MR 6
#define GEMM_NV 2
#include "gemm_simd.inc"
#include "gemm_pack.inc"
#include "gemm_microkernel.inc"
#include "gemm_dot.inc"
#include "gemm_shallow.inc"

const wg_gemm_microkernels wg_gemm_microkernels_avx2 = GEMM_MICROKERNELS(WG_CPU_ISA_AVX2);
#endif
