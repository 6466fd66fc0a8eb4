/*
 * cuda_elementwise.cu - the elementwise CUDA kernels: fill, fill_uniform (the shared
 * counter-based generator of src/rng.h, so the GPU gives the CPU's values bit for bit)
 * and mul, add and relu, and the fp32 <-> bf16 conversion.
 *
 * All are grid-stride loops with 64-bit indices over a grid capped at 32 blocks per SM, so
 * any n (up to 2^63) is covered by a modest launch. They are memory-bound: each element is
 * touched once, so speed is bandwidth, and fill and mul use 16-byte (float4) accesses
 * when the pointers allow it. Launches are checked but not waited for.
 */
#include <inttypes.h>
#include <stdint.h>

#include "../rng.h"
#include "cuda_backend.h"
#include "cuda_check.h"

#define WG_ELEMENTWISE_THREADS 256
#define WG_BLOCKS_PER_SM 32

/* ---------------------------------------------------------------- kernels --------- */

/* dst[i] = value, one float per step. */
static __global__ void fill_kernel(float *dst, int64_t n, float value)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = value;
}

/* dst[i] = value with 16-byte stores; dst must be 16-byte aligned. The last n % 4
 * elements are written one by one. */
static __global__ void fill_vec4_kernel(float *dst, int64_t n, float value)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 v = make_float4(value, value, value, value);
    float4 *dst4 = reinterpret_cast<float4 *>(dst);
    for (int64_t i = start; i < n4; i += stride) dst4[i] = v;
    for (int64_t i = 4 * n4 + start; i < n; i += stride) dst[i] = value;
}

/* dst[i] = wg_rng_uniform(seed, i, low, high): a pure function of (seed, i), so the launch
 * shape cannot change the values. */
static __global__ void fill_uniform_kernel(float *dst, int64_t n, float low, float high,
                                           uint64_t seed)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = wg_rng_uniform(seed, (uint64_t)i, low, high);
}

/* The two-operand ops, chosen at compile time so each kernel is as plain as a hand-written
 * one. */
enum binary_op { OP_MUL, OP_ADD };

template <int Op> static __device__ __forceinline__ float combine(float x, float y)
{
    return Op == OP_MUL ? x * y : x + y;
}

/* out[i] = a[i] op b[i]. out may alias a or b: each element is read and written by the
 * same thread, so no __restrict__ and no read-only (__ldg) loads. */
template <int Op>
static __global__ void binary_kernel(const float *a, const float *b, float *out, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = combine<Op>(a[i], b[i]);
}

/* The same with 16-byte loads and stores; a, b and out must be 16-byte aligned. */
template <int Op>
static __global__ void binary_vec4_kernel(const float *a, const float *b, float *out, int64_t n)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 *a4 = reinterpret_cast<const float4 *>(a);
    const float4 *b4 = reinterpret_cast<const float4 *>(b);
    float4 *out4 = reinterpret_cast<float4 *>(out);
    for (int64_t i = start; i < n4; i += stride) {
        const float4 x = a4[i];
        const float4 y = b4[i];
        out4[i] = make_float4(combine<Op>(x.x, y.x), combine<Op>(x.y, y.y),
                              combine<Op>(x.z, y.z), combine<Op>(x.w, y.w));
    }
    for (int64_t i = 4 * n4 + start; i < n; i += stride) out[i] = combine<Op>(a[i], b[i]);
}

/* max(x, 0) that lets NaN through (x <= 0 is false for NaN), like the CPU's. */
static __device__ __forceinline__ float relu1(float x) { return x <= 0.0f ? 0.0f : x; }

/* out[i] = relu(x[i]); out may alias x. */
static __global__ void relu_kernel(const float *x, float *out, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = relu1(x[i]);
}

/* The same with 16-byte loads and stores; x and out must be 16-byte aligned. */
static __global__ void relu_vec4_kernel(const float *x, float *out, int64_t n)
{
    const int64_t start = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t n4 = n / 4;
    const float4 *x4 = reinterpret_cast<const float4 *>(x);
    float4 *out4 = reinterpret_cast<float4 *>(out);
    for (int64_t i = start; i < n4; i += stride) {
        const float4 v = x4[i];
        out4[i] = make_float4(relu1(v.x), relu1(v.y), relu1(v.z), relu1(v.w));
    }
    for (int64_t i = 4 * n4 + start; i < n; i += stride) out[i] = relu1(x[i]);
}

