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

#define COLUMNS WG_SWEEP_COLUMN_COUNT

typedef struct sweep_options {
    wg_sweep_op op;
    int64_t low, high;
    int points;
    double budget_s;
    wg_device gpu;
    int want_gpu;
    uint64_t seed;
    const wg_kernel *cpu_kernel, *gpu_kernel; /* matmul, --kernel; NULL: auto */
    const char *json_path; /* NULL, "-" (stdout) or a file */
    const char *csv_path;
    int progress;
} sweep_options;

typedef struct sweep_run {
    sweep_options o;
    char command[1024];
    wg_machine_facts machine; /* the GPU columns run when machine.gpu_available */
    wg_sweep_result r;
} sweep_run;

/* ---------------------------------------------------------------- options --------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu sweep [--op OP] [--sizes A:B] [--points N] [--budget T]\n"
            "                    [--device DEV] [--kernel K] [--seed S] [--json FILE|-]\n"
            "                    [--csv FILE|-] [--no-progress]\n"
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
            "  --budget T      time budget of the measurements, e.g. 60s, 2m (default 60s).\n"
            "                  Repeats and repeat lengths shrink to fit it; a size whose\n"
            "                  estimated time would break it is skipped and listed. The\n"
            "                  default matmul run takes under a minute on 2 cores (a CPU\n"
            "                  matmul at n = 4096 takes about a second; at 16384 about 50 s,\n"
            "                  which is why the default stops at 4096)\n"
            "  --device DEV    the GPU: cuda or cuda:N (default cuda); cpu: CPU column only\n"
            "  --kernel K      matmul kernel: auto (default) or a name that 'whygpu kernels'\n"
            "                  lists: a CUDA kernel for the GPU columns, a CPU kernel for the\n"
            "                  CPU column\n"
            "  --seed S        seed of the random inputs (default 42)\n"
            "  --json FILE|-   write the results as JSON (schema whygpu.sweep/1, docs/json.md)\n"
            "                  to FILE, or to stdout instead of the table with '-'\n"
            "  --csv FILE|-    the same as CSV, one row per size\n"
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
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || !isfinite(value)) return -1;
    if (strcmp(end, "") == 0 || strcmp(end, "s") == 0) return value;
    if (strcmp(end, "ms") == 0) return value / 1000.0;
    if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) return value * 60.0;
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
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
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
        case 'j': o->json_path = optarg; break;
        case 'c': o->csv_path = optarg; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("sweep", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("sweep", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("sweep", "unexpected argument '%s'", argv[optind]);
    if (o->json_path && o->csv_path && strcmp(o->json_path, "-") == 0 &&
        strcmp(o->csv_path, "-") == 0)
        return cli_usage_error("sweep", "--json - and --csv - cannot both go to stdout");
    if ((o->json_path && !o->json_path[0]) || (o->csv_path && !o->csv_path[0]))
        return cli_usage_error("sweep", "--json and --csv need a file name or '-'");
    int elementwise = o->op != WG_SWEEP_MATMUL && o->op != WG_SWEEP_MLP_STEP;
    if (!sizes_given) {
        o->low = 1;
        o->high = elementwise ? INT64_C(1) << 26 : 4096;
    }
    if (!points_given) o->points = o->op == WG_SWEEP_MATMUL ? 20 : elementwise ? 27 : 13;
    if (o->low == o->high) o->points = 1;
    return 0;
}

/* ---------------------------------------------------------------- measuring ------- */

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

/* ---------------------------------------------------------------- the table ------- */

static double median_or_nan(const wg_sweep_point *p, int c)
{
    return p->col[c].measured ? p->col[c].cell.time.median_s : NAN;
}

/* A short word for an unmeasured cell in the table. */
static const char *short_reason(const char *reason)
{
    if (strncmp(reason, "no GPU", 6) == 0) return "no GPU";
    if (strncmp(reason, "skipped", 7) == 0) return "budget";
    if (strncmp(reason, "does not fit", 12) == 0) return "no memory";
    if (strncmp(reason, "wrong", 5) == 0) return "WRONG";
    return "failed";
}

static void print_time_cell(const wg_sweep_point *p, int c)
{
    char text[32];
    if (p->col[c].measured)
        printf("  %10s", wg_format_seconds(p->col[c].cell.time.median_s, text, sizeof text));
    else
        printf("  %10s", short_reason(p->col[c].reason));
}

static void print_ratio_cell(double cpu, double gpu)
{
    if (isfinite(cpu) && isfinite(gpu) && gpu > 0)
        printf("  %9.3gx", cpu / gpu);
    else
        printf("  %10s", "-");
}

