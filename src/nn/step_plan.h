/*
 * step_plan.h - the host-side decisions of a training step replayed as a CUDA graph
 * (step_graph.c), in plain C so that they are tested without a GPU.
 *
 * A captured graph fixes its kernels' arguments, so what changes from step to step is read
 * from device memory instead: the epoch's table of per-step values (where the batch starts
 * in the epoch's order, the learning rate of the schedule, Adam's bias-corrected rate),
 * written once when the epoch starts, and a cursor into it that the graph's last kernel
 * advances. The shapes are fixed too: one graph for the full batch and a second for the
 * epoch's last, shorter batch. When capture fails the trainer runs the step eagerly and
 * keeps the reason.
 */
#ifndef WG_NN_STEP_PLAN_H
#define WG_NN_STEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"
#include "whygpu_lab.h"

/* One step's values, as the graph's kernels read them (device memory; 24 bytes). */
typedef struct wg_step_params {
    int64_t first; /* the batch's first row in the epoch's order */
    float lr;      /* SGD: the schedule's learning rate */
    float lr_t;    /* Adam: lr * sqrt(1 - beta2^t) / (1 - beta1^t) */
    float eps_t;   /* Adam: eps * sqrt(1 - beta2^t) */
    int32_t rows;  /* the batch's rows (which graph: full or last) */
} wg_step_params;

/* Where the epoch's table starts from. */
typedef struct wg_step_plan_input {
    int64_t count;           /* training images */
    int64_t batch;           /* rows of a full batch (<= count) */
    int64_t position;        /* the next step's first row in this epoch */
    int64_t step;            /* steps done, in all (the schedule's position) */
    int64_t total_steps;     /* the schedule's length */
    wg_lr_schedule schedule;
    float lr;
    wg_optimizer optimizer;
    int64_t optimizer_steps; /* Adam's t before the next step */
} wg_step_plan_input;

/* Steps left in the epoch from in->position: the table's length. */
int64_t wg_step_plan_length(const wg_step_plan_input *in);
/* Fills out[0 .. wg_step_plan_length - 1] with the epoch's remaining steps, the values the
 * eager step would use (wg_lr_at, and Adam's corrections as wg_mlp_update makes them).
 * WG_ERR_ARGUMENT when capacity is too small or the input is malformed. */
wg_status wg_step_plan_epoch(const wg_step_plan_input *in, wg_step_params *out,
                             int64_t capacity);

/* The graphs: full batch and the epoch's last short batch. */
enum { WG_STEP_GRAPH_FULL = 0, WG_STEP_GRAPH_LAST = 1, WG_STEP_GRAPHS = 2 };

typedef enum wg_step_route {
    WG_STEP_EAGER = 0,   /* launch the step's kernels one by one */
    WG_STEP_CAPTURE,     /* capture the step into the slot's graph, then replay it */
    WG_STEP_REPLAY,      /* replay the slot's graph */
} wg_step_route;

/* The decisions' state: what was asked, what was captured, and why graphs are off. */
typedef struct wg_step_graph_plan {
    int enabled;                     /* asked for, on a device that has graphs, not failed */
    int captured[WG_STEP_GRAPHS];
    int64_t rows[WG_STEP_GRAPHS];    /* the rows each graph was captured for */
    int64_t replays, captures, eager_steps;
    char reason[256];                /* why steps run eagerly ("" while graphs run) */
} wg_step_graph_plan;

/* The plan for a trainer: graphs on for CUDA when mode is WG_GRAPH_ON; otherwise off with
 * the reason ("--graph off", "graphs are a CUDA feature: the cpu runs each step eagerly"). */
void wg_step_graph_plan_init(wg_step_graph_plan *plan, wg_graph_mode mode, wg_device device);
/* The slot of a step of `rows` rows when full batches have `batch`. */
int wg_step_graph_slot(int64_t rows, int64_t batch);
/* How to run a step of `rows` rows; *slot gets its graph. */
wg_step_route wg_step_graph_route(const wg_step_graph_plan *plan, int64_t rows, int64_t batch,
                                  int *slot);
/* Records a step's outcome: CAPTURE that worked (the slot now holds a graph for rows),
 * REPLAY, or EAGER. */
void wg_step_graph_ran(wg_step_graph_plan *plan, wg_step_route route, int slot, int64_t rows);
/* A capture (or instantiation, or replay) failed: graphs off from now on, the reason kept
 * ("capturing the full-batch graph failed: <why>"). */
void wg_step_graph_failed(wg_step_graph_plan *plan, int slot, const char *why);
/* "cuda graph (2 captured, 233 replays)" or "eager (<reason>)". */
const char *wg_step_graph_describe(const wg_step_graph_plan *plan, char *buf, size_t size);

#endif /* WG_NN_STEP_PLAN_H */
