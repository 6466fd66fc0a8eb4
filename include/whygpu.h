/*
 * whygpu.h - the public API of libwhygpu.
 *
 * A small float32 tensor library whose tensors live on a device ("cpu" or "cuda:N") and
 * are operated on by the device that holds them, plus the measuring harness (timeit) and
 * the machine descriptions every whygpu experiment reports.
 *
 * Conventions
 *  - Every call that can fail returns a wg_status; WG_OK is 0. On failure,
 *    wg_error_message() returns a one-line message (thread-local) naming what was wrong
 *    and with what value. The library never prints and never exits.
 *  - Tensors are opaque, row-major, rank 0..4, with 64-bit sizes. Functions that create a
 *    tensor write it to an out-parameter and leave it untouched on failure.
 *  - Operations write into a caller-allocated output (like torch's out=), so that a timed
 *    loop measures the operation and not the allocator.
 */
#ifndef WHYGPU_H
#define WHYGPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WG_VERSION "0.1.0"

/* ---------------------------------------------------------------- status ---------- */

typedef enum wg_status {
    WG_OK = 0,
    WG_ERR_ARGUMENT,        /* a bad argument: null pointer, rank, size of 0 or < 0 */
    WG_ERR_SHAPE,           /* operand shapes do not fit together */
    WG_ERR_DEVICE_MISMATCH, /* operands live on different devices */
    WG_ERR_NO_DEVICE,       /* the device is absent: no CUDA build, driver or device */
    WG_ERR_NO_MEMORY,       /* host or device memory could not be allocated */
    WG_ERR_OVERFLOW,        /* a size computation does not fit in 64 bits */
    WG_ERR_BACKEND,         /* a CUDA, cuBLAS or system call failed */
    WG_ERR_UNSUPPORTED,     /* the operation or kernel is not offered by this device */
    WG_ERR_IO               /* a file could not be read or written */
} wg_status;

/* The message of the last failure on this thread ("" if none). */
const char *wg_error_message(void);
/* A short fixed name for a status, e.g. "no memory". */
const char *wg_status_name(wg_status status);

/* ---------------------------------------------------------------- devices --------- */

typedef enum wg_device_kind {
    WG_DEVICE_CPU = 0,
    WG_DEVICE_CUDA = 1,
    WG_DEVICE_OPENCL = 2 /* any OpenCL device: a GPU of any vendor, or PoCL on the CPU */
} wg_device_kind;

typedef struct wg_device {
    wg_device_kind kind;
    int index; /* 0 for the CPU; the CUDA ordinal; for OpenCL, N of opencl:N */
} wg_device;

/* The CPU device, as a value. */
wg_device wg_cpu(void);

/* Parses "cpu", "cuda", "cuda:N" (also "gpu", "gpu:N"), "opencl", "opencl:N". Syntax only: it does not check
 * that the device is present; wg_device_check does. */
wg_status wg_device_parse(const char *text, wg_device *out);

/* Writes "cpu" or "cuda:N" into buf (always NUL-terminated). Returns buf; with a NULL buf
 * or size 0 it writes nothing and returns "" (never NULL). */
const char *wg_device_format(wg_device device, char *buf, size_t size);

/* WG_OK when the device can be used; otherwise WG_ERR_NO_DEVICE with the reason:
 * built without CUDA, no driver, no device, or index out of range. */
wg_status wg_device_check(wg_device device);

/* Waits until all work queued on the device has finished. */
wg_status wg_synchronize(wg_device device);

/* 1 when the library was compiled with the CUDA backend. */
int wg_built_with_cuda(void);
/* 1 when the library was compiled with the OpenCL backend. */
int wg_built_with_opencl(void);

/* ---------------------------------------------------------------- dtypes ---------- */

/* How a tensor stores its elements. FP32 is IEEE binary32; BF16 is bfloat16 (the top 16
 * bits of a binary32: 8 exponent bits, 7 mantissa bits), what networks train in. */
typedef enum wg_dtype { WG_DTYPE_FP32 = 0, WG_DTYPE_BF16 = 1 } wg_dtype;

/* One bfloat16 value, as stored (the high half of the float32 with the same sign and
 * exponent). */
typedef uint16_t wg_bf16;

/* "fp32", "bf16" ("unknown" otherwise). */
const char *wg_dtype_name(wg_dtype dtype);
/* Bytes per element: 4, 2 (0 for an unknown dtype). */
size_t wg_dtype_size(wg_dtype dtype);
/* "fp32"/"float32" or "bf16"/"bfloat16"; anything else is WG_ERR_ARGUMENT naming it. */
wg_status wg_dtype_parse(const char *name, wg_dtype *out);

