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

const wg_gemm_microkernels wg_gemm_microkernels_generic = {
    .isa = WG_CPU_ISA_GENERIC,
    .tile = {GEMM_MR, GEMM_NR, GEMM_DOT_MAX_N, GEMM_SHALLOW_MAX_K},
    .pack_a = gemm_pack_a,
    .pack_b = gemm_pack_b,
    .tile_kernel = gemm_microkernel,
    .dot = gemm_dot,
    .shallow = gemm_shallow,
};
