/*
 * ladder_wmma.cuh - the tensor-core kernel of rungs 7 (TF32) and 8 (BF16), one template
 * over the input type (included by ladder_7_tf32.cu and ladder_8_bf16.cu only).
 *
 * A block of 256 threads (8 warps) computes a 128x128 tile of C. Each warp owns a 64x32
 * piece of it: 4x2 WMMA accumulator fragments of 16x16 floats. Along k the block steps by
 * BK with two shared-memory buffers per operand filled by cp.async (as in rung 6), and
 * each step every warp loads 4 A fragments and 2 B fragments per k-slice and issues 8
 * tensor-core multiply-accumulates (mma_sync).
 *
 * Transposes cost nothing here: the tiles are copied into shared memory in the layout A
 * and B are stored in (so every copy is a plain 2-D block copy, 16 bytes at a time), and
 * the fragments are told that layout (wmma::row_major when stored as op(X), col_major when
 * stored transposed). The epilogue passes each accumulator through a per-warp 16x16
 * scratch in shared memory, so edge tiles are written element by element with guards and
 * alpha/beta applied (beta == 0 reads nothing of C).
 */
#ifndef WG_LADDER_WMMA_CUH
#define WG_LADDER_WMMA_CUH

#ifndef WG_LADDER_EMULATE
#include <cuda_bf16.h>
#include <mma.h>
#endif

#include <type_traits>

#include "ladder_common.cuh"

namespace wmma = nvcuda::wmma;

/* TF32: inputs are FP32 in memory and in shared memory; the fragments are rounded to TF32
 * (10-bit mantissa) after loading, as cuBLAS's TF32 mode does. 16x16x8 fragments. */
struct ladder_tf32 {
    typedef float element;
    typedef wmma::precision::tf32 fragment_type;
    static constexpr int k_step = 8;
    static __device__ __forceinline__ element zero() { return 0.0f; }
    template <typename Fragment> static __device__ __forceinline__ void round(Fragment &f)
    {
#pragma unroll
        for (int e = 0; e < f.num_elements; ++e) f.x[e] = wmma::__float_to_tf32(f.x[e]);
    }
};

/* BF16: inputs were converted to BF16 before the kernel (wg_gemm_prepare).
 * 16x16x16 fragments. */
struct ladder_bf16 {
    typedef __nv_bfloat16 element;
    typedef __nv_bfloat16 fragment_type;
    static constexpr int k_step = 16;
    static __device__ __forceinline__ element zero() { return __float2bfloat16_rn(0.0f); }
    template <typename Fragment> static __device__ __forceinline__ void round(Fragment &) {}
};

template <typename P, int BM, int BN, int BK, bool TA, bool TB> struct ladder_wmma_shape {
    typedef typename P::element T;
    static constexpr int pad = 16 / (int)sizeof(T); /* 16 bytes: rows stay aligned */
    /* A: op(A) tile is BM x BK; stored as is (BM rows of BK) or transposed (BK rows of BM). */
    static constexpr int a_rows = TA ? BK : BM, a_cols = TA ? BM : BK, a_ld = a_cols + pad;
    /* B: op(B) tile is BK x BN; stored as is (BK rows of BN) or transposed (BN rows of BK). */
    static constexpr int b_rows = TB ? BN : BK, b_cols = TB ? BK : BN, b_ld = b_cols + pad;
    static constexpr int a_size = a_rows * a_ld, b_size = b_rows * b_ld;
    static constexpr int stage = a_size + b_size; /* elements per pipeline buffer */
    static_assert((a_size * sizeof(T)) % 32 == 0 && (b_size * sizeof(T)) % 32 == 0,
                  "WMMA needs 32-byte aligned fragment pointers");
};

template <typename P, int BM, int BN, int BK, int NT, bool TA, bool TB>
static __device__ __forceinline__ void wmma_load_stage(typename P::element *stage,
                                                       const wg_gemm_args &g,
                                                       int64_t row0, int64_t col0, int64_t p0,
                                                       bool vec_a, bool vec_b, int tid)
{
    typedef ladder_wmma_shape<P, BM, BN, BK, TA, TB> S;
    typedef typename P::element T;
    const T *a = reinterpret_cast<const T *>(g.a);
    const T *b = reinterpret_cast<const T *>(g.b);
    if (TA) /* A stored k x m: rows p0.., columns row0.. */
        copy_block_async<T, S::a_rows, S::a_cols, S::a_ld, NT>(stage, a, g.lda, p0, row0, g.k,
                                                             g.m, vec_a, P::zero(), tid);
    else    /* A stored m x k: rows row0.., columns p0.. */
        copy_block_async<T, S::a_rows, S::a_cols, S::a_ld, NT>(stage, a, g.lda, row0, p0, g.m,
                                                             g.k, vec_a, P::zero(), tid);
    T *b_stage = stage + S::a_size;
    if (TB) /* B stored n x k: rows col0.., columns p0.. */
        copy_block_async<T, S::b_rows, S::b_cols, S::b_ld, NT>(b_stage, b, g.ldb, col0, p0,
                                                             g.n, g.k, vec_b, P::zero(), tid);
    else    /* B stored k x n: rows p0.., columns col0.. */
        copy_block_async<T, S::b_rows, S::b_cols, S::b_ld, NT>(b_stage, b, g.ldb, p0, col0,
                                                             g.k, g.n, vec_b, P::zero(), tid);
    cp_async_commit();
}

