/*
 * cpu_kernels.c - the CPU device's kernel registry and its GEMM entry: the packed (BLIS-
 * style) GEMM once per instruction set, and the textbook triple loop it is measured
 * against; and the bf16 GEMMs (AMX, AVX512-BF16, the widen-to-fp32 fallback), best first.
 * "auto" is the packed GEMM of the instruction set wg_cpu_matmul_isa chooses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "cpu_backend.h"
#include "cpu_isa.h"

/* The backend's selector of each entry (wg_kernel.id). */
enum { CPU_AVX512, CPU_AVX2, CPU_GENERIC, CPU_TRIPLE_LOOP, CPU_AMX_BF16, CPU_AVX512_BF16,
       CPU_BF16_VIA_FP32 };

/* The bf16 entries' kernels (cpu_backend.h), by id. */
static wg_cpu_bf16_kernel bf16_of(int id)
{
    return id == CPU_AMX_BF16      ? WG_CPU_BF16_AMX
           : id == CPU_AVX512_BF16 ? WG_CPU_BF16_AVX512
                                   : WG_CPU_BF16_VIA_FP32;
}

/* The instruction set of each packed entry, as wg_cpu_gemm_isa names it. */
static const char *const isa_of[] = {"avx512", "avx2", "generic"};

const wg_kernel wg_cpu_kernels[WG_CPU_KERNEL_COUNT] = {
    {"packed-avx512", WG_DEVICE_CPU, WG_PRECISION_FP32,
     "packed GEMM, AVX-512 microkernel: 16 floats per FMA, A and B panels packed to stay in "
     "cache, all cores", 0, 0, CPU_AVX512},
    {"packed-avx2", WG_DEVICE_CPU, WG_PRECISION_FP32,
     "the same packed GEMM with an AVX2 microkernel: 8 floats per FMA, half AVX-512's width",
     0, 0, CPU_AVX2},
    {"packed-generic", WG_DEVICE_CPU, WG_PRECISION_FP32,
     "the same packing, cache blocking and threads in portable C: what blocking alone is worth",
     0, 0, CPU_GENERIC},
    {"triple-loop", WG_DEVICE_CPU, WG_PRECISION_FP32,
     "the textbook i-k-j loop: no blocking, operands stream from memory; the baseline", 0, 0,
     CPU_TRIPLE_LOOP},
    /* bf16, best first (wg_kernel_best takes the first that runs) */
    {"packed-amx-bf16", WG_DEVICE_CPU, WG_PRECISION_BF16,
     "packed GEMM on AMX tiles: tdpbf16ps does 16x16x32 bf16 multiply-adds into fp32 tile "
     "registers, 32x the work of one AVX-512 instruction", 0, 0, CPU_AMX_BF16},
    {"packed-avx512-bf16", WG_DEVICE_CPU, WG_PRECISION_BF16,
     "packed GEMM with vdpbf16ps: pairs of bf16 products per fp32 lane, twice an FMA's work "
     "per instruction (Intel cores issue it at half the FMA's rate: docs/bf16.md)",
     0, 0, CPU_AVX512_BF16},
    {"bf16-via-fp32", WG_DEVICE_CPU, WG_PRECISION_BF16,
     "bf16 inputs widened to fp32 (exact), then the fp32 GEMM: the bf16 answer on any CPU, "
     "at fp32 speed", 0, 0, CPU_BF16_VIA_FP32},
};

wg_status wg_cpu_kernel_auto(int index, const wg_kernel **out)
{
    (void)index;
    const char *isa = NULL;
    wg_status status = wg_cpu_matmul_isa(&isa);
    if (status != WG_OK) return status;
    for (int i = CPU_AVX512; i <= CPU_GENERIC; i++) {
        if (strcmp(isa, isa_of[i]) == 0) {
            *out = &wg_cpu_kernels[i];
            return WG_OK;
        }
    }
    return wg_fail(WG_ERR_UNSUPPORTED, "the CPU matmul's instruction set '%s' has no kernel "
                   "in the registry", isa);
}

