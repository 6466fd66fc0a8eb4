/*
 * cmd_ladder.c - `whygpu ladder`: every rung of the GPU matmul ladder and the cuBLAS figure
 * of each precision, at one size (or a few), in one run: options, one wg_ladder_measure
 * per size (whygpu_lab.h: probe, NaN-poisoned checked run, timing), and the result as a
 * text table or JSON. `--list` lists the ladder's kernels.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whygpu_lab.h"
#include "cli.h"
#include "kernel_option.h"
#include "progress.h"

#define MAX_SIZES 4

typedef struct ladder_options {
    int64_t sizes[MAX_SIZES];
    int size_count;
    wg_device device;
    const char *json_path; /* NULL: text only; "-": JSON on stdout only */
    uint64_t seed;
    int repeat;
    double max_call_s;
    int progress;
    const wg_kernel *only; /* --kernel: this entry (and its cuBLAS reference), or NULL */
    const char *only_name; /* --kernel as given, found once the device is known */
    int opencl_cpu;        /* the device is an OpenCL CPU driver (PoCL) */
    int list;              /* --list */
    wg_precision precision; /* --dtype */
    int dtype_given;
} ladder_options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu ladder [--size N]... [--device cuda:N|opencl:N] [--kernel NAME]\n"
            "                     [--dtype D] [--json FILE|-]\n"
            "                     [--seed S] [--repeat R] [--max-call-seconds S] [--no-progress]\n"
            "       whygpu ladder --list\n"
            "\n"
            "The GPU matmul ladder: eleven CUDA kernels from a naive one to Hopper's wgmma\n"
            "in 2-CTA clusters (docs/ladder.md), each timed on an NxN product next to the\n"
            "cuBLAS figure of its precision (FP32 pedantic for rungs 1-6, TF32 for 7 and 10,\n"
            "BF16 for 8, 9 and 11; rungs 9-11 need an sm_90a GPU, an H100/H200): time,\n"
            "TFLOP/s, %% of cuBLAS, and the relative error vs float64 (C is poisoned with NaN\n"
            "first and checked fully written). On an OpenCL device (any vendor's GPU, or PoCL\n"
            "on the CPU) the OpenCL ladder's five kernels run instead, next to CLBlast.\n"
            "\n"
            "options:\n"
            "  --size N            matrix size (default 4096); give it up to %d times\n"
            "  --device DEV        cuda, cuda:N, opencl or opencl:N (default cuda:0)\n"
            "  --kernel NAME       only this kernel of the device (a rung's number or name, or\n"
            "                      the vendor entry) and the vendor reference of its precision\n"
            "  --dtype D           only the entries of one precision: fp32, tf32 or bf16 (CUDA;\n"
            "                      the OpenCL ladder is fp32 only); with --kernel they must match\n"
            "  --list              list the ladder's kernels: name, precision, what each changes\n"
            "  --json FILE|-       also write JSON (schema whygpu.ladder/1, docs/json.md) to\n"
            "                      FILE; '-' writes only the JSON, on stdout\n"
            "  --seed S            seed of the random matrices (default 42)\n"
            "  --repeat R          timed repeats per entry (default: 7, fewer for long calls)\n"
            "  --max-call-seconds S  skip an entry whose single call would take longer, as\n"
            "                      estimated from a %dx%d probe (default 10)\n"
            "  --no-progress       no progress on stderr\n"
            "  -h, --help          this help\n"
            "\n"
            "exit status: 0 all measured entries passed their checks, 1 a failure or a\n"
            "failed check (or no GPU), 2 bad usage\n",
            MAX_SIZES, WG_LADDER_PROBE_SIZE, WG_LADDER_PROBE_SIZE);
}

