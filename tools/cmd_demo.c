/*
 * cmd_demo.c - `whygpu demo`: the four cells of the classic "why GPUs" demo, measured here.
 *
 *   (1) square a 1x1 tensor on the CPU     (3) the same square after to("cuda")
 *   (2) an NxN matmul on the CPU           (4) the same matmul on the GPU
 *
 * Each cell is timed with wg_timeit, its result is checked against a float64 reference
 * (every element of the square; 64 sampled elements of the matmul), and the table, the JSON
 * and the plain-language reading are all computed from this run's numbers.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/report/json_writer.h"
#include "cli.h"
#include "progress.h"

#define DEMO_CELLS 4
#define MATMUL_SAMPLES 64

typedef struct demo_options {
    int64_t size;
    int repeat;
    uint64_t seed;
    wg_device gpu;
    int want_gpu;
    const wg_kernel *gpu_kernel; /* NULL: auto */
    int json;
    int progress;
} demo_options;

typedef struct demo_cell {
    int number;
    const char *op;      /* "square" or "matmul" */
    int64_t rows, cols;
    wg_device device;
    int measured;
    char reason[512];    /* why not measured */
    double flops;        /* per call */
    wg_timeit_result time;
    int checked;
    int check_samples;
    double check_error;  /* max relative error vs the float64 reference */
    double check_tolerance;
} demo_cell;

/* What a timed call needs. */
typedef struct op_call {
    const wg_tensor *a;
    wg_tensor *out;
    const wg_kernel *kernel; /* NULL: auto */
} op_call;

static wg_status call_square(void *context)
{
    op_call *call = context;
    return wg_mul(call->a, call->a, call->out);
}

static wg_status call_matmul(void *context)
{
    op_call *call = context;
    return wg_matmul_with(call->kernel, call->a, call->a, call->out);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu demo [--size N] [--repeat R] [--device DEV] [--kernel K] [--seed S]\n"
            "                   [--json] [--no-progress]\n"
            "\n"
            "The classic \"why GPUs\" demo, measured on this machine: square a 1x1 tensor\n"
            "(x*x) and multiply an NxN random matrix by itself, first on the CPU, then after\n"
            "to(\"cuda\") on the GPU. Prints time per op (median of several repeats and their\n"
            "spread), GFLOP/s, the CPU/GPU ratio and the winner of each row, and a reading of\n"
            "the numbers. Without a GPU the CPU cells still run and the reason is printed.\n"
            "\n"
            "options:\n"
            "  --size N        matrix size (default 10000; 10000x10000 is 2e12 flops, seconds\n"
            "                  to a minute on a CPU). Needs 8*N*N bytes of memory per device\n"
            "  --repeat R      timed repeats per cell (default: 7, fewer for calls of seconds)\n"
            "  --device DEV    the GPU to compare with: cuda, cuda:N (default cuda); 'cpu'\n"
            "                  runs the CPU cells only\n"
            "  --kernel K      GPU matmul kernel: auto (cuBLAS, FP32) or a name that\n"
            "                  'whygpu kernels --device cuda' lists (default auto)\n"
            "  --seed S        seed of the random matrix (default 42)\n"
            "  --json          print the results as JSON (schema whygpu.demo/1, docs/json.md)\n"
            "  --no-progress   no progress on stderr\n"
            "  -h, --help      this help\n"
            "\n"
            "exit status: 0 measured (GPU cells may be absent), 1 failure, 2 bad usage\n");
}

