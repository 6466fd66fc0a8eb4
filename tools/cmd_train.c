/*
 * cmd_train.c - `whygpu train`: a multilayer perceptron trained on Fashion-MNIST on the CPU
 * or the GPU with one code path (`--compare`, the CPU against a GPU, is in
 * cmd_train_compare.c; the options in train_options.c).
 *
 * The library trains and never prints; this file runs the epochs, keeps what they gave in
 * one description of the run, and renders that as the per-epoch table (as the epochs end)
 * or as JSON (schema whygpu.train/2, docs/json.md).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "train_cli.h"

/* What a training run gave: what text and JSON are both rendered from. */
typedef struct train_outcome {
    const train_cli *c;
    wg_machine_facts machine;
    wg_trainer_info info;          /* at the start, then at the end */
    wg_mlp_checkpoint_info loaded; /* with --load */
    wg_epoch_result *epochs;
    int count;
    double final_loss, final_accuracy;
} train_outcome;

/* ---------------------------------------------------------------- text ------------ */

static void print_header(const train_outcome *r)
{
    const wg_train_options *o = &r->info.options;
    char device[32];
    wg_device_format(o->device, device, sizeof device);
    printf("%s (%" PRId64 " parameters) on %s", r->info.model, r->info.parameters, device);
    if (o->device.kind == WG_DEVICE_CPU)
        printf(" (%s, %d threads)\n", r->machine.cpu.model, r->machine.cpu.omp_threads);
    else
        printf(" (%s)\n", r->machine.gpu_available ? r->machine.gpu.name : "");
    printf("data: %s: %" PRId64 " training", r->c->data_dir, r->info.train_images);
    if (r->info.test_images > 0) printf(", %" PRId64 " test", r->info.test_images);
    printf(" images\n");
    if (o->optimizer.kind == WG_OPTIMIZER_SGD)
        printf("sgd, momentum %g", (double)o->optimizer.momentum);
    else
        printf("adam, betas %g/%g", (double)o->optimizer.beta1, (double)o->optimizer.beta2);
    printf(", lr %g (%s schedule), batch %" PRId64 ", %" PRId64 " epochs", (double)o->lr,
           wg_lr_schedule_name(o->schedule), o->batch, o->epochs);
    if (o->max_steps > 0) printf(" or %" PRId64 " steps", o->max_steps);
    printf(", seed %" PRIu64 "%s\n", o->seed,
           o->dtype == WG_DTYPE_BF16 ? ", bf16 mixed precision" : "");
    if (r->c->load_path)
        printf("resumed from %s: epoch %" PRId64 ", step %" PRId64 "%s\n", r->c->load_path,
               r->loaded.epoch, r->loaded.step,
               r->loaded.has_optimizer_state ? "" : " (optimizer state not in the file: "
                                                    "starting it from zero)");
}

static void print_epoch_row(const wg_epoch_result *r, int header)
{
    if (header)
        printf("\n%5s  %6s  %8s  %9s  %9s  %9s  %8s  %8s  %10s\n", "epoch", "steps", "lr", "loss",
               "train acc", "test loss", "test acc", "time", "images/s");
    char time_text[32];
    printf("%5" PRId64 "  %6" PRId64 "  %8.5f  %9.4f  %8.2f%%  %9.4f  %7.2f%%  %8s  %10.0f\n",
           r->epoch, r->steps, (double)r->lr, r->train_loss, 100 * r->train_accuracy,
           r->test_loss, 100 * r->test_accuracy,
           wg_format_seconds(r->seconds, time_text, sizeof time_text), r->images_per_s);
    fflush(stdout);
}

static void print_summary(const train_outcome *r)
{
    double seconds = 0, images = 0;
    for (int i = 0; i < r->count; i++) {
        seconds += r->epochs[i].seconds;
        images += (double)r->epochs[i].images;
    }
    if (r->count == 0)
        printf("nothing to train (the checkpoint has done %" PRId64 " of %" PRId64 " epochs)\n",
               r->loaded.epoch, r->info.options.epochs);
    printf("\ntest accuracy %.2f%% (loss %.4f)", 100 * r->final_accuracy, r->final_loss);
    if (r->count > 0) {
        char s[32];
        if (!r->info.mid_epoch)
            printf(" after %" PRId64 " epochs", r->info.epoch);
        else
            printf(" after %" PRId64 " steps", r->info.step);
        printf("; training took %s, %.0f images/s", wg_format_seconds(seconds, s, sizeof s),
               seconds > 0 ? images / seconds : 0.0);
    }
    printf("\n");
    if (r->count > 0) printf("steps ran as: %s\n", r->info.step_mode);
    if (r->count > 0 && r->info.step_launches > 0)
        printf("epilogues: %s; %d launches a step\n", r->info.epilogue, r->info.step_launches);
    else if (r->count > 0)
        printf("epilogues: %s\n", r->info.epilogue);
    if (r->c->save_path) printf("saved to %s\n", r->c->save_path);
}

