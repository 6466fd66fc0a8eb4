/*
 * gemm_framework.c - SGEMM in the style of Goto and BLIS: the five loops, in plain C for
 * every ISA, around the packing routines and the microkernel of one ISA's table
 * (wg_gemm_microkernels, gemm_kernels.h; gemm_avx512.c, gemm_avx2.c, gemm_generic.c).
 *
 * Row-major C = alpha op(A) op(B) + beta C is computed by five loops around a microkernel:
 *
 *   for jc: rows of C, nc_m at a time
 *     for pc: k, kc at a time
 *       pack op(A)[jc.., pc..] into MR-row micro-panels (shared by all threads;  -> L3
 *                                           a small A: a copy per thread)
 *       each thread, over its share of the columns of C (mc_n at a time):
 *         pack op(B)[pc.., cols] into NR-column micro-panels (its own buffer)     -> L2
 *         for each A micro-panel (kc x MR, fetched into L2 ahead of use, reused):
 *           for each B micro-panel (kc x NR, streamed from L2):
 *             microkernel: an MR x NR tile of C in registers, kc rank-1 updates
 *
 * Why it is fast: the tile's MR*NR/lanes accumulators never leave the registers during the
 * kc steps; each step loads NV vectors of B and broadcasts MR values of A for MR*NV fused
 * multiply-adds, so the FMA units, not the loads, set the pace. Packing makes both streams
 * contiguous and aligned whatever the transposes and leading dimensions, so the hardware
 * prefetchers keep them coming; it also pads edges with zeros, so the microkernel always
 * runs full tiles and only the store of an edge tile is partial. The blocking keeps each
 * operand in the cache level that can feed it, and kc is deep (as deep as a thread's
 * packed B fits its L2) because every kc steps each tile of C is read and written again:
 * that traffic, not the packing, was the largest cost left once the kernel ran at speed.
 * Software prefetches cover the two streams the hardware cannot guess: the next A
 * micro-panel, and the C tile (rows a leading dimension apart), asked for shortly before
 * it is updated. Packing buffers are the only extra memory. Products with a handful of
 * columns and a row-major A leave these loops for dot products along k (gemm_dot.inc),
 * and shallow ones (k up to LANES) for a kernel that holds op(B) in registers
 * (gemm_shallow.inc): the plan's path (wg_gemm_path) says which.
 */
#include <omp.h>

#include "gemm_kernels.h"

static inline int64_t gemm_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t gemm_max(int64_t a, int64_t b) { return a > b ? a : b; }

/* ---------------------------------------------------------------- the loops ------- */

/* How the columns of C are shared out for one (jc, pc) step. Columns go in chunks of whole
 * NR panels, at most mc_n wide (a thread's packed B stays in its L2) and, unless k is
 * small, small enough that there are about four per thread: threads take chunks as they
 * finish the last one, so an uneven split or a thread slowed by a neighbour evens out
 * before the step's barrier. When
 * there are fewer chunks than threads, the rows of the A block are split too ("slices"),
 * each slice's thread packing its own copy of the chunk's B panels. */
typedef struct gemm_split {
    int64_t chunk_panels, chunks, slices, units;
} gemm_split;

static gemm_split gemm_split_columns(int64_t n, int64_t k, int64_t nr, int64_t mc_n, int threads)
{
    gemm_split s;
    const int64_t n_panels = (n + nr - 1) / nr;
    const int64_t max_panels = mc_n / nr;
    int64_t per_chunk = (n_panels + 4 * (int64_t)threads - 1) / (4 * (int64_t)threads);
    /* Shallow products (k below 64; up to LANES, gemm_shallow.inc takes them) are mostly
     * stores to C: one chunk as wide as a thread's B buffer allows, so that when it is
     * the only one the threads split its rows instead, each writing whole rows of C. Split
     * by columns, every row of C had a boundary between the threads, which ran slower
     * (the prefetchers of one core fetching lines the other then writes, presumably). */
    if (k < 64) per_chunk = n_panels;
    s.chunk_panels = gemm_min(max_panels, per_chunk > 0 ? per_chunk : 1);
    s.chunks = (n_panels + s.chunk_panels - 1) / s.chunk_panels;
    s.slices = s.chunks >= threads ? 1 : threads / s.chunks;
    /* Fewer than two chunks per thread that do not share out evenly (96 columns: 3 chunks
     * on 2 threads, taken 2 and 1) leave a thread idle for a whole chunk: every chunk's
     * rows are split among all the threads instead (each slice packing the chunk's B
     * panels itself). */
    if (s.chunks >= threads && s.chunks < 2 * (int64_t)threads && s.chunks % threads != 0)
        s.slices = threads;
    s.units = s.chunks * s.slices;
    return s;
}

