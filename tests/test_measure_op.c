/*
 * test_measure_op.c - the one "time an op, check it against float64" routine: every op on
 * every device, transposes and A.A, the full and the sampled check, bad arguments.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "whygpu_lab.h"

static wg_timeit_options quick_timing(void)
{
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = 3;
    t.min_repeat_s = 0.001;
    return t;
}

DEVICE_TEST(op_measure_times_and_checks_each_op)
{
    const wg_timeit_options timing = quick_timing();
    const wg_op ops[] = {
        {.kind = WG_OP_MATMUL, .m = 37, .n = 21, .k = 13, .trans_a = 1, .seed = 3},
        {.kind = WG_OP_MATMUL, .m = 40, .n = 40, .k = 40, .b_is_a = 1, .seed = 4,
         .check_samples = 64},
        {.kind = WG_OP_MUL, .m = 1, .n = 1, .b_is_a = 1, .seed = 5},
        {.kind = WG_OP_MUL, .m = 3, .n = 333, .seed = 6},
        {.kind = WG_OP_ADD, .m = 1, .n = 1001, .seed = 7},
        {.kind = WG_OP_RELU, .m = 1, .n = 1001, .seed = 8},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        wg_op_inputs in;
        REQUIRE_OK(wg_op_inputs_create(&ops[i], &in));
        for (int copies = 0; copies <= (device.kind != WG_DEVICE_CPU); copies++) {
            const wg_op_run run = {.device = device, .with_copies = copies, .timing = &timing};
            wg_op_result r;
            wg_status status = wg_op_measure(&in, &run, &r);
            CHECK_MSG(status == WG_OK, "%s #%zu: %s", wg_op_kind_name(ops[i].kind), i,
                      wg_error_message());
            CHECK(r.measured && r.time.repeats == 3 && r.time.median_s > 0);
            CHECK_MSG(r.check_passed, "%s #%zu: error %g > %g, %lld not finite",
                      wg_op_kind_name(ops[i].kind), i, r.check_error, r.check_bound,
                      (long long)r.not_finite);
            CHECK(r.not_finite == 0);
            if (ops[i].check_samples) {
                CHECK(r.check_samples == ops[i].check_samples && !r.check_full);
            } else {
                CHECK(r.check_full && r.check_samples == ops[i].m * ops[i].n);
            }
        }
        wg_op_inputs_free(&in);
    }
}

/* The checker behind every timing must fail a wrong result: one element off by a few
 * float32 ulps too many, one NaN, one element never written. */
TEST(op_check_rejects_a_wrong_result)
{
    const wg_timeit_options timing = quick_timing();
    const wg_op ops[] = {
        {.kind = WG_OP_MATMUL, .m = 33, .n = 17, .k = 29, .seed = 11},
        {.kind = WG_OP_MATMUL, .m = 64, .n = 64, .k = 64, .seed = 12, .check_samples = 4096},
        {.kind = WG_OP_MUL, .m = 3, .n = 101, .seed = 13},
        {.kind = WG_OP_ADD, .m = 1, .n = 77, .seed = 14},
        {.kind = WG_OP_RELU, .m = 2, .n = 99, .seed = 15},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        wg_op_inputs in;
        REQUIRE_OK(wg_op_inputs_create(&ops[i], &in));
        const wg_op_run run = {.device = wg_cpu(), .timing = &timing};
        wg_op_result r;
        REQUIRE_OK(wg_op_measure(&in, &run, &r));
        CHECK_MSG(r.check_passed, "#%zu: the right result fails: %g > %g", i, r.check_error,
                  r.check_bound);
        const int64_t count = ops[i].m * ops[i].n, at = count / 2 + 1;
        const float right = in.result[at];
        /* relu of a negative input is 0: an error of 1e-3 absolute still shows */
        in.result[at] = right != 0.0f ? right * (1.0f + 1e-3f) : 1e-3f;
        wg_op_check(&in, &r);
        CHECK_MSG(!r.check_passed, "#%zu: an element off by 1e-3 passes (error %g, bound %g)",
                  i, r.check_error, r.check_bound);
        in.result[at] = NAN;
        wg_op_check(&in, &r);
        CHECK_MSG(!r.check_passed && r.not_finite == 1, "#%zu: a NaN passes", i);
        in.result[at] = right;
        wg_op_check(&in, &r);
        CHECK_MSG(r.check_passed, "#%zu: the restored result fails", i);
        wg_op_inputs_free(&in);
    }
}

