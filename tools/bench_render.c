/*
 * bench_render.c - the results of `whygpu bench gemm` as a table or as JSON
 * (whygpu.bench-gemm/1, docs/json.md): rates, the share of the measured FMA peak and the
 * ratios to OpenBLAS, all from the medians of one run.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_gemm.h"
#include "cli.h"

double bench_gflops(const bench_shape *s, double seconds)
{
    return seconds > 0 ? 2.0 * (double)s->m * (double)s->n * (double)s->k / seconds / 1e9 : NAN;
}

static double ratio(double ours_s, double other_s)
{
    return ours_s > 0 && other_s > 0 ? other_s / ours_s : NAN;
}

/* The header: what ran, and the peak %peak divides by. */
static void print_heading(const bench_options *o, const bench_result *res)
{
    const double peak = res->peak.all;
    const int bf16 = o->precision == WG_PRECISION_BF16;
    const char *plural = res->threads == 1 ? "" : "s";
    if (!bf16)
        printf("whygpu GEMM (%s, %d thread%s) on this CPU; measured FMA peak %.1f GFLOP/s "
               "(%.1f on one core)\n", res->isa, res->threads, plural, peak, res->peak.one);
    else if (res->peak.unit[0])
        printf("whygpu bf16 GEMM (%s, %d thread%s) on this CPU; measured bf16 peak %.1f "
               "GFLOP/s (%s; %.1f on one core)\n", res->kernel ? res->kernel->name : "?",
               res->threads, plural, peak, res->peak.unit, res->peak.one);
    else
        printf("whygpu bf16 GEMM (%s, %d thread%s) on this CPU; no bf16 peak measured: %s\n",
               res->kernel ? res->kernel->name : "?", res->threads, plural, res->peak.why);
    if (!res->peak.settled && isfinite(peak))
        printf("note: the %s peak read %.1f GFLOP/s before whygpu's products and %.1f after "
               "(more than 10%% apart):\nthe machine was busy during this run; the higher is "
               "used. Rerun for firm numbers.\n", bf16 ? "bf16" : "FMA", res->peak.start,
               res->peak.end);
}

/* --dtype bf16 columns: whygpu's fp32 GEMM and PyTorch's bf16 torch.mm on the shape. */
static void print_bf16_cells(const bench_result *res, int i)
{
    const bench_row *r = &res->rows[i];
    printf(" %9.1f %7.2fx", bench_gflops(&r->shape, r->fp32_s), r->fp32_s / r->ours_s);
    if (res->torch.ok) {
        char cell[48];
        snprintf(cell, sizeof cell, "%.1f (ours %.2fx)", bench_gflops(&r->shape, res->torch.median_s[i]),
                 ratio(r->ours_s, res->torch.median_s[i]));
        printf(" %22s", cell);
    } else {
        printf(" %22s", "-");
    }
}

