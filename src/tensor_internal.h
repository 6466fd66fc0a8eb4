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
    float *data; /* host or device memory, owned */
};

#endif /* WG_TENSOR_INTERNAL_H */
