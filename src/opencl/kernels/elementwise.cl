/*
 * elementwise.cl - fill, fill_uniform, mul, add, relu and the fp32 <-> bf16 conversion. Each element is touched once,
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

/* float32 -> bfloat16 with wg_bf16_from_float's integer rounding (src/dtype.c): ties to
 * even, NaN kept with its sign and top payload (quieted), so every device agrees bit for
 * bit. bfloat16 is stored as ushort. */
kernel void wg_to_bf16(global const float *src, ulong src_off, global ushort *dst, ulong dst_off,
                       long n)
{
    src += src_off;
    dst += dst_off;
    WG_FOR_EACH(i, n)
    {
        uint bits = as_uint(src[i]);
        if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu) != 0)
            dst[i] = (ushort)((bits >> 16) | 0x0040u);
        else
            dst[i] = (ushort)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
    }
}

/* bfloat16 -> float32: the 16 bits become the high half (exact). */
kernel void wg_from_bf16(global const ushort *src, ulong src_off, global float *dst,
                         ulong dst_off, long n)
{
    src += src_off;
    dst += dst_off;
    WG_FOR_EACH(i, n) dst[i] = as_float((uint)src[i] << 16);
}
