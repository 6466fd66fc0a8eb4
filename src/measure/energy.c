/*
 * energy.c - energy meters for the measurements (whygpu_lab.h, "energy"): a meter started
 * before a measurement and stopped after it gives the joules it took, the average watts
 * and, on a GPU, the SM clock and board power at its end (NVML's power reading, which
 * Ampere and newer GPUs but GA100 average over the last second).
 *
 *   GPU: NVML's total-energy counter (nvmlDeviceGetTotalEnergyConsumption, millijoules
 *        since the driver loaded, Volta and newer), read through nvml_loader.c, which
 *        opens libnvidia-ml at run time: a machine without the driver still runs whygpu.
 *   CPU: RAPL's package counters under /sys/class/powercap (energy_uj, microjoules, which
 *        wrap at max_energy_range_uj), summed over the packages. Virtual machines usually
 *        hide them and Linux >= 5.10 (and the stable kernels the 2020 fix for
 *        CVE-2020-8694 was backported to) lets only root read them; the meter says so.
 *
 * Absence is a fact, not a failure: a meter that cannot measure has available 0 and the
 * reason, and its reading says the same; only bad arguments are errors.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "energy_internal.h"
#include "measure.h"

#define POWERCAP_ROOT "/sys/class/powercap"

uint64_t wg_energy_counter_delta(uint64_t start, uint64_t end, uint64_t range)
{
    if (end >= start) return end - start;
    /* Wrapped once: from start up to the range, then from 0 to end. A range of 0 (unknown)
     * or a start above it means the counter cannot be trusted: 0. */
    if (range == 0 || start > range) return 0;
    return (range - start) + end;
}

void wg_energy_per_work(const wg_energy_reading *reading, double steps, double images,
                        wg_energy_work *out)
{
    if (!out) return;
    out->joules_per_step = NAN;
    out->joules_per_image = NAN;
    out->images_per_joule = NAN;
    if (!reading || !reading->available || !(reading->joules > 0.0)) return;
    if (steps > 0.0) out->joules_per_step = reading->joules / steps;
    if (images > 0.0) {
        out->joules_per_image = reading->joules / images;
        out->images_per_joule = images / reading->joules;
    }
}

wg_status wg_energy_scaled(const wg_energy_reading *window, double seconds,
                           wg_energy_reading *out)
{
    if (!window || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_energy_scaled: NULL argument");
    if (!(seconds >= 0.0) || !isfinite(seconds))
        return wg_fail(WG_ERR_ARGUMENT, "wg_energy_scaled: %g seconds", seconds);
    if (out != window) *out = *window;
    if (!out->available) return WG_OK;
    out->joules = out->average_watts * seconds;
    out->seconds = seconds;
    return WG_OK;
}

/* ---------------------------------------------------------------- RAPL ------------ */

/* Reads one unsigned decimal number from `path`; 0 with errno's text in `reason`. */
static int read_u64(const char *path, uint64_t *value, char *reason, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        const int e = errno;
        snprintf(reason, size, "cannot read %s: %s%s", path, strerror(e),
                 e == EACCES ? " (RAPL counters are root-only since Linux 5.10 and its 2020 backports, CVE-2020-8694)" : "");
        return 0;
    }
    char text[64];
    const int got = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    char *end = NULL;
    errno = 0;
    const unsigned long long v = got ? strtoull(text, &end, 10) : 0;
    if (!got || end == text || errno || (*end != '\n' && *end != '\0') || text[0] == '-') {
        snprintf(reason, size, "%s does not hold a number", path);
        return 0;
    }
    *value = (uint64_t)v;
    return 1;
}

/* 1 for a top-level RAPL zone: "intel-rapl:N" (AMD's kernels use the same name); its
 * subzones ("intel-rapl:N:M": core, uncore, dram) are parts of the package, not added. */
