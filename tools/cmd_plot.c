/*
 * cmd_plot.c - `whygpu plot RESULTS.json -o FILE.svg|png`: a chart of a saved whygpu
 * result, drawn by gnuplot. The document's "schema" picks the chart:
 *
 *   whygpu.sweep/1    time per call against size, log-log: CPU, GPU with the data resident,
 *                     GPU with the copies; the crossovers marked
 *   whygpu.explain/1  the roofline: each device's roof and where the demo's ops fall
 *   whygpu.ladder/1   the GPU matmul kernel ladder: GFLOP/s of each kernel, as bars
 *   whygpu.train/1,2  training curves: loss and accuracy per epoch
 *
 * Every field the chart needs is read and checked first (json_read.c), so a malformed or
 * truncated document is one clear error naming the field, never a broken picture. The
 * data go inline into the gnuplot script (datablocks), which is piped to gnuplot's stdin;
 * gnuplot's own complaints are kept and the first one is shown if it fails.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "json_read.h"
#include "plot.h"

/* ---------------------------------------------------------------- gnuplot --------- */

/* The gnuplot to run: $WHYGPU_GNUPLOT (a path), else the first `gnuplot` on PATH. */
static int find_gnuplot(char *path, size_t size, char *why, size_t why_size)
{
    const char *forced = getenv("WHYGPU_GNUPLOT");
    if (forced && forced[0]) {
        if (access(forced, X_OK) == 0) {
            snprintf(path, size, "%s", forced);
            return 1;
        }
        snprintf(why, why_size, "gnuplot not found: WHYGPU_GNUPLOT='%s' is not an executable",
                 forced);
        return 0;
    }
    const char *search = getenv("PATH");
    if (!search || !search[0]) search = "/usr/local/bin:/usr/bin:/bin";
    while (*search) {
        const char *end = strchr(search, ':');
        size_t length = end ? (size_t)(end - search) : strlen(search);
        if (length > 0 && length + 9 < size) {
            snprintf(path, size, "%.*s/gnuplot", (int)length, search);
            if (access(path, X_OK) == 0) return 1;
        }
        search += length + (end ? 1 : 0);
    }
    snprintf(why, why_size, "gnuplot not found on PATH: install it (Debian: apt-get install "
             "gnuplot-nox) or plot the JSON later on a machine that has it");
    return 0;
}

int plot_gnuplot_available(char *why, size_t size)
{
    char path[1024];
    return find_gnuplot(path, sizeof path, why, size);
}

#ifdef WG_HAVE_CJSON

/* Runs gnuplot on the script (stdin); gnuplot's stderr goes to a temporary file so that
 * neither side can block on a full pipe. 0, or -1 with msg set. */
static int run_gnuplot(const char *script, size_t length, char *msg, size_t size)
{
    char path[1024];
    if (!find_gnuplot(path, sizeof path, msg, size)) return -1;
    FILE *errors = tmpfile();
    int in[2];
    if (!errors || pipe(in) != 0) {
        snprintf(msg, size, "cannot start gnuplot: %s", strerror(errno));
        if (errors) fclose(errors);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, size, "cannot start gnuplot: fork: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        fclose(errors);
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(fileno(errors), 1);
        dup2(fileno(errors), 2);
        close(in[0]);
        close(in[1]);
        execl(path, "gnuplot", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN); /* gnuplot may quit early */
    size_t written = 0;
    while (written < length) {
        ssize_t n = write(in[1], script + written, length - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += (size_t)n;
    }
    close(in[1]);
    signal(SIGPIPE, old_pipe);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && written == length;
    /* gnuplot's message is the last line it wrote (after an echo of the faulty line); a
     * line saying "error" is a failure even if gnuplot exited with 0. */
    char last[400] = "", line[400];
    rewind(errors);
    while (fgets(line, sizeof line, errors)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0]) snprintf(last, sizeof last, "%s", line);
        if (strcasestr(line, "error")) ok = 0;
    }
    fclose(errors);
    if (ok) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(msg, size, "could not run gnuplot (%s)", path);
    else
        snprintf(msg, size, "gnuplot failed: %s", last[0] ? last : "no message");
    return -1;
}

