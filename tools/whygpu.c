/*
 * whygpu.c - the command line: one subcommand per experiment.
 *
 *   whygpu info     what this machine has (CPU features and caches, GPUs)
 *   whygpu demo     the classic "why GPUs" demo, measured here
 *   whygpu explain  the reasons behind it, measured: bandwidth, parallelism, caches,
 *                   latency, and the roofline
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", cmd_info, "what this machine has: CPU model, cores, SIMD, caches; each GPU"},
    {"demo", cmd_demo, "the classic demo: a 1x1 square and an NxN matmul on CPU and GPU"},
    {"explain", cmd_explain, "measure the reasons: bandwidth, parallelism, caches, latency, roofline"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu [--version] [--help] COMMAND [OPTIONS]\n"
            "\n"
            "Shows, by measurement on this machine, why neural networks run on GPUs.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'whygpu COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("whygpu %s (%s)\n", WG_VERSION,
               wg_built_with_cuda() ? "with CUDA" : "CPU only, built without CUDA");
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "whygpu: unknown command '%s' (see 'whygpu --help')\n", name);
    return CLI_EXIT_USAGE;
}
