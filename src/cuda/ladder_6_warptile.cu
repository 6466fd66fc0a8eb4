/*
 * ladder_6_warptile.cu - rung 6 of the matmul ladder: warp tiling and a multi-stage
 * cp.async pipeline, several blocks per SM.
 *
 * What changes from rung 5:
 *  - Pipelining: STAGES (3-4) shared-memory buffers per operand in a ring. While the block
 *    computes on tile t, the copies of tiles t+1 .. t+STAGES-1 are in flight, so load
 *    latency hides behind arithmetic; one __syncthreads per k-tile guards the ring.
 *  - Warp tiling: each warp owns a WM x WN piece of the block's tile; a thread's 8x8
 *    outputs are four 4x4 blocks WM/2 rows and WN/2 columns apart, so the lanes of a warp
 *    read contiguous 16-byte runs of the shared tiles (broadcasts, no bank conflicts).
 *  - Occupancy: __launch_bounds__(NT, MIN_BLOCKS) caps the registers (168 for three
 *    128-thread blocks), so several blocks share an SM and one block's barrier or wait
 *    does not idle the SM. Everything inside the k-loop is 32-bit offsets and pointer
 *    bumps.
 *  - Loads: everything goes by cp.async, so no staging registers compete with the 64
 *    accumulators under the 128-register cap. The operand stored along x (B as stored, A
 *    transposed) is copied 16 bytes at a time (4-byte copies where unaligned). The operand
 *    stored along k (A as stored, B transposed) must be transposed into S[k][x]: 4-byte
 *    copies whose lanes cover 16 rows x 2 column groups of a warp, so the 32 stores of an
 *    instruction hit 32 banks (conflict-free) and each pair of lanes reads one 32-byte
 *    sector.
 *  - Interior tiles (inside m and n, k a multiple of BK) take a path without bounds tests
 *    on loads and on the C stores; edge tiles test and zero-fill.
 * Tile shapes are template parameters; WG_L6_VARIANTS (ladder.h) lists the compiled set and
 * the tuning table (src/ladder_tuning.c) picks one per GPU.
 * Reason it exploits: parallelism in time (copy and compute overlap, several blocks per SM)
 * and shared memory (conflict-free, warp-local reads and transposing stores).
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): FFMA issue-bound with ~85% FFMA in the k-loop
 * and the blocks of an SM hiding each other's barriers: about 43 TFLOP/s at n = 4096 and 45 at
 * 8192 (~83-87% of cuBLAS FP32 pedantic at ~52).
 */
#include "../error.h"
#include "ladder_common.cuh"

