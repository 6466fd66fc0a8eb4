/*
 * test_gemm.c - the CPU SGEMM (C = alpha op(A) op(B) + beta C) against a float64 reference,
 * on every instruction set this machine can run (forced the way WHYGPU_CPU_ISA forces it):
 * every size 1..70 in one dimension at a time, primes and non-multiples of the tiles, all
 * four transpose combinations, alpha/beta with NaN-poisoned C for beta == 0, leading
 * dimensions wider than the matrices (whose padding must stay untouched), small block
 * sizes that force many k panels and column chunks, and odd thread counts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu/cpu_backend.h"
#include "cpu/gemm_kernels.h"
#include "reference.h"

static const char *const all_isas[] = {"avx512", "avx2", "generic"};

/* 1 if this machine and build run `isa`; else 0 with the reason in `why`. */
static int isa_available(const char *isa, char *why, size_t size)
{
    wg_cpu_info info;
    if (strcmp(isa, "generic") == 0) return 1;
#ifdef WG_CPU_HAVE_X86_KERNELS
    if (wg_cpu_info_get(&info) != WG_OK) {
        snprintf(why, size, "cannot read the CPU's features: %s", wg_error_message());
        return 0;
    }
    if (strcmp(isa, "avx512") == 0 && !(info.avx512f && info.avx512vl && info.fma)) {
        snprintf(why, size, "this CPU has no AVX-512F with AVX-512VL");
        return 0;
    }
    if (strcmp(isa, "avx2") == 0 && !(info.avx2 && info.fma)) {
        snprintf(why, size, "this CPU has no AVX2 with FMA");
        return 0;
    }
    return 1;
#else
    (void)info;
    snprintf(why, size, "the x86-64 kernels are not built on this architecture/compiler");
    return 0;
#endif
}

typedef struct gemm_case {
    int ta, tb;
    int64_t m, n, k;
    float alpha, beta;
    int64_t pad; /* extra columns in every leading dimension */
} gemm_case;

static double tolerance(int64_t k) { return 1e-5 * sqrt((double)(k > 1 ? k : 1)); }

/* Runs one case with `isa`; returns 1 when it passed (failures are recorded). */
static int run_case(const char *isa, const gemm_case *t, uint64_t seed)
{
    const int64_t a_rows = t->ta ? t->k : t->m, a_cols = t->ta ? t->m : t->k;
    const int64_t b_rows = t->tb ? t->n : t->k, b_cols = t->tb ? t->k : t->n;
    const int64_t lda = a_cols + t->pad, ldb = b_cols + t->pad, ldc = t->n + t->pad;
    float *a = malloc((size_t)(a_rows * lda) * sizeof *a);
    float *b = malloc((size_t)(b_rows * ldb) * sizeof *b);
    float *c = malloc((size_t)(t->m * ldc) * sizeof *c);
    float *c0 = malloc((size_t)(t->m * ldc) * sizeof *c0);
    float *got = malloc((size_t)(t->m * t->n) * sizeof *got);
    double *want = malloc((size_t)(t->m * t->n) * sizeof *want);
    int ok = 0;
    if (!a || !b || !c || !c0 || !got || !want) {
        CHECK_MSG(0, "out of memory for a %lldx%lldx%lld case", (long long)t->m,
                  (long long)t->n, (long long)t->k);
        goto done;
    }
    ref_random(a, a_rows * lda, seed);
    ref_random(b, b_rows * ldb, seed + 1);
    ref_gemm_c_init(c, t->m, t->n, ldc, t->beta, seed + 2);
    memcpy(c0, c, (size_t)(t->m * ldc) * sizeof *c);
    ref_gemm(t->ta, t->tb, t->m, t->n, t->k, t->alpha, a, lda, b, ldb, t->beta, c0, ldc, want);

    const wg_gemm_args args = {.trans_a = t->ta, .trans_b = t->tb, .m = t->m, .n = t->n,
                               .k = t->k, .alpha = t->alpha, .beta = t->beta, .a = a,
                               .lda = lda, .b = b, .ldb = ldb, .c = c, .ldc = ldc};
    wg_status status = wg_cpu_gemm_isa(isa, &args);
    CHECK_MSG(status == WG_OK, "%s gemm failed: %s", isa, wg_error_message());
    if (status != WG_OK) goto done;
    const int padding_untouched = ref_gemm_c_take(c, t->m, t->n, ldc, got);
    const double error = ref_relative_error(got, want, t->m * t->n);
    CHECK_MSG(error <= tolerance(t->k),
              "%s gemm %s%s m=%lld n=%lld k=%lld alpha=%g beta=%g pad=%lld: relative error "
              "%.3g > %.3g", isa, t->ta ? "T" : "N", t->tb ? "T" : "N", (long long)t->m,
              (long long)t->n, (long long)t->k, t->alpha, t->beta, (long long)t->pad, error,
              tolerance(t->k));
    CHECK_MSG(padding_untouched, "%s gemm %s%s m=%lld n=%lld k=%lld wrote past n into the "
              "leading-dimension padding", isa, t->ta ? "T" : "N", t->tb ? "T" : "N",
              (long long)t->m, (long long)t->n, (long long)t->k);
    ok = error <= tolerance(t->k) && padding_untouched;
done:
    free(a); free(b); free(c); free(c0); free(got); free(want);
    return ok;
}

