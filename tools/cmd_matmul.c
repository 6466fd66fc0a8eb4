/*
 * cmd_matmul.c - `whygpu matmul`: one matrix product C = op(A) op(B), one kernel, one
 * device, timed and checked against float64 (C poisoned with NaN first) by wg_op_measure.
 * The kernel is any of the device's registry (`whygpu kernels`), or on a GPU a rung of the
 * matmul ladder by its number.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kernel_option.h"
#include "progress.h"
#include "whygpu_lab.h"

typedef struct matmul_options {
    wg_device device;
    const char *kernel_name;  /* as given; resolved on the device's registry */
    const wg_kernel *kernel;  /* NULL: auto */
    wg_precision precision;   /* --dtype (FP32 unless given) */
    int dtype_given;
    int rung;                 /* --kernel N: the ladder's rung N; 0 none */
    int64_t m, n, k;
    int trans_a, trans_b;
    int repeat;
    uint64_t seed;
    int progress;
} matmul_options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu matmul [--device DEV] [--kernel K] [--dtype D]\n"
            "                     [--size N | --m M --n N --k K]\n"
            "                     [--trans-a] [--trans-b] [--repeat R] [--seed S] [--no-progress]\n"
            "\n"
            "Times one matrix product C = op(A) . op(B) (A, B, C float32, row-major) with one\n"
            "kernel on one device, after checking it against float64 with C poisoned with NaN.\n"
            "\n"
            "options:\n"
            "  --device DEV   cpu, cuda, cuda:N, opencl or opencl:N (default cuda:0)\n"
            "  --kernel K     auto (default), a name that 'whygpu kernels' lists for the\n"
            "                 device, or a rung of the GPU matmul ladder by number (CUDA only)\n"
            "  --dtype D      fp32 (default), tf32 (GPU tensor cores) or bf16 (bf16 inputs,\n"
            "                 fp32 accumulation; CPU and GPU): the device's fastest kernel of\n"
            "                 that precision unless --kernel names one, which must match. The\n"
            "                 inputs are converted once before the timing; the check uses the\n"
            "                 precision's error bound\n"
            "  --size N       m = n = k = N (default 2048)\n"
            "  --m M, --n N, --k K   the sizes one by one (op(A) is MxK, op(B) KxN)\n"
            "  --trans-a      A is stored K x M and used transposed\n"
            "  --trans-b      B is stored N x K and used transposed\n"
            "  --repeat R     timed repeats (default: 7, fewer for long calls)\n"
            "  --seed S       seed of the random matrices (default 42)\n"
            "  --no-progress  no progress on stderr\n"
            "  -h, --help     this help\n"
            "\n"
            "exit status: 0 measured and the check passed, 1 failure, failed check or absent\n"
            "device, 2 bad usage\n");
}

/* --kernel: a name, resolved on the device's registry once --device is known, or a rung
 * number of the GPU ladder. */
static int parse_kernel(const char *text, matmul_options *o)
{
    char *end = NULL;
    long rung = strtol(text, &end, 10);
    if (end != text && *end == '\0') {
        for (int i = 0; i < wg_kernel_count(WG_DEVICE_CUDA); i++)
            if (wg_kernel_at(WG_DEVICE_CUDA, i)->rung == rung) {
                o->rung = (int)rung;
                o->kernel_name = wg_kernel_at(WG_DEVICE_CUDA, i)->name;
                return 0;
            }
        return cli_usage_error("matmul", "--kernel %s: the GPU matmul ladder has no rung %s",
                               text, text);
    }
    o->kernel_name = text;
    o->rung = 0;
    return 0;
}

