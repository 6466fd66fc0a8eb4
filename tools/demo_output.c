/*
 * demo_output.c - `whygpu demo`'s result description (demo.h) as the text table with its
 * plain-language reading, or as the whygpu.demo/1 JSON document (docs/json.md). A reference
 * machine's recorded GPU cells (--reference) are marked '*' and named in the text, and kept
 * in a field of their own ("recorded") in the JSON.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "kernel_option.h"

static void format_gflops(double value, char *buf, size_t size)
{
    if (!isfinite(value))
        snprintf(buf, size, "-");
    else if (value >= 100)
        snprintf(buf, size, "%.0f", value);
    else if (value >= 0.01)
        snprintf(buf, size, "%.2f", value);
    else
        snprintf(buf, size, "%.1e", value);
}

/* 2e12 as "2.00e12", small counts as integers. */
static void format_count(double value, char *buf, size_t size)
{
    if (value < 1e6) {
        snprintf(buf, size, "%.0f", value);
        return;
    }
    int exponent = (int)floor(log10(value));
    snprintf(buf, size, "%.2fe%d", value / pow(10.0, exponent), exponent);
}

static void print_ratio(const demo_comparison *row)
{
    if (!row->winner) {
        printf("  %9s  %s\n", "-", "-");
        return;
    }
    const double ratio = row->cpu_over_gpu;
    if (ratio >= 1)
        printf("  %9.3g  GPU, %.3gx faster\n", ratio, ratio);
    else
        printf("  %9.3g  CPU, %.3gx faster\n", ratio, 1.0 / ratio);
}

static void print_cell_columns(const demo_cell *cell)
{
    char time[32], spread[32], rate[32];
    if (!cell->measured) {
        printf("  %10s %7s %9s", "-", "-", "-");
        return;
    }
    wg_format_seconds(cell->time.median_s, time, sizeof time);
    snprintf(spread, sizeof spread, "%.1f%%%s", 100.0 * cell->time.spread,
             cell->time.spread_warning ? "!" : "");
    format_gflops(cell->gflops, rate, sizeof rate);
    printf("  %10s %7s %9s", time, spread, rate);
}

/* 1 when the "GPU" is an OpenCL driver running on the CPU (PoCL). */
static int opencl_cpu_driver(wg_device device)
{
    wg_opencl_info info;
    return device.kind == WG_DEVICE_OPENCL && wg_opencl_info_get(device.index, &info) == WG_OK &&
           info.is_cpu;
}

/* A ratio of 1 or more: "12.3x", "1860x". */
static void format_times(double x, char *buf, size_t size)
{
    if (x >= 100) snprintf(buf, size, "%.0fx", x);
    else snprintf(buf, size, "%.3gx", x);
}

/* A recorded GPU cell in the GPU columns, each figure marked '*'. */
static void print_recorded_columns(const recorded_cell *cell)
{
    char time[32], rate[32];
    wg_format_seconds(cell->median_s, time, sizeof time);
    format_gflops(cell->gflops, rate, sizeof rate);
    size_t n = strlen(time);
    snprintf(time + n, sizeof time - n, "*");
    n = strlen(rate);
    snprintf(rate + n, sizeof rate - n, "*");
    printf("  %10s %7s %9s", time, "-", rate);
}

/* This CPU against the recorded GPU: the ratio column and who wins there, marked '*'. */
static void print_recorded_ratio(double ratio)
{
    if (!isfinite(ratio)) {
        printf("  %9s  %s\n", "-", "-");
        return;
    }
    char text[32], times[32];
    snprintf(text, sizeof text, "%.3g*", ratio);
    format_times(ratio >= 1 ? ratio : 1.0 / ratio, times, sizeof times);
    printf("  %9s  %s, %s faster\n", text, ratio >= 1 ? "that GPU" : "your CPU", times);
}

