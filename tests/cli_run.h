/*
 * cli_run.h - running the whygpu executable under test as a user would, with stdout and
 * stderr captured and, when asked, variables added to its environment (to point
 * WHYGPU_GNUPLOT at a missing program, say). For the sweep, plot and report tests.
 */
#ifndef WG_TEST_CLI_RUN_H
#define WG_TEST_CLI_RUN_H

typedef struct cli_run_result {
    int exit_code; /* -1 if it did not exit normally */
    char *out;     /* NUL-terminated; NULL if it could not be captured */
    char *err;
} cli_run_result;

/* Runs `whygpu args...` (NULL-terminated); extra_env (NULL-terminated "NAME=value"
 * entries, or NULL) is added to this process's environment for the child. */
cli_run_result cli_run(const char *const *args, const char *const *extra_env);
void cli_run_free(cli_run_result *r);

/* Lines in text (newlines counted). */
int cli_run_lines(const char *text);

/* Writes text to path; 0 on success. */
int cli_run_write_file(const char *path, const char *text);

#endif