/* float32 -> bfloat16 with wg_bf16_from_float's integer rounding (ties to even, NaN kept
 * with its sign and top payload, quieted), so every device rounds bit for bit alike;
 * __float2bfloat16_rn would turn every NaN into one canonical NaN. */
static __device__ __forceinline__ uint16_t bf16_round(float x)
{
    const uint32_t bits = __float_as_uint(x);
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0)
        return (uint16_t)((bits >> 16) | 0x0040u);
    return (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

static __global__ void to_bf16_kernel(const float *src, uint16_t *dst, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = bf16_round(src[i]);
}

/* bfloat16 -> float32: the 16 bits become the high half (exact). */
static __global__ void from_bf16_kernel(const uint16_t *src, float *dst, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = __uint_as_float((uint32_t)src[i] << 16);
}

/* ---------------------------------------------------------------- launching ------- */

/* A grid for `items` work items (>= 1) of a grid-stride kernel: 256 threads a block (one
 * to eight warps when there are fewer items), at most 32 blocks per SM. */
static wg_status launch_shape(int index, int64_t items, unsigned *blocks, unsigned *threads)
{
    int sms = 0;
    WG_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, index),
                "reading the SM count of cuda:%d (cudaDeviceGetAttribute)", index);
    if (sms < 1) sms = 1;
    const int64_t per_block = items < WG_ELEMENTWISE_THREADS
                                  ? (items + 31) / 32 * 32
                                  : WG_ELEMENTWISE_THREADS;
    const int64_t wanted = items / per_block + (items % per_block != 0);
    const int64_t cap = (int64_t)sms * WG_BLOCKS_PER_SM;
    *blocks = (unsigned)(wanted < cap ? wanted : cap);
    *threads = (unsigned)per_block;
    return WG_OK;
}

static int aligned16(const void *p) { return ((uintptr_t)p & 15u) == 0; }

/* Checks n and makes the device current; *skip is set when there is nothing to do. */
static wg_status prepare(int index, const char *op, int64_t n, int *skip)
{
    *skip = 0;
    if (n < 0) return wg_fail(WG_ERR_ARGUMENT, "cuda:%d %s: negative size %" PRId64, index, op, n);
    if (n == 0) {
        *skip = 1;
        return WG_OK;
    }
    return wg_cuda_use(index);
}

/* ---------------------------------------------------------------- entries --------- */

wg_status wg_cuda_fill(int index, float *dst, int64_t n, float value)
{
    int skip = 0;
    wg_status status = prepare(index, "fill", n, &skip);
    if (status != WG_OK || skip) return status;
    if (!dst) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_fill: NULL pointer");

    const int vec = aligned16(dst) && n >= 4;
    unsigned blocks = 0, threads = 0;
    status = launch_shape(index, vec ? n / 4 : n, &blocks, &threads);
    if (status != WG_OK) return status;
    if (vec)
        fill_vec4_kernel<<<blocks, threads>>>(dst, n, value);
    else
        fill_kernel<<<blocks, threads>>>(dst, n, value);
    WG_CUDA_LAUNCH_CHECK("launching the fill kernel on cuda:%d (%" PRId64
                         " elements, %u blocks of %u threads)",
                         index, n, blocks, threads);
    return WG_OK;
}

wg_status wg_cuda_fill_uniform(int index, float *dst, int64_t n, float low, float high,
                               uint64_t seed)
{
    int skip = 0;
    wg_status status = prepare(index, "fill_uniform", n, &skip);
    if (status != WG_OK || skip) return status;
    if (!dst) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_fill_uniform: NULL pointer");

    unsigned blocks = 0, threads = 0;
    status = launch_shape(index, n, &blocks, &threads);
    if (status != WG_OK) return status;
    fill_uniform_kernel<<<blocks, threads>>>(dst, n, low, high, seed);
    WG_CUDA_LAUNCH_CHECK("launching the uniform fill kernel on cuda:%d (%" PRId64
                         " elements, %u blocks of %u threads)",
                         index, n, blocks, threads);
    return WG_OK;
}

