/*
 * gemm.cl - the matmul ladder on OpenCL: row-major SGEMM, C = alpha op(A) op(B) + beta C,
 * any m, n, k >= 1. Built once per (TRANS_A, TRANS_B) pair: the transposes are compile-time
 * constants, so each kernel reads its operands with plain indexing. beta == 0 never reads
 * C (NaN in C does not leak). Pointers are (buffer, element offset) pairs.
 *
 * Each rung is one step from the one before; see wg_ocl_rung_summary in opencl_gemm.c.
 */

#ifndef TRANS_A
#define TRANS_A 0
#endif
#ifndef TRANS_B
#define TRANS_B 0
#endif

/* op(A)(i, p) and op(B)(p, j) of the stored matrices. */
#if TRANS_A
#define A_AT(i, p) a[(long)(p) * lda + (i)]
#else
#define A_AT(i, p) a[(long)(i) * lda + (p)]
#endif
#if TRANS_B
#define B_AT(p, j) b[(long)(j) * ldb + (p)]
#else
#define B_AT(p, j) b[(long)(p) * ldb + (j)]
#endif

#define GEMM_ARGS                                                                      \
    int m, int n, int k, float alpha, float beta, global const float *a, ulong a_off,  \
        long lda, global const float *b, ulong b_off, long ldb, global float *c,       \
        ulong c_off, long ldc

#define GEMM_OFFSETS \
    a += a_off;      \
    b += b_off;      \
    c += c_off

/* c = alpha * acc + beta * c, without reading c when beta == 0. */
inline void store_c(global float *c, long at, float acc, float alpha, float beta)
{
    c[at] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c[at];
}

/* 1. naive: one work-item per output; dimension 0 (the fastest-varying work-item index)
 * runs down a column of C, so neighbouring work-items read A and write C a row apart. */
kernel void wg_gemm_naive(GEMM_ARGS)
{
    GEMM_OFFSETS;
    const int i = get_global_id(0), j = get_global_id(1);
    if (i >= m || j >= n) return;
    float acc = 0.0f;
    for (int p = 0; p < k; p++) acc += A_AT(i, p) * B_AT(p, j);
    store_c(c, (long)i * ldc + j, acc, alpha, beta);
}

/* 2. coalesced: the same with dimension 0 along a row of C: neighbouring work-items read
 * neighbouring floats of B and write neighbouring floats of C. */
kernel void wg_gemm_coalesced(GEMM_ARGS)
{
    GEMM_OFFSETS;
    const int j = get_global_id(0), i = get_global_id(1);
    if (i >= m || j >= n) return;
    float acc = 0.0f;
    for (int p = 0; p < k; p++) acc += A_AT(i, p) * B_AT(p, j);
    store_c(c, (long)i * ldc + j, acc, alpha, beta);
}

/* 3. local tiles: a 16 x 16 work-group loads 16 x 16 tiles of A and B into local memory
 * once and each work-item reads them 16 times there: global traffic / 16. */
#define T3 16
kernel __attribute__((reqd_work_group_size(T3, T3, 1))) void wg_gemm_local_tiles(GEMM_ARGS)
{
    GEMM_OFFSETS;
    local float as[T3][T3 + 1]; /* as[row][p]; +1 avoids bank conflicts on column reads */
    local float bs[T3][T3];     /* bs[p][col] */
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int j = get_group_id(0) * T3 + tx, i = get_group_id(1) * T3 + ty;
    float acc = 0.0f;
    for (int p0 = 0; p0 < k; p0 += T3) {
        as[ty][tx] = i < m && p0 + tx < k ? A_AT(i, p0 + tx) : 0.0f;
        bs[ty][tx] = p0 + ty < k && j < n ? B_AT(p0 + ty, j) : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = 0; q < T3; q++) acc += as[ty][q] * bs[q][tx];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i < m && j < n) store_c(c, (long)i * ldc + j, acc, alpha, beta);
}

/* 4. register blocking: a 64 x 64 tile of C per work-group of 64 x 4; each work-item keeps
 * 16 outputs of one column in registers, so one local read of B serves 16 multiply-adds. */
