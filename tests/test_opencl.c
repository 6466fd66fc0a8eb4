/*
 * test_opencl.c - what is particular to the OpenCL backend (the ops, the rungs and the
 * layers are checked against float64 by the DEVICE_TESTs, which run on opencl:0 too):
 * device names, discovery and its reasons, the pointer model (device memory as buffer +
 * offset), programs built once and build logs on failure, the marker timer, and the
 * OpenCL measurements. Where no OpenCL platform exists each test is skipped with the
 * library's reason; a build without OpenCL checks that it says so.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "check.h"
#include "cli_run.h"
#include "whygpu_lab.h"
#include "reference.h"
#ifdef WG_WITH_OPENCL
#include "opencl/opencl_internal.h"
#endif

static const wg_device opencl0 = {WG_DEVICE_OPENCL, 0};

/* Skips the test (with the library's reason) unless opencl:0 can be used. */
#define REQUIRE_OPENCL()                                                                  \
    do {                                                                                  \
        if (wg_device_check(opencl0) != WG_OK) SKIP("%s", wg_error_message());            \
    } while (0)

TEST(opencl_device_names)
{
    wg_device d;
    char buf[32];
    REQUIRE_OK(wg_device_parse("opencl", &d));
    CHECK(d.kind == WG_DEVICE_OPENCL && d.index == 0);
    REQUIRE_OK(wg_device_parse("opencl:3", &d));
    CHECK(d.kind == WG_DEVICE_OPENCL && d.index == 3);
    CHECK(strcmp(wg_device_format(d, buf, sizeof buf), "opencl:3") == 0);
    CHECK_STATUS(wg_device_parse("opencl:", &d), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("opencl:x", &d), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_device_parse("opencl2", &d), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "opencl:N") != NULL);
    CHECK_STATUS(wg_device_parse("vulkan", &d), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "opencl") != NULL);
}

TEST(opencl_absent_says_why)
{
    const wg_device far = {WG_DEVICE_OPENCL, 1000};
    CHECK_STATUS(wg_device_check(far), WG_ERR_NO_DEVICE);
    CHECK(strstr(wg_error_message(), "opencl:1000") != NULL);
    if (!wg_built_with_opencl()) {
        int count = -1;
        CHECK_STATUS(wg_opencl_device_count(&count), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "without OpenCL") != NULL && count == 0);
        CHECK_STATUS(wg_device_check(opencl0), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "without OpenCL") != NULL);
        wg_stream_result r;
        CHECK_STATUS(wg_opencl_stream(0, WG_STREAM_COPY, 1024, 0, 0, 1, &r), WG_ERR_NO_DEVICE);
    }
}

TEST(opencl_discovery_describes_devices)
{
    int count = 0;
    if (wg_opencl_device_count(&count) != WG_OK) SKIP("%s", wg_error_message());
    REQUIRE(count >= 1);
    for (int i = 0; i < count; i++) {
        wg_opencl_info info;
        REQUIRE_OK(wg_opencl_info_get(i, &info));
        CHECK(info.index == i && info.name[0] && info.platform_name[0] && info.type[0]);
        CHECK(info.compute_units >= 1 && info.global_memory_bytes > 0);
        CHECK(info.local_memory_bytes > 0 && info.max_work_group_size >= 1);
        CHECK(info.is_cpu == (strcmp(info.type, "CPU") == 0));
    }
    wg_opencl_info info;
    char line[512];
    REQUIRE_OK(wg_opencl_info_get(0, &info));
    wg_opencl_describe(0, line, sizeof line);
    CHECK(strstr(line, info.name) != NULL);
    CHECK(info.is_cpu == (strstr(line, "a CPU pretending to be a GPU") != NULL));
    wg_opencl_describe(count, line, sizeof line);
    CHECK(strstr(line, "unavailable") != NULL);
    CHECK_STATUS(wg_opencl_info_get(count, &info), WG_ERR_NO_DEVICE);
    CHECK(strstr(wg_error_message(), "does not exist") != NULL);
    CHECK_STATUS(wg_opencl_info_get(0, NULL), WG_ERR_ARGUMENT);
}

/* No driver installed: the command fails in one line that says so (the ICD loader is
 * pointed at an empty folder of drivers). */
