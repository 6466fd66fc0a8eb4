/*
 * cli_run.c - see cli_run.h.
 */
#include "cli_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static char *read_all(int fd)
{
    size_t size = 0, capacity = 4096;
    char *buf = malloc(capacity);
    if (!buf) return NULL;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (size + 1 >= capacity) {
            char *bigger = realloc(buf, capacity * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            capacity *= 2;
        }
        ssize_t got = read(fd, buf + size, capacity - size - 1);
        if (got <= 0) break;
        size += (size_t)got;
    }
    buf[size] = '\0';
    return buf;
}

cli_run_result cli_run(const char *const *args, const char *const *extra_env)
{
    cli_run_result r = {-1, NULL, NULL};
    char out_path[] = "/tmp/whygpu-test-out-XXXXXX", err_path[] = "/tmp/whygpu-test-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    if (out_fd < 0 || err_fd < 0) {
        if (out_fd >= 0) close(out_fd);
        if (err_fd >= 0) close(err_fd);
        return r;
    }
    unlink(out_path);
    unlink(err_path);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)check_whygpu_path;
    for (int i = 0; args[i] && argc < 31; i++) argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    /* The environment: extra entries first (getenv takes the first match), then ours. */
    int env_count = 0, extra_count = 0;
    while (environ[env_count]) env_count++;
    while (extra_env && extra_env[extra_count]) extra_count++;
    char **env = calloc((size_t)(env_count + extra_count + 1), sizeof *env);
    if (!env) {
        close(out_fd);
        close(err_fd);
        return r;
    }
    for (int i = 0; i < extra_count; i++) env[i] = (char *)extra_env[i];
    for (int i = 0; i < env_count; i++) env[extra_count + i] = environ[i];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    pid_t pid;
    fflush(stdout);
    if (posix_spawn(&pid, check_whygpu_path, &actions, NULL, argv, env) == 0) {
        int status = 0;
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    }
    posix_spawn_file_actions_destroy(&actions);
    free(env);
    r.out = read_all(out_fd);
    r.err = read_all(err_fd);
    close(out_fd);
    close(err_fd);
    return r;
}

void cli_run_free(cli_run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int cli_run_lines(const char *text)
{
    int lines = 0;
    for (; text && *text; text++) lines += *text == '\n';
    return lines;
}

int cli_run_write_file(const char *path, const char *text)
{
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    size_t length = strlen(text);
    int rc = fwrite(text, 1, length, out) == length ? 0 : -1;
    if (fclose(out) != 0) rc = -1;
    return rc;
}
