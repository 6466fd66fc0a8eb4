/*
 * test_tensor.c - shapes, creation, errors, devices and to() round trips.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reference.h"

TEST(shape_numel_and_errors)
{
    int64_t numel = 0;
    const int64_t shape[4] = {2, 3, 4, 5};
    REQUIRE_OK(wg_shape_numel(4, shape, &numel));
    CHECK(numel == 120);
    REQUIRE_OK(wg_shape_numel(0, NULL, &numel));
    CHECK(numel == 1);
    const int64_t zero[2] = {3, 0}, negative[2] = {-5, 2};
    CHECK_STATUS(wg_shape_numel(2, zero, &numel), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "0") != NULL);
    CHECK_STATUS(wg_shape_numel(2, negative, &numel), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "-5") != NULL);
    CHECK_STATUS(wg_shape_numel(5, shape, &numel), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_shape_numel(-1, shape, &numel), WG_ERR_ARGUMENT);
    const int64_t huge[3] = {INT64_C(1) << 32, INT64_C(1) << 32, 4};
    CHECK_STATUS(wg_shape_numel(3, huge, &numel), WG_ERR_OVERFLOW);
}

TEST(create_rejects_bad_sizes_without_allocating)
{
    wg_tensor *t = NULL;
    const int64_t zero[2] = {0, 4};
    CHECK_STATUS(wg_tensor_empty(2, zero, wg_cpu(), &t), WG_ERR_ARGUMENT);
    CHECK(t == NULL);
    /* numel fits in int64, bytes do not. */
    const int64_t too_many_bytes[2] = {INT64_C(1) << 31, INT64_C(1) << 31};
    CHECK_STATUS(wg_tensor_zeros(2, too_many_bytes, wg_cpu(), &t), WG_ERR_OVERFLOW);
    /* Fits in 64 bits but not in any machine's memory: refused, not overcommitted. */
    const int64_t absurd[2] = {INT64_C(1) << 30, INT64_C(1) << 30};
    CHECK_STATUS(wg_tensor_zeros(2, absurd, wg_cpu(), &t), WG_ERR_NO_MEMORY);
    CHECK(strstr(wg_error_message(), "available") != NULL);
    CHECK(t == NULL);
    const int64_t one[1] = {1};
    CHECK_STATUS(wg_tensor_empty(1, one, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_tensor_from_host(1, one, NULL, wg_cpu(), &t), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_tensor_rand(1, one, 1.0f, 1.0f, 1, wg_cpu(), &t), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_tensor_rand(1, one, 0.0f, NAN, 1, wg_cpu(), &t), WG_ERR_ARGUMENT);
}

TEST(device_names)
{
    wg_device d;
    char buf[32];
    REQUIRE_OK(wg_device_parse("cpu", &d));
    CHECK(d.kind == WG_DEVICE_CPU && d.index == 0);
    REQUIRE_OK(wg_device_parse("cuda", &d));
    CHECK(d.kind == WG_DEVICE_CUDA && d.index == 0);
    REQUIRE_OK(wg_device_parse("cuda:3", &d));
    CHECK(d.kind == WG_DEVICE_CUDA && d.index == 3);
    CHECK(strcmp(wg_device_format(d, buf, sizeof buf), "cuda:3") == 0);
    REQUIRE_OK(wg_device_parse("gpu:1", &d));
    CHECK(d.kind == WG_DEVICE_CUDA && d.index == 1);
    CHECK_STATUS(wg_device_parse("tpu", &d), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "tpu") != NULL);
    CHECK_STATUS(wg_device_parse("cuda:", &d), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("cuda:-1", &d), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("cuda:1x", &d), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("cuda0", &d), WG_ERR_ARGUMENT);
    CHECK(strcmp(wg_device_format(wg_cpu(), buf, sizeof buf), "cpu") == 0);
}

