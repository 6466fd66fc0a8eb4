/*
 * test_sweep.c - the arithmetic of `whygpu sweep` (src/measure/sweep_plan.c) on synthetic
 * data: the log-spaced grid, the crossover in log-log, the largest speed-up, the budget
 * planner against wg_timeit's own rules, and the memory each point needs; then one real
 * cell measured on each device and checked.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "measure/sweep.h"

/* ---------------------------------------------------------------- the grid -------- */

TEST(sweep_grid_endpoints_exact_and_log_spaced)
{
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    int count = 0;
    REQUIRE_OK(wg_sweep_grid(16, 4096, 9, sizes, &count));
    REQUIRE(count == 9);
    CHECK(sizes[0] == 16);
    CHECK(sizes[8] == 4096);
    /* 16 * 2^i: every point exact */
    for (int i = 0; i < count; i++) CHECK_MSG(sizes[i] == (16 << i), "sizes[%d] = %lld", i,
                                              (long long)sizes[i]);
    REQUIRE_OK(wg_sweep_grid(10, 100000, 24, sizes, &count));
    REQUIRE(count == 24);
    CHECK(sizes[0] == 10 && sizes[23] == 100000);
    double step = pow(10000.0, 1.0 / 23.0);
    for (int i = 1; i < count; i++) {
        double ratio = (double)sizes[i] / (double)sizes[i - 1];
        CHECK_MSG(fabs(ratio / step - 1.0) < 0.05, "step %d: ratio %g, expected %g", i, ratio,
                  step);
    }
}

TEST(sweep_grid_drops_duplicates_at_the_small_end)
{
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    int count = 0;
    REQUIRE_OK(wg_sweep_grid(1, 4, 10, sizes, &count));
    CHECK(count == 4);
    for (int i = 0; i < count; i++) CHECK(sizes[i] == i + 1);
    REQUIRE_OK(wg_sweep_grid(1, 1000, 30, sizes, &count));
    CHECK(count <= 30 && count > 20);
    for (int i = 1; i < count; i++) CHECK(sizes[i] > sizes[i - 1]);
    CHECK(sizes[count - 1] == 1000);
    REQUIRE_OK(wg_sweep_grid(7, 7, 1, sizes, &count));
    CHECK(count == 1 && sizes[0] == 7);
}

TEST(sweep_grid_rejects_bad_ranges)
{
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    int count = 0;
    CHECK_STATUS(wg_sweep_grid(0, 10, 5, sizes, &count), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_grid(10, 5, 5, sizes, &count), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_grid(1, 10, 1, sizes, &count), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_grid(1, 10, WG_SWEEP_MAX_POINTS + 1, sizes, &count), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_grid(1, INT64_MAX, 5, sizes, &count), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_grid(1, 10, 5, NULL, &count), WG_ERR_ARGUMENT);
}

/* ---------------------------------------------------------------- crossover ------- */

/* Power laws cross at an exact size: cpu = 1e-9 s^2, gpu = 1e-6 s, so cpu/gpu = s/1000
 * and, being a straight line in log-log, the interpolation must land on 1000. */
TEST(sweep_crossover_on_power_laws_is_exact)
{
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    double cpu[WG_SWEEP_MAX_POINTS], gpu[WG_SWEEP_MAX_POINTS];
    int count = 0;
    REQUIRE_OK(wg_sweep_grid(1, 1000000, 10, sizes, &count));
    for (int i = 0; i < count; i++) {
        double s = (double)sizes[i];
        cpu[i] = 1e-9 * s * s;
        gpu[i] = 1e-6 * s;
    }
    wg_crossover x;
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, gpu, count, &x));
    CHECK(x.state == WG_CROSSOVER_FOUND);
    CHECK_MSG(fabs(x.size / 1000.0 - 1.0) < 1e-9, "crossover %.12g, expected 1000", x.size);
    CHECK(x.below < 1000 && x.above >= 1000);
    CHECK(x.valid_points == count);
    double best = 0;
    int64_t at = 0;
    wg_sweep_best_speedup(sizes, cpu, gpu, count, &best, &at);
    CHECK(at == 1000000);
    CHECK(fabs(best - 1000.0) < 1e-9);
}

