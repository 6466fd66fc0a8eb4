/*
 * bench_operands.c - the operands of one benchmarked product (seeded, never zeros; C
 * poisoned with NaN so an unwritten output shows) and the float64 spot check of its result.
 */
#include <math.h>
#include <string.h>

#include "bench_gemm.h"
#include "../src/rng.h"

wg_status bench_operands_make(const bench_shape *s, uint64_t seed, bench_operands *out)
{
    memset(out, 0, sizeof *out);
    const int64_t a_shape[2] = {s->trans_a ? s->k : s->m, s->trans_a ? s->m : s->k};
    const int64_t b_shape[2] = {s->trans_b ? s->n : s->k, s->trans_b ? s->k : s->n};
    const int64_t c_shape[2] = {s->m, s->n};
    wg_status status = wg_tensor_rand(2, a_shape, -1.0f, 1.0f, seed, wg_cpu(), &out->a);
    if (status == WG_OK)
        status = wg_tensor_rand(2, b_shape, -1.0f, 1.0f, seed + 1, wg_cpu(), &out->b);
    if (status == WG_OK) status = wg_tensor_full(2, c_shape, NAN, wg_cpu(), &out->c);
    if (status != WG_OK) {
        bench_operands_free(out);
        return status;
    }
    out->args = (wg_gemm_args){.trans_a = s->trans_a, .trans_b = s->trans_b, .m = s->m,
                               .n = s->n, .k = s->k, .alpha = 1.0f, .beta = 0.0f,
                               .a = wg_tensor_host_data(out->a), .lda = a_shape[1],
                               .b = wg_tensor_host_data(out->b), .ldb = b_shape[1],
                               .c = wg_tensor_host_data(out->c), .ldc = s->n};
    return WG_OK;
}

void bench_operands_free(bench_operands *o)
{
    wg_tensor_free(o->a);
    wg_tensor_free(o->b);
    wg_tensor_free(o->c);
    memset(o, 0, sizeof *o);
}

double bench_sampled_error(const wg_gemm_args *g, int samples, uint64_t seed)
{
    double worst = 0.0;
    for (int s = 0; s < samples; s++) {
        /* the four corners first, then seeded positions */
        int64_t i = s == 0 || s == 1 ? 0 : g->m - 1, j = s % 2 ? g->n - 1 : 0;
        if (s >= 4) {
            i = (int64_t)(wg_rng_bits(seed, (uint64_t)(2 * s)) % (uint64_t)g->m);
            j = (int64_t)(wg_rng_bits(seed, (uint64_t)(2 * s + 1)) % (uint64_t)g->n);
        }
        double sum = 0.0, scale = 0.0;
        for (int64_t p = 0; p < g->k; p++) {
            const double a = g->trans_a ? g->a[p * g->lda + i] : g->a[i * g->lda + p];
            const double b = g->trans_b ? g->b[j * g->ldb + p] : g->b[p * g->ldb + j];
            sum += a * b;
            scale += fabs(a * b);
        }
        const double got = g->c[i * g->ldc + j];
        const double error = fabs(got - g->alpha * sum) / (scale > 0 ? scale : 1.0);
        if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
    }
    return worst;
}
