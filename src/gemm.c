/*
 * gemm.c - the matrix product's front door: the kernel registry's lookups (each device's
 * table is its backend's), the checks every SGEMM call gets
 * (sizes, leading dimensions, overflow, devices, shapes, dtypes), and the hand-off to the
 * backend of the device that holds the operands. wg_matmul is the plain case: alpha 1,
 * beta 0, no transposes. BF16 inputs (wg_gemm_args.input_dtype, or BF16 tensors) go to a
 * BF16 kernel only: the best one of the device unless one is named.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "tensor_internal.h"

/* ---------------------------------------------------------------- registry -------- */

const char *wg_precision_name(wg_precision precision)
{
    switch (precision) {
    case WG_PRECISION_FP32: return "fp32";
    case WG_PRECISION_TF32: return "tf32";
    case WG_PRECISION_BF16: return "bf16";
    }
    return "unknown";
}

wg_status wg_precision_parse(const char *name, wg_precision *out)
{
    if (!name || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_precision_parse: NULL argument");
    for (wg_precision p = WG_PRECISION_FP32; p <= WG_PRECISION_BF16; p++)
        if (strcmp(name, wg_precision_name(p)) == 0) {
            *out = p;
            return WG_OK;
        }
    return wg_fail(WG_ERR_ARGUMENT, "unknown precision '%s': expected fp32, tf32 or bf16",
                   name);
}

/* The backend that holds a device kind's registry: present in every build (without CUDA,
 * the CUDA backend is the stub, whose registry is still the real one). */
static const wg_backend *registry_of(wg_device_kind kind)
{
    switch (kind) {
    case WG_DEVICE_CPU: return &wg_cpu_backend;
    case WG_DEVICE_CUDA: return &wg_cuda_backend;
    case WG_DEVICE_OPENCL: return &wg_opencl_backend;
    }
    return NULL;
}

int wg_kernel_count(wg_device_kind kind)
{
    const wg_backend *backend = registry_of(kind);
    return backend ? backend->kernel_count : 0;
}

const wg_kernel *wg_kernel_at(wg_device_kind kind, int i)
{
    const wg_backend *backend = registry_of(kind);
    if (!backend || i < 0 || i >= backend->kernel_count) return NULL;
    return &backend->kernels[i];
}

/* The former kernel names, per device: name -> registered name (NULL: auto). */
typedef struct kernel_alias {
    wg_device_kind kind;
    const char *alias, *name;
} kernel_alias;

static const kernel_alias aliases[] = {
    {WG_DEVICE_CPU, "reference", "triple-loop"},
    {WG_DEVICE_CPU, "tiled", NULL},
    {WG_DEVICE_CUDA, "reference", "coalesced"},
    {WG_DEVICE_CUDA, "tiled", "smem-tiled"},
    {WG_DEVICE_CUDA, "cublas", "cublas-fp32"},
    {WG_DEVICE_OPENCL, "reference", "coalesced"},
    {WG_DEVICE_OPENCL, "tiled", "local-tiled"},
};

wg_status wg_kernel_find(wg_device_kind kind, const char *name, const wg_kernel **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_kernel_find: NULL out");
    const wg_backend *backend = registry_of(kind);
    if (!backend) return wg_fail(WG_ERR_ARGUMENT, "unknown device kind %d", (int)kind);
    for (size_t i = 0; name && i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].kind == kind && strcmp(name, aliases[i].alias) == 0) {
            name = aliases[i].name;
            break;
        }
    if (!name || strcmp(name, "auto") == 0) return backend->kernel_auto(0, out);
    for (int i = 0; i < backend->kernel_count; i++) {
        if (strcmp(name, backend->kernels[i].name) == 0) {
            *out = &backend->kernels[i];
            return WG_OK;
        }
    }
    char names[512] = "auto";
    size_t used = strlen(names);
    for (int i = 0; i < backend->kernel_count && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, ", %s",
                                 backend->kernels[i].name);
    return wg_fail(WG_ERR_ARGUMENT, "unknown %s matmul kernel '%s': expected %s",
                   backend->name, name, names);
}

/* WG_OK when `kernel` is an entry of this backend's registry. */
static wg_status check_registered(const char *who, const wg_backend *backend,
                                  const wg_kernel *kernel)
{
    if (kernel >= backend->kernels && kernel < backend->kernels + backend->kernel_count)
        return WG_OK;
    for (wg_device_kind kind = WG_DEVICE_CPU; kind <= WG_DEVICE_CUDA; kind++) {
        const wg_backend *other = registry_of(kind);
        if (kernel >= other->kernels && kernel < other->kernels + other->kernel_count)
            return wg_fail(WG_ERR_UNSUPPORTED, "%s: kernel '%s' is a %s kernel; it cannot "
                           "run on the %s device", who, kernel->name, other->name,
                           backend->name);
    }
    return wg_fail(WG_ERR_ARGUMENT, "%s: the kernel is not one of the registry's (use "
                   "wg_kernel_find)", who);
}

