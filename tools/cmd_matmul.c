/*
 * cmd_matmul.c - `whygpu matmul`: one matrix product C = op(A) op(B), one kernel, one
 * device: checked against float64 (C poisoned with NaN first), then timed with wg_timeit.
 * The kernel is one of the library's (auto, reference, tiled, cublas) or, on a GPU, a rung
 * of the matmul ladder (1-8 or its name, see `whygpu ladder`).
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/error.h"
#include "../src/ladder.h"
#include "cli.h"
#include "matmul_check.h"
#include "progress.h"

typedef struct matmul_options {
    wg_device device;
    const char *kernel_name;  /* as given; resolved on the device's registry */
    const wg_kernel *kernel;  /* NULL: auto */
    int rung; /* 0: the library kernel above */
    int64_t m, n, k;
    int trans_a, trans_b;
    int repeat;
    uint64_t seed;
    int progress;
} matmul_options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu matmul [--device DEV] [--kernel K] [--size N | --m M --n N --k K]\n"
            "                     [--trans-a] [--trans-b] [--repeat R] [--seed S] [--no-progress]\n"
            "\n"
            "Times one matrix product C = op(A) . op(B) (A, B, C float32, row-major) with one\n"
            "kernel on one device, after checking it against float64 with C poisoned with NaN.\n"
            "\n"
            "options:\n"
            "  --device DEV   cpu, cuda or cuda:N (default cuda:0)\n"
            "  --kernel K     auto (default), reference, tiled, cublas (CUDA only), or a rung\n"
            "                 of the GPU matmul ladder: 1-8 or its name (CUDA only)\n"
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

static int parse_kernel(const char *text, matmul_options *o)
{
    if (wg_kernel_find(WG_DEVICE_CPU, text, &o->kernel) == WG_OK ||
        wg_kernel_find(WG_DEVICE_CUDA, text, &o->kernel) == WG_OK) {
        o->kernel_name = text;
        o->rung = 0;
        return 0;
    }
    if (wg_ladder_parse(text, &o->rung) == WG_OK) return 0;
    return cli_usage_error("matmul", "--kernel '%s': expected auto, reference, tiled, cublas, "
                           "a ladder rung 1-%d or a rung's name", text, WG_LADDER_RUNGS);
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
        {NULL, 0, NULL, 0}};
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
    if (!o->rung && strcmp(o->kernel_name, "auto") != 0 &&
        wg_kernel_find(o->device.kind, o->kernel_name, &o->kernel) != WG_OK)
        return cli_usage_error("matmul", "--kernel: %s", wg_error_message());
    return 0;
}

typedef struct matmul_call {
    const matmul_options *o;
    const wg_gemm_args *args;
    const wg_ladder_inputs *inputs;
} matmul_call;

static wg_status call_matmul(void *context)
{
    const matmul_call *call = context;
    if (call->o->rung)
        return wg_ladder_run_prepared(call->o->rung, 0, call->o->device.index, call->args,
                                      call->inputs);
    return wg_gemm_on(call->o->device, call->o->kernel, call->args);
}

