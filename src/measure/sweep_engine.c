/*
 * sweep_engine.c - the whole size sweep (whygpu_lab.h, "sweep"): each point's columns
 * screened for memory and the budget, each cell planned to fit what is left of it, timed
 * and checked (wg_sweep_measure), then the crossovers and best speed-ups. The caller is
 * told of each cell as it starts and ends, to show progress; nothing here prints.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "sweep.h"

const char *wg_sweep_size_name(wg_sweep_op op)
{
    return op == WG_SWEEP_MATMUL ? "n" : op == WG_SWEEP_MLP_STEP ? "batch" : "size";
}

const char *wg_sweep_size_unit(wg_sweep_op op)
{
    return op == WG_SWEEP_MATMUL ? "n (n x n matrices)"
           : op == WG_SWEEP_MLP_STEP ? "batch rows (784-512-256-10 MLP)" : "elements";
}

void wg_sweep_cell_label(wg_sweep_op op, int64_t size, wg_sweep_column column, wg_device gpu,
                         char *buf, size_t length)
{
    char device[32];
    wg_device_format(column == WG_SWEEP_CPU ? wg_cpu() : gpu, device, sizeof device);
    snprintf(buf, length, "%s %s = %" PRId64 " on %s%s", wg_sweep_op_name(op),
             wg_sweep_size_name(op), size, device,
             column == WG_SWEEP_GPU_COPIES ? " with copies" : "");
}

/* Marks the columns of a point that will not run, before anything is allocated. Returns
 * the number of columns left to measure. */
static int screen_point(const wg_sweep_request *q, wg_sweep_point *p)
{
    char need[32], have[32];
    int active = 0;
    double host_need = wg_sweep_host_bytes(q->op, p->size) +
                       wg_sweep_kernel_copy_bytes(q->op, p->size, q->cpu_kernel);
    int64_t host_available = wg_host_memory_available();
    int host_fits = wg_sweep_fits(host_need, host_available, WG_SWEEP_MEMORY_RESERVE_BYTES);
    for (int c = 0; c < WG_SWEEP_COLUMN_COUNT; c++) {
        wg_sweep_cell_result *r = &p->col[c];
        if (c != WG_SWEEP_CPU && !q->gpu_columns) {
            snprintf(r->reason, sizeof r->reason, "no GPU: %s", q->gpu_reason);
            continue;
        }
        if (!host_fits) {
            snprintf(r->reason, sizeof r->reason,
                     "does not fit in host memory: needs %s, %s available",
                     wg_format_bytes(host_need, need, sizeof need),
                     wg_format_bytes((double)host_available, have, sizeof have));
            continue;
        }
        if (c != WG_SWEEP_CPU) {
            wg_gpu_info info;
            double device_need = wg_sweep_device_bytes(q->op, p->size) +
                                 wg_sweep_kernel_copy_bytes(q->op, p->size, q->gpu_kernel);
            if (wg_gpu_info_get(q->gpu.index, &info) == WG_OK &&
                !wg_sweep_fits(device_need, info.free_memory_bytes, WG_SWEEP_MEMORY_RESERVE_BYTES)) {
                snprintf(r->reason, sizeof r->reason,
                         "does not fit in GPU memory: needs %s, cuda:%d has %s free",
                         wg_format_bytes(device_need, need, sizeof need), q->gpu.index,
                         wg_format_bytes((double)info.free_memory_bytes, have, sizeof have));
                continue;
            }
        }
        active++;
    }
    return active;
}

/* Calls extrapolated below this are probed before they are planned (the probe costs a
 * couple of calls and a check, little next to the thousands of loops such a cell runs). */
#define PROBE_BELOW_S 0.01

