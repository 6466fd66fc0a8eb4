/*
 * tensor_internal.h - the layout of a tensor, for library code (layers, experiments) that
 * needs the raw data pointer. Users of libwhygpu see wg_tensor as opaque.
 */
#ifndef WG_TENSOR_INTERNAL_H
#define WG_TENSOR_INTERNAL_H

#include "whygpu.h"

struct wg_tensor {
    int rank;
    int64_t shape[WG_MAX_RANK]; /* unused axes are 1 */
    int64_t numel;
    wg_device device;
    wg_dtype dtype;
    void *storage; /* numel elements of dtype, host or device memory, owned */
    float *data;   /* the same memory as float32: storage for FP32, NULL for other dtypes */
};

/* "[3, 4]" into buf; returns buf. */
const char *wg_tensor_format_shape(const wg_tensor *t, char *buf, size_t size);

/* All operands on one device, or WG_ERR_DEVICE_MISMATCH naming them; `op` names the
 * operation in the message. */
wg_status wg_tensor_check_devices(const char *op, const wg_tensor *a, const wg_tensor *b,
                                  const wg_tensor *out);

/* All operands of one dtype, or WG_ERR_ARGUMENT naming them ("add: a is bf16, b is fp32");
 * out may be NULL (not checked). */
wg_status wg_tensor_check_dtypes(const char *op, const wg_tensor *a, const wg_tensor *b,
                                 const wg_tensor *out);

#endif /* WG_TENSOR_INTERNAL_H */
