/*
 * plot_gnuplot.c - running gnuplot for `whygpu plot` and `whygpu report`: finding it, piping
 * a generated script to it (its complaints kept, the first shown on failure), the pieces
 * every chart's script starts with (terminal, title, quoted strings), and plot_document,
 * which picks the chart by the document's schema.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "plot_script.h"
#include "whygpu_lab.h"

/* The gnuplot to run: $WHYGPU_GNUPLOT (a path), else the first `gnuplot` on PATH. */
static int find_gnuplot(char *path, size_t size, char *why, size_t why_size)
{
    const char *forced = getenv("WHYGPU_GNUPLOT");
    if (forced && forced[0]) {
        if (access(forced, X_OK) == 0) {
            snprintf(path, size, "%s", forced);
            return 1;
        }
        snprintf(why, why_size, "gnuplot not found: WHYGPU_GNUPLOT='%s' is not an executable",
                 forced);
        return 0;
    }
    const char *search = getenv("PATH");
    if (!search || !search[0]) search = "/usr/local/bin:/usr/bin:/bin";
    while (*search) {
        const char *end = strchr(search, ':');
        size_t length = end ? (size_t)(end - search) : strlen(search);
        if (length > 0 && length + 9 < size) {
            snprintf(path, size, "%.*s/gnuplot", (int)length, search);
            if (access(path, X_OK) == 0) return 1;
        }
        search += length + (end ? 1 : 0);
    }
    snprintf(why, why_size, "gnuplot not found on PATH: install it (Debian: apt-get install "
             "gnuplot-nox) or plot the JSON later on a machine that has it");
    return 0;
}

int plot_gnuplot_available(char *why, size_t size)
{
    char path[1024];
    return find_gnuplot(path, sizeof path, why, size);
}

#ifdef WG_HAVE_CJSON

/* Runs gnuplot on the script (stdin); gnuplot's stderr goes to a temporary file so that
 * neither side can block on a full pipe. 0, or -1 with msg set. */
static int run_gnuplot(const char *script, size_t length, char *msg, size_t size)
{
    char path[1024];
    if (!find_gnuplot(path, sizeof path, msg, size)) return -1;
    FILE *errors = tmpfile();
    int in[2];
    if (!errors || pipe(in) != 0) {
        snprintf(msg, size, "cannot start gnuplot: %s", strerror(errno));
        if (errors) fclose(errors);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, size, "cannot start gnuplot: fork: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        fclose(errors);
        return -1;
    }
    if (pid == 0) {
        /* stdout to /dev/null: when the output file cannot be opened gnuplot draws on
         * stdout, and the chart's last line ("</svg>") would pass for its message */
        int null_fd = open("/dev/null", O_WRONLY);
        dup2(in[0], 0);
        dup2(null_fd >= 0 ? null_fd : fileno(errors), 1);
        dup2(fileno(errors), 2);
        close(in[0]);
        close(in[1]);
        execl(path, "gnuplot", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN); /* gnuplot may quit early */
    size_t written = 0;
    while (written < length) {
        ssize_t n = write(in[1], script + written, length - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += (size_t)n;
    }
    close(in[1]);
    signal(SIGPIPE, old_pipe);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && written == length;
    /* gnuplot's message is the last line it wrote (after an echo of the faulty line); a
     * line saying "error" is a failure even if gnuplot exited with 0. */
    char last[400] = "", line[400], cause[400] = "", system_error[400] = "";
    rewind(errors);
    while (fgets(line, sizeof line, errors)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0]) snprintf(last, sizeof last, "%s", line);
        if (strcasestr(line, "error")) ok = 0;
        /* "line 0: cannot open file; output not changed", then "system error: <reason>" */
        const char *open_failed = strstr(line, "cannot open file");
        if (open_failed && !cause[0]) snprintf(cause, sizeof cause, "%s", open_failed);
        if (strncmp(line, "system error: ", 14) == 0 && !system_error[0])
            snprintf(system_error, sizeof system_error, "%s", line + 14);
    }
    if (cause[0]) {
        ok = 0;
        snprintf(last, sizeof last, "%.200s%s%.150s", cause, system_error[0] ? ": " : "",
                 system_error);
    }
    fclose(errors);
    if (ok) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(msg, size, "could not run gnuplot (%s)", path);
    else
        snprintf(msg, size, "gnuplot failed: %s", last[0] ? last : "no message");
    return -1;
}

