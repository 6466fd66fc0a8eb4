/*
 * json_document.c - the opening every command's JSON document shares: schema, versions,
 * command line, date, and the one machine block. Written in one place so the documents
 * cannot drift apart (docs/json.md, "The machine block").
 */
#include "whygpu_lab.h"

#include <string.h>
#include <time.h>

wg_status wg_machine_facts_get(int want_gpu, wg_device gpu, wg_machine_facts *out)
{
    memset(out, 0, sizeof *out);
    wg_status status = wg_cpu_info_get(&out->cpu);
    if (status != WG_OK) return status;
    out->gpu_requested = want_gpu;
    out->gpu_device = gpu;
    if (!want_gpu)
        snprintf(out->gpu_reason, sizeof out->gpu_reason, "not requested (--device cpu)");
    else if (wg_device_check(gpu) != WG_OK || wg_gpu_info_get(gpu.index, &out->gpu) != WG_OK)
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
    if (command_line) {
        wg_json_key(json, "command");
        wg_json_string(json, command_line);
    }
    wg_json_key(json, "date"); wg_json_string(json, wg_utc_date(date, sizeof date));
    if (machine) wg_json_machine(json, machine);
}
