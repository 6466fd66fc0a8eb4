/*
 * cmd_kernels.c - `whygpu kernels`: every matrix-product kernel of each device's registry
 * (name, precision, what it changes and why it is faster) and whether it can run here, or
 * why not. `whygpu ladder --list` prints the CUDA part the same way.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "whygpu_lab.h"
#include "cli.h"

/* Availability of every kernel of one device kind: a status and its message each. */
typedef struct kernel_row {
    const wg_kernel *kernel;
    wg_status status;
    char why_not[512];
} kernel_row;

#define MAX_KERNELS 64

typedef struct device_kernels {
    wg_device device;
    char auto_name[64]; /* what "auto" stands for here ("" with the reason in auto_why) */
    char auto_why[512];
    int count;
    kernel_row rows[MAX_KERNELS];
} device_kernels;

static void collect(wg_device device, device_kernels *out)
{
    memset(out, 0, sizeof *out);
    out->device = device;
    const wg_kernel *auto_kernel = NULL;
    if (wg_kernel_find(device.kind, "auto", &auto_kernel) == WG_OK)
        snprintf(out->auto_name, sizeof out->auto_name, "%s", auto_kernel->name);
    else
        snprintf(out->auto_why, sizeof out->auto_why, "%s", wg_error_message());
    const int count = wg_kernel_count(device.kind);
    for (int i = 0; i < count && i < MAX_KERNELS; i++) {
        kernel_row *row = &out->rows[out->count++];
        row->kernel = wg_kernel_at(device.kind, i);
        row->status = wg_kernel_available(row->kernel, device.index);
        if (row->status != WG_OK) snprintf(row->why_not, sizeof row->why_not, "%s", wg_error_message());
    }
}

/* The table of one device, then the reasons the unavailable kernels cannot run, kernels
 * with the same reason named together. */
static void print_text(const device_kernels *d)
{
    char device[32];
    wg_device_format(d->device, device, sizeof device);
    printf("%s kernels (auto: %s)\n", device, d->auto_name[0] ? d->auto_name : d->auto_why);
    int width = 4; /* the name column: as wide as the longest name */
    for (int i = 0; i < d->count; i++) {
        const int len = (int)strlen(d->rows[i].kernel->name);
        if (len > width) width = len;
    }
    printf("  %-*s %-4s %-4s %-5s %s\n", width, "name", "rung", "prec", "here", "what it changes");
    for (int i = 0; i < d->count; i++) {
        const wg_kernel *k = d->rows[i].kernel;
        char rung[8] = "-";
        if (k->rung) snprintf(rung, sizeof rung, "%d", k->rung);
        printf("  %-*s %-4s %-4s %-5s %s\n", width, k->name, rung,
               wg_precision_name(k->precision), d->rows[i].status == WG_OK ? "yes" : "no",
               k->summary);
    }
    int same = d->count > 0;
    for (int i = 0; i < d->count; i++)
        same &= d->rows[i].status != WG_OK && strcmp(d->rows[i].why_not, d->rows[0].why_not) == 0;
    if (same) {
        printf("  none can run here: %s\n", d->rows[0].why_not);
        return;
    }
    for (int i = 0; i < d->count; i++) {
        if (d->rows[i].status == WG_OK) continue;
        int first = 1;
        for (int j = 0; j < i; j++)
            first &= d->rows[j].status == WG_OK || strcmp(d->rows[j].why_not, d->rows[i].why_not) != 0;
        if (!first) continue;
        printf("  not here:");
        for (int j = i; j < d->count; j++)
            if (d->rows[j].status != WG_OK && strcmp(d->rows[j].why_not, d->rows[i].why_not) == 0)
                printf(" %s", d->rows[j].kernel->name);
        printf(": %s\n", d->rows[i].why_not);
    }
}

static void json_device(wg_json *j, const device_kernels *d)
{
    char device[32];
    wg_device_format(d->device, device, sizeof device);
    wg_json_begin_object(j);
    wg_json_key(j, "device"); wg_json_string(j, device);
    wg_json_key(j, "auto"); wg_json_string(j, d->auto_name[0] ? d->auto_name : NULL);
    wg_json_key(j, "kernels");
    wg_json_begin_array(j);
    for (int i = 0; i < d->count; i++) {
        const wg_kernel *k = d->rows[i].kernel;
        wg_json_begin_object(j);
        wg_json_key(j, "name"); wg_json_string(j, k->name);
        wg_json_key(j, "precision"); wg_json_string(j, wg_precision_name(k->precision));
        wg_json_key(j, "rung");
        if (k->rung) wg_json_int(j, k->rung); else wg_json_null(j);
        wg_json_key(j, "vendor"); wg_json_bool(j, k->vendor);
        wg_json_key(j, "summary"); wg_json_string(j, k->summary);
        wg_json_key(j, "available"); wg_json_bool(j, d->rows[i].status == WG_OK);
        wg_json_key(j, "why_not");
        wg_json_string(j, d->rows[i].status == WG_OK ? NULL : d->rows[i].why_not);
        wg_json_end_object(j);
    }
    wg_json_end_array(j);
    wg_json_end_object(j);
}

int kernels_list(const wg_device *devices, int count, int json, const char *command)
{
    static device_kernels lists[3];
    for (int i = 0; i < count && i < 3; i++) collect(devices[i], &lists[i]);
    if (!json) {
        for (int i = 0; i < count && i < 3; i++) {
            if (i) printf("\n");
            print_text(&lists[i]);
        }
        return CLI_EXIT_OK;
    }
    wg_json j;
    wg_machine_facts machine;
    const int have_machine = wg_machine_facts_get(1, (wg_device){WG_DEVICE_CUDA, 0}, &machine) == WG_OK;
    wg_json_document_begin(&j, stdout, "whygpu.kernels/1", command, have_machine ? &machine : NULL);
    wg_json_key(&j, "devices");
    wg_json_begin_array(&j);
    for (int i = 0; i < count && i < 3; i++) json_device(&j, &lists[i]);
    wg_json_end_array(&j);
    wg_json_end_object(&j);
    if (wg_json_finish(&j)) {
        fprintf(stderr, "whygpu kernels: writing the JSON failed\n");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu kernels [--device cpu|cuda|cuda:N|opencl|opencl:N] [--json]\n"
            "\n"
            "The matrix-product kernels each device offers (the names --kernel takes in demo,\n"
            "matmul, sweep and ladder): name, ladder rung, precision, whether it can run here\n"
            "and what it changes; then why the others cannot run here.\n"
            "\n"
            "options:\n"
            "  --device DEV   only this device's kernels (default: cpu, cuda:0 and opencl:0)\n"
            "  --json         print JSON (schema whygpu.kernels/1, docs/json.md)\n"
            "  -h, --help     this help\n");
}

int cmd_kernels(int argc, char **argv)
{
    static const struct option longs[] = {{"device", required_argument, NULL, 'd'},
                                          {"json", no_argument, NULL, 'j'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    wg_device devices[3] = {{WG_DEVICE_CPU, 0}, {WG_DEVICE_CUDA, 0}, {WG_DEVICE_OPENCL, 0}};
    int count = 3, json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (wg_device_parse(optarg, &devices[0]) != WG_OK)
                return cli_usage_error("kernels", "--device: %s", wg_error_message());
            count = 1;
            break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("kernels", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("kernels", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("kernels", "unexpected argument '%s'", argv[optind]);
    char command[1024];
    cli_command_line(argc, argv, "kernels", command, sizeof command);
    return kernels_list(devices, count, json, command);
}
