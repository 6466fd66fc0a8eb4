/*
 * cmd_explain.c - `whygpu explain`: measures the reasons GPUs win at matrix math (memory
 * bandwidth, parallelism, fast memory close to the cores) and lose on scalars (the round
 * trip to the device), then places the demo's operations on each device's roofline.
 * Each section is its own file (explain_*.c); this one parses options and runs them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"

typedef struct section {
    const char *name;
    wg_status (*run)(explain_ctx *x);
    const char *summary;
} section;

static const section sections[] = {
    {"bandwidth", explain_bandwidth, "STREAM on each device; host<->device copies"},
    {"parallelism", explain_parallelism, "thread scaling, SIMD width, GPU grid size"},
    {"caches", explain_caches, "working-set sweep: the cache plateaus; naive vs tiled matmul"},
    {"latency", explain_latency, "the scalar square; a GPU launch and round trip"},
    {"roofline", explain_roofline, "peak and bandwidth: where the demo's ops are bound"},
};
#define SECTION_COUNT ((int)(sizeof sections / sizeof sections[0]))

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu explain [--only LIST] [--quick] [--device DEV] [--json]\n"
            "                      [--reference NAME|DIR|none]\n"
            "                      [--no-progress]\n"
            "\n"
            "Measures, on this machine, the reasons GPUs win at matrix math and lose on\n"
            "scalars, and reads the numbers back in plain words. Sections:\n");
    for (int i = 0; i < SECTION_COUNT; i++)
        fprintf(out, "  %-12s %s\n", sections[i].name, sections[i].summary);
    fprintf(out,
            "\n"
            "options:\n"
            "  --only LIST     run only these sections (comma-separated, e.g. bandwidth,latency);\n"
            "                  the roofline uses figures of the others and measures what it lacks\n"
            "  --quick         fewer sizes and shorter runs (under a minute on 2 cores)\n"
            "  --device DEV    the GPU to measure: cuda, cuda:N, opencl, opencl:N (default\n"
            "                  cuda); cpu skips the GPU\n"
            "  --json          print the results as JSON (schema whygpu.explain/1, docs/json.md)\n"
            "  --reference R   a recorded GPU machine whose reading of each section's GPU half\n"
            "                  to show after this machine's, labelled (a name such as h100, a\n"
            "                  folder, or none; default h100 without a GPU, none with one)\n"
            "  --no-progress   no progress on stderr\n"
            "  -h, --help      this help\n"
            "\n"
            "Without a GPU the CPU half runs and each GPU part says why it is absent (exit 0).\n"
            "exit status: 0 measured, 1 a measurement failed or gave wrong results, 2 bad usage\n");
}

/* Parses "bandwidth,latency" into selected[]. */
static int parse_only(const char *text, int selected[SECTION_COUNT])
{
    char *copy = strdup(text);
    if (!copy) return cli_usage_error("explain", "out of memory");
    for (int i = 0; i < SECTION_COUNT; i++) selected[i] = 0;
    int rc = 0, any = 0;
    char *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < SECTION_COUNT; i++)
            if (strcmp(name, sections[i].name) == 0) selected[i] = found = any = 1;
        if (!found) {
            rc = cli_usage_error("explain",
                                 "--only: unknown section '%s' (sections: bandwidth, "
                                 "parallelism, caches, latency, roofline)", name);
            break;
        }
    }
    if (rc == 0 && !any) rc = cli_usage_error("explain", "--only: no section named in '%s'", text);
    free(copy);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    static const struct option longs[] = {
        {"only", required_argument, NULL, 'o'},   {"quick", no_argument, NULL, 'q'},
        {"device", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {"reference", required_argument, NULL, 'R'}, {NULL, 0, NULL, 0}};
    const char *reference = NULL;
    int selected[SECTION_COUNT];
    for (int i = 0; i < SECTION_COUNT; i++) selected[i] = 1;
    wg_device gpu = {WG_DEVICE_CUDA, 0};
    int want_gpu = 1, show_progress = 1, rc = 0;
    static explain_ctx x; /* large; one per process */
    memset(&x, 0, sizeof x);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            if ((rc = parse_only(optarg, selected)) != 0) return rc;
            break;
        case 'q': x.quick = 1; break;
        case 'd':
            if (wg_device_parse(optarg, &gpu) != WG_OK)
                return cli_usage_error("explain", "--device: %s", wg_error_message());
            want_gpu = gpu.kind != WG_DEVICE_CPU;
            break;
        case 'j': x.json = 1; break;
        case 'P': show_progress = 0; break;
        case 'R': reference = optarg; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case ':': return cli_usage_error("explain", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("explain", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("explain", "unexpected argument '%s'", argv[optind]);

    wg_status status = wg_machine_facts_get(want_gpu, gpu, &x.machine);
    if (status != WG_OK) return cli_failure("explain", status);
    x.gpu_index = gpu.index;
    x.gpu = gpu;
    char note[600], reference_error[1400];
    if (recorded_open(&x.ref, reference, x.machine.gpu_available, note, sizeof note,
                      reference_error, sizeof reference_error) != 0)
        return cli_usage_error("explain", "%s", reference_error);

    progress_begin(&x.progress, "explain", show_progress);
    if (x.json) {
        char command[1024];
        cli_command_line(argc, argv, "explain", command, sizeof command);
        wg_json_document_begin(&x.json_out, stdout, "whygpu.explain/1", command, &x.machine);
        wg_json_key(&x.json_out, "quick"); wg_json_bool(&x.json_out, x.quick);
        wg_json_key(&x.json_out, "sections");
        wg_json_begin_object(&x.json_out);
    } else {
        printf("whygpu explain: why GPUs win at matrix math, measured on this machine\n");
        printf("CPU: %s, %d threads, %s\n", x.machine.cpu.model[0] ? x.machine.cpu.model : "unknown",
               x.machine.cpu.omp_threads, wg_cpu_simd_level(&x.machine.cpu));
        if (x.machine.gpu_available)
        {
            char device[32];
            printf("GPU: %s (%s), %d %s\n", x.machine.gpu.name,
                   wg_device_format(gpu, device, sizeof device), x.machine.gpu.sm_count,
                   gpu.kind == WG_DEVICE_OPENCL ? "compute units" : "SMs");
        }
        else
            printf("GPU: none measured: %s\n", x.machine.gpu_reason);
    }
    status = WG_OK;
    for (int i = 0; i < SECTION_COUNT && status == WG_OK; i++) {
        if (!selected[i]) continue;
        fflush(stdout);
        status = sections[i].run(&x);
    }
    progress_end(&x.progress);
    recorded_close(&x.ref);
    if (x.json) {
        wg_json_end_object(&x.json_out);
        wg_json_end_object(&x.json_out);
        if (wg_json_finish(&x.json_out) != 0 && status == WG_OK) {
            fprintf(stderr, "whygpu explain: writing the JSON failed\n");
            return CLI_EXIT_FAILURE;
        }
    }
    if (status != WG_OK) {
        fflush(stdout);
        return cli_failure("explain", status);
    }
    if (x.failed) {
        fprintf(stderr, "whygpu explain: a measurement failed its validation (see above)\n");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
