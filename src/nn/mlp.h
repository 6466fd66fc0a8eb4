/*
 * mlp.h - a multilayer perceptron on one device: linear layers with ReLU between them and
 * a softmax cross-entropy loss, trained with SGD (momentum) or Adam.
 *
 * One code path for every device: the matrix products go through wg_gemm_on, the rest
 * through the device's layer-operation table (nn_backend.h). Weights are stored [in, out],
 * so for a batch X [rows, in]:
 *
 *     forward   Z = X.W (NN)          + bias, ReLU (fused)
 *     backward  dW = X^T.dZ (TN)      db = column sums of dZ (fused with ReLU's mask)
 *               dX = dZ.W^T (NT)
 *
 * Every buffer is allocated once, in wg_mlp_create, for `capacity` rows; a smaller batch
 * uses the first rows. All parameters live in one flat buffer (each tensor starting on a
 * 64-byte boundary), as do their gradients and the optimiser state, so an optimiser step
 * is one pass (one kernel launch) over the whole model.
 *
 * Mixed precision (dtype BF16): the products read bfloat16 copies of their inputs (the
 * parameters, the input batch, the hidden layers' outputs and the gradients dZ) and
 * accumulate in float32 into float32 outputs; the master parameters, gradients, optimiser
 * state, biases, activations and the loss stay float32. Each copy is written by the pass
 * that produces its values (bias+ReLU, ReLU backward, the optimiser step), so bf16 adds no
 * pass of its own except rounding the input batch.
 */
#ifndef WG_NN_MLP_H
#define WG_NN_MLP_H

#include <stdint.h>

#include "../backend.h"
#include "epilogue_plan.h"
#include "nn_backend.h"
#include "whygpu.h"
#include "whygpu_lab.h"

/* WG_MLP_MAX_*, wg_optimizer and its names are public, in whygpu_lab.h. */

/* The flat buffers of a model: parameters, their gradients, and the optimiser state (SGD:
 * velocity in STATE1; Adam: first moment in STATE1, second in STATE2). */
typedef enum wg_mlp_buffer {
    WG_MLP_PARAMS = 0,
    WG_MLP_GRADS,
    WG_MLP_STATE1,
    WG_MLP_STATE2,
    WG_MLP_BUFFERS
} wg_mlp_buffer;

/* One parameter tensor: layer l's weight ("layer<l>.weight", [in, out]) or bias
 * ("layer<l>.bias", [out]). */
typedef struct wg_mlp_param {
    char name[32];
    int rank;
    int64_t shape[2];
    int64_t count;
    int64_t offset; /* in floats, into each flat buffer */
} wg_mlp_param;

typedef struct wg_mlp {
    wg_device device;
    const wg_backend *backend;
    const wg_nn_backend *nn;
    int layers;                           /* weight layers */
    int64_t sizes[WG_MLP_MAX_LAYERS + 1]; /* sizes[0] inputs, ..., sizes[layers] classes */
    int64_t capacity;                     /* batch rows the activations hold */
    int param_tensors;                    /* 2 * layers */
    wg_mlp_param params[2 * WG_MLP_MAX_LAYERS];
    int64_t param_count;                  /* floats in each flat buffer (with padding) */
    float *buffer[WG_MLP_BUFFERS];        /* device memory */
    float *act[WG_MLP_MAX_LAYERS];        /* [capacity, sizes[l+1]]: layer l's output */
    float *grad[WG_MLP_MAX_LAYERS];       /* [capacity, sizes[l+1]]: gradient there */
    wg_nn_stats *stats;                   /* device memory */
    int64_t optimizer_steps;              /* Adam's t */
    /* Mixed precision: everything below is NULL / 0 for FP32. */
    wg_dtype dtype;                       /* of the products' inputs */
    const wg_kernel *kernel;              /* the products' kernel (NULL: the device's auto) */
    wg_bf16 *params16;                    /* [param_count] copies of the parameters */
    int params16_stale;                   /* parameters written since the copies were made */
    wg_bf16 *x16;                         /* [capacity, sizes[0]] the input batch */
    wg_bf16 *act16[WG_MLP_MAX_LAYERS];    /* hidden layers' outputs (not the logits) */
    wg_bf16 *grad16[WG_MLP_MAX_LAYERS];   /* dZ of each layer */
    /* The CPU's data-parallel step (mlp_cpu_step.c): per-thread scratch, made at its first
     * step. */
    float *cpu_scratch;                   /* 2 x threads rows of bias-gradient partial sums */
    int cpu_scratch_threads;
    int64_t cpu_scratch_row;              /* floats a row */
    wg_nn_stats *cpu_stats;               /* [threads] loss statistics */
    /* gpu-epilogue: cuBLASLt fused epilogues (mlp_epilogue.c); plan.use_lt 0 elsewhere. */
    wg_epilogue_plan epilogue;
    void *aux[WG_MLP_MAX_LAYERS];         /* ReLU masks of the hidden layers (device) */
    struct wg_mlp_lt_shape *lt_shapes;    /* the products made for each batch size seen */
    int lt_next_shape;                    /* the slot a new batch size takes */
    int64_t lt_masks_rows;                /* rows of the last forward pass that wrote the
                                           * masks through Lt (0: it did not) */
} wg_mlp;