/* float32 -> bfloat16, rounding to nearest, ties to even (as vcvtneps2bf16, CUDA's
 * __float2bfloat16 and PyTorch do); infinities stay infinities, a NaN stays a NaN (quiet,
 * sign kept), values too large round to infinity. */
wg_bf16 wg_bf16_from_float(float x);
/* bfloat16 -> float32: exact. */
float wg_float_from_bf16(wg_bf16 x);
/* The same over arrays of n elements (n <= 0: nothing), host memory, vectorised where the
 * CPU allows, results identical to the scalar functions. */
void wg_bf16_from_floats(const float *src, wg_bf16 *dst, int64_t n);
void wg_floats_from_bf16(const wg_bf16 *src, float *dst, int64_t n);

/* ---------------------------------------------------------------- tensors --------- */

#define WG_MAX_RANK 4

typedef struct wg_tensor wg_tensor;

/* Creation. shape has `rank` entries, each >= 1; rank 0 is a scalar (shape may be NULL). */
wg_status wg_tensor_empty(int rank, const int64_t *shape, wg_device device, wg_tensor **out);
wg_status wg_tensor_zeros(int rank, const int64_t *shape, wg_device device, wg_tensor **out);
wg_status wg_tensor_full(int rank, const int64_t *shape, float value, wg_device device,
                         wg_tensor **out);
/* Uniform random values in [low, high) from a counter-based generator: the same seed and
 * shape give the same values on every device and thread count. */
wg_status wg_tensor_rand(int rank, const int64_t *shape, float low, float high, uint64_t seed,
                         wg_device device, wg_tensor **out);
/* Copies numel(shape) floats from host memory. */
wg_status wg_tensor_from_host(int rank, const int64_t *shape, const float *data,
                              wg_device device, wg_tensor **out);
/* An empty tensor with the shape and device of `like`. */
wg_status wg_tensor_empty_like(const wg_tensor *like, wg_tensor **out);

/* Frees the tensor and its memory; NULL is allowed. */
void wg_tensor_free(wg_tensor *tensor);

/* Copies the tensor to `device` (like PyTorch's .to(device)); always a new tensor. */
wg_status wg_tensor_to(const wg_tensor *tensor, wg_device device, wg_tensor **out);

/* Reads the whole tensor back into host memory; `capacity` is dst's length in floats and
 * must be at least the element count. */
wg_status wg_tensor_to_host(const wg_tensor *tensor, float *dst, int64_t capacity);

int wg_tensor_rank(const wg_tensor *tensor);
/* The size of one axis (0 <= axis < rank), or -1 if the axis is out of range. */
int64_t wg_tensor_dim(const wg_tensor *tensor, int axis);
int64_t wg_tensor_numel(const wg_tensor *tensor);
wg_device wg_tensor_device(const wg_tensor *tensor);
/* The data of a CPU tensor (NULL for a tensor on another device). */
float *wg_tensor_host_data(wg_tensor *tensor);
/* The data pointer in the memory of the tensor's device (device memory for CUDA): for
 * wg_gemm_on and for backends; NULL for NULL. */
float *wg_tensor_data(wg_tensor *tensor);

/* Tensors of a chosen dtype. Every other constructor makes FP32 tensors; wg_tensor_to keeps
 * the dtype; wg_tensor_to_host and wg_tensor_from_host always speak float32 (BF16 tensors
 * are converted on the way). Operations check that their operands' dtypes agree and say
 * which differ (WG_ERR_ARGUMENT). */
wg_status wg_tensor_empty_dtype(int rank, const int64_t *shape, wg_dtype dtype,
                                wg_device device, wg_tensor **out);
wg_dtype wg_tensor_dtype(const wg_tensor *tensor);
/* A new tensor on the same device with the values converted to `dtype` (rounded to
 * nearest even into BF16; exact into FP32). */
wg_status wg_tensor_convert(const wg_tensor *tensor, wg_dtype dtype, wg_tensor **out);
/* The storage of a tensor of any dtype, in the memory of its device (wg_tensor_data and
 * wg_tensor_host_data return NULL for a BF16 tensor). */
void *wg_tensor_storage(wg_tensor *tensor);

/* Element count of a shape, with overflow checked (WG_ERR_OVERFLOW) and sizes >= 1
 * checked (WG_ERR_ARGUMENT). */