/* Each size 1..70 of one dimension with the others fixed, for all transposes. */
static void sweep_one_dimension(const char *isa)
{
    int failures = 0;
    for (int dim = 0; dim < 3; dim++) {
        for (int64_t size = 1; size <= 70 && failures < 5; size++) {
            for (int trans = 0; trans < 4; trans++) {
                gemm_case t = {trans & 1, trans >> 1, 29, 37, 23, 1.0f, 0.0f, 0};
                if (dim == 0) t.m = size;
                if (dim == 1) t.n = size;
                if (dim == 2) t.k = size;
                t.pad = size % 3; /* dense and padded leading dimensions */
                failures += !run_case(isa, &t, (uint64_t)(size * 8 + trans + dim * 1000));
            }
        }
    }
}

static void awkward_shapes(const char *isa)
{
    static const int64_t shapes[][3] = {
        {1, 1, 1},      {97, 131, 211}, {257, 263, 269}, {12, 32, 1},  {13, 33, 2},
        {11, 31, 385},  {256, 10, 512}, {10, 256, 300}, {3, 500, 7},   {500, 3, 7},
        {150, 300, 64}, {64, 784, 129},
    };
    static const float alphas[] = {1.0f, -0.5f, 2.0f};
    static const float betas[] = {0.0f, 1.0f, 0.5f};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int trans = 0; trans < 4; trans++) {
            const size_t v = (s + (size_t)trans) % 3;
            gemm_case t = {trans & 1, trans >> 1, shapes[s][0], shapes[s][1], shapes[s][2],
                           alphas[v], betas[(v + s) % 3], (int64_t)(s % 2) * 5};
            run_case(isa, &t, 7000 + s * 4 + (uint64_t)trans);
        }
    }
}

static void check_isa(const char *isa)
{
    char why[256];
    if (!isa_available(isa, why, sizeof why)) {
        check_skip("%s", why);
        return;
    }
    sweep_one_dimension(isa);
    awkward_shapes(isa);
}

TEST(gemm_generic_matches_float64) { check_isa("generic"); }
TEST(gemm_avx2_matches_float64) { check_isa("avx2"); }
TEST(gemm_avx512_matches_float64) { check_isa("avx512"); }

/* Tiny block sizes (set through the tuning variables) force many k panels, several row
 * blocks and column chunks on small matrices, and 3 threads on 2 cores an uneven split. */
TEST(gemm_many_blocks_and_odd_thread_counts)
{
    char why[256];
    setenv("WHYGPU_GEMM_KC", "16", 1);
    setenv("WHYGPU_GEMM_MC", "64", 1);
    setenv("WHYGPU_GEMM_NC", "48", 1);
    static const int threads[] = {1, 3, 2};
    for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
        if (!isa_available(all_isas[i], why, sizeof why)) continue;
        for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
            wg_set_cpu_threads(threads[th]);
            for (int trans = 0; trans < 4; trans++) {
                gemm_case t = {trans & 1, trans >> 1, 203, 301, 131, 1.5f,
                               trans % 2 ? 0.0f : -1.0f, 3};
                run_case(all_isas[i], &t, 900 + th * 4 + (uint64_t)trans);
                gemm_case skinny = {trans & 1, trans >> 1, 256, 10, 97, 1.0f, 0.0f, 0};
                run_case(all_isas[i], &skinny, 950 + th * 4 + (uint64_t)trans);
            }
        }
    }
    wg_set_cpu_threads(0);
    unsetenv("WHYGPU_GEMM_KC");
    unsetenv("WHYGPU_GEMM_MC");
    unsetenv("WHYGPU_GEMM_NC");
}

