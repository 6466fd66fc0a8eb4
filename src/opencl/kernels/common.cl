/*
 * common.cl - what every whygpu OpenCL program starts with: the counter-based random
 * generator of src/rng.h (same values as the CPU and CUDA, bit for bit), and the loop
 * that spreads n elements over the work-items.
 *
 * Built with -DWG_CPU_DEVICE=1 on CPU drivers (PoCL) and -DWG_HAVE_FP64=1 where the device
 * has cl_khr_fp64.
 */
#ifdef WG_HAVE_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

/* SplitMix64 of (seed, index), as wg_rng_bits. */
inline ulong wg_rng_bits(ulong seed, ulong index)
{
    ulong z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

/* A float in [low, high), as wg_rng_uniform: range * u is exact in double, and the sum is
 * rounded once to double and once to float. Without fp64 one fma rounds the exact sum
 * once; the two differ only when the double rounding lands on a float tie (rare). */
inline float wg_rng_uniform(ulong seed, ulong index, float low, float high)
{
    float range = high - low;
#ifdef WG_HAVE_FP64
    double u = (double)(wg_rng_bits(seed, index) >> 40) * (1.0 / 16777216.0);
    float value = (float)((double)low + (double)range * u);
#else
    float u = (float)(wg_rng_bits(seed, index) >> 40) * (1.0f / 16777216.0f);
    float value = fma(range, u, low);
#endif
    return value < high ? value : low;
}

/* for (long i = ...; i < n; ...) over this work-item's share of 0..n-1. GPUs interleave
 * (neighbouring work-items touch neighbouring floats: coalesced); a CPU driver runs each
 * work-item as a loop on one core, so there each takes one contiguous chunk, read
 * sequentially (a multiple of 16 floats, so chunks do not share cache lines). */
#ifdef WG_CPU_DEVICE
#define WG_FOR_EACH(i, n)                                                              \
    for (long wg_chunk_ = (((long)(n) + (long)get_global_size(0) - 1) /                \
                           (long)get_global_size(0) + 15) / 16 * 16,                    \
              wg_end_ = min((long)(n), ((long)get_global_id(0) + 1) * wg_chunk_),       \
              i = (long)get_global_id(0) * wg_chunk_;                                   \
         i < wg_end_; i++)
#else
#define WG_FOR_EACH(i, n) \
    for (long i = (long)get_global_id(0); i < (long)(n); i += (long)get_global_size(0))
#endif