static void measure_all(const wg_sweep_request *q, wg_sweep_result *run)
{
    const double start = wg_now(), deadline = start + q->budget_s;
    int64_t known_size[WG_SWEEP_COLUMN_COUNT] = {0, 0, 0};
    double known_s[WG_SWEEP_COLUMN_COUNT] = {0, 0, 0};
    int cells_left = 0;
    for (int i = 0; i < run->count; i++) cells_left += q->gpu_columns ? WG_SWEEP_COLUMN_COUNT : 1;
    const int exponent = wg_sweep_work_exponent(q->op);
    /* No cell may take more than half the budget's even share: the large sizes at the end
     * cost more than their share, and the small ones are precise with less. */
    const double share_cap = cells_left > 0 ? 0.5 * q->budget_s / cells_left : 0.0;
    int64_t setup_size = 0; /* the last point's size and the seconds its inputs took */
    double setup_s = 0;
    for (int i = 0; i < run->count; i++) {
        wg_sweep_point *p = &run->points[i];
        int planned = q->gpu_columns ? WG_SWEEP_COLUMN_COUNT : 1;
        int active = screen_point(q, p);
        cells_left -= planned - active;
        if (active == 0) continue;
        /* Making the inputs (and freeing them) is not timed but spends the budget too. */
        double left = deadline - wg_now();
        double setup = wg_sweep_setup_estimate(q->op, setup_size, setup_s, p->size);
        if (left <= 0 || setup > 0.9 * left) {
            for (int c = 0; c < WG_SWEEP_COLUMN_COUNT; c++)
                if (!p->col[c].reason[0])
                    snprintf(p->col[c].reason, sizeof p->col[c].reason,
                             "skipped: about %.3g s to make the inputs would exceed the %.3g s "
                             "left of the budget", setup, left > 0 ? 0.9 * left : 0.0);
            run->budget_skips += active;
            cells_left -= active;
            continue;
        }
        double setup_start = wg_now();
        wg_sweep_inputs inputs;
        wg_status status = wg_sweep_inputs_create(q->op, p->size, q->seed, &inputs);
        setup_s = wg_now() - setup_start;
        setup_size = p->size;
        if (status != WG_OK) {
            for (int c = 0; c < WG_SWEEP_COLUMN_COUNT; c++)
                if (!p->col[c].reason[0])
                    snprintf(p->col[c].reason, sizeof p->col[c].reason,
                             "could not create the inputs: %s", wg_error_message());
            cells_left -= active;
            run->failed = 1;
            continue;
        }
        for (int c = 0; c < WG_SWEEP_COLUMN_COUNT; c++) {
            wg_sweep_cell_result *r = &p->col[c];
            if (r->reason[0]) continue;
            double estimate = wg_sweep_extrapolate(known_size[c], known_s[c], p->size, exponent);
            const wg_kernel *kernel = c == WG_SWEEP_CPU ? q->cpu_kernel : q->gpu_kernel;
            if (!(estimate > 0) || estimate < PROBE_BELOW_S) {
                /* A short probe (one repeat of about 2 ms) gives the call's real time, so
                 * the plan's loops fit it. The column's first cell has no estimate: left to
                 * timeit's power-of-ten auto-range, a repeat could last ten times what the
                 * plan counted, and the first size took the budget of the rest. A short
                 * call's extrapolation can be wrong by far more than its cost to check: a
                 * product that starts using threads, on a busy machine, took 3.5 ms where
                 * 6 us were extrapolated, and thousands of loops of it broke the budget. */
                wg_timeit_options probe;
                wg_timeit_defaults(&probe);
                probe.repeat = 1;
                probe.min_repeat_s = WG_SWEEP_MIN_REPEAT_FLOOR_S;
                wg_sweep_cell probed;
                if (wg_sweep_measure(&inputs, (wg_sweep_column)c, q->gpu, kernel, &probe,
                                     &probed) == WG_OK && probed.time.median_s > 0)
                    estimate = probed.time.median_s;
                else
                    wg_clear_error(); /* the real measurement below reports the failure */
            }
            wg_sweep_plan plan;
            left = deadline - wg_now();
            /* A tenth is kept back for what the plan does not count: inputs, checks, and
             * calls slower than their estimate on a busy machine. */
            double plannable = left > 0 ? 0.9 * left : 0;
            if (wg_sweep_plan_cell(estimate, plannable, cells_left, share_cap, &plan) != WG_OK) {
                plan.skip = 1;
                plan.estimate_s = estimate;
            }
            cells_left--;
            if (plan.skip) {
                snprintf(r->reason, sizeof r->reason,
                         "skipped: about %.3g s would exceed the %.3g s left of the budget",
                         plan.estimate_s, plannable);
                run->budget_skips++;
                continue;
            }
            char label[128];
            wg_sweep_cell_label(q->op, p->size, (wg_sweep_column)c, q->gpu, label, sizeof label);
            if (q->on_cell) q->on_cell(q->context, label, 0, NULL);
            wg_timeit_options timing;
            wg_timeit_defaults(&timing);
            timing.repeat = plan.repeat;
            timing.min_repeat_s = plan.min_repeat_s;
            timing.loops = plan.loops;
            timing.progress = q->progress;
            timing.progress_context = q->context;
            status = wg_sweep_measure(&inputs, (wg_sweep_column)c, q->gpu, kernel, &timing,
                                      &r->cell);
            if (status == WG_ERR_NO_MEMORY) { /* e.g. fragmentation: reported, not a failure */
                snprintf(r->reason, sizeof r->reason, "does not fit in memory: %s",
                         wg_error_message());
                if (q->on_cell) q->on_cell(q->context, label, 1, NULL);
                continue;
            }
            if (status != WG_OK) {
                snprintf(r->reason, sizeof r->reason, "failed: %s", wg_error_message());
                if (q->on_cell) q->on_cell(q->context, label, 1, r->reason);
                run->failed = 1;
                continue;
            }
            if (!r->cell.check_passed) {
                snprintf(r->reason, sizeof r->reason,
                         "wrong result: max relative error %.3g > tolerance %.3g",
                         r->cell.check_error, r->cell.check_tolerance);
                if (q->on_cell) q->on_cell(q->context, label, 1, r->reason);
                run->failed = 1;
                continue;
            }
            if (q->on_cell) q->on_cell(q->context, label, 1, NULL);
            r->measured = 1;
            known_size[c] = p->size;
            known_s[c] = r->cell.time.median_s;
        }
        double free_start = wg_now();
        wg_sweep_inputs_free(&inputs);
        setup_s += wg_now() - free_start;
    }
    run->elapsed_s = wg_now() - start;
}