static int top_level_zone(const char *name)
{
    unsigned index = 0;
    char rest = 0;
    return sscanf(name, "intel-rapl:%u%c", &index, &rest) == 1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The package zones under root, sorted; their count, or -1 with the reason. */
static int find_packages(const char *root, wg_energy_meter *m)
{
    DIR *dir = opendir(root);
    if (!dir) {
        const int e = errno;
        if (e == ENOENT)
            snprintf(m->reason, sizeof m->reason, "no %s (RAPL is not exposed: usual in a "
                     "virtual machine)", root);
        else
            snprintf(m->reason, sizeof m->reason, "cannot open %s: %s", root, strerror(e));
        return -1;
    }
    int count = 0, skipped = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const size_t length = strlen(entry->d_name);
        if (!top_level_zone(entry->d_name) || length >= sizeof m->rapl_zone[0]) continue;
        char path[WG_ENERGY_PATH + 300], name[64] = "";
        snprintf(path, sizeof path, "%s/%s/name", root, entry->d_name);
        FILE *f = fopen(path, "r");
        if (f) {
            if (!fgets(name, sizeof name, f)) name[0] = '\0';
            fclose(f);
        }
        /* psys (the whole platform, on some laptops) overlaps the packages: left out */
        if (strncmp(name, "package", 7) != 0) {
            skipped++;
            continue;
        }
        if (count == WG_RAPL_MAX_PACKAGES) break;
        memcpy(m->rapl_zone[count], entry->d_name, length + 1);
        count++;
    }
    closedir(dir);
    if (count == 0) {
        snprintf(m->reason, sizeof m->reason, "no RAPL package zone (intel-rapl:N named "
                 "package-N) in %s%s", root, skipped ? " (only other zones)" : "");
        return -1;
    }
    qsort(m->rapl_zone, (size_t)count, sizeof m->rapl_zone[0], compare_names);
    return count;
}

/* Reads every package's counter into values; 0 with the reason. */
static int read_packages(wg_energy_meter *m, uint64_t *values)
{
    for (int p = 0; p < m->packages; p++) {
        char path[WG_ENERGY_PATH + 96];
        snprintf(path, sizeof path, "%s/%s/energy_uj", m->root, m->rapl_zone[p]);
        if (!read_u64(path, &values[p], m->reason, sizeof m->reason)) return 0;
    }
    return 1;
}

wg_status wg_energy_start_rapl(const char *root, wg_energy_meter *meter)
{
    if (!meter) return wg_fail(WG_ERR_ARGUMENT, "wg_energy_start_rapl: NULL meter");
    memset(meter, 0, sizeof *meter);
    meter->device = (wg_device){WG_DEVICE_CPU, 0};
    snprintf(meter->source, sizeof meter->source, "rapl");
    if (!root) root = getenv("WHYGPU_POWERCAP");
    if (!root || !*root) root = POWERCAP_ROOT;
    if (strlen(root) >= sizeof meter->root) {
        snprintf(meter->reason, sizeof meter->reason, "powercap folder name too long (%zu "
                 "bytes)", strlen(root));
        return WG_OK;
    }
    snprintf(meter->root, sizeof meter->root, "%s", root);
    const int packages = find_packages(root, meter);
    if (packages < 0) return WG_OK;
    meter->packages = packages;
    for (int p = 0; p < packages; p++) {
        char path[WG_ENERGY_PATH + 96];
        snprintf(path, sizeof path, "%s/%s/max_energy_range_uj", root, meter->rapl_zone[p]);
        if (!read_u64(path, &meter->rapl_range_uj[p], meter->reason, sizeof meter->reason))
            return WG_OK;
    }
    if (!read_packages(meter, meter->rapl_start_uj)) return WG_OK;
    meter->available = 1;
    meter->start_s = wg_now();
    return WG_OK;
}

/* ---------------------------------------------------------------- NVML ------------ */

static void start_nvml(int device, wg_energy_meter *m)
{
    snprintf(m->source, sizeof m->source, "nvml");
    wg_nvml *nvml = wg_nvml_get(m->reason, sizeof m->reason);
    if (!nvml) return;
    if (!wg_nvml_handle(nvml, device, &m->nvml_device, m->reason, sizeof m->reason)) return;
    unsigned long long mj = 0;
    const int rc = nvml->total_energy(m->nvml_device, &mj);
    if (rc != 0) {
        snprintf(m->reason, sizeof m->reason, "nvmlDeviceGetTotalEnergyConsumption on cuda:%d: "
                 "%s (the counter needs a Volta or newer GPU)", device, nvml->error_string(rc));
        return;
    }
    m->nvml_start_mj = mj;
    m->available = 1;
    m->start_s = wg_now();
}

