/*
 * test_cpuinfo.c - the host description: plausible counts, features that imply each
 * other, agreement with the kernel's view (/proc/cpuinfo flags), cache sizes and memory.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

TEST(cpuinfo_counts_are_plausible)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(info.logical_cpus >= 1);
    CHECK(info.physical_cores >= 1);
    CHECK(info.physical_cores <= info.logical_cpus);
    CHECK(info.omp_threads >= 1);
    CHECK(memchr(info.vendor, '\0', sizeof info.vendor) != NULL);
    CHECK(memchr(info.model, '\0', sizeof info.model) != NULL);
    /* the model is trimmed */
    size_t len = strlen(info.model);
    CHECK(len == 0 || (info.model[0] != ' ' && info.model[len - 1] != ' '));
#if defined(__x86_64__) || defined(__i386__)
    CHECK(info.vendor[0] != '\0');
    CHECK(info.model[0] != '\0');
#endif
#if defined(__x86_64__)
    CHECK(info.sse2); /* part of x86-64 */
#endif
}

TEST(cpuinfo_null_argument)
{
    CHECK_STATUS(wg_cpu_info_get(NULL), WG_ERR_ARGUMENT);
    CHECK(strcmp(wg_cpu_simd_level(NULL), "generic") == 0);
}

TEST(cpuinfo_features_imply_each_other)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(!info.avx512bw || info.avx512f);
    CHECK(!info.avx512vl || info.avx512f);
    CHECK(!info.avx512_bf16 || info.avx512f);
    CHECK(!info.avx512f || info.avx2);
    CHECK(!info.avx2 || info.avx);
    CHECK(!info.fma || info.avx);
    CHECK(!info.avx || info.sse4_2);
    CHECK(!info.sse4_2 || info.sse2);
    CHECK(!info.amx_bf16 || info.amx_tile);
    /* flags are 0 or 1 */
    const int flags[] = {info.sse2,     info.sse4_2,      info.avx,      info.avx2,
                         info.fma,      info.avx512f,     info.avx512bw, info.avx512vl,
                         info.avx512_bf16, info.amx_tile, info.amx_bf16};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        CHECK_MSG(flags[i] == 0 || flags[i] == 1, "flag %zu is %d", i, flags[i]);
}

TEST(cpuinfo_simd_level_matches_flags)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    const char *level = wg_cpu_simd_level(&info);
    if (info.avx512f && info.avx512vl && info.fma)
        CHECK(strcmp(level, "avx512") == 0);
    else if (info.avx2 && info.fma)
        CHECK(strcmp(level, "avx2") == 0);
    else if (info.sse2)
        CHECK(strcmp(level, "sse2") == 0);
    else
        CHECK(strcmp(level, "generic") == 0);

    /* the level follows the flags, not the machine */
    wg_cpu_info fake;
    memset(&fake, 0, sizeof fake);
    CHECK(strcmp(wg_cpu_simd_level(&fake), "generic") == 0);
    fake.sse2 = 1;
    CHECK(strcmp(wg_cpu_simd_level(&fake), "sse2") == 0);
    fake.avx = fake.avx2 = 1;
    CHECK(strcmp(wg_cpu_simd_level(&fake), "sse2") == 0); /* AVX2 without FMA */
    fake.fma = 1;
    CHECK(strcmp(wg_cpu_simd_level(&fake), "avx2") == 0);
    fake.avx512f = 1;
    CHECK(strcmp(wg_cpu_simd_level(&fake), "avx2") == 0); /* AVX-512F without VL */
    fake.avx512vl = 1;
    CHECK(strcmp(wg_cpu_simd_level(&fake), "avx512") == 0);
}

TEST(cpuinfo_counts_l3_instances)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(info.l3_instances >= 1 && info.l3_instances <= info.logical_cpus);
}

/* Whether the kernel lists `flag` in the first "flags" line of /proc/cpuinfo; -1 when
 * that line cannot be read. */
