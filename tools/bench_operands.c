/*
 * bench_operands.c - the operands of one benchmarked product (seeded, never zeros; C
 * poisoned with NaN so an unwritten output shows); wg_gemm_sampled_error checks the result.
 */
#include <math.h>
#include <string.h>

#include "bench_gemm.h"

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
