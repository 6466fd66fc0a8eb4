/*
 * cmd_train_compare.c - `whygpu train --compare`: the same steps from the same seed on the
 * CPU and on a GPU (the library's wg_train_compare runs and times them), rendered as a
 * table or as a whygpu.train/2 document in "compare" mode (docs/json.md).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "train_cli.h"

/* What the progress callback needs: the bar, and whether to print the plan first. */
typedef struct compare_progress {
    const train_cli *c;
    progress bar;
    int planned;
} compare_progress;

/* The plan line, once the library has made the plan, before the first step runs. */
static void print_plan(const train_cli *c, const wg_train_compare_result *r)
{
    printf("%s (%" PRId64 " parameters): %" PRId64 " steps of batch %" PRId64
           " on the CPU and on the GPU, same seed (%" PRIu64 "), %s\n", r->model,
           r->parameters, r->steps, r->batch, c->train.seed,
           c->train.dtype == WG_DTYPE_BF16 ? "bf16 mixed precision" : "fp32");
    fflush(stdout);
}

/* A wg_train_compare_progress_fn: one progress line per device, one phase per part. */
static void on_phase(void *context, const wg_train_compare_result *r, int run, const char *phase)
{
    compare_progress *p = context;
    if (!p->planned) {
        p->planned = 1;
        if (p->c->text) print_plan(p->c, r);
    }
    if (!phase) {
        progress_end(&p->bar);
        return;
    }
    if (strcmp(phase, "first steps") == 0) {
        char label[64], device[32];
        snprintf(label, sizeof label, "compare %s",
                 wg_device_format(r->runs[run].device, device, sizeof device));
        progress_begin(&p->bar, label, p->c->progress);
    }
    progress_on_phase(&p->bar, phase, 0, 0, 0);
}

/* (gpu-energy) The energy of each run's timed steps (or why it is unavailable), and the
 * images per joule of the two side by side when both were measured. */
static void print_energy(const wg_train_compare_result *r)
{
    double per_joule[2] = {NAN, NAN};
    for (int i = 0; i < 2; i++) {
        const wg_train_compare_run *run = &r->runs[i];
        if (!run->ran) continue;
        char device[32], text[1024];
        const double images = (double)(run->timed_steps * r->batch);
        wg_energy_format(&run->energy, (double)run->timed_steps, images, text, sizeof text);
        printf("%-8s  energy: %s\n", wg_device_format(run->device, device, sizeof device), text);
        wg_energy_work work;
        wg_energy_per_work(&run->energy, (double)run->timed_steps, images, &work);
        per_joule[i] = work.images_per_joule;
    }
    if (isfinite(per_joule[0]) && isfinite(per_joule[1]))
        printf("images per joule: GPU %.0f, CPU %.0f: the GPU does %.1fx the work per joule\n",
               per_joule[1], per_joule[0], per_joule[1] / per_joule[0]);
}

static void print_text(const wg_train_compare_result *r, const wg_machine_facts *m)
{
    printf("\n%-8s  %12s  %12s  %s\n", "device", "time/step", "images/s", "loss at steps 1..");
    for (int i = 0; i < 2; i++) {
        const wg_train_compare_run *run = &r->runs[i];
        char device[32], s[32];
        wg_device_format(run->device, device, sizeof device);
        if (!run->ran) {
            printf("%-8s  not run: %s\n", device, run->error);
            continue;
        }
        printf("%-8s  %12s  %12.0f ", device, wg_format_seconds(run->seconds_per_step, s, sizeof s),
               run->images_per_s);
        for (int64_t k = 0; k < run->loss_steps; k++) printf(" %.5f", run->losses[k]);
        printf("\n");
        if (run->step_mode[0]) printf("%-8s  steps ran as: %s\n", "", run->step_mode);
        if (run->epilogue[0] && run->step_launches > 0)
            printf("%-8s  epilogues: %s; %d launches a step\n", "", run->epilogue,
                   run->step_launches);
    }
    print_energy(r);
    if (!r->runs[0].ran || !r->runs[1].ran) return;
    char gpu_name[512];
    if (r->runs[1].device.kind == WG_DEVICE_OPENCL) /* PoCL: says it is a CPU */
        wg_opencl_describe(r->runs[1].device.index, gpu_name, sizeof gpu_name);
    else
        snprintf(gpu_name, sizeof gpu_name, "%s", m->gpu.name);
    printf("\nspeed-up of the GPU (%s) over the CPU (%s, %d threads): %.1fx\n", gpu_name,
           m->cpu.model, m->cpu.omp_threads, r->speedup);
    printf("time/step is the mean of the last %" PRId64 " of %" PRId64 " steps (the first %"
           PRId64 " read their loss back and warm up).\n", r->runs[0].timed_steps, r->steps,
           r->runs[0].loss_steps);
    printf("losses over the first %" PRId64 " steps: largest relative difference %.2g, "
           "tolerance %.0e: %s\n", r->runs[0].loss_steps, r->loss_max_relative_difference,
           r->tolerance, r->agree ? "they agree" : "THEY DISAGREE");
}

