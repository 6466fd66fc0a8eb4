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

/* One product on `device` with `kernel`, checked against float64. */
static void check_matmul_case(wg_device device, wg_matmul_kernel kernel, int64_t m, int64_t n,
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
    CHECK_MSG(error <= matmul_tolerance(k), "matmul %s %lldx%lldx%lld: relative error %.3g > %.3g",
              wg_matmul_kernel_name(kernel), (long long)m, (long long)n, (long long)k, error,
              matmul_tolerance(k));
    wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(tc);
    free(a); free(b); free(got); free(want);
}

static const int64_t awkward[] = {1, 2, 3, 17, 64, 100, 257};
#define AWKWARD (sizeof awkward / sizeof awkward[0])

static void check_kernel_sizes(wg_device device, wg_matmul_kernel kernel)
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

DEVICE_TEST(matmul_auto_matches_reference) { check_kernel_sizes(device, WG_MATMUL_AUTO); }
DEVICE_TEST(matmul_tiled_matches_reference) { check_kernel_sizes(device, WG_MATMUL_TILED); }
DEVICE_TEST(matmul_reference_kernel_matches_reference)
{
    check_kernel_sizes(device, WG_MATMUL_REFERENCE);
}

DEVICE_TEST(matmul_cublas_kernel)
{
    if (device.kind == WG_DEVICE_CPU) {
        const int64_t s[2] = {2, 2};
        wg_tensor *a = NULL, *c = NULL;
        REQUIRE_OK(wg_tensor_zeros(2, s, device, &a));
        REQUIRE_OK(wg_tensor_zeros(2, s, device, &c));
        CHECK_STATUS(wg_matmul_with(WG_MATMUL_CUBLAS, a, a, c), WG_ERR_UNSUPPORTED);
        wg_tensor_free(a); wg_tensor_free(c);
        return;
    }
    check_kernel_sizes(device, WG_MATMUL_CUBLAS);
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
    CHECK_STATUS(wg_matmul_with((wg_matmul_kernel)42, a, b, c), WG_ERR_ARGUMENT);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c); wg_tensor_free(wrong);
    wg_tensor_free(v);
}

TEST(matmul_kernel_names)
{
    wg_matmul_kernel k;
    REQUIRE_OK(wg_matmul_kernel_parse("tiled", &k));
    CHECK(k == WG_MATMUL_TILED);
    REQUIRE_OK(wg_matmul_kernel_parse("cublas", &k));
    CHECK(strcmp(wg_matmul_kernel_name(k), "cublas") == 0);
    CHECK_STATUS(wg_matmul_kernel_parse("fastest", &k), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "fastest") != NULL);
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