/* One unit of a (jc, pc) step: a chunk of columns (or a slice of its rows) of C, its B
 * panels packed into this thread's buffer, then every tile of it. */
static void gemm_unit(const wg_gemm_microkernels *uk, const wg_gemm_args *g,
                      const gemm_split *split, int64_t u, int64_t jc,
                      int64_t a_panels, int64_t pc, int64_t kc, float beta, int64_t rs,
                      int64_t cs, const float *a_pack, float *b_pack)
{
    const int64_t mr = uk->tile.mr, nr = uk->tile.nr;
    const int64_t chunk = u / split->slices, slice = u % split->slices;
    const int64_t j0 = chunk * split->chunk_panels * nr;
    const int64_t jcols = gemm_min(split->chunk_panels * nr, g->n - j0);
    const int64_t j_panels = (jcols + nr - 1) / nr;
    const int64_t ip_begin = a_panels * slice / split->slices;
    const int64_t ip_end = a_panels * (slice + 1) / split->slices;
    /* A B panel that only one or two tiles will read is not worth copying when op(B)'s
     * rows are already contiguous: the tiles read B where it is (the 10-row products the
     * network's last layer makes, computed transposed, have a single row of tiles). Only
     * whole panels: a narrower last panel is packed, as its rows cannot be read as full
     * vectors. */
    const int in_place = !g->trans_b && ip_end - ip_begin <= 2 && !uk->elem_bytes;
    const int64_t a_floats = wg_gemm_panel_floats(uk, mr, kc);
    const int64_t b_floats = wg_gemm_panel_floats(uk, nr, kc);
    for (int64_t jp = 0; jp < j_panels; jp++)
        if (!in_place || g->n - (j0 + jp * nr) < nr)
            uk->pack_b(g, pc, j0 + jp * nr, kc, b_pack + jp * b_floats);
    for (int64_t ip = ip_begin; ip < ip_end; ip++) {
        const int64_t i0 = jc + ip * mr;
        const int64_t rows = gemm_min(mr, g->m - i0);
        const float *a_panel = a_pack + ip * a_floats;
        /* the next A micro-panel comes from L3 or memory: it is fetched
         * into L2 during this one's first tile (the last panel re-asks
         * for itself, which costs nothing) */
        const float *a_next = ip + 1 < ip_end ? a_panel + a_floats : a_panel;
        for (int64_t jp = 0; jp < j_panels; jp++) {
            const int64_t col = j0 + jp * nr;
            const int direct = in_place && g->n - col >= nr;
            uk->tile_kernel(kc, a_panel, direct ? g->b + pc * g->ldb + col : b_pack + jp * b_floats,
                            direct ? g->ldb : nr, g->c + i0 * rs + col * cs, rs, cs, g->alpha,
                            beta, rows, gemm_min(nr, g->n - col), jp == 0 ? a_next : a_panel);
        }
    }
}

/* The loops for thread t of a team of `team` threads (team 1: the caller alone, outside
 * any OpenMP region: a region for a team of one is not free, libgomp allocates a team
 * and, for a dynamic loop, a work share on every call, about a third of the half
 * microsecond a tiny product took). */
