/*
 * plot_bars.c - the charts of one value per step: the GPU kernel ladder (whygpu.ladder/1,
 * GFLOP/s per rung as bars) and training curves (whygpu.train/1 and /2, loss and accuracy
 * per epoch).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_script.h"

#ifdef WG_HAVE_CJSON
/* ---------------------------------------------------------------- ladder ---------- */

/* The kernel ladder: one bar per rung, GFLOP/s (docs/json.md, whygpu.ladder/1). */
int plot_ladder(jr *r, const cJSON *root, const char *out_path, FILE *out)
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
int plot_train(jr *r, const cJSON *root, const char *out_path, FILE *out)
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
    int have_test = 1, finite = 0;
    for (int i = 0; i < count; i++) {
        char where[64];
        snprintf(where, sizeof where, "epochs[%d]", i);
        cJSON *e = cJSON_GetArrayItem(epochs, i);
        jr_number(r, e, where, "epoch", JR_NUMBER);
        /* null: the value was not finite (a diverged epoch), drawn as a gap */
        jr_number(r, e, where, "train_loss", JR_NUMBER_OR_NULL);
        jr_number(r, e, where, "train_accuracy", JR_NUMBER_OR_NULL);
        if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "test_accuracy"))) have_test = 0;
        if (r->error[0]) return -1;
        finite += cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "train_loss"));
    }
    if (finite == 0) {
        jr_fail(r, "no epoch has a finite training loss (every train_loss is null: the run "
                "diverged), so there is no curve to draw");
        return -1;
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
        const cJSON *loss = cJSON_GetObjectItem(e, "train_loss");
        const cJSON *accuracy = cJSON_GetObjectItem(e, "train_accuracy");
        fprintf(out, "%.9g %.9g %.9g %.9g\n", cJSON_GetObjectItem(e, "epoch")->valuedouble,
                cJSON_IsNumber(loss) ? loss->valuedouble : NAN,
                cJSON_IsNumber(accuracy) ? accuracy->valuedouble : NAN,
                have_test ? test->valuedouble : 0.0);
    }
    fprintf(out, "EOD\nplot $epochs using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' "
                 "title 'training loss', $epochs using 1:3 axes x1y2 with linespoints lw 2 pt 5 "
                 "lc rgb '#2ca02c' title 'train accuracy'%s\n",
            have_test ? ", $epochs using 1:4 axes x1y2 with linespoints lw 2 pt 9 "
                        "lc rgb '#d62728' title 'test accuracy'" : "");
    return 0;
}
#endif /* WG_HAVE_CJSON */