/* ---------------------------------------------------------------- JSON ------------ */

/* The whole run as one whygpu.train/2 document to --json's destination. */
static int print_json(FILE *f, const train_outcome *r, int argc, char **argv)
{
    const train_cli *c = r->c;
    char device[32];
    wg_json json, *j = &json;
    train_json_begin(j, f, "train", &r->machine, argc, argv);
    wg_json_key(j, "device");
    wg_json_string(j, wg_device_format(c->train.device, device, sizeof device));
    train_json_options(j, c, r->info.model, r->info.parameters);
    train_json_data(j, c->data_dir, r->info.train_images, r->info.test_images);
    wg_json_key(j, "resumed_from");
    if (c->load_path) {
        wg_json_begin_object(j);
        wg_json_key(j, "path"); wg_json_string(j, c->load_path);
        wg_json_key(j, "epoch"); wg_json_int(j, r->loaded.epoch);
        wg_json_key(j, "step"); wg_json_int(j, r->loaded.step);
        wg_json_end_object(j);
    } else {
        wg_json_null(j);
    }
    wg_json_key(j, "epochs");
    wg_json_begin_array(j);
    for (int i = 0; i < r->count; i++) {
        const wg_epoch_result *e = &r->epochs[i];
        wg_json_begin_object(j);
        wg_json_key(j, "epoch"); wg_json_int(j, e->epoch);
        wg_json_key(j, "steps"); wg_json_int(j, e->steps);
        wg_json_key(j, "images"); wg_json_int(j, e->images);
        wg_json_key(j, "lr"); wg_json_number(j, train_tidy(e->lr));
        wg_json_key(j, "train_loss"); wg_json_number(j, e->train_loss);
        wg_json_key(j, "train_accuracy"); wg_json_number(j, e->train_accuracy);
        wg_json_key(j, "test_loss"); wg_json_number(j, e->test_loss);
        wg_json_key(j, "test_accuracy"); wg_json_number(j, e->test_accuracy);
        wg_json_key(j, "seconds"); wg_json_number(j, e->seconds);
        wg_json_key(j, "images_per_s"); wg_json_number(j, e->images_per_s);
        wg_json_key(j, "eval_seconds"); wg_json_number(j, e->eval_seconds);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_key(j, "final");
    wg_json_begin_object(j);
    wg_json_key(j, "epochs_done"); wg_json_int(j, r->info.epoch);
    wg_json_key(j, "steps_done"); wg_json_int(j, r->info.step);
    wg_json_key(j, "test_loss"); wg_json_number(j, r->final_loss);
    wg_json_key(j, "test_accuracy"); wg_json_number(j, r->final_accuracy);
    wg_json_key(j, "step_mode"); wg_json_string(j, r->info.step_mode);
    wg_json_key(j, "graph_steps"); wg_json_int(j, r->info.graph_steps);
    wg_json_key(j, "epilogue"); wg_json_string(j, r->info.epilogue);
    wg_json_key(j, "step_launches");
    if (r->info.step_launches > 0) wg_json_int(j, r->info.step_launches); else wg_json_null(j);
    wg_json_end_object(j);
    wg_json_key(j, "saved_to"); wg_json_string(j, c->save_path);
    wg_json_end_object(j);
    return train_json_close(f, j, c->json_path) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- running --------- */

typedef struct step_progress {
    progress *bar;
    int64_t epochs;
    double estimate_s; /* the last epoch's time */
    int64_t last_epoch;
} step_progress;

/* Each epoch is one phase of the progress line: on a terminal it is redrawn in place with
 * the elapsed time against the last epoch's; elsewhere one plain line an epoch. */
static void on_step(void *context, int64_t epoch, int64_t step, int64_t steps)
{
    step_progress *p = context;
    (void)step;
    (void)steps;
    if (epoch != p->last_epoch) {
        p->last_epoch = epoch;
        progress_on_phase(p->bar, "epoch", (int)epoch, (int)p->epochs, p->estimate_s);
    }
}

/* With --load: the checkpoint's header, and without --hidden its architecture. */
static wg_status peek_checkpoint(train_cli *c, train_outcome *r)
{
    wg_status status = wg_mlp_checkpoint_peek(c->load_path, &r->loaded);
    if (status != WG_OK || c->hidden_given) return status;
    int layers = 0;
    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    status = wg_mlp_parse_description(r->loaded.model, &layers, sizes);
    if (status != WG_OK) return status;
    c->train.hidden_layers = layers - 1;
    for (int l = 1; l < layers; l++) c->train.hidden[l - 1] = sizes[l];
    return WG_OK;
}

/* The epochs until the trainer is finished, each row printed as it ends (with --save,
 * a checkpoint after each); then the final test figures. */
static wg_status run_epochs(wg_trainer *t, train_outcome *r)
{
    const train_cli *c = r->c;
    wg_status status = WG_OK;
    progress bar;
    progress_begin(&bar, "train", c->progress);
    step_progress sp = {&bar, c->train.epochs, 0.0, -1};
    while (status == WG_OK && !wg_trainer_finished(t) && r->count < c->train.epochs) {
        wg_epoch_result *e = &r->epochs[r->count];
        status = wg_trainer_run_epoch(t, on_step, &sp, e);
        if (status != WG_OK) break;
        sp.estimate_s = e->seconds;
        r->count++;
        if (c->save_path) status = wg_trainer_save(t, c->save_path);
        if (c->text) {
            progress_end(&bar);
            print_epoch_row(e, r->count == 1);
            progress_begin(&bar, "train", c->progress);
        }
    }
    progress_end(&bar);
    if (status != WG_OK) return status;
    if (r->count > 0) {
        r->final_loss = r->epochs[r->count - 1].test_loss;
        r->final_accuracy = r->epochs[r->count - 1].test_accuracy;
        return WG_OK;
    }
    return wg_trainer_evaluate_test(t, &r->final_loss, &r->final_accuracy);
}

int train_run(train_cli *c, int argc, char **argv)
{
    train_outcome r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.final_loss = r.final_accuracy = NAN;
    wg_status status = wg_device_check(c->train.device);
    if (status == WG_OK && c->load_path) status = peek_checkpoint(c, &r);
    if (status != WG_OK) return cli_failure("train", status);
    train_machine_get(c->train.device, c->train.device.kind == WG_DEVICE_CPU, &r.machine);

    wg_dataset train, test;
    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    wg_trainer *t = NULL;
    status = wg_dataset_load_fashion_mnist(c->data_dir, 1, &train);
    if (status == WG_OK) status = wg_dataset_load_fashion_mnist(c->data_dir, 0, &test);
    if (status == WG_OK) status = wg_trainer_create(&c->train, &train, &test, &t);
    if (status == WG_OK && c->load_path) status = wg_trainer_load(t, c->load_path, &r.loaded);
    if (status == WG_OK) status = wg_trainer_info_get(t, &r.info);
    int rc = CLI_EXIT_OK;
    if (status == WG_OK) {
        r.epochs = calloc((size_t)c->train.epochs, sizeof *r.epochs);
        if (!r.epochs) {
            fprintf(stderr, "whygpu train: out of memory\n");
            rc = CLI_EXIT_FAILURE;
        }
    }
    if (status == WG_OK && rc == CLI_EXIT_OK) {
        c->train.batch = r.info.options.batch;
        if (c->text) print_header(&r);
        status = run_epochs(t, &r);
        if (status == WG_OK) status = wg_trainer_info_get(t, &r.info);
    }
    if (status != WG_OK && c->save_path && t && wg_trainer_diverged(t)) {
        /* the checkpoint of the last good epoch (or whatever was there) is kept */
        fprintf(stderr, "whygpu train: %s; %s is left as it was\n", wg_error_message(),
                c->save_path);
        rc = CLI_EXIT_FAILURE;
    } else if (status != WG_OK) {
        rc = cli_failure("train", status);
    } else if (rc == CLI_EXIT_OK) {
        if (c->text) print_summary(&r);
        if (c->json_path) {
            FILE *f = train_json_open(c->json_path);
            if (!f) {
                rc = CLI_EXIT_FAILURE;
            } else {
                rc = print_json(f, &r, argc, argv);
            }
        }
    }
    free(r.epochs);
    wg_trainer_free(t);
    wg_dataset_free(&train);
    wg_dataset_free(&test);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_cli c;
    int rc = train_parse_options(argc, argv, &c);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    if (c.compare && c.batch_count > 0) return train_curve_run(&c, argc, argv); /* gpu-step */
    return c.compare ? train_compare_run(&c, argc, argv) : train_run(&c, argc, argv);
}
