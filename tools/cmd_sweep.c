/*
 * cmd_sweep.c - `whygpu sweep`: one operation timed at log-spaced sizes on the CPU, on the
 * GPU with its data resident, and on the GPU including the copies to and from the device;
 * where the GPU starts to win (the crossover, interpolated in log-log) in both GPU columns,
 * and the largest speed-up. A time budget sets timeit's repeats per cell (sweep_plan.c)
 * and skips, saying so, the sizes that would break it. Output: a table, --json, --csv.
 */
#include <errno.h>
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
#include "sweep_cli.h"


/* ---------------------------------------------------------------- options --------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu sweep [--op OP] [--sizes A:B] [--points N] [--budget T]\n"
            "                    [--device DEV] [--kernel K] [--dtype D] [--seed S] [--json FILE|-]\n"
            "                    [--csv FILE|-] [--reference NAME|DIR|none] [--no-progress]\n"
            "\n"
            "Times one operation at log-spaced sizes in three columns: on the CPU; on the GPU\n"
            "with the data already there; and on the GPU including the copies of the inputs\n"
            "to the device and of the result back (what you pay when your data starts in host\n"
            "memory). Prints where the GPU starts to win in each GPU column (the crossover,\n"
            "interpolated between the grid points where CPU time / GPU time crosses 1) and\n"
            "the largest speed-up. Every result is checked against float64 before its time\n"
            "is trusted. Without a GPU the CPU column still runs and the GPU columns say why.\n"
            "\n"
            "options:\n"
            "  --op OP         matmul (n x n times n x n; size = n), mul, add (a*b, a+b) or\n"
            "                  relu (max(x,0)) on vectors (size = element count), or mlp-step\n"
            "                  (one SGD step of the 784-512-256-10 MLP; size = batch rows)\n"
            "                  (default matmul)\n"
            "  --sizes A:B     smallest and largest size (default matmul 1:4096, elementwise\n"
            "                  1:67108864 = 2^26 elements, 256 MiB per vector, mlp-step 1:4096)\n"
            "  --points N      sizes on the log-spaced grid, 2 to %d (default matmul 20,\n"
            "                  elementwise 27 and mlp-step 13: every power of two)\n"
            "  --budget T      time budget of the measurements, 1s to 24h: 60s, 2m, 1h\n"
            "                  (default 60s).\n"
            "                  Repeats and repeat lengths shrink to fit it; a size whose\n"
            "                  estimated time would break it is skipped and listed. The\n"
            "                  default matmul run takes under a minute on 2 cores (a CPU\n"
            "                  matmul at n = 4096 takes about a second; at 16384 about 50 s,\n"
            "                  which is why the default stops at 4096)\n"
            "  --device DEV    the GPU: cuda, cuda:N, opencl or opencl:N (default cuda); cpu:\n"
            "                  CPU column only\n"
            "  --kernel K      matmul kernel: auto (default) or a name that 'whygpu kernels'\n"
            "                  lists: a CUDA kernel for the GPU columns, a CPU kernel for the\n"
            "                  CPU column\n"
            "  --dtype D       matmul's precision: fp32 (default), bf16 (bf16 inputs, fp32\n"
            "                  accumulation, CPU and GPU) or tf32 (GPU tensor cores only: the\n"
            "                  CPU column stays fp32, and without a GPU tf32 is refused); each\n"
            "                  device's fastest kernel of it unless --kernel names one\n"
            "  --seed S        seed of the random inputs (default 42)\n"
            "  --json FILE|-   write the results as JSON (schema whygpu.sweep/1, docs/json.md)\n"
            "                  to FILE, or to stdout instead of the table with '-'\n"
            "  --csv FILE|-    the same as CSV, one row per size\n"
            "  --reference R   a recorded GPU machine whose GPU columns to show, marked, next\n"
            "                  to this CPU's (a name such as h100, a folder, or none; default\n"
            "                  h100 without a GPU, none with one; docs/reference.md)\n"
            "  --no-progress   no progress on stderr\n"
            "  -h, --help      this help\n"
            "\n"
            "exit status: 0 measured (GPU columns may be absent), 1 a measurement failed or a\n"
            "result was wrong, 2 bad usage\n",
            WG_SWEEP_MAX_POINTS);
}

/* "60", "60s", "1.5m", "500ms" into seconds; -1 when malformed. */
static double parse_duration(const char *text)
{
    const size_t length = cli_decimal_prefix(text);
    if (!length) return -1;
    const double value = strtod(text, NULL);
    const char *end = text + length;
    if (!isfinite(value)) return -1;
    if (strcmp(end, "") == 0 || strcmp(end, "s") == 0) return value;
    if (strcmp(end, "ms") == 0) return value / 1000.0;
    if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) return value * 60.0;
    if (strcmp(end, "h") == 0) return value * 3600.0;
    return -1;
}

