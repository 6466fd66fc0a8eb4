/*
 * test_timeit.c - the timing harness on calls of known length (sleeps).
 *
 * A loaded machine makes every sleep overshoot, so fixed wall-clock windows ("a 20 ms
 * sleep measures under 30 ms") flake there. Instead each call records how long it really
 * took, and the tests check timeit against that record: each repeat's time per call is at
 * least what its calls took and at most that plus a bounded overhead; the statistics are
 * exactly those of the repeats; the auto-range stopped at the first trial that reached
 * min_repeat_s (a trial whose calls alone took that long must not be followed by another,
 * and the chosen one must be long enough); the call count adds up. Each still fails when
 * timeit divides by the wrong loop count, picks the wrong statistic or miscounts, load or
 * not; the few lower bounds on durations are one-sided and hold under any load.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define MAX_CALLS 1200

typedef struct sleeper {
    double seconds[2]; /* alternate between these */
    int calls;
    wg_status fail_on_call; /* 0: never */
    int fail_at;
    double first_call_s; /* > 0: the first call takes this long instead (a one-time cost) */
    /* what really happened: the phase of each call (0 warm-up, -k the k-th calibration
     * trial, +k the k-th repeat) and how long it took, measured inside the call */
    int phase, trials;
    int phase_of[MAX_CALLS];
    double took[MAX_CALLS];
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
    const double t0 = wg_now();
    sleep_for(s->calls == 1 && s->first_call_s > 0 ? s->first_call_s : s->seconds[s->calls % 2]);
    if (s->calls <= MAX_CALLS) {
        s->took[s->calls - 1] = wg_now() - t0;
        s->phase_of[s->calls - 1] = s->phase;
    }
    return WG_OK;
}

/* timeit's progress callback: tells the sleeper which phase its next calls belong to. */
static void sleeper_phase(void *context, const char *phase, int index, int total,
                          double estimate_s)
{
    sleeper *s = context;
    (void)total;
    (void)estimate_s;
    if (strcmp(phase, "calibrate") == 0)
        s->phase = -(++s->trials);
    else if (strcmp(phase, "repeat") == 0)
        s->phase = index;
    else
        s->phase = 0;
}

static void sleeper_options(wg_timeit_options *o, sleeper *s)
{
    wg_timeit_defaults(o);
    o->progress = sleeper_phase;
    o->progress_context = s;
}

/* Seconds the calls of `phase` took, and how many there were. */
static double phase_total(const sleeper *s, int phase, int64_t *count)
{
    double sum = 0.0;
    *count = 0;
    for (int i = 0; i < s->calls && i < MAX_CALLS; i++)
        if (s->phase_of[i] == phase) {
            sum += s->took[i];
            (*count)++;
        }
    return sum;
}

