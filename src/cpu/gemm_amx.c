/*
 * gemm_amx.c - the bf16 GEMM's pieces for AMX-BF16, and the Linux permission AMX needs.
 *
 * A 32 x 32 tile of C lives in four 16 x 16 fp32 tile registers (tmm0-3) for a whole k
 * panel; each step of 32 k loads two 16 x 32 bf16 tiles of A (tmm4-5) and two VNNI tiles
 * of B (tmm6-7) and issues four tdpbf16ps, 16 x 16 x 32 multiply-adds each: every tile
 * loaded is used twice. Why it is fast: one tdpbf16ps does the work of 32 vdpbf16ps, so
 * the limit is the tile loads, which the blocking feeds from L1 (the A micro-panel, 32
 * rows x kc, sized to stay there while the loop streams B micro-panels past it from L2).
 * Tile registers are not renamed, so the k loop is software-pipelined: the products run in
 * the order that frees a B tile after the first two, and each tile's next load is issued
 * as soon as its last reader is, with the other products' time to arrive in.
 * Packed A: block (k/32, i/16) of 16 rows x 32 k at element ((k/32) * 2 + i/16) * 512, row
 * i%16 at word (i%16) * 32: what a tile load with a 64-byte stride reads. Packed B: the
 * VNNI layout of gemm_bf16_pack.inc. C tiles that need no scaling are loaded from and
 * stored to C directly; others go through a buffer and the vector update.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../error.h"
#include "gemm_kernels.h"

/* ---------------------------------------------------------------- permission ------ */

#if defined(__linux__) && defined(__x86_64__)
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static pthread_once_t permission_once = PTHREAD_ONCE_INIT;
static int permission_errno = -1; /* 0: granted */

static void request_permission(void)
{
    permission_errno = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0
                           ? 0
                           : errno;
}
#endif

wg_status wg_cpu_amx_permission(void)
{
    const char *deny = getenv("WHYGPU_AMX_DENY");
    if (deny && *deny && strcmp(deny, "0") != 0)
        return wg_fail(WG_ERR_UNSUPPORTED, "Linux refused the AMX tile state (pretended: "
                       "WHYGPU_AMX_DENY=%s)", deny);
#if defined(__linux__) && defined(__x86_64__)
    pthread_once(&permission_once, request_permission);
    if (permission_errno != 0)
        return wg_fail(WG_ERR_UNSUPPORTED, "Linux refused the AMX tile state: "
                       "arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) failed: %s",
                       strerror(permission_errno));
    return WG_OK;
#else
    return wg_fail(WG_ERR_UNSUPPORTED, "AMX needs Linux on x86-64 (its permission request "
                   "is arch_prctl)");
#endif
}

#ifdef WG_CPU_HAVE_X86_KERNELS
#pragma GCC target("avx512f,avx512vl,avx512bw,avx512bf16,amx-tile,amx-bf16")
#include "gemm_bf16_pack.inc"

#define AMX_MR 32

/* op(A)[i0 .. i0+32, p0 .. p0+kc] into the tile layout (see the top); rows past m and k
 * past kc are zero. */
static void amx_pack_a(const wg_gemm_args *g, int64_t i0, int64_t p0, int64_t kc, float *dst_f)
{
    uint16_t *dst = (uint16_t *)dst_f;
    const int is_bf16 = g->input_dtype == WG_DTYPE_BF16;
    const int64_t rows = bf16_min(AMX_MR, g->m - i0);
    const int64_t blocks = (kc + BF16_KB - 1) / BF16_KB;
    if (!g->trans_a) { /* A(i, p) = a[i * lda + p]: 32 k of a row are one tile row */
        for (int64_t r = 0; r < AMX_MR; r++) {
            for (int64_t kb = 0; kb < blocks; kb++) {
                uint16_t *d = dst + (kb * 2 + (r >> 4)) * 512 + (r & 15) * 32;
                if (r >= rows) {
                    _mm512_store_si512(d, _mm512_setzero_si512());
                    continue;
                }
                const int64_t off = (i0 + r) * g->lda + p0 + kb * BF16_KB;
                _mm512_store_si512(d, bf16_row32(g->a, is_bf16, off, kc - kb * BF16_KB));
            }
        }
        return;
    }
    /* A(i, p) = a[p * lda + i]: two rows of k give 16 rows' pairs of k, one dword each */
    for (int64_t q = 0; q < blocks * (BF16_KB / 2); q++) {
        for (int h = 0; h < 2; h++) {
            uint32_t pairs[16];
            _mm512_storeu_si512(pairs, bf16_pair_rows(g->a, is_bf16, g->lda, p0, 2 * q, kc,
                                                      i0 + 16 * h, rows - 16 * h));
            uint32_t *d = (uint32_t *)(dst + ((q >> 4) * 2 + h) * 512) + (q & 15);
            for (int r = 0; r < 16; r++) d[r * 16] = pairs[r];
        }
    }
}

/* The tile configuration: all eight tiles 16 rows of 64 bytes. */
typedef struct amx_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} amx_config;

