/*
 * clock.c - the host clock (wg_now): monotonic wall-clock seconds. A unit of its own, below
 * both the backends (the CPU device's timer) and the measurements, so that neither has to
 * reach into the other for it.
 */
#include <time.h>

#include "whygpu.h"

double wg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
