/*
 * ladder_common.cuh - device helpers the ladder's kernels share (included by the
 * ladder_N_*.cu files only): the epilogue that writes C, the loops over the tiles of C,
 * the tile loaders that stage A and B in shared memory, cp.async wrappers, and the
 * launch check and transpose dispatch.
 *
 * Conventions. op(A) is m x k and op(B) is k x n (wg_gemm_args). A stored matrix X is
 * row-major with leading dimension ld. For a tile loader, "x" is the dimension of op(X)
 * that is not k (the rows of op(A), the columns of op(B)); op(X)[x][p] is stored either
 * as X[x * ld + p] (K_CONTIG: contiguous along k: A as stored, B transposed) or as
 * X[p * ld + x] (contiguous along x: A transposed, B as stored).
 */
#ifndef WG_LADDER_COMMON_CUH
#define WG_LADDER_COMMON_CUH

#include <inttypes.h>
#include <stdint.h>

#include "../ladder.h"
#include "ladder_cuda.h"
#ifndef WG_LADDER_EMULATE
#include "cuda_check.h"
/* Launches kernel on grid x block threads. (The host emulator of tests/emulate/ runs the
 * same kernels on CPU threads to check their indexing without a GPU; it defines this, the
 * cp.async helpers, WG_CUDA_LAUNCH_CHECK and the CUDA built-ins itself.) */
#define WG_LADDER_LAUNCH(kernel, grid, block, ...) kernel<<<(grid), (block)>>>(__VA_ARGS__)
/* The same with `smem` bytes of dynamic shared memory, which a kernel names with
 * WG_LADDER_DYNAMIC_SMEM(name) (a float array; above 48 KiB the launcher must raise
 * cudaFuncAttributeMaxDynamicSharedMemorySize first). */
#define WG_LADDER_LAUNCH_SMEM(kernel, grid, block, smem, ...)                              \
    kernel<<<(grid), (block), (smem)>>>(__VA_ARGS__)
#define WG_LADDER_DYNAMIC_SMEM(name) extern __shared__ __align__(16) float name[]
#endif

/* C[i][j] = alpha acc + beta C[i][j] for (i, j) inside C; beta == 0 never reads C (it
 * may hold NaN). */
static __device__ __forceinline__ void ladder_store(const wg_gemm_args &g, int64_t i,
                                                    int64_t j, float acc)
{
    if (i < g.m && j < g.n) {
        float *c = g.c + i * g.ldc + j;
        *c = g.beta == 0.0f ? g.alpha * acc : g.alpha * acc + g.beta * *c;
    }
}

/* Element (i, p) of op(A) and (p, j) of op(B), FP32 operands (rungs 1-3). */
static __device__ __forceinline__ float ladder_op_a(const wg_gemm_args &g, int64_t i,
                                                    int64_t p)
{
    const float *a = static_cast<const float *>(g.a);
    return g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p];
}
static __device__ __forceinline__ float ladder_op_b(const wg_gemm_args &g, int64_t p,
                                                    int64_t j)
{
    const float *b = static_cast<const float *>(g.b);
    return g.trans_b ? b[j * g.ldb + p] : b[p * g.ldb + j];
}

/* Number of BxB tiles along an extent. */
static __device__ __forceinline__ int64_t ladder_tiles(int64_t extent, int tile)
{
    return (extent + tile - 1) / tile;
}

/* ---------------------------------------------------------------- loaders --------- */

/* Synchronous loader (rungs 4 and 5): fills the BK x BX tile S[kk * LDS + xx] with
 * op(X)[x0 + xx][k0 + kk], zero outside x < x_ext, p < k_ext (the zero padding that lets
 * every edge tile run the same inner loop). NT threads share the work. It reads the stored
 * block row by row in groups of VW consecutive elements (coalesced whatever the
 * transpose); with VW == 4 and `vec` (the base and ld allow 16-byte alignment, see
 * wg_ladder_vector_ok) a full group is one float4 load, otherwise VW scalar loads. */
