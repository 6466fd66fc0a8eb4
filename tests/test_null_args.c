/*
 * test_null_args.c - every public entry point that writes through a pointer refuses a NULL
 * one with WG_ERR_ARGUMENT and a message (a crash before this was fixed), and the checks
 * that return a number or a string return their documented sentinel instead of crashing or
 * passing: NaN for an error check that checked nothing, "" for a formatter without a buffer.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"

static const int64_t shape2[2] = {2, 3};

TEST(null_out_tensor_zeros)
{
    CHECK_STATUS(wg_tensor_zeros(2, shape2, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
}

TEST(null_out_tensor_full)
{
    CHECK_STATUS(wg_tensor_full(2, shape2, 1.5f, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
}

TEST(null_out_tensor_rand)
{
    CHECK_STATUS(wg_tensor_rand(2, shape2, 0.0f, 1.0f, 7, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
}

TEST(null_out_tensor_from_host)
{
    const float data[6] = {1, 2, 3, 4, 5, 6};
    CHECK_STATUS(wg_tensor_from_host(2, shape2, data, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
}

TEST(null_out_tensor_empty_like)
{
    wg_tensor *t = NULL;
    REQUIRE_OK(wg_tensor_zeros(2, shape2, wg_cpu(), &t));
    CHECK_STATUS(wg_tensor_empty_like(t, NULL), WG_ERR_ARGUMENT);
    wg_tensor_free(t);
}

TEST(null_out_shape_numel)
{
    CHECK_STATUS(wg_shape_numel(2, shape2, NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "wg_shape_numel") != NULL);
}

TEST(null_out_cpu_matmul_isa)
{
    CHECK_STATUS(wg_cpu_matmul_isa(NULL), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "wg_cpu_matmul_isa") != NULL);
}

TEST(null_matrices_matmul_sampled_error)
{
    const float a[4] = {1, 2, 3, 4};
    float c[4] = {7, 10, 15, 22};
    CHECK(wg_matmul_sampled_error(a, a, c, 2, 2, 2, 8, 1) <= wg_matmul_fp32_tolerance(2));
    CHECK(isnan(wg_matmul_sampled_error(NULL, a, c, 2, 2, 2, 8, 1)));
    CHECK(isnan(wg_matmul_sampled_error(a, NULL, c, 2, 2, 2, 8, 1)));
    CHECK(isnan(wg_matmul_sampled_error(a, a, NULL, 2, 2, 2, 8, 1)));
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
    CHECK(isnan(wg_matmul_sampled_error(a, a, c, 0, 2, 2, 8, 1)));
}

TEST(null_args_gemm_sampled_error)
{
    CHECK(isnan(wg_gemm_sampled_error(NULL, 8, 1)));
    CHECK(strstr(wg_error_message(), "NULL") != NULL);
}

/* #20: no samples is no check, and must not read as a pass (it returned 0). */
TEST(gemm_sampled_error_refuses_no_samples)
{
    const float a[4] = {1, 2, 3, 4};
    float c[4] = {7, 10, 15, 22};
    const wg_gemm_args g = {.m = 2, .n = 2, .k = 2, .alpha = 1.0f, .a = a, .lda = 2,
                            .b = a, .ldb = 2, .c = c, .ldc = 2};
    CHECK(wg_gemm_sampled_error(&g, 4, 1) <= wg_matmul_fp32_tolerance(2));
    const int bad[3] = {0, -1, -5};
    for (int i = 0; i < 3; i++) {
        double e = wg_gemm_sampled_error(&g, bad[i], 1);
        CHECK_MSG(isnan(e), "samples %d gave %g, not NaN", bad[i], e);
        CHECK_MSG(!(e <= wg_matmul_fp32_tolerance(2)), "samples %d passes the check", bad[i]);
        CHECK(strstr(wg_error_message(), "samples") != NULL);
    }
    CHECK(isnan(wg_matmul_sampled_error(a, a, c, 2, 2, 2, -5, 1)));
}

TEST(null_buffer_format_seconds)
{
    const char *s = wg_format_seconds(1.5, NULL, 16);
    REQUIRE(s != NULL);
    CHECK(s[0] == '\0');
    char buf[4] = "xyz";
    s = wg_format_seconds(1.5, buf, 0);
    REQUIRE(s != NULL);
    CHECK(strcmp(buf, "xyz") == 0);
    s = wg_format_bytes(1024, NULL, 16);
    REQUIRE(s != NULL);
    CHECK(s[0] == '\0');
}

TEST(null_buffer_device_format)
{
    const char *s = wg_device_format(wg_cpu(), NULL, 16);
    REQUIRE(s != NULL);
    CHECK(s[0] == '\0');
    char buf[8];
    CHECK(strcmp(wg_device_format(wg_cpu(), buf, sizeof buf), "cpu") == 0);
}

TEST(null_out_other_entry_points)
{
    CHECK_STATUS(wg_tensor_empty(2, shape2, wg_cpu(), NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("cpu", NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_info_get(NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_count(NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_info_get(0, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_gemm(NULL), WG_ERR_ARGUMENT);
    wg_timeit_defaults(NULL); /* documented as a no-op */
    wg_timeit_result r;
    CHECK_STATUS(wg_timeit(wg_cpu(), NULL, NULL, NULL, &r), WG_ERR_ARGUMENT);
}