/* ---------------------------------------------------------------- the script ------ */

/* A gnuplot string in single quotes (no escapes inside; a quote is doubled). */
static void gp_string(FILE *out, const char *text)
{
    fputc('\'', out);
    for (const char *c = text ? text : ""; *c; c++) {
        if (*c == '\'') fputc('\'', out);
        if (*c == '\n' || *c == '\r') {
            fputc(' ', out);
            continue;
        }
        fputc(*c, out);
    }
    fputc('\'', out);
}

static const char *extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

/* The terminal and output: SVG or PNG, chosen by the file's extension. */
static void gp_terminal(FILE *out, const char *out_path, int width, int height)
{
    fprintf(out, "set encoding utf8\n");
    if (strcasecmp(extension(out_path), "png") == 0)
        fprintf(out, "set terminal pngcairo size %d,%d enhanced font 'DejaVu Sans,10' "
                     "background rgb 'white'\n", width, height);
    else
        fprintf(out, "set terminal svg size %d,%d dynamic enhanced font 'DejaVu Sans,12' "
                     "background rgb 'white'\n", width, height);
    fprintf(out, "set output ");
    gp_string(out, out_path);
    fprintf(out, "\nset grid xtics ytics mxtics mytics lc rgb '#e4e4e4' lw 1, lc rgb '#f2f2f2' lw 1\n"
                 "set border 3 lc rgb '#555555'\nset tics nomirror\n"
                 "set key opaque box lc rgb '#cccccc'\n");
}

