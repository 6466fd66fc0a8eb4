/*
 * train_graph.c - the trainer's CUDA-graph step (train_graph.h): the epoch's table written
 * when the epoch starts, the full-batch and last-batch graphs captured on first use and
 * replayed, the fallback to the eager step with its reason. Decisions are in step_plan.c.
 */
#include "train_graph.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cuda/step_graph.h"
#include "../error.h"
#include "train.h"

struct wg_train_graphs {
    wg_step_graph_plan plan;
    wg_step_params *table;      /* device: the epoch's steps from where it was written */
    int64_t *cursor;            /* device: the current step's index into table */
    wg_step_params *host_table;
    int64_t capacity;           /* table entries: steps in an epoch */
    int table_valid;
    wg_cuda_graph *graph[WG_STEP_GRAPHS];
};

const char *wg_graph_mode_name(wg_graph_mode mode) { return mode == WG_GRAPH_OFF ? "off" : "on"; }

wg_status wg_graph_mode_parse(const char *text, wg_graph_mode *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "graph mode: NULL argument");
    if (strcmp(text, "on") == 0) *out = WG_GRAPH_ON;
    else if (strcmp(text, "off") == 0) *out = WG_GRAPH_OFF;
    else return wg_fail(WG_ERR_ARGUMENT, "unknown graph mode '%s' (expected on or off)", text);
    return WG_OK;
}

wg_status wg_train_graphs_create(wg_trainer *t, wg_train_graphs **out)
{
    if (!t || !out) return wg_fail(WG_ERR_ARGUMENT, "train graphs: NULL argument");
    *out = NULL;
    wg_train_graphs *g = calloc(1, sizeof *g);
    if (!g) return wg_fail(WG_ERR_NO_MEMORY, "train graphs: out of host memory");
    wg_step_graph_plan_init(&g->plan, t->options.graph, t->options.device);
    if (g->plan.enabled && t->options.dtype != WG_DTYPE_FP32) {
        /* the captured update (wg_cuda_step_sgd/adam) writes no bf16 weight copies */
        g->plan.enabled = 0;
        snprintf(g->plan.reason, sizeof g->plan.reason, "--dtype %s steps run eagerly (the "
                 "graph's update does not refresh the bf16 weight copies)",
                 wg_dtype_name(t->options.dtype));
    }
    wg_status status = WG_OK;
    if (g->plan.enabled) {
        const wg_backend *backend = t->model->backend;
        const int index = t->options.device.index;
        g->capacity = t->steps_per_epoch;
        g->host_table = calloc((size_t)g->capacity, sizeof *g->host_table);
        if (!g->host_table) status = wg_fail(WG_ERR_NO_MEMORY, "train graphs: out of host memory");
        if (status == WG_OK)
            status = backend->alloc(index, (size_t)g->capacity * sizeof *g->table,
                                    (void **)&g->table);
        if (status == WG_OK)
            status = backend->alloc(index, sizeof *g->cursor, (void **)&g->cursor);
    }
    if (status != WG_OK) {
        wg_train_graphs_free(t, g);
        return status;
    }
    *out = g;
    return WG_OK;
}

void wg_train_graphs_free(wg_trainer *t, wg_train_graphs *g)
{
    if (!g) return;
    const int index = t ? t->options.device.index : 0;
    for (int s = 0; s < WG_STEP_GRAPHS; s++) wg_cuda_graph_free(index, g->graph[s]);
    const wg_backend *backend = t && t->model ? t->model->backend : NULL;
    if (backend) {
        if (g->table) backend->release(index, g->table);
        if (g->cursor) backend->release(index, g->cursor);
    }
    free(g->host_table);
    free(g);
}

/* The epoch's table from the trainer's position, and the cursor at its start. */
static wg_status write_table(wg_trainer *t, wg_train_graphs *g)
{
    const wg_step_plan_input in = {
        .count = t->train.count, .batch = t->options.batch, .position = t->position,
        .step = t->step, .total_steps = t->total_steps, .schedule = t->options.schedule,
        .lr = t->options.lr, .optimizer = t->options.optimizer,
        .optimizer_steps = t->model->optimizer_steps};
    wg_status status = wg_step_plan_epoch(&in, g->host_table, g->capacity);
    const int64_t zero = 0, steps = wg_step_plan_length(&in);
    const wg_backend *backend = t->model->backend;
    const int index = t->options.device.index;
    /* blocking copies: they wait for the replays that still read the old table */
    if (status == WG_OK)
        status = backend->copy_from_host(index, g->table, g->host_table,
                                         (size_t)steps * sizeof *g->table);
    if (status == WG_OK) status = backend->copy_from_host(index, g->cursor, &zero, sizeof zero);
    g->table_valid = status == WG_OK;
    return status;
}

