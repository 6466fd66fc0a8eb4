/*
 * gemm_avx512bf16.c - the bf16 GEMM's pieces for AVX512-BF16: a 12 x 32 tile of C in 24
 * zmm accumulators; each step takes a pair of k: two VNNI rows of B (16 columns x 2 k
 * each, gemm_bf16_pack.inc) and, per row of C, the row's pair of A broadcast as one dword,
 * for 24 vdpbf16ps (32 multiply-adds each: twice an fp32 FMA's). Packed A: the pair q of
 * row r at dword q * 12 + r, so each step's broadcasts read 48 contiguous bytes.
 */
#include "gemm_kernels.h"

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512bf16")
#include "gemm_bf16_pack.inc"

#define DP_MR 12

/* op(A)[i0 .. i0+12, p0 .. p0+kc] into dwords of pairs of k (see the top); rows past m and
 * k past kc are zero. */
static void dp_pack_a(const wg_gemm_args *g, int64_t i0, int64_t p0, int64_t kc, float *dst_f)
{
    uint32_t *dst = (uint32_t *)dst_f;
    const int is_bf16 = g->input_dtype == WG_DTYPE_BF16;
    const int64_t rows = bf16_min(DP_MR, g->m - i0);
    const int64_t pairs = (kc + BF16_KB - 1) / BF16_KB * (BF16_KB / 2);
    if (g->trans_a) { /* A(i, p) = a[p * lda + i]: two rows of k are one step */
        for (int64_t q = 0; q < pairs; q++) {
            const int64_t p = 2 * q;
            const __m512 lo = p < kc ? bf16_load16(g->a, is_bf16, (p0 + p) * g->lda + i0, rows)
                                     : _mm512_setzero_ps();
            const __m512 hi = p + 1 < kc
                                  ? bf16_load16(g->a, is_bf16, (p0 + p + 1) * g->lda + i0, rows)
                                  : _mm512_setzero_ps();
            _mm512_mask_storeu_epi32(dst + q * DP_MR, (__mmask16)((1u << DP_MR) - 1),
                                     bf16_interleave(hi, lo));
        }
        return;
    }
    /* A(i, p) = a[i * lda + p]: a row's 32 k are 16 pairs, one per step */
    for (int64_t r = 0; r < DP_MR; r++) {
        for (int64_t q0 = 0; q0 < pairs; q0 += 16) {
            uint32_t pair[16] = {0};
            if (r < rows) {
                const int64_t off = (i0 + r) * g->lda + p0 + 2 * q0;
                const int64_t count = kc - 2 * q0;
                _mm512_storeu_si512(pair, bf16_round2(bf16_load16(g->a, is_bf16, off + 16, count - 16),
                                                      bf16_load16(g->a, is_bf16, off, count)));
            }
            for (int q = 0; q < 16; q++) dst[(q0 + q) * DP_MR + r] = pair[q];
        }
    }
}

/* C[rows x cols] = alpha * (A panel . B panel) + beta * C for one 12 x 32 tile. */
static void dp_tile_kernel(int64_t kc, const float *a_f, const float *b_f, int64_t bs,
                           float *c, int64_t rs, int64_t cs, float alpha, float beta,
                           int64_t rows, int64_t cols, const float *a_next)
{
    (void)bs;
    const uint32_t *a = (const uint32_t *)a_f;
    const uint16_t *b = (const uint16_t *)b_f;
    const int64_t pairs = (kc + BF16_KB - 1) / BF16_KB * (BF16_KB / 2);
    __m512 acc[DP_MR][2];
    for (int r = 0; r < DP_MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    __builtin_prefetch(a_next, 0, 2);
    for (int64_t q = 0; q < pairs; q++) {
        const uint16_t *bq = b + (q >> 4) * 1024 + (q & 15) * 32;
        const __m512bh b0 = (__m512bh)_mm512_load_si512(bq);
        const __m512bh b1 = (__m512bh)_mm512_load_si512(bq + 512);
        const uint32_t *aq = a + q * DP_MR;
        for (int r = 0; r < DP_MR; r++) {
            const __m512bh av = (__m512bh)_mm512_set1_epi32((int)aq[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
        }
    }
    float out[DP_MR * BF16_NR] __attribute__((aligned(64)));
    for (int r = 0; r < DP_MR; r++) {
        _mm512_store_ps(out + r * BF16_NR, acc[r][0]);
        _mm512_store_ps(out + r * BF16_NR + 16, acc[r][1]);
    }
    bf16_update_c(out, BF16_NR, c, rs, cs, alpha, beta, rows, cols);
}

const wg_gemm_microkernels wg_gemm_microkernels_avx512_bf16 = {
    .isa = WG_CPU_ISA_AVX512,
    .tile = {DP_MR, BF16_NR, 0, 0},
    .pack_a = dp_pack_a,
    .pack_b = bf16_pack_b,
    .tile_kernel = dp_tile_kernel,
    .elem_bytes = 2,
    .k_pad = BF16_KB,
};
#endif
