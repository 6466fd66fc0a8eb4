/*
 * cpu_threads.c - how many OpenMP threads the CPU kernels use (wg_cpu_threads).
 *
 * The default is WHYGPU_NUM_THREADS when it holds a positive integer, else OpenMP's own
 * (OMP_NUM_THREADS, else one per logical CPU), read once. wg_set_cpu_threads overrides it
 * for the calling thread, like omp_set_num_threads, which it also calls so that every
 * OpenMP loop of the library follows the same setting.
 */
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>

#include "whygpu.h"

static int default_threads;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static _Thread_local int thread_setting; /* 0: the default */

static void remember_default(void)
{
    default_threads = omp_get_max_threads();
    const char *text = getenv("WHYGPU_NUM_THREADS");
    if (text && *text) {
        char *end = NULL;
        long value = strtol(text, &end, 10);
        if (*end == '\0' && value >= 1 && value <= 4096) default_threads = (int)value;
    }
}

void wg_set_cpu_threads(int threads)
{
    pthread_once(&default_once, remember_default);
    thread_setting = threads > 0 ? threads : 0;
    omp_set_num_threads(threads > 0 ? threads : default_threads);
}

int wg_cpu_threads(void)
{
    pthread_once(&default_once, remember_default);
    return thread_setting > 0 ? thread_setting : default_threads;
}
