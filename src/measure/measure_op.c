/*
 * measure_op.c - the one "time an op and check it against float64" routine (whygpu_lab.h,
 * "time an op, checked") that demo, matmul, sweep and explain share: host inputs from a
 * seed, the output poisoned with NaN, the op timed with wg_timeit on the device (resident,
 * or with the copies a host-memory user pays), then the last call's output read back and
 * compared with a float64 reference.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend.h"
#include "../error.h"
#include "check.h"
#include "whygpu_lab.h"

/* One float32 rounding of a correctly rounded product or sum (2^-24 ~ 6e-8). */
#define ELEMENTWISE_BOUND 1e-7

static const char *const kind_names[WG_OP_KIND_COUNT] = {"matmul", "mul", "add", "relu"};

const char *wg_op_kind_name(wg_op_kind kind)
{
    return kind >= 0 && kind < WG_OP_KIND_COUNT ? kind_names[kind] : "unknown";
}

double wg_op_flops(const wg_op *op)
{
    if (op->kind == WG_OP_MATMUL) return 2.0 * (double)op->m * (double)op->n * (double)op->k;
    return (double)op->m * (double)op->n;
}

/* The stored shapes of A and B. */
static void operand_shapes(const wg_op *op, int64_t a_shape[2], int64_t b_shape[2])
{
    if (op->kind != WG_OP_MATMUL) {
        a_shape[0] = b_shape[0] = op->m;
        a_shape[1] = b_shape[1] = op->n;
        return;
    }
    a_shape[0] = op->trans_a ? op->k : op->m;
    a_shape[1] = op->trans_a ? op->m : op->k;
    b_shape[0] = op->trans_b ? op->n : op->k;
    b_shape[1] = op->trans_b ? op->k : op->n;
}

void wg_op_inputs_free(wg_op_inputs *inputs)
{
    if (!inputs) return;
    wg_tensor_free(inputs->a);
    wg_tensor_free(inputs->b);
    free(inputs->result);
    memset(inputs, 0, sizeof *inputs);
}

wg_status wg_op_inputs_create(const wg_op *op, wg_op_inputs *out)
{
    if (!op || !out) return wg_fail(WG_ERR_ARGUMENT, "op inputs: NULL op or output");
    memset(out, 0, sizeof *out);
    if (op->kind < 0 || op->kind >= WG_OP_KIND_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "op inputs: unknown op %d", (int)op->kind);
    if (op->m < 1 || op->n < 1 || (op->kind == WG_OP_MATMUL && op->k < 1))
        return wg_fail(WG_ERR_ARGUMENT, "op inputs: %s sizes m=%lld n=%lld k=%lld must be >= 1",
                       wg_op_kind_name(op->kind), (long long)op->m, (long long)op->n,
                       (long long)op->k);
    if (op->b_is_a && op->kind == WG_OP_MATMUL &&
        (op->m != op->k || op->n != op->k || op->trans_a != op->trans_b))
        return wg_fail(WG_ERR_ARGUMENT, "op inputs: A.A needs m = n = k and the same transpose "
                       "(got m=%lld n=%lld k=%lld)", (long long)op->m, (long long)op->n,
                       (long long)op->k);
    if (op->check_samples < 0)
        return wg_fail(WG_ERR_ARGUMENT, "op inputs: check_samples %d < 0", op->check_samples);
    int64_t a_shape[2], b_shape[2], numel = 0;
    operand_shapes(op, a_shape, b_shape);
    const int64_t out_shape[2] = {op->m, op->n};
    wg_status status = wg_shape_numel(2, out_shape, &numel);
    if (status != WG_OK) return status;
    out->op = *op;
    status = wg_tensor_rand(2, a_shape, -1.0f, 1.0f, op->seed, wg_cpu(), &out->a);
    if (status == WG_OK && op->kind != WG_OP_RELU && !op->b_is_a)
        status = wg_tensor_rand(2, b_shape, -1.0f, 1.0f, op->seed + 1, wg_cpu(), &out->b);
    if (status == WG_OK) {
        out->result = malloc((size_t)numel * sizeof *out->result);
        if (!out->result)
            status = wg_fail(WG_ERR_NO_MEMORY, "op inputs: cannot allocate %lld floats (%.1f "
                             "GiB) of host memory for the result check: %s", (long long)numel,
                             (double)numel * 4.0 / (1 << 30), strerror(errno));
    }
    if (status != WG_OK) {
        char message[512];
        snprintf(message, sizeof message, "%s", wg_error_message());
        wg_op_inputs_free(out);
        return wg_fail(status, "%s", message);
    }
    return WG_OK;
}

