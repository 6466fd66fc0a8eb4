/*
 * bench_torch.c - PyTorch's bf16 torch.mm beside whygpu's bf16 GEMM in `whygpu bench gemm
 * --dtype bf16`: scripts/compare-torch-gemm.py, started once with the Python the user
 * names, asked over a pipe for one timed repeat per shape each round, so PyTorch's rounds
 * alternate with whygpu's in one run and a busy spell of the machine hits both alike.
 * Optional: without a Python (or without PyTorch in it) the column says why.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_gemm.h"

/* One line from the script into buf (no newline); 0 at end of file or error. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t used = 0;
    while (used + 1 < size) {
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (ch == '\n') {
            buf[used] = '\0';
            return 1;
        }
        buf[used++] = ch;
    }
    buf[used] = '\0';
    return used > 0;
}

static void stop(bench_torch *t)
{
    if (t->to >= 0) close(t->to);
    if (t->from >= 0) close(t->from);
    t->to = t->from = -1;
    if (t->pid > 0) {
        int status = 0;
        waitpid(t->pid, &status, 0);
    }
    t->pid = -1;
}

static void fail(bench_torch *t, const char *what)
{
    if (!t->why[0]) snprintf(t->why, sizeof t->why, "%.250s", what);
    if (t->pid > 0) kill(t->pid, SIGTERM);
    stop(t);
}

void bench_torch_start(const char *python, const char *script, int threads, bench_torch *t)
{
    memset(t, 0, sizeof *t);
    t->pid = t->to = t->from = -1;
    if (!python || !python[0]) {
        snprintf(t->why, sizeof t->why, "no Python with PyTorch given (--python PATH or "
                 "WHYGPU_TORCH_PYTHON)");
        return;
    }
    if (access(script, R_OK) != 0) {
        snprintf(t->why, sizeof t->why, "cannot read %.200s: %s", script, strerror(errno));
        return;
    }
    int to[2], from[2];
    if (pipe(to) != 0) {
        snprintf(t->why, sizeof t->why, "pipe failed: %s", strerror(errno));
        return;
    }
    if (pipe(from) != 0) {
        snprintf(t->why, sizeof t->why, "pipe failed: %s", strerror(errno));
        close(to[0]);
        close(to[1]);
        return;
    }
    char thread_text[16];
    snprintf(thread_text, sizeof thread_text, "%d", threads);
    /* a script that dies must fail its column, not kill whygpu with SIGPIPE on a write */
    signal(SIGPIPE, SIG_IGN);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(t->why, sizeof t->why, "fork failed: %s", strerror(errno));
        close(to[0]), close(to[1]), close(from[0]), close(from[1]);
        return;
    }
    if (pid == 0) {
        dup2(to[0], STDIN_FILENO);
        dup2(from[1], STDOUT_FILENO);
        close(to[0]), close(to[1]), close(from[0]), close(from[1]);
        execl(python, python, script, "--threads", thread_text, (char *)NULL);
        printf("error cannot run %s: %s\n", python, strerror(errno));
        fflush(stdout);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    t->pid = pid;
    t->to = to[1];
    t->from = from[0];
    char line[512];
    if (!read_line(t->from, line, sizeof line)) {
        fail(t, "the PyTorch script ended before saying its version");
        return;
    }
    if (strncmp(line, "version ", 8) != 0) {
        fail(t, strncmp(line, "error ", 6) == 0 ? line + 6 : line);
        return;
    }
    snprintf(t->version, sizeof t->version, "%.60s", line + 8);
}

void bench_torch_round(bench_torch *t, const bench_shape *shapes, int count,
                       double min_repeat_s)
{
    if (t->pid < 0) return; /* not started, or an earlier round failed */
    const int round = t->rounds;
    if (round >= BENCH_MAX_ROUNDS || count > BENCH_MAX_SHAPES) {
        fail(t, "too many rounds or shapes");
        return;
    }
    for (int i = 0; i < count; i++) {
        const bench_shape *s = &shapes[i];
        char request[256], line[512];
        int length = snprintf(request, sizeof request,
                              "shape %d %" PRId64 " %" PRId64 " %" PRId64 " %d %d %g %" PRId64 "\n",
                              i, s->m, s->n, s->k, s->trans_a, s->trans_b, min_repeat_s,
                              round > 0 ? t->loops[i] : 0);
        if (write(t->to, request, (size_t)length) != length) {
            fail(t, "the PyTorch script stopped reading its requests");
            return;
        }
        int index;
        double seconds, error;
        int64_t loops;
        if (!read_line(t->from, line, sizeof line)) {
            fail(t, "the PyTorch script ended without an answer");
            return;
        }
        if (sscanf(line, "shape %d %lg %lg %" SCNd64, &index, &seconds, &error, &loops) != 4 ||
            index != i) {
            fail(t, strncmp(line, "error ", 6) == 0 ? line + 6 : line);
            return;
        }
        t->round_s[i][round] = seconds;
        if (round == 0 || !(error <= t->error[i])) t->error[i] = error;
        t->loops[i] = loops;
    }
    t->rounds++;
}

void bench_torch_finish(bench_torch *t, int rounds, int count)
{
    stop(t);
    t->ok = !t->why[0] && rounds > 0 && t->rounds == rounds;
    if (!t->ok && !t->why[0])
        snprintf(t->why, sizeof t->why, "ran %d of %d rounds", t->rounds, rounds);
    for (int i = 0; i < count && i < BENCH_MAX_SHAPES; i++)
        t->median_s[i] = t->ok ? wg_median(t->round_s[i], rounds) : NAN;
}
