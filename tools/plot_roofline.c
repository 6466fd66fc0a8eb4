/*
 * plot_roofline.c - the roofline chart of `whygpu explain` (whygpu.explain/1): each device's
 * ceilings (bandwidth slope, compute peak; one per precision: fp32, and bf16 or tf32 where
 * measured, dashed) and where the demo's ops fall under the ceiling of their precision.
 * Files from before the ceilings have one fp32 roof per device and no "precision" keys.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_script.h"

#ifdef WG_HAVE_CJSON
/* ---------------------------------------------------------------- roofline -------- */

/* A row's precision: "fp32" when the key is absent (files from before the ceilings). */
static const char *row_precision(const cJSON *row)
{
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "precision"));
    return p ? p : "fp32";
}

int plot_roofline(jr *r, const cJSON *root, const char *out_path, FILE *out)
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
    static const char *const colors[] = {"#1f77b4", "#17becf", "#d62728", "#ff7f0e",
                                         "#9467bd", "#2ca02c"};
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
        if (intensity * 8 > highest_x) highest_x = intensity * 8; /* room for its name */
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
        const char *precision = row_precision(dev);
        fprintf(out, "$ops%d << EOD\n", d);
        for (int i = 0; i < op_count; i++) {
            cJSON *op = cJSON_GetArrayItem(ops, i);
            if (strcmp(cJSON_GetObjectItem(op, "device")->valuestring, name) != 0 ||
                strcmp(row_precision(op), precision) != 0)
                continue;
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
                    strcmp(row_precision(before), precision) == 0 && fabs(bx / x - 1) < 0.05)
                    same++;
            }
            fprintf(stash, "set label ");
            gp_string(stash, cJSON_GetObjectItem(op, "op")->valuestring);
            fprintf(stash, " at %.9g, %.9g left offset 0.8, %.1f font ',10' tc rgb '%s' "
                           "noenhanced front\n", x, y, -0.7 - 1.2 * same, colors[d % 6]);
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
        char title[200];
        const char *source =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dev, "peak_source"));
        snprintf(title, sizeof title, "%s %s ceiling%s%.60s%s: %.3g GFLOP/s peak, %.3g GB/s",
                 cJSON_GetObjectItem(dev, "device")->valuestring, row_precision(dev),
                 source ? " (" : "", source ? source : "", source ? ")" : "",
                 cJSON_GetObjectItem(dev, "peak_gflops")->valuedouble,
                 cJSON_GetObjectItem(dev, "bandwidth_gbs")->valuedouble);
        const char *color = colors[d % 6];
        fprintf(out, "%sroof%d(x) with lines lw 2.5 dt %d lc rgb '%s' title ", d ? ", " : "", d,
                strcmp(row_precision(dev), "fp32") == 0 ? 1 : 2, color);
        gp_string(out, title);
        fprintf(out, ", $ops%d using 1:2 with points pt 7 ps 1.2 lc rgb '%s' notitle", d, color);
    }
    fprintf(out, "\n");
    return 0;
}
#endif /* WG_HAVE_CJSON */
