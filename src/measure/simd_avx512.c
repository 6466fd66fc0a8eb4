/* simd_avx512.c - the measurement loops compiled for AVX-512 (16-float vectors). Chosen at
 * run time only on CPUs whose cpuid reports AVX-512F. */
#include "simd_kernels.h"

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx2,fma")
#define SIMD_VECTOR_BYTES 64
#include <immintrin.h>
#define SIMD_NT_STORE(p, v) _mm512_stream_ps((p), (__m512)(v))
#define SIMD_NT_FENCE() _mm_sfence()
#include "simd_kernels.inc"

const wg_measure_simd wg_measure_simd_avx512 = SIMD_MEASURE_TABLE(WG_CPU_ISA_AVX512);
#endif
