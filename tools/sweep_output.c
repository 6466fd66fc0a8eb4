/*
 * sweep_output.c - a sweep's results (sweep_cli.h) as the table with the crossovers, as the
 * whygpu.sweep/1 JSON document (docs/json.md), or as CSV, one row per size. A reference's
 * recorded GPU columns (--reference) are marked '*' in the table, with the machine and date
 * named, and kept in their own field ("recorded") in the JSON.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernel_option.h"
#include "sweep_cli.h"

/* ---------------------------------------------------------------- recorded -------- */

void sweep_fill_recorded(sweep_run *run)
{
    sweep_recorded *rec = &run->recorded;
    int64_t sizes[WG_SWEEP_MAX_POINTS];
    double cpu[WG_SWEEP_MAX_POINTS], gpu[WG_SWEEP_MAX_POINTS];
    rec->points = 0;
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        sizes[i] = p->size;
        cpu[i] = p->col[WG_SWEEP_CPU].measured ? p->col[WG_SWEEP_CPU].cell.time.median_s : NAN;
        int any = 0;
        for (int c = 0; c < COLUMNS; c++) {
            recorded_cell cell;
            rec->median_s[i][c] = NAN;
            if (c == WG_SWEEP_CPU) continue;
            if (recorded_sweep_point(&rec->ref, wg_sweep_op_name(run->o.op), (double)p->size,
                                     c == WG_SWEEP_GPU_COPIES, &cell))
                rec->median_s[i][c] = cell.median_s, any = 1;
        }
        rec->points += any;
    }
    for (int c = WG_SWEEP_GPU; c < COLUMNS; c++) {
        memset(&rec->crossover[c], 0, sizeof rec->crossover[c]);
        for (int i = 0; i < run->r.count; i++) gpu[i] = rec->median_s[i][c];
        if (rec->points && wg_sweep_crossover(sizes, cpu, gpu, run->r.count, &rec->crossover[c]) != WG_OK)
            rec->crossover[c].state = WG_CROSSOVER_NO_DATA;
    }
    if (rec->ref.loaded && !rec->points)
        snprintf(rec->note, sizeof rec->note, "the reference %s recorded no %s sweep at these "
                 "sizes", rec->ref.name, wg_sweep_op_name(run->o.op));
}

/* Whether the table's GPU columns show the reference's figures (no GPU measured here). */
static int shows_recorded(const sweep_run *run)
{
    return !run->machine.gpu_available && run->recorded.ref.loaded && run->recorded.points > 0;
}

/* ---------------------------------------------------------------- the table ------- */

static double median_or_nan(const wg_sweep_point *p, int c)
{
    return p->col[c].measured ? p->col[c].cell.time.median_s : NAN;
}

/* A short word for an unmeasured cell in the table. */
static const char *short_reason(const char *reason)
{
    if (strncmp(reason, "no GPU", 6) == 0) return "no GPU";
    if (strncmp(reason, "skipped", 7) == 0) return "budget";
    if (strncmp(reason, "does not fit", 12) == 0) return "no memory";
    if (strncmp(reason, "wrong", 5) == 0) return "WRONG";
    return "failed";
}

static void print_time_cell(const wg_sweep_point *p, int c)
{
    char text[32];
    if (p->col[c].measured)
        printf("  %10s", wg_format_seconds(p->col[c].cell.time.median_s, text, sizeof text));
    else
        printf("  %10s", short_reason(p->col[c].reason));
}

static void print_ratio_cell(double cpu, double gpu)
{
    if (isfinite(cpu) && isfinite(gpu) && gpu > 0)
        printf("  %9.3gx", cpu / gpu);
    else
        printf("  %10s", "-");
}

static void print_recorded_cell(double seconds)
{
    char text[32];
    if (!isfinite(seconds)) {
        printf("  %10s", "-");
        return;
    }
    wg_format_seconds(seconds, text, sizeof text);
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, "*");
    printf("  %10s", text);
}

