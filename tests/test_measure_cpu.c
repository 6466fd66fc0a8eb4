/*
 * test_measure_cpu.c - the CPU measurements behind `whygpu explain`: STREAM's arithmetic
 * and validation, the cache-edge finder on synthetic and recorded curves, the read
 * bandwidth and FMA peak (sane numbers, never speeds), argument errors, and the thread
 * setting. Timings are not asserted: the machine decides those.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "measure/measure.h"

/* ---------------------------------------------------------------- STREAM ---------- */

TEST(stream_kernel_tables)
{
    static const char *const names[] = {"copy", "scale", "add", "triad"};
    static const int arrays[] = {2, 2, 3, 3};
    static const int flops[] = {0, 1, 1, 2};
    for (int k = 0; k < WG_STREAM_KERNEL_COUNT; k++) {
        CHECK_MSG(strcmp(wg_stream_kernel_name((wg_stream_kernel)k), names[k]) == 0,
                  "kernel %d is named '%s'", k, wg_stream_kernel_name((wg_stream_kernel)k));
        CHECK(wg_stream_arrays((wg_stream_kernel)k) == arrays[k]);
        CHECK(wg_stream_flops((wg_stream_kernel)k) == flops[k]);
    }
    CHECK(strcmp(wg_stream_kernel_name(WG_STREAM_KERNEL_COUNT), "unknown") == 0);
    CHECK(strcmp(wg_stream_kernel_name((wg_stream_kernel)-1), "unknown") == 0);
    CHECK(wg_stream_arrays(WG_STREAM_KERNEL_COUNT) == 0);
    CHECK(wg_stream_flops((wg_stream_kernel)-1) == 0);
}

static void check_stream(wg_stream_kernel kernel, int64_t elements, int threads, int trials)
{
    wg_stream_result r;
    memset(&r, 0xff, sizeof r);
    REQUIRE_OK(wg_cpu_stream(kernel, elements, threads, trials, &r));
    int expect_threads = threads > 0 ? threads : wg_cpu_threads();
    CHECK_MSG(r.valid == 1, "%s, %lld elements, %d threads: max relative error %g",
              wg_stream_kernel_name(kernel), (long long)elements, threads, r.max_rel_error);
    CHECK(r.max_rel_error == 0.0); /* STREAM's values are exact in float32 */
    CHECK(r.kernel == kernel);
    CHECK(r.elements == elements);
    CHECK_MSG(r.threads == expect_threads, "threads %d, expected %d", r.threads,
              expect_threads);
    CHECK(r.blocks == 0);
    CHECK(r.trials == trials);
    CHECK(r.bytes == (double)wg_stream_arrays(kernel) * (double)elements * 4.0);
    CHECK(r.best_s > 0.0 && r.best_s <= r.median_s);
    CHECK(isfinite(r.median_s));
    CHECK_MSG(r.best_gbs > 0.0 && isfinite(r.best_gbs), "best_gbs %g", r.best_gbs);
    CHECK(fabs(r.best_gbs - r.bytes / r.best_s / 1e9) <= 1e-9 * r.best_gbs);
}

TEST(stream_every_kernel_validates_on_one_and_all_threads)
{
    for (int k = 0; k < WG_STREAM_KERNEL_COUNT; k++) {
        /* an odd count: thread shares and vector loops both end in a remainder */
        check_stream((wg_stream_kernel)k, 100003, 1, 3);
        check_stream((wg_stream_kernel)k, 100003, 0, 4);
    }
}

TEST(stream_tiny_arrays_and_more_threads_than_elements)
{
    check_stream(WG_STREAM_TRIAD, 1, 1, 1);
    check_stream(WG_STREAM_ADD, 1, 3, 2);   /* threads with nothing to do */
    check_stream(WG_STREAM_COPY, 17, 2, 5); /* one vector and a bit */
}

