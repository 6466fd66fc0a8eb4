/*
 * cmd_info.c - `whygpu info [--json]`: the machine the experiments run on.
 *
 * Text: a CPU section (model, cores, usable SIMD features, caches, memory) and a GPU
 * section (whether whygpu was built with CUDA, then each GPU, or "GPU: none — reason").
 * An absent GPU is a fact about the machine, not a failure: the exit status is 0.
 *
 * --json writes the same facts (also documented in docs/json.md, "whygpu info --json"):
 *
 *   {
 *     "schema": "whygpu.info/1",
 *     "whygpu_version": "0.1.0",
 *     "cpu": {
 *       "vendor": string ("" off x86),
 *       "model": string,
 *       "logical_cpus": int, "physical_cores": int, "omp_threads": int,
 *       "features": { "sse2", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
 *                     "avx512vl", "avx512_bf16", "amx_tile", "amx_bf16": bool },
 *       "simd_level": "avx512" | "avx2" | "sse2" | "generic",
 *       "l1d_bytes", "l2_bytes", "l3_bytes": int or null (unknown),
 *       "memory_bytes": int or null,
 *       "memory_available_bytes": int or null
 *     },
 *     "gpu": {
 *       "built_with_cuda": bool,
 *       "count": int (0 when there is no usable GPU),
 *       "error": string (why there is no GPU) or null,
 *       "devices": [ {
 *         "index": int, "name": string,
 *         "compute_capability": "9.0", "cc_major": int, "cc_minor": int,
 *         "sm_count": int,
 *         "total_memory_bytes": int, "free_memory_bytes": int,
 *         "sm_clock_khz": int, "memory_clock_khz": int, "memory_bus_bits": int,
 *         "l2_bytes": int, "shared_memory_per_sm_bytes": int,
 *         "driver_version": "13.0", "runtime_version": "13.0"
 *       } ]   (a device whose query failed is {"index": int, "error": string})
 *     }
 *   }
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/json_writer.h"
#include "whygpu.h"

static const char *const usage_text =
    "usage: whygpu info [--json]\n"
    "\n"
    "Describe this machine: the CPU (model, cores, usable SIMD features, caches, memory)\n"
    "and the GPUs whygpu can use (name, compute capability, SMs, memory, clocks).\n"
    "\n"
    "Options:\n"
    "  --json      print the same facts as JSON (fields: docs/json.md)\n"
    "  -h, --help  show this help\n";

/* "32 KiB", "1 MiB", "7.8 GiB"; whole numbers without a decimal. */
static const char *format_bytes(int64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 0) {
        snprintf(buf, size, "unknown");
        return buf;
    }
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        unit++;
    }
    if (value == (double)(int64_t)value)
        snprintf(buf, size, "%lld %s", (long long)value, units[unit]);
    else
        snprintf(buf, size, "%.1f %s", value, units[unit]);
    return buf;
}

/* 13000 -> "13.0", 12080 -> "12.8". */
static const char *format_cuda_version(int version, char *buf, size_t size)
{
    if (version <= 0)
        snprintf(buf, size, "unknown");
    else
        snprintf(buf, size, "%d.%d", version / 1000, (version % 1000) / 10);
    return buf;
}

typedef struct feature {
    const char *text_name;
    const char *json_name;
    int present;
} feature;

#define FEATURE_COUNT 11

static void list_features(const wg_cpu_info *cpu, feature out[FEATURE_COUNT])
{
    const feature all[FEATURE_COUNT] = {
        {"SSE2", "sse2", cpu->sse2},
        {"SSE4.2", "sse4_2", cpu->sse4_2},
        {"AVX", "avx", cpu->avx},
        {"AVX2", "avx2", cpu->avx2},
        {"FMA", "fma", cpu->fma},
        {"AVX-512F", "avx512f", cpu->avx512f},
        {"AVX-512BW", "avx512bw", cpu->avx512bw},
        {"AVX-512VL", "avx512vl", cpu->avx512vl},
        {"AVX512-BF16", "avx512_bf16", cpu->avx512_bf16},
        {"AMX-TILE", "amx_tile", cpu->amx_tile},
        {"AMX-BF16", "amx_bf16", cpu->amx_bf16},
    };
    memcpy(out, all, sizeof all);
}

/* ---------------------------------------------------------------- text ------------ */