/* In static storage, filled at compile time: GCC's _tile_loadconfig tells the compiler it
 * reads only the first 8 bytes, so the stores filling a local copy could be dropped. */
static const amx_config amx_tiles_16x64 __attribute__((aligned(64))) = {
    .palette = 1,
    .colsb = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, 16, 16, 16, 16},
};

static void amx_thread_begin(void) { _tile_loadconfig(&amx_tiles_16x64); }

static void amx_thread_end(void) { _tile_release(); }

/* C[rows x cols] = alpha * (A panel . B panel) + beta * C for one 32 x 32 tile of C. */
static void amx_tile_kernel(int64_t kc, const float *a_f, const float *b_f, int64_t bs,
                            float *c, int64_t rs, int64_t cs, float alpha, float beta,
                            int64_t rows, int64_t cols, const float *a_next_f)
{
    (void)bs;
    const uint16_t *a = (const uint16_t *)a_f, *b = (const uint16_t *)b_f;
    const char *a_next = (const char *)a_next_f;
    const int64_t blocks = (kc + BF16_KB - 1) / BF16_KB;
    const int64_t ldc_bytes = rs * (int64_t)sizeof(float);
    /* a full tile with alpha 1 and beta 0 or 1: C itself is the tiles' memory */
    const int direct = rows == AMX_MR && cols == BF16_NR && cs == 1 && alpha == 1.0f &&
                       (beta == 0.0f || beta == 1.0f);
    const int prefetch = a_next != (const char *)a_f;
    /* the next tile of C (the next 32 columns of these rows, where the caller goes next),
     * asked for two rows per k step so that its load finds it in cache */
    const char *c_next = (const char *)(c + BF16_NR * cs);
    const int64_t c_rows = cs == 1 ? AMX_MR : 0;
    /* Software-pipelined: tiles are not renamed, so a load into a tile waits for the
     * products still reading it. Ordered 0, 2, 1, 3, the products that read B tile 6
     * come first, and its next k step's load is issued while 1 and 3 run (two products'
     * time for a load from L2, not one); A's loads (from L1) get one product each. */
    _tile_loadd(4, a, 64);
    _tile_stream_loadd(6, b, 64);
    _tile_loadd(5, a + 512, 64);
    _tile_stream_loadd(7, b + 512, 64);
    /* the operands' first loads go ahead of C's (which come from L2 or memory) */
    if (direct && beta == 1.0f) {
        _tile_loadd(0, c, ldc_bytes);
        _tile_loadd(2, c + 16 * rs, ldc_bytes);
        _tile_loadd(1, c + 16, ldc_bytes);
        _tile_loadd(3, c + 16 * rs + 16, ldc_bytes);
    } else {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
    }
    for (int64_t kb = 0; kb < blocks; kb++) {
        const uint16_t *an = a + (kb + 1) * 1024, *bn = b + (kb + 1) * 1024;
        const int more = kb + 1 < blocks;
        if (prefetch) /* the next A micro-panel into L2, 2 KiB per step */
            for (int line = 0; line < 2048; line += 64)
                _mm_prefetch(a_next + kb * 2048 + line, _MM_HINT_T1);
        for (int64_t r = 2 * kb; r < 2 * kb + 2 && r < c_rows; r++) {
            _mm_prefetch(c_next + r * ldc_bytes, _MM_HINT_T1);
            _mm_prefetch(c_next + r * ldc_bytes + 64, _MM_HINT_T1);
        }
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(2, 5, 6);
        if (more) _tile_stream_loadd(6, bn, 64);
        _tile_dpbf16ps(1, 4, 7);
        if (more) _tile_loadd(4, an, 64);
        _tile_dpbf16ps(3, 5, 7);
        if (more) {
            _tile_loadd(5, an + 512, 64);
            _tile_stream_loadd(7, bn + 512, 64);
        }
    }
    if (direct) {
        _tile_stored(0, c, ldc_bytes);
        _tile_stored(1, c + 16, ldc_bytes);
        _tile_stored(2, c + 16 * rs, ldc_bytes);
        _tile_stored(3, c + 16 * rs + 16, ldc_bytes);
        return;
    }
    float acc[AMX_MR * BF16_NR] __attribute__((aligned(64)));
    _tile_stored(0, acc, BF16_NR * sizeof(float));
    _tile_stored(1, acc + 16, BF16_NR * sizeof(float));
    _tile_stored(2, acc + 16 * BF16_NR, BF16_NR * sizeof(float));
    _tile_stored(3, acc + 16 * BF16_NR + 16, BF16_NR * sizeof(float));
    bf16_update_c(acc, BF16_NR, c, rs, cs, alpha, beta, rows, cols);
}

const wg_gemm_microkernels wg_gemm_microkernels_amx_bf16 = {
    .isa = WG_CPU_ISA_AVX512,
    .tile = {AMX_MR, BF16_NR, 0, 0},
    .pack_a = amx_pack_a,
    .pack_b = bf16_pack_b,
    .tile_kernel = amx_tile_kernel,
    .elem_bytes = 2,
    .k_pad = BF16_KB,
    .thread_begin = amx_thread_begin,
    .thread_end = amx_thread_end,
};
#endif