static void gp_title(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void gp_title(FILE *out, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fprintf(out, "set title ");
    gp_string(out, text);
    fprintf(out, " noenhanced font ',13'\n");
}

/* ---------------------------------------------------------------- sweep ----------- */

#define SWEEP_COLUMNS 3
static const char *const sweep_keys[SWEEP_COLUMNS] = {"cpu", "gpu", "gpu_with_copies"};
static const char *const sweep_titles[SWEEP_COLUMNS] = {"CPU", "GPU, data resident",
                                                        "GPU, with copies to and from it"};
static const char *const sweep_colors[SWEEP_COLUMNS] = {"#1f77b4", "#d62728", "#ff7f0e"};

static int plot_sweep(jr *r, const cJSON *root, const char *out_path, FILE *out)
{
    const char *op = jr_string(r, root, "", "op", JR_STRING);
    const char *unit = jr_string(r, root, "", "size_unit", JR_STRING);
    cJSON *machine = jr_get(r, root, "", "machine", JR_OBJECT);
    cJSON *cpu = jr_get(r, machine, "machine", "cpu", JR_OBJECT);
    cJSON *gpu = jr_get(r, machine, "machine", "gpu", JR_OBJECT);
    const char *cpu_model = jr_string(r, cpu, "machine.cpu", "model", JR_STRING);
    cJSON *available = jr_get(r, gpu, "machine.gpu", "available", JR_BOOL);
    const char *gpu_name = jr_string(r, gpu, "machine.gpu", "name", JR_STRING_OR_NULL);
    const char *gpu_reason = jr_string(r, gpu, "machine.gpu", "reason", JR_STRING_OR_NULL);
    cJSON *points = jr_get(r, root, "", "points", JR_ARRAY);
    cJSON *crossover = jr_get(r, root, "", "crossover", JR_OBJECT);
    if (r->error[0]) return -1;
    int count = cJSON_GetArraySize(points);
    if (count < 1) {
        jr_fail(r, "field 'points' is empty: nothing to plot");
        return -1;
    }
    int measured[SWEEP_COLUMNS] = {0, 0, 0};
    /* Read and check everything before writing any of the script. */
    for (int i = 0; i < count; i++) {
        cJSON *p = cJSON_GetArrayItem(points, i);
        char where[64];
        snprintf(where, sizeof where, "points[%d]", i);
        double size = jr_number(r, p, where, "size", JR_NUMBER);
        if (!r->error[0] && !(size >= 1)) jr_fail(r, "field '%s.size' is %g, not >= 1", where, size);
        for (int c = 0; c < SWEEP_COLUMNS; c++) {
            char cell[96];
            snprintf(cell, sizeof cell, "%s.%s", where, sweep_keys[c]);
            cJSON *item = jr_get(r, p, where, sweep_keys[c], JR_OBJECT);
            cJSON *flag = jr_get(r, item, cell, "measured", JR_BOOL);
            double median = jr_number(r, item, cell, "median_s", JR_NUMBER_OR_NULL);
            if (r->error[0]) return -1;
            if (cJSON_IsTrue(flag)) {
                if (!(median > 0)) {
                    jr_fail(r, "field '%s.median_s' must be a time > 0 when measured", cell);
                    return -1;
                }
                measured[c]++;
            }
        }
    }
    if (measured[0] + measured[1] + measured[2] == 0) {
        jr_fail(r, "no cell of the sweep was measured: nothing to plot");
        return -1;
    }
    const int matmul = strcmp(op, "matmul") == 0;
    gp_terminal(out, out_path, 960, 600);
    if (cJSON_IsTrue(available) && gpu_name)
        gp_title(out, "whygpu sweep: %s, time per call. CPU: %s; GPU: %s", op, cpu_model, gpu_name);
    else
        gp_title(out, "whygpu sweep: %s, time per call. CPU: %s", op, cpu_model);
    fprintf(out, "set logscale xy\nset xlabel ");
    gp_string(out, matmul ? "n (n x n matrices)" : unit);
    fprintf(out, " noenhanced\nset ylabel 'time per call (seconds)'\n"
                 "set format y '10^{%%L}'\nset format x '%%.0s%%c'\n"
                 "set key top left Left reverse\nset autoscale xfix\n"
                 "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n");
    for (int c = 0; c < SWEEP_COLUMNS; c++) {
        if (!measured[c]) continue;
        fprintf(out, "$%s << EOD\n", sweep_keys[c]);
        for (int i = 0; i < count; i++) {
            cJSON *p = cJSON_GetArrayItem(points, i);
            cJSON *cell = cJSON_GetObjectItemCaseSensitive(p, sweep_keys[c]);
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cell, "measured")))
                fprintf(out, "%.17g %.9g\n", cJSON_GetObjectItem(p, "size")->valuedouble,
                        cJSON_GetObjectItem(cell, "median_s")->valuedouble);
        }
        fprintf(out, "EOD\n");
    }
    /* Crossovers: a dashed vertical line and a label per GPU column where one was found. */
    for (int c = 1; c < SWEEP_COLUMNS; c++) {
        char where[64];
        snprintf(where, sizeof where, "crossover.%s", sweep_keys[c]);
        cJSON *x = jr_get(r, crossover, "crossover", sweep_keys[c], JR_OBJECT);
        const char *state = jr_string(r, x, where, "state", JR_STRING);
        double size = jr_number(r, x, where, "size", JR_NUMBER_OR_NULL);
        if (r->error[0]) return -1;
        if (strcmp(state, "found") != 0 || !(size > 0)) continue;
        char label[128];
        snprintf(label, sizeof label, "%s: GPU wins from %s ≈ %.3g", c == 1 ? "resident" : "with copies",
                 matmul ? "n" : "size", size);
        fprintf(out, "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 lw 1.5 lc rgb '%s'\n",
                size, size, sweep_colors[c]);
        fprintf(out, "set label ");
        gp_string(out, label);
        fprintf(out, " at %.9g, graph %.2f offset 0.6,0 tc rgb '%s' noenhanced front\n", size,
                c == 1 ? 0.62 : 0.55, sweep_colors[c]);
    }
    if (!measured[1] && !measured[2]) {
        char note[400];
        snprintf(note, sizeof note, "GPU not measured: %.300s",
                 gpu_reason ? gpu_reason : "no GPU");
        fprintf(out, "set label ");
        gp_string(out, note);
        fprintf(out, " at graph 0.02, graph 0.04 tc rgb '#666666' noenhanced font ',10'\n");
    }
    fprintf(out, "plot ");
    int first = 1;
    for (int c = 0; c < SWEEP_COLUMNS; c++) {
        if (!measured[c]) continue;
        fprintf(out, "%s$%s using 1:2 with linespoints lw 2 pt %d ps 0.7 lc rgb '%s'%s title ",
                first ? "" : ", ", sweep_keys[c], c == 0 ? 7 : c == 1 ? 5 : 9, sweep_colors[c],
                c == 2 ? " dt 4" : "");
        gp_string(out, sweep_titles[c]);
        first = 0;
    }
    fprintf(out, "\n");
    return 0;
}

