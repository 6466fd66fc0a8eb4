/*
 * memory_plan.c - refuse a run up front instead of being killed by the kernel half-way.
 *
 * A command lists what it will hold on each device (a memory plan) before it allocates
 * anything; wg_memory_plan_check adds the entries up per device and compares each total,
 * with headroom, against what this process can really get:
 *  - host: MemAvailable from /proc/meminfo, lowered by the memory limit of every cgroup
 *    the process sits in (v2: memory.max - memory.current; v1: memory.limit_in_bytes -
 *    memory.usage_in_bytes; page cache the cgroup could drop, inactive_file, counts as
 *    free), walking up to the root because a parent's limit applies too;
 *  - a GPU: the free memory the CUDA runtime reports (cudaMemGetInfo).
 * WHYGPU_MEMORY_LIMIT (bytes, or with a K, M or G suffix, powers of 1024) lowers the host
 * figure further: a cap a user can set, and how tests and CI ask for a refusal without
 * needing a machine short of memory.
 * The file paths are parameters so that tests can feed made-up /proc and cgroup files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "whygpu_lab.h"

/* Reads a small text file into buf (NUL-terminated); 0 on success. */
static int read_text_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n > 0 ? 0 : -1;
}

/* A file holding one number (or "max"): 1 with *value set, 0 for "max" or absent. */
static int read_number_file(const char *path, int64_t *value)
{
    char buf[64];
    if (read_text_file(path, buf, sizeof buf) != 0) return 0;
    if (strncmp(buf, "max", 3) == 0) return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || errno || v < 0) return 0;
    *value = (int64_t)v;
    return 1;
}

/* The value of "key N" in a memory.stat file, or 0. */
static int64_t stat_value(const char *path, const char *key)
{
    char buf[8192];
    if (read_text_file(path, buf, sizeof buf) != 0) return 0;
    const size_t len = strlen(key);
    for (const char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, len) == 0 && line[len] == ' ') {
            long long v = strtoll(line + len + 1, NULL, 10);
            return v > 0 ? (int64_t)v : 0;
        }
    }
    return 0;
}

/* MemAvailable in bytes, or -1. */
static int64_t meminfo_available(const char *path)
{
    char buf[4096];
    if (read_text_file(path, buf, sizeof buf) != 0) return -1;
    const char *line = strstr(buf, "MemAvailable:");
    if (!line) return -1;
    char *end = NULL;
    long long kib = strtoll(line + strlen("MemAvailable:"), &end, 10);
    if (end == line + strlen("MemAvailable:") || kib < 0) return -1;
    return (int64_t)kib * 1024;
}

/* The lowest (limit - usage + inactive_file) over `dir` and its parents up to `root`;
 * INT64_MAX when no level has a limit. v2 names the files memory.max / memory.current /
 * inactive_file, v1 memory.limit_in_bytes / memory.usage_in_bytes / total_inactive_file. */
static int64_t cgroup_room(const char *root, const char *cgroup_path, int v2)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s", root, cgroup_path);
    size_t root_len = strlen(root);
    int64_t room = INT64_MAX;
    for (;;) {
        char path[4200];
        int64_t limit = 0, usage = 0;
        snprintf(path, sizeof path, "%s/%s", dir, v2 ? "memory.max" : "memory.limit_in_bytes");
        /* v1 writes "no limit" as a huge number near INT64_MAX. */
        if (read_number_file(path, &limit) && limit < (INT64_C(1) << 60)) {
            snprintf(path, sizeof path, "%s/%s", dir,
                     v2 ? "memory.current" : "memory.usage_in_bytes");
            if (!read_number_file(path, &usage)) usage = 0;
            snprintf(path, sizeof path, "%s/memory.stat", dir);
            int64_t reclaimable = stat_value(path, v2 ? "inactive_file" : "total_inactive_file");
            if (reclaimable > usage) reclaimable = usage;
            int64_t left = limit - usage + reclaimable;
            if (left < 0) left = 0;
            if (left < room) room = left;
        }
        size_t len = strlen(dir);
        if (len <= root_len) break;
        char *slash = strrchr(dir + root_len, '/');
        if (!slash) break;
        *slash = '\0';
    }
    return room;
}

static void set_why(char *why, size_t why_size, const char *text)
{
    if (why && why_size) snprintf(why, why_size, "%s", text);
}

