/*
 * epilogue_plan.h - which of a model's products carry a cuBLASLt fused epilogue (train
 * --epilogue lt), how large the ReLU masks they pass from the forward to the backward pass
 * are, and when the model keeps its own kernels instead. Plain C, tested without a GPU.
 *
 * With the epilogues (row-major names; the CUDA side swaps to cuBLASLt's column-major):
 *
 *     forward   hidden layer l   Z = in.W, then bias + ReLU, ReLU's mask to aux[l]
 *                                (CUBLASLT_EPILOGUE_RELU_AUX_BIAS)
 *               last layer       logits = in.W + bias          (CUBLASLT_EPILOGUE_BIAS)
 *     backward  last layer       dW = in^T.dZ, db = column sums of dZ (BGRADA: the reduction
 *                                over k of cuBLASLt's A, which is our dZ)
 *               layer l > 0      d(in) = dZ.W^T, masked by aux[l - 1] (layer l - 1's ReLU),
 *                                and layer l - 1's bias gradient (DRELU_BGRAD)
 *               other dW         plain products
 *
 * so the step's own bias+ReLU and ReLU-backward/bias-gradient kernels (one each a layer)
 * are gone: 2 x layers launches fewer a step (one fewer when Lt offers no BGRADA for the
 * last layer: its bias gradient then stays with the own kernel).
 */
#ifndef WG_NN_EPILOGUE_PLAN_H
#define WG_NN_EPILOGUE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "whygpu.h"
#include "whygpu_lab.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The epilogue of one product (row-major terms). */
typedef enum wg_lt_epilogue {
    WG_LT_PLAIN = 0,      /* C = A.B */
    WG_LT_BIAS,           /* C = A.B + bias (over C's columns) */
    WG_LT_RELU_AUX_BIAS,  /* C = relu(A.B + bias); aux bit = (A.B + bias > 0) */
    WG_LT_DRELU_BGRAD,    /* C = A.B where the aux bit is set, else 0; bias = column sums */
    WG_LT_BGRAD_B,        /* C = A.B; bias = column sums of B (over k) */
} wg_lt_epilogue;
const char *wg_lt_epilogue_name(wg_lt_epilogue epilogue);

/* cuBLASLt's ReLU mask: one bit per element of the output, column-major with a leading
 * dimension in bits that is a multiple of 128 and at least the output's cuBLASLt rows (our
 * columns: the layer's width). */
#define WG_LT_AUX_LD_MULTIPLE 128
/* Each mask is its own allocation; its size is rounded to this (cudaMalloc's alignment). */
#define WG_LT_AUX_ALIGN 256
/* The mask's leading dimension in bits for a layer of `width` outputs (0: width < 1). */
int64_t wg_lt_aux_ld(int64_t width);
/* Bytes of the mask of a layer of `width` outputs for `capacity` rows, rounded up to
 * WG_LT_AUX_ALIGN; 0 for a malformed size. */
int64_t wg_lt_aux_bytes(int64_t width, int64_t capacity);

typedef struct wg_epilogue_plan {
    wg_epilogue_mode asked;
    int use_lt;                              /* the products carry Lt epilogues */
    int layers;
    int fused_backward;                      /* the backward products carry DRELU_BGRAD */
    int bgrad_last;                          /* the last bias gradient by BGRADA (else own) */
    wg_lt_epilogue forward[WG_MLP_MAX_LAYERS];  /* layer l's Z = in.W */
    wg_lt_epilogue dx[WG_MLP_MAX_LAYERS];       /* layer l's d(in) (l > 0) */
    wg_lt_epilogue dw[WG_MLP_MAX_LAYERS];       /* layer l's dW */
    int64_t aux_bytes[WG_MLP_MAX_LAYERS];       /* ReLU mask of hidden layer l (0: none) */
    int64_t aux_total;
    char reason[256];                        /* why the own kernels run ("" with Lt) */
} wg_epilogue_plan;

/* The plan of a model: Lt epilogues when asked (WG_EPILOGUE_LT), on a CUDA device, for
 * fp32 training; otherwise the own kernels with the reason. sizes[0..layers] as wg_mlp's;
 * `inference` models (no backward) never use Lt; a layer after the first that is 1 wide
 * keeps the own backward (its d(in) product would be a DRELU_BGRAD with k = 1). */
void wg_epilogue_plan_init(wg_epilogue_plan *plan, wg_epilogue_mode mode, wg_device device,
                           wg_dtype dtype, int inference, int layers, const int64_t *sizes,
                           int64_t capacity);
/* cuBLASLt refused (no handle, or no algorithm for a product): the own kernels from now
 * on, with the reason ("cuBLASLt: <why>; the own kernels run"). Masks stay allocated. */
void wg_epilogue_plan_refuse(wg_epilogue_plan *plan, const char *why);
/* Lt has no BGRADA for the last layer's dW: that layer's bias gradient by the own kernel. */
void wg_epilogue_plan_drop_bgrad_last(wg_epilogue_plan *plan);
/* Lt refused a backward product (DRELU_BGRAD): the forward stays fused (its products write
 * the ReLU outputs the own backward kernels read), the backward runs the own kernels; the
 * reason is kept ("backward by the own kernels: <why>"). */
void wg_epilogue_plan_drop_backward(wg_epilogue_plan *plan, const char *why);
/* Own-kernel launches a training step's forward + backward make for the layer operations
 * (bias+ReLU and ReLU-backward/bias gradient): 2 x layers with own kernels, 0 or 1 with Lt
 * (layers with a fused forward only). */
int wg_epilogue_plan_own_launches(const wg_epilogue_plan *plan);
/* Launches of a whole training step (gather, products, layer kernels, softmax-loss,
 * optimiser; plus the cursor advance in a graph), counting each product as one. */
int wg_epilogue_plan_step_launches(const wg_epilogue_plan *plan, int graph);
/* "lt (cuBLASLt bias+ReLU forward, dReLU+bias-gradient backward)" or "own (<reason>)". */
const char *wg_epilogue_plan_describe(const wg_epilogue_plan *plan, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* WG_NN_EPILOGUE_PLAN_H */
