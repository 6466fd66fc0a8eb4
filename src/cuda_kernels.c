/*
 * cuda_kernels.c - the CUDA device's kernel registry and its GEMM entries: the rungs of
 * the matmul ladder (src/cuda/ladder_*.cu) and the cuBLAS references, one per precision.
 *
 * Plain C, compiled in every build, so that `whygpu kernels` lists the CUDA kernels (and
 * says why they cannot run) on a machine without CUDA too: the CUDA functions called here
 * come from src/cuda/ when nvcc is present and from src/cuda_stub.c when it is not.
 */
#include <inttypes.h>
#include <string.h>

#include "cuda/cuda_backend.h"
#include "cuda/ladder_cuda.h"
#include "cuda_kernels.h"
#include "error.h"

/* The registry, in the ladder's order, cuBLAS last. A rung's entry has the rung's name
 * and precision (wg_ladder_rung); its summary says what it changes from the rung before. */
const wg_kernel wg_cuda_kernels[WG_CUDA_KERNEL_COUNT] = {
    {"naive", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "one thread per output, threadIdx.x along the rows of C: uncoalesced loads of A and stores",
     1, 0, 1},
    {"coalesced", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "threadIdx.x along the columns: a warp reads 128 contiguous bytes of B, shares A's value",
     2, 0, 2},
    {"smem-tiled", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "32x32 tiles of A and B staged in shared memory, each value reused 32 times", 3, 0, 3},
    {"regblock-1d", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "each thread computes 8 outputs of a column in registers; 64x64 tiles, BK 8", 4, 0, 4},
    {"regblock-2d", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "each thread computes an 8x8 block; 128x128 tiles; 16-byte loads where aligned", 5, 0, 5},
    {"warptile", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "warp tiles, a 3-4 stage cp.async ring with one barrier per k-tile, two blocks per SM "
     "(tile variant from the tuning table)", 6,
     0, 6},
    {"wmma-tf32", WG_DEVICE_CUDA, WG_PRECISION_TF32,
     "tensor cores through WMMA (16x16x8 TF32 fragments, FP32 accumulation)", 7, 0, 7},
    {"wmma-bf16", WG_DEVICE_CUDA, WG_PRECISION_BF16,
     "BF16 inputs (converted before timing) through WMMA 16x16x16 fragments, FP32 accumulation",
     8, 0, 8},
    {"wgmma-bf16", WG_DEVICE_CUDA, WG_PRECISION_BF16,
     "Hopper (sm_90a): TMA into a 4-stage mbarrier ring, wgmma m64n256k16 from shared memory, "
     "one producer thread and two consumer warpgroups on 128x256 tiles", 9, 0, 9},
    {"wgmma-tf32", WG_DEVICE_CUDA, WG_PRECISION_TF32,
     "the wgmma-bf16 kernel on FP32 inputs read as TF32 (wgmma m64n256k8, K-major A and B)", 10,
     0, 10},
    {"wgmma-cluster", WG_DEVICE_CUDA, WG_PRECISION_BF16,
     "Hopper (sm_90a): the wgmma-bf16 kernel in 2-CTA clusters sharing B's tiles by TMA "
     "multicast, on a persistent grid of one CTA per SM", 11, 0, 11},
    {"cublas-fp32", WG_DEVICE_CUDA, WG_PRECISION_FP32,
     "cuBLAS SGEMM in pedantic FP32 (no TF32): the vendor's CUDA-core kernels, the fair "
     "opponent of rungs 1-6", 0, 1, 0},
    {"cublas-tf32", WG_DEVICE_CUDA, WG_PRECISION_TF32,
     "cuBLAS GemmEx with TF32 tensor cores (CUBLAS_COMPUTE_32F_FAST_TF32), FP32 accumulation",
     0, 1, 0},
    {"cublas-bf16", WG_DEVICE_CUDA, WG_PRECISION_BF16,
     "cuBLAS GemmEx on BF16 inputs with tensor cores, FP32 accumulation", 0, 1, 0},
};

#define CUBLAS_FP32 (&wg_cuda_kernels[WG_LADDER_RUNGS])

