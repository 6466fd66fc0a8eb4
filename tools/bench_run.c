/*
 * bench_run.c - the run of `whygpu bench gemm`: the shapes, then round after round every
 * product timed once (whygpu's GEMM, on one thread too with --scaling, the triple loop up
 * to --loop-max, OpenBLAS in child processes), each checked against float64 before its
 * time is trusted, and the FMA peak read before and after; the medians of the rounds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench_gemm.h"

static int make_shapes(const bench_options *o, bench_shape *shapes)
{
    int count = 0;
    for (int i = 0; i < o->size_count; i++) {
        bench_shape *s = &shapes[count++];
        memset(s, 0, sizeof *s);
        s->m = s->n = s->k = o->sizes[i];
        snprintf(s->label, sizeof s->label, "%" PRId64 "^3", o->sizes[i]);
    }
    if (o->mlp_shapes) {
        /* batch 256 through 784-512-256-10: forward X.W, weight gradient X^T.dY, input
         * gradient dY.W^T, for the first and the last layer */
        static const struct { int64_t m, n, k; int ta, tb; const char *label; } mlp[] = {
            {256, 512, 784, 0, 0, "fc1 fwd X.W"},   {784, 512, 256, 1, 0, "fc1 dW X^T.dY"},
            {256, 512, 256, 0, 1, "fc2 dX dY.W^T"}, {256, 256, 512, 0, 0, "fc2 fwd X.W"},
            {256, 10, 256, 0, 0, "fc3 fwd X.W"},    {256, 10, 256, 1, 0, "fc3 dW X^T.dY"},
            {256, 256, 10, 0, 1, "fc3 dX dY.W^T"},
        };
        for (size_t i = 0; i < sizeof mlp / sizeof mlp[0]; i++) {
            bench_shape *s = &shapes[count++];
            s->m = mlp[i].m, s->n = mlp[i].n, s->k = mlp[i].k;
            s->trans_a = mlp[i].ta, s->trans_b = mlp[i].tb;
            snprintf(s->label, sizeof s->label, "%s", mlp[i].label);
        }
    }
    return count;
}

/* A prepared product (inputs converted once to the kernel's precision, outside the
 * timing) as wg_timeit calls it. */
static wg_status call_gemm(void *context)
{
    return wg_gemm_run_prepared(context);
}


/* The registry's CPU triple loop (always registered). */
static const wg_kernel *triple_loop(void)
{
    const wg_kernel *kernel = NULL;
    return wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &kernel) == WG_OK ? kernel : NULL;
}

/* One round of one kernel on one shape: a timed repeat (the calls per repeat found in the
 * first round, then reused) into cell->round_s[round]; the result is checked first, and a
 * result off float64 is not timed (WG_ERR_BACKEND, why in res->why). */
static wg_status time_kernel(const bench_options *o, progress *p, const bench_shape *s,
                             const wg_kernel *kernel, const char *label, int threads, int round,
                             bench_cell *cell, double *error, bench_result *res)
{
    bench_operands ops;
    wg_status status = bench_operands_make(s, 42, &ops);
    if (status != WG_OK) return status;
    wg_set_cpu_threads(threads);
    wg_gemm_prepared *call = NULL;
    status = wg_gemm_prepare(wg_cpu(), kernel, &ops.args, &call);
    if (status == WG_OK) status = call_gemm(call);
    if (status == WG_OK) {
        const double e = wg_gemm_sampled_error(&ops.args, 64, 9);
        const double bound = wg_precision_error_bound(
            kernel ? kernel->precision : WG_PRECISION_FP32, s->k);
        if (round == 0 || !(e <= *error)) *error = e; /* the worst round's */
        if (!(e <= bound)) {
            snprintf(res->why, sizeof res->why, "%s (%" PRId64 "x%" PRId64 "x%" PRId64
                     ") with the %s kernel differs from float64 by %.3g (bound %.3g): not timed",
                     s->label, s->m, s->n, s->k, kernel ? kernel->name : "auto", e, bound);
            status = WG_ERR_BACKEND;
        }
    }
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.min_repeat_s = o->min_repeat_s;
    options.repeat = 1;
    options.loops = round == 0 ? 0 : cell->loops;
    /* phase by phase on a terminal; one line per product in a log */
    options.progress = p->tty ? progress_on_phase : NULL;
    options.progress_context = p;
    if (!p->tty) progress_on_phase(p, label, 0, 0, 0);
    wg_timeit_result r;
    if (status == WG_OK) status = wg_timeit(wg_cpu(), call_gemm, call, &options, &r);
    if (status == WG_OK) {
        cell->loops = r.loops;
        cell->round_s[round] = r.median_s;
    }
    wg_set_cpu_threads(0);
    wg_gemm_prepared_free(call);
    bench_operands_free(&ops);
    return status;
}