/* Launches the two-operand op `Op` (`name` for the messages). */
template <int Op>
static wg_status launch_binary(int index, const char *name, const float *a, const float *b,
                               float *out, int64_t n)
{
    int skip = 0;
    wg_status status = prepare(index, name, n, &skip);
    if (status != WG_OK || skip) return status;
    if (!a || !b || !out) return wg_fail(WG_ERR_ARGUMENT, "cuda %s: NULL pointer", name);

    const int vec = aligned16(a) && aligned16(b) && aligned16(out) && n >= 4;
    unsigned blocks = 0, threads = 0;
    status = launch_shape(index, vec ? n / 4 : n, &blocks, &threads);
    if (status != WG_OK) return status;
    if (vec)
        binary_vec4_kernel<Op><<<blocks, threads>>>(a, b, out, n);
    else
        binary_kernel<Op><<<blocks, threads>>>(a, b, out, n);
    WG_CUDA_LAUNCH_CHECK("launching the %s kernel on cuda:%d (%" PRId64
                         " elements, %u blocks of %u threads)",
                         name, index, n, blocks, threads);
    return WG_OK;
}

wg_status wg_cuda_mul(int index, const float *a, const float *b, float *out, int64_t n)
{
    return launch_binary<OP_MUL>(index, "mul", a, b, out, n);
}

wg_status wg_cuda_add(int index, const float *a, const float *b, float *out, int64_t n)
{
    return launch_binary<OP_ADD>(index, "add", a, b, out, n);
}

wg_status wg_cuda_relu(int index, const float *x, float *out, int64_t n)
{
    int skip = 0;
    wg_status status = prepare(index, "relu", n, &skip);
    if (status != WG_OK || skip) return status;
    if (!x || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_relu: NULL pointer");

    const int vec = aligned16(x) && aligned16(out) && n >= 4;
    unsigned blocks = 0, threads = 0;
    status = launch_shape(index, vec ? n / 4 : n, &blocks, &threads);
    if (status != WG_OK) return status;
    if (vec)
        relu_vec4_kernel<<<blocks, threads>>>(x, out, n);
    else
        relu_kernel<<<blocks, threads>>>(x, out, n);
    WG_CUDA_LAUNCH_CHECK("launching the relu kernel on cuda:%d (%" PRId64
                         " elements, %u blocks of %u threads)",
                         index, n, blocks, threads);
    return WG_OK;
}

wg_status wg_cuda_convert(int index, const void *src, wg_dtype from, void *dst, wg_dtype to,
                          int64_t n)
{
    int skip = 0;
    wg_status status = prepare(index, "convert", n, &skip);
    if (status != WG_OK || skip) return status;
    if (!src || !dst) return wg_fail(WG_ERR_ARGUMENT, "wg_cuda_convert: NULL pointer");
    const int narrow = from == WG_DTYPE_FP32 && to == WG_DTYPE_BF16;
    if (!narrow && !(from == WG_DTYPE_BF16 && to == WG_DTYPE_FP32))
        return wg_fail(WG_ERR_ARGUMENT, "cuda:%d convert: no conversion from %s to %s", index,
                       wg_dtype_name(from), wg_dtype_name(to));
    unsigned blocks = 0, threads = 0;
    status = launch_shape(index, n, &blocks, &threads);
    if (status != WG_OK) return status;
    if (narrow)
        to_bf16_kernel<<<blocks, threads>>>(static_cast<const float *>(src),
                                            static_cast<uint16_t *>(dst), n);
    else
        from_bf16_kernel<<<blocks, threads>>>(static_cast<const uint16_t *>(src),
                                              static_cast<float *>(dst), n);
    WG_CUDA_LAUNCH_CHECK("launching the %s -> %s conversion on cuda:%d (%" PRId64
                         " elements, %u blocks of %u threads)",
                         wg_dtype_name(from), wg_dtype_name(to), index, n, blocks, threads);
    return WG_OK;
}
