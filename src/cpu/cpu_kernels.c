/*
 * cpu_kernels.c - the CPU device's kernel registry and its GEMM entry: the packed (BLIS-
 * style) GEMM once per instruction set, and the textbook triple loop it is measured
 * against. "auto" is the packed GEMM of the instruction set wg_cpu_matmul_isa chooses.
 */
#include <stdio.h>
#include <string.h>

#include "../error.h"
#include "cpu_backend.h"
#include "cpu_isa.h"

/* The backend's selector of each entry (wg_kernel.id). */
enum { CPU_AVX512, CPU_AVX2, CPU_GENERIC, CPU_TRIPLE_LOOP };

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
    /* The one ISA table (cpu_isa.c) knows which instruction sets this build and CPU run. */
    wg_cpu_isa isa = WG_CPU_ISA_GENERIC;
    wg_status status = wg_cpu_isa_from_name(isa_of[kernel->id], &isa);
    if (status != WG_OK) return status;
    wg_cpu_info info;
    status = wg_cpu_info_get(&info);
    return status == WG_OK ? wg_cpu_isa_check(isa, &info) : status;
}

wg_status wg_cpu_gemm_entry(int index, const wg_kernel *kernel, const wg_gemm_args *args)
{
    (void)index;
    if (!kernel) return wg_cpu_gemm(args);
    if (kernel->id == CPU_TRIPLE_LOOP) {
        wg_cpu_gemm_triple_loop(args);
        return WG_OK;
    }
    return wg_cpu_gemm_isa(isa_of[kernel->id], args);
}
