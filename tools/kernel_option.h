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

/* The kernel's name, "auto" for NULL. */
const char *kernel_option_name(const wg_kernel *kernel);

#endif /* WG_KERNEL_OPTION_H */
