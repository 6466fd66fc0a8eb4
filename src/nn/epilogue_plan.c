/*
 * epilogue_plan.c - the decisions of train --epilogue (epilogue_plan.h): which products
 * fuse, the ReLU masks' sizes, the fallback to the own kernels and its reason.
 */
#include "epilogue_plan.h"

#include <stdio.h>
#include <string.h>

#include "../error.h"

const char *wg_epilogue_mode_name(wg_epilogue_mode mode)
{
    return mode == WG_EPILOGUE_OWN ? "own" : "lt";
}

wg_status wg_epilogue_mode_parse(const char *text, wg_epilogue_mode *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "epilogue: NULL argument");
    if (strcmp(text, "lt") == 0) *out = WG_EPILOGUE_LT;
    else if (strcmp(text, "own") == 0) *out = WG_EPILOGUE_OWN;
    else return wg_fail(WG_ERR_ARGUMENT, "unknown epilogue '%s' (expected lt or own)", text);
    return WG_OK;
}

const char *wg_lt_epilogue_name(wg_lt_epilogue epilogue)
{
    switch (epilogue) {
    case WG_LT_BIAS: return "bias";
    case WG_LT_RELU_AUX_BIAS: return "bias+relu (mask out)";
    case WG_LT_DRELU_BGRAD: return "drelu+bias-gradient (mask in)";
    case WG_LT_BGRAD_B: return "bias-gradient";
    default: return "plain";
    }
}

int64_t wg_lt_aux_ld(int64_t width)
{
    if (width < 1 || width > WG_MLP_MAX_WIDTH) return 0;
    return (width + WG_LT_AUX_LD_MULTIPLE - 1) / WG_LT_AUX_LD_MULTIPLE * WG_LT_AUX_LD_MULTIPLE;
}

int64_t wg_lt_aux_bytes(int64_t width, int64_t capacity)
{
    const int64_t ld = wg_lt_aux_ld(width);
    if (ld == 0 || capacity < 1 || capacity > ((int64_t)1 << 24)) return 0;
    const int64_t bytes = ld / 8 * capacity; /* <= 2^21 * 2^24: no overflow */
    return (bytes + WG_LT_AUX_ALIGN - 1) / WG_LT_AUX_ALIGN * WG_LT_AUX_ALIGN;
}

/* Every layer on its own kernels (the fields a fallback leaves). */
static void plan_own(wg_epilogue_plan *plan)
{
    plan->use_lt = 0;
    plan->fused_backward = 0;
    plan->bgrad_last = 0;
    for (int l = 0; l < WG_MLP_MAX_LAYERS; l++)
        plan->forward[l] = plan->dx[l] = plan->dw[l] = WG_LT_PLAIN;
}

