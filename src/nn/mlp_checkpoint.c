/*
 * mlp_checkpoint.c - see mlp_checkpoint.h.
 */
#include "mlp_checkpoint.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "checkpoint.h"

/* The state tensors of an optimiser: their name suffixes and flat buffers. */
static int state_names(wg_optimizer_kind optimizer, const char *suffix[2], wg_mlp_buffer buf[2])
{
    if (optimizer == WG_OPTIMIZER_ADAM) {
        suffix[0] = "adam_m";
        suffix[1] = "adam_v";
        buf[0] = WG_MLP_STATE1;
        buf[1] = WG_MLP_STATE2;
        return 2;
    }
    suffix[0] = "momentum";
    buf[0] = WG_MLP_STATE1;
    return 1;
}

/* The index of the first non-finite value of data[0..count), or -1 when all are finite: a
 * diverged model (NaN or infinite weights) is neither saved nor loaded. */
static int64_t first_non_finite(const float *data, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        if (!isfinite(data[i])) return i;
    return -1;
}

wg_status wg_mlp_save(const wg_mlp *mlp, const char *path, wg_optimizer_kind optimizer,
                      int64_t epoch, int64_t step, uint64_t seed)
{
    if (!mlp || !path) return wg_fail(WG_ERR_ARGUMENT, "save: NULL argument");
    const char *suffix[2];
    wg_mlp_buffer buf[2];
    const int states = state_names(optimizer, suffix, buf);
    const int per_param = 1 + states;
    wg_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    wg_mlp_describe(mlp, ck.model, sizeof ck.model);
    snprintf(ck.optimizer, sizeof ck.optimizer, "%s", wg_optimizer_name(optimizer));
    ck.epoch = epoch;
    ck.step = step;
    ck.seed = seed;
    ck.count = mlp->param_tensors * per_param;
    ck.tensors = calloc((size_t)ck.count, sizeof *ck.tensors);
    if (!ck.tensors) return wg_fail(WG_ERR_NO_MEMORY, "save: out of host memory");
    wg_status status = WG_OK;
    for (int i = 0; i < mlp->param_tensors && status == WG_OK; i++) {
        const wg_mlp_param *p = &mlp->params[i];
        for (int s = 0; s < per_param && status == WG_OK; s++) {
            wg_checkpoint_tensor *ct = &ck.tensors[i * per_param + s];
            if (s == 0)
                snprintf(ct->name, sizeof ct->name, "%s", p->name);
            else
                snprintf(ct->name, sizeof ct->name, "%s.%s", p->name, suffix[s - 1]);
            ct->rank = p->rank;
            for (int d = 0; d < 4; d++) ct->shape[d] = d < p->rank ? p->shape[d] : 1;
            ct->data = malloc((size_t)p->count * sizeof(float));
            if (!ct->data) {
                status = wg_fail(WG_ERR_NO_MEMORY, "save: out of host memory");
                break;
            }
            status = wg_mlp_read(mlp, s == 0 ? WG_MLP_PARAMS : buf[s - 1], i, ct->data);
            const int64_t bad = status == WG_OK ? first_non_finite(ct->data, p->count) : -1;
            if (bad >= 0)
                status = wg_fail(WG_ERR_ARGUMENT, "not saving %s: %s holds %g at element %"
                                 PRId64 " (the model has diverged); the file is left as it was",
                                 path, ct->name, (double)ct->data[bad], bad);
        }
    }
    if (status == WG_OK) status = wg_checkpoint_save(path, &ck);
    for (int i = 0; i < ck.count; i++) free(ck.tensors[i].data);
    free(ck.tensors);
    return status;
}

/* The tensor `name` of the file, with exactly the parameter's shape; NULL when absent;
 * WG_ERR_SHAPE via *status when present with another shape. */