TEST(sweep_crossover_none_and_at_the_edges)
{
    const int64_t sizes[4] = {10, 100, 1000, 10000};
    const double cpu[4] = {1, 2, 3, 4};
    const double slow_gpu[4] = {2, 4, 6, 8};
    const double fast_gpu[4] = {0.5, 1, 1.5, 2};
    const double last_only[4] = {2, 4, 6, 4};  /* ratio 1 exactly at the last point */
    const double first_tie[4] = {1, 1, 1, 1};  /* ratio 1 at the first point, then above */
    wg_crossover x;
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, slow_gpu, 4, &x));
    CHECK(x.state == WG_CROSSOVER_NEVER);
    CHECK(x.size == 10000);
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, fast_gpu, 4, &x));
    CHECK(x.state == WG_CROSSOVER_GPU_ALWAYS);
    CHECK(x.size == 10);
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, last_only, 4, &x));
    CHECK(x.state == WG_CROSSOVER_FOUND);
    CHECK_MSG(fabs(x.size - 10000.0) < 1e-6, "crossover %g at the last point", x.size);
    CHECK(x.below == 1000 && x.above == 10000);
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, first_tie, 4, &x));
    CHECK(x.state == WG_CROSSOVER_GPU_ALWAYS);
}

TEST(sweep_crossover_takes_the_last_upward_crossing)
{
    /* ratio 0.5, 2, 0.5, 2, 4: noise crosses twice; the GPU wins for good from the 4th */
    const int64_t sizes[5] = {1, 10, 100, 1000, 10000};
    const double cpu[5] = {1, 2, 1, 2, 4};
    const double gpu[5] = {2, 1, 2, 1, 1};
    wg_crossover x;
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, gpu, 5, &x));
    CHECK(x.state == WG_CROSSOVER_FOUND);
    CHECK(x.below == 100 && x.above == 1000);
    /* log r goes from -log 2 to +log 2: the crossing is half way in log size, 10^2.5 */
    CHECK_MSG(fabs(x.size - pow(10, 2.5)) < 1e-6, "crossover %g", x.size);
}