TEST(opencl_no_platform_reason)
{
    if (!wg_built_with_opencl()) SKIP("whygpu was built without OpenCL");
    const char *args[] = {"train", "--device", "opencl", "--steps", "1", "--no-progress", NULL};
    const char *env[] = {"OCL_ICD_VENDORS=/nonexistent-whygpu-icd-folder", NULL};
    cli_run_result r = cli_run(args, env);
    CHECK_MSG(r.exit_code == 1, "exit %d, expected 1", r.exit_code);
    CHECK(r.err && cli_run_lines(r.err) == 1 && strstr(r.err, "no OpenCL platform"));
    CHECK(r.err && strstr(r.err, "OCL_ICD_VENDORS"));
    cli_run_free(&r);
}

/* `whygpu info` lists every OpenCL device, and a CPU driver as what it is. */
TEST(opencl_info_lists_devices)
{
    const char *args[] = {"info", NULL};
    cli_run_result r = cli_run(args, NULL);
    CHECK_MSG(r.exit_code == 0, "exit %d", r.exit_code);
    CHECK(r.out && strstr(r.out, "\nOpenCL\n"));
    int count = 0;
    if (wg_opencl_device_count(&count) == WG_OK) {
        wg_opencl_info info;
        REQUIRE_OK(wg_opencl_info_get(0, &info));
        CHECK(r.out && strstr(r.out, "opencl:0 ") && strstr(r.out, info.name));
        CHECK(r.out && (!info.is_cpu || strstr(r.out, "a CPU pretending to be a GPU")));
    } else {
        CHECK(r.out && strstr(r.out, "OpenCL: none"));
    }
    cli_run_free(&r);
}

#ifdef WG_WITH_OPENCL

/* Device memory is pointers: offsets into a buffer work, foreign pointers and ranges past
 * the end are refused with a message. */
TEST(opencl_pointers_are_buffer_offsets)
{
    REQUIRE_OPENCL();
    const wg_backend *be = wg_backend_for(opencl0);
    REQUIRE(be != NULL);
    float *dev = NULL;
    REQUIRE_OK(be->alloc(0, 100 * sizeof(float), (void **)&dev));
    float host[100], back[100];
    for (int i = 0; i < 100; i++) host[i] = (float)i;
    REQUIRE_OK(be->copy_from_host(0, dev, host, sizeof host));
    /* 7 floats at offset 13 filled, 10 at offset 50 doubled */
    REQUIRE_OK(be->fill(0, dev + 13, 7, -1.0f));
    REQUIRE_OK(be->add(0, dev + 50, dev + 50, dev + 50, 10));
    REQUIRE_OK(be->copy_to_host(0, back, dev, sizeof back));
    int ok = 1;
    for (int i = 0; i < 100; i++) {
        float want = i >= 13 && i < 20 ? -1.0f : i >= 50 && i < 60 ? 2.0f * i : (float)i;
        ok &= back[i] == want;
    }
    CHECK(ok);
    cl_mem mem;
    size_t off = 0;
    CHECK_STATUS(wg_ocl_resolve(0, host, 4, &mem, &off), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "not memory of this device") != NULL);
    CHECK_STATUS(be->copy_to_host(0, back, dev + 90, 11 * sizeof(float)), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "past the end") != NULL);
    REQUIRE_OK(wg_ocl_resolve(0, dev + 99, 4, &mem, &off));
    CHECK(off == 99 * sizeof(float));
    be->release(0, dev);
    CHECK_STATUS(wg_ocl_resolve(0, dev, 4, &mem, &off), WG_ERR_ARGUMENT);
    be->release(0, NULL); /* allowed */
}

static const wg_ocl_source broken_source = {"broken.cl",
                                            "kernel void broken(global float *x) { x[0] = y; }\n"};
static const wg_ocl_source fine_source = {"fine.cl",
                                          "kernel void fine(global float *x) { x[0] = 1.0f; }\n"};

