/*
 * cpu_backend.h - the CPU backend's entries (memory, elementwise, matmul), shared by the
 * table in cpu_backend.c and by tests that call a CPU kernel directly.
 */
#ifndef WG_CPU_BACKEND_H
#define WG_CPU_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "../backend.h"

/* Memory: 64-byte aligned; 2 MiB aligned and backed by transparent huge pages from 4 MiB
 * on (fewer TLB misses in the large matmul). Allocations of 64 MiB and more are refused up
 * front when they exceed the memory available, rather than left to the OOM killer. */
wg_status wg_cpu_alloc(int index, size_t bytes, void **out);
void wg_cpu_release(int index, void *ptr);

wg_status wg_cpu_fill(int index, float *dst, int64_t n, float value);
wg_status wg_cpu_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                              uint64_t seed);
wg_status wg_cpu_mul(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_cpu_add(int index, const float *a, const float *b, float *out, int64_t n);
wg_status wg_cpu_relu(int index, const float *x, float *out, int64_t n);
/* fp32 <-> bf16 (backend.h's convert entry): dtype.c's vectorised array conversions. */
wg_status wg_cpu_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                         int64_t n);
/* mul, add, relu on bf16 storage in one pass (backend.h's elementwise_bf16). */
wg_status wg_cpu_elementwise_bf16(int index, wg_op_kind op, const wg_bf16 *a,
                                  const wg_bf16 *b, wg_bf16 *out, int64_t n);

/* The CPU's kernel registry (cpu_kernels.c) and the backend's entries for it: the SGEMM
 * entry runs a registered kernel, NULL meaning the packed GEMM of the chosen ISA. */
#define WG_CPU_KERNEL_COUNT 7
extern const wg_kernel wg_cpu_kernels[WG_CPU_KERNEL_COUNT];
wg_status wg_cpu_kernel_auto(int index, const wg_kernel **out);
wg_status wg_cpu_kernel_available(int index, const wg_kernel *kernel);
wg_status wg_cpu_gemm_entry(int index, const wg_kernel *kernel, const wg_gemm_args *args);
/* Prepared products (backend.h): a bf16 kernel's float32 inputs converted to bf16 copies
 * once, outside the runs; other kernels read the caller's inputs. */
wg_status wg_cpu_gemm_prepare(int index, const wg_kernel *kernel, const wg_gemm_args *args,
                              wg_gemm_inputs *out);
void wg_cpu_gemm_inputs_free(int index, wg_gemm_inputs *inputs);

/* The bf16 GEMMs (bfloat16 inputs, fp32 accumulation and C; args->input_dtype FP32 inputs
 * are rounded to nearest even while packing), best first: AMX-BF16 tiles, AVX512-BF16
 * vdpbf16ps, and the fallback every CPU runs (the inputs widened to fp32 copies, then the
 * fp32 GEMM). wg_cpu_bf16_available says why one cannot run here (the CPU, the build, or
 * the kernel refusing the AMX permission); wg_cpu_gemm_bf16 runs one, failing the same way
 * when it cannot (products no deeper than 16 it hands to the fallback, whichever is named:
 * they are stores of C, which the fp32 shallow kernel makes faster). wg_cpu_gemm with bf16
 * inputs runs the first available one. */
typedef enum wg_cpu_bf16_kernel {
    WG_CPU_BF16_AMX = 0,
    WG_CPU_BF16_AVX512,
    WG_CPU_BF16_VIA_FP32,
} wg_cpu_bf16_kernel;
wg_status wg_cpu_bf16_available(wg_cpu_bf16_kernel which);
wg_status wg_cpu_gemm_bf16(wg_cpu_bf16_kernel which, const wg_gemm_args *args);

/* The textbook triple loop (any arguments wg_gemm_args_check accepts). */
void wg_cpu_gemm_triple_loop(const wg_gemm_args *args);

/* The blocked matmul with a given instruction set ("avx512", "avx2", "generic"), whatever
 * WHYGPU_CPU_ISA says: for measuring what SIMD width is worth. Dense row-major operands. */
wg_status wg_cpu_matmul_isa_run(const char *isa, const float *a, const float *b, float *c,
                                int64_t m, int64_t n, int64_t k);

/* The plan (tile, block sizes, threads, workspace) the packed GEMM would follow for these
 * arguments with instruction set `isa` (NULL: the chosen one): for tests and reports. */
struct wg_gemm_plan;
wg_status wg_cpu_gemm_plan(const char *isa, const wg_gemm_args *args, struct wg_gemm_plan *out);

#endif /* WG_CPU_BACKEND_H */
