/*
 * test_energy.c - the energy meters (whygpu_lab.h, "energy"): RAPL read from a fake
 * powercap folder (packages found, subzones and psys left out, the counter's wraparound,
 * the reasons when it is absent or unreadable), NVML's absent paths (a library that cannot
 * be loaded, one without NVML's symbols) and the arithmetic of joules per step and image.
 * A GPU's counter is read only where NVML and a GPU are present (else skipped).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "measure/energy_internal.h"
#include "measure/measure.h"
#include "nn_files.h"

/* Writes `text` to root/zone/file, making root/zone first. */
static int put(const char *root, const char *zone, const char *file, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, zone);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s/%s", root, zone, file);
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

static void remove_tree(const char *root)
{
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", root);
}

TEST(energy_counter_delta_wraps)
{
    CHECK(wg_energy_counter_delta(100, 250, 1000) == 150);
    CHECK(wg_energy_counter_delta(900, 50, 1000) == 150); /* wrapped at 1000 */
    CHECK(wg_energy_counter_delta(5, 5, 1000) == 0);
    CHECK(wg_energy_counter_delta(900, 50, 0) == 0);      /* unknown range: untrusted */
    CHECK(wg_energy_counter_delta(2000, 50, 1000) == 0);  /* start above the range */
    CHECK(wg_energy_counter_delta(0, UINT64_MAX, 0) == UINT64_MAX);
}

TEST(energy_per_work_arithmetic)
{
    wg_energy_reading r;
    memset(&r, 0, sizeof r);
    r.available = 1;
    r.joules = 20.0;
    r.seconds = 4.0;
    r.average_watts = 5.0;
    wg_energy_work w;
    wg_energy_per_work(&r, 10.0, 2560.0, &w);
    CHECK(fabs(w.joules_per_step - 2.0) < 1e-12);
    CHECK(fabs(w.joules_per_image - 20.0 / 2560.0) < 1e-15);
    CHECK(fabs(w.images_per_joule - 128.0) < 1e-12);
    wg_energy_per_work(&r, 0.0, 0.0, &w); /* no counts: no ratios */
    CHECK(isnan(w.joules_per_step) && isnan(w.joules_per_image) && isnan(w.images_per_joule));
    r.available = 0;
    wg_energy_per_work(&r, 10.0, 2560.0, &w);
    CHECK(isnan(w.joules_per_step) && isnan(w.images_per_joule));

    /* average power x time per call */
    r.available = 1;
    wg_energy_reading one;
    REQUIRE_OK(wg_energy_scaled(&r, 0.25, &one));
    CHECK(fabs(one.joules - 1.25) < 1e-12 && one.seconds == 0.25 && one.average_watts == 5.0);
    CHECK_STATUS(wg_energy_scaled(&r, -1.0, &one), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_energy_scaled(&r, NAN, &one), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_energy_scaled(NULL, 1.0, &one), WG_ERR_ARGUMENT);

    char text[512];
    r.joules = 20.0;
    wg_energy_format(&r, 10.0, 2560.0, text, sizeof text);
    CHECK_MSG(strstr(text, "20 J") && strstr(text, "2 J/step") && strstr(text, "128 images/J"),
              "format: %s", text);
}

TEST(energy_rapl_fake_powercap)
{
    char root[64];
    REQUIRE(nn_temp_dir(root, sizeof root) == 0);
    /* two packages, a subzone (core, part of package 0) and psys (the platform): only the
     * packages count */
    static const char *const zones[][4] = {
        /* zone, name, energy_uj, max_energy_range_uj */
        {"intel-rapl:0", "package-0\n", "262143000000\n", "262143328850\n"},
        {"intel-rapl:0:0", "core\n", "5\n", "1000\n"},
        {"intel-rapl:1", "package-1\n", "1000000\n", "262143328850\n"},
        {"intel-rapl:2", "psys\n", "7\n", "1000\n"},
    };
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        REQUIRE(put(root, zones[z][0], "name", zones[z][1]));
        REQUIRE(put(root, zones[z][0], "energy_uj", zones[z][2]));
        REQUIRE(put(root, zones[z][0], "max_energy_range_uj", zones[z][3]));
    }

    wg_energy_meter m;
    REQUIRE_OK(wg_energy_start_rapl(root, &m));
    CHECK_MSG(m.available, "reason: %s", m.reason);
    CHECK(m.packages == 2);
    CHECK(strcmp(m.source, "rapl") == 0);
    /* package 0 wraps: 328850 uJ to the top, then 671150 from 0 = 1 J; package 1: +2 J */
    REQUIRE(put(root, "intel-rapl:0", "energy_uj", "671150\n"));
    REQUIRE(put(root, "intel-rapl:1", "energy_uj", "3000000\n"));
    REQUIRE(put(root, "intel-rapl:0:0", "energy_uj", "999\n"));
    REQUIRE(put(root, "intel-rapl:2", "energy_uj", "999\n"));
    wg_energy_reading r;
    REQUIRE_OK(wg_energy_stop(&m, &r));
    CHECK_MSG(r.available, "reason: %s", r.reason);
    CHECK_MSG(fabs(r.joules - 3.0) < 1e-9, "joules %.9g", r.joules);
    CHECK(r.seconds >= 0.0 && isnan(r.sm_clock_mhz));
    CHECK(strstr(r.reason, "rough") != NULL); /* a window far under WG_ENERGY_MIN_SECONDS */

    /* the env var names the folder when no root is given */
    setenv("WHYGPU_POWERCAP", root, 1);
    REQUIRE_OK(wg_energy_start((wg_device){WG_DEVICE_CPU, 0}, &m));
    unsetenv("WHYGPU_POWERCAP");
    CHECK_MSG(m.available && m.packages == 2, "reason: %s", m.reason);

    /* a counter that is not a number: the reason names the file */
    REQUIRE(put(root, "intel-rapl:1", "energy_uj", "lots\n"));
    REQUIRE_OK(wg_energy_stop(&m, &r));
    CHECK(!r.available);
    CHECK_MSG(strstr(r.reason, "intel-rapl:1/energy_uj") && strstr(r.reason, "number"),
              "reason: %s", r.reason);

    /* unreadable (root-only since Linux 5.10): the reason says so; root reads anything */
    REQUIRE(put(root, "intel-rapl:1", "energy_uj", "3000000\n"));
    char path[512];
    snprintf(path, sizeof path, "%s/intel-rapl:1/energy_uj", root);
    REQUIRE(chmod(path, 0) == 0);
    REQUIRE_OK(wg_energy_start_rapl(root, &m));
    if (geteuid() != 0) {
        CHECK(!m.available);
        CHECK_MSG(strstr(m.reason, "Permission denied") && strstr(m.reason, "root-only"),
                  "reason: %s", m.reason);
    }
    chmod(path, 0600);
    remove_tree(root);
}

