/*
 * test_memory_plan.c - the memory a run may use, read from made-up /proc/meminfo,
 * /proc/self/cgroup and cgroup files (v1 and v2, limits on a parent), and the plan check
 * that refuses a run up front with one line naming the need and the limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "cli_run.h"
#include "nn_files.h"
#include "whygpu_lab.h"

#define GIB (INT64_C(1) << 30)
#define MIB (INT64_C(1) << 20)

/* A scratch folder with meminfo saying `avail_kib`, and self_cgroup holding `cgroup`. */
typedef struct fake_proc {
    char dir[64], meminfo[128], self_cgroup[128], root[128];
    wg_memory_paths paths;
} fake_proc;

static int fake_make(fake_proc *f, long long avail_kib, const char *cgroup)
{
    if (nn_temp_dir(f->dir, sizeof f->dir) != 0) return -1;
    snprintf(f->meminfo, sizeof f->meminfo, "%s/meminfo", f->dir);
    snprintf(f->self_cgroup, sizeof f->self_cgroup, "%s/cgroup", f->dir);
    snprintf(f->root, sizeof f->root, "%s/sys", f->dir);
    char text[256];
    snprintf(text, sizeof text, "MemTotal:       32000000 kB\nMemFree:          100000 kB\n"
             "MemAvailable:   %lld kB\nBuffers:            1000 kB\n", avail_kib);
    if (cli_run_write_file(f->meminfo, text) != 0) return -1;
    if (cli_run_write_file(f->self_cgroup, cgroup) != 0) return -1;
    if (mkdir(f->root, 0700) != 0) return -1;
    f->paths = (wg_memory_paths){f->meminfo, f->self_cgroup, f->root};
    return 0;
}

/* Writes `text` to root/rel, making the folders on the way. */
static int fake_file(const fake_proc *f, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->root, rel);
    for (char *p = path + strlen(f->root) + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    return cli_run_write_file(path, text);
}

static void fake_remove(fake_proc *f)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (strncmp(f->dir, "/tmp/whygpu-test-", 17) == 0 && system(cmd) != 0) return;
}

TEST(memory_probe_meminfo_without_cgroup)
{
    fake_proc f;
    REQUIRE(fake_make(&f, 1000000, "0::/\n") == 0);
    int64_t bytes = 0;
    char why[64];
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK(bytes == INT64_C(1000000) * 1024);
    CHECK(strcmp(why, "MemAvailable") == 0);
    /* "max" at every level is no limit */
    REQUIRE(fake_file(&f, "memory.max", "max\n") == 0);
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK(bytes == INT64_C(1000000) * 1024);
    wg_memory_paths missing = {"/nonexistent/meminfo", NULL, NULL};
    CHECK_STATUS(wg_host_memory_probe(&missing, &bytes, NULL, 0), WG_ERR_BACKEND);
    CHECK_STATUS(wg_host_memory_probe(NULL, NULL, NULL, 0), WG_ERR_ARGUMENT);
    fake_remove(&f);
}

TEST(memory_probe_cgroup_v2_limit_and_parent)
{
    fake_proc f;
    REQUIRE(fake_make(&f, 16 * 1024 * 1024, "0::/box/job\n") == 0); /* 16 GiB free */
    /* the job's own limit: 8 GiB with 3 GiB used, 1 GiB of it droppable page cache */
    REQUIRE(fake_file(&f, "box/job/memory.max", "8589934592\n") == 0);
    REQUIRE(fake_file(&f, "box/job/memory.current", "3221225472\n") == 0);
    REQUIRE(fake_file(&f, "box/job/memory.stat", "anon 2147483648\nfile 1073741824\n"
                      "inactive_file 1073741824\nactive_file 0\n") == 0);
    int64_t bytes = 0;
    char why[64];
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK_MSG(bytes == 6 * GIB, "got %lld", (long long)bytes);
    CHECK(strcmp(why, "cgroup v2 memory.max") == 0);
    /* a tighter parent wins */
    REQUIRE(fake_file(&f, "box/memory.max", "4294967296\n") == 0);
    REQUIRE(fake_file(&f, "box/memory.current", "3221225472\n") == 0);
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK_MSG(bytes == 1 * GIB, "got %lld", (long long)bytes);
    /* usage over the limit: nothing left, not a negative size */
    REQUIRE(fake_file(&f, "box/memory.current", "5368709120\n") == 0);
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK(bytes == 0);
    fake_remove(&f);
}

TEST(memory_probe_cgroup_v1_limit)
{
    fake_proc f;
    REQUIRE(fake_make(&f, 16 * 1024 * 1024,
                      "5:cpu,cpuacct:/x\n4:memory:/process_api/abc\n0::/\n") == 0);
    REQUIRE(fake_file(&f, "memory/process_api/abc/memory.limit_in_bytes", "2147483648\n") == 0);
    REQUIRE(fake_file(&f, "memory/process_api/abc/memory.usage_in_bytes", "536870912\n") == 0);
    /* the root says "no limit" the v1 way: a huge number */
    REQUIRE(fake_file(&f, "memory/memory.limit_in_bytes", "9223372036854771712\n") == 0);
    int64_t bytes = 0;
    char why[64];
    REQUIRE_OK(wg_host_memory_probe(&f.paths, &bytes, why, sizeof why));
    CHECK_MSG(bytes == 3 * GIB / 2, "got %lld", (long long)bytes);
    CHECK(strcmp(why, "cgroup v1 memory.limit_in_bytes") == 0);
    fake_remove(&f);
}