/* The peak of the run's precision on `threads` threads into *gflops: the FMA peak with
 * whygpu's instruction set, or the faster bf16 unit (NaN, with the reason, when neither
 * runs here: the rates are then shown without a %peak). */
static wg_status read_peak(const bench_options *o, bench_result *res, int threads,
                           double *gflops)
{
    bench_peak *peak = &res->peak;
    if (o->precision != WG_PRECISION_BF16) {
        snprintf(peak->unit, sizeof peak->unit, "FMA %s", res->isa);
        return wg_cpu_fma_peak(res->isa, threads, 0.2, gflops);
    }
    wg_bf16_peak bf16;
    wg_status status = wg_cpu_bf16_peak(threads, 0.2, &bf16);
    if (status != WG_OK) return status;
    *gflops = bf16.best_gflops;
    if (bf16.best >= 0)
        snprintf(peak->unit, sizeof peak->unit, "%s", wg_bf16_unit_name((wg_bf16_unit)bf16.best));
    else
        snprintf(peak->why, sizeof peak->why, "%.120s; %.120s", bf16.skipped[0], bf16.skipped[1]);
    return WG_OK;
}

/* Where scripts/compare-torch-gemm.py is: beside the build folder's parent (the source
 * tree), or where the installed share/ keeps it. */
static void torch_script(char *buf, size_t size)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(buf, size, "scripts/compare-torch-gemm.py");
    if (len <= 0) return;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return;
    *slash = '\0';
    snprintf(buf, size, "%.4000s/../scripts/compare-torch-gemm.py", exe);
    if (access(buf, R_OK) == 0) return;
    snprintf(buf, size, "%.4000s/../share/whygpu/scripts/compare-torch-gemm.py", exe);
}


static void bench_peak_settle(bench_peak *p)
{
    p->all = p->start > p->end ? p->start : p->end;
    p->one = p->one_start > p->one_end ? p->one_start : p->one_end;
    const double low = p->start < p->end ? p->start : p->end;
    p->settled = p->all > 0 && low >= 0.9 * p->all;
}

/* The triple loop runs only on shapes whose largest side is at most --loop-max. */
static int loop_runs(const bench_options *o, const bench_shape *s)
{
    const int64_t a = s->m > s->n ? s->m : s->n, largest = a > s->k ? a : s->k;
    return largest <= o->loop_max;
}

