/*
 * whygpu.c - the command line: one subcommand per experiment.
 *
 *   whygpu info     what this machine has (CPU features and caches, GPUs)
 *   whygpu demo     the classic "why GPUs" demo, measured here
 *   whygpu explain  the reasons behind it, measured: bandwidth, parallelism, caches,
 *                   latency, and the roofline
 *   whygpu bench    benchmarks against references: the CPU GEMM vs FMA peak and OpenBLAS
 *   whygpu sweep    one op over log-spaced sizes: where the GPU starts to win
 *   whygpu ladder   the GPU matmul ladder: eight kernels from naive to tensor cores, vs cuBLAS
 *   whygpu matmul   one matrix product, one kernel, checked and timed
 *   whygpu kernels  the matrix-product kernels of each device, and which can run here
 *   whygpu train    an MLP trained on Fashion-MNIST, on the CPU or the GPU (--compare: both)
 *   whygpu predict  classify one test image with a saved model
 *   whygpu plot     a chart (SVG/PNG, by gnuplot) of a saved JSON result
 *   whygpu report   demo, explain and sweep in one self-contained HTML page
 *   whygpu compare  saved runs side by side (files, folders, recorded reference machines)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "whygpu_lab.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", cmd_info, "what this machine has: CPU model, cores, SIMD, caches; each GPU"},
    {"demo", cmd_demo, "the classic demo: a 1x1 square and an NxN matmul on CPU and GPU"},
    {"explain", cmd_explain, "measure the reasons: bandwidth, parallelism, caches, latency, roofline"},
    {"bench", cmd_bench, "the CPU GEMM against the measured FMA peak and OpenBLAS (bench gemm)"},
    {"sweep", cmd_sweep, "where the GPU starts to win: one op timed over sizes, crossovers"},
    {"ladder", cmd_ladder, "the GPU matmul ladder: 8 kernels, naive to tensor cores, vs cuBLAS"},
    {"matmul", cmd_matmul, "time one matrix product with one kernel (library or ladder rung)"},
    {"kernels", cmd_kernels, "the matrix-product kernels of each device, and which run here"},
    {"train", cmd_train, "train an MLP on Fashion-MNIST on the CPU or GPU; --compare for both"},
    {"predict", cmd_predict, "classify one Fashion-MNIST test image with a saved model"},
    {"plot", cmd_plot, "draw a chart of a saved result (sweep, roofline, ladder, training)"},
    {"report", cmd_report, "one self-contained HTML page: demo, reasons, charts, machine"},
    {"compare", cmd_compare, "saved runs side by side, e.g. your demo.json against h100"},
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

/* A closed standard stream (`whygpu ... >&-`) gets a placeholder that refuses writes
 * (/dev/null opened read-only: a write fails with EBADF), so that no file opened later
 * can take its number and receive text meant for the terminal; a lost write is then
 * reported at the end. */
static void guard_standard_streams(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1) continue;
        int placeholder = open("/dev/null", O_RDONLY);
        if (placeholder >= 0 && placeholder != fd) {
            dup2(placeholder, fd);
            close(placeholder);
        }
    }
}

int main(int argc, char **argv)
{
    guard_standard_streams();
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
        const int cuda = wg_built_with_cuda(), opencl = wg_built_with_opencl();
        printf("whygpu %s (%s%s; commit %s)\n", WG_VERSION,
               cuda ? "with CUDA" : opencl ? "built without CUDA" : "CPU only, built without CUDA",
               opencl ? "; with OpenCL" : "", wg_build_commit());
        return CLI_EXIT_OK;
    }
    if (wg_cpu_threads_check() != WG_OK) { /* a bad WHYGPU_NUM_THREADS is a usage error */
        fprintf(stderr, "whygpu: %s\n", wg_error_message());
        return CLI_EXIT_USAGE;
    }
    (void)wg_cleanup_install_handlers(); /* temporary files go on SIGINT/SIGTERM */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) != 0) continue;
        int rc = commands[i].run(argc - 1, argv + 1);
        /* Output lost to a closed stdout or a full disk is a failure, not rc 0. */
        if (wg_stream_finish(stdout, "standard output") != WG_OK) {
            fprintf(stderr, "whygpu %s: %s\n", name, wg_error_message());
            if (rc == CLI_EXIT_OK) rc = CLI_EXIT_FAILURE;
        }
        return rc;
    }
    fprintf(stderr, "whygpu: unknown command '%s' (see 'whygpu --help')\n", name);
    return CLI_EXIT_USAGE;
}