static const wg_checkpoint_tensor *matching(const wg_checkpoint *ck, const char *name,
                                            const wg_mlp_param *p, const char *path,
                                            wg_status *status)
{
    const wg_checkpoint_tensor *t = wg_checkpoint_find(ck, name);
    if (!t) return NULL;
    int same = t->rank == p->rank;
    for (int d = 0; d < p->rank && same; d++) same = t->shape[d] == p->shape[d];
    if (!same) {
        *status = wg_fail(WG_ERR_SHAPE, "checkpoint %s: tensor %s has rank %d and shape "
                          "[%" PRId64 ", %" PRId64 "], the model expects rank %d [%" PRId64
                          ", %" PRId64 "]", path, name, t->rank, t->shape[0],
                          t->rank > 1 ? t->shape[1] : 1, p->rank, p->shape[0],
                          p->rank > 1 ? p->shape[1] : 1);
        return NULL;
    }
    const int64_t bad = first_non_finite(t->data, p->count);
    if (bad >= 0) {
        *status = wg_fail(WG_ERR_IO, "checkpoint %s: tensor %s holds %g at element %" PRId64
                          " (a diverged model is not loaded)", path, name,
                          (double)t->data[bad], bad);
        return NULL;
    }
    return t;
}

static void fill_info(const wg_checkpoint *ck, wg_mlp_checkpoint_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->model, sizeof info->model, "%s", ck->model);
    snprintf(info->optimizer, sizeof info->optimizer, "%s", ck->optimizer);
    info->epoch = ck->epoch;
    info->step = ck->step;
    info->seed = ck->seed;
}

wg_status wg_mlp_load(wg_mlp *mlp, const char *path, wg_optimizer_kind optimizer,
                      wg_mlp_checkpoint_info *info)
{
    if (!mlp || !path) return wg_fail(WG_ERR_ARGUMENT, "load: NULL argument");
    wg_checkpoint ck;
    wg_status status = wg_checkpoint_load(path, &ck);
    if (status != WG_OK) return status;
    char model[256];
    wg_mlp_describe(mlp, model, sizeof model);
    if (strcmp(model, ck.model) != 0) {
        status = wg_fail(WG_ERR_ARGUMENT, "checkpoint %s holds the model \"%s\", not \"%s\"",
                         path, ck.model, model);
        wg_checkpoint_free(&ck);
        return status;
    }
    const char *suffix[2];
    wg_mlp_buffer buf[2];
    const int states = state_names(optimizer, suffix, buf);
    const int same_optimizer = strcmp(ck.optimizer, wg_optimizer_name(optimizer)) == 0;
    /* Check everything first, then copy, so a bad file leaves the model as it was. */
    const wg_checkpoint_tensor *found[2 * WG_MLP_MAX_LAYERS][3];
    int have_state = same_optimizer;
    for (int i = 0; i < mlp->param_tensors && status == WG_OK; i++) {
        const wg_mlp_param *p = &mlp->params[i];
        found[i][0] = matching(&ck, p->name, p, path, &status);
        if (status == WG_OK && !found[i][0])
            status = wg_fail(WG_ERR_ARGUMENT, "checkpoint %s has no tensor %s", path, p->name);
        for (int s = 0; s < states && status == WG_OK; s++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%s", p->name, suffix[s]);
            found[i][1 + s] = same_optimizer ? matching(&ck, name, p, path, &status) : NULL;
            if (!found[i][1 + s]) have_state = 0;
        }
    }
    for (int i = 0; i < mlp->param_tensors && status == WG_OK; i++) {
        status = wg_mlp_write(mlp, WG_MLP_PARAMS, i, found[i][0]->data);
        for (int s = 0; s < states && status == WG_OK && have_state; s++)
            status = wg_mlp_write(mlp, buf[s], i, found[i][1 + s]->data);
    }
    if (status == WG_OK && !have_state) {
        for (int b = WG_MLP_STATE1; b <= WG_MLP_STATE2 && status == WG_OK; b++)
            status = mlp->backend->fill(mlp->device.index, mlp->buffer[b], mlp->param_count, 0.0f);
    }
    if (status == WG_OK) {
        mlp->optimizer_steps = have_state ? ck.step : 0;
        if (info) {
            fill_info(&ck, info);
            info->has_optimizer_state = have_state;
        }
    }
    wg_checkpoint_free(&ck);
    return status;
}