/* ---------------------------------------------------------------- roofline -------- */

static int plot_roofline(jr *r, const cJSON *root, const char *out_path, FILE *out)
{
    cJSON *sections = jr_get(r, root, "", "sections", JR_OBJECT);
    if (r->error[0]) return -1;
    cJSON *roofline = cJSON_GetObjectItemCaseSensitive(sections, "roofline");
    if (!roofline) {
        jr_fail(r, "field 'sections.roofline' is missing: the roofline needs an explain run "
                "that includes it (no --only, or --only roofline)");
        return -1;
    }
    cJSON *devices = jr_get(r, roofline, "sections.roofline", "devices", JR_ARRAY);
    cJSON *ops = jr_get(r, roofline, "sections.roofline", "ops", JR_ARRAY);
    if (r->error[0]) return -1;
    int device_count = cJSON_GetArraySize(devices), op_count = cJSON_GetArraySize(ops);
    if (device_count < 1) {
        jr_fail(r, "field 'sections.roofline.devices' is empty: no roof to draw");
        return -1;
    }
    static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    double lowest_x = 0.05, highest_x = 1e4, highest_y = 1, lowest_bandwidth = INFINITY,
           lowest_y = INFINITY;
    for (int d = 0; d < device_count; d++) {
        char where[64];
        snprintf(where, sizeof where, "sections.roofline.devices[%d]", d);
        cJSON *dev = cJSON_GetArrayItem(devices, d);
        jr_string(r, dev, where, "device", JR_STRING);
        double peak = jr_number(r, dev, where, "peak_gflops", JR_NUMBER);
        double bandwidth = jr_number(r, dev, where, "bandwidth_gbs", JR_NUMBER);
        if (r->error[0]) return -1;
        if (!(peak > 0) || !(bandwidth > 0)) {
            jr_fail(r, "field '%s' needs peak_gflops and bandwidth_gbs > 0", where);
            return -1;
        }
        if (peak > highest_y) highest_y = peak;
        if (bandwidth < lowest_bandwidth) lowest_bandwidth = bandwidth;
    }
    for (int i = 0; i < op_count; i++) {
        char where[64];
        snprintf(where, sizeof where, "sections.roofline.ops[%d]", i);
        cJSON *op = cJSON_GetArrayItem(ops, i);
        jr_string(r, op, where, "op", JR_STRING);
        jr_string(r, op, where, "device", JR_STRING);
        double intensity = jr_number(r, op, where, "flops_per_byte", JR_NUMBER);
        double attainable = jr_number(r, op, where, "attainable_gflops", JR_NUMBER);
        if (r->error[0]) return -1;
        if (!(intensity > 0) || !(attainable > 0)) {
            jr_fail(r, "field '%s' needs flops_per_byte and attainable_gflops > 0", where);
            return -1;
        }
        if (intensity < lowest_x) lowest_x = intensity / 2;
        if (intensity > highest_x) highest_x = intensity * 20; /* room for its name */
        if (attainable < lowest_y) lowest_y = attainable;
    }
    if (lowest_x * lowest_bandwidth < lowest_y) lowest_y = lowest_x * lowest_bandwidth;
    char *labels = NULL;
    size_t labels_length = 0;
    FILE *stash = open_memstream(&labels, &labels_length);
    if (!stash) {
        jr_fail(r, "out of memory writing the gnuplot script");
        return -1;
    }
    gp_terminal(out, out_path, 960, 600);
    const char *model = NULL;
    cJSON *machine = cJSON_GetObjectItemCaseSensitive(root, "machine");
    cJSON *cpu = machine ? cJSON_GetObjectItemCaseSensitive(machine, "cpu") : NULL;
    if (cpu) model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cpu, "model"));
    gp_title(out, "The roofline, measured by whygpu explain%s%s", model ? ": " : "",
             model ? model : "");
    fprintf(out, "set logscale xy\nset xlabel 'arithmetic intensity (flop per byte moved)'\n"
                 "set ylabel 'attainable GFLOP/s'\nset format y '%%.0s%%c'\n"
                 "set format x '%%g'\nset key bottom right\nset samples 400\n"
                 "set xrange [%g:%g]\nset yrange [%g:%g]\n",
            lowest_x, highest_x, lowest_y / 2, highest_y * 3);
    for (int d = 0; d < device_count; d++) {
        cJSON *dev = cJSON_GetArrayItem(devices, d);
        fprintf(out, "roof%d(x) = x * %.9g < %.9g ? x * %.9g : %.9g\n", d,
                cJSON_GetObjectItem(dev, "bandwidth_gbs")->valuedouble,
                cJSON_GetObjectItem(dev, "peak_gflops")->valuedouble,
                cJSON_GetObjectItem(dev, "bandwidth_gbs")->valuedouble,
                cJSON_GetObjectItem(dev, "peak_gflops")->valuedouble);
        const char *name = cJSON_GetObjectItem(dev, "device")->valuestring;
        fprintf(out, "$ops%d << EOD\n", d);
        for (int i = 0; i < op_count; i++) {
            cJSON *op = cJSON_GetArrayItem(ops, i);
            if (strcmp(cJSON_GetObjectItem(op, "device")->valuestring, name) != 0) continue;
            double x = cJSON_GetObjectItem(op, "flops_per_byte")->valuedouble;
            double y = cJSON_GetObjectItem(op, "attainable_gflops")->valuedouble;
            fprintf(out, "%.9g %.9g\n", x, y);
            /* Ops at the same intensity would print their names on top of each other:
             * each one more line down. */
            int same = 0;
            for (int k = 0; k < i; k++) {
                cJSON *before = cJSON_GetArrayItem(ops, k);
                double bx = cJSON_GetObjectItem(before, "flops_per_byte")->valuedouble;
                if (strcmp(cJSON_GetObjectItem(before, "device")->valuestring, name) == 0 &&
                    fabs(bx / x - 1) < 0.05)
                    same++;
            }
            fprintf(stash, "set label ");
            gp_string(stash, cJSON_GetObjectItem(op, "op")->valuestring);
            fprintf(stash, " at %.9g, %.9g left offset 0.8, %.1f font ',10' tc rgb '%s' "
                           "noenhanced front\n", x, y, -0.7 - 1.2 * same, colors[d % 4]);
        }
        fprintf(out, "EOD\n");
    }
    if (fclose(stash) != 0 || !labels) {
        free(labels);
        jr_fail(r, "out of memory writing the gnuplot script");
        return -1;
    }
    fputs(labels, out);
    free(labels);
    fprintf(out, "plot ");
    for (int d = 0; d < device_count; d++) {
        cJSON *dev = cJSON_GetArrayItem(devices, d);
        char title[160];
        snprintf(title, sizeof title, "%s roof: %.3g GFLOP/s peak, %.3g GB/s",
                 cJSON_GetObjectItem(dev, "device")->valuestring,
                 cJSON_GetObjectItem(dev, "peak_gflops")->valuedouble,
                 cJSON_GetObjectItem(dev, "bandwidth_gbs")->valuedouble);
        const char *color = colors[d % 4];
        fprintf(out, "%sroof%d(x) with lines lw 2.5 lc rgb '%s' title ", d ? ", " : "", d, color);
        gp_string(out, title);
        fprintf(out, ", $ops%d using 1:2 with points pt 7 ps 1.2 lc rgb '%s' notitle", d, color);
    }
    fprintf(out, "\n");
    return 0;
}

