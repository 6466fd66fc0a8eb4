/*
 * cpu_matmul.c - the CPU's fast matrix product: the packed GEMM (gemm_packed.inc), with its
 * instruction set chosen at run time from cpuid, its block sizes derived from the cache
 * sizes, and its packing buffers kept per calling thread so that repeated calls (a
 * training loop) allocate nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "cpu_backend.h"
#include "gemm_kernels.h"

/* ---------------------------------------------------------------- ISA choice ------ */

typedef struct isa_choice {
    const char *name;
    wg_gemm_packed_fn fn;
    const wg_gemm_tile *tile;
    wg_status status;
    char message[256];
} isa_choice;

static isa_choice chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static int isa_supported(const char *name, const wg_cpu_info *info)
{
    if (strcmp(name, "generic") == 0) return 1;
#ifdef WG_GEMM_HAVE_X86_KERNELS
    /* The AVX-512 kernels are compiled with AVX-512VL too (the compiler uses it). */
    if (strcmp(name, "avx512") == 0) return info->avx512f && info->avx512vl && info->fma;
    if (strcmp(name, "avx2") == 0) return info->avx2 && info->fma;
#else
    (void)info;
#endif
    return 0;
}

static wg_gemm_packed_fn isa_kernel(const char *name, const wg_gemm_tile **tile)
{
#ifdef WG_GEMM_HAVE_X86_KERNELS
    if (strcmp(name, "avx512") == 0) return *tile = &wg_gemm_tile_avx512, wg_gemm_packed_avx512;
    if (strcmp(name, "avx2") == 0) return *tile = &wg_gemm_tile_avx2, wg_gemm_packed_avx2;
#endif
    (void)name;
    *tile = &wg_gemm_tile_generic;
    return wg_gemm_packed_generic;
}

/* The CPU's features and caches, read once (cpuid and sysfs, not per product). */
static wg_cpu_info cpu;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void read_cpu(void)
{
    if (wg_cpu_info_get(&cpu) != WG_OK) memset(&cpu, 0, sizeof cpu);
}

static const wg_cpu_info *cpu_info(void)
{
    pthread_once(&cpu_once, read_cpu);
    return &cpu;
}

/* Decided once per process: the environment and the CPU do not change under us. */
static void choose_isa(void)
{
    static const char *const known[] = {"avx512", "avx2", "generic"};
    const wg_cpu_info *info = cpu_info();
    const char *forced = getenv("WHYGPU_CPU_ISA");
    chosen.status = WG_OK;
    if (forced && *forced) {
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(forced, known[i]) != 0) continue;
            if (!isa_supported(known[i], info)) {
                chosen.status = WG_ERR_UNSUPPORTED;
                snprintf(chosen.message, sizeof chosen.message,
                         "WHYGPU_CPU_ISA=%s, but this CPU (or build) does not support it", forced);
                return;
            }
            chosen.name = known[i];
            chosen.fn = isa_kernel(known[i], &chosen.tile);
            return;
        }
        chosen.status = WG_ERR_UNSUPPORTED;
        snprintf(chosen.message, sizeof chosen.message,
                 "WHYGPU_CPU_ISA=%s is unknown: expected avx512, avx2 or generic", forced);
        return;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (isa_supported(known[i], info)) {
            chosen.name = known[i];
            chosen.fn = isa_kernel(known[i], &chosen.tile);
            return;
        }
    }
}

wg_status wg_cpu_matmul_isa(const char **isa)
{
    if (!isa) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_matmul_isa: NULL output pointer");
    pthread_once(&chosen_once, choose_isa);
    if (chosen.status != WG_OK) return wg_fail(chosen.status, "%s", chosen.message);
    *isa = chosen.name;
    return WG_OK;
}

/* ---------------------------------------------------------------- plan ------------ */

static int64_t round_down(int64_t x, int64_t step) { return x / step * step; }
static int64_t round_up(int64_t x, int64_t step) { return (x + step - 1) / step * step; }
static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* A positive size from the environment (a tuning override), or `fallback`. */
static int64_t env_size(const char *name, int64_t fallback)
{
    const char *text = getenv(name);
    if (!text || !*text) return fallback;
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    return *end == '\0' && value >= 1 && value <= (1LL << 20) ? (int64_t)value : fallback;
}

