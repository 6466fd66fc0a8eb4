/*
 * report_docs.c - the documents of `whygpu report`: this same whygpu binary's commands run
 * with --json (info, demo, explain, sweep, and the ladder when a GPU is present) into a
 * folder, or saved JSON loaded from one (--from), each checked for its schema; then their
 * charts drawn with the plot code and kept as inline SVG.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "json_read.h"
#include "plot.h"
#include "report.h"
#include "whygpu_lab.h"

#ifdef WG_HAVE_CJSON
extern char **environ;

const char *const report_doc_names[DOC_COUNT] = {"info", "demo", "explain",
                                                 "sweep", "ladder", "train"};
static const char *const doc_schemas[DOC_COUNT] = {
    "whygpu.info/1", "whygpu.demo/1", "whygpu.explain/1",
    "whygpu.sweep/1", "whygpu.ladder/1", "whygpu.train/2"};
/* Older versions still read: their parts the page uses are unchanged. */
static const char *const doc_old_schemas[DOC_COUNT] = {NULL, NULL, NULL, NULL, NULL,
                                                       "whygpu.train/1"};

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads dir/NAME.json, checking its schema. */
static void load_document(report *rep, int which)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.json", rep->dir, report_doc_names[which]);
    if (!file_exists(path)) {
        snprintf(rep->note[which], sizeof rep->note[which], "no %s.json in %.400s", report_doc_names[which],
                 rep->dir);
        return;
    }
    jr r = {""};
    char *text = jr_read_file(&r, path);
    cJSON *root = text ? jr_parse(&r, text, path) : NULL;
    free(text);
    const char *schema = root ? jr_string(&r, root, "", "schema", JR_STRING) : NULL;
    if (root && schema && strcmp(schema, doc_schemas[which]) != 0 &&
        !(doc_old_schemas[which] && strcmp(schema, doc_old_schemas[which]) == 0))
        jr_fail(&r, "%s has schema '%s', expected %s", path, schema, doc_schemas[which]);
    if (r.error[0]) {
        snprintf(rep->note[which], sizeof rep->note[which], "%s", r.error);
        fprintf(stderr, "whygpu report: %s\n", r.error);
        cJSON_Delete(root);
        rep->failed = 1;
        return;
    }
    rep->doc[which] = root;
}

/* Runs `self args...` with stdout to dir/NAME.json, written to a temporary file beside it
 * and renamed over it only when the command has ended (an old file of that name in --save
 * DIR survives an interrupted run); the child is stopped if this process is killed.
 * Returns the exit status (-1: not run or killed). */
static int run_command(report *rep, const char *self, int which, const char *const *args,
                       const char *expect)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.json", rep->dir, report_doc_names[which]);
    wg_output_file *target = NULL;
    if (wg_output_open(path, &target) != WG_OK) {
        fprintf(stderr, "whygpu report: %s\n", wg_error_message());
        return -1;
    }
    /* In a temporary folder the JSON itself goes on the cleanup list, before it exists. */
    if (rep->temporary && rep->doc_slot[which] < 0) rep->doc_slot[which] = wg_cleanup_add_path(path);
    int fd = open(wg_output_temp_path(target), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "whygpu report: cannot write '%s': %s\n", path, strerror(errno));
        wg_output_abort(target);
        return -1;
    }
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"whygpu";
    for (int i = 0; args[i] && argc < 13; i++) argv[argc++] = (char *)args[i];
    if (rep->o.device && which != DOC_INFO) { /* --device: the GPU every step measures */
        argv[argc++] = (char *)"--device";
        argv[argc++] = (char *)rep->o.device;
    }
    argv[argc] = NULL;
    fprintf(stderr, "whygpu report: running whygpu");
    for (int i = 1; i < argc; i++) fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, " (%s)\n", expect);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, 1);
    pid_t pid;
    int status = -1;
    double start = wg_now();
    fflush(stdout);
    fflush(stderr);
    /* SIGINT, SIGTERM and SIGHUP are held from before the spawn until the child is on the
     * cleanup list, so that one arriving in between still stops it (the child starts with
     * the mask as it was) */
    sigset_t held, before;
    sigemptyset(&held);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGTERM);
    sigaddset(&held, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &held, &before);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &before);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    const int spawned = posix_spawn(&pid, self, &actions, &attr, argv, environ) == 0;
    posix_spawnattr_destroy(&attr);
    const int child_slot = spawned ? wg_cleanup_add_child(pid) : -1; /* stopped on SIGINT/SIGTERM */
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (spawned) {
        int wstatus = 0;
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
        }
        wg_cleanup_remove(child_slot);
        status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    } else {
        fprintf(stderr, "whygpu report: cannot run %s\n", self);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fd);
    /* A command that ended (even with a failed check) leaves its JSON; one that was
     * killed or not run leaves an old file as it was. */
    if (status < 0) {
        wg_output_abort(target);
    } else if (wg_output_commit(target) != WG_OK) {
        fprintf(stderr, "whygpu report: %s\n", wg_error_message());
        status = -1;
    }
    fprintf(stderr, "whygpu report: whygpu %s finished in %.0f s (exit status %d)\n",
            report_doc_names[which], wg_now() - start, status);
    return status;
}