/* Each shape on each thread count and ISA, every transpose (beta 0.5 for a transposed A,
 * else 0 over NaN; odd shapes with padded leading dimensions). */
static void shapes_on_threads(const int64_t (*shapes)[3], size_t shape_count,
                              const int *threads, size_t thread_count, uint64_t seed)
{
    char why[256];
    for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
        if (!isa_available(all_isas[i], why, sizeof why)) continue;
        for (size_t th = 0; th < thread_count; th++) {
            wg_set_cpu_threads(threads[th]);
            for (size_t s = 0; s < shape_count; s++)
                for (int trans = 0; trans < 4; trans++) {
                    gemm_case t = {trans & 1, trans >> 1, shapes[s][0], shapes[s][1],
                                   shapes[s][2], 1.0f, trans == 1 ? 0.5f : 0.0f, (int64_t)s % 2};
                    run_case(all_isas[i], &t, seed + th * 64 + s * 4 + (uint64_t)trans);
                }
        }
    }
    wg_set_cpu_threads(0);
}

/* Three column chunks on two threads (65-96 columns) split each chunk's rows between the
 * threads as well; on three threads each takes a chunk. */
TEST(gemm_few_chunks_split_rows_too)
{
    static const int64_t shapes[][3] = {{96, 96, 96}, {203, 90, 131}, {37, 70, 257}};
    static const int threads[] = {2, 3};
    shapes_on_threads(shapes, sizeof shapes / sizeof shapes[0], threads,
                      sizeof threads / sizeof threads[0], 8000);
}

/* The network's 10-wide and k = 10 products have one small A block, which each thread
 * packs for itself (WG_GEMM_PATH_PACKED_OWN_A): checked on 1, 2 and 3 threads, every transpose. */
TEST(gemm_small_a_block_packed_per_thread)
{
    char why[256];
    static const int64_t shapes[][3] = {{256, 10, 256}, {256, 256, 10}, {10, 256, 256},
                                        {130, 7, 300}};
    static const int threads[] = {1, 2, 3};
    shapes_on_threads(shapes, sizeof shapes / sizeof shapes[0], threads,
                      sizeof threads / sizeof threads[0], 1200);
    wg_gemm_args g = {.m = 10, .n = 256, .k = 256, .alpha = 1.0f, .a = (const float *)why,
                      .lda = 256, .b = (const float *)why, .ldb = 256, .c = (float *)why,
                      .ldc = 256};
    wg_gemm_plan plan;
    REQUIRE_OK(wg_cpu_gemm_plan("generic", &g, &plan));
    CHECK(plan.path == WG_GEMM_PATH_PACKED_OWN_A && plan.a_pack_floats == 0);
    /* room for the B panels and the whole packed A in every thread's buffer */
    CHECK(plan.b_pack_floats >= plan.kc * plan.mc_n + 256 * ((10 + plan.tile.mr - 1) /
                                                             plan.tile.mr * plan.tile.mr));
    g.m = 1000;
    REQUIRE_OK(wg_cpu_gemm_plan("generic", &g, &plan));
    CHECK(plan.path == WG_GEMM_PATH_PACKED && plan.a_pack_floats >= plan.kc * plan.nc_m);
}

/* Up to a dozen columns with op(A)'s rows contiguous in k (the network's X.W with 10
 * outputs) are computed as dot products along k (WG_GEMM_PATH_DOT): every width to one past each
 * ISA's limit, k with and without a partial last vector, odd m, both op(B), 1-3 threads. */