/* The demo at --size 45000: three 45000^2 float matrices, 22.6 GiB, with about 23 GiB
 * free. The check passed with no headroom and the kernel killed the run. */
TEST(memory_plan_refuses_without_headroom)
{
    fake_proc f;
    REQUIRE(fake_make(&f, 23 * 1024 * 1024, "0::/\n") == 0);
    wg_memory_plan plan;
    wg_memory_plan_init(&plan);
    const int64_t matrix = INT64_C(45000) * 45000 * 4;
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), matrix, "A 45000x45000"));
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), matrix, "B 45000x45000"));
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), matrix, "C 45000x45000"));
    CHECK_STATUS(wg_memory_plan_check_with(&plan, &f.paths), WG_ERR_NO_MEMORY);
    const char *msg = wg_error_message();
    CHECK_MSG(strstr(msg, "needs 22.6 GiB of host memory") != NULL, "message: %s", msg);
    CHECK(strstr(msg, "A 45000x45000 7.5 GiB") != NULL);
    CHECK(strstr(msg, "23 GiB available (MemAvailable)") != NULL);
    CHECK(strchr(msg, '\n') == NULL);
    /* the same plan fits with room to spare */
    REQUIRE(cli_run_write_file(f.meminfo, "MemAvailable:   33554432 kB\n") == 0);
    CHECK(wg_memory_plan_check_with(&plan, &f.paths) == WG_OK);
    /* but not inside a 20 GiB cgroup, and the message says so */
    REQUIRE(cli_run_write_file(f.self_cgroup, "0::/c\n") == 0);
    REQUIRE(fake_file(&f, "c/memory.max", "21474836480\n") == 0);
    CHECK_STATUS(wg_memory_plan_check_with(&plan, &f.paths), WG_ERR_NO_MEMORY);
    CHECK_MSG(strstr(wg_error_message(), "20 GiB available (cgroup v2 memory.max)") != NULL,
              "message: %s", wg_error_message());
    fake_remove(&f);
}

TEST(memory_plan_totals_per_device)
{
    fake_proc f;
    REQUIRE(fake_make(&f, 4 * 1024 * 1024, "0::/\n") == 0); /* 4 GiB */
    wg_memory_plan plan;
    wg_memory_plan_init(&plan);
    /* each entry fits on its own; the total does not (wg_mlp_create's mistake) */
    for (int i = 0; i < 4; i++) REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), GIB, "layer"));
    CHECK_STATUS(wg_memory_plan_check_with(&plan, &f.paths), WG_ERR_NO_MEMORY);
    CHECK(strstr(wg_error_message(), "needs 4 GiB") != NULL);
    wg_memory_plan_init(&plan);
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), 3 * GIB, "weights"));
    CHECK(wg_memory_plan_check_with(&plan, &f.paths) == WG_OK);
    /* the headroom: 10% of what is available, at least 256 MiB */
    CHECK(wg_memory_headroom(wg_cpu(), 4 * GIB) == 4 * GIB / 10);
    CHECK(wg_memory_headroom(wg_cpu(), 1 * GIB) == 256 * MIB);
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), 4 * GIB - 4 * GIB / 10 - 3 * GIB, "rest"));
    CHECK(wg_memory_plan_check_with(&plan, &f.paths) == WG_OK);
    REQUIRE_OK(wg_memory_plan_add(&plan, wg_cpu(), 1, "one byte too many"));
    CHECK_STATUS(wg_memory_plan_check_with(&plan, &f.paths), WG_ERR_NO_MEMORY);
    /* a GPU entry is checked against that GPU, which this machine may lack */
    wg_memory_plan_init(&plan);
    REQUIRE_OK(wg_memory_plan_add(&plan, (wg_device){WG_DEVICE_CUDA, 0}, INT64_C(1) << 62,
                                  "C 10^9 x 10^9"));
    CHECK(wg_memory_plan_check_with(&plan, &f.paths) != WG_OK);
    CHECK_STATUS(wg_memory_plan_add(&plan, wg_cpu(), -1, "negative"), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_memory_plan_add(NULL, wg_cpu(), 1, "x"), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_memory_plan_check(NULL), WG_ERR_ARGUMENT);
    fake_remove(&f);
}

TEST(memory_available_on_this_machine)
{
    int64_t bytes = -1;
    char why[64] = "";
    REQUIRE_OK(wg_memory_available(wg_cpu(), &bytes, why, sizeof why));
    CHECK(bytes > 0);
    CHECK(why[0] != '\0');
    CHECK(wg_host_memory_available() > 0);
    CHECK_STATUS(wg_memory_available(wg_cpu(), NULL, NULL, 0), WG_ERR_ARGUMENT);
}