/* The checks every timing test shares: timeit against what the calls really took. */
static void check_against_record(const sleeper *s, const wg_timeit_result *r,
                                 double min_repeat_s, int auto_range)
{
    REQUIRE(s->calls <= MAX_CALLS);
    REQUIRE(r->repeats >= 1 && r->loops >= 1);
    double lo = INFINITY, hi = 0.0, sum = 0.0, sorted[WG_TIMEIT_MAX_REPEAT];
    for (int k = 1; k <= r->repeats; k++) {
        int64_t count = 0;
        const double truth = phase_total(s, k, &count);
        const double per_call = r->per_repeat_s[k - 1];
        CHECK_MSG(count == r->loops, "repeat %d made %lld calls, loops is %lld", k,
                  (long long)count, (long long)r->loops);
        /* The timed window holds the calls, plus loop and clock overhead (and, on a
         * loaded machine, preemption between calls): 10 ms + 25% is far more than that
         * and far less than any factor of ten. */
        CHECK_MSG(per_call * (double)r->loops >= truth * (1 - 1e-9) - 1e-6,
                  "repeat %d: %g s per call, its calls took %g s in all", k, per_call, truth);
        CHECK_MSG(per_call * (double)r->loops <= truth * 1.25 + 0.010,
                  "repeat %d: %g s per call, its calls took %g s in all", k, per_call, truth);
        if (per_call < lo) lo = per_call;
        if (per_call > hi) hi = per_call;
        sum += per_call;
        sorted[k - 1] = per_call;
    }
    /* the statistics are those of the repeats, exactly */
    for (int i = 1; i < r->repeats; i++)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    const int n = r->repeats;
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    const double mean = sum / n;
    double squares = 0.0;
    for (int i = 0; i < n; i++) squares += (sorted[i] - mean) * (sorted[i] - mean);
    CHECK(r->best_s == lo && r->worst_s == hi);
    CHECK(fabs(r->median_s - median) <= 1e-12 * median);
    CHECK(fabs(r->mean_s - mean) <= 1e-9 * mean);
    CHECK(fabs(r->stddev_s - (n > 1 ? sqrt(squares / (n - 1)) : 0.0)) <= 1e-9 * mean);
    CHECK(fabs(r->spread - (hi - lo) / median) <= 1e-9);
    /* the auto-range stopped at the first trial long enough */
    if (auto_range) {
        int64_t expect_loops = 1, calibration_calls = 0;
        for (int t = 1; t <= s->trials; t++) {
            int64_t count = 0;
            const double truth = phase_total(s, -t, &count);
            CHECK_MSG(count == expect_loops, "calibration trial %d: %lld calls, expected %lld",
                      t, (long long)count, (long long)expect_loops);
            if (t < s->trials)
                CHECK_MSG(truth < min_repeat_s, "trial %d took %g s >= %g s, yet another "
                          "followed", t, truth, min_repeat_s);
            else
                CHECK_MSG(truth >= 0.5 * min_repeat_s, "the last trial took %g s, short of %g s",
                          truth, min_repeat_s);
            calibration_calls += count;
            if (t < s->trials) expect_loops *= 10;
        }
        if (s->trials > 0) CHECK(r->loops == expect_loops);
        int64_t warmups = 0;
        (void)phase_total(s, 0, &warmups);
        CHECK(warmups == 1 || warmups == 2);
        CHECK(s->calls == warmups + calibration_calls + (int64_t)r->repeats * r->loops);
    }
}

TEST(timeit_measures_a_known_sleep)
{
    sleeper s = {{0.02, 0.02}, 0, WG_OK, 0, 0.0, 0, 0, {0}, {0}};
    wg_timeit_options o;
    sleeper_options(&o, &s);
    o.min_repeat_s = 0.05;
    o.repeat = 3;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    check_against_record(&s, &r, o.min_repeat_s, 1);
    /* warm-up 1 call; calibrate 1 (0.02 s < 0.05) then 10 (0.2 s); 3 repeats of 10. A
     * machine so loaded that one 20 ms sleep takes 50 ms stops at 1 loop instead. */
    CHECK(r.loops == 10 || (r.loops == 1 && s.took[1] >= o.min_repeat_s));
    CHECK(r.repeats == 3);
    CHECK(s.calls == 1 + 1 + 10 + 30 || r.loops == 1);
    CHECK_MSG(r.median_s >= 0.02, "median %g s for a 20 ms sleep", r.median_s);
    CHECK(r.best_s <= r.median_s && r.median_s <= r.worst_s);
    CHECK(r.mean_s >= r.best_s && r.mean_s <= r.worst_s);
    CHECK(r.stddev_s >= 0);
    CHECK(r.warmup_s >= 0.02);
    CHECK(r.spread_warning == (r.spread > 0.5));
}

TEST(timeit_uses_one_loop_and_fewer_repeats_for_long_calls)
{
    sleeper s = {{0.3, 0.3}, 0, WG_OK, 0, 0.0, 0, 0, {0}, {0}};
    wg_timeit_options o;
    sleeper_options(&o, &s);
    o.long_call_s = 0.25;     /* a 0.3 s call counts as long */
    o.repeat_budget_s = 0.5;  /* budget/call < 3: the floor of 3 repeats applies */
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    check_against_record(&s, &r, o.min_repeat_s, 1);
    CHECK(r.loops == 1);
    CHECK(r.repeats == 3);
    /* a warm-up under 10x min_repeat_s is confirmed by a 2nd call */
    CHECK(s.calls == 1 + 1 + 3 || (s.calls == 1 + 3 && r.warmup_s >= 10 * 0.2));
    CHECK(r.median_s >= 0.3);
}