static void describe_crossover(const sweep_run *run, int c, char *buf, size_t length)
{
    const wg_crossover *x = &run->r.crossover[c];
    const char *unit = wg_sweep_size_name(run->o.op);
    switch (x->state) {
    case WG_CROSSOVER_FOUND:
        snprintf(buf, length, "the GPU wins from %s ~ %.4g (between %" PRId64 " and %" PRId64 ")",
                 unit, x->size, x->below, x->above);
        break;
    case WG_CROSSOVER_GPU_ALWAYS:
        snprintf(buf, length, "the GPU wins at every size measured (from %s = %.0f)", unit,
                 x->size);
        break;
    case WG_CROSSOVER_NEVER:
        snprintf(buf, length, "the GPU does not win up to %s = %.0f, the largest measured", unit,
                 x->size);
        break;
    default:
        snprintf(buf, length, "not measured%s", run->machine.gpu_available ? "" : " (no GPU, see above)");
        break;
    }
}

static void print_table(const sweep_run *run)
{
    const sweep_options *o = &run->o;
    int per_flop = o->op == WG_SWEEP_MATMUL || o->op == WG_SWEEP_MLP_STEP;
    char budget[32], elapsed[32];
    printf("whygpu sweep: %s, CPU against GPU, %d sizes from %" PRId64 " to %" PRId64 ", size = %s\n",
           wg_sweep_op_name(o->op), run->r.count, o->low, o->high, wg_sweep_size_unit(o->op));
    printf("CPU: %s, %d threads, matmul kernel %s\n",
           run->machine.cpu.model[0] ? run->machine.cpu.model : "unknown", run->machine.cpu.omp_threads, run->machine.cpu_kernel);
    if (run->machine.gpu_available)
        printf("GPU: %s (cuda:%d)\n", run->machine.gpu.name, o->gpu.index);
    else
        printf("GPU: none measured: no GPU: %s\n", run->machine.gpu_reason);
    printf("\n%12s  %10s  %10s  %10s  %10s  %10s  %10s\n", wg_sweep_size_name(o->op),
           "CPU", per_flop ? "GFLOP/s" : "GB/s", "GPU", "GPU+copies", "speed-up", "w/ copies");
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        printf("%12" PRId64, p->size);
        print_time_cell(p, WG_SWEEP_CPU);
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        if (isfinite(cpu))
            printf("  %10.3g", (per_flop ? wg_sweep_flops(o->op, p->size)
                                       : wg_sweep_traffic_bytes(o->op, p->size)) / cpu / 1e9);
        else
            printf("  %10s", "-");
        print_time_cell(p, WG_SWEEP_GPU);
        print_time_cell(p, WG_SWEEP_GPU_COPIES);
        print_ratio_cell(cpu, median_or_nan(p, WG_SWEEP_GPU));
        print_ratio_cell(cpu, median_or_nan(p, WG_SWEEP_GPU_COPIES));
        printf("\n");
    }
    printf("\nTimes are per call, the median of the repeats; speed-up = CPU time / GPU time "
           "(above 1x the GPU wins).\n");
    char text[640];
    describe_crossover(run, WG_SWEEP_GPU, text, sizeof text);
    printf("Crossover, data resident on the GPU: %s.\n", text);
    describe_crossover(run, WG_SWEEP_GPU_COPIES, text, sizeof text);
    printf("Crossover, including the copies:    %s.\n", text);
    for (int c = WG_SWEEP_GPU; c < COLUMNS; c++)
        if (isfinite(run->r.best_speedup[c]))
            printf("Largest speed-up %s: %.3gx at %s = %" PRId64 ".\n",
                   c == WG_SWEEP_GPU ? "(data resident)" : "(with copies)", run->r.best_speedup[c],
                   wg_sweep_size_name(o->op), run->r.best_speedup_size[c]);
    int measured = 0, listed = 0;
    double worst = 0;
    for (int i = 0; i < run->r.count; i++)
        for (int c = 0; c < COLUMNS; c++) {
            const wg_sweep_cell_result *r = &run->r.points[i].col[c];
            if (r->measured) {
                measured++;
                if (r->cell.check_error > worst) worst = r->cell.check_error;
            } else if (r->reason[0] && strncmp(r->reason, "no GPU", 6) != 0) {
                if (listed++ == 0) printf("Not measured:\n");
                char label[128];
                wg_sweep_cell_label(o->op, run->r.points[i].size, (wg_sweep_column)c, o->gpu, label,
                                    sizeof label);
                printf("  %s: %s\n", label, r->reason);
            }
        }
    if (o->op == WG_SWEEP_MLP_STEP)
        printf("Results checked before the timing was trusted: %d cells (the GPU's parameters "
               "after one step against the CPU's, largest relative difference %.2g; the CPU's "
               "finite and changed).\n", measured, worst);
    else
        printf("Results checked against float64 before the timing was trusted: %d cells, "
               "largest relative error %.2g.\n", measured, worst);
    printf("Measuring took %s of a %s budget.\n",
           wg_format_seconds(run->r.elapsed_s, elapsed, sizeof elapsed),
           wg_format_seconds(o->budget_s, budget, sizeof budget));
}

