/*
 * cuda_backend.c - the CUDA device's table of operations (backend.h), pointing at the
 * C-interface functions implemented in the .cu files beside this one.
 */
#include "cuda_backend.h"
#include "../cuda_kernels.h"

int wg_built_with_cuda(void) { return 1; }

const wg_backend wg_cuda_backend = {
    .name = "cuda",
    .check = wg_cuda_check,
    .alloc = wg_cuda_alloc,
    .release = wg_cuda_release,
    .copy_from_host = wg_cuda_copy_from_host,
    .copy_to_host = wg_cuda_copy_to_host,
    .fill = wg_cuda_fill,
    .fill_uniform = wg_cuda_fill_uniform,
    .mul = wg_cuda_mul,
    .add = wg_cuda_add,
    .relu = wg_cuda_relu,
    .convert = wg_cuda_convert,
    WG_CUDA_BACKEND_KERNELS,
    .synchronize = wg_cuda_synchronize,
    .timer_start = wg_cuda_timer_start,
    .timer_stop = wg_cuda_timer_stop,
};