/* A model with `layers` weight layers of sizes[0] -> sizes[1] -> ... -> sizes[layers] on
 * `device`, with buffers for batches of up to `capacity` rows. Parameters are zero until
 * wg_mlp_init. */
wg_status wg_mlp_create(wg_device device, int layers, const int64_t *sizes, int64_t capacity,
                        wg_mlp **out);
/* The same with the products' input dtype: FP32 (as wg_mlp_create) or BF16 (mixed
 * precision, see above): WG_ERR_UNSUPPORTED when the device has no BF16 product or no
 * mixed-precision layer operations. */
wg_status wg_mlp_create_dtype(wg_device device, int layers, const int64_t *sizes,
                              int64_t capacity, wg_dtype dtype, wg_mlp **out);
/* gpu-epilogue: the same with the layer epilogues asked for (epilogue_plan.h): LT fuses
 * them into cuBLASLt products on a CUDA device in float32 (the ReLU masks counted in the
 * memory plan and allocated here), falling back to the own kernels with the reason
 * (mlp->epilogue.reason); the calls above use OWN. */
wg_status wg_mlp_create_epilogue(wg_device device, int layers, const int64_t *sizes,
                                 int64_t capacity, wg_dtype dtype, wg_epilogue_mode epilogue,
                                 wg_mlp **out);
/* What such a model holds on its device, entry by entry (wg_memory_plan_check says
 * whether it fits): parameters, gradients and optimiser state, activations and their
 * gradients, the bf16 copies (BF16 training), the ReLU masks (fused epilogues). */
wg_status wg_mlp_memory_plan(wg_device device, int layers, const int64_t *sizes,
                             int64_t capacity, int inference, wg_dtype dtype,
                             wg_epilogue_mode epilogue, wg_memory_plan *plan);
/* The same for forward passes only (prediction): the parameters and activations, no
 * gradients or optimiser state (buffer[] other than WG_MLP_PARAMS and grad[] are NULL), so
 * the memory plan counts a quarter of the parameters' training footprint. Not for
 * wg_mlp_loss with gradients, backward, update or wg_mlp_load. */
wg_status wg_mlp_create_inference(wg_device device, int layers, const int64_t *sizes,
                                  int64_t capacity, wg_mlp **out);
/* The BF16 model's parameter copies made again from the float32 masters (after the
 * parameters were written other than by an update; forward does it when needed). */
wg_status wg_mlp_refresh_copies(wg_mlp *mlp);
void wg_mlp_free(wg_mlp *mlp);

/* "mlp 784-512-256-10 relu softmax-xent": what a checkpoint must match. */
const char *wg_mlp_describe(const wg_mlp *mlp, char *buf, size_t size);
/* The same for a model of `layers` weight layers of sizes[0..layers], before one exists. */
const char *wg_mlp_describe_sizes(int layers, const int64_t *sizes, char *buf, size_t size);

/* He initialisation from a seed: weights of layer l uniform in +-sqrt(6 / fan_in) (variance
 * 2 / fan_in) from the shared counter-based generator, so the same seed gives the same
 * weights on every device; biases and optimiser state zero. */
