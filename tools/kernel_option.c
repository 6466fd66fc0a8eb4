/*
 * kernel_option.c - `--kernel NAME` for the commands that compare the CPU with a GPU (see
 * kernel_option.h). The GPU's registry is asked first, so the old names ("reference",
 * "tiled", "cublas"), which the CUDA registry keeps as aliases, still pick the GPU kernel
 * as they did before the registry.
 */
#include "kernel_option.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int kernel_option_parse(const char *command, const char *text, const wg_kernel **cpu,
                        const wg_kernel **gpu)
{
    if (strcmp(text, "auto") == 0) {
        *cpu = *gpu = NULL;
        return 0;
    }
    const wg_kernel *kernel = NULL;
    if (wg_kernel_find(WG_DEVICE_CUDA, text, &kernel) == WG_OK) {
        *gpu = kernel;
        return 0;
    }
    char cuda_names[512];
    snprintf(cuda_names, sizeof cuda_names, "%s", wg_error_message());
    if (wg_kernel_find(WG_DEVICE_CPU, text, &kernel) == WG_OK) {
        *cpu = kernel;
        return 0;
    }
    return cli_usage_error(command, "--kernel: %s; %s", wg_error_message(), cuda_names);
}

const char *kernel_option_name(const wg_kernel *kernel)
{
    return kernel ? kernel->name : "auto";
}
