/*
 * test_dtype.c - bfloat16: the conversions' edge cases (NaN, infinities, zeros,
 * subnormals, ties, overflow), the array versions against the scalar ones, and BF16
 * tensors on every device (to(), to_host, dtype checks, elementwise ops, matmul).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reference.h"

static float float_of(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint32_t bits_of(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

static int bf16_is_nan(wg_bf16 h) { return (h & 0x7f80u) == 0x7f80u && (h & 0x007fu) != 0; }

/* The rounding computed independently of dtype.c: the two bf16 neighbours of x compared
 * in double (exact for float inputs), ties to the even one; NaN is only checked to stay a
 * NaN of the same sign. */
static wg_bf16 reference_round(float x)
{
    const uint32_t bits = bits_of(x);
    const wg_bf16 lo = (wg_bf16)(bits >> 16);
    if (isinf(x) || (bits & 0xffffu) == 0) return lo;
    const wg_bf16 hi = (wg_bf16)(lo + 1); /* the neighbour away from zero (may be inf) */
    const double d_lo = fabs((double)x - (double)wg_float_from_bf16(lo));
    /* past the largest finite the next step is 2^128 (the IEEE rule for overflow) */
    const double v_hi = isinf(wg_float_from_bf16(hi)) ? copysign(ldexp(1.0, 128), (double)x)
                                                      : (double)wg_float_from_bf16(hi);
    const double d_hi = fabs(v_hi - (double)x);
    if (d_lo < d_hi) return lo;
    if (d_hi < d_lo) return hi;
    return (lo & 1u) ? hi : lo;
}

/* Compares one conversion with the reference; returns 1 when they agree. */
static int rounds_right(uint32_t bits)
{
    const float x = float_of(bits);
    const wg_bf16 got = wg_bf16_from_float(x);
    if (isnan(x)) return bf16_is_nan(got) && (got >> 15) == (bits >> 31);
    return got == reference_round(x);
}

TEST(bf16_conversion_edge_cases)
{
    static const struct {
        uint32_t in;
        wg_bf16 want;
        const char *what;
    } cases[] = {
        {0x00000000u, 0x0000u, "+0"},
        {0x80000000u, 0x8000u, "-0"},
        {0x7f800000u, 0x7f80u, "+inf"},
        {0xff800000u, 0xff80u, "-inf"},
        {0x7fc00000u, 0x7fc0u, "quiet NaN"},
        {0xffc00000u, 0xffc0u, "negative quiet NaN"},
        {0x7fa50000u, 0x7fe5u, "NaN payload in the kept bits: kept, quieted"},
        {0x7f800001u, 0x7fc0u, "NaN whose payload is only in the low 16 bits stays NaN"},
        {0xff80ffffu, 0xffc0u, "negative NaN, low payload, all ones below: no carry to -0"},
        {0x7fffffffu, 0x7fffu, "NaN with every bit set: no carry into the sign"},
        {0x3f800000u, 0x3f80u, "1.0 exact"},
        {0x3f808000u, 0x3f80u, "tie, kept lsb even: down"},
        {0x3f818000u, 0x3f82u, "tie, kept lsb odd: up"},
        {0xbf818000u, 0xbf82u, "negative tie, odd: up in magnitude"},
        {0x3f807fffu, 0x3f80u, "just below the tie: down"},
        {0x3f808001u, 0x3f81u, "just above the tie: up"},
        {0x3fffffffu, 0x4000u, "carry into the exponent"},
        {0x7f7f0000u, 0x7f7fu, "largest finite bf16"},
        {0x7f7f7fffu, 0x7f7fu, "below the midpoint to infinity: stays finite"},
        {0x7f7f8000u, 0x7f80u, "the midpoint past the largest finite: infinity (tie, odd)"},
        {0x7f7fffffu, 0x7f80u, "largest finite float: infinity"},
        {0xff7fffffu, 0xff80u, "most negative finite float: -infinity"},
        {0x00000001u, 0x0000u, "smallest float subnormal: 0"},
        {0x80000001u, 0x8000u, "negative smallest subnormal: -0"},
        {0x00008000u, 0x0000u, "subnormal tie, even: 0"},
        {0x00018000u, 0x0002u, "subnormal tie, odd: up"},
        {0x00008001u, 0x0001u, "rounds to the smallest bf16 subnormal"},
        {0x00010000u, 0x0001u, "the smallest bf16 subnormal exactly"},
        {0x007fffffu, 0x0080u, "largest float subnormal: smallest bf16 normal"},
        {0x807fffffu, 0x8080u, "negative largest subnormal: -smallest normal"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const wg_bf16 got = wg_bf16_from_float(float_of(cases[i].in));
        CHECK_MSG(got == cases[i].want, "%s: 0x%08x -> 0x%04x, expected 0x%04x", cases[i].what,
                  (unsigned)cases[i].in, (unsigned)got, (unsigned)cases[i].want);
        CHECK_MSG(rounds_right(cases[i].in), "%s disagrees with the reference", cases[i].what);
    }
    /* widening: exact for all 65536 patterns (subnormals and NaN payloads included), and
     * narrowing gives every non-NaN bf16 back unchanged */
    int wrong = 0;
    for (uint32_t h = 0; h <= 0xffffu; h++) {
        const float f = wg_float_from_bf16((wg_bf16)h);
        if (bits_of(f) != h << 16) wrong++;
        const wg_bf16 back = wg_bf16_from_float(f);
        if (bf16_is_nan((wg_bf16)h) ? back != (h | 0x40u) : back != h) wrong++;
    }
    CHECK_MSG(wrong == 0, "%d bf16 patterns do not round-trip", wrong);
    CHECK(wg_float_from_bf16(0x0001u) == ldexpf(1.0f, -133)); /* bf16 subnormal, exact */
}

/* Every 65537th bit pattern of all 2^32 (all exponents, both signs, varied low bits) plus
 * the edge cases, against the independent reference. */
TEST(bf16_rounding_matches_reference_on_a_sweep)
{
    int64_t wrong = 0, checked = 0;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 65537u, checked++)
        if (!rounds_right((uint32_t)bits)) {
            if (wrong++ < 5)
                CHECK_MSG(0, "0x%08x -> 0x%04x, reference 0x%04x", (unsigned)bits,
                          (unsigned)wg_bf16_from_float(float_of((uint32_t)bits)),
                          (unsigned)reference_round(float_of((uint32_t)bits)));
        }
    CHECK_MSG(wrong == 0, "%lld of %lld patterns rounded wrongly", (long long)wrong,
              (long long)checked);
}