/* ---------------------------------------------------------------- the script ------ */

/* A gnuplot string in single quotes (no escapes inside; a quote is doubled). */
void gp_string(FILE *out, const char *text)
{
    fputc('\'', out);
    for (const char *c = text ? text : ""; *c; c++) {
        if (*c == '\'') fputc('\'', out);
        if (*c == '\n' || *c == '\r') {
            fputc(' ', out);
            continue;
        }
        fputc(*c, out);
    }
    fputc('\'', out);
}

static const char *extension(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

/* Where gnuplot really writes: the temporary file beside the chart (plot_document). */
static const char *gp_write_path;

/* The terminal and output: SVG or PNG, chosen by the chart's extension. */
void gp_terminal(FILE *out, const char *out_path, int width, int height)
{
    fprintf(out, "set encoding utf8\n");
    if (strcasecmp(extension(out_path), "png") == 0)
        fprintf(out, "set terminal pngcairo size %d,%d enhanced font 'DejaVu Sans,10' "
                     "background rgb 'white'\n", width, height);
    else
        fprintf(out, "set terminal svg size %d,%d dynamic enhanced font 'DejaVu Sans,12' "
                     "background rgb 'white'\n", width, height);
    fprintf(out, "set output ");
    gp_string(out, gp_write_path ? gp_write_path : out_path);
    fprintf(out, "\nset grid xtics ytics mxtics mytics lc rgb '#e4e4e4' lw 1, lc rgb '#f2f2f2' lw 1\n"
                 "set border 3 lc rgb '#555555'\nset tics nomirror\n"
                 "set key opaque box lc rgb '#cccccc'\n");
}

void gp_title(FILE *out, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fprintf(out, "set title ");
    gp_string(out, text);
    fprintf(out, " noenhanced font ',13'\n");
}

/* gnuplot does not always fail when its output cannot be written (a full disk): the
 * chart counts as drawn only when the file ends as a complete SVG or PNG. 0, or -1 with
 * msg set. */
static int chart_complete(const char *written, const char *out_path, char *msg, size_t size)
{
    FILE *in = fopen(written, "rb");
    long end = -1;
    char tail[64] = "";
    size_t got = 0;
    if (in && fseek(in, 0, SEEK_END) == 0 && (end = ftell(in)) > 0) {
        long from = end > (long)sizeof tail - 1 ? end - (long)sizeof tail + 1 : 0;
        if (fseek(in, from, SEEK_SET) == 0) got = fread(tail, 1, sizeof tail - 1, in);
    }
    int err = in ? 0 : errno;
    if (in) fclose(in);
    tail[got] = '\0';
    int complete;
    if (strcasecmp(extension(out_path), "png") == 0)
        complete = got >= 8 && memcmp(tail + got - 8, "IEND\xae\x42\x60\x82", 8) == 0;
    else
        complete = strstr(tail, "</svg>") != NULL;
    if (complete) return 0;
    /* gnuplot does not say why: a file system without free blocks is the likely one. */
    struct statvfs fs;
    if (!err && statvfs(written, &fs) == 0 && fs.f_bavail == 0) err = ENOSPC;
    if (end <= 0)
        snprintf(msg, size, "gnuplot wrote nothing to %s (%s); the old file, if any, is kept",
                 out_path, err ? strerror(err) : "reason unknown");
    else
        snprintf(msg, size, "gnuplot wrote an incomplete chart to %s (%s); the old file, if "
                 "any, is kept", out_path, err ? strerror(err) : "reason unknown");
    return -1;
}

/* ---------------------------------------------------------------- dispatch -------- */

typedef struct chart_kind {
    const char *schema;
    int (*draw)(jr *r, const cJSON *root, const char *out_path, FILE *out);
} chart_kind;

static const chart_kind kinds[] = {
    {"whygpu.sweep/1", plot_sweep},
    {"whygpu.explain/1", plot_roofline},
    {"whygpu.ladder/1", plot_ladder},
    {"whygpu.train/1", plot_train}, /* before the shared machine block; epochs the same */
    {"whygpu.train/2", plot_train},
};

int plot_document(const cJSON *root, const char *source, const char *out_path, char *msg,
                  size_t size)
{
    jr r = {""};
    const char *schema = jr_string(&r, root, "", "schema", JR_STRING);
    if (!schema) {
        snprintf(msg, size, "%s: %s (not a whygpu JSON document?)", source, r.error);
        return CLI_EXIT_FAILURE;
    }
    const chart_kind *kind = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(schema, kinds[i].schema) == 0) kind = &kinds[i];
    if (!kind) {
        snprintf(msg, size, "%s: schema '%.100s' has no chart (plot draws whygpu.sweep/1, "
                 "whygpu.explain/1, whygpu.ladder/1 and whygpu.train/1 or /2)", source, schema);
        return CLI_EXIT_FAILURE;
    }
    /* The chart goes to a temporary file beside out_path, renamed over it only once drawn
     * and complete: a failed or interrupted run keeps an old chart of that name. */
    wg_output_file *target = NULL;
    if (wg_output_open(out_path, &target) != WG_OK) {
        snprintf(msg, size, "%s", wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    char *script = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&script, &length);
    if (!out) {
        wg_output_abort(target);
        snprintf(msg, size, "out of memory writing the gnuplot script");
        return CLI_EXIT_FAILURE;
    }
    gp_write_path = wg_output_temp_path(target);
    int rc = kind->draw(&r, root, out_path, out);
    gp_write_path = NULL;
    fprintf(out, "set output\n");
    if (fclose(out) != 0 && rc == 0) {
        snprintf(msg, size, "out of memory writing the gnuplot script");
        rc = -1;
    } else if (rc != 0) {
        snprintf(msg, size, "%s: %s", source, r.error);
    } else if (getenv("WHYGPU_PLOT_SCRIPT")) {
        /* For debugging a chart: the script is written where asked (a temporary file renamed
         * over it, like every output), then run as usual. */
        const char *copy_path = getenv("WHYGPU_PLOT_SCRIPT");
        wg_output_file *copy = NULL;
        if (wg_output_open(copy_path, &copy) != WG_OK) {
            snprintf(msg, size, "WHYGPU_PLOT_SCRIPT: %s", wg_error_message());
            rc = -1;
        } else if (fwrite(script, 1, length, wg_output_stream(copy)) != length) {
            wg_output_abort(copy);
            snprintf(msg, size, "WHYGPU_PLOT_SCRIPT: cannot write %s", copy_path);
            rc = -1;
        } else if (wg_output_commit(copy) != WG_OK) {
            snprintf(msg, size, "WHYGPU_PLOT_SCRIPT: %s", wg_error_message());
            rc = -1;
        }
    }
    if (rc == 0) rc = run_gnuplot(script, length, msg, size);
    free(script);
    if (rc == 0) rc = chart_complete(wg_output_temp_path(target), out_path, msg, size);
    if (rc != 0) {
        wg_output_abort(target); /* nothing drawn: an old chart of that name stays */
        return CLI_EXIT_FAILURE;
    }
    if (wg_output_commit(target) != WG_OK) {
        snprintf(msg, size, "%s", wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
#endif /* WG_HAVE_CJSON */