TEST(stream_rejects_bad_arguments)
{
    wg_stream_result r;
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_COPY, 0, 1, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_COPY, -5, 1, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_COPY, 16, 1, 0, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_COPY, 16, -1, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_KERNEL_COUNT, 16, 1, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream((wg_stream_kernel)-1, 16, 1, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_COPY, 16, 1, 1, NULL), WG_ERR_ARGUMENT);
    /* 3 arrays of 2^50 floats: 12 PiB, more than any host has */
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_TRIAD, (int64_t)1 << 50, 1, 1, &r), WG_ERR_NO_MEMORY);
    CHECK_MSG(strstr(wg_error_message(), "bytes") != NULL, "message: %s", wg_error_message());
    /* bytes that do not fit in 64 bits */
    CHECK_STATUS(wg_cpu_stream(WG_STREAM_TRIAD, INT64_MAX, 1, 1, &r), WG_ERR_OVERFLOW);
}

/* ---------------------------------------------------------------- cache edges ----- */

/* sizes 4 KiB, 8 KiB, ... */
static void doubling_sizes(int64_t *sizes, int count)
{
    for (int i = 0; i < count; i++) sizes[i] = (int64_t)4096 << i;
}

TEST(cache_edges_flat_curve_has_none)
{
    int64_t sizes[12], edges[4];
    double gbs[12];
    doubling_sizes(sizes, 12);
    for (int i = 0; i < 12; i++) gbs[i] = 100.0;
    CHECK(wg_find_cache_edges(sizes, gbs, 12, 0.7, edges, 4) == 0);
    /* noise of +-15% is no edge at 0.7 */
    for (int i = 0; i < 12; i++) gbs[i] = i % 2 ? 86.0 : 114.0;
    CHECK(wg_find_cache_edges(sizes, gbs, 12, 0.7, edges, 4) == 0);
    /* a rising curve has no edge either */
    for (int i = 0; i < 12; i++) gbs[i] = 10.0 * (i + 1);
    CHECK(wg_find_cache_edges(sizes, gbs, 12, 0.7, edges, 4) == 0);
}

TEST(cache_edges_two_steps)
{
    int64_t sizes[18], edges[4] = {0, 0, 0, 0};
    double gbs[18];
    doubling_sizes(sizes, 18);
    for (int i = 0; i < 18; i++) gbs[i] = i < 6 ? 200.0 : i < 12 ? 100.0 : 30.0;
    int n = wg_find_cache_edges(sizes, gbs, 18, 0.7, edges, 4);
    REQUIRE(n == 2);
    CHECK_MSG(edges[0] == sizes[5], "first edge %lld, expected %lld", (long long)edges[0],
              (long long)sizes[5]);
    CHECK_MSG(edges[1] == sizes[11], "second edge %lld, expected %lld", (long long)edges[1],
              (long long)sizes[11]);
    /* a step of 200 -> 100 is no edge when only falls below 0.4 count */
    n = wg_find_cache_edges(sizes, gbs, 18, 0.4, edges, 4);
    CHECK(n == 1 && edges[0] == sizes[11]);
    /* max_edges is respected */
    int64_t one[2] = {0, -1};
    CHECK(wg_find_cache_edges(sizes, gbs, 18, 0.7, one, 1) == 1);
    CHECK(one[0] == sizes[5] && one[1] == -1);
}

TEST(cache_edges_ignore_one_odd_point)
{
    int64_t sizes[11], edges[4];
    double gbs[11];
    doubling_sizes(sizes, 11);
    for (int i = 0; i < 11; i++) gbs[i] = 200.0;
    gbs[5] = 50.0; /* a one-point dip */
    CHECK(wg_find_cache_edges(sizes, gbs, 11, 0.7, edges, 4) == 0);
    gbs[5] = 600.0; /* a one-point spike: no edge after it */
    CHECK(wg_find_cache_edges(sizes, gbs, 11, 0.7, edges, 4) == 0);
    gbs[5] = 200.0;
    gbs[0] = 900.0; /* an odd first point */
    CHECK(wg_find_cache_edges(sizes, gbs, 11, 0.7, edges, 4) == 0);
    gbs[0] = 200.0;
    gbs[10] = 50.0; /* an odd last point: nothing confirms it */
    CHECK(wg_find_cache_edges(sizes, gbs, 11, 0.7, edges, 4) == 0);
    gbs[9] = 50.0; /* two low points at the end do make an edge */
    CHECK(wg_find_cache_edges(sizes, gbs, 11, 0.7, edges, 4) == 1);
    CHECK(edges[0] == sizes[8]);
}

