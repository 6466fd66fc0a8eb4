/*
 * test_timeit.c - the timing harness on calls of known length (sleeps).
 */
#include <string.h>
#include <time.h>

#include "check.h"

typedef struct sleeper {
    double seconds[2]; /* alternate between these */
    int calls;
    wg_status fail_on_call; /* 0: never */
    int fail_at;
    double first_call_s; /* > 0: the first call takes this long instead (a one-time cost) */
} sleeper;

static void sleep_for(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static wg_status sleeper_call(void *context)
{
    sleeper *s = context;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at) return s->fail_on_call;
    sleep_for(s->calls == 1 && s->first_call_s > 0 ? s->first_call_s : s->seconds[s->calls % 2]);
    return WG_OK;
}

TEST(timeit_measures_a_known_sleep)
{
    sleeper s = {{0.02, 0.02}, 0, WG_OK, 0, 0.0};
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    o.min_repeat_s = 0.05;
    o.repeat = 3;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    /* warm-up 1 call; calibrate 1 (0.02 s < 0.05) then 10 (0.2 s); 3 repeats of 10. */
    CHECK(r.loops == 10);
    CHECK(r.repeats == 3);
    CHECK(s.calls == 1 + 1 + 10 + 30);
    CHECK_MSG(r.median_s >= 0.02 && r.median_s < 0.03, "median %g s for a 20 ms sleep",
              r.median_s);
    CHECK(r.best_s <= r.median_s && r.median_s <= r.worst_s);
    CHECK(r.mean_s >= r.best_s && r.mean_s <= r.worst_s);
    CHECK(r.stddev_s >= 0 && r.stddev_s < 0.01);
    CHECK(r.warmup_s >= 0.02);
    CHECK(!r.spread_warning);
}

TEST(timeit_uses_one_loop_and_fewer_repeats_for_long_calls)
{
    sleeper s = {{0.3, 0.3}, 0, WG_OK, 0, 0.0};
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    o.long_call_s = 0.25;     /* a 0.3 s call counts as long */
    o.repeat_budget_s = 0.5;  /* budget/call < 3: the floor of 3 repeats applies */
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    CHECK(r.loops == 1);
    CHECK(r.repeats == 3);
    CHECK(s.calls == 1 + 1 + 3); /* a warm-up under 10x min_repeat_s is confirmed by a 2nd call */
    CHECK(r.median_s >= 0.3 && r.median_s < 0.4);
}

TEST(timeit_default_repeats_is_seven_for_short_calls)
{
    sleeper s = {{0.001, 0.001}, 0, WG_OK, 0, 0.0};
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    o.min_repeat_s = 0.005;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    CHECK(r.repeats == 7);
    CHECK(r.loops == 10);
    CHECK(r.median_s >= 0.001 && r.median_s < 0.003);
}

TEST(timeit_warns_about_a_large_spread)
{
    /* One loop per repeat, alternating 2 ms and 30 ms calls. */
    sleeper s = {{0.002, 0.030}, 0, WG_OK, 0, 0.0};
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    o.loops = 1;
    o.repeat = 4;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    CHECK(r.loops == 1 && r.repeats == 4);
    CHECK(r.worst_s > 10 * r.best_s);
    CHECK(r.spread > 1.0);
    CHECK(r.spread_warning);
}

TEST(timeit_stops_on_a_failing_call)
{
    sleeper s = {{0.0, 0.0}, 0, WG_ERR_BACKEND, 3, 0.0};
    wg_timeit_result r;
    CHECK(wg_timeit(wg_cpu(), sleeper_call, &s, NULL, &r) == WG_ERR_BACKEND);
    CHECK(s.calls == 3);
}

TEST(timeit_rejects_bad_options)
{
    sleeper s = {{0.0, 0.0}, 0, WG_OK, 0, 0.0};
    wg_timeit_options o;
    wg_timeit_result r;
    wg_timeit_defaults(&o);
    o.repeat = WG_TIMEIT_MAX_REPEAT + 1;
    CHECK_STATUS(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_timeit(wg_cpu(), NULL, &s, NULL, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_timeit((wg_device){WG_DEVICE_CUDA, 999}, sleeper_call, &s, NULL, &r),
                 WG_ERR_NO_DEVICE);
    CHECK(s.calls == 0);
}

TEST(format_seconds_picks_a_unit)
{
    char buf[32];
    CHECK(strcmp(wg_format_seconds(12.34, buf, sizeof buf), "12.3 s") == 0);
    CHECK(strcmp(wg_format_seconds(0.0125, buf, sizeof buf), "12.5 ms") == 0);
    CHECK(strcmp(wg_format_seconds(3.21e-6, buf, sizeof buf), "3.21 us") == 0);
    CHECK(strcmp(wg_format_seconds(412e-9, buf, sizeof buf), "412 ns") == 0);
    CHECK(strcmp(wg_format_seconds(-1, buf, sizeof buf), "n/a") == 0);
}

TEST(timeit_a_slow_first_call_does_not_set_the_loop_count)
{
    /* A first call that pays a one-time cost (0.1 s) must not make one loop per repeat
     * look enough for a 2 ms call. */
    sleeper s = {{0.002, 0.002}, 0, WG_OK, 0, 0.1};
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    o.min_repeat_s = 0.05;
    o.repeat = 2;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    CHECK(r.warmup_s >= 0.1);
    CHECK_MSG(r.loops == 100, "loops %lld", (long long)r.loops);
    CHECK(r.median_s >= 0.002 && r.median_s < 0.004);
}