static void print_text(const wg_cpu_info *cpu, int64_t available)
{
    char a[32], b[32], c[32];
    feature features[FEATURE_COUNT];
    list_features(cpu, features);

    printf("CPU\n");
    printf("  model             %s\n", cpu->model[0] ? cpu->model : "unknown");
    printf("  vendor            %s\n", cpu->vendor[0] ? cpu->vendor : "unknown");
    printf("  cores             %d logical CPUs, %d physical cores, %d OpenMP threads\n",
           cpu->logical_cpus, cpu->physical_cores, cpu->omp_threads);

    printf("  SIMD features    ");
    int any = 0;
    for (int i = 0; i < FEATURE_COUNT; i++) {
        if (strncmp(features[i].text_name, "AMX", 3) == 0) continue;
        if (features[i].present) {
            printf(" %s", features[i].text_name);
            any = 1;
        }
    }
    if (!any) printf(" none");
    if (cpu->amx_tile)
        printf("; AMX: yes (AMX-TILE%s)\n", cpu->amx_bf16 ? " AMX-BF16" : "");
    else
        printf("; AMX: no\n");
    printf("  widest SIMD       %s\n", wg_cpu_simd_level(cpu));

    printf("  caches            L1d %s, L2 %s (per core), L3 %s\n",
           cpu->l1d_bytes > 0 ? format_bytes(cpu->l1d_bytes, a, sizeof a) : "unknown",
           cpu->l2_bytes > 0 ? format_bytes(cpu->l2_bytes, b, sizeof b) : "unknown",
           cpu->l3_bytes > 0 ? format_bytes(cpu->l3_bytes, c, sizeof c) : "unknown");
    printf("  memory            %s total, %s available\n",
           cpu->memory_bytes > 0 ? format_bytes(cpu->memory_bytes, a, sizeof a) : "unknown",
           format_bytes(available, b, sizeof b));

    printf("\nGPU\n");
    printf("  whygpu built %s CUDA\n", wg_built_with_cuda() ? "with" : "without");
    int count = 0;
    wg_status status = wg_gpu_count(&count);
    if (status != WG_OK) {
        printf("  GPU: none — %s\n", wg_error_message());
        return;
    }
    if (count == 0) {
        printf("  GPU: none — no CUDA device found\n");
        return;
    }
    for (int i = 0; i < count; i++) {
        wg_gpu_info gpu;
        if (wg_gpu_info_get(i, &gpu) != WG_OK) {
            printf("  GPU %d: %s\n", i, wg_error_message());
            continue;
        }
        printf("  GPU %d             %s\n", gpu.index, gpu.name);
        printf("    compute capability  %d.%d\n", gpu.cc_major, gpu.cc_minor);
        printf("    SMs                 %d\n", gpu.sm_count);
        printf("    memory              %s total, %s free\n",
               format_bytes(gpu.total_memory_bytes, a, sizeof a),
               format_bytes(gpu.free_memory_bytes, b, sizeof b));
        printf("    SM clock            %d MHz\n", gpu.clock_khz / 1000);
        printf("    memory clock        %d MHz, %d-bit bus\n", gpu.memory_clock_khz / 1000,
               gpu.memory_bus_bits);
        printf("    L2 cache            %s\n", format_bytes(gpu.l2_bytes, a, sizeof a));
        printf("    shared memory / SM  %s\n",
               format_bytes(gpu.shared_memory_per_sm_bytes, a, sizeof a));
        printf("    driver / runtime    CUDA %s / %s\n",
               format_cuda_version(gpu.driver_version, a, sizeof a),
               format_cuda_version(gpu.runtime_version, b, sizeof b));
    }
}

/* ---------------------------------------------------------------- JSON ------------ */

static void json_size_or_null(wg_json *json, const char *key, int64_t bytes)
{
    wg_json_key(json, key);
    if (bytes > 0)
        wg_json_int(json, bytes);
    else
        wg_json_null(json);
}

