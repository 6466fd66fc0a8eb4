/* simd_avx2.c - the measurement loops compiled for AVX2 + FMA (8-float vectors). Chosen at
 * run time only on CPUs whose cpuid reports both. */
#include "simd_kernels.h"

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx2,fma")
#define SIMD_VECTOR_BYTES 32
#include <immintrin.h>
#define SIMD_NT_STORE(p, v) _mm256_stream_ps((p), (__m256)(v))
#define SIMD_NT_FENCE() _mm_sfence()
#include "simd_kernels.inc"

const wg_measure_simd wg_measure_simd_avx2 = SIMD_MEASURE_TABLE(WG_CPU_ISA_AVX2);
#endif
