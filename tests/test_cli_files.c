/*
 * test_cli_files.c - the user's files in the hands of the whygpu commands (issue 21):
 * outputs that refuse a FIFO, device, folder or symbolic link and are checked before the
 * run; an old output that survives a failed, interrupted or disk-full run; inputs that
 * cannot block on a FIFO; a closed stdout; report --from that leaves the user's folder as
 * it was; and SIGINT that leaves no temporary file, folder or child process behind.
 *
 * Every command here runs with a time limit (a hang is a failure, not a stuck suite), and
 * no check depends on how fast the machine is: a run is interrupted at a point it is known
 * to have reached (a file it made, or CPU time it has used), never after a guessed delay.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli_run.h"
#include "nn_files.h"

extern char **environ;

/* ---------------------------------------------------------------- running --------- */

enum { RUN_LIMIT_S = 120 }; /* far above any run here: only a hang reaches it */

typedef struct run {
    pid_t pid;
    int out_fd, err_fd;
} run;

typedef struct run_result {
    int exit_code; /* -1: killed by a signal (signal in .signal) or not run */
    int signal;
    int hung;      /* killed at RUN_LIMIT_S */
    char *out, *err;
} run_result;

static char *slurp_fd(int fd)
{
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0) return NULL;
    char *text = malloc((size_t)size + 1);
    if (!text) return NULL;
    lseek(fd, 0, SEEK_SET);
    ssize_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, text + got, (size_t)(size - got));
        if (n <= 0) break;
        got += n;
    }
    text[got] = '\0';
    return text;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Starts `program args...` (program NULL: the whygpu under test) with stdout and stderr
 * to unlinked temporary files; `env` entries are added first; close_stdout runs it with
 * fd 1 closed (`>&-`). pid 0 if it could not start. */
static run start(const char *program, const char *const *args, const char *const *env,
                 int close_stdout)
{
    run r = {0, -1, -1};
    char out_path[] = "/tmp/whygpu-files-out-XXXXXX", err_path[] = "/tmp/whygpu-files-err-XXXXXX";
    r.out_fd = mkstemp(out_path);
    r.err_fd = mkstemp(err_path);
    if (r.out_fd >= 0) unlink(out_path);
    if (r.err_fd >= 0) unlink(err_path);
    if (r.out_fd < 0 || r.err_fd < 0) return r;
    const char *exe = program ? program : check_whygpu_path;
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)exe;
    for (int i = 0; args[i] && argc < 39; i++) argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    int env_count = 0, extra = 0;
    while (environ[env_count]) env_count++;
    while (env && env[extra]) extra++;
    char **envp = calloc((size_t)(env_count + extra + 1), sizeof *envp);
    if (!envp) return r;
    for (int i = 0; i < extra; i++) envp[i] = (char *)env[i];
    for (int i = 0; i < env_count; i++) envp[extra + i] = environ[i];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (close_stdout)
        posix_spawn_file_actions_addclose(&actions, 1);
    else
        posix_spawn_file_actions_adddup2(&actions, r.out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, r.err_fd, 2);
    fflush(stdout);
    if (posix_spawnp(&r.pid, exe, &actions, NULL, argv, envp) != 0) r.pid = 0;
    posix_spawn_file_actions_destroy(&actions);
    free(envp);
    return r;
}

/* Waits for a started run (killing it at RUN_LIMIT_S) and collects its output. */
static run_result finish(run *r)
{
    run_result res = {-1, 0, 0, NULL, NULL};
    if (r->pid > 0) {
        int status = 0;
        for (int waited_ms = 0;; waited_ms += 20) {
            pid_t done = waitpid(r->pid, &status, WNOHANG);
            if (done == r->pid) break;
            if (done < 0 && errno != EINTR) break;
            if (waited_ms >= RUN_LIMIT_S * 1000) {
                kill(r->pid, SIGKILL);
                waitpid(r->pid, &status, 0);
                res.hung = 1;
                break;
            }
            sleep_ms(20);
        }
        if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
    }
    if (r->out_fd >= 0) res.out = slurp_fd(r->out_fd);
    if (r->err_fd >= 0) res.err = slurp_fd(r->err_fd);
    if (r->out_fd >= 0) close(r->out_fd);
    if (r->err_fd >= 0) close(r->err_fd);
    r->pid = 0;
    return res;
}