/* WHYGPU_MEMORY_LIMIT in bytes; -1 when unset; WG_ERR_ARGUMENT (via *bad) when invalid. */
static int64_t env_memory_limit(int *bad)
{
    *bad = 0;
    const char *text = getenv("WHYGPU_MEMORY_LIMIT");
    if (!text || !*text) return -1;
    if (*text < '0' || *text > '9') {
        *bad = 1;
        return -1;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (errno == ERANGE || *end != '\0' || value > (unsigned long long)(INT64_MAX >> shift)) {
        *bad = 1;
        return -1;
    }
    return (int64_t)(value << shift);
}

wg_status wg_host_memory_probe(const wg_memory_paths *paths, int64_t *bytes, char *why,
                               size_t why_size)
{
    if (!bytes) return wg_fail(WG_ERR_ARGUMENT, "wg_host_memory_probe: NULL output pointer");
    const char *meminfo = paths && paths->meminfo ? paths->meminfo : "/proc/meminfo";
    const char *self_cgroup = paths && paths->self_cgroup ? paths->self_cgroup
                                                          : "/proc/self/cgroup";
    const char *root = paths && paths->cgroup_root ? paths->cgroup_root : "/sys/fs/cgroup";
    int64_t available = meminfo_available(meminfo);
    if (available < 0)
        return wg_fail(WG_ERR_BACKEND, "cannot read MemAvailable from %s", meminfo);
    set_why(why, why_size, "MemAvailable");

    char lines[8192];
    if (read_text_file(self_cgroup, lines, sizeof lines) == 0) {
        char *save = NULL;
        for (char *line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            /* "0::/path" (v2) or "N:controller,list:/path" (v1) */
            char *first = strchr(line, ':');
            char *second = first ? strchr(first + 1, ':') : NULL;
            if (!second) continue;
            *first = '\0';
            *second = '\0';
            const char *controllers = first + 1, *cgroup_path = second + 1;
            int64_t room = INT64_MAX;
            const char *kind = NULL;
            char base[4200];
            if (strcmp(line, "0") == 0 && *controllers == '\0') {
                /* v2: the unified hierarchy, at the root or (hybrid) under unified/. */
                snprintf(base, sizeof base, "%s", root);
                room = cgroup_room(base, cgroup_path, 1);
                if (room == INT64_MAX) {
                    snprintf(base, sizeof base, "%s/unified", root);
                    room = cgroup_room(base, cgroup_path, 1);
                }
                kind = "cgroup v2 memory.max";
            } else {
                char list[256];
                snprintf(list, sizeof list, ",%s,", controllers);
                if (!strstr(list, ",memory,")) continue;
                snprintf(base, sizeof base, "%s/%s", root, controllers);
                room = cgroup_room(base, cgroup_path, 0);
                kind = "cgroup v1 memory.limit_in_bytes";
            }
            if (room < available) {
                available = room;
                set_why(why, why_size, kind);
            }
        }
    }
    int bad = 0;
    const int64_t cap = env_memory_limit(&bad);
    if (bad)
        return wg_fail(WG_ERR_ARGUMENT, "WHYGPU_MEMORY_LIMIT='%s' is not a size in bytes "
                       "(e.g. 4000000000, 512M, 8G)", getenv("WHYGPU_MEMORY_LIMIT"));
    if (cap >= 0 && cap < available) {
        available = cap;
        set_why(why, why_size, "WHYGPU_MEMORY_LIMIT");
    }
    *bytes = available;
    return WG_OK;
}

wg_status wg_memory_available(wg_device device, int64_t *bytes, char *why, size_t why_size)
{
    if (!bytes) return wg_fail(WG_ERR_ARGUMENT, "wg_memory_available: NULL output pointer");
    if (device.kind == WG_DEVICE_CPU) return wg_host_memory_probe(NULL, bytes, why, why_size);
    if (device.kind == WG_DEVICE_OPENCL) {
        /* OpenCL cannot tell free memory: a CPU driver (PoCL) allocates from the host's,
         * a GPU has at most its global memory */
        wg_opencl_info info;
        wg_status status = wg_opencl_info_get(device.index, &info);
        if (status != WG_OK) return status;
        if (info.is_cpu) return wg_host_memory_probe(NULL, bytes, why, why_size);
        *bytes = info.global_memory_bytes;
        set_why(why, why_size, "OpenCL global memory");
        return WG_OK;
    }
    wg_gpu_info info;
    wg_status status = wg_gpu_info_get(device.index, &info);
    if (status != WG_OK) return status;
    *bytes = info.free_memory_bytes;
    set_why(why, why_size, "free GPU memory");
    return WG_OK;
}

/* ---------------------------------------------------------------- plans ------------ */

void wg_memory_plan_init(wg_memory_plan *plan)
{
    if (plan) memset(plan, 0, sizeof *plan);
}

wg_status wg_memory_plan_add(wg_memory_plan *plan, wg_device device, int64_t bytes,
                             const char *what)
{
    if (!plan) return wg_fail(WG_ERR_ARGUMENT, "wg_memory_plan_add: NULL plan");
    if (bytes < 0)
        return wg_fail(WG_ERR_ARGUMENT, "memory plan: %s needs %" PRId64 " bytes (< 0)",
                       what ? what : "an entry", bytes);
    if (plan->count == WG_MEMORY_PLAN_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "memory plan: more than %d entries", WG_MEMORY_PLAN_MAX);
    wg_memory_entry *e = &plan->entries[plan->count++];
    e->device = device;
    e->bytes = bytes;
    snprintf(e->what, sizeof e->what, "%s", what ? what : "?");
    return WG_OK;
}

int64_t wg_memory_headroom(wg_device device, int64_t available)
{
    /* Room the plan does not list: the allocator, stacks, the CUDA context and cuBLAS's
     * workspace, other processes' growth. */
    const int64_t floor_bytes = INT64_C(256) << 20;
    int64_t share = device.kind == WG_DEVICE_CPU ? available / 10 : available / 20;
    return share > floor_bytes ? share : floor_bytes;
}

static int same_device(wg_device a, wg_device b) { return a.kind == b.kind && a.index == b.index; }

/* "A 7.5 GiB, B 7.5 GiB" for the entries on `device`, cut to fit `size`. */
static void list_entries(const wg_memory_plan *plan, wg_device device, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < plan->count && used + 1 < size; i++) {
        const wg_memory_entry *e = &plan->entries[i];
        if (!same_device(e->device, device)) continue;
        char amount[32];
        wg_format_bytes((double)e->bytes, amount, sizeof amount);
        int n = snprintf(buf + used, size - used, "%s%s %s", used ? ", " : "", e->what, amount);
        if (n < 0) break;
        used += (size_t)n;
    }
    if (used >= size && size > 4) memcpy(buf + size - 4, "...", 4);
}