/* cuBLAS FP32, unless ladder.c names a rung to stand in for it (docs/ladder.md). */
static const wg_kernel *auto_kernel(void)
{
    const int rung = wg_ladder_default_rung();
    return rung >= 1 && rung <= WG_LADDER_RUNGS ? &wg_cuda_kernels[rung - 1] : CUBLAS_FP32;
}

wg_status wg_cuda_kernel_auto(int index, const wg_kernel **out)
{
    (void)index;
    *out = auto_kernel();
    return WG_OK;
}

/* What a kernel needs beyond the sm_75 code of the default build: the compute capability
 * (x10) and the feature that sets it; 0 when any supported GPU runs it. The Makefile builds
 * rungs 6-8 for sm_80 and later only (CUDA_GENCODE_SM80), so they must be refused here.
 * Rungs 9-11 are built for sm_90a alone (wgmma, TMA): see wg_cuda_kernel_available. */
static int min_compute_capability(const wg_kernel *kernel, const char **feature)
{
    if (kernel->rung == 6) {
        *feature = "cp.async (asynchronous copies to shared memory)";
        return 80;
    }
    if (kernel->precision == WG_PRECISION_TF32 || kernel->precision == WG_PRECISION_BF16) {
        /* TF32 and BF16 tensor cores arrived with compute capability 8.0 (Ampere). */
        *feature = kernel->precision == WG_PRECISION_TF32 ? "TF32 tensor cores" : "BF16 tensor cores";
        return 80;
    }
    *feature = NULL;
    return 0;
}

wg_status wg_cuda_kernel_available(int index, const wg_kernel *kernel)
{
    wg_status status = wg_device_check((wg_device){WG_DEVICE_CUDA, index});
    if (status != WG_OK) return status;
    const char *feature = NULL;
    const int needed = min_compute_capability(kernel, &feature);
    const int hopper_only = !kernel->vendor && WG_LADDER_K_MAJOR(kernel->rung);
    if (needed == 0 && !hopper_only) return WG_OK;
    wg_gpu_info info;
    status = wg_gpu_info_get(index, &info);
    if (status != WG_OK) return status;
    if (info.cc_major * 10 + info.cc_minor < needed)
        return wg_fail(WG_ERR_UNSUPPORTED, "%s needs %s (compute capability %d.%d or later); "
                       "cuda:%d (%s) is %d.%d", kernel->name, feature, needed / 10, needed % 10,
                       index, info.name, info.cc_major, info.cc_minor);
    /* sm_90a code (wgmma, setmaxnreg) runs on compute capability 9.0 exactly */
    if (hopper_only && (info.cc_major != 9 || info.cc_minor != 0))
        return wg_fail(WG_ERR_UNSUPPORTED, "%s needs sm_90a (wgmma and TMA, Hopper only): "
                       "cuda:%d (%s) is sm_%d%d", kernel->name, index, info.name, info.cc_major,
                       info.cc_minor);
    return WG_OK;
}

/* ---------------------------------------------------------------- running --------- */

/* Every TF32 and BF16 entry (rungs 7-10, cuBLAS TF32 and BF16) reads the same K-major
 * copies: the wgmma rungs accept no other layout (TF32 wgmma reads K-major only), and the
 * entries they are compared with get the very same inputs. */
static int wants_k_major(const wg_kernel *kernel)
{
    return kernel->precision != WG_PRECISION_FP32;
}

/* A direct call (a layer's product, wg_gemm_on) copies only when the kernel cannot read the
 * caller's layout and type: the wgmma rungs (K-major only) always, and a BF16 kernel given
 * fp32 inputs. cuBLAS and the WMMA rungs read bf16 inputs in any layout, so a training step
 * allocates and waits for nothing. */
static int must_copy(const wg_kernel *kernel, const wg_gemm_args *args)
{
    if (!kernel->vendor && WG_LADDER_K_MAJOR(kernel->rung)) return 1;
    return kernel->precision == WG_PRECISION_BF16 && args->input_dtype != WG_DTYPE_BF16;
}

/* Copies op(A) as m x k and op(B)^T as n x k (trans_a 0, trans_b 1), BF16 or FP32, rows
 * padded to 16 bytes (TMA's stride rule). */