static run_result whygpu(const char *const *args, const char *const *env)
{
    run r = start(NULL, args, env, 0);
    return finish(&r);
}

static void result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* Exit `code` (not a hang), one line on stderr naming `value`. */
static void check_refused(const char *const *args, int code, const char *value)
{
    run_result r = whygpu(args, NULL);
    REQUIRE(r.out && r.err);
    CHECK_MSG(!r.hung, "whygpu %s %s %s hung", args[0], args[1] ? args[1] : "",
              args[1] && args[2] ? args[2] : "");
    CHECK_MSG(r.exit_code == code, "whygpu %s %s %s: exit %d, expected %d (stderr: %s)", args[0],
              args[1] ? args[1] : "", args[1] && args[2] ? args[2] : "", r.exit_code, code, r.err);
    CHECK_MSG(cli_run_lines(r.err) == 1, "expected one line on stderr, got: %s", r.err);
    CHECK_MSG(strstr(r.err, value) != NULL, "stderr does not name '%s': %s", value, r.err);
    result_free(&r);
}

/* ---------------------------------------------------------------- files ----------- */

static char *read_text(const char *path)
{
    size_t size = 0;
    uint8_t *bytes = nn_read_file(path, &size);
    if (!bytes) return NULL;
    char *text = realloc(bytes, size + 1);
    if (!text) {
        free(bytes);
        return NULL;
    }
    text[size] = '\0';
    return text;
}

static int file_holds(const char *path, const char *expected)
{
    char *text = read_text(path);
    int same = text && strcmp(text, expected) == 0;
    free(text);
    return same;
}

/* Entries of dir whose name contains `part` (e.g. ".tmp-"); -1 if dir cannot be read. */
static int entries_with(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, part)) count++;
    closedir(d);
    return count;
}

/* Removes dir and everything under it (the test's own folders only). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                chmod(path, 0700);
                remove_tree(path);
            } else {
                unlink(path);
            }
        }
        closedir(d);
    }
    rmdir(dir);
}

static int write_data(const char *dir)
{
    return nn_write_tiny_fashion(dir, "train", 200, 7) || nn_write_tiny_fashion(dir, "t10k", 50, 7);
}

/* A small real sweep's JSON (a few seconds of measuring) at path. */
static int make_sweep_json(const char *path)
{
    const char *args[] = {"sweep", "--sizes", "1:64", "--points", "3", "--budget", "1s",
                          "--no-progress", "--json", path, NULL};
    run_result r = whygpu(args, NULL);
    int ok = r.exit_code == 0;
    if (!ok) fprintf(stderr, "sweep for the fixture failed: %s\n", r.err ? r.err : "");
    result_free(&r);
    return ok ? 0 : -1;
}

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/* CPU seconds a process has used (utime + stime, all threads); -1 once it is gone. */
static double cpu_seconds(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')');
    if (!p) return -1;
    char state = 0;
    unsigned long utime = 0, stime = 0;
    /* After ")": state, then fields 4..13, then utime (14) and stime (15). */
    if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &state, &utime,
               &stime) != 3 || state == 'Z')
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* A child of `parent` (the first found in /proc), or 0. */
static pid_t child_of(pid_t parent)
{
    DIR *d = opendir("/proc");
    if (!d) return 0;
    pid_t found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[n] = '\0';
        const char *p = strrchr(line, ')');
        int ppid = 0;
        if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent) found = (pid_t)pid;
    }
    closedir(d);
    return found;
}

/* ---------------------------------------------------------------- #6, #18 --------- */

/* #6: --save, --json, --csv and -o replace only a regular file or a new path: a FIFO, a
 * folder or a symbolic link is refused at once (an fopen of a FIFO would block), and left
 * as it was. */