/* Where the '*' figures come from, and what their ratio compares. */
static void print_recorded_note(const demo_options *o, const demo_recorded *rec)
{
    char tag[256];
    recorded_tag(&rec->ref, tag, sizeof tag);
    printf("* recorded on another machine: %s\n  (reference %s); CPU/GPU there is your CPU "
           "against that GPU.\n", tag, rec->ref.name);
    if (o->precision != WG_PRECISION_FP32)
        printf("  The recorded GPU matmul is fp32; this run's matmul cells are %s (--dtype).\n",
               wg_precision_name(o->precision));
    if (rec->cells[1].found && rec->by_rate[1])
        printf("  Its matmul is the recorded sweep's point nearest n = %" PRId64 ", n = %.0f (%s):"
               "\n  that ratio is of GFLOP/s, not of times.\n",
               o->size, rec->cells[1].size, rec->cells[1].from);
}

static void print_reading(const demo_options *o, const demo_cell cells[DEMO_CELLS],
                          const char *gpu_reason, int recorded_shown)
{
    const demo_cell *sq_cpu = &cells[0], *mm_cpu = &cells[1], *sq_gpu = &cells[2],
                    *mm_gpu = &cells[3];
    char t1[32], t2[32], t3[32], t4[32];
    wg_format_seconds(sq_cpu->time.median_s, t1, sizeof t1);
    wg_format_seconds(mm_cpu->time.median_s, t2, sizeof t2);
    double n = (double)o->size;
    double mm_rate = mm_cpu->flops / mm_cpu->time.median_s;
    printf("\nWhat the numbers say:\n");
    double multiply_s = 1.0 / mm_rate;
    if (multiply_s < sq_cpu->time.median_s) {
        /* never "100.0%": the arithmetic is small, not nothing */
        const double overhead = 100.0 * (1.0 - multiply_s / sq_cpu->time.median_s);
        char share[16];
        if (overhead >= 99.95) snprintf(share, sizeof share, "over 99.9%%");
        else snprintf(share, sizeof share, "%.1f%%", overhead);
        printf("- Squaring one number on the CPU took %s. At the rate the CPU reached in the\n"
               "  matmul (%.1f GFLOP/s) one multiply is worth %.2g ns, so %s of that time "
               "is\n  the cost of making the call, not of the arithmetic.\n",
               t1, mm_rate / 1e9, multiply_s * 1e9, share);
    } else
        printf("- Squaring one number on the CPU took %s. A %" PRId64 "x%" PRId64 " matmul is "
               "too small to show\n  the CPU's arithmetic rate (%.3g GFLOP/s here): try a "
               "larger --size.\n", t1, o->size, o->size, mm_rate / 1e9);
    char flop_count[32], input_count[32];
    format_count(mm_cpu->flops, flop_count, sizeof flop_count);
    format_count(n * n, input_count, sizeof input_count);
    printf("- The %" PRId64 "x%" PRId64 " matmul (A times itself) is %s floating-point "
           "operations on %s\n  input numbers, %.0f operations per number. The CPU took %s: "
           "%.1f GFLOP/s.\n",
           o->size, o->size, flop_count, input_count, mm_cpu->flops / (n * n), t2,
           mm_rate / 1e9);
    if (!sq_gpu->measured || !mm_gpu->measured) {
        const char *why = !sq_gpu->measured && sq_gpu->reason[0]   ? sq_gpu->reason
                          : !mm_gpu->measured && mm_gpu->reason[0] ? mm_gpu->reason
                          : gpu_reason[0]                          ? gpu_reason
                                                      : "not requested (--device cpu)";
        if (!sq_gpu->measured && !mm_gpu->measured && recorded_shown)
            printf("- No GPU was measured here, so the GPU cells (*) are another machine's "
                   "recorded\n  figures. Why none here:\n  %s\n", why);
        else if (!sq_gpu->measured && !mm_gpu->measured)
            printf("- No GPU was measured, so only the CPU cells are filled in. Why:\n  %s\n", why);
        else
            printf("- A GPU cell could not be measured:\n  %s\n", why);
        return;
    }
    wg_format_seconds(sq_gpu->time.median_s, t3, sizeof t3);
    wg_format_seconds(mm_gpu->time.median_s, t4, sizeof t4);
    double sq_ratio = sq_gpu->time.median_s / sq_cpu->time.median_s;
    double mm_ratio = mm_cpu->time.median_s / mm_gpu->time.median_s;
    if (sq_ratio >= 1)
        printf("- On the GPU the same square took %s, %.3gx slower than on the CPU: each GPU\n"
               "  operation is a kernel launched from the host and scheduled on the device, a\n"
               "  fixed cost that one multiply cannot hide.\n", t3, sq_ratio);
    else
        printf("- On the GPU the same square took %s, %.3gx faster than on the CPU: here the\n"
               "  CPU call costs more than a GPU launch.\n", t3, 1.0 / sq_ratio);
    if (mm_ratio >= 1)
        printf("- The matmul took %s on the GPU, %.3gx faster than the CPU (%.1f TFLOP/s): with\n"
               "  %.0f operations per number there is enough independent work to keep all of\n"
               "  the GPU's cores busy, and that is what a neural network's layers are made of.\n",
               t4, mm_ratio, mm_gpu->flops / mm_gpu->time.median_s / 1e12,
               mm_cpu->flops / (n * n));
    else if (opencl_cpu_driver(o->gpu))
        printf("- The matmul took %s on the \"GPU\", %.3gx slower than the CPU: that device is\n"
               "  an OpenCL driver running on these same CPU cores (a CPU pretending to be a\n"
               "  GPU), so it cannot beat the native CPU GEMM; on a real GPU it would.\n", t4,
               1.0 / mm_ratio);
    else if (!o->gpu_kernel || o->gpu_kernel->vendor)
        printf("- The matmul took %s on the GPU, %.3gx slower than the CPU: at this size there\n"
               "  is too little work to fill the GPU; try a larger --size.\n", t4, 1.0 / mm_ratio);
    else
        printf("- The matmul took %s on the GPU with the %s kernel, %.3gx slower than the CPU:\n"
               "  compare with --kernel cublas to see how much of that is the kernel.\n", t4,
               o->gpu_kernel->name, 1.0 / mm_ratio);
}

