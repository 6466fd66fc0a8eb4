/*
 * nn_backend.c - picks the layer-operation table (nn_backend.h) of a device.
 */
#include "nn_backend.h"

#include "../error.h"

const wg_nn_backend *wg_nn_backend_for(wg_device device)
{
    if (device.kind == WG_DEVICE_CPU) return &wg_nn_cpu;
    if (device.kind == WG_DEVICE_CUDA) return &wg_nn_cuda; /* the stub's without nvcc */
    if (device.kind == WG_DEVICE_OPENCL) return &wg_nn_opencl; /* likewise without OpenCL */
    wg_fail(WG_ERR_NO_DEVICE, "unknown device kind %d", (int)device.kind);
    return NULL;
}