/* Crossovers and best speed-ups of the GPU columns, from the measured medians. */
static void analyse(wg_sweep_result *run)
{
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    double cpu[WG_SWEEP_MAX_POINTS], gpu[WG_SWEEP_MAX_POINTS];
    for (int c = WG_SWEEP_GPU; c < WG_SWEEP_COLUMN_COUNT; c++) {
        for (int i = 0; i < run->count; i++) {
            const wg_sweep_point *p = &run->points[i];
            sizes[i] = p->size;
            cpu[i] = p->col[WG_SWEEP_CPU].measured ? p->col[WG_SWEEP_CPU].cell.time.median_s : NAN;
            gpu[i] = p->col[c].measured ? p->col[c].cell.time.median_s : NAN;
        }
        (void)wg_sweep_crossover(sizes, cpu, gpu, run->count, &run->crossover[c]);
        wg_sweep_best_speedup(sizes, cpu, gpu, run->count, &run->best_speedup[c],
                              &run->best_speedup_size[c]);
    }
}


wg_status wg_sweep_run(const wg_sweep_request *q, wg_sweep_result *out)
{
    if (!q || !out) return wg_fail(WG_ERR_ARGUMENT, "sweep run: NULL request or result");
    memset(out, 0, sizeof *out);
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    wg_status status = wg_sweep_grid(q->low, q->high, q->points, sizes, &out->count);
    if (status != WG_OK) return status;
    if (!(q->budget_s > 0))
        return wg_fail(WG_ERR_ARGUMENT, "sweep run: budget %g s must be > 0", q->budget_s);
    for (int i = 0; i < out->count; i++) out->points[i].size = sizes[i];
    measure_all(q, out);
    analyse(out);
    return WG_OK;
}
