/*
 * cpuinfo.c - what the host CPU is and what it can do: vendor and model, core counts, the
 * SIMD features usable here, cache sizes and memory.
 *
 * A SIMD feature counts only when the CPU has it (cpuid) AND the operating system saves
 * its registers on a context switch (OSXSAVE + XCR0): a CPU with AVX-512 under an OS or
 * hypervisor that does not enable the ZMM state cannot use AVX-512.
 *
 * Cache sizes come from sysfs (/sys/devices/system/cpu/cpu0/cache), falling back to cpuid's
 * deterministic cache leaves (Intel leaf 4, AMD 0x8000001D). Off x86 the model comes from
 * /proc/cpuinfo and no SIMD feature is reported.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "whygpu_lab.h"

#if defined(__x86_64__) || defined(__i386__)
#define WG_X86 1
#include <cpuid.h>
#else
#define WG_X86 0
#endif

/* ---------------------------------------------------------------- helpers --------- */

/* Removes leading and trailing white space in place. */
static void trim(char *text)
{
    size_t start = 0, len = strlen(text);
    while (start < len && isspace((unsigned char)text[start])) start++;
    while (len > start && isspace((unsigned char)text[len - 1])) len--;
    memmove(text, text + start, len - start);
    text[len - start] = '\0';
}

/* Copies src into dst of `size` bytes, truncating; dst is always NUL-terminated. */
static void copy_text(char *dst, size_t size, const char *src)
{
    if (size == 0) return;
    size_t len = strlen(src);
    if (len > size - 1) len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Reads a small text file into buf (NUL-terminated, trimmed). 0 on success, -1 if absent. */
static int read_small_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t got = read(fd, buf + used, size - 1 - used);
        if (got < 0) {
            close(fd);
            return -1;
        }
        if (got == 0) break;
        used += (size_t)got;
    }
    close(fd);
    buf[used] = '\0';
    trim(buf);
    return 0;
}

/* Parses a sysfs cache size such as "32K", "1024K", "32768K" or "2M" into bytes; 0 if it
 * cannot be parsed. */
static int64_t parse_size(const char *text)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (end == text || value <= 0) return 0;
    while (*end == ' ') end++;
    switch (toupper((unsigned char)*end)) {
    case '\0': return value;
    case 'K': return value * 1024LL;
    case 'M': return value * 1024LL * 1024LL;
    case 'G': return value * 1024LL * 1024LL * 1024LL;
    default: return 0;
    }
}

/* ---------------------------------------------------------------- x86 cpuid ------- */

#if WG_X86

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void cpuid_count(unsigned leaf, unsigned subleaf, unsigned r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    if (!__get_cpuid_count(leaf, subleaf, &r[0], &r[1], &r[2], &r[3]))
        r[0] = r[1] = r[2] = r[3] = 0;
}

static void x86_identify(wg_cpu_info *info)
{
    unsigned r[4];
    unsigned max_leaf = (unsigned)__get_cpuid_max(0, NULL);
    unsigned max_ext = (unsigned)__get_cpuid_max(0x80000000u, NULL);

    /* vendor: EBX, EDX, ECX of leaf 0 */
    cpuid_count(0, 0, r);
    memcpy(info->vendor + 0, &r[1], 4);
    memcpy(info->vendor + 4, &r[3], 4);
    memcpy(info->vendor + 8, &r[2], 4);
    info->vendor[12] = '\0';

    /* brand string: leaves 0x80000002..4, 48 bytes */
    if (max_ext >= 0x80000004u) {
        char brand[49];
        for (unsigned i = 0; i < 3; i++) {
            cpuid_count(0x80000002u + i, 0, r);
            memcpy(brand + 16 * i, r, 16);
        }
        brand[48] = '\0';
        trim(brand);
        copy_text(info->model, sizeof info->model, brand);
    }

    if (max_leaf < 1) return;
    cpuid_count(1, 0, r);
    unsigned ecx1 = r[2], edx1 = r[3];
    info->sse2 = (edx1 >> 26) & 1;
    info->sse4_2 = (ecx1 >> 20) & 1;

    /* The OS must enable the register state: OSXSAVE, then XCR0 bits. */
    int osxsave = (ecx1 >> 27) & 1;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_os = (xcr0 & 0x6) == 0x6;                  /* SSE (1) + AVX (2) state */
    int zmm_os = ymm_os && (xcr0 & 0xE0) == 0xE0;      /* opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7) */
    int amx_os = (xcr0 & 0x60000ull) == 0x60000ull;    /* XTILECFG (17), XTILEDATA (18) */

    info->avx = ymm_os && ((ecx1 >> 28) & 1);
    info->fma = info->avx && ((ecx1 >> 12) & 1);

    if (max_leaf < 7) return;
    cpuid_count(7, 0, r);
    unsigned max_sub7 = r[0], ebx7 = r[1], edx7 = r[3];
    info->avx2 = info->avx && ((ebx7 >> 5) & 1);
    info->avx512f = zmm_os && ((ebx7 >> 16) & 1);
    info->avx512bw = info->avx512f && ((ebx7 >> 30) & 1);
    info->avx512vl = info->avx512f && ((ebx7 >> 31) & 1);
    info->amx_tile = amx_os && ((edx7 >> 24) & 1);
    info->amx_bf16 = info->amx_tile && ((edx7 >> 22) & 1);
    if (max_sub7 >= 1) {
        cpuid_count(7, 1, r);
        info->avx512_bf16 = info->avx512f && ((r[0] >> 5) & 1);
    }
}

