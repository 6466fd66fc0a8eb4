/*
 * opencl_gemm.c - the matmul ladder on OpenCL (kernels/gemm.cl): each rung's program
 * options and launch shape, and the backend's GEMM entries for the registry entries of
 * ../opencl_kernels.c. CLBlast, the tuned OpenCL BLAS, is the vendor reference
 * (opencl_clblast.c), as cuBLAS is for CUDA.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl_internal.h"

static const wg_ocl_source gemm_source = {"gemm.cl",
#include "gemm.cl.h"
};

/* The rung-5 block on CPU drivers: the device's preferred float vector width (16 on
 * AVX-512; WHYGPU_OPENCL_VW=4/8/16 forces one, for the tests) and as many rows as leave
 * registers for the B vectors. */
static void cpu_block(const wg_ocl_device *dev, int *vw, int *rm)
{
    cl_uint width = 0;
    clGetDeviceInfo(dev->id, CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, sizeof width, &width, NULL);
    const char *forced = getenv("WHYGPU_OPENCL_VW");
    if (forced && atoi(forced) > 0) width = (cl_uint)atoi(forced);
    *vw = width >= 16 ? 16 : width >= 8 ? 8 : 4;
    *rm = *vw == 16 ? 8 : *vw == 8 ? 6 : 4;
}

/* The program's options for a rung on this device: the transposes, and for rung 5 its
 * form and block. */
static void rung_options(const wg_ocl_device *dev, int rung, const wg_gemm_args *g,
                         int stage_local, char *buf, size_t size)
{
    int used = snprintf(buf, size, "-DTRANS_A=%d -DTRANS_B=%d", g->trans_a, g->trans_b);
    if (rung == WG_OCL_REGBLOCK_2D_VEC) {
        int vw = 0, rm = 0;
        cpu_block(dev, &vw, &rm);
        snprintf(buf + used, size - (size_t)used, " -DWG_STAGE_LOCAL=%d -DWG_VW=%d -DWG_RM=%d",
                 stage_local, vw, rm);
    }
}

static const char *kernel_name(int rung)
{
    switch (rung) {
    case WG_OCL_NAIVE: return "wg_gemm_naive";
    case WG_OCL_COALESCED: return "wg_gemm_coalesced";
    case WG_OCL_LOCAL_TILED: return "wg_gemm_local_tiles";
    case WG_OCL_REGBLOCK_1D: return "wg_gemm_regblock";
    default: return "wg_gemm_vector_tiles";
    }
}

/* Rung 5's form: staged through local memory on GPUs, from the caches on CPU drivers;
 * WHYGPU_OPENCL_STAGE_LOCAL=0/1 forces one (the tests run both on PoCL). */
static int stage_local_for(const wg_ocl_device *dev)
{
    const char *forced = getenv("WHYGPU_OPENCL_STAGE_LOCAL");
    if (forced && (forced[0] == '0' || forced[0] == '1') && forced[1] == '\0')
        return forced[0] == '1';
    return !dev->is_cpu;
}

/* Builds (or finds) the rung's kernel and computes its launch shape. */
static wg_status rung_kernel(wg_ocl_device *dev, int rung, const wg_gemm_args *g,
                             cl_kernel *kernel, size_t global[2], size_t local[2])
{
    const int stage_local = stage_local_for(dev);
    char options[160];
    rung_options(dev, rung, g, stage_local, options, sizeof options);
    const wg_ocl_source *sources[] = {&gemm_source};
    wg_status status = wg_ocl_kernel(dev, sources, 1, options, kernel_name(rung), kernel);
    if (status != WG_OK) return status;
    const size_t m = (size_t)g->m, n = (size_t)g->n;
    switch (rung) {
    case WG_OCL_NAIVE:
        local[0] = 16, local[1] = 16;
        global[0] = wg_ocl_round_up(m, 16), global[1] = wg_ocl_round_up(n, 16);
        break;
    case WG_OCL_COALESCED:
        local[0] = 16, local[1] = 16;
        global[0] = wg_ocl_round_up(n, 16), global[1] = wg_ocl_round_up(m, 16);
        break;
    case WG_OCL_LOCAL_TILED:
        local[0] = 16, local[1] = 16;
        global[0] = wg_ocl_round_up(n, 16), global[1] = wg_ocl_round_up(m, 16);
        break;
    case WG_OCL_REGBLOCK_1D:
        local[0] = 64, local[1] = 4;
        global[0] = wg_ocl_round_up(n, 64), global[1] = (m + 63) / 64 * 4;
        break;
    default:
        if (stage_local) {
            local[0] = 16, local[1] = 16;
            global[0] = (n + 63) / 64 * 16, global[1] = (m + 63) / 64 * 16;
        } else {
            int vw = 0, rm = 0;
            cpu_block(dev, &vw, &rm);
            const size_t rows = (m + (size_t)rm - 1) / (size_t)rm;
            const size_t cols = (n + 2 * (size_t)vw - 1) / (2 * (size_t)vw);
            /* a work-group: up to 64 row blocks of one column panel, so a slice of the B
             * panel is reused 64 times from the core's caches */
            local[0] = rows < 64 ? rows : 64, local[1] = 1;
            global[0] = wg_ocl_round_up(rows, local[0]), global[1] = cols;
        }
        break;
    }
    return WG_OK;
}

