/*
 * cpu_threads.c - how many OpenMP threads the CPU kernels use (wg_set_cpu_threads).
 *
 * The default is OpenMP's own (OMP_NUM_THREADS, else one per logical CPU), remembered the
 * first time either function is called so that 0 can restore it. Like omp_set_num_threads,
 * which it wraps, a setting applies to the calling thread's later parallel regions.
 */
#include <omp.h>
#include <pthread.h>

#include "measure.h"

static int default_threads;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void remember_default(void) { default_threads = omp_get_max_threads(); }

void wg_set_cpu_threads(int threads)
{
    pthread_once(&default_once, remember_default);
    omp_set_num_threads(threads > 0 ? threads : default_threads);
}

int wg_cpu_threads(void)
{
    pthread_once(&default_once, remember_default);
    return omp_get_max_threads();
}