static int kernel_has_flag(const char *flag)
{
    FILE *file = fopen("/proc/cpuinfo", "r");
    if (!file) return -1;
    static char line[8192];
    int found = -1;
    while (fgets(line, sizeof line, file)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        found = 0;
        char *save = NULL;
        for (char *word = strtok_r(colon + 1, " \t\n", &save); word;
             word = strtok_r(NULL, " \t\n", &save))
            if (strcmp(word, flag) == 0) found = 1;
        break;
    }
    fclose(file);
    return found;
}

TEST(cpuinfo_agrees_with_kernel_flags)
{
#if !(defined(__x86_64__) || defined(__i386__))
    SKIP("not an x86 CPU");
#else
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    if (kernel_has_flag("sse2") < 0) SKIP("no flags line in /proc/cpuinfo");
    /* The kernel lists a feature only when the CPU has it and the kernel enabled its
     * state; then whygpu must see it as usable too. */
    const struct {
        const char *flag;
        int ours;
    } features[] = {
        {"sse2", info.sse2},         {"sse4_2", info.sse4_2},     {"avx", info.avx},
        {"avx2", info.avx2},         {"fma", info.fma},           {"avx512f", info.avx512f},
        {"avx512bw", info.avx512bw}, {"avx512vl", info.avx512vl}, {"avx512_bf16", info.avx512_bf16},
        {"amx_tile", info.amx_tile}, {"amx_bf16", info.amx_bf16},
    };
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
        int kernel = kernel_has_flag(features[i].flag);
        CHECK_MSG(kernel != 1 || features[i].ours, "the kernel lists %s, whygpu does not",
                  features[i].flag);
    }
#endif
}

TEST(cpuinfo_cache_sizes_are_sane)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    const int64_t KiB = 1024, MiB = 1024 * 1024;
    CHECK(info.l1d_bytes >= 0 && info.l2_bytes >= 0 && info.l3_bytes >= 0);
    if (info.l1d_bytes) {
        CHECK_MSG(info.l1d_bytes >= 4 * KiB && info.l1d_bytes <= 4 * MiB, "L1d %lld",
                  (long long)info.l1d_bytes);
        CHECK_MSG(info.l1d_bytes % (4 * KiB) == 0, "L1d %lld", (long long)info.l1d_bytes);
    }
    if (info.l2_bytes) {
        CHECK_MSG(info.l2_bytes >= 64 * KiB && info.l2_bytes <= 256 * MiB, "L2 %lld",
                  (long long)info.l2_bytes);
        CHECK_MSG(info.l2_bytes % (16 * KiB) == 0, "L2 %lld", (long long)info.l2_bytes);
    }
    if (info.l3_bytes) {
        CHECK_MSG(info.l3_bytes >= 256 * KiB && info.l3_bytes <= 4096 * MiB, "L3 %lld",
                  (long long)info.l3_bytes);
        CHECK_MSG(info.l3_bytes % KiB == 0, "L3 %lld", (long long)info.l3_bytes);
    }
    if (info.l1d_bytes && info.l2_bytes) CHECK(info.l2_bytes >= info.l1d_bytes);
    if (info.l2_bytes && info.l3_bytes) CHECK(info.l3_bytes >= info.l2_bytes);
#if defined(__linux__)
    /* Linux has sysfs cache information, or cpuid supplies it on x86. */
    FILE *sysfs = fopen("/sys/devices/system/cpu/cpu0/cache/index0/size", "r");
    if (sysfs) {
        fclose(sysfs);
        CHECK(info.l1d_bytes > 0);
    }
#endif
}

TEST(cpuinfo_memory)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    CHECK(info.memory_bytes >= 64LL * 1024 * 1024);
    int64_t available = wg_host_memory_available();
    CHECK_MSG(available > 0, "available %lld", (long long)available);
    CHECK_MSG(available <= info.memory_bytes, "available %lld > total %lld",
              (long long)available, (long long)info.memory_bytes);
}

TEST(cpuinfo_memory_available_is_stable)
{
    /* Asked before every large allocation: it must answer every time, within the total. */
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    int answered = 0;
    for (int i = 0; i < 50; i++) {
        int64_t available = wg_host_memory_available();
        answered += available > 0 && available <= info.memory_bytes;
    }
    CHECK(answered == 50);
}
