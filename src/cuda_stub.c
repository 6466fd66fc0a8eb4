/*
 * cuda_stub.c - the CUDA backend of a build without nvcc (compiled instead of src/cuda/):
 * every CUDA entry point exists once and fails with WG_ERR_NO_DEVICE and one message, so
 * the rest of the library calls CUDA the same way in every build. The CUDA kernel
 * registry (cuda_kernels.c) is in every build, so the CUDA kernels are still listed.
 */
#include "cuda/cuda_backend.h"
#include "cuda/cuda_measure.h"
#include "cuda/ladder_cuda.h"
#include "cuda/lt_gemm.h"
#include "cuda/step_graph.h"
#include "cuda_kernels.h"
#include "error.h"
#include "nn/nn_backend.h"

#define WG_NO_CUDA_BUILD "whygpu was built without CUDA (nvcc was absent at build time, or CUDA=0)"

static wg_status no_cuda(int index)
{
    return wg_fail(WG_ERR_NO_DEVICE, "cuda:%d is unavailable: " WG_NO_CUDA_BUILD, index);
}

/* ---------------------------------------------------------------- device queries -- */

int wg_built_with_cuda(void) { return 0; }

wg_status wg_cuda_device_count(int *count)
{
    *count = 0;
    return wg_fail(WG_ERR_NO_DEVICE, WG_NO_CUDA_BUILD);
}

wg_status wg_cuda_check(int index) { return no_cuda(index); }

wg_status wg_cuda_gpu_info(int index, wg_gpu_info *out)
{
    (void)out;
    return no_cuda(index);
}

wg_status wg_cuda_pci_bus_id(int device, char *buf, int size)
{
    if (buf && size > 0) buf[0] = '\0';
    return no_cuda(device);
}

/* ---------------------------------------------------------------- backend table --- */

#define STUB_FAIL no_cuda
#include "stub_entries.inc"

const wg_backend wg_cuda_backend = {
    .name = "cuda",
    .check = wg_cuda_check,
    WG_STUB_BACKEND_ENTRIES,
    WG_CUDA_BACKEND_KERNELS,
    .synchronize = wg_cuda_check,
};

/* ---------------------------------------------------------------- ladder ---------- */

wg_status wg_cuda_ladder_launch(int index, const wg_ladder_plan *plan,
                                const wg_gemm_args *ops)
{
    (void)plan, (void)ops;
    return no_cuda(index);
}

wg_status wg_cuda_ladder6_variant(int index, int *variant)
{
    (void)variant;
    return no_cuda(index);
}

wg_status wg_cuda_cublas_gemm(int index, wg_precision precision, const wg_gemm_args *args)
{
    (void)precision, (void)args;
    return no_cuda(index);
}

wg_status wg_cuda_ladder_copy(int index, const float *src, int src_bf16, int64_t rows,
                              int64_t cols, int64_t src_ld, int transpose, int bf16,
                              int64_t dst_ld, void **out)
{
    (void)src, (void)src_bf16, (void)rows, (void)cols, (void)src_ld, (void)transpose, (void)bf16, (void)dst_ld;
    (void)out;
    return no_cuda(index);
}

void wg_cuda_ladder_free(int index, void *ptr) { (void)index, (void)ptr; }

/* ---------------------------------------------------------------- measurements ---- */

wg_status wg_cuda_measure_stream(int device, wg_stream_kernel kernel, int64_t elements,
                                 int64_t blocks, int threads_per_block, int trials,
                                 wg_stream_result *out)
{
    (void)kernel, (void)elements, (void)blocks, (void)threads_per_block, (void)trials, (void)out;
    return no_cuda(device);
}

wg_status wg_cuda_measure_memcpy(int device, int64_t bytes, int trials, double *best_gbs)
{
    (void)bytes, (void)trials, (void)best_gbs;
    return no_cuda(device);
}

wg_status wg_cuda_measure_transfer(int device, int64_t bytes, int to_device, int pinned,
                                   int async, int trials, wg_transfer_result *out)
{
    (void)bytes, (void)to_device, (void)pinned, (void)async, (void)trials, (void)out;
    return no_cuda(device);
}

wg_status wg_cuda_measure_read_bandwidth(int device, int64_t bytes, double min_seconds,
                                         double *gbs)
{
    (void)bytes, (void)min_seconds, (void)gbs;
    return no_cuda(device);
}

wg_status wg_cuda_measure_launch_latency(int device, int launches, wg_launch_latency *out)
{
    (void)launches, (void)out;
    return no_cuda(device);
}

/* ---------------------------------------------------------------- layer operations  */

const wg_nn_backend wg_nn_cuda = WG_STUB_NN_TABLE;

/* ---- gpu-step: the graph-replayed training step (cuda/step_graph.h) ---- */

wg_status wg_cuda_step_gather(int index, const float *images, const uint8_t *labels,
                              const int32_t *order, const wg_step_params *table,
                              const int64_t *cursor, int64_t rows, int64_t features, float *x,
                              uint8_t *y)
{
    (void)images, (void)labels, (void)order, (void)table, (void)cursor, (void)rows;
    (void)features, (void)x, (void)y;
    return no_cuda(index);
}

wg_status wg_cuda_step_sgd(int index, float *w, float *v, const float *g, int64_t n,
                           float momentum, const wg_step_params *table, const int64_t *cursor)
{
    (void)w, (void)v, (void)g, (void)n, (void)momentum, (void)table, (void)cursor;
    return no_cuda(index);
}

wg_status wg_cuda_step_adam(int index, float *w, float *m, float *v, const float *g, int64_t n,
                            float beta1, float beta2, const wg_step_params *table,
                            const int64_t *cursor)
{
    (void)w, (void)m, (void)v, (void)g, (void)n, (void)beta1, (void)beta2, (void)table;
    (void)cursor;
    return no_cuda(index);
}

wg_status wg_cuda_step_advance(int index, int64_t *cursor)
{
    (void)cursor;
    return no_cuda(index);
}

wg_status wg_cuda_graph_capture(int index, wg_cuda_enqueue_fn enqueue, void *context,
                                wg_cuda_graph **out)
{
    (void)enqueue, (void)context;
    if (out) *out = NULL;
    return no_cuda(index);
}

wg_status wg_cuda_graph_launch(int index, wg_cuda_graph *graph)
{
    (void)graph;
    return no_cuda(index);
}

void wg_cuda_graph_free(int index, wg_cuda_graph *graph) { (void)index, (void)graph; }

/* ---- gpu-epilogue: cuBLASLt products with fused epilogues (cuda/lt_gemm.h) ---- */

wg_status wg_cuda_lt_gemm_create(int index, const wg_lt_gemm_spec *spec, wg_lt_gemm **out)
{
    (void)spec;
    if (out) *out = NULL;
    return no_cuda(index);
}

wg_status wg_cuda_lt_gemm_run(int index, const wg_lt_gemm *gemm, const float *a, const float *b,
                              float *c)
{
    (void)gemm, (void)a, (void)b, (void)c;
    return no_cuda(index);
}

void wg_cuda_lt_gemm_free(wg_lt_gemm *gemm) { (void)gemm; }