wg_status wg_cpu_kernel_available(int index, const wg_kernel *kernel)
{
    if (index != 0) return wg_fail(WG_ERR_NO_DEVICE, "cpu:%d does not exist", index);
    if (kernel->id == CPU_TRIPLE_LOOP) return WG_OK;
    if (kernel->precision == WG_PRECISION_BF16) return wg_cpu_bf16_available(bf16_of(kernel->id));
    /* The one ISA table (cpu_isa.c) knows which instruction sets this build and CPU run. */
    wg_cpu_isa isa = WG_CPU_ISA_GENERIC;
    wg_status status = wg_cpu_isa_from_name(isa_of[kernel->id], &isa);
    if (status != WG_OK) return status;
    wg_cpu_info info;
    status = wg_cpu_info_get(&info);
    return status == WG_OK ? wg_cpu_isa_check(isa, &info) : status;
}

/* One stored operand (rows x cols, ld apart) as a dense bf16 copy in host memory. */
static wg_status bf16_copy(int index, const float *src, int64_t rows, int64_t cols, int64_t ld,
                           const char *which, void **out)
{
    wg_status status = wg_cpu_alloc(index, (size_t)rows * (size_t)cols * sizeof(wg_bf16), out);
    if (status != WG_OK)
        return wg_fail_context(status, "gemm: the bf16 copy of %s (%" PRId64 " x %" PRId64 ")",
                               which, rows, cols);
    wg_bf16 *dst = *out;
    if (ld == cols) /* dense: one conversion, which the CPU backend threads when large */
        return wg_cpu_convert(index, src, WG_DTYPE_FP32, dst, WG_DTYPE_BF16, rows * cols);
    for (int64_t r = 0; r < rows && status == WG_OK; r++)
        status = wg_cpu_convert(index, src + r * ld, WG_DTYPE_FP32, dst + r * cols, WG_DTYPE_BF16,
                                cols);
    return status;
}

/* A prepared product (wg_gemm_prepare): a bf16 kernel given float32 inputs gets bf16 copies
 * of them made here, once, so that the runs (what `bench gemm --dtype bf16` times) read
 * bf16 like a caller holding bf16 tensors, as PyTorch's bf16 torch.mm does; without this
 * every run rounded the float32 inputs again while packing. Other products run on the
 * caller's inputs as they are. */
wg_status wg_cpu_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                              wg_gemm_inputs *out)
{
    memset(out, 0, sizeof *out);
    out->args = *args;
    if (!kernel || kernel->precision != WG_PRECISION_BF16 || args->input_dtype != WG_DTYPE_FP32)
        return WG_OK;
    const int64_t a_rows = args->trans_a ? args->k : args->m;
    const int64_t a_cols = args->trans_a ? args->m : args->k;
    const int64_t b_rows = args->trans_b ? args->n : args->k;
    const int64_t b_cols = args->trans_b ? args->k : args->n;
    wg_status status = bf16_copy(index, args->a, a_rows, a_cols, args->lda, "A", &out->owned_a);
    if (status == WG_OK)
        status = bf16_copy(index, args->b, b_rows, b_cols, args->ldb, "B", &out->owned_b);
    if (status != WG_OK) {
        wg_cpu_gemm_inputs_free(index, out);
        return status;
    }
    out->args.a = out->owned_a;
    out->args.b = out->owned_b;
    out->args.lda = a_cols;
    out->args.ldb = b_cols;
    out->args.input_dtype = WG_DTYPE_BF16;
    return WG_OK;
}

void wg_cpu_gemm_inputs_free(int index, wg_gemm_inputs *inputs)
{
    wg_cpu_release(index, inputs->owned_a);
    wg_cpu_release(index, inputs->owned_b);
    inputs->owned_a = inputs->owned_b = NULL;
}

wg_status wg_cpu_gemm_entry(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    (void)index;
    if (!kernel) return wg_cpu_gemm(args);
    if (kernel->precision == WG_PRECISION_BF16) return wg_cpu_gemm_bf16(bf16_of(kernel->id), args);
    if (args->input_dtype != WG_DTYPE_FP32)
        return wg_fail(WG_ERR_UNSUPPORTED, "gemm: kernel '%s' reads float32 inputs, but these "
                       "are %s (bf16 inputs need a bf16 kernel)", kernel->name,
                       wg_dtype_name(args->input_dtype));
    if (kernel->id == CPU_TRIPLE_LOOP) {
        wg_cpu_gemm_triple_loop(args);
        return WG_OK;
    }
    return wg_cpu_gemm_isa(isa_of[kernel->id], args);
}
