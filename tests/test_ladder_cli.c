/*
 * test_ladder_cli.c - `whygpu ladder`, `whygpu matmul` and `whygpu kernels` as a user runs
 * them: help, bad usage (exit 2), a missing GPU (one line, exit 1), a checked CPU product,
 * and the kernel registry listed.
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
                            {"matmul", "--kernel", "12", NULL}, {"matmul", "--size", "x", NULL}};
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

/* `whygpu kernels` lists every registered kernel of each device with its precision and
 * whether it runs here; unavailable ones say why. The JSON has the same content. */
TEST(cli_kernels_lists_the_registry)
{
    const char *args[] = {"kernels", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err ? r.err : "");
    for (wg_device_kind kind = WG_DEVICE_CPU; kind <= WG_DEVICE_OPENCL; kind++)
        for (int i = 0; i < wg_kernel_count(kind); i++) {
            const wg_kernel *k = wg_kernel_at(kind, i);
            CHECK_MSG(r.out && strstr(r.out, k->name) && strstr(r.out, k->summary),
                      "kernel %s missing from the list", k->name);
        }
    CHECK(r.out && strstr(r.out, "cpu kernels (auto: packed-") && strstr(r.out, "triple-loop"));
    if (!has_gpu()) CHECK(r.out && strstr(r.out, "cuda:0") && strstr(r.out, "here: "));
    cli_run_free(&r);

    const char *cpu_json[] = {"kernels", "--device", "cpu", "--json", NULL};
    r = cli_run(cpu_json, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "\"schema\": \"whygpu.kernels/1\""));
    CHECK(r.out && strstr(r.out, "\"name\": \"triple-loop\"") && !strstr(r.out, "cublas"));
    CHECK(r.out && strstr(r.out, "\"available\": true"));
    cli_run_free(&r);

    const char *list[] = {"ladder", "--list", NULL};
    r = cli_run(list, NULL);
    CHECK(r.exit_code == 0 && r.out && strstr(r.out, "wmma-bf16") && strstr(r.out, "cublas-tf32"));
    CHECK(r.out && !strstr(r.out, "packed-"));
    cli_run_free(&r);

    const char *bad[][4] = {{"kernels", "--device", "tpu", NULL}, {"kernels", "extra", NULL, NULL},
                            {"ladder", "--kernel", "packed-avx2", NULL},
                            {"ladder", "--kernel", "fastest", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = cli_run(bad[i], NULL);
        CHECK_MSG(r.exit_code == 2, "whygpu %s %s %s: exit %d, expected 2", bad[i][0], bad[i][1],
                  bad[i][2] ? bad[i][2] : "", r.exit_code);
        CHECK(r.err && cli_run_lines(r.err) == 1);
        cli_run_free(&r);
    }
    if (!has_gpu()) { /* a registered CUDA kernel by name: fine usage, no GPU here */
        const char *one[] = {"ladder", "--kernel", "wmma-bf16", "--size", "64", NULL};
        r = cli_run(one, NULL);
        CHECK(r.exit_code == 1 && r.err && cli_run_lines(r.err) == 1);
        cli_run_free(&r);
    }
}
