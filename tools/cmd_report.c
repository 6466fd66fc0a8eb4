/*
 * cmd_report.c - `whygpu report`: one self-contained HTML page of this machine's answer to
 * "why GPUs?": the four cells of the classic demo, where the GPU starts to win (the sweep),
 * the reasons measured and said in plain words (explain), the kernel ladder and training
 * curves when there are results for them, and the machine.
 *
 * It runs this same whygpu binary's commands with --json (info, demo, explain, sweep, and
 * the ladder when a GPU is present), or loads their saved JSON from a folder (--from), so
 * a GPU machine's results can be turned into a page elsewhere. Charts come from the plot
 * code (gnuplot, SVG) and are inlined; CSS is inline; nothing is loaded from elsewhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu report [-o report.html] [--from DIR] [--save DIR] [--quick]\n"
            "                     [--device DEV] [--reference NAME|DIR|none]\n"
            "\n"
            "Writes one self-contained HTML page (inline CSS, charts inline as SVG, nothing\n"
            "loaded from elsewhere): the four cells of the classic demo, where the GPU starts\n"
            "to win (the sweep), the reasons measured and said in plain words (explain), the\n"
            "GPU kernel ladder and training curves when there are results for them, and the\n"
            "machine. It runs whygpu info, demo, explain and sweep with --json (and the\n"
            "ladder when a GPU is present): about 2.5 minutes on a 2-core machine, under a\n"
            "minute with --quick. Charts need gnuplot; without it the page says so.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE  the page (default report.html)\n"
            "  --from DIR         measure nothing: load DIR/info.json, demo.json,\n"
            "                     explain.json, sweep.json, ladder.json, train.json (those\n"
            "                     present), e.g. results brought back from a GPU machine\n"
            "  --save DIR         keep the JSON of the commands run, for --from later\n"
            "  --device DEV       the GPU the runs measure: cuda, cuda:N, opencl, opencl:N\n"
            "                     (default: each command's own, cuda:0)\n"
            "  --quick            smaller runs: demo --size 2000, explain --quick, sweep\n"
            "                     --budget 15s\n"
            "  --reference R      a recorded GPU machine for the GPU parts this machine did\n"
            "                     not measure, each figure labelled with its machine and date\n"
            "                     (a name such as h100, a folder, or none; default h100 when\n"
            "                     the results hold no GPU, none when they do)\n"
            "  -h, --help         this help\n"
            "\n"
            "exit status: 0 written, 1 a measurement or the page failed, 2 bad usage\n");
}

int cmd_report(int argc, char **argv)
{
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'}, {"from", required_argument, NULL, 'f'},
        {"save", required_argument, NULL, 's'},   {"quick", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {"reference", required_argument, NULL, 'R'},
        {"device", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    report_options o = {"report.html", NULL, NULL, 0, NULL, NULL};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'o': o.output = optarg; break;
        case 'f': o.from = optarg; break;
        case 's': o.save = optarg; break;
        case 'q': o.quick = 1; break;
        case 'd': {
            wg_device device;
            if (wg_device_parse(optarg, &device) != WG_OK)
                return cli_usage_error("report", "--device: %s", wg_error_message());
            o.device = optarg;
            break;
        }
        case 'R': o.reference = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("report", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (!o.output[0]) return cli_usage_error("report", "-o needs a file name, got ''");
    if (o.from && o.save) return cli_usage_error("report", "--from and --save do not go together");
    if (o.save && !o.save[0]) return cli_usage_error("report", "--save needs a folder name, got ''");
    /* A page that cannot be written is said now, not after minutes of measuring. */
    int bad = cli_output_check("report", "-o", o.output, 0);
    if (bad) return bad;
    struct stat save_st;
    if (o.save && lstat(o.save, &save_st) == 0 && !S_ISDIR(save_st.st_mode)) {
        fprintf(stderr, "whygpu report: --save: '%s' is not a folder\n", o.save);
        return CLI_EXIT_FAILURE;
    }
#ifndef WG_HAVE_CJSON
    fprintf(stderr, "whygpu report: built without cJSON, so JSON results cannot be read "
                    "(install libcjson-dev and rebuild)\n");
    return CLI_EXIT_FAILURE;
#else
    static report rep;
    memset(&rep, 0, sizeof rep);
    rep.o = o;
    if (o.from) {
        struct stat st;
        if (stat(o.from, &st) != 0 || !S_ISDIR(st.st_mode))
            return cli_usage_error("report", "--from: '%s' is not a folder", o.from);
    }
    if (o.reference && strcmp(o.reference, "none") != 0) { /* refuse a bad name first */
        char note[600], error[1400];
        if (recorded_open(&rep.ref, o.reference, 0, note, sizeof note, error, sizeof error) != 0)
            return cli_usage_error("report", "%s", error);
        recorded_close(&rep.ref);
    }
    int rc = report_collect(&rep);
    if (rc == CLI_EXIT_OK) rc = report_use_reference(&rep);
    if (rc != CLI_EXIT_OK) {
        report_free(&rep);
        return rc;
    }
    report_draw_charts(&rep);
    rc = report_write_html(&rep, o.output) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    if (rc == CLI_EXIT_OK) fprintf(stderr, "whygpu report: wrote %s\n", o.output);
    if (rep.failed) rc = CLI_EXIT_FAILURE;
    report_free(&rep);
    return rc;
#endif
}