TEST(sweep_crossover_skips_nan_inf_and_zero)
{
    const int64_t sizes[6] = {1, 10, 100, 1000, 10000, 100000};
    const double cpu[6] = {NAN, 1, 2, 0.0, 8, 16};
    const double gpu[6] = {1, 2, INFINITY, 1, 4, 4};
    /* valid: 10 (0.5), 10000 (2), 100000 (4): the crossing is between 10 and 10000 */
    wg_crossover x;
    REQUIRE_OK(wg_sweep_crossover(sizes, cpu, gpu, 6, &x));
    CHECK(x.valid_points == 3);
    CHECK(x.state == WG_CROSSOVER_FOUND);
    CHECK(x.below == 10 && x.above == 10000);
    CHECK(isfinite(x.size) && x.size > 10 && x.size < 10000);
    const double nothing[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    REQUIRE_OK(wg_sweep_crossover(sizes, nothing, gpu, 6, &x));
    CHECK(x.state == WG_CROSSOVER_NO_DATA);
    CHECK(isnan(x.size));
    double best = 0;
    int64_t at = 0;
    wg_sweep_best_speedup(sizes, nothing, gpu, 6, &best, &at);
    CHECK(isnan(best) && at == -1);
    CHECK_STATUS(wg_sweep_crossover(NULL, cpu, gpu, 6, &x), WG_ERR_ARGUMENT);
    CHECK(strcmp(wg_crossover_state_name(WG_CROSSOVER_NEVER), "never") == 0);
}

/* ---------------------------------------------------------------- the budget ------ */

TEST(sweep_timeit_cost_follows_timeit)
{
    /* test_timeit's case: a 20 ms call, min 0.05 s, 3 repeats = 1 + 1 + 10 + 30 calls */
    CHECK(fabs(wg_sweep_timeit_cost(0.02, 0.05, 3) - 42 * 0.02) < 1e-12);
    /* a 0.3 s call, min 0.2: warm-up, a second warm-up (0.3 < 2 s), 3 repeats of 1 */
    CHECK(fabs(wg_sweep_timeit_cost(0.3, 0.2, 3) - 5 * 0.3) < 1e-12);
    /* a 3 s call: no second warm-up */
    CHECK(fabs(wg_sweep_timeit_cost(3.0, 0.2, 3) - 4 * 3.0) < 1e-12);
    /* 10 ns, min 0.2: loops reach 10^8 (1 s per repeat); calibration 1.11 s */
    double cost = wg_sweep_timeit_cost(1e-8, 0.2, 7);
    CHECK_MSG(fabs(cost - (1e-8 + 1.11111111 + 7.0)) < 1e-6, "cost %g", cost);
    CHECK(wg_sweep_timeit_cost(0.0, 0.1, 5) > 0.5);
    CHECK(fabs(wg_sweep_extrapolate(100, 0.01, 200, 3) - 0.08) < 1e-12);
    CHECK(fabs(wg_sweep_extrapolate(100, 0.01, 200, 1) - 0.02) < 1e-12);
    CHECK(wg_sweep_extrapolate(100, NAN, 200, 3) == 0.0);
    CHECK(wg_sweep_extrapolate(100, -1.0, 200, 3) == 0.0);
    /* inputs: 4 n^2 floats for matmul, so twice n is four times the setup */
    CHECK(fabs(wg_sweep_setup_estimate(WG_SWEEP_MATMUL, 100, 0.01, 200) - 0.04) < 1e-12);
    CHECK(fabs(wg_sweep_setup_estimate(WG_SWEEP_MUL, 100, 0.01, 200) - 0.02) < 1e-12);
    CHECK(wg_sweep_setup_estimate(WG_SWEEP_MUL, 0, 0.0, 200) == 0.0);
}

TEST(sweep_plan_fits_the_budget)
{
    wg_sweep_plan plan;
    /* plenty of time: timeit's defaults */
    REQUIRE_OK(wg_sweep_plan_cell(1e-6, 100.0, 10, 0.0, &plan));
    CHECK(!plan.skip && plan.repeat == 7 && plan.min_repeat_s == 0.2);
    CHECK(plan.estimate_s <= 10.0);
    /* 60 cells in 6 s: 0.1 s each, well under the default */
    REQUIRE_OK(wg_sweep_plan_cell(1e-6, 6.0, 60, 0.0, &plan));
    CHECK(!plan.skip && plan.estimate_s <= 0.1);
    CHECK(plan.repeat >= WG_SWEEP_MIN_REPEATS && plan.min_repeat_s >= WG_SWEEP_MIN_REPEAT_FLOOR_S);
    /* a known estimate fixes the loops: ceil(min_repeat_s / call), one warm-up, no auto-range */
    CHECK((double)plan.loops * 1e-6 >= plan.min_repeat_s * (1 - 1e-9));
    CHECK((double)(plan.loops - 2) * 1e-6 < plan.min_repeat_s);
    CHECK(fabs(plan.estimate_s - wg_sweep_fixed_loops_cost(1e-6, plan.loops, plan.repeat)) <
          1e-12);
    CHECK(fabs(wg_sweep_fixed_loops_cost(0.01, 20, 5) - (0.01 + 5 * 20 * 0.01)) < 1e-12);
    /* an unknown call: auto-range (loops 0), cost as for a tiny call */
    REQUIRE_OK(wg_sweep_plan_cell(0.0, 6.0, 60, 0.0, &plan));
    CHECK(plan.loops == 0 && !plan.skip);
    CHECK(fabs(plan.estimate_s - wg_sweep_timeit_cost(0.0, plan.min_repeat_s, plan.repeat)) <
          1e-12);
    /* N equal cells, each planned on what is left: the sum stays within the budget */
    double left = 20.0, spent = 0.0;
    for (int cells = 40; cells >= 1; cells--) {
        REQUIRE_OK(wg_sweep_plan_cell(3e-4, left, cells, 0.0, &plan));
        CHECK(!plan.skip);
        spent += plan.estimate_s;
        left -= plan.estimate_s;
    }
    CHECK_MSG(spent <= 20.0 && spent > 10.0, "spent %g of 20 s", spent);
    /* a 1 s call with 10 s left and 5 cells: over its share, but it fits the budget */
    REQUIRE_OK(wg_sweep_plan_cell(1.0, 10.0, 5, 0.0, &plan));
    CHECK(!plan.skip && plan.repeat == WG_SWEEP_MIN_REPEATS);
    /* a 50 s call with 60 s left cannot run even 3 repeats: skip */
    REQUIRE_OK(wg_sweep_plan_cell(50.0, 60.0, 3, 0.0, &plan));
    CHECK(plan.skip);
    CHECK(plan.estimate_s >= 4 * 50.0 && plan.loops == 1);
    /* the cap: plenty left, but a cell may take at most 0.5 s */
    REQUIRE_OK(wg_sweep_plan_cell(1e-6, 100.0, 10, 0.5, &plan));
    CHECK(!plan.skip && plan.estimate_s <= 0.5);
    CHECK(plan.repeat < 7 || plan.min_repeat_s < 0.2);
    /* a cap below the cheapest setting still runs the cell when the budget allows */
    REQUIRE_OK(wg_sweep_plan_cell(0.3, 100.0, 10, 0.5, &plan));
    CHECK(!plan.skip && plan.repeat == WG_SWEEP_MIN_REPEATS);
    CHECK_STATUS(wg_sweep_plan_cell(1.0, 10.0, 0, 0.0, &plan), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_sweep_plan_cell(NAN, 10.0, 1, 0.0, &plan), WG_ERR_ARGUMENT);
}

/* ---------------------------------------------------------------- memory ---------- */

TEST(sweep_memory_each_point_needs)
{
    /* matmul n=1000: A, B, C and the read-back copy on the host; A, B, C on the GPU */
    CHECK(wg_sweep_host_bytes(WG_SWEEP_MATMUL, 1000) == 4.0 * 4e6);
    CHECK(wg_sweep_device_bytes(WG_SWEEP_MATMUL, 1000) == 3.0 * 4e6);
    CHECK(wg_sweep_device_bytes(WG_SWEEP_MUL, 1000) == 3.0 * 4e3);
    CHECK(wg_sweep_device_bytes(WG_SWEEP_RELU, 1000) == 2.0 * 4e3);
    /* a BF16 matmul kernel's copies of A and B (two bytes an element); none for fp32 */
    const wg_kernel *bf16 = NULL, *fp32 = NULL;
    REQUIRE_OK(wg_kernel_best(wg_cpu(), WG_PRECISION_BF16, &bf16));
    REQUIRE_OK(wg_kernel_best(wg_cpu(), WG_PRECISION_FP32, &fp32));
    CHECK(wg_sweep_kernel_copy_bytes(WG_SWEEP_MATMUL, 1000, bf16) == 2.0 * 2e6);
    CHECK(wg_sweep_kernel_copy_bytes(WG_SWEEP_MATMUL, 1000, fp32) == 0.0);
    CHECK(wg_sweep_kernel_copy_bytes(WG_SWEEP_MATMUL, 1000, NULL) == 0.0);
    CHECK(wg_sweep_kernel_copy_bytes(WG_SWEEP_MUL, 1000, bf16) == 0.0);
    CHECK(wg_sweep_flops(WG_SWEEP_MATMUL, 10) == 2000.0);
    CHECK(wg_sweep_traffic_bytes(WG_SWEEP_ADD, 10) == 120.0);
    CHECK(wg_sweep_fits(100.0, 200, 50.0));
    CHECK(!wg_sweep_fits(100.0, 120, 50.0));
    CHECK(wg_sweep_fits(1e30, -1, 0.0)); /* unknown memory: try */
    wg_sweep_op op;
    REQUIRE_OK(wg_sweep_op_parse("relu", &op));
    CHECK(op == WG_SWEEP_RELU);
    REQUIRE_OK(wg_sweep_op_parse("mlp-step", &op));
    CHECK(op == WG_SWEEP_MLP_STEP);
    /* one step is about 6 x batch x weights (784*512 + 512*256 + 256*10) */
    CHECK(wg_sweep_mlp_weights() == 784 * 512 + 512 * 256 + 256 * 10);
    CHECK(wg_sweep_flops(WG_SWEEP_MLP_STEP, 100) == 600.0 * (double)wg_sweep_mlp_weights());
    CHECK(wg_sweep_device_bytes(WG_SWEEP_MLP_STEP, 1000) > 1000.0 * 784 * 4);
    CHECK_STATUS(wg_sweep_op_parse("conv", &op), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "conv") != NULL);
}