static void measure_all(report *rep)
{
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "whygpu report: cannot find this program's path (/proc/self/exe)\n");
        rep->failed = 1;
        return;
    }
    self[n] = '\0';
    const int q = rep->o.quick;
    const char *info[] = {"info", "--json", NULL};
    const char *demo_full[] = {"demo", "--json", "--no-progress", NULL};
    const char *demo_quick[] = {"demo", "--json", "--no-progress", "--size", "2000", NULL};
    const char *explain_full[] = {"explain", "--json", "--no-progress", NULL};
    const char *explain_quick[] = {"explain", "--json", "--no-progress", "--quick", NULL};
    const char *sweep_full[] = {"sweep", "--json", "-", "--no-progress", NULL};
    const char *sweep_quick[] = {"sweep", "--json", "-", "--no-progress", "--budget", "15s", NULL};
    const char *ladder[] = {"ladder", "--json", "-", "--no-progress", NULL};
    struct {
        int which;
        const char *const *args;
        const char *expect;
    } steps[] = {
        {DOC_INFO, info, "a moment"},
        {DOC_DEMO, q ? demo_quick : demo_full, q ? "a few seconds" : "about a minute on 2 cores"},
        {DOC_EXPLAIN, q ? explain_quick : explain_full, q ? "about 15 s" : "about 30 s"},
        {DOC_SWEEP, q ? sweep_quick : sweep_full, q ? "about 20 s" : "under a minute"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        /* --reference goes on to the commands that show recorded GPU figures */
        const char *args[16];
        int count = 0;
        for (; steps[i].args[count] && count < 12; count++) args[count] = steps[i].args[count];
        if (rep->o.reference && (steps[i].which == DOC_DEMO || steps[i].which == DOC_SWEEP)) {
            args[count++] = "--reference";
            args[count++] = rep->o.reference;
        }
        args[count] = NULL;
        int status = run_command(rep, self, steps[i].which, args, steps[i].expect);
        if (status != 0) rep->failed = 1; /* the JSON may still be there (e.g. a failed check) */
        load_document(rep, steps[i].which);
    }
    /* The ladder needs a GPU (and a whygpu that has the command): a CUDA GPU, or the
     * OpenCL device --device names. */
    cJSON *gpu = rep->doc[DOC_INFO] ? cJSON_GetObjectItem(rep->doc[DOC_INFO], "gpu") : NULL;
    cJSON *count = gpu ? cJSON_GetObjectItem(gpu, "count") : NULL;
    wg_device named = {WG_DEVICE_CUDA, 0};
    const int opencl = rep->o.device && wg_device_parse(rep->o.device, &named) == WG_OK &&
                       named.kind == WG_DEVICE_OPENCL && wg_device_check(named) == WG_OK;
    if (opencl || (cJSON_IsNumber(count) && count->valuedouble > 0 &&
                   named.kind == WG_DEVICE_CUDA)) {
        int status = run_command(rep, self, DOC_LADDER, ladder, "about a minute");
        if (status == 0) load_document(rep, DOC_LADDER);
        else
            snprintf(rep->note[DOC_LADDER], sizeof rep->note[DOC_LADDER],
                     "whygpu ladder --json failed (exit status %d)", status);
    } else {
        snprintf(rep->note[DOC_LADDER], sizeof rep->note[DOC_LADDER],
                 "not run: the kernel ladder needs a GPU");
    }
    snprintf(rep->note[DOC_TRAIN], sizeof rep->note[DOC_TRAIN],
             "not run by the report (training takes minutes): run whygpu train --json > "
             "train.json and make the page with --from");
}

