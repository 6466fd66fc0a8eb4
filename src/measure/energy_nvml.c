/*
 * energy_nvml.c - NVML through dlopen (energy_internal.h): the library is opened and
 * nvmlInit_v2 called once per process (pthread_once), the entry points looked up by name.
 * Never shut down: NVML's handles stay valid for the process's life, and a shutdown would
 * race with another thread's meter.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cuda/cuda_measure.h"
#include "energy_internal.h"

#define NVML_DEFAULT_LIBRARY "libnvidia-ml.so.1"
#define NVML_CLOCK_SM 1
#define NVML_TEMPERATURE_GPU 0

static pthread_once_t nvml_once = PTHREAD_ONCE_INIT;
static wg_nvml nvml_table;
static int nvml_loaded;
static char nvml_reason[WG_ENERGY_REASON];

/* Looks `name` up in `lib` into *slot; 0 with the reason when absent. */
static int nvml_bind(void *lib, const char *name, void *slot, char *reason, size_t size)
{
    void *symbol = dlsym(lib, name);
    if (!symbol) {
        snprintf(reason, size, "NVML unavailable: the library has no %s (driver too old, or "
                 "not NVML)", name);
        return 0;
    }
    memcpy(slot, &symbol, sizeof symbol); /* object pointer -> function pointer, POSIX */
    return 1;
}

int wg_nvml_open(const char *name, wg_nvml *table, char *reason, size_t size)
{
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(reason, size, "NVML unavailable: cannot load %s (%s): no NVIDIA driver on "
                 "this machine", name, why ? why : "dlopen failed");
        return 0;
    }
    int (*init)(void) = NULL;
    wg_nvml *t = table;
    if (!nvml_bind(lib, "nvmlInit_v2", &init, reason, size) ||
        !nvml_bind(lib, "nvmlErrorString", &t->error_string, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetHandleByIndex_v2", &t->handle_by_index, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetHandleByPciBusId_v2", &t->handle_by_pci_bus_id, reason,
                   size) ||
        !nvml_bind(lib, "nvmlDeviceGetTotalEnergyConsumption", &t->total_energy, reason,
                   size) ||
        !nvml_bind(lib, "nvmlDeviceGetClockInfo", &t->clock_info, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetMaxClockInfo", &t->max_clock_info, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetPowerUsage", &t->power_usage, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetEnforcedPowerLimit", &t->power_limit, reason, size) ||
        !nvml_bind(lib, "nvmlDeviceGetTemperature", &t->temperature, reason, size)) {
        dlclose(lib);
        return 0;
    }
    const int rc = init();
    if (rc != 0) {
        snprintf(reason, size, "NVML unavailable: nvmlInit_v2 failed: %s",
                 t->error_string(rc));
        dlclose(lib);
        return 0;
    }
    return 1; /* the library stays open for the process's life */
}

static void nvml_load(void)
{
    const char *name = getenv("WHYGPU_NVML");
    if (!name || !*name) name = NVML_DEFAULT_LIBRARY;
    nvml_loaded = wg_nvml_open(name, &nvml_table, nvml_reason, sizeof nvml_reason);
}

wg_nvml *wg_nvml_get(char *reason, size_t size)
{
    pthread_once(&nvml_once, nvml_load);
    if (nvml_loaded) return &nvml_table;
    if (reason && size) snprintf(reason, size, "%s", nvml_reason);
    return NULL;
}

int wg_nvml_handle(wg_nvml *nvml, int device, void **handle, char *reason, size_t size)
{
    char bus_id[64];
    int rc;
    if (wg_cuda_pci_bus_id(device, bus_id, sizeof bus_id) == WG_OK) {
        rc = nvml->handle_by_pci_bus_id(bus_id, handle);
        if (rc == 0) return 1;
        snprintf(reason, size, "NVML finds no GPU at PCI %s (cuda:%d): %s", bus_id, device,
                 nvml->error_string(rc));
        return 0;
    }
    if (device < 0) {
        snprintf(reason, size, "no GPU cuda:%d", device);
        return 0;
    }
    rc = nvml->handle_by_index((unsigned)device, handle); /* CUDA cannot say: same index */
    if (rc == 0) return 1;
    snprintf(reason, size, "NVML has no GPU %d: %s", device, nvml->error_string(rc));
    return 0;
}

void wg_nvml_power(wg_nvml *nvml, void *handle, wg_gpu_power *out)
{
    unsigned value = 0;
    out->sm_clock_mhz = out->sm_clock_max_mhz = NAN;
    out->power_watts = out->power_limit_watts = out->temperature_c = NAN;
    int rc = nvml->clock_info(handle, NVML_CLOCK_SM, &value);
    if (rc != 0) {
        out->available = 0;
        snprintf(out->reason, sizeof out->reason, "nvmlDeviceGetClockInfo: %s",
                 nvml->error_string(rc));
        return;
    }
    out->available = 1;
    out->reason[0] = '\0';
    out->sm_clock_mhz = value;
    out->sm_clock_max_mhz = nvml->max_clock_info(handle, NVML_CLOCK_SM, &value) == 0 ? value : NAN;
    out->power_watts = nvml->power_usage(handle, &value) == 0 ? value * 1e-3 : NAN;
    out->power_limit_watts = nvml->power_limit(handle, &value) == 0 ? value * 1e-3 : NAN;
    out->temperature_c =
        nvml->temperature(handle, NVML_TEMPERATURE_GPU, &value) == 0 ? value : NAN;
}
