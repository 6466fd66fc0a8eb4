/*
 * test_ops.c - elementwise multiply and matrix product on every device and kernel, against
 * float64 references on fresh random data, outputs poisoned with NaN first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cpu/gemm_kernels.h"
#include "reference.h"

/* fp32 matmul bound: 1e-5 scaled by sqrt(k) (DESIGN.md), Frobenius-relative. */
static double matmul_tolerance(int64_t k) { return 1e-5 * sqrt((double)(k > 1 ? k : 1)); }

static wg_tensor *device_tensor(int rank, const int64_t *shape, const float *data,
                                wg_device device)
{
    wg_tensor *t = NULL;
    if (wg_tensor_from_host(rank, shape, data, device, &t) != WG_OK) return NULL;
    return t;
}

DEVICE_TEST(mul_matches_reference)
{
    const int64_t shapes[][2] = {{1, 1}, {1, 2}, {3, 1}, {17, 3}, {64, 64}, {100, 7},
                                 {257, 1}, {1000, 1001}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t n = shapes[s][0] * shapes[s][1];
        float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *got = malloc(n * sizeof *got);
        REQUIRE(a && b && got);
        ref_random(a, n, 1 + s);
        ref_random(b, n, 100 + s);
        ref_poison(got, n);
        wg_tensor *ta = device_tensor(2, shapes[s], a, device);
        wg_tensor *tb = device_tensor(2, shapes[s], b, device);
        wg_tensor *out = device_tensor(2, shapes[s], got, device); /* NaN-poisoned */
        REQUIRE(ta && tb && out);
        REQUIRE_OK(wg_mul(ta, tb, out));
        REQUIRE_OK(wg_synchronize(device));
        REQUIRE_OK(wg_tensor_to_host(out, got, n));
        int exact = 1;
        for (int64_t i = 0; i < n; i++) exact &= got[i] == (float)((double)a[i] * (double)b[i]);
        CHECK_MSG(exact, "mul %lldx%lld differs from the correctly rounded product",
                  (long long)shapes[s][0], (long long)shapes[s][1]);
        /* In place: out aliases a (x = x * x). */
        REQUIRE_OK(wg_mul(ta, ta, ta));
        REQUIRE_OK(wg_tensor_to_host(ta, got, n));
        exact = 1;
        for (int64_t i = 0; i < n; i++) exact &= got[i] == (float)((double)a[i] * (double)a[i]);
        CHECK(exact);
        wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(out);
        free(a); free(b); free(got);
    }
}

DEVICE_TEST(mul_checks_shapes)
{
    const int64_t s1[2] = {3, 4}, s2[2] = {4, 3}, s3[1] = {12};
    wg_tensor *a = NULL, *b = NULL, *c = NULL;
    REQUIRE_OK(wg_tensor_zeros(2, s1, device, &a));
    REQUIRE_OK(wg_tensor_zeros(2, s2, device, &b));
    REQUIRE_OK(wg_tensor_zeros(1, s3, device, &c));
    CHECK_STATUS(wg_mul(a, b, a), WG_ERR_SHAPE);
    CHECK(strstr(wg_error_message(), "[3, 4]") && strstr(wg_error_message(), "[4, 3]"));
    CHECK_STATUS(wg_mul(a, a, c), WG_ERR_SHAPE);
    CHECK_STATUS(wg_mul(a, NULL, a), WG_ERR_ARGUMENT);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c);
}

/* The Frobenius bound of a kernel's precision (TF32 and BF16 inputs round at 2^-11, 2^-8). */
static double kernel_tolerance(const wg_kernel *kernel, int64_t k)
{
    if (kernel && kernel->precision == WG_PRECISION_TF32) return 2e-3;
    if (kernel && kernel->precision == WG_PRECISION_BF16) return 1e-2;
    return matmul_tolerance(k);
}

static const char *kernel_name(const wg_kernel *kernel) { return kernel ? kernel->name : "auto"; }

/* The registry's kernel of that name on the device's kind (NULL for auto). */
static const wg_kernel *find_kernel(wg_device_kind kind, const char *name)
{
    const wg_kernel *kernel = NULL;
    CHECK_MSG(wg_kernel_find(kind, name, &kernel) == WG_OK, "kernel '%s': %s", name,
              wg_error_message());
    return kernel;
}