TEST(gemm_few_columns_as_dot_products)
{
    char why[256];
    static const int threads[] = {1, 2, 3};
    static const int64_t ks[] = {64, 71, 256, 300};
    for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
        if (!isa_available(all_isas[i], why, sizeof why)) continue;
        for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
            wg_set_cpu_threads(threads[th]);
            for (int64_t n = 1; n <= 13; n++)
                for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
                    for (int variant = 0; variant < 6; variant++) {
                        const int64_t ms[] = {2 * n, 2 * n + 1, 255};
                        gemm_case t = {0, variant & 1, ms[variant / 2], n, ks[ki],
                                       variant == 3 ? -0.5f : 1.0f,
                                       variant % 3 == 1 ? 0.5f : 0.0f, (int64_t)(ki % 2) * 3};
                        run_case(all_isas[i], &t,
                                 3000 + (uint64_t)(th * 1000 + n * 40 + ki * 6 + variant));
                    }
        }
    }
    wg_set_cpu_threads(0);
    wg_gemm_args g = {.m = 256, .n = 10, .k = 256, .alpha = 1.0f, .a = (const float *)why,
                      .lda = 256, .b = (const float *)why, .ldb = 10, .c = (float *)why,
                      .ldc = 10};
    wg_gemm_plan plan;
    for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
        REQUIRE_OK(wg_cpu_gemm_plan(all_isas[i], &g, &plan));
        CHECK((plan.path == WG_GEMM_PATH_DOT) == (plan.tile.dot_n >= 10));
        if (plan.path == WG_GEMM_PATH_DOT) CHECK(plan.b_pack_floats >= 10 * 256 && plan.a_pack_floats == 0);
    }
    g.trans_a = 1; /* A^T.B: op(A)'s rows are strided; the packed path, transposed */
    REQUIRE_OK(wg_cpu_gemm_plan("avx512", &g, &plan));
    CHECK(plan.path == WG_GEMM_PATH_TRANSPOSED);
    g.trans_a = 0, g.k = 32; /* too shallow to fill vectors */
    REQUIRE_OK(wg_cpu_gemm_plan("avx512", &g, &plan));
    CHECK(plan.path != WG_GEMM_PATH_DOT);
}

/* Shallow products (k up to a vector's lanes: the network's k = 10 input gradient) hold
 * op(B)'s panels in registers (WG_GEMM_PATH_SHALLOW): every k to one past each ISA's limit, widths
 * around a vector and past a 256-column chunk, row counts around the 8-row groups split
 * between 1-3 threads, every transpose, alpha and beta (0 with NaN in C). */
TEST(gemm_shallow_products_hold_b_in_registers)
{
    char why[256];
    static const int threads[] = {1, 2, 3};
    static const int64_t ns[] = {16, 17, 40, 300};
    static const int64_t ms[] = {1, 9, 37};
    for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
        if (!isa_available(all_isas[i], why, sizeof why)) continue;
        wg_gemm_args probe = {.m = 1, .n = 1, .k = 1, .alpha = 1.0f, .a = (const float *)why,
                              .lda = 1, .b = (const float *)why, .ldb = 1, .c = (float *)why,
                              .ldc = 1};
        wg_gemm_plan plan;
        REQUIRE_OK(wg_cpu_gemm_plan(all_isas[i], &probe, &plan));
        const int64_t max_k = plan.tile.shallow_k;
        int failures = 0;
        for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
            wg_set_cpu_threads(threads[th]);
            for (int64_t k = 1; k <= max_k + 1 && failures < 5; k++)
                for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
                    for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
                        for (int trans = 0; trans < 4; trans++) {
                            const int v = (int)(k + (int64_t)ni + (int64_t)mi + trans);
                            gemm_case t = {trans & 1, trans >> 1, ms[mi], ns[ni], k,
                                           v % 3 == 1 ? -0.5f : 1.0f, v % 2 ? 0.5f : 0.0f,
                                           (int64_t)(v % 3)};
                            failures += !run_case(all_isas[i], &t,
                                                  5000 + (uint64_t)(th * 10000 + k * 100 +
                                                                    ni * 20 + mi * 4) +
                                                      (uint64_t)trans);
                        }
        }
        /* large enough for a team (the small ones above mostly run on one thread): rows
         * split unevenly between 2 and 3 threads, a partial last group and column chunk */
        for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
            wg_set_cpu_threads(threads[th]);
            for (int trans = 0; trans < 4; trans++) {
                const int64_t k = trans % 2 ? max_k : max_k < 10 ? max_k - 1 : 10;
                gemm_case t = {trans & 1, trans >> 1, 301, 300, k, 1.0f,
                               trans == 2 ? 0.5f : 0.0f, trans == 3 ? 2 : 0};
                run_case(all_isas[i], &t, 6000 + (uint64_t)(th * 4 + (size_t)trans));
            }
        }
        wg_set_cpu_threads(0);
        /* the network's shape takes the kernel, with a buffer for 256 columns per thread;
         * one step deeper, or a narrow product (computed transposed), does not */
        wg_gemm_args g = {.trans_b = 1, .m = 256, .n = 256, .k = 10, .alpha = 1.0f,
                          .a = (const float *)why, .lda = 10, .b = (const float *)why,
                          .ldb = 10, .c = (float *)why, .ldc = 256};
        g.k = max_k < 10 ? max_k : 10;
        REQUIRE_OK(wg_cpu_gemm_plan(all_isas[i], &g, &plan));
        CHECK(plan.path == WG_GEMM_PATH_SHALLOW && plan.a_pack_floats == 0);
        CHECK(plan.b_pack_floats >= g.k * 256 &&
              plan.workspace_floats >= plan.threads * plan.b_pack_floats);
        g.k = max_k + 1, g.lda = g.ldb = g.k;
        REQUIRE_OK(wg_cpu_gemm_plan(all_isas[i], &g, &plan));
        CHECK(plan.path != WG_GEMM_PATH_SHALLOW);
        g.k = 4, g.lda = g.ldb = 4, g.n = 3, g.ldc = 3;
        REQUIRE_OK(wg_cpu_gemm_plan(all_isas[i], &g, &plan));
        CHECK(plan.path != WG_GEMM_PATH_SHALLOW && wg_gemm_path_c_transposed(plan.path));
    }
}

