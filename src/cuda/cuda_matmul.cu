/*
 * cuda_matmul.cu - the CUDA matrix products, row-major SGEMM C = alpha op(A) op(B) + beta C
 * (see wg_gemm_args), from the plainest kernel to cuBLAS, so that the steps between them
 * can be measured:
 *
 *   reference  one thread per output element, a plain loop over k
 *   tiled      the classic shared-memory tiled kernel (32x32 tiles)
 *   cublas     cublasSgemm in plain FP32 (AUTO is the same)
 *
 * All take 64-bit sizes; the two hand-written kernels loop over the grid, so any m and n
 * fit in a legal launch. Launches are checked but not waited for.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "cuda_backend.h"
#include "cuda_check.h"

#define WG_TILE 32               /* tiled kernel: tile edge, and its block is TILE x TILE */
#define WG_REF_BLOCK_X 32        /* reference kernel: a warp spans 32 columns of C ... */
#define WG_REF_BLOCK_Y 8         /* ... and a block 8 rows */
#define WG_MAX_GRID_X 2147483647 /* CUDA's limits on grid dimensions */
#define WG_MAX_GRID_Y 65535
#define WG_MAX_CUBLAS_DEVICES 64

/* ---------------------------------------------------------------- kernels --------- */

/* Element (i, p) of op(A) and (p, j) of op(B), row-major with leading dimensions. */
static __device__ __forceinline__ float op_a(const wg_gemm_args &g, int64_t i, int64_t p)
{
    return g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
}
static __device__ __forceinline__ float op_b(const wg_gemm_args &g, int64_t p, int64_t j)
{
    return g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
}

/* C = alpha acc + beta C, with beta == 0 never reading C (it may hold NaN). */
static __device__ __forceinline__ void store_c(const wg_gemm_args &g, int64_t i, int64_t j,
                                               float acc)
{
    float *c = g.c + i * g.ldc + j;
    *c = g.beta == 0.0f ? g.alpha * acc : g.alpha * acc + g.beta * *c;
}

/* Reference: thread (x, y) computes C[row, col] with a plain loop over k. threadIdx.x runs
 * along the columns, so in each step a warp reads 32 consecutive floats of one row of B
 * (one coalesced 128-byte load) and one float of A that all its threads share (a
 * broadcast). It is correct and simple, but slow: every multiply-add needs two loads from
 * global memory (at best from L1/L2), so it does ~1 FMA per 8 bytes moved and is bound by
 * memory traffic, not arithmetic; the same A and B values are fetched again by every
 * thread that needs them. */
static __global__ void matmul_reference_kernel(const wg_gemm_args g)
{
    const int64_t row_stride = (int64_t)gridDim.y * blockDim.y;
    const int64_t col_stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t row = (int64_t)blockIdx.y * blockDim.y + threadIdx.y; row < g.m;
         row += row_stride) {
        for (int64_t col = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; col < g.n;
             col += col_stride) {
            float acc = 0.0f;
            for (int64_t p = 0; p < g.k; ++p) acc += op_a(g, row, p) * op_b(g, p, col);
            store_c(g, row, col, acc);
        }
    }
}

/* Tiled: a 32x32 block of threads computes a 32x32 tile of C. It walks along k one
 * 32-wide step at a time; each step, the block loads a 32x32 tile of A and one of B into
 * shared memory (each thread one float of each, coalesced), waits, and then every thread
 * does 32 multiply-adds reading only shared memory. Each value loaded from global memory
 * is so used 32 times, cutting global traffic 32-fold against the reference kernel:
 * faster, but still well short of cuBLAS, because each FMA still needs two shared-memory
 * loads (A's is a broadcast, B's is conflict-free), each thread computes only one output
 * (no register blocking), and it uses no asynchronous copies or tensor-core-era tricks.
 * Tiles hanging over the edge of A or B are padded with zeros, so any m, n, k >= 1 work.
 * The loops over tiles of C are block-uniform, so every thread reaches __syncthreads(). */