/* "A 46341x46341" into buf. */
static const char *plan_label(char *buf, size_t size, const char *name, int64_t rows,
                              int64_t cols, const char *where)
{
    snprintf(buf, size, "%s %lldx%lld%s", name, (long long)rows, (long long)cols, where);
    return buf;
}

wg_status wg_op_memory_plan(const wg_op *op, const wg_device *devices, int count,
                            wg_memory_plan *plan)
{
    if (!op || !plan || (count > 0 && !devices))
        return wg_fail(WG_ERR_ARGUMENT, "op memory plan: NULL op, devices or plan");
    if (op->m < 1 || op->n < 1 || (op->kind == WG_OP_MATMUL && op->k < 1))
        return wg_fail(WG_ERR_ARGUMENT, "op memory plan: sizes must be >= 1");
    int64_t a_shape[2], b_shape[2];
    operand_shapes(op, a_shape, b_shape);
    const int has_b = op->kind != WG_OP_RELU && !op->b_is_a;
    /* each operand is below 2^62 bytes: sizes are bounded by the callers' option limits,
     * and wg_mul_i64 refuses anything larger */
    int64_t a_bytes = 0, b_bytes = 0, c_bytes = 0;
    wg_status status = wg_mul_i64(a_shape[0], a_shape[1], &a_bytes);
    if (status == WG_OK) status = wg_mul_i64(a_bytes, 4, &a_bytes);
    if (status == WG_OK) status = wg_mul_i64(b_shape[0], b_shape[1], &b_bytes);
    if (status == WG_OK) status = wg_mul_i64(b_bytes, 4, &b_bytes);
    if (status == WG_OK) status = wg_mul_i64(op->m, op->n, &c_bytes);
    if (status == WG_OK) status = wg_mul_i64(c_bytes, 4, &c_bytes);
    if (status != WG_OK) return wg_fail_context(status, "op memory plan");
    char what[64];
    const wg_device host = wg_cpu();
    status = wg_memory_plan_add(plan, host, a_bytes, plan_label(what, sizeof what, "A",
                                a_shape[0], a_shape[1], ""));
    if (status == WG_OK && has_b)
        status = wg_memory_plan_add(plan, host, b_bytes, plan_label(what, sizeof what, "B",
                                    b_shape[0], b_shape[1], ""));
    if (status == WG_OK)
        status = wg_memory_plan_add(plan, host, c_bytes, plan_label(what, sizeof what,
                                    "C read back", op->m, op->n, ""));
    for (int i = 0; i < count && status == WG_OK; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= devices[j].kind == devices[i].kind && devices[j].index == devices[i].index;
        if (seen) continue;
        const int gpu = devices[i].kind != WG_DEVICE_CPU;
        const char *where = gpu ? " on the GPU" : "";
        if (gpu)
            status = wg_memory_plan_add(plan, devices[i], a_bytes, plan_label(what, sizeof what,
                                        "A", a_shape[0], a_shape[1], where));
        if (status == WG_OK && gpu && has_b)
            status = wg_memory_plan_add(plan, devices[i], b_bytes, plan_label(what, sizeof what,
                                        "B", b_shape[0], b_shape[1], where));
        if (status == WG_OK)
            status = wg_memory_plan_add(plan, devices[i], c_bytes, plan_label(what, sizeof what,
                                        "C", op->m, op->n, where));
        /* a BF16 kernel's prepared product converts A and B once, into copies of half the
         * size on the device that runs it (wg_gemm_prepare); A.A converts A twice */
        if (op->kind == WG_OP_MATMUL && op->precision == WG_PRECISION_BF16) {
            const char *copy = gpu ? " as bf16 on the GPU" : " as bf16";
            if (status == WG_OK)
                status = wg_memory_plan_add(plan, devices[i], a_bytes / 2, plan_label(what,
                                            sizeof what, "A", a_shape[0], a_shape[1], copy));
            if (status == WG_OK && (has_b || op->b_is_a))
                status = wg_memory_plan_add(plan, devices[i], b_bytes / 2, plan_label(what,
                                            sizeof what, "B", b_shape[0], b_shape[1], copy));
        }
    }
    return status;
}

/* ---------------------------------------------------------------- the timed call -- */

typedef struct op_call {
    const wg_op *op;
    const wg_op_run *run;
    const wg_tensor *a, *b; /* on the device; b may be a (b_is_a) or NULL (relu) */
    wg_tensor *out;
    wg_gemm_prepared *prepared; /* matmul: the product on the device's pointers */
    /* with_copies: the host sources and destination and the device's copy functions */
    const wg_backend *backend;
    const float *host_a, *host_b;
    float *host_out;
} op_call;

