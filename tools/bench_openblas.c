/*
 * bench_openblas.c - OpenBLAS as the reference in `whygpu bench gemm`, loaded at run time
 * (dlopen: optional, nothing to link) in a child process of whygpu itself.
 *
 * Why a child: OpenBLAS picks its kernels once, when it loads, from the CPU or from
 * OPENBLAS_CORETYPE. Debian's 0.3.21 may pick the wrong ones for a new CPU; showing its
 * default and a forced core type side by side in one benchmark needs two fresh loads, so
 * each runs in `whygpu bench openblas-child` with its own environment, and reports one line
 * per shape on a pipe. The child times with the same wg_timeit as everything else: one
 * repeat per shape per round (a child per round), the calls per repeat found in the
 * first round and reused, as for whygpu's own products.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_gemm.h"
#include "cli.h"

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

typedef void (*cblas_sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k,
                               float alpha, const float *a, int lda, const float *b, int ldb,
                               float beta, float *c, int ldc);
/* OpenBLAS's bf16 GEMM (built with BUILD_BFLOAT16): bf16 A and B, float C. */
typedef void (*cblas_sbgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k,
                                float alpha, const wg_bf16 *a, int lda, const wg_bf16 *b,
                                int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int threads);
typedef char *(*corename_fn)(void);

typedef struct child_call {
    cblas_sgemm_fn sgemm;
    cblas_sbgemm_fn sbgemm;          /* set: the bf16 product on a16, b16 */
    const wg_bf16 *a16, *b16;
    const wg_gemm_args *g;
} child_call;

static wg_status call_sgemm(void *context)
{
    const child_call *c = context;
    const wg_gemm_args *g = c->g;
    const int ta = g->trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS;
    const int tb = g->trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS;
    if (c->sbgemm)
        c->sbgemm(CBLAS_ROW_MAJOR, ta, tb, (int)g->m, (int)g->n, (int)g->k, g->alpha, c->a16,
                  (int)g->lda, c->b16, (int)g->ldb, g->beta, g->c, (int)g->ldc);
    else
        c->sgemm(CBLAS_ROW_MAJOR, ta, tb, (int)g->m, (int)g->n, (int)g->k, g->alpha, g->a,
                 (int)g->lda, g->b, (int)g->ldb, g->beta, g->c, (int)g->ldc);
    return WG_OK;
}

/* bf16 copies (rounded to nearest even) of a shape's stored A and B; NULL when out of
 * memory. */
static wg_bf16 *bf16_copy(const float *x, int64_t count)
{
    wg_bf16 *copy = malloc((size_t)count * sizeof *copy);
    if (copy) wg_bf16_from_floats(x, copy, count);
    return copy;
}

/* argv: openblas-child THREADS MIN_REPEAT_S M,N,K,TA,TB,LOOPS ... ; prints "core NAME",
 * then "shape I SECONDS ERROR LOOPS" per shape (one timed repeat of LOOPS calls, found
 * when 0), or "error MESSAGE". */
int bench_openblas_child(int argc, char **argv)
{
    const int bf16 = strcmp(argv[0], "openblas-sbgemm-child") == 0;
    if (argc < 3) {
        printf("error internal use only: openblas-child THREADS MIN_REPEAT_S SHAPE...\n");
        return CLI_EXIT_USAGE;
    }
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        printf("error libopenblas is not installed (apt install libopenblas0): %s\n", dlerror());
        return CLI_EXIT_FAILURE;
    }
    cblas_sgemm_fn sgemm;
    set_threads_fn set_threads;
    corename_fn corename;
    *(void **)&sgemm = dlsym(lib, "cblas_sgemm");
    *(void **)&set_threads = dlsym(lib, "openblas_set_num_threads");
    *(void **)&corename = dlsym(lib, "openblas_get_corename");
    if (!sgemm) {
        printf("error the OpenBLAS found has no cblas_sgemm\n");
        return CLI_EXIT_FAILURE;
    }
    cblas_sbgemm_fn sbgemm = NULL;
    if (bf16) {
        *(void **)&sbgemm = dlsym(lib, "cblas_sbgemm");
        if (!sbgemm) {
            printf("error the installed OpenBLAS has no cblas_sbgemm (built without "
                   "BUILD_BFLOAT16)\n");
            return CLI_EXIT_FAILURE;
        }
    }
    const int threads = atoi(argv[1]);
    if (set_threads && threads > 0) set_threads(threads);
    printf("core %s\n", corename ? corename() : "unknown");
    fflush(stdout);
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.min_repeat_s = atof(argv[2]);
    options.repeat = 1;
    for (int i = 3; i < argc; i++) {
        bench_shape s;
        memset(&s, 0, sizeof s);
        int64_t loops = -1;
        if (sscanf(argv[i], "%" SCNd64 ",%" SCNd64 ",%" SCNd64 ",%d,%d,%" SCNd64, &s.m, &s.n,
                   &s.k, &s.trans_a, &s.trans_b, &loops) != 6 || loops < 0) {
            printf("error bad shape '%s'\n", argv[i]);
            return CLI_EXIT_USAGE;
        }
        bench_operands o;
        wg_status status = bench_operands_make(&s, 1000 + (uint64_t)i, &o);
        wg_timeit_result r;
        child_call call = {sgemm, sbgemm, NULL, NULL, &o.args};
        wg_bf16 *a16 = NULL, *b16 = NULL;
        if (status == WG_OK && bf16) {
            call.a16 = a16 = bf16_copy(o.args.a, wg_tensor_numel(o.a));
            call.b16 = b16 = bf16_copy(o.args.b, wg_tensor_numel(o.b));
            if (!a16 || !b16) {
                printf("error no memory for the bf16 copies of %s\n", argv[i]);
                status = WG_ERR_NO_MEMORY;
            }
        }
        options.loops = loops;
        if (status == WG_OK) status = wg_timeit(wg_cpu(), call_sgemm, &call, &options, &r);
        if (status != WG_OK) {
            if (status != WG_ERR_NO_MEMORY) printf("error %s\n", wg_error_message());
            free(a16);
            free(b16);
            bench_operands_free(&o);
            return CLI_EXIT_FAILURE;
        }
        free(a16);
        free(b16);
        printf("shape %d %.9g %.3g %" PRId64 "\n", i - 3, r.median_s,
               wg_gemm_sampled_error(&o.args, 64, 7), r.loops);
        fflush(stdout);
        bench_operands_free(&o);
    }
    return CLI_EXIT_OK;
}

