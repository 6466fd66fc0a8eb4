/*
 * cpu_isa.h - the one table of the instruction sets the CPU's hot loops are compiled for:
 * the GEMM microkernels (gemm_avx512.c, gemm_avx2.c, gemm_generic.c) and the measurement
 * loops (src/measure/simd_*.c). Its names, the cpuid features each needs, and the choice
 * of the widest one this CPU runs live here only, so the matmul and the measurements can
 * never disagree about what "avx512" means.
 */
#ifndef WG_CPU_ISA_H
#define WG_CPU_ISA_H

#include "whygpu.h"

/* The x86 kernels use GCC's target pragmas and vector shuffles: built with GCC on x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WG_CPU_HAVE_X86_KERNELS 1
#endif

/* Widest first: the order in which the automatic choice tries them. */
typedef enum wg_cpu_isa {
    WG_CPU_ISA_AVX512 = 0, /* 16-float vectors; AVX-512F + VL, AVX2 and FMA */
    WG_CPU_ISA_AVX2,       /* 8-float vectors; AVX2 and FMA */
    WG_CPU_ISA_GENERIC,    /* 4-float vectors (SSE2, NEON or scalar): any CPU */
    WG_CPU_ISA_COUNT
} wg_cpu_isa;

/* "avx512", "avx2", "generic" (NULL out of range). */
const char *wg_cpu_isa_name(wg_cpu_isa isa);

/* Floats per vector register: 16, 8, 4. */
int wg_cpu_isa_lanes(wg_cpu_isa isa);

/* The ISA called `name`; WG_ERR_ARGUMENT naming the known ones when there is none. */
wg_status wg_cpu_isa_from_name(const char *name, wg_cpu_isa *out);

/* WG_OK when this build has the ISA's kernels and `info`'s CPU runs them; otherwise
 * WG_ERR_UNSUPPORTED saying which (the build, or the cpuid features). */
wg_status wg_cpu_isa_check(wg_cpu_isa isa, const wg_cpu_info *info);

/* The widest ISA that wg_cpu_isa_check accepts (generic at worst). */
wg_cpu_isa wg_cpu_isa_widest(const wg_cpu_info *info);

#endif /* WG_CPU_ISA_H */