typedef struct cache_sizes {
    int64_t l1, l2, l3;
} cache_sizes;

static cache_sizes caches;
static pthread_once_t caches_once = PTHREAD_ONCE_INIT;

static void read_caches(void)
{
    const wg_cpu_info *info = cpu_info();
    /* conservative defaults where the CPU does not say */
    caches.l1 = info->l1d_bytes >= 16384 ? info->l1d_bytes : 32768;
    caches.l2 = info->l2_bytes >= 131072 ? info->l2_bytes : 262144;
    caches.l3 = info->l3_bytes >= 1048576 ? info->l3_bytes : 4194304;
}

/* A product with a handful of columns whose op(A) has its rows contiguous in k (the
 * network's 10-wide forward product X.W) runs as dot products along k (gemm_dot.inc),
 * when k is deep enough to fill vectors and op(B)^T (n x k) is small (at most 1 MiB). */
static int dot_suits(const wg_gemm_tile *tile, const wg_gemm_args *g)
{
    return !g->trans_a && g->n <= tile->dot_n && g->k >= 64 && g->m >= 2 * g->n &&
           g->n * round_up(g->k, WG_GEMM_DOT_K_ALIGN) <= (1 << 18);
}

/* Narrower than half a tile (the network's 10 outputs) but tall, and not taken by the
 * dot-product kernel: computed transposed (see gemm_run). */
static int computed_transposed(const wg_gemm_tile *tile, const wg_gemm_args *g)
{
    return !dot_suits(tile, g) && g->n * 2 <= tile->nr && g->m >= 2 * g->n;
}

/* Block sizes from the caches (each overridable for tuning experiments):
 *   kc:   deep enough that a thread's packed B for 128 columns (kc x 128 floats) fills
 *         half of its L2, within 128..1024: C is read and written once per kc, and on the
 *         2-core Zen 4 development machine kc = 1024 ran 4096^3 4-7% faster than the
 *         L1-sized 336 in alternating runs (scripts/gemm-blocking.sh,
 *         results/cpu-dev-2core/gemm-blocking-2026-11-27.txt);
 *   mc_n: a thread's packed B (kc x mc_n) fills half of its L2 (128 columns at kc = 1024
 *         on a 1 MiB L2, 256 on a 2 MiB one). The other half holds the A micro-panels
 *         streamed past it (kc x MR, the next one prefetched) and C's lines. A B block
 *         filling all of a 2 MiB L2 ran one thread of a 16-core Xeon at 65-68% of its
 *         core's peak, half of it at 86-91% (results/h100-lent/xeon-blocking-2026-11-27.txt);
 *         on the Zen 4 machine 128 columns ran as fast as 256, rounds alternated
 *         (results/cpu-dev-2core/gemm-mc-2026-11-27.txt, gemm-mc-half-l2-2026-11-27.txt);
 *   nc_m: the shared packed A (kc x nc_m) takes at most half of L3 and 8 MiB, rounded up
 *         to whole tiles (2052 rows at kc = 1024, so that m = 2048 stays one block); in
 *         rounds alternated on the development machine, 16 MiB ran n = 2048 and 4096 no
 *         faster (results/cpu-dev-2core/gemm-a-block-rounds-2026-11-27.txt).
 * Threads: one below 2^17 (131K) multiply-adds, where starting a team costs more than it
 * saves, and never more than there are tiles of C. The network's 655K-multiply-add
 * 10-wide layers are above it: on the development machine both cores ran them 1.02-1.89x
 * as fast as one, by run (results/cpu-dev-2core/bench-gemm-narrow-2026-11-27.txt).
 * Products no deeper than a vector's lanes (unless computed transposed) go to the shallow
 * kernel, products with a handful of columns to the dot-product kernel: neither uses
 * these blocks. */
