/*
 * cpu_matmul.c - the CPU's fast matrix product's entries: the instruction set chosen at run
 * time from cpuid (cpu_isa.h), the plan (the path, block sizes derived from the cache sizes,
 * threads), and the packing buffers, kept per calling thread so that repeated calls (a
 * training loop) allocate nothing. The loops are gemm_framework.c's; the microkernels are
 * one ISA's table (gemm_kernels.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "cpu_backend.h"
#include "gemm_kernels.h"

/* ---------------------------------------------------------------- ISA choice ------ */

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

/* Each ISA's compiled pieces (gemm_avx512.c, gemm_avx2.c, gemm_generic.c); NULL for one
 * this build does not have. */
static const wg_gemm_microkernels *microkernels(wg_cpu_isa isa)
{
    switch (isa) {
#ifdef WG_CPU_HAVE_X86_KERNELS
    case WG_CPU_ISA_AVX512: return &wg_gemm_microkernels_avx512;
    case WG_CPU_ISA_AVX2: return &wg_gemm_microkernels_avx2;
#endif
    case WG_CPU_ISA_GENERIC: return &wg_gemm_microkernels_generic;
    default: return NULL;
    }
}

typedef struct isa_choice {
    const wg_gemm_microkernels *kernels;
    wg_status status;
    char message[256];
} isa_choice;

static isa_choice chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

/* Decided once per process: the environment and the CPU do not change under us. */
static void choose_isa(void)
{
    const wg_cpu_info *info = cpu_info();
    const char *forced = getenv("WHYGPU_CPU_ISA");
    chosen.status = WG_OK;
    if (forced && *forced) {
        wg_cpu_isa isa;
        if (wg_cpu_isa_from_name(forced, &isa) != WG_OK) {
            chosen.status = WG_ERR_UNSUPPORTED;
            snprintf(chosen.message, sizeof chosen.message,
                     "WHYGPU_CPU_ISA=%s is unknown: expected avx512, avx2 or generic", forced);
            return;
        }
        if (wg_cpu_isa_check(isa, info) != WG_OK) {
            chosen.status = WG_ERR_UNSUPPORTED;
            snprintf(chosen.message, sizeof chosen.message,
                     "WHYGPU_CPU_ISA=%s, but this CPU (or build) does not support it", forced);
            return;
        }
        chosen.kernels = microkernels(isa);
        return;
    }
    chosen.kernels = microkernels(wg_cpu_isa_widest(info));
}

/* The kernels of the chosen ISA, or the status (with its message) saying why none. */
static wg_status chosen_kernels(const wg_gemm_microkernels **out)
{
    pthread_once(&chosen_once, choose_isa);
    if (chosen.status != WG_OK) return wg_fail(chosen.status, "%s", chosen.message);
    *out = chosen.kernels;
    return WG_OK;
}

/* The kernels of the ISA called `name`, if this CPU and build run it. */
static wg_status named_kernels(const char *context, const char *name,
                               const wg_gemm_microkernels **out)
{
    wg_cpu_isa isa;
    wg_status status = wg_cpu_isa_from_name(name, &isa);
    if (status == WG_OK) status = wg_cpu_isa_check(isa, cpu_info());
    if (status != WG_OK) return wg_fail_context(status, "%s", context);
    *out = microkernels(isa);
    return WG_OK;
}