TEST(cache_edges_gradual_step_is_one_edge_in_its_middle)
{
    int64_t sizes[12], edges[4];
    double gbs[12] = {200, 200, 200, 200, 150, 110, 60, 50, 50, 50, 50, 50};
    doubling_sizes(sizes, 12);
    int n = wg_find_cache_edges(sizes, gbs, 12, 0.7, edges, 4);
    REQUIRE(n == 1);
    /* sqrt(200 * 50) = 100: the last point at or above it is the 110 */
    CHECK_MSG(edges[0] == sizes[5], "edge %lld, expected %lld", (long long)edges[0],
              (long long)sizes[5]);
}

TEST(cache_edges_on_a_recorded_sweep)
{
    /* One thread of an AMD EPYC (Zen 4) VM: L1d 32 KiB, L2 1 MiB, L3 32 MiB. L2 and L3
     * both feed a core at about 32 bytes a cycle, so their step is small (about 0.8). */
    static const int kib[] = {4,     5,      7,      11,     15,     22,     31,    44,
                               62,    88,     125,    177,    251,    355,    502,   709,
                               1003,  1419,   2006,   2837,   4011,   5672,   8021,  11342,
                               16038, 22677,  32066,  45341,  64113,  90655,  128187,
                               181256, 256296, 362403, 512438, 724588, 1024568};
    static const double gbs[] = {210.1, 207.9, 201.3, 199.6, 210.2, 202.4, 186.0, 112.2,
                                 113.1, 116.0, 115.1, 102.2, 105.2, 109.5, 114.8, 109.0,
                                 88.7,  88.4,  90.4,  91.5,  85.7,  91.3,  90.9,  83.5,
                                 72.8,  61.0,  48.8,  38.0,  22.8,  25.5,  25.9,  25.0,
                                 26.4,  27.6,  28.4,  24.7,  28.3};
    enum { N = (int)(sizeof kib / sizeof kib[0]) };
    CHECK(N == (int)(sizeof gbs / sizeof gbs[0]));
    int64_t sizes[N], edges[8];
    for (int i = 0; i < N; i++) sizes[i] = (int64_t)kib[i] * 1024;
    /* At 0.7 the small L2 -> L3 step is not a step; L3 -> DRAM is a slope from 11 MiB to
     * 32 MiB, whose two ends the split reports. */
    int n = wg_find_cache_edges(sizes, gbs, N, 0.7, edges, 8);
    REQUIRE(n == 3);
    CHECK(edges[0] == 31 * 1024);    /* L1 */
    CHECK(edges[1] == 11342 * 1024); /* L3 plateau ends */
    CHECK(edges[2] == 32066 * 1024); /* DRAM plateau starts */
    n = wg_find_cache_edges(sizes, gbs, N, 0.8, edges, 8);
    REQUIRE(n >= 3);
    CHECK(edges[0] == 31 * 1024);
    CHECK(edges[1] == 709 * 1024); /* L2 */
}

TEST(cache_edges_reject_bad_input)
{
    int64_t sizes[6], edges[4];
    double gbs[6] = {100, 100, 100, 10, 10, 10};
    doubling_sizes(sizes, 6);
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.7, edges, 4) == 1); /* the valid case */
    CHECK(wg_find_cache_edges(NULL, gbs, 6, 0.7, edges, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, NULL, 6, 0.7, edges, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.7, NULL, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, gbs, 2, 0.7, edges, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.0, edges, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 1.0, edges, 4) == 0);
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.7, edges, 0) == 0);
    gbs[4] = NAN;
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.7, edges, 4) == 0);
    gbs[4] = 10;
    sizes[2] = sizes[1]; /* not ascending */
    CHECK(wg_find_cache_edges(sizes, gbs, 6, 0.7, edges, 4) == 0);
}

/* ---------------------------------------------------------------- read bandwidth -- */

TEST(read_bandwidth_is_finite_and_positive)
{
    static const int64_t sizes[] = {4096, 4097, 10000, 64 << 10, 1 << 20};
    static const int threads[] = {0, 1, 2};
    for (int s = 0; s < 5; s++)
        for (int t = 0; t < 3; t++) {
            double gbs = -1.0;
            REQUIRE_OK(wg_cpu_read_bandwidth(sizes[s], threads[t], 0.002, &gbs));
            CHECK_MSG(gbs > 0.0 && isfinite(gbs), "%lld bytes, %d threads: %g GB/s",
                      (long long)sizes[s], threads[t], gbs);
        }
    double gbs;
    REQUIRE_OK(wg_cpu_read_bandwidth(8192, 1, 0.0, &gbs)); /* one pass per trial */
    CHECK(gbs > 0.0 && isfinite(gbs));
}