static __global__ void __launch_bounds__(WG_TILE *WG_TILE) matmul_tiled_kernel(const wg_gemm_args g)
{
    __shared__ float a_tile[WG_TILE][WG_TILE];
    __shared__ float b_tile[WG_TILE][WG_TILE + 1]; /* +1: transposed loads stay conflict-free */
    const int tx = (int)threadIdx.x; /* column within the tile */
    const int ty = (int)threadIdx.y; /* row within the tile */

    for (int64_t row0 = (int64_t)blockIdx.y * WG_TILE; row0 < g.m;
         row0 += (int64_t)gridDim.y * WG_TILE) {
        for (int64_t col0 = (int64_t)blockIdx.x * WG_TILE; col0 < g.n;
             col0 += (int64_t)gridDim.x * WG_TILE) {
            const int64_t row = row0 + ty;
            const int64_t col = col0 + tx;
            float acc = 0.0f;
            for (int64_t p0 = 0; p0 < g.k; p0 += WG_TILE) {
                /* op(A)[row, p0 + tx] and op(B)[p0 + ty, col], or 0 outside the matrices */
                a_tile[ty][tx] = (row < g.m && p0 + tx < g.k) ? op_a(g, row, p0 + tx) : 0.0f;
                b_tile[ty][tx] = (p0 + ty < g.k && col < g.n) ? op_b(g, p0 + ty, col) : 0.0f;
                __syncthreads();
#pragma unroll
                for (int p = 0; p < WG_TILE; ++p) acc += a_tile[ty][p] * b_tile[p][tx];
                __syncthreads(); /* before the next step overwrites the tiles */
            }
            if (row < g.m && col < g.n) store_c(g, row, col, acc);
        }
    }
}

/* ---------------------------------------------------------------- cuBLAS ---------- */

/* One handle per device, made on first use and kept for the life of the process (a
 * handle is bound to the device that was current when it was created). */
static cublasHandle_t cublas_handles[WG_MAX_CUBLAS_DEVICES];
static pthread_mutex_t cublas_lock = PTHREAD_MUTEX_INITIALIZER;

/* Makes the handle of device `index` (already current). */
static wg_status create_cublas_handle(int index, cublasHandle_t *out)
{
    cublasHandle_t handle = NULL;
    cublasStatus_t st = cublasCreate(&handle);
    if (st != CUBLAS_STATUS_SUCCESS)
        return wg_cublas_fail(st, "creating the cuBLAS handle for cuda:%d (cublasCreate)",
                              index);
    /* Plain FP32: no TF32 tensor cores, whatever the library's default becomes. */
    st = cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH);
    if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST);
    if (st == CUBLAS_STATUS_SUCCESS) st = cublasSetStream(handle, 0);
    if (st != CUBLAS_STATUS_SUCCESS) {
        (void)cublasDestroy(handle);
        return wg_cublas_fail(st, "setting up the cuBLAS handle for cuda:%d (FP32 math, "
                              "default stream)", index);
    }
    *out = handle;
    return WG_OK;
}

/* The cached handle of device `index` (already current), created on first use. */
static wg_status get_cublas_handle(int index, cublasHandle_t *out)
{
    if (index < 0 || index >= WG_MAX_CUBLAS_DEVICES)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d: cuBLAS is supported on cuda:0 to cuda:%d "
                       "only", index, WG_MAX_CUBLAS_DEVICES - 1);
    if (pthread_mutex_lock(&cublas_lock) != 0)
        return wg_fail(WG_ERR_BACKEND, "cuda:%d: could not lock the cuBLAS handle table",
                       index);
    wg_status status = WG_OK;
    if (!cublas_handles[index]) status = create_cublas_handle(index, &cublas_handles[index]);
    *out = cublas_handles[index];
    (void)pthread_mutex_unlock(&cublas_lock);
    return status;
}

/* Row-major C = op(A) . op(B) is column-major C^T = op(B)^T . op(A)^T: with column-major
 * eyes a stored row-major matrix is its own transpose, so one cuBLAS call with the operands
 * in the order B, A, m and n swapped, the same transpose flags and the same leading
 * dimensions. */