/* A sweep of patterns with the specials at the front: n of them into `dst`. */
static void sweep_patterns(float *dst, int64_t n)
{
    static const uint32_t specials[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u,
                                        0x7fc00000u, 0x7f800001u, 0xff80ffffu, 0x7fffffffu,
                                        0x3f808000u, 0x3f818000u, 0x7f7f8000u, 0x7f7fffffu,
                                        0x00000001u, 0x00008000u, 0x00018000u, 0x807fffffu};
    const int64_t ns = (int64_t)(sizeof specials / sizeof specials[0]);
    for (int64_t i = 0; i < n; i++)
        dst[i] = float_of(i < ns ? specials[i] : (uint32_t)((uint64_t)(i - ns) * 65537u));
}

TEST(bf16_array_conversions_match_scalar)
{
    /* 65536 + 16 patterns, and a length over the threaded threshold; each converted from
     * several start offsets and odd lengths so vector bodies, tails and misaligned heads
     * are all used */
    const int64_t n = 65536 + 16 + 3, big = (int64_t)1 << 21;
    float *src = malloc((size_t)big * sizeof *src), *wide = malloc((size_t)big * sizeof *wide);
    wg_bf16 *dst = malloc((size_t)big * sizeof *dst);
    REQUIRE(src && wide && dst);
    sweep_patterns(src, n);
    for (int64_t i = n; i < big; i++) src[i] = src[i % n] * 1.0009765625f; /* new low bits */
    static const int64_t starts[] = {0, 1, 3, 7, 16, 33};
    static const int64_t lengths[] = {0, 1, 7, 15, 16, 17, 31, 64, 1000};
    int64_t wrong = 0;
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++)
        for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            const int64_t at = starts[s], len = lengths[l];
            memset(dst, 0xab, (size_t)(len + 40) * sizeof *dst);
            wg_bf16_from_floats(src + at, dst + at, len);
            for (int64_t i = 0; i < len; i++)
                wrong += dst[at + i] != wg_bf16_from_float(src[at + i]);
            wrong += dst[at + len] != 0xabab; /* nothing past the end */
            if (at > 0) wrong += dst[at - 1] != 0xabab;
        }
    CHECK_MSG(wrong == 0, "%lld short conversions differ from the scalar ones", (long long)wrong);
    for (int64_t len = n; len <= big; len = len == n ? big : big + 1) {
        wg_bf16_from_floats(src, dst, len);
        wg_floats_from_bf16(dst, wide, len);
        wrong = 0;
        for (int64_t i = 0; i < len; i++) {
            wrong += dst[i] != wg_bf16_from_float(src[i]);
            wrong += bits_of(wide[i]) != bits_of(wg_float_from_bf16(dst[i]));
        }
        CHECK_MSG(wrong == 0, "n=%lld: %lld elements differ from the scalar conversions",
                  (long long)len, (long long)wrong);
    }
    wg_bf16_from_floats(src, dst, -5); /* n <= 0: nothing, no crash */
    wg_floats_from_bf16(dst, wide, 0);
    free(src);
    free(wide);
    free(dst);
}

