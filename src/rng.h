/*
 * rng.h - the counter-based random generator shared by every device.
 *
 * Element i of a tensor seeded with s is a pure function of (s, i): a SplitMix64 output,
 * cut to 24 bits for a float in [0, 1) and scaled with operations whose rounding is the
 * same in C and in CUDA. So the same seed gives bit-identical tensors on the CPU and the
 * GPU, for any thread count or launch shape, and filling parallelises trivially.
 */
#ifndef WG_RNG_H
#define WG_RNG_H

#include <stdint.h>

#ifdef __CUDACC__
#define WG_HOST_DEVICE __host__ __device__
#else
#define WG_HOST_DEVICE
#endif

static inline WG_HOST_DEVICE uint64_t wg_rng_bits(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A float in [low, high). range * u is exact in double (24-bit times 24-bit mantissas), so
 * contracting the add into an FMA, as nvcc may, cannot change the result. */
static inline WG_HOST_DEVICE float wg_rng_uniform(uint64_t seed, uint64_t index, float low,
                                                  float high)
{
    float range = high - low;
    double u = (double)(wg_rng_bits(seed, index) >> 40) * (1.0 / 16777216.0);
    float value = (float)((double)low + (double)range * u);
    return value < high ? value : low; /* rounding can reach `high`; keep the interval open */
}

#endif /* WG_RNG_H */