static void print_recorded_ratio(double cpu, double gpu)
{
    if (isfinite(cpu) && isfinite(gpu) && gpu > 0)
        printf("  %9.3gx*", cpu / gpu);
    else
        printf("  %11s", "-");
}

static void describe_one_crossover(const sweep_run *run, const wg_crossover *x, char *buf,
                                   size_t length);

static void describe_crossover(const sweep_run *run, int c, char *buf, size_t length)
{
    describe_one_crossover(run, &run->r.crossover[c], buf, length);
}

static void describe_one_crossover(const sweep_run *run, const wg_crossover *x, char *buf,
                                   size_t length)
{
    const char *unit = wg_sweep_size_name(run->o.op);
    switch (x->state) {
    case WG_CROSSOVER_FOUND:
        snprintf(buf, length, "the GPU wins from %s ~ %.4g (between %" PRId64 " and %" PRId64 ")",
                 unit, x->size, x->below, x->above);
        break;
    case WG_CROSSOVER_GPU_ALWAYS:
        snprintf(buf, length, "the GPU wins at every size measured (from %s = %.0f)", unit,
                 x->size);
        break;
    case WG_CROSSOVER_NEVER:
        snprintf(buf, length, "the GPU does not win up to %s = %.0f, the largest measured", unit,
                 x->size);
        break;
    default:
        snprintf(buf, length, "not measured%s", run->machine.gpu_available ? "" : " (no GPU, see above)");
        break;
    }
}

/* (gpu-energy) 1 when a call's inputs and output (wg_sweep_traffic_bytes) fit in the GPU's
 * L2, so that the resident column's repeats find them there. */
static int sweep_fits_in_l2(const sweep_run *run, int64_t size)
{
    return run->machine.gpu_available && run->machine.gpu.l2_bytes > 0 &&
           wg_sweep_traffic_bytes(run->o.op, size) <= (double)run->machine.gpu.l2_bytes;
}

/* (gpu-energy) Which resident GPU cells ran from L2. They are not flushed between calls:
 * the timing calls the op back to back, as a program's consecutive ops run, and those
 * find their operands in L2 too; a flush would time a cold start no program pays. */
static void print_l2_note(const sweep_run *run)
{
    if (!run->machine.gpu_available || run->machine.gpu.l2_bytes <= 0) return;
    int64_t largest = -1;
    for (int i = 0; i < run->r.count; i++)
        if (sweep_fits_in_l2(run, run->r.points[i].size)) largest = run->r.points[i].size;
    char l2[32];
    wg_format_bytes((double)run->machine.gpu.l2_bytes, l2, sizeof l2);
    if (largest < 0)
        printf("No resident GPU cell fits in the GPU's %s L2: they read GPU memory.\n", l2);
    else
        printf("Resident GPU cells up to %s = %" PRId64 " keep inputs and output in the GPU's "
               "%s L2 between calls (not flushed: back-to-back ops in a program do the same); "
               "larger ones read GPU memory.\n", wg_sweep_size_name(run->o.op), largest, l2);
}

/* (gpu-energy) mlp-step: one step's energy on each column, per image and images per joule,
 * or why it was not measured; the GPU cells with their SM clock at the end. */
static void print_energy(const sweep_run *run)
{
    printf("Energy per step (average power over the cell's timing x the median step):\n");
    int said[COLUMNS] = {0}; /* a column's reason for no energy, once */
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        for (int c = 0; c < COLUMNS; c++) {
            const wg_sweep_cell_result *r = &p->col[c];
            if (!r->measured) continue;
            char label[128], text[1024];
            if (!r->cell.energy.available && said[c]++) continue;
            wg_sweep_cell_label(run->o.op, p->size, (wg_sweep_column)c, run->o.gpu, label,
                                sizeof label);
            wg_energy_format(&r->cell.energy, 1.0, (double)p->size, text, sizeof text);
            printf("  %s: %s\n", label, text);
        }
    }
}