/* Cache sizes from a deterministic cache parameters leaf (Intel 4, AMD 0x8000001D). */
static void x86_cache_sizes(const char *vendor, wg_cpu_info *info)
{
    unsigned leaf;
    if (strcmp(vendor, "GenuineIntel") == 0) {
        if ((unsigned)__get_cpuid_max(0, NULL) < 4) return;
        leaf = 4;
    } else if (strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0) {
        if ((unsigned)__get_cpuid_max(0x80000000u, NULL) < 0x8000001Du) return;
        leaf = 0x8000001Du;
    } else {
        return;
    }
    for (unsigned sub = 0; sub < 16; sub++) {
        unsigned r[4];
        cpuid_count(leaf, sub, r);
        unsigned type = r[0] & 0x1F; /* 0 none, 1 data, 2 instruction, 3 unified */
        if (type == 0) break;
        unsigned level = (r[0] >> 5) & 0x7;
        int64_t ways = (int64_t)(r[1] >> 22) + 1;
        int64_t partitions = (int64_t)((r[1] >> 12) & 0x3FF) + 1;
        int64_t line = (int64_t)(r[1] & 0xFFF) + 1;
        int64_t sets = (int64_t)r[2] + 1;
        int64_t bytes = ways * partitions * line * sets;
        if (level == 1 && type == 1) info->l1d_bytes = bytes;
        else if (level == 2 && type != 2) info->l2_bytes = bytes;
        else if (level == 3 && type != 2) info->l3_bytes = bytes;
    }
}

#endif /* WG_X86 */

/* ---------------------------------------------------------------- Linux files ----- */

/* The model from /proc/cpuinfo (for non-x86 hosts, or an x86 without a brand string). */
static void proc_cpuinfo_model(char *model, size_t size)
{
    static const char *const keys[] = {"model name", "Model", "cpu model", "Processor",
                                       "Hardware", "cpu"};
    FILE *file = fopen("/proc/cpuinfo", "r");
    if (!file) return;
    char line[512];
    char found[sizeof keys / sizeof keys[0]][256];
    memset(found, 0, sizeof found);
    while (fgets(line, sizeof line, file)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = '\0';
        trim(line);
        char *value = colon + 1;
        trim(value);
        if (value[0] == '\0') continue;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (found[i][0] == '\0' && strcmp(line, keys[i]) == 0)
                copy_text(found[i], sizeof found[i], value);
    }
    fclose(file);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (found[i][0]) {
            copy_text(model, size, found[i]);
            return;
        }
    }
}