wg_status wg_mlp_init(wg_mlp *mlp, uint64_t seed);

/* Forward pass of `rows` rows of x (device memory, rows x sizes[0]); the logits end up in
 * act[layers - 1]. */
wg_status wg_mlp_forward(wg_mlp *mlp, const float *x, int64_t rows);
/* Softmax cross-entropy of the logits against labels (device memory), added to the
 * statistics; with `with_grad`, the gradient of the batch's mean loss goes to
 * grad[layers - 1]. */
wg_status wg_mlp_loss(wg_mlp *mlp, const uint8_t *labels, int64_t rows, int with_grad);
/* Backward pass from grad[layers - 1] into the GRADS buffer (x is the forward's input). */
wg_status wg_mlp_backward(wg_mlp *mlp, const float *x, int64_t rows);
/* One optimiser step with learning rate lr. */
wg_status wg_mlp_update(wg_mlp *mlp, const wg_optimizer *optimizer, float lr);
/* All four: one training step on a batch. Queues work only (no host synchronisation). On
 * the CPU in float32 with several threads and enough rows, the data-parallel step below. */
wg_status wg_mlp_train_step(wg_mlp *mlp, const float *x, const uint8_t *labels, int64_t rows,
                            const wg_optimizer *optimizer, float lr);

/* mlp_cpu_step.c: the CPU's step (float32 or BF16) in one parallel region, each thread a
 * band of the rows (forward, loss, ReLU backward, d(in)) and of the gradients' columns
 * (after a barrier a layer), then of the optimiser's parameters; the same arithmetic as
 * the four calls above, summed in another order. _suits says whether it applies (the CPU,
 * a training model, more than one thread and at least 32 rows each, not inside a parallel
 * region). lr_t and eps_t are Adam's corrected rate and epsilon for this step (see
 * wg_mlp_update). */
int wg_mlp_cpu_step_suits(const wg_mlp *mlp, int64_t rows);
/* A product of the model's dtype (a and b point at bf16 elements for BF16) with its
 * kernel. */
wg_status wg_mlp_gemm(const wg_mlp *mlp, int trans_a, int trans_b, int64_t m, int64_t n,
                      int64_t k, const void *a, int64_t lda, const void *b, int64_t ldb,
                      float *c, int64_t ldc);
wg_status wg_mlp_cpu_train_step(wg_mlp *mlp, const float *x, const uint8_t *labels,
                                int64_t rows, const wg_optimizer *optimizer, float lr,
                                float lr_t, float eps_t);

/* mlp_epilogue.c (gpu-epilogue): the cuBLASLt side of forward and backward. _prepare
 * makes the products of a batch of `rows` rows once (outside any graph capture: it asks
 * the heuristic); a refusal switches the model to its own kernels, saying why, and is
 * not an error. _forward and _backward set *used = 0 when the own path must run instead
 * (Lt off, or the backward's forward did not write the masks). */
wg_status wg_mlp_lt_prepare(wg_mlp *mlp, int64_t rows);
wg_status wg_mlp_lt_forward(wg_mlp *mlp, const float *x, int64_t rows, int *used);
wg_status wg_mlp_lt_backward(wg_mlp *mlp, const float *x, int64_t rows, int *used);
void wg_mlp_lt_free(wg_mlp *mlp);

/* The accumulated loss sum and correct count: reset, and read (waits for the device). */
wg_status wg_mlp_stats_reset(wg_mlp *mlp);
wg_status wg_mlp_stats_read(wg_mlp *mlp, wg_nn_stats *out);

/* Copies parameter tensor `index` (0 .. param_tensors - 1) of a flat buffer to or from
 * host memory (params[index].count floats). Blocking. */
wg_status wg_mlp_read(const wg_mlp *mlp, wg_mlp_buffer which, int index, float *host);
wg_status wg_mlp_write(wg_mlp *mlp, wg_mlp_buffer which, int index, const float *host);

/* The index of the parameter tensor with this name, or -1. */
int wg_mlp_find(const wg_mlp *mlp, const char *name);

#endif /* WG_NN_MLP_H */
