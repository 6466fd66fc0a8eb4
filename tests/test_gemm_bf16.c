/*
 * test_gemm_bf16.c - the CPU bf16 GEMMs (AMX-BF16, AVX512-BF16, the widen-to-fp32
 * fallback), each forced on (skipped with the reason where this CPU or build lacks it),
 * against float64 of the bf16-rounded inputs: float32 inputs (rounded while packing) and
 * bfloat16 storage, sizes around the tiles (1, 15, 16, 17, 31, 33, 100, 257) in each
 * dimension, k odd and not a multiple of 32, every transpose, leading dimensions wider
 * than the matrices (whose padding must stay untouched), alpha != 1, beta 0 over NaN and
 * beta != 0, many k panels and threads; the training's shapes; the registry's order and
 * the fallback when the kernel refuses the AMX permission.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu/cpu_backend.h"
#include "reference.h"

static const char *const names[] = {"packed-amx-bf16", "packed-avx512-bf16", "bf16-via-fp32"};

typedef struct bf16_case {
    int ta, tb;
    int64_t m, n, k;
    float alpha, beta;
    int64_t pad;       /* extra columns in every leading dimension */
    wg_dtype inputs;   /* the storage of A and B */
} bf16_case;

/* Against the float64 product of the rounded inputs only float32 accumulation differs. */
static double tolerance(int64_t k) { return 1e-5 * sqrt((double)(k > 1 ? k : 1)); }

/* x rounded to bfloat16 in place; its bf16 storage in h. */
static void round_inputs(float *x, wg_bf16 *h, int64_t n)
{
    wg_bf16_from_floats(x, h, n);
    wg_floats_from_bf16(h, x, n);
}

/* Runs one case with kernel `which`; 1 when it passed (failures are recorded). */
static int run_case(wg_cpu_bf16_kernel which, const bf16_case *t, uint64_t seed)
{
    const int64_t a_rows = t->ta ? t->k : t->m, a_cols = t->ta ? t->m : t->k;
    const int64_t b_rows = t->tb ? t->n : t->k, b_cols = t->tb ? t->k : t->n;
    const int64_t lda = a_cols + t->pad, ldb = b_cols + t->pad, ldc = t->n + t->pad;
    float *a = malloc((size_t)(a_rows * lda) * sizeof *a);
    float *b = malloc((size_t)(b_rows * ldb) * sizeof *b);
    float *ar = malloc((size_t)(a_rows * lda) * sizeof *ar);
    float *br = malloc((size_t)(b_rows * ldb) * sizeof *br);
    wg_bf16 *ah = malloc((size_t)(a_rows * lda) * sizeof *ah);
    wg_bf16 *bh = malloc((size_t)(b_rows * ldb) * sizeof *bh);
    float *c = malloc((size_t)(t->m * ldc) * sizeof *c);
    float *c0 = malloc((size_t)(t->m * ldc) * sizeof *c0);
    float *got = malloc((size_t)(t->m * t->n) * sizeof *got);
    double *want = malloc((size_t)(t->m * t->n) * sizeof *want);
    int ok = 0;
    if (!a || !b || !ar || !br || !ah || !bh || !c || !c0 || !got || !want) {
        CHECK_MSG(0, "out of memory for a %lldx%lldx%lld case", (long long)t->m,
                  (long long)t->n, (long long)t->k);
        goto done;
    }
    ref_random(a, a_rows * lda, seed);
    ref_random(b, b_rows * ldb, seed + 1);
    memcpy(ar, a, (size_t)(a_rows * lda) * sizeof *a);
    memcpy(br, b, (size_t)(b_rows * ldb) * sizeof *b);
    round_inputs(ar, ah, a_rows * lda);
    round_inputs(br, bh, b_rows * ldb);
    ref_gemm_c_init(c, t->m, t->n, ldc, t->beta, seed + 2);
    memcpy(c0, c, (size_t)(t->m * ldc) * sizeof *c);
    ref_gemm(t->ta, t->tb, t->m, t->n, t->k, t->alpha, ar, lda, br, ldb, t->beta, c0, ldc, want);

    const int bf = t->inputs == WG_DTYPE_BF16;
    const wg_gemm_args args = {.trans_a = t->ta, .trans_b = t->tb, .m = t->m, .n = t->n,
                               .k = t->k, .alpha = t->alpha, .beta = t->beta,
                               .a = bf ? (const float *)ah : a, .lda = lda,
                               .b = bf ? (const float *)bh : b, .ldb = ldb, .c = c, .ldc = ldc,
                               .input_dtype = t->inputs};
    wg_status status = wg_cpu_gemm_bf16(which, &args);
    CHECK_MSG(status == WG_OK, "%s failed: %s", names[which], wg_error_message());
    if (status != WG_OK) goto done;
    const int padding_untouched = ref_gemm_c_take(c, t->m, t->n, ldc, got);
    const double error = ref_relative_error(got, want, t->m * t->n);
    CHECK_MSG(error <= tolerance(t->k),
              "%s %s inputs %s%s m=%lld n=%lld k=%lld alpha=%g beta=%g pad=%lld: relative "
              "error %.3g > %.3g against the rounded inputs' product", names[which],
              wg_dtype_name(t->inputs), t->ta ? "T" : "N", t->tb ? "T" : "N", (long long)t->m,
              (long long)t->n, (long long)t->k, t->alpha, t->beta, (long long)t->pad, error,
              tolerance(t->k));
    CHECK_MSG(padding_untouched, "%s %s%s m=%lld n=%lld k=%lld wrote past n into the "
              "leading-dimension padding", names[which], t->ta ? "T" : "N", t->tb ? "T" : "N",
              (long long)t->m, (long long)t->n, (long long)t->k);
    ok = error <= tolerance(t->k) && padding_untouched;
    if (ok && t->beta == 0.0f) {
        /* and against the unrounded float32 inputs: within the bf16 bound the tools check */
        wg_gemm_args exact = args;
        exact.a = a;
        exact.b = b;
        exact.input_dtype = WG_DTYPE_FP32;
        const double sampled = wg_gemm_sampled_error(&exact, 64, seed);
        CHECK_MSG(sampled <= wg_precision_error_bound(WG_PRECISION_BF16, t->k),
                  "%s m=%lld n=%lld k=%lld: sampled error %.3g over the bf16 bound %.3g",
                  names[which], (long long)t->m, (long long)t->n, (long long)t->k, sampled,
                  wg_precision_error_bound(WG_PRECISION_BF16, t->k));
    }
done:
    free(a); free(b); free(ar); free(br); free(ah); free(bh);
    free(c); free(c0); free(got); free(want);
    return ok;
}