/* m, n, k fit in the kernels' int indices (they index with long past the products). */
static wg_status check_int_sizes(int index, const wg_gemm_args *g)
{
    if (g->m > INT32_MAX - 128 || g->n > INT32_MAX - 128 || g->k > INT32_MAX - 128)
        return wg_fail(WG_ERR_UNSUPPORTED,
                       "opencl:%d gemm: m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64
                       " exceed the kernels' 32-bit sizes",
                       index, g->m, g->n, g->k);
    return WG_OK;
}

/* The buffers and element offsets of A, B and C. */
static wg_status resolve_operands(int index, const wg_gemm_args *g, cl_mem mem[3],
                                  cl_ulong off[3])
{
    const int64_t a_rows = g->trans_a ? g->k : g->m, a_cols = g->trans_a ? g->m : g->k;
    const int64_t b_rows = g->trans_b ? g->n : g->k, b_cols = g->trans_b ? g->k : g->n;
    wg_status status =
        wg_ocl_resolve_elems(index, g->a, (a_rows - 1) * g->lda + a_cols, sizeof(float), &mem[0], &off[0]);
    if (status == WG_OK)
        status = wg_ocl_resolve_elems(index, g->b, (b_rows - 1) * g->ldb + b_cols, sizeof(float),
                                      &mem[1], &off[1]);
    if (status == WG_OK)
        status = wg_ocl_resolve_elems(index, g->c, (g->m - 1) * g->ldc + g->n, sizeof(float),
                                      &mem[2], &off[2]);
    return status;
}

wg_status wg_ocl_gemm_warm(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    wg_ocl_device *dev = NULL;
    wg_status status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK || kernel->id == WG_OCL_CLBLAST) return status;
    cl_kernel compiled = NULL;
    size_t global[2], local[2];
    return rung_kernel(dev, kernel->id, args, &compiled, global, local);
}

/* One product with the kernel (arguments checked); launched, not waited for. */
static wg_status gemm_run(int index, const wg_kernel *kernel, const wg_gemm_args *g)
{
    wg_ocl_device *dev = NULL;
    wg_status status = check_int_sizes(index, g);
    if (status == WG_OK) status = wg_ocl_device_get(index, &dev);
    if (status != WG_OK) return status;
    if (kernel->id == WG_OCL_CLBLAST) {
        status = wg_opencl_kernel_available(index, kernel);
        return status == WG_OK ? wg_ocl_clblast_sgemm(dev, g, NULL) : status;
    }
    cl_mem mem[3];
    cl_ulong off[3];
    status = resolve_operands(index, g, mem, off);
    if (status != WG_OK) return status;
    cl_kernel compiled = NULL;
    size_t global[2], local[2];
    status = rung_kernel(dev, kernel->id, g, &compiled, global, local);
    if (status != WG_OK) return status;
    const cl_int m = (cl_int)g->m, n = (cl_int)g->n, k = (cl_int)g->k;
    const cl_long lda = g->lda, ldb = g->ldb, ldc = g->ldc;
    const wg_ocl_arg args[] = {
        WG_CL_ARG(m),      WG_CL_ARG(n),      WG_CL_ARG(k),   WG_CL_ARG(g->alpha),
        WG_CL_ARG(g->beta), WG_CL_ARG(mem[0]), WG_CL_ARG(off[0]), WG_CL_ARG(lda),
        WG_CL_ARG(mem[1]), WG_CL_ARG(off[1]), WG_CL_ARG(ldb), WG_CL_ARG(mem[2]),
        WG_CL_ARG(off[2]), WG_CL_ARG(ldc),
    };
    char what[96];
    snprintf(what, sizeof what, "the %s GEMM (m=%d, n=%d, k=%d)", kernel->name, m, n, k);
    return wg_ocl_enqueue(dev, compiled, args, 14, 2, global, local, NULL, what);
}

wg_status wg_opencl_gemm(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    if (!kernel) {
        wg_status status = wg_opencl_kernel_auto(index, &kernel);
        if (status != WG_OK) return status;
    }
    return gemm_run(index, kernel, args);
}

/* FP32 only: the prepared inputs are the caller's arguments. The programs are built here,
 * so that a timing loop does not include the driver's compiler. */
wg_status wg_opencl_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                                 wg_gemm_inputs *out)
{
    memset(out, 0, sizeof *out);
    out->args = *args;
    return wg_ocl_gemm_warm(index, kernel, args);
}

wg_status wg_opencl_gemm_run_prepared(int index, const wg_kernel *kernel,
                                      const wg_gemm_inputs *inputs)
{
    return gemm_run(index, kernel, &inputs->args);
}