wg_status wg_energy_start(wg_device device, wg_energy_meter *meter)
{
    if (!meter) return wg_fail(WG_ERR_ARGUMENT, "wg_energy_start: NULL meter");
    switch (device.kind) {
    case WG_DEVICE_CPU:
        return wg_energy_start_rapl(NULL, meter);
    case WG_DEVICE_CUDA:
        memset(meter, 0, sizeof *meter);
        meter->device = device;
        start_nvml(device.index, meter);
        return WG_OK;
    default: {
        char name[32];
        memset(meter, 0, sizeof *meter);
        meter->device = device;
        snprintf(meter->reason, sizeof meter->reason, "no energy counter for %s devices "
                 "(NVML measures CUDA GPUs, RAPL the CPU)",
                 wg_device_format(device, name, sizeof name));
        return WG_OK;
    }
    }
}

wg_status wg_energy_stop(wg_energy_meter *meter, wg_energy_reading *out)
{
    if (!meter || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_energy_stop: NULL argument");
    memset(out, 0, sizeof *out);
    out->sm_clock_mhz = NAN;
    out->power_watts = NAN;
    out->joules = NAN;
    out->average_watts = NAN;
    snprintf(out->source, sizeof out->source, "%s", meter->source);
    if (!meter->available) {
        snprintf(out->reason, sizeof out->reason, "%s",
                 meter->reason[0] ? meter->reason : "the meter was not started");
        return WG_OK;
    }
    const double now = wg_now();
    out->seconds = now - meter->start_s;
    if (meter->device.kind == WG_DEVICE_CPU) {
        uint64_t end[WG_RAPL_MAX_PACKAGES];
        if (!read_packages(meter, end)) {
            meter->available = 0;
            snprintf(out->reason, sizeof out->reason, "%s", meter->reason);
            return WG_OK;
        }
        uint64_t uj = 0;
        for (int p = 0; p < meter->packages; p++)
            uj += wg_energy_counter_delta(meter->rapl_start_uj[p], end[p],
                                          meter->rapl_range_uj[p]);
        out->joules = (double)uj * 1e-6;
    } else {
        wg_nvml *nvml = wg_nvml_get(out->reason, sizeof out->reason);
        unsigned long long mj = 0;
        const int rc = nvml ? nvml->total_energy(meter->nvml_device, &mj) : -1;
        if (rc != 0) {
            if (nvml)
                snprintf(out->reason, sizeof out->reason, "nvmlDeviceGetTotalEnergyConsumption: "
                         "%s", nvml->error_string(rc));
            meter->available = 0;
            return WG_OK;
        }
        out->joules = (double)wg_energy_counter_delta(meter->nvml_start_mj, mj, 0) * 1e-3;
        wg_gpu_power power;
        wg_nvml_power(nvml, meter->nvml_device, &power);
        out->sm_clock_mhz = power.sm_clock_mhz;
        out->power_watts = power.power_watts;
    }
    out->available = 1;
    out->average_watts = out->seconds > 0.0 ? out->joules / out->seconds : NAN;
    if (out->seconds < WG_ENERGY_MIN_SECONDS)
        snprintf(out->reason, sizeof out->reason, "rough: a window of %.3g s, shorter than "
                 "%.2g s (the counters update every few to tens of milliseconds)",
                 out->seconds, WG_ENERGY_MIN_SECONDS);
    return WG_OK;
}

wg_status wg_gpu_power_get(int device, wg_gpu_power *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_gpu_power_get: NULL result");
    memset(out, 0, sizeof *out);
    out->sm_clock_mhz = out->sm_clock_max_mhz = NAN;
    out->power_watts = out->power_limit_watts = NAN;
    out->temperature_c = NAN;
    wg_nvml *nvml = wg_nvml_get(out->reason, sizeof out->reason);
    if (!nvml) return WG_OK;
    void *handle = NULL;
    if (!wg_nvml_handle(nvml, device, &handle, out->reason, sizeof out->reason)) return WG_OK;
    wg_nvml_power(nvml, handle, out);
    return WG_OK;
}

void wg_gpu_power_format(const wg_gpu_power *power, char *buf, size_t size)
{
    if (!buf || size == 0) return;
    if (!power || !power->available) {
        snprintf(buf, size, "clock/power unavailable: %s",
                 power && power->reason[0] ? power->reason : "not read");
        return;
    }
    int n = snprintf(buf, size, "SM %.0f", power->sm_clock_mhz);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(power->sm_clock_max_mhz))
        n += snprintf(buf + n, size - (size_t)n, "/%.0f", power->sm_clock_max_mhz);
    if (n < 0 || (size_t)n >= size) return;
    n += snprintf(buf + n, size - (size_t)n, " MHz");
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(power->power_watts))
        n += snprintf(buf + n, size - (size_t)n, ", %.0f W", power->power_watts);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(power->power_limit_watts))
        n += snprintf(buf + n, size - (size_t)n, " of %.0f W", power->power_limit_watts);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(power->temperature_c))
        snprintf(buf + n, size - (size_t)n, ", %.0f C", power->temperature_c);
}

