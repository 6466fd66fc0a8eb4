/*
 * test_check.c - the float64 result check (wg_gemm_sampled_error) fed right and wrong
 * GEMM products: transposed operands with padded leading dimensions and alpha, one wrong
 * element at a sampled position, a product computed with the wrong transpose, the wrong
 * alpha, and an unwritten (NaN) output. The check is what every timing trusts; each wrong
 * case must score above the bound and the right one below it.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "reference.h"

enum { M = 37, N = 45, K = 29, PAD = 3 };

/* C = alpha op(A) op(B) in double, rounded to float, with A stored k x m (trans_a) and B
 * stored k x n, both with PAD extra columns. */
static void reference_product(const float *a, const float *b, float *c, float alpha,
                              int trans_a)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0.0;
            for (int p = 0; p < K; p++) {
                const double x = trans_a ? a[p * (M + PAD) + i] : a[i * (K + PAD) + p];
                sum += x * (double)b[p * (N + PAD) + j];
            }
            c[i * (N + PAD) + j] = (float)(alpha * sum);
        }
}

TEST(gemm_sampled_error_catches_wrong_products)
{
    float *a = malloc(sizeof(float) * (K * (M + PAD) + M * (K + PAD)));
    float *b = malloc(sizeof(float) * K * (N + PAD));
    float *c = malloc(sizeof(float) * M * (N + PAD));
    REQUIRE(a && b && c);
    ref_random(a, K * (M + PAD) + M * (K + PAD), 3);
    ref_random(b, K * (N + PAD), 4);
    const float alpha = -1.5f;
    wg_gemm_args g = {.trans_a = 1, .trans_b = 0, .m = M, .n = N, .k = K, .alpha = alpha,
                      .beta = 0.0f, .a = a, .lda = M + PAD, .b = b, .ldb = N + PAD, .c = c,
                      .ldc = N + PAD};
    const double bound = wg_matmul_fp32_tolerance(K);

    reference_product(a, b, c, alpha, 1);
    double e = wg_gemm_sampled_error(&g, 64, 5);
    CHECK_MSG(e <= bound, "the right product scores %g > %g", e, bound);

    /* one wrong element where the check always looks (the last corner) */
    c[(M - 1) * (N + PAD) + N - 1] += 0.01f;
    e = wg_gemm_sampled_error(&g, 64, 5);
    CHECK_MSG(e > bound, "a wrong corner scores %g <= %g", e, bound);
    reference_product(a, b, c, alpha, 1);

    /* the product of the untransposed reading of A (a transpose bug) */
    reference_product(a, b, c, alpha, 0);
    e = wg_gemm_sampled_error(&g, 64, 5);
    CHECK_MSG(e > bound, "a wrong transpose scores %g <= %g", e, bound);

    /* the wrong alpha */
    reference_product(a, b, c, 1.5f, 1);
    e = wg_gemm_sampled_error(&g, 64, 5);
    CHECK_MSG(e > bound, "alpha of the wrong sign scores %g <= %g", e, bound);

    /* an unwritten output */
    reference_product(a, b, c, alpha, 1);
    c[0] = NAN;
    e = wg_gemm_sampled_error(&g, 64, 5);
    CHECK_MSG(isinf(e), "NaN in C scores %g, not infinity", e);
    free(a);
    free(b);
    free(c);
}
