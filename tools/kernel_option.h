/*
 * kernel_option.h - `--kernel NAME` of demo and sweep, which compare the CPU with a GPU:
 * a name of the CUDA registry picks the GPU's kernel, else a name of the CPU registry
 * picks the CPU's; "auto" leaves both to the library.
 */
#ifndef WG_KERNEL_OPTION_H
#define WG_KERNEL_OPTION_H

#include "whygpu.h"

/* 0 with *cpu or *gpu set (the other untouched); "auto" sets both to NULL. Otherwise a
 * one-line usage error naming the valid names is printed and CLI_EXIT_USAGE returned. */
int kernel_option_parse(const char *command, const char *text, const wg_kernel **cpu,
                        const wg_kernel **gpu);

/* --dtype fp32|tf32|bf16 (wg_precision_parse): 0 with *out set, or a one-line usage error
 * and CLI_EXIT_USAGE. */
int dtype_option_parse(const char *command, const char *text, wg_precision *out);

/* The matmul kernel a device uses under --dtype and --kernel. *kernel holds the --kernel
 * choice of this device (NULL: auto) and is replaced by the answer:
 *  - a named kernel is kept; with dtype_given its precision must be `precision`;
 *  - auto with FP32 stays NULL (the device's auto);
 *  - auto with TF32 or BF16 becomes wg_kernel_best(device, precision).
 * 0, or a printed one-line error: CLI_EXIT_USAGE for a kernel of another precision or a
 * precision the device kind has no arithmetic for (the CPU has no TF32, OpenCL computes in
 * FP32 only), CLI_EXIT_FAILURE when no kernel of the precision runs on this device. */
int kernel_option_resolve(const char *command, wg_device device, wg_precision precision,
                          int dtype_given, const wg_kernel **kernel);

/* The precision a device computes in with `kernel` (NULL: auto, FP32). */
wg_precision kernel_option_precision(const wg_kernel *kernel);

/* The kernel's name, "auto" for NULL. */
const char *kernel_option_name(const wg_kernel *kernel);

#endif /* WG_KERNEL_OPTION_H */
