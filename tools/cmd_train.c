/*
 * cmd_train.c - `whygpu train`: a multilayer perceptron trained on Fashion-MNIST on the CPU
 * or the GPU with one code path; `--compare` runs the same steps on both and shows the
 * speed-up; `whygpu predict` classifies one test image with a saved model.
 *
 * The library (src/nn/) does the work and never prints; this file parses options, prints
 * the per-epoch table, the progress and the JSON (schema whygpu.train/1, docs/json.md).
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/nn/dataset.h"
#include "../src/nn/mlp_checkpoint.h"
#include "../src/nn/train.h"
#include "../src/report/json_writer.h"
#include "cli.h"
#include "progress.h"

/* Steps whose losses --compare records on each device and compares. */
#define COMPARE_LOSS_STEPS 10
/* How far apart the two devices' losses may be over those steps: relative to the loss.
 * Both run float32 with differently ordered sums (and the GPU's fast exp), so they drift
 * apart by ~1e-6 a step; a wrong kernel is off by far more than this. */
#define COMPARE_TOLERANCE 2e-3

typedef struct train_cli {
    wg_train_options train;
    int lr_given, hidden_given;
    const char *data_dir;
    const char *json_path; /* NULL, "-" (stdout) or a file */
    const char *save_path;
    const char *load_path;
    int compare;
    int progress;
} train_cli;

/* ---------------------------------------------------------------- options --------- */

static void train_usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu train [--device DEV] [--epochs N] [--batch N] [--hidden LIST]\n"
            "                    [--optimizer sgd|adam] [--lr X] [--momentum X]\n"
            "                    [--schedule cosine|step|constant] [--seed N] [--data DIR]\n"
            "                    [--steps N] [--json FILE|-] [--save FILE] [--load FILE]\n"
            "                    [--compare] [--no-progress]\n"
            "\n"
            "Trains a multilayer perceptron (784-512-256-10, ReLU, softmax cross-entropy) on\n"
            "Fashion-MNIST, on the CPU or the GPU: the same code, the device chosen here. Prints\n"
            "per epoch the loss, train and test accuracy, wall time and images per second.\n"
            "\n"
            "options:\n"
            "  --device DEV     cpu, cuda or cuda:N (default cpu)\n"
            "  --epochs N       epochs in all (default 10); with --load, counting those done\n"
            "  --batch N        mini-batch size (default 256)\n"
            "  --hidden LIST    hidden layer widths, comma-separated (default 512,256);\n"
            "                   'none' for a linear model\n"
            "  --optimizer OPT  sgd (with momentum, default) or adam\n"
            "  --lr X           learning rate (default 0.1 for sgd, 0.001 for adam)\n"
            "  --momentum X     SGD momentum (default 0.9)\n"
            "  --schedule S     learning-rate schedule: cosine (default), step or constant\n"
            "  --seed N         seed of the weights and of each epoch's shuffle (default 42)\n"
            "  --data DIR       the Fashion-MNIST IDX files, plain or .gz (default\n"
            "                   " WG_FASHION_MNIST_DEFAULT_DIR ")\n"
            "  --steps N        stop after N steps in all (with --compare: the steps to run\n"
            "                   on each device; default one epoch)\n"
            "  --json FILE|-    write the run as JSON (schema whygpu.train/1, docs/json.md) to\n"
            "                   FILE, or to stdout instead of the table with '-'\n"
            "  --save FILE      save a checkpoint after every epoch (atomically)\n"
            "  --load FILE      resume from a checkpoint of the same model; one that finished\n"
            "                   its epochs is only evaluated\n"
            "  --compare        run the same steps on the CPU and on the GPU (--device names\n"
            "                   the GPU, default cuda): time per step, images/s, speed-up, and\n"
            "                   the two devices' losses over the first steps must agree\n"
            "  --no-progress    no progress on stderr\n"
            "  -h, --help       this help\n"
            "\n"
            "exit status: 0 trained (--compare: both devices ran and agree), 1 failure (no\n"
            "dataset, no GPU for --compare or --device cuda, losses disagree), 2 bad usage\n");
}

/* A float in [min, max] (strict: the whole text must be a finite number). */
static int parse_float(const char *command, const char *option, const char *text, double min,
                       double max, float *out)
{
    char *end = NULL;
    double value = text && *text ? strtod(text, &end) : NAN;
    if (!text || !*text || *end != '\0' || !isfinite(value))
        return cli_usage_error(command, "%s expects a number, got '%s'", option, text ? text : "");
    if (value < min || value > max)
        return cli_usage_error(command, "%s must be in [%g, %g], got '%s'", option, min, max, text);
    *out = (float)value;
    return 0;
}