/* What the matmul cells' precision bought and cost, when one of them was not FP32: each
 * cell's precision, its rate and its relative error against float64 beside its time. */
static void print_precision_reading(const demo_cell cells[DEMO_CELLS])
{
    const demo_cell *mm[2] = {&cells[1], &cells[3]};
    int reduced = 0;
    for (int i = 0; i < 2; i++)
        reduced |= mm[i]->measured && mm[i]->precision != WG_PRECISION_FP32;
    if (!reduced) return;
    printf("- Precision of the matmul cells (the square is fp32 everywhere):\n");
    for (int i = 0; i < 2; i++) {
        if (!mm[i]->measured) continue;
        char t[32];
        wg_format_seconds(mm[i]->time.median_s, t, sizeof t);
        const wg_precision p = mm[i]->precision;
        printf("  %s: %s%s,\n    %s (%.1f GFLOP/s), relative error %.2g against float64 "
               "(bound %.2g)\n", i ? "GPU" : "CPU", wg_precision_name(p),
               p == WG_PRECISION_BF16   ? " (inputs rounded to 8 significant bits, fp32 sums)"
               : p == WG_PRECISION_TF32 ? " (inputs rounded to 11 significant bits, fp32 sums)"
                                        : "",
               t, mm[i]->gflops, mm[i]->check_error, mm[i]->check_tolerance);
    }
    printf("  fp32 products stay near 1e-7 of float64; bf16 and tf32 trade that accuracy for\n"
           "  the matrix units' rate, which is what networks train in.\n");
}