static wg_status gemm_cublas(int index, const wg_gemm_args *g)
{
    cublasHandle_t handle = NULL;
    wg_status status = get_cublas_handle(index, &handle);
    if (status != WG_OK) return status;
    const cublasOperation_t op_a = g->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    if (g->m <= INT_MAX && g->n <= INT_MAX && g->k <= INT_MAX && g->lda <= INT_MAX &&
        g->ldb <= INT_MAX && g->ldc <= INT_MAX) {
        WG_CUBLAS_TRY(cublasSgemm(handle, op_b, op_a, (int)g->n, (int)g->m, (int)g->k,
                                  &g->alpha, g->b, (int)g->ldb, g->a, (int)g->lda, &g->beta,
                                  g->c, (int)g->ldc),
                      "cublasSgemm on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")",
                      index, g->m, g->n, g->k);
    } else {
        WG_CUBLAS_TRY(cublasSgemm_64(handle, op_b, op_a, g->n, g->m, g->k, &g->alpha, g->b,
                                     g->ldb, g->a, g->lda, &g->beta, g->c, g->ldc),
                      "cublasSgemm_64 on cuda:%d (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64
                      ")",
                      index, g->m, g->n, g->k);
    }
    /* cuBLAS reports its own launch failures (CUBLAS_STATUS_EXECUTION_FAILED); a runtime
     * error it tolerated internally must not be blamed on our next kernel launch. */
    (void)cudaGetLastError();
    return WG_OK;
}

/* ---------------------------------------------------------------- entry ----------- */

static unsigned grid_dim(int64_t items, int64_t per_block, int64_t limit)
{
    const int64_t blocks = items / per_block + (items % per_block != 0);
    return (unsigned)(blocks < limit ? blocks : limit);
}

wg_status wg_cuda_gemm(int index, wg_matmul_kernel kernel, const wg_gemm_args *g)
{
    if (!g || !g->a || !g->b || !g->c)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_gemm: NULL pointer");
    if (g->m < 1 || g->n < 1 || g->k < 1)
        return wg_fail(WG_ERR_ARGUMENT,
                       "cuda:%d gemm: sizes must be >= 1 (m=%" PRId64 ", n=%" PRId64
                       ", k=%" PRId64 ")",
                       index, g->m, g->n, g->k);
    if (kernel != WG_MATMUL_AUTO && kernel != WG_MATMUL_REFERENCE &&
        kernel != WG_MATMUL_TILED && kernel != WG_MATMUL_CUBLAS)
        return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d gemm: unknown kernel %d", index,
                       (int)kernel);
    wg_status status = wg_cuda_use(index);
    if (status != WG_OK) return status;

    switch (kernel) {
    case WG_MATMUL_REFERENCE: {
        const dim3 block(WG_REF_BLOCK_X, WG_REF_BLOCK_Y);
        const dim3 grid(grid_dim(g->n, WG_REF_BLOCK_X, WG_MAX_GRID_X),
                        grid_dim(g->m, WG_REF_BLOCK_Y, WG_MAX_GRID_Y));
        matmul_reference_kernel<<<grid, block>>>(*g);
        WG_CUDA_LAUNCH_CHECK("launching the reference matmul kernel on cuda:%d (m=%" PRId64
                             ", n=%" PRId64 ", k=%" PRId64 ", grid %ux%u)",
                             index, g->m, g->n, g->k, grid.x, grid.y);
        return WG_OK;
    }
    case WG_MATMUL_TILED: {
        const dim3 block(WG_TILE, WG_TILE);
        const dim3 grid(grid_dim(g->n, WG_TILE, WG_MAX_GRID_X),
                        grid_dim(g->m, WG_TILE, WG_MAX_GRID_Y));
        matmul_tiled_kernel<<<grid, block>>>(*g);
        WG_CUDA_LAUNCH_CHECK("launching the tiled matmul kernel on cuda:%d (m=%" PRId64
                             ", n=%" PRId64 ", k=%" PRId64 ", grid %ux%u)",
                             index, g->m, g->n, g->k, grid.x, grid.y);
        return WG_OK;
    }
    case WG_MATMUL_AUTO:
    case WG_MATMUL_CUBLAS:
        return gemm_cublas(index, g);
    }
    return wg_fail(WG_ERR_UNSUPPORTED, "cuda:%d gemm: unknown kernel %d", index, (int)kernel);
}
