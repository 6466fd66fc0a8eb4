/*
 * cmd_ladder.c - `whygpu ladder`: every rung of the GPU matmul ladder (src/ladder.h) and
 * the cuBLAS figure of each precision, at one size (or a few), in one run.
 *
 * For each size: A and B are fresh uniform random n x n matrices. Each entry (rungs 1-8,
 * cuBLAS FP32 pedantic / TF32 / BF16) is first probed at a small size to estimate one
 * call at the full size; an entry whose call would take longer than --max-call-seconds is
 * skipped and says so. Otherwise C is poisoned with NaN, the entry runs once and is
 * checked (every element of C finite, Frobenius relative error vs float64 - in full up to
 * 1024^3, over 1024 sampled elements above), then timed with wg_timeit. TFLOP/s and the
 * share of the matching cuBLAS figure come from this run alone.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/error.h"
#include "whygpu_lab.h"
#include "../src/report/json_writer.h"
#include "cli.h"
#include "matmul_check.h"
#include "progress.h"

#define MAX_SIZES 4
#define PROBE_SIZE 1024
#define ENTRIES (WG_LADDER_RUNGS + 3)

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
    int list;              /* --list */
} ladder_options;

/* One row of the table: a rung, or the cuBLAS reference of a precision. */
typedef struct ladder_entry {
    const wg_kernel *kernel; /* its registry entry */
    int rung;        /* the rung, or for cuBLAS the rung whose precision it stands for */
    int use_cublas;
    const char *name;
    wg_precision precision;
    int measured;
    char skipped[256]; /* why not measured */
    double probe_s;    /* one call at the probe size, 0 if not probed */
    double estimate_s; /* one call at the full size, from the probe */
    wg_timeit_result time;
    double tflops;
    double percent_of_cublas; /* NaN for cuBLAS itself or when either is missing */
    matmul_check_result check;
    double bound;
    int check_passed;
} ladder_entry;

typedef struct ladder_run {
    int64_t n;
    int full_check;
    int64_t check_elements;
    int count;
    ladder_entry entries[ENTRIES];
} ladder_run;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu ladder [--size N]... [--device cuda:N] [--kernel NAME] [--json FILE|-]\n"
            "                     [--seed S] [--repeat R] [--max-call-seconds S] [--no-progress]\n"
            "       whygpu ladder --list\n"
            "\n"
            "The GPU matmul ladder: eight CUDA kernels from a naive one to tensor cores\n"
            "(docs/ladder.md), each timed on an NxN product next to the cuBLAS figure of\n"
            "its precision (FP32 pedantic for rungs 1-6, TF32 for 7, BF16 for 8): time,\n"
            "TFLOP/s, %% of cuBLAS, and the relative error vs float64 (C is poisoned with NaN\n"
            "first and checked fully written).\n"
            "\n"
            "options:\n"
            "  --size N            matrix size (default 4096); give it up to %d times\n"
            "  --device DEV        cuda or cuda:N (default cuda:0)\n"
            "  --kernel NAME       only this CUDA kernel (a rung's number or name, or a cuBLAS\n"
            "                      entry) and the cuBLAS reference of its precision\n"
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
            MAX_SIZES, PROBE_SIZE, PROBE_SIZE);
}

