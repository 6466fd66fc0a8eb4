/*
 * explain_measure.c - measurements several explain sections share: a checked matmul rate,
 * the scalar square, and log-spaced size lists.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cpu/cpu_backend.h"
#include "../src/error.h"
#include "explain.h"

typedef struct matmul_call {
    const wg_tensor *a, *b;
    wg_tensor *c;
    const wg_kernel *kernel; /* NULL: auto */
    const char *isa;
    int64_t n;
} matmul_call;

static wg_status run_matmul(void *context)
{
    matmul_call *m = context;
    if (m->isa) {
        /* The per-ISA entry takes raw host pointers: the tensors are on the CPU. */
        return wg_cpu_matmul_isa_run(m->isa, wg_tensor_host_data((wg_tensor *)m->a),
                                     wg_tensor_host_data((wg_tensor *)m->b),
                                     wg_tensor_host_data(m->c), m->n, m->n, m->n);
    }
    return wg_matmul_with(m->kernel, m->a, m->b, m->c);
}

/* 16 sampled elements of c against float64: a wrong result is no measurement. */
static wg_status check_sampled(const float *a, const float *b, const float *c, int64_t n)
{
    double error = wg_matmul_sampled_error(a, b, c, n, n, n, 16, 1);
    if (!(error <= wg_matmul_fp32_tolerance(n)))
        return wg_fail(WG_ERR_BACKEND, "matmul %lldx%lld gave wrong results: relative error "
                       "%.3g on sampled elements (tolerance %.3g)", (long long)n, (long long)n,
                       error, wg_matmul_fp32_tolerance(n));
    return WG_OK;
}

const wg_kernel *explain_kernel(wg_device_kind kind, const char *name)
{
    const wg_kernel *kernel = NULL;
    return wg_kernel_find(kind, name, &kernel) == WG_OK ? kernel : NULL;
}

wg_status explain_matmul_gflops(explain_ctx *x, wg_device device, const wg_kernel *kernel,
                                const char *isa, int64_t n, double *gflops)
{
    (void)x;
    const int64_t shape[2] = {n, n};
    wg_tensor *a = NULL, *b = NULL, *c = NULL, *a_dev = NULL, *b_dev = NULL;
    float *host_c = NULL;
    wg_status status = wg_tensor_rand(2, shape, -1.0f, 1.0f, 1, wg_cpu(), &a);
    if (status == WG_OK) status = wg_tensor_rand(2, shape, -1.0f, 1.0f, 2, wg_cpu(), &b);
    if (status == WG_OK && device.kind != WG_DEVICE_CPU) {
        status = wg_tensor_to(a, device, &a_dev);
        if (status == WG_OK) status = wg_tensor_to(b, device, &b_dev);
    }
    const wg_tensor *ua = a_dev ? a_dev : a, *ub = b_dev ? b_dev : b;
    if (status == WG_OK) status = wg_tensor_empty(2, shape, device, &c);
    matmul_call call = {ua, ub, c, kernel, isa, n};
    wg_timeit_options options;
    wg_timeit_defaults(&options);
    options.repeat = 3;
    options.min_repeat_s = 0.05;
    wg_timeit_result result;
    if (status == WG_OK) status = wg_timeit(device, run_matmul, &call, &options, &result);
    if (status == WG_OK) {
        host_c = malloc((size_t)(n * n) * sizeof *host_c);
        if (!host_c) status = wg_fail(WG_ERR_NO_MEMORY, "no memory to check the matmul");
    }
    if (status == WG_OK) status = wg_tensor_to_host(c, host_c, n * n);
    if (status == WG_OK)
        status = check_sampled(wg_tensor_host_data(a), wg_tensor_host_data(b), host_c, n);
    if (status == WG_OK) *gflops = 2.0 * (double)n * (double)n * (double)n / result.median_s / 1e9;
    free(host_c);
    wg_tensor_free(a);
    wg_tensor_free(b);
    wg_tensor_free(c);
    wg_tensor_free(a_dev);
    wg_tensor_free(b_dev);
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
    int64_t l3 = x->cpu.l3_bytes > 0 ? x->cpu.l3_bytes : (int64_t)32 << 20;
    return l3 * (x->cpu.l3_instances > 0 ? x->cpu.l3_instances : 1);
}