wg_status wg_kernel_available(const wg_kernel *kernel, int device_index)
{
    if (!kernel) return wg_fail(WG_ERR_ARGUMENT, "wg_kernel_available: NULL kernel");
    const wg_backend *backend = registry_of(kernel->device);
    if (!backend) return wg_fail(WG_ERR_ARGUMENT, "unknown device kind %d", (int)kernel->device);
    wg_status status = check_registered("wg_kernel_available", backend, kernel);
    if (status != WG_OK) return status;
    return backend->kernel_available(device_index, kernel);
}

wg_status wg_kernel_best(wg_device device, wg_precision precision, const wg_kernel **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_kernel_best: NULL out");
    const wg_backend *backend = registry_of(device.kind);
    if (!backend) return wg_fail(WG_ERR_ARGUMENT, "unknown device kind %d", (int)device.kind);
    if (precision == WG_PRECISION_FP32) {
        wg_status status = backend->kernel_auto(device.index, out);
        if (status != WG_OK) return status;
        return wg_kernel_available(*out, device.index);
    }
    /* Two passes: vendor libraries, then the rest, each in registry order. */
    int registered = 0;
    char why[256] = "";
    for (int vendor = 1; vendor >= 0; vendor--) {
        for (int i = 0; i < backend->kernel_count; i++) {
            const wg_kernel *kernel = &backend->kernels[i];
            if (kernel->precision != precision || kernel->vendor != vendor) continue;
            registered = 1;
            if (backend->kernel_available(device.index, kernel) == WG_OK) {
                *out = kernel;
                return WG_OK;
            }
            if (!why[0]) snprintf(why, sizeof why, "%s", wg_error_message());
        }
    }
    if (!registered && device.kind == WG_DEVICE_OPENCL)
        return wg_fail(WG_ERR_UNSUPPORTED, "the opencl device has no %s kernel: whygpu's "
                       "OpenCL kernels compute in fp32 only (convert the inputs to fp32)",
                       wg_precision_name(precision));
    if (!registered)
        return wg_fail(WG_ERR_UNSUPPORTED, "the %s device has no %s kernel (its arithmetic "
                       "has no %s)", backend->name, wg_precision_name(precision),
                       wg_precision_name(precision));
    return wg_fail(WG_ERR_UNSUPPORTED, "no %s kernel runs on %s:%d: %s",
                   wg_precision_name(precision), backend->name, device.index, why);
}

/* The last element a stored rows x cols matrix with leading dimension ld touches, + 1. */
static wg_status extent(int64_t rows, int64_t cols, int64_t ld, int64_t *out)
{
    int64_t last = 0;
    if (wg_mul_i64(rows - 1, ld, &last) != WG_OK || last > INT64_MAX - cols)
        return WG_ERR_OVERFLOW;
    *out = last + cols;
    return WG_OK;
}