/* One product on `device` with `kernel` (NULL: auto), checked against float64. */
static void check_matmul_case(wg_device device, const wg_kernel *kernel, int64_t m, int64_t n,
                              int64_t k)
{
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b),
          *got = malloc(m * n * sizeof *got);
    double *want = malloc(m * n * sizeof *want);
    REQUIRE(a && b && got && want);
    ref_random(a, m * k, (uint64_t)(m * 131 + k));
    ref_random(b, k * n, (uint64_t)(n * 137 + k + 1));
    ref_poison(got, m * n);
    ref_matmul(a, b, want, m, n, k);
    const int64_t sa[2] = {m, k}, sb[2] = {k, n}, sc[2] = {m, n};
    wg_tensor *ta = device_tensor(2, sa, a, device), *tb = device_tensor(2, sb, b, device);
    wg_tensor *tc = device_tensor(2, sc, got, device);
    REQUIRE(ta && tb && tc);
    REQUIRE_OK(wg_matmul_with(kernel, ta, tb, tc));
    REQUIRE_OK(wg_tensor_to_host(tc, got, m * n));
    double error = ref_relative_error(got, want, m * n);
    CHECK_MSG(error <= kernel_tolerance(kernel, k),
              "matmul %s %lldx%lldx%lld: relative error %.3g > %.3g", kernel_name(kernel),
              (long long)m, (long long)n, (long long)k, error, kernel_tolerance(kernel, k));
    wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(tc);
    free(a); free(b); free(got); free(want);
}

static const int64_t awkward[] = {1, 2, 3, 17, 64, 100, 257};
#define AWKWARD (sizeof awkward / sizeof awkward[0])

static void check_kernel_sizes(wg_device device, const wg_kernel *kernel)
{
    for (size_t i = 0; i < AWKWARD; i++) /* square */
        check_matmul_case(device, kernel, awkward[i], awkward[i], awkward[i]);
    for (size_t i = 0; i < AWKWARD; i++) /* each dimension alone awkward, others moderate */
        for (int axis = 0; axis < 3; axis++) {
            int64_t d[3] = {33, 65, 31};
            d[axis] = awkward[i];
            check_matmul_case(device, kernel, d[0], d[1], d[2]);
        }
    check_matmul_case(device, kernel, 97, 515, 300);  /* crosses CPU block edges both ways */
    check_matmul_case(device, kernel, 200, 1030, 3);
    check_matmul_case(device, kernel, 1, 1000, 777);
}

DEVICE_TEST(matmul_auto_matches_reference) { check_kernel_sizes(device, NULL); }
DEVICE_TEST(matmul_tiled_matches_reference)
{
    check_kernel_sizes(device, find_kernel(device.kind, "tiled"));
}
DEVICE_TEST(matmul_reference_kernel_matches_reference)
{
    check_kernel_sizes(device, find_kernel(device.kind, "reference"));
}

DEVICE_TEST(matmul_cublas_kernel)
{
    if (device.kind != WG_DEVICE_CUDA) { /* a CUDA kernel on another device is refused */
        const int64_t s[2] = {2, 2};
        wg_tensor *a = NULL, *c = NULL;
        REQUIRE_OK(wg_tensor_zeros(2, s, device, &a));
        REQUIRE_OK(wg_tensor_zeros(2, s, device, &c));
        CHECK_STATUS(wg_matmul_with(find_kernel(WG_DEVICE_CUDA, "cublas"), a, a, c),
                     WG_ERR_UNSUPPORTED);
        CHECK(strstr(wg_error_message(), "cublas-fp32") != NULL);
        wg_tensor_free(a); wg_tensor_free(c);
        return;
    }
    check_kernel_sizes(device, find_kernel(device.kind, "cublas"));
}