#define T4 64  /* tile rows and columns */
#define K4 16  /* depth of a tile step */
#define W4 16  /* outputs per work-item (rows ty, ty + 4, ...) */
#define R4 4   /* work-group rows */
kernel __attribute__((reqd_work_group_size(T4, R4, 1))) void wg_gemm_regblock(GEMM_ARGS)
{
    GEMM_OFFSETS;
    local float as[K4][T4]; /* as[p][row] */
    local float bs[K4][T4]; /* bs[p][col] */
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int lid = ty * T4 + tx;
    const int i0 = get_group_id(1) * T4, j0 = get_group_id(0) * T4;
    float acc[W4];
    for (int r = 0; r < W4; r++) acc[r] = 0.0f;
    for (int p0 = 0; p0 < k; p0 += K4) {
        for (int e = lid; e < K4 * T4; e += T4 * R4) {
            /* A tile: 64 rows x 16 p; B tile: 16 p x 64 columns */
            const int ar = e / K4, ap = e % K4;
            const int bp = e / T4, bc = e % T4;
            as[ap][ar] = i0 + ar < m && p0 + ap < k ? A_AT(i0 + ar, p0 + ap) : 0.0f;
            bs[bp][bc] = p0 + bp < k && j0 + bc < n ? B_AT(p0 + bp, j0 + bc) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = 0; q < K4; q++) {
            const float bv = bs[q][tx];
            for (int r = 0; r < W4; r++) acc[r] += as[q][ty + R4 * r] * bv;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const int j = j0 + tx;
    if (j < n)
        for (int r = 0; r < W4; r++) {
            const int i = i0 + ty + R4 * r;
            if (i < m) store_c(c, (long)i * ldc + j, acc[r], alpha, beta);
        }
}

/* 5. vectorised 2-D register tiles. Two forms, one reason: feed many multiply-adds per
 * load from the fastest memory the device has.
 *
 * GPUs (WG_STAGE_LOCAL): a 64 x 64 tile per 16 x 16 work-group, staged in local memory as
 * in rung 4; each work-item keeps a 4 x 4 block in registers and reads local memory with
 * float4 loads (4 + 4 loads per 16 multiply-adds instead of 1 + 16).
 *
 * CPU drivers (PoCL): local memory is ordinary cached memory, so the tiles come straight
 * from the caches. Each work-item keeps a WG_RM x (2 WG_VW) block of C in WG_RM x 2 vector
 * registers (WG_VW = the device's preferred float vector width, 16 on AVX-512): per step
 * of k, two vector loads of B and WG_RM broadcasts of A feed 2 WG_RM vector multiply-adds.
 * A work-group is a column of such blocks sharing one panel of B, walked in slices of
 * WG_KC rows with a barrier after each slice: a CPU driver runs a group as a loop over
 * its work-items between barriers, so each slice is reused by every work-item of the
 * group while it is in L1/L2 (the K-blocking of a CPU GEMM, obtained from a barrier). */
#ifndef WG_STAGE_LOCAL
#ifdef WG_CPU_DEVICE
#define WG_STAGE_LOCAL 0
#else
#define WG_STAGE_LOCAL 1
#endif
#endif

#if WG_STAGE_LOCAL
#define T5 64
#define K5 16
kernel __attribute__((reqd_work_group_size(16, 16, 1))) void wg_gemm_vector_tiles(GEMM_ARGS)
{
    GEMM_OFFSETS;
    local float as[K5][T5]; /* as[p][row] */
    local float bs[K5][T5]; /* bs[p][col] */
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int lid = ty * 16 + tx;
    const int i0 = get_group_id(1) * T5, j0 = get_group_id(0) * T5;
    float4 acc[4] = {(float4)(0.0f), (float4)(0.0f), (float4)(0.0f), (float4)(0.0f)};
    for (int p0 = 0; p0 < k; p0 += K5) {
        for (int e = lid; e < K5 * T5; e += 256) {
#if TRANS_A
            const int ap = e / T5, ar = e % T5; /* stored k x m: rows of A^T are contiguous */
#else
            const int ar = e / K5, ap = e % K5;
#endif
#if TRANS_B
            const int bc = e / K5, bp = e % K5;
#else
            const int bp = e / T5, bc = e % T5;
#endif
            as[ap][ar] = i0 + ar < m && p0 + ap < k ? A_AT(i0 + ar, p0 + ap) : 0.0f;
            bs[bp][bc] = p0 + bp < k && j0 + bc < n ? B_AT(p0 + bp, j0 + bc) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = 0; q < K5; q++) {
            const float4 av = vload4(ty, as[q]);
            const float4 bv = vload4(tx, bs[q]);
            acc[0] = mad(av.s0, bv, acc[0]);
            acc[1] = mad(av.s1, bv, acc[1]);
            acc[2] = mad(av.s2, bv, acc[2]);
            acc[3] = mad(av.s3, bv, acc[3]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int r = 0; r < 4; r++) {
        const int i = i0 + 4 * ty + r;
        const float v[4] = {acc[r].s0, acc[r].s1, acc[r].s2, acc[r].s3};
        for (int s = 0; s < 4; s++) {
            const int j = j0 + 4 * tx + s;
            if (i < m && j < n) store_c(c, (long)i * ldc + j, v[s], alpha, beta);
        }
    }
}
#else /* CPU drivers */

#ifndef WG_VW
#define WG_VW 16
#endif
#ifndef WG_RM
#define WG_RM 8
#endif
#if WG_VW == 16
#define floatV float16
#define vloadV vload16
#define vstoreV vstore16
#elif WG_VW == 8
#define floatV float8
#define vloadV vload8
#define vstoreV vstore8
#else
#define floatV float4
#define vloadV vload4
#define vstoreV vstore4
#endif
#define NB5 (2 * WG_VW) /* columns of a block */

/* A block at the edge of C, with every index checked (scalar; rare at large sizes). */
inline void edge_block(int m, int n, int k, float alpha, float beta, global const float *a,
                       long lda, global const float *b, long ldb, global float *c, long ldc,
                       int i0, int j0)
{
    for (int r = 0; r < WG_RM && i0 + r < m; r++)
        for (int s = 0; s < NB5 && j0 + s < n; s++) {
            float acc = 0.0f;
            for (int p = 0; p < k; p++) acc = mad(A_AT(i0 + r, p), B_AT(p, j0 + s), acc);
            store_c(c, (long)(i0 + r) * ldc + j0 + s, acc, alpha, beta);
        }
}

#ifndef WG_KC
#define WG_KC 256
#endif

kernel void wg_gemm_vector_tiles(GEMM_ARGS)
{
    GEMM_OFFSETS;
    const int i0 = get_global_id(0) * WG_RM, j0 = get_global_id(1) * NB5;
    /* Interior blocks take the vector path; blocks at the edge of C (and work-items past
     * it) only keep step with the group's barriers, and edge blocks are done after. */
    const int interior = i0 + WG_RM <= m && j0 + NB5 <= n;
    floatV acc0[WG_RM], acc1[WG_RM];
    for (int r = 0; r < WG_RM; r++) acc0[r] = acc1[r] = (floatV)(0.0f);
    for (int p0 = 0; p0 < k; p0 += WG_KC) {
        const int p1 = min(k, p0 + WG_KC);
        if (interior)
            for (int p = p0; p < p1; p++) {
#if TRANS_B
                floatV b0, b1;
                for (int s = 0; s < WG_VW; s++) {
                    ((float *)&b0)[s] = B_AT(p, j0 + s);
                    ((float *)&b1)[s] = B_AT(p, j0 + WG_VW + s);
                }
#else
                const floatV b0 = vloadV(0, b + (long)p * ldb + j0);
                const floatV b1 = vloadV(0, b + (long)p * ldb + j0 + WG_VW);
#endif
                for (int r = 0; r < WG_RM; r++) {
                    const float av = A_AT(i0 + r, p);
                    acc0[r] = mad((floatV)(av), b0, acc0[r]);
                    acc1[r] = mad((floatV)(av), b1, acc1[r]);
                }
            }
        /* Every work-item of the group finishes this slice of k before any starts the
         * next: on a CPU driver the group runs as a loop over its work-items, so the
         * slice of the B panel (WG_KC rows) is reused from L1/L2 by all of them instead of
         * the whole panel being walked once per work-item. */
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    if (!interior) {
        if (i0 < m && j0 < n) edge_block(m, n, k, alpha, beta, a, lda, b, ldb, c, ldc, i0, j0);
        return;
    }
    for (int r = 0; r < WG_RM; r++) {
        global float *row = c + (long)(i0 + r) * ldc + j0;
        if (beta == 0.0f) {
            vstoreV(alpha * acc0[r], 0, row);
            vstoreV(alpha * acc1[r], 0, row + WG_VW);
        } else {
            vstoreV(alpha * acc0[r] + beta * vloadV(0, row), 0, row);
            vstoreV(alpha * acc1[r] + beta * vloadV(0, row + WG_VW), 0, row + WG_VW);
        }
    }
}
#endif