wg_status wg_shape_numel(int rank, const int64_t *shape, int64_t *numel);

/* ---------------------------------------------------------------- operations ------ */

/* out = a * b, elementwise; all three of one shape and on one device. out may alias a or b. */
wg_status wg_mul(const wg_tensor *a, const wg_tensor *b, wg_tensor *out);
/* out = a + b, elementwise, with the same rules as wg_mul. */
wg_status wg_add(const wg_tensor *a, const wg_tensor *b, wg_tensor *out);
/* out = max(x, 0), elementwise; x and out of one shape and on one device; out may alias x.
 * NaN stays NaN. */
wg_status wg_relu(const wg_tensor *x, wg_tensor *out);

/* out[m,n] = a[m,k] . b[k,n]: 2-D tensors on one device; out must not alias a or b. */
wg_status wg_matmul(const wg_tensor *a, const wg_tensor *b, wg_tensor *out);

/* The general matrix product, BLAS's SGEMM in row-major form:
 *
 *     C = alpha * op(A) . op(B) + beta * C,   op(X) = X or X^T,
 *
 * op(A) is m x k, op(B) is k x n, C is m x n. Row-major with leading dimensions: element
 * (i, j) of a stored matrix X is x[i * ldx + j], so a stored A is m x k (lda >= k) or, when
 * trans_a, k x m (lda >= m). beta == 0 writes C without reading it (NaN or garbage in C
 * does not leak into the result); alpha == 0 still reads nothing of A and B. The pointers
 * are in the memory of the device the call names. C must not overlap A or B. */
typedef struct wg_gemm_args {
    int trans_a, trans_b; /* 0: as stored, 1: transposed */
    int64_t m, n, k;
    float alpha, beta;
    const float *a;
    int64_t lda;
    const float *b;
    int64_t ldb;
    float *c;
    int64_t ldc;
    /* The storage of A and B (C is always float32): WG_DTYPE_FP32 (0, the default), or
     * WG_DTYPE_BF16, when a and b point at bfloat16 elements (cast to const float *; lda and
     * ldb count bfloat16 elements). BF16 inputs need a BF16 kernel (wg_kernel_best). */
    wg_dtype input_dtype;
} wg_gemm_args;

/* Checks sizes (>= 1), leading dimensions, NULL pointers and 64-bit overflow of the extents;
 * `who` names the caller in the message. */
wg_status wg_gemm_args_check(const char *who, const wg_gemm_args *args);

/* SGEMM on host memory with the CPU's best kernel (see wg_cpu_matmul_isa). */
wg_status wg_cpu_gemm(const wg_gemm_args *args);
/* The same with a named instruction set ("avx512", "avx2", "generic"), whatever
 * WHYGPU_CPU_ISA says; WG_ERR_UNSUPPORTED when this CPU or build lacks it. */
wg_status wg_cpu_gemm_isa(const char *isa, const wg_gemm_args *args);

/* SGEMM on dense 2-D tensors of one device: c = alpha * op(a) . op(b) + beta * c, with
 * the device's best kernel. */
wg_status wg_gemm(int trans_a, int trans_b, float alpha, const wg_tensor *a,
                  const wg_tensor *b, float beta, wg_tensor *c);

/* ---------------------------------------------------------------- kernel registry - */

/* Every matrix-product kernel of every device is one entry of its device's registry: the
 * CPU's packed GEMM per instruction set and the textbook triple loop; on CUDA the rungs of
 * the matmul ladder and the cuBLAS references. Commands take a kernel by name
 * (--kernel NAME); `whygpu kernels` lists them. */

/* The arithmetic a kernel computes in. Outputs are float32 in every case; inputs are
 * float32 (TF32 rounds them inside the kernel, BF16 kernels read copies converted once,
 * wg_gemm_prepare) or, for BF16 kernels only, bfloat16 as stored (input_dtype BF16, BF16
 * tensors); all accumulate in FP32. */
typedef enum wg_precision { WG_PRECISION_FP32 = 0, WG_PRECISION_TF32, WG_PRECISION_BF16 } wg_precision;

/* "fp32", "tf32", "bf16" ("unknown" otherwise). */
const char *wg_precision_name(wg_precision precision);
/* "fp32", "tf32" or "bf16" (what --dtype takes); anything else is WG_ERR_ARGUMENT. */
wg_status wg_precision_parse(const char *name, wg_precision *out);

