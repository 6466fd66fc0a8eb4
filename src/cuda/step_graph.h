/*
 * step_graph.h - the CUDA side of the graph-replayed training step (src/nn/step_graph.c):
 * the step's kernels that read their per-step values from a table in device memory
 * (nn_cuda.cu), the cursor's advance, and capturing, replaying and freeing a CUDA graph
 * (step_graph.cu). src/cuda_stub.c stands in for them in a build without CUDA.
 */
#ifndef WG_CUDA_STEP_GRAPH_H
#define WG_CUDA_STEP_GRAPH_H

#include <stdint.h>

#include "../nn/step_plan.h"
#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* As the nn_backend entries gather, sgd and adam, with `first`, lr, lr_t and eps_t taken
 * from table[*cursor] when the kernel runs. */
wg_status wg_cuda_step_gather(int index, const float *images, const uint8_t *labels,
                              const int32_t *order, const wg_step_params *table,
                              const int64_t *cursor, int64_t rows, int64_t features, float *x,
                              uint8_t *y);
wg_status wg_cuda_step_sgd(int index, float *w, float *v, const float *g, int64_t n,
                           float momentum, const wg_step_params *table, const int64_t *cursor);
wg_status wg_cuda_step_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                            float beta1, float beta2, const wg_step_params *table,
                            const int64_t *cursor);
/* ++*cursor on the device: the graph's last node. */
wg_status wg_cuda_step_advance(int index, int64_t *cursor);

/* An instantiated CUDA graph. */
typedef struct wg_cuda_graph wg_cuda_graph;
/* Captures what enqueue(context) launches on the device's stream (nothing runs) into a
 * graph and instantiates it. When enqueue or the capture fails (work the stream cannot
 * capture: a legacy-stream copy, a synchronisation, an allocation), the capture is ended
 * and the reason returned; the device is left as it was. */
typedef wg_status (*wg_cuda_enqueue_fn)(void *context);
wg_status wg_cuda_graph_capture(int index, wg_cuda_enqueue_fn enqueue, void *context,
                                wg_cuda_graph **out);
/* One replay on the device's stream; does not wait. */
wg_status wg_cuda_graph_launch(int index, wg_cuda_graph *graph);
void wg_cuda_graph_free(int index, wg_cuda_graph *graph);

#ifdef __cplusplus
}
#endif

#endif /* WG_CUDA_STEP_GRAPH_H */
