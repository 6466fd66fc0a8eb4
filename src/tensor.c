/*
 * tensor.c - shapes, creation, to(device), and the operations' front door.
 *
 * Everything a user can get wrong is checked here, once, with a message naming the values:
 * ranks, sizes, 64-bit overflow, devices that are absent or that do not match, shapes that
 * do not fit, dtypes that differ. Then the work is handed to the backend of the device that
 * holds the data. A tensor stores float32 or bfloat16 (its dtype); the backends' arithmetic
 * is float32, so a BF16 operation is widened, computed and rounded back (run_elementwise).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "tensor_internal.h"

/* "[3, 4]" into buf. */
static const char *format_shape(int rank, const int64_t *shape, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%" PRId64, i ? ", " : "",
                                 shape[i]);
    if (used < size) snprintf(buf + used, size - used, "]");
    return buf;
}

const char *wg_tensor_format_shape(const wg_tensor *t, char *buf, size_t size)
{
    return format_shape(t->rank, t->shape, buf, size);
}

wg_status wg_shape_numel(int rank, const int64_t *shape, int64_t *numel)
{
    if (!numel) return wg_fail(WG_ERR_ARGUMENT, "wg_shape_numel: NULL output pointer");
    if (rank < 0 || rank > WG_MAX_RANK)
        return wg_fail(WG_ERR_ARGUMENT, "rank %d is out of range 0..%d", rank, WG_MAX_RANK);
    if (rank > 0 && !shape) return wg_fail(WG_ERR_ARGUMENT, "rank %d with a NULL shape", rank);
    int64_t count = 1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 1) {
            char buf[128];
            return wg_fail(WG_ERR_ARGUMENT, "size %" PRId64 " of axis %d in shape %s is not >= 1",
                           shape[i], i, format_shape(rank, shape, buf, sizeof buf));
        }
        if (wg_mul_i64(count, shape[i], &count) != WG_OK) {
            char buf[128];
            return wg_fail(WG_ERR_OVERFLOW, "shape %s has more elements than fit in 64 bits",
                           format_shape(rank, shape, buf, sizeof buf));
        }
    }
    *numel = count;
    return WG_OK;
}

/* Checks the shape, the dtype and the device, then allocates an uninitialised tensor
 * (numel elements of the dtype's size). */
static wg_status tensor_create(int rank, const int64_t *shape, wg_dtype dtype, wg_device device,
                               wg_tensor **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output pointer");
    const size_t elem = wg_dtype_size(dtype);
    if (elem == 0)
        return wg_fail(WG_ERR_ARGUMENT, "unknown dtype %d: expected fp32 (%d) or bf16 (%d)",
                       (int)dtype, (int)WG_DTYPE_FP32, (int)WG_DTYPE_BF16);
    int64_t numel = 0;
    wg_status status = wg_shape_numel(rank, shape, &numel);
    if (status != WG_OK) return status;
    int64_t bytes = 0;
    if (wg_mul_i64(numel, (int64_t)elem, &bytes) != WG_OK) {
        char buf[128];
        return wg_fail(WG_ERR_OVERFLOW, "shape %s of %s needs more bytes than fit in 64 bits",
                       format_shape(rank, shape, buf, sizeof buf), wg_dtype_name(dtype));
    }
    if ((uint64_t)bytes > (uint64_t)SIZE_MAX)
        return wg_fail(WG_ERR_OVERFLOW, "%" PRId64 " bytes do not fit in size_t", bytes);
    status = wg_device_check(device);
    if (status != WG_OK) return status;

    wg_tensor *t = calloc(1, sizeof *t);
    if (!t) return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate a tensor header");
    t->rank = rank;
    for (int i = 0; i < WG_MAX_RANK; i++) t->shape[i] = i < rank ? shape[i] : 1;
    t->numel = numel;
    t->device = device;
    t->dtype = dtype;
    void *storage = NULL;
    status = wg_backend_for(device)->alloc(device.index, (size_t)bytes, &storage);
    if (status != WG_OK) {
        char buf[128];
        wg_tensor_format_shape(t, buf, sizeof buf);
        free(t);
        return wg_fail_context(status, "tensor %s of %s", buf, wg_dtype_name(dtype));
    }
    t->storage = storage;
    t->data = dtype == WG_DTYPE_FP32 ? storage : NULL;
    *out = t;
    return WG_OK;
}

static size_t tensor_bytes(const wg_tensor *t)
{
    return (size_t)t->numel * wg_dtype_size(t->dtype);
}

wg_status wg_tensor_empty(int rank, const int64_t *shape, wg_device device, wg_tensor **out)
{
    return tensor_create(rank, shape, WG_DTYPE_FP32, device, out);
}

