/*
 * elementwise.cl - fill, fill_uniform, mul, add and relu. Each element is touched once,
 * so these are bound by memory bandwidth; buffers are passed with an element offset
 * (device pointers are (buffer, offset) pairs here, see opencl_internal.h).
 */

kernel void wg_fill(global float *dst, ulong dst_off, long n, float value)
{
    dst += dst_off;
    WG_FOR_EACH(i, n) dst[i] = value;
}

kernel void wg_fill_uniform(global float *dst, ulong dst_off, long n, float low, float high,
                            ulong seed)
{
    dst += dst_off;
    WG_FOR_EACH(i, n) dst[i] = wg_rng_uniform(seed, (ulong)i, low, high);
}

/* out may alias a or b: each element is read and then written by one work-item. */
kernel void wg_mul(global const float *a, ulong a_off, global const float *b, ulong b_off,
                   global float *out, ulong out_off, long n)
{
    a += a_off;
    b += b_off;
    out += out_off;
    WG_FOR_EACH(i, n) out[i] = a[i] * b[i];
}

kernel void wg_add(global const float *a, ulong a_off, global const float *b, ulong b_off,
                   global float *out, ulong out_off, long n)
{
    a += a_off;
    b += b_off;
    out += out_off;
    WG_FOR_EACH(i, n) out[i] = a[i] + b[i];
}

/* max(x, 0) that lets NaN through (x <= 0 is false for NaN), like the CPU's. */
kernel void wg_relu(global const float *x, ulong x_off, global float *out, ulong out_off, long n)
{
    x += x_off;
    out += out_off;
    WG_FOR_EACH(i, n)
    {
        float v = x[i];
        out[i] = v <= 0.0f ? 0.0f : v;
    }
}
