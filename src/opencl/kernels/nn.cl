/*
 * nn.cl - the network's layer operations on OpenCL (see src/nn/nn_backend.h): bias and
 * activation fused, ReLU backward fused with the bias gradient, softmax cross-entropy
 * with its gradient (per-row losses, then one work-group adds them up in double), the
 * optimisers over every parameter at once, and the mini-batch gather.
 */

kernel void wg_bias_act(global float *y, ulong y_off, global const float *bias, ulong bias_off,
                        long rows, long cols, int relu)
{
    y += y_off;
    bias += bias_off;
    WG_FOR_EACH(i, rows * cols)
    {
        const float v = y[i] + bias[i % cols];
        y[i] = relu ? (v > 0.0f ? v : 0.0f) : v;
    }
}

/* One work-item per column: neighbouring work-items read neighbouring floats of each row,
 * and each sum is made in one fixed order (the same result every run). */
kernel void wg_bias_act_backward(global float *dy, ulong dy_off, global const float *y,
                                 ulong y_off, global float *dbias, ulong dbias_off, long rows,
                                 long cols, int relu)
{
    dy += dy_off;
    y += y_off;
    dbias += dbias_off;
    const long c = get_global_id(0);
    if (c >= cols) return;
    float sum = 0.0f;
    for (long r = 0; r < rows; r++) {
        const long i = r * cols + c;
        float g = dy[i];
        if (relu) {
            g = y[i] > 0.0f ? g : 0.0f;
            dy[i] = g;
        }
        sum += g;
    }
    dbias[c] = sum;
}

/* One work-item per row: the row's loss and hit go to partial[r] and partial[rows + r];
 * dlogits (which may be the logits themselves) is written after the row was read. */
kernel void wg_softmax_xent_rows(global const float *logits, ulong logits_off,
                                 global const uchar *labels, ulong labels_off, long rows,
                                 long classes, float scale, global float *dlogits,
                                 ulong dlogits_off, int with_grad, global float *partial)
{
    const long r = get_global_id(0);
    if (r >= rows) return;
    global const float *z = logits + logits_off + r * classes;
    const int label = labels[labels_off + r];
    int best = 0;
    float max = z[0];
    for (long c = 1; c < classes; c++)
        if (z[c] > max) {
            max = z[c];
            best = (int)c;
        }
    float sum = 0.0f;
    for (long c = 0; c < classes; c++) sum += exp(z[c] - max);
    const float z_label = z[label];
    partial[r] = log(sum) - (z_label - max);
    partial[rows + r] = best == label ? 1.0f : 0.0f;
    if (with_grad) {
        global float *d = dlogits + dlogits_off + r * classes;
        const float inv = scale / sum;
        for (long c = 0; c < classes; c++) {
            const float p = exp(z[c] - max) * inv;
            d[c] = c == label ? p - scale : p;
        }
    }
}

#ifdef WG_HAVE_FP64
/* One work-group of 64: stats[0] += sum of partial[0..rows), stats[1] += sum of
 * partial[rows..2 rows), in double. */
kernel __attribute__((reqd_work_group_size(64, 1, 1))) void wg_stats_add(
    global const float *partial, long rows, global double *stats, ulong stats_off)
{
    local double loss[64], hits[64];
    const int t = get_local_id(0);
    double l = 0.0, h = 0.0;
    for (long r = t; r < rows; r += 64) {
        l += partial[r];
        h += partial[rows + r];
    }
    loss[t] = l;
    hits[t] = h;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (t == 0) {
        double lt = 0.0, ht = 0.0;
        for (int i = 0; i < 64; i++) {
            lt += loss[i];
            ht += hits[i];
        }
        stats[stats_off] += lt;
        stats[stats_off + 1] += ht;
    }
}
#endif

kernel void wg_sgd(global float *w, ulong w_off, global float *v, ulong v_off,
                   global const float *g, ulong g_off, long n, float lr, float momentum)
{
    w += w_off;
    v += v_off;
    g += g_off;
    WG_FOR_EACH(i, n)
    {
        const float vi = momentum * v[i] + g[i];
        v[i] = vi;
        w[i] -= lr * vi;
    }
}

kernel void wg_adam(global float *w, ulong w_off, global float *m, ulong m_off, global float *v,
                    ulong v_off, global const float *g, ulong g_off, long n, float lr_t,
                    float beta1, float beta2, float eps_t)
{
    w += w_off;
    m += m_off;
    v += v_off;
    g += g_off;
    WG_FOR_EACH(i, n)
    {
        const float gi = g[i];
        const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= lr_t * mi / (sqrt(vi) + eps_t);
    }
}

/* x[r, :] = images[order[first + r], :], y[r] = labels[order[first + r]]. */
kernel void wg_gather(global const float *images, ulong images_off, global const uchar *labels,
                      ulong labels_off, global const int *order, ulong order_off, long first,
                      long rows, long features, global float *x, ulong x_off, global uchar *y,
                      ulong y_off)
{
    images += images_off;
    labels += labels_off;
    order += order_off;
    x += x_off;
    y += y_off;
    WG_FOR_EACH(i, rows * features)
    {
        const long r = i / features, f = i - r * features;
        const long src = order[first + r];
        x[i] = images[src * features + f];
        if (f == 0) y[r] = labels[src];
    }
}