template <int BK, int BX, int LDS, int NT, int VW, bool K_CONTIG>
static __device__ __forceinline__ void load_tile_kx(float *S, const float *X, int64_t ld,
                                                    int64_t x0, int64_t k0, int64_t x_ext,
                                                    int64_t k_ext, bool vec, int tid)
{
    constexpr int ROWS = K_CONTIG ? BX : BK; /* stored rows in the block */
    constexpr int COLS = K_CONTIG ? BK : BX; /* stored columns: the contiguous direction */
    constexpr int GROUPS = ROWS * COLS / VW;
    static_assert(VW == 1 || VW == 4, "vector width 1 or 4 floats");
    static_assert(COLS % VW == 0 && GROUPS % NT == 0, "the threads must tile the block");
    static_assert(LDS % 4 == 0, "rows of S must stay 16-byte aligned");
    const int64_t row0 = K_CONTIG ? x0 : k0, col0 = K_CONTIG ? k0 : x0;
    const int64_t row_ext = K_CONTIG ? x_ext : k_ext, col_ext = K_CONTIG ? k_ext : x_ext;
#pragma unroll
    for (int it = 0; it < GROUPS / NT; ++it) {
        const int group = tid + it * NT;
        const int r = group / (COLS / VW);
        const int c = (group % (COLS / VW)) * VW;
        const int64_t gr = row0 + r, gc = col0 + c;
        float v[VW];
        bool loaded = false;
        if constexpr (VW == 4) {
            if (vec && gr < row_ext && gc + VW <= col_ext) {
                const float4 f = *reinterpret_cast<const float4 *>(X + gr * ld + gc);
                v[0] = f.x; v[1] = f.y; v[2] = f.z; v[3] = f.w;
                loaded = true;
            }
        }
        if (!loaded) {
#pragma unroll
            for (int q = 0; q < VW; ++q)
                v[q] = (gr < row_ext && gc + q < col_ext) ? X[gr * ld + gc + q] : 0.0f;
        }
        if constexpr (K_CONTIG) { /* stored along k: transpose into S[k][x] */
#pragma unroll
            for (int q = 0; q < VW; ++q) S[(c + q) * LDS + r] = v[q];
        } else if constexpr (VW == 4) { /* stored along x: one 16-byte store */
            *reinterpret_cast<float4 *>(S + r * LDS + c) = make_float4(v[0], v[1], v[2], v[3]);
        } else {
            S[r * LDS + c] = v[0];
        }
    }
}

#ifndef WG_LADDER_EMULATE
/* cp.async (sm_80+): copies from global to shared memory without passing through
 * registers, so a block can compute on one buffer while the next tile is in flight.
 * src_bytes < the copy size zero-fills the rest (0: all zeros, nothing is read). */
static __device__ __forceinline__ void cp_async_4(void *smem, const void *gmem, int src_bytes)
{
    const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(gmem),
                 "r"(src_bytes)
                 : "memory");
}
static __device__ __forceinline__ void cp_async_16(void *smem, const void *gmem)
{
    const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(gmem)
                 : "memory");
}
static __device__ __forceinline__ void cp_async_commit()
{
    asm volatile("cp.async.commit_group;\n" ::: "memory");
}
/* Waits until at most N of this thread's committed groups are still in flight. */
template <int N> static __device__ __forceinline__ void cp_async_wait()
{
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
#endif /* WG_LADDER_EMULATE */

/* Copies the ROWS x COLS block of the stored matrix X at (row0, col0) into S (leading
 * dimension LDS) unchanged in layout, zero outside row_ext x col_ext (rungs 7-8: WMMA reads
 * either layout, so nothing needs transposing). Whole aligned 16-byte groups go by cp.async;
 * edge or unaligned groups by plain loads and stores. */
template <typename T, int ROWS, int COLS, int LDS, int NT>
static __device__ __forceinline__ void copy_block_async(T *S, const T *X, int64_t ld,
                                                        int64_t row0, int64_t col0,
                                                        int64_t row_ext, int64_t col_ext,
                                                        bool vec, T zero, int tid)
{
    constexpr int VW = 16 / (int)sizeof(T);
    constexpr int GROUPS = ROWS * COLS / VW;
    static_assert(COLS % VW == 0 && GROUPS % NT == 0, "the threads must tile the block");
    static_assert((LDS * sizeof(T)) % 16 == 0, "rows of S must stay 16-byte aligned");
#pragma unroll
    for (int it = 0; it < GROUPS / NT; ++it) {
        const int group = tid + it * NT;
        const int r = group / (COLS / VW);
        const int c = (group % (COLS / VW)) * VW;
        const int64_t gr = row0 + r, gc = col0 + c;
        T *dst = S + r * LDS + c;
        if (vec && gr < row_ext && gc + VW <= col_ext) {
            cp_async_16(dst, X + gr * ld + gc);
        } else {
#pragma unroll
            for (int q = 0; q < VW; ++q)
                dst[q] = (gr < row_ext && gc + q < col_ext) ? X[gr * ld + gc + q] : zero;
        }
    }
}

/* ---------------------------------------------------------------- launching ------- */

/* Calls LAUNCH<TA, TB>() for the transposes of ops: four instantiations per kernel, so the
 * index arithmetic of each is fixed at compile time. */
#define WG_LADDER_DISPATCH_TRANSPOSES(ops, LAUNCH, ...)                                   \
    ((ops)->trans_a ? ((ops)->trans_b ? LAUNCH<true, true>(__VA_ARGS__)                   \
                                      : LAUNCH<true, false>(__VA_ARGS__))                 \
                    : ((ops)->trans_b ? LAUNCH<false, true>(__VA_ARGS__)                  \
                                      : LAUNCH<false, false>(__VA_ARGS__)))

/* Checks a launch of rung `rung` (bad configuration, no kernel image, ...). */
#define WG_LADDER_LAUNCH_CHECK(rung, plan, ops)                                           \
    WG_CUDA_LAUNCH_CHECK("launching ladder rung %d (m=%" PRId64 ", n=%" PRId64            \
                         ", k=%" PRId64 ", grid %ux%u, block %ux%u)",                     \
                         (rung), (ops)->m, (ops)->n, (ops)->k, (plan)->grid_x,            \
                         (plan)->grid_y, (plan)->block_x, (plan)->block_y)

#endif /* WG_LADDER_COMMON_CUH */