static int parse_sizes(const char *text, int64_t *low, int64_t *high)
{
    const char *colon = strchr(text, ':');
    if (!colon) return cli_usage_error("sweep", "--sizes expects A:B, got '%s'", text);
    char first[64];
    size_t length = (size_t)(colon - text);
    if (length == 0 || length >= sizeof first)
        return cli_usage_error("sweep", "--sizes expects A:B, got '%s'", text);
    memcpy(first, text, length);
    first[length] = '\0';
    if (cli_parse_int("sweep", "--sizes (smallest)", first, 1, INT64_C(1) << 40, low))
        return CLI_EXIT_USAGE;
    if (cli_parse_int("sweep", "--sizes (largest)", colon + 1, 1, INT64_C(1) << 40, high))
        return CLI_EXIT_USAGE;
    if (*high < *low)
        return cli_usage_error("sweep", "--sizes: largest %" PRId64 " is below smallest %" PRId64
                               " in '%s'", *high, *low, text);
    return 0;
}

static int parse_options(int argc, char **argv, sweep_options *o)
{
    static const struct option longs[] = {
        {"op", required_argument, NULL, 'o'},     {"sizes", required_argument, NULL, 's'},
        {"points", required_argument, NULL, 'p'}, {"budget", required_argument, NULL, 'b'},
        {"device", required_argument, NULL, 'd'}, {"seed", required_argument, NULL, 'S'},
        {"json", required_argument, NULL, 'j'},   {"csv", required_argument, NULL, 'c'},
        {"kernel", required_argument, NULL, 'k'}, {"no-progress", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},         {"reference", required_argument, NULL, 'R'},
        {"dtype", required_argument, NULL, 'D'},  {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->op = WG_SWEEP_MATMUL;
    o->budget_s = 60.0;
    o->gpu = (wg_device){WG_DEVICE_CUDA, 0};
    o->want_gpu = 1;
    o->seed = 42;
    o->progress = 1;
    int sizes_given = 0, points_given = 0;
    int64_t value = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (wg_sweep_op_parse(optarg, &o->op) != WG_OK)
                return cli_usage_error("sweep", "--op: %s", wg_error_message());
            break;
        case 's':
            if (parse_sizes(optarg, &o->low, &o->high)) return CLI_EXIT_USAGE;
            sizes_given = 1;
            break;
        case 'p':
            if (cli_parse_int("sweep", "--points", optarg, 2, WG_SWEEP_MAX_POINTS, &value))
                return CLI_EXIT_USAGE;
            o->points = (int)value;
            points_given = 1;
            break;
        case 'b':
            o->budget_s = parse_duration(optarg);
            if (!(o->budget_s >= 1.0 && o->budget_s <= 86400.0))
                return cli_usage_error("sweep", "--budget expects a duration from 1s to 24h "
                                       "such as 60s or 2m, got '%s'", optarg);
            break;
        case 'd':
            if (wg_device_parse(optarg, &o->gpu) != WG_OK)
                return cli_usage_error("sweep", "--device: %s", wg_error_message());
            o->want_gpu = o->gpu.kind != WG_DEVICE_CPU;
            break;
        case 'S':
            if (cli_parse_int("sweep", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->seed = (uint64_t)value;
            break;
        case 'k':
            if (kernel_option_parse("sweep", optarg, &o->cpu_kernel, &o->gpu_kernel))
                return CLI_EXIT_USAGE;
            break;
        case 'D':
            if (dtype_option_parse("sweep", optarg, &o->precision)) return CLI_EXIT_USAGE;
            o->dtype_given = 1;
            break;
        case 'j': o->json_path = optarg; break;
        case 'R': o->reference = optarg; break;
        case 'c': o->csv_path = optarg; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("sweep", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("sweep", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("sweep", "unexpected argument '%s'", argv[optind]);
    if (o->precision != WG_PRECISION_FP32 && o->op != WG_SWEEP_MATMUL)
        return cli_usage_error("sweep", "--dtype %s: only --op matmul has other precisions "
                               "than fp32", wg_precision_name(o->precision));
    if (o->json_path && o->csv_path && strcmp(o->json_path, "-") == 0 &&
        strcmp(o->csv_path, "-") == 0)
        return cli_usage_error("sweep", "--json - and --csv - cannot both go to stdout");
    if ((o->json_path && !o->json_path[0]) || (o->csv_path && !o->csv_path[0]))
        return cli_usage_error("sweep", "--json and --csv need a file name or '-'");
    /* A path that cannot be written is said now, not after the measuring. */
    int bad = cli_output_check("sweep", "--json", o->json_path, 1);
    if (!bad) bad = cli_output_check("sweep", "--csv", o->csv_path, 1);
    if (bad) return bad;
    int elementwise = o->op != WG_SWEEP_MATMUL && o->op != WG_SWEEP_MLP_STEP;
    if (!sizes_given) {
        o->low = 1;
        o->high = elementwise ? INT64_C(1) << 26 : 4096;
    }
    if (!points_given) o->points = o->op == WG_SWEEP_MATMUL ? 20 : elementwise ? 27 : 13;
    if (o->low == o->high) o->points = 1;
    return 0;
}

/* ---------------------------------------------------------------- progress -------- */

/* A progress bar per cell on a terminal; a failed cell is said on stderr as it happens. */
typedef struct cell_progress {
    int show;
    progress bar;
} cell_progress;

static void on_cell(void *context, const char *label, int done, const char *failure)
{
    cell_progress *p = context;
    if (!done) {
        progress_begin(&p->bar, label, p->show);
        return;
    }
    progress_end(&p->bar);
    if (failure && strncmp(failure, "failed: ", 8) == 0)
        fprintf(stderr, "whygpu sweep: %s failed: %s\n", label, failure + 8);
    else if (failure && strncmp(failure, "wrong result: ", 14) == 0)
        fprintf(stderr, "whygpu sweep: %s gave a wrong result: %s\n", label, failure + 14);
}

static void on_phase(void *context, const char *phase, int done, int total, double seconds)
{
    cell_progress *p = context;
    progress_on_phase(&p->bar, phase, done, total, seconds);
}

/* Writes one output with `writer` when the measuring is over (so that an interrupted run
 * leaves an old file as it was): a temporary file beside it, renamed over it when
 * complete. 0 on success. */
static int write_output(const sweep_run *run, const char *path,
                        int (*writer)(const sweep_run *, FILE *))
{
    cli_output out;
    if (cli_output_open("sweep", path, &out) != 0) return 1;
    int failed = writer(run, out.stream) != 0;
    return cli_output_close("sweep", &out, failed) != 0;
}

/* ---------------------------------------------------------------- main ------------ */

int cmd_sweep(int argc, char **argv)
{
    static sweep_run run; /* large: kept off the stack */
    memset(&run, 0, sizeof run);
    int rc = parse_options(argc, argv, &run.o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc != 0) return rc;
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    int count = 0;
    if (wg_sweep_grid(run.o.low, run.o.high, run.o.points, sizes, &count) != WG_OK)
        return cli_usage_error("sweep", "%s", wg_error_message());

    wg_status status = wg_machine_facts_get(run.o.want_gpu, run.o.gpu, &run.machine);
    if (status == WG_OK) status = wg_cpu_matmul_isa(&run.machine.cpu_kernel);
    if (status == WG_OK) {
        /* TF32 is the GPU's alone: the CPU column stays FP32 beside GPU TF32 columns */
        const int gpu_ready = run.machine.gpu_available;
        /* a named GPU kernel of another precision is bad usage, whatever else fails after */
        if (run.o.gpu_kernel && kernel_option_resolve("sweep", run.o.gpu, run.o.precision,
                                                      run.o.dtype_given, &run.o.gpu_kernel))
            return CLI_EXIT_USAGE;
        if (run.o.precision == WG_PRECISION_TF32 && !gpu_ready && run.o.want_gpu)
            return cli_usage_error("sweep", "--dtype tf32: the CPU has no tf32 arithmetic; use "
                                   "fp32 or bf16 (tf32 is for the GPU columns, and no GPU "
                                   "runs here)");
        if (run.o.precision != WG_PRECISION_TF32 || !gpu_ready)
            rc = kernel_option_resolve("sweep", wg_cpu(), run.o.precision, run.o.dtype_given,
                                       &run.o.cpu_kernel);
        if (rc == 0 && (gpu_ready || run.o.gpu_kernel)) /* a named one is checked anyway */
            rc = kernel_option_resolve("sweep", run.o.gpu, run.o.precision, run.o.dtype_given,
                                       &run.o.gpu_kernel);
        if (rc != 0) return rc;
    }
    if (run.o.cpu_kernel) run.machine.cpu_kernel = run.o.cpu_kernel->name;
    if (run.o.gpu_kernel) run.machine.gpu_kernel = run.o.gpu_kernel->name;
    if (status != WG_OK) return cli_failure("sweep", status);
    cli_command_line(argc, argv, "sweep", run.command, sizeof run.command);
    char reference_error[1400];
    if (recorded_open(&run.recorded.ref, run.o.reference, run.machine.gpu_available,
                      run.recorded.note, sizeof run.recorded.note, reference_error,
                      sizeof reference_error) != 0)
        return cli_usage_error("sweep", "%s", reference_error);

    cell_progress bar = {.show = run.o.progress && cli_is_tty(2)};
    const wg_sweep_request request = {
        .op = run.o.op, .low = run.o.low, .high = run.o.high, .points = run.o.points,
        .budget_s = run.o.budget_s, .seed = run.o.seed, .gpu = run.o.gpu,
        .gpu_columns = run.machine.gpu_available, .gpu_reason = run.machine.gpu_reason,
        .cpu_kernel = run.o.cpu_kernel, .gpu_kernel = run.o.gpu_kernel, .on_cell = on_cell,
        .progress = on_phase, .context = &bar};
    status = wg_sweep_run(&request, &run.r);
    if (status != WG_OK) {
        recorded_close(&run.recorded.ref);
        return cli_failure("sweep", status);
    }
    sweep_fill_recorded(&run);

    int to_stdout = (run.o.json_path && strcmp(run.o.json_path, "-") == 0) ||
                    (run.o.csv_path && strcmp(run.o.csv_path, "-") == 0);
    if (!to_stdout) sweep_print_table(&run);
    rc = run.r.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    if (run.o.json_path && write_output(&run, run.o.json_path, sweep_write_json) != 0)
        rc = CLI_EXIT_FAILURE;
    if (run.o.csv_path && write_output(&run, run.o.csv_path, sweep_write_csv) != 0)
        rc = CLI_EXIT_FAILURE;
    recorded_close(&run.recorded.ref);
    return rc;
}