/* ---------------------------------------------------------------- one real cell --- */

DEVICE_TEST(sweep_measures_and_checks_each_op)
{
    wg_timeit_options timing;
    wg_timeit_defaults(&timing);
    timing.repeat = 3;
    timing.min_repeat_s = 0.002;
    for (int op = 0; op < WG_SWEEP_OP_COUNT; op++) {
        int64_t size = op == WG_SWEEP_MATMUL ? 67 : op == WG_SWEEP_MLP_STEP ? 8 : 1001;
        wg_sweep_inputs in;
        REQUIRE_OK(wg_sweep_inputs_create((wg_sweep_op)op, size, 7, &in));
        int columns[2] = {WG_SWEEP_CPU, WG_SWEEP_CPU};
        if (device.kind != WG_DEVICE_CPU) {
            columns[0] = WG_SWEEP_GPU;
            columns[1] = WG_SWEEP_GPU_COPIES;
        }
        for (int c = 0; c < 2; c++) {
            wg_sweep_cell cell;
            wg_status status = wg_sweep_measure(&in, (wg_sweep_column)columns[c], device,
                                                NULL, &timing, &cell);
            CHECK_MSG(status == WG_OK, "%s on %s: %s", wg_sweep_op_name((wg_sweep_op)op),
                      wg_sweep_column_key((wg_sweep_column)columns[c]), wg_error_message());
            CHECK(cell.measured && cell.time.repeats == 3 && cell.time.median_s > 0);
            CHECK_MSG(cell.check_passed, "%s: error %g > %g", wg_sweep_op_name((wg_sweep_op)op),
                      cell.check_error, cell.check_tolerance);
        }
        wg_sweep_inputs_free(&in);
    }
}