wg_status wg_tensor_empty_dtype(int rank, const int64_t *shape, wg_dtype dtype,
                                wg_device device, wg_tensor **out)
{
    return tensor_create(rank, shape, dtype, device, out);
}

wg_status wg_tensor_full(int rank, const int64_t *shape, float value, wg_device device,
                         wg_tensor **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_full: NULL output pointer");
    wg_tensor *t = NULL;
    wg_status status = tensor_create(rank, shape, WG_DTYPE_FP32, device, &t);
    if (status != WG_OK) return status;
    status = wg_backend_for(device)->fill(device.index, t->data, t->numel, value);
    if (status != WG_OK) {
        wg_tensor_free(t);
        return status;
    }
    *out = t;
    return WG_OK;
}

wg_status wg_tensor_zeros(int rank, const int64_t *shape, wg_device device, wg_tensor **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_zeros: NULL output pointer");
    return wg_tensor_full(rank, shape, 0.0f, device, out);
}

wg_status wg_tensor_rand(int rank, const int64_t *shape, float low, float high, uint64_t seed,
                         wg_device device, wg_tensor **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_rand: NULL output pointer");
    if (!(low < high) || !(high - low < 3.0e38f))
        return wg_fail(WG_ERR_ARGUMENT, "uniform range [%g, %g) is empty or not finite",
                       (double)low, (double)high);
    wg_tensor *t = NULL;
    wg_status status = tensor_create(rank, shape, WG_DTYPE_FP32, device, &t);
    if (status != WG_OK) return status;
    status = wg_backend_for(device)->fill_uniform(device.index, t->data, t->numel, low, high,
                                                  seed);
    if (status != WG_OK) {
        wg_tensor_free(t);
        return status;
    }
    *out = t;
    return WG_OK;
}

wg_status wg_tensor_from_host(int rank, const int64_t *shape, const float *data,
                              wg_device device, wg_tensor **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_from_host: NULL output pointer");
    if (!data) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_from_host: NULL data");
    wg_tensor *t = NULL;
    wg_status status = tensor_create(rank, shape, WG_DTYPE_FP32, device, &t);
    if (status != WG_OK) return status;
    status = wg_backend_for(device)->copy_from_host(device.index, t->data, data,
                                                    (size_t)t->numel * sizeof(float));
    if (status != WG_OK) {
        wg_tensor_free(t);
        return status;
    }
    *out = t;
    return WG_OK;
}

wg_status wg_tensor_empty_like(const wg_tensor *like, wg_tensor **out)
{
    if (!like) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_empty_like: NULL tensor");
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_empty_like: NULL output pointer");
    return tensor_create(like->rank, like->shape, like->dtype, like->device, out);
}

void wg_tensor_free(wg_tensor *tensor)
{
    if (!tensor) return;
    const wg_backend *backend = wg_backend_for(tensor->device);
    if (backend && tensor->storage) backend->release(tensor->device.index, tensor->storage);
    free(tensor);
}

wg_status wg_tensor_to_host(const wg_tensor *tensor, float *dst, int64_t capacity)
{
    if (!tensor || !dst) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_to_host: NULL argument");
    if (capacity < tensor->numel)
        return wg_fail(WG_ERR_ARGUMENT,
                       "destination holds %" PRId64 " floats, the tensor has %" PRId64,
                       capacity, tensor->numel);
    const wg_backend *backend = wg_backend_for(tensor->device);
    if (tensor->dtype == WG_DTYPE_FP32)
        return backend->copy_to_host(tensor->device.index, dst, tensor->storage,
                                     tensor_bytes(tensor));
    /* BF16: the stored bytes into host staging, then widened (exact) */
    wg_bf16 *staged = malloc(tensor_bytes(tensor));
    if (!staged)
        return wg_fail(WG_ERR_NO_MEMORY, "wg_tensor_to_host: cannot allocate %zu bytes of host "
                       "staging for a bf16 tensor", tensor_bytes(tensor));
    wg_status status = backend->copy_to_host(tensor->device.index, staged, tensor->storage,
                                             tensor_bytes(tensor));
    if (status == WG_OK) wg_floats_from_bf16(staged, dst, tensor->numel);
    free(staged);
    return status;
}

