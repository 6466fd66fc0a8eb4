/*
 * nn_opencl.c - the OpenCL device's layer operations for training (src/nn/nn_backend.h),
 * kernels in kernels/nn.cl. Like CUDA's, every entry only queues work on the device's
 * in-order queue (the GEMMs of a step go to the same queue), so nothing inside a step
 * waits for the device. The loss statistics are doubles in device memory: devices without
 * cl_khr_fp64 cannot train here, and say so.
 */
#include <inttypes.h>
#include <pthread.h>

#include "../nn/nn_backend.h"
#include "opencl_internal.h"

static const wg_ocl_source nn_source = {"nn.cl",
#include "nn.cl.h"
};

#define LOCAL_SIZE 64

static wg_status nn_kernel(int index, const char *name, wg_ocl_device **dev, cl_kernel *kernel)
{
    wg_status status = wg_ocl_device_get(index, dev);
    if (status != WG_OK) return status;
    const wg_ocl_source *sources[] = {&nn_source};
    return wg_ocl_kernel(*dev, sources, 1, NULL, name, kernel);
}

/* A 1-D launch of `items` work-items (grid-stride kernels: capped like elementwise ones,
 * or exact with `exact`, one work-item per item). */
static wg_status launch(wg_ocl_device *dev, cl_kernel kernel, const wg_ocl_arg *args, int nargs,
                        int64_t items, int exact, const char *what)
{
    const size_t local = LOCAL_SIZE;
    const size_t global = exact ? wg_ocl_round_up((size_t)items, local)
                                : wg_ocl_elementwise_global(dev, items, local);
    return wg_ocl_enqueue(dev, kernel, args, nargs, 1, &global, &local, NULL, what);
}

/* Resolves a float array of `count` elements. */
#define RESOLVE(ptr, count, size, mem, off)                                             \
    do {                                                                               \
        wg_status s_ = wg_ocl_resolve_elems(index, (ptr), (count), (size), &(mem), &(off)); \
        if (s_ != WG_OK) return s_;                                                    \
    } while (0)

