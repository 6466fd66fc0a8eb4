/*
 * nn_backend.c - picks the layer-operation table (nn_backend.h) of a device.
 */
#include "nn_backend.h"

#include "../error.h"

const wg_nn_backend *wg_nn_backend_for(wg_device device)
{
    if (device.kind == WG_DEVICE_CPU) return &wg_nn_cpu;
#ifdef WG_WITH_CUDA
    if (device.kind == WG_DEVICE_CUDA) return &wg_nn_cuda;
#endif
#ifdef WG_WITH_OPENCL
    if (device.kind == WG_DEVICE_OPENCL) return &wg_nn_opencl;
#endif
    if (device.kind == WG_DEVICE_CUDA)
        wg_fail(WG_ERR_NO_DEVICE, "cuda:%d: this whygpu was built without CUDA", device.index);
    else if (device.kind == WG_DEVICE_OPENCL)
        wg_fail(WG_ERR_NO_DEVICE, "opencl:%d: this whygpu was built without OpenCL", device.index);
    else
        wg_fail(WG_ERR_NO_DEVICE, "unknown device kind %d", (int)device.kind);
    return NULL;
}