static int print_json(const wg_cpu_info *cpu, int64_t available)
{
    char buf[32];
    feature features[FEATURE_COUNT];
    list_features(cpu, features);

    wg_json json;
    wg_json_init(&json, stdout);
    wg_json_begin_object(&json);
    wg_json_key(&json, "schema");
    wg_json_string(&json, "whygpu.info/1");
    wg_json_key(&json, "whygpu_version");
    wg_json_string(&json, WG_VERSION);

    wg_json_key(&json, "cpu");
    wg_json_begin_object(&json);
    wg_json_key(&json, "vendor");
    wg_json_string(&json, cpu->vendor);
    wg_json_key(&json, "model");
    wg_json_string(&json, cpu->model);
    wg_json_key(&json, "logical_cpus");
    wg_json_int(&json, cpu->logical_cpus);
    wg_json_key(&json, "physical_cores");
    wg_json_int(&json, cpu->physical_cores);
    wg_json_key(&json, "omp_threads");
    wg_json_int(&json, cpu->omp_threads);
    wg_json_key(&json, "features");
    wg_json_begin_object(&json);
    for (int i = 0; i < FEATURE_COUNT; i++) {
        wg_json_key(&json, features[i].json_name);
        wg_json_bool(&json, features[i].present);
    }
    wg_json_end_object(&json);
    wg_json_key(&json, "simd_level");
    wg_json_string(&json, wg_cpu_simd_level(cpu));
    json_size_or_null(&json, "l1d_bytes", cpu->l1d_bytes);
    json_size_or_null(&json, "l2_bytes", cpu->l2_bytes);
    json_size_or_null(&json, "l3_bytes", cpu->l3_bytes);
    json_size_or_null(&json, "memory_bytes", cpu->memory_bytes);
    json_size_or_null(&json, "memory_available_bytes", available);
    wg_json_end_object(&json);

    wg_json_key(&json, "gpu");
    wg_json_begin_object(&json);
    wg_json_key(&json, "built_with_cuda");
    wg_json_bool(&json, wg_built_with_cuda());
    int count = 0;
    wg_status status = wg_gpu_count(&count);
    if (status != WG_OK) count = 0;
    wg_json_key(&json, "count");
    wg_json_int(&json, count);
    wg_json_key(&json, "error");
    if (status != WG_OK)
        wg_json_string(&json, wg_error_message());
    else if (count == 0)
        wg_json_string(&json, "no CUDA device found");
    else
        wg_json_null(&json);
    wg_json_key(&json, "devices");
    wg_json_begin_array(&json);
    for (int i = 0; i < count; i++) {
        wg_gpu_info gpu;
        wg_json_begin_object(&json);
        if (wg_gpu_info_get(i, &gpu) != WG_OK) {
            wg_json_key(&json, "index");
            wg_json_int(&json, i);
            wg_json_key(&json, "error");
            wg_json_string(&json, wg_error_message());
            wg_json_end_object(&json);
            continue;
        }
        wg_json_key(&json, "index");
        wg_json_int(&json, gpu.index);
        wg_json_key(&json, "name");
        wg_json_string(&json, gpu.name);
        snprintf(buf, sizeof buf, "%d.%d", gpu.cc_major, gpu.cc_minor);
        wg_json_key(&json, "compute_capability");
        wg_json_string(&json, buf);
        wg_json_key(&json, "cc_major");
        wg_json_int(&json, gpu.cc_major);
        wg_json_key(&json, "cc_minor");
        wg_json_int(&json, gpu.cc_minor);
        wg_json_key(&json, "sm_count");
        wg_json_int(&json, gpu.sm_count);
        wg_json_key(&json, "total_memory_bytes");
        wg_json_int(&json, gpu.total_memory_bytes);
        wg_json_key(&json, "free_memory_bytes");
        wg_json_int(&json, gpu.free_memory_bytes);
        wg_json_key(&json, "sm_clock_khz");
        wg_json_int(&json, gpu.clock_khz);
        wg_json_key(&json, "memory_clock_khz");
        wg_json_int(&json, gpu.memory_clock_khz);
        wg_json_key(&json, "memory_bus_bits");
        wg_json_int(&json, gpu.memory_bus_bits);
        wg_json_key(&json, "l2_bytes");
        wg_json_int(&json, gpu.l2_bytes);
        wg_json_key(&json, "shared_memory_per_sm_bytes");
        wg_json_int(&json, gpu.shared_memory_per_sm_bytes);
        wg_json_key(&json, "driver_version");
        wg_json_string(&json, format_cuda_version(gpu.driver_version, buf, sizeof buf));
        wg_json_key(&json, "runtime_version");
        wg_json_string(&json, format_cuda_version(gpu.runtime_version, buf, sizeof buf));
        wg_json_end_object(&json);
    }
    wg_json_end_array(&json);
    wg_json_end_object(&json);

    wg_json_end_object(&json);
    if (wg_json_finish(&json) != 0) {
        fprintf(stderr, "whygpu info: writing the JSON output failed\n");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- command --------- */

int cmd_info(int argc, char **argv)
{
    static const struct option options[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int as_json = 0;

    optind = 0; /* full re-initialisation of getopt (glibc), whatever parsed before */
    opterr = 0;
    for (;;) {
        int option = getopt_long(argc, argv, "h", options, NULL);
        if (option == -1) break;
        switch (option) {
        case 'j': as_json = 1; break;
        case 'h': fputs(usage_text, stdout); return CLI_EXIT_OK;
        default:
            if (optopt && optopt != 'j' && optopt != 'h')
                return cli_usage_error("info", "unknown option '-%c'", optopt);
            return cli_usage_error("info", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("info", "unexpected argument '%s'", argv[optind]);

    wg_cpu_info cpu;
    wg_status status = wg_cpu_info_get(&cpu);
    if (status != WG_OK) return cli_failure("info", status);
    int64_t available = wg_host_memory_available();

    if (as_json) return print_json(&cpu, available);
    print_text(&cpu, available);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
