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

int dtype_option_parse(const char *command, const char *text, wg_precision *out)
{
    if (wg_precision_parse(text, out) != WG_OK)
        return cli_usage_error(command, "--dtype: %s", wg_error_message());
    return 0;
}

wg_precision kernel_option_precision(const wg_kernel *kernel)
{
    return kernel ? kernel->precision : WG_PRECISION_FP32;
}

int kernel_option_resolve(const char *command, wg_device device, wg_precision precision,
                          int dtype_given, const wg_kernel **kernel)
{
    const char *name = wg_precision_name(precision);
    if (*kernel) {
        if (dtype_given && (*kernel)->precision != precision)
            return cli_usage_error(command, "--kernel %s computes in %s, not --dtype %s: "
                                   "drop one of them or pick a %s kernel ('whygpu kernels')",
                                   (*kernel)->name, wg_precision_name((*kernel)->precision),
                                   name, name);
        return 0;
    }
    if (precision == WG_PRECISION_FP32) return 0;
    if (device.kind == WG_DEVICE_CPU && precision == WG_PRECISION_TF32)
        return cli_usage_error(command, "--dtype tf32: the CPU has no tf32 arithmetic; use "
                               "fp32 or bf16");
    if (device.kind == WG_DEVICE_OPENCL)
        return cli_usage_error(command, "--dtype %s: the OpenCL kernels compute in fp32 only; "
                               "use --dtype fp32", name);
    if (wg_kernel_best(device, precision, kernel) != WG_OK) {
        fprintf(stderr, "whygpu %s: --dtype %s: %s\n", command, name, wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