DEVICE_TEST(matmul_checks_shapes)
{
    const int64_t s23[2] = {2, 3}, s34[2] = {3, 4}, s24[2] = {2, 4}, s44[2] = {4, 4},
                  s3[1] = {3};
    wg_tensor *a = NULL, *b = NULL, *c = NULL, *wrong = NULL, *v = NULL;
    REQUIRE_OK(wg_tensor_zeros(2, s23, device, &a));
    REQUIRE_OK(wg_tensor_zeros(2, s34, device, &b));
    REQUIRE_OK(wg_tensor_zeros(2, s24, device, &c));
    REQUIRE_OK(wg_tensor_zeros(2, s44, device, &wrong));
    REQUIRE_OK(wg_tensor_zeros(1, s3, device, &v));
    CHECK_STATUS(wg_matmul(a, b, c), WG_OK);
    CHECK_STATUS(wg_matmul(b, a, c), WG_ERR_SHAPE);      /* k mismatch */
    CHECK(strstr(wg_error_message(), "[3, 4]") != NULL);
    CHECK_STATUS(wg_matmul(a, b, wrong), WG_ERR_SHAPE);  /* out shape */
    CHECK_STATUS(wg_matmul(a, v, c), WG_ERR_SHAPE);      /* not 2-D */
    CHECK_STATUS(wg_matmul(wrong, wrong, wrong), WG_ERR_ARGUMENT); /* out aliases */
    wg_kernel forged = *wg_kernel_at(device.kind, 0); /* a copy is not a registered kernel */
    CHECK_STATUS(wg_matmul_with(&forged, a, b, c), WG_ERR_ARGUMENT);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c); wg_tensor_free(wrong);
    wg_tensor_free(v);
}

TEST(matmul_kernel_names)
{
    const wg_kernel *k = NULL, *auto_k = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "tiled", &k)); /* former name: the CPU's auto */
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "auto", &auto_k));
    CHECK(k == auto_k && strncmp(k->name, "packed-", 7) == 0);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, NULL, &k));
    CHECK(k == auto_k);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "reference", &k));
    CHECK(strcmp(k->name, "triple-loop") == 0);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "cublas", &k));
    CHECK(strcmp(k->name, "cublas-fp32") == 0 && k->vendor && k->device == WG_DEVICE_CUDA);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "tiled", &k));
    CHECK(strcmp(k->name, "smem-tiled") == 0 && k->rung == 3);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "auto", &k));
    CHECK(strcmp(k->name, "cublas-fp32") == 0);
    CHECK_STATUS(wg_kernel_find(WG_DEVICE_CPU, "fastest", &k), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "fastest") != NULL);
    CHECK(strstr(wg_error_message(), "triple-loop") != NULL); /* lists the valid names */
    CHECK_STATUS(wg_kernel_find(WG_DEVICE_CPU, "cublas-fp32", &k), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_kernel_find(WG_DEVICE_CUDA, "naive", NULL), WG_ERR_ARGUMENT);
}

/* Every entry of both registries: a unique name per device, a summary, a known precision,
 * its own device kind; lookups by name give the entry back; out of range gives NULL. */
TEST(kernel_registry_is_well_formed)
{
    static const wg_device_kind kinds[] = {WG_DEVICE_CPU, WG_DEVICE_CUDA};
    for (size_t d = 0; d < 2; d++) {
        const int count = wg_kernel_count(kinds[d]);
        CHECK(count >= (kinds[d] == WG_DEVICE_CPU ? 4 : 11));
        CHECK(wg_kernel_at(kinds[d], -1) == NULL && wg_kernel_at(kinds[d], count) == NULL);
        for (int i = 0; i < count; i++) {
            const wg_kernel *k = wg_kernel_at(kinds[d], i);
            REQUIRE(k != NULL);
            CHECK(k->name && k->name[0] && strcmp(k->name, "auto") != 0);
            CHECK_MSG(k->summary && strlen(k->summary) > 20, "%s: no summary", k->name);
            CHECK_MSG(strcmp(wg_precision_name(k->precision), "unknown") != 0, "%s", k->name);
            CHECK(k->device == kinds[d]);
            CHECK(k->rung >= 0 && (k->vendor == 0 || k->vendor == 1));
            CHECK(!(k->rung && k->vendor));
            for (int j = 0; j < i; j++)
                CHECK_MSG(strcmp(k->name, wg_kernel_at(kinds[d], j)->name) != 0,
                          "kernel name '%s' registered twice", k->name);
            const wg_kernel *found = NULL;
            REQUIRE_OK(wg_kernel_find(kinds[d], k->name, &found));
            CHECK(found == k);
            const double bound = wg_precision_error_bound(k->precision, 1000);
            CHECK(bound >= wg_matmul_fp32_tolerance(1000) && bound < 0.05);
        }
    }
    CHECK(strcmp(wg_precision_name(WG_PRECISION_BF16), "bf16") == 0);
    CHECK(wg_precision_error_bound(WG_PRECISION_FP32, 64) < wg_precision_error_bound(WG_PRECISION_TF32, 64));
    CHECK(wg_precision_error_bound(WG_PRECISION_TF32, 64) < wg_precision_error_bound(WG_PRECISION_BF16, 64));
    /* the CPU's auto kernel and the triple loop run on any CPU */
    const wg_kernel *k = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "auto", &k));
    CHECK_STATUS(wg_kernel_available(k, 0), WG_OK);
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &k));
    CHECK_STATUS(wg_kernel_available(k, 0), WG_OK);
    CHECK_STATUS(wg_kernel_available(k, 1), WG_ERR_NO_DEVICE);
    CHECK_STATUS(wg_kernel_available(NULL, 0), WG_ERR_ARGUMENT);
    if (!wg_built_with_cuda()) {
        REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "naive", &k));
        CHECK_STATUS(wg_kernel_available(k, 0), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "without CUDA") != NULL);
    }
}