/* Reads a chart's SVG and keeps only the <svg> element (no XML prolog, no DOCTYPE with
 * its external DTD reference). */
static char *read_svg(const char *path)
{
    jr r = {""};
    char *text = jr_read_file(&r, path);
    if (!text) return NULL;
    char *start = strstr(text, "<svg");
    if (!start) {
        free(text);
        return NULL;
    }
    memmove(text, start, strlen(start) + 1);
    return text;
}

void report_draw_charts(report *rep)
{
    char why[512];
    if (!plot_gnuplot_available(why, sizeof why)) {
        for (int d = 0; d < DOC_COUNT; d++)
            snprintf(rep->chart_note[d], sizeof rep->chart_note[d], "chart not drawn: %.400s", why);
        return;
    }
    const int charted[] = {DOC_SWEEP, DOC_EXPLAIN, DOC_LADDER, DOC_TRAIN};
    int any = 0;
    for (size_t i = 0; i < sizeof charted / sizeof charted[0]; i++) any |= rep->doc[charted[i]] != NULL;
    if (!any) return;
    /* A private folder for the charts: rep->dir may be the user's own (--from), with
     * charts of the same names, read-only, or used by another run at the same time. */
    char folder[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/whygpu-charts-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(folder)) {
        snprintf(why, sizeof why, "cannot create a temporary folder for the charts: %s",
                 strerror(errno));
        fprintf(stderr, "whygpu report: %s\n", why);
        for (int d = 0; d < DOC_COUNT; d++)
            snprintf(rep->chart_note[d], sizeof rep->chart_note[d], "chart not drawn: %.400s", why);
        rep->failed = 1;
        return;
    }
    const int folder_slot = wg_cleanup_add_path(folder); /* removed on SIGINT/SIGTERM */
    for (size_t i = 0; i < sizeof charted / sizeof charted[0]; i++) {
        int d = charted[i];
        if (!rep->doc[d]) continue;
        char path[700], msg[1024];
        snprintf(path, sizeof path, "%s/%s.svg", folder, report_doc_names[d]);
        const int chart_slot = wg_cleanup_add_path(path); /* before it exists: no gap */
        if (plot_document(rep->doc[d], report_doc_names[d], path, msg, sizeof msg) != CLI_EXIT_OK) {
            snprintf(rep->chart_note[d], sizeof rep->chart_note[d], "chart not drawn: %.480s", msg);
            fprintf(stderr, "whygpu report: %s chart: %s\n", report_doc_names[d], msg);
            wg_cleanup_remove(chart_slot);
            continue;
        }
        rep->chart[d] = read_svg(path);
        if (!rep->chart[d])
            snprintf(rep->chart_note[d], sizeof rep->chart_note[d], "chart not drawn: %s held no SVG",
                     report_doc_names[d]);
        unlink(path);
        wg_cleanup_remove(chart_slot);
    }
    rmdir(folder);
    wg_cleanup_remove(folder_slot);
}