wg_status wg_cpu_matmul_isa(const char **isa)
{
    if (!isa) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_matmul_isa: NULL output pointer");
    const wg_gemm_microkernels *kernels = NULL;
    wg_status status = chosen_kernels(&kernels);
    if (status != WG_OK) return status;
    *isa = wg_cpu_isa_name(kernels->isa);
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
static int dot_suits(const wg_gemm_microkernels *uk, const wg_gemm_args *g)
{
    const wg_gemm_tile *tile = &uk->tile;
    return uk->dot && !g->trans_a && g->n <= tile->dot_n && g->k >= 64 && g->m >= 2 * g->n &&
           g->n * round_up(g->k, WG_GEMM_DOT_K_ALIGN) <= (1 << 18);
}

/* Narrower than half a tile (the network's 10 outputs) but tall, and not taken by the
 * dot-product kernel: computed transposed (see gemm_run). */
static int computed_transposed(const wg_gemm_microkernels *uk, const wg_gemm_args *g)
{
    /* The bf16 tables pack a row-major op(A) with straight copies but a transposed one
     * word by word, and the other way round for op(B); swapped, the network's X.W
     * (256x10x512) would pack all of X the slow way, while as it is only the tile's unused
     * columns are lost, which costs AMX little. So they swap only a transposed A
     * (X^T.dY), which the swap turns into a row-major B (docs/cpu-gemm.md, thin products). */
    if (uk->elem_bytes && !g->trans_a) return 0;
    return !dot_suits(uk, g) && g->n * 2 <= uk->tile.nr && g->m >= 2 * g->n;
}

/* The plan: the path (wg_gemm_path) and the block sizes from the caches (each overridable
 * for tuning experiments; the measurements behind each choice are in docs/cpu-gemm.md):
 *   kc:   deep enough that a thread's packed B for 128 columns (kc x 128 floats) fills
 *         half of its L2, within 128..1024: C is read and written once per kc, so deeper
 *         panels mean less C traffic;
 *   mc_n: a thread's packed B (kc x mc_n) fills half of its L2 (128 columns at kc = 1024
 *         on a 1 MiB L2, 256 on a 2 MiB one). The other half holds the A micro-panels
 *         streamed past it (kc x MR, the next one prefetched) and C's lines: a B block
 *         filling all of the L2 ran measurably slower;
 *   nc_m: the shared packed A (kc x nc_m) takes at most half of L3 and 8 MiB, rounded up
 *         to whole tiles (2052 rows at kc = 1024, so that m = 2048 stays one block).
 * Threads: one below 2^17 (131K) multiply-adds, where starting a team costs more than it
 * saves, and never more than there are tiles of C. The network's 655K-multiply-add
 * 10-wide layers are above it.
 * Products no deeper than a vector's lanes (unless computed transposed) take the shallow
 * path, products with a handful of columns the dot-product path: neither uses these
 * blocks. */
static void make_plan(const wg_gemm_microkernels *uk, const wg_gemm_args *g, int c_transposed,
                      wg_gemm_plan *plan)
{
    pthread_once(&caches_once, read_caches);
    const wg_gemm_tile *tile = &uk->tile;
    const int64_t mr = tile->mr, nr = tile->nr;
    plan->tile = *tile;
    const int64_t b_block_bytes = caches.l2 / 2;
    /* bf16 panels (2-byte elements, k padded to uk->k_pad): a deep kc, such that the A
     * micro-panel (MR x kc) takes 1/32 of L2 (1024 on a 2 MiB L2), because the AMX kernel
     * is so fast that C's traffic, a read and a write of every tile per k panel, would
     * cost as much as the arithmetic; each panel is then run k_sub at a time per row of
     * tiles (plan->k_sub: the A sub-panel takes two thirds of L1), so that A is read from
     * L1 and the row's C tiles go back and forth to L2 only (docs/cpu-gemm.md). B's block
     * half of L2 as for fp32. */
    const int64_t bytes = uk->elem_bytes ? uk->elem_bytes : 4;
    const int64_t kpad = uk->k_pad > 1 ? uk->k_pad : 1;
    int64_t kc = bytes == 4 ? clamp64(round_down(b_block_bytes / (128 * 4), 16), 128, 1024)
                            : clamp64(round_down(caches.l2 / 32 / (mr * bytes), kpad), 256, 4096);
    kc = round_up(clamp64(env_size("WHYGPU_GEMM_KC", kc), 16, 4096), kpad);
    int64_t mc_n = round_down(b_block_bytes / (kc * bytes), nr);
    mc_n = round_down(clamp64(env_size("WHYGPU_GEMM_MC", mc_n), nr, 1 << 16), nr);
    int64_t nc_m = round_up(clamp64(caches.l3 / 2, 1 << 20, 8 << 20) / (kc * bytes), mr);
    nc_m = round_down(clamp64(env_size("WHYGPU_GEMM_NC", nc_m), mr, 1 << 20), mr);
    int64_t k_sub = 0;
    if (bytes != 4) {
        k_sub = clamp64(round_down(caches.l1 * 2 / 3 / (mr * bytes), kpad), kpad, 4096);
        k_sub = round_up(clamp64(env_size("WHYGPU_GEMM_KSUB", k_sub), 1, 4096), kpad);
    }
    plan->k_sub = k_sub;
    /* never larger than the problem */
    plan->kc = kc < g->k ? kc : g->k;
    plan->mc_n = mc_n < round_up(g->n, nr) ? mc_n : round_up(g->n, nr);
    plan->nc_m = nc_m < round_up(g->m, mr) ? nc_m : round_up(g->m, mr);

    const int64_t tiles = ((g->m + mr - 1) / mr) * ((g->n + nr - 1) / nr);
    int threads = wg_cpu_threads();
    if (threads < 1) threads = 1;
    if (g->m * g->n * g->k < ((int64_t)1 << 17)) threads = 1;
    if ((int64_t)threads > tiles) threads = (int)tiles;
    /* A bf16 product narrow enough for one column of tiles, run as it is (the network's
     * X.W), split its rows between threads that share the packed A and wait at a barrier,
     * which cost more than the few tiles (docs/cpu-gemm.md, thin products). */
    if (uk->elem_bytes && !c_transposed && g->n * 2 <= nr &&
        g->m * g->n * g->k < ((int64_t)1 << 22))
        threads = 1;
    plan->threads = threads;
    if (!c_transposed && uk->shallow && g->k <= tile->shallow_k) {
        /* each thread: op(B)'s panels, a chunk at a time; no A */
        plan->path = WG_GEMM_PATH_SHALLOW;
        plan->a_pack_floats = 0;
        plan->b_pack_floats = round_up(g->k * WG_GEMM_SHALLOW_CHUNK, 1024);
        plan->workspace_floats = threads * plan->b_pack_floats;
        return;
    }
    if (dot_suits(uk, g)) { /* each thread: op(B)^T, n x k padded; no A is packed */
        plan->path = WG_GEMM_PATH_DOT;
        plan->a_pack_floats = 0;
        plan->b_pack_floats = round_up(g->n * round_up(g->k, WG_GEMM_DOT_K_ALIGN), 1024);
        plan->workspace_floats = threads * plan->b_pack_floats;
        return;
    }
    /* one A block (all of m and k) of at most 16 KiB: a copy per thread (its size computed
     * only once m and k are known to be block-sized, so it cannot overflow) */
    const int one_block = g->m <= plan->nc_m && g->k <= plan->kc;
    const int64_t a_block = one_block ? wg_gemm_panel_floats(uk, round_up(g->m, mr), g->k) : 0;
    const int own_a = one_block && a_block <= 4096;
    plan->path = c_transposed ? (own_a ? WG_GEMM_PATH_TRANSPOSED_OWN_A : WG_GEMM_PATH_TRANSPOSED)
                              : (own_a ? WG_GEMM_PATH_PACKED_OWN_A : WG_GEMM_PATH_PACKED);
    plan->a_pack_floats =
        own_a ? 0 : round_up(wg_gemm_panel_floats(uk, plan->nc_m, plan->kc), 1024);
    /* 4 KiB apart: no false sharing */
    plan->b_pack_floats =
        round_up(wg_gemm_panel_floats(uk, plan->mc_n, plan->kc) + (own_a ? a_block : 0), 1024);
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

static wg_status gemm_run(const wg_gemm_microkernels *kernels, const wg_gemm_args *g)
{
    if (g->alpha == 0.0f) {
        scale_c(g);
        return WG_OK;
    }
    /* A product narrower than half a tile (the network's 10 outputs) but tall wastes most
     * of each tile; unless the dot-product kernel takes it, it is computed as
     * C^T = op(B)^T op(A)^T, its long side along the vectors, and C written transposed. */
    wg_gemm_args swapped;
    if (g->input_dtype != WG_DTYPE_FP32 && !kernels->elem_bytes)
        return wg_fail(WG_ERR_UNSUPPORTED, "gemm: the %s kernel reads float32 inputs, but "
                       "these are %s (bf16 inputs need a bf16 kernel: wg_kernel_best)",
                       wg_cpu_isa_name(kernels->isa), wg_dtype_name(g->input_dtype));
    const int swap = computed_transposed(kernels, g);
    if (swap) {
        swapped = (wg_gemm_args){.trans_a = !g->trans_b, .trans_b = !g->trans_a, .m = g->n,
                                 .n = g->m, .k = g->k, .alpha = g->alpha, .beta = g->beta,
                                 .a = g->b, .lda = g->ldb, .b = g->a, .ldb = g->lda,
                                 .c = g->c, .ldc = g->ldc, .input_dtype = g->input_dtype};
        g = &swapped;
    }
    wg_gemm_plan plan;
    make_plan(kernels, g, swap, &plan);
    float *ws = NULL;
    wg_status status = get_workspace(plan.workspace_floats, &ws);
    if (status != WG_OK) return status;
    wg_gemm_framework_run(kernels, g, &plan, ws);
    return WG_OK;
}

wg_status wg_cpu_gemm_plan(const char *isa, const wg_gemm_args *args, wg_gemm_plan *out)
{
    const wg_gemm_microkernels *kernels = NULL;
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_gemm_plan: NULL output");
    wg_status status = wg_gemm_args_check("gemm plan", args);
    if (status != WG_OK) return status;
    if (isa) {
        /* any ISA this build knows, whether or not this CPU runs it: the plan is arithmetic */
        wg_cpu_isa named;
        status = wg_cpu_isa_from_name(isa, &named);
        if (status != WG_OK) return wg_fail_context(status, "wg_cpu_gemm_plan: ");
        kernels = microkernels(named);
        if (!kernels) kernels = &wg_gemm_microkernels_generic;
    } else {
        status = chosen_kernels(&kernels);
        if (status != WG_OK) return status;
    }
    make_plan(kernels, args, computed_transposed(kernels, args), out);
    return WG_OK;
}

wg_status wg_cpu_gemm_isa(const char *isa, const wg_gemm_args *args)
{
    if (!isa) return wg_fail(WG_ERR_ARGUMENT, "gemm: NULL instruction set");
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    const wg_gemm_microkernels *kernels = NULL;
    status = named_kernels("gemm: ", isa, &kernels);
    return status == WG_OK ? gemm_run(kernels, args) : status;
}

wg_status wg_cpu_gemm(const wg_gemm_args *args)
{
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status == WG_OK && args->input_dtype == WG_DTYPE_BF16) {
        /* bf16 inputs: the best bf16 kernel this CPU runs (the last one always does) */
        wg_cpu_bf16_kernel which = WG_CPU_BF16_AMX;
        while (which < WG_CPU_BF16_VIA_FP32 && wg_cpu_bf16_available(which) != WG_OK) which++;
        return wg_cpu_gemm_bf16(which, args);
    }
    const wg_gemm_microkernels *kernels = NULL;
    if (status == WG_OK) status = chosen_kernels(&kernels);
    return status == WG_OK ? gemm_run(kernels, args) : status;
}

/* ---------------------------------------------------------------- bf16 ------------ */

static const char *const bf16_names[] = {"packed-amx-bf16", "packed-avx512-bf16",
                                         "bf16-via-fp32"};

wg_status wg_cpu_bf16_available(wg_cpu_bf16_kernel which)
{
    if (which == WG_CPU_BF16_VIA_FP32) return WG_OK;
    if (which != WG_CPU_BF16_AMX && which != WG_CPU_BF16_AVX512)
        return wg_fail(WG_ERR_ARGUMENT, "bf16 kernel %d is out of range", (int)which);
#ifdef WG_CPU_HAVE_X86_KERNELS
    const wg_cpu_info *info = cpu_info();
    /* both pack with AVX512-BF16's conversions */
    if (!(info->avx512f && info->avx512bw && info->avx512vl && info->avx512_bf16))
        return wg_fail(WG_ERR_UNSUPPORTED, "this CPU (%s) cannot run %s: cpuid reports "
                       "avx512f=%d avx512bw=%d avx512vl=%d avx512_bf16=%d",
                       info->model[0] ? info->model : "unknown", bf16_names[which],
                       info->avx512f, info->avx512bw, info->avx512vl, info->avx512_bf16);
    if (which == WG_CPU_BF16_AMX) {
        if (!(info->amx_tile && info->amx_bf16))
            return wg_fail(WG_ERR_UNSUPPORTED, "this CPU (%s) cannot run %s: cpuid reports "
                           "amx_tile=%d amx_bf16=%d (or the OS does not enable the tile "
                           "state)", info->model[0] ? info->model : "unknown",
                           bf16_names[which], info->amx_tile, info->amx_bf16);
        wg_status status = wg_cpu_amx_permission();
        if (status != WG_OK) return status;
    }
    return WG_OK;
#else
    return wg_fail(WG_ERR_UNSUPPORTED, "%s is not built into this library (x86-64 GCC only)",
                   bf16_names[which]);
#endif
}

/* op(X) stored rows x cols (leading dimension ld, either dtype) as dense float32 holding
 * bfloat16 values: a bf16 input widened (exact), a float32 one rounded to nearest even. */
static wg_status widen_bf16(const wg_gemm_args *g, const float *x, int64_t rows, int64_t cols,
                            int64_t ld, float **out)
{
    void *mem = NULL;
    wg_status status = wg_cpu_alloc(0, (size_t)(rows * cols) * sizeof(float), &mem);
    if (status != WG_OK) return status;
    float *dst = mem;
    for (int64_t i = 0; i < rows; i++) {
        if (g->input_dtype == WG_DTYPE_BF16) {
            wg_floats_from_bf16((const wg_bf16 *)x + i * ld, dst + i * cols, cols);
        } else {
            for (int64_t j = 0; j < cols; j++)
                dst[i * cols + j] = wg_float_from_bf16(wg_bf16_from_float(x[i * ld + j]));
        }
    }
    *out = dst;
    return WG_OK;
}

/* The fallback on CPUs with no bf16 unit: the inputs as bf16 values in float32 (copies),
 * then the fp32 GEMM, whose products of two bf16 values are exact. */
static wg_status gemm_bf16_via_fp32(const wg_gemm_args *g)
{
    const wg_gemm_microkernels *kernels = NULL;
    wg_status status = chosen_kernels(&kernels);
    if (status != WG_OK) return status;
    wg_gemm_args wide = *g;
    wide.input_dtype = WG_DTYPE_FP32;
    if (g->alpha == 0.0f) return gemm_run(kernels, &wide); /* reads neither A nor B */
    const int64_t a_rows = g->trans_a ? g->k : g->m, a_cols = g->trans_a ? g->m : g->k;
    const int64_t b_rows = g->trans_b ? g->n : g->k, b_cols = g->trans_b ? g->k : g->n;
    float *a = NULL, *b = NULL;
    status = widen_bf16(g, g->a, a_rows, a_cols, g->lda, &a);
    if (status == WG_OK) status = widen_bf16(g, g->b, b_rows, b_cols, g->ldb, &b);
    if (status == WG_OK) {
        wide.a = a;
        wide.lda = a_cols;
        wide.b = b;
        wide.ldb = b_cols;
        status = gemm_run(kernels, &wide);
    }
    wg_cpu_release(0, a);
    wg_cpu_release(0, b);
    return status;
}

/* The deepest product the bf16 kernels hand to the fp32 kernels (widened inputs). */
#define BF16_SHALLOW_K 16
/* ... when C has at least this many elements */
#define BF16_SHALLOW_MIN_C ((int64_t)1 << 17)

wg_status wg_cpu_gemm_bf16(wg_cpu_bf16_kernel which, const wg_gemm_args *args)
{
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    if (args->input_dtype != WG_DTYPE_FP32 && args->input_dtype != WG_DTYPE_BF16)
        return wg_fail(WG_ERR_ARGUMENT, "gemm: unknown input dtype %d", (int)args->input_dtype);
    status = wg_cpu_bf16_available(which);
    if (status != WG_OK) return status;
    /* Shallow products (k = 10: the network's input gradient dY.W^T) are nearly all
     * stores of C, which the fp32 shallow kernel makes along C's rows while the bf16
     * tables store tiles 32 rows tall, a leading dimension apart; widening the inputs
     * costs (m + n) k conversions against m n k products, and products of bf16 values are
     * exact in fp32. The widening runs on the calling thread alone: with a smaller C
     * (256 x 256) two threads of the tiles were faster (docs/cpu-gemm.md). */
    if (which != WG_CPU_BF16_VIA_FP32 && args->k <= BF16_SHALLOW_K &&
        args->m * args->n >= BF16_SHALLOW_MIN_C)
        return gemm_bf16_via_fp32(args);
    switch (which) {
#ifdef WG_CPU_HAVE_X86_KERNELS
    case WG_CPU_BF16_AMX: return gemm_run(&wg_gemm_microkernels_amx_bf16, args);
    case WG_CPU_BF16_AVX512: return gemm_run(&wg_gemm_microkernels_avx512_bf16, args);
#endif
    default: return gemm_bf16_via_fp32(args);
    }
}

wg_status wg_cpu_matmul_isa_run(const char *isa, const float *a, const float *b, float *c,
                                int64_t m, int64_t n, int64_t k)
{
    const wg_gemm_args args = {.m = m, .n = n, .k = k, .alpha = 1.0f, .beta = 0.0f,
                               .a = a, .lda = k, .b = b, .ldb = n, .c = c, .ldc = n};
    return wg_cpu_gemm_isa(isa, &args);
}
