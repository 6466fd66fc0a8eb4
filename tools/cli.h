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

/* The current UTC time as "2026-11-27T06:00:00Z" (JSON documents' "date"). */
void cli_utc_date(char *buf, size_t size);

/* "whygpu NAME ARG..." from a subcommand's argv (argv[0] is the subcommand), for the
 * "command" field of JSON documents; truncated to fit. */
void cli_command_line(int argc, char **argv, const char *name, char *buf, size_t size);

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
 * JSON; returns the exit status. */
int kernels_list(const wg_device *devices, int count, int json);

#endif /* WG_CLI_H */