TEST(opencl_programs_cached_and_build_logs_shown)
{
    REQUIRE_OPENCL();
    wg_ocl_device *dev = NULL;
    REQUIRE_OK(wg_ocl_device_get(0, &dev));
    const wg_ocl_source *fine[] = {&fine_source}, *broken[] = {&broken_source};
    cl_kernel k1 = NULL, k2 = NULL, k3 = NULL;
    REQUIRE_OK(wg_ocl_kernel(dev, fine, 1, NULL, "fine", &k1));
    REQUIRE_OK(wg_ocl_kernel(dev, fine, 1, "", "fine", &k2));
    CHECK(k1 == k2); /* built once */
    REQUIRE_OK(wg_ocl_kernel(dev, fine, 1, "-DX=1", "fine", &k3));
    CHECK(k3 != k1); /* other options: another program */
    CHECK_STATUS(wg_ocl_kernel(dev, broken, 1, NULL, "broken", &k1), WG_ERR_BACKEND);
    CHECK(strstr(wg_error_message(), "broken.cl") && strstr(wg_error_message(), "build log"));
    CHECK(strstr(wg_error_message(), "y") != NULL);
    CHECK_STATUS(wg_ocl_kernel(dev, fine, 1, NULL, "absent", &k1), WG_ERR_BACKEND);
    CHECK(strstr(wg_error_message(), "CL_INVALID_KERNEL_NAME") != NULL);
}

/* The timer counts queued work: a GEMM started before the stop mark is inside it. */
TEST(opencl_timer_counts_queued_work)
{
    REQUIRE_OPENCL();
    const int64_t s[2] = {256, 256};
    wg_tensor *a = NULL, *c = NULL;
    REQUIRE_OK(wg_tensor_rand(2, s, -1.0f, 1.0f, 7, opencl0, &a));
    REQUIRE_OK(wg_tensor_zeros(2, s, opencl0, &c));
    const wg_backend *be = wg_backend_for(opencl0);
    wg_device_timer timer;
    double seconds = -1.0;
    REQUIRE_OK(be->timer_start(0, &timer));
    const wg_kernel *naive = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_OPENCL, "naive", &naive));
    REQUIRE_OK(wg_matmul_with(naive, a, a, c));
    REQUIRE_OK(be->timer_stop(0, &timer, &seconds));
    CHECK_MSG(seconds > 1e-6 && seconds < 60.0, "timer: %g s", seconds);
    CHECK_STATUS(be->timer_stop(0, &timer, &seconds), WG_ERR_ARGUMENT); /* not started */
    wg_tensor_free(a);
    wg_tensor_free(c);
}

#endif /* WG_WITH_OPENCL */

TEST(opencl_measurements_run_and_check)
{
    wg_stream_result r;
    CHECK_STATUS(wg_opencl_stream(0, WG_STREAM_KERNEL_COUNT, 1024, 0, 0, 1, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_opencl_stream(0, WG_STREAM_COPY, 1024, 0, 0, 0, &r), WG_ERR_ARGUMENT);
    wg_launch_latency lat;
    CHECK_STATUS(wg_opencl_launch_latency(0, 0, &lat), WG_ERR_ARGUMENT);
    REQUIRE_OPENCL();
    for (int k = 0; k < WG_STREAM_KERNEL_COUNT; k++) {
        REQUIRE_OK(wg_opencl_stream(0, (wg_stream_kernel)k, (1 << 16) + 4, 0, 0, 2, &r));
        CHECK_MSG(r.valid && r.best_gbs > 0 && r.best_s <= r.median_s,
                  "%s: valid %d, %g GB/s", wg_stream_kernel_name((wg_stream_kernel)k), r.valid,
                  r.best_gbs);
        CHECK(r.elements == (1 << 16) + 4 && r.trials == 2);
    }
    wg_transfer_result t;
    for (int pinned = 0; pinned < 2; pinned++)
        for (int to = 0; to < 2; to++) {
            REQUIRE_OK(wg_opencl_transfer(0, 1 << 20, to, pinned, pinned, 3, &t));
            CHECK(t.best_gbs > 0 && t.bytes == 1 << 20 && t.pinned == pinned && t.to_device == to);
        }
    REQUIRE_OK(wg_opencl_launch_latency(0, 20, &lat));
    CHECK(lat.launch_and_sync_s > 0 && lat.launch_only_s > 0 && lat.copy_back_s > 0);
    CHECK(lat.launch_only_s < 1.0 && lat.launch_and_sync_s < 1.0);
    const int64_t groups[3] = {1, 2, 4};
    wg_opencl_scaling_point points[3];
    REQUIRE_OK(wg_opencl_workgroup_scaling(0, groups, 3, 16, 256, 2, points));
    for (int i = 0; i < 3; i++)
        CHECK(points[i].groups == groups[i] && points[i].local_size == 16 && points[i].gflops > 0);
    const int64_t bad[1] = {0};
    CHECK_STATUS(wg_opencl_workgroup_scaling(0, bad, 1, 0, 0, 1, points), WG_ERR_ARGUMENT);
}