void bench_print_table(const bench_options *o, const bench_result *res)
{
    const double peak = res->peak.all;
    const int bf16 = o->precision == WG_PRECISION_BF16;
    print_heading(o, res);
    printf("\n");
    char ob1[64], ob2[64];
    const bench_openblas *ob_default = &res->ob_default, *ob_forced = &res->ob_forced;
    const char *blas = bf16 ? "sbgemm" : "OpenBLAS";
    snprintf(ob1, sizeof ob1, "%s %.40s", blas, ob_default->ok ? ob_default->core : "(as shipped)");
    snprintf(ob2, sizeof ob2, "%s %.40s", blas, ob_forced->ok ? ob_forced->core : o->coretype);
    printf("%-16s %-16s %9s %6s", "shape", "m x n x k", "GFLOP/s", "%peak");
    if (o->scaling) printf(" %9s %7s", "1 thread", "speedup");
    if (bf16) printf(" %9s %8s %22s", "fp32 GF/s", "bf16/fp32", "PyTorch bf16 torch.mm");
    if (o->loop_max > 0) printf(" %11s", "loop GF/s");
    if (o->openblas) printf(" %22s %22s", ob1, ob2);
    printf("\n");
    for (int i = 0; i < res->count; i++) {
        const bench_row *r = &res->rows[i];
        char dims[48];
        snprintf(dims, sizeof dims, "%" PRId64 "x%" PRId64 "x%" PRId64 "%s", r->shape.m,
                 r->shape.n, r->shape.k,
                 r->shape.trans_a ? (r->shape.trans_b ? " TT" : " TN") : (r->shape.trans_b ? " NT" : ""));
        const double g = bench_gflops(&r->shape, r->ours_s);
        printf("%-16s %-16s %9.1f %5.0f%%", r->shape.label, dims, g, 100.0 * g / peak);
        if (o->scaling) printf(" %9.1f %6.2fx", bench_gflops(&r->shape, r->ours_one_s), r->ours_one_s / r->ours_s);
        if (bf16) print_bf16_cells(res, i);
        if (o->loop_max > 0) {
            if (r->loop_s > 0) printf(" %11.1f", bench_gflops(&r->shape, r->loop_s));
            else printf(" %11s", "-");
        }
        const bench_openblas *obs[2] = {ob_default, ob_forced};
        for (int b = 0; o->openblas && b < 2; b++) {
            if (obs[b]->ok) {
                char cell[48];
                snprintf(cell, sizeof cell, "%.1f (ours %.2fx)", bench_gflops(&r->shape, obs[b]->median_s[i]),
                         ratio(r->ours_s, obs[b]->median_s[i]));
                printf(" %22s", cell);
            } else {
                printf(" %22s", "-");
            }
        }
        printf("\n");
    }
    if (bf16 && !res->torch.ok) printf("\nPyTorch bf16 torch.mm not run: %s\n", res->torch.why);
    else if (bf16) printf("\nPyTorch %s, bf16 torch.mm (its output rounded to bf16), rounds "
                          "alternated with whygpu's.\n", res->torch.version);
    if (o->openblas) {
        if (!ob_default->ok) printf("\nOpenBLAS (as shipped) not run: %s\n", ob_default->why);
        if (!ob_forced->ok) printf("OpenBLAS (%s) not run: %s\n", o->coretype, ob_forced->why);
        if (ob_default->ok || ob_forced->ok)
            printf("\n\"ours 1.25x\" = whygpu is 1.25 times as fast as that OpenBLAS on that shape "
                   "(medians, this run).\n");
    }
    printf("Each figure is the median of %d round%s; each round timed every product once.\n",
           o->rounds, o->rounds == 1 ? "" : "s");
    if (bf16)
        printf("%%peak = whygpu's rate / the bf16 peak measured above (its faster unit, same "
               "threads); bf16/fp32 = whygpu's bf16 rate / its fp32 rate.\n");
    else
        printf("%%peak = whygpu's rate / the FMA peak measured above with the same instruction "
               "set and threads.\n");
}

static void json_openblas(wg_json *j, const char *key, const bench_openblas *ob,
                          const char *forced, int index, double ours_s)
{
    wg_json_key(j, key);
    wg_json_begin_object(j);
    wg_json_key(j, "coretype_forced"); wg_json_string(j, forced);
    wg_json_key(j, "ran"); wg_json_bool(j, ob->ok);
    if (ob->ok) {
        wg_json_key(j, "core"); wg_json_string(j, ob->core);
        wg_json_key(j, "median_s"); wg_json_number(j, ob->median_s[index]);
        wg_json_key(j, "error"); wg_json_number(j, ob->error[index]);
        wg_json_key(j, "ours_speedup"); wg_json_number(j, ratio(ours_s, ob->median_s[index]));
    } else {
        wg_json_key(j, "why"); wg_json_string(j, ob->why);
    }
    wg_json_end_object(j);
}

