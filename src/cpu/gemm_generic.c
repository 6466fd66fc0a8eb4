/* gemm_generic.c - the blocked matmul for any CPU: 4-float vectors (SSE2 on x86-64, NEON on
 * Arm, scalar code elsewhere), 6x8 tile. */
#define GEMM_VECTOR_BYTES 16
#define GEMM_BLOCK_FN wg_gemm_block_generic
#include "gemm_blocked.inc"
