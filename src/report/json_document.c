/*
 * json_document.c - the opening every command's JSON document shares: schema, versions,
 * command line, date, and the one machine block. Written in one place so the documents
 * cannot drift apart (docs/json.md, "The machine block").
 */
#include "whygpu_lab.h"

#include <string.h>
#include <time.h>

/* The GPU's description. An OpenCL device fills the same fields with what OpenCL tells:
 * its name (with wg_opencl_describe's note for a CPU driver such as PoCL, so every command
 * that names "the GPU" says it is a CPU pretending to be one), compute units as SMs, global
 * memory, clock; compute capability and driver version 0. */
static wg_status gpu_facts(wg_device gpu, wg_gpu_info *out)
{
    if (gpu.kind != WG_DEVICE_OPENCL) return wg_gpu_info_get(gpu.index, out);
    wg_opencl_info info;
    wg_status status = wg_opencl_info_get(gpu.index, &info);
    if (status != WG_OK) return status;
    memset(out, 0, sizeof *out);
    out->index = gpu.index;
    wg_opencl_describe(gpu.index, out->name, sizeof out->name);
    out->sm_count = info.compute_units;
    out->total_memory_bytes = out->free_memory_bytes = info.global_memory_bytes;
    out->clock_khz = info.clock_mhz * 1000;
    out->shared_memory_per_sm_bytes = info.local_memory_bytes;
    return WG_OK;
}

wg_status wg_machine_facts_get(int want_gpu, wg_device gpu, wg_machine_facts *out)
{
    memset(out, 0, sizeof *out);
    wg_status status = wg_cpu_info_get(&out->cpu);
    if (status != WG_OK) return status;
    out->gpu_requested = want_gpu;
    out->gpu_device = gpu;
    if (!want_gpu)
        snprintf(out->gpu_reason, sizeof out->gpu_reason, "not requested (--device cpu)");
    else if (wg_device_check(gpu) != WG_OK || gpu_facts(gpu, &out->gpu) != WG_OK)
        snprintf(out->gpu_reason, sizeof out->gpu_reason, "%s", wg_error_message());
    else
        out->gpu_available = 1;
    return WG_OK;
}

/* A size in bytes, or null when the CPU did not say (0). */
static void size_or_null(wg_json *json, const char *key, int64_t bytes)
{
    wg_json_key(json, key);
    if (bytes > 0)
        wg_json_int(json, bytes);
    else
        wg_json_null(json);
}

void wg_json_machine(wg_json *json, const wg_machine_facts *m)
{
    const wg_cpu_info *cpu = &m->cpu;
    wg_json_key(json, "machine");
    wg_json_begin_object(json);
    wg_json_key(json, "cpu");
    wg_json_begin_object(json);
    wg_json_key(json, "model"); wg_json_string(json, cpu->model);
    wg_json_key(json, "vendor"); wg_json_string(json, cpu->vendor);
    wg_json_key(json, "logical_cpus"); wg_json_int(json, cpu->logical_cpus);
    wg_json_key(json, "physical_cores"); wg_json_int(json, cpu->physical_cores);
    wg_json_key(json, "threads"); wg_json_int(json, cpu->omp_threads);
    wg_json_key(json, "simd"); wg_json_string(json, wg_cpu_simd_level(cpu));
    size_or_null(json, "l1d_bytes", cpu->l1d_bytes);
    size_or_null(json, "l2_bytes", cpu->l2_bytes);
    size_or_null(json, "l3_bytes", cpu->l3_bytes);
    size_or_null(json, "memory_bytes", cpu->memory_bytes);
    if (m->cpu_kernel) {
        wg_json_key(json, "matmul_isa");
        wg_json_string(json, m->cpu_kernel);
    }
    wg_json_end_object(json);

    char device[32], cc[16];
    wg_json_key(json, "gpu");
    wg_json_begin_object(json);
    wg_json_key(json, "device");
    wg_json_string(json, m->gpu_requested ? wg_device_format(m->gpu_device, device, sizeof device)
                                          : NULL);
    wg_json_key(json, "available"); wg_json_bool(json, m->gpu_available);
    wg_json_key(json, "name"); wg_json_string(json, m->gpu_available ? m->gpu.name : NULL);
    wg_json_key(json, "reason"); wg_json_string(json, m->gpu_available ? NULL : m->gpu_reason);
    if (m->gpu_available) {
        if (m->gpu_device.kind == WG_DEVICE_OPENCL)
            snprintf(cc, sizeof cc, "opencl"); /* OpenCL has no compute capability */
        else
            snprintf(cc, sizeof cc, "%d.%d", m->gpu.cc_major, m->gpu.cc_minor);
        wg_json_key(json, "compute_capability"); wg_json_string(json, cc);
        wg_json_key(json, "sm_count"); wg_json_int(json, m->gpu.sm_count);
        wg_json_key(json, "total_memory_bytes"); wg_json_int(json, m->gpu.total_memory_bytes);
        wg_json_key(json, "driver_version"); wg_json_int(json, m->gpu.driver_version);
    }
    if (m->gpu_kernel) {
        wg_json_key(json, "matmul_kernel");
        wg_json_string(json, m->gpu_kernel);
    }
    wg_json_end_object(json);
    wg_json_end_object(json);
}

char *wg_utc_date(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    if (size > 0 && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) buf[0] = '\0';
    return buf;
}

void wg_json_document_begin(wg_json *json, FILE *out, const char *schema,
                            const char *command_line, const wg_machine_facts *machine)
{
    char date[32];
    wg_json_init(json, out);
    wg_json_begin_object(json);
    wg_json_key(json, "schema"); wg_json_string(json, schema);
    wg_json_key(json, "whygpu_version"); wg_json_string(json, WG_VERSION);
    wg_json_key(json, "commit"); wg_json_string(json, wg_build_commit());
    if (command_line) {
        wg_json_key(json, "command");
        wg_json_string(json, command_line);
    }
    wg_json_key(json, "date"); wg_json_string(json, wg_utc_date(date, sizeof date));
    if (machine) wg_json_machine(json, machine);
}