static void make_plan(const wg_gemm_tile *tile, const wg_gemm_args *g, int c_transposed,
                      wg_gemm_plan *plan)
{
    pthread_once(&caches_once, read_caches);
    const int64_t mr = tile->mr, nr = tile->nr;
    plan->tile = *tile;
    plan->c_transposed = c_transposed;
    const int64_t b_block_bytes = caches.l2 / 2;
    int64_t kc = clamp64(round_down(b_block_bytes / (128 * 4), 16), 128, 1024);
    kc = clamp64(env_size("WHYGPU_GEMM_KC", kc), 16, 4096);
    int64_t mc_n = round_down(b_block_bytes / (kc * 4), nr);
    mc_n = round_down(clamp64(env_size("WHYGPU_GEMM_MC", mc_n), nr, 1 << 16), nr);
    int64_t nc_m = round_up(clamp64(caches.l3 / 2, 1 << 20, 8 << 20) / (kc * 4), mr);
    nc_m = round_down(clamp64(env_size("WHYGPU_GEMM_NC", nc_m), mr, 1 << 20), mr);
    /* never larger than the problem */
    plan->kc = kc < g->k ? kc : g->k;
    plan->mc_n = mc_n < round_up(g->n, nr) ? mc_n : round_up(g->n, nr);
    plan->nc_m = nc_m < round_up(g->m, mr) ? nc_m : round_up(g->m, mr);

    const int64_t tiles = ((g->m + mr - 1) / mr) * ((g->n + nr - 1) / nr);
    int threads = wg_cpu_threads();
    if (threads < 1) threads = 1;
    if (g->m * g->n * g->k < ((int64_t)1 << 17)) threads = 1;
    if ((int64_t)threads > tiles) threads = (int)tiles;
    plan->threads = threads;
    plan->dot = dot_suits(tile, g);
    plan->shallow = !c_transposed && g->k <= tile->shallow_k;
    if (plan->shallow) { /* each thread: op(B)'s panels, a chunk at a time; no A */
        plan->a_per_thread = 0;
        plan->a_pack_floats = 0;
        plan->b_pack_floats = round_up(g->k * WG_GEMM_SHALLOW_CHUNK, 1024);
        plan->workspace_floats = threads * plan->b_pack_floats;
        return;
    }
    if (plan->dot) { /* each thread: op(B)^T, n x k padded; no A is packed */
        plan->a_per_thread = 0;
        plan->a_pack_floats = 0;
        plan->b_pack_floats = round_up(g->n * round_up(g->k, WG_GEMM_DOT_K_ALIGN), 1024);
        plan->workspace_floats = threads * plan->b_pack_floats;
        return;
    }
    /* one A block (all of m and k) of at most 16 KiB: a copy per thread (its size computed
     * only once m and k are known to be block-sized, so it cannot overflow) */
    const int one_block = g->m <= plan->nc_m && g->k <= plan->kc;
    const int64_t a_block = one_block ? round_up(g->m, mr) * g->k : 0;
    plan->a_per_thread = one_block && a_block <= 4096;
    plan->a_pack_floats = plan->a_per_thread ? 0 : round_up(plan->kc * plan->nc_m, 1024);
    /* 4 KiB apart: no false sharing */
    plan->b_pack_floats = round_up(plan->kc * plan->mc_n + (plan->a_per_thread ? a_block : 0), 1024);
    plan->workspace_floats = plan->a_pack_floats + threads * plan->b_pack_floats;
}

/* ---------------------------------------------------------------- workspace ------- */

/* Each calling thread keeps its packing buffers between calls and grows them when a call
 * needs more; they are freed when the thread exits. */
typedef struct workspace {
    float *data;
    int64_t floats;
} workspace;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;
static int workspace_key_ok;

static void free_workspace(void *p)
{
    workspace *w = p;
    if (!w) return;
    wg_cpu_release(0, w->data);
    free(w);
}

static void make_workspace_key(void)
{
    workspace_key_ok = pthread_key_create(&workspace_key, free_workspace) == 0;
}

static wg_status get_workspace(int64_t floats, float **out)
{
    pthread_once(&workspace_once, make_workspace_key);
    if (!workspace_key_ok)
        return wg_fail(WG_ERR_BACKEND, "gemm: could not create the packing-buffer key");
    workspace *w = pthread_getspecific(workspace_key);
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) return wg_fail(WG_ERR_NO_MEMORY, "gemm: cannot allocate a workspace record");
        if (pthread_setspecific(workspace_key, w) != 0) {
            free(w);
            return wg_fail(WG_ERR_BACKEND, "gemm: could not store the packing buffers");
        }
    }
    if (w->floats < floats) {
        /* the host allocator: big buffers (the shared A block) on 2 MiB pages */
        void *data = NULL;
        wg_status status = wg_cpu_alloc(0, (size_t)floats * sizeof(float), &data);
        if (status != WG_OK) return status;
        wg_cpu_release(0, w->data);
        w->data = data;
        w->floats = floats;
    }
    *out = w->data;
    return WG_OK;
}

