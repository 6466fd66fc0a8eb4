/*
 * step_plan.c - the host-side decisions of the graph-replayed training step (step_plan.h):
 * the epoch's table of per-step values, which graph a step uses, and when graphs are off.
 */
#include "step_plan.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"

int64_t wg_step_plan_length(const wg_step_plan_input *in)
{
    if (!in || in->batch < 1 || in->count < 1 || in->position < 0 || in->position >= in->count)
        return 0;
    return (in->count - in->position + in->batch - 1) / in->batch;
}

wg_status wg_step_plan_epoch(const wg_step_plan_input *in, wg_step_params *out,
                             int64_t capacity)
{
    if (!in || !out) return wg_fail(WG_ERR_ARGUMENT, "step plan: NULL argument");
    if (in->batch < 1 || in->batch > in->count || in->position < 0 ||
        in->position >= in->count || in->step < 0 || in->optimizer_steps < 0)
        return wg_fail(WG_ERR_ARGUMENT, "step plan: batch %" PRId64 " of %" PRId64 " images "
                       "from row %" PRId64 " at step %" PRId64 " (optimizer step %" PRId64 ")",
                       in->batch, in->count, in->position, in->step, in->optimizer_steps);
    const int64_t steps = wg_step_plan_length(in);
    if (steps > capacity)
        return wg_fail(WG_ERR_ARGUMENT, "step plan: %" PRId64 " steps left in the epoch, the "
                       "table holds %" PRId64, steps, capacity);
    const wg_optimizer *o = &in->optimizer;
    for (int64_t i = 0; i < steps; i++) {
        wg_step_params *p = &out[i];
        memset(p, 0, sizeof *p);
        p->first = in->position + i * in->batch;
        const int64_t left = in->count - p->first;
        p->rows = (int32_t)(left < in->batch ? left : in->batch);
        p->lr = wg_lr_at(in->schedule, in->lr, in->step + i, in->total_steps);
        if (o->kind == WG_OPTIMIZER_ADAM) {
            /* the corrections of step t, as wg_mlp_update computes them */
            const double t = (double)(in->optimizer_steps + i + 1);
            const double c1 = 1.0 - pow((double)o->beta1, t);
            const double c2 = sqrt(1.0 - pow((double)o->beta2, t));
            p->lr_t = (float)(p->lr * c2 / c1);
            p->eps_t = (float)(o->eps * c2);
        }
    }
    return WG_OK;
}

void wg_step_graph_plan_init(wg_step_graph_plan *plan, wg_graph_mode mode, wg_device device)
{
    memset(plan, 0, sizeof *plan);
    if (mode == WG_GRAPH_OFF) {
        snprintf(plan->reason, sizeof plan->reason, "--graph off");
    } else if (device.kind != WG_DEVICE_CUDA) {
        char name[32];
        snprintf(plan->reason, sizeof plan->reason, "graphs are a CUDA feature: %s runs each "
                 "step eagerly", wg_device_format(device, name, sizeof name));
    } else {
        plan->enabled = 1;
    }
}

int wg_step_graph_slot(int64_t rows, int64_t batch)
{
    return rows == batch ? WG_STEP_GRAPH_FULL : WG_STEP_GRAPH_LAST;
}

wg_step_route wg_step_graph_route(const wg_step_graph_plan *plan, int64_t rows, int64_t batch,
                                  int *slot)
{
    const int s = wg_step_graph_slot(rows, batch);
    if (slot) *slot = s;
    if (!plan || !plan->enabled) return WG_STEP_EAGER;
    /* a slot's graph is for its rows only: a different last batch (another epoch length)
     * is captured again */
    if (plan->captured[s] && plan->rows[s] == rows) return WG_STEP_REPLAY;
    return WG_STEP_CAPTURE;
}

void wg_step_graph_ran(wg_step_graph_plan *plan, wg_step_route route, int slot, int64_t rows)
{
    if (!plan || slot < 0 || slot >= WG_STEP_GRAPHS) return;
    if (route == WG_STEP_CAPTURE) {
        plan->captured[slot] = 1;
        plan->rows[slot] = rows;
        plan->captures++;
        plan->replays++; /* a captured graph is launched at once: that is the step */
    } else if (route == WG_STEP_REPLAY) {
        plan->replays++;
    } else {
        plan->eager_steps++;
    }
}

void wg_step_graph_failed(wg_step_graph_plan *plan, int slot, const char *why)
{
    if (!plan) return;
    plan->enabled = 0;
    snprintf(plan->reason, sizeof plan->reason, "the %s graph failed: %s",
             slot == WG_STEP_GRAPH_LAST ? "last-batch" : "full-batch", why ? why : "?");
}

const char *wg_step_graph_describe(const wg_step_graph_plan *plan, char *buf, size_t size)
{
    if (!buf || size == 0) return buf;
    if (!plan) {
        snprintf(buf, size, "eager");
    } else if (plan->replays > 0 && plan->eager_steps == 0) {
        snprintf(buf, size, "cuda graph (%" PRId64 " captured, %" PRId64 " steps replayed)",
                 plan->captures, plan->replays);
    } else if (plan->replays > 0) {
        snprintf(buf, size, "cuda graph for %" PRId64 " steps, then eager for %" PRId64 " (%s)",
                 plan->replays, plan->eager_steps, plan->reason);
    } else if (plan->enabled) {
        snprintf(buf, size, "cuda graph (no step yet)");
    } else {
        snprintf(buf, size, "eager (%s)", plan->reason);
    }
    return buf;
}