wg_status wg_gemm_args_check(const char *who, const wg_gemm_args *g)
{
    if (!who) who = "gemm";
    if (!g) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL arguments", who);
    if (g->m < 1 || g->n < 1 || g->k < 1)
        return wg_fail(WG_ERR_ARGUMENT,
                       "%s: sizes must be >= 1, got m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64,
                       who, g->m, g->n, g->k);
    if (!g->a || !g->b || !g->c) return wg_fail(WG_ERR_ARGUMENT, "%s: NULL matrix pointer", who);
    if (g->input_dtype != WG_DTYPE_FP32 && g->input_dtype != WG_DTYPE_BF16)
        return wg_fail(WG_ERR_ARGUMENT, "%s: input_dtype %d is not a dtype: expected "
                       "WG_DTYPE_FP32 (%d) or WG_DTYPE_BF16 (%d)", who, (int)g->input_dtype,
                       (int)WG_DTYPE_FP32, (int)WG_DTYPE_BF16);
    if ((g->trans_a != 0 && g->trans_a != 1) || (g->trans_b != 0 && g->trans_b != 1))
        return wg_fail(WG_ERR_ARGUMENT, "%s: trans_a and trans_b must be 0 or 1, got %d and %d",
                       who, g->trans_a, g->trans_b);
    /* stored shapes: A is m x k or k x m, B is k x n or n x k */
    const int64_t a_rows = g->trans_a ? g->k : g->m, a_cols = g->trans_a ? g->m : g->k;
    const int64_t b_rows = g->trans_b ? g->n : g->k, b_cols = g->trans_b ? g->k : g->n;
    if (g->lda < a_cols)
        return wg_fail(WG_ERR_ARGUMENT, "%s: lda=%" PRId64 " is less than A's %" PRId64
                       " stored columns (%s)", who, g->lda, a_cols,
                       g->trans_a ? "A is stored k x m" : "A is stored m x k");
    if (g->ldb < b_cols)
        return wg_fail(WG_ERR_ARGUMENT, "%s: ldb=%" PRId64 " is less than B's %" PRId64
                       " stored columns (%s)", who, g->ldb, b_cols,
                       g->trans_b ? "B is stored n x k" : "B is stored k x n");
    if (g->ldc < g->n)
        return wg_fail(WG_ERR_ARGUMENT, "%s: ldc=%" PRId64 " is less than n=%" PRId64, who,
                       g->ldc, g->n);
    int64_t ea = 0, eb = 0, ec = 0, mn = 0, mnk = 0;
    if (extent(a_rows, a_cols, g->lda, &ea) != WG_OK || extent(b_rows, b_cols, g->ldb, &eb) != WG_OK ||
        extent(g->m, g->n, g->ldc, &ec) != WG_OK || wg_mul_i64(g->m, g->n, &mn) != WG_OK ||
        wg_mul_i64(mn, g->k, &mnk) != WG_OK)
        return wg_fail(WG_ERR_OVERFLOW, "%s: m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64
                       " with lda=%" PRId64 ", ldb=%" PRId64 ", ldc=%" PRId64
                       " do not fit in 64 bits", who, g->m, g->n, g->k, g->lda, g->ldb, g->ldc);
    return WG_OK;
}

/* ---------------------------------------------------------------- running --------- */

/* The kernel a product runs with: a named one must be of this device and, for BF16 inputs,
 * a BF16 kernel (an FP32 or TF32 kernel would read the bf16 pairs as floats); none named
 * means the device's best BF16 kernel for BF16 inputs, else *kernel stays NULL (auto). */
static wg_status resolve_kernel(const char *who, wg_device device, const wg_backend *backend,
                                const wg_gemm_args *args, const wg_kernel **kernel)
{
    if (*kernel) {
        wg_status status = check_registered(who, backend, *kernel);
        if (status != WG_OK) return status;
        if (args->input_dtype == WG_DTYPE_BF16 && (*kernel)->precision != WG_PRECISION_BF16)
            return wg_fail(WG_ERR_ARGUMENT, "%s: A and B are bf16 but kernel '%s' computes in "
                           "%s and reads fp32 inputs; use a bf16 kernel (or none: the "
                           "device's best)", who, (*kernel)->name,
                           wg_precision_name((*kernel)->precision));
        return WG_OK;
    }
    if (args->input_dtype != WG_DTYPE_BF16) return WG_OK;
    wg_status status = wg_kernel_best(device, WG_PRECISION_BF16, kernel);
    if (status != WG_OK) return wg_fail_context(status, "%s with bf16 inputs", who);
    return WG_OK;
}

wg_status wg_gemm_on(wg_device device, const wg_kernel *kernel, const wg_gemm_args *args)
{
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;
    status = resolve_kernel("gemm", device, backend, args, &kernel);
    if (status != WG_OK) return status;
    return backend->gemm(device.index, kernel, args);
}