typedef struct enqueue_context {
    wg_trainer *t;
    wg_train_graphs *g;
    int64_t rows;
} enqueue_context;

/* The step's work, as the graph holds it: everything that changes from step to step is
 * read through the cursor. */
static wg_status enqueue_step(void *context)
{
    const enqueue_context *c = context;
    wg_trainer *t = c->t;
    wg_train_graphs *g = c->g;
    wg_mlp *m = t->model;
    const int index = t->options.device.index;
    const wg_optimizer *o = &t->options.optimizer;
    float **buf = m->buffer;
    wg_status status = wg_cuda_step_gather(index, t->train.images, t->train.labels, t->order,
                                           g->table, g->cursor, c->rows, t->train.features,
                                           t->x, t->y);
    if (status == WG_OK) status = wg_mlp_forward(m, t->x, c->rows);
    if (status == WG_OK) status = wg_mlp_loss(m, t->y, c->rows, 1);
    if (status == WG_OK) status = wg_mlp_backward(m, t->x, c->rows);
    if (status == WG_OK && o->kind == WG_OPTIMIZER_SGD)
        status = wg_cuda_step_sgd(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                  buf[WG_MLP_GRADS], m->param_count, o->momentum, g->table,
                                  g->cursor);
    else if (status == WG_OK && o->kind == WG_OPTIMIZER_ADAM)
        status = wg_cuda_step_adam(index, buf[WG_MLP_PARAMS], buf[WG_MLP_STATE1],
                                   buf[WG_MLP_STATE2], buf[WG_MLP_GRADS], m->param_count,
                                   o->beta1, o->beta2, g->table, g->cursor);
    else if (status == WG_OK)
        status = wg_fail(WG_ERR_ARGUMENT, "graph step: unknown optimizer %d", (int)o->kind);
    if (status == WG_OK) status = wg_cuda_step_advance(index, g->cursor);
    return status;
}

wg_status wg_train_graphs_step(wg_trainer *t, int64_t rows, int *done)
{
    if (!t || !done) return wg_fail(WG_ERR_ARGUMENT, "graph step: NULL argument");
    *done = 0;
    wg_train_graphs *g = t->graphs;
    int slot = 0;
    const wg_step_route route =
        g ? wg_step_graph_route(&g->plan, rows, t->options.batch, &slot) : WG_STEP_EAGER;
    if (route == WG_STEP_EAGER) {
        if (g) wg_step_graph_ran(&g->plan, WG_STEP_EAGER, slot, rows);
        return WG_OK;
    }
    const int index = t->options.device.index;
    wg_status status = WG_OK;
    if (t->position == 0 || !g->table_valid) status = write_table(t, g);
    if (status != WG_OK) return status;
    if (route == WG_STEP_CAPTURE) {
        /* gpu-epilogue: cuBLASLt's products made (and its heuristic asked) before capture */
        status = wg_mlp_lt_prepare(t->model, rows);
        if (status != WG_OK) return status;
        wg_cuda_graph_free(index, g->graph[slot]); /* one of other rows, if any */
        g->graph[slot] = NULL;
        enqueue_context c = {t, g, rows};
        status = wg_cuda_graph_capture(index, enqueue_step, &c, &g->graph[slot]);
        /* nothing ran: the first launch is this step */
        if (status == WG_OK) status = wg_cuda_graph_launch(index, g->graph[slot]);
        if (status != WG_OK) {
            wg_step_graph_failed(&g->plan, slot, wg_error_message());
            wg_cuda_graph_free(index, g->graph[slot]);
            g->graph[slot] = NULL;
            wg_step_graph_ran(&g->plan, WG_STEP_EAGER, slot, rows);
            return WG_OK; /* the caller runs the step eagerly */
        }
    } else {
        status = wg_cuda_graph_launch(index, g->graph[slot]);
        if (status != WG_OK) return status;
    }
    wg_step_graph_ran(&g->plan, route, slot, rows);
    if (t->options.optimizer.kind == WG_OPTIMIZER_ADAM) t->model->optimizer_steps++;
    *done = 1;
    return WG_OK;
}

void wg_train_graphs_describe(const wg_train_graphs *g, char *buf, size_t size,
                              int64_t *graph_steps)
{
    wg_step_graph_describe(g ? &g->plan : NULL, buf, size);
    if (graph_steps) *graph_steps = g ? g->plan.replays : 0;
}

const wg_step_graph_plan *wg_train_graphs_plan(const wg_train_graphs *g)
{
    return g ? &g->plan : NULL;
}