TEST(op_measure_flops_and_names)
{
    const wg_op mm = {.kind = WG_OP_MATMUL, .m = 2, .n = 3, .k = 5};
    const wg_op add = {.kind = WG_OP_ADD, .m = 4, .n = 5};
    CHECK(wg_op_flops(&mm) == 60.0);
    CHECK(wg_op_flops(&add) == 20.0);
    CHECK(strcmp(wg_op_kind_name(WG_OP_RELU), "relu") == 0);
    CHECK(strcmp(wg_op_kind_name((wg_op_kind)99), "unknown") == 0);
}

TEST(op_measure_rejects_bad_arguments)
{
    wg_op_inputs in;
    const wg_op zero = {.kind = WG_OP_MATMUL, .m = 0, .n = 4, .k = 4};
    CHECK(wg_op_inputs_create(&zero, &in) == WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "m=0") != NULL);
    const wg_op not_square = {.kind = WG_OP_MATMUL, .m = 3, .n = 4, .k = 4, .b_is_a = 1};
    CHECK(wg_op_inputs_create(&not_square, &in) == WG_ERR_ARGUMENT);
    const wg_op bad_kind = {.kind = (wg_op_kind)42, .m = 1, .n = 1};
    CHECK(wg_op_inputs_create(&bad_kind, &in) == WG_ERR_ARGUMENT);
    const wg_op ok = {.kind = WG_OP_RELU, .m = 1, .n = 8};
    REQUIRE_OK(wg_op_inputs_create(&ok, &in));
    const wg_op_run copies_on_cpu = {.device = wg_cpu(), .with_copies = 1};
    wg_op_result r;
    CHECK(wg_op_measure(&in, &copies_on_cpu, &r) == WG_ERR_ARGUMENT);
    CHECK(wg_op_measure(NULL, &copies_on_cpu, &r) == WG_ERR_ARGUMENT);
    wg_op_inputs_free(&in);
}

/* The op's memory plan counts what a BF16 kernel's prepared product adds: bf16 copies of A
 * and B (half their size) on each device that runs it, A twice for A.A; fp32 adds none. */
TEST(op_memory_plan_counts_bf16_copies)
{
    const wg_device cpu = wg_cpu();
    wg_op op = {.kind = WG_OP_MATMUL, .m = 300, .n = 200, .k = 100};
    int64_t totals[2] = {0, 0};
    int entries[2] = {0, 0};
    for (int bf16 = 0; bf16 < 2; bf16++) {
        op.precision = bf16 ? WG_PRECISION_BF16 : WG_PRECISION_FP32;
        wg_memory_plan plan;
        wg_memory_plan_init(&plan);
        REQUIRE_OK(wg_op_memory_plan(&op, &cpu, 1, &plan));
        entries[bf16] = plan.count;
        for (int i = 0; i < plan.count; i++) totals[bf16] += plan.entries[i].bytes;
        if (bf16)
            CHECK_MSG(strstr(plan.entries[plan.count - 1].what, "bf16") != NULL,
                      "the last entry should name the bf16 copy: '%s'",
                      plan.entries[plan.count - 1].what);
    }
    const int64_t a = 300 * 100 * 4, b = 100 * 200 * 4;
    CHECK_MSG(totals[1] - totals[0] == (a + b) / 2, "bf16 added %lld bytes, expected %lld",
              (long long)(totals[1] - totals[0]), (long long)((a + b) / 2));
    CHECK(entries[1] == entries[0] + 2);
    /* A.A: A is converted for both operands */
    wg_op square = {.kind = WG_OP_MATMUL, .m = 64, .n = 64, .k = 64, .b_is_a = 1,
                    .precision = WG_PRECISION_BF16};
    wg_memory_plan plan;
    wg_memory_plan_init(&plan);
    REQUIRE_OK(wg_op_memory_plan(&square, &cpu, 1, &plan));
    int64_t copies = 0;
    for (int i = 0; i < plan.count; i++)
        if (strstr(plan.entries[i].what, "bf16")) copies += plan.entries[i].bytes;
    CHECK_MSG(copies == 64 * 64 * 2 * 2, "A.A in bf16: copies of %lld bytes, expected %d",
              (long long)copies, 64 * 64 * 2 * 2);
}