void sweep_print_table(const sweep_run *run)
{
    const sweep_options *o = &run->o;
    const int filled = shows_recorded(run);
    int per_flop = o->op == WG_SWEEP_MATMUL || o->op == WG_SWEEP_MLP_STEP;
    char budget[32], elapsed[32], device[32];
    printf("whygpu sweep: %s, CPU against GPU, %d sizes from %" PRId64 " to %" PRId64 ", size = %s\n",
           wg_sweep_op_name(o->op), run->r.count, o->low, o->high, wg_sweep_size_unit(o->op));
    printf("CPU: %s, %d threads, matmul kernel %s (%s)\n",
           run->machine.cpu.model[0] ? run->machine.cpu.model : "unknown", run->machine.cpu.omp_threads, run->machine.cpu_kernel,
           wg_precision_name(kernel_option_precision(o->cpu_kernel)));
    if (run->machine.gpu_available)
        printf("GPU: %s (%s), matmul %s\n", run->machine.gpu.name,
               wg_device_format(o->gpu, device, sizeof device),
               wg_precision_name(kernel_option_precision(o->gpu_kernel)));
    else
        printf("GPU: none measured: no GPU: %s\n", run->machine.gpu_reason);
    printf("\n%12s  %10s  %10s  %10s  %10s  %10s  %10s\n", wg_sweep_size_name(o->op),
           "CPU", per_flop ? "GFLOP/s" : "GB/s", "GPU", "GPU+copies", "speed-up", "w/ copies");
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        printf("%12" PRId64, p->size);
        print_time_cell(p, WG_SWEEP_CPU);
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        if (isfinite(cpu))
            printf("  %10.3g", (per_flop ? wg_sweep_flops(o->op, p->size)
                                       : wg_sweep_traffic_bytes(o->op, p->size)) / cpu / 1e9);
        else
            printf("  %10s", "-");
        if (filled) {
            const double *g = run->recorded.median_s[i];
            print_recorded_cell(g[WG_SWEEP_GPU]);
            print_recorded_cell(g[WG_SWEEP_GPU_COPIES]);
            print_recorded_ratio(cpu, g[WG_SWEEP_GPU]);
            print_recorded_ratio(cpu, g[WG_SWEEP_GPU_COPIES]);
        } else {
            print_time_cell(p, WG_SWEEP_GPU);
            print_time_cell(p, WG_SWEEP_GPU_COPIES);
            print_ratio_cell(cpu, median_or_nan(p, WG_SWEEP_GPU));
            print_ratio_cell(cpu, median_or_nan(p, WG_SWEEP_GPU_COPIES));
        }
        printf("\n");
    }
    if (filled) {
        char tag[256];
        recorded_tag(&run->recorded.ref, tag, sizeof tag);
        printf("\n* the GPU columns were recorded on another machine: %s\n  (reference %s); "
               "the speed-ups marked * are your CPU against that GPU.\n", tag,
               run->recorded.ref.name);
    }
    printf("\nTimes are per call, the median of the repeats; speed-up = CPU time / GPU time "
           "(above 1x the GPU wins).\n");
    print_l2_note(run);
    if (o->op == WG_SWEEP_MLP_STEP) print_energy(run);
    char text[640];
    describe_crossover(run, WG_SWEEP_GPU, text, sizeof text);
    printf("Crossover, data resident on the GPU: %s.\n", text);
    describe_crossover(run, WG_SWEEP_GPU_COPIES, text, sizeof text);
    printf("Crossover, including the copies:    %s.\n", text);
    if (run->recorded.ref.loaded && run->recorded.points > 0) {
        printf("Your CPU against the recorded %s GPU (%s, not this machine):\n",
               run->recorded.ref.label, run->recorded.ref.date);
        describe_one_crossover(run, &run->recorded.crossover[WG_SWEEP_GPU], text, sizeof text);
        printf("  data resident on that GPU: %s;\n", text);
        describe_one_crossover(run, &run->recorded.crossover[WG_SWEEP_GPU_COPIES], text,
                               sizeof text);
        printf("  including the copies:      %s.\n", text);
    } else if (run->recorded.note[0]) {
        printf("(%s)\n", run->recorded.note);
    }
    for (int c = WG_SWEEP_GPU; c < COLUMNS; c++)
        if (isfinite(run->r.best_speedup[c]))
            printf("Largest speed-up %s: %.3gx at %s = %" PRId64 ".\n",
                   c == WG_SWEEP_GPU ? "(data resident)" : "(with copies)", run->r.best_speedup[c],
                   wg_sweep_size_name(o->op), run->r.best_speedup_size[c]);
    int measured = 0, listed = 0;
    double worst = 0;
    for (int i = 0; i < run->r.count; i++)
        for (int c = 0; c < COLUMNS; c++) {
            const wg_sweep_cell_result *r = &run->r.points[i].col[c];
            if (r->measured) {
                measured++;
                if (r->cell.check_error > worst) worst = r->cell.check_error;
            } else if (r->reason[0] && strncmp(r->reason, "no GPU", 6) != 0) {
                if (listed++ == 0) printf("Not measured:\n");
                char label[128];
                wg_sweep_cell_label(o->op, run->r.points[i].size, (wg_sweep_column)c, o->gpu, label,
                                    sizeof label);
                printf("  %s: %s\n", label, r->reason);
            }
        }
    if (o->op == WG_SWEEP_MLP_STEP)
        printf("Results checked before the timing was trusted: %d cells (the GPU's parameters "
               "after one step against the CPU's, largest relative difference %.2g; the CPU's "
               "finite and changed).\n", measured, worst);
    else
        printf("Results checked against float64 before the timing was trusted: %d cells, "
               "largest relative error %.2g%s%s.\n", measured, worst,
               o->precision != WG_PRECISION_FP32 ? " with matmul in " : "",
               o->precision != WG_PRECISION_FP32 ? wg_precision_name(o->precision) : "");
    printf("Measuring took %s of a %s budget.\n",
           wg_format_seconds(run->r.elapsed_s, elapsed, sizeof elapsed),
           wg_format_seconds(o->budget_s, budget, sizeof budget));
}

