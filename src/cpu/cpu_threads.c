/*
 * cpu_threads.c - how many OpenMP threads the CPU kernels use (wg_cpu_threads).
 *
 * The default is WHYGPU_NUM_THREADS when it holds a positive integer, else OpenMP's own
 * (OMP_NUM_THREADS, else one per logical CPU), read once. A value that is not a positive
 * integer is ignored here and reported by wg_cpu_threads_check, which the CLI calls first,
 * so that "abc", "0" or "-1" are refused with a message instead of silently ignored.
 * wg_set_cpu_threads overrides the count for the calling thread, like omp_set_num_threads,
 * which it also calls so that every OpenMP loop of the library follows the same setting.
 */
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>

#include "error.h"
#include "whygpu.h"

#define MAX_THREADS 4096

static int default_threads;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static _Thread_local int thread_setting; /* 0: the default */

/* WHYGPU_NUM_THREADS as a count: 1 with *threads set, 0 when unset, -1 when invalid. */
static int env_threads(int *threads)
{
    const char *text = getenv("WHYGPU_NUM_THREADS");
    if (!text) return 0;
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno || value < 1 || value > MAX_THREADS) return -1;
    *threads = (int)value;
    return 1;
}

static void remember_default(void)
{
    default_threads = omp_get_max_threads();
    int threads = 0;
    if (env_threads(&threads) == 1) default_threads = threads;
}

wg_status wg_cpu_threads_check(void)
{
    int threads = 0;
    if (env_threads(&threads) < 0)
        return wg_fail(WG_ERR_ARGUMENT,
                       "WHYGPU_NUM_THREADS='%s' is not a thread count (an integer 1..%d)",
                       getenv("WHYGPU_NUM_THREADS"), MAX_THREADS);
    return WG_OK;
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
