/* simd_generic.c - the measurement loops for any CPU: 4-float vectors (SSE2 on x86-64, NEON
 * on Arm, scalar code elsewhere). On x86-64 there is no FMA instruction at this level, so
 * the FMA peak here is a multiply and an add per lane: still 2 flops, on different units. */
#define SIMD_VECTOR_BYTES 16
#include "simd_kernels.inc"

const wg_measure_simd wg_measure_simd_generic = SIMD_MEASURE_TABLE(WG_CPU_ISA_GENERIC);
