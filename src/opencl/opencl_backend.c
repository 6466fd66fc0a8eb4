/*
 * opencl_backend.c - the OpenCL device's table of operations (backend.h), pointing at the
 * functions of the files beside this one, and the public discovery calls.
 */
#include "opencl_backend.h"

int wg_built_with_opencl(void) { return 1; }

const wg_backend wg_opencl_backend = {
    .name = "opencl",
    .check = wg_ocl_check,
    .alloc = wg_ocl_alloc,
    .release = wg_ocl_release,
    .copy_from_host = wg_ocl_copy_from_host,
    .copy_to_host = wg_ocl_copy_to_host,
    .fill = wg_ocl_fill,
    .fill_uniform = wg_ocl_fill_uniform,
    .mul = wg_ocl_mul,
    .add = wg_ocl_add,
    .relu = wg_ocl_relu,
    .convert = wg_ocl_convert,
    WG_OPENCL_BACKEND_KERNELS,
    .synchronize = wg_ocl_synchronize,
    .timer_start = wg_ocl_timer_start,
    .timer_stop = wg_ocl_timer_stop,
};