/* Your CPU against the recorded GPU, in words: the ratio printed as such. */
static void print_recorded_reading(const demo_options *o, const demo_result *r)
{
    const demo_recorded *rec = &r->recorded;
    const recorded_cell *sq = &rec->cells[0], *mm = &rec->cells[1];
    char t1[32], t2[32], times[32];
    printf("- Your CPU against the %s recorded on %s (not this machine):\n", rec->ref.label,
           rec->ref.date);
    if (sq->found && isfinite(rec->cpu_over_gpu[0])) {
        wg_format_seconds(sq->median_s, t1, sizeof t1);
        wg_format_seconds(r->cells[0].time.median_s, t2, sizeof t2);
        double x = rec->cpu_over_gpu[0];
        format_times(x >= 1 ? x : 1.0 / x, times, sizeof times);
        printf("  the square took %s on that GPU and %s on your CPU: %s %s faster.\n", t1, t2,
               x >= 1 ? "that GPU" : "your CPU", times);
    }
    if (mm->found && isfinite(rec->cpu_over_gpu[1])) {
        double x = rec->cpu_over_gpu[1];
        format_times(x >= 1 ? x : 1.0 / x, times, sizeof times);
        printf("  the matmul ran at %.1f GFLOP/s on that GPU (n = %.0f) and %.1f GFLOP/s on your"
               "\n  CPU (n = %" PRId64 "): %s %s faster%s.\n", mm->gflops, mm->size,
               r->cells[1].gflops, o->size, x >= 1 ? "that GPU" : "your CPU", times,
               rec->by_rate[1] ? " by rate" : "");
    }
}

/* (gpu-energy) The matmul's energy per call on each device (average power over the cell x
 * the median time) and GFLOP per joule, or why the energy is unavailable. */
static void print_energy(const demo_cell cells[DEMO_CELLS])
{
    for (int i = 1; i < DEMO_CELLS; i += 2) { /* cells 2 and 4: the matmuls */
        const demo_cell *c = &cells[i];
        if (!c->measured) continue;
        char device[32], text[1024];
        wg_energy_format(&c->energy, 1.0, 0.0, text, sizeof text);
        printf("Energy of one matmul on %s: %s", wg_device_format(c->device, device, sizeof device),
               text);
        if (c->energy.available && c->energy.joules > 0.0)
            printf("; %.3g GFLOP per joule", c->flops / c->energy.joules / 1e9);
        printf(".\n");
    }
}

