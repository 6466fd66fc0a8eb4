/*
 * step_graph.cu - CUDA graphs for the training step (step_graph.h). A replayed graph
 * submits the step's two dozen kernels and GEMMs with one call, instead of one launch
 * (several microseconds of host work each) per kernel: at the batch sizes people train
 * with, that host work, not the arithmetic, is what a step costs.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cuda_backend.h"
#include "cuda_check.h"
#include "step_graph.h"

struct wg_cuda_graph {
    cudaGraphExec_t exec;
};

static __global__ void step_advance_kernel(int64_t *cursor) { ++*cursor; }

extern "C" wg_status wg_cuda_step_advance(int index, int64_t *cursor)
{
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    step_advance_kernel<<<1, 1, 0, stream>>>(cursor);
    WG_CUDA_LAUNCH_CHECK("launching step_advance on cuda:%d", index);
    return WG_OK;
}

extern "C" wg_status wg_cuda_graph_capture(int index, wg_cuda_enqueue_fn enqueue, void *context,
                                           wg_cuda_graph **out)
{
    if (!enqueue || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_graph_capture: NULL argument");
    *out = NULL;
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_stream(index, &stream);
    /* cuBLAS's handle and its workspace are made before the capture: cublasCreate and the
     * workspace's cudaMalloc are not allowed inside one (the capturing thread may make no
     * potentially unsafe call, cudaThreadExchangeStreamCaptureMode), and the step's first
     * GEMM is often this capture's (train --epilogue own: nothing used cuBLAS before) */
    void *workspace = NULL;
    size_t workspace_bytes = 0;
    if (status == WG_OK) status = wg_cuda_cublas_workspace(index, &workspace, &workspace_bytes);
    if (status != WG_OK) return status;
    /* thread-local mode: other host threads may go on using CUDA during the capture */
    WG_CUDA_TRY(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
                "beginning a graph capture on cuda:%d", index);
    status = enqueue(context);
    cudaGraph_t graph = NULL;
    const cudaError_t end = cudaStreamEndCapture(stream, &graph);
    if (status != WG_OK) {
        /* the enqueue's own message says what could not be captured */
        if (graph) (void)cudaGraphDestroy(graph);
        (void)cudaGetLastError();
        return status;
    }
    if (end != cudaSuccess) {
        if (graph) (void)cudaGraphDestroy(graph);
        return wg_cuda_fail(end, "ending the graph capture on cuda:%d (cudaStreamEndCapture)",
                            index);
    }
    cudaGraphExec_t exec = NULL;
    cudaError_t err = cudaGraphInstantiate(&exec, graph, 0);
    /* the instantiated graph keeps what it needs: the template is not needed again */
    (void)cudaGraphDestroy(graph);
    if (err == cudaSuccess) err = cudaGraphUpload(exec, stream);
    if (err != cudaSuccess) {
        if (exec) (void)cudaGraphExecDestroy(exec);
        return wg_cuda_fail(err, "instantiating the captured graph on cuda:%d", index);
    }
    wg_cuda_graph *g = static_cast<wg_cuda_graph *>(calloc(1, sizeof *g));
    if (!g) {
        (void)cudaGraphExecDestroy(exec);
        return wg_fail(WG_ERR_NO_MEMORY, "graph capture: out of host memory");
    }
    g->exec = exec;
    *out = g;
    return WG_OK;
}

extern "C" wg_status wg_cuda_graph_launch(int index, wg_cuda_graph *graph)
{
    if (!graph) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_graph_launch: NULL graph");
    cudaStream_t stream = NULL;
    wg_status status = wg_cuda_stream(index, &stream);
    if (status != WG_OK) return status;
    WG_CUDA_TRY(cudaGraphLaunch(graph->exec, stream), "replaying a graph on cuda:%d", index);
    return WG_OK;
}

extern "C" void wg_cuda_graph_free(int index, wg_cuda_graph *graph)
{
    if (!graph) return;
    /* the last replay finishes before its graph goes */
    cudaStream_t stream = NULL;
    if (wg_cuda_stream(index, &stream) == WG_OK) {
        (void)cudaStreamSynchronize(stream);
        (void)cudaGraphExecDestroy(graph->exec);
    }
    (void)cudaGetLastError();
    free(graph);
}
