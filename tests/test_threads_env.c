/*
 * test_threads_env.c - WHYGPU_NUM_THREADS (#21 item 15): a value that is not a thread
 * count is refused with a message (it was silently ignored), the count reported in the
 * machine description is the one the kernels use (it said OpenMP's default), and output
 * lost to a closed stdout fails the command (#13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "cli_run.h"

TEST(num_threads_env_rejects_bad_values)
{
    const char *saved = getenv("WHYGPU_NUM_THREADS");
    char *copy = saved ? strdup(saved) : NULL;
    const char *bad[] = {"abc", "0", "-1", "", "2x", "99999", " "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("WHYGPU_NUM_THREADS", bad[i], 1);
        CHECK_STATUS(wg_cpu_threads_check(), WG_ERR_ARGUMENT);
        CHECK_MSG(strstr(wg_error_message(), "WHYGPU_NUM_THREADS") != NULL, "value '%s': %s",
                  bad[i], wg_error_message());
    }
    const char *good[] = {"1", "3", "4096"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        setenv("WHYGPU_NUM_THREADS", good[i], 1);
        CHECK_MSG(wg_cpu_threads_check() == WG_OK, "'%s' refused: %s", good[i],
                  wg_error_message());
    }
    unsetenv("WHYGPU_NUM_THREADS");
    CHECK(wg_cpu_threads_check() == WG_OK);
    if (copy) setenv("WHYGPU_NUM_THREADS", copy, 1);
    free(copy);
}

TEST(cpu_info_reports_the_threads_in_use)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(info.omp_threads == wg_cpu_threads());
    wg_set_cpu_threads(1);
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(info.omp_threads == 1);
    wg_set_cpu_threads(0);
}

TEST(cli_num_threads_env)
{
    const char *args[] = {"info", "--json", NULL};
    const char *one[] = {"WHYGPU_NUM_THREADS=1", NULL};
    cli_run_result r = cli_run(args, one);
    REQUIRE(r.out != NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err ? r.err : "");
    CHECK_MSG(strstr(r.out, "\"omp_threads\": 1,") != NULL ||
              strstr(r.out, "\"omp_threads\":1,") != NULL ||
              strstr(r.out, "\"threads\": 1,") != NULL, "%s", r.out);
    cli_run_free(&r);
    const char *bad[] = {"WHYGPU_NUM_THREADS=abc", NULL};
    r = cli_run(args, bad);
    CHECK(r.exit_code == 2);
    CHECK(r.err && strstr(r.err, "WHYGPU_NUM_THREADS='abc'") != NULL);
    CHECK(r.err && cli_run_lines(r.err) == 1);
    CHECK(r.out && r.out[0] == '\0');
    cli_run_free(&r);
}

TEST(cli_closed_stdout_is_a_failure)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --help >/dev/null && '%s' matmul --help >&- 2>/dev/null",
             check_whygpu_path, check_whygpu_path);
    int status = system(cmd);
    REQUIRE(status != -1 && WIFEXITED(status));
    CHECK_MSG(WEXITSTATUS(status) == 1, "exit %d with stdout closed", WEXITSTATUS(status));
    snprintf(cmd, sizeof cmd, "'%s' matmul --help >/dev/full 2>/dev/null", check_whygpu_path);
    status = system(cmd);
    REQUIRE(status != -1 && WIFEXITED(status));
    CHECK_MSG(WEXITSTATUS(status) == 1, "exit %d with stdout on a full disk",
              WEXITSTATUS(status));
}