void demo_print_text(const demo_options *o, const demo_result *r)
{
    const demo_cell *cells = r->cells;
    const demo_recorded *rec = &r->recorded;
    const wg_machine_facts *m = &r->machine;
    const wg_cpu_info *cpu = &m->cpu;
    const char *gpu_name = m->gpu_available ? m->gpu.name : "", *gpu_reason = m->gpu_reason;
    char device[32], label[64];
    wg_device_format(o->gpu, device, sizeof device);
    printf("whygpu demo: the classic \"why GPUs\" demo, measured on this machine\n");
    printf("CPU: %s, %d threads, matmul kernel %s (%s)\n",
           cpu->model[0] ? cpu->model : "unknown", cpu->omp_threads, m->cpu_kernel,
           wg_precision_name(kernel_option_precision(o->cpu_kernel)));
    if (gpu_name[0])
        printf("GPU: %s (%s), matmul kernel %s (%s)\n", gpu_name, device,
               kernel_option_name(o->gpu_kernel),
               wg_precision_name(kernel_option_precision(o->gpu_kernel)));
    else
        printf("GPU: none measured: %s\n",
               gpu_reason[0] ? gpu_reason : "not requested (--device cpu)");
    printf("\n%-22s  %10s %7s %9s  %10s %7s %9s  %9s  %s\n", "op", "CPU time", "spread",
           "GFLOP/s", "GPU time", "spread", "GFLOP/s", "CPU/GPU", "winner");
    for (int row = 0; row < 2; row++) {
        const demo_cell *c = &cells[row], *g = &cells[row + 2];
        if (row == 0)
            snprintf(label, sizeof label, "square 1x1 (x*x)");
        else
            snprintf(label, sizeof label, "matmul %" PRId64 "x%" PRId64, o->size, o->size);
        printf("%-22s", label);
        print_cell_columns(c);
        if (!g->measured && rec->ref.loaded && rec->cells[row].found) {
            print_recorded_columns(&rec->cells[row]);
            print_recorded_ratio(rec->cpu_over_gpu[row]);
        } else {
            print_cell_columns(g);
            print_ratio(&r->rows[row]);
        }
    }
    /* With a GPU measured here, the reference's cells get lines of their own. */
    int filled = rec->ref.loaded && !cells[2].measured && !cells[3].measured;
    if (rec->ref.loaded && !filled) {
        for (int row = 0; row < 2; row++) {
            if (!rec->cells[row].found) continue;
            if (row == 0) snprintf(label, sizeof label, "  recorded square");
            else snprintf(label, sizeof label, "  recorded matmul n=%.0f", rec->cells[row].size);
            printf("%-22s  %10s %7s %9s", label, "", "", "");
            print_recorded_columns(&rec->cells[row]);
            print_recorded_ratio(rec->cpu_over_gpu[row]);
        }
    }
    if (rec->ref.loaded) {
        printf("\n");
        print_recorded_note(o, rec);
    }
    int busy = 0;
    printf("\ntime/op is the median over repeats (");
    for (int i = 0; i < DEMO_CELLS; i++) {
        if (!cells[i].measured) continue;
        busy |= cells[i].time.spread_warning;
        printf("%scell %d: %d repeats of %" PRId64 " call%s", i ? ", " : "", cells[i].number,
               cells[i].time.repeats, cells[i].time.loops, cells[i].time.loops > 1 ? "s" : "");
    }
    printf(");\nspread = (slowest - fastest) / median%s.\n",
           busy ? "; '!' marks a spread over 50%: the machine was busy, rerun for firm numbers"
                : "");
    printf("Results checked against float64 (precision, largest relative error): ");
    for (int i = 0; i < DEMO_CELLS; i++) {
        if (!cells[i].measured) continue;
        printf("%scell %d %s %.2g (%s)", i ? ", " : "", cells[i].number,
               wg_precision_name(cells[i].precision), cells[i].check_error,
               cells[i].check_passed ? "ok" : "FAILED");
    }
    printf(".\n");
    print_energy(cells);
    print_reading(o, cells, gpu_reason, rec->ref.loaded);
    print_precision_reading(cells);
    if (rec->ref.loaded) print_recorded_reading(o, r);
    else if (rec->note[0]) printf("- %s\n", rec->note);
}

/* "recorded": the reference's GPU cells and this CPU's ratio to them, apart from the cells
 * measured here; null when no reference is shown. */
