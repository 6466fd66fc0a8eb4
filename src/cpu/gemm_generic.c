/* gemm_generic.c - the packed GEMM in portable C: 16-byte vectors (SSE2 on any x86-64, NEON
 * on ARM, or scalar code where the compiler has none) in a 4 x 8 register tile. */
#define GEMM_VECTOR_BYTES 16
#define GEMM_MR 4
#define GEMM_NV 2
#define GEMM_FN wg_gemm_packed_generic
#define GEMM_TILE wg_gemm_tile_generic
#include "gemm_packed.inc"