void bench_openblas_round(const char *self, const char *coretype, int threads, int bf16,
                          const bench_shape *shapes, int count, double min_repeat_s,
                          bench_openblas *out)
{
    if (out->why[0]) return; /* an earlier round failed */
    const int round = out->rounds;
    if (round >= BENCH_MAX_ROUNDS || count > BENCH_MAX_SHAPES) {
        snprintf(out->why, sizeof out->why, "at most %d rounds of %d shapes", BENCH_MAX_ROUNDS,
                 BENCH_MAX_SHAPES);
        return;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(out->why, sizeof out->why, "pipe failed: %s", strerror(errno));
        return;
    }
    char thread_text[16], repeat_text[32];
    char shape_text[BENCH_MAX_SHAPES][96];
    char *args[BENCH_MAX_SHAPES + 6];
    int n = 0;
    snprintf(thread_text, sizeof thread_text, "%d", threads);
    snprintf(repeat_text, sizeof repeat_text, "%g", min_repeat_s);
    args[n++] = (char *)"whygpu";
    args[n++] = (char *)"bench";
    args[n++] = (char *)(bf16 ? "openblas-sbgemm-child" : "openblas-child");
    args[n++] = thread_text;
    args[n++] = repeat_text;
    for (int i = 0; i < count && i < BENCH_MAX_SHAPES; i++) {
        snprintf(shape_text[i], sizeof shape_text[i],
                 "%" PRId64 ",%" PRId64 ",%" PRId64 ",%d,%d,%" PRId64, shapes[i].m, shapes[i].n,
                 shapes[i].k, shapes[i].trans_a, shapes[i].trans_b, round > 0 ? out->loops[i] : 0);
        args[n++] = shape_text[i];
    }
    args[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(out->why, sizeof out->why, "fork failed: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
        else unsetenv("OPENBLAS_CORETYPE");
        snprintf(thread_text, sizeof thread_text, "%d", threads);
        setenv("OPENBLAS_NUM_THREADS", thread_text, 1);
        execv(self, args);
        printf("error cannot run %s: %s\n", self, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[512];
    int shapes_seen = 0;
    while (in && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        int index;
        double seconds, error;
        int64_t loops;
        if (strncmp(line, "core ", 5) == 0) {
            snprintf(out->core, sizeof out->core, "%.60s", line + 5);
        } else if (sscanf(line, "shape %d %lg %lg %" SCNd64, &index, &seconds, &error, &loops) == 4 &&
                   index >= 0 && index < count) {
            out->round_s[index][round] = seconds;
            if (round == 0 || error > out->error[index]) out->error[index] = error;
            out->loops[index] = loops;
            shapes_seen++;
        } else if (strncmp(line, "error ", 6) == 0) {
            snprintf(out->why, sizeof out->why, "%.200s", line + 6);
        }
    }
    if (in) fclose(in);
    else close(fds[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (!out->why[0] && !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0))
        snprintf(out->why, sizeof out->why, "the OpenBLAS run ended abnormally (status %d)",
                 wstatus);
    if (!out->why[0] && shapes_seen != count)
        snprintf(out->why, sizeof out->why, "the OpenBLAS run reported %d of %d shapes",
                 shapes_seen, count);
    if (!out->why[0]) out->rounds++;
}

void bench_openblas_finish(bench_openblas *out, int rounds, int count)
{
    out->ok = !out->why[0] && rounds > 0 && out->rounds == rounds;
    if (!out->ok && !out->why[0])
        snprintf(out->why, sizeof out->why, "ran %d of %d rounds", out->rounds, rounds);
    for (int i = 0; i < count && i < BENCH_MAX_SHAPES; i++)
        out->median_s[i] = out->ok ? wg_median(out->round_s[i], rounds) : NAN;
}