static wg_status prepare_k_major(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                                 wg_gemm_inputs *out)
{
    const int bf16 = kernel->precision == WG_PRECISION_BF16;
    const int64_t per16 = bf16 ? 8 : 4;
    const int64_t ld = (args->k + per16 - 1) / per16 * per16;
    int64_t check = 0;
    if (wg_mul_i64(args->m > args->n ? args->m : args->n, ld, &check) != WG_OK ||
        wg_mul_i64(check, 4, &check) != WG_OK)
        return wg_fail(WG_ERR_OVERFLOW, "%s on cuda:%d: the K-major copies of A and B do not "
                       "fit in 64 bits (m=%" PRId64 ", n=%" PRId64 ", k=%" PRId64 ")",
                       kernel->name, index, args->m, args->n, args->k);
    /* A stored m x k (as is) or k x m (transposed); B stored k x n (needs the transpose to
     * become n x k) or n x k (as is) */
    const int64_t a_rows = args->trans_a ? args->k : args->m;
    const int64_t a_cols = args->trans_a ? args->m : args->k;
    const int64_t b_rows = args->trans_b ? args->n : args->k;
    const int64_t b_cols = args->trans_b ? args->k : args->n;
    const int src_bf16 = args->input_dtype == WG_DTYPE_BF16;
    wg_status status = wg_cuda_ladder_copy(index, args->a, src_bf16, a_rows, a_cols, args->lda,
                                           args->trans_a, bf16, ld, &out->owned_a);
    if (status == WG_OK)
        status = wg_cuda_ladder_copy(index, args->b, src_bf16, b_rows, b_cols, args->ldb,
                                     !args->trans_b, bf16, ld, &out->owned_b);
    if (status != WG_OK) {
        wg_cuda_gemm_inputs_free(index, out);
        return status;
    }
    out->args.a = out->owned_a;
    out->args.b = out->owned_b;
    out->args.lda = out->args.ldb = ld;
    out->args.trans_a = 0;
    out->args.trans_b = 1;
    out->args.input_dtype = bf16 ? WG_DTYPE_BF16 : WG_DTYPE_FP32;
    return WG_OK;
}

wg_status wg_cuda_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                               wg_gemm_inputs *out)
{
    memset(out, 0, sizeof *out);
    out->args = *args;
    if (wants_k_major(kernel)) return prepare_k_major(index, kernel, args, out);
    return WG_OK;
}

void wg_cuda_gemm_inputs_free(int index, wg_gemm_inputs *inputs)
{
    if (inputs->owned_a) wg_cuda_ladder_free(index, inputs->owned_a);
    if (inputs->owned_b) wg_cuda_ladder_free(index, inputs->owned_b);
    inputs->owned_a = inputs->owned_b = NULL;
}

wg_status wg_cuda_gemm_run_prepared(int index, const wg_kernel *kernel,
                                    const wg_gemm_inputs *inputs)
{
    if (kernel->vendor) return wg_cuda_cublas_gemm(index, kernel->precision, &inputs->args);
    wg_ladder_plan plan;
    int variant = 0; /* rung 6: the tile variant its tuning table names for this GPU */
    wg_status status = kernel->rung == 6 ? wg_cuda_ladder6_variant(index, &variant) : WG_OK;
    if (status == WG_OK)
        status = wg_ladder_plan_make_variant(kernel->rung, variant, &inputs->args, &plan);
    if (status != WG_OK) return status;
    return wg_cuda_ladder_launch(index, &plan, &inputs->args);
}

wg_status wg_cuda_gemm(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    if (!kernel) kernel = auto_kernel();
    if (!must_copy(kernel, args)) {
        const wg_gemm_inputs inputs = {.args = *args};
        return wg_cuda_gemm_run_prepared(index, kernel, &inputs);
    }
    /* K-major copies (BF16 or FP32), freed here, so the product must finish first */
    wg_gemm_inputs inputs;
    wg_status status = wg_cuda_gemm_prepare(index, kernel, args, &inputs);
    if (status != WG_OK) return status;
    status = wg_cuda_gemm_run_prepared(index, kernel, &inputs);
    if (status == WG_OK) status = wg_synchronize((wg_device){WG_DEVICE_CUDA, index});
    wg_cuda_gemm_inputs_free(index, &inputs);
    return status;
}