namespace {

/* The loader of one operand for one k-tile. op(X)[x][p] for x in [x0, x0 + BX) and p in
 * [k0, k0 + BK) goes to S[p * LDS + x - x0]. K_CONTIG: X stored along k (transposed on
 * the way, through registers); otherwise stored along x (cp.async). */
template <int BK, int BX, int NT, bool K_CONTIG> struct tile_loader {
    static constexpr int LDS = BX + 4; /* 16-byte rows; for K_CONTIG LDS % 32 == 4 */
    static constexpr int GROUPS = BX * BK / 4;
    static constexpr int NG = GROUPS / NT; /* 4-float groups per thread */
    static_assert(GROUPS % NT == 0 && NG >= 1, "the threads must tile the block");
    static_assert(!K_CONTIG || (BX % 32 == 0 && BK % 8 == 0 && NT % 32 == 0),
                  "the conflict-free transposing layout needs BX % 32 == 0, BK % 8 == 0");
    static_assert(K_CONTIG || (NT % (BX / 4) == 0), "whole rows of groups per pass");
    /* K_CONTIG: a warp's 32 groups cover 16 rows x 2 column groups; the next warp the
     * next column pair, then the next 16 rows. Otherwise: rows of BX/4 groups. */
    static constexpr int CPAIRS = BK / 8;
    static constexpr int ROW_STEP = K_CONTIG ? (NT / 32 / CPAIRS) * 16 : NT / (BX / 4);

    const float *src; /* the thread's first element of the current k-tile */
    int row_step;     /* ROW_STEP stored rows, in elements (32-bit) */
    int bump;         /* elements from one k-tile to the next (32-bit) */
    int r, c;         /* the thread's first group in the stored block (row, column) */
    int x_left;       /* the block's extent along x inside the matrix */

    __device__ __forceinline__ tile_loader(const float *X, int ld, int x0, int x_ext, int tid)
    {
        if (K_CONTIG) {
            const int chunk = tid / 32, lane = tid % 32;
            r = (chunk / CPAIRS) * 16 + lane / 2;
            c = ((chunk % CPAIRS) * 2 + lane % 2) * 4;
            src = X + (int64_t)(x0 + r) * ld + c;
            bump = BK;
        } else {
            r = tid / (BX / 4);
            c = (tid % (BX / 4)) * 4;
            src = X + (int64_t)r * ld + x0 + c;
            bump = BK * ld;
        }
        x_left = x_ext - x0 < BX ? x_ext - x0 : BX;
        row_step = ROW_STEP * ld;
    }

    /* Starts the copies of one k-tile into S; k_left = k - k0 (only EDGE looks at it). */
    template <bool EDGE>
    __device__ __forceinline__ void start(float *S, bool vec, int k_left)
    {
        if (K_CONTIG) { /* 4-byte copies, transposed: a warp's 32 stores hit 32 banks */
            const int kc = EDGE ? (k_left < BK ? k_left : BK) : BK;
#pragma unroll
            for (int it = 0; it < NG; ++it) {
                const float *p = src + it * row_step;
                float *d = S + c * LDS + r + it * ROW_STEP;
                const bool row_in = !EDGE || r + it * ROW_STEP < x_left;
#pragma unroll
                for (int q = 0; q < 4; ++q) {
                    const bool in = row_in && (!EDGE || c + q < kc);
                    cp_async_4(d + q * LDS, in ? p + q : p, in ? 4 : 0);
                }
            }
        } else {
#pragma unroll
            for (int it = 0; it < NG; ++it) {
                const float *p = src + it * row_step;
                float *d = S + (r + it * ROW_STEP) * LDS + c;
                const bool row_in = !EDGE || r + it * ROW_STEP < k_left;
                if (vec && (!EDGE || (row_in && c + 4 <= x_left))) {
                    cp_async_16(d, p);
                } else {
#pragma unroll
                    for (int q = 0; q < 4; ++q) {
                        const bool in = row_in && (!EDGE || c + q < x_left);
                        cp_async_4(d + q, in ? p + q : p - c, in ? 4 : 0);
                    }
                }
            }
        }
        src += bump;
    }
};

/* Shared memory of one block, in bytes. */
template <int BM, int BN, int BK, int STAGES> constexpr int smem_bytes()
{
    return STAGES * BK * ((BM + 4) + (BN + 4)) * (int)sizeof(float);
}

/* The k-loop and epilogue of one BM x BN tile of C at (row0, col0). EDGE: the tile
 * crosses m or n, or k is not a multiple of BK: loads and stores test bounds. */
template <int BM, int BN, int BK, int WM, int WN, int STAGES, int NT, bool TA, bool TB,
          bool EDGE>
__device__ __forceinline__ void warptile_tile(const wg_gemm_args &g, float *smem, int row0,
                                              int col0, bool vec_a, bool vec_b, bool vec_c,
                                              int tid)
{
    typedef tile_loader<BK, BM, NT, !TA> loader_a;
    typedef tile_loader<BK, BN, NT, TB> loader_b;
    constexpr int LDS_A = loader_a::LDS, LDS_B = loader_b::LDS;
    constexpr int TILE_A = BK * LDS_A, TILE_B = BK * LDS_B;
    constexpr int LANES_N = WN / 8, LANES_M = 32 / LANES_N; /* lanes across and down */
    static_assert(LANES_N * LANES_M == 32 && WM == 8 * LANES_M, "8x8 outputs per lane");
    float *a_ring = smem, *b_ring = smem + STAGES * TILE_A;

    const int warp = tid / 32, lane = tid % 32;
    const int warp_row = (warp / (BN / WN)) * WM, warp_col = (warp % (BN / WN)) * WN;
    const int lane_row = (lane / LANES_N) * 4, lane_col = (lane % LANES_N) * 4;
    const int a_off = warp_row + lane_row, b_off = warp_col + lane_col;

    const int m = (int)g.m, n = (int)g.n, k = (int)g.k; /* < 2^31: wg_ladder_launch_6 */
    loader_a la(static_cast<const float *>(g.a), (int)g.lda, row0, m, tid);
    loader_b lb(static_cast<const float *>(g.b), (int)g.ldb, col0, n, tid);
    const int steps = (k + BK - 1) / BK;

    /* Prologue: tiles 0 .. STAGES-2, one commit group each (empty ones too, so that the
     * wait count below is the same in every iteration). */
#pragma unroll
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < steps) {
            la.template start<EDGE>(a_ring + s * TILE_A, vec_a, k - s * BK);
            lb.template start<EDGE>(b_ring + s * TILE_B, vec_b, k - s * BK);
        }
        cp_async_commit();
    }

    float acc[8][8] = {};
    int read = 0, write = STAGES - 1; /* ring slots of tile s and tile s + STAGES - 1 */
    for (int s = 0; s < steps; ++s) {
        cp_async_wait<STAGES - 2>(); /* this thread's copies of tile s have landed */
        __syncthreads(); /* ... everyone's; and slot `write` (tile s-1) is free again */
        const bool more = s + STAGES - 1 < steps;
        const int k_left = k - (s + STAGES - 1) * BK;
        if (more) {
            la.template start<EDGE>(a_ring + write * TILE_A, vec_a, k_left);
            lb.template start<EDGE>(b_ring + write * TILE_B, vec_b, k_left);
        }
        cp_async_commit();

        const float *a_tile = a_ring + read * TILE_A + a_off;
        const float *b_tile = b_ring + read * TILE_B + b_off;
#pragma unroll
        for (int p = 0; p < BK; ++p) {
            const float4 a0 = *reinterpret_cast<const float4 *>(a_tile + p * LDS_A);
            const float4 a1 = *reinterpret_cast<const float4 *>(a_tile + p * LDS_A + WM / 2);
            const float4 b0 = *reinterpret_cast<const float4 *>(b_tile + p * LDS_B);
            const float4 b1 = *reinterpret_cast<const float4 *>(b_tile + p * LDS_B + WN / 2);
            const float a_reg[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float b_reg[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; ++i)
#pragma unroll
                for (int j = 0; j < 8; ++j) acc[i][j] += a_reg[i] * b_reg[j];
        }

        read = read + 1 == STAGES ? 0 : read + 1;
        write = write + 1 == STAGES ? 0 : write + 1;
    }
    cp_async_wait<0>();
    __syncthreads(); /* the ring is reused by this block's next tile */

    /* Epilogue: rows a_off + {0..3, WM/2 + 0..3}, columns b_off + {0..3, WN/2 + 0..3}. */
    const int ldc = (int)g.ldc;
    float *c_base = g.c + (int64_t)(row0 + a_off) * ldc + col0 + b_off;
    const int rows_left = (m - row0 < BM ? m - row0 : BM) - a_off;
    const int cols_left = (n - col0 < BN ? n - col0 : BN) - b_off;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        const int ri = i < 4 ? i : WM / 2 + i - 4;
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int cj = h * (WN / 2);
            float *cp = c_base + ri * ldc + cj;
            const float *v = &acc[i][4 * h];
            if (!EDGE && vec_c) { /* whole aligned row of 4 */
                float4 out = make_float4(g.alpha * v[0], g.alpha * v[1], g.alpha * v[2],
                                         g.alpha * v[3]);
                if (g.beta != 0.0f) {
                    const float4 old = *reinterpret_cast<const float4 *>(cp);
                    out.x += g.beta * old.x; out.y += g.beta * old.y;
                    out.z += g.beta * old.z; out.w += g.beta * old.w;
                }
                *reinterpret_cast<float4 *>(cp) = out;
            } else {
#pragma unroll
                for (int q = 0; q < 4; ++q)
                    if (!EDGE || (ri < rows_left && cj + q < cols_left))
                        cp[q] = g.beta == 0.0f ? g.alpha * v[q] : g.alpha * v[q] + g.beta * cp[q];
            }
        }
    }
}

