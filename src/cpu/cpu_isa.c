/*
 * cpu_isa.c - the table of instruction sets behind cpu_isa.h: each one's name, vector
 * width and the cpuid features its kernels need.
 */
#include "cpu_isa.h"

#include <string.h>

#include "../error.h"

static const struct {
    const char *name;
    int lanes;
} isas[WG_CPU_ISA_COUNT] = {
    [WG_CPU_ISA_AVX512] = {"avx512", 16},
    [WG_CPU_ISA_AVX2] = {"avx2", 8},
    [WG_CPU_ISA_GENERIC] = {"generic", 4},
};

const char *wg_cpu_isa_name(wg_cpu_isa isa)
{
    return isa >= 0 && isa < WG_CPU_ISA_COUNT ? isas[isa].name : NULL;
}

int wg_cpu_isa_lanes(wg_cpu_isa isa)
{
    return isa >= 0 && isa < WG_CPU_ISA_COUNT ? isas[isa].lanes : 0;
}

wg_status wg_cpu_isa_from_name(const char *name, wg_cpu_isa *out)
{
    for (int i = 0; name && i < WG_CPU_ISA_COUNT; i++) {
        if (strcmp(name, isas[i].name) == 0) {
            *out = (wg_cpu_isa)i;
            return WG_OK;
        }
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown instruction set '%s' (expected avx512, avx2 or "
                   "generic)", name ? name : "(null)");
}

/* 1 when this build has the ISA's kernels and the CPU has the features they are compiled
 * for (the AVX-512 kernels use AVX-512VL, AVX2 and FMA too). */
static int runs(wg_cpu_isa isa, const wg_cpu_info *info)
{
    if (isa == WG_CPU_ISA_GENERIC) return 1;
#ifdef WG_CPU_HAVE_X86_KERNELS
    if (isa == WG_CPU_ISA_AVX512)
        return info->avx512f && info->avx512vl && info->avx2 && info->fma;
    if (isa == WG_CPU_ISA_AVX2) return info->avx2 && info->fma;
#else
    (void)info;
#endif
    return 0;
}

wg_status wg_cpu_isa_check(wg_cpu_isa isa, const wg_cpu_info *info)
{
    if (isa < 0 || isa >= WG_CPU_ISA_COUNT)
        return wg_fail(WG_ERR_ARGUMENT, "instruction set %d is out of range", (int)isa);
    if (runs(isa, info)) return WG_OK;
#ifdef WG_CPU_HAVE_X86_KERNELS
    return wg_fail(WG_ERR_UNSUPPORTED, "this CPU (%s) cannot run %s: cpuid reports avx512f=%d "
                   "avx512vl=%d avx2=%d fma=%d", info->model[0] ? info->model : "unknown",
                   isas[isa].name, info->avx512f, info->avx512vl, info->avx2, info->fma);
#else
    return wg_fail(WG_ERR_UNSUPPORTED, "instruction set '%s' is not built into this library "
                   "(x86-64 GCC only)", isas[isa].name);
#endif
}

wg_cpu_isa wg_cpu_isa_widest(const wg_cpu_info *info)
{
    for (int i = 0; i < WG_CPU_ISA_COUNT; i++)
        if (runs((wg_cpu_isa)i, info)) return (wg_cpu_isa)i;
    return WG_CPU_ISA_GENERIC;
}