static wg_status run_op(const op_call *call)
{
    switch (call->op->kind) {
    case WG_OP_MATMUL:
        return wg_gemm_run_prepared(call->prepared);
    case WG_OP_MUL: return wg_mul(call->a, call->b, call->out);
    case WG_OP_ADD: return wg_add(call->a, call->b, call->out);
    case WG_OP_RELU: return wg_relu(call->a, call->out);
    default: return wg_fail(WG_ERR_ARGUMENT, "op: unknown op %d", (int)call->op->kind);
    }
}

static wg_status call_resident(void *context)
{
    return run_op(context);
}

/* What a user starting from host memory pays: inputs in, op, output out. */
static wg_status call_with_copies(void *context)
{
    const op_call *call = context;
    const int index = call->run->device.index;
    wg_status status = call->backend->copy_from_host(
        index, wg_tensor_data((wg_tensor *)call->a), call->host_a,
        (size_t)wg_tensor_numel(call->a) * sizeof(float));
    if (status == WG_OK && call->host_b)
        status = call->backend->copy_from_host(index, wg_tensor_data((wg_tensor *)call->b),
                                               call->host_b,
                                               (size_t)wg_tensor_numel(call->b) * sizeof(float));
    if (status == WG_OK) status = run_op(call);
    if (status == WG_OK)
        status = call->backend->copy_to_host(index, call->host_out, wg_tensor_data(call->out),
                                             (size_t)wg_tensor_numel(call->out) * sizeof(float));
    return status;
}

/* ---------------------------------------------------------------- the check ------- */

static void check_matmul(const wg_op_inputs *in, wg_op_result *out)
{
    const wg_op *op = &in->op;
    int64_t a_shape[2], b_shape[2];
    operand_shapes(op, a_shape, b_shape);
    const float *a = wg_tensor_host_data(in->a);
    const wg_gemm_args g = {.trans_a = op->trans_a, .trans_b = op->trans_b, .m = op->m,
                            .n = op->n, .k = op->k, .alpha = 1.0f, .a = a, .lda = a_shape[1],
                            .b = in->b ? wg_tensor_host_data(in->b) : a, .ldb = b_shape[1],
                            .c = in->result, .ldc = op->n};
    const int full = op->check_samples == 0 &&
                     (double)op->m * (double)op->n * (double)op->k <= (double)WG_OP_CHECK_FULL_LIMIT;
    if (full) {
        double worst = 0.0;
#pragma omp parallel for reduction(max : worst) schedule(static)
        for (int64_t i = 0; i < op->m; i++)
            for (int64_t j = 0; j < op->n; j++) {
                const double error = wg_gemm_element_error(&g, i, j);
                if (error > worst) worst = error;
            }
        out->check_error = worst;
        out->check_samples = op->m * op->n;
    } else {
        const int samples = op->check_samples ? op->check_samples : WG_OP_CHECK_SAMPLES;
        out->check_error = wg_gemm_sampled_error(&g, samples, op->seed);
        out->check_samples = samples;
    }
    out->check_full = full; /* sampled positions may repeat: never "every element" */
    out->check_bound = wg_precision_error_bound(
        out->kernel ? out->kernel->precision : WG_PRECISION_FP32, op->k);
}

static void check_elementwise(const wg_op_inputs *in, wg_op_result *out)
{
    const wg_op *op = &in->op;
    const int64_t count = op->m * op->n;
    const float *a = wg_tensor_host_data(in->a);
    const float *b = in->b ? wg_tensor_host_data(in->b) : a;
    double worst = 0.0;
    for (int64_t i = 0; i < count; i++) {
        const double x = a[i];
        double want;
        switch (op->kind) {
        case WG_OP_MUL: want = x * (double)b[i]; break;
        case WG_OP_ADD: want = x + (double)b[i]; break;
        default: want = x > 0 ? x : 0.0; break;
        }
        const double error = fabs((double)in->result[i] - want) / (want != 0 ? fabs(want) : 1.0);
        if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
    }
    out->check_error = worst;
    out->check_samples = count;
    out->check_full = 1;
    out->check_bound = ELEMENTWISE_BOUND;
}