/* ---------------------------------------------------------------- the whole sweep - */

typedef struct cell_log {
    int started, ended, failures;
} cell_log;

static void log_cell(void *context, const char *label, int done, const char *failure)
{
    cell_log *log = context;
    if (!label || !strstr(label, " on cpu")) log->failures += 100; /* only the CPU column runs */
    if (done) log->ended++; else log->started++;
    if (failure) log->failures++;
}

TEST(sweep_run_measures_the_cpu_column_and_says_why_not_the_gpu)
{
    static wg_sweep_result result; /* large */
    cell_log log = {0, 0, 0};
    const wg_sweep_request request = {
        .op = WG_SWEEP_ADD, .low = 1, .high = 4096, .points = 3, .budget_s = 30, .seed = 1,
        .gpu = {WG_DEVICE_CUDA, 0}, .gpu_columns = 0, .gpu_reason = "none here",
        .on_cell = log_cell, .context = &log};
    REQUIRE_OK(wg_sweep_run(&request, &result));
    CHECK(result.count == 3 && result.points[0].size == 1 && result.points[2].size == 4096);
    CHECK(!result.failed && result.elapsed_s > 0);
    CHECK(log.started == 3 && log.ended == 3 && log.failures == 0);
    for (int i = 0; i < result.count; i++) {
        CHECK(result.points[i].col[WG_SWEEP_CPU].measured);
        CHECK(strcmp(result.points[i].col[WG_SWEEP_GPU].reason, "no GPU: none here") == 0);
    }
    CHECK(result.crossover[WG_SWEEP_GPU].state == WG_CROSSOVER_NO_DATA);
    wg_sweep_request bad = request;
    bad.budget_s = 0;
    CHECK(wg_sweep_run(&bad, &result) == WG_ERR_ARGUMENT);
    bad = request;
    bad.low = 0;
    CHECK(wg_sweep_run(&bad, &result) == WG_ERR_ARGUMENT);
}
