/*
 * gemm_kernels.h - the CPU GEMM's parts, split the way BLIS splits its GEMM:
 *
 *   cpu_matmul.c       the entries: ISA choice (cpu_isa.h), the plan (block sizes from the
 *                      caches, the path, threads) and the per-thread packing buffers;
 *   gemm_framework.c   the five loops around the microkernel, in plain C, for any ISA;
 *   gemm_avx512.c, gemm_avx2.c, gemm_generic.c
 *                      one per ISA: its table of compiled pieces (wg_gemm_microkernels_*):
 *                      packing (gemm_pack.inc), the microkernel (gemm_microkernel.inc), and
 *                      the two small-product paths, dot products (gemm_dot.inc) and shallow
 *                      products (gemm_shallow.inc), each written once with GCC vector
 *                      extensions (gemm_simd.inc) and compiled per ISA;
 *   gemm_triple_loop.c the textbook loop, the baseline.
 */
#ifndef WG_GEMM_KERNELS_H
#define WG_GEMM_KERNELS_H

#include <stdint.h>

#include "cpu_isa.h"
#include "whygpu.h"

/* The register tile of one ISA: MR rows of C (A values broadcast) by NR columns (NR/lanes
 * vectors of B). */
typedef struct wg_gemm_tile {
    int mr, nr;
    /* the widest product the dot-product kernel (gemm_dot.inc) takes */
    int dot_n;
    /* the deepest product the shallow kernel (gemm_shallow.inc) takes */
    int shallow_k;
} wg_gemm_tile;

/* The dot-product kernel pads op(B)^T's rows to a multiple of this many floats. */
#define WG_GEMM_DOT_K_ALIGN 16

/* The shallow kernel makes op(B)'s panels this many columns at a time (its buffer per
 * thread: k x this many floats). */
#define WG_GEMM_SHALLOW_CHUNK 256

/* How one call is computed (chosen by the plan, cpu_matmul.c). */
typedef enum wg_gemm_path {
    /* The five loops; the packed A block is shared by all threads. */
    WG_GEMM_PATH_PACKED = 0,
    /* The five loops; op(A) is one small block (at most 16 KiB) and each thread packs the
     * panels its own rows read, at the end of its B buffer, instead of sharing one copy. */
    WG_GEMM_PATH_PACKED_OWN_A,
    /* The five loops on C^T = op(B)^T op(A)^T, C written transposed (element (i, j) of
     * the product goes to c[j * ldc + i]): n is too narrow for a tile and m is not, so the
     * wide side runs along the vectors. The caller swaps the operands. */
    WG_GEMM_PATH_TRANSPOSED,
    /* Both of the above: the network's 10-row products computed transposed. */
    WG_GEMM_PATH_TRANSPOSED_OWN_A,
    /* Dot products along k (row-major op(A), n <= tile.dot_n): each thread's b_pack_floats
     * buffer holds op(B)^T; no A is packed. */
    WG_GEMM_PATH_DOT,
    /* The shallow kernel (k <= tile.shallow_k): each thread makes op(B)'s panels in its
     * b_pack_floats buffer, WG_GEMM_SHALLOW_CHUNK columns at a time, and holds one in
     * registers at a time; A is not packed. */
    WG_GEMM_PATH_SHALLOW,
} wg_gemm_path;

/* C is written transposed (the operands were swapped). */
static inline int wg_gemm_path_c_transposed(wg_gemm_path path)
{
    return path == WG_GEMM_PATH_TRANSPOSED || path == WG_GEMM_PATH_TRANSPOSED_OWN_A;
}

/* Each thread packs its own copy of the (small) A block. */
static inline int wg_gemm_path_own_a(wg_gemm_path path)
{
    return path == WG_GEMM_PATH_PACKED_OWN_A || path == WG_GEMM_PATH_TRANSPOSED_OWN_A;
}

/* How one call is blocked and split. kc: the k panel (deep: a thread's packed B for 128
 * columns fills half its L2); mc_n: columns of B packed per thread (kc x mc_n, half of its
 * L2); nc_m: rows of A packed and shared by all threads (kc x nc_m, in L3). All multiples
 * of the tile. */
typedef struct wg_gemm_plan {
    wg_gemm_tile tile;
    wg_gemm_path path;
    int64_t kc, mc_n, nc_m;
    int threads;
    int64_t a_pack_floats;    /* size of the shared A panel buffer (0 with an own A) */
    int64_t b_pack_floats;    /* each thread's B panel (and own A) buffer (4 KiB multiple) */
    int64_t workspace_floats; /* a_pack_floats + threads * b_pack_floats */
} wg_gemm_plan;

/* One ISA's compiled pieces, the table the five loops run over (BLIS keeps the same in a
 * "context"). Packed panels: A's kc x MR micro-panel at dst[p * MR + r], B's kc x NR one
 * at dst[p * NR + j], edges zero-padded. */
