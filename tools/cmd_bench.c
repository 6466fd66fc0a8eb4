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
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/error.h"
#include "../src/measure/measure.h"
#include "../src/report/json_writer.h"
#include "bench_gemm.h"
#include "cli.h"
#include "progress.h"

#define CMD "bench gemm"

typedef struct bench_options {
    int64_t sizes[16];
    int size_count;
    int mlp_shapes;
    int threads;
    int64_t loop_max;     /* the triple loop runs up to this size (0: never) */
    int openblas;
    const char *coretype; /* the forced OpenBLAS core type */
    int scaling;          /* also time ours on one thread */
    double min_repeat_s;
    int rounds;
    int json;
    int progress;
} bench_options;

/* One implementation on one shape, round by round. */
typedef struct bench_cell {
    int64_t loops; /* calls per timed repeat, found in the first round */
    double round_s[BENCH_MAX_ROUNDS];
} bench_cell;

typedef struct bench_row {
    bench_shape shape;
    bench_cell ours, one, loop;
    double ours_s, ours_error, ours_one_s, loop_s, loop_error; /* medians of the rounds */
} bench_row;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu bench gemm [--sizes N,N,...] [--no-mlp] [--threads N] [--scaling]\n"
            "                         [--loop-max N] [--no-openblas] [--coretype NAME]\n"
            "                         [--min-repeat S] [--rounds N] [--json] [--no-progress]\n"
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
        {"no-progress", no_argument, NULL, 'P'},
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
        case 'j': o->json = 1; break;
        case 'P': o->progress = 0; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error(CMD, "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static int make_shapes(const bench_options *o, bench_shape *shapes)
{
    int count = 0;
    for (int i = 0; i < o->size_count; i++) {
        bench_shape *s = &shapes[count++];
        memset(s, 0, sizeof *s);
        s->m = s->n = s->k = o->sizes[i];
        snprintf(s->label, sizeof s->label, "%" PRId64 "^3", o->sizes[i]);
    }
    if (o->mlp_shapes) {
        /* batch 256 through 784-512-256-10: forward X.W, weight gradient X^T.dY, input
         * gradient dY.W^T, for the first and the last layer */
        static const struct { int64_t m, n, k; int ta, tb; const char *label; } mlp[] = {
            {256, 512, 784, 0, 0, "fc1 fwd X.W"},   {784, 512, 256, 1, 0, "fc1 dW X^T.dY"},
            {256, 512, 256, 0, 1, "fc2 dX dY.W^T"}, {256, 256, 512, 0, 0, "fc2 fwd X.W"},
            {256, 10, 256, 0, 0, "fc3 fwd X.W"},    {256, 10, 256, 1, 0, "fc3 dW X^T.dY"},
            {256, 256, 10, 0, 1, "fc3 dX dY.W^T"},
        };
        for (size_t i = 0; i < sizeof mlp / sizeof mlp[0]; i++) {
            bench_shape *s = &shapes[count++];
            s->m = mlp[i].m, s->n = mlp[i].n, s->k = mlp[i].k;
            s->trans_a = mlp[i].ta, s->trans_b = mlp[i].tb;
            snprintf(s->label, sizeof s->label, "%s", mlp[i].label);
        }
    }
    return count;
}

typedef struct gemm_call {
    const wg_kernel *kernel; /* NULL: auto */
    const wg_gemm_args *args;
} gemm_call;

static wg_status call_gemm(void *context)
{
    const gemm_call *c = context;
    return wg_gemm_on(wg_cpu(), c->kernel, c->args);
}

/* The registry's CPU triple loop (always registered). */
static const wg_kernel *triple_loop(void)
{
    const wg_kernel *kernel = NULL;
    return wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &kernel) == WG_OK ? kernel : NULL;
}

static double gflops(const bench_shape *s, double seconds)
{
    return seconds > 0 ? 2.0 * (double)s->m * (double)s->n * (double)s->k / seconds / 1e9 : NAN;
}

/* One round of one kernel on one shape: a timed repeat (the calls per repeat found in the
 * first round, then reused) into cell->round_s[round]; the result is checked first. */