template <int BM, int BN, int BK, int WM, int WN, int STAGES, int MIN_BLOCKS, bool TA, bool TB>
__global__ void __launch_bounds__((BM / WM) * (BN / WN) * 32, MIN_BLOCKS)
    ladder_warptile_kernel(const wg_gemm_args g, int vec_a, int vec_b, int vec_c)
{
    constexpr int NT = (BM / WM) * (BN / WN) * 32;
    WG_LADDER_DYNAMIC_SMEM(smem);
    const int tid = (int)threadIdx.x;
    const int tiles_m = (int)((g.m + BM - 1) / BM), tiles_n = (int)((g.n + BN - 1) / BN);
    const bool k_whole = g.k % BK == 0;
    for (int tm = (int)blockIdx.y; tm < tiles_m; tm += (int)gridDim.y) {
        for (int tn = (int)blockIdx.x; tn < tiles_n; tn += (int)gridDim.x) {
            const int row0 = tm * BM, col0 = tn * BN;
            if (k_whole && row0 + BM <= g.m && col0 + BN <= g.n)
                warptile_tile<BM, BN, BK, WM, WN, STAGES, NT, TA, TB, false>(
                    g, smem, row0, col0, vec_a != 0, vec_b != 0, vec_c != 0, tid);
            else
                warptile_tile<BM, BN, BK, WM, WN, STAGES, NT, TA, TB, true>(
                    g, smem, row0, col0, vec_a != 0, vec_b != 0, vec_c != 0, tid);
        }
    }
}