/* Every kernel registered for the device, where it can run here, against float64 at the
 * awkward sizes; those that cannot run say why (and are counted as skipped). */
DEVICE_TEST(matmul_every_registered_kernel_matches_reference)
{
    int ran = 0;
    for (int i = 0; i < wg_kernel_count(device.kind); i++) {
        const wg_kernel *k = wg_kernel_at(device.kind, i);
        wg_status status = wg_kernel_available(k, device.index);
        if (status != WG_OK) {
            CHECK_MSG(status == WG_ERR_UNSUPPORTED || status == WG_ERR_NO_DEVICE, "%s: %s",
                      k->name, wg_error_message());
            CHECK(wg_error_message()[0] != '\0');
            continue;
        }
        check_kernel_sizes(device, k);
        ran++;
    }
    CHECK(ran >= (device.kind == WG_DEVICE_CPU ? 2 : 1));
}

/* Every available kernel on a transposed, scaled, accumulating product, as prepared
 * products too (inputs converted once, run twice: the same result). */
DEVICE_TEST(gemm_every_registered_kernel_with_transposes)
{
    enum { M = 37, N = 29, K = 45 };
    float a[K * M], b[N * K], c0[M * N], c[M * N];
    double want[M * N];
    ref_random(a, K * M, 11);
    ref_random(b, N * K, 12);
    ref_random(c0, M * N, 13);
    ref_gemm(1, 1, M, N, K, -1.5, a, M, b, K, 0.5, c0, N, want);
    const int64_t sa[2] = {K, M}, sb[2] = {N, K}, sc[2] = {M, N};
    wg_tensor *ta = device_tensor(2, sa, a, device), *tb = device_tensor(2, sb, b, device);
    REQUIRE(ta && tb);
    for (int i = 0; i < wg_kernel_count(device.kind); i++) {
        const wg_kernel *k = wg_kernel_at(device.kind, i);
        if (wg_kernel_available(k, device.index) != WG_OK) continue;
        for (int prepared = 0; prepared < 2; prepared++) {
            wg_tensor *tc = device_tensor(2, sc, c0, device);
            REQUIRE(tc);
            if (!prepared) {
                CHECK_MSG(wg_gemm_with(k, 1, 1, -1.5f, ta, tb, 0.5f, tc) == WG_OK, "%s: %s",
                          k->name, wg_error_message());
            } else {
                const wg_gemm_args args = {.trans_a = 1, .trans_b = 1, .m = M, .n = N, .k = K,
                                           .alpha = -1.5f, .beta = 0.0f,
                                           .a = wg_tensor_data(ta), .lda = M,
                                           .b = wg_tensor_data(tb), .ldb = K,
                                           .c = wg_tensor_data(tc), .ldc = N};
                wg_gemm_prepared *p = NULL;
                REQUIRE_OK(wg_gemm_prepare(device, k, &args, &p));
                CHECK_STATUS(wg_gemm_run_prepared(p), WG_OK);
                CHECK_STATUS(wg_gemm_run_prepared(p), WG_OK); /* beta 0: the same again */
                CHECK_STATUS(wg_synchronize(device), WG_OK);
                wg_gemm_prepared_free(p);
                /* beta 0 here: compare with the product alone */
                for (int64_t e = 0; e < M * N; e++) want[e] -= 0.5 * (double)c0[e];
            }
            REQUIRE_OK(wg_tensor_to_host(tc, c, M * N));
            const double error = ref_relative_error(c, want, M * N);
            CHECK_MSG(error <= kernel_tolerance(k, K), "%s%s: error %.3g", k->name,
                      prepared ? " (prepared)" : "", error);
            if (prepared) /* back to the beta = 0.5 reference for the next kernel */
                for (int64_t e = 0; e < M * N; e++) want[e] += 0.5 * (double)c0[e];
            wg_tensor_free(tc);
        }
    }
    wg_tensor_free(ta); wg_tensor_free(tb);
}

