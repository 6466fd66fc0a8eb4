/*
 * report_html.c - the page of `whygpu report`: one self-contained HTML file (inline CSS,
 * charts inline as SVG, nothing loaded from elsewhere) with the demo's four cells, the
 * sweep's crossovers, explain's reasons in plain words, the ladder and training charts
 * when there are results for them, and the machine. Every section names the machine and
 * the date of its figures; a reference machine's recorded figures (--reference) fill the
 * GPU parts this machine did not measure, each labelled and styled apart. Every text is
 * escaped.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "whygpu_lab.h"

#ifdef WG_HAVE_CJSON
static void html_text(FILE *out, const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
        switch (*c) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*c, out);
        }
    }
}

static void html_printf(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Formats, then escapes. */
static void html_printf(FILE *out, const char *format, ...)
{
    char text[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    html_text(out, text);
}

static void html_item(FILE *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* One <li> of formatted, escaped text. */
static void html_item(FILE *out, const char *format, ...)
{
    char text[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fprintf(out, "<li>");
    html_text(out, text);
    fprintf(out, "</li>\n");
}

static const char *str_at(const cJSON *obj, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
    return s ? s : "";
}

static double num_at(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

static const char *seconds_text(double s, char *buf, size_t size)
{
    if (!isfinite(s)) return "-";
    return wg_format_seconds(s, buf, size);
}

static const char *const css =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1040px;"
    "margin:0 auto;padding:24px 32px 64px;color:#222;line-height:1.45;background:#fff}"
    "h1{font-size:30px;margin:0 0 4px}h2{font-size:22px;margin:36px 0 8px;border-bottom:2px solid "
    "#e5e5e5;padding-bottom:4px}h3{font-size:17px;margin:20px 0 6px}"
    ".sub{color:#666;margin:0 0 18px}table{border-collapse:collapse;margin:8px 0 12px}"
    "th,td{padding:5px 12px;border-bottom:1px solid #e3e3e3;text-align:right}"
    "th{background:#f4f6f8;font-weight:600}td.l,th.l{text-align:left}"
    ".win{color:#1a7f37;font-weight:600}.lose{color:#b3261e}.na{color:#888}"
    ".note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px;margin:10px 0;"
    "font-size:14px}.chart{margin:10px 0;border:1px solid #eee}.chart svg{width:100%;height:auto;"
    "display:block}ul.say li{margin:4px 0}.cells{display:grid;grid-template-columns:1fr 1fr;"
    "gap:12px;margin:12px 0}.cell{border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;"
    "background:#fafcff}.cell .t{font-size:13px;color:#555}.cell .v{font-size:26px;"
    "font-weight:600}.cell .d{font-size:13px;color:#666}code{background:#f3f3f3;padding:1px 4px;"
    "border-radius:3px}footer{margin-top:40px;color:#777;font-size:13px}"
    ".src{color:#555;font-size:13px;margin:0 0 8px}.recorded{border:1px dashed #9a7b3c;"
    "background:#fbf6ea}.cell.recorded .v{color:#7a5c1e;font-style:italic}"
    "div.recorded{padding:4px 12px;margin:8px 0;border-radius:6px}"
    ".tag{font-size:12px;color:#7a5c1e;font-style:italic}";

static void html_chart(FILE *out, const report *rep, int d)
{
    if (rep->chart[d])
        fprintf(out, "<div class=\"chart\">%s</div>\n", rep->chart[d]);
    else if (rep->chart_note[d][0]) {
        fprintf(out, "<p class=\"note\">");
        html_text(out, rep->chart_note[d]);
        fprintf(out, "</p>\n");
    }
}

static void html_absent(FILE *out, const report *rep, int d)
{
    fprintf(out, "<p class=\"note\">No %s results: ", report_doc_names[d]);
    html_text(out, rep->note[d][0] ? rep->note[d] : "not available");
    fprintf(out, "</p>\n");
}

/* Where a section's figures come from: the machine and date of its document. */
static void html_source(FILE *out, const report *rep, int d)
{
    const cJSON *doc = rep->doc[d];
    if (!doc) return;
    const cJSON *machine = cJSON_GetObjectItem(doc, "machine");
    const cJSON *cpu = cJSON_GetObjectItem(machine, "cpu"), *gpu = cJSON_GetObjectItem(machine, "gpu");
    const char *date = str_at(doc, "date");
    fprintf(out, "<p class=\"src%s\">Figures: ", rep->recorded_doc[d] ? " tag" : "");
    if (rep->recorded_doc[d]) {
        char tag[256];
        html_text(out, recorded_tag(&rep->ref, tag, sizeof tag));
        fprintf(out, " (reference ");
        html_text(out, rep->ref.name);
        fprintf(out, "; GPU ");
        html_text(out, rep->ref.gpu);
        fprintf(out, ")</p>\n");
        return;
    }
    fprintf(out, "%s ", rep->o.from ? "recorded on" : "measured on this machine,");
    html_text(out, cJSON_IsString(cpu) ? cpu->valuestring : str_at(cpu, "model"));
    if (cJSON_IsTrue(cJSON_GetObjectItem(gpu, "available"))) {
        fprintf(out, " with ");
        html_text(out, str_at(gpu, "name"));
    } else {
        fprintf(out, ", no GPU");
    }
    if (date[0]) html_printf(out, ", %.10s", date);
    if (rep->o.from) {
        fprintf(out, " (saved results in ");
        html_text(out, rep->o.from);
        fprintf(out, ")");
    }
    fprintf(out, "</p>\n");
}

/* Your CPU against the recorded GPU, in words, with the ratio said as such. */
static void html_demo_recorded(FILE *out, const report *rep, const cJSON *demo)
{
    if (!rep->ref.loaded) return;
    const cJSON *cells = cJSON_GetObjectItem(demo, "cells");
    double size = num_at(demo, "size");
    fprintf(out, "<div class=\"recorded\"><ul class=\"say\">\n");
    for (int row = 0; row < 2; row++) {
        const cJSON *cpu = cJSON_GetArrayItem(cells, row);
        recorded_cell rec;
        const char *op = row ? "matmul" : "square";
        if (!cpu || !cJSON_IsTrue(cJSON_GetObjectItem(cpu, "measured")) ||
            !recorded_demo_cell(&rep->ref, op, (int64_t)size, &rec))
            continue;
        double cpu_s = num_at(cJSON_GetObjectItem(cpu, "time"), "median_s");
        double cpu_rate = num_at(cpu, "gflops");
        int by_rate = row == 1 && rec.size != size;
        double x = by_rate ? rec.gflops / cpu_rate : cpu_s / rec.median_s;
        if (!isfinite(x) || x <= 0) continue;
        char a[32], b[32];
        if (row == 0)
            html_item(out, "Your CPU against the %s (recorded %s, not this machine): the square "
                           "took %s here and %s there: %s %.3gx faster.", rep->ref.label,
                      rep->ref.date, seconds_text(cpu_s, a, sizeof a),
                      seconds_text(rec.median_s, b, sizeof b), x >= 1 ? "that GPU" : "your CPU",
                      x >= 1 ? x : 1 / x);
        else
            html_item(out, "Your CPU against the %s (recorded %s, not this machine): the matmul "
                           "ran at %.3g GFLOP/s here (n = %.0f) and %.3g GFLOP/s there (n = %.0f): "
                           "%s %.3gx faster%s.", rep->ref.label, rep->ref.date, cpu_rate, size,
                      rec.gflops, rec.size, x >= 1 ? "that GPU" : "your CPU", x >= 1 ? x : 1 / x,
                      by_rate ? " by rate" : "");
    }
    fprintf(out, "</ul></div>\n");
}

/* The four demo cells as cards (a GPU card this machine did not measure shows the
 * reference's recorded cell, labelled), then the comparison table. */
static void html_demo(FILE *out, const report *rep)
{
    const cJSON *demo = rep->doc[DOC_DEMO];
    fprintf(out, "<h2 id=\"demo\">1. The classic demo</h2>\n");
    if (!demo) {
        html_absent(out, rep, DOC_DEMO);
        return;
    }
    double size = num_at(demo, "size");
    html_source(out, rep, DOC_DEMO);
    fprintf(out, "<p>Square a 1x1 tensor, and multiply a %.0fx%.0f random matrix by itself: "
                 "first on the CPU, then after <code>to(\"cuda\")</code> on the GPU. Each cell "
                 "is the median of several timed repeats, checked against float64.</p>\n",
            size, size);
    fprintf(out, "<div class=\"cells\">\n");
    const cJSON *cells = cJSON_GetObjectItem(demo, "cells");
    static const int order[4] = {0, 2, 1, 3}; /* CPU and GPU side by side */
    for (int k = 0; k < 4; k++) {
        const cJSON *cell = cJSON_GetArrayItem(cells, order[k]);
        if (!cell) continue;
        char t[32];
        const cJSON *time = cJSON_GetObjectItem(cell, "time");
        int measured = cJSON_IsTrue(cJSON_GetObjectItem(cell, "measured"));
        const char *op = str_at(cell, "op");
        recorded_cell rec;
        int shows_recorded = !measured && strcmp(str_at(cell, "device"), "cpu") != 0 &&
                             rep->ref.loaded && recorded_demo_cell(&rep->ref, op, (int64_t)size, &rec);
        fprintf(out, "<div class=\"cell%s\"><div class=\"t\">cell %.0f: ",
                shows_recorded ? " recorded" : "", num_at(cell, "cell"));
        if (strcmp(op, "square") == 0)
            fprintf(out, "square 1x1");
        else
            fprintf(out, "matmul %.0fx%.0f", size, size);
        fprintf(out, " on ");
        if (shows_recorded) html_printf(out, "the %s GPU (recorded elsewhere)", rep->ref.label);
        else html_text(out, str_at(cell, "device"));
        fprintf(out, "</div>");
        if (measured) {
            double gflops = num_at(cell, "gflops");
            const cJSON *check = cJSON_GetObjectItem(cell, "check");
            fprintf(out, "<div class=\"v\">%s</div><div class=\"d\">",
                    seconds_text(num_at(time, "median_s"), t, sizeof t));
            if (isfinite(gflops)) fprintf(out, "%.3g GFLOP/s, ", gflops);
            fprintf(out, "spread %.0f%%, result %s</div>", 100 * num_at(time, "spread"),
                    cJSON_IsTrue(cJSON_GetObjectItem(check, "passed")) ? "checked ok"
                                                                       : "WRONG");
        } else if (strcmp(str_at(cell, "device"), "cpu") != 0 && rep->ref.loaded &&
                   recorded_demo_cell(&rep->ref, op, (int64_t)size, &rec)) {
            char tag[256];
            fprintf(out, "<div class=\"v\">%s</div><div class=\"d\">",
                    seconds_text(rec.median_s, t, sizeof t));
            if (isfinite(rec.gflops)) fprintf(out, "%.3g GFLOP/s", rec.gflops);
            if (strcmp(op, "matmul") == 0 && rec.size != size)
                fprintf(out, " at n = %.0f (the nearest size it recorded)", rec.size);
            fprintf(out, "</div><div class=\"tag\">");
            html_text(out, recorded_tag(&rep->ref, tag, sizeof tag));
            fprintf(out, "</div>");
        } else {
            fprintf(out, "<div class=\"v na\">not measured</div><div class=\"d\">");
            html_text(out, str_at(cell, "reason"));
            fprintf(out, "</div>");
        }
        fprintf(out, "</div>\n");
    }
    fprintf(out, "</div>\n<table><tr><th class=\"l\">op</th><th>CPU</th><th>GPU</th>"
                 "<th>CPU time / GPU time</th><th class=\"l\">winner</th></tr>\n");
    const cJSON *comparisons = cJSON_GetObjectItem(demo, "comparisons");
    for (int i = 0; i < cJSON_GetArraySize(comparisons); i++) {
        const cJSON *c = cJSON_GetArrayItem(comparisons, i);
        char a[32], b[32];
        double ratio = num_at(c, "cpu_over_gpu");
        const char *winner = str_at(c, "winner");
        fprintf(out, "<tr><td class=\"l\">");
        html_text(out, str_at(c, "op"));
        fprintf(out, "</td><td>%s</td><td>%s</td><td>", seconds_text(num_at(c, "cpu_median_s"), a, sizeof a),
                seconds_text(num_at(c, "gpu_median_s"), b, sizeof b));
        if (isfinite(ratio)) fprintf(out, "%.3gx", ratio); else fprintf(out, "-");
        fprintf(out, "</td><td class=\"l %s\">%s</td></tr>\n",
                strcmp(winner, "gpu") == 0 ? "win" : winner[0] ? "lose" : "na",
                winner[0] ? winner : "-");
    }
    fprintf(out, "</table>\n");
    /* The reading, in plain words, from the two comparisons. */
    const cJSON *square = cJSON_GetArrayItem(comparisons, 0), *matmul = cJSON_GetArrayItem(comparisons, 1);
    double square_ratio = num_at(square, "cpu_over_gpu"), matmul_ratio = num_at(matmul, "cpu_over_gpu");
    if (isfinite(square_ratio) || isfinite(matmul_ratio)) fprintf(out, "<ul class=\"say\">\n");
    if (isfinite(square_ratio) && square_ratio < 1)
        html_item(out, "Squaring one number is %.3gx slower on the GPU: every GPU operation is a "
                       "kernel launched from the host and scheduled on the device, a fixed cost "
                       "that one multiply cannot hide.", 1 / square_ratio);
    else if (isfinite(square_ratio))
        html_item(out, "Squaring one number is %.3gx faster on the GPU here: the CPU call costs "
                       "more than a GPU launch.", square_ratio);
    if (isfinite(matmul_ratio) && matmul_ratio >= 1)
        html_item(out, "The %.0fx%.0f matmul is %.3gx faster on the GPU: with %.0f operations "
                       "per number there is enough independent work to keep all of the GPU's "
                       "cores busy, and that is what a neural network's layers are made of.",
                  size, size, matmul_ratio, 2 * size);
    else if (isfinite(matmul_ratio))
        html_item(out, "The %.0fx%.0f matmul is %.3gx slower on the GPU: at this size there is "
                       "too little work to fill it.", size, size, 1 / matmul_ratio);
    if (isfinite(square_ratio) || isfinite(matmul_ratio)) fprintf(out, "</ul>\n");
    const cJSON *gpu = cJSON_GetObjectItem(cJSON_GetObjectItem(demo, "machine"), "gpu");
    if (!cJSON_IsTrue(cJSON_GetObjectItem(gpu, "available"))) {
        fprintf(out, "<p class=\"note\">No GPU was measured %s. Why: ",
                rep->ref.loaded ? "on this machine, so its GPU cards show another machine's "
                                  "recorded figures (dashed, labelled)"
                                : "on this machine, so only the CPU cells are filled in");
        html_text(out, str_at(gpu, "reason"));
        fprintf(out, "</p>\n");
        html_demo_recorded(out, rep, demo);
    }
}

static void html_sweep(FILE *out, const report *rep)
{
    const cJSON *sweep = rep->doc[DOC_SWEEP];
    fprintf(out, "<h2 id=\"sweep\">2. Where the GPU starts to win</h2>\n");
    if (!sweep) {
        html_absent(out, rep, DOC_SWEEP);
        return;
    }
    const char *op = str_at(sweep, "op");
    int matmul = strcmp(op, "matmul") == 0;
    html_source(out, rep, DOC_SWEEP);
    fprintf(out, "<p>The same operation (");
    html_text(out, op);
    fprintf(out, ") timed over sizes on the CPU, on the GPU with the data already there, and "
                 "on the GPU including the copies to and from it: what you pay when the data "
                 "starts in host memory. Time per call, log-log.</p>\n");
    html_chart(out, rep, DOC_SWEEP);
    const cJSON *crossover = cJSON_GetObjectItem(sweep, "crossover");
    fprintf(out, "<ul class=\"say\">\n");
    static const char *const keys[2] = {"gpu", "gpu_with_copies"};
    static const char *const titles[2] = {"with the data resident on the GPU",
                                          "including the copies"};
    for (int c = 0; c < 2; c++) {
        const cJSON *x = cJSON_GetObjectItem(crossover, keys[c]);
        const char *state = str_at(x, "state");
        double size = num_at(x, "size"), best = num_at(x, "best_speedup");
        fprintf(out, "<li>%s %s: ", c == 0 ? "Crossover" : "Crossover", titles[c]);
        if (strcmp(state, "found") == 0)
            html_printf(out, "the GPU wins from %s ≈ %.3g (between the grid points %.0f and %.0f)",
                        matmul ? "n" : "size", size, num_at(x, "below"), num_at(x, "above"));
        else if (strcmp(state, "gpu_always") == 0)
            html_printf(out, "the GPU wins at every size measured, from %.0f", size);
        else if (strcmp(state, "never") == 0)
            html_printf(out, "the GPU does not win up to %.0f, the largest size measured", size);
        else
            html_printf(out, "not measured (no GPU)");
        if (isfinite(best))
            html_printf(out, "; the largest speed-up is %.3gx, at %.0f", best,
                        num_at(x, "best_speedup_size"));
        fprintf(out, ".</li>\n");
    }
    fprintf(out, "</ul>\n");
    const cJSON *gpu = cJSON_GetObjectItem(cJSON_GetObjectItem(sweep, "machine"), "gpu");
    const cJSON *rec_doc = cJSON_GetObjectItem(sweep, "recorded");
    if (!cJSON_IsTrue(cJSON_GetObjectItem(gpu, "available"))) {
        fprintf(out, "<p class=\"note\">No GPU was measured on this machine%s: ",
                cJSON_IsObject(rec_doc) ? "; the chart's dashed GPU curves were recorded on "
                                           "another machine" : ", so the GPU columns are empty");
        html_text(out, str_at(gpu, "reason"));
        fprintf(out, "</p>\n");
    }
    if (cJSON_IsObject(rec_doc)) {
        const cJSON *crossing = cJSON_GetObjectItem(rec_doc, "crossover");
        static const char *const rec_keys[2] = {"gpu", "gpu_with_copies"};
        static const char *const rec_titles[2] = {"with the data on that GPU",
                                                  "counting the copies"};
        fprintf(out, "<div class=\"recorded\"><p class=\"tag\">Your CPU against the GPU of ");
        html_text(out, str_at(rec_doc, "tag"));
        fprintf(out, " (reference ");
        html_text(out, str_at(rec_doc, "reference"));
        fprintf(out, ")</p><ul class=\"say\">\n");
        for (int c = 0; c < 2; c++) {
            const cJSON *x = cJSON_GetObjectItem(crossing, rec_keys[c]);
            const char *state = str_at(x, "state");
            double where = num_at(x, "size");
            if (strcmp(state, "found") == 0)
                html_item(out, "%s: that GPU wins from %s ≈ %.3g.", rec_titles[c],
                          matmul ? "n" : "size", where);
            else if (strcmp(state, "gpu_always") == 0)
                html_item(out, "%s: that GPU wins at every size both measured.", rec_titles[c]);
            else if (strcmp(state, "never") == 0)
                html_item(out, "%s: your CPU wins at every size both measured.", rec_titles[c]);
            else
                html_item(out, "%s: no size measured on both.", rec_titles[c]);
        }
        fprintf(out, "</ul></div>\n");
    }
}

/* A JSON array of sentences as a list. */
static void html_sentences(FILE *out, const cJSON *reading)
{
    fprintf(out, "<ul class=\"say\">\n");
    for (int i = 0; i < cJSON_GetArraySize(reading); i++) {
        fprintf(out, "<li>");
        html_text(out, cJSON_GetStringValue(cJSON_GetArrayItem(reading, i)));
        fprintf(out, "</li>\n");
    }
    fprintf(out, "</ul>\n");
}

static void html_explain(FILE *out, const report *rep)
{
    const cJSON *explain = rep->doc[DOC_EXPLAIN];
    fprintf(out, "<h2 id=\"reasons\">3. The reasons, measured</h2>\n");
    if (!explain) {
        html_absent(out, rep, DOC_EXPLAIN);
        return;
    }
    html_source(out, rep, DOC_EXPLAIN);
    const cJSON *explain_gpu = cJSON_GetObjectItem(cJSON_GetObjectItem(explain, "machine"), "gpu");
    const int no_gpu = !cJSON_IsTrue(cJSON_GetObjectItem(explain_gpu, "available"));
    static const char *const keys[] = {"bandwidth", "parallelism", "caches", "latency", "roofline"};
    static const char *const titles[] = {"Memory bandwidth", "Parallelism",
                                         "Caches and fast memory close to the cores",
                                         "Latency: the cost of one call", "The roofline"};
    const cJSON *sections = cJSON_GetObjectItem(explain, "sections");
    for (int s = 0; s < 5; s++) {
        const cJSON *section = cJSON_GetObjectItem(sections, keys[s]);
        if (!section) continue;
        fprintf(out, "<h3>%s</h3>\n", titles[s]);
        if (s == 4) html_chart(out, rep, DOC_EXPLAIN);
        html_sentences(out, cJSON_GetObjectItem(section, "reading"));
        const cJSON *skipped = cJSON_GetObjectItem(section, "skipped");
        const cJSON *item = NULL;
        cJSON_ArrayForEach(item, skipped)
        {
            fprintf(out, "<p class=\"note\">Not measured (");
            html_text(out, item->string);
            fprintf(out, "): ");
            html_text(out, cJSON_GetStringValue(item));
            fprintf(out, "</p>\n");
        }
        /* The GPU half this machine could not measure: the reference's reading of it. */
        const cJSON *rec_section = no_gpu ? recorded_explain_section(&rep->ref, keys[s]) : NULL;
        const cJSON *recorded_reading = cJSON_GetObjectItem(rec_section, "reading");
        if (cJSON_GetArraySize(recorded_reading) > 0) {
            char tag[256];
            fprintf(out, "<div class=\"recorded\"><p class=\"tag\">On a GPU machine: ");
            html_text(out, recorded_tag(&rep->ref, tag, sizeof tag));
            fprintf(out, " (reference ");
            html_text(out, rep->ref.name);
            fprintf(out, ")</p>\n");
            html_sentences(out, recorded_reading);
            fprintf(out, "</div>\n");
        }
    }
}

static void html_optional(FILE *out, const report *rep, int d, const char *title,
                          const char *what)
{
    fprintf(out, "<h2 id=\"%s\">%s</h2>\n", report_doc_names[d], title);
    if (!rep->doc[d]) {
        html_absent(out, rep, d);
        return;
    }
    html_source(out, rep, d);
    fprintf(out, "<p>%s</p>\n", what);
    if (rep->recorded_doc[d]) fprintf(out, "<div class=\"recorded\">");
    html_chart(out, rep, d);
    if (rep->recorded_doc[d]) fprintf(out, "</div>\n");
}

static void html_machine(FILE *out, const report *rep)
{
    const cJSON *info = rep->doc[DOC_INFO];
    fprintf(out, "<h2 id=\"machine\">Machine</h2>\n");
    if (!info) {
        html_absent(out, rep, DOC_INFO);
        return;
    }
    const cJSON *cpu = cJSON_GetObjectItem(info, "cpu"), *gpu = cJSON_GetObjectItem(info, "gpu");
    char l1[32], l2[32], l3[32], mem[32];
    fprintf(out, "<table><tr><th class=\"l\">CPU</th><td class=\"l\">");
    html_text(out, str_at(cpu, "model"));
    html_printf(out, " (%s), %.0f logical CPUs, %.0f cores, %.0f OpenMP threads",
                str_at(cpu, "vendor"), num_at(cpu, "logical_cpus"), num_at(cpu, "physical_cores"),
                num_at(cpu, "omp_threads"));
    fprintf(out, "</td></tr>\n<tr><th class=\"l\">SIMD</th><td class=\"l\">");
    html_text(out, str_at(cpu, "simd_level"));
    fprintf(out, "</td></tr>\n<tr><th class=\"l\">caches</th><td class=\"l\">");
    html_printf(out, "L1d %s, L2 %s, L3 %s", wg_format_bytes(num_at(cpu, "l1d_bytes"), l1, sizeof l1),
                wg_format_bytes(num_at(cpu, "l2_bytes"), l2, sizeof l2),
                wg_format_bytes(num_at(cpu, "l3_bytes"), l3, sizeof l3));
    fprintf(out, "</td></tr>\n<tr><th class=\"l\">memory</th><td class=\"l\">");
    html_text(out, wg_format_bytes(num_at(cpu, "memory_bytes"), mem, sizeof mem));
    fprintf(out, "</td></tr>\n");
    const cJSON *devices = cJSON_GetObjectItem(gpu, "devices");
    if (cJSON_GetArraySize(devices) == 0) {
        fprintf(out, "<tr><th class=\"l\">GPU</th><td class=\"l\">none: ");
        html_text(out, str_at(gpu, "error"));
        fprintf(out, "</td></tr>\n");
    }
    for (int i = 0; i < cJSON_GetArraySize(devices); i++) {
        const cJSON *d = cJSON_GetArrayItem(devices, i);
        char total[32];
        fprintf(out, "<tr><th class=\"l\">GPU %d</th><td class=\"l\">", i);
        html_printf(out, "%s, compute capability %s, %.0f SMs, %s, driver CUDA %s",
                    str_at(d, "name"), str_at(d, "compute_capability"), num_at(d, "sm_count"),
                    wg_format_bytes(num_at(d, "total_memory_bytes"), total, sizeof total),
                    str_at(d, "driver_version"));
        fprintf(out, "</td></tr>\n");
    }
    fprintf(out, "</table>\n");
}

int report_write_html(const report *rep, const char *path)
{
    /* A temporary file beside the page, renamed over it only when complete: a full disk
     * or an interrupted run keeps an old page as it was. */
    cli_output page;
    if (cli_output_open("report", path, &page) != 0) return -1;
    FILE *out = page.stream;
    /* When: the measurements' own date (from saved results, that is not today). */
    char date[32];
    wg_utc_date(date, sizeof date);
    static const int dated[] = {DOC_DEMO, DOC_SWEEP, DOC_EXPLAIN};
    for (int i = 2; i >= 0; i--) {
        const char *when = rep->doc[dated[i]] ? str_at(rep->doc[dated[i]], "date") : "";
        if (when[0]) snprintf(date, sizeof date, "%s", when);
    }
    const cJSON *cpu = rep->doc[DOC_INFO] ? cJSON_GetObjectItem(rep->doc[DOC_INFO], "cpu") : NULL;
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>whygpu report</title>\n<style>%s</style></head><body>\n", css);
    fprintf(out, "<h1>Why do neural networks run on GPUs?</h1>\n<p class=\"sub\">%s ",
            rep->o.from ? "Saved results of" : "Measured on");
    html_text(out, cpu ? str_at(cpu, "model") : rep->o.from ? "a machine" : "this machine");
    html_printf(out, ", %.10s, by whygpu %s%s.", date, WG_VERSION,
                rep->o.from ? "; loaded from a folder, not measured by this report" : "");
    if (rep->ref.loaded) {
        char tag[256];
        html_printf(out, " Dashed, labelled parts: %s.", recorded_tag(&rep->ref, tag, sizeof tag));
    }
    fprintf(out, "</p>\n");
    html_demo(out, rep);
    html_sweep(out, rep);
    html_explain(out, rep);
    html_optional(out, rep, DOC_LADDER, "4. The GPU matmul kernel ladder",
                  "The same matrix product written step by step better on the GPU, from one "
                  "thread per output to the vendor library.");
    html_optional(out, rep, DOC_TRAIN, "5. Training a network",
                  "A multilayer perceptron trained on Fashion-MNIST: loss and accuracy per epoch.");
    html_machine(out, rep);
    fprintf(out, "<footer>Made by <code>whygpu report</code>; %s%s Each result was checked "
                 "against a float64 reference before its time was trusted.</footer>\n"
                 "</body></html>\n",
            rep->o.from ? "every number on this page comes from saved results; each section "
                          "names the machine and date of its figures."
                        : "every number on this page not marked as recorded elsewhere was "
                          "measured on the machine above.",
            rep->ref.loaded ? " Figures in dashed boxes were recorded on another machine, "
                              "whose name and date they carry." : "");
    return cli_output_close("report", &page, 0) == 0 ? 0 : -1;
}
#endif /* WG_HAVE_CJSON */
