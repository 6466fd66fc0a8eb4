/*
 * explain_measure.c - measurements several explain sections share: a checked matmul rate
 * (wg_op_measure), the scalar square, and log-spaced size lists.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

const wg_kernel *explain_kernel(wg_device_kind kind, const char *name)
{
    const wg_kernel *kernel = NULL;
    return wg_kernel_find(kind, name, &kernel) == WG_OK ? kernel : NULL;
}

wg_status explain_gpu_stream(const explain_ctx *x, wg_stream_kernel kernel, int64_t elements,
                             int64_t blocks, int threads_per_block, int trials,
                             wg_stream_result *out)
{
    if (x->gpu.kind == WG_DEVICE_OPENCL)
        return wg_opencl_stream(x->gpu.index, kernel, elements, blocks, threads_per_block, trials,
                                out);
    return wg_gpu_stream(x->gpu.index, kernel, elements, blocks, threads_per_block, trials, out);
}

wg_status explain_gpu_transfer(const explain_ctx *x, int64_t bytes, int to_device, int pinned,
                               int async, int trials, wg_transfer_result *out)
{
    if (x->gpu.kind == WG_DEVICE_OPENCL)
        return wg_opencl_transfer(x->gpu.index, bytes, to_device, pinned, async, trials, out);
    return wg_gpu_transfer(x->gpu.index, bytes, to_device, pinned, async, trials, out);
}

wg_status explain_gpu_memcpy_bandwidth(const explain_ctx *x, int64_t bytes, int trials,
                                       double *best_gbs)
{
    if (x->gpu.kind == WG_DEVICE_OPENCL)
        return wg_opencl_memcpy_bandwidth(x->gpu.index, bytes, trials, best_gbs);
    return wg_gpu_memcpy_bandwidth(x->gpu.index, bytes, trials, best_gbs);
}

wg_status explain_gpu_read_bandwidth(const explain_ctx *x, int64_t bytes, double min_seconds,
                                     double *gbs)
{
    if (x->gpu.kind == WG_DEVICE_OPENCL)
        return wg_opencl_read_bandwidth(x->gpu.index, bytes, min_seconds, gbs);
    return wg_gpu_read_bandwidth(x->gpu.index, bytes, min_seconds, gbs);
}

wg_status explain_gpu_launch_latency(const explain_ctx *x, int launches, wg_launch_latency *out)
{
    if (x->gpu.kind == WG_DEVICE_OPENCL)
        return wg_opencl_launch_latency(x->gpu.index, launches, out);
    return wg_gpu_launch_latency(x->gpu.index, launches, out);
}

void explain_gpu_clock(explain_ctx *x, const char *key)
{
    if (!x->machine.gpu_available || x->gpu.kind != WG_DEVICE_CUDA) return;
    wg_gpu_power power;
    (void)wg_gpu_power_get(x->gpu.index, &power);
    if (x->json) {
        wg_json_key(&x->json_out, key);
        wg_json_gpu_power(&x->json_out, &power);
        return;
    }
    char text[600];
    wg_gpu_power_format(&power, text, sizeof text);
    printf("  GPU clock/power after these figures: %s\n", text);
}

const wg_kernel *explain_gpu_kernel(const explain_ctx *x, const char *role)
{
    const int opencl = x->gpu.kind == WG_DEVICE_OPENCL;
    if (strcmp(role, "best") == 0 && opencl) return NULL; /* auto: beats CLBlast on PoCL */
    const char *name = strcmp(role, "naive") == 0   ? "coalesced"
                       : strcmp(role, "tiled") == 0 ? (opencl ? "local-tiled" : "smem-tiled")
                                                    : (opencl ? "clblast" : "cublas-fp32");
    return explain_kernel(x->gpu.kind, name);
}

wg_status explain_matmul_gflops(explain_ctx *x, wg_device device, const wg_kernel *kernel,
                                const char *isa, int64_t n, double *gflops)
{
    (void)x;
    if (isa) {
        char name[32];
        snprintf(name, sizeof name, "packed-%s", isa);
        wg_status status = wg_kernel_find(WG_DEVICE_CPU, name, &kernel);
        if (status != WG_OK) return status;
    }
    const wg_op op = {.kind = WG_OP_MATMUL, .m = n, .n = n, .k = n, .seed = 1,
                      .check_samples = 16};
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.repeat = 3;
    options.min_repeat_s = 0.05;
    const wg_op_run run = {.device = device, .kernel = kernel,
                           .timing = &options, .fail_on_check = 1};
    wg_op_inputs inputs;
    wg_op_result result;
    wg_status status = wg_op_inputs_create(&op, &inputs);
    if (status == WG_OK) status = wg_op_measure(&inputs, &run, &result);
    if (status == WG_OK) *gflops = wg_op_flops(&op) / result.time.median_s / 1e9;
    wg_op_inputs_free(&inputs);
    return status;
}

typedef struct square_call {
    wg_tensor *x, *out;
    int copy_back;
} square_call;

static wg_status run_square(void *context)
{
    square_call *s = context;
    wg_status status = wg_mul(s->x, s->x, s->out);
    if (status == WG_OK && s->copy_back) {
        float value;
        status = wg_tensor_to_host(s->out, &value, 1);
    }
    return status;
}

wg_status explain_scalar_square(wg_device device, int copy_back, double *seconds)
{
    const int64_t one[2] = {1, 1};
    square_call call = {NULL, NULL, copy_back};
    wg_status status = wg_tensor_rand(2, one, -1.0f, 1.0f, 3, device, &call.x);
    if (status == WG_OK) status = wg_tensor_empty_like(call.x, &call.out);
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.min_repeat_s = 0.1;
    options.repeat = 5;
    wg_timeit_result result;
    /* With the copy back, every call waits for the device: time it with the host clock. */
    if (status == WG_OK)
        status = wg_timeit(copy_back ? wg_cpu() : device, run_square, &call, &options, &result);
    if (status == WG_OK) *seconds = result.median_s;
    wg_tensor_free(call.x);
    wg_tensor_free(call.out);
    return status;
}

int explain_log_sizes(int64_t low, int64_t high, int per_doubling, int64_t *sizes, int max)
{
    int count = 0;
    for (int i = 0; count < max; i++) {
        double size = (double)low * pow(2.0, (double)i / per_doubling);
        if (size > (double)high * 1.0001) break;
        int64_t rounded = ((int64_t)(size + 32) / 64) * 64;
        if (count == 0 || rounded > sizes[count - 1]) sizes[count++] = rounded;
    }
    return count;
}

int64_t explain_cpu_llc_bytes(const explain_ctx *x)
{
    int64_t l3 = x->machine.cpu.l3_bytes > 0 ? x->machine.cpu.l3_bytes : (int64_t)32 << 20;
    return l3 * (x->machine.cpu.l3_instances > 0 ? x->machine.cpu.l3_instances : 1);
}