void wg_json_gpu_power(wg_json *json, const wg_gpu_power *power)
{
    wg_json_begin_object(json);
    const int ok = power && power->available;
    wg_json_key(json, "available"); wg_json_bool(json, ok);
    wg_json_key(json, "reason"); wg_json_string(json, ok ? NULL : power ? power->reason : "not read");
    wg_json_key(json, "sm_clock_mhz"); wg_json_number(json, ok ? power->sm_clock_mhz : NAN);
    wg_json_key(json, "sm_clock_max_mhz"); wg_json_number(json, ok ? power->sm_clock_max_mhz : NAN);
    wg_json_key(json, "power_watts"); wg_json_number(json, ok ? power->power_watts : NAN);
    wg_json_key(json, "power_limit_watts");
    wg_json_number(json, ok ? power->power_limit_watts : NAN);
    wg_json_key(json, "temperature_c"); wg_json_number(json, ok ? power->temperature_c : NAN);
    wg_json_end_object(json);
}

void wg_json_energy(wg_json *json, const wg_energy_reading *reading, double steps,
                    double images)
{
    wg_energy_work work;
    wg_energy_per_work(reading, steps, images, &work);
    const int ok = reading && reading->available;
    wg_json_begin_object(json);
    wg_json_key(json, "source"); wg_json_string(json, reading ? reading->source : NULL);
    wg_json_key(json, "available"); wg_json_bool(json, ok);
    /* when available, a note on the window ("rough: ..."), else why not */
    wg_json_key(json, "reason");
    wg_json_string(json, reading && reading->reason[0] ? reading->reason : NULL);
    wg_json_key(json, "joules"); wg_json_number(json, ok ? reading->joules : NAN);
    wg_json_key(json, "seconds"); wg_json_number(json, ok ? reading->seconds : NAN);
    wg_json_key(json, "average_watts"); wg_json_number(json, ok ? reading->average_watts : NAN);
    wg_json_key(json, "sm_clock_mhz"); wg_json_number(json, ok ? reading->sm_clock_mhz : NAN);
    wg_json_key(json, "power_watts"); wg_json_number(json, ok ? reading->power_watts : NAN);
    wg_json_key(json, "joules_per_step"); wg_json_number(json, work.joules_per_step);
    wg_json_key(json, "joules_per_image"); wg_json_number(json, work.joules_per_image);
    wg_json_key(json, "images_per_joule"); wg_json_number(json, work.images_per_joule);
    wg_json_end_object(json);
}

void wg_energy_format(const wg_energy_reading *reading, double steps, double images,
                      char *buf, size_t size)
{
    if (!buf || size == 0) return;
    if (!reading || !reading->available) {
        snprintf(buf, size, "energy unavailable (%s): %s", reading ? reading->source : "?",
                 reading && reading->reason[0] ? reading->reason : "not measured");
        return;
    }
    wg_energy_work work;
    wg_energy_per_work(reading, steps, images, &work);
    int n = snprintf(buf, size, "%.3g J in %.3g s, %.0f W average (%s)", reading->joules,
                     reading->seconds, reading->average_watts, reading->source);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(work.joules_per_step))
        n += snprintf(buf + n, size - (size_t)n, ", %.3g J/step", work.joules_per_step);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(work.joules_per_image))
        n += snprintf(buf + n, size - (size_t)n, ", %.3g mJ/image, %.0f images/J",
                      work.joules_per_image * 1e3, work.images_per_joule);
    if (n < 0 || (size_t)n >= size) return;
    if (isfinite(reading->sm_clock_mhz))
        n += snprintf(buf + n, size - (size_t)n, ", SM clock %.0f MHz at the end",
                      reading->sm_clock_mhz);
    if (n < 0 || (size_t)n >= size) return;
    if (reading->reason[0]) snprintf(buf + n, size - (size_t)n, " [%s]", reading->reason);
}
