/*
 * bench_median.c - the median of a benchmarked product's per-round times: `bench gemm`
 * reports each figure as the median of its rounds, so that a busy spell of a shared
 * machine, which touches a round or two, does not move it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_gemm.h"

static int compare_doubles(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

double bench_median(const double *values, int count)
{
    if (count < 1 || count > BENCH_MAX_ROUNDS) return NAN;
    double sorted[BENCH_MAX_ROUNDS];
    memcpy(sorted, values, (size_t)count * sizeof *sorted);
    qsort(sorted, (size_t)count, sizeof *sorted, compare_doubles);
    return count % 2 ? sorted[count / 2] : 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]);
}
