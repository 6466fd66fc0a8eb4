/*
 * cmd_plot.c - `whygpu plot RESULTS.json -o FILE.svg|png`: a chart of a saved whygpu
 * result, drawn by gnuplot. The document's "schema" picks the chart:
 *
 *   whygpu.sweep/1    time per call against size, log-log: CPU, GPU with the data resident,
 *                     GPU with the copies; the crossovers marked
 *   whygpu.explain/1  the roofline: each device's roof and where the demo's ops fall
 *   whygpu.ladder/1   the GPU matmul kernel ladder: GFLOP/s of each kernel, as bars
 *   whygpu.train/1,2  training curves: loss and accuracy per epoch
 *
 * Every field the chart needs is read and checked first (json_read.c), so a malformed or
 * truncated document is one clear error naming the field, never a broken picture. The
 * data go inline into the gnuplot script (datablocks), which is piped to gnuplot's stdin;
 * gnuplot's own complaints are kept and the first one is shown if it fails.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "json_read.h"
#include "plot.h"

/* ---------------------------------------------------------------- the command ----- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu plot RESULTS.json -o FILE.svg|FILE.png\n"
            "\n"
            "Draws a chart of a saved whygpu result with gnuplot. The document's schema picks\n"
            "the chart:\n"
            "  whygpu sweep --json    time per call against size (log-log): CPU, GPU with the\n"
            "                         data resident, GPU with copies; crossovers marked\n"
            "  whygpu explain --json  the roofline: each device's roof and the demo's ops\n"
            "  whygpu ladder --json   the GPU matmul kernels' GFLOP/s, as bars\n"
            "  whygpu train --json    training loss and accuracy per epoch\n"
            "Results measured on a machine without gnuplot can be drawn later on another.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE  the chart: .svg or .png (required)\n"
            "  -h, --help         this help\n"
            "\n"
            "environment: WHYGPU_GNUPLOT, the gnuplot to run (default: gnuplot on PATH);\n"
            "WHYGPU_PLOT_SCRIPT=FILE also saves the generated gnuplot script there\n"
            "exit status: 0 drawn, 1 the input is malformed or gnuplot is missing or failed,\n"
            "2 bad usage\n");
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    const char *output = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("plot", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("plot", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("plot", "which RESULTS.json? none given");
    if (optind + 1 < argc) return cli_usage_error("plot", "unexpected argument '%s'", argv[optind + 1]);
    if (!output) return cli_usage_error("plot", "-o FILE.svg or FILE.png is required");
    const char *dot = strrchr(output, '.');
    if (!dot || (strcasecmp(dot, ".svg") != 0 && strcasecmp(dot, ".png") != 0))
        return cli_usage_error("plot", "-o: '%s' should end in .svg or .png", output);
    int bad = cli_output_check("plot", "-o", output, 0);
    if (bad) return bad;
    const char *input = argv[optind];
#ifndef WG_HAVE_CJSON
    (void)input;
    fprintf(stderr, "whygpu plot: built without cJSON, so JSON cannot be read (install "
                    "libcjson-dev and rebuild)\n");
    return CLI_EXIT_FAILURE;
#else
    jr r = {""};
    char *text = jr_read_file(&r, input);
    cJSON *root = text ? jr_parse(&r, text, input) : NULL;
    free(text);
    if (!root) {
        fprintf(stderr, "whygpu plot: %s\n", r.error);
        return CLI_EXIT_FAILURE;
    }
    char msg[1024];
    int rc = plot_document(root, input, output, msg, sizeof msg);
    cJSON_Delete(root);
    if (rc != CLI_EXIT_OK) {
        fprintf(stderr, "whygpu plot: %s\n", msg);
        return rc;
    }
    return CLI_EXIT_OK;
#endif
}