/* ---------------------------------------------------------------- ladder ---------- */

/* The kernel ladder: one bar per rung, GFLOP/s (docs/json.md, whygpu.ladder/1). */
static int plot_ladder(jr *r, const cJSON *root, const char *out_path, FILE *out)
{
    cJSON *rungs = jr_get(r, root, "", "rungs", JR_ARRAY);
    if (r->error[0]) return -1;
    int count = cJSON_GetArraySize(rungs);
    if (count < 1) {
        jr_fail(r, "field 'rungs' is empty: no kernel to draw");
        return -1;
    }
    for (int i = 0; i < count; i++) {
        char where[64];
        snprintf(where, sizeof where, "rungs[%d]", i);
        cJSON *rung = cJSON_GetArrayItem(rungs, i);
        jr_string(r, rung, where, "name", JR_STRING);
        jr_number(r, rung, where, "gflops", JR_NUMBER_OR_NULL);
        if (r->error[0]) return -1;
    }
    gp_terminal(out, out_path, 960, 560);
    cJSON *size = cJSON_GetObjectItemCaseSensitive(root, "size");
    if (cJSON_IsNumber(size))
        gp_title(out, "The GPU matmul kernel ladder, n = %.0f: the speed of each rung",
                 size->valuedouble);
    else
        gp_title(out, "The GPU matmul kernel ladder: the speed of each rung");
    double largest = 0;
    for (int i = 0; i < count; i++) {
        cJSON *gflops = cJSON_GetObjectItem(cJSON_GetArrayItem(rungs, i), "gflops");
        if (cJSON_IsNumber(gflops) && gflops->valuedouble > largest) largest = gflops->valuedouble;
    }
    const int tera = largest >= 2000; /* a GPU's rates read better in TFLOP/s */
    fprintf(out, "set style fill solid 0.85 border -1\nset boxwidth 0.6\n"
                 "set ylabel '%s'\nset yrange [0:*]\nset xrange [-0.6:%d.4]\nset key off\n"
                 "set xtics rotate by -25 noenhanced\nset grid noxtics nomxtics\n"
                 "set offsets 0, 0, graph 0.08, 0\n$rungs << EOD\n",
            tera ? "TFLOP/s" : "GFLOP/s", count - 1);
    for (int i = 0; i < count; i++) {
        cJSON *rung = cJSON_GetArrayItem(rungs, i);
        cJSON *gflops = cJSON_GetObjectItem(rung, "gflops");
        fprintf(out, "\"");
        for (const char *c = cJSON_GetObjectItem(rung, "name")->valuestring; *c; c++)
            if (*c != '"' && *c != '\n') fputc(*c, out);
        double rate = cJSON_IsNumber(gflops) ? gflops->valuedouble : 0.0;
        fprintf(out, "\" %.9g\n", tera ? rate / 1000 : rate);
    }
    fprintf(out, "EOD\nplot $rungs using 0:2:xtic(1) with boxes lc rgb '#2ca02c', "
                 "$rungs using 0:2:(sprintf('%%.3g', $2)) with labels offset 0,0.8 notitle\n");
    return 0;
}