static void gemm_team(const wg_gemm_microkernels *uk, const wg_gemm_args *g,
                      const wg_gemm_plan *plan, float *workspace, const gemm_split *split,
                      int64_t rs, int64_t cs, int t, int team)
{
    const int64_t mr = uk->tile.mr;
    const int own_a = wg_gemm_path_own_a(plan->path);
    float *const b_pack = workspace + plan->a_pack_floats + (int64_t)t * plan->b_pack_floats;
    /* A small A is packed by every thread into its own buffer. Shared, it cost more than
     * the work it shared: a core writing lines the other core has read must take each
     * back from it first, and that repacking, not the barrier, was most of what a second
     * thread lost on the network's 10-wide layers (timestamps inside the team). */
    float *const a_pack =
        own_a ? b_pack + wg_gemm_panel_floats(uk, plan->mc_n, plan->kc) : workspace;
    /* Small products (one small A block) and shallow ones (k below 64) do so little
     * arithmetic per element of C that a C line last written by the other core costs
     * more than its tile: their units are dealt out
     * statically, a contiguous run to each thread, the same columns to the same thread
     * call after call. Others claim units dynamically, which evens out a thread slowed by
     * a neighbour. */
    const int static_units = team == 1 || g->k < 64 || own_a;
    const int64_t u_begin = split->units * t / team, u_end = split->units * (t + 1) / team;

    for (int64_t jc = 0; jc < g->m; jc += plan->nc_m) {
        const int64_t a_panels = (gemm_min(plan->nc_m, g->m - jc) + mr - 1) / mr;
        for (int64_t pc = 0; pc < g->k; pc += plan->kc) {
            const int64_t kc = gemm_min(plan->kc, g->k - pc);
            const int64_t a_floats = wg_gemm_panel_floats(uk, mr, kc);
            const float beta = pc == 0 ? g->beta : 1.0f; /* later panels accumulate */

            if (own_a || team == 1) {
                /* only the panels of this thread's row slices (all of them alone) */
                int64_t ip_lo = a_panels, ip_hi = 0;
                for (int64_t u = u_begin; u < u_end; u++) {
                    const int64_t slice = u % split->slices;
                    ip_lo = gemm_min(ip_lo, a_panels * slice / split->slices);
                    ip_hi = gemm_max(ip_hi, a_panels * (slice + 1) / split->slices);
                }
                for (int64_t ip = ip_lo; ip < ip_hi; ip++)
                    uk->pack_a(g, jc + ip * mr, pc, kc, a_pack + ip * a_floats);
            } else {
#pragma omp for schedule(static)
                for (int64_t ip = 0; ip < a_panels; ip++)
                    uk->pack_a(g, jc + ip * mr, pc, kc, a_pack + ip * a_floats);
                /* (the implicit barrier: A is packed before anyone reads it) */
            }

            if (static_units) {
                for (int64_t u = u_begin; u < u_end; u++)
                    gemm_unit(uk, g, split, u, jc, a_panels, pc, kc, beta, rs, cs, a_pack, b_pack);
            } else {
#pragma omp for schedule(dynamic, 1) nowait
                for (int64_t u = 0; u < split->units; u++)
                    gemm_unit(uk, g, split, u, jc, a_panels, pc, kc, beta, rs, cs, a_pack, b_pack);
            }
            /* everyone is done with this A block before it is repacked; after the last
             * block the end of the parallel region is that barrier */
            if (team > 1 && (jc + plan->nc_m < g->m || pc + plan->kc < g->k)) {
#pragma omp barrier
            }
        }
    }
}

/* What thread t of `team` does: its share of the shallow kernel, the dot-product kernel
 * or the packed loops. */
static void gemm_thread(const wg_gemm_microkernels *uk, const wg_gemm_args *g,
                        const wg_gemm_plan *plan, float *workspace, int t, int team)
{
    switch (plan->path) {
    case WG_GEMM_PATH_SHALLOW:
        uk->shallow(g, plan, workspace, t, team);
        return;
    case WG_GEMM_PATH_DOT:
        uk->dot(g, plan, workspace, t, team);
        return;
    case WG_GEMM_PATH_PACKED:
    case WG_GEMM_PATH_PACKED_OWN_A:
    case WG_GEMM_PATH_TRANSPOSED:
    case WG_GEMM_PATH_TRANSPOSED_OWN_A: {
        const gemm_split split = gemm_split_columns(g->n, g->k, uk->tile.nr, plan->mc_n, team);
        const int transposed = wg_gemm_path_c_transposed(plan->path);
        const int64_t rs = transposed ? 1 : g->ldc, cs = transposed ? g->ldc : 1;
        if (uk->thread_begin) uk->thread_begin();
        gemm_team(uk, g, plan, workspace, &split, rs, cs, t, team);
        if (uk->thread_end) uk->thread_end();
        return;
    }
    }
}

void wg_gemm_framework_run(const wg_gemm_microkernels *kernels, const wg_gemm_args *args,
                           const wg_gemm_plan *plan, float *workspace)
{
    if (plan->threads > 1) {
#pragma omp parallel num_threads(plan->threads)
        gemm_thread(kernels, args, plan, workspace, omp_get_thread_num(), omp_get_num_threads());
    } else {
        gemm_thread(kernels, args, plan, workspace, 0, 1);
    }
}