/* ---------------------------------------------------------------- tensors --------- */

/* Float values rounded to bf16 and widened back: what a BF16 tensor of `src` holds. */
static void rounded(const float *src, float *dst, int64_t n)
{
    for (int64_t i = 0; i < n; i++) dst[i] = wg_float_from_bf16(wg_bf16_from_float(src[i]));
}

/* Equal as bf16 values would be: same bits, or both NaN. */
static int same_value(float a, float b)
{
    return (isnan(a) && isnan(b)) || bits_of(a) == bits_of(b);
}

DEVICE_TEST(bf16_tensors_keep_their_dtype)
{
    enum { N = 37 };
    float values[N], back[N], want[N];
    ref_random(values, N, 5);
    values[0] = NAN;
    values[1] = -INFINITY;
    values[2] = 3.4e38f; /* rounds to infinity */
    values[3] = 1.00390625f; /* a tie: 1 + 2^-8, rounds to 1 */
    rounded(values, want, N);
    const int64_t shape[2] = {N, 1};
    wg_tensor *t32 = NULL, *t16 = NULL, *moved = NULL, *like = NULL, *again = NULL;
    REQUIRE_OK(wg_tensor_from_host(2, shape, values, device, &t32));
    CHECK(wg_tensor_dtype(t32) == WG_DTYPE_FP32);
    REQUIRE_OK(wg_tensor_convert(t32, WG_DTYPE_BF16, &t16));
    CHECK(wg_tensor_dtype(t16) == WG_DTYPE_BF16);
    CHECK(wg_tensor_numel(t16) == N && wg_tensor_dim(t16, 0) == N);
    CHECK(wg_tensor_data(t16) == NULL && wg_tensor_host_data(t16) == NULL);
    CHECK(wg_tensor_storage(t16) != NULL);
    CHECK(wg_tensor_storage(t32) == wg_tensor_data(t32));
    REQUIRE_OK(wg_tensor_to_host(t16, back, N));
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += !same_value(back[i], want[i]);
    CHECK_MSG(wrong == 0, "%d values of the bf16 tensor read back wrong", wrong);
    CHECK(isinf(back[2]) && back[3] == 1.0f);
    /* to() keeps the dtype: the same stored bits on the CPU and back */
    REQUIRE_OK(wg_tensor_to(t16, wg_cpu(), &moved));
    CHECK(wg_tensor_dtype(moved) == WG_DTYPE_BF16);
    const wg_bf16 *host16 = wg_tensor_storage(moved);
    wrong = 0;
    for (int i = 0; i < N; i++)
        wrong += host16[i] != wg_bf16_from_float(values[i]) && !isnan(values[i]);
    CHECK_MSG(wrong == 0, "%d stored bf16 values differ from wg_bf16_from_float's", wrong);
    CHECK(bf16_is_nan(host16[0]));
    REQUIRE_OK(wg_tensor_to(moved, device, &again));
    CHECK(wg_tensor_dtype(again) == WG_DTYPE_BF16);
    REQUIRE_OK(wg_tensor_to_host(again, back, N));
    wrong = 0;
    for (int i = 0; i < N; i++) wrong += !same_value(back[i], want[i]);
    CHECK_MSG(wrong == 0, "%d values changed in the round trip through the CPU", wrong);
    REQUIRE_OK(wg_tensor_empty_like(t16, &like));
    CHECK(wg_tensor_dtype(like) == WG_DTYPE_BF16);
    wg_tensor_free(again);
    again = NULL;
    /* converting back is exact; converting to the same dtype copies */
    REQUIRE_OK(wg_tensor_convert(t16, WG_DTYPE_FP32, &again));
    CHECK(wg_tensor_dtype(again) == WG_DTYPE_FP32);
    REQUIRE_OK(wg_tensor_to_host(again, back, N));
    wrong = 0;
    for (int i = 0; i < N; i++) wrong += !same_value(back[i], want[i]);
    CHECK_MSG(wrong == 0, "%d values changed converting bf16 -> fp32", wrong);
    wg_tensor_free(again);
    again = NULL;
    REQUIRE_OK(wg_tensor_convert(t16, WG_DTYPE_BF16, &again));
    CHECK(wg_tensor_dtype(again) == WG_DTYPE_BF16 && wg_tensor_storage(again) != wg_tensor_storage(t16));
    CHECK_STATUS(wg_tensor_to_host(t16, back, N - 1), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_tensor_convert(t16, (wg_dtype)7, &like), WG_ERR_ARGUMENT);
    wg_tensor *bad = NULL;
    CHECK_STATUS(wg_tensor_empty_dtype(2, shape, (wg_dtype)7, device, &bad), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "7") != NULL && bad == NULL);
    wg_tensor_free(t32); wg_tensor_free(t16); wg_tensor_free(moved); wg_tensor_free(like);
    wg_tensor_free(again);
}