TEST(absent_devices_say_why)
{
    CHECK_STATUS(wg_device_check(wg_cpu()), WG_OK);
    CHECK_STATUS(wg_device_check((wg_device){WG_DEVICE_CPU, 1}), WG_ERR_NO_DEVICE);
    /* An index no machine has: always absent, with a reason. */
    CHECK_STATUS(wg_device_check((wg_device){WG_DEVICE_CUDA, 1000}), WG_ERR_NO_DEVICE);
    const char *why = wg_error_message();
    if (!wg_built_with_cuda())
        CHECK(strstr(why, "without CUDA") != NULL);
    else
        CHECK_MSG(strstr(why, "driver") || strstr(why, "does not exist") || strstr(why, "GPU"),
                  "unhelpful reason: %s", why);
    int count = -1;
    wg_status status = wg_gpu_count(&count);
    CHECK(status == WG_OK ? count > 0 : (status == WG_ERR_NO_DEVICE && count == 0));
    const int64_t one[1] = {1};
    wg_tensor *t = NULL;
    CHECK_STATUS(wg_tensor_zeros(1, one, (wg_device){WG_DEVICE_CUDA, 1000}, &t),
                 WG_ERR_NO_DEVICE);
    CHECK(t == NULL);
}

DEVICE_TEST(create_and_read_back)
{
    const int64_t shapes[][4] = {{1, 1, 1, 1}, {7, 1, 1, 1}, {3, 5, 1, 1}, {2, 3, 4, 1},
                                 {2, 3, 4, 5}};
    const int ranks[] = {1, 1, 2, 3, 4};
    for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; s++) {
        wg_tensor *zeros = NULL, *full = NULL;
        REQUIRE_OK(wg_tensor_zeros(ranks[s], shapes[s], device, &zeros));
        REQUIRE_OK(wg_tensor_full(ranks[s], shapes[s], 2.5f, device, &full));
        int64_t n = wg_tensor_numel(full);
        CHECK(wg_tensor_rank(full) == ranks[s]);
        for (int axis = 0; axis < ranks[s]; axis++)
            CHECK(wg_tensor_dim(full, axis) == shapes[s][axis]);
        CHECK(wg_tensor_dim(full, ranks[s]) == -1);
        float *host = malloc((size_t)n * sizeof *host);
        REQUIRE(host != NULL);
        ref_poison(host, n);
        REQUIRE_OK(wg_tensor_to_host(zeros, host, n));
        int ok = 1;
        for (int64_t i = 0; i < n; i++) ok &= host[i] == 0.0f;
        CHECK(ok);
        REQUIRE_OK(wg_tensor_to_host(full, host, n));
        ok = 1;
        for (int64_t i = 0; i < n; i++) ok &= host[i] == 2.5f;
        CHECK(ok);
        CHECK_STATUS(wg_tensor_to_host(full, host, n - 1), WG_ERR_ARGUMENT);
        free(host);
        wg_tensor_free(zeros);
        wg_tensor_free(full);
    }
    /* A rank-0 scalar. */
    wg_tensor *scalar = NULL;
    float value = 0;
    REQUIRE_OK(wg_tensor_full(0, NULL, -3.0f, device, &scalar));
    CHECK(wg_tensor_numel(scalar) == 1 && wg_tensor_rank(scalar) == 0);
    REQUIRE_OK(wg_tensor_to_host(scalar, &value, 1));
    CHECK(value == -3.0f);
    wg_tensor_free(scalar);
}

