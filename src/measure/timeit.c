/*
 * timeit.c - the timing harness every experiment uses (see wg_timeit in whygpu.h).
 *
 * Modelled on IPython's %timeit and torch.utils.benchmark.Timer: a warm-up call, loops per
 * repeat auto-ranged in powers of ten until a repeat lasts >= 0.2 s, then several repeats
 * summarised by median, best, mean and spread. The interval of each repeat is taken with
 * the device's timer (backend.h), which waits for the device, so asynchronous GPU work is
 * counted in full.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backend.h"
#include "../error.h"
#include "measure.h"

void wg_timeit_defaults(wg_timeit_options *options)
{
    if (!options) return;
    memset(options, 0, sizeof *options);
    options->repeat = 0;
    options->loops = 0;
    options->min_repeat_s = 0.2;
    options->long_call_s = 1.0;
    options->repeat_budget_s = 30.0;
    options->spread_warn = 0.5;
}

/* Runs `loops` calls between two timer marks; seconds for all of them. */
static wg_status time_loops(const wg_backend *backend, int index, wg_timeit_fn fn,
                            void *context, int64_t loops, double *seconds)
{
    wg_device_timer timer;
    wg_status status = backend->synchronize(index);
    if (status != WG_OK) return status;
    status = backend->timer_start(index, &timer);
    if (status != WG_OK) return status;
    wg_status call_status = WG_OK;
    wg_clear_error(); /* a call that fails without a message must not inherit a stale one */
    for (int64_t i = 0; i < loops && call_status == WG_OK; i++) call_status = fn(context);
    if (call_status == WG_OK) return backend->timer_stop(index, &timer, seconds);
    /* The call's failure is the news: keep its message over any the timer's cleanup
     * (which frees its events) might write. */
    char message[512];
    if (wg_error_message()[0])
        snprintf(message, sizeof message, "%s", wg_error_message());
    else
        snprintf(message, sizeof message, "the timed call failed (%s) without a message",
                 wg_status_name(call_status));
    (void)backend->timer_stop(index, &timer, seconds);
    return wg_fail(call_status, "%s", message);
}

static int compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The median of sorted[0 .. count). */
static double median_of_sorted(const double *sorted, int count)
{
    return count % 2 ? sorted[count / 2] : 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]);
}

double wg_median(const double *values, int count)
{
    if (count < 1 || count > WG_TIMEIT_MAX_REPEAT) return NAN;
    double sorted[WG_TIMEIT_MAX_REPEAT];
    memcpy(sorted, values, (size_t)count * sizeof *sorted);
    qsort(sorted, (size_t)count, sizeof *sorted, compare_doubles);
    return median_of_sorted(sorted, count);
}

static void progress(const wg_timeit_options *o, const char *phase, int index, int total,
                     double estimate_s)
{
    if (o->progress) o->progress(o->progress_context, phase, index, total, estimate_s);
}

/* Chooses the repeat count: the user's, else 7, fewer for calls of seconds (never < 3). */
static int choose_repeats(const wg_timeit_options *o, double call_s)
{
    if (o->repeat > 0) return o->repeat;
    if (call_s < o->long_call_s) return 7;
    int fit = (int)(o->repeat_budget_s / call_s);
    return fit < 3 ? 3 : fit > 7 ? 7 : fit;
}