void wg_epilogue_plan_init(wg_epilogue_plan *plan, wg_epilogue_mode mode, wg_device device,
                           wg_dtype dtype, int inference, int layers, const int64_t *sizes,
                           int64_t capacity)
{
    if (!plan) return;
    memset(plan, 0, sizeof *plan);
    plan->asked = mode;
    plan->layers = layers;
    char name[32];
    if (mode == WG_EPILOGUE_OWN) {
        snprintf(plan->reason, sizeof plan->reason, "--epilogue own");
    } else if (device.kind != WG_DEVICE_CUDA) {
        snprintf(plan->reason, sizeof plan->reason, "cuBLASLt epilogues are a CUDA feature: "
                 "%s runs its own layer kernels", wg_device_format(device, name, sizeof name));
    } else if (inference) {
        snprintf(plan->reason, sizeof plan->reason, "a model for prediction only");
    } else if (dtype != WG_DTYPE_FP32) {
        /* the own kernels also write the bf16 copies the next products read */
        snprintf(plan->reason, sizeof plan->reason, "--dtype %s keeps its own layer kernels "
                 "(they also write the bf16 copies the next products read)",
                 wg_dtype_name(dtype));
    } else if (layers < 1 || layers > WG_MLP_MAX_LAYERS || !sizes) {
        snprintf(plan->reason, sizeof plan->reason, "malformed model (%d layers)", layers);
    } else {
        plan->use_lt = 1;
    }
    if (!plan->use_lt) {
        plan_own(plan);
        return;
    }
    for (int l = 0; l < layers; l++) {
        const int hidden = l + 1 < layers;
        plan->forward[l] = hidden ? WG_LT_RELU_AUX_BIAS : WG_LT_BIAS;
        /* layer l's d(in) is layer l - 1's output gradient: its ReLU and bias gradient */
        plan->dx[l] = l > 0 ? WG_LT_DRELU_BGRAD : WG_LT_PLAIN;
        plan->dw[l] = hidden ? WG_LT_PLAIN : WG_LT_BGRAD_B;
        plan->aux_bytes[l] = hidden ? wg_lt_aux_bytes(sizes[l + 1], capacity) : 0;
        if (hidden && plan->aux_bytes[l] == 0) {
            snprintf(plan->reason, sizeof plan->reason, "no ReLU mask fits layer %d (width "
                     "%lld, %lld rows)", l, (long long)sizes[l + 1], (long long)capacity);
            plan_own(plan);
            plan->aux_total = 0;
            memset(plan->aux_bytes, 0, sizeof plan->aux_bytes);
            return;
        }
        plan->aux_total += plan->aux_bytes[l];
    }
    plan->fused_backward = 1;
    plan->bgrad_last = 1;
    /* layer l's d(in) product (l > 0) has k = its width: cuBLASLt's DRELU epilogues do not
     * take k = 1 (nvmath-python refuses it), so a width-1 layer keeps the own backward */
    for (int l = 1; l < layers; l++)
        if (sizes[l + 1] == 1) {
            char why[96];
            snprintf(why, sizeof why, "layer %d is 1 wide (DRELU_BGRAD takes no k = 1)", l);
            wg_epilogue_plan_drop_backward(plan, why);
            break;
        }
}

void wg_epilogue_plan_refuse(wg_epilogue_plan *plan, const char *why)
{
    if (!plan || !plan->use_lt) return;
    plan_own(plan);
    snprintf(plan->reason, sizeof plan->reason, "cuBLASLt: %s; the own kernels run",
             why && *why ? why : "refused");
}

void wg_epilogue_plan_drop_bgrad_last(wg_epilogue_plan *plan)
{
    if (!plan || !plan->use_lt || plan->layers < 1) return;
    plan->bgrad_last = 0;
    plan->dw[plan->layers - 1] = WG_LT_PLAIN;
}

void wg_epilogue_plan_drop_backward(wg_epilogue_plan *plan, const char *why)
{
    if (!plan || !plan->use_lt || !plan->fused_backward) return;
    plan->fused_backward = 0;
    plan->bgrad_last = 0;
    for (int l = 0; l < WG_MLP_MAX_LAYERS; l++) plan->dx[l] = plan->dw[l] = WG_LT_PLAIN;
    snprintf(plan->reason, sizeof plan->reason, "backward by the own kernels: %s",
             why && *why ? why : "refused");
}

int wg_epilogue_plan_own_launches(const wg_epilogue_plan *plan)
{
    if (!plan) return 0;
    if (!plan->use_lt) return 2 * plan->layers;
    if (!plan->fused_backward) return plan->layers;
    return plan->bgrad_last ? 0 : 1;
}

int wg_epilogue_plan_step_launches(const wg_epilogue_plan *plan, int graph)
{
    if (!plan || plan->layers < 1) return 0;
    const int l = plan->layers;
    /* gather + forward products + softmax-loss + dW + d(in) (not for the input) + optimiser */
    const int fixed = 1 + l + 1 + l + (l - 1) + 1;
    return fixed + wg_epilogue_plan_own_launches(plan) + (graph ? 1 : 0);
}

const char *wg_epilogue_plan_describe(const wg_epilogue_plan *plan, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    if (!plan) snprintf(buf, size, "own (no model)");
    else if (!plan->use_lt) snprintf(buf, size, "own (%s)", plan->reason);
    else if (!plan->fused_backward)
        snprintf(buf, size, "lt (cuBLASLt bias+ReLU forward; %s)", plan->reason);
    else if (plan->bgrad_last)
        snprintf(buf, size, "lt (cuBLASLt bias+ReLU forward, dReLU+bias-gradient backward)");
    else
        snprintf(buf, size, "lt (cuBLASLt bias+ReLU forward, dReLU+bias-gradient backward; "
                 "the last bias gradient by the own kernel: no BGRADA algorithm)");
    return buf;
}