TEST(timeit_default_repeats_is_seven_for_short_calls)
{
    sleeper s = {{0.001, 0.001}, 0, WG_OK, 0, 0.0, 0, 0, {0}, {0}};
    wg_timeit_options o;
    sleeper_options(&o, &s);
    o.min_repeat_s = 0.005;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    check_against_record(&s, &r, o.min_repeat_s, 1);
    CHECK(r.repeats == 7);
    CHECK(r.loops == 10 || (r.loops == 1 && s.took[1] >= o.min_repeat_s) ||
          (r.loops == 1 && s.took[0] >= o.min_repeat_s));
    CHECK(r.median_s >= 0.001);
}

TEST(timeit_warns_about_a_large_spread)
{
    /* One loop per repeat, alternating 2 ms and 60 ms calls. */
    sleeper s = {{0.002, 0.060}, 0, WG_OK, 0, 0.0, 0, 0, {0}, {0}};
    wg_timeit_options o;
    sleeper_options(&o, &s);
    o.loops = 1;
    o.repeat = 4;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    check_against_record(&s, &r, o.min_repeat_s, 0);
    CHECK(r.loops == 1 && r.repeats == 4);
    /* 60 ms against 2 ms, or against 2 ms plus up to 18 ms of oversleep under load */
    CHECK(r.worst_s > 3 * r.best_s);
    CHECK(r.spread > 1.0);
    CHECK(r.spread_warning);
}

TEST(timeit_stops_on_a_failing_call)
{
    sleeper s = {{0.0, 0.0}, 0, WG_ERR_BACKEND, 3, 0.0, 0, 0, {0}, {0}};
    wg_timeit_result r;
    CHECK(wg_timeit(wg_cpu(), sleeper_call, &s, NULL, &r) == WG_ERR_BACKEND);
    CHECK(s.calls == 3);
}

/* #20: a call that fails without a message gets one, not the last failure's. */
TEST(timeit_failing_call_without_a_message_is_not_given_a_stale_one)
{
    wg_tensor *t = NULL;
    CHECK_STATUS(wg_tensor_zeros(-1, NULL, wg_cpu(), &t), WG_ERR_ARGUMENT); /* "rank -1 ..." */
    sleeper s = {{0.0, 0.0}, 0, WG_ERR_BACKEND, 2, 0.0, 0, 0, {0}, {0}};
    wg_timeit_result r;
    CHECK_STATUS(wg_timeit(wg_cpu(), sleeper_call, &s, NULL, &r), WG_ERR_BACKEND);
    CHECK_MSG(strstr(wg_error_message(), "rank") == NULL, "stale message: %s",
              wg_error_message());
    CHECK(strstr(wg_error_message(), "without a message") != NULL);
}

TEST(timeit_rejects_bad_options)
{
    sleeper s = {{0.0, 0.0}, 0, WG_OK, 0, 0.0, 0, 0, {0}, {0}};
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
    sleeper s = {{0.002, 0.002}, 0, WG_OK, 0, 0.1, 0, 0, {0}, {0}};
    wg_timeit_options o;
    sleeper_options(&o, &s);
    o.min_repeat_s = 0.05;
    o.repeat = 2;
    wg_timeit_result r;
    REQUIRE_OK(wg_timeit(wg_cpu(), sleeper_call, &s, &o, &r));
    check_against_record(&s, &r, o.min_repeat_s, 1);
    CHECK(r.warmup_s >= 0.1);
    /* 100 on a quiet machine; fewer only when the record shows the calls were slow (the
     * auto-range check above), and never the 1 loop the warm-up alone would suggest */
    CHECK_MSG(r.loops == 100 || (r.loops == 10 && s.trials == 2), "loops %lld",
              (long long)r.loops);
    CHECK(r.median_s >= 0.002);
}