/* ---------------------------------------------------------------- JSON and CSV ---- */

static void json_crossover(wg_json *j, const sweep_run *run, int c)
{
    const wg_crossover *x = &run->r.crossover[c];
    wg_json_begin_object(j);
    wg_json_key(j, "state"); wg_json_string(j, wg_crossover_state_name(x->state));
    wg_json_key(j, "size"); wg_json_number(j, x->size);
    wg_json_key(j, "below");
    if (x->state == WG_CROSSOVER_FOUND) wg_json_int(j, x->below); else wg_json_null(j);
    wg_json_key(j, "above");
    if (x->state == WG_CROSSOVER_FOUND) wg_json_int(j, x->above); else wg_json_null(j);
    wg_json_key(j, "valid_points"); wg_json_int(j, x->valid_points);
    wg_json_key(j, "best_speedup"); wg_json_number(j, run->r.best_speedup[c]);
    wg_json_key(j, "best_speedup_size");
    if (run->r.best_speedup_size[c] > 0) wg_json_int(j, run->r.best_speedup_size[c]);
    else wg_json_null(j);
    wg_json_end_object(j);
}

static void json_cell(wg_json *j, const wg_sweep_cell_result *r, wg_sweep_op op, int64_t size)
{
    const wg_timeit_result *t = &r->cell.time;
    int timed = r->cell.measured;
    wg_json_begin_object(j);
    wg_json_key(j, "measured"); wg_json_bool(j, r->measured);
    wg_json_key(j, "reason"); wg_json_string(j, r->measured ? NULL : r->reason);
    wg_json_key(j, "median_s"); wg_json_number(j, timed ? t->median_s : NAN);
    wg_json_key(j, "best_s"); wg_json_number(j, timed ? t->best_s : NAN);
    wg_json_key(j, "worst_s"); wg_json_number(j, timed ? t->worst_s : NAN);
    wg_json_key(j, "spread"); wg_json_number(j, timed ? t->spread : NAN);
    wg_json_key(j, "loops");
    if (timed) wg_json_int(j, t->loops); else wg_json_null(j);
    wg_json_key(j, "repeats");
    if (timed) wg_json_int(j, t->repeats); else wg_json_null(j);
    wg_json_key(j, "check_error"); wg_json_number(j, timed ? r->cell.check_error : NAN);
    wg_json_key(j, "check_tolerance"); wg_json_number(j, timed ? r->cell.check_tolerance : NAN);
    wg_json_key(j, "check_passed");
    if (timed) wg_json_bool(j, r->cell.check_passed); else wg_json_null(j);
    wg_json_key(j, "precision");
    wg_json_string(j, timed ? wg_precision_name(r->cell.precision) : NULL);
    wg_json_key(j, "rel_error"); wg_json_number(j, timed ? r->cell.check_error : NAN);
    if (op == WG_SWEEP_MLP_STEP) { /* (gpu-energy) one step's energy, batch = size images */
        wg_json_key(j, "energy");
        wg_json_energy(j, timed ? &r->cell.energy : NULL, 1.0, (double)size);
    }
    wg_json_end_object(j);
}

