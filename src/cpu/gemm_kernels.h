/*
 * gemm_kernels.h - the per-instruction-set packed GEMMs (gemm_packed.inc, compiled once per
 * ISA by gemm_avx512.c, gemm_avx2.c and gemm_generic.c) and the plan they follow.
 *
 * cpu_matmul.c picks the ISA at run time from cpuid, derives the block sizes from the
 * cache sizes (wg_gemm_plan_make) and hands each call a workspace for the packed panels;
 * the ISA file does the five loops, the packing and the register-tiled microkernel.
 */
#ifndef WG_GEMM_KERNELS_H
#define WG_GEMM_KERNELS_H

#include <stdint.h>

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

/* How one call is blocked and split. kc: the k panel (deep: a thread's packed B for 128
 * columns fills half its L2); mc_n: columns of B packed per thread (kc x mc_n, half of its
 * L2); nc_m: rows of A packed and shared by all threads (kc x nc_m, in L3). All multiples
 * of the tile. */
typedef struct wg_gemm_plan {
    wg_gemm_tile tile;
    int64_t kc, mc_n, nc_m;
    int threads;
    /* C is written transposed: element (i, j) of the product goes to c[j * ldc + i]. The
     * caller swaps the operands (C^T = op(B)^T op(A)^T) when n is too narrow for a tile
     * and m is not, so that the wide side runs along the vectors. */
    int c_transposed;
    /* Computed by the dot-product kernel instead (row-major op(A), n <= tile.dot_n): each
     * thread's b_pack_floats buffer holds op(B)^T; no A is packed. */
    int dot;
    /* Computed by the shallow kernel instead (k <= tile.shallow_k, C not transposed):
     * each thread makes op(B)'s panels in its b_pack_floats buffer, WG_GEMM_SHALLOW_CHUNK
     * columns at a time, and holds one in registers at a time; A is not packed. */
    int shallow;
    /* The whole of op(A) is one small block (the network's 10-row products computed
     * transposed): each thread packs the panels its own rows
     * read, at the end of its B buffer, instead of sharing one copy (see gemm_packed.inc). */
    int a_per_thread;
    int64_t a_pack_floats;    /* size of the shared A panel buffer (0 with a_per_thread) */
    int64_t b_pack_floats;    /* each thread's B panel (and own A) buffer (4 KiB multiple) */
    int64_t workspace_floats; /* a_pack_floats + threads * b_pack_floats */
} wg_gemm_plan;

typedef void (*wg_gemm_packed_fn)(const wg_gemm_args *args, const wg_gemm_plan *plan,
                                  float *workspace);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WG_GEMM_HAVE_X86_KERNELS 1
extern const wg_gemm_tile wg_gemm_tile_avx512, wg_gemm_tile_avx2;
void wg_gemm_packed_avx512(const wg_gemm_args *args, const wg_gemm_plan *plan, float *workspace);
void wg_gemm_packed_avx2(const wg_gemm_args *args, const wg_gemm_plan *plan, float *workspace);
#endif
extern const wg_gemm_tile wg_gemm_tile_generic;
void wg_gemm_packed_generic(const wg_gemm_args *args, const wg_gemm_plan *plan, float *workspace);

#endif /* WG_GEMM_KERNELS_H */