template <typename P, int BM, int BN, int BK, int NT, bool TA, bool TB>
static __global__ void __launch_bounds__(NT) ladder_wmma_kernel(const wg_gemm_args g,
                                                                int vec_a, int vec_b)
{
    typedef ladder_wmma_shape<P, BM, BN, BK, TA, TB> S;
    typedef typename P::element T;
    constexpr int KS = P::k_step;
    constexpr int WM = 64, WN = 32; /* warp tile: 4 x 2 fragments of 16x16 */
    static_assert((BM / WM) * (BN / WN) * 32 == NT, "one warp per warp tile");
    static_assert(BK % KS == 0, "BK must be a multiple of the fragment's k");
    static_assert(2 * S::stage * sizeof(T) >= NT / 32 * 256 * sizeof(float),
                  "the epilogue scratch must fit in the tile buffers");
    typedef typename std::conditional<TA, wmma::col_major, wmma::row_major>::type a_layout;
    typedef typename std::conditional<TB, wmma::col_major, wmma::row_major>::type b_layout;
    typedef wmma::fragment<wmma::matrix_a, 16, 16, KS, typename P::fragment_type, a_layout> a_frag_t;
    typedef wmma::fragment<wmma::matrix_b, 16, 16, KS, typename P::fragment_type, b_layout> b_frag_t;
    typedef wmma::fragment<wmma::accumulator, 16, 16, KS, float> c_frag_t;

    __shared__ __align__(128) T stages[2 * S::stage];
    const int tid = (int)threadIdx.x;
    const int warp = tid / 32, lane = tid % 32;
    const int warp_row = (warp / (BN / WN)) * WM;
    const int warp_col = (warp % (BN / WN)) * WN;
    const int64_t tiles_m = ladder_tiles(g.m, BM), tiles_n = ladder_tiles(g.n, BN);
    const int64_t steps = ladder_tiles(g.k, BK);

    for (int64_t tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
        for (int64_t tn = blockIdx.x; tn < tiles_n; tn += gridDim.x) {
            const int64_t row0 = tm * BM, col0 = tn * BN;
            c_frag_t acc[4][2];
#pragma unroll
            for (int fi = 0; fi < 4; ++fi)
#pragma unroll
                for (int fj = 0; fj < 2; ++fj) wmma::fill_fragment(acc[fi][fj], 0.0f);

            wmma_load_stage<P, BM, BN, BK, NT, TA, TB>(stages, g, row0, col0, 0, vec_a != 0,
                                                      vec_b != 0, tid);
            for (int64_t s = 0; s < steps; ++s) {
                const int buf = (int)(s & 1);
                if (s + 1 < steps) {
                    wmma_load_stage<P, BM, BN, BK, NT, TA, TB>(stages + (buf ^ 1) * S::stage, g,
                                                              row0, col0, (s + 1) * BK,
                                                              vec_a != 0, vec_b != 0, tid);
                    cp_async_wait<1>();
                } else {
                    cp_async_wait<0>();
                }
                __syncthreads();
                const T *a_tile = stages + buf * S::stage;
                const T *b_tile = a_tile + S::a_size;
#pragma unroll
                for (int kk = 0; kk < BK; kk += KS) {
                    a_frag_t a_frag[4];
                    b_frag_t b_frag[2];
#pragma unroll
                    for (int fi = 0; fi < 4; ++fi) {
                        const int i = warp_row + fi * 16;
                        const T *ptr = TA ? a_tile + kk * S::a_ld + i : a_tile + i * S::a_ld + kk;
                        wmma::load_matrix_sync(a_frag[fi], ptr, S::a_ld);
                        P::round(a_frag[fi]);
                    }
#pragma unroll
                    for (int fj = 0; fj < 2; ++fj) {
                        const int j = warp_col + fj * 16;
                        const T *ptr = TB ? b_tile + j * S::b_ld + kk : b_tile + kk * S::b_ld + j;
                        wmma::load_matrix_sync(b_frag[fj], ptr, S::b_ld);
                        P::round(b_frag[fj]);
                    }
#pragma unroll
                    for (int fi = 0; fi < 4; ++fi)
#pragma unroll
                        for (int fj = 0; fj < 2; ++fj)
                            wmma::mma_sync(acc[fi][fj], a_frag[fi], b_frag[fj], acc[fi][fj]);
                }
                __syncthreads(); /* buffer `buf` is free again (and, at the end, the scratch) */
            }
            /* Epilogue: each warp stages one 16x16 accumulator at a time in its own scratch
             * and writes it out with guards, alpha and beta. */
            float *scratch = reinterpret_cast<float *>(stages) + warp * 256;
#pragma unroll
            for (int fi = 0; fi < 4; ++fi) {
#pragma unroll
                for (int fj = 0; fj < 2; ++fj) {
                    wmma::store_matrix_sync(scratch, acc[fi][fj], 16, wmma::mem_row_major);
                    __syncwarp();
                    for (int e = lane; e < 256; e += 32) {
                        const int64_t i = row0 + warp_row + fi * 16 + e / 16;
                        const int64_t j = col0 + warp_col + fj * 16 + e % 16;
                        ladder_store(g, i, j, scratch[e]);
                    }
                    __syncwarp();
                }
            }
            __syncthreads(); /* the scratch is tile memory: free before the next tile's copies */
        }
    }
}

#endif /* WG_LADDER_WMMA_CUH */