/* The comparison as one whygpu.train/2 document in "compare" mode. */
static int print_json(FILE *f, const train_cli *c, const wg_train_compare_result *r,
                      const wg_machine_facts *m, int64_t train_images, int argc, char **argv)
{
    wg_json json, *j = &json;
    train_json_begin(j, f, "compare", m, argc, argv);
    train_json_options(j, c, r->model, r->parameters);
    train_json_data(j, c->data_dir, train_images, -1);
    wg_json_key(j, "runs");
    wg_json_begin_array(j);
    for (int i = 0; i < 2; i++) {
        const wg_train_compare_run *run = &r->runs[i];
        char device[32];
        wg_json_begin_object(j);
        wg_json_key(j, "device"); wg_json_string(j, wg_device_format(run->device, device, sizeof device));
        wg_json_key(j, "ran"); wg_json_bool(j, run->ran);
        wg_json_key(j, "error"); wg_json_string(j, run->ran ? NULL : run->error);
        wg_json_key(j, "steps"); wg_json_int(j, run->steps);
        wg_json_key(j, "timed_steps"); wg_json_int(j, run->timed_steps);
        wg_json_key(j, "seconds"); wg_json_number(j, run->ran ? run->seconds : NAN);
        wg_json_key(j, "seconds_per_step"); wg_json_number(j, run->ran ? run->seconds_per_step : NAN);
        wg_json_key(j, "images_per_s"); wg_json_number(j, run->ran ? run->images_per_s : NAN);
        wg_json_key(j, "step_mode"); wg_json_string(j, run->step_mode[0] ? run->step_mode : NULL);
        wg_json_key(j, "epilogue"); wg_json_string(j, run->epilogue[0] ? run->epilogue : NULL);
        wg_json_key(j, "step_launches");
        if (run->step_launches > 0) wg_json_int(j, run->step_launches); else wg_json_null(j);
        wg_json_key(j, "first_losses");
        wg_json_begin_array(j);
        for (int64_t k = 0; run->ran && k < run->loss_steps; k++) wg_json_number(j, run->losses[k]);
        wg_json_end_array(j);
        wg_json_key(j, "energy"); /* (gpu-energy) of the timed steps */
        wg_json_energy(j, run->ran ? &run->energy : NULL, (double)run->timed_steps,
                       (double)(run->timed_steps * r->batch));
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_key(j, "speedup"); wg_json_number(j, r->speedup);
    wg_json_key(j, "loss_max_relative_difference");
    if (r->runs[0].ran && r->runs[1].ran) wg_json_number(j, r->loss_max_relative_difference);
    else wg_json_null(j);
    wg_json_key(j, "loss_tolerance"); wg_json_number(j, r->tolerance);
    wg_json_key(j, "losses_agree"); wg_json_bool(j, r->agree);
    wg_json_end_object(j);
    return train_json_close(f, j, c->json_path) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* The one-line verdict on stderr when the comparison did not pass; the exit code. */
static int verdict(const wg_train_compare_result *r)
{
    char device[32];
    if (!r->runs[0].ran) {
        fprintf(stderr, "whygpu train: the CPU run failed: %s\n", r->runs[0].error);
    } else if (!r->runs[1].ran) {
        fprintf(stderr, "whygpu train: no GPU comparison: %s could not run: %s\n",
                wg_device_format(r->runs[1].device, device, sizeof device), r->runs[1].error);
    } else if (!r->agree) {
        fprintf(stderr, "whygpu train: the CPU's and the GPU's losses disagree (largest relative "
                "difference %.3g > %.0e)\n", r->loss_max_relative_difference, r->tolerance);
    } else {
        return CLI_EXIT_OK;
    }
    return CLI_EXIT_FAILURE;
}

int train_compare_run(train_cli *c, int argc, char **argv)
{
    wg_machine_facts machine;
    train_machine_get(c->train.device, 1, &machine);
    wg_dataset train;
    wg_status status = wg_dataset_load_fashion_mnist(c->data_dir, 1, &train);
    if (status != WG_OK) return cli_failure("train", status);
    wg_train_compare_result r;
    compare_progress p;
    memset(&p, 0, sizeof p);
    p.c = c;
    status = wg_train_compare(&c->train, &train, on_phase, &p, &r);
    const int64_t train_images = train.count;
    wg_dataset_free(&train);
    if (status == WG_ERR_ARGUMENT && r.steps > 0 && r.steps < 2)
        return cli_usage_error("train", "--compare needs at least 2 steps, got %" PRId64, r.steps);
    if (r.steps == 0) return cli_failure("train", status); /* nothing was planned */
    if (!p.planned && c->text) print_plan(c, &r);
    c->train.batch = r.batch;
    if (c->text) print_text(&r, &machine);
    int rc = verdict(&r);
    if (c->json_path) {
        FILE *f = train_json_open(c->json_path);
        if (!f) {
            rc = CLI_EXIT_FAILURE;
        } else if (print_json(f, c, &r, &machine, train_images, argc, argv)) {
            rc = CLI_EXIT_FAILURE;
        }
    }
    return rc;
}