static wg_status time_kernel(const bench_options *o, progress *p, const bench_shape *s,
                             const wg_kernel *kernel, int threads, int round, bench_cell *cell,
                             double *error)
{
    bench_operands ops;
    wg_status status = bench_operands_make(s, 42, &ops);
    if (status != WG_OK) return status;
    wg_set_cpu_threads(threads);
    gemm_call call = {kernel, &ops.args};
    status = call_gemm(&call);
    if (status == WG_OK) {
        const double e = wg_gemm_sampled_error(&ops.args, 64, 9);
        if (round == 0 || !(e <= *error)) *error = e; /* the worst round's */
        if (!(e <= wg_matmul_fp32_tolerance(s->k)))
            status = wg_fail(WG_ERR_BACKEND, "%s (%" PRId64 "x%" PRId64 "x%" PRId64
                             ") with the %s kernel differs from float64 by %.3g (bound %.3g): "
                             "not timed", s->label, s->m, s->n, s->k,
                             kernel ? kernel->name : "auto", e, wg_matmul_fp32_tolerance(s->k));
    }
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.min_repeat_s = o->min_repeat_s;
    options.repeat = 1;
    options.loops = round == 0 ? 0 : cell->loops;
    /* phase by phase on a terminal; one line per product in a log */
    options.progress = p->tty ? progress_on_phase : NULL;
    options.progress_context = p;
    if (!p->tty) progress_on_phase(p, kernel ? "triple loop" :
                                   threads == 1 ? "whygpu, 1 thread" : "whygpu", 0, 0, 0);
    wg_timeit_result r;
    if (status == WG_OK) status = wg_timeit(wg_cpu(), call_gemm, &call, &options, &r);
    if (status == WG_OK) {
        cell->loops = r.loops;
        cell->round_s[round] = r.median_s;
    }
    wg_set_cpu_threads(0);
    bench_operands_free(&ops);
    return status;
}

static double ratio(double ours_s, double other_s)
{
    return ours_s > 0 && other_s > 0 ? other_s / ours_s : NAN;
}

/* The FMA peak, read before and after whygpu's products (all threads and one core). */
typedef struct bench_peak {
    double start, end, one_start, one_end;
    double all, one; /* the higher of each pair: what %peak divides by */
    int settled;     /* the two all-thread readings within 10% of each other */
} bench_peak;

static void bench_peak_settle(bench_peak *p)
{
    p->all = p->start > p->end ? p->start : p->end;
    p->one = p->one_start > p->one_end ? p->one_start : p->one_end;
    const double low = p->start < p->end ? p->start : p->end;
    p->settled = p->all > 0 && low >= 0.9 * p->all;
}