static void json_one_crossover(wg_json *j, const wg_crossover *x)
{
    wg_json_begin_object(j);
    wg_json_key(j, "state"); wg_json_string(j, wg_crossover_state_name(x->state));
    wg_json_key(j, "size"); wg_json_number(j, x->size);
    wg_json_end_object(j);
}

/* "recorded": the reference's GPU columns at this sweep's sizes, and this CPU against them;
 * null when no reference is shown. */
static void json_recorded(wg_json *j, const sweep_run *run)
{
    const sweep_recorded *rec = &run->recorded;
    wg_json_key(j, "recorded");
    if (!rec->ref.loaded || rec->points == 0) {
        wg_json_null(j);
        return;
    }
    recorded_json_begin(j, &rec->ref);
    wg_json_key(j, "points");
    wg_json_begin_array(j);
    for (int i = 0; i < run->r.count; i++) {
        const double *g = rec->median_s[i];
        double cpu = median_or_nan(&run->r.points[i], WG_SWEEP_CPU);
        if (!isfinite(g[WG_SWEEP_GPU]) && !isfinite(g[WG_SWEEP_GPU_COPIES])) continue;
        wg_json_begin_object(j);
        wg_json_key(j, "size"); wg_json_int(j, run->r.points[i].size);
        wg_json_key(j, "gpu_median_s"); wg_json_number(j, g[WG_SWEEP_GPU]);
        wg_json_key(j, "gpu_with_copies_median_s"); wg_json_number(j, g[WG_SWEEP_GPU_COPIES]);
        wg_json_key(j, "cpu_over_recorded_gpu"); wg_json_number(j, cpu / g[WG_SWEEP_GPU]);
        wg_json_key(j, "cpu_over_recorded_gpu_with_copies");
        wg_json_number(j, cpu / g[WG_SWEEP_GPU_COPIES]);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_key(j, "crossover");
    wg_json_begin_object(j);
    wg_json_key(j, "gpu"); json_one_crossover(j, &rec->crossover[WG_SWEEP_GPU]);
    wg_json_key(j, "gpu_with_copies"); json_one_crossover(j, &rec->crossover[WG_SWEEP_GPU_COPIES]);
    wg_json_end_object(j);
    wg_json_end_object(j);
}

int sweep_write_json(const sweep_run *run, FILE *out)
{
    const sweep_options *o = &run->o;
    wg_json j;
    wg_json_document_begin(&j, out, "whygpu.sweep/1", run->command, &run->machine);
    wg_json_key(&j, "op"); wg_json_string(&j, wg_sweep_op_name(o->op));
    wg_json_key(&j, "precision"); wg_json_string(&j, wg_precision_name(o->precision));
    wg_json_key(&j, "size_unit");
    wg_json_string(&j, wg_sweep_size_unit(o->op));
    wg_json_key(&j, "sizes");
    wg_json_begin_array(&j);
    wg_json_int(&j, o->low);
    wg_json_int(&j, o->high);
    wg_json_end_array(&j);
    wg_json_key(&j, "points_requested"); wg_json_int(&j, o->points);
    wg_json_key(&j, "seed"); wg_json_int(&j, (int64_t)o->seed);
    wg_json_key(&j, "budget_s"); wg_json_number(&j, o->budget_s);
    wg_json_key(&j, "elapsed_s"); wg_json_number(&j, run->r.elapsed_s);
    wg_json_key(&j, "points");
    wg_json_begin_array(&j);
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        wg_json_begin_object(&j);
        wg_json_key(&j, "size"); wg_json_int(&j, p->size);
        wg_json_key(&j, "flops"); wg_json_number(&j, wg_sweep_flops(o->op, p->size));
        wg_json_key(&j, "bytes"); wg_json_number(&j, wg_sweep_traffic_bytes(o->op, p->size));
        /* (gpu-energy) the resident GPU cell's inputs and output stay in the GPU's L2
         * from one call to the next when they fit there: said, not flushed */
        wg_json_key(&j, "gpu_resident_in_l2");
        if (run->machine.gpu_available && run->machine.gpu.l2_bytes > 0)
            wg_json_bool(&j, sweep_fits_in_l2(run, p->size));
        else
            wg_json_null(&j);
        for (int c = 0; c < COLUMNS; c++) {
            wg_json_key(&j, wg_sweep_column_key((wg_sweep_column)c));
            json_cell(&j, &p->col[c], o->op, p->size);
        }
        wg_json_key(&j, "speedup"); wg_json_number(&j, cpu / median_or_nan(p, WG_SWEEP_GPU));
        wg_json_key(&j, "speedup_with_copies");
        wg_json_number(&j, cpu / median_or_nan(p, WG_SWEEP_GPU_COPIES));
        wg_json_end_object(&j);
    }
    wg_json_end_array(&j);
    wg_json_key(&j, "crossover");
    wg_json_begin_object(&j);
    wg_json_key(&j, "gpu"); json_crossover(&j, run, WG_SWEEP_GPU);
    wg_json_key(&j, "gpu_with_copies"); json_crossover(&j, run, WG_SWEEP_GPU_COPIES);
    wg_json_end_object(&j);
    wg_json_key(&j, "budget_skips"); wg_json_int(&j, run->r.budget_skips);
    wg_json_key(&j, "passed"); wg_json_bool(&j, !run->r.failed);
    json_recorded(&j, run);
    wg_json_end_object(&j);
    return wg_json_finish(&j);
}

