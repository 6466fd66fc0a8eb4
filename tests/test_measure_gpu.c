/*
 * test_measure_gpu.c - the GPU measurements of `whygpu explain` (measure.h): STREAM on the
 * device (all four kernels validated, the byte count, the grid asked for is the grid
 * used), cudaMemcpy, host<->device transfers, the read-bandwidth kernel and launch
 * latency. Speeds are never asserted, only that they are measured (finite, > 0). The
 * argument checks run on every machine: the wrappers check arguments before the device.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "measure/measure.h"

#define GPU ((wg_device){WG_DEVICE_CUDA, 0})
#define NEED_GPU()                                                                        \
    do {                                                                                  \
        if (wg_device_check(GPU) != WG_OK) SKIP("needs a GPU: %s", wg_error_message());   \
    } while (0)

static int positive(double x) { return isfinite(x) && x > 0.0; }

TEST(gpu_measure_argument_errors)
{
    wg_stream_result s;
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_COPY, 1000, 0, 0, 3, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_COPY, 0, 0, 0, 3, &s), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "0 elements") != NULL);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_COPY, -5, 0, 0, 3, &s), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_KERNEL_COUNT, 1000, 0, 0, 3, &s), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, (wg_stream_kernel)-1, 1000, 0, 0, 3, &s), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, 1000, -1, 0, 3, &s), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, 1000, INT64_C(1) << 31, 0, 3, &s),
                 WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, 1000, 0, -1, 3, &s), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, 1000, 0, 1025, 3, &s), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "1025") != NULL);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, 1000, 0, 0, 0, &s), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "trials") != NULL);
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, INT64_MAX, 0, 0, 3, &s), WG_ERR_ARGUMENT);

    double gbs = 1.0;
    CHECK_STATUS(wg_gpu_memcpy_bandwidth(0, 0, 3, &gbs), WG_ERR_ARGUMENT);
    CHECK(gbs == 0.0);
    CHECK_STATUS(wg_gpu_memcpy_bandwidth(0, 1 << 20, 0, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_memcpy_bandwidth(0, 1 << 20, 3, NULL), WG_ERR_ARGUMENT);

    wg_transfer_result t;
    CHECK_STATUS(wg_gpu_transfer(0, 0, 1, 1, 0, 3, &t), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_transfer(0, -1, 1, 1, 0, 3, &t), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_transfer(0, 1 << 20, 1, 1, 0, 0, &t), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_transfer(0, 1 << 20, 1, 1, 0, 3, NULL), WG_ERR_ARGUMENT);

    CHECK_STATUS(wg_gpu_read_bandwidth(0, 1024, 0.01, &gbs), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "1024 bytes") != NULL);
    CHECK_STATUS(wg_gpu_read_bandwidth(0, INT64_C(1) << 40, 0.01, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_read_bandwidth(0, 1 << 20, 0.0, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_read_bandwidth(0, 1 << 20, -1.0, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_read_bandwidth(0, 1 << 20, NAN, &gbs), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_read_bandwidth(0, 1 << 20, 0.01, NULL), WG_ERR_ARGUMENT);

    wg_launch_latency l;
    CHECK_STATUS(wg_gpu_launch_latency(0, 0, &l), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gpu_launch_latency(0, 10, NULL), WG_ERR_ARGUMENT);
}

TEST(gpu_measure_without_a_device_says_why)
{
    wg_stream_result s;
    wg_launch_latency l;
    double gbs = 0.0;
    if (!wg_built_with_cuda()) {
        CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_COPY, 1000, 0, 0, 3, &s), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "built without CUDA") != NULL);
        CHECK_STATUS(wg_gpu_memcpy_bandwidth(0, 1 << 20, 3, &gbs), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "built without CUDA") != NULL);
        wg_transfer_result t;
        CHECK_STATUS(wg_gpu_transfer(0, 1 << 20, 1, 1, 1, 3, &t), WG_ERR_NO_DEVICE);
        CHECK_STATUS(wg_gpu_read_bandwidth(0, 1 << 20, 0.01, &gbs), WG_ERR_NO_DEVICE);
        CHECK_STATUS(wg_gpu_launch_latency(0, 10, &l), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "built without CUDA") != NULL);
        return;
    }
    /* A device that does not exist, whether or not this machine has a GPU. */
    CHECK_STATUS(wg_gpu_stream(1000, WG_STREAM_COPY, 1000, 0, 0, 3, &s), WG_ERR_NO_DEVICE);
    CHECK_STATUS(wg_gpu_read_bandwidth(1000, 1 << 20, 0.01, &gbs), WG_ERR_NO_DEVICE);
    CHECK_STATUS(wg_gpu_launch_latency(1000, 10, &l), WG_ERR_NO_DEVICE);
}

