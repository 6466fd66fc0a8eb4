/*
 * cmd_train_curve.c - `whygpu train --compare --batches LIST`: the batch-size curve. One
 * comparison (wg_train_compare: the same steps on the CPU and on the GPU) per batch size,
 * then a table of CPU and GPU images/s, the GPU's time per step and the speed-up, and the
 * best batch named. Small batches leave the GPU waiting on kernel launches (its time per
 * step hardly changes with the batch), large ones make it compute-bound: the speed-up
 * grows with the batch until the GPU is busy. As text or a whygpu.train/2 document in
 * "curve" mode (docs/json.md).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train_cli.h"

static void print_curve(const train_cli *c, const wg_train_compare_result *r, int count)
{
    char gpu[32];
    printf("%s: batch-size curve, CPU against %s, %s\n", r[0].model,
           wg_device_format(c->train.device, gpu, sizeof gpu),
           c->train.max_steps > 0 ? "the given steps at each batch" : "one epoch at each batch");
    printf("\n%7s  %12s  %12s  %12s  %9s  %s\n", "batch", "CPU images/s", "GPU images/s",
           "GPU time/step", "speed-up", "GPU steps ran as");
    for (int i = 0; i < count; i++) {
        const wg_train_compare_run *cpu = &r[i].runs[0], *dev = &r[i].runs[1];
        if (!cpu->ran || !dev->ran) {
            printf("%7" PRId64 "  not run: %s\n", r[i].batch, cpu->ran ? dev->error : cpu->error);
            continue;
        }
        char s[32];
        printf("%7" PRId64 "  %12.0f  %12.0f  %12s  %8.1fx  %s%s\n", r[i].batch,
               cpu->images_per_s, dev->images_per_s,
               wg_format_seconds(dev->seconds_per_step, s, sizeof s), r[i].speedup,
               dev->step_mode, r[i].agree ? "" : " (LOSSES DISAGREE)");
    }
    int best = -1, lead = -1;
    wg_train_curve_best(r, count, &best, &lead);
    if (best < 0) {
        printf("\nno batch ran on both devices: no best batch\n");
        return;
    }
    printf("\nbest batch for the GPU: %" PRId64 " (%.0f images/s); its largest lead over the "
           "CPU: %.1fx at batch %" PRId64 "\n", r[best].batch, r[best].runs[1].images_per_s,
           r[lead].speedup, r[lead].batch);
}

static void json_run(wg_json *j, const wg_train_compare_run *run)
{
    wg_json_begin_object(j);
    wg_json_key(j, "ran"); wg_json_bool(j, run->ran);
    wg_json_key(j, "error"); wg_json_string(j, run->ran ? NULL : run->error);
    wg_json_key(j, "timed_steps"); wg_json_int(j, run->timed_steps);
    wg_json_key(j, "seconds_per_step"); wg_json_number(j, run->ran ? run->seconds_per_step : NAN);
    wg_json_key(j, "images_per_s"); wg_json_number(j, run->ran ? run->images_per_s : NAN);
    wg_json_key(j, "step_mode"); wg_json_string(j, run->step_mode[0] ? run->step_mode : NULL);
    wg_json_key(j, "epilogue"); wg_json_string(j, run->epilogue[0] ? run->epilogue : NULL);
    wg_json_end_object(j);
}

static int print_json(FILE *f, const train_cli *c, const wg_train_compare_result *r, int count,
                      const wg_machine_facts *m, int64_t train_images, int argc, char **argv)
{
    wg_json json, *j = &json;
    train_json_begin(j, f, "curve", m, argc, argv);
    train_json_options(j, c, r[0].model, r[0].parameters);
    train_json_data(j, c->data_dir, train_images, -1);
    wg_json_key(j, "curve");
    wg_json_begin_array(j);
    for (int i = 0; i < count; i++) {
        wg_json_begin_object(j);
        wg_json_key(j, "batch"); wg_json_int(j, r[i].batch);
        wg_json_key(j, "steps"); wg_json_int(j, r[i].steps);
        wg_json_key(j, "cpu"); json_run(j, &r[i].runs[0]);
        wg_json_key(j, "gpu"); json_run(j, &r[i].runs[1]);
        wg_json_key(j, "speedup"); wg_json_number(j, r[i].speedup);
        wg_json_key(j, "losses_agree"); wg_json_bool(j, r[i].agree);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    int best = -1, lead = -1;
    wg_train_curve_best(r, count, &best, &lead);
    wg_json_key(j, "best_batch");
    if (best >= 0) wg_json_int(j, r[best].batch); else wg_json_null(j);
    wg_json_key(j, "largest_speedup_batch");
    if (lead >= 0) wg_json_int(j, r[lead].batch); else wg_json_null(j);
    wg_json_end_object(j);
    return train_json_close(f, j, c->json_path) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

int train_curve_run(train_cli *c, int argc, char **argv)
{
    wg_machine_facts machine;
    train_machine_get(c->train.device, 1, &machine);
    wg_dataset train;
    wg_status status = wg_dataset_load_fashion_mnist(c->data_dir, 1, &train);
    if (status != WG_OK) return cli_failure("train", status);
    wg_train_compare_result *r = calloc((size_t)c->batch_count, sizeof *r);
    if (!r) {
        wg_dataset_free(&train);
        fprintf(stderr, "whygpu train: out of host memory\n");
        return CLI_EXIT_FAILURE;
    }
    int rc = CLI_EXIT_OK, done = 0;
    for (int i = 0; i < c->batch_count; i++) {
        wg_train_options o = c->train;
        o.batch = c->batches[i];
        if (c->progress)
            fprintf(stderr, "whygpu train: batch %" PRId64 " (%d of %d)\n", o.batch, i + 1,
                    c->batch_count);
        status = wg_train_compare(&o, &train, NULL, NULL, &r[i]);
        if (status == WG_ERR_ARGUMENT && r[i].steps > 0 && r[i].steps < 2) {
            rc = cli_usage_error("train", "--compare needs at least 2 steps, got %" PRId64
                                 " at batch %" PRId64, r[i].steps, o.batch);
            break;
        }
        if (r[i].steps == 0) {
            rc = cli_failure("train", status);
            break;
        }
        done = i + 1;
        if (!r[i].runs[0].ran || !r[i].runs[1].ran || !r[i].agree)
            rc = CLI_EXIT_FAILURE; /* the table says why */
        if (status == WG_ERR_NO_DEVICE) break; /* no GPU: the other batches would say the same */
    }
    const int64_t train_images = train.count;
    wg_dataset_free(&train);
    if (done == 0) {
        free(r);
        return rc;
    }
    if (c->text) print_curve(c, r, done);
    if (rc != CLI_EXIT_OK)
        fprintf(stderr, "whygpu train: %s\n", done < c->batch_count
                ? "the curve stopped: the GPU could not run (see the table or the JSON)"
                : "some batch sizes did not run on both devices or their losses disagree (see "
                  "the table or the JSON)");
    if (c->json_path) {
        FILE *f = train_json_open(c->json_path);
        if (!f || print_json(f, c, r, done, &machine, train_images, argc, argv))
            rc = CLI_EXIT_FAILURE;
    }
    free(r);
    return rc;
}