/* A CSV field: quoted when it holds a comma, quote or newline. */
static void csv_text(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"') fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void csv_number(FILE *out, double value)
{
    if (isfinite(value)) fprintf(out, "%.6g", value);
}

int sweep_write_csv(const sweep_run *run, FILE *out)
{
    fprintf(out, "op,size,flops,cpu_median_s,gpu_median_s,gpu_with_copies_median_s,speedup,"
                 "speedup_with_copies,cpu_status,gpu_status,gpu_with_copies_status\n");
    for (int i = 0; i < run->r.count; i++) {
        const wg_sweep_point *p = &run->r.points[i];
        double cpu = median_or_nan(p, WG_SWEEP_CPU);
        fprintf(out, "%s,%" PRId64 ",%.6g,", wg_sweep_op_name(run->o.op), p->size,
                wg_sweep_flops(run->o.op, p->size));
        for (int c = 0; c < COLUMNS; c++) {
            csv_number(out, median_or_nan(p, c));
            fputc(',', out);
        }
        csv_number(out, cpu / median_or_nan(p, WG_SWEEP_GPU));
        fputc(',', out);
        csv_number(out, cpu / median_or_nan(p, WG_SWEEP_GPU_COPIES));
        for (int c = 0; c < COLUMNS; c++) {
            fputc(',', out);
            csv_text(out, p->col[c].measured ? "ok" : p->col[c].reason);
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* Writes with `writer` to stdout ("-") or to the file at path. 0 on success. */
/* Opens an output before anything is measured, so a bad path costs no measuring: stdout for
 * "-". NULL after saying why. */
