/*
 * predict.c - one image classified by a saved model (wg_predict, whygpu_lab.h): the
 * checkpoint's architecture checked against the data, the model loaded on the device, one
 * forward pass, the softmax and the ranking on the host.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "../error.h"
#include "dataset.h"
#include "mlp.h"
#include "mlp_checkpoint.h"

/* Softmax of the logits (shifted by the maximum) and the classes by falling probability. */
static void rank_classes(const float *logits, wg_prediction *out)
{
    const int classes = out->classes;
    double max = logits[0], sum = 0;
    for (int k = 1; k < classes; k++) max = fmax(max, logits[k]);
    for (int k = 0; k < classes; k++) sum += out->probability[k] = exp(logits[k] - max);
    for (int k = 0; k < classes; k++) {
        out->probability[k] /= sum;
        out->ranked[k] = k;
    }
    for (int a = 0; a < classes; a++)
        for (int b = a + 1; b < classes; b++)
            if (out->probability[out->ranked[b]] > out->probability[out->ranked[a]]) {
                const int tmp = out->ranked[a];
                out->ranked[a] = out->ranked[b];
                out->ranked[b] = tmp;
            }
}

wg_status wg_predict(const char *checkpoint, wg_device device, const wg_dataset *data,
                     int64_t index, wg_prediction *out)
{
    if (!checkpoint || !data || !out) return wg_fail(WG_ERR_ARGUMENT, "predict: NULL argument");
    memset(out, 0, sizeof *out);
    if (!data->images || !data->labels || index < 0 || index >= data->count)
        return wg_fail(WG_ERR_ARGUMENT, "predict: image %" PRId64 " is outside the set of %" PRId64,
                       index, data->count);
    out->classes = data->classes;
    wg_mlp *mlp = NULL;
    float *x = NULL;
    float logits[WG_MLP_MAX_CLASSES];
    const wg_backend *backend = NULL;
    /* shapes checked before anything is allocated, and no gradient or optimiser buffers */
    wg_status status = wg_mlp_load_inference(device, checkpoint, data->features, data->classes,
                                             1, &mlp, &out->checkpoint);
    if (status == WG_OK) {
        backend = mlp->backend;
        status = backend->alloc(device.index, (size_t)data->features * sizeof *x, (void **)&x);
    }
    if (status == WG_OK)
        status = backend->copy_from_host(device.index, x, data->images + index * data->features,
                                         (size_t)data->features * sizeof *x);
    if (status == WG_OK) status = wg_mlp_forward(mlp, x, 1);
    if (status == WG_OK)
        status = backend->copy_to_host(device.index, logits, mlp->act[mlp->layers - 1],
                                       (size_t)data->classes * sizeof *logits);
    for (int k = 0; k < data->classes && status == WG_OK; k++)
        if (!isfinite(logits[k]))
            status = wg_fail(WG_ERR_BACKEND, "checkpoint %s gives a non-finite score (%g) for "
                             "class %d of image %" PRId64 ": the model has diverged", checkpoint,
                             (double)logits[k], k, index);
    if (status == WG_OK) rank_classes(logits, out);
    if (backend && x) backend->release(device.index, x);
    wg_mlp_free(mlp);
    return status;
}