/* alpha == 0 reads neither A nor B (BLAS's rule): NaN there must not reach C. */
TEST(gemm_alpha_zero_scales_c_only)
{
    float a[6], b[6], c[4] = {1, 2, 3, 4};
    ref_poison(a, 6);
    ref_poison(b, 6);
    const wg_gemm_args args = {.m = 2, .n = 2, .k = 3, .alpha = 0.0f, .beta = 0.5f, .a = a,
                               .lda = 3, .b = b, .ldb = 2, .c = c, .ldc = 2};
    REQUIRE_OK(wg_cpu_gemm(&args));
    CHECK(c[0] == 0.5f && c[1] == 1.0f && c[2] == 1.5f && c[3] == 2.0f);
}

TEST(gemm_rejects_bad_arguments)
{
    float a[16] = {0}, b[16] = {0}, c[16] = {0};
    wg_gemm_args g = {.m = 2, .n = 2, .k = 2, .alpha = 1, .a = a, .lda = 2, .b = b, .ldb = 2,
                      .c = c, .ldc = 2};
    REQUIRE_OK(wg_cpu_gemm(&g));
    wg_gemm_args bad = g;
    bad.m = 0;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "m=0") != NULL);
    bad = g;
    bad.k = -3;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    bad = g;
    bad.lda = 1;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "lda=1") != NULL);
    bad = g;
    bad.trans_b = 1;
    bad.k = 3; /* B stored n x k = 2 x 3 needs ldb >= 3 */
    bad.lda = 3;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "ldb=2") != NULL);
    bad = g;
    bad.ldc = 1;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    bad = g;
    bad.c = NULL;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    bad = g;
    bad.trans_a = 2;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_ARGUMENT);
    bad = g;
    bad.m = (int64_t)1 << 40;
    bad.n = (int64_t)1 << 40;
    bad.ldb = (int64_t)1 << 40;
    bad.ldc = (int64_t)1 << 40;
    CHECK_STATUS(wg_cpu_gemm(&bad), WG_ERR_OVERFLOW);
    CHECK_STATUS(wg_cpu_gemm_isa("sse9", &g), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "sse9") != NULL);
}