TEST(read_bandwidth_rejects_bad_arguments)
{
    double gbs;
    CHECK_STATUS(wg_cpu_read_bandwidth(4095, 1, 0.01, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(-1, 1, 0.01, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(4096, -1, 0.01, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(4096, 1, -1.0, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(4096, 1, NAN, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(4096, 1, INFINITY, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(4096, 1, 0.01, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_read_bandwidth(INT64_MAX / 2, 1, 0.01, &gbs), WG_ERR_NO_MEMORY);
}

/* ---------------------------------------------------------------- FMA peak -------- */

typedef struct isa_case {
    const char *name;
    int supported;
} isa_case;

static int isa_cases(isa_case cases[3])
{
    wg_cpu_info info;
    if (wg_cpu_info_get(&info) != WG_OK) return 0;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    cases[0] = (isa_case){"avx512", info.avx512f && info.avx2 && info.fma};
    cases[1] = (isa_case){"avx2", info.avx2 && info.fma};
#else
    cases[0] = (isa_case){"avx512", 0}; /* the x86 kernels are built with GCC on x86-64 */
    cases[1] = (isa_case){"avx2", 0};
#endif
    cases[2] = (isa_case){"generic", 1};
    return 3;
}

TEST(fma_peak_runs_every_isa_this_cpu_has)
{
    isa_case cases[3];
    REQUIRE(isa_cases(cases) == 3);
    for (int i = 0; i < 3; i++) {
        if (!cases[i].supported) continue;
        for (int threads = 0; threads <= 2; threads++) {
            double g = -1.0;
            REQUIRE_OK(wg_cpu_fma_peak(cases[i].name, threads, 0.005, &g));
            CHECK_MSG(g > 0.0 && isfinite(g), "%s, %d threads: %g GFLOP/s", cases[i].name,
                      threads, g);
        }
    }
    double g = -1.0;
    REQUIRE_OK(wg_cpu_fma_peak(NULL, 1, 0.005, &g)); /* the widest */
    CHECK(g > 0.0 && isfinite(g));
}

/* The highest clock this CPU reports, in GHz: cpufreq's maximum, else the largest "cpu MHz"
 * of /proc/cpuinfo; 0 when neither is there. */
static double cpu_max_ghz(void)
{
    double ghz = 0.0;
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
    if (f) {
        double khz = 0.0;
        if (fscanf(f, "%lf", &khz) == 1) ghz = khz / 1e6;
        fclose(f);
    }
    f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            double mhz = 0.0;
            if (sscanf(line, "cpu MHz : %lf", &mhz) == 1 && mhz / 1e3 > ghz) ghz = mhz / 1e3;
        }
        fclose(f);
    }
    return ghz;
}

/* The peak is the denominator of every "% of peak", so it gets bounds, not just > 0:
 *  - above: one thread cannot beat lanes x 2 flops x 2 FMA units x the clock; turbo may
 *    exceed the clock the OS reports, so the bound allows 1.6x that (a rate counted
 *    twice, or timed over half the work, still fails);
 *  - order: per thread, avx512 >= avx2 >= generic (wider vectors never lose). Each ISA is
 *    measured three times, interleaved, and its best kept, so a loaded machine slows all
 *    of them alike; the margins (0.5x, 0.8x) allow noise and CPUs that split 512-bit
 *    operations in two, while a wide kernel that fell back to narrow code still fails. */
TEST(fma_peak_is_bounded_by_the_cpu)
{
    isa_case cases[3];
    REQUIRE(isa_cases(cases) == 3);
    static const int lanes[3] = {16, 8, 4};
    double best[3] = {0, 0, 0};
    for (int trial = 0; trial < 3; trial++) {
        for (int i = 0; i < 3; i++) {
            if (!cases[i].supported) continue;
            double g = 0.0;
            REQUIRE_OK(wg_cpu_fma_peak(cases[i].name, 1, 0.02, &g));
            if (g > best[i]) best[i] = g;
        }
    }
    const double ghz = cpu_max_ghz();
    for (int i = 0; i < 3; i++) {
        if (!cases[i].supported) continue;
        CHECK_MSG(best[i] > 0.0 && isfinite(best[i]), "%s: %g GFLOP/s", cases[i].name, best[i]);
        if (ghz > 0) {
            const double bound = lanes[i] * 2.0 * 2.0 * ghz * 1.6;
            CHECK_MSG(best[i] <= bound, "%s: %.1f GFLOP/s on one thread, above %.1f "
                      "(%d lanes x 2 flops x 2 FMA units x %.2f GHz x 1.6)", cases[i].name,
                      best[i], bound, lanes[i], ghz);
        }
    }
    if (cases[0].supported && cases[1].supported)
        CHECK_MSG(best[0] >= 0.5 * best[1], "avx512 %.1f GFLOP/s < 0.5 x avx2 %.1f", best[0],
                  best[1]);
    if (cases[1].supported)
        CHECK_MSG(best[1] >= 0.8 * best[2], "avx2 %.1f GFLOP/s < 0.8 x generic %.1f", best[1],
                  best[2]);
    if (ghz <= 0) SKIP("no clock reported here (cpufreq, /proc/cpuinfo): order checked only");
}

TEST(fma_peak_refuses_an_isa_the_cpu_lacks)
{
    isa_case cases[3];
    REQUIRE(isa_cases(cases) == 3);
    int refused = 0;
    for (int i = 0; i < 3; i++) {
        if (cases[i].supported) continue;
        double g = -1.0;
        CHECK_STATUS(wg_cpu_fma_peak(cases[i].name, 1, 0.005, &g), WG_ERR_UNSUPPORTED);
        CHECK(g == -1.0);
        refused++;
    }
    if (!refused) SKIP("this CPU runs every instruction set (avx512, avx2, generic)");
}

TEST(fma_peak_rejects_bad_arguments)
{
    double g;
    CHECK_STATUS(wg_cpu_fma_peak("sse9", 1, 0.001, &g), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_fma_peak("", 1, 0.001, &g), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_fma_peak("generic", -1, 0.001, &g), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_fma_peak("generic", 1, -0.5, &g), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_fma_peak("generic", 1, NAN, &g), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_cpu_fma_peak("generic", 1, 0.001, NULL), WG_ERR_ARGUMENT);
}

/* ---------------------------------------------------------------- threads --------- */

TEST(cpu_threads_round_trip)
{
    int original = wg_cpu_threads();
    CHECK(original >= 1);
    wg_set_cpu_threads(1);
    CHECK(wg_cpu_threads() == 1);
    wg_set_cpu_threads(3);
    CHECK(wg_cpu_threads() == 3);
    wg_stream_result r;
    REQUIRE_OK(wg_cpu_stream(WG_STREAM_COPY, 1000, 0, 1, &r)); /* 0: the set count */
    CHECK(r.threads == 3);
    wg_set_cpu_threads(0);
    CHECK_MSG(wg_cpu_threads() == original, "after 0: %d threads, expected %d",
              wg_cpu_threads(), original);
    wg_set_cpu_threads(-2); /* negative counts as 0 */
    CHECK(wg_cpu_threads() == original);
}

TEST(cache_edges_on_a_recorded_latency_sweep)
{
    /* Load latency (ns) of one thread of the same VM, 4 KiB .. 1 GiB, two points per
     * doubling. Within L2 the TLB's reach raises the latency gradually from 362 KiB on;
     * the step to L3 must still be found, and each cache within 2x of its size. */
    static const double ns[] = {1.1,  1.2,   1.1,   1.1,  1.2,   1.3,   1.5,   4.0,
                                4.1,  4.0,   4.0,   3.9,  4.0,   4.6,   6.1,   6.1,
                                11.2, 13.8,  15.5,  16.5, 135.8, 138.5, 147.0, 154.6,
                                158.3, 157.0, 166.5, 164.1, 162.4, 170.3, 169.2, 173.1,
                                203.0, 213.0, 226.0, 267.0, 269.0};
    enum { N = (int)(sizeof ns / sizeof ns[0]) };
    int64_t sizes[N], edges[8];
    double rate[N];
    for (int i = 0; i < N; i++) {
        double size = 4096.0 * pow(2.0, i / 2.0);
        sizes[i] = ((int64_t)(size + 32) / 64) * 64;
        rate[i] = 1.0 / ns[i];
    }
    int n = wg_find_cache_edges(sizes, rate, N, 0.6, edges, 8);
    REQUIRE(n == 3);
    CHECK(edges[0] == sizes[6]);  /* 32 KiB: L1d */
    CHECK(edges[1] == sizes[15]); /* 724 KiB: L2 (1 MiB) within 2x */
    CHECK(edges[2] == sizes[19]); /* 2.8 MiB: this VM's share of L3 for random loads */
}

/* The bf16 peaks: each unit measured where cpuid has it (a positive rate) and skipped with
 * the reason where not; the best is the faster; the AVX512-BF16 dot product, two products
 * per lane, stays under four times the FP32 FMA peak of the same core (it cannot do more
 * than two FMA pipes' worth of products twice over); bad arguments are refused. */
TEST(bf16_peak_measures_what_the_cpu_has)
{
    wg_cpu_info info;
    REQUIRE_OK(wg_cpu_info_get(&info));
    const int has[WG_BF16_UNIT_COUNT] = {info.avx512_bf16, info.amx_tile && info.amx_bf16};
    wg_bf16_peak peak;
    REQUIRE_OK(wg_cpu_bf16_peak(1, 0.01, &peak));
    double best = 0;
    int best_unit = -1;
    for (int unit = 0; unit < WG_BF16_UNIT_COUNT; unit++) {
        const char *name = wg_bf16_unit_name((wg_bf16_unit)unit);
        if (!has[unit]) {
            CHECK_MSG(isnan(peak.gflops[unit]) && peak.skipped[unit][0], "%s: %g, '%s'", name,
                      peak.gflops[unit], peak.skipped[unit]);
            continue;
        }
        /* AMX may still be refused by an old kernel: then the reason says so */
        if (peak.skipped[unit][0]) {
            CHECK_MSG(unit == WG_BF16_UNIT_AMX && strstr(peak.skipped[unit], "AMX"), "%s: %s",
                      name, peak.skipped[unit]);
            continue;
        }
        CHECK_MSG(peak.gflops[unit] > 0 && isfinite(peak.gflops[unit]), "%s: %g GFLOP/s", name,
                  peak.gflops[unit]);
        if (peak.gflops[unit] > best) best = peak.gflops[unit], best_unit = unit;
    }
    CHECK(peak.best == best_unit);
    CHECK(best_unit < 0 ? isnan(peak.best_gflops) : peak.best_gflops == best);
    if (has[WG_BF16_UNIT_DOT] && !peak.skipped[WG_BF16_UNIT_DOT][0]) {
        double fma = 0;
        REQUIRE_OK(wg_cpu_fma_peak("avx512", 1, 0.01, &fma));
        CHECK_MSG(peak.gflops[WG_BF16_UNIT_DOT] < 4.0 * fma * 1.5, "dot %g vs FMA %g",
                  peak.gflops[WG_BF16_UNIT_DOT], fma);
    }
    double g = 0;
    CHECK(wg_cpu_bf16_unit_peak((wg_bf16_unit)7, 1, 0.01, &g) == WG_ERR_ARGUMENT);
    CHECK(wg_cpu_bf16_unit_peak(WG_BF16_UNIT_DOT, 1, 0.01, NULL) == WG_ERR_ARGUMENT);
    CHECK(wg_cpu_bf16_peak(1, 0.01, NULL) == WG_ERR_ARGUMENT);
    if (has[WG_BF16_UNIT_DOT]) {
        CHECK(wg_cpu_bf16_unit_peak(WG_BF16_UNIT_DOT, -1, 0.01, &g) == WG_ERR_ARGUMENT);
        CHECK(wg_cpu_bf16_unit_peak(WG_BF16_UNIT_DOT, 1, NAN, &g) == WG_ERR_ARGUMENT);
    } else {
        CHECK(wg_cpu_bf16_unit_peak(WG_BF16_UNIT_DOT, 1, 0.01, &g) == WG_ERR_UNSUPPORTED);
    }
}