wg_status wg_memory_plan_check_with(const wg_memory_plan *plan, const wg_memory_paths *paths)
{
    if (!plan) return wg_fail(WG_ERR_ARGUMENT, "wg_memory_plan_check: NULL plan");
    for (int i = 0; i < plan->count; i++) {
        const wg_device device = plan->entries[i].device;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = same_device(plan->entries[j].device, device);
        if (seen) continue; /* that device's total is checked already */
        int64_t need = 0;
        for (int j = i; j < plan->count; j++) {
            if (!same_device(plan->entries[j].device, device)) continue;
            if (plan->entries[j].bytes > INT64_MAX - need) need = INT64_MAX;
            else need += plan->entries[j].bytes;
        }
        int64_t available = 0;
        char why[64] = "", name[32];
        wg_device_format(device, name, sizeof name);
        wg_status status = device.kind == WG_DEVICE_CPU
                               ? wg_host_memory_probe(paths, &available, why, sizeof why)
                               : wg_memory_available(device, &available, why, sizeof why);
        if (status != WG_OK)
            return wg_fail_context(status, "checking the memory plan of %s", name);
        const int64_t headroom = wg_memory_headroom(device, available);
        if (need <= available - headroom) continue;
        char list[512], need_text[32], have_text[32], room_text[32];
        list_entries(plan, device, list, sizeof list);
        return wg_fail(WG_ERR_NO_MEMORY,
                       "needs %s of %s memory (%s), %s available (%s), of which %s is kept "
                       "as headroom",
                       wg_format_bytes((double)need, need_text, sizeof need_text),
                       device.kind == WG_DEVICE_CPU ? "host" : name, list,
                       wg_format_bytes((double)available, have_text, sizeof have_text), why,
                       wg_format_bytes((double)headroom, room_text, sizeof room_text));
    }
    return WG_OK;
}

wg_status wg_memory_plan_check(const wg_memory_plan *plan)
{
    return wg_memory_plan_check_with(plan, NULL);
}
