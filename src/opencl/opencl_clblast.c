/*
 * opencl_clblast.c - CLBlast's SGEMM (the tuned OpenCL BLAS) on the backend's operands:
 * the vendor reference of the OpenCL ladder. Compiled to a "not built with CLBlast" error
 * when libclblast was absent at build time.
 */
#include <inttypes.h>

#include "opencl_internal.h"

#ifdef WG_HAVE_CLBLAST
#include <clblast_c.h>

wg_status wg_ocl_clblast_sgemm(wg_ocl_device *dev, const wg_gemm_args *g, cl_event *event)
{
    const int64_t a_rows = g->trans_a ? g->k : g->m, a_cols = g->trans_a ? g->m : g->k;
    const int64_t b_rows = g->trans_b ? g->n : g->k, b_cols = g->trans_b ? g->k : g->n;
    cl_mem a = NULL, b = NULL, c = NULL;
    cl_ulong oa = 0, ob = 0, oc = 0;
    wg_status status = wg_ocl_resolve_elems(dev->index, g->a, (a_rows - 1) * g->lda + a_cols,
                                            sizeof(float), &a, &oa);
    if (status == WG_OK)
        status = wg_ocl_resolve_elems(dev->index, g->b, (b_rows - 1) * g->ldb + b_cols,
                                      sizeof(float), &b, &ob);
    if (status == WG_OK)
        status = wg_ocl_resolve_elems(dev->index, g->c, (g->m - 1) * g->ldc + g->n,
                                      sizeof(float), &c, &oc);
    if (status != WG_OK) return status;
    /* CLBlast computes beta * C even for beta == 0, so NaN in C would leak: zero C first
     * (one pass over C, small beside the product). */
    if (g->beta == 0.0f) {
        for (int64_t r = 0; r < g->m && status == WG_OK; r++) {
            if (g->ldc == g->n) {
                status = wg_ocl_fill(dev->index, g->c, g->m * g->n, 0.0f);
                break;
            }
            status = wg_ocl_fill(dev->index, g->c + r * g->ldc, g->n, 0.0f);
        }
        if (status != WG_OK) return status;
    }
    const CLBlastStatusCode code = CLBlastSgemm(
        CLBlastLayoutRowMajor, g->trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
        g->trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, (size_t)g->m, (size_t)g->n,
        (size_t)g->k, g->alpha, a, (size_t)oa, (size_t)g->lda, b, (size_t)ob, (size_t)g->ldb,
        g->beta, c, (size_t)oc, (size_t)g->ldc, &dev->queue, event);
    if (code != CLBlastSuccess)
        return wg_fail(WG_ERR_BACKEND,
                       "opencl:%d: CLBlastSgemm (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64
                       ") failed with CLBlast status %d%s",
                       dev->index, g->m, g->n, g->k, (int)code,
                       code > -1000 ? " (an OpenCL error code)" : "");
    return WG_OK;
}

#else

wg_status wg_ocl_clblast_sgemm(wg_ocl_device *dev, const wg_gemm_args *g, cl_event *event)
{
    (void)g;
    (void)event;
    return wg_fail(WG_ERR_UNSUPPORTED,
                   "opencl:%d: whygpu was built without CLBlast (install libclblast-dev and "
                   "rebuild)",
                   dev->index);
}

#endif
