/*
 * cache_cpu.c - the working-set sweep that shows the CPU's caches: the read bandwidth of a
 * buffer read again and again (wg_cpu_read_bandwidth), and the sizes where that bandwidth
 * falls off a plateau (wg_find_cache_edges).
 *
 * A buffer that fits in L1 is read at the rate of the load ports (two vector loads per
 * cycle on recent cores); once it outgrows L1 every line must come from L2, then L3, then
 * DRAM, and the rate drops to what each of those can deliver: a staircase, one step per
 * cache level. How tall each step is depends on the core: on AMD Zen 4 (one thread) L1 gives
 * about 64 bytes a cycle, but L2 and L3 both reach the core through 32-byte paths, so the
 * L2 -> L3 step is small (about 0.8) while L1 -> L2 (0.5) and L3 -> DRAM (0.3) are tall.
 */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "../cpu/cpu_backend.h"
#include "../error.h"
#include "simd_kernels.h"

#define READ_TRIALS 3
/* The buffer read is `bytes` rounded down to a multiple of 1 KiB (256 floats), and so is
 * each thread's slice: the sum's main loop (16 vectors of up to 16 floats) then covers all
 * of it, with no slower leftover loop in the measurement. */
#define SHARE_ALIGN ((int64_t)256)

/* One timed read: every thread sums its own slice `passes` times. Seconds for all. */
static double timed_read(const wg_measure_simd *simd, const float *x, int64_t n, int team,
                         int64_t passes, volatile float *sink)
{
    double t0 = wg_now();
#pragma omp parallel num_threads(team)
    {
        int me = omp_get_thread_num(), size = omp_get_num_threads();
        int64_t per = ((n + size - 1) / size + SHARE_ALIGN - 1) / SHARE_ALIGN * SHARE_ALIGN;
        int64_t lo = per * me < n ? per * me : n;
        int64_t hi = lo + per < n ? lo + per : n;
        float sum = simd->sum(x + lo, hi - lo, passes);
#pragma omp critical(wg_read_sink)
        *sink += sum; /* used, so no thread's reads can be optimised away */
    }
    return wg_now() - t0;
}

wg_status wg_cpu_read_bandwidth(int64_t bytes, int threads, double min_seconds, double *gbs)
{
    if (!gbs) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_read_bandwidth: gbs is NULL");
    if (bytes < 4096)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_read_bandwidth: bytes %" PRId64 " < 4096",
                       bytes);
    if (threads < 0)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_read_bandwidth: threads %d < 0 (0 means one)",
                       threads);
    if (!(min_seconds >= 0.0) || !isfinite(min_seconds))
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_read_bandwidth: min_seconds %g is not a "
                       "finite number >= 0", min_seconds);
    if ((uint64_t)bytes > SIZE_MAX)
        return wg_fail(WG_ERR_NO_MEMORY, "wg_cpu_read_bandwidth: %" PRId64 " bytes do not fit "
                       "in this address space", bytes);
    const wg_measure_simd *simd;
    wg_status st = wg_measure_simd_pick(NULL, &simd);
    if (st != WG_OK) return st;

    const int64_t n = bytes / (int64_t)sizeof(float) / SHARE_ALIGN * SHARE_ALIGN;
    float *x;
    st = wg_cpu_alloc(0, (size_t)n * sizeof(float), (void **)&x);
    if (st != WG_OK) return wg_fail_context(st, "wg_cpu_read_bandwidth: ");
    const int team = threads > 0 ? threads : 1;

    /* First touch by the thread that will read each slice (the same split as timed_read). */
#pragma omp parallel num_threads(team)
    {
        int me = omp_get_thread_num(), size = omp_get_num_threads();
        int64_t per = ((n + size - 1) / size + SHARE_ALIGN - 1) / SHARE_ALIGN * SHARE_ALIGN;
        int64_t lo = per * me < n ? per * me : n;
        int64_t hi = lo + per < n ? lo + per : n;
        for (int64_t i = lo; i < hi; i++) x[i] = (float)(i & 7) * 0.125f;
    }

    /* Calibrate (this also warms the caches): passes per trial so a trial lasts at least
     * min_seconds. */
    volatile float sink = 0.0f;
    int64_t passes = 1;
    double t = timed_read(simd, x, n, team, passes, &sink);
    while (t < min_seconds && passes < ((int64_t)1 << 40)) {
        double grow = t > 0 ? 1.2 * min_seconds / t : 1000.0;
        if (grow < 2.0) grow = 2.0;
        if (grow > 1000.0) grow = 1000.0;
        passes = (int64_t)((double)passes * grow);
        t = timed_read(simd, x, n, team, passes, &sink);
    }
    double best = t;
    for (int trial = 0; trial < READ_TRIALS; trial++) {
        t = timed_read(simd, x, n, team, passes, &sink);
        if (t < best) best = t;
    }
    wg_cpu_release(0, x);
    *gbs = (double)n * sizeof(float) * (double)passes / best / 1e9;
    return WG_OK;
}

/* ---------------------------------------------------------------- cache edges ----- */