DEVICE_TEST(mismatched_dtypes_are_refused_with_names)
{
    const int64_t shape[2] = {4, 4};
    wg_tensor *a16 = NULL, *b32 = NULL, *c32 = NULL, *c16 = NULL;
    REQUIRE_OK(wg_tensor_empty_dtype(2, shape, WG_DTYPE_BF16, device, &a16));
    REQUIRE_OK(wg_tensor_zeros(2, shape, device, &b32));
    REQUIRE_OK(wg_tensor_zeros(2, shape, device, &c32));
    REQUIRE_OK(wg_tensor_empty_dtype(2, shape, WG_DTYPE_BF16, device, &c16));
    CHECK_STATUS(wg_add(a16, b32, c32), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "add: a is bf16, b is fp32") != NULL);
    CHECK_STATUS(wg_mul(a16, a16, c32), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "out is fp32") != NULL);
    CHECK_STATUS(wg_relu(a16, c32), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "x is bf16, out is fp32") != NULL);
    CHECK_STATUS(wg_matmul(b32, a16, c32), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "a is fp32, b is bf16") != NULL);
    CHECK_STATUS(wg_matmul(a16, a16, c16), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "c is bf16") != NULL);
    CHECK_STATUS(wg_matmul(b32, b32, c16), WG_ERR_ARGUMENT);
    /* bf16 inputs with a kernel that reads fp32: named, with its precision */
    const wg_kernel *fp32 = NULL;
    REQUIRE_OK(wg_kernel_find(device.kind, "auto", &fp32));
    CHECK_STATUS(wg_matmul_with(fp32, a16, a16, c32), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), fp32->name) != NULL &&
          strstr(wg_error_message(), "fp32") != NULL);
    wg_tensor_free(a16); wg_tensor_free(b32); wg_tensor_free(c32); wg_tensor_free(c16);
}