/* Cache sizes of cpu0 from sysfs; returns 1 if any size was found. */
static int sysfs_cache_sizes(wg_cpu_info *info)
{
    int found = 0;
    for (int index = 0; index < 16; index++) {
        char path[128], level[32], type[32], size[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
        if (read_small_file(path, level, sizeof level) != 0) {
            if (index == 0) return 0;
            continue; /* indices are normally dense; tolerate a gap */
        }
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
        if (read_small_file(path, type, sizeof type) != 0) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
        if (read_small_file(path, size, sizeof size) != 0) continue;
        int64_t bytes = parse_size(size);
        if (bytes <= 0) continue;
        int lvl = atoi(level);
        int data = strcmp(type, "Data") == 0, unified = strcmp(type, "Unified") == 0;
        if (lvl == 1 && (data || unified)) info->l1d_bytes = bytes, found = 1;
        else if (lvl == 2 && (data || unified)) info->l2_bytes = bytes, found = 1;
        else if (lvl == 3 && (data || unified)) info->l3_bytes = bytes, found = 1;
    }
    return found;
}

/* Distinct (physical_package_id, core_id) pairs over the CPUs in sysfs; 0 if unknown. */
static int sysfs_physical_cores(void)
{
    DIR *dir = opendir("/sys/devices/system/cpu");
    if (!dir) return 0;
    enum { MAX_PAIRS = 1024 };
    long pairs[MAX_PAIRS][2]; /* the count is small; a linear scan is fine */
    int count = 0, overflow = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        if (strncmp(name, "cpu", 3) != 0 || !isdigit((unsigned char)name[3])) continue;
        int digits = 1;
        for (const char *p = name + 3; *p; p++) digits &= isdigit((unsigned char)*p) != 0;
        if (!digits || strlen(name) > 32) continue;
        char path[256], text[32];
        /* An offline CPU keeps its directory but its online file reads 0. */
        snprintf(path, sizeof path, "/sys/devices/system/cpu/%.32s/online", name);
        if (read_small_file(path, text, sizeof text) == 0 && strcmp(text, "0") == 0) continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/%.32s/topology/core_id", name);
        if (read_small_file(path, text, sizeof text) != 0) continue;
        long core = atol(text);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/%.32s/topology/physical_package_id",
                 name);
        long package = read_small_file(path, text, sizeof text) == 0 ? atol(text) : 0;
        int seen = 0;
        for (int i = 0; i < count && !seen; i++)
            seen = pairs[i][0] == package && pairs[i][1] == core;
        if (seen) continue;
        if (count == MAX_PAIRS) {
            overflow = 1;
            break;
        }
        pairs[count][0] = package;
        pairs[count][1] = core;
        count++;
    }
    closedir(dir);
    return overflow ? 0 : count;
}

/* How many separate L3 caches the online CPUs share out (sockets, or chiplets with an L3
 * each): distinct shared_cpu_list values of the level-3 cache; 1 if unknown. STREAM
 * needs it: its arrays must outgrow every L3 together, not just one. */
static int sysfs_l3_instances(void)
{
    enum { MAX_INSTANCES = 256 };
    static char seen[MAX_INSTANCES][64];
    int count = 0;
    DIR *dir = opendir("/sys/devices/system/cpu");
    if (!dir) return 1;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < MAX_INSTANCES) {
        const char *name = entry->d_name;
        if (strncmp(name, "cpu", 3) != 0 || !isdigit((unsigned char)name[3]) || strlen(name) > 32)
            continue;
        for (int index = 0; index < 16; index++) {
            char path[256], text[64];
            snprintf(path, sizeof path, "/sys/devices/system/cpu/%.32s/cache/index%d/level", name,
                     index);
            if (read_small_file(path, text, sizeof text) != 0) break;
            if (atoi(text) != 3) continue;
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/%.32s/cache/index%d/shared_cpu_list", name, index);
            if (read_small_file(path, text, sizeof text) != 0) break;
            int known = 0;
            for (int i = 0; i < count && !known; i++) known = strcmp(seen[i], text) == 0;
            if (!known) snprintf(seen[count++], sizeof seen[0], "%s", text);
            break;
        }
    }
    closedir(dir);
    return count > 0 ? count : 1;
}

/* ---------------------------------------------------------------- public ---------- */

wg_status wg_cpu_info_get(wg_cpu_info *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_info_get: out is NULL");
    wg_cpu_info info;
    memset(&info, 0, sizeof info);

#if WG_X86
    x86_identify(&info);
#endif
    if (info.model[0] == '\0') proc_cpuinfo_model(info.model, sizeof info.model);

    long online = sysconf(_SC_NPROCESSORS_ONLN);
    info.logical_cpus = online > 0 ? (int)online : 1;
    int cores = sysfs_physical_cores();
    info.physical_cores = (cores >= 1 && cores <= info.logical_cpus) ? cores : info.logical_cpus;
    info.omp_threads = wg_cpu_threads(); /* what the kernels use, WHYGPU_NUM_THREADS included */

    if (!sysfs_cache_sizes(&info)) {
#if WG_X86
        x86_cache_sizes(info.vendor, &info);
#endif
    }

    info.l3_instances = sysfs_l3_instances();

    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0) info.memory_bytes = (int64_t)pages * (int64_t)page_size;

    *out = info;
    return WG_OK;
}

const char *wg_cpu_simd_level(const wg_cpu_info *info)
{
    if (!info) return "generic";
    if (info->avx512f && info->avx512vl && info->fma) return "avx512";
    if (info->avx2 && info->fma) return "avx2";
    if (info->sse2) return "sse2";
    return "generic";
}

int64_t wg_host_memory_available(void)
{
    /* MemAvailable, lowered to the room the process's cgroups leave (memory_plan.c). */
    int64_t bytes = 0;
    if (wg_host_memory_probe(NULL, &bytes, NULL, 0) == WG_OK) return bytes;
    wg_clear_error();
    long pages = sysconf(_SC_AVPHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page_size > 0) return (int64_t)pages * (int64_t)page_size;
    return -1;
}