TEST(cli_files_outputs_refuse_non_regular_targets)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char fifo[128], fifo_svg[128], link[128], link_svg[128], target[128], sub[128], data[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(fifo_svg, sizeof fifo_svg, "%s/fifo.svg", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(link_svg, sizeof link_svg, "%s/link.svg", dir);
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(data, sizeof data, "%s/sweep.json", dir);
    REQUIRE(mkfifo(fifo, 0600) == 0 && mkfifo(fifo_svg, 0600) == 0);
    REQUIRE(nn_write_file(target, "mine", 4) == 0);
    REQUIRE(symlink("target", link) == 0 && symlink("target", link_svg) == 0);
    REQUIRE(mkdir(sub, 0700) == 0);
    REQUIRE(cli_run_write_file(data, "{\"schema\": \"whygpu.sweep/1\"}") == 0);

    const char *sweep_fifo[] = {"sweep", "--sizes", "1:1", "--budget", "1s", "--json", fifo, NULL};
    const char *sweep_dir[] = {"sweep", "--sizes", "1:1", "--budget", "1s", "--csv", sub, NULL};
    const char *sweep_link[] = {"sweep", "--sizes", "1:1", "--budget", "1s", "--json", link, NULL};
    const char *train_fifo[] = {"train", "--data", dir, "--json", fifo, NULL};
    const char *train_link[] = {"train", "--data", dir, "--json", link, NULL};
    const char *save_fifo[] = {"train", "--data", dir, "--save", fifo, NULL};
    const char *save_dev[] = {"train", "--data", dir, "--save", "/dev/null", NULL};
    const char *ladder_fifo[] = {"ladder", "--json", fifo, NULL};
    const char *plot_fifo[] = {"plot", data, "-o", fifo_svg, NULL};
    const char *plot_link[] = {"plot", data, "-o", link_svg, NULL};
    const char *report_link[] = {"report", "--from", dir, "-o", link, NULL};
    const char *report_fifo[] = {"report", "--from", dir, "-o", fifo, NULL};
    check_refused(sweep_fifo, 1, "FIFO");
    check_refused(sweep_dir, 1, sub);
    check_refused(sweep_link, 1, "symbolic link");
    check_refused(train_fifo, 1, "FIFO");
    check_refused(train_link, 1, "symbolic link");
    check_refused(save_fifo, 1, "FIFO");
    check_refused(save_dev, 1, "device");
    check_refused(ladder_fifo, 1, "FIFO");
    check_refused(plot_fifo, 1, "FIFO");
    check_refused(plot_link, 1, "symbolic link");
    check_refused(report_link, 1, "symbolic link");
    check_refused(report_fifo, 1, "FIFO");

    struct stat st;
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(lstat(fifo_svg, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(lstat(link_svg, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(lstat(sub, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(lstat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK_MSG(file_holds(target, "mine"), "the symbolic link's target was written");
    CHECK_MSG(entries_with(dir, ".tmp-") == 0, "temporary files left in %s", dir);
    remove_tree(dir);
}

/* #18: an empty output path is a usage error; one that cannot be written fails before any
 * training or measuring (the message names the output, not a missing data set, and no
 * table or "running" line comes first). */
TEST(cli_files_output_paths_checked_before_the_run)
{
    const char *save_empty[] = {"train", "--save", "", NULL};
    const char *json_empty[] = {"train", "--json", "", NULL};
    const char *report_save_empty[] = {"report", "--save", "", NULL};
    const char *report_o_empty[] = {"report", "-o", "", NULL};
    check_refused(save_empty, 2, "--save");
    check_refused(json_empty, 2, "--json");
    check_refused(report_save_empty, 2, "--save");
    check_refused(report_o_empty, 2, "-o");

    /* The data folder does not exist either: the output is what must be named. */
    const char *save_missing[] = {"train", "--data", "/nonexistent/data", "--save",
                                  "/nonexistent/ck", NULL};
    const char *json_missing[] = {"train", "--data", "/nonexistent/data", "--json",
                                  "/nonexistent/x.json", NULL};
    const char *compare_missing[] = {"train", "--compare", "--data", "/nonexistent/data",
                                     "--json", "/nonexistent/x.json", NULL};
    const char *sweep_missing[] = {"sweep", "--sizes", "1:1", "--budget", "1s", "--json",
                                   "/nonexistent/x.json", NULL};
    const char *csv_missing[] = {"sweep", "--sizes", "1:1", "--budget", "1s", "--csv",
                                 "/nonexistent/x.csv", NULL};
    const char *ladder_missing[] = {"ladder", "--json", "/nonexistent/x.json", NULL};
    const char *report_missing[] = {"report", "--quick", "-o", "/nonexistent/r.html", NULL};
    const char *plot_missing[] = {"plot", "/nonexistent/in.json", "-o", "/nonexistent/x.svg",
                                  NULL};
    check_refused(save_missing, 1, "/nonexistent/ck");
    check_refused(json_missing, 1, "/nonexistent/x.json");
    check_refused(compare_missing, 1, "/nonexistent/x.json");
    check_refused(sweep_missing, 1, "/nonexistent/x.json");
    check_refused(csv_missing, 1, "/nonexistent/x.csv");
    check_refused(ladder_missing, 1, "/nonexistent/x.json");
    check_refused(report_missing, 1, "/nonexistent/r.html");
    check_refused(plot_missing, 1, "/nonexistent/x.svg");
    const char *report_save_file[] = {"report", "--quick", "--save", "/dev/null", NULL};
    check_refused(report_save_file, 1, "/dev/null");
}

/* ---------------------------------------------------------------- #7, #17 --------- */

/* #7, #17: SIGINT while sweep measures leaves old --json and --csv files as they were and
 * no temporary file. The signal is sent once the run has used a second of CPU time (it is
 * measuring then: the budget is a minute), or as soon as an output is emptied. */
TEST(cli_files_sweep_interrupted_keeps_old_outputs)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char json[128], csv[128];
    snprintf(json, sizeof json, "%s/old.json", dir);
    snprintf(csv, sizeof csv, "%s/old.csv", dir);
    REQUIRE(cli_run_write_file(json, "OLD JSON") == 0 && cli_run_write_file(csv, "OLD CSV") == 0);
    const char *args[] = {"sweep", "--op", "add", "--budget", "60s", "--no-progress", "--json",
                          json, "--csv", csv, NULL};
    run r = start(NULL, args, NULL, 0);
    REQUIRE(r.pid > 0);
    for (;;) {
        double used = cpu_seconds(r.pid);
        struct stat st;
        if (used < 0 || used >= 1.0) break;
        if (stat(json, &st) == 0 && st.st_size == 0) break;
        sleep_ms(20);
    }
    kill(r.pid, SIGINT);
    run_result res = finish(&r);
    CHECK_MSG(res.signal == SIGINT, "sweep: exit %d, signal %d (stderr: %s)", res.exit_code,
              res.signal, res.err ? res.err : "");
    CHECK_MSG(file_holds(json, "OLD JSON"), "the old --json file was changed");
    CHECK_MSG(file_holds(csv, "OLD CSV"), "the old --csv file was changed");
    CHECK_MSG(entries_with(dir, ".tmp-") == 0, "temporary files left in %s", dir);
    result_free(&res);
    remove_tree(dir);
}

/* The child of `parent` whose command line contains `word`, or 0. */
static pid_t child_running(pid_t parent, const char *word)
{
    pid_t child = child_of(parent);
    if (child <= 0) return 0;
    char path[64], args[512];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)child);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(args, 1, sizeof args - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (args[i] == '\0') args[i] = ' ';
    args[n] = '\0';
    return strstr(args, word) ? child : 0;
}

/* A line of /proc/PID/status ("State:", "ShdPnd:"): its value, or "" when gone. */
static void proc_status(pid_t pid, const char *key, char *value, size_t size)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    value[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0) {
            snprintf(value, size, "%s", line + strlen(key) + strspn(line + strlen(key), " \t"));
            break;
        }
    fclose(f);
}

/* #17: SIGINT to `report` while its child `whygpu demo` runs: the child is told to stop
 * (SIGTERM), and neither the report's temporary folder nor a temporary file is left in
 * TMPDIR. The child is held stopped (SIGSTOP) meanwhile, so that it cannot end on its own
 * first: the SIGTERM is then seen pending, whatever the machine's speed. */
TEST(cli_files_report_interrupted_leaves_nothing)
{
#ifndef WG_HAVE_CJSON /* as on a GPU machine without libcjson-dev */
    SKIP("built without cJSON (libcjson-dev): report cannot read JSON");
#endif
    char tmp[64];
    REQUIRE(nn_temp_dir(tmp, sizeof tmp) == 0);
    char env_tmp[128], out[128];
    snprintf(env_tmp, sizeof env_tmp, "TMPDIR=%s", tmp);
    snprintf(out, sizeof out, "%s/report.html", tmp);
    const char *env[] = {env_tmp, NULL};
    const char *args[] = {"report", "--quick", "-o", out, NULL};
    run r = start(NULL, args, env, 0);
    REQUIRE(r.pid > 0);
    pid_t child = 0;
    while (!(child = child_running(r.pid, "whygpu demo ")) && cpu_seconds(r.pid) >= 0) sleep_ms(5);
    if (child > 0) kill(child, SIGSTOP);
    char state[64] = "", pending[64] = "";
    for (int waited_ms = 0; child > 0 && waited_ms < RUN_LIMIT_S * 1000; waited_ms += 5) {
        proc_status(child, "State:", state, sizeof state);
        if (state[0] != 'R' && state[0] != 'S' && state[0] != 'D') break;
        sleep_ms(5);
    }
    if (!child || state[0] != 'T') {
        kill(r.pid, SIGKILL);
        if (child > 0) kill(child, SIGKILL);
        run_result early = finish(&r);
        CHECK_MSG(0, "could not catch report's demo running (state '%s', exit %d: %s)", state,
                  early.exit_code, early.err ? early.err : "");
        result_free(&early);
        remove_tree(tmp);
        return;
    }
    kill(r.pid, SIGINT);
    run_result res = finish(&r);
    CHECK_MSG(res.signal == SIGINT, "report: exit %d, signal %d (stderr: %s)", res.exit_code,
              res.signal, res.err ? res.err : "");
    /* SIGTERM is signal 15: bit 14 of the pending mask. */
    proc_status(child, "ShdPnd:", pending, sizeof pending);
    unsigned long long mask = strtoull(pending, NULL, 16);
    CHECK_MSG(mask & (1ull << (SIGTERM - 1)), "the child whygpu demo was not told to stop "
              "(pending signals %s)", pending[0] ? pending : "none");
    kill(child, SIGCONT);
    int gone = 0;
    for (int waited_ms = 0; !gone && waited_ms < RUN_LIMIT_S * 1000; waited_ms += 20) {
        gone = cpu_seconds(child) < 0;
        if (!gone) sleep_ms(20);
    }
    if (!gone) kill(child, SIGKILL);
    CHECK_MSG(nn_dir_entries(tmp) == 0, "report left %d entries in its TMPDIR %s",
              nn_dir_entries(tmp), tmp);
    result_free(&res);
    remove_tree(tmp);
}

/* ---------------------------------------------------------------- #5 -------------- */

/* #5: report --from DIR draws its charts elsewhere: the user's own DIR/sweep.svg is kept,
 * DIR gets nothing new, and two runs at once on one DIR both embed the chart. */
TEST(cli_files_report_from_keeps_the_users_folder)
{
#ifndef WG_HAVE_CJSON /* as on a GPU machine without libcjson-dev */
    SKIP("built without cJSON (libcjson-dev): report --from cannot read JSON");
#endif
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char from[128], sweep[160], mine[160], page1[128], page2[128];
    snprintf(from, sizeof from, "%s/results", dir);
    snprintf(sweep, sizeof sweep, "%s/sweep.json", from);
    snprintf(mine, sizeof mine, "%s/sweep.svg", from);
    snprintf(page1, sizeof page1, "%s/one.html", dir);
    snprintf(page2, sizeof page2, "%s/two.html", dir);
    REQUIRE(mkdir(from, 0700) == 0);
    REQUIRE(make_sweep_json(sweep) == 0);
    REQUIRE(cli_run_write_file(mine, "my own chart") == 0);
    const int charts = have_gnuplot();

    const char *one[] = {"report", "--from", from, "-o", page1, NULL};
    const char *two[] = {"report", "--from", from, "-o", page2, NULL};
    run a = start(NULL, one, NULL, 0), b = start(NULL, two, NULL, 0);
    run_result ra = finish(&a), rb = finish(&b);
    CHECK_MSG(ra.exit_code == 0 && rb.exit_code == 0, "report: exit %d and %d (%s / %s)",
              ra.exit_code, rb.exit_code, ra.err ? ra.err : "", rb.err ? rb.err : "");
    CHECK_MSG(file_holds(mine, "my own chart"), "report --from replaced or removed DIR/sweep.svg");
    CHECK_MSG(nn_dir_entries(from) == 2, "report --from left %d entries in DIR",
              nn_dir_entries(from));
    if (charts) {
        char *p1 = read_text(page1), *p2 = read_text(page2);
        CHECK_MSG(p1 && strstr(p1, "<svg"), "the first page has no chart");
        CHECK_MSG(p2 && strstr(p2, "<svg"), "the second page has no chart");
        free(p1);
        free(p2);
    }
    result_free(&ra);
    result_free(&rb);

    /* A read-only DIR still gives a page with its chart (meaningful only where the
     * permission holds, i.e. not as root). */
    REQUIRE(chmod(from, 0500) == 0);
    if (charts && access(from, W_OK) != 0) {
        const char *ro[] = {"report", "--from", from, "-o", page1, NULL};
        run_result r = whygpu(ro, NULL);
        CHECK_MSG(r.exit_code == 0, "report --from a read-only DIR: exit %d (%s)", r.exit_code,
                  r.err ? r.err : "");
        char *p = read_text(page1);
        CHECK_MSG(p && strstr(p, "<svg"), "the page from a read-only DIR has no chart");
        free(p);
        result_free(&r);
    }
    chmod(from, 0700);
    remove_tree(dir);
}

/* ---------------------------------------------------------------- #9 -------------- */

/* #9: plot of a document that cannot be drawn (a field missing; gnuplot missing) keeps an
 * existing chart of the output's name. */
TEST(cli_files_plot_failure_keeps_old_chart)
{
#ifndef WG_HAVE_CJSON /* as on a GPU machine without libcjson-dev */
    SKIP("built without cJSON (libcjson-dev): plot cannot read JSON");
#endif
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char bad[128], keep[128], good[128];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    snprintf(keep, sizeof keep, "%s/keep.svg", dir);
    snprintf(good, sizeof good, "%s/sweep.json", dir);
    REQUIRE(cli_run_write_file(bad, "{\"schema\": \"whygpu.sweep/1\"}") == 0);
    REQUIRE(cli_run_write_file(keep, "<svg>mine</svg>") == 0);
    const char *args[] = {"plot", bad, "-o", keep, NULL};
    run_result r = whygpu(args, NULL);
    CHECK_MSG(r.exit_code == 1, "plot bad.json: exit %d (%s)", r.exit_code, r.err ? r.err : "");
    CHECK_MSG(file_holds(keep, "<svg>mine</svg>"), "plot bad.json -o keep.svg changed keep.svg");
    result_free(&r);

    REQUIRE(make_sweep_json(good) == 0);
    const char *missing_env[] = {"WHYGPU_GNUPLOT=/nonexistent/gnuplot", NULL};
    const char *draw[] = {"plot", good, "-o", keep, NULL};
    r = whygpu(draw, missing_env);
    CHECK_MSG(r.exit_code == 1, "plot without gnuplot: exit %d", r.exit_code);
    CHECK_MSG(file_holds(keep, "<svg>mine</svg>"), "plot without gnuplot changed keep.svg");
    result_free(&r);

    /* WHYGPU_PLOT_SCRIPT (the gnuplot script saved for debugging) is an output like the
     * others: written whole over an old file, and a path that cannot be written is an
     * error naming the variable, with the chart left as it was. */
    char script[128], script_env[160], bad_env[160];
    snprintf(script, sizeof script, "%s/chart.gp", dir);
    snprintf(script_env, sizeof script_env, "WHYGPU_PLOT_SCRIPT=%s", script);
    snprintf(bad_env, sizeof bad_env, "WHYGPU_PLOT_SCRIPT=%s/no/such/folder/chart.gp", dir);
    REQUIRE(cli_run_write_file(script, "old script") == 0);
    const char *script_envs[] = {script_env, "WHYGPU_GNUPLOT=/nonexistent/gnuplot", NULL};
    r = whygpu(draw, script_envs);
    char *saved = read_text(script);
    CHECK_MSG(saved && strstr(saved, "set output") && !strstr(saved, "old script"),
              "WHYGPU_PLOT_SCRIPT did not receive the script: %s", saved ? saved : "(none)");
    free(saved);
    result_free(&r);
    const char *bad_envs[] = {bad_env, NULL};
    r = whygpu(draw, bad_envs);
    CHECK_MSG(r.exit_code == 1 && r.err && strstr(r.err, "WHYGPU_PLOT_SCRIPT"),
              "an unwritable WHYGPU_PLOT_SCRIPT: exit %d (%s)", r.exit_code, r.err ? r.err : "");
    CHECK_MSG(file_holds(keep, "<svg>mine</svg>"), "a failed WHYGPU_PLOT_SCRIPT changed keep.svg");
    result_free(&r);
    CHECK_MSG(entries_with(dir, ".tmp-") == 0, "temporary files left in %s", dir);
    remove_tree(dir);
}

/* ---------------------------------------------------------------- #11 ------------- */

/* #11: a FIFO as an input (a checkpoint, a data file, a JSON document) is refused at once
 * instead of blocking in open(). */
TEST(cli_files_fifo_inputs_refused_without_blocking)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char fifo[128], data[128], images[160], labels[160];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(images, sizeof images, "%s/train-images-idx3-ubyte", data);
    snprintf(labels, sizeof labels, "%s/train-labels-idx1-ubyte", data);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    REQUIRE(mkdir(data, 0700) == 0);
    REQUIRE(mkfifo(images, 0600) == 0 && mkfifo(labels, 0600) == 0);
    const char *predict[] = {"predict", "--load", fifo, "0", NULL};
    const char *train_load[] = {"train", "--load", fifo, "--steps", "1", NULL};
    const char *train_data[] = {"train", "--data", data, "--steps", "1", NULL};
    const char *plot[] = {"plot", fifo, "-o", "/tmp/whygpu-files-never.svg", NULL};
    check_refused(predict, 1, "FIFO");
    check_refused(train_load, 1, "FIFO");
    check_refused(train_data, 1, "FIFO");
#ifdef WG_HAVE_CJSON /* without it, plot refuses every input before opening it */
    check_refused(plot, 1, "FIFO");
#else
    (void)plot;
#endif
    remove_tree(dir);
}

/* ---------------------------------------------------------------- #13 ------------- */

/* #13: with stdout closed (`>&-`) the lost table is a failure, and it does not end up in a
 * file opened later (which would otherwise get descriptor 1): the JSON is JSON only. */
TEST(cli_files_closed_stdout_fails_and_spares_outputs)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char json[128];
    snprintf(json, sizeof json, "%s/out.json", dir);
    /* A table longer than stdout's buffer, so that part of it is written during the run. */
    const char *args[] = {"sweep", "--op", "add", "--sizes", "1:1024", "--points", "60",
                          "--budget", "3s", "--no-progress", "--json", json, NULL};
    run r = start(NULL, args, NULL, 1);
    REQUIRE(r.pid > 0);
    run_result res = finish(&r);
    CHECK_MSG(res.exit_code == 1, "sweep >&-: exit %d (%s)", res.exit_code, res.err ? res.err : "");
    CHECK_MSG(res.err && strstr(res.err, "standard output"), "stderr: %s", res.err ? res.err : "");
    char *text = read_text(json);
    CHECK_MSG(text && text[0] == '{', "out.json does not start as JSON: %.80s", text ? text : "");
    free(text);
    result_free(&res);
    remove_tree(dir);
}

/* ---------------------------------------------------------------- #8, #13 --------- */

/* #8, #13: a full disk (a 1 MiB tmpfs, filled, in a private mount namespace): report -o,
 * train --json, sweep --json and plot -o fail with exit 1 and a message saying "No space
 * left on device", and the old files survive. Skipped where no tmpfs can be mounted. */
TEST(cli_files_full_disk_keeps_old_files)
{
    if (system("command -v unshare >/dev/null 2>&1") != 0) SKIP("no unshare(1)");
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    char full[128], from[128], data[128], script[8192];
    char *whygpu_path = realpath(check_whygpu_path, NULL); /* the script runs elsewhere */
    REQUIRE(whygpu_path != NULL);
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(from, sizeof from, "%s/from", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    REQUIRE(mkdir(full, 0700) == 0 && mkdir(from, 0700) == 0 && mkdir(data, 0700) == 0);
    REQUIRE(write_data(data) == 0);
    char sweep[160];
    snprintf(sweep, sizeof sweep, "%s/sweep.json", from);
    REQUIRE(make_sweep_json(sweep) == 0);
    /* Each command's exit status and the old file's content after it, one line each. */
    snprintf(script, sizeof script,
             "mount -t tmpfs -o size=1m tmpfs '%s' 2>/dev/null || exit 77\n"
             "cd '%s' || exit 78\n"
             "for f in page.html train.json sweep.json chart.svg; do printf OLD > $f; done\n"
             "dd if=/dev/zero of=filler bs=4k 2>/dev/null\n"
             "W='%s'\n"
             "\"$W\" report --from '%s' -o page.html; echo \"report $? $(cat page.html)\"\n"
             "\"$W\" train --data '%s' --steps 2 --batch 10 --hidden 8 --no-progress --json train.json "
             ">/dev/null; echo \"train $? $(cat train.json)\"\n"
             "\"$W\" sweep --sizes 1:1 --budget 1s --no-progress --json sweep.json >/dev/null "
             "; echo \"sweep $? $(cat sweep.json)\"\n"
             "\"$W\" plot '%s' -o chart.svg; echo \"plot $? $(cat chart.svg)\"\n"
             "ls -a | grep -c tmp- | sed 's/^/temporaries /'\n",
             full, full, whygpu_path, from, data, sweep);
    free(whygpu_path);
    const char *args[] = {"-rm", "sh", "-c", script, NULL};
    run r = start("unshare", args, NULL, 0);
    REQUIRE(r.pid > 0);
    run_result res = finish(&r);
    if (res.exit_code == 77 || res.exit_code == 78 || (res.exit_code != 0 && res.out &&
                                                       !res.out[0])) {
        result_free(&res);
        remove_tree(dir);
        SKIP("cannot mount a tmpfs here");
    }
    REQUIRE(res.out && res.err);
    CHECK_MSG(strstr(res.out, "report 1 OLD\n"), "report -o on a full disk: %s / %s", res.out, res.err);
    CHECK_MSG(strstr(res.out, "train 1 OLD\n"), "train --json on a full disk: %s / %s", res.out, res.err);
    CHECK_MSG(strstr(res.out, "sweep 1 OLD\n"), "sweep --json on a full disk: %s / %s", res.out, res.err);
    if (have_gnuplot())
        CHECK_MSG(strstr(res.out, "plot 1 OLD\n"), "plot -o on a full disk: %s / %s", res.out, res.err);
    CHECK_MSG(strstr(res.out, "temporaries 0\n"), "temporary files left: %s", res.out);
    CHECK_MSG(strstr(res.err, "No space left on device"), "no ENOSPC in the messages: %s", res.err);
    result_free(&res);
    remove_tree(dir);
}