/* The bound a sound kernel of this precision stays under in wg_gemm_sampled_error's
 * measure at depth k: wg_matmul_fp32_tolerance(k) for FP32; for TF32 and BF16 twice the
 * unit roundoff of their inputs (2^-11, 2^-8) with room for FP32 accumulation. */
double wg_precision_error_bound(wg_precision precision, int64_t k);

typedef struct wg_gemm_prepared wg_gemm_prepared;

/* One registry entry, in static storage (pointers to it stay valid for the process). */
typedef struct wg_kernel {
    const char *name;      /* unique per device kind: cpu "packed-avx512", "packed-avx2",
                              "packed-generic", "triple-loop"; cuda the ladder's rungs
                              ("naive" .. "wmma-bf16") and "cublas-fp32", "cublas-tf32",
                              "cublas-bf16" */
    wg_device_kind device;
    wg_precision precision;
    const char *summary;   /* one line: what it changes and why it is faster */
    int rung;              /* its rung of the GPU matmul ladder (1..), 0 if none */
    int vendor;            /* 1 for a vendor library (cuBLAS) */
    /* Private to the library: the backend's own selector (an ISA, a rung, a cuBLAS mode). */
    int id;
} wg_kernel;

/* The number of kernels registered for a device kind (whether or not they can run here),
 * and the i-th of them (NULL out of range). */
int wg_kernel_count(wg_device_kind kind);
const wg_kernel *wg_kernel_at(wg_device_kind kind, int i);

/* Finds a kernel by name. "auto" or NULL: the device's best kernel (CPU: the packed GEMM
 * of the instruction set wg_cpu_matmul_isa chooses; CUDA: cublas-fp32). The former names
 * stay accepted as aliases: "reference" (CPU triple-loop, CUDA coalesced), "tiled" (CPU
 * auto, CUDA smem-tiled) and "cublas" (cublas-fp32). An unknown name gives WG_ERR_ARGUMENT
 * listing the valid names. */
wg_status wg_kernel_find(wg_device_kind kind, const char *name, const wg_kernel **out);

/* The fastest kernel of a precision that runs on `device`: vendor libraries first (cuBLAS),
 * then the registry's order (each registry lists its own kernels best first per precision);
 * FP32 is the device's "auto". None: WG_ERR_UNSUPPORTED saying why (the CPU has no TF32
 * arithmetic; this GPU has no tensor cores; the device is absent). */
wg_status wg_kernel_best(wg_device device, wg_precision precision, const wg_kernel **out);

/* WG_OK when the kernel can run on device `device_index` of its kind; else
 * WG_ERR_NO_DEVICE (no CUDA build, driver or device) or WG_ERR_UNSUPPORTED (this CPU
 * lacks the instruction set, this GPU the tensor cores) with the reason. */
wg_status wg_kernel_available(const wg_kernel *kernel, int device_index);

/* SGEMM with a chosen kernel (NULL = auto) on raw pointers of `device` (host memory for
 * the CPU, device memory for CUDA), e.g. from wg_tensor_data(): for layers that work on
 * parts of a tensor. The kernel must belong to the device's kind (else WG_ERR_UNSUPPORTED).
 * CUDA work is launched, not waited for, except a BF16 kernel's (its inputs are converted
 * and freed around the call; timing loops use wg_gemm_prepare). */
wg_status wg_gemm_on(wg_device device, const wg_kernel *kernel, const wg_gemm_args *args);

/* wg_gemm and wg_matmul with a chosen kernel (NULL = auto). */
wg_status wg_gemm_with(const wg_kernel *kernel, int trans_a, int trans_b, float alpha,
                       const wg_tensor *a, const wg_tensor *b, float beta, wg_tensor *c);
wg_status wg_matmul_with(const wg_kernel *kernel, const wg_tensor *a, const wg_tensor *b,
                         wg_tensor *out);

/* For timing loops: the inputs of `args` converted once to the kernel's input precision
 * (BF16 copies in device memory; FP32 and TF32 kernels use the caller's A and B as they
 * are), outside the timing. args (pointers included) is copied and must stay valid until
 * the prepared product is freed. wg_gemm_run_prepared runs the product: launched, not
 * waited for. */
wg_status wg_gemm_prepare(wg_device device, const wg_kernel *kernel, const wg_gemm_args *args,
                          wg_gemm_prepared **out);
wg_status wg_gemm_run_prepared(wg_gemm_prepared *prepared);
void wg_gemm_prepared_free(wg_gemm_prepared *prepared);