static wg_status run(const matmul_options *o, wg_timeit_result *time, matmul_check_result *check,
                     double *bound, int *full_check)
{
    const int64_t a_shape[2] = {o->trans_a ? o->k : o->m, o->trans_a ? o->m : o->k};
    const int64_t b_shape[2] = {o->trans_b ? o->n : o->k, o->trans_b ? o->k : o->n};
    const int64_t c_shape[2] = {o->m, o->n};
    wg_tensor *a_host = NULL, *b_host = NULL, *a = NULL, *b = NULL, *c = NULL;
    float *c_host = NULL;
    matmul_reference ref = {0};
    wg_ladder_inputs inputs = {0};
    int have_inputs = 0;
    wg_status status = wg_tensor_rand(2, a_shape, -1.0f, 1.0f, o->seed, wg_cpu(), &a_host);
    if (status == WG_OK) status = wg_tensor_rand(2, b_shape, -1.0f, 1.0f, o->seed + 1, wg_cpu(), &b_host);
    if (status == WG_OK) {
        c_host = malloc((size_t)(o->m * o->n) * sizeof *c_host);
        if (!c_host) status = wg_fail(WG_ERR_NO_MEMORY, "allocating C on the host (%" PRId64 "x%" PRId64 ")", o->m, o->n);
    }
    wg_gemm_args args = {.trans_a = o->trans_a, .trans_b = o->trans_b, .m = o->m, .n = o->n,
                         .k = o->k, .alpha = 1.0f, .beta = 0.0f, .lda = a_shape[1],
                         .ldb = b_shape[1], .ldc = o->n};
    if (status == WG_OK) {
        args.a = wg_tensor_host_data(a_host);
        args.b = wg_tensor_host_data(b_host);
        args.c = c_host;
        status = matmul_reference_make(&args, o->seed, &ref);
        if (status != WG_OK) wg_fail(status, "allocating the float64 reference");
        *full_check = ref.full;
    }
    /* C poisoned with NaN, so an element the kernel does not write fails the check */
    if (status == WG_OK) {
        for (int64_t i = 0; i < o->m * o->n; i++) c_host[i] = NAN;
        if (o->device.kind == WG_DEVICE_CPU) {
            a = a_host;
            b = b_host;
        } else {
            status = wg_tensor_to(a_host, o->device, &a);
            if (status == WG_OK) status = wg_tensor_to(b_host, o->device, &b);
        }
    }
    if (status == WG_OK) status = wg_tensor_from_host(2, c_shape, c_host, o->device, &c);
    if (status == WG_OK) {
        args.a = wg_tensor_data(a);
        args.b = wg_tensor_data(b);
        args.c = wg_tensor_data(c);
        if (o->rung) {
            status = wg_ladder_inputs_prepare(o->rung, o->device.index, &args, &inputs);
            have_inputs = status == WG_OK;
        }
    }
    matmul_call call = {o, &args, &inputs};
    if (status == WG_OK) status = call_matmul(&call);
    if (status == WG_OK) status = wg_synchronize(o->device);
    if (status == WG_OK) status = wg_tensor_to_host(c, c_host, o->m * o->n);
    if (status == WG_OK) {
        matmul_check(&ref, c_host, o->m, o->n, o->n, check);
        *bound = o->rung ? wg_ladder_error_bound(wg_ladder_rung_find(o->rung)->precision) : 1e-5;
        progress p;
        progress_begin(&p, "matmul", o->progress);
        wg_timeit_options t;
        wg_timeit_defaults(&t);
        t.repeat = o->repeat;
        t.progress = progress_on_phase;
        t.progress_context = &p;
        status = wg_timeit(o->device, call_matmul, &call, &t, time);
        progress_end(&p);
    }
    if (have_inputs) wg_ladder_inputs_free(&inputs);
    matmul_reference_free(&ref);
    if (a != a_host) wg_tensor_free(a);
    if (b != b_host) wg_tensor_free(b);
    wg_tensor_free(a_host); wg_tensor_free(b_host); wg_tensor_free(c);
    free(c_host);
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
    wg_timeit_result time;
    matmul_check_result check;
    double bound = 0;
    int full_check = 0;
    status = run(&o, &time, &check, &bound, &full_check);
    if (status != WG_OK) return cli_failure("matmul", status);
    char device[32], t[32], kernel[64];
    wg_device_format(o.device, device, sizeof device);
    wg_format_seconds(time.median_s, t, sizeof t);
    if (o.rung)
        snprintf(kernel, sizeof kernel, "ladder rung %d (%s)", o.rung, wg_ladder_rung_find(o.rung)->name);
    else
        snprintf(kernel, sizeof kernel, "%s", o.kernel ? o.kernel->name : "auto");
    const double flops = 2.0 * (double)o.m * (double)o.n * (double)o.k;
    const int passed = check.not_finite == 0 && check.relative_error <= bound;
    printf("matmul %s . %s, m=%" PRId64 " n=%" PRId64 " k=%" PRId64 " on %s, kernel %s\n",
           o.trans_a ? "A^T" : "A", o.trans_b ? "B^T" : "B", o.m, o.n, o.k, device, kernel);
    printf("time %s (median of %d repeats of %" PRId64 " calls, spread %.1f%%%s), %.4g TFLOP/s\n", t,
           time.repeats, time.loops, 100.0 * time.spread, time.spread_warning ? ", large" : "",
           flops / time.median_s / 1e12);
    printf("check: relative error %.2e vs float64 over %s (bound %.0e), %" PRId64
           " elements not finite: %s\n",
           check.relative_error, full_check ? "every element" : "1024 sampled elements", bound,
           check.not_finite, passed ? "ok" : "FAILED");
    return passed ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