static int parse_options(int argc, char **argv, demo_options *o)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, 's'},   {"repeat", required_argument, NULL, 'r'},
        {"device", required_argument, NULL, 'd'}, {"kernel", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 'S'},   {"json", no_argument, NULL, 'j'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    o->size = 10000;
    o->repeat = 0;
    o->seed = 42;
    o->gpu = (wg_device){WG_DEVICE_CUDA, 0};
    o->want_gpu = 1;
    o->gpu_kernel = NULL;
    o->json = 0;
    o->progress = 1;
    optind = 1;
    opterr = 0;
    int c;
    int64_t value = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_parse_int("demo", "--size", optarg, 1, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->size = value;
            break;
        case 'r':
            if (cli_parse_int("demo", "--repeat", optarg, 1, WG_TIMEIT_MAX_REPEAT, &value))
                return CLI_EXIT_USAGE;
            o->repeat = (int)value;
            break;
        case 'S':
            if (cli_parse_int("demo", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->seed = (uint64_t)value;
            break;
        case 'd':
            if (wg_device_parse(optarg, &o->gpu) != WG_OK)
                return cli_usage_error("demo", "--device: %s", wg_error_message());
            o->want_gpu = o->gpu.kind != WG_DEVICE_CPU;
            break;
        case 'k':
            if (wg_kernel_find(WG_DEVICE_CUDA, optarg, &o->gpu_kernel) != WG_OK)
                return cli_usage_error("demo", "--kernel: %s", wg_error_message());
            if (strcmp(optarg, "auto") == 0) o->gpu_kernel = NULL;
            break;
        case 'j': o->json = 1; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("demo", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("demo", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* ---------------------------------------------------------------- checks ---------- */

/* The square: every element against the float64 product, relative to |x*x|. */
static wg_status check_square(const wg_tensor *x, const wg_tensor *out, demo_cell *cell)
{
    float xv = 0, ov = 0;
    wg_status status = wg_tensor_to_host(x, &xv, 1);
    if (status == WG_OK) status = wg_tensor_to_host(out, &ov, 1);
    if (status != WG_OK) return status;
    double reference = (double)xv * (double)xv;
    cell->checked = 1;
    cell->check_samples = 1;
    cell->check_error = reference != 0 ? fabs((double)ov - reference) / fabs(reference)
                                       : fabs((double)ov);
    cell->check_tolerance = 1e-7; /* one float32 rounding */
    return WG_OK;
}

/* The matmul: 64 sampled elements of C = A.A against float64 dot products. */
static void check_matmul(const float *a, const float *c, int64_t n, uint64_t seed,
                         demo_cell *cell)
{
    cell->checked = 1;
    cell->check_samples = MATMUL_SAMPLES;
    cell->check_error = wg_matmul_sampled_error(a, a, c, n, n, n, MATMUL_SAMPLES, seed);
    cell->check_tolerance = wg_matmul_fp32_tolerance(n);
}

static int check_passed(const demo_cell *cell)
{
    return cell->checked && cell->check_error <= cell->check_tolerance;
}

/* ---------------------------------------------------------------- running --------- */

static void timeit_options(const demo_options *o, progress *p, wg_timeit_options *t)
{
    wg_timeit_defaults(t);
    t->repeat = o->repeat;
    if (p) {
        t->progress = progress_on_phase;
        t->progress_context = p;
    }
}

static void cell_label(const demo_cell *cell, char *buf, size_t size)
{
    char device[32];
    wg_device_format(cell->device, device, sizeof device);
    snprintf(buf, size, "%s %" PRId64 "x%" PRId64 " on %s", cell->op, cell->rows, cell->cols,
             device);
}

/* Times fn on the cell's device with progress (for the long cells) and stores the result. */
static wg_status time_cell(const demo_options *o, demo_cell *cell, wg_timeit_fn fn,
                           op_call *call, int long_running)
{
    char label[128];
    cell_label(cell, label, sizeof label);
    progress p;
    progress_begin(&p, label, o->progress && long_running);
    wg_timeit_options t;
    timeit_options(o, &p, &t);
    wg_status status = wg_timeit(cell->device, fn, call, &t, &cell->time);
    progress_end(&p);
    if (status == WG_OK) cell->measured = 1;
    return status;
}

/* Cells 1 and 3: x*x on a 1x1 tensor. x_cpu is the CPU original; on a GPU it is moved. */
static wg_status run_square(const demo_options *o, const wg_tensor *x_cpu, demo_cell *cell)
{
    wg_tensor *x = NULL, *out = NULL;
    wg_status status = WG_OK;
    if (cell->device.kind == WG_DEVICE_CPU)
        x = (wg_tensor *)x_cpu;
    else
        status = wg_tensor_to(x_cpu, cell->device, &x);
    if (status == WG_OK) status = wg_tensor_empty_like(x, &out);
    op_call call = {x, out, NULL};
    if (status == WG_OK) status = time_cell(o, cell, call_square, &call, 0);
    if (status == WG_OK) status = check_square(x, out, cell);
    wg_tensor_free(out);
    if (x != x_cpu) wg_tensor_free(x);
    return status;
}

/* Cells 2 and 4: A.A. `result` (host, n*n floats) receives C for the check. */
static wg_status run_matmul(const demo_options *o, const wg_tensor *a_cpu, float *result,
                            demo_cell *cell)
{
    wg_tensor *a = NULL, *c = NULL;
    wg_status status = WG_OK;
    int on_cpu = cell->device.kind == WG_DEVICE_CPU;
    if (on_cpu)
        a = (wg_tensor *)a_cpu;
    else
        status = wg_tensor_to(a_cpu, cell->device, &a);
    if (status == WG_OK) status = wg_tensor_empty_like(a, &c);
    op_call call = {a, c, on_cpu ? NULL : o->gpu_kernel};
    if (status == WG_OK) status = time_cell(o, cell, call_matmul, &call, 1);
    if (status == WG_OK) status = wg_tensor_to_host(c, result, cell->rows * cell->cols);
    if (status == WG_OK)
        check_matmul(wg_tensor_host_data((wg_tensor *)a_cpu), result, cell->rows, o->seed, cell);
    wg_tensor_free(c);
    if (a != a_cpu) wg_tensor_free(a);
    return status;
}

/* Refuses sizes that cannot fit before anything is measured, so nothing is lost. */
static int check_memory(const demo_options *o, int gpu_ready)
{
    double n = (double)o->size;
    double host_needed = 3.0 * n * n * 4.0; /* A, C, and C read back for the check */
    int64_t available = wg_host_memory_available();
    if (available >= 0 && host_needed > (double)available) {
        fprintf(stderr,
                "whygpu demo: --size %" PRId64 " needs %.3g GiB of host memory (three %" PRId64
                "x%" PRId64 " float32 matrices); %.1f GiB is available\n",
                o->size, host_needed / 1073741824.0, o->size, o->size,
                (double)available / 1073741824.0);
        return CLI_EXIT_FAILURE;
    }
    if (gpu_ready) {
        wg_gpu_info info;
        if (wg_gpu_info_get(o->gpu.index, &info) == WG_OK) {
            double gpu_needed = 2.0 * n * n * 4.0;
            if (gpu_needed > (double)info.free_memory_bytes) {
                fprintf(stderr,
                        "whygpu demo: --size %" PRId64 " needs %.3g GiB of GPU memory on cuda:%d "
                        "(two %" PRId64 "x%" PRId64 " float32 matrices); %.1f GiB is free\n",
                        o->size, gpu_needed / 1073741824.0, o->gpu.index, o->size, o->size,
                        (double)info.free_memory_bytes / 1073741824.0);
                return CLI_EXIT_FAILURE;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- output ---------- */

static double gflops(const demo_cell *cell)
{
    return cell->measured && cell->time.median_s > 0 ? cell->flops / cell->time.median_s / 1e9
                                                      : NAN;
}

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

static void print_ratio(const demo_cell *cpu, const demo_cell *gpu)
{
    if (!cpu->measured || !gpu->measured) {
        printf("  %9s  %s\n", "-", "-");
        return;
    }
    double ratio = cpu->time.median_s / gpu->time.median_s;
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
    format_gflops(gflops(cell), rate, sizeof rate);
    printf("  %10s %7s %9s", time, spread, rate);
}

static void print_reading(const demo_options *o, const demo_cell cells[DEMO_CELLS],
                          const char *gpu_reason)
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
        if (!sq_gpu->measured && !mm_gpu->measured)
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
    else if (!o->gpu_kernel || o->gpu_kernel->vendor)
        printf("- The matmul took %s on the GPU, %.3gx slower than the CPU: at this size there\n"
               "  is too little work to fill the GPU; try a larger --size.\n", t4, 1.0 / mm_ratio);
    else
        printf("- The matmul took %s on the GPU with the %s kernel, %.3gx slower than the CPU:\n"
               "  compare with --kernel cublas to see how much of that is the kernel.\n", t4,
               o->gpu_kernel->name, 1.0 / mm_ratio);
}

static void print_table(const demo_options *o, const demo_cell cells[DEMO_CELLS],
                        const wg_cpu_info *cpu, const char *gpu_name, const char *gpu_reason,
                        const char *isa)
{
    char device[32], label[64];
    wg_device_format(o->gpu, device, sizeof device);
    printf("whygpu demo: the classic \"why GPUs\" demo, measured on this machine\n");
    printf("CPU: %s, %d threads, matmul kernel %s\n", cpu->model[0] ? cpu->model : "unknown",
           cpu->omp_threads, isa);
    if (gpu_name[0])
        printf("GPU: %s (%s), matmul kernel %s\n", gpu_name, device,
               o->gpu_kernel ? o->gpu_kernel->name : "auto");
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
        print_cell_columns(g);
        print_ratio(c, g);
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
    printf("Results checked against float64: ");
    for (int i = 0; i < DEMO_CELLS; i++) {
        if (!cells[i].measured) continue;
        printf("%scell %d max error %.2g (%s)", i ? ", " : "", cells[i].number,
               cells[i].check_error, check_passed(&cells[i]) ? "ok" : "FAILED");
    }
    printf(".\n");
    print_reading(o, cells, gpu_reason);
}

static int print_json(const demo_options *o, const demo_cell cells[DEMO_CELLS],
                      const wg_cpu_info *cpu, const char *gpu_name, const char *gpu_reason,
                      const char *isa, int argc, char **argv)
{
    char device[32], date[32], command[1024];
    cli_utc_date(date, sizeof date);
    cli_command_line(argc, argv, "demo", command, sizeof command);
    wg_device_format(o->gpu, device, sizeof device);

    wg_json j;
    wg_json_init(&j, stdout);
    wg_json_begin_object(&j);
    wg_json_key(&j, "schema"); wg_json_string(&j, "whygpu.demo/1");
    wg_json_key(&j, "whygpu_version"); wg_json_string(&j, WG_VERSION);
    wg_json_key(&j, "command"); wg_json_string(&j, command);
    wg_json_key(&j, "date"); wg_json_string(&j, date);
    wg_json_key(&j, "size"); wg_json_int(&j, o->size);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);
    wg_json_key(&j, "machine");
    wg_json_begin_object(&j);
    wg_json_key(&j, "cpu");
    wg_json_begin_object(&j);
    wg_json_key(&j, "model"); wg_json_string(&j, cpu->model);
    wg_json_key(&j, "logical_cpus"); wg_json_int(&j, cpu->logical_cpus);
    wg_json_key(&j, "threads"); wg_json_int(&j, cpu->omp_threads);
    wg_json_key(&j, "simd"); wg_json_string(&j, wg_cpu_simd_level(cpu));
    wg_json_key(&j, "matmul_isa"); wg_json_string(&j, isa);
    wg_json_end_object(&j);
    wg_json_key(&j, "gpu");
    wg_json_begin_object(&j);
    wg_json_key(&j, "device"); wg_json_string(&j, o->want_gpu ? device : NULL);
    wg_json_key(&j, "available"); wg_json_bool(&j, gpu_name[0] != '\0');
    wg_json_key(&j, "name"); wg_json_string(&j, gpu_name[0] ? gpu_name : NULL);
    wg_json_key(&j, "reason");
    wg_json_string(&j, gpu_name[0] ? NULL
                                   : gpu_reason[0] ? gpu_reason : "not requested (--device cpu)");
    wg_json_key(&j, "matmul_kernel"); wg_json_string(&j, o->gpu_kernel ? o->gpu_kernel->name : "auto");
    wg_json_end_object(&j);
    wg_json_end_object(&j);

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
        wg_json_key(&j, "gflops"); wg_json_number(&j, gflops(c));
        wg_json_key(&j, "check");
        if (c->checked) {
            wg_json_begin_object(&j);
            wg_json_key(&j, "samples"); wg_json_int(&j, c->check_samples);
            wg_json_key(&j, "max_rel_error"); wg_json_number(&j, c->check_error);
            wg_json_key(&j, "tolerance"); wg_json_number(&j, c->check_tolerance);
            wg_json_key(&j, "passed"); wg_json_bool(&j, check_passed(c));
            wg_json_end_object(&j);
        } else {
            wg_json_null(&j);
        }
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);

    wg_json_key(&j, "comparisons");
    wg_json_begin_array(&j);
    for (int row = 0; row < 2; row++) {
        const demo_cell *c = &cells[row], *g = &cells[row + 2];
        int both = c->measured && g->measured;
        double ratio = both ? c->time.median_s / g->time.median_s : NAN;
        wg_json_begin_object(&j);
        wg_json_key(&j, "op"); wg_json_string(&j, c->op);
        wg_json_key(&j, "cpu_median_s"); wg_json_number(&j, c->measured ? c->time.median_s : NAN);
        wg_json_key(&j, "gpu_median_s"); wg_json_number(&j, g->measured ? g->time.median_s : NAN);
        wg_json_key(&j, "cpu_over_gpu"); wg_json_number(&j, ratio);
        wg_json_key(&j, "winner"); wg_json_string(&j, both ? (ratio >= 1 ? "gpu" : "cpu") : NULL);
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_end_object(&j);
    if (wg_json_finish(&j) != 0) {
        fprintf(stderr, "whygpu demo: writing the JSON failed\n");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- main ------------ */

int cmd_demo(int argc, char **argv)
{
    demo_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc != 0) return rc;

    wg_cpu_info cpu;
    wg_status status = wg_cpu_info_get(&cpu);
    if (status != WG_OK) return cli_failure("demo", status);
    const char *isa = NULL;
    status = wg_cpu_matmul_isa(&isa);
    if (status != WG_OK) return cli_failure("demo", status);

    char gpu_name[256] = "", gpu_reason[512] = "";
    int gpu_ready = 0;
    if (o.want_gpu) {
        if (wg_device_check(o.gpu) == WG_OK) {
            wg_gpu_info info;
            gpu_ready = 1;
            if (wg_gpu_info_get(o.gpu.index, &info) == WG_OK)
                snprintf(gpu_name, sizeof gpu_name, "%s", info.name);
            else
                snprintf(gpu_name, sizeof gpu_name, "cuda:%d", o.gpu.index);
        } else {
            snprintf(gpu_reason, sizeof gpu_reason, "%s", wg_error_message());
        }
    }
    rc = check_memory(&o, gpu_ready);
    if (rc != 0) return rc;

    const int64_t n = o.size;
    demo_cell cells[DEMO_CELLS];
    memset(cells, 0, sizeof cells);
    for (int i = 0; i < DEMO_CELLS; i++) {
        demo_cell *c = &cells[i];
        c->number = i + 1;
        c->op = i % 2 ? "matmul" : "square";
        c->rows = c->cols = i % 2 ? n : 1;
        c->device = i < 2 ? wg_cpu() : o.gpu;
        c->flops = i % 2 ? 2.0 * (double)n * (double)n * (double)n : 1.0;
        if (i >= 2 && !gpu_ready)
            snprintf(c->reason, sizeof c->reason, "%s",
                     gpu_reason[0] ? gpu_reason : "not requested (--device cpu)");
    }

    const int64_t one[2] = {1, 1}, square[2] = {n, n};
    wg_tensor *x = NULL, *a = NULL;
    float *result = NULL;
    status = wg_tensor_rand(2, one, -1.0f, 1.0f, o.seed, wg_cpu(), &x);
    if (status == WG_OK) status = wg_tensor_rand(2, square, -1.0f, 1.0f, o.seed, wg_cpu(), &a);
    if (status == WG_OK) {
        result = malloc((size_t)n * (size_t)n * sizeof *result);
        if (!result) {
            fprintf(stderr, "whygpu demo: cannot allocate %.3g GiB for the result check\n",
                    (double)n * (double)n * 4.0 / 1073741824.0);
            wg_tensor_free(x);
            wg_tensor_free(a);
            return CLI_EXIT_FAILURE;
        }
    }
    int gpu_failed = 0;
    for (int i = 0; i < DEMO_CELLS && status == WG_OK; i++) {
        if (i >= 2 && !gpu_ready) break;
        status = i % 2 ? run_matmul(&o, a, result, &cells[i]) : run_square(&o, x, &cells[i]);
        if (status != WG_OK && i >= 2) {
            /* A GPU failure must not throw away the CPU cells measured before it: the
             * table is printed with the reason, and the exit status says it failed. */
            cells[i].measured = 0;
            snprintf(cells[i].reason, sizeof cells[i].reason, "failed: %s", wg_error_message());
            fprintf(stderr, "whygpu demo: cell %d (%s on the GPU) failed: %s\n", i + 1,
                    cells[i].op, wg_error_message());
            gpu_failed = 1;
            status = WG_OK;
        }
    }
    free(result);
    wg_tensor_free(x);
    wg_tensor_free(a);
    if (status != WG_OK) return cli_failure("demo", status);

    rc = o.json ? print_json(&o, cells, &cpu, gpu_name, gpu_reason, isa, argc, argv)
                : (print_table(&o, cells, &cpu, gpu_name, gpu_reason, isa), CLI_EXIT_OK);
    if (gpu_failed) rc = CLI_EXIT_FAILURE;
    for (int i = 0; i < DEMO_CELLS; i++) {
        if (cells[i].measured && !check_passed(&cells[i])) {
            fprintf(stderr,
                    "whygpu demo: cell %d (%s on %s) gave a wrong result: max relative error "
                    "%.3g > tolerance %.3g\n",
                    cells[i].number, cells[i].op, i < 2 ? "cpu" : "the GPU",
                    cells[i].check_error, cells[i].check_tolerance);
            rc = CLI_EXIT_FAILURE;
        }
    }
    return rc;
}
