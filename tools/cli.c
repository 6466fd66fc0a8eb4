/*
 * cli.c - the helpers every subcommand shares: one-line errors with the right exit code,
 * and strict parsing of numbers (a typo is an error, never a silent 0).
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "whygpu_lab.h"

int cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;
    fprintf(stderr, "whygpu %s: ", command);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, " (see 'whygpu %s --help')\n", command);
    return CLI_EXIT_USAGE;
}

int cli_failure(const char *command, wg_status status)
{
    const char *message = wg_error_message();
    fprintf(stderr, "whygpu %s: %s\n", command, message[0] ? message : wg_status_name(status));
    return CLI_EXIT_FAILURE;
}

int cli_parse_int(const char *command, const char *option, const char *text, int64_t min,
                  int64_t max, int64_t *out)
{
    if (!text || !*text)
        return cli_usage_error(command, "%s expects a whole number, got ''", option);
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    int digits = 0, exponent = 0, other = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if ((*p == 'e' || *p == 'E') && digits && !exponent)
            exponent = 1;
        else if (*p == '.' || (*p == '+' && exponent))
            continue;
        else
            other = 1;
    }
    if (!digits || other)
        return cli_usage_error(command, "%s expects a whole number, got '%s'", option, text);
    errno = 0;
    char *end = NULL;
    double value = strtod(text, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(value) || value != floor(value))
        return cli_usage_error(command, "%s expects a whole number, got '%s'", option, text);
    if (value < (double)min)
        return cli_usage_error(command, "%s must be at least %lld, got '%s'", option,
                               (long long)min, text);
    if (value > (double)max || value >= 9.2e18)
        return cli_usage_error(command, "%s must be at most %lld, got '%s'", option,
                               (long long)max, text);
    /* Exact digits for plain integers (doubles round above 2^53). */
    if (!strpbrk(text, "eE.")) {
        errno = 0;
        long long exact = strtoll(text, &end, 10);
        if (errno == ERANGE || *end != '\0' || exact < min || exact > max)
            return cli_usage_error(command, "%s is out of range %lld..%lld, got '%s'", option,
                                   (long long)min, (long long)max, text);
        *out = exact;
        return 0;
    }
    *out = (int64_t)value;
    return 0;
}

