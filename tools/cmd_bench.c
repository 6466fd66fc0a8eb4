/*
 * cmd_bench.c - `whygpu bench gemm`: the CPU GEMM against the machine's measured FMA peak,
 * the plain triple loop and OpenBLAS (as Debian ships it, and with OPENBLAS_CORETYPE
 * forced), side by side in one run over square sizes and the shapes the MLP uses.
 *
 * Every product is checked against float64 before its time is trusted. The run goes in
 * rounds: each round times every product, whygpu's and OpenBLAS's, once (one wg_timeit
 * repeat, its calls per repeat found in the first round), and each figure is the median
 * of its rounds. On a shared machine a busy spell then costs each product a round or two,
 * which the median drops, instead of every repeat of the one product it happens to meet.
 * Ratios are of medians measured in this one run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_gemm.h"
#include "cli.h"
#include "kernel_option.h"
#include "progress.h"

#define CMD "bench gemm"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu bench gemm [--sizes N,N,...] [--no-mlp] [--threads N] [--scaling]\n"
            "                         [--loop-max N] [--no-openblas] [--coretype NAME]\n"
            "                         [--min-repeat S] [--rounds N] [--dtype fp32|bf16]\n"
            "                         [--python PATH] [--json] [--no-progress]\n"
            "\n"
            "Times whygpu's CPU GEMM (C = A.B, float32) next to the measured FMA peak of this\n"
            "machine, the plain triple loop, and OpenBLAS loaded at run time (when installed),\n"
            "once with the kernels it picks itself and once with OPENBLAS_CORETYPE forced:\n"
            "Debian's OpenBLAS 0.3.21 may not recognise a newer CPU and fall back to slow\n"
            "kernels. Each product is checked against float64 first. The run goes in rounds,\n"
            "each timing every product once; each figure is the median of its rounds, so a\n"
            "busy spell of the machine costs every product a round rather than one product\n"
            "all its repeats. The peak is read before and after the rounds and the higher\n"
            "reading used; readings more than 10%% apart are reported (the machine was busy).\n"
            "\n"
            "options:\n"
            "  --sizes LIST     square sizes n (n x n times n x n) (default 512,1024,2048,4096)\n"
            "  --no-mlp         skip the shapes of the MLP's layers (batch 256, 784-512-256-10,\n"
            "                   forward A.B, weight gradient A^T.B, input gradient A.B^T)\n"
            "  --threads N      threads for whygpu and OpenBLAS (default: WHYGPU_NUM_THREADS,\n"
            "                   else OpenMP's default)\n"
            "  --scaling        also time whygpu on one thread: the speed-up from threads\n"
            "  --loop-max N     run the triple loop only up to size n = N (default 1024; 0: never)\n"
            "  --no-openblas    do not run OpenBLAS\n"
            "  --coretype NAME  the forced OpenBLAS core type (default SkylakeX)\n"
            "  --min-repeat S   seconds each timed repeat lasts at least (default 0.2)\n"
            "  --rounds N       rounds, each timing every product once (1..21, default 5)\n"
            "  --dtype D        fp32 (default) or bf16: whygpu's fastest bf16 GEMM (bf16 inputs,\n"
            "                   converted before the timing, fp32 accumulation) against the\n"
            "                   CPU bf16 peak (the faster of vdpbf16ps and AMX tdpbf16ps,\n"
            "                   measured), whygpu's fp32 GEMM, PyTorch's bf16 torch.mm (with\n"
            "                   --python) and OpenBLAS's cblas_sbgemm where the installed\n"
            "                   OpenBLAS has it; no triple loop. tf32: the CPU has none\n"
            "  --python PATH    a Python with PyTorch for the bf16 reference, run on\n"
            "                   scripts/compare-torch-gemm.py in rounds alternated with\n"
            "                   whygpu's (default: $WHYGPU_TORCH_PYTHON; none: skipped, said)\n"
            "  --json           print the results as JSON (schema whygpu.bench-gemm/1, docs/json.md)\n"
            "  --no-progress    no progress on stderr\n"
            "\n"
            "WHYGPU_CPU_ISA=avx512|avx2|generic forces whygpu's instruction set; the peak is\n"
            "measured with the same one.\n");
}

static int parse_sizes(const char *text, bench_options *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    o->size_count = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (o->size_count == 16) return cli_usage_error(CMD, "--sizes: at most 16 sizes");
        int64_t n;
        int rc = cli_parse_int(CMD, "--sizes", tok, 1, 46340, &n);
        if (rc) return rc;
        o->sizes[o->size_count++] = n;
    }
    if (o->size_count == 0) return cli_usage_error(CMD, "--sizes: no size given in '%s'", text);
    return 0;
}

static int parse_options(int argc, char **argv, bench_options *o)
{
    static const struct option long_options[] = {
        {"sizes", required_argument, NULL, 's'},    {"no-mlp", no_argument, NULL, 'M'},
        {"threads", required_argument, NULL, 't'},  {"scaling", no_argument, NULL, 'S'},
        {"loop-max", required_argument, NULL, 'l'}, {"no-openblas", no_argument, NULL, 'O'},
        {"coretype", required_argument, NULL, 'c'}, {"min-repeat", required_argument, NULL, 'r'},
        {"rounds", required_argument, NULL, 'R'},   {"json", no_argument, NULL, 'j'},
        {"no-progress", no_argument, NULL, 'P'},    {"dtype", required_argument, NULL, 'D'},
        {"python", required_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    static const int64_t default_sizes[] = {512, 1024, 2048, 4096};
    memset(o, 0, sizeof *o);
    memcpy(o->sizes, default_sizes, sizeof default_sizes);
    o->size_count = 4;
    o->mlp_shapes = 1;
    o->loop_max = 1024;
    o->openblas = 1;
    o->coretype = "SkylakeX";
    o->min_repeat_s = 0.2;
    o->rounds = 5;
    o->progress = 1;
    o->precision = WG_PRECISION_FP32;
    o->python = getenv("WHYGPU_TORCH_PYTHON");
    int64_t value;
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case 's': if ((rc = parse_sizes(optarg, o))) return rc; break;
        case 'M': o->mlp_shapes = 0; break;
        case 't':
            if ((rc = cli_parse_int(CMD, "--threads", optarg, 1, 4096, &value))) return rc;
            o->threads = (int)value;
            break;
        case 'S': o->scaling = 1; break;
        case 'l':
            if ((rc = cli_parse_int(CMD, "--loop-max", optarg, 0, 46340, &value))) return rc;
            o->loop_max = value;
            break;
        case 'O': o->openblas = 0; break;
        case 'c':
            if (!*optarg || strlen(optarg) > 32) return cli_usage_error(CMD, "--coretype: '%s' is not a core type name", optarg);
            o->coretype = optarg;
            break;
        case 'r': {
            char *end = NULL;
            o->min_repeat_s = strtod(optarg, &end);
            if (!end || *end || !(o->min_repeat_s >= 0.01 && o->min_repeat_s <= 10))
                return cli_usage_error(CMD, "--min-repeat: '%s' is not a number of seconds "
                                       "in [0.01, 10]", optarg);
            break;
        }
        case 'R':
            if ((rc = cli_parse_int(CMD, "--rounds", optarg, 1, BENCH_MAX_ROUNDS, &value))) return rc;
            o->rounds = (int)value;
            break;
        case 'D':
            if ((rc = dtype_option_parse(CMD, optarg, &o->precision))) return rc;
            if (o->precision == WG_PRECISION_TF32)
                return cli_usage_error(CMD, "--dtype tf32: the CPU has no tf32 arithmetic; use "
                                       "fp32 or bf16");
            break;
        case 'y':
            if (!*optarg) return cli_usage_error(CMD, "--python needs a path");
            o->python = optarg;
            break;
        case 'j': o->json = 1; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error(CMD, "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (o->precision == WG_PRECISION_BF16) o->loop_max = 0; /* the triple loop is fp32 */
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "openblas-child") == 0 ||
                      strcmp(argv[1], "openblas-sbgemm-child") == 0))
        return bench_openblas_child(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "usage: whygpu bench gemm [OPTIONS]   (see 'whygpu bench gemm --help')\n"
                     "\nbenchmarks:\n  gemm   the CPU GEMM vs the measured FMA peak, the triple "
                     "loop and OpenBLAS\n");
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "gemm") != 0)
        return cli_usage_error("bench", "unknown benchmark '%s' (expected gemm)", argv[1]);
    bench_options o;
    int rc = parse_options(argc - 1, argv + 1, &o);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    static bench_result res;
    progress p;
    progress_begin(&p, "bench gemm", o.progress);
    wg_status status = bench_gemm_run(&o, &p, &res);
    progress_end(&p);
    if (status != WG_OK) {
        fprintf(stderr, "whygpu %s: %s\n", CMD, res.why);
        return CLI_EXIT_FAILURE;
    }
    if (o.json) {
        char command[1024];
        cli_command_line(argc, argv, "bench", command, sizeof command);
        return bench_print_json(&o, &res, command);
    }
    bench_print_table(&o, &res);
    return CLI_EXIT_OK;
}