int report_collect(report *rep)
{
    const report_options *o = &rep->o;
    rep->dir_slot = -1;
    for (int d = 0; d < DOC_COUNT; d++) rep->doc_slot[d] = -1;
    if (o->from) {
        snprintf(rep->dir, sizeof rep->dir, "%s", o->from);
        for (int d = 0; d < DOC_COUNT; d++) load_document(rep, d);
        int any = 0;
        for (int d = 0; d < DOC_COUNT; d++) any |= rep->doc[d] != NULL;
        if (!any) {
            fprintf(stderr, "whygpu report: no whygpu JSON in '%s' (expected info.json, "
                            "demo.json, explain.json, sweep.json, ladder.json or train.json)\n",
                    o->from);
            return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
    }
    if (o->save) {
        if (mkdir(o->save, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "whygpu report: cannot create '%s': %s\n", o->save, strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        snprintf(rep->dir, sizeof rep->dir, "%s", o->save);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(rep->dir, sizeof rep->dir, "%s/whygpu-report-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(rep->dir)) {
            fprintf(stderr, "whygpu report: cannot create a temporary folder: %s\n",
                    strerror(errno));
            return CLI_EXIT_FAILURE;
        }
        rep->temporary = 1;
        rep->dir_slot = wg_cleanup_add_path(rep->dir); /* removed on SIGINT/SIGTERM */
    }
    measure_all(rep);
    return CLI_EXIT_OK;
}

/* Whether the documents measured a GPU: info's device count, else the demo's or sweep's
 * machine block. */
static int documents_have_gpu(const report *rep)
{
    const cJSON *info_gpu = rep->doc[DOC_INFO] ? cJSON_GetObjectItem(rep->doc[DOC_INFO], "gpu") : NULL;
    const cJSON *count = info_gpu ? cJSON_GetObjectItem(info_gpu, "count") : NULL;
    if (cJSON_IsNumber(count)) return count->valuedouble > 0;
    const int docs[] = {DOC_DEMO, DOC_SWEEP, DOC_EXPLAIN};
    for (int i = 0; i < 3; i++) {
        const cJSON *machine = rep->doc[docs[i]] ? cJSON_GetObjectItem(rep->doc[docs[i]], "machine") : NULL;
        const cJSON *gpu = machine ? cJSON_GetObjectItem(machine, "gpu") : NULL;
        if (gpu) return cJSON_IsTrue(cJSON_GetObjectItem(gpu, "available"));
    }
    return 0;
}

/* A sweep document without its own "recorded" (saved before there was one, or made with
 * --reference none) gets the reference's GPU columns at its sizes, as `whygpu sweep` would
 * have written them, so that its chart and crossover show them, labelled. */
static void add_recorded_sweep(report *rep)
{
    cJSON *sweep = rep->doc[DOC_SWEEP];
    if (!sweep || cJSON_GetObjectItem(sweep, "recorded") || documents_have_gpu(rep)) return;
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(sweep, "op"));
    const cJSON *points = cJSON_GetObjectItem(sweep, "points");
    if (!op || !cJSON_IsArray(points)) return;
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    double cpu[WG_SWEEP_MAX_POINTS], gpu[2][WG_SWEEP_MAX_POINTS];
    int count = 0, found = 0;
    cJSON *rec_points = cJSON_CreateArray();
    const cJSON *p;
    cJSON_ArrayForEach(p, points) {
        if (count >= WG_SWEEP_MAX_POINTS) break;
        const cJSON *size = cJSON_GetObjectItem(p, "size");
        const cJSON *cell = cJSON_GetObjectItem(p, "cpu");
        const cJSON *median = cJSON_GetObjectItem(cell, "median_s");
        if (!cJSON_IsNumber(size)) continue;
        sizes[count] = (int64_t)size->valuedouble;
        cpu[count] = cJSON_IsTrue(cJSON_GetObjectItem(cell, "measured")) && cJSON_IsNumber(median)
                         ? median->valuedouble : NAN;
        recorded_cell r0, r1;
        int have0 = recorded_sweep_point(&rep->ref, op, size->valuedouble, 0, &r0);
        int have1 = recorded_sweep_point(&rep->ref, op, size->valuedouble, 1, &r1);
        gpu[0][count] = have0 ? r0.median_s : NAN;
        gpu[1][count] = have1 ? r1.median_s : NAN;
        if (have0 || have1) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "size", size->valuedouble);
            if (have0) cJSON_AddNumberToObject(o, "gpu_median_s", r0.median_s);
            if (have1) cJSON_AddNumberToObject(o, "gpu_with_copies_median_s", r1.median_s);
            cJSON_AddItemToArray(rec_points, o);
            found++;
        }
        count++;
    }
    if (!found) {
        cJSON_Delete(rec_points);
        return;
    }
    char tag[256];
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "reference", rep->ref.name);
    cJSON_AddStringToObject(rec, "label", rep->ref.label);
    cJSON_AddStringToObject(rec, "recorded", rep->ref.date);
    cJSON_AddStringToObject(rec, "tag", recorded_tag(&rep->ref, tag, sizeof tag));
    cJSON_AddItemToObject(rec, "points", rec_points);
    cJSON *crossover = cJSON_AddObjectToObject(rec, "crossover");
    static const char *const keys[2] = {"gpu", "gpu_with_copies"};
    for (int c = 0; c < 2; c++) {
        wg_crossover x;
        cJSON *o = cJSON_AddObjectToObject(crossover, keys[c]);
        if (wg_sweep_crossover(sizes, cpu, gpu[c], count, &x) == WG_OK) {
            cJSON_AddStringToObject(o, "state", wg_crossover_state_name(x.state));
            if (isfinite(x.size)) cJSON_AddNumberToObject(o, "size", x.size);
            else cJSON_AddNullToObject(o, "size");
        } else {
            cJSON_AddStringToObject(o, "state", "no_data");
            cJSON_AddNullToObject(o, "size");
        }
    }
    cJSON_AddItemToObject(sweep, "recorded", rec);
}

