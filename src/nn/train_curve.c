/*
 * train_curve.c - the batch-size curve's verdict (whygpu_lab.h, wg_train_curve_best):
 * which batch made the GPU fastest and where its lead over the CPU is largest.
 */
#include <math.h>
#include <stddef.h>

#include "whygpu_lab.h"

void wg_train_curve_best(const wg_train_compare_result *results, int count, int *best_rate,
                         int *best_speedup)
{
    int rate = -1, speedup = -1;
    for (int i = 0; results && i < count; i++) {
        const wg_train_compare_result *r = &results[i];
        if (!r->runs[0].ran || !r->runs[1].ran || !isfinite(r->speedup)) continue;
        if (rate < 0 || r->runs[1].images_per_s > results[rate].runs[1].images_per_s) rate = i;
        if (speedup < 0 || r->speedup > results[speedup].speedup) speedup = i;
    }
    if (best_rate) *best_rate = rate;
    if (best_speedup) *best_speedup = speedup;
}
