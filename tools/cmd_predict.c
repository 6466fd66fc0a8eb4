/*
 * cmd_predict.c - `whygpu predict`: one Fashion-MNIST test image classified by a model saved
 * with `whygpu train --save` (the library's wg_predict loads and runs it): the predicted
 * class, its probability, the runners-up and the true label.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "whygpu_lab.h"

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

static void print_prediction(const wg_prediction *p, int64_t index, int truth, const char *load)
{
    const int *order = p->ranked;
    printf("test image %" PRId64 ": predicted %s (%.1f%%), true label %s: %s\n", index,
           wg_fashion_mnist_class_name(order[0]), 100 * p->probability[order[0]],
           wg_fashion_mnist_class_name(truth), order[0] == truth ? "right" : "wrong");
    printf("runners-up: %s (%.1f%%), %s (%.1f%%)\n", wg_fashion_mnist_class_name(order[1]),
           100 * p->probability[order[1]], wg_fashion_mnist_class_name(order[2]),
           100 * p->probability[order[2]]);
    printf("model: %s, epoch %" PRId64 ", from %s\n", p->checkpoint.model, p->checkpoint.epoch,
           load);
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
        default:
            /* "-1" reads as an option to getopt: it is an INDEX below 0 */
            if (argv[optind - 1][0] == '-' && argv[optind - 1][1] >= '0' &&
                argv[optind - 1][1] <= '9')
                return cli_usage_error("predict", "INDEX must be >= 0, got '%s'",
                                       argv[optind - 1]);
            return cli_usage_error("predict", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!load) return cli_usage_error("predict", "--load FILE is required");
    if (optind >= argc) return cli_usage_error("predict", "the image INDEX is missing");
    if (optind + 1 < argc) return cli_usage_error("predict", "unexpected argument '%s'", argv[optind + 1]);
    int64_t index = 0;
    if (cli_parse_int("predict", "INDEX", argv[optind], 0, INT32_MAX, &index)) return CLI_EXIT_USAGE;

    /* The checkpoint first: a missing or corrupt one is reported before the data is read. */
    wg_mlp_checkpoint_info info;
    wg_status status = wg_mlp_checkpoint_peek(load, &info);
    if (status != WG_OK) return cli_failure("predict", status);
    wg_dataset test;
    status = wg_dataset_load_fashion_mnist(dir, 0, &test);
    if (status != WG_OK) return cli_failure("predict", status);
    if (index >= test.count) {
        const int64_t count = test.count; /* read before the set is freed */
        wg_dataset_free(&test);
        return cli_usage_error("predict", "INDEX must be below %" PRId64 " (the test set's size), "
                               "got %" PRId64, count, index);
    }
    wg_prediction prediction;
    status = wg_predict(load, device, &test, index, &prediction);
    int rc = CLI_EXIT_OK;
    if (status != WG_OK) rc = cli_failure("predict", status);
    else print_prediction(&prediction, index, test.labels[index], load);
    wg_dataset_free(&test);
    return rc;
}
