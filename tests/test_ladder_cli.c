/*
 * test_ladder_cli.c - `whygpu ladder` and `whygpu matmul` as a user runs them: help, bad
 * usage (exit 2), a missing GPU (one line, exit 1), and a checked CPU product.
 */
#include <string.h>

#include "check.h"
#include "cli_run.h"

static int has_gpu(void)
{
    int count = 0;
    return wg_gpu_count(&count) == WG_OK && count > 0;
}

TEST(cli_ladder_usage)
{
    const char *help[] = {"ladder", "--help", NULL};
    cli_run_result r = cli_run(help, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "--max-call-seconds"));
    cli_run_free(&r);
    const char *bad[][4] = {{"ladder", "--size", "0", NULL},   {"ladder", "--device", "cpu", NULL},
                            {"ladder", "--bogus", NULL, NULL}, {"ladder", "extra", NULL, NULL},
                            {"ladder", "--max-call-seconds", "-1", NULL},
                            {"matmul", "--kernel", "9", NULL}, {"matmul", "--size", "x", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = cli_run(bad[i], NULL);
        CHECK_MSG(r.exit_code == 2, "whygpu %s %s: exit %d, expected 2", bad[i][0], bad[i][1],
                  r.exit_code);
        CHECK(r.err && cli_run_lines(r.err) == 1);
        cli_run_free(&r);
    }
    /* a ladder rung on the CPU is bad usage */
    const char *rung_on_cpu[] = {"matmul", "--device", "cpu", "--kernel", "5", NULL};
    r = cli_run(rung_on_cpu, NULL);
    CHECK(r.exit_code == 2 && r.err && strstr(r.err, "CUDA"));
    cli_run_free(&r);
}

TEST(cli_ladder_without_gpu)
{
    if (has_gpu()) SKIP("a GPU is present: the no-GPU message cannot be seen here");
    const char *ladder[] = {"ladder", "--size", "64", NULL};
    cli_run_result r = cli_run(ladder, NULL);
    CHECK_MSG(r.exit_code == 1, "exit %d, expected 1", r.exit_code);
    CHECK(r.err && cli_run_lines(r.err) == 1 && strstr(r.err, "whygpu ladder: "));
    CHECK(r.out && r.out[0] == '\0');
    cli_run_free(&r);
    const char *matmul[] = {"matmul", "--device", "cuda", "--kernel", "7", NULL};
    r = cli_run(matmul, NULL);
    CHECK(r.exit_code == 1 && r.err && cli_run_lines(r.err) == 1);
    cli_run_free(&r);
}

TEST(cli_matmul_on_cpu)
{
    const char *args[] = {"matmul", "--device", "cpu", "--m", "70", "--n", "33", "--k", "9",
                          "--trans-a", "--kernel", "tiled", "--repeat", "1", "--no-progress",
                          NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err ? r.err : "");
    CHECK(r.out && strstr(r.out, "A^T . B") && strstr(r.out, "m=70 n=33 k=9"));
    CHECK(r.out && strstr(r.out, "every element") && strstr(r.out, ": ok"));
    cli_run_free(&r);
}
