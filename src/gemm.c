/*
 * gemm.c - the matrix product's front door: kernel names, the checks every SGEMM call gets
 * (sizes, leading dimensions, overflow, devices, shapes), and the hand-off to the backend
 * of the device that holds the operands. wg_matmul is the plain case: alpha 1, beta 0, no
 * transposes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "error.h"
#include "tensor_internal.h"

const char *wg_matmul_kernel_name(wg_matmul_kernel kernel)
{
    switch (kernel) {
    case WG_MATMUL_AUTO: return "auto";
    case WG_MATMUL_REFERENCE: return "reference";
    case WG_MATMUL_TILED: return "tiled";
    case WG_MATMUL_CUBLAS: return "cublas";
    }
    return "unknown";
}

wg_status wg_matmul_kernel_parse(const char *text, wg_matmul_kernel *out)
{
    static const wg_matmul_kernel all[] = {WG_MATMUL_AUTO, WG_MATMUL_REFERENCE,
                                           WG_MATMUL_TILED, WG_MATMUL_CUBLAS};
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_matmul_kernel_parse: NULL argument");
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(text, wg_matmul_kernel_name(all[i])) == 0) {
            *out = all[i];
            return WG_OK;
        }
    }
    return wg_fail(WG_ERR_ARGUMENT,
                   "unknown matmul kernel '%s': expected auto, reference, tiled or cublas", text);
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

wg_status wg_gemm_on(wg_device device, wg_matmul_kernel kernel, const wg_gemm_args *args)
{
    wg_status status = wg_gemm_args_check("gemm", args);
    if (status != WG_OK) return status;
    if ((unsigned)kernel > WG_MATMUL_CUBLAS)
        return wg_fail(WG_ERR_ARGUMENT, "gemm: unknown kernel %d", (int)kernel);
    const wg_backend *backend = wg_backend_for(device);
    if (!backend) return WG_ERR_NO_DEVICE;
    return backend->gemm(device.index, kernel, args);
}

wg_status wg_gemm_with(wg_matmul_kernel kernel, int trans_a, int trans_b, float alpha,
                       const wg_tensor *a, const wg_tensor *b, float beta, wg_tensor *c)
{
    if (!a || !b || !c) return wg_fail(WG_ERR_ARGUMENT, "gemm: NULL tensor");
    wg_status status = wg_tensor_check_devices("gemm", a, b, c);
    if (status != WG_OK) return status;
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
    if (kb != k || c->shape[0] != m || c->shape[1] != n)
        return wg_fail(WG_ERR_SHAPE,
                       "gemm: %s%s . %s%s is [%" PRId64 ", %" PRId64 "] . [%" PRId64 ", %" PRId64
                       "]: needs equal inner sizes and c [%" PRId64 ", %" PRId64 "], got c %s",
                       wg_tensor_format_shape(a, sa, sizeof sa), trans_a ? "^T" : "",
                       wg_tensor_format_shape(b, sb, sizeof sb), trans_b ? "^T" : "", m, k, kb,
                       n, m, n, wg_tensor_format_shape(c, sc, sizeof sc));
    if (c->data == a->data || c->data == b->data)
        return wg_fail(WG_ERR_ARGUMENT, "gemm: the output must not be the same tensor as an "
                       "input");
    const wg_gemm_args args = {
        .trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta,
        .a = a->data, .lda = a->shape[1],
        .b = b->data, .ldb = b->shape[1],
        .c = c->data, .ldc = n,
    };
    return wg_gemm_on(a->device, kernel, &args);
}

wg_status wg_gemm(int trans_a, int trans_b, float alpha, const wg_tensor *a,
                  const wg_tensor *b, float beta, wg_tensor *c)
{
    return wg_gemm_with(WG_MATMUL_AUTO, trans_a, trans_b, alpha, a, b, beta, c);
}

wg_status wg_matmul_with(wg_matmul_kernel kernel, const wg_tensor *a, const wg_tensor *b,
                         wg_tensor *out)
{
    return wg_gemm_with(kernel, 0, 0, 1.0f, a, b, 0.0f, out);
}

wg_status wg_matmul(const wg_tensor *a, const wg_tensor *b, wg_tensor *out)
{
    return wg_matmul_with(WG_MATMUL_AUTO, a, b, out);
}
