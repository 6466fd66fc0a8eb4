/*
 * train_options.c - `whygpu train`'s usage and options (for training and for --compare):
 * strict parsing, one-line errors, exit 2 for bad usage.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train_cli.h"

/* ---------------------------------------------------------------- options --------- */

static void train_usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu train [--device DEV] [--epochs N] [--batch N] [--hidden LIST]\n"
            "                    [--optimizer sgd|adam] [--lr X] [--momentum X]\n"
            "                    [--schedule cosine|step|constant] [--seed N] [--data DIR]\n"
            "                    [--steps N] [--json FILE|-] [--save FILE] [--load FILE]\n"
            "                    [--dtype fp32|bf16] [--graph on|off] [--epilogue lt|own]\n"
            "                    [--compare [--batches LIST]] [--no-progress]\n"
            "\n"
            "Trains a multilayer perceptron (784-512-256-10, ReLU, softmax cross-entropy) on\n"
            "Fashion-MNIST, on the CPU or the GPU: the same code, the device chosen here. Prints\n"
            "per epoch the loss, train and test accuracy, wall time and images per second.\n"
            "\n"
            "options:\n"
            "  --device DEV     cpu, cuda, cuda:N, opencl or opencl:N (default cpu)\n"
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
            "  --json FILE|-    write the run as JSON (schema whygpu.train/2, docs/json.md) to\n"
            "                   FILE, or to stdout instead of the table with '-'\n"
            "  --save FILE      save a checkpoint after every epoch (atomically)\n"
            "  --load FILE      resume from a checkpoint of the same model; one that finished\n"
            "                   its epochs is only evaluated\n"
            "  --dtype T        the products' inputs: fp32 (default) or bf16 (mixed\n"
            "                   precision: bf16 weights and activations in the products,\n"
            "                   fp32 accumulation, fp32 master weights, optimiser and loss)\n"
            "  --compare        run the same steps on the CPU and on the GPU (--device names\n"
            "                   the GPU, default cuda): time per step, images/s, speed-up, and\n"
            "                   the two devices' losses over the first steps must agree\n"
            "  --batches LIST   with --compare: the batch-size curve, one comparison per batch\n"
            "                   size (comma-separated, at most %d, e.g. 64,256,1024,4096,8192):\n"
            "                   CPU and GPU images/s at each, and the best batch named\n"
            "  --graph on|off   on a CUDA GPU, capture each step once into a CUDA graph and\n"
            "                   replay it (one launch a step instead of one per kernel), or\n"
            "                   launch the kernels one by one (default on; a capture that\n"
            "                   fails falls back to launching, and the output says why)\n"
            "  --epilogue lt|own on a CUDA GPU in fp32, add the bias and apply ReLU (and, going\n"
            "                   back, ReLU's mask and the bias gradient) inside the products'\n"
            "                   cuBLASLt epilogues, or in separate own kernels (default lt;\n"
            "                   where cuBLASLt refuses, the own kernels run and the output\n"
            "                   says why)\n"
            "  --no-progress    no progress on stderr\n"
            "  -h, --help       this help\n"
            "\n"
            "exit status: 0 trained (--compare: both devices ran and agree), 1 failure (no\n"
            "dataset, no GPU for --compare or --device cuda, losses disagree), 2 bad usage\n",
            TRAIN_CLI_MAX_BATCHES);
}

/* A float in [min, max] (strict: the whole text a finite decimal number, cli.c). */
static int parse_float(const char *command, const char *option, const char *text, double min,
                       double max, float *out)
{
    double value = 0;
    if (cli_parse_double(command, option, text, min, max, &value)) return CLI_EXIT_USAGE;
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

/* "64,256,1024" into the batch sizes of the curve (gpu-step). */
static int parse_batches(const char *text, train_cli *c)
{
    char copy[256];
    if (strlen(text) >= sizeof copy || !*text || text[0] == ',' ||
        text[strlen(text) - 1] == ',' || strstr(text, ",,"))
        return cli_usage_error("train", "--batches expects sizes like 64,256,1024, got '%s'",
                               text);
    strcpy(copy, text);
    c->batch_count = 0;
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        if (c->batch_count == TRAIN_CLI_MAX_BATCHES)
            return cli_usage_error("train", "--batches: at most %d sizes, got '%s'",
                                   TRAIN_CLI_MAX_BATCHES, text);
        int64_t batch = 0;
        if (cli_parse_int("train", "--batches", part, 1, 1 << 20, &batch)) return CLI_EXIT_USAGE;
        c->batches[c->batch_count++] = batch;
    }
    return 0;
}

int train_parse_options(int argc, char **argv, train_cli *c)
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
        {"dtype", required_argument, NULL, 'T'},    {"graph", required_argument, NULL, 'G'},
        {"batches", required_argument, NULL, 'B'},  {"help", no_argument, NULL, 'h'},
        {"epilogue", required_argument, NULL, 'E'},
        {NULL, 0, NULL, 0}};
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
        case 'T':
            if (wg_dtype_parse(optarg, &c->train.dtype) != WG_OK)
                return cli_usage_error("train", "--dtype: %s", wg_error_message());
            break;
        case 'B':
            if (parse_batches(optarg, c)) return CLI_EXIT_USAGE;
            break;
        case 'G':
            if (wg_graph_mode_parse(optarg, &c->train.graph) != WG_OK)
                return cli_usage_error("train", "--graph: %s", wg_error_message());
            break;
        case 'E':
            if (wg_epilogue_mode_parse(optarg, &c->train.epilogue) != WG_OK)
                return cli_usage_error("train", "--epilogue: %s", wg_error_message());
            break;
        case 'P': c->progress = 0; break;
        case 'h': train_usage(stdout); return -1;
        case ':': return cli_usage_error("train", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("train", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
    if (!c->lr_given && c->train.optimizer.kind == WG_OPTIMIZER_ADAM) c->train.lr = 0.001f;
    if (!c->data_dir) c->data_dir = WG_FASHION_MNIST_DEFAULT_DIR;
    c->text = !(c->json_path && strcmp(c->json_path, "-") == 0);
    /* Paths that cannot be written are said now, not after the training. */
    int bad = cli_output_check("train", "--json", c->json_path, 1);
    if (!bad) bad = cli_output_check("train", "--save", c->save_path, 0);
    if (bad) return bad;
    if (c->batch_count > 0 && !c->compare)
        return cli_usage_error("train", "--batches is for --compare (the batch-size curve)");
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
