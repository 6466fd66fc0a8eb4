/* gemm_generic.c - the GEMM's pieces in portable C: 16-byte vectors (SSE2 on any x86-64,
 * NEON on ARM, or scalar code where the compiler has none) in a 4 x 8 register tile. */
#include "gemm_kernels.h"

#define GEMM_VECTOR_BYTES 16
#define GEMM_MR 4
#define GEMM_NV 2
#include "gemm_simd.inc"
#include "gemm_pack.inc"
#include "gemm_microkernel.inc"
#include "gemm_dot.inc"
#include "gemm_shallow.inc"

const wg_gemm_microkernels wg_gemm_microkernels_generic = GEMM_MICROKERNELS(WG_CPU_ISA_GENERIC);
