/*
 * opencl_elementwise.c - the backend's elementwise entries (kernels/elementwise.cl):
 * fill, fill_uniform, mul, add, relu, convert (fp32 <-> bf16). Launched on the device's queue, not waited for.
 */
#include <inttypes.h>

#include "opencl_internal.h"

const wg_ocl_source wg_ocl_common_source = {"common.cl",
#include "common.cl.h"
};

static const wg_ocl_source elementwise_source = {"elementwise.cl",
#include "elementwise.cl.h"
};

#define LOCAL_SIZE 64

/* The device and kernel for an elementwise op; *skip when n is 0. */
static wg_status prepare(int index, const char *kernel_name, int64_t n, wg_ocl_device **dev,
                         cl_kernel *kernel, int *skip)
{
    *skip = 0;
    if (n < 0)
        return wg_fail(WG_ERR_ARGUMENT, "opencl:%d %s: negative size %" PRId64, index,
                       kernel_name, n);
    if (n == 0) {
        *skip = 1;
        return WG_OK;
    }
    wg_status status = wg_ocl_device_get(index, dev);
    if (status != WG_OK) return status;
    const wg_ocl_source *sources[] = {&elementwise_source};
    return wg_ocl_kernel(*dev, sources, 1, NULL, kernel_name, kernel);
}

static wg_status launch(wg_ocl_device *dev, cl_kernel kernel, const wg_ocl_arg *args, int nargs,
                        int64_t n, const char *what)
{
    const size_t local = LOCAL_SIZE;
    const size_t global = wg_ocl_elementwise_global(dev, n, local);
    return wg_ocl_enqueue(dev, kernel, args, nargs, 1, &global, &local, NULL, what);
}

wg_status wg_ocl_fill(int index, float *dst, int64_t n, float value)
{
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    int skip = 0;
    wg_status status = prepare(index, "wg_fill", n, &dev, &kernel, &skip);
    if (status != WG_OK || skip) return status;
    cl_mem mem = NULL;
    cl_ulong off = 0;
    status = wg_ocl_resolve_elems(index, dst, n, sizeof(float), &mem, &off);
    if (status != WG_OK) return status;
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(mem), WG_CL_ARG(off), WG_CL_ARG(count),
                               WG_CL_ARG(value)};
    return launch(dev, kernel, args, 4, n, "the fill kernel");
}

wg_status wg_ocl_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                              uint64_t seed)
{
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    int skip = 0;
    wg_status status = prepare(index, "wg_fill_uniform", n, &dev, &kernel, &skip);
    if (status != WG_OK || skip) return status;
    cl_mem mem = NULL;
    cl_ulong off = 0;
    status = wg_ocl_resolve_elems(index, dst, n, sizeof(float), &mem, &off);
    if (status != WG_OK) return status;
    const cl_long count = n;
    const cl_ulong s = seed;
    const wg_ocl_arg args[] = {WG_CL_ARG(mem), WG_CL_ARG(off), WG_CL_ARG(count),
                               WG_CL_ARG(low), WG_CL_ARG(high), WG_CL_ARG(s)};
    return launch(dev, kernel, args, 6, n, "the uniform fill kernel");
}

static wg_status binary(int index, const char *name, const float *a, const float *b, float *out,
                        int64_t n)
{
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    int skip = 0;
    wg_status status = prepare(index, name, n, &dev, &kernel, &skip);
    if (status != WG_OK || skip) return status;
    cl_mem ma = NULL, mb = NULL, mo = NULL;
    cl_ulong oa = 0, ob = 0, oo = 0;
    status = wg_ocl_resolve_elems(index, a, n, sizeof(float), &ma, &oa);
    if (status == WG_OK) status = wg_ocl_resolve_elems(index, b, n, sizeof(float), &mb, &ob);
    if (status == WG_OK) status = wg_ocl_resolve_elems(index, out, n, sizeof(float), &mo, &oo);
    if (status != WG_OK) return status;
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(ma), WG_CL_ARG(oa), WG_CL_ARG(mb), WG_CL_ARG(ob),
                               WG_CL_ARG(mo), WG_CL_ARG(oo), WG_CL_ARG(count)};
    return launch(dev, kernel, args, 7, n, name);
}

wg_status wg_ocl_mul(int index, const float *a, const float *b, float *out, int64_t n)
{
    return binary(index, "wg_mul", a, b, out, n);
}

wg_status wg_ocl_add(int index, const float *a, const float *b, float *out, int64_t n)
{
    return binary(index, "wg_add", a, b, out, n);
}

wg_status wg_ocl_relu(int index, const float *x, float *out, int64_t n)
{
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    int skip = 0;
    wg_status status = prepare(index, "wg_relu", n, &dev, &kernel, &skip);
    if (status != WG_OK || skip) return status;
    cl_mem mx = NULL, mo = NULL;
    cl_ulong ox = 0, oo = 0;
    status = wg_ocl_resolve_elems(index, x, n, sizeof(float), &mx, &ox);
    if (status == WG_OK) status = wg_ocl_resolve_elems(index, out, n, sizeof(float), &mo, &oo);
    if (status != WG_OK) return status;
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(mx), WG_CL_ARG(ox), WG_CL_ARG(mo), WG_CL_ARG(oo),
                               WG_CL_ARG(count)};
    return launch(dev, kernel, args, 5, n, "the relu kernel");
}

wg_status wg_ocl_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                         int64_t n)
{
    const int narrow = from == WG_DTYPE_FP32 && to == WG_DTYPE_BF16;
    if (!narrow && !(from == WG_DTYPE_BF16 && to == WG_DTYPE_FP32))
        return wg_fail(WG_ERR_ARGUMENT, "opencl:%d convert: no conversion from %s to %s", index,
                       wg_dtype_name(from), wg_dtype_name(to));
    const char *name = narrow ? "wg_to_bf16" : "wg_from_bf16";
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    int skip = 0;
    wg_status status = prepare(index, name, n, &dev, &kernel, &skip);
    if (status != WG_OK || skip) return status;
    cl_mem ms = NULL, md = NULL;
    cl_ulong os = 0, od = 0;
    status = wg_ocl_resolve_elems(index, src, n, wg_dtype_size(from), &ms, &os);
    if (status == WG_OK) status = wg_ocl_resolve_elems(index, dst, n, wg_dtype_size(to), &md, &od);
    if (status != WG_OK) return status;
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(ms), WG_CL_ARG(os), WG_CL_ARG(md), WG_CL_ARG(od),
                               WG_CL_ARG(count)};
    return launch(dev, kernel, args, 5, n, narrow ? "the fp32 -> bf16 conversion"
                                                  : "the bf16 -> fp32 conversion");
}