wg_status wg_tensor_to(const wg_tensor *tensor, wg_device device, wg_tensor **out)
{
    if (!tensor || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_to: NULL argument");
    wg_tensor *copy = NULL;
    wg_status status = tensor_create(tensor->rank, tensor->shape, tensor->dtype, device, &copy);
    if (status != WG_OK) return status;
    const size_t bytes = tensor_bytes(tensor); /* the stored bytes: the dtype is kept */
    const wg_backend *from = wg_backend_for(tensor->device);
    const wg_backend *to = wg_backend_for(device);
    if (tensor->device.kind == WG_DEVICE_CPU) {
        status = to->copy_from_host(device.index, copy->storage, tensor->storage, bytes);
    } else if (device.kind == WG_DEVICE_CPU) {
        status = from->copy_to_host(tensor->device.index, copy->storage, tensor->storage, bytes);
    } else {
        /* Device to device: staged through host memory, the one path every pair of
         * backends shares. Rare in whygpu, so simplicity wins over a peer copy. */
        void *staging = malloc(bytes);
        if (!staging) {
            status = wg_fail(WG_ERR_NO_MEMORY, "cannot allocate %zu bytes of host staging for "
                             "a device-to-device copy", bytes);
        } else {
            status = from->copy_to_host(tensor->device.index, staging, tensor->storage, bytes);
            if (status == WG_OK)
                status = to->copy_from_host(device.index, copy->storage, staging, bytes);
            free(staging);
        }
    }
    if (status != WG_OK) {
        wg_tensor_free(copy);
        return status;
    }
    *out = copy;
    return WG_OK;
}

int wg_tensor_rank(const wg_tensor *tensor) { return tensor ? tensor->rank : -1; }

int64_t wg_tensor_dim(const wg_tensor *tensor, int axis)
{
    if (!tensor || axis < 0 || axis >= tensor->rank) return -1;
    return tensor->shape[axis];
}

int64_t wg_tensor_numel(const wg_tensor *tensor) { return tensor ? tensor->numel : -1; }

wg_device wg_tensor_device(const wg_tensor *tensor)
{
    return tensor ? tensor->device : wg_cpu();
}

float *wg_tensor_host_data(wg_tensor *tensor)
{
    return tensor && tensor->device.kind == WG_DEVICE_CPU ? tensor->data : NULL;
}

float *wg_tensor_data(wg_tensor *tensor) { return tensor ? tensor->data : NULL; }

void *wg_tensor_storage(wg_tensor *tensor) { return tensor ? tensor->storage : NULL; }

wg_dtype wg_tensor_dtype(const wg_tensor *tensor)
{
    return tensor ? tensor->dtype : WG_DTYPE_FP32;
}

/* dst's storage = src's values in dst's dtype; same device, same element count, dtypes
 * that differ (the backend's convert entry). */
static wg_status convert_into(const wg_tensor *src, wg_tensor *dst)
{
    return wg_backend_for(src->device)->convert(src->device.index, src->storage, src->dtype,
                                                dst->storage, dst->dtype, src->numel);
}

wg_status wg_tensor_convert(const wg_tensor *tensor, wg_dtype dtype, wg_tensor **out)
{
    if (!tensor || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_convert: NULL argument");
    if (wg_dtype_size(dtype) == 0)
        return wg_fail(WG_ERR_ARGUMENT, "wg_tensor_convert: unknown dtype %d: expected fp32 "
                       "(%d) or bf16 (%d)", (int)dtype, (int)WG_DTYPE_FP32, (int)WG_DTYPE_BF16);
    if (dtype == tensor->dtype) return wg_tensor_to(tensor, tensor->device, out);
    wg_tensor *t = NULL;
    wg_status status = tensor_create(tensor->rank, tensor->shape, dtype, tensor->device, &t);
    if (status != WG_OK) return status;
    status = convert_into(tensor, t);
    if (status != WG_OK) {
        wg_tensor_free(t);
        return status;
    }
    *out = t;
    return WG_OK;
}

/* ---------------------------------------------------------------- operations ------ */

static int same_device(wg_device a, wg_device b)
{
    return a.kind == b.kind && a.index == b.index;
}

wg_status wg_tensor_check_devices(const char *op, const wg_tensor *a, const wg_tensor *b,
                               const wg_tensor *out)
{
    if (same_device(a->device, b->device) && same_device(a->device, out->device)) return WG_OK;
    char da[16], db[16], dout[16];
    return wg_fail(WG_ERR_DEVICE_MISMATCH,
                   "%s: operands on different devices (a on %s, b on %s, out on %s); "
                   "move them with wg_tensor_to first", op,
                   wg_device_format(a->device, da, sizeof da),
                   wg_device_format(b->device, db, sizeof db),
                   wg_device_format(out->device, dout, sizeof dout));
}

static int same_shape(const wg_tensor *a, const wg_tensor *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return 1;
}

wg_status wg_tensor_check_dtypes(const char *op, const wg_tensor *a, const wg_tensor *b,
                                 const wg_tensor *out)
{
    if (a->dtype == b->dtype && (!out || a->dtype == out->dtype)) return WG_OK;
    if (a->dtype != b->dtype)
        return wg_fail(WG_ERR_ARGUMENT, "%s: a is %s, b is %s; convert one with "
                       "wg_tensor_convert first", op, wg_dtype_name(a->dtype),
                       wg_dtype_name(b->dtype));
    return wg_fail(WG_ERR_ARGUMENT, "%s: the inputs are %s, out is %s; convert one with "
                   "wg_tensor_convert first", op, wg_dtype_name(a->dtype),
                   wg_dtype_name(out->dtype));
}

/* The checks every elementwise op of two operands shares: three tensors, one device, one
 * dtype, one shape. `op` names it in the messages. */
static wg_status check_binary(const char *op, const wg_tensor *a, const wg_tensor *b,
                              const wg_tensor *out)
{
    if (!a || !b || !out) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL tensor", op);
    wg_status status = wg_tensor_check_devices(op, a, b, out);
    if (status == WG_OK) status = wg_tensor_check_dtypes(op, a, b, out);
    if (status != WG_OK) return status;
    if (!same_shape(a, b) || !same_shape(a, out)) {
        char sa[96], sb[96], so[96];
        return wg_fail(WG_ERR_SHAPE, "%s: shapes differ: a %s, b %s, out %s", op,
                       wg_tensor_format_shape(a, sa, sizeof sa),
                       wg_tensor_format_shape(b, sb, sizeof sb),
                       wg_tensor_format_shape(out, so, sizeof so));
    }
    return WG_OK;
}

/* An elementwise op on float32 storage: the backend's mul, add or relu (b NULL for relu). */
typedef enum elementwise_op { OP_MUL, OP_ADD, OP_RELU } elementwise_op;

static wg_status run_fp32(elementwise_op op, wg_device device, const float *a, const float *b,
                          float *out, int64_t n)
{
    const wg_backend *backend = wg_backend_for(device);
    switch (op) {
    case OP_MUL: return backend->mul(device.index, a, b, out, n);
    case OP_ADD: return backend->add(device.index, a, b, out, n);
    case OP_RELU: return backend->relu(device.index, a, out, n);
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown elementwise op %d", (int)op);
}

/* An op on checked operands of one dtype. BF16: computed in float32 and rounded once to
 * nearest even, on every device alike - the operands are widened into float32 copies on
 * their device, the op runs there, the result is narrowed into out. */
static wg_status run_elementwise(elementwise_op op, const wg_tensor *a, const wg_tensor *b,
                                 wg_tensor *out)
{
    if (a->dtype == WG_DTYPE_FP32)
        return run_fp32(op, a->device, a->data, b ? b->data : NULL, out->data, a->numel);
    wg_tensor *a32 = NULL, *b32 = NULL;
    wg_status status = wg_tensor_convert(a, WG_DTYPE_FP32, &a32);
    if (status == WG_OK && b) status = wg_tensor_convert(b, WG_DTYPE_FP32, &b32);
    if (status == WG_OK)
        status = run_fp32(op, a->device, a32->data, b32 ? b32->data : NULL, a32->data, a->numel);
    if (status == WG_OK) status = convert_into(a32, out);
    if (status == WG_OK && a->device.kind != WG_DEVICE_CPU)
        status = wg_backend_for(a->device)->synchronize(a->device.index); /* before freeing */
    wg_tensor_free(a32);
    wg_tensor_free(b32);
    return status;
}

wg_status wg_mul(const wg_tensor *a, const wg_tensor *b, wg_tensor *out)
{
    wg_status status = check_binary("mul", a, b, out);
    if (status != WG_OK) return status;
    return run_elementwise(OP_MUL, a, b, out);
}

wg_status wg_add(const wg_tensor *a, const wg_tensor *b, wg_tensor *out)
{
    wg_status status = check_binary("add", a, b, out);
    if (status != WG_OK) return status;
    return run_elementwise(OP_ADD, a, b, out);
}

wg_status wg_relu(const wg_tensor *x, wg_tensor *out)
{
    if (!x || !out) return wg_fail(WG_ERR_ARGUMENT, "relu: NULL tensor");
    wg_status status = wg_tensor_check_devices("relu", x, x, out);
    if (status == WG_OK && x->dtype != out->dtype)
        status = wg_fail(WG_ERR_ARGUMENT, "relu: x is %s, out is %s; convert one with "
                         "wg_tensor_convert first", wg_dtype_name(x->dtype),
                         wg_dtype_name(out->dtype));
    if (status != WG_OK) return status;
    if (!same_shape(x, out)) {
        char sx[96], so[96];
        return wg_fail(WG_ERR_SHAPE, "relu: shapes differ: x %s, out %s",
                       wg_tensor_format_shape(x, sx, sizeof sx),
                       wg_tensor_format_shape(out, so, sizeof so));
    }
    return run_elementwise(OP_RELU, x, NULL, out);
}