/* ---------------------------------------------------------------- training -------- */

/* Loss (left axis) and accuracy (right axis) per epoch (docs/json.md, whygpu.train/1 and /2). */
static int plot_train(jr *r, const cJSON *root, const char *out_path, FILE *out)
{
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "mode"));
    if (mode && strcmp(mode, "compare") == 0) {
        jr_fail(r, "a 'whygpu train --compare' document has no epochs to draw: plot draws the "
                "curves of a training run (whygpu train --json)");
        return -1;
    }
    cJSON *epochs = jr_get(r, root, "", "epochs", JR_ARRAY);
    if (r->error[0]) return -1;
    int count = cJSON_GetArraySize(epochs);
    if (count < 1) {
        jr_fail(r, "field 'epochs' is empty: no training curve to draw");
        return -1;
    }
    int have_test = 1;
    for (int i = 0; i < count; i++) {
        char where[64];
        snprintf(where, sizeof where, "epochs[%d]", i);
        cJSON *e = cJSON_GetArrayItem(epochs, i);
        jr_number(r, e, where, "epoch", JR_NUMBER);
        jr_number(r, e, where, "train_loss", JR_NUMBER);
        jr_number(r, e, where, "train_accuracy", JR_NUMBER);
        if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "test_accuracy"))) have_test = 0;
        if (r->error[0]) return -1;
    }
    gp_terminal(out, out_path, 960, 560);
    const char *device = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "device"));
    gp_title(out, "Training curves%s%s: loss and accuracy per epoch", device ? " on " : "",
             device ? device : "");
    fprintf(out, "set border 11 lc rgb '#555555'\n"
                 "set xlabel 'epoch'\nset ylabel 'training loss'\nset y2label 'accuracy'\n"
                 "set y2range [0:1]\nset y2tics\nset ytics nomirror\nset key center right\n"
                 "set yrange [0:*]\n$epochs << EOD\n");
    for (int i = 0; i < count; i++) {
        cJSON *e = cJSON_GetArrayItem(epochs, i);
        cJSON *test = cJSON_GetObjectItemCaseSensitive(e, "test_accuracy");
        fprintf(out, "%.9g %.9g %.9g %.9g\n", cJSON_GetObjectItem(e, "epoch")->valuedouble,
                cJSON_GetObjectItem(e, "train_loss")->valuedouble,
                cJSON_GetObjectItem(e, "train_accuracy")->valuedouble,
                have_test ? test->valuedouble : 0.0);
    }
    fprintf(out, "EOD\nplot $epochs using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' "
                 "title 'training loss', $epochs using 1:3 axes x1y2 with linespoints lw 2 pt 5 "
                 "lc rgb '#2ca02c' title 'train accuracy'%s\n",
            have_test ? ", $epochs using 1:4 axes x1y2 with linespoints lw 2 pt 9 "
                        "lc rgb '#d62728' title 'test accuracy'" : "");
    return 0;
}

