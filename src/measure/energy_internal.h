/*
 * energy_internal.h - the NVML loader shared by energy.c (meters) and the clock/power
 * snapshot: libnvidia-ml opened with dlopen at run time (energy_nvml.c), never linked, so
 * whygpu runs where the NVIDIA driver is absent and says why NVML is unavailable.
 */
#ifndef WG_ENERGY_INTERNAL_H
#define WG_ENERGY_INTERNAL_H

#include <stddef.h>

#include "whygpu_lab.h"

/* The NVML entry points whygpu uses (nvml.h's signatures; handles as void *, return codes
 * as int, 0 = NVML_SUCCESS). */
typedef struct wg_nvml {
    const char *(*error_string)(int result);
    int (*handle_by_index)(unsigned index, void **device);
    int (*handle_by_pci_bus_id)(const char *bus_id, void **device);
    int (*total_energy)(void *device, unsigned long long *millijoules);
    int (*clock_info)(void *device, int type, unsigned *mhz);
    int (*max_clock_info)(void *device, int type, unsigned *mhz);
    int (*power_usage)(void *device, unsigned *milliwatts);
    int (*power_limit)(void *device, unsigned *milliwatts);
    int (*temperature)(void *device, int sensor, unsigned *celsius);
} wg_nvml;

/* Opens NVML from the library `name` and initialises it into *table; 0 with the reason
 * (cannot load, a symbol missing, nvmlInit failed). */
int wg_nvml_open(const char *name, wg_nvml *table, char *reason, size_t size);

/* NVML, loaded and initialised once per process (the library named by $WHYGPU_NVML, else
 * libnvidia-ml.so.1); NULL with the reason when it cannot be (the reason of the first try
 * is kept: loading is not retried). */
wg_nvml *wg_nvml_get(char *reason, size_t size);

/* The NVML handle of CUDA device `device` (matched by PCI bus id, since CUDA and NVML may
 * number GPUs differently; by index when the CUDA side cannot say); 0 with the reason. */
int wg_nvml_handle(wg_nvml *nvml, int device, void **handle, char *reason, size_t size);

/* Fills the clock and power fields of *out from `handle` (NaN for a field NVML refuses);
 * available 1 when at least the SM clock was read, else the reason. */
void wg_nvml_power(wg_nvml *nvml, void *handle, wg_gpu_power *out);

#endif /* WG_ENERGY_INTERNAL_H */