static wg_status ocl_bias_act(int index, float *y, const float *bias, int64_t rows, int64_t cols,
                              int relu)
{
    if (rows < 1 || cols < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    wg_status status = nn_kernel(index, "wg_bias_act", &dev, &kernel);
    if (status != WG_OK) return status;
    cl_mem my, mb;
    cl_ulong oy, ob;
    RESOLVE(y, rows * cols, sizeof(float), my, oy);
    RESOLVE(bias, cols, sizeof(float), mb, ob);
    const cl_long r = rows, c = cols;
    const cl_int act = relu;
    const wg_ocl_arg args[] = {WG_CL_ARG(my), WG_CL_ARG(oy), WG_CL_ARG(mb), WG_CL_ARG(ob),
                               WG_CL_ARG(r),  WG_CL_ARG(c),  WG_CL_ARG(act)};
    return launch(dev, kernel, args, 7, rows * cols, 0, "bias_act");
}

static wg_status ocl_bias_act_backward(int index, float *dy, const float *y, float *dbias,
                                       int64_t rows, int64_t cols, int relu)
{
    if (rows < 1 || cols < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    wg_status status = nn_kernel(index, "wg_bias_act_backward", &dev, &kernel);
    if (status != WG_OK) return status;
    cl_mem md, my, mb;
    cl_ulong od, oy = 0, ob;
    RESOLVE(dy, rows * cols, sizeof(float), md, od);
    if (relu)
        RESOLVE(y, rows * cols, sizeof(float), my, oy);
    else
        my = md; /* not read */
    RESOLVE(dbias, cols, sizeof(float), mb, ob);
    const cl_long r = rows, c = cols;
    const cl_int act = relu;
    const wg_ocl_arg args[] = {WG_CL_ARG(md), WG_CL_ARG(od), WG_CL_ARG(my), WG_CL_ARG(oy),
                               WG_CL_ARG(mb), WG_CL_ARG(ob), WG_CL_ARG(r),  WG_CL_ARG(c),
                               WG_CL_ARG(act)};
    return launch(dev, kernel, args, 9, cols, 1, "bias_act_backward");
}

/* The per-row scratch of softmax_xent: one buffer per device, grown as needed (a buffer
 * still used by queued kernels stays alive until they end). */
static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;
static cl_mem scratch[64];
static size_t scratch_bytes[64];

static wg_status scratch_get(wg_ocl_device *dev, size_t bytes, cl_mem *out)
{
    if (dev->index < 0 || dev->index >= 64)
        return wg_fail(WG_ERR_UNSUPPORTED, "opencl:%d: device index too large", dev->index);
    pthread_mutex_lock(&scratch_lock);
    if (scratch_bytes[dev->index] < bytes) {
        if (scratch[dev->index]) clReleaseMemObject(scratch[dev->index]);
        scratch[dev->index] = NULL;
        scratch_bytes[dev->index] = 0;
        cl_int err = CL_SUCCESS;
        cl_mem mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
        if (err != CL_SUCCESS) {
            pthread_mutex_unlock(&scratch_lock);
            return wg_ocl_fail(err, "opencl:%d: allocating %zu bytes of loss scratch",
                               dev->index, bytes);
        }
        scratch[dev->index] = mem;
        scratch_bytes[dev->index] = bytes;
    }
    *out = scratch[dev->index];
    pthread_mutex_unlock(&scratch_lock);
    return WG_OK;
}

static wg_status ocl_softmax_xent(int index, const float *logits, const uint8_t *labels,
                                  int64_t rows, int64_t classes, float scale, float *dlogits,
                                  wg_nn_stats *stats)
{
    if (rows < 1 || classes < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel rows_kernel = NULL, add_kernel = NULL;
    wg_status status = nn_kernel(index, "wg_softmax_xent_rows", &dev, &rows_kernel);
    if (status != WG_OK) return status;
    if (!dev->has_fp64)
        return wg_fail(WG_ERR_UNSUPPORTED,
                       "opencl:%d (%s) has no double precision (cl_khr_fp64), which the "
                       "training loss sums need",
                       index, dev->name);
    status = nn_kernel(index, "wg_stats_add", &dev, &add_kernel);
    if (status != WG_OK) return status;
    cl_mem ml, mlab, md, ms, partial;
    cl_ulong ol, olab, od = 0, os;
    RESOLVE(logits, rows * classes, sizeof(float), ml, ol);
    RESOLVE(labels, rows, 1, mlab, olab);
    if (dlogits)
        RESOLVE(dlogits, rows * classes, sizeof(float), md, od);
    else
        md = ml; /* not written */
    RESOLVE(stats, 2, sizeof(double), ms, os);
    status = scratch_get(dev, (size_t)rows * 2 * sizeof(float), &partial);
    if (status != WG_OK) return status;
    const cl_long r = rows, c = classes;
    const cl_int with_grad = dlogits != NULL;
    const wg_ocl_arg args[] = {WG_CL_ARG(ml), WG_CL_ARG(ol),   WG_CL_ARG(mlab), WG_CL_ARG(olab),
                               WG_CL_ARG(r),  WG_CL_ARG(c),    WG_CL_ARG(scale), WG_CL_ARG(md),
                               WG_CL_ARG(od), WG_CL_ARG(with_grad), WG_CL_ARG(partial)};
    status = launch(dev, rows_kernel, args, 11, rows, 1, "softmax_xent");
    if (status != WG_OK) return status;
    const wg_ocl_arg sum_args[] = {WG_CL_ARG(partial), WG_CL_ARG(r), WG_CL_ARG(ms), WG_CL_ARG(os)};
    const size_t one = LOCAL_SIZE;
    return wg_ocl_enqueue(dev, add_kernel, sum_args, 4, 1, &one, &one, NULL,
                          "the loss sum of softmax_xent");
}

static wg_status ocl_stats_reset(int index, wg_nn_stats *stats)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    cl_mem mem;
    size_t off = 0;
    status = wg_ocl_resolve(index, stats, sizeof *stats, &mem, &off);
    if (status != WG_OK) return status;
    const cl_uint zero = 0;
    WG_CL_TRY(clEnqueueFillBuffer(dev->queue, mem, &zero, sizeof zero, off, sizeof *stats, 0,
                                  NULL, NULL),
              "opencl:%d: zeroing the training statistics (clEnqueueFillBuffer)", index);
    return WG_OK;
}

static wg_status ocl_sgd(int index, float *w, float *v, const float *g, int64_t n, float lr,
                         float momentum)
{
    if (n < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    wg_status status = nn_kernel(index, "wg_sgd", &dev, &kernel);
    if (status != WG_OK) return status;
    cl_mem mw, mv, mg;
    cl_ulong ow, ov, og;
    RESOLVE(w, n, sizeof(float), mw, ow);
    RESOLVE(v, n, sizeof(float), mv, ov);
    RESOLVE(g, n, sizeof(float), mg, og);
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(mw), WG_CL_ARG(ow), WG_CL_ARG(mv),    WG_CL_ARG(ov),
                               WG_CL_ARG(mg), WG_CL_ARG(og), WG_CL_ARG(count), WG_CL_ARG(lr),
                               WG_CL_ARG(momentum)};
    return launch(dev, kernel, args, 9, n, 0, "sgd");
}

static wg_status ocl_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                          float lr_t, float beta1, float beta2, float eps_t)
{
    if (n < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    wg_status status = nn_kernel(index, "wg_adam", &dev, &kernel);
    if (status != WG_OK) return status;
    cl_mem mw, mm, mv, mg;
    cl_ulong ow, om, ov, og;
    RESOLVE(w, n, sizeof(float), mw, ow);
    RESOLVE(m, n, sizeof(float), mm, om);
    RESOLVE(v, n, sizeof(float), mv, ov);
    RESOLVE(g, n, sizeof(float), mg, og);
    const cl_long count = n;
    const wg_ocl_arg args[] = {WG_CL_ARG(mw),    WG_CL_ARG(ow),    WG_CL_ARG(mm),
                               WG_CL_ARG(om),    WG_CL_ARG(mv),    WG_CL_ARG(ov),
                               WG_CL_ARG(mg),    WG_CL_ARG(og),    WG_CL_ARG(count),
                               WG_CL_ARG(lr_t),  WG_CL_ARG(beta1), WG_CL_ARG(beta2),
                               WG_CL_ARG(eps_t)};
    return launch(dev, kernel, args, 13, n, 0, "adam");
}

static wg_status ocl_gather(int index, const float *images, const uint8_t *labels,
                            const int32_t *order, int64_t first, int64_t rows, int64_t features,
                            float *x, uint8_t *y)
{
    if (rows < 1 || features < 1) return WG_OK;
    wg_ocl_device *dev = NULL;
    cl_kernel kernel = NULL;
    wg_status status = nn_kernel(index, "wg_gather", &dev, &kernel);
    if (status != WG_OK) return status;
    cl_mem mi, ml, mo, mx, my;
    cl_ulong oi, ol, oo, ox, oy;
    size_t image_bytes = 0, label_bytes = 0;
    /* the dataset buffers: only their start is known here, the kernel reads inside them */
    status = wg_ocl_resolve(index, images, sizeof(float), &mi, &image_bytes);
    if (status == WG_OK) status = wg_ocl_resolve(index, labels, 1, &ml, &label_bytes);
    if (status != WG_OK) return status;
    oi = image_bytes / sizeof(float);
    ol = label_bytes;
    RESOLVE(order, first + rows, sizeof(int32_t), mo, oo);
    RESOLVE(x, rows * features, sizeof(float), mx, ox);
    RESOLVE(y, rows, 1, my, oy);
    const cl_long f0 = first, r = rows, f = features;
    const wg_ocl_arg args[] = {WG_CL_ARG(mi), WG_CL_ARG(oi), WG_CL_ARG(ml), WG_CL_ARG(ol),
                               WG_CL_ARG(mo), WG_CL_ARG(oo), WG_CL_ARG(f0), WG_CL_ARG(r),
                               WG_CL_ARG(f),  WG_CL_ARG(mx), WG_CL_ARG(ox), WG_CL_ARG(my),
                               WG_CL_ARG(oy)};
    return launch(dev, kernel, args, 13, rows * features, 0, "gather");
}

const wg_nn_backend wg_nn_opencl = {
    .bias_act = ocl_bias_act,
    .bias_act_backward = ocl_bias_act_backward,
    .softmax_xent = ocl_softmax_xent,
    .stats_reset = ocl_stats_reset,
    .sgd = ocl_sgd,
    .adam = ocl_adam,
    .gather = ocl_gather,
};
