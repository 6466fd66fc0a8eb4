/* gemm_avx512.c - the GEMM's pieces compiled for AVX-512: a 12 x 32 register tile (24 zmm
 * accumulators, two 16-float vectors of B and twelve broadcasts of A per k step), chosen
 * at run time only on CPUs whose cpuid reports AVX-512F and AVX-512VL (cpu_isa.c). */
#include "gemm_kernels.h"

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define GEMM_VECTOR_BYTES 64
#define GEMM_MR 12
#define GEMM_NV 2
#include "gemm_simd.inc"
#include "gemm_pack.inc"
#include "gemm_microkernel.inc"
#include "gemm_dot.inc"
#include "gemm_shallow.inc"

const wg_gemm_microkernels wg_gemm_microkernels_avx512 = GEMM_MICROKERNELS(WG_CPU_ISA_AVX512);
#endif
