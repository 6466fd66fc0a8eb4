/*
 * ladder_3_smem.cu - rung 3 of the matmul ladder: shared-memory tiling.
 *
 * What changes from rung 2: a 32x32 block of threads computes a 32x32 tile of C and walks
 * along k in steps of 32. Each step it copies a 32x32 tile of op(A) and one of op(B) into
 * shared memory (each thread one element of each, threadIdx.x along the stored rows, so
 * the loads are coalesced for every transpose), waits, and does 32 multiply-adds reading
 * only shared memory. Each value fetched from global memory is used 32 times instead of
 * once. Tiles over the edges of A and B are zero-padded, so any m, n, k work.
 * Reason it exploits: caches / shared memory - on-chip memory close to the cores.
 *
 * Prediction (H100 SXM, 67 TFLOP/s FP32): global traffic is no longer the limit, shared
 * memory is: every FMA still needs two shared-memory loads (A's a broadcast, B's a
 * conflict-free row), i.e. LSU-bound at ~1 FMA per 2 load slots, and one output per
 * thread leaves no instruction-level parallelism: about 7 TFLOP/s at n = 4096 and 8192
 * (12-14% of cuBLAS SGEMM); ~0.16 s a call at 8192.
 */
#include "ladder_common.cuh"

#define TILE WG_L3_TILE

static __global__ void __launch_bounds__(TILE *TILE) ladder_smem_kernel(const wg_gemm_args g)
{
    __shared__ float a_tile[TILE][TILE + 1]; /* a_tile[i][p] = op(A)[row0 + i][p0 + p] */
    __shared__ float b_tile[TILE][TILE + 1]; /* b_tile[p][j] = op(B)[p0 + p][col0 + j];
                                                +1: transposing stores stay conflict-free */
    const int tx = (int)threadIdx.x, ty = (int)threadIdx.y;
    const float *a = static_cast<const float *>(g.a);
    const float *b = static_cast<const float *>(g.b);
    const int64_t tiles_m = ladder_tiles(g.m, TILE), tiles_n = ladder_tiles(g.n, TILE);

    /* Block-uniform loops over the tiles of C (a capped grid loops), so every thread
     * reaches each __syncthreads(). */
    for (int64_t tm = blockIdx.y; tm < tiles_m; tm += gridDim.y) {
        for (int64_t tn = blockIdx.x; tn < tiles_n; tn += gridDim.x) {
            const int64_t row0 = tm * TILE, col0 = tn * TILE;
            float acc = 0.0f;
            for (int64_t p0 = 0; p0 < g.k; p0 += TILE) {
                if (!g.trans_a) { /* A stored m x k: thread reads A[row0 + ty][p0 + tx] */
                    const int64_t i = row0 + ty, p = p0 + tx;
                    a_tile[ty][tx] = (i < g.m && p < g.k) ? a[i * g.lda + p] : 0.0f;
                } else {          /* A stored k x m: thread reads A[p0 + ty][row0 + tx] */
                    const int64_t p = p0 + ty, i = row0 + tx;
                    a_tile[tx][ty] = (i < g.m && p < g.k) ? a[p * g.lda + i] : 0.0f;
                }
                if (!g.trans_b) { /* B stored k x n: thread reads B[p0 + ty][col0 + tx] */
                    const int64_t p = p0 + ty, j = col0 + tx;
                    b_tile[ty][tx] = (p < g.k && j < g.n) ? b[p * g.ldb + j] : 0.0f;
                } else {          /* B stored n x k: thread reads B[col0 + ty][p0 + tx] */
                    const int64_t j = col0 + ty, p = p0 + tx;
                    b_tile[tx][ty] = (p < g.k && j < g.n) ? b[j * g.ldb + p] : 0.0f;
                }
                __syncthreads();
#pragma unroll
                for (int p = 0; p < TILE; ++p) acc += a_tile[ty][p] * b_tile[p][tx];
                __syncthreads(); /* before the next step overwrites the tiles */
            }
            ladder_store(g, row0 + ty, col0 + tx, acc);
        }
    }
}

extern "C" wg_status wg_ladder_launch_3(const wg_ladder_plan *plan, const wg_gemm_args *ops)
{
    WG_LADDER_LAUNCH(ladder_smem_kernel, dim3(plan->grid_x, plan->grid_y),
                     dim3(plan->block_x, plan->block_y), *ops);
    WG_LADDER_LAUNCH_CHECK(3, plan, ops);
    return WG_OK;
}
