/*
 * test_add_relu.c - elementwise add and ReLU on every device, against exact references on
 * fresh random data, outputs poisoned with NaN first; in-place use and bad arguments.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reference.h"

static wg_tensor *device_tensor(int rank, const int64_t *shape, const float *data,
                                wg_device device)
{
    wg_tensor *t = NULL;
    if (wg_tensor_from_host(rank, shape, data, device, &t) != WG_OK) return NULL;
    return t;
}

/* Sizes from one element to past the CPU's parallel threshold, odd ones for the vector tails. */
static const int64_t shapes[][2] = {{1, 1}, {1, 3}, {5, 1}, {17, 3}, {64, 64}, {257, 1},
                                    {300, 301}};
#define SHAPE_COUNT (sizeof shapes / sizeof shapes[0])

DEVICE_TEST(add_matches_reference)
{
    for (size_t s = 0; s < SHAPE_COUNT; s++) {
        int64_t n = shapes[s][0] * shapes[s][1];
        float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *got = malloc(n * sizeof *got);
        REQUIRE(a && b && got);
        ref_random(a, n, 11 + s);
        ref_random(b, n, 200 + s);
        ref_poison(got, n);
        wg_tensor *ta = device_tensor(2, shapes[s], a, device);
        wg_tensor *tb = device_tensor(2, shapes[s], b, device);
        wg_tensor *out = device_tensor(2, shapes[s], got, device);
        REQUIRE(ta && tb && out);
        REQUIRE_OK(wg_add(ta, tb, out));
        REQUIRE_OK(wg_synchronize(device));
        REQUIRE_OK(wg_tensor_to_host(out, got, n));
        int exact = 1;
        for (int64_t i = 0; i < n; i++) exact &= got[i] == (float)((double)a[i] + (double)b[i]);
        CHECK_MSG(exact, "add %lldx%lld differs from the correctly rounded sum",
                  (long long)shapes[s][0], (long long)shapes[s][1]);
        /* In place: out aliases b (b = a + b). */
        REQUIRE_OK(wg_add(ta, tb, tb));
        REQUIRE_OK(wg_tensor_to_host(tb, got, n));
        exact = 1;
        for (int64_t i = 0; i < n; i++) exact &= got[i] == (float)((double)a[i] + (double)b[i]);
        CHECK_MSG(exact, "in-place add %lldx%lld is wrong", (long long)shapes[s][0],
                  (long long)shapes[s][1]);
        wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(out);
        free(a); free(b); free(got);
    }
}

DEVICE_TEST(relu_matches_reference)
{
    for (size_t s = 0; s < SHAPE_COUNT; s++) {
        int64_t n = shapes[s][0] * shapes[s][1];
        float *x = malloc(n * sizeof *x), *got = malloc(n * sizeof *got);
        REQUIRE(x && got);
        ref_random(x, n, 31 + s);
        for (int64_t i = 0; i < n; i++) x[i] -= 0.5f; /* about half negative */
        if (n >= 3) {
            x[0] = -0.0f;
            x[1] = NAN;
            x[2] = INFINITY;
        }
        ref_poison(got, n);
        wg_tensor *tx = device_tensor(2, shapes[s], x, device);
        wg_tensor *out = device_tensor(2, shapes[s], got, device);
        REQUIRE(tx && out);
        REQUIRE_OK(wg_relu(tx, out));
        REQUIRE_OK(wg_synchronize(device));
        REQUIRE_OK(wg_tensor_to_host(out, got, n));
        int exact = 1, negatives = 0, positives = 0;
        for (int64_t i = 0; i < n; i++) {
            if (isnan(x[i])) {
                exact &= isnan(got[i]) != 0;
            } else {
                float want = x[i] > 0.0f ? x[i] : 0.0f;
                exact &= got[i] == want;
                negatives += x[i] < 0.0f;
                positives += x[i] > 0.0f;
            }
        }
        CHECK_MSG(exact, "relu %lldx%lld differs from max(x, 0)", (long long)shapes[s][0],
                  (long long)shapes[s][1]);
        if (n >= 64) CHECK(negatives > 0 && positives > 0); /* both branches exercised */
        /* In place. */
        REQUIRE_OK(wg_relu(tx, tx));
        float *again = malloc(n * sizeof *again);
        REQUIRE(again);
        REQUIRE_OK(wg_tensor_to_host(tx, again, n));
        CHECK(memcmp(again, got, (size_t)n * sizeof *got) == 0);
        wg_tensor_free(tx); wg_tensor_free(out);
        free(x); free(got); free(again);
    }
}

DEVICE_TEST(add_relu_check_shapes)
{
    const int64_t s1[2] = {3, 4}, s2[2] = {4, 3}, s3[1] = {12};
    wg_tensor *a = NULL, *b = NULL, *c = NULL;
    REQUIRE_OK(wg_tensor_zeros(2, s1, device, &a));
    REQUIRE_OK(wg_tensor_zeros(2, s2, device, &b));
    REQUIRE_OK(wg_tensor_zeros(1, s3, device, &c));
    CHECK_STATUS(wg_add(a, b, a), WG_ERR_SHAPE);
    CHECK(strstr(wg_error_message(), "[3, 4]") && strstr(wg_error_message(), "[4, 3]"));
    CHECK_STATUS(wg_add(a, a, c), WG_ERR_SHAPE);
    CHECK_STATUS(wg_add(a, NULL, a), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_relu(a, c), WG_ERR_SHAPE);
    CHECK(strstr(wg_error_message(), "relu") != NULL);
    CHECK_STATUS(wg_relu(NULL, a), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_relu(a, NULL), WG_ERR_ARGUMENT);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c);
}