/* 1 when kernel `which` runs here; else the test is skipped with the library's reason. */
static int available(wg_cpu_bf16_kernel which)
{
    if (wg_cpu_bf16_available(which) == WG_OK) return 1;
    check_skip("%s", wg_error_message());
    return 0;
}

static const int64_t sizes[] = {1, 15, 16, 17, 31, 33, 100, 257};

/* Each size in one dimension with the others fixed, every transpose, both input dtypes. */
static void sweep_sizes(wg_cpu_bf16_kernel which)
{
    int failures = 0;
    for (int dim = 0; dim < 3; dim++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] && failures < 5; s++)
            for (int v = 0; v < 8; v++) {
                bf16_case t = {v & 1, (v >> 1) & 1, 29, 37, 45, 1.0f, 0.0f, 0,
                               (v >> 2) ? WG_DTYPE_BF16 : WG_DTYPE_FP32};
                if (dim == 0) t.m = sizes[s];
                if (dim == 1) t.n = sizes[s];
                if (dim == 2) t.k = sizes[s];
                t.pad = (int64_t)s % 3; /* dense and padded leading dimensions */
                if (s % 4 == 1) t.alpha = -0.75f;
                if (s % 4 == 2) t.beta = 0.5f;
                if (s % 4 == 3) t.beta = 1.0f;
                const uint64_t seed = (uint64_t)(s * 16 + (size_t)v + (size_t)dim * 1000);
                failures += !run_case(which, &t, seed);
            }
}

/* Larger shapes: several k panels and column chunks, the training's products (batch 256,
 * 784 inputs, 512 hidden, 10 outputs, with A^T.B and A.B^T), on 1-3 threads. */