static int parse_options(int argc, char **argv, ladder_options *o)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, 's'},   {"device", required_argument, NULL, 'd'},
        {"json", required_argument, NULL, 'j'},   {"seed", required_argument, NULL, 'S'},
        {"repeat", required_argument, NULL, 'r'}, {"max-call-seconds", required_argument, NULL, 'x'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {"kernel", required_argument, NULL, 'k'}, {"list", no_argument, NULL, 'l'},
        {"dtype", required_argument, NULL, 'D'},  {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->device = (wg_device){WG_DEVICE_CUDA, 0};
    o->seed = 42;
    o->max_call_s = 10.0;
    o->progress = 1;
    optind = 1;
    opterr = 0;
    int c;
    int64_t value = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if (o->size_count == MAX_SIZES)
                return cli_usage_error("ladder", "--size given more than %d times", MAX_SIZES);
            if (cli_parse_int("ladder", "--size", optarg, 1, 1 << 20, &value)) return CLI_EXIT_USAGE;
            o->sizes[o->size_count++] = value;
            break;
        case 'd':
            if (wg_device_parse(optarg, &o->device) != WG_OK)
                return cli_usage_error("ladder", "--device: %s", wg_error_message());
            if (o->device.kind != WG_DEVICE_CUDA && o->device.kind != WG_DEVICE_OPENCL)
                return cli_usage_error("ladder", "--device %s: the ladder's kernels run on a "
                                       "GPU (cuda, cuda:N, opencl or opencl:N)", optarg);
            break;
        case 'j': o->json_path = optarg; break;
        case 'S':
            if (cli_parse_int("ladder", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->seed = (uint64_t)value;
            break;
        case 'r':
            if (cli_parse_int("ladder", "--repeat", optarg, 1, WG_TIMEIT_MAX_REPEAT, &value))
                return CLI_EXIT_USAGE;
            o->repeat = (int)value;
            break;
        case 'x': {
            char *end = NULL;
            double s = strtod(optarg, &end);
            if (!*optarg || *end || !(s > 0) || !isfinite(s))
                return cli_usage_error("ladder", "--max-call-seconds expects a positive number "
                                       "of seconds, got '%s'", optarg);
            o->max_call_s = s;
            break;
        }
        case 'k': o->only_name = optarg; break;
        case 'l': o->list = 1; break;
        case 'D':
            if (dtype_option_parse("ladder", optarg, &o->precision)) return CLI_EXIT_USAGE;
            o->dtype_given = 1;
            break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("ladder", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("ladder", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("ladder", "unexpected argument '%s'", argv[optind]);
    if (o->json_path && !o->json_path[0]) return cli_usage_error("ladder", "--json needs a file or '-'");
    /* A path that cannot be written is said now, not after the measuring. */
    int bad_output = cli_output_check("ladder", "--json", o->json_path, 1);
    if (bad_output) return bad_output;
    if (o->size_count == 0) o->sizes[o->size_count++] = 4096;
    if (o->only_name) { /* a rung's number or name, or a registry name, of the device's kind */
        const char *name = o->only_name;
        int rung = 0;
        if (o->device.kind == WG_DEVICE_CUDA && wg_ladder_parse(name, &rung) == WG_OK)
            name = wg_ladder_rung_find(rung)->name;
        for (int i = 0; o->device.kind != WG_DEVICE_CUDA && i < wg_kernel_count(o->device.kind); i++)
            if (strtol(name, NULL, 10) == wg_kernel_at(o->device.kind, i)->rung &&
                wg_kernel_at(o->device.kind, i)->rung > 0)
                name = wg_kernel_at(o->device.kind, i)->name;
        if (wg_kernel_find(o->device.kind, name, &o->only) != WG_OK)
            return cli_usage_error("ladder", "--kernel: %s", wg_error_message());
    }
    if (o->dtype_given && o->device.kind == WG_DEVICE_OPENCL &&
        o->precision != WG_PRECISION_FP32)
        return cli_usage_error("ladder", "--dtype %s: the OpenCL ladder computes in fp32 only; "
                               "use --dtype fp32", wg_precision_name(o->precision));
    if (o->dtype_given && o->only && o->only->precision != o->precision)
        return cli_usage_error("ladder", "--kernel %s computes in %s, not --dtype %s",
                               o->only->name, wg_precision_name(o->only->precision),
                               wg_precision_name(o->precision));
    return 0;
}

/* ---------------------------------------------------------------- running --------- */

/* Progress, entry by entry: a labelled line (or bar) per timed entry. */
typedef struct ladder_progress {
    int enabled;
    progress p;
} ladder_progress;

static void on_phase(void *context, const char *phase, int index, int total, double estimate_s)
{
    progress_on_phase(&((ladder_progress *)context)->p, phase, index, total, estimate_s);
}

static void on_entry(void *context, const wg_ladder_result *run, const wg_ladder_entry *entry,
                     int started)
{
    ladder_progress *lp = context;
    if (!started) {
        progress_end(&lp->p);
        return;
    }
    char label[96];
    snprintf(label, sizeof label, "ladder n=%" PRId64 ": %s", run->n, entry->name);
    progress_begin(&lp->p, label, lp->enabled);
}

/* ---------------------------------------------------------------- output ---------- */

static void print_run(const ladder_options *o, const wg_ladder_result *run, const char *gpu_name)
{
    char device[32];
    wg_device_format(o->device, device, sizeof device);
    /* OpenCL: GFLOP/s (PoCL runs at CPU rates) and CLBlast as the vendor column */
    const int opencl = o->device.kind == WG_DEVICE_OPENCL;
    const double unit = opencl ? 1e3 : 1.0;
    printf("whygpu ladder: C = A.B, n=%" PRId64 " (FP32 A, B, C), on %s (%s)\n\n", run->n,
           device, gpu_name);
    printf("%-4s %-22s %-5s %10s %7s %9s %9s %10s  %s\n", "rung", "kernel", "prec", "time",
           "spread", opencl ? "GFLOP/s" : "TFLOP/s", opencl ? "% CLBlast" : "% cuBLAS",
           "rel.error", "check");
    for (int e = 0; e < run->count; e++) {
        const wg_ladder_entry *entry = &run->entries[e];
        char rung[8] = "", time[32] = "-", spread[32] = "-", tflops[32] = "-", pct[32] = "-",
             error[32] = "-";
        if (!entry->use_cublas) snprintf(rung, sizeof rung, "%d", entry->rung);
        if (entry->measured) {
            wg_format_seconds(entry->time.median_s, time, sizeof time);
            snprintf(spread, sizeof spread, "%.1f%%%s", 100.0 * entry->time.spread,
                     entry->time.spread_warning ? "!" : "");
            snprintf(tflops, sizeof tflops, entry->tflops * unit >= 10 ? "%.1f" : "%.3g",
                     entry->tflops * unit);
            if (isfinite(entry->percent_of_cublas))
                snprintf(pct, sizeof pct, "%.1f%%", entry->percent_of_cublas);
            snprintf(error, sizeof error, "%.2e", entry->check.relative_error);
        }
        const char *verdict = !entry->measured ? "skipped"
                              : entry->check_passed ? "ok"
                              : entry->check.not_finite ? "FAILED: not fully written"
                                                        : "FAILED: error over bound";
        printf("%-4s %-22s %-5s %10s %7s %9s %9s %10s  %s\n", rung, entry->name,
               wg_precision_name(entry->precision), time, spread, tflops, pct, error,
               verdict);
    }
    for (int e = 0; e < run->count; e++) {
        const wg_ladder_entry *entry = &run->entries[e];
        if (!entry->measured && entry->skipped[0]) printf("\n%s skipped: %s", entry->name, entry->skipped);
        else if (entry->measured && entry->check.not_finite)
            printf("\n%s left %" PRId64 " elements of C unwritten (NaN) or not finite", entry->name,
                   entry->check.not_finite);
    }
    if (opencl) {
        printf("\n\ntime is the median per call (wg_timeit); %% CLBlast compares with CLBlast's SGEMM\n"
               "(its default parameters) in this run. rel.error is ||C - R|| / ||R|| against\n"
               "float64 over %s (bound 1e-5); C was poisoned with NaN before the checked run.\n",
               run->full_check ? "every element" : "1024 sampled elements");
        if (o->opencl_cpu)
            printf("%s is an OpenCL driver running on this machine's CPU: a CPU pretending to\n"
                   "be a GPU. These are CPU rates, to compare with the native CPU GEMM below, not\n"
                   "with a GPU.\n", device);
        printf("\n");
        return;
    }
    printf("\n\ntime is the median per call (wg_timeit); %% cuBLAS compares with the cuBLAS row of\n"
           "the same precision in this run (FP32: cublasSgemm, CUBLAS_PEDANTIC_MATH; TF32:\n"
           "COMPUTE_32F_FAST_TF32; BF16: BF16 copies of A and B made before timing, COMPUTE_32F).\n"
           "rel.error is ||C - R|| / ||R|| against float64 over %s (bounds: fp32 1e-5,\n"
           "tf32 2e-3, bf16 1e-2); C was poisoned with NaN before the checked run.\n\n",
           run->full_check ? "every element" : "1024 sampled elements");
}

/* The rows of one size: rungs and cuBLAS references, in the table's order. */
static void json_rows(wg_json *j, const wg_ladder_result *run)
{
    wg_json_begin_array(j);
    for (int e = 0; e < run->count; e++) {
        const wg_ladder_entry *entry = &run->entries[e];
        const wg_ladder_rung *rung = wg_ladder_rung_find(entry->rung);
        wg_json_begin_object(j);
        wg_json_key(j, "kind"); wg_json_string(j, entry->use_cublas ? "cublas" : "rung");
        wg_json_key(j, "rung");
        if (entry->use_cublas) wg_json_null(j); else wg_json_int(j, entry->rung);
        wg_json_key(j, "name"); wg_json_string(j, entry->name);
        wg_json_key(j, "precision"); wg_json_string(j, wg_precision_name(entry->precision));
        wg_json_key(j, "measured"); wg_json_bool(j, entry->measured);
        wg_json_key(j, "skipped"); wg_json_string(j, entry->skipped[0] ? entry->skipped : NULL);
        wg_json_key(j, "estimated_call_s"); wg_json_number(j, entry->estimate_s);
        wg_json_key(j, "time");
        if (entry->measured) wg_json_timeit(j, &entry->time); else wg_json_null(j);
        wg_json_key(j, "tflops"); wg_json_number(j, entry->tflops);
        wg_json_key(j, "gflops"); wg_json_number(j, entry->tflops * 1e3);
        wg_json_key(j, "percent_of_cublas"); wg_json_number(j, entry->percent_of_cublas);
        wg_json_key(j, "relative_error");
        wg_json_number(j, entry->measured ? entry->check.relative_error : NAN);
        wg_json_key(j, "error_bound"); wg_json_number(j, entry->bound);
        wg_json_key(j, "not_finite_elements");
        if (entry->measured) wg_json_int(j, entry->check.not_finite); else wg_json_null(j);
        wg_json_key(j, "check_passed");
        if (entry->measured) wg_json_bool(j, entry->check_passed); else wg_json_null(j);
        wg_json_key(j, "predicted_tflops");
        if (entry->use_cublas || (run->n != 4096 && run->n != 8192))
            wg_json_null(j);
        else
            wg_json_number(j, run->n == 4096 ? rung->predicted_tflops_4096
                                             : rung->predicted_tflops_8192);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
}

/* On an OpenCL CPU driver (PoCL), the same product with the library's native CPU GEMM on
 * the same cores, timed and checked the same way, beside the OpenCL rungs: what the CPU
 * does without pretending to be a GPU. */
static void native_cpu_line(const ladder_options *o, const wg_ladder_result *run)
{
    const wg_op op = {.kind = WG_OP_MATMUL, .m = run->n, .n = run->n, .k = run->n,
                      .seed = o->seed};
    wg_op_inputs inputs;
    wg_op_result r;
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = o->repeat;
    t.repeat_budget_s = 3.0;
    const wg_op_run how = {.device = wg_cpu(), .timing = &t};
    wg_status status = wg_op_inputs_create(&op, &inputs);
    if (status == WG_OK) {
        status = wg_op_measure(&inputs, &how, &r);
        wg_op_inputs_free(&inputs);
    }
    if (status != WG_OK) {
        printf("the native CPU GEMM could not be measured: %s\n\n", wg_error_message());
        return;
    }
    const double gflops = wg_op_flops(&op) / r.time.median_s / 1e9;
    double best = 0.0;
    const char *best_name = "-";
    for (int e = 0; e < run->count; e++)
        if (run->entries[e].measured && run->entries[e].tflops * 1e3 > best) {
            best = run->entries[e].tflops * 1e3;
            best_name = run->entries[e].name;
        }
    char time[32];
    printf("native CPU GEMM (%s, %d threads) on the same CPU, n=%" PRId64 ": %s a call, "
           "%.1f GFLOP/s, check %s;\nthe fastest OpenCL entry (%s) reaches %.0f%% of it.\n\n",
           r.kernel ? r.kernel->name : "auto", wg_cpu_threads(), run->n,
           wg_format_seconds(r.time.median_s, time, sizeof time), gflops,
           r.check_passed ? "ok" : "FAILED", best_name, 100.0 * best / gflops);
}

/* `gpu` describes a CUDA device; for an OpenCL one the same keys carry its name, its
 * OpenCL version (as compute_capability), compute units (as sm_count) and 0. */
static int write_json(FILE *out, const ladder_options *o, const wg_ladder_result *runs, int count,
                      const wg_gpu_info *gpu, const wg_opencl_info *opencl,
                      const char *command)
{
    wg_json j;
    char device[32], cc[16];
    wg_device_format(o->device, device, sizeof device);
    snprintf(cc, sizeof cc, "%d.%d", gpu->cc_major, gpu->cc_minor);
    /* the shared opening (commit, command, date, machine block); "gpu" below as before */
    wg_machine_facts machine;
    const int have_machine = wg_machine_facts_get(1, o->device, &machine) == WG_OK;
    wg_json_document_begin(&j, out, "whygpu.ladder/1", command, have_machine ? &machine : NULL);
    wg_json_key(&j, "device"); wg_json_string(&j, device);
    wg_json_key(&j, "gpu");
    wg_json_begin_object(&j);
    wg_json_key(&j, "name"); wg_json_string(&j, opencl ? opencl->name : gpu->name);
    wg_json_key(&j, "compute_capability");
    wg_json_string(&j, opencl ? opencl->device_version : cc);
    wg_json_key(&j, "sm_count"); wg_json_int(&j, opencl ? opencl->compute_units : gpu->sm_count);
    wg_json_key(&j, "driver_version"); wg_json_int(&j, opencl ? 0 : gpu->driver_version);
    wg_json_end_object(&j);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);
    wg_json_key(&j, "max_call_seconds"); wg_json_number(&j, o->max_call_s);
    /* the first size again at the top, for readers of one size (whygpu plot) */
    wg_json_key(&j, "size"); wg_json_int(&j, runs[0].n);
    wg_json_key(&j, "rungs"); json_rows(&j, &runs[0]);
    wg_json_key(&j, "runs");
    wg_json_begin_array(&j);
    for (int r = 0; r < count; r++) {
        const wg_ladder_result *run = &runs[r];
        wg_json_begin_object(&j);
        wg_json_key(&j, "n"); wg_json_int(&j, run->n);
        wg_json_key(&j, "flops");
        wg_json_number(&j, 2.0 * (double)run->n * (double)run->n * (double)run->n);
        wg_json_key(&j, "check");
        wg_json_begin_object(&j);
        wg_json_key(&j, "method"); wg_json_string(&j, run->full_check ? "full" : "sampled");
        wg_json_key(&j, "elements"); wg_json_int(&j, run->check_elements);
        wg_json_end_object(&j);
        wg_json_key(&j, "rungs"); json_rows(&j, run);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_end_object(&j);
    return wg_json_finish(&j);
}

int cmd_ladder(int argc, char **argv)
{
    ladder_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    if (o.list) return kernels_list(&o.device, 1, 0, NULL);
    wg_status status = wg_device_check(o.device);
    if (status != WG_OK) return cli_failure("ladder", status);
    wg_gpu_info gpu;
    wg_opencl_info opencl;
    char gpu_name[512];
    memset(&gpu, 0, sizeof gpu);
    if (o.device.kind == WG_DEVICE_OPENCL) {
        status = wg_opencl_info_get(o.device.index, &opencl);
        if (status != WG_OK) return cli_failure("ladder", status);
        o.opencl_cpu = opencl.is_cpu;
        wg_opencl_describe(o.device.index, gpu_name, sizeof gpu_name);
    } else {
        status = wg_gpu_info_get(o.device.index, &gpu);
        if (status != WG_OK) return cli_failure("ladder", status);
        snprintf(gpu_name, sizeof gpu_name, "%s", gpu.name);
    }
    const int json_only = o.json_path && strcmp(o.json_path, "-") == 0;
    wg_ladder_result *runs = calloc((size_t)o.size_count, sizeof *runs);
    if (!runs) {
        fprintf(stderr, "whygpu ladder: out of host memory\n");
        return CLI_EXIT_FAILURE;
    }
    int failed_checks = 0, done = 0;
    rc = CLI_EXIT_OK;
    ladder_progress lp = {.enabled = o.progress};
    for (int s = 0; s < o.size_count; s++) {
        const wg_ladder_options lo = {.device = o.device, .n = o.sizes[s], .seed = o.seed,
                                      .repeat = o.repeat, .max_call_s = o.max_call_s,
                                      .only = o.only, .precision_only = o.dtype_given,
                                      .precision = o.precision, .progress = on_phase,
                                      .progress_context = &lp, .on_entry = on_entry};
        status = wg_ladder_measure(&lo, &runs[s]);
        if (status != WG_OK) {
            rc = cli_failure("ladder", status);
            break;
        }
        done++;
        if (!json_only) {
            print_run(&o, &runs[s], gpu_name);
            if (o.opencl_cpu) native_cpu_line(&o, &runs[s]);
            fflush(stdout);
        }
        for (int e = 0; e < runs[s].count; e++)
            failed_checks += runs[s].entries[e].measured && !runs[s].entries[e].check_passed;
    }
    if (o.json_path && done > 0) {
        cli_output out;
        if (cli_output_open("ladder", o.json_path, &out) != 0) {
            rc = CLI_EXIT_FAILURE;
        } else {
            char command[1024];
            cli_command_line(argc, argv, "ladder", command, sizeof command);
            int bad = write_json(out.stream, &o, runs, done, &gpu,
                                 o.device.kind == WG_DEVICE_OPENCL ? &opencl : NULL,
                                 command) != 0;
            if (cli_output_close("ladder", &out, bad) != 0) rc = CLI_EXIT_FAILURE;
        }
    }
    free(runs);
    if (rc == CLI_EXIT_OK && failed_checks) {
        fprintf(stderr, "whygpu ladder: %d entr%s failed the result check (see the table)\n",
                failed_checks, failed_checks == 1 ? "y" : "ies");
        rc = CLI_EXIT_FAILURE;
    }
    return rc;
}
