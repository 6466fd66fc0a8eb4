/*
 * cli.h - what every whygpu subcommand shares: exit codes, one-line errors, and the
 * parsing of numbers given on the command line.
 *
 * Exit codes: 0 success, 1 failure (the work could not be done), 2 bad usage.
 * Errors are one line on stderr: "whygpu CMD: what was wrong (with the value)".
 */
#ifndef WG_CLI_H
#define WG_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "whygpu.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

/* Prints "whygpu CMD: <message>" and a hint to use --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "whygpu CMD: <wg_error_message()>"; returns CLI_EXIT_FAILURE. */
int cli_failure(const char *command, wg_status status);

/* Parses a whole number in [min, max]: decimal, or a power-of-ten form such as 1e4 whose
 * value is whole. On error prints a usage error naming the option and the text, and
 * returns CLI_EXIT_USAGE; 0 on success. */
int cli_parse_int(const char *command, const char *option, const char *text, int64_t min,
                  int64_t max, int64_t *out);

/* The length of the decimal number at the start of text ("12", "-1.5e3"; no leading
 * space, no hex, no inf/nan: the same strictness as cli_parse_int), 0 when there is none. */
size_t cli_decimal_prefix(const char *text);
/* Parses a finite decimal number in [min, max] (the whole text); on error a usage error
 * naming the option and the text, returning CLI_EXIT_USAGE; 0 on success. */
int cli_parse_double(const char *command, const char *option, const char *text, double min,
                     double max, double *out);

/* Before a matrix product of m x k by k x n on `device` (kernel NULL: auto) timed with
 * `repeat` repeats (0: timeit's choice): when the run will take a minute or more, says so
 * on stderr, with the estimate from a quick 512^3 probe of the same kernel. Products
 * under 1e11 flops are not probed. */
void cli_warn_long_matmul(const char *command, wg_device device, const wg_kernel *kernel,
                          int64_t m, int64_t n, int64_t k, int repeat);

/* The current UTC time as "2026-11-27T06:00:00Z" (JSON documents' "date"). */
void cli_utc_date(char *buf, size_t size);

/* "whygpu NAME ARG..." from a subcommand's argv (argv[0] is the subcommand), for the
 * "command" field of JSON documents; truncated to fit. */
void cli_command_line(int argc, char **argv, const char *name, char *buf, size_t size);

/* Output files (--json, --csv, --save, -o). Each is checked before the run and written to a
 * temporary file beside its target, renamed over it only when complete (wg_output_open),
 * so a failed or interrupted run leaves the old file as it was.
 *
 * cli_output_check: 0 when `path` can be written (NULL: no such output; "-" is standard
 * output when `stdout_ok`); an empty path is a usage error (CLI_EXIT_USAGE), a FIFO,
 * device, folder, symbolic link or missing folder a failure (CLI_EXIT_FAILURE), said in
 * one line naming `option`. */
int cli_output_check(const char *command, const char *option, const char *path, int stdout_ok);

typedef struct cli_output {
    const char *path;
    FILE *stream;          /* where to write: stdout for "-", else the temporary file */
    struct wg_output_file *file; /* NULL for stdout */
} cli_output;

/* Opens `path` ("-": standard output). 0, or CLI_EXIT_FAILURE with the reason said. */
int cli_output_open(const char *command, const char *path, cli_output *out);
/* Ends an output: with `failed` set (the writer failed) the temporary file is removed and
 * the target kept; else it is flushed and renamed over the target. 0, or CLI_EXIT_FAILURE
 * with the reason (e.g. "No space left on device") said in one line. */
int cli_output_close(const char *command, cli_output *out, int failed);

/* 1 if the stream is a terminal (progress is drawn in place there, else printed as lines). */
int cli_is_tty(int fd);

/* The subcommands. Each parses its own options (getopt_long) and has --help. */
int cmd_info(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ladder(int argc, char **argv);
int cmd_matmul(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
/* Lists the kernels of `count` devices (cmd_kernels.c; also `ladder --list`), as text or
 * JSON (its "command" field: command, may be NULL); returns the exit status. */
int kernels_list(const wg_device *devices, int count, int json, const char *command);
int cmd_compare(int argc, char **argv);

#endif /* WG_CLI_H */