static void larger_shapes(wg_cpu_bf16_kernel which)
{
    static const int64_t shapes[][3] = {
        {256, 512, 784}, {784, 512, 256}, {256, 784, 512}, {256, 10, 512}, {512, 10, 256},
        {97, 131, 1111}, {300, 70, 65}, {256, 512, 10},
    };
    static const int threads[] = {1, 2, 3};
    for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
        wg_set_cpu_threads(threads[th]);
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            const int trans = (int)((s + th) % 4);
            bf16_case t = {trans & 1, trans >> 1, shapes[s][0], shapes[s][1], shapes[s][2],
                           s % 2 ? 1.0f : 2.0f, s % 3 ? 0.0f : 1.0f, (int64_t)(s % 2) * 3,
                           (s + th) % 2 ? WG_DTYPE_BF16 : WG_DTYPE_FP32};
            run_case(which, &t, 5000 + th * 64 + s);
        }
    }
    /* tiny blocks: many k panels (each run in sub-panels of 32), row blocks and chunks on
     * small matrices */
    setenv("WHYGPU_GEMM_KC", "80", 1); /* rounded up to 96 */
    setenv("WHYGPU_GEMM_KSUB", "20", 1); /* rounded up to 32 */
    setenv("WHYGPU_GEMM_MC", "64", 1);
    setenv("WHYGPU_GEMM_NC", "64", 1);
    for (int trans = 0; trans < 4; trans++) {
        wg_set_cpu_threads(2 + trans % 2);
        bf16_case t = {trans & 1, trans >> 1, 203, 301, 333, 1.5f, trans % 2 ? 0.0f : -1.0f, 3,
                       trans < 2 ? WG_DTYPE_FP32 : WG_DTYPE_BF16};
        run_case(which, &t, 6000 + (uint64_t)trans);
    }
    unsetenv("WHYGPU_GEMM_KC");
    unsetenv("WHYGPU_GEMM_KSUB");
    unsetenv("WHYGPU_GEMM_MC");
    unsetenv("WHYGPU_GEMM_NC");
    wg_set_cpu_threads(0);
}

static void check_kernel(wg_cpu_bf16_kernel which)
{
    if (!available(which)) return;
    sweep_sizes(which);
    larger_shapes(which);
}

TEST(gemm_bf16_amx_matches_float64) { check_kernel(WG_CPU_BF16_AMX); }
TEST(gemm_bf16_avx512_matches_float64) { check_kernel(WG_CPU_BF16_AVX512); }
TEST(gemm_bf16_via_fp32_matches_float64) { check_kernel(WG_CPU_BF16_VIA_FP32); }

/* The registry lists the bf16 kernels best first, wg_kernel_best takes the first that
 * runs, and a refused AMX permission (pretended with WHYGPU_AMX_DENY) moves it to the next
 * with the reason kept; products with bf16 inputs through auto follow. */
TEST(gemm_bf16_registry_and_amx_refusal)
{
    const wg_device cpu = {WG_DEVICE_CPU, 0};
    const wg_kernel *amx = NULL, *avx = NULL, *wide = NULL, *best = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, names[0], &amx));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, names[1], &avx));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, names[2], &wide));
    CHECK(amx->precision == WG_PRECISION_BF16 && avx->precision == WG_PRECISION_BF16 &&
          wide->precision == WG_PRECISION_BF16);
    CHECK(amx < avx && avx < wide); /* best first */
    CHECK(wg_kernel_available(wide, 0) == WG_OK);
    REQUIRE_OK(wg_kernel_best(cpu, WG_PRECISION_BF16, &best));
    const wg_kernel *expect = wg_kernel_available(amx, 0) == WG_OK   ? amx
                              : wg_kernel_available(avx, 0) == WG_OK ? avx
                                                                     : wide;
    CHECK_MSG(best == expect, "wg_kernel_best chose %s, expected %s", best->name, expect->name);

    setenv("WHYGPU_AMX_DENY", "1", 1);
    const wg_status refused = wg_kernel_available(amx, 0);
    CHECK(refused == WG_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(wg_error_message(), "refused") != NULL, "the reason should say the AMX "
              "permission was refused: '%s'", wg_error_message());
    CHECK(wg_cpu_gemm_bf16(WG_CPU_BF16_AMX, &(wg_gemm_args){.m = 1, .n = 1, .k = 1,
          .a = (const float *)&best, .lda = 1, .b = (const float *)&best, .ldb = 1,
          .c = (float *)&expect, .ldc = 1}) == WG_ERR_UNSUPPORTED);
    REQUIRE_OK(wg_kernel_best(cpu, WG_PRECISION_BF16, &best));
    CHECK_MSG(best != amx, "with the AMX permission refused, wg_kernel_best still chose %s",
              best->name);
    CHECK(best == (wg_kernel_available(avx, 0) == WG_OK ? avx : wide));
    /* auto with bf16 inputs takes the fallback and stays correct */
    float a[6], b[6], c[4];
    wg_bf16 ah[6], bh[6];
    for (int i = 0; i < 6; i++) {
        a[i] = (float)(i + 1) * 0.25f;
        b[i] = (float)(3 - i) * 0.5f;
    }
    wg_bf16_from_floats(a, ah, 6);
    wg_bf16_from_floats(b, bh, 6);
    const wg_gemm_args g = {.m = 2, .n = 2, .k = 3, .alpha = 1.0f, .a = (const float *)ah,
                            .lda = 3, .b = (const float *)bh, .ldb = 2, .c = c, .ldc = 2,
                            .input_dtype = WG_DTYPE_BF16};
    CHECK_MSG(wg_cpu_gemm(&g) == WG_OK, "%s", wg_error_message());
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double want = 0.0;
            for (int p = 0; p < 3; p++) want += (double)a[i * 3 + p] * b[p * 2 + j];
            CHECK_MSG(c[i * 2 + j] == (float)want, "c[%d][%d] = %g, expected %g", i, j,
                      c[i * 2 + j], want);
        }
    unsetenv("WHYGPU_AMX_DENY");
    REQUIRE_OK(wg_kernel_best(cpu, WG_PRECISION_BF16, &best));
    CHECK(best == expect);
}