static int parse_options(int argc, char **argv, matmul_options *o)
{
    static const struct option longs[] = {
        {"device", required_argument, NULL, 'd'}, {"kernel", required_argument, NULL, 'K'},
        {"size", required_argument, NULL, 's'},   {"m", required_argument, NULL, 'm'},
        {"n", required_argument, NULL, 'n'},      {"k", required_argument, NULL, 'k'},
        {"trans-a", no_argument, NULL, 'a'},      {"trans-b", no_argument, NULL, 'b'},
        {"repeat", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 'S'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {"dtype", required_argument, NULL, 'D'},  {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->device = (wg_device){WG_DEVICE_CUDA, 0};
    o->kernel_name = "auto";
    o->kernel = NULL;
    o->m = o->n = o->k = 2048;
    o->seed = 42;
    o->progress = 1;
    int size_given = 0, dims_given = 0;
    optind = 1;
    opterr = 0;
    int c;
    int64_t value = 0;
    const int64_t max_dim = (int64_t)1 << 24;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (wg_device_parse(optarg, &o->device) != WG_OK)
                return cli_usage_error("matmul", "--device: %s", wg_error_message());
            break;
        case 'K':
            if (parse_kernel(optarg, o)) return CLI_EXIT_USAGE;
            break;
        case 's':
            if (cli_parse_int("matmul", "--size", optarg, 1, max_dim, &value)) return CLI_EXIT_USAGE;
            o->m = o->n = o->k = value;
            size_given = 1;
            break;
        case 'm': case 'n': case 'k': {
            const char name[] = {'-', '-', (char)c, '\0'};
            if (cli_parse_int("matmul", name, optarg, 1, max_dim, &value)) return CLI_EXIT_USAGE;
            if (c == 'm') o->m = value; else if (c == 'n') o->n = value; else o->k = value;
            dims_given = 1;
            break;
        }
        case 'a': o->trans_a = 1; break;
        case 'b': o->trans_b = 1; break;
        case 'r':
            if (cli_parse_int("matmul", "--repeat", optarg, 1, WG_TIMEIT_MAX_REPEAT, &value))
                return CLI_EXIT_USAGE;
            o->repeat = (int)value;
            break;
        case 'S':
            if (cli_parse_int("matmul", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->seed = (uint64_t)value;
            break;
        case 'P': o->progress = 0; break;
        case 'D':
            if (dtype_option_parse("matmul", optarg, &o->precision)) return CLI_EXIT_USAGE;
            o->dtype_given = 1;
            break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("matmul", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("matmul", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("matmul", "unexpected argument '%s'", argv[optind]);
    if (size_given && dims_given)
        return cli_usage_error("matmul", "give --size or --m/--n/--k, not both");
    if (o->rung && o->device.kind != WG_DEVICE_CUDA)
        return cli_usage_error("matmul", "--kernel %d: ladder rungs run on CUDA devices only",
                               o->rung);
    o->kernel = NULL;
    if (strcmp(o->kernel_name, "auto") != 0 &&
        wg_kernel_find(o->device.kind, o->kernel_name, &o->kernel) != WG_OK)
        return cli_usage_error("matmul", "--kernel: %s", wg_error_message());
    return kernel_option_resolve("matmul", o->device, o->precision, o->dtype_given, &o->kernel);
}

/* Times and checks the product with wg_op_measure, progress on stderr. */
static wg_status run(const matmul_options *o, wg_op_result *r)
{
    const wg_op op = {.kind = WG_OP_MATMUL, .m = o->m, .n = o->n, .k = o->k,
                      .trans_a = o->trans_a, .trans_b = o->trans_b, .seed = o->seed};
    progress p;
    progress_begin(&p, "matmul", o->progress);
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = o->repeat;
    t.progress = progress_on_phase;
    t.progress_context = &p;
    const wg_op_run how = {.device = o->device, .kernel = o->kernel, .timing = &t};
    wg_op_inputs inputs;
    wg_status status = wg_op_inputs_create(&op, &inputs);
    if (status == WG_OK) status = wg_op_measure(&inputs, &how, r);
    wg_op_inputs_free(&inputs);
    progress_end(&p);
    return status;
}

int cmd_matmul(int argc, char **argv)
{
    matmul_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc) return rc;
    wg_status status = wg_device_check(o.device);
    if (status != WG_OK) return cli_failure("matmul", status);
    /* everything the run will hold, checked before any of it is allocated */
    const wg_op op = {.kind = WG_OP_MATMUL, .m = o.m, .n = o.n, .k = o.k,
                      .trans_a = o.trans_a, .trans_b = o.trans_b,
                      .precision = o.kernel ? o.kernel->precision : o.precision};
    wg_memory_plan plan;
    wg_memory_plan_init(&plan);
    status = wg_op_memory_plan(&op, &o.device, 1, &plan);
    if (status == WG_OK) status = wg_memory_plan_check(&plan);
    if (status != WG_OK) return cli_failure("matmul", status);
    if (!o.rung) cli_warn_long_matmul("matmul", o.device, o.kernel, o.m, o.n, o.k, o.repeat);
    wg_op_result r;
    status = run(&o, &r);
    if (status != WG_OK) return cli_failure("matmul", status);
    char device[32], t[32], kernel[64];
    wg_device_format(o.device, device, sizeof device);
    wg_format_seconds(r.time.median_s, t, sizeof t);
    if (r.kernel->rung)
        snprintf(kernel, sizeof kernel, "ladder rung %d (%s)", r.kernel->rung, r.kernel->name);
    else
        snprintf(kernel, sizeof kernel, "%s", o.kernel ? r.kernel->name : "auto");
    const double flops = 2.0 * (double)o.m * (double)o.n * (double)o.k;
    printf("matmul %s . %s, m=%" PRId64 " n=%" PRId64 " k=%" PRId64 " on %s, kernel %s, "
           "precision %s\n", o.trans_a ? "A^T" : "A", o.trans_b ? "B^T" : "B", o.m, o.n, o.k,
           device, kernel, wg_precision_name(r.kernel->precision));
    printf("time %s (median of %d repeats of %" PRId64 " calls, spread %.1f%%%s), %.4g TFLOP/s\n", t,
           r.time.repeats, r.time.loops, 100.0 * r.time.spread,
           r.time.spread_warning ? ", large" : "", flops / r.time.median_s / 1e12);
    char checked[64];
    if (r.check_full) snprintf(checked, sizeof checked, "every element");
    else snprintf(checked, sizeof checked, "%" PRId64 " sampled elements", r.check_samples);
    printf("check: relative error %.2e vs float64 over %s (bound %.0e), %" PRId64
           " elements not finite: %s\n",
           r.check_error, checked, r.check_bound, r.not_finite, r.check_passed ? "ok" : "FAILED");
    return r.check_passed ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