TEST(cpu_matmul_isa_is_the_widest_supported)
{
    wg_cpu_info info;
    const char *isa = NULL;
    REQUIRE_OK(wg_cpu_info_get(&info));
    REQUIRE_OK(wg_cpu_matmul_isa(&isa));
    const char *forced = getenv("WHYGPU_CPU_ISA");
    if (forced && *forced)
        CHECK(strcmp(isa, forced) == 0);
#ifdef WG_CPU_HAVE_X86_KERNELS
    else if (info.avx512f && info.avx512vl && info.fma)
        CHECK(strcmp(isa, "avx512") == 0);
    else if (info.avx2 && info.fma)
        CHECK(strcmp(isa, "avx2") == 0);
#endif
    else
        CHECK(strcmp(isa, "generic") == 0);
}

TEST(matmul_sampled_check_tells_right_from_wrong)
{
    const int64_t m = 37, n = 29, k = 53;
    float *a = malloc(m * k * sizeof *a), *b = malloc(k * n * sizeof *b),
          *c = malloc(m * n * sizeof *c);
    double *want = malloc(m * n * sizeof *want);
    REQUIRE(a && b && c && want);
    ref_random(a, m * k, 5);
    ref_random(b, k * n, 6);
    ref_matmul(a, b, want, m, n, k);
    for (int64_t i = 0; i < m * n; i++) c[i] = (float)want[i];
    double right = wg_matmul_sampled_error(a, b, c, m, n, k, 64, 9);
    CHECK_MSG(right <= wg_matmul_fp32_tolerance(k), "a correct product scores %.3g", right);
    for (int64_t i = 0; i < m * n; i++) c[i] = (float)(want[i] * 1.01);
    CHECK(wg_matmul_sampled_error(a, b, c, m, n, k, 64, 9) > wg_matmul_fp32_tolerance(k));
    ref_poison(c, m * n);
    CHECK(isinf(wg_matmul_sampled_error(a, b, c, m, n, k, 64, 9)));
    /* A TF32-like result (inputs rounded to 10 mantissa bits) must not pass as FP32. */
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double sum = 0;
            for (int64_t p = 0; p < k; p++) {
                double x = a[i * k + p], y = b[p * n + j];
                int ex = 0, ey = 0;
                x = ldexp(round(ldexp(frexp(x, &ex), 11)), ex - 11);
                y = ldexp(round(ldexp(frexp(y, &ey), 11)), ey - 11);
                sum += x * y;
            }
            c[i * n + j] = (float)sum;
        }
    CHECK(wg_matmul_sampled_error(a, b, c, m, n, k, 64, 9) > wg_matmul_fp32_tolerance(k));
    /* An error only in the bottom-right corner is found: corners are always sampled. */
    for (int64_t i = 0; i < m * n; i++) c[i] = (float)want[i];
    c[m * n - 1] += 1.0f;
    CHECK(wg_matmul_sampled_error(a, b, c, m, n, k, 8, 9) > wg_matmul_fp32_tolerance(k));
    free(a); free(b); free(c); free(want);
}