int report_use_reference(report *rep)
{
    char error[1400];
    if (recorded_open(&rep->ref, rep->o.reference, documents_have_gpu(rep), rep->ref_note,
                      sizeof rep->ref_note, error, sizeof error) != 0) {
        fprintf(stderr, "whygpu report: %s\n", error);
        return CLI_EXIT_USAGE;
    }
    if (!rep->ref.loaded) return CLI_EXIT_OK;
    add_recorded_sweep(rep);
    if (rep->doc[DOC_LADDER]) return CLI_EXIT_OK;
    /* No ladder of this machine's: the reference's, marked as recorded elsewhere. */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%.4000s/ladder.json", rep->ref.dir);
    if (!file_exists(path)) return CLI_EXIT_OK;
    jr r = {""};
    char *text = jr_read_file(&r, path);
    cJSON *root = text ? jr_parse(&r, text, path) : NULL;
    free(text);
    if (root) {
        rep->doc[DOC_LADDER] = root;
        rep->recorded_doc[DOC_LADDER] = 1;
    }
    return CLI_EXIT_OK;
}

void report_free(report *rep)
{
    recorded_close(&rep->ref);
    for (int d = 0; d < DOC_COUNT; d++) {
        cJSON_Delete(rep->doc[d]);
        free(rep->chart[d]);
        rep->doc[d] = NULL;
        rep->chart[d] = NULL;
    }
    if (!rep->temporary) return;
    for (int d = 0; d < DOC_COUNT; d++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s.json", rep->dir, report_doc_names[d]);
        unlink(path);
        wg_cleanup_remove(rep->doc_slot[d]);
        rep->doc_slot[d] = -1;
    }
    rmdir(rep->dir);
    wg_cleanup_remove(rep->dir_slot);
    rep->dir_slot = -1;
    rep->temporary = 0;
}
#endif /* WG_HAVE_CJSON */