/* "512,256" into widths; "none" for none. */
static int parse_hidden(const char *text, wg_train_options *o)
{
    if (strcmp(text, "none") == 0) {
        o->hidden_layers = 0;
        return 0;
    }
    char copy[256];
    if (strlen(text) >= sizeof copy || !*text)
        return cli_usage_error("train", "--hidden expects widths like 512,256, got '%s'", text);
    strcpy(copy, text);
    int count = 0;
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        if (count == WG_MLP_MAX_LAYERS - 1)
            return cli_usage_error("train", "--hidden: at most %d hidden layers, got '%s'",
                                   WG_MLP_MAX_LAYERS - 1, text);
        int64_t width = 0;
        if (cli_parse_int("train", "--hidden", part, 1, WG_MLP_MAX_WIDTH, &width))
            return CLI_EXIT_USAGE;
        o->hidden[count++] = width;
    }
    if (count == 0 || text[strlen(text) - 1] == ',' || text[0] == ',' || strstr(text, ",,"))
        return cli_usage_error("train", "--hidden expects widths like 512,256, got '%s'", text);
    o->hidden_layers = count;
    return 0;
}

static int parse_train_options(int argc, char **argv, train_cli *c)
{
    static const struct option longs[] = {
        {"device", required_argument, NULL, 'd'},   {"epochs", required_argument, NULL, 'e'},
        {"batch", required_argument, NULL, 'b'},    {"hidden", required_argument, NULL, 'H'},
        {"optimizer", required_argument, NULL, 'o'}, {"lr", required_argument, NULL, 'l'},
        {"momentum", required_argument, NULL, 'm'}, {"schedule", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 'S'},     {"data", required_argument, NULL, 'D'},
        {"steps", required_argument, NULL, 's'},    {"json", required_argument, NULL, 'j'},
        {"save", required_argument, NULL, 'w'},     {"load", required_argument, NULL, 'L'},
        {"compare", no_argument, NULL, 'C'},        {"no-progress", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    memset(c, 0, sizeof *c);
    wg_train_defaults(&c->train);
    c->progress = 1;
    int device_given = 0;
    optind = 1;
    opterr = 0;
    int ch;
    int64_t value = 0;
    while ((ch = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (ch) {
        case 'd':
            if (wg_device_parse(optarg, &c->train.device) != WG_OK)
                return cli_usage_error("train", "--device: %s", wg_error_message());
            device_given = 1;
            break;
        case 'e':
            if (cli_parse_int("train", "--epochs", optarg, 1, 100000, &value)) return CLI_EXIT_USAGE;
            c->train.epochs = value;
            break;
        case 'b':
            if (cli_parse_int("train", "--batch", optarg, 1, 1 << 20, &value)) return CLI_EXIT_USAGE;
            c->train.batch = value;
            break;
        case 'H':
            if (parse_hidden(optarg, &c->train)) return CLI_EXIT_USAGE;
            c->hidden_given = 1;
            break;
        case 'o':
            if (wg_optimizer_parse(optarg, &c->train.optimizer.kind) != WG_OK)
                return cli_usage_error("train", "--optimizer: %s", wg_error_message());
            break;
        case 'l':
            if (parse_float("train", "--lr", optarg, 1e-9, 100.0, &c->train.lr)) return CLI_EXIT_USAGE;
            c->lr_given = 1;
            break;
        case 'm':
            if (parse_float("train", "--momentum", optarg, 0.0, 0.999, &c->train.optimizer.momentum))
                return CLI_EXIT_USAGE;
            break;
        case 'c':
            if (wg_lr_schedule_parse(optarg, &c->train.schedule) != WG_OK)
                return cli_usage_error("train", "--schedule: %s", wg_error_message());
            break;
        case 'S':
            if (cli_parse_int("train", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            c->train.seed = (uint64_t)value;
            break;
        case 'D': c->data_dir = optarg; break;
        case 's':
            if (cli_parse_int("train", "--steps", optarg, 1, INT64_MAX / 2, &value))
                return CLI_EXIT_USAGE;
            c->train.max_steps = value;
            break;
        case 'j': c->json_path = optarg; break;
        case 'w': c->save_path = optarg; break;
        case 'L': c->load_path = optarg; break;
        case 'C': c->compare = 1; break;
        case 'P': c->progress = 0; break;
        case 'h': train_usage(stdout); return -1;
        case ':': return cli_usage_error("train", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("train", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    if (!c->lr_given && c->train.optimizer.kind == WG_OPTIMIZER_ADAM) c->train.lr = 0.001f;
    if (c->compare) {
        if (c->load_path || c->save_path)
            return cli_usage_error("train", "--compare cannot be combined with --load or --save");
        if (!device_given) c->train.device = (wg_device){WG_DEVICE_CUDA, 0};
        if (c->train.device.kind == WG_DEVICE_CPU)
            return cli_usage_error("train", "--compare compares the CPU with a GPU: --device "
                                   "must name a GPU (cuda or cuda:N), got 'cpu'");
    }
    return 0;
}

/* ---------------------------------------------------------------- output ---------- */

/* The machine the run used: CPU model and threads, and the GPU's name when one ran. */
static void json_machine(wg_json *j, const wg_cpu_info *cpu, const char *gpu_name)
{
    wg_json_key(j, "machine");
    wg_json_begin_object(j);
    wg_json_key(j, "cpu"); wg_json_string(j, cpu->model);
    wg_json_key(j, "threads"); wg_json_int(j, cpu->omp_threads);
    wg_json_key(j, "gpu"); wg_json_string(j, gpu_name && gpu_name[0] ? gpu_name : NULL);
    wg_json_end_object(j);
}

/* A float as the decimal it was written as (0.1f is 0.100000001490116 as a double). */
static double tidy(float value)
{
    char text[32];
    snprintf(text, sizeof text, "%.7g", (double)value);
    return strtod(text, NULL);
}

static void json_options(wg_json *j, const train_cli *c, const char *model, int64_t parameters)
{
    char device[32];
    wg_json_key(j, "model"); wg_json_string(j, model);
    wg_json_key(j, "parameters"); wg_json_int(j, parameters);
    wg_json_key(j, "options");
    wg_json_begin_object(j);
    wg_json_key(j, "device"); wg_json_string(j, wg_device_format(c->train.device, device, sizeof device));
    wg_json_key(j, "batch"); wg_json_int(j, c->train.batch);
    wg_json_key(j, "epochs"); wg_json_int(j, c->train.epochs);
    wg_json_key(j, "steps");
    if (c->train.max_steps > 0) wg_json_int(j, c->train.max_steps); else wg_json_null(j);
    wg_json_key(j, "optimizer"); wg_json_string(j, wg_optimizer_name(c->train.optimizer.kind));
    wg_json_key(j, "lr"); wg_json_number(j, tidy(c->train.lr));
    wg_json_key(j, "momentum");
    if (c->train.optimizer.kind == WG_OPTIMIZER_SGD) wg_json_number(j, tidy(c->train.optimizer.momentum));
    else wg_json_null(j);
    wg_json_key(j, "schedule"); wg_json_string(j, wg_lr_schedule_name(c->train.schedule));
    wg_json_key(j, "seed"); wg_json_int(j, (int64_t)c->train.seed);
    wg_json_end_object(j);
}

static void json_data(wg_json *j, const char *dir, const wg_dataset *train, const wg_dataset *test)
{
    wg_json_key(j, "data");
    wg_json_begin_object(j);
    wg_json_key(j, "dir"); wg_json_string(j, dir);
    wg_json_key(j, "train_images"); wg_json_int(j, train->count);
    wg_json_key(j, "test_images");
    if (test) wg_json_int(j, test->count); else wg_json_null(j);
    wg_json_end_object(j);
}

/* Opens the JSON destination: stdout for "-". */
/* Opens the whygpu.train/1 document: schema, version, command, date, mode. */
static void json_begin(wg_json *j, FILE *f, const char *mode, int argc, char **argv)
{
    char date[32], cmd[1024];
    cli_utc_date(date, sizeof date);
    cli_command_line(argc, argv, "train", cmd, sizeof cmd);
    wg_json_init(j, f);
    wg_json_begin_object(j);
    wg_json_key(j, "schema"); wg_json_string(j, "whygpu.train/1");
    wg_json_key(j, "whygpu_version"); wg_json_string(j, WG_VERSION);
    wg_json_key(j, "command"); wg_json_string(j, cmd);
    wg_json_key(j, "date"); wg_json_string(j, date);
    wg_json_key(j, "mode"); wg_json_string(j, mode);
}

static FILE *json_open(const char *path)
{
    if (strcmp(path, "-") == 0) return stdout;
    return fopen(path, "w");
}

static int json_close(FILE *f, wg_json *j, const char *path)
{
    int bad = wg_json_finish(j);
    if (f != stdout) bad |= fclose(f) != 0;
    else bad |= fflush(f) != 0;
    if (bad) fprintf(stderr, "whygpu train: could not write the JSON to %s\n", path);
    return bad;
}

/* ---------------------------------------------------------------- progress -------- */

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

/* ---------------------------------------------------------------- train ----------- */

static int load_data(const char *dir, int train, wg_dataset *out)
{
    wg_status status = wg_dataset_load_fashion_mnist(dir, train, out);
    if (status != WG_OK) return cli_failure("train", status);
    return 0;
}

static void print_header(const train_cli *c, const char *model, int64_t parameters,
                         const wg_cpu_info *cpu, const char *gpu_name, const char *dir,
                         const wg_dataset *train, const wg_dataset *test)
{
    char device[32];
    wg_device_format(c->train.device, device, sizeof device);
    printf("%s (%" PRId64 " parameters) on %s", model, parameters, device);
    if (c->train.device.kind == WG_DEVICE_CPU)
        printf(" (%s, %d threads)\n", cpu->model, cpu->omp_threads);
    else
        printf(" (%s)\n", gpu_name);
    printf("data: %s: %" PRId64 " training", dir, train->count);
    if (test) printf(", %" PRId64 " test", test->count);
    printf(" images\n");
    if (c->train.optimizer.kind == WG_OPTIMIZER_SGD)
        printf("sgd, momentum %g", (double)c->train.optimizer.momentum);
    else
        printf("adam, betas %g/%g", (double)c->train.optimizer.beta1, (double)c->train.optimizer.beta2);
    printf(", lr %g (%s schedule), batch %" PRId64 ", %" PRId64 " epochs", (double)c->train.lr,
           wg_lr_schedule_name(c->train.schedule), c->train.batch, c->train.epochs);
    if (c->train.max_steps > 0) printf(" or %" PRId64 " steps", c->train.max_steps);
    printf(", seed %" PRIu64 "\n", c->train.seed);
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

static void gpu_name_of(wg_device device, char *buf, size_t size)
{
    wg_gpu_info info;
    buf[0] = '\0';
    if (device.kind == WG_DEVICE_CUDA && wg_gpu_info_get(device.index, &info) == WG_OK)
        snprintf(buf, size, "%s", info.name);
}

static int run_train(train_cli *c, int argc, char **argv)
{
    const char *dir = c->data_dir ? c->data_dir : WG_FASHION_MNIST_DEFAULT_DIR;
    const int text = !(c->json_path && strcmp(c->json_path, "-") == 0);
    wg_cpu_info cpu;
    if (wg_cpu_info_get(&cpu) != WG_OK) memset(&cpu, 0, sizeof cpu);
    wg_status status = wg_device_check(c->train.device);
    if (status != WG_OK) return cli_failure("train", status);
    char gpu_name[256];
    gpu_name_of(c->train.device, gpu_name, sizeof gpu_name);

    wg_mlp_checkpoint_info loaded;
    memset(&loaded, 0, sizeof loaded);
    if (c->load_path) {
        status = wg_mlp_checkpoint_peek(c->load_path, &loaded);
        if (status != WG_OK) return cli_failure("train", status);
        /* Without --hidden, the architecture is the checkpoint's. */
        int layers = 0;
        int64_t sizes[WG_MLP_MAX_LAYERS + 1];
        if (!c->hidden_given) {
            status = wg_mlp_parse_description(loaded.model, &layers, sizes);
            if (status != WG_OK) return cli_failure("train", status);
            c->train.hidden_layers = layers - 1;
            for (int l = 1; l < layers; l++) c->train.hidden[l - 1] = sizes[l];
        }
    }

    wg_dataset train, test;
    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    if (load_data(dir, 1, &train) || load_data(dir, 0, &test)) {
        wg_dataset_free(&train);
        return CLI_EXIT_FAILURE;
    }
    wg_trainer *t = NULL;
    status = wg_trainer_create(&c->train, &train, &test, &t);
    if (status == WG_OK && c->load_path) status = wg_trainer_load(t, c->load_path, &loaded);
    if (status != WG_OK) {
        wg_trainer_free(t);
        wg_dataset_free(&train);
        wg_dataset_free(&test);
        return cli_failure("train", status);
    }
    c->train.batch = t->options.batch;
    char model[256];
    wg_mlp_describe(t->model, model, sizeof model);
    int64_t parameters = 0;
    for (int i = 0; i < t->model->param_tensors; i++) parameters += t->model->params[i].count;
    if (text) {
        print_header(c, model, parameters, &cpu, gpu_name, dir, &train, &test);
        if (c->load_path)
            printf("resumed from %s: epoch %" PRId64 ", step %" PRId64 "%s\n", c->load_path,
                   loaded.epoch, loaded.step,
                   loaded.has_optimizer_state ? "" : " (optimizer state not in the file: "
                                                     "starting it from zero)");
    }

    wg_epoch_result *results = calloc((size_t)c->train.epochs, sizeof *results);
    if (!results) {
        fprintf(stderr, "whygpu train: out of memory\n");
        wg_trainer_free(t);
        wg_dataset_free(&train);
        wg_dataset_free(&test);
        return CLI_EXIT_FAILURE;
    }
    int count = 0;
    progress bar;
    progress_begin(&bar, "train", c->progress);
    step_progress sp = {&bar, c->train.epochs, 0.0, -1};
    while (status == WG_OK && !wg_trainer_finished(t) && count < c->train.epochs) {
        wg_epoch_result *r = &results[count];
        status = wg_trainer_run_epoch(t, on_step, &sp, r);
        if (status != WG_OK) break;
        sp.estimate_s = r->seconds;
        count++;
        if (c->save_path) status = wg_trainer_save(t, c->save_path);
        if (text) {
            progress_end(&bar);
            print_epoch_row(r, count == 1);
            progress_begin(&bar, "train", c->progress);
        }
    }
    progress_end(&bar);
    double final_loss = NAN, final_accuracy = NAN;
    if (status == WG_OK) {
        if (count > 0) {
            final_loss = results[count - 1].test_loss;
            final_accuracy = results[count - 1].test_accuracy;
        } else {
            status = wg_trainer_evaluate(t, &t->test, &final_loss, &final_accuracy);
        }
    }
    int rc = CLI_EXIT_OK;
    if (status != WG_OK) {
        rc = cli_failure("train", status);
    } else if (text) {
        double seconds = 0, images = 0;
        for (int i = 0; i < count; i++) {
            seconds += results[i].seconds;
            images += (double)results[i].images;
        }
        if (count == 0)
            printf("nothing to train (the checkpoint has done %" PRId64 " of %" PRId64
                   " epochs)\n", loaded.epoch, c->train.epochs);
        printf("\ntest accuracy %.2f%% (loss %.4f)", 100 * final_accuracy, final_loss);
        if (count > 0) {
            char s[32];
            if (t->position == 0)
                printf(" after %" PRId64 " epochs", t->epoch);
            else
                printf(" after %" PRId64 " steps", t->step);
            printf("; training took %s, %.0f images/s", wg_format_seconds(seconds, s, sizeof s),
                   seconds > 0 ? images / seconds : 0.0);
        }
        printf("\n");
        if (c->save_path) printf("saved to %s\n", c->save_path);
    }
    if (rc == CLI_EXIT_OK && c->json_path) {
        FILE *f = json_open(c->json_path);
        if (!f) {
            fprintf(stderr, "whygpu train: cannot write %s\n", c->json_path);
            rc = CLI_EXIT_FAILURE;
        } else {
            wg_json j;
            json_begin(&j, f, "train", argc, argv);
            char device[32];
            wg_json_key(&j, "device");
            wg_json_string(&j, wg_device_format(c->train.device, device, sizeof device));
            json_machine(&j, &cpu, gpu_name);
            json_options(&j, c, model, parameters);
            json_data(&j, dir, &train, &test);
            wg_json_key(&j, "resumed_from");
            if (c->load_path) {
                wg_json_begin_object(&j);
                wg_json_key(&j, "path"); wg_json_string(&j, c->load_path);
                wg_json_key(&j, "epoch"); wg_json_int(&j, loaded.epoch);
                wg_json_key(&j, "step"); wg_json_int(&j, loaded.step);
                wg_json_end_object(&j);
            } else {
                wg_json_null(&j);
            }
            wg_json_key(&j, "epochs");
            wg_json_begin_array(&j);
            for (int i = 0; i < count; i++) {
                const wg_epoch_result *r = &results[i];
                wg_json_begin_object(&j);
                wg_json_key(&j, "epoch"); wg_json_int(&j, r->epoch);
                wg_json_key(&j, "steps"); wg_json_int(&j, r->steps);
                wg_json_key(&j, "images"); wg_json_int(&j, r->images);
                wg_json_key(&j, "lr"); wg_json_number(&j, tidy(r->lr));
                wg_json_key(&j, "train_loss"); wg_json_number(&j, r->train_loss);
                wg_json_key(&j, "train_accuracy"); wg_json_number(&j, r->train_accuracy);
                wg_json_key(&j, "test_loss"); wg_json_number(&j, r->test_loss);
                wg_json_key(&j, "test_accuracy"); wg_json_number(&j, r->test_accuracy);
                wg_json_key(&j, "seconds"); wg_json_number(&j, r->seconds);
                wg_json_key(&j, "images_per_s"); wg_json_number(&j, r->images_per_s);
                wg_json_key(&j, "eval_seconds"); wg_json_number(&j, r->eval_seconds);
                wg_json_end_object(&j);
            }
            wg_json_end_array(&j);
            wg_json_key(&j, "final");
            wg_json_begin_object(&j);
            wg_json_key(&j, "epochs_done"); wg_json_int(&j, t->epoch);
            wg_json_key(&j, "steps_done"); wg_json_int(&j, t->step);
            wg_json_key(&j, "test_loss"); wg_json_number(&j, final_loss);
            wg_json_key(&j, "test_accuracy"); wg_json_number(&j, final_accuracy);
            wg_json_end_object(&j);
            wg_json_key(&j, "saved_to"); wg_json_string(&j, c->save_path);
            wg_json_end_object(&j);
            if (json_close(f, &j, c->json_path)) rc = CLI_EXIT_FAILURE;
        }
    }
    free(results);
    wg_trainer_free(t);
    wg_dataset_free(&train);
    wg_dataset_free(&test);
    return rc;
}

/* ---------------------------------------------------------------- compare --------- */

typedef struct compare_run {
    wg_device device;
    int ran;
    char error[512];
    int64_t steps, timed_steps, loss_steps;
    double losses[COMPARE_LOSS_STEPS];
    double seconds; /* of the timed steps */
    double seconds_per_step, images_per_s;
} compare_run;

/* The first `loss_steps` steps one by one, reading each batch's loss back (this waits for
 * the device, so they also serve as warm-up); then the rest timed as a block, the device
 * synchronised at both ends. */
static wg_status compare_on(const train_cli *c, const wg_dataset *train, int64_t steps,
                            compare_run *run, progress *bar)
{
    wg_train_options o = c->train;
    o.device = run->device;
    o.max_steps = steps;
    o.epochs = 1000000;
    wg_trainer *t = NULL;
    wg_status status = wg_trainer_create(&o, train, NULL, &t);
    if (status != WG_OK) return status;
    run->steps = steps;
    run->loss_steps = steps / 2 < COMPARE_LOSS_STEPS ? steps / 2 : COMPARE_LOSS_STEPS;
    run->timed_steps = steps - run->loss_steps;
    char label[64], device[32];
    snprintf(label, sizeof label, "compare %s", wg_device_format(run->device, device, sizeof device));
    progress_begin(bar, label, c->progress);
    progress_on_phase(bar, "first steps", 0, 0, 0);
    for (int64_t s = 0; s < run->loss_steps && status == WG_OK; s++) {
        const int64_t rows = t->train.count - t->position < t->options.batch
                                 ? t->train.count - t->position : t->options.batch;
        wg_nn_stats stats;
        status = wg_mlp_stats_reset(t->model);
        if (status == WG_OK) status = wg_trainer_step(t);
        if (status == WG_OK) status = wg_mlp_stats_read(t->model, &stats);
        if (status == WG_OK) run->losses[s] = stats.loss_sum / (double)rows;
    }
    progress_on_phase(bar, "timed steps", 0, 0, 0);
    if (status == WG_OK) status = wg_synchronize(run->device);
    const double start = wg_now();
    for (int64_t s = 0; s < run->timed_steps && status == WG_OK; s++) status = wg_trainer_step(t);
    if (status == WG_OK) status = wg_synchronize(run->device);
    run->seconds = wg_now() - start;
    progress_end(bar);
    if (status == WG_OK) {
        run->ran = 1;
        run->seconds_per_step = run->seconds / (double)run->timed_steps;
        run->images_per_s = (double)(run->timed_steps * t->options.batch) / run->seconds;
    }
    wg_trainer_free(t);
    return status;
}

static int run_compare(train_cli *c, int argc, char **argv)
{
    const char *dir = c->data_dir ? c->data_dir : WG_FASHION_MNIST_DEFAULT_DIR;
    const int text = !(c->json_path && strcmp(c->json_path, "-") == 0);
    wg_cpu_info cpu;
    if (wg_cpu_info_get(&cpu) != WG_OK) memset(&cpu, 0, sizeof cpu);
    wg_dataset train;
    memset(&train, 0, sizeof train);
    if (load_data(dir, 1, &train)) return CLI_EXIT_FAILURE;
    if (c->train.batch > train.count) c->train.batch = train.count;
    const int64_t steps = c->train.max_steps > 0
                              ? c->train.max_steps
                              : (train.count + c->train.batch - 1) / c->train.batch;
    if (steps < 2) {
        wg_dataset_free(&train);
        return cli_usage_error("train", "--compare needs at least 2 steps, got %" PRId64, steps);
    }
    compare_run runs[2];
    memset(runs, 0, sizeof runs);
    runs[0].device = wg_cpu();
    runs[1].device = c->train.device;
    char gpu_name[256];
    gpu_name_of(c->train.device, gpu_name, sizeof gpu_name);
    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    sizes[0] = train.features;
    for (int l = 0; l < c->train.hidden_layers; l++) sizes[l + 1] = c->train.hidden[l];
    sizes[c->train.hidden_layers + 1] = train.classes;
    char model[256];
    size_t used = (size_t)snprintf(model, sizeof model, "mlp ");
    for (int l = 0; l <= c->train.hidden_layers + 1 && used < sizeof model; l++)
        used += (size_t)snprintf(model + used, sizeof model - used, "%s%" PRId64, l ? "-" : "", sizes[l]);
    if (used < sizeof model) snprintf(model + used, sizeof model - used, " relu softmax-xent");
    int64_t parameters = 0;
    for (int l = 0; l <= c->train.hidden_layers; l++) parameters += sizes[l] * sizes[l + 1] + sizes[l + 1];
    if (text) {
        printf("%s (%" PRId64 " parameters): %" PRId64 " steps of batch %" PRId64
               " on the CPU and on the GPU, same seed (%" PRIu64 ")\n", model, parameters,
               steps, c->train.batch, c->train.seed);
        fflush(stdout);
    }
    progress bar;
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < 2; i++) {
        wg_status status = wg_device_check(runs[i].device);
        if (status == WG_OK) status = compare_on(c, &train, steps, &runs[i], &bar);
        if (status != WG_OK) snprintf(runs[i].error, sizeof runs[i].error, "%s", wg_error_message());
    }
    double max_diff = 0;
    int agree = runs[0].ran && runs[1].ran;
    for (int64_t s = 0; agree && s < runs[0].loss_steps; s++) {
        const double a = runs[0].losses[s], b = runs[1].losses[s];
        const double diff = fabs(a - b) / fmax(1.0, fabs(a));
        if (!(diff <= max_diff)) max_diff = diff; /* NaN sticks */
    }
    if (agree && !(max_diff <= COMPARE_TOLERANCE)) agree = 0;
    const double speedup = runs[0].ran && runs[1].ran ? runs[0].seconds_per_step / runs[1].seconds_per_step : NAN;

    if (text) {
        printf("\n%-8s  %12s  %12s  %s\n", "device", "time/step", "images/s", "loss at steps 1..");
        for (int i = 0; i < 2; i++) {
            char device[32], s[32];
            wg_device_format(runs[i].device, device, sizeof device);
            if (!runs[i].ran) {
                printf("%-8s  not run: %s\n", device, runs[i].error);
                continue;
            }
            printf("%-8s  %12s  %12.0f ", device,
                   wg_format_seconds(runs[i].seconds_per_step, s, sizeof s), runs[i].images_per_s);
            for (int64_t k = 0; k < runs[i].loss_steps; k++) printf(" %.5f", runs[i].losses[k]);
            printf("\n");
        }
        if (runs[0].ran && runs[1].ran) {
            printf("\nspeed-up of the GPU (%s) over the CPU (%s, %d threads): %.1fx\n", gpu_name,
                   cpu.model, cpu.omp_threads, speedup);
            printf("time/step is the mean of the last %" PRId64 " of %" PRId64 " steps (the "
                   "first %" PRId64 " read their loss back and warm up).\n",
                   runs[0].timed_steps, steps, runs[0].loss_steps);
            printf("losses over the first %" PRId64 " steps: largest relative difference %.2g, "
                   "tolerance %.0e: %s\n", runs[0].loss_steps, max_diff, COMPARE_TOLERANCE,
                   agree ? "they agree" : "THEY DISAGREE");
        }
    }
    if (!runs[0].ran) {
        fprintf(stderr, "whygpu train: the CPU run failed: %s\n", runs[0].error);
        rc = CLI_EXIT_FAILURE;
    } else if (!runs[1].ran) {
        char device[32];
        fprintf(stderr, "whygpu train: no GPU comparison: %s could not run: %s\n",
                wg_device_format(runs[1].device, device, sizeof device), runs[1].error);
        rc = CLI_EXIT_FAILURE;
    } else if (!agree) {
        fprintf(stderr, "whygpu train: the CPU's and the GPU's losses disagree (largest relative "
                "difference %.3g > %.0e)\n", max_diff, COMPARE_TOLERANCE);
        rc = CLI_EXIT_FAILURE;
    }
    if (c->json_path) {
        FILE *f = json_open(c->json_path);
        if (!f) {
            fprintf(stderr, "whygpu train: cannot write %s\n", c->json_path);
            rc = CLI_EXIT_FAILURE;
        } else {
            wg_json j;
            json_begin(&j, f, "compare", argc, argv);
            json_machine(&j, &cpu, gpu_name);
            json_options(&j, c, model, parameters);
            json_data(&j, dir, &train, NULL);
            wg_json_key(&j, "runs");
            wg_json_begin_array(&j);
            for (int i = 0; i < 2; i++) {
                char device[32];
                wg_json_begin_object(&j);
                wg_json_key(&j, "device"); wg_json_string(&j, wg_device_format(runs[i].device, device, sizeof device));
                wg_json_key(&j, "ran"); wg_json_bool(&j, runs[i].ran);
                wg_json_key(&j, "error"); wg_json_string(&j, runs[i].ran ? NULL : runs[i].error);
                wg_json_key(&j, "steps"); wg_json_int(&j, runs[i].steps);
                wg_json_key(&j, "timed_steps"); wg_json_int(&j, runs[i].timed_steps);
                wg_json_key(&j, "seconds"); wg_json_number(&j, runs[i].ran ? runs[i].seconds : NAN);
                wg_json_key(&j, "seconds_per_step"); wg_json_number(&j, runs[i].ran ? runs[i].seconds_per_step : NAN);
                wg_json_key(&j, "images_per_s"); wg_json_number(&j, runs[i].ran ? runs[i].images_per_s : NAN);
                wg_json_key(&j, "first_losses");
                wg_json_begin_array(&j);
                for (int64_t k = 0; runs[i].ran && k < runs[i].loss_steps; k++) wg_json_number(&j, runs[i].losses[k]);
                wg_json_end_array(&j);
                wg_json_end_object(&j);
            }
            wg_json_end_array(&j);
            wg_json_key(&j, "speedup"); wg_json_number(&j, speedup);
            wg_json_key(&j, "loss_max_relative_difference");
            if (runs[0].ran && runs[1].ran) wg_json_number(&j, max_diff); else wg_json_null(&j);
            wg_json_key(&j, "loss_tolerance"); wg_json_number(&j, COMPARE_TOLERANCE);
            wg_json_key(&j, "losses_agree"); wg_json_bool(&j, agree);
            wg_json_end_object(&j);
            if (json_close(f, &j, c->json_path)) rc = CLI_EXIT_FAILURE;
        }
    }
    wg_dataset_free(&train);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_cli c;
    int rc = parse_train_options(argc, argv, &c);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    return c.compare ? run_compare(&c, argc, argv) : run_train(&c, argc, argv);
}

/* ---------------------------------------------------------------- predict --------- */

static void predict_usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu predict --load FILE [--data DIR] [--device DEV] INDEX\n"
            "\n"
            "Classifies image INDEX (0..9999) of the Fashion-MNIST test set with a model saved\n"
            "by 'whygpu train --save FILE': prints the predicted class, its probability, the\n"
            "runners-up and the true label.\n"
            "\n"
            "options:\n"
            "  --load FILE   the checkpoint (required)\n"
            "  --data DIR    the Fashion-MNIST files (default " WG_FASHION_MNIST_DEFAULT_DIR ")\n"
            "  --device DEV  cpu (default), cuda or cuda:N\n"
            "  -h, --help    this help\n"
            "\n"
            "exit status: 0 classified, 1 failure (missing or corrupt checkpoint or data), 2 bad usage\n");
}

int cmd_predict(int argc, char **argv)
{
    static const struct option longs[] = {
        {"load", required_argument, NULL, 'L'}, {"data", required_argument, NULL, 'D'},
        {"device", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *load = NULL, *dir = WG_FASHION_MNIST_DEFAULT_DIR;
    wg_device device = wg_cpu();
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (ch) {
        case 'L': load = optarg; break;
        case 'D': dir = optarg; break;
        case 'd':
            if (wg_device_parse(optarg, &device) != WG_OK)
                return cli_usage_error("predict", "--device: %s", wg_error_message());
            break;
        case 'h': predict_usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("predict", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("predict", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!load) return cli_usage_error("predict", "--load FILE is required");
    if (optind >= argc) return cli_usage_error("predict", "the image INDEX is missing");
    if (optind + 1 < argc) return cli_usage_error("predict", "unexpected argument '%s'", argv[optind + 1]);
    int64_t index = 0;
    if (cli_parse_int("predict", "INDEX", argv[optind], 0, INT32_MAX, &index)) return CLI_EXIT_USAGE;

    wg_mlp_checkpoint_info info;
    int layers = 0;
    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    wg_status status = wg_mlp_checkpoint_peek(load, &info);
    if (status == WG_OK) status = wg_mlp_parse_description(info.model, &layers, &sizes[0]);
    if (status != WG_OK) return cli_failure("predict", status);
    wg_dataset test;
    status = wg_dataset_load_fashion_mnist(dir, 0, &test);
    if (status != WG_OK) return cli_failure("predict", status);
    if (index >= test.count) {
        wg_dataset_free(&test);
        return cli_usage_error("predict", "INDEX must be below %" PRId64 " (the test set's size), "
                               "got %" PRId64, test.count, index);
    }
    if (sizes[0] != test.features || sizes[layers] != test.classes) {
        fprintf(stderr, "whygpu predict: checkpoint %s holds \"%s\", which does not take %" PRId64
                " pixels to %d classes\n", load, info.model, test.features, test.classes);
        wg_dataset_free(&test);
        return CLI_EXIT_FAILURE;
    }
    wg_mlp *mlp = NULL;
    float *x = NULL;
    uint8_t *y = NULL;
    float logits[WG_MLP_MAX_CLASSES];
    const wg_backend *backend = NULL;
    status = wg_mlp_create(device, layers, sizes, 1, &mlp);
    if (status == WG_OK) status = wg_mlp_load(mlp, load, WG_OPTIMIZER_SGD, NULL);
    if (status == WG_OK) {
        backend = mlp->backend;
        status = backend->alloc(device.index, (size_t)test.features * sizeof *x, (void **)&x);
    }
    if (status == WG_OK) status = backend->alloc(device.index, 1, (void **)&y);
    if (status == WG_OK)
        status = backend->copy_from_host(device.index, x, test.images + index * test.features,
                                         (size_t)test.features * sizeof *x);
    if (status == WG_OK)
        status = backend->copy_from_host(device.index, y, test.labels + index, 1);
    if (status == WG_OK) status = wg_mlp_forward(mlp, x, 1);
    if (status == WG_OK)
        status = backend->copy_to_host(device.index, logits, mlp->act[layers - 1],
                                       (size_t)test.classes * sizeof *logits);
    int rc = CLI_EXIT_OK;
    if (status != WG_OK) {
        rc = cli_failure("predict", status);
    } else {
        /* softmax on the host, shifted by the maximum */
        double max = logits[0], sum = 0, p[WG_MLP_MAX_CLASSES];
        for (int k = 1; k < test.classes; k++) max = fmax(max, logits[k]);
        for (int k = 0; k < test.classes; k++) sum += p[k] = exp(logits[k] - max);
        int order[WG_MLP_MAX_CLASSES];
        for (int k = 0; k < test.classes; k++) {
            p[k] /= sum;
            order[k] = k;
        }
        for (int a = 0; a < test.classes; a++)
            for (int b = a + 1; b < test.classes; b++)
                if (p[order[b]] > p[order[a]]) {
                    int tmp = order[a];
                    order[a] = order[b];
                    order[b] = tmp;
                }
        const int truth = test.labels[index];
        printf("test image %" PRId64 ": predicted %s (%.1f%%), true label %s: %s\n", index,
               wg_fashion_mnist_class_name(order[0]), 100 * p[order[0]],
               wg_fashion_mnist_class_name(truth), order[0] == truth ? "right" : "wrong");
        printf("runners-up: %s (%.1f%%), %s (%.1f%%)\n", wg_fashion_mnist_class_name(order[1]),
               100 * p[order[1]], wg_fashion_mnist_class_name(order[2]), 100 * p[order[2]]);
        printf("model: %s, epoch %" PRId64 ", from %s\n", info.model, info.epoch, load);
    }
    if (backend) {
        if (x) backend->release(device.index, x);
        if (y) backend->release(device.index, y);
    }
    wg_mlp_free(mlp);
    wg_dataset_free(&test);
    return rc;
}