TEST(energy_rapl_absent)
{
    wg_energy_meter m;
    REQUIRE_OK(wg_energy_start_rapl("/nonexistent/whygpu-powercap", &m));
    CHECK(!m.available);
    CHECK_MSG(strstr(m.reason, "no /nonexistent/whygpu-powercap") &&
              strstr(m.reason, "virtual machine"), "reason: %s", m.reason);
    wg_energy_reading r;
    REQUIRE_OK(wg_energy_stop(&m, &r));
    CHECK(!r.available && isnan(r.joules) && strcmp(r.reason, m.reason) == 0);

    char root[64];
    REQUIRE(nn_temp_dir(root, sizeof root) == 0);
    REQUIRE(put(root, "intel-rapl:0", "name", "psys\n"));
    REQUIRE_OK(wg_energy_start_rapl(root, &m));
    CHECK(!m.available);
    CHECK_MSG(strstr(m.reason, "no RAPL package zone"), "reason: %s", m.reason);
    remove_tree(root);

    CHECK_STATUS(wg_energy_start_rapl(NULL, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_energy_stop(&m, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_energy_start((wg_device){WG_DEVICE_CPU, 0}, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_power_get(0, NULL), WG_ERR_ARGUMENT);
}

TEST(energy_nvml_absent)
{
    wg_nvml table;
    char reason[WG_ENERGY_REASON];
    CHECK(!wg_nvml_open("libwhygpu-no-such-nvml.so.1", &table, reason, sizeof reason));
    CHECK_MSG(strstr(reason, "cannot load libwhygpu-no-such-nvml.so.1") &&
              strstr(reason, "no NVIDIA driver"), "reason: %s", reason);
    /* a library that loads but is not NVML */
    CHECK(!wg_nvml_open("libm.so.6", &table, reason, sizeof reason));
    CHECK_MSG(strstr(reason, "has no nvmlInit_v2"), "reason: %s", reason);

    /* other devices have no counter */
    wg_energy_meter m;
    REQUIRE_OK(wg_energy_start((wg_device){WG_DEVICE_OPENCL, 0}, &m));
    CHECK(!m.available && strstr(m.reason, "opencl:0"));

    /* the process-wide NVML: absent here, a reason in every reading */
    if (wg_nvml_get(NULL, 0)) SKIP("NVML is present on this machine");
    REQUIRE_OK(wg_energy_start((wg_device){WG_DEVICE_CUDA, 0}, &m));
    CHECK(!m.available && strstr(m.reason, "NVML unavailable"));
    wg_gpu_power p;
    REQUIRE_OK(wg_gpu_power_get(0, &p));
    CHECK(!p.available && strstr(p.reason, "NVML unavailable") && isnan(p.sm_clock_mhz));
    char text[600];
    wg_gpu_power_format(&p, text, sizeof text);
    CHECK_MSG(strstr(text, "clock/power unavailable: NVML"), "%s", text);
}

TEST(energy_gpu_counter)
{
    if (wg_device_check((wg_device){WG_DEVICE_CUDA, 0}) != WG_OK)
        SKIP("needs a GPU: %s", wg_error_message());
    char reason[WG_ENERGY_REASON];
    if (!wg_nvml_get(reason, sizeof reason)) SKIP("%s", reason);
    wg_gpu_power p;
    REQUIRE_OK(wg_gpu_power_get(0, &p));
    CHECK_MSG(p.available && p.sm_clock_mhz > 0.0, "reason: %s", p.reason);
    wg_energy_meter m;
    REQUIRE_OK(wg_energy_start((wg_device){WG_DEVICE_CUDA, 0}, &m));
    REQUIRE(m.available);
    usleep(600000);
    wg_energy_reading r;
    REQUIRE_OK(wg_energy_stop(&m, &r));
    CHECK_MSG(r.available && r.joules > 0.0 && r.average_watts > 1.0 &&
              r.average_watts < 2000.0, "%.3g J, %.3g W: %s", r.joules, r.average_watts,
              r.reason);
}