void wg_op_check(const wg_op_inputs *in, wg_op_result *out)
{
    const int64_t count = in->op.m * in->op.n;
    int64_t not_finite = 0;
#pragma omp parallel for reduction(+ : not_finite) schedule(static)
    for (int64_t i = 0; i < count; i++) not_finite += !isfinite(in->result[i]);
    out->not_finite = not_finite;
    if (in->op.kind == WG_OP_MATMUL)
        check_matmul(in, out);
    else
        check_elementwise(in, out);
    out->check_passed = out->not_finite == 0 && out->check_error <= out->check_bound;
}

/* ---------------------------------------------------------------- measuring ------- */

wg_status wg_op_measure(const wg_op_inputs *in, const wg_op_run *run, wg_op_result *out)
{
    if (!in || !in->a || !in->result || !run || !out)
        return wg_fail(WG_ERR_ARGUMENT, "op measure: NULL inputs, run or result");
    memset(out, 0, sizeof *out);
    const wg_op *op = &in->op;
    const wg_device device = run->device;
    const int on_cpu = device.kind == WG_DEVICE_CPU;
    if (run->with_copies && on_cpu)
        return wg_fail(WG_ERR_ARGUMENT, "op measure: with_copies needs a GPU device, not cpu");
    wg_status status = wg_device_check(device);
    if (status != WG_OK) return status;

    op_call call;
    memset(&call, 0, sizeof call);
    call.op = op;
    call.run = run;
    wg_tensor *a = NULL, *b = NULL, *result = NULL;
    if (on_cpu) {
        call.a = in->a;
        call.b = in->b;
    } else {
        status = wg_tensor_to(in->a, device, &a);
        if (status == WG_OK && in->b) status = wg_tensor_to(in->b, device, &b);
        call.a = a;
        call.b = b;
    }
    if (op->b_is_a) call.b = call.a;
    /* the output poisoned with NaN: an element no call writes fails the check */
    const int64_t out_shape[2] = {op->m, op->n};
    for (int64_t i = 0; i < op->m * op->n; i++) in->result[i] = NAN;
    if (status == WG_OK) status = wg_tensor_from_host(2, out_shape, in->result, device, &result);
    call.out = result;
    if (status == WG_OK && op->kind == WG_OP_MATMUL) {
        int64_t a_shape[2], b_shape[2];
        operand_shapes(op, a_shape, b_shape);
        const wg_gemm_args args = {
            .trans_a = op->trans_a, .trans_b = op->trans_b, .m = op->m, .n = op->n, .k = op->k,
            .alpha = 1.0f, .beta = 0.0f, .a = wg_tensor_data((wg_tensor *)call.a),
            .lda = a_shape[1], .b = wg_tensor_data((wg_tensor *)call.b), .ldb = b_shape[1],
            .c = wg_tensor_data(result), .ldc = op->n};
        out->kernel = run->kernel;
        if (!out->kernel) status = wg_kernel_find(device.kind, "auto", &out->kernel);
        if (status == WG_OK) status = wg_gemm_prepare(device, out->kernel, &args, &call.prepared);
    }
    wg_timeit_fn fn = call_resident;
    if (status == WG_OK && run->with_copies) {
        call.backend = wg_backend_for(device);
        if (!call.backend) status = WG_ERR_NO_DEVICE; /* message set by wg_backend_for */
        call.host_a = wg_tensor_host_data(in->a);
        call.host_b = in->b ? wg_tensor_host_data(in->b) : NULL;
        call.host_out = in->result;
        fn = call_with_copies;
    }
    if (status == WG_OK) status = wg_timeit(device, fn, &call, run->timing, &out->time);
    if (status == WG_OK) out->measured = 1;
    /* the copies brought the output back with the last call; otherwise read it now */
    if (status == WG_OK && !run->with_copies) status = wg_synchronize(device);
    if (status == WG_OK && !run->with_copies)
        status = wg_tensor_to_host(result, in->result, op->m * op->n);
    if (status == WG_OK) wg_op_check(in, out);
    if (status == WG_OK && run->fail_on_check && !out->check_passed) {
        char device_name[32];
        status = wg_fail(WG_ERR_BACKEND, "%s %lldx%lld on %s gave wrong results: relative "
                         "error %.3g on %lld checked elements (bound %.3g), %lld not finite",
                         wg_op_kind_name(op->kind), (long long)op->m, (long long)op->n,
                         wg_device_format(device, device_name, sizeof device_name),
                         out->check_error, (long long)out->check_samples, out->check_bound,
                         (long long)out->not_finite);
    }
    wg_gemm_prepared_free(call.prepared);
    wg_tensor_free(a);
    wg_tensor_free(b);
    wg_tensor_free(result);
    return status;
}