/* ---------------------------------------------------------------- JSON and CSV ---- */

static void json_crossover(wg_json *j, const sweep_run *run, int c)
{
    const wg_crossover *x = &run->r.crossover[c];
    wg_json_begin_object(j);
    wg_json_key(j, "state"); wg_json_string(j, wg_crossover_state_name(x->state));
    wg_json_key(j, "size"); wg_json_number(j, x->size);
    wg_json_key(j, "below");
    if (x->state == WG_CROSSOVER_FOUND) wg_json_int(j, x->below); else wg_json_null(j);
    wg_json_key(j, "above");
    if (x->state == WG_CROSSOVER_FOUND) wg_json_int(j, x->above); else wg_json_null(j);
    wg_json_key(j, "valid_points"); wg_json_int(j, x->valid_points);
    wg_json_key(j, "best_speedup"); wg_json_number(j, run->r.best_speedup[c]);
    wg_json_key(j, "best_speedup_size");
    if (run->r.best_speedup_size[c] > 0) wg_json_int(j, run->r.best_speedup_size[c]);
    else wg_json_null(j);
    wg_json_end_object(j);
}

static void json_cell(wg_json *j, const wg_sweep_cell_result *r)
{
    const wg_timeit_result *t = &r->cell.time;
    int timed = r->cell.measured;
    wg_json_begin_object(j);
    wg_json_key(j, "measured"); wg_json_bool(j, r->measured);
    wg_json_key(j, "reason"); wg_json_string(j, r->measured ? NULL : r->reason);
    wg_json_key(j, "median_s"); wg_json_number(j, timed ? t->median_s : NAN);
    wg_json_key(j, "best_s"); wg_json_number(j, timed ? t->best_s : NAN);
    wg_json_key(j, "worst_s"); wg_json_number(j, timed ? t->worst_s : NAN);
    wg_json_key(j, "spread"); wg_json_number(j, timed ? t->spread : NAN);
    wg_json_key(j, "loops");
    if (timed) wg_json_int(j, t->loops); else wg_json_null(j);
    wg_json_key(j, "repeats");
    if (timed) wg_json_int(j, t->repeats); else wg_json_null(j);
    wg_json_key(j, "check_error"); wg_json_number(j, timed ? r->cell.check_error : NAN);
    wg_json_key(j, "check_tolerance"); wg_json_number(j, timed ? r->cell.check_tolerance : NAN);
    wg_json_key(j, "check_passed");
    if (timed) wg_json_bool(j, r->cell.check_passed); else wg_json_null(j);
    wg_json_end_object(j);
}

static int write_json(const sweep_run *run, FILE *out)
{
    const sweep_options *o = &run->o;
    wg_json j;
    wg_json_document_begin(&j, out, "whygpu.sweep/1", run->command, &run->machine);
    wg_json_key(&j, "op"); wg_json_string(&j, wg_sweep_op_name(o->op));
    wg_json_key(&j, "size_unit");
    wg_json_string(&j, wg_sweep_size_unit(o->op));
    wg_json_key(&j, "sizes");
    wg_json_begin_array(&j);
    wg_json_int(&j, o->low);
    wg_json_int(&j, o->high);
    wg_json_end_array(&j);
    wg_json_key(&j, "points_requested"); wg_json_int(&j, o->points);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);
    wg_json_key(&j, "budget_s"); wg_json_number(&j, o->budget_s);
    wg_json_key(&j, "elapsed_s"); wg_json_number(&j, run->r.elapsed_s);
    wg_json_key(&j, "points");
    wg_json_begin_array(&j);
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        wg_json_begin_object(&j);
        wg_json_key(&j, "size"); wg_json_int(&j, p->size);
        wg_json_key(&j, "flops"); wg_json_number(&j, wg_sweep_flops(o->op, p->size));
        wg_json_key(&j, "bytes"); wg_json_number(&j, wg_sweep_traffic_bytes(o->op, p->size));
        for (int c = 0; c < COLUMNS; c++) {
            wg_json_key(&j, wg_sweep_column_key((wg_sweep_column)c));
            json_cell(&j, &p->col[c]);
        }
        wg_json_key(&j, "speedup"); wg_json_number(&j, cpu / median_or_nan(p, WG_SWEEP_GPU));
        wg_json_key(&j, "speedup_with_copies");
        wg_json_number(&j, cpu / median_or_nan(p, WG_SWEEP_GPU_COPIES));
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_key(&j, "crossover");
    wg_json_begin_object(&j);
    wg_json_key(&j, "gpu"); json_crossover(&j, run, WG_SWEEP_GPU);
    wg_json_key(&j, "gpu_with_copies"); json_crossover(&j, run, WG_SWEEP_GPU_COPIES);
    wg_json_end_object(&j);
    wg_json_key(&j, "budget_skips"); wg_json_int(&j, run->r.budget_skips);
    wg_json_key(&j, "passed"); wg_json_bool(&j, !run->r.failed);
    wg_json_end_object(&j);
    return wg_json_finish(&j);
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_text(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double value)
{
    if (isfinite(value)) fprintf(out, "%.6g", value);
}

