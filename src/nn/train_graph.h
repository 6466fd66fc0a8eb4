/*
 * train_graph.h - the trainer's CUDA-graph step (train_graph.c): on a CUDA device each
 * step (batch gather, forward, loss, backward, optimiser, cursor advance) is captured once
 * into a graph and then replayed with one launch; the per-step values come from the
 * epoch's table in device memory (step_plan.h). Elsewhere, with --graph off, or after a
 * capture failed, the trainer runs its steps eagerly and this says why.
 */
#ifndef WG_NN_TRAIN_GRAPH_H
#define WG_NN_TRAIN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "step_plan.h"
#include "whygpu_lab.h"

typedef struct wg_train_graphs wg_train_graphs;

/* The graph state of a trainer that has its model, datasets and batch buffers (*out is
 * never NULL on success: without graphs it only carries the reason). */
wg_status wg_train_graphs_create(wg_trainer *trainer, wg_train_graphs **out);
void wg_train_graphs_free(wg_trainer *trainer, wg_train_graphs *graphs);
/* Runs the trainer's next step, of `rows` rows, as a graph when it can (*done = 1), after
 * the epoch's order is on the device; *done = 0: the caller runs it eagerly. Does not
 * move the trainer's position. */
wg_status wg_train_graphs_step(wg_trainer *trainer, int64_t rows, int *done);
/* How the steps ran (wg_trainer_info.step_mode) and how many were graph replays. */
void wg_train_graphs_describe(const wg_train_graphs *graphs, char *buf, size_t size,
                              int64_t *graph_steps);
/* The decisions' state, for tests. */
const wg_step_graph_plan *wg_train_graphs_plan(const wg_train_graphs *graphs);

#endif /* WG_NN_TRAIN_GRAPH_H */