/* ---------------------------------------------------------------- dispatch -------- */

typedef struct chart_kind {
    const char *schema;
    int (*draw)(jr *r, const cJSON *root, const char *out_path, FILE *out);
} chart_kind;

static const chart_kind kinds[] = {
    {"whygpu.sweep/1", plot_sweep},
    {"whygpu.explain/1", plot_roofline},
    {"whygpu.ladder/1", plot_ladder},
    {"whygpu.train/1", plot_train}, /* before the shared machine block; epochs the same */
    {"whygpu.train/2", plot_train},
};

int plot_document(const cJSON *root, const char *source, const char *out_path, char *msg,
                  size_t size)
{
    jr r = {""};
    const char *schema = jr_string(&r, root, "", "schema", JR_STRING);
    if (!schema) {
        snprintf(msg, size, "%s: %s (not a whygpu JSON document?)", source, r.error);
        return CLI_EXIT_FAILURE;
    }
    const chart_kind *kind = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(schema, kinds[i].schema) == 0) kind = &kinds[i];
    if (!kind) {
        snprintf(msg, size, "%s: schema '%.100s' has no chart (plot draws whygpu.sweep/1, "
                 "whygpu.explain/1, whygpu.ladder/1 and whygpu.train/1 or /2)", source, schema);
        return CLI_EXIT_FAILURE;
    }
    char *script = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&script, &length);
    if (!out) {
        snprintf(msg, size, "out of memory writing the gnuplot script");
        return CLI_EXIT_FAILURE;
    }
    int rc = kind->draw(&r, root, out_path, out);
    fprintf(out, "set output\n");
    if (fclose(out) != 0 && rc == 0) {
        snprintf(msg, size, "out of memory writing the gnuplot script");
        rc = -1;
    } else if (rc != 0) {
        snprintf(msg, size, "%s: %s", source, r.error);
    } else if (getenv("WHYGPU_PLOT_SCRIPT")) {
        /* For debugging a chart: the script is written where asked, then run as usual. */
        FILE *copy = fopen(getenv("WHYGPU_PLOT_SCRIPT"), "w");
        if (copy) {
            fwrite(script, 1, length, copy);
            fclose(copy);
        }
    }
    if (rc == 0) rc = run_gnuplot(script, length, msg, size);
    free(script);
    if (rc != 0) unlink(out_path); /* no half-drawn chart left behind */
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
#endif /* WG_HAVE_CJSON */