wg_status wg_mlp_load_inference(wg_device device, const char *path, int64_t features,
                                int64_t classes, int64_t capacity, wg_mlp **out,
                                wg_mlp_checkpoint_info *info)
{
    if (!path || !out) return wg_fail(WG_ERR_ARGUMENT, "load: NULL argument");
    *out = NULL;
    wg_checkpoint ck;
    wg_status status = wg_checkpoint_load(path, &ck);
    if (status != WG_OK) return status;
    int layers = 0;
    int64_t sizes[WG_MLP_MAX_LAYERS + 1];
    status = wg_mlp_parse_description(ck.model, &layers, sizes);
    if (status == WG_OK && (sizes[0] != features || sizes[layers] != classes))
        status = wg_fail(WG_ERR_SHAPE, "checkpoint %s holds \"%s\", which does not take %"
                         PRId64 " pixels to %" PRId64 " classes", path, ck.model, features,
                         classes);
    /* Every tensor checked against the shapes the header names, before the model exists. */
    const wg_checkpoint_tensor *found[2 * WG_MLP_MAX_LAYERS];
    wg_mlp_param params[2 * WG_MLP_MAX_LAYERS];
    for (int i = 0; i < 2 * layers && status == WG_OK; i++) {
        const int l = i / 2, bias = i % 2;
        wg_mlp_param *p = &params[i];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "layer%d.%s", l, bias ? "bias" : "weight");
        p->rank = bias ? 1 : 2;
        p->shape[0] = bias ? sizes[l + 1] : sizes[l];
        p->shape[1] = bias ? 1 : sizes[l + 1];
        p->count = p->shape[0] * p->shape[1];
        found[i] = matching(&ck, p->name, p, path, &status);
        if (status == WG_OK && !found[i])
            status = wg_fail(WG_ERR_ARGUMENT, "checkpoint %s has no tensor %s", path, p->name);
    }
    wg_mlp *mlp = NULL;
    if (status == WG_OK) status = wg_mlp_create_inference(device, layers, sizes, capacity, &mlp);
    for (int i = 0; i < 2 * layers && status == WG_OK; i++)
        status = wg_mlp_write(mlp, WG_MLP_PARAMS, i, found[i]->data);
    if (status == WG_OK) {
        if (info) fill_info(&ck, info);
        *out = mlp;
    } else {
        wg_mlp_free(mlp);
    }
    wg_checkpoint_free(&ck);
    return status;
}

wg_status wg_mlp_parse_description(const char *model, int *layers, int64_t *sizes)
{
    if (!model || !layers || !sizes) return wg_fail(WG_ERR_ARGUMENT, "model string: NULL argument");
    if (strncmp(model, "mlp ", 4) != 0)
        return wg_fail(WG_ERR_ARGUMENT, "model \"%s\" is not an mlp", model);
    const char *p = model + 4;
    int count = 0;
    for (;;) {
        if (!isdigit((unsigned char)*p)) break;
        errno = 0;
        char *end = NULL;
        long long v = strtoll(p, &end, 10);
        if (errno || v < 1 || v > WG_MLP_MAX_WIDTH || count > WG_MLP_MAX_LAYERS) break;
        sizes[count++] = v;
        p = end;
        if (*p != '-') break;
        p++;
    }
    if (count < 2 || (*p != ' ' && *p != '\0'))
        return wg_fail(WG_ERR_ARGUMENT, "model \"%s\": expected \"mlp\" and 2 to %d layer "
                       "widths joined by '-'", model, WG_MLP_MAX_LAYERS + 1);
    *layers = count - 1;
    return WG_OK;
}

wg_status wg_mlp_checkpoint_peek(const char *path, wg_mlp_checkpoint_info *info)
{
    if (!path || !info) return wg_fail(WG_ERR_ARGUMENT, "checkpoint: NULL argument");
    wg_checkpoint ck;
    wg_status status = wg_checkpoint_load(path, &ck);
    if (status != WG_OK) return status;
    fill_info(&ck, info);
    wg_checkpoint_free(&ck);
    return WG_OK;
}