/* Launches variant <BM, BN, ...> with the grid of its own tile shape. */
template <int BM, int BN, int BK, int WM, int WN, int STAGES, int MIN_BLOCKS>
struct variant_launcher {
    template <bool TA, bool TB>
    static wg_status launch(const wg_ladder_plan *plan, const wg_gemm_args *ops)
    {
        void (*kernel)(const wg_gemm_args, int, int, int) =
            ladder_warptile_kernel<BM, BN, BK, WM, WN, STAGES, MIN_BLOCKS, TA, TB>;
        constexpr int NT = (BM / WM) * (BN / WN) * 32;
        constexpr int SMEM = smem_bytes<BM, BN, BK, STAGES>();
#ifndef WG_LADDER_EMULATE
        cudaError_t err = cudaFuncSetAttribute(
            kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, SMEM);
        if (err != cudaSuccess)
            return wg_cuda_fail(err, "ladder rung 6: asking for %d bytes of shared memory "
                                "for variant %dx%dx%d with %d stages", SMEM, BM, BN, BK,
                                STAGES);
#endif
        const int vec_c = wg_ladder_vector_ok(ops->c, ops->ldc, 4);
        WG_LADDER_LAUNCH_SMEM(kernel, dim3(plan->grid_x, plan->grid_y), dim3(NT), SMEM, *ops,
                              plan->vec_a, plan->vec_b, vec_c);
        return WG_OK;
    }
    static wg_status run(const wg_ladder_plan *plan, const wg_gemm_args *ops)
    {
        return WG_LADDER_DISPATCH_TRANSPOSES(ops, launch, plan, ops);
    }
};

} // namespace

extern "C" wg_status wg_ladder_launch_6(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    /* 32-bit offsets inside a tile: ld times the tile's rows must fit in an int. */
    const int64_t ld_max = (ops->lda > ops->ldb ? ops->lda : ops->ldb) > ops->ldc
                               ? (ops->lda > ops->ldb ? ops->lda : ops->ldb)
                               : ops->ldc;
    if (ld_max > INT32_MAX / 256 || ops->m > INT32_MAX / 2 || ops->n > INT32_MAX / 2 ||
        ops->k > INT32_MAX / 2)
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung 6: leading dimension %" PRId64
                       " or size too large for its 32-bit offsets (at most %d)", ld_max,
                       INT32_MAX / 256);
    wg_status status = WG_ERR_ARGUMENT;
    switch (plan->variant) {
#define WG_L6_CASE(index, name, bm, bn, bk, wm, wn, stages, min_blocks)                   \
    case index: status = variant_launcher<bm, bn, bk, wm, wn, stages, min_blocks>::run(plan, ops); break;
        WG_L6_VARIANTS(WG_L6_CASE)
#undef WG_L6_CASE
    default:
        return wg_fail(WG_ERR_ARGUMENT, "ladder rung 6: no variant %d", plan->variant);
    }
    if (status != WG_OK) return status;
    WG_LADDER_LAUNCH_CHECK(6, plan, ops);
    return WG_OK;
}

#ifndef WG_LADDER_EMULATE
/* The variant for cuda:index, chosen once per device and process (wg_ladder6_choose on
 * the device's name and SM count), so timing loops do not pay for it. */
extern "C" wg_status wg_cuda_ladder6_variant(int index, int *variant)
{
    static int chosen[64]; /* variant + 1; 0: not chosen yet */
    if (index >= 0 && index < 64 && chosen[index] > 0) {
        *variant = chosen[index] - 1;
        return WG_OK;
    }
    cudaDeviceProp prop;
    cudaError_t err = cudaGetDeviceProperties(&prop, index);
    if (err != cudaSuccess)
        return wg_cuda_fail(err, "reading the properties of cuda:%d for rung 6's tuning", index);
    wg_status status = wg_ladder6_choose(prop.name, prop.multiProcessorCount, variant);
    if (status != WG_OK) return status;
    if (index >= 0 && index < 64) chosen[index] = *variant + 1;
    return WG_OK;
}
#endif