/* ---------------------------------------------------------------- the command ----- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu plot RESULTS.json -o FILE.svg|FILE.png\n"
            "\n"
            "Draws a chart of a saved whygpu result with gnuplot. The document's schema picks\n"
            "the chart:\n"
            "  whygpu sweep --json    time per call against size (log-log): CPU, GPU with the\n"
            "                         data resident, GPU with copies; crossovers marked\n"
            "  whygpu explain --json  the roofline: each device's roof and the demo's ops\n"
            "  whygpu ladder --json   the GPU matmul kernels' GFLOP/s, as bars\n"
            "  whygpu train --json    training loss and accuracy per epoch\n"
            "Results measured on a machine without gnuplot can be drawn later on another.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE  the chart: .svg or .png (required)\n"
            "  -h, --help         this help\n"
            "\n"
            "environment: WHYGPU_GNUPLOT, the gnuplot to run (default: gnuplot on PATH);\n"
            "WHYGPU_PLOT_SCRIPT=FILE also saves the generated gnuplot script there\n"
            "exit status: 0 drawn, 1 the input is malformed or gnuplot is missing or failed,\n"
            "2 bad usage\n");
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *output = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("plot", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("plot", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("plot", "which RESULTS.json? none given");
    if (optind + 1 < argc) return cli_usage_error("plot", "unexpected argument '%s'", argv[optind + 1]);
    if (!output) return cli_usage_error("plot", "-o FILE.svg or FILE.png is required");
    const char *dot = strrchr(output, '.');
    if (!dot || (strcasecmp(dot, ".svg") != 0 && strcasecmp(dot, ".png") != 0))
        return cli_usage_error("plot", "-o: '%s' should end in .svg or .png", output);
    const char *input = argv[optind];
#ifndef WG_HAVE_CJSON
    (void)input;
    fprintf(stderr, "whygpu plot: built without cJSON, so JSON cannot be read (install "
                    "libcjson-dev and rebuild)\n");
    return CLI_EXIT_FAILURE;
#else
    jr r = {""};
    char *text = jr_read_file(&r, input);
    cJSON *root = text ? jr_parse(&r, text, input) : NULL;
    free(text);
    if (!root) {
        fprintf(stderr, "whygpu plot: %s\n", r.error);
        return CLI_EXIT_FAILURE;
    }
    char msg[1024];
    int rc = plot_document(root, input, output, msg, sizeof msg);
    cJSON_Delete(root);
    if (rc != CLI_EXIT_OK) {
        fprintf(stderr, "whygpu plot: %s\n", msg);
        return rc;
    }
    return CLI_EXIT_OK;
#endif
}