size_t cli_decimal_prefix(const char *text)
{
    if (!text) return 0;
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return 0;
    if ((*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (*q == '+' || *q == '-') q++;
        if (*q >= '0' && *q <= '9') {
            while (*q >= '0' && *q <= '9') q++;
            p = q;
        }
    }
    /* "0x1p3": strtod would read hex; refused like the integer options do */
    if (*p == 'x' || *p == 'X') return 0;
    return (size_t)(p - text);
}

int cli_parse_double(const char *command, const char *option, const char *text, double min,
                     double max, double *out)
{
    const size_t length = cli_decimal_prefix(text);
    char *end = NULL;
    double value = length ? strtod(text, &end) : NAN;
    if (!length || text[length] != '\0' || end != text + length || !isfinite(value))
        return cli_usage_error(command, "%s expects a decimal number, got '%s'", option,
                               text ? text : "");
    if (value < min || value > max)
        return cli_usage_error(command, "%s must be in [%g, %g], got '%s'", option, min, max, text);
    *out = value;
    return 0;
}

/* "45 s", "12 min", "3.2 h": a long duration as a person says it. */
static void format_duration(double seconds, char *buf, size_t size)
{
    if (seconds < 120) snprintf(buf, size, "%.0f s", seconds);
    else if (seconds < 7200) snprintf(buf, size, "%.0f min", seconds / 60);
    else snprintf(buf, size, "%.1f h", seconds / 3600);
}

void cli_warn_long_matmul(const char *command, wg_device device, const wg_kernel *kernel,
                          int64_t m, int64_t n, int64_t k, int repeat)
{
    const double flops = 2.0 * (double)m * (double)n * (double)k;
    if (flops < 1e11) return; /* well under a minute anywhere: no probe */
    /* The rate of a 512^3 product on the same device and kernel (a few milliseconds);
     * larger products run at least as fast, so the estimate errs long. */
    const int64_t p = 512;
    const wg_op op = {.kind = WG_OP_MATMUL, .m = p, .n = p, .k = p, .seed = 1,
                      .check_samples = 16};
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = 3;
    t.min_repeat_s = 0.01;
    const wg_op_run run = {.device = device, .kernel = kernel, .timing = &t};
    wg_op_inputs inputs;
    wg_op_result r;
    wg_status status = wg_op_inputs_create(&op, &inputs);
    if (status == WG_OK) {
        status = wg_op_measure(&inputs, &run, &r);
        wg_op_inputs_free(&inputs);
    }
    if (status != WG_OK || !(r.time.median_s > 0)) {
        /* no warning: the run itself reports what is wrong */
        return;
    }
    const double rate = 2.0 * (double)(p * p * p) / r.time.median_s;
    const double call_s = flops / rate;
    /* timeit: a warm-up, then the repeats (3 for calls of seconds, unless --repeat) */
    const int calls = repeat > 0 ? repeat + 1 : call_s >= 1.0 ? 4 : 8;
    const double total_s = call_s * calls;
    if (total_s < 60.0) return;
    char total[32], call[32], name[32];
    format_duration(total_s, total, sizeof total);
    format_duration(call_s, call, sizeof call);
    wg_device_format(device, name, sizeof name);
    fprintf(stderr, "whygpu %s: this will take about %s: %d calls of about %s (%.3g flops "
            "each at the %.0f GFLOP/s measured at n = %" PRId64 " on %s); Ctrl-C stops it\n",
            command, total, calls, call, flops, rate / 1e9, p, name);
}

int cli_is_tty(int fd) { return isatty(fd); }

void cli_utc_date(char *buf, size_t size)
{
    wg_utc_date(buf, size);
}

void cli_command_line(int argc, char **argv, const char *name, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "whygpu %s", name);
    for (int i = 1; i < argc && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, " %s", argv[i]);
}

int cli_output_check(const char *command, const char *option, const char *path, int stdout_ok)
{
    if (!path) return 0;
    if (!path[0]) return cli_usage_error(command, "%s needs a file name, got ''", option);
    if (stdout_ok && strcmp(path, "-") == 0) return 0;
    if (wg_output_path_check(path) != WG_OK) {
        fprintf(stderr, "whygpu %s: %s: %s\n", command, option, wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

int cli_output_open(const char *command, const char *path, cli_output *out)
{
    out->path = path;
    out->file = NULL;
    out->stream = NULL;
    if (strcmp(path, "-") == 0) {
        out->stream = stdout;
        return 0;
    }
    if (wg_output_open(path, &out->file) != WG_OK) {
        fprintf(stderr, "whygpu %s: %s\n", command, wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    out->stream = wg_output_stream(out->file);
    return 0;
}

int cli_output_close(const char *command, cli_output *out, int failed)
{
    wg_status status = WG_OK;
    if (!out->file) {
        if (!out->stream) return failed ? CLI_EXIT_FAILURE : 0;
        status = wg_stream_finish(out->stream, "standard output");
    } else if (failed && (fflush(out->stream) != 0 || ferror(out->stream))) {
        /* A write failed (a full disk): the commit sees the stream's error, removes the
         * temporary file, keeps the target and says why ("No space left on device"). */
        status = wg_output_commit(out->file);
    } else if (failed) {
        wg_output_abort(out->file);
        fprintf(stderr, "whygpu %s: %s was not written (the old file, if any, is kept)\n",
                command, out->path);
    } else {
        status = wg_output_commit(out->file);
    }
    out->file = NULL;
    out->stream = NULL;
    if (status != WG_OK) {
        fprintf(stderr, "whygpu %s: %s\n", command, wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    return failed ? CLI_EXIT_FAILURE : 0;
}