typedef struct wg_gemm_microkernels {
    wg_cpu_isa isa;
    wg_gemm_tile tile;
    /* op(A)[i0 .. i0+MR, p0 .. p0+kc] into an A micro-panel; rows past m are zero */
    void (*pack_a)(const wg_gemm_args *g, int64_t i0, int64_t p0, int64_t kc, float *dst);
    /* op(B)[p0 .. p0+kc, j0 .. j0+NR] into a B micro-panel; columns past n are zero */
    void (*pack_b)(const wg_gemm_args *g, int64_t p0, int64_t j0, int64_t kc, float *dst);
    /* C[rows x cols] = alpha * (A panel . B panel) + beta * C for one tile (element (r, j)
     * at c[r * rs + j * cs]); row p of the B micro-panel at b + p * bs (bs = NR when
     * packed); a_next: the A micro-panel to prefetch into L2. beta == 0 never reads C. */
    void (*tile_kernel)(int64_t kc, const float *a, const float *b, int64_t bs, float *c,
                        int64_t rs, int64_t cs, float alpha, float beta, int64_t rows,
                        int64_t cols, const float *a_next);
    /* Thread t of `team`'s share of a WG_GEMM_PATH_DOT or WG_GEMM_PATH_SHALLOW call. */
    void (*dot)(const wg_gemm_args *g, const wg_gemm_plan *plan, float *workspace, int t,
                int team);
    void (*shallow)(const wg_gemm_args *g, const wg_gemm_plan *plan, float *workspace, int t,
                    int team);
    /* The bf16 tables (gemm_amx.c, gemm_avx512bf16.c; zero in the fp32 ones): panels hold
     * bfloat16 elements (elem_bytes 2; 0 means 4, floats) in the table's own layout, k
     * padded with zeros to a multiple of k_pad (0 means 1), so a micro-panel takes
     * wg_gemm_panel_floats() float slots; B is always packed (never read in place); dot and
     * shallow are NULL (those paths are fp32 only). thread_begin/thread_end, when set, run
     * on each thread around its share of the packed loops (AMX: load and release the tile
     * configuration, which is per thread). */
    int elem_bytes, k_pad;
    void (*thread_begin)(void);
    void (*thread_end)(void);
} wg_gemm_microkernels;

/* Float slots a packed micro-panel of `rows` rows (or columns) and depth kc takes. */
static inline int64_t wg_gemm_panel_floats(const wg_gemm_microkernels *uk, int64_t rows,
                                           int64_t kc)
{
    const int64_t pad = uk->k_pad > 1 ? uk->k_pad : 1;
    const int64_t bytes = uk->elem_bytes ? uk->elem_bytes : 4;
    return rows * ((kc + pad - 1) / pad * pad) * bytes / 4;
}

#ifdef WG_CPU_HAVE_X86_KERNELS
extern const wg_gemm_microkernels wg_gemm_microkernels_avx512; /* gemm_avx512.c */
extern const wg_gemm_microkernels wg_gemm_microkernels_avx2;   /* gemm_avx2.c */
#endif
extern const wg_gemm_microkernels wg_gemm_microkernels_generic; /* gemm_generic.c */

/* ---------------------------------------------------------------- bf16 ------------ */

/* The bf16 products' tables: bfloat16 panels (inputs of either dtype rounded to nearest
 * even while packing), fp32 accumulation, fp32 C. AMX-BF16: a 32 x 32 tile of C in four
 * 16 x 16 tile registers (gemm_amx.c); AVX512-BF16: vdpbf16ps on pairs of k
 * (gemm_avx512bf16.c). */
#ifdef WG_CPU_HAVE_X86_KERNELS
extern const wg_gemm_microkernels wg_gemm_microkernels_amx_bf16;
extern const wg_gemm_microkernels wg_gemm_microkernels_avx512_bf16;
#endif

/* Asks Linux, once per process (thread-safe), for permission to use the AMX tile data
 * state (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); WG_OK when granted, else
 * WG_ERR_UNSUPPORTED saying why (the kernel refused, or this build has no AMX code). The
 * environment variable WHYGPU_AMX_DENY=1 makes it answer as a refusal (read on every
 * call), so that the fallback can be tested on a machine that grants it. */
wg_status wg_cpu_amx_permission(void);

/* C = alpha op(A) op(B) + beta C as `plan` says, with `kernels`' pieces, on `plan->threads`
 * threads; workspace: plan->workspace_floats floats, 64-byte aligned (gemm_framework.c). */
void wg_gemm_framework_run(const wg_gemm_microkernels *kernels, const wg_gemm_args *args,
                           const wg_gemm_plan *plan, float *workspace);

#endif /* WG_GEMM_KERNELS_H */
