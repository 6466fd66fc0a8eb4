/*
 * measure.cl - the kernels of the OpenCL measurements: McCalpin's STREAM on device memory
 * (float4 accesses), an empty kernel for launch latency, and independent multiply-add
 * chains for the work-group scaling (compute-bound, nothing read from memory).
 */

/* kernel: 0 copy c = a, 1 scale b = q c, 2 add c = a + b, 3 triad a = b + q c; n4 float4s. */
kernel void wg_stream(global float4 *a, global float4 *b, global float4 *c, long n4, float q,
                      int which)
{
    WG_FOR_EACH(i, n4)
    {
        switch (which) {
        case 0: c[i] = a[i]; break;
        case 1: b[i] = q * c[i]; break;
        case 2: c[i] = a[i] + b[i]; break;
        default: a[i] = b[i] + q * c[i]; break;
        }
    }
}

kernel void wg_empty(void) {}

/* 8 independent float4 chains of `steps` multiply-adds each (64 flops a step), written out
 * so the compiler cannot drop them. */
kernel void wg_fma_chains(global float *out, int steps, float x)
{
    float4 v0 = (float4)(x, x + 1.0f, x + 2.0f, x + 3.0f), v1 = v0 + 0.5f, v2 = v0 + 1.5f,
           v3 = v0 + 2.5f, v4 = v0 - 0.5f, v5 = v0 - 1.5f, v6 = v0 - 2.5f, v7 = v0 - 3.5f;
    const float4 m = (float4)(0.999999f), s = (float4)(1e-7f);
    for (int i = 0; i < steps; i++) {
        v0 = mad(v0, m, s); v1 = mad(v1, m, s); v2 = mad(v2, m, s); v3 = mad(v3, m, s);
        v4 = mad(v4, m, s); v5 = mad(v5, m, s); v6 = mad(v6, m, s); v7 = mad(v7, m, s);
    }
    const float4 t = ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7));
    out[get_global_id(0)] = t.x + t.y + t.z + t.w;
}

/* Reads n4 float4s `passes` times (each work-item its chunk, again and again) and writes
 * one sum per work-item, so the reads cannot be dropped: the read bandwidth of a working
 * set of 16 n4 bytes. */
kernel void wg_read_sum(global const float4 *a, long n4, int passes, global float *out)
{
    float4 sum = (float4)(0.0f);
    for (int p = 0; p < passes; p++)
        WG_FOR_EACH(i, n4) sum += a[i];
    out[get_global_id(0)] = sum.x + sum.y + sum.z + sum.w;
}