/* mul, add, relu of BF16 tensors: the float32 result of the bf16 values, rounded once. */
DEVICE_TEST(bf16_elementwise_rounds_the_fp32_result)
{
    enum { N = 1000 };
    float a[N], b[N], ra[N], rb[N], got[N];
    ref_random(a, N, 11);
    ref_random(b, N, 12);
    for (int i = 0; i < N; i++) a[i] = (a[i] - 0.5f) * 300.0f; /* signs, and varied exponents */
    a[0] = NAN;
    b[1] = INFINITY;
    a[2] = 3.0e38f, b[2] = 3.0e38f; /* sum overflows */
    rounded(a, ra, N);
    rounded(b, rb, N);
    const int64_t shape[1] = {N};
    wg_tensor *ta = NULL, *tb = NULL, *a16 = NULL, *b16 = NULL, *out = NULL;
    REQUIRE_OK(wg_tensor_from_host(1, shape, a, device, &ta));
    REQUIRE_OK(wg_tensor_from_host(1, shape, b, device, &tb));
    REQUIRE_OK(wg_tensor_convert(ta, WG_DTYPE_BF16, &a16));
    REQUIRE_OK(wg_tensor_convert(tb, WG_DTYPE_BF16, &b16));
    REQUIRE_OK(wg_tensor_empty_like(a16, &out));
    for (int op = 0; op < 3; op++) {
        const char *name = op == 0 ? "mul" : op == 1 ? "add" : "relu";
        wg_status status = op == 0   ? wg_mul(a16, b16, out)
                           : op == 1 ? wg_add(a16, b16, out)
                                     : wg_relu(a16, out);
        CHECK_MSG(status == WG_OK, "%s: %s", name, wg_error_message());
        REQUIRE_OK(wg_tensor_to_host(out, got, N));
        int wrong = 0;
        for (int i = 0; i < N; i++) {
            const float exact = op == 0 ? ra[i] * rb[i] : op == 1 ? ra[i] + rb[i]
                                                         : (ra[i] <= 0.0f ? 0.0f : ra[i]);
            const float want = wg_float_from_bf16(wg_bf16_from_float(exact));
            if (!same_value(got[i], want) && wrong++ < 3)
                CHECK_MSG(0, "%s[%d]: %.9g, expected %.9g", name, i, (double)got[i],
                          (double)want);
        }
        CHECK_MSG(wrong == 0, "%s: %d elements wrong", name, wrong);
    }
    /* in place: out aliases a */
    REQUIRE_OK(wg_add(a16, b16, a16));
    REQUIRE_OK(wg_tensor_to_host(a16, got, N));
    CHECK(same_value(got[5], wg_float_from_bf16(wg_bf16_from_float(ra[5] + rb[5]))));
    wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(a16); wg_tensor_free(b16);
    wg_tensor_free(out);
}

/* One BF16 product on `device` with `kernel` (NULL: the best) at awkward sizes, both
 * transposes, C poisoned with NaN and beta 0, against float64 of the bf16 values. */
static void check_bf16_product(wg_device device, const wg_kernel *kernel, int ta, int tb)
{
    enum { M = 37, N = 29, K = 45 };
    float a[M * K], b[K * N], ra[M * K], rb[K * N], c[M * N], poison[M * N];
    double want[M * N];
    ref_random(a, M * K, 21);
    ref_random(b, K * N, 22);
    for (int i = 0; i < M * K; i++) a[i] -= 0.5f;
    rounded(a, ra, M * K);
    rounded(b, rb, K * N);
    const int64_t sa[2] = {ta ? K : M, ta ? M : K}, sb[2] = {tb ? N : K, tb ? K : N};
    const int64_t sc[2] = {M, N};
    ref_gemm(ta, tb, M, N, K, 1.5, ra, sa[1], rb, sb[1], 0.0, NULL, N, want);
    ref_poison(poison, M * N);
    wg_tensor *a32 = NULL, *b32 = NULL, *a16 = NULL, *b16 = NULL, *tc = NULL;
    REQUIRE_OK(wg_tensor_from_host(2, sa, a, device, &a32));
    REQUIRE_OK(wg_tensor_from_host(2, sb, b, device, &b32));
    REQUIRE_OK(wg_tensor_convert(a32, WG_DTYPE_BF16, &a16));
    REQUIRE_OK(wg_tensor_convert(b32, WG_DTYPE_BF16, &b16));
    REQUIRE_OK(wg_tensor_from_host(2, sc, poison, device, &tc));
    const char *name = kernel ? kernel->name : "best";
    wg_status status = wg_gemm_with(kernel, ta, tb, 1.5f, a16, b16, 0.0f, tc);
    CHECK_MSG(status == WG_OK, "%s (ta %d, tb %d): %s", name, ta, tb, wg_error_message());
    if (status == WG_OK) {
        REQUIRE_OK(wg_tensor_to_host(tc, c, M * N));
        /* the inputs are exactly bf16 and their products exact in fp32: only the fp32
         * accumulation errs, far under the bf16 input-rounding bound */
        const double error = ref_relative_error(c, want, M * N);
        CHECK_MSG(error <= 1e-5, "%s (ta %d, tb %d): relative error %.3g against float64 of "
                  "the bf16 values", name, ta, tb, error);
    }
    wg_tensor_free(a32); wg_tensor_free(b32); wg_tensor_free(a16); wg_tensor_free(b16);
    wg_tensor_free(tc);
}