int bench_print_json(const bench_options *o, const bench_result *res, const char *command_line)
{
    const double peak = res->peak.all;
    wg_json j;
    wg_json_document_begin(&j, stdout, "whygpu.bench-gemm/1", command_line, &res->machine);
    wg_json_key(&j, "cpu"); wg_json_string(&j, res->machine.cpu.model);
    wg_json_key(&j, "isa"); wg_json_string(&j, res->isa);
    wg_json_key(&j, "threads"); wg_json_int(&j, res->threads);
    /* fp32: the FMA peak under its old keys; bf16: those keys null, the bf16 peak in
     * peak_* (present in both, the denominator of peak_fraction) */
    const int bf16 = o->precision == WG_PRECISION_BF16;
    const double fma = bf16 ? NAN : 1.0;
    wg_json_key(&j, "fma_peak_gflops"); wg_json_number(&j, fma * peak);
    wg_json_key(&j, "fma_peak_one_core_gflops"); wg_json_number(&j, fma * res->peak.one);
    wg_json_key(&j, "fma_peak_start_gflops"); wg_json_number(&j, fma * res->peak.start);
    wg_json_key(&j, "fma_peak_end_gflops"); wg_json_number(&j, fma * res->peak.end);
    wg_json_key(&j, "fma_peak_settled");
    if (bf16) wg_json_null(&j); else wg_json_bool(&j, res->peak.settled);
    wg_json_key(&j, "precision"); wg_json_string(&j, wg_precision_name(o->precision));
    wg_json_key(&j, "kernel"); wg_json_string(&j, res->kernel ? res->kernel->name : res->isa);
    wg_json_key(&j, "peak_unit"); wg_json_string(&j, res->peak.unit[0] ? res->peak.unit : NULL);
    wg_json_key(&j, "peak_gflops"); wg_json_number(&j, peak);
    wg_json_key(&j, "peak_one_core_gflops"); wg_json_number(&j, res->peak.one);
    wg_json_key(&j, "peak_settled"); wg_json_bool(&j, res->peak.settled);
    if (bf16) {
        wg_json_key(&j, "torch");
        wg_json_begin_object(&j);
        wg_json_key(&j, "ran"); wg_json_bool(&j, res->torch.ok);
        wg_json_key(&j, "version"); wg_json_string(&j, res->torch.ok ? res->torch.version : NULL);
        wg_json_key(&j, "why"); wg_json_string(&j, res->torch.ok ? NULL : res->torch.why);
        wg_json_end_object(&j);
    }
    wg_json_key(&j, "rounds"); wg_json_int(&j, o->rounds);
    wg_json_key(&j, "shapes");
    wg_json_begin_array(&j);
    for (int i = 0; i < res->count; i++) {
        const bench_row *r = &res->rows[i];
        wg_json_begin_object(&j);
        wg_json_key(&j, "label"); wg_json_string(&j, r->shape.label);
        wg_json_key(&j, "m"); wg_json_int(&j, r->shape.m);
        wg_json_key(&j, "n"); wg_json_int(&j, r->shape.n);
        wg_json_key(&j, "k"); wg_json_int(&j, r->shape.k);
        wg_json_key(&j, "trans_a"); wg_json_bool(&j, r->shape.trans_a);
        wg_json_key(&j, "trans_b"); wg_json_bool(&j, r->shape.trans_b);
        wg_json_key(&j, "median_s"); wg_json_number(&j, r->ours_s);
        wg_json_key(&j, "round_s");
        wg_json_begin_array(&j);
        for (int k = 0; k < o->rounds; k++) wg_json_number(&j, r->ours.round_s[k]);
        wg_json_end_array(&j);
        wg_json_key(&j, "gflops"); wg_json_number(&j, bench_gflops(&r->shape, r->ours_s));
        wg_json_key(&j, "peak_fraction"); wg_json_number(&j, bench_gflops(&r->shape, r->ours_s) / peak);
        wg_json_key(&j, "error"); wg_json_number(&j, r->ours_error);
        if (o->scaling) {
            wg_json_key(&j, "one_thread_median_s"); wg_json_number(&j, r->ours_one_s);
            wg_json_key(&j, "thread_speedup"); wg_json_number(&j, r->ours_one_s / r->ours_s);
        }
        wg_json_key(&j, "loop_median_s");
        if (r->loop_s > 0) wg_json_number(&j, r->loop_s); else wg_json_null(&j);
        if (o->openblas) {
            json_openblas(&j, "openblas_default", &res->ob_default, NULL, i, r->ours_s);
            json_openblas(&j, "openblas_forced", &res->ob_forced, o->coretype, i, r->ours_s);
        }
        if (bf16) {
            wg_json_key(&j, "fp32_median_s"); wg_json_number(&j, r->fp32_s);
            wg_json_key(&j, "fp32_gflops"); wg_json_number(&j, bench_gflops(&r->shape, r->fp32_s));
            wg_json_key(&j, "fp32_error"); wg_json_number(&j, r->fp32_error);
            wg_json_key(&j, "over_fp32"); wg_json_number(&j, ratio(r->ours_s, r->fp32_s));
            wg_json_key(&j, "torch_median_s");
            wg_json_number(&j, res->torch.ok ? res->torch.median_s[i] : NAN);
            wg_json_key(&j, "torch_error");
            wg_json_number(&j, res->torch.ok ? res->torch.error[i] : NAN);
            wg_json_key(&j, "torch_speedup");
            wg_json_number(&j, res->torch.ok ? ratio(r->ours_s, res->torch.median_s[i]) : NAN);
        }
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_end_object(&j);
    return wg_json_finish(&j) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