static void print_table(const bench_options *o, const char *isa, int threads,
                        const bench_peak *bp, const bench_row *rows, int count,
                        const bench_openblas *ob_default, const bench_openblas *ob_forced)
{
    const double peak = bp->all;
    printf("whygpu GEMM (%s, %d thread%s) on this CPU; measured FMA peak %.1f GFLOP/s "
           "(%.1f on one core)\n", isa, threads, threads == 1 ? "" : "s", peak, bp->one);
    if (!bp->settled)
        printf("note: the FMA peak read %.1f GFLOP/s before whygpu's products and %.1f after "
               "(more than 10%% apart):\nthe machine was busy during this run; the higher is "
               "used. Rerun for firm numbers.\n", bp->start, bp->end);
    printf("\n");
    char ob1[64], ob2[64];
    snprintf(ob1, sizeof ob1, "OpenBLAS %.40s", ob_default->ok ? ob_default->core : "(as shipped)");
    snprintf(ob2, sizeof ob2, "OpenBLAS %.40s", ob_forced->ok ? ob_forced->core : o->coretype);
    printf("%-16s %-16s %9s %6s", "shape", "m x n x k", "GFLOP/s", "%peak");
    if (o->scaling) printf(" %9s %7s", "1 thread", "speedup");
    if (o->loop_max > 0) printf(" %11s", "loop GF/s");
    if (o->openblas) printf(" %22s %22s", ob1, ob2);
    printf("\n");
    for (int i = 0; i < count; i++) {
        const bench_row *r = &rows[i];
        char dims[48];
        snprintf(dims, sizeof dims, "%" PRId64 "x%" PRId64 "x%" PRId64 "%s", r->shape.m,
                 r->shape.n, r->shape.k,
                 r->shape.trans_a ? (r->shape.trans_b ? " TT" : " TN") : (r->shape.trans_b ? " NT" : ""));
        const double g = gflops(&r->shape, r->ours_s);
        printf("%-16s %-16s %9.1f %5.0f%%", r->shape.label, dims, g, 100.0 * g / peak);
        if (o->scaling) printf(" %9.1f %6.2fx", gflops(&r->shape, r->ours_one_s), r->ours_one_s / r->ours_s);
        if (o->loop_max > 0) {
            if (r->loop_s > 0) printf(" %11.1f", gflops(&r->shape, r->loop_s));
            else printf(" %11s", "-");
        }
        const bench_openblas *obs[2] = {ob_default, ob_forced};
        for (int b = 0; o->openblas && b < 2; b++) {
            if (obs[b]->ok) {
                char cell[48];
                snprintf(cell, sizeof cell, "%.1f (ours %.2fx)", gflops(&r->shape, obs[b]->median_s[i]),
                         ratio(r->ours_s, obs[b]->median_s[i]));
                printf(" %22s", cell);
            } else {
                printf(" %22s", "-");
            }
        }
        printf("\n");
    }
    if (o->openblas) {
        if (!ob_default->ok) printf("\nOpenBLAS (as shipped) not run: %s\n", ob_default->why);
        if (!ob_forced->ok) printf("OpenBLAS (%s) not run: %s\n", o->coretype, ob_forced->why);
        if (ob_default->ok || ob_forced->ok)
            printf("\n\"ours 1.25x\" = whygpu is 1.25 times as fast as that OpenBLAS on that shape "
                   "(medians, this run).\n");
    }
    printf("Each figure is the median of %d round%s; each round timed every product once.\n",
           o->rounds, o->rounds == 1 ? "" : "s");
    printf("%%peak = whygpu's rate / the FMA peak measured above with the same instruction set "
           "and threads.\n");
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

static int print_json(const bench_options *o, const char *isa, int threads,
                      const bench_peak *bp, const bench_row *rows, int count,
                      const bench_openblas *ob_default, const bench_openblas *ob_forced)
{
    const double peak = bp->all;
    wg_cpu_info info;
    if (wg_cpu_info_get(&info) != WG_OK) memset(&info, 0, sizeof info);
    wg_json j;
    wg_json_init(&j, stdout);
    wg_json_begin_object(&j);
    wg_json_key(&j, "schema"); wg_json_string(&j, "whygpu.bench-gemm/1");
    wg_json_key(&j, "cpu"); wg_json_string(&j, info.model);
    wg_json_key(&j, "isa"); wg_json_string(&j, isa);
    wg_json_key(&j, "threads"); wg_json_int(&j, threads);
    wg_json_key(&j, "fma_peak_gflops"); wg_json_number(&j, peak);
    wg_json_key(&j, "fma_peak_one_core_gflops"); wg_json_number(&j, bp->one);
    wg_json_key(&j, "fma_peak_start_gflops"); wg_json_number(&j, bp->start);
    wg_json_key(&j, "fma_peak_end_gflops"); wg_json_number(&j, bp->end);
    wg_json_key(&j, "fma_peak_settled"); wg_json_bool(&j, bp->settled);
    wg_json_key(&j, "rounds"); wg_json_int(&j, o->rounds);
    wg_json_key(&j, "shapes");
    wg_json_begin_array(&j);
    for (int i = 0; i < count; i++) {
        const bench_row *r = &rows[i];
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
        wg_json_key(&j, "gflops"); wg_json_number(&j, gflops(&r->shape, r->ours_s));
        wg_json_key(&j, "peak_fraction"); wg_json_number(&j, gflops(&r->shape, r->ours_s) / peak);
        wg_json_key(&j, "error"); wg_json_number(&j, r->ours_error);
        if (o->scaling) {
            wg_json_key(&j, "one_thread_median_s"); wg_json_number(&j, r->ours_one_s);
            wg_json_key(&j, "thread_speedup"); wg_json_number(&j, r->ours_one_s / r->ours_s);
        }
        wg_json_key(&j, "loop_median_s");
        if (r->loop_s > 0) wg_json_number(&j, r->loop_s); else wg_json_null(&j);
        if (o->openblas) {
            json_openblas(&j, "openblas_default", ob_default, NULL, i, r->ours_s);
            json_openblas(&j, "openblas_forced", ob_forced, o->coretype, i, r->ours_s);
        }
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_end_object(&j);
    return wg_json_finish(&j) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* The triple loop runs only on shapes whose largest side is at most --loop-max. */
static int loop_runs(const bench_options *o, const bench_shape *s)
{
    const int64_t a = s->m > s->n ? s->m : s->n, largest = a > s->k ? a : s->k;
    return largest <= o->loop_max;
}

int cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "openblas-child") == 0)
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

    const char *isa = NULL;
    wg_status status = wg_cpu_matmul_isa(&isa);
    if (status != WG_OK) return cli_failure(CMD, status);
    const int threads = o.threads > 0 ? o.threads : wg_cpu_threads();
    bench_shape shapes[BENCH_MAX_SHAPES];
    const int count = make_shapes(&o, shapes);
    bench_row rows[BENCH_MAX_SHAPES];
    memset(rows, 0, sizeof rows);

    progress p;
    progress_begin(&p, "bench gemm", o.progress);
    bench_peak peak;
    memset(&peak, 0, sizeof peak);
    if (o.progress) progress_on_phase(&p, "FMA peak", 0, 0, 1.0);
    status = wg_cpu_fma_peak(isa, threads, 0.2, &peak.start);
    if (status == WG_OK) status = wg_cpu_fma_peak(isa, 1, 0.2, &peak.one_start);
    bench_openblas ob_default, ob_forced;
    memset(&ob_default, 0, sizeof ob_default);
    memset(&ob_forced, 0, sizeof ob_forced);
    char self[4096] = "";
    if (o.openblas) {
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len > 0) {
            self[len] = '\0';
        } else {
            snprintf(ob_default.why, sizeof ob_default.why, "cannot find this program's path");
            snprintf(ob_forced.why, sizeof ob_forced.why, "cannot find this program's path");
        }
    }
    for (int i = 0; i < count; i++) rows[i].shape = shapes[i];
    for (int round = 0; status == WG_OK && round < o.rounds; round++) {
        for (int i = 0; status == WG_OK && i < count; i++) {
            bench_row *r = &rows[i];
            if (o.progress)
                snprintf(p.label, sizeof p.label, "bench gemm, round %d/%d: %s", round + 1,
                         o.rounds, shapes[i].label);
            status = time_kernel(&o, &p, &shapes[i], NULL, threads, round, &r->ours,
                                 &r->ours_error);
            if (status == WG_OK && o.scaling)
                status = time_kernel(&o, &p, &shapes[i], NULL, 1, round, &r->one,
                                     &r->ours_error);
            if (status == WG_OK && loop_runs(&o, &shapes[i]))
                status = time_kernel(&o, &p, &shapes[i], triple_loop(), threads, round,
                                     &r->loop, &r->loop_error);
        }
        if (status == WG_OK && o.openblas) {
            if (o.progress)
                snprintf(p.label, sizeof p.label, "bench gemm, round %d/%d", round + 1, o.rounds);
            if (o.progress) progress_on_phase(&p, "OpenBLAS as shipped", 0, 0, 0);
            if (self[0]) bench_openblas_round(self, NULL, threads, shapes, count, o.min_repeat_s,
                                              &ob_default);
            if (o.progress) progress_on_phase(&p, "OpenBLAS forced", 0, 0, 0);
            if (self[0]) bench_openblas_round(self, o.coretype, threads, shapes, count,
                                              o.min_repeat_s, &ob_forced);
        }
    }
    for (int i = 0; status == WG_OK && i < count; i++) {
        bench_row *r = &rows[i];
        r->ours_s = wg_median(r->ours.round_s, o.rounds);
        if (o.scaling) r->ours_one_s = wg_median(r->one.round_s, o.rounds);
        if (loop_runs(&o, &shapes[i])) r->loop_s = wg_median(r->loop.round_s, o.rounds);
    }
    if (o.openblas) {
        bench_openblas_finish(&ob_default, o.rounds, count);
        bench_openblas_finish(&ob_forced, o.rounds, count);
    }
    /* The peak again, now that the products are timed: the peak is a constant of the
     * machine, so the higher reading is the less disturbed one, and two readings far apart
     * say the machine was busy during the run. */
    if (status == WG_OK) {
        if (o.progress) snprintf(p.label, sizeof p.label, "bench gemm");
        if (o.progress) progress_on_phase(&p, "FMA peak again", 0, 0, 1.0);
        status = wg_cpu_fma_peak(isa, threads, 0.2, &peak.end);
        if (status == WG_OK) status = wg_cpu_fma_peak(isa, 1, 0.2, &peak.one_end);
        bench_peak_settle(&peak);
    }
    progress_end(&p);
    if (status != WG_OK) return cli_failure(CMD, status);
    if (o.json) return print_json(&o, isa, threads, &peak, rows, count, &ob_default, &ob_forced);
    print_table(&o, isa, threads, &peak, rows, count, &ob_default, &ob_forced);
    return CLI_EXIT_OK;
}