/* ---------------------------------------------------------------- entries --------- */

/* C = beta C for alpha == 0, where BLAS reads neither A nor B. */
static void scale_c(const wg_gemm_args *g)
{
    for (int64_t i = 0; i < g->m; i++) {
        float *ci = g->c + i * g->ldc;
        for (int64_t j = 0; j < g->n; j++) ci[j] = g->beta == 0.0f ? 0.0f : g->beta * ci[j];
    }
}

static wg_status gemm_run(wg_gemm_packed_fn fn, const wg_gemm_tile *tile, const wg_gemm_args *g)
{
    if (g->alpha == 0.0f) {
        scale_c(g);
        return WG_OK;
    }
    /* A product narrower than half a tile (the network's 10 outputs) but tall wastes most
     * of each tile; unless the dot-product kernel takes it, it is computed as
     * C^T = op(B)^T op(A)^T, its long side along the vectors, and C written transposed. */
    wg_gemm_args swapped;
    const int swap = computed_transposed(tile, g);
    if (swap) {
        swapped = (wg_gemm_args){.trans_a = !g->trans_b, .trans_b = !g->trans_a, .m = g->n,
                                 .n = g->m, .k = g->k, .alpha = g->alpha, .beta = g->beta,
                                 .a = g->b, .lda = g->ldb, .b = g->a, .ldb = g->lda,
                                 .c = g->c, .ldc = g->ldc};
        g = &swapped;
    }
    wg_gemm_plan plan;
    make_plan(tile, g, swap, &plan);
    float *ws = NULL;
    wg_status status = get_workspace(plan.workspace_floats, &ws);
    if (status != WG_OK) return status;
    fn(g, &plan, ws);
    return WG_OK;
}

wg_status wg_cpu_gemm_plan(const char *isa, const wg_gemm_args *args, wg_gemm_plan *out)
{
    const wg_gemm_tile *tile = NULL;
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_gemm_plan: NULL output");
    wg_status status = wg_gemm_args_check("gemm plan", args);
    if (status != WG_OK) return status;
    if (!isa) {
        status = wg_cpu_matmul_isa(&isa);
        if (status != WG_OK) return status;
    }
    (void)isa_kernel(isa, &tile);
    make_plan(tile, args, computed_transposed(tile, args), out);
    return WG_OK;
}

wg_status wg_cpu_gemm_isa(const char *isa, const wg_gemm_args *args)
{
    static const char *const known[] = {"avx512", "avx2", "generic"};
    if (!isa) return wg_fail(WG_ERR_ARGUMENT, "gemm: NULL instruction set");
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(isa, known[i]) != 0) continue;
        if (!isa_supported(isa, cpu_info()))
            return wg_fail(WG_ERR_UNSUPPORTED, "this CPU (or build) cannot run the %s gemm",
                           isa);
        const wg_gemm_tile *tile = NULL;
        wg_gemm_packed_fn fn = isa_kernel(isa, &tile);
        return gemm_run(fn, tile, args);
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown instruction set '%s': expected avx512, avx2 or "
                   "generic", isa);
}

/* The chosen ISA's GEMM on arguments already checked. */
static wg_status gemm_chosen(const wg_gemm_args *args)
{
    const char *isa = NULL;
    wg_status status = wg_cpu_matmul_isa(&isa);
    if (status != WG_OK) return status;
    return gemm_run(chosen.fn, chosen.tile, args);
}

wg_status wg_cpu_gemm(const wg_gemm_args *args)
{
    wg_status status = wg_gemm_args_check("gemm", args);
    return status == WG_OK ? gemm_chosen(args) : status;
}

wg_status wg_cpu_matmul_isa_run(const char *isa, const float *a, const float *b, float *c,
                                int64_t m, int64_t n, int64_t k)
{
    const wg_gemm_args args = {.m = m, .n = n, .k = k, .alpha = 1.0f, .beta = 0.0f,
                               .a = a, .lda = k, .b = b, .ldb = n, .c = c, .ldc = n};
    return wg_cpu_gemm_isa(isa, &args);
}