wg_status wg_timeit(wg_device device, wg_timeit_fn fn, void *context,
                    const wg_timeit_options *options, wg_timeit_result *result)
{
    if (!fn || !result) return wg_fail(WG_ERR_ARGUMENT, "timeit: NULL function or result");
    wg_timeit_options o;
    wg_timeit_defaults(&o);
    if (options) {
        o = *options;
        wg_timeit_options d;
        wg_timeit_defaults(&d);
        if (o.min_repeat_s <= 0) o.min_repeat_s = d.min_repeat_s;
        if (o.long_call_s <= 0) o.long_call_s = d.long_call_s;
        if (o.repeat_budget_s <= 0) o.repeat_budget_s = d.repeat_budget_s;
        if (o.spread_warn <= 0) o.spread_warn = d.spread_warn;
    }
    if (o.repeat < 0 || o.repeat > WG_TIMEIT_MAX_REPEAT)
        return wg_fail(WG_ERR_ARGUMENT, "timeit: repeat %d is out of range 1..%d", o.repeat,
                       WG_TIMEIT_MAX_REPEAT);
    if (o.loops < 0) return wg_fail(WG_ERR_ARGUMENT, "timeit: loops %lld < 0", (long long)o.loops);
    wg_status status = wg_device_check(device);
    if (status != WG_OK) return status;
    const wg_backend *backend = wg_backend_for(device);
    memset(result, 0, sizeof *result);

    /* 1. Warm-up: first-touch page faults, lazy initialisation, cuBLAS heuristics. */
    progress(&o, "warm-up", 0, 0, 0.0);
    double warmup = 0.0;
    status = time_loops(backend, device.index, fn, context, 1, &warmup);
    if (status != WG_OK) return status;
    result->warmup_s = warmup;

    /* A warm-up that reached min_repeat_s may owe it to one-time costs (a GPU library's
     * handle, lazy module loading, page faults) that would wrongly make one loop per
     * repeat look enough: when a second call could change that choice, time it too. */
    double call_estimate = warmup;
    if (o.loops == 0 && warmup >= o.min_repeat_s && warmup < 10 * o.min_repeat_s) {
        double again = 0.0;
        progress(&o, "warm-up", 0, 0, warmup);
        status = time_loops(backend, device.index, fn, context, 1, &again);
        if (status != WG_OK) return status;
        if (again < call_estimate) call_estimate = again;
    }

    /* 2. Auto-range: 1, 10, 100, ... loops until one repeat lasts min_repeat_s. */
    int64_t loops = o.loops;
    if (loops == 0) {
        loops = 1;
        if (call_estimate < o.min_repeat_s) {
            for (;;) {
                double elapsed = 0.0;
                progress(&o, "calibrate", 0, 0, call_estimate * (double)loops);
                status = time_loops(backend, device.index, fn, context, loops, &elapsed);
                if (status != WG_OK) return status;
                call_estimate = elapsed / (double)loops;
                if (elapsed >= o.min_repeat_s || loops >= INT64_MAX / 10) break;
                loops *= 10;
            }
        }
    }

    /* 3. Repeats. */
    int repeats = choose_repeats(&o, call_estimate);
    double sorted[WG_TIMEIT_MAX_REPEAT];
    for (int r = 0; r < repeats; r++) {
        double elapsed = 0.0;
        progress(&o, "repeat", r + 1, repeats, call_estimate * (double)loops);
        status = time_loops(backend, device.index, fn, context, loops, &elapsed);
        if (status != WG_OK) return status;
        result->per_repeat_s[r] = elapsed / (double)loops;
        sorted[r] = result->per_repeat_s[r];
        call_estimate = result->per_repeat_s[r];
    }

    qsort(sorted, (size_t)repeats, sizeof sorted[0], compare_doubles);
    double sum = 0.0;
    for (int r = 0; r < repeats; r++) sum += sorted[r];
    double mean = sum / repeats;
    double squares = 0.0;
    for (int r = 0; r < repeats; r++) squares += (sorted[r] - mean) * (sorted[r] - mean);
    result->loops = loops;
    result->repeats = repeats;
    result->best_s = sorted[0];
    result->worst_s = sorted[repeats - 1];
    result->median_s = median_of_sorted(sorted, repeats);
    result->mean_s = mean;
    result->stddev_s = repeats > 1 ? sqrt(squares / (repeats - 1)) : 0.0;
    result->spread = result->median_s > 0 ? (result->worst_s - result->best_s) / result->median_s
                                          : 0.0;
    result->spread_warning = repeats > 1 && result->spread > o.spread_warn;
    return WG_OK;
}