/* Checks a matmul result the way every whygpu experiment does before trusting its timing:
 * `samples` elements of c[m,n] = a[m,k] . b[k,n] (dense row-major host arrays), chosen
 * from `seed`, against float64 dot products. Returns the largest error relative to
 * sum_p |a_ip b_pj|, the scale float32 rounding errors grow with (NaN gives infinity).
 * Bad arguments (NULL matrices, sizes < 1, samples <= 0) check nothing and return NaN, which
 * fails every `error <= bound` test, with the reason in wg_error_message(). */
double wg_matmul_sampled_error(const float *a, const float *b, const float *c, int64_t m,
                               int64_t n, int64_t k, int samples, uint64_t seed);
/* The same for a GEMM's result (beta == 0): transposes, leading dimensions, alpha and
 * input_dtype as in `args`, whose pointers are host memory (BF16 inputs are read as the
 * bf16 values they are); the error is relative to |alpha| sum |a b|. */
double wg_gemm_sampled_error(const wg_gemm_args *args, int samples, uint64_t seed);
/* The bound a sound float32 matmul stays under in that measure (1e-6 for any k; TF32
 * arithmetic scores about 1e-5, so it is caught). The first five samples are the four
 * corners of c and the first element past its last full 32x32 tile. */
double wg_matmul_fp32_tolerance(int64_t k);

/* ---------------------------------------------------------------- timeit ---------- */

/* The harness every experiment uses, modelled on IPython's %timeit and torch's Timer:
 *  1. one warm-up call (timed, to learn the scale);
 *  2. auto-range: loops per repeat = 10^k, the smallest with a repeat >= min_repeat_s
 *     (one loop when a single call already takes that long);
 *  3. `repeat` repeats of `loops` calls; the device is synchronised before the clock is
 *     read at both ends of each repeat, so asynchronous GPU work is counted in full.
 * Statistics are per loop (one call). */

typedef wg_status (*wg_timeit_fn)(void *context);

/* Called before each phase: phase is "warm-up", "calibrate" or "repeat"; index counts
 * repeats from 1; estimate_s is the expected seconds of this phase (0 if unknown). */
typedef void (*wg_timeit_progress_fn)(void *context, const char *phase, int index, int total,
                                      double estimate_s);

#define WG_TIMEIT_MAX_REPEAT 100

typedef struct wg_timeit_options {
    int repeat;                /* 0: default (7, or fewer when one call takes seconds) */
    int64_t loops;             /* 0: auto-range */
    double min_repeat_s;       /* 0: 0.2 s */
    double long_call_s;        /* 0: 1.0 s; a call this long gets fewer repeats */
    double repeat_budget_s;    /* 0: 30 s; long calls get max(3, budget / call) repeats */
    double spread_warn;        /* 0: 0.5; warn when (worst - best) / median exceeds it */
    wg_timeit_progress_fn progress;
    void *progress_context;
} wg_timeit_options;

typedef struct wg_timeit_result {
    int64_t loops;   /* calls per repeat */
    int repeats;
    double median_s; /* per call */
    double best_s;
    double worst_s;
    double mean_s;
    double stddev_s;
    double warmup_s;   /* the warm-up call, not included in the statistics */
    double spread;     /* (worst - best) / median */
    int spread_warning;
    double per_repeat_s[WG_TIMEIT_MAX_REPEAT]; /* per call, for each repeat */
} wg_timeit_result;

/* Fills options with the defaults (NULL: nothing). */
void wg_timeit_defaults(wg_timeit_options *options);

/* Times fn(context) running on `device`. options may be NULL. A failure of fn stops the
 * timing and is returned as is. */
wg_status wg_timeit(wg_device device, wg_timeit_fn fn, void *context,
                    const wg_timeit_options *options, wg_timeit_result *result);

/* Formats a duration with a fitting unit ("412 ns", "3.21 us", "12.4 ms", "10.3 s").
 * Returns buf; with a NULL buf or size 0 it writes nothing and returns "" (never NULL). */
const char *wg_format_seconds(double seconds, char *buf, size_t size);

/* Formats a size in binary units ("512 bytes", "4 KiB", "381.5 MiB", "1 GiB"); a NULL buf
 * or size 0 as for wg_format_seconds. */
const char *wg_format_bytes(double bytes, char *buf, size_t size);

/* Monotonic wall-clock seconds. */
double wg_now(void);

/* ---------------------------------------------------------------- machine --------- */