static void print_recorded_json(wg_json *j, const demo_options *o, const demo_result *r)
{
    const demo_recorded *rec = &r->recorded;
    wg_json_key(j, "recorded");
    if (!rec->ref.loaded) {
        wg_json_null(j);
        return;
    }
    recorded_json_begin(j, &rec->ref);
    wg_json_key(j, "cells");
    wg_json_begin_array(j);
    for (int row = 0; row < 2; row++) {
        const recorded_cell *c = &rec->cells[row];
        if (!c->found) continue;
        wg_json_begin_object(j);
        wg_json_key(j, "op"); wg_json_string(j, row ? "matmul" : "square");
        wg_json_key(j, "size"); wg_json_number(j, c->size);
        wg_json_key(j, "median_s"); wg_json_number(j, c->median_s);
        wg_json_key(j, "gflops"); wg_json_number(j, c->gflops);
        wg_json_key(j, "from"); wg_json_string(j, c->from);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_key(j, "comparisons");
    wg_json_begin_array(j);
    for (int row = 0; row < 2; row++) {
        if (!rec->cells[row].found) continue;
        wg_json_begin_object(j);
        wg_json_key(j, "op"); wg_json_string(j, row ? "matmul" : "square");
        wg_json_key(j, "cpu_size"); wg_json_int(j, row ? o->size : 1);
        wg_json_key(j, "recorded_size"); wg_json_number(j, rec->cells[row].size);
        wg_json_key(j, "basis"); wg_json_string(j, rec->by_rate[row] ? "gflops" : "time");
        wg_json_key(j, "cpu_over_recorded_gpu"); wg_json_number(j, rec->cpu_over_gpu[row]);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_end_object(j);
}

int demo_print_json(const demo_options *o, const demo_result *r, const char *command)
{
    const demo_cell *cells = r->cells;
    wg_json j;
    wg_json_document_begin(&j, stdout, "whygpu.demo/1", command, &r->machine);
    wg_json_key(&j, "size"); wg_json_int(&j, o->size);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);

    wg_json_key(&j, "cells");
    wg_json_begin_array(&j);
    for (int i = 0; i < DEMO_CELLS; i++) {
        const demo_cell *c = &cells[i];
        char cell_device[32];
        wg_device_format(c->device, cell_device, sizeof cell_device);
        wg_json_begin_object(&j);
        wg_json_key(&j, "cell"); wg_json_int(&j, c->number);
        wg_json_key(&j, "op"); wg_json_string(&j, c->op);
        wg_json_key(&j, "shape");
        wg_json_begin_array(&j);
        wg_json_int(&j, c->rows);
        wg_json_int(&j, c->cols);
        wg_json_end_array(&j);
        wg_json_key(&j, "device"); wg_json_string(&j, cell_device);
        wg_json_key(&j, "flops"); wg_json_number(&j, c->flops);
        wg_json_key(&j, "measured"); wg_json_bool(&j, c->measured);
        wg_json_key(&j, "reason"); wg_json_string(&j, c->measured ? NULL : c->reason);
        wg_json_key(&j, "time");
        if (c->measured) wg_json_timeit(&j, &c->time); else wg_json_null(&j);
        wg_json_key(&j, "gflops"); wg_json_number(&j, c->gflops);
        wg_json_key(&j, "precision");
        wg_json_string(&j, c->measured ? wg_precision_name(c->precision) : NULL);
        wg_json_key(&j, "rel_error"); wg_json_number(&j, c->checked ? c->check_error : NAN);
        wg_json_key(&j, "check");
        if (c->checked) {
            wg_json_begin_object(&j);
            wg_json_key(&j, "samples"); wg_json_int(&j, c->check_samples);
            wg_json_key(&j, "max_rel_error"); wg_json_number(&j, c->check_error);
            wg_json_key(&j, "tolerance"); wg_json_number(&j, c->check_tolerance);
            wg_json_key(&j, "passed"); wg_json_bool(&j, c->check_passed);
            wg_json_end_object(&j);
        } else {
            wg_json_null(&j);
        }
        wg_json_key(&j, "energy"); /* (gpu-energy) one call's */
        wg_json_energy(&j, c->measured ? &c->energy : NULL, 1.0, 0.0);
        wg_json_key(&j, "gflop_per_joule");
        wg_json_number(&j, c->measured && c->energy.available && c->energy.joules > 0.0
                               ? c->flops / c->energy.joules / 1e9 : NAN);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);

    wg_json_key(&j, "comparisons");
    wg_json_begin_array(&j);
    for (int row = 0; row < 2; row++) {
        const demo_comparison *c = &r->rows[row];
        wg_json_begin_object(&j);
        wg_json_key(&j, "op"); wg_json_string(&j, c->op);
        wg_json_key(&j, "cpu_median_s"); wg_json_number(&j, c->cpu_median_s);
        wg_json_key(&j, "gpu_median_s"); wg_json_number(&j, c->gpu_median_s);
        wg_json_key(&j, "cpu_over_gpu"); wg_json_number(&j, c->cpu_over_gpu);
        wg_json_key(&j, "winner"); wg_json_string(&j, c->winner);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    print_recorded_json(&j, o, r);
    wg_json_end_object(&j);
    if (wg_json_finish(&j) != 0) {
        fprintf(stderr, "whygpu demo: writing the JSON failed\n");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