static int write_csv(const sweep_run *run, FILE *out)
{
    fprintf(out, "op,size,flops,cpu_median_s,gpu_median_s,gpu_with_copies_median_s,speedup,"
                 "speedup_with_copies,cpu_status,gpu_status,gpu_with_copies_status\n");
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        fprintf(out, "%s,%" PRId64 ",%.6g,", wg_sweep_op_name(run->o.op), p->size,
                wg_sweep_flops(run->o.op, p->size));
        for (int c = 0; c < COLUMNS; c++) {
            csv_number(out, median_or_nan(p, c));
            fputc(',', out);
        }
        csv_number(out, cpu / median_or_nan(p, WG_SWEEP_GPU));
        fputc(',', out);
        csv_number(out, cpu / median_or_nan(p, WG_SWEEP_GPU_COPIES));
        for (int c = 0; c < COLUMNS; c++) {
            fputc(',', out);
            csv_text(out, p->col[c].measured ? "ok" : p->col[c].reason);
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* Writes with `writer` to stdout ("-") or to the file at path. 0 on success. */
/* Opens an output before anything is measured, so a bad path costs no measuring: stdout for
 * "-". NULL after saying why. */
static FILE *open_output(const char *path, const char *what)
{
    if (strcmp(path, "-") == 0) return stdout;
    FILE *out = fopen(path, "w");
    if (!out)
        fprintf(stderr, "whygpu sweep: cannot write the %s to '%s': %s\n", what, path,
                strerror(errno));
    return out;
}

/* Writes with `writer` to `out` (opened by open_output) and closes it. 0 on success. */
static int write_output(const sweep_run *run, FILE *out, const char *path, const char *what,
                        int (*writer)(const sweep_run *, FILE *))
{
    int to_stdout = out == stdout;
    int rc = writer(run, out);
    if (to_stdout)
        rc |= fflush(stdout);
    else
        rc |= fclose(out);
    if (rc != 0) fprintf(stderr, "whygpu sweep: writing the %s to '%s' failed\n", what, path);
    return rc;
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
    if (run.o.cpu_kernel) run.machine.cpu_kernel = run.o.cpu_kernel->name;
    if (run.o.gpu_kernel) run.machine.gpu_kernel = run.o.gpu_kernel->name;
    if (status != WG_OK) return cli_failure("sweep", status);
    cli_command_line(argc, argv, "sweep", run.command, sizeof run.command);

    FILE *json_out = run.o.json_path ? open_output(run.o.json_path, "JSON") : NULL;
    FILE *csv_out = run.o.csv_path ? open_output(run.o.csv_path, "CSV") : NULL;
    if ((run.o.json_path && !json_out) || (run.o.csv_path && !csv_out)) {
        if (json_out && json_out != stdout) fclose(json_out);
        if (csv_out && csv_out != stdout) fclose(csv_out);
        return CLI_EXIT_FAILURE;
    }
    cell_progress bar = {.show = run.o.progress && cli_is_tty(2)};
    const wg_sweep_request request = {
        .op = run.o.op, .low = run.o.low, .high = run.o.high, .points = run.o.points,
        .budget_s = run.o.budget_s, .seed = run.o.seed, .gpu = run.o.gpu,
        .gpu_columns = run.machine.gpu_available, .gpu_reason = run.machine.gpu_reason,
        .cpu_kernel = run.o.cpu_kernel, .gpu_kernel = run.o.gpu_kernel, .on_cell = on_cell,
        .progress = on_phase, .context = &bar};
    status = wg_sweep_run(&request, &run.r);
    if (status != WG_OK) return cli_failure("sweep", status);

    int to_stdout = (run.o.json_path && strcmp(run.o.json_path, "-") == 0) ||
                    (run.o.csv_path && strcmp(run.o.csv_path, "-") == 0);
    if (!to_stdout) print_table(&run);
    rc = run.r.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    if (json_out && write_output(&run, json_out, run.o.json_path, "JSON", write_json) != 0)
        rc = CLI_EXIT_FAILURE;
    if (csv_out && write_output(&run, csv_out, run.o.csv_path, "CSV", write_csv) != 0)
        rc = CLI_EXIT_FAILURE;
    return rc;
}