DEVICE_TEST(bf16_matmul_on_every_device)
{
    const wg_kernel *best = NULL;
    if (device.kind == WG_DEVICE_OPENCL) {
        /* no bf16 kernel there: a clear refusal, not a wrong product */
        const int64_t shape[2] = {3, 3};
        wg_tensor *x = NULL, *y = NULL;
        REQUIRE_OK(wg_tensor_empty_dtype(2, shape, WG_DTYPE_BF16, device, &x));
        REQUIRE_OK(wg_tensor_zeros(2, shape, device, &y));
        CHECK_STATUS(wg_matmul(x, x, y), WG_ERR_UNSUPPORTED);
        CHECK(strstr(wg_error_message(), "fp32 only") != NULL);
        wg_tensor_free(x);
        wg_tensor_free(y);
        return;
    }
    if (wg_kernel_best(device, WG_PRECISION_BF16, &best) != WG_OK)
        SKIP("no bf16 kernel runs here: %s", wg_error_message());
    for (int t = 0; t < 4; t++) check_bf16_product(device, NULL, t & 1, t >> 1);
    /* and every registered BF16 kernel that runs here, named */
    for (int i = 0; i < wg_kernel_count(device.kind); i++) {
        const wg_kernel *k = wg_kernel_at(device.kind, i);
        if (k->precision != WG_PRECISION_BF16 || wg_kernel_available(k, device.index) != WG_OK)
            continue;
        check_bf16_product(device, k, 0, 0);
        check_bf16_product(device, k, 1, 1);
    }
}

TEST(gemm_args_input_dtype_is_checked)
{
    float x[4] = {1, 2, 3, 4}, c[4];
    wg_gemm_args g = {.m = 2, .n = 2, .k = 2, .alpha = 1.0f, .a = x, .lda = 2, .b = x,
                      .ldb = 2, .c = c, .ldc = 2};
    CHECK_STATUS(wg_gemm_args_check("t", &g), WG_OK);
    g.input_dtype = (wg_dtype)5;
    CHECK_STATUS(wg_gemm_args_check("t", &g), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "input_dtype 5") != NULL);
    CHECK_STATUS(wg_gemm_on(wg_cpu(), NULL, &g), WG_ERR_ARGUMENT);
}

/* wg_gemm_sampled_error reads bf16 inputs as bf16: a C that is the exact product of the
 * bf16 values scores ~0; one computed from the unrounded floats is caught. */
TEST(sampled_error_reads_bf16_inputs)
{
    enum { M = 19, N = 23, K = 31 };
    float a[M * K], b[K * N], c_exact[M * N], c_unrounded[M * N];
    wg_bf16 a16[M * K], b16[K * N];
    ref_random(a, M * K, 31);
    ref_random(b, K * N, 32);
    wg_bf16_from_floats(a, a16, M * K);
    wg_bf16_from_floats(b, b16, K * N);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s16 = 0, s32 = 0;
            for (int p = 0; p < K; p++) {
                s16 += (double)wg_float_from_bf16(a16[i * K + p]) *
                       (double)wg_float_from_bf16(b16[p * N + j]);
                s32 += (double)a[i * K + p] * (double)b[p * N + j];
            }
            c_exact[i * N + j] = (float)s16;
            c_unrounded[i * N + j] = (float)s32;
        }
    wg_gemm_args g = {.m = M, .n = N, .k = K, .alpha = 1.0f, .a = (const float *)a16, .lda = K,
                      .b = (const float *)b16, .ldb = N, .c = c_exact, .ldc = N,
                      .input_dtype = WG_DTYPE_BF16};
    const double exact = wg_gemm_sampled_error(&g, 64, 1);
    CHECK_MSG(exact <= 1e-7, "the exact product of the bf16 values scores %.3g", exact);
    g.c = c_unrounded;
    const double off = wg_gemm_sampled_error(&g, 64, 1);
    CHECK_MSG(off > 1e-4 && off < 1e-2, "a product of the unrounded inputs scores %.3g", off);
}