DEVICE_TEST(rand_is_seeded_in_range_and_device_independent)
{
    const int64_t shape[2] = {257, 131};
    const int64_t n = 257 * 131;
    wg_tensor *a = NULL, *b = NULL, *c = NULL, *on_cpu = NULL;
    REQUIRE_OK(wg_tensor_rand(2, shape, -2.0f, 3.0f, 7, device, &a));
    REQUIRE_OK(wg_tensor_rand(2, shape, -2.0f, 3.0f, 7, device, &b));
    REQUIRE_OK(wg_tensor_rand(2, shape, -2.0f, 3.0f, 8, device, &c));
    REQUIRE_OK(wg_tensor_rand(2, shape, -2.0f, 3.0f, 7, wg_cpu(), &on_cpu));
    float *ha = malloc(n * sizeof *ha), *hb = malloc(n * sizeof *hb),
          *hc = malloc(n * sizeof *hc), *hcpu = malloc(n * sizeof *hcpu);
    REQUIRE(ha && hb && hc && hcpu);
    REQUIRE_OK(wg_tensor_to_host(a, ha, n));
    REQUIRE_OK(wg_tensor_to_host(b, hb, n));
    REQUIRE_OK(wg_tensor_to_host(c, hc, n));
    REQUIRE_OK(wg_tensor_to_host(on_cpu, hcpu, n));
    CHECK(memcmp(ha, hb, n * sizeof *ha) == 0);    /* same seed, same values */
    CHECK(memcmp(ha, hcpu, n * sizeof *ha) == 0);  /* bit-identical on every device */
    CHECK(memcmp(ha, hc, n * sizeof *ha) != 0);    /* another seed, other values */
    double sum = 0;
    float lo = 1e30f, hi = -1e30f;
    for (int64_t i = 0; i < n; i++) {
        sum += ha[i];
        lo = ha[i] < lo ? ha[i] : lo;
        hi = ha[i] > hi ? ha[i] : hi;
    }
    CHECK(lo >= -2.0f && hi < 3.0f);
    CHECK(lo < -1.9f && hi > 2.9f);               /* fills the interval */
    CHECK(fabs(sum / n - 0.5) < 0.05);            /* mean of U(-2, 3) */
    free(ha); free(hb); free(hc); free(hcpu);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c); wg_tensor_free(on_cpu);
}

DEVICE_TEST(to_round_trip)
{
    const int64_t sizes[] = {1, 2, 3, 17, 64, 100, 257, 100003};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t n = sizes[s];
        float *data = malloc(n * sizeof *data), *back = malloc(n * sizeof *back);
        REQUIRE(data && back);
        ref_random(data, n, (uint64_t)n);
        ref_poison(back, n);
        wg_tensor *host = NULL, *moved = NULL, *home = NULL;
        REQUIRE_OK(wg_tensor_from_host(1, &n, data, wg_cpu(), &host));
        REQUIRE_OK(wg_tensor_to(host, device, &moved));
        char want[16], got[16];
        wg_device_format(device, want, sizeof want);
        wg_device_format(wg_tensor_device(moved), got, sizeof got);
        CHECK(strcmp(want, got) == 0);
        CHECK(wg_tensor_numel(moved) == n);
        REQUIRE_OK(wg_tensor_to(moved, wg_cpu(), &home));
        REQUIRE_OK(wg_tensor_to_host(home, back, n));
        CHECK(memcmp(data, back, n * sizeof *data) == 0);
        if (device.kind != WG_DEVICE_CPU) CHECK(wg_tensor_host_data(moved) == NULL);
        wg_tensor_free(host); wg_tensor_free(moved); wg_tensor_free(home);
        free(data); free(back);
    }
}

TEST(mixing_devices_is_an_error)
{
    wg_device gpu = {WG_DEVICE_CUDA, 0};
    if (wg_device_check(gpu) != WG_OK) SKIP("needs a GPU: %s", wg_error_message());
    const int64_t shape[2] = {4, 4};
    wg_tensor *a = NULL, *b = NULL, *out = NULL;
    REQUIRE_OK(wg_tensor_rand(2, shape, -1, 1, 1, wg_cpu(), &a));
    REQUIRE_OK(wg_tensor_rand(2, shape, -1, 1, 2, gpu, &b));
    REQUIRE_OK(wg_tensor_empty(2, shape, wg_cpu(), &out));
    CHECK_STATUS(wg_mul(a, b, out), WG_ERR_DEVICE_MISMATCH);
    CHECK(strstr(wg_error_message(), "cuda:0") != NULL);
    CHECK_STATUS(wg_matmul(a, b, out), WG_ERR_DEVICE_MISMATCH);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(out);
}

TEST(errors_are_named)
{
    CHECK(strcmp(wg_status_name(WG_OK), "ok") == 0);
    CHECK(strcmp(wg_status_name(WG_ERR_NO_MEMORY), "out of memory") == 0);
    CHECK(strcmp(wg_status_name((wg_status)99), "unknown status") == 0);
}