typedef struct wg_cpu_info {
    char vendor[16];        /* "GenuineIntel", "AuthenticAMD", ... ("" off x86) */
    char model[128];        /* the brand string, e.g. "AMD EPYC 9B14" */
    int logical_cpus;       /* online logical CPUs */
    int physical_cores;     /* cores (from sysfs topology; = logical_cpus if unknown) */
    int omp_threads;        /* threads the CPU kernels use: wg_cpu_threads() */
    /* SIMD features usable here: cpuid says the CPU has them and the OS saves the registers */
    int sse2, sse4_2, avx, avx2, fma, avx512f, avx512bw, avx512vl, avx512_bf16, amx_tile,
        amx_bf16;
    /* cache sizes in bytes, 0 when unknown (per core for L1/L2, per instance for L3) */
    int64_t l1d_bytes, l2_bytes, l3_bytes;
    int l3_instances;       /* separate L3 caches (sockets or chiplets); 1 if unknown */
    int64_t memory_bytes;   /* physical memory */
} wg_cpu_info;

wg_status wg_cpu_info_get(wg_cpu_info *out);

/* The widest SIMD level usable here: "avx512", "avx2", "sse2" or "generic". */
const char *wg_cpu_simd_level(const wg_cpu_info *info);

/* The instruction set the CPU matmul uses ("avx512", "avx2" or "generic"): the one named by
 * the environment variable WHYGPU_CPU_ISA when set, else the widest this CPU supports. A
 * forced value that is unknown or unsupported here gives WG_ERR_UNSUPPORTED. */
wg_status wg_cpu_matmul_isa(const char **isa);

typedef struct wg_gpu_info {
    int index;
    char name[256];
    int cc_major, cc_minor;          /* compute capability */
    int sm_count;
    int64_t total_memory_bytes;
    int64_t free_memory_bytes;
    int clock_khz;                   /* SM clock */
    int memory_clock_khz;
    int memory_bus_bits;
    int64_t l2_bytes;
    int64_t shared_memory_per_sm_bytes;
    int driver_version;              /* e.g. 13000 for 13.0 */
    int runtime_version;
} wg_gpu_info;

/* Number of CUDA devices; WG_ERR_NO_DEVICE with the reason when there can be none. */
wg_status wg_gpu_count(int *count);
wg_status wg_gpu_info_get(int index, wg_gpu_info *out);

/* One OpenCL device: opencl:N is the N-th device when every platform's devices are listed
 * in platform order. PoCL is an OpenCL driver that runs kernels on this CPU. */
typedef struct wg_opencl_info {
    int index;
    int platform_index;
    char platform_name[128];
    char platform_version[128];
    char name[256];
    char vendor[128];
    char driver_version[128];
    char device_version[128];
    char type[16];                 /* "GPU", "CPU", "accelerator" or "other" */
    int is_cpu;                    /* a CPU driver (PoCL): a CPU pretending to be a GPU */
    int compute_units;
    int clock_mhz;
    int64_t global_memory_bytes;
    int64_t local_memory_bytes;
    int64_t max_work_group_size;
    int fp64;                      /* cl_khr_fp64 */
} wg_opencl_info;

/* Number of OpenCL devices; WG_ERR_NO_DEVICE with the reason when there can be none (built
 * without OpenCL, no driver (ICD) installed, no platform, no device). */
wg_status wg_opencl_device_count(int *count);
wg_status wg_opencl_info_get(int index, wg_opencl_info *out);
/* One line naming opencl:index for tables and reports: the device's name, type and
 * platform, and for a CPU driver such as PoCL the plain warning that it is "a CPU
 * pretending to be a GPU" (its kernels run on this machine's cores). The reason when the
 * device is absent. Returns buf (always NUL-terminated). */
const char *wg_opencl_describe(int index, char *buf, size_t size);

/* Threads the CPU kernels use: WHYGPU_NUM_THREADS when set (a positive integer), else
 * OpenMP's default (OMP_NUM_THREADS, else one per logical CPU). wg_set_cpu_threads changes
 * it for the calling thread's later calls (0: back to the default). */
int wg_cpu_threads(void);
void wg_set_cpu_threads(int threads);
/* WG_ERR_ARGUMENT (naming the value) when WHYGPU_NUM_THREADS is set but is not an integer
 * in 1..4096 ("abc", "0", "-1", ""); such a value is otherwise ignored. */
wg_status wg_cpu_threads_check(void);

/* Bytes of host memory available now (MemAvailable, or less where a cgroup memory limit
 * leaves less: wg_host_memory_probe in whygpu_lab.h), or -1 if unknown. */
int64_t wg_host_memory_available(void);

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_H */