wg_status bench_gemm_run(const bench_options *o, progress *p, bench_result *res)
{
    memset(res, 0, sizeof *res);
    res->torch.pid = res->torch.to = res->torch.from = -1;
    wg_status status = wg_cpu_matmul_isa(&res->isa);
    if (status != WG_OK) return status;
    const int threads = res->threads = o->threads > 0 ? o->threads : wg_cpu_threads();
    status = wg_machine_facts_get(0, wg_cpu(), &res->machine);
    if (status != WG_OK) return status;
    const int bf16 = o->precision == WG_PRECISION_BF16;
    if (bf16) {
        status = wg_kernel_best(wg_cpu(), WG_PRECISION_BF16, &res->kernel);
        if (status != WG_OK) {
            snprintf(res->why, sizeof res->why, "--dtype bf16: %s", wg_error_message());
            return status;
        }
    }
    res->machine.cpu.omp_threads = threads;
    res->machine.cpu_kernel = res->kernel ? res->kernel->name : res->isa;
    snprintf(res->machine.gpu_reason, sizeof res->machine.gpu_reason,
             "not used: bench gemm times the CPU GEMM");
    bench_shape shapes[BENCH_MAX_SHAPES];
    const int count = res->count = make_shapes(o, shapes);
    bench_row *rows = res->rows;
    bench_peak *peak = &res->peak;
    bench_openblas *ob_default = &res->ob_default, *ob_forced = &res->ob_forced;

    if (o->progress) progress_on_phase(p, bf16 ? "bf16 peak" : "FMA peak", 0, 0, 1.0);
    status = read_peak(o, res, threads, &peak->start);
    if (status == WG_OK) status = read_peak(o, res, 1, &peak->one_start);
    if (bf16) {
        char script[4200];
        torch_script(script, sizeof script);
        if (o->progress) progress_on_phase(p, "starting PyTorch", 0, 0, 0);
        bench_torch_start(o->python, script, threads, &res->torch);
    }
    char self[4096] = "";
    if (o->openblas) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len > 0) {
            self[len] = '\0';
        } else {
            snprintf(ob_default->why, sizeof ob_default->why, "cannot find this program's path");
            snprintf(ob_forced->why, sizeof ob_forced->why, "cannot find this program's path");
        }
    }
    for (int i = 0; i < count; i++) rows[i].shape = shapes[i];
    for (int round = 0; status == WG_OK && round < o->rounds; round++) {
        for (int i = 0; status == WG_OK && i < count; i++) {
            bench_row *r = &rows[i];
            if (o->progress)
                snprintf(p->label, sizeof p->label, "bench gemm, round %d/%d: %s", round + 1,
                         o->rounds, shapes[i].label);
            status = time_kernel(o, p, &shapes[i], res->kernel, "whygpu", threads, round,
                                 &r->ours, &r->ours_error, res);
            if (status == WG_OK && o->scaling)
                status = time_kernel(o, p, &shapes[i], res->kernel, "whygpu, 1 thread", 1,
                                     round, &r->one, &r->ours_error, res);
            if (status == WG_OK && bf16)
                status = time_kernel(o, p, &shapes[i], NULL, "whygpu fp32", threads, round,
                                     &r->fp32, &r->fp32_error, res);
            if (status == WG_OK && loop_runs(o, &shapes[i]))
                status = time_kernel(o, p, &shapes[i], triple_loop(), "triple loop", threads,
                                     round, &r->loop, &r->loop_error, res);
        }
        if (status == WG_OK && o->openblas) {
            if (o->progress)
                snprintf(p->label, sizeof p->label, "bench gemm, round %d/%d", round + 1, o->rounds);
            if (o->progress) progress_on_phase(p, "OpenBLAS as shipped", 0, 0, 0);
            if (self[0]) bench_openblas_round(self, NULL, threads, bf16, shapes, count,
                                              o->min_repeat_s, ob_default);
            if (o->progress) progress_on_phase(p, "OpenBLAS forced", 0, 0, 0);
            if (self[0]) bench_openblas_round(self, o->coretype, threads, bf16, shapes, count,
                                              o->min_repeat_s, ob_forced);
        }
        if (status == WG_OK && bf16) {
            if (o->progress) progress_on_phase(p, "PyTorch bf16 torch.mm", 0, 0, 0);
            bench_torch_round(&res->torch, shapes, count, o->min_repeat_s);
        }
    }
    for (int i = 0; status == WG_OK && i < count; i++) {
        bench_row *r = &rows[i];
        r->ours_s = wg_median(r->ours.round_s, o->rounds);
        if (o->scaling) r->ours_one_s = wg_median(r->one.round_s, o->rounds);
        if (loop_runs(o, &shapes[i])) r->loop_s = wg_median(r->loop.round_s, o->rounds);
        if (bf16) r->fp32_s = wg_median(r->fp32.round_s, o->rounds);
    }
    if (bf16) bench_torch_finish(&res->torch, status == WG_OK ? o->rounds : 0, count);
    if (o->openblas) {
        bench_openblas_finish(ob_default, o->rounds, count);
        bench_openblas_finish(ob_forced, o->rounds, count);
    }
    /* The peak again, now that the products are timed: the peak is a constant of the
     * machine, so the higher reading is the less disturbed one, and two readings far apart
     * say the machine was busy during the run. */
    if (status == WG_OK) {
        if (o->progress) snprintf(p->label, sizeof p->label, "bench gemm");
        if (o->progress) progress_on_phase(p, bf16 ? "bf16 peak again" : "FMA peak again", 0, 0, 1.0);
        status = read_peak(o, res, threads, &peak->end);
        if (status == WG_OK) status = read_peak(o, res, 1, &peak->one_end);
        bench_peak_settle(peak);
    }
    if (status != WG_OK && !res->why[0])
        snprintf(res->why, sizeof res->why, "%s",
                 wg_error_message()[0] ? wg_error_message() : wg_status_name(status));
    return status;
}