TEST(gpu_stream_all_kernels_are_valid)
{
    NEED_GPU();
    static const int arrays[WG_STREAM_KERNEL_COUNT] = {2, 2, 3, 3};
    /* 4 * 250000 + 3: the float4 loop and the scalar tail; 3: the tail alone. */
    const int64_t sizes[] = {1000003, 3, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int k = 0; k < WG_STREAM_KERNEL_COUNT; k++) {
            wg_stream_result r;
            REQUIRE_OK(wg_gpu_stream(0, (wg_stream_kernel)k, sizes[i], 0, 0, 3, &r));
            CHECK_MSG(r.valid && r.max_rel_error <= 1e-6,
                      "kernel %d, %lld elements: max relative error %g", k,
                      (long long)sizes[i], r.max_rel_error);
            CHECK(r.kernel == (wg_stream_kernel)k);
            CHECK(r.elements == sizes[i]);
            CHECK(r.bytes == (double)arrays[k] * (double)sizes[i] * 4.0);
            CHECK(r.threads == 256);
            CHECK(r.blocks >= 1);
            CHECK(r.trials == 3);
            CHECK(positive(r.best_s));
            CHECK(r.median_s >= r.best_s);
            CHECK(positive(r.best_gbs));
            CHECK(fabs(r.best_gbs - r.bytes / r.best_s / 1e9) <= 1e-9 * r.best_gbs);
        }
    }
}

TEST(gpu_stream_honours_the_grid_it_is_given)
{
    NEED_GPU();
    wg_stream_result r;
    /* One block of 64 threads walks the whole array. */
    REQUIRE_OK(wg_gpu_stream(0, WG_STREAM_TRIAD, (1 << 20) + 1, 1, 64, 2, &r));
    CHECK(r.blocks == 1);
    CHECK(r.threads == 64);
    CHECK_MSG(r.valid, "one block: max relative error %g", r.max_rel_error);

    /* One block per SM. */
    wg_gpu_info info;
    REQUIRE_OK(wg_gpu_info_get(0, &info));
    REQUIRE_OK(wg_gpu_stream(0, WG_STREAM_COPY, 1 << 22, info.sm_count, 0, 2, &r));
    CHECK(r.blocks == info.sm_count);
    CHECK(r.threads == 256);
    CHECK(r.valid);

    /* More blocks than there is work for: still exactly those, still right. */
    REQUIRE_OK(wg_gpu_stream(0, WG_STREAM_ADD, 100, 1000, 32, 2, &r));
    CHECK(r.blocks == 1000);
    CHECK(r.valid);

    /* blocks 0 fills the chip: at least one block per SM for a large array. */
    REQUIRE_OK(wg_gpu_stream(0, WG_STREAM_SCALE, 1 << 24, 0, 0, 2, &r));
    CHECK(r.blocks >= info.sm_count);
    CHECK(r.valid);
}

TEST(gpu_memcpy_and_transfers_are_measured)
{
    NEED_GPU();
    double gbs = 0.0;
    REQUIRE_OK(wg_gpu_memcpy_bandwidth(0, 8 << 20, 3, &gbs));
    CHECK(positive(gbs));

    for (int to_device = 0; to_device <= 1; to_device++)
        for (int pinned = 0; pinned <= 1; pinned++)
            for (int async = 0; async <= 1; async++) {
                wg_transfer_result t;
                REQUIRE_OK(wg_gpu_transfer(0, 1 << 20, to_device, pinned, async, 3, &t));
                CHECK(t.bytes == 1 << 20);
                CHECK(t.to_device == to_device && t.pinned == pinned && t.async == async);
                CHECK(t.trials == 3);
                CHECK(positive(t.best_s) && t.median_s >= t.best_s);
                CHECK(positive(t.best_gbs));
            }
    wg_transfer_result t;
    REQUIRE_OK(wg_gpu_transfer(0, 1, 1, 0, 0, 1, &t)); /* one byte */
    CHECK(positive(t.best_s));
}

TEST(gpu_read_bandwidth_is_measured)
{
    NEED_GPU();
    /* L1-sized, L2-sized, and larger than the 1 MiB span of one block. */
    const int64_t sizes[] = {4096, 64 << 10, 4 << 20, (64 << 20) + 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double gbs = 0.0;
        REQUIRE_OK(wg_gpu_read_bandwidth(0, sizes[i], 0.01, &gbs));
        CHECK_MSG(positive(gbs), "%lld bytes: %g GB/s", (long long)sizes[i], gbs);
    }
    double gbs = 0.0;
    REQUIRE_OK(wg_gpu_read_bandwidth(0, 10000, 0.005, &gbs)); /* not a multiple of 16 */
    CHECK(positive(gbs));
}

TEST(gpu_launch_latency_is_measured)
{
    NEED_GPU();
    wg_launch_latency l;
    REQUIRE_OK(wg_gpu_launch_latency(0, 200, &l));
    CHECK(positive(l.launch_and_sync_s));
    CHECK(positive(l.launch_only_s));
    CHECK(positive(l.copy_back_s));
}

TEST(gpu_measure_reports_memory_that_cannot_fit)
{
    NEED_GPU();
    wg_gpu_info info;
    REQUIRE_OK(wg_gpu_info_get(0, &info));
    wg_stream_result s;
    /* Three arrays, each as large as the whole device. */
    CHECK_STATUS(wg_gpu_stream(0, WG_STREAM_TRIAD, info.total_memory_bytes / 4, 0, 0, 1, &s),
                 WG_ERR_NO_MEMORY);
    CHECK(strstr(wg_error_message(), "free") != NULL);
}
