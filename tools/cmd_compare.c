/*
 * cmd_compare.c - `whygpu compare A B [C ...]`: saved runs side by side. Each argument is
 * a whygpu JSON document, a folder of them (`report --save`, a gpu-check output folder) or
 * a recorded reference machine by name (`h100`: reference/h100/, docs/reference.md). The
 * first run is the baseline; every figure of the others is shown with how many times
 * better it is, and the sentences that follow (the first run's CPU against each other
 * run's GPU). Text by default, --json for a document, --html FILE for a page.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu compare [--json] [--html FILE] RUN RUN [RUN ...]\n"
            "\n"
            "Saved runs side by side: each figure, how many times better it is than the\n"
            "first run's, and what follows from it. A RUN is a whygpu JSON document (demo,\n"
            "explain, sweep, ladder, train, bench gemm), a folder of them (whygpu report\n"
            "--save DIR, a scripts/gpu-check.sh output folder), or a recorded reference\n"
            "machine by name, e.g. h100 (reference/h100/ next to this whygpu's checkout, an\n"
            "installed share/whygpu/reference/, or $WHYGPU_REFERENCE_DIR). Files must be of\n"
            "one kind; folders compare every kind they all hold.\n"
            "\n"
            "  whygpu demo --json > mine.json && whygpu compare mine.json h100\n"
            "\n"
            "options:\n"
            "  --json           print the comparison as JSON (schema whygpu.compare/1)\n"
            "  --html FILE      also write it as an HTML page to FILE\n"
            "  -h, --help       this help\n"
            "\n"
            "exit status: 0 compared, 1 the runs cannot be compared (different kinds, a\n"
            "schema this whygpu cannot read, a missing field), 2 bad usage\n");
}

static int write_html(const char *path, const cmp_result *result)
{
    /* a temporary file renamed over the target: a failure keeps the user's old page */
    cli_output output;
    if (cli_output_open("compare", path, &output) != 0) return CLI_EXIT_FAILURE;
    FILE *out = output.stream;
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<title>whygpu compare</title>\n<style>body{font-family:sans-serif;"
                 "max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{padding:"
                 ".2em .6em;border-bottom:1px solid #ddd;text-align:right}td:first-child{"
                 "text-align:left}.recorded{font-style:italic;color:#555}</style></head>"
                 "<body>\n<h1>whygpu compare</h1>\n");
    compare_print_html_section(out, result);
    fprintf(out, "</body></html>\n");
    return cli_output_close("compare", &output, ferror(out)) == 0 ? CLI_EXIT_OK
                                                                   : CLI_EXIT_FAILURE;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option options[] = {{"json", no_argument, NULL, 'j'},
                                            {"html", required_argument, NULL, 'H'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int json = 0;
    const char *html = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'H': html = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
        }
    }
    static cmp_result result;
    char error[1600];
    int rc = compare_load(&result, (const char *const *)argv + optind, argc - optind, error,
                          sizeof error);
    if (rc == 2) return cli_usage_error("compare", "%s", error);
    if (rc != 0) {
        fprintf(stderr, "whygpu compare: %s\n", error);
        return CLI_EXIT_FAILURE;
    }
    if (json) {
        char command[1024];
        cli_command_line(argc, argv, "compare", command, sizeof command);
        if (compare_print_json(stdout, &result, command) != 0) {
            fprintf(stderr, "whygpu compare: writing the JSON failed\n");
            return CLI_EXIT_FAILURE;
        }
    } else {
        compare_print_text(stdout, &result);
    }
    return html ? write_html(html, &result) : CLI_EXIT_OK;
}
