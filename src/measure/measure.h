/*
 * measure.h - the measurements behind `whygpu explain`, now declared in the "measurement"
 * section of include/whygpu_lab.h; this header stays for the library's own files.
 */
#ifndef WG_MEASURE_H
#define WG_MEASURE_H

#include <stdint.h>

#include "whygpu_lab.h"

/* The rate of a register-only loop on `threads` threads (0: all): each thread calls
 * loop(batch, context) until min_seconds have passed; flops_per_iteration per unit of its
 * `iterations`; the sum over threads, best of three trials after a warm-up. `who` names the
 * caller in error messages. The loop returns a value the caller's result depends on. Shared
 * by the FMA peak (fma_peak.c) and the bf16 peaks (bf16_peak.c). */
wg_status wg_measure_peak_rate(const char *who, int threads, double min_seconds,
                               double flops_per_iteration,
                               float (*loop)(int64_t iterations, void *context), void *context,
                               double *gflops);

#endif /* WG_MEASURE_H */
