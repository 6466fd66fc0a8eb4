/*
 * plot_sweep.c - the sweep chart (whygpu.sweep/1): time per call against size, log-log, for the
 * CPU, the GPU with the data resident and the GPU with the copies; the crossovers marked. A
 * reference machine's recorded GPU columns (the document's "recorded") are drawn apart: thin
 * dashed lines in other colours, open points, and the machine and date in their titles.
 */
#include <stdio.h>
#include <string.h>

#include "plot_script.h"

#ifdef WG_HAVE_CJSON
/* ---------------------------------------------------------------- sweep ----------- */

#define SWEEP_COLUMNS 3
static const char *const sweep_keys[SWEEP_COLUMNS] = {"cpu", "gpu", "gpu_with_copies"};
static const char *const sweep_titles[SWEEP_COLUMNS] = {"CPU", "GPU, data resident",
                                                        "GPU, with copies to and from it"};
static const char *const sweep_colors[SWEEP_COLUMNS] = {"#1f77b4", "#d62728", "#ff7f0e"};

int plot_sweep(jr *r, const cJSON *root, const char *out_path, FILE *out)
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
        /* (a recorded GPU, when there is one, is in the legend) */
        snprintf(note, sizeof note, "GPU not measured: %.300s",
                 gpu_reason ? gpu_reason : "no GPU");
        fprintf(out, "set label ");
        gp_string(out, note);
        fprintf(out, " at graph 0.02, graph 0.04 tc rgb '#666666' noenhanced font ',10'\n");
    }
    /* Recorded on another machine: its own data blocks, never mixed with this run's. */
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(root, "recorded");
    const cJSON *rec_points = cJSON_IsObject(rec) ? cJSON_GetObjectItemCaseSensitive(rec, "points") : NULL;
    const char *rec_tag = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "tag"));
    static const char *const rec_keys[2] = {"gpu_median_s", "gpu_with_copies_median_s"};
    int rec_count[2] = {0, 0};
    for (int c = 0; c < 2 && rec_points && rec_tag; c++) {
        fprintf(out, "$recorded%d << EOD\n", c);
        const cJSON *p;
        cJSON_ArrayForEach(p, rec_points) {
            const cJSON *size = cJSON_GetObjectItemCaseSensitive(p, "size");
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, rec_keys[c]);
            if (cJSON_IsNumber(size) && cJSON_IsNumber(t) && t->valuedouble > 0) {
                fprintf(out, "%.17g %.9g\n", size->valuedouble, t->valuedouble);
                rec_count[c]++;
            }
        }
        fprintf(out, "EOD\n");
    }
    fprintf(out, "plot ");
    int first = 1;
    static const char *const rec_colors[2] = {"#8c564b", "#8a7a00"};
    for (int c = 0; c < 2; c++) {
        if (!rec_count[c]) continue;
        char title[400];
        snprintf(title, sizeof title, "GPU%s: %.300s", c ? " with copies" : ", data resident",
                 rec_tag);
        fprintf(out, "%s$recorded%d using 1:2 with linespoints lw 1 dt 3 pt %d ps 0.7 lc rgb '%s' "
                     "title ", first ? "" : ", ", c, c ? 8 : 4, rec_colors[c]);
        gp_string(out, title);
        first = 0;
    }
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
#endif /* WG_HAVE_CJSON */