/* fp32 kernels refuse bf16 inputs rather than read them as floats. */
TEST(gemm_fp32_kernels_refuse_bf16_inputs)
{
    wg_bf16 x[4] = {0};
    float c[4];
    const wg_gemm_args g = {.m = 2, .n = 2, .k = 2, .alpha = 1.0f, .a = (const float *)x,
                            .lda = 2, .b = (const float *)x, .ldb = 2, .c = c, .ldc = 2,
                            .input_dtype = WG_DTYPE_BF16};
    const wg_kernel *k = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &k));
    /* the front door (gemm.c) refuses the pairing as a bad argument, naming the kernel */
    CHECK(wg_gemm_on((wg_device){WG_DEVICE_CPU, 0}, k, &g) == WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "bf16") != NULL);
    CHECK(wg_cpu_gemm_isa("generic", &g) == WG_ERR_UNSUPPORTED);
}

/* A prepared product on the CPU (what bench gemm --dtype bf16 times) with a bf16 kernel and
 * float32 inputs works on bf16 copies made once: every transpose, dense or with padded
 * leading dimensions, gives bit for bit what the kernel gives when it rounds the same
 * inputs while packing (no subnormals here, where the two roundings differ), the inputs are
 * left as they were and not read by the runs (poisoned with NaN after preparing). */
TEST(gemm_bf16_prepared_cpu_converts_once)
{
    const wg_device cpu = {WG_DEVICE_CPU, 0};
    const wg_kernel *best = NULL;
    REQUIRE_OK(wg_kernel_best(cpu, WG_PRECISION_BF16, &best));
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            const int64_t m = 37, n = 45, k = 70, pad = (ta + tb) % 2 ? 3 : 0;
            const int64_t a_rows = ta ? k : m, a_cols = (ta ? m : k) + pad;
            const int64_t b_rows = tb ? n : k, b_cols = (tb ? k : n) + pad;
            float *a = malloc((size_t)(a_rows * a_cols) * sizeof *a);
            float *b = malloc((size_t)(b_rows * b_cols) * sizeof *b);
            float *a_copy = malloc((size_t)(a_rows * a_cols) * sizeof *a);
            float *direct = malloc((size_t)(m * n) * sizeof *direct);
            float *prepared = malloc((size_t)(m * n) * sizeof *prepared);
            REQUIRE(a && b && a_copy && direct && prepared);
            ref_random(a, a_rows * a_cols, 77 + (uint64_t)(2 * ta + tb));
            ref_random(b, b_rows * b_cols, 91 + (uint64_t)(2 * ta + tb));
            memcpy(a_copy, a, (size_t)(a_rows * a_cols) * sizeof *a);
            const wg_gemm_args g = {.trans_a = ta, .trans_b = tb, .m = m, .n = n, .k = k,
                                    .alpha = 1.0f, .a = a, .lda = a_cols, .b = b,
                                    .ldb = b_cols, .c = direct, .ldc = n};
            REQUIRE_OK(wg_gemm_on(cpu, best, &g));
            wg_gemm_args gp = g;
            gp.c = prepared;
            wg_gemm_prepared *p = NULL;
            REQUIRE_OK(wg_gemm_prepare(cpu, best, &gp, &p));
            CHECK(memcmp(a, a_copy, (size_t)(a_rows * a_cols) * sizeof *a) == 0);
            memset(a, 0xff, (size_t)(a_rows * a_cols) * sizeof *a); /* NaN: must not be read */
            wg_status run = wg_gemm_run_prepared(p);
            CHECK_MSG(run == WG_OK, "ta=%d tb=%d: %s", ta, tb, wg_error_message());
            int differ = 0;
            for (int64_t i = 0; i < m * n; i++) differ += memcmp(&direct[i], &prepared[i], 4) != 0;
            CHECK_MSG(differ == 0, "ta=%d tb=%d: %d of %lld elements differ from the direct "
                      "call", ta, tb, differ, (long long)(m * n));
            wg_gemm_prepared_free(p);
            memcpy(a, a_copy, (size_t)(a_rows * a_cols) * sizeof *a);
            free(a), free(b), free(a_copy), free(direct), free(prepared);
        }
}
