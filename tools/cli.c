/*
 * cli.c - the helpers every subcommand shares: one-line errors with the right exit code,
 * and strict parsing of numbers (a typo is an error, never a silent 0).
 */
#include "cli.h"

#include <errno.h>
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