static int parse_options(int argc, char **argv, ladder_options *o)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, 's'},   {"device", required_argument, NULL, 'd'},
        {"json", required_argument, NULL, 'j'},   {"seed", required_argument, NULL, 'S'},
        {"repeat", required_argument, NULL, 'r'}, {"max-call-seconds", required_argument, NULL, 'x'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {"kernel", required_argument, NULL, 'k'}, {"list", no_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
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
            if (o->device.kind != WG_DEVICE_CUDA)
                return cli_usage_error("ladder", "--device %s: the ladder's kernels run on a "
                                       "GPU (cuda or cuda:N)", optarg);
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
        case 'k': {
            int rung = 0;
            const char *name = wg_ladder_parse(optarg, &rung) == WG_OK
                                   ? wg_ladder_rung_find(rung)->name : optarg;
            if (wg_kernel_find(WG_DEVICE_CUDA, name, &o->only) != WG_OK)
                return cli_usage_error("ladder", "--kernel: %s", wg_error_message());
            break;
        }
        case 'l': o->list = 1; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("ladder", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("ladder", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("ladder", "unexpected argument '%s'", argv[optind]);
    if (o->json_path && !o->json_path[0]) return cli_usage_error("ladder", "--json needs a file or '-'");
    if (o->size_count == 0) o->sizes[o->size_count++] = 4096;
    return 0;
}

/* ---------------------------------------------------------------- running --------- */

/* A prepared product (inputs converted once) as wg_timeit calls it. */
static wg_status call_entry(void *context) { return wg_gemm_run_prepared(context); }

/* The CUDA registry's entry of a rung (use_cublas 0) or of its precision's cuBLAS. */
static const wg_kernel *entry_kernel(const wg_ladder_rung *rung, int use_cublas)
{
    for (int i = 0; i < wg_kernel_count(WG_DEVICE_CUDA); i++) {
        const wg_kernel *k = wg_kernel_at(WG_DEVICE_CUDA, i);
        if (use_cublas ? k->vendor && k->precision == rung->precision : k->rung == rung->number)
            return k;
    }
    return NULL;
}

/* The table's order: rungs 1-6, cuBLAS FP32, rung 7, cuBLAS TF32, rung 8, cuBLAS BF16; with
 * --kernel, that entry and the cuBLAS reference of its precision. Returns the count. */
static int init_entries(const ladder_options *o, ladder_entry entries[ENTRIES])
{
    const int order[ENTRIES][2] = {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {1, 1},
                                   {7, 0}, {7, 1}, {8, 0}, {8, 1}};
    int count = 0;
    for (int e = 0; e < ENTRIES; e++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(order[e][0]);
        const wg_kernel *kernel = entry_kernel(rung, order[e][1]);
        if (o->only && kernel != o->only &&
            !(order[e][1] && kernel->precision == o->only->precision))
            continue;
        if (o->only && o->only->vendor && !order[e][1]) continue;
        ladder_entry *entry = &entries[count++];
        memset(entry, 0, sizeof *entry);
        entry->kernel = kernel;
        entry->rung = rung->number;
        entry->use_cublas = order[e][1];
        entry->precision = rung->precision;
        entry->name = entry->use_cublas ? wg_ladder_cublas_name(rung->precision) : rung->name;
        entry->bound = wg_ladder_error_bound(rung->precision);
        entry->tflops = NAN;
        entry->percent_of_cublas = NAN;
        entry->check.relative_error = NAN;
    }
    return count;
}

/* One call at the probe size (the top-left corner of the same matrices), after one
 * untimed call, to estimate a call at the full size: seconds * (n / probe)^3. */
static wg_status probe_entry(const ladder_options *o, ladder_entry *entry, const wg_gemm_args *full,
                             int64_t n)
{
    const int64_t p = n < PROBE_SIZE ? n : PROBE_SIZE;
    wg_gemm_args args = *full;
    args.m = args.n = args.k = p;
    wg_gemm_prepared *prepared = NULL;
    wg_status status = wg_gemm_prepare(o->device, entry->kernel, &args, &prepared);
    if (status != WG_OK) return status;
    double seconds = 0;
    status = call_entry(prepared); /* warm-up: first launch, cuBLAS heuristics */
    if (status == WG_OK) status = wg_synchronize(o->device);
    if (status == WG_OK) {
        const double start = wg_now();
        status = call_entry(prepared);
        if (status == WG_OK) status = wg_synchronize(o->device);
        seconds = wg_now() - start;
    }
    wg_gemm_prepared_free(prepared);
    if (status != WG_OK) return status;
    const double scale = (double)n / (double)p;
    entry->probe_s = seconds;
    entry->estimate_s = seconds * scale * scale * scale;
    return WG_OK;
}

/* Poison, run once, check; then time. Returns a library failure (not a failed check). */
static wg_status run_entry(const ladder_options *o, ladder_run *run, ladder_entry *entry,
                           const wg_gemm_args *args, float *c_host,
                           const matmul_reference *ref)
{
    const int64_t n = run->n;
    wg_status status = probe_entry(o, entry, args, n);
    if (status != WG_OK) return status;
    if (entry->estimate_s > o->max_call_s) {
        snprintf(entry->skipped, sizeof entry->skipped,
                 "one call would take about %.3g s at n=%" PRId64 " (from %.3g s at n=%d), "
                 "over --max-call-seconds %.3g", entry->estimate_s, n, entry->probe_s,
                 n < PROBE_SIZE ? (int)n : PROBE_SIZE, o->max_call_s);
        return WG_OK;
    }
    wg_gemm_prepared *prepared = NULL;
    status = wg_gemm_prepare(o->device, entry->kernel, args, &prepared);
    if (status != WG_OK) return status;
    /* the checked run: C full of NaN, so anything the kernel does not write stays NaN */
    for (int64_t i = 0; i < n * n; i++) c_host[i] = NAN;
    const int64_t shape[2] = {n, n};
    wg_tensor *poisoned = NULL;
    status = wg_tensor_from_host(2, shape, c_host, o->device, &poisoned);
    if (status == WG_OK) {
        wg_gemm_args checked = *args;
        checked.c = wg_tensor_data(poisoned);
        wg_gemm_prepared *checked_run = NULL;
        status = wg_gemm_prepare(o->device, entry->kernel, &checked, &checked_run);
        if (status == WG_OK) status = call_entry(checked_run);
        if (status == WG_OK) status = wg_synchronize(o->device);
        wg_gemm_prepared_free(checked_run);
        if (status == WG_OK) status = wg_tensor_to_host(poisoned, c_host, n * n);
        wg_tensor_free(poisoned);
    }
    if (status == WG_OK) {
        matmul_check(ref, c_host, n, n, n, &entry->check);
        entry->check_passed = entry->check.not_finite == 0 &&
                              entry->check.relative_error <= entry->bound;
        char label[96];
        snprintf(label, sizeof label, "ladder n=%" PRId64 ": %s", n, entry->name);
        progress p;
        progress_begin(&p, label, o->progress);
        wg_timeit_options t;
        wg_timeit_defaults(&t);
        t.repeat = o->repeat;
        t.repeat_budget_s = 3.0; /* long calls: max(3, 3 s / call) repeats */
        t.progress = progress_on_phase;
        t.progress_context = &p;
        status = wg_timeit(o->device, call_entry, prepared, &t, &entry->time);
        progress_end(&p);
        if (status == WG_OK) {
            entry->measured = 1;
            entry->tflops = 2.0 * (double)n * (double)n * (double)n / entry->time.median_s / 1e12;
        }
    }
    wg_gemm_prepared_free(prepared);
    return status;
}

/* GPU memory: A, B, C (and the poisoned copy) in FP32 plus BF16 copies of A and B. */
static int check_memory(const ladder_options *o, int64_t n)
{
    const double nn = (double)n * (double)n;
    const double gpu_needed = nn * (4.0 * 4 + 2.0 * 2);
    const double host_needed = nn * 4.0 * 3;
    wg_gpu_info info;
    if (wg_gpu_info_get(o->device.index, &info) == WG_OK && gpu_needed > (double)info.free_memory_bytes) {
        fprintf(stderr, "whygpu ladder: --size %" PRId64 " needs %.3g GiB of GPU memory on cuda:%d; "
                "%.1f GiB is free\n", n, gpu_needed / 1073741824.0, o->device.index,
                (double)info.free_memory_bytes / 1073741824.0);
        return CLI_EXIT_FAILURE;
    }
    const int64_t available = wg_host_memory_available();
    if (available >= 0 && host_needed > (double)available) {
        fprintf(stderr, "whygpu ladder: --size %" PRId64 " needs %.3g GiB of host memory; %.1f GiB "
                "is available\n", n, host_needed / 1073741824.0, (double)available / 1073741824.0);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

static wg_status run_size(const ladder_options *o, int64_t n, ladder_run *run)
{
    memset(run, 0, sizeof *run);
    run->n = n;
    run->count = init_entries(o, run->entries);
    const int64_t shape[2] = {n, n};
    wg_tensor *a_host = NULL, *b_host = NULL, *a = NULL, *b = NULL, *c = NULL;
    float *c_host = malloc((size_t)(n * n) * sizeof *c_host);
    matmul_reference ref = {0};
    wg_status status = c_host ? WG_OK : WG_ERR_NO_MEMORY;
    if (status != WG_OK) wg_fail(status, "allocating %" PRId64 "x%" PRId64 " floats on the host", n, n);
    if (status == WG_OK) status = wg_tensor_rand(2, shape, -1.0f, 1.0f, o->seed, wg_cpu(), &a_host);
    if (status == WG_OK) status = wg_tensor_rand(2, shape, -1.0f, 1.0f, o->seed + 1, wg_cpu(), &b_host);
    if (status == WG_OK) status = wg_tensor_to(a_host, o->device, &a);
    if (status == WG_OK) status = wg_tensor_to(b_host, o->device, &b);
    if (status == WG_OK) status = wg_tensor_empty(2, shape, o->device, &c);
    if (status == WG_OK) {
        const wg_gemm_args host_args = {.m = n, .n = n, .k = n, .alpha = 1.0f,
                                        .a = wg_tensor_host_data(a_host), .lda = n,
                                        .b = wg_tensor_host_data(b_host), .ldb = n,
                                        .c = c_host, .ldc = n};
        status = matmul_reference_make(&host_args, o->seed, &ref);
        if (status != WG_OK) wg_fail(status, "allocating the float64 reference for n=%" PRId64, n);
        run->full_check = ref.full;
        run->check_elements = ref.count;
    }
    if (status == WG_OK) {
        const wg_gemm_args args = {.m = n, .n = n, .k = n, .alpha = 1.0f, .beta = 0.0f,
                                   .a = wg_tensor_data(a), .lda = n,
                                   .b = wg_tensor_data(b), .ldb = n,
                                   .c = wg_tensor_data(c), .ldc = n};
        for (int e = 0; e < run->count && status == WG_OK; e++)
            status = run_entry(o, run, &run->entries[e], &args, c_host, &ref);
    }
    /* % of cuBLAS: each rung against the cuBLAS entry of its precision, measured here */
    for (int e = 0; e < run->count; e++) {
        ladder_entry *entry = &run->entries[e];
        if (entry->use_cublas || !entry->measured) continue;
        for (int r = 0; r < run->count; r++) {
            const ladder_entry *ref_entry = &run->entries[r];
            if (ref_entry->use_cublas && ref_entry->precision == entry->precision &&
                ref_entry->measured)
                entry->percent_of_cublas = 100.0 * entry->tflops / ref_entry->tflops;
        }
    }
    matmul_reference_free(&ref);
    wg_tensor_free(a_host); wg_tensor_free(b_host);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c);
    free(c_host);
    return status;
}

/* ---------------------------------------------------------------- output ---------- */

static void print_run(const ladder_options *o, const ladder_run *run, const char *gpu_name)
{
    char device[32];
    wg_device_format(o->device, device, sizeof device);
    printf("whygpu ladder: C = A.B, n=%" PRId64 " (FP32 A, B, C), on %s (%s)\n\n", run->n,
           device, gpu_name);
    printf("%-4s %-22s %-5s %10s %7s %9s %9s %10s  %s\n", "rung", "kernel", "prec", "time",
           "spread", "TFLOP/s", "% cuBLAS", "rel.error", "check");
    for (int e = 0; e < run->count; e++) {
        const ladder_entry *entry = &run->entries[e];
        char rung[8] = "", time[32] = "-", spread[32] = "-", tflops[32] = "-", pct[32] = "-",
             error[32] = "-";
        if (!entry->use_cublas) snprintf(rung, sizeof rung, "%d", entry->rung);
        if (entry->measured) {
            wg_format_seconds(entry->time.median_s, time, sizeof time);
            snprintf(spread, sizeof spread, "%.1f%%%s", 100.0 * entry->time.spread,
                     entry->time.spread_warning ? "!" : "");
            snprintf(tflops, sizeof tflops, entry->tflops >= 10 ? "%.1f" : "%.3g", entry->tflops);
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
        const ladder_entry *entry = &run->entries[e];
        if (!entry->measured && entry->skipped[0]) printf("\n%s skipped: %s", entry->name, entry->skipped);
        else if (entry->measured && entry->check.not_finite)
            printf("\n%s left %" PRId64 " elements of C unwritten (NaN) or not finite", entry->name,
                   entry->check.not_finite);
    }
    printf("\n\ntime is the median per call (wg_timeit); %% cuBLAS compares with the cuBLAS row of\n"
           "the same precision in this run (FP32: cublasSgemm, CUBLAS_PEDANTIC_MATH; TF32:\n"
           "COMPUTE_32F_FAST_TF32; BF16: BF16 copies of A and B made before timing, COMPUTE_32F).\n"
           "rel.error is ||C - R|| / ||R|| against float64 over %s (bounds: fp32 1e-5,\n"
           "tf32 2e-3, bf16 1e-2); C was poisoned with NaN before the checked run.\n\n",
           run->full_check ? "every element" : "1024 sampled elements");
}

/* The rows of one size: rungs and cuBLAS references, in the table's order. */
static void json_rows(wg_json *j, const ladder_run *run)
{
    wg_json_begin_array(j);
    for (int e = 0; e < run->count; e++) {
        const ladder_entry *entry = &run->entries[e];
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

static int write_json(FILE *out, const ladder_options *o, const ladder_run *runs, int count,
                      const wg_gpu_info *gpu)
{
    wg_json j;
    wg_json_init(&j, out);
    char device[32], cc[16];
    wg_device_format(o->device, device, sizeof device);
    snprintf(cc, sizeof cc, "%d.%d", gpu->cc_major, gpu->cc_minor);
    wg_json_begin_object(&j);
    wg_json_key(&j, "schema"); wg_json_string(&j, "whygpu.ladder/1");
    wg_json_key(&j, "whygpu_version"); wg_json_string(&j, WG_VERSION);
    wg_json_key(&j, "device"); wg_json_string(&j, device);
    wg_json_key(&j, "gpu");
    wg_json_begin_object(&j);
    wg_json_key(&j, "name"); wg_json_string(&j, gpu->name);
    wg_json_key(&j, "compute_capability"); wg_json_string(&j, cc);
    wg_json_key(&j, "sm_count"); wg_json_int(&j, gpu->sm_count);
    wg_json_key(&j, "driver_version"); wg_json_int(&j, gpu->driver_version);
    wg_json_end_object(&j);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);
    wg_json_key(&j, "max_call_seconds"); wg_json_number(&j, o->max_call_s);
    /* the first size again at the top, for readers of one size (whygpu plot) */
    wg_json_key(&j, "size"); wg_json_int(&j, runs[0].n);
    wg_json_key(&j, "rungs"); json_rows(&j, &runs[0]);
    wg_json_key(&j, "runs");
    wg_json_begin_array(&j);
    for (int r = 0; r < count; r++) {
        const ladder_run *run = &runs[r];
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
    if (o.list) return kernels_list(&o.device, 1, 0);
    wg_status status = wg_device_check(o.device);
    if (status != WG_OK) return cli_failure("ladder", status);
    wg_gpu_info gpu;
    status = wg_gpu_info_get(o.device.index, &gpu);
    if (status != WG_OK) return cli_failure("ladder", status);
    const int json_only = o.json_path && strcmp(o.json_path, "-") == 0;
    ladder_run *runs = calloc((size_t)o.size_count, sizeof *runs);
    if (!runs) {
        fprintf(stderr, "whygpu ladder: out of host memory\n");
        return CLI_EXIT_FAILURE;
    }
    int failed_checks = 0, done = 0;
    rc = CLI_EXIT_OK;
    for (int s = 0; s < o.size_count; s++) {
        if (check_memory(&o, o.sizes[s])) {
            rc = CLI_EXIT_FAILURE;
            break;
        }
        status = run_size(&o, o.sizes[s], &runs[s]);
        if (status != WG_OK) {
            rc = cli_failure("ladder", status);
            break;
        }
        done++;
        if (!json_only) {
            print_run(&o, &runs[s], gpu.name);
            fflush(stdout);
        }
        for (int e = 0; e < runs[s].count; e++)
            failed_checks += runs[s].entries[e].measured && !runs[s].entries[e].check_passed;
    }
    if (o.json_path && done > 0) {
        FILE *out = json_only ? stdout : fopen(o.json_path, "w");
        if (!out) {
            fprintf(stderr, "whygpu ladder: cannot write --json %s\n", o.json_path);
            rc = CLI_EXIT_FAILURE;
        } else {
            int bad = write_json(out, &o, runs, done, &gpu);
            if (!json_only && fclose(out) != 0) bad = 1;
            if (bad) {
                fprintf(stderr, "whygpu ladder: writing the JSON failed\n");
                rc = CLI_EXIT_FAILURE;
            }
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