wg_status wg_gemm_with(const wg_kernel *kernel, int trans_a, int trans_b, float alpha,
                       const wg_tensor *a, const wg_tensor *b, float beta, wg_tensor *c)
{
    if (!a || !b || !c) return wg_fail(WG_ERR_ARGUMENT, "gemm: NULL tensor");
    wg_status status = wg_tensor_check_devices("gemm", a, b, c);
    if (status == WG_OK) status = wg_tensor_check_dtypes("gemm", a, b, NULL);
    if (status != WG_OK) return status;
    if (c->dtype != WG_DTYPE_FP32)
        return wg_fail(WG_ERR_ARGUMENT, "gemm: c is %s but a product is stored in fp32 (%s "
                       "inputs, fp32 accumulation): make c an fp32 tensor",
                       wg_dtype_name(c->dtype), wg_dtype_name(a->dtype));
    char sa[96], sb[96], sc[96];
    if (a->rank != 2 || b->rank != 2 || c->rank != 2)
        return wg_fail(WG_ERR_SHAPE, "gemm: needs 2-D tensors, got a %s, b %s, c %s",
                       wg_tensor_format_shape(a, sa, sizeof sa),
                       wg_tensor_format_shape(b, sb, sizeof sb),
                       wg_tensor_format_shape(c, sc, sizeof sc));
    if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1))
        return wg_fail(WG_ERR_ARGUMENT, "gemm: trans_a and trans_b must be 0 or 1, got %d and %d",
                       trans_a, trans_b);
    const int64_t m = trans_a ? a->shape[1] : a->shape[0];
    const int64_t k = trans_a ? a->shape[0] : a->shape[1];
    const int64_t kb = trans_b ? b->shape[1] : b->shape[0];
    const int64_t n = trans_b ? b->shape[0] : b->shape[1];
    /* one message per fault: the inner sizes, or the output's shape */
    if (kb != k)
        return wg_fail(WG_ERR_SHAPE,
                       "gemm: inner sizes differ: a%s %s has %" PRId64 " columns, b%s %s has %"
                       PRId64 " rows", trans_a ? "^T" : "", wg_tensor_format_shape(a, sa, sizeof sa),
                       k, trans_b ? "^T" : "", wg_tensor_format_shape(b, sb, sizeof sb), kb);
    if (c->shape[0] != m || c->shape[1] != n)
        return wg_fail(WG_ERR_SHAPE,
                       "gemm: c is %s but a%s . b%s is [%" PRId64 ", %" PRId64 "]",
                       wg_tensor_format_shape(c, sc, sizeof sc), trans_a ? "^T" : "",
                       trans_b ? "^T" : "", m, n);
    if (c->storage == a->storage || c->storage == b->storage)
        return wg_fail(WG_ERR_ARGUMENT, "gemm: the output must not be the same tensor as an "
                       "input");
    const wg_gemm_args args = {
        .trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta,
        .a = a->storage, .lda = a->shape[1],
        .b = b->storage, .ldb = b->shape[1],
        .c = c->data, .ldc = n,
        .input_dtype = a->dtype,
    };
    return wg_gemm_on(a->device, kernel, &args);
}

wg_status wg_gemm(int trans_a, int trans_b, float alpha, const wg_tensor *a,
                  const wg_tensor *b, float beta, wg_tensor *c)
{
    return wg_gemm_with(NULL, trans_a, trans_b, alpha, a, b, beta, c);
}

wg_status wg_matmul_with(const wg_kernel *kernel, const wg_tensor *a, const wg_tensor *b,
                         wg_tensor *out)
{
    return wg_gemm_with(kernel, 0, 0, 1.0f, a, b, 0.0f, out);
}

wg_status wg_matmul(const wg_tensor *a, const wg_tensor *b, wg_tensor *out)
{
    return wg_matmul_with(NULL, a, b, out);
}

/* ---------------------------------------------------------------- prepared -------- */

struct wg_gemm_prepared {
    wg_device device;
    const wg_backend *backend;
    const wg_kernel *kernel; /* never NULL: auto is resolved when prepared */
    wg_gemm_inputs inputs;
};

wg_status wg_gemm_prepare(wg_device device, const wg_kernel *kernel, const wg_gemm_args *args,
                          wg_gemm_prepared **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_gemm_prepare: NULL out");
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;
    status = resolve_kernel("gemm", device, backend, args, &kernel);
    if (status == WG_OK && !kernel) status = backend->kernel_auto(device.index, &kernel);
    if (status != WG_OK) return status;
    wg_gemm_prepared *p = calloc(1, sizeof *p);
    if (!p) return wg_fail(WG_ERR_NO_MEMORY, "wg_gemm_prepare: out of host memory");
    *p = (wg_gemm_prepared){.device = device, .backend = backend, .kernel = kernel,
                            .inputs = {.args = *args}};
    /* FP32 and TF32 kernels read the caller's inputs; a backend converts where it must
     * (fp32 inputs of a BF16 kernel). */
    if (backend->gemm_prepare) status = backend->gemm_prepare(device.index, kernel, args, &p->inputs);
    if (status != WG_OK) {
        free(p);
        return status;
    }
    *out = p;
    return WG_OK;
}

wg_status wg_gemm_run_prepared(wg_gemm_prepared *p)
{
    if (!p) return wg_fail(WG_ERR_ARGUMENT, "wg_gemm_run_prepared: NULL product");
    if (p->backend->gemm_run_prepared)
        return p->backend->gemm_run_prepared(p->device.index, p->kernel, &p->inputs);
    return p->backend->gemm(p->device.index, p->kernel, &p->inputs.args);
}

void wg_gemm_prepared_free(wg_gemm_prepared *p)
{
    if (!p) return;
    if (p->backend->gemm_inputs_free) p->backend->gemm_inputs_free(p->device.index, &p->inputs);
    free(p);
}