/*
 * wg_find_cache_edges: a staircase read off a noisy curve.
 *
 *  1. Smooth: each point takes the median of itself and its two neighbours, so one point
 *     disturbed by the machine (an interrupt, a neighbour's job) can neither make an edge
 *     nor hide one. At the two ends, where there is one neighbour only, the end point takes
 *     the value that makes no step (the larger at the right end, the smaller at the left).
 *  2. Split the smoothed curve, in log scale, into plateaus by least squares: for each
 *     number of plateaus k, dynamic programming finds the split into k runs of points that
 *     leaves the smallest squared distance of each point to its run's mean.
 *  3. Keep the largest k whose split is a staircase: every run has at least three points
 *     (two odd points make no plateau) and sits at most `drop` times the level of the run
 *     before it. (A walk that compares
 *     each point with the plateau so far merges a gradual step, such as L2 to L3 on a CPU
 *     whose TLB misses start inside L2, into the next one; the global split does not.)
 *  4. Each edge is placed in the middle of its step, in the log scale the curve is plotted
 *     in: the last point of the two runs whose value is still at or above the geometric
 *     mean of their levels. For a sharp step that is the last point of the plateau before.
 */
#define EDGE_MAX_POINTS 256
#define EDGE_MAX_RUNS 9
#define EDGE_MIN_RUN 3

static double median3(double a, double b, double c)
{
    if (a > b) { double t = a; a = b; b = t; }
    if (b > c) { double t = b; b = c; c = t; }
    return a > b ? a : b;
}

int wg_find_cache_edges(const int64_t *sizes, const double *gbs, int count, double drop,
                        int64_t *edges, int max_edges)
{
    if (!sizes || !gbs || !edges || count < 3 || count > EDGE_MAX_POINTS || max_edges < 1 ||
        !(drop > 0.0 && drop < 1.0))
        return 0;
    for (int i = 0; i < count; i++) {
        if (!(gbs[i] > 0.0) || !isfinite(gbs[i])) return 0;
        if (i > 0 && sizes[i] <= sizes[i - 1]) return 0;
    }
    double x[EDGE_MAX_POINTS], sum[EDGE_MAX_POINTS + 1], squares[EDGE_MAX_POINTS + 1];
    x[0] = log(fmin(gbs[0], gbs[1]));
    for (int i = 1; i < count - 1; i++) x[i] = log(median3(gbs[i - 1], gbs[i], gbs[i + 1]));
    x[count - 1] = log(fmax(gbs[count - 2], gbs[count - 1]));
    sum[0] = squares[0] = 0.0;
    for (int i = 0; i < count; i++) {
        sum[i + 1] = sum[i] + x[i];
        squares[i + 1] = squares[i] + x[i] * x[i];
    }
    /* cost[k][j]: the best split of the first j points into k runs; cut[k][j]: where its
     * last run starts. */
    static double cost[EDGE_MAX_RUNS + 1][EDGE_MAX_POINTS + 1];
    static int cut[EDGE_MAX_RUNS + 1][EDGE_MAX_POINTS + 1];
    const double infinite = 1e300;
    /* The split does not depend on max_edges: that only caps how many edges are written
     * (the first ones). */
    int max_runs = EDGE_MAX_RUNS;
    if (max_runs > count / EDGE_MIN_RUN) max_runs = count / EDGE_MIN_RUN;
    for (int k = 0; k <= max_runs; k++)
        for (int j = 0; j <= count; j++) cost[k][j] = infinite;
    cost[0][0] = 0.0;
    for (int k = 1; k <= max_runs; k++)
        for (int j = EDGE_MIN_RUN * k; j <= count; j++)
            for (int i = EDGE_MIN_RUN * (k - 1); i <= j - EDGE_MIN_RUN; i++) {
                if (cost[k - 1][i] >= infinite) continue;
                double mean = (sum[j] - sum[i]) / (j - i);
                double c = cost[k - 1][i] + (squares[j] - squares[i]) - mean * mean * (j - i);
                if (c < cost[k][j]) {
                    cost[k][j] = c;
                    cut[k][j] = i;
                }
            }

    const double step = log(drop); /* each run at least this much lower, in log scale */
    for (int k = max_runs; k >= 2; k--) {
        if (cost[k][count] >= infinite) continue;
        int starts[EDGE_MAX_RUNS + 1];
        double level[EDGE_MAX_RUNS];
        starts[k] = count;
        for (int r = k, j = count; r >= 1; r--) {
            starts[r - 1] = cut[r][j];
            j = cut[r][j];
        }
        for (int r = 0; r < k; r++)
            level[r] = (sum[starts[r + 1]] - sum[starts[r]]) / (starts[r + 1] - starts[r]);
        int staircase = 1;
        for (int r = 1; r < k; r++) staircase &= level[r] <= level[r - 1] + step;
        if (!staircase) continue;
        int found = 0;
        for (int r = 1; r < k && found < max_edges; r++) {
            double middle = 0.5 * (level[r - 1] + level[r]);
            int edge = starts[r] - 1;
            for (int i = starts[r - 1]; i < starts[r + 1]; i++)
                if (x[i] >= middle) edge = i;
            edges[found++] = sizes[edge];
        }
        return found;
    }
    return 0;
}