/* The block sizes follow the caches and the problem, and the workspace is panels only. */
TEST(gemm_plan_fits_the_caches)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    float x = 0;
    wg_gemm_args g = {.m = 4096, .n = 4096, .k = 4096, .alpha = 1, .a = &x, .lda = 4096,
                      .b = &x, .ldb = 4096, .c = &x, .ldc = 4096};
    wg_gemm_plan plan;
    REQUIRE_OK(wg_cpu_gemm_plan(NULL, &g, &plan));
    if (!getenv("WHYGPU_GEMM_KC")) CHECK(plan.kc >= 128 && plan.kc <= 1024 && plan.kc % 16 == 0);
    CHECK(plan.mc_n % plan.tile.nr == 0 && plan.nc_m % plan.tile.mr == 0);
    /* a thread's packed B takes as many panels as fit in half of its L2 (the other half is
     * for the A micro-panels streamed past it and C), at least 128 columns where L2 allows */
    if (info.l2_bytes > 0 && !getenv("WHYGPU_GEMM_KC") && !getenv("WHYGPU_GEMM_MC")) {
        CHECK(plan.kc * plan.mc_n * 4 <= info.l2_bytes / 2);
        if (plan.kc * plan.tile.nr * 4 <= info.l2_bytes / 2)
            CHECK(plan.kc * (plan.mc_n + plan.tile.nr) * 4 > info.l2_bytes / 2);
        if (info.l2_bytes >= 1024 * 128 * 4 * 2) CHECK(plan.mc_n >= 128 && plan.kc == 1024);
    }
    /* the shared packed A: at most half of L3 and 8 MiB, give or take a tile's rows */
    const int64_t a_rows_bytes = plan.tile.mr * plan.kc * 4;
    CHECK(plan.kc * plan.nc_m * 4 <= ((int64_t)8 << 20) + a_rows_bytes);
    if (info.l3_bytes >= (2 << 20))
        CHECK(plan.kc * plan.nc_m * 4 <= info.l3_bytes / 2 + a_rows_bytes);
    CHECK(plan.threads >= 1 && plan.threads <= wg_cpu_threads());
    /* packing buffers only, not a copy of the 64 MiB operands */
    CHECK(plan.workspace_floats * 4 <=
          ((int64_t)8 << 20) + a_rows_bytes + plan.threads * ((int64_t)4 << 20));
    g.m = 3, g.n = 5, g.k = 7;
    REQUIRE_OK(wg_cpu_gemm_plan(NULL, &g, &plan));
    CHECK(plan.threads == 1); /* too small to share */
    CHECK(plan.kc == 7);
}

/* The tensor front door: shapes of op(a) and op(b), and a transposed product. */
DEVICE_TEST(gemm_tensors_with_transposes)
{
    enum { M = 5, N = 7, K = 3 };
    float a[K * M], b[N * K], c[M * N];
    double want[M * N];
    ref_random(a, K * M, 1);
    ref_random(b, N * K, 2);
    ref_gemm(1, 1, M, N, K, 2.0, a, M, b, K, 0.0, NULL, N, want);
    const int64_t sa[2] = {K, M}, sb[2] = {N, K}, sc[2] = {M, N}, wrong[2] = {N, M};
    wg_tensor *ta = NULL, *tb = NULL, *tc = NULL, *tw = NULL;
    REQUIRE_OK(wg_tensor_from_host(2, sa, a, device, &ta));
    REQUIRE_OK(wg_tensor_from_host(2, sb, b, device, &tb));
    REQUIRE_OK(wg_tensor_full(2, sc, NAN, device, &tc));
    REQUIRE_OK(wg_tensor_empty(2, wrong, device, &tw));
    /* auto, and the former kernel names: reference, tiled, cublas (a CUDA kernel) */
    const wg_kernel *kernels[4] = {NULL, NULL, NULL, NULL};
    REQUIRE_OK(wg_kernel_find(device.kind, "reference", &kernels[1]));
    REQUIRE_OK(wg_kernel_find(device.kind, "tiled", &kernels[2]));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "cublas", &kernels[3]));
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        const char *name = kernels[i] ? kernels[i]->name : "auto";
        wg_status status = wg_gemm_with(kernels[i], 1, 1, 2.0f, ta, tb, 0.0f, tc);
        if (i == 3 && device.kind != WG_DEVICE_CUDA) { /* a CUDA kernel elsewhere: refused */
            CHECK(status == WG_ERR_UNSUPPORTED);
            continue;
        }
        CHECK_MSG(status == WG_OK, "%s: %s", name, wg_error_message());
        REQUIRE_OK(wg_tensor_to_host(tc, c, M * N));
        const double error = ref_relative_error(c, want, M * N);
        CHECK_MSG(error <= tolerance(K), "%s: error %.3g", name, error);
        REQUIRE_OK(wg_tensor_to_host(tw, c, M * N)); /* (any read; then poison again) */
        float poison[M * N];
        ref_poison(poison, M * N);
        wg_tensor_free(tc);
        tc = NULL;
        REQUIRE_OK(wg_tensor_from_host(2, sc, poison, device, &tc));
    }
    CHECK_STATUS(wg_gemm(0, 1, 1.0f, ta, tb, 0.0f, tc), WG_ERR_SHAPE);
    CHECK_STATUS(wg_gemm(1, 1, 1.0f, ta, tb, 0.0f, tw), WG_ERR_SHAPE);
    CHECK(strstr(wg_error_message(), "^T") != NULL);
    CHECK_STATUS(wg_gemm(1, 1, 1.0f, ta, tb, 0.0f, ta), WG_ERR_SHAPE);
    wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(tc); wg_tensor_free(tw);
}
