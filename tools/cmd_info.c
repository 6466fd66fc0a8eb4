/*
 * cmd_info.c - `whygpu info [--json]`: the machine the experiments run on. The facts are
 * read once (info_facts) and rendered as text or as JSON from the same description.
 *
 * Text: a CPU section (model, cores, usable SIMD features, caches, memory) and a GPU
 * section (whether whygpu was built with CUDA, then each GPU, or "GPU: none — reason"),
 * then an OpenCL section (each device of every platform, opencl:N; text only for now).
 * An absent GPU is a fact about the machine, not a failure: the exit status is 0.
 *
 * --json writes the same facts, schema whygpu.info/1; its fields are in docs/json.md
 * ("whygpu info --json"). Like every document it opens with the library's document
 * opening and machine block; "cpu" and "gpu" after it are info's fuller description.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "whygpu_lab.h"

static const char *const usage_text =
    "usage: whygpu info [--json]\n"
    "\n"
    "Describe this machine: the CPU (model, cores, usable SIMD features, caches, memory)\n"
    "and the GPUs whygpu can use (name, compute capability, SMs, memory, clocks), then\n"
    "every OpenCL device (opencl:N: platform, type, compute units, memory, work-group size).\n"
    "The CPU's arithmetic peaks are measured (under a second): the FP32 FMA peak and the\n"
    "bf16 ones (AVX512-BF16 vdpbf16ps, AMX-BF16 tdpbf16ps; each skipped with the reason\n"
    "where the CPU lacks it), all threads.\n"
    "\n"
    "Options:\n"
    "  --json      print the same facts as JSON (fields: docs/json.md)\n"
    "  -h, --help  show this help\n";

#define INFO_MAX_GPUS 64

/* Everything info says, read once. */
typedef struct info_facts {
    wg_machine_facts machine; /* the CPU, and GPU 0 for the JSON's machine block */
    int64_t available;       /* host memory available now, -1 unknown */
    int gpu_count;           /* usable GPUs (0 when none) */
    char gpu_error[512];     /* why there is none; "" when gpu_count > 0 */
    struct {
        int ok;              /* info valid; else error says why */
        wg_gpu_info info;
        char error[512];
        wg_gpu_power power;  /* (gpu-energy) clock and power now, or why not (NVML) */
    } gpus[INFO_MAX_GPUS];
    double fma_peak_gflops;  /* the FP32 FMA peak, all threads; NaN if it failed */
    wg_bf16_peak bf16;       /* the bf16 units' peaks, all threads */
    wg_energy_meter rapl;    /* (gpu-energy) whether the CPU's energy can be read, or why not */
} info_facts;

/* Seconds each peak's trial lasts: short, info is a quick look (bench gemm reads longer). */
#define INFO_PEAK_SECONDS 0.05

static wg_status info_facts_get(info_facts *f)
{
    memset(f, 0, sizeof *f);
    const wg_device gpu0 = {WG_DEVICE_CUDA, 0};
    wg_status status = wg_machine_facts_get(1, gpu0, &f->machine);
    if (status != WG_OK) return status;
    f->available = wg_host_memory_available();
    int count = 0;
    if (wg_gpu_count(&count) != WG_OK) {
        snprintf(f->gpu_error, sizeof f->gpu_error, "%s", wg_error_message());
        count = 0;
    } else if (count == 0) {
        snprintf(f->gpu_error, sizeof f->gpu_error, "no CUDA device found");
    }
    f->gpu_count = count < INFO_MAX_GPUS ? count : INFO_MAX_GPUS;
    for (int i = 0; i < f->gpu_count; i++) {
        f->gpus[i].ok = wg_gpu_info_get(i, &f->gpus[i].info) == WG_OK;
        if (!f->gpus[i].ok)
            snprintf(f->gpus[i].error, sizeof f->gpus[i].error, "%s", wg_error_message());
        (void)wg_gpu_power_get(i, &f->gpus[i].power);
    }
    if (wg_cpu_fma_peak(NULL, 0, INFO_PEAK_SECONDS, &f->fma_peak_gflops) != WG_OK)
        f->fma_peak_gflops = NAN;
    (void)wg_energy_start_rapl(NULL, &f->rapl);
    return wg_cpu_bf16_peak(0, INFO_PEAK_SECONDS, &f->bf16);
}

/* Bytes as info has always written them: "unknown" below 0, "N B" below 1 KiB, else the
 * library's "32 KiB", "7.8 GiB". */
static const char *format_bytes(int64_t bytes, char *buf, size_t size)
{
    if (bytes < 0)
        snprintf(buf, size, "unknown");
    else if (bytes < 1024)
        snprintf(buf, size, "%lld B", (long long)bytes);
    else
        wg_format_bytes((double)bytes, buf, size);
    return buf;
}

/* "unknown" for a size the machine did not tell (0 or less). */
static const char *known_bytes(int64_t bytes, char *buf, size_t size)
{
    return bytes > 0 ? format_bytes(bytes, buf, size) : "unknown";
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

/* The SIMD features: the name in the text, the key in the JSON, and whether present. */
typedef struct feature {
    const char *text_name;
    const char *json_name;
    int present;
} feature;

#define FEATURE_COUNT 11

static void list_features(const wg_cpu_info *cpu, feature out[FEATURE_COUNT])
{
    const feature all[FEATURE_COUNT] = {
        {"SSE2", "sse2", cpu->sse2},          {"SSE4.2", "sse4_2", cpu->sse4_2},
        {"AVX", "avx", cpu->avx},             {"AVX2", "avx2", cpu->avx2},
        {"FMA", "fma", cpu->fma},             {"AVX-512F", "avx512f", cpu->avx512f},
        {"AVX-512BW", "avx512bw", cpu->avx512bw}, {"AVX-512VL", "avx512vl", cpu->avx512vl},
        {"AVX512-BF16", "avx512_bf16", cpu->avx512_bf16},
        {"AMX-TILE", "amx_tile", cpu->amx_tile}, {"AMX-BF16", "amx_bf16", cpu->amx_bf16},
    };
    memcpy(out, all, sizeof all);
}

/* ---------------------------------------------------------------- text ------------ */

static void print_text(const info_facts *f)
{
    const wg_cpu_info *cpu = &f->machine.cpu;
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
           known_bytes(cpu->l1d_bytes, a, sizeof a), known_bytes(cpu->l2_bytes, b, sizeof b),
           known_bytes(cpu->l3_bytes, c, sizeof c));
    printf("  memory            %s total, %s available\n",
           known_bytes(cpu->memory_bytes, a, sizeof a), format_bytes(f->available, b, sizeof b));
    printf("  peak, measured    FP32 FMA %.0f GFLOP/s (%s, %d threads)\n", f->fma_peak_gflops,
           wg_cpu_simd_level(cpu), cpu->omp_threads);
    for (int unit = 0; unit < WG_BF16_UNIT_COUNT; unit++) {
        if (isnan(f->bf16.gflops[unit]))
            printf("                    bf16 %s: not measured: %s\n",
                   wg_bf16_unit_name((wg_bf16_unit)unit), f->bf16.skipped[unit]);
        else
            printf("                    bf16 %s %.0f GFLOP/s%s\n",
                   wg_bf16_unit_name((wg_bf16_unit)unit), f->bf16.gflops[unit],
                   unit == f->bf16.best ? " (the CPU bf16 peak)" : "");
    }
    if (f->rapl.available)
        printf("  energy counter    RAPL, %d package%s\n", f->rapl.packages,
               f->rapl.packages == 1 ? "" : "s");
    else
        printf("  energy counter    unavailable: %s\n", f->rapl.reason);

    printf("\nGPU\n");
    printf("  whygpu built %s CUDA\n", wg_built_with_cuda() ? "with" : "without");
    if (f->gpu_error[0]) {
        printf("  GPU: none — %s\n", f->gpu_error);
        return;
    }
    for (int i = 0; i < f->gpu_count; i++) {
        const wg_gpu_info *gpu = &f->gpus[i].info;
        if (!f->gpus[i].ok) {
            printf("  GPU %d: %s\n", i, f->gpus[i].error);
            continue;
        }
        printf("  GPU %d             %s\n", gpu->index, gpu->name);
        printf("    compute capability  %d.%d\n", gpu->cc_major, gpu->cc_minor);
        printf("    SMs                 %d\n", gpu->sm_count);
        printf("    memory              %s total, %s free\n",
               format_bytes(gpu->total_memory_bytes, a, sizeof a),
               format_bytes(gpu->free_memory_bytes, b, sizeof b));
        printf("    SM clock            %d MHz\n", gpu->clock_khz / 1000);
        printf("    memory clock        %d MHz, %d-bit bus\n", gpu->memory_clock_khz / 1000,
               gpu->memory_bus_bits);
        printf("    L2 cache            %s\n", format_bytes(gpu->l2_bytes, a, sizeof a));
        printf("    shared memory / SM  %s\n",
               format_bytes(gpu->shared_memory_per_sm_bytes, a, sizeof a));
        printf("    driver / runtime    CUDA %s / %s\n",
               format_cuda_version(gpu->driver_version, a, sizeof a),
               format_cuda_version(gpu->runtime_version, b, sizeof b));
        char power[600];
        wg_gpu_power_format(&f->gpus[i].power, power, sizeof power);
        printf("    clock / power now   %s\n", power);
    }
}

/* The OpenCL devices of every platform (opencl:N), or why there are none. A CPU driver
 * (PoCL) is listed as what it is: a CPU pretending to be a GPU. */
static void print_opencl(void)
{
    char a[32], b[32];
    printf("\nOpenCL\n");
    printf("  whygpu built %s OpenCL\n", wg_built_with_opencl() ? "with" : "without");
    int count = 0;
    if (wg_opencl_device_count(&count) != WG_OK) {
        printf("  OpenCL: none — %s\n", wg_error_message());
        return;
    }
    const wg_kernel *clblast = NULL;
    const int have_clblast = wg_kernel_find(WG_DEVICE_OPENCL, "clblast", &clblast) == WG_OK &&
                             wg_kernel_available(clblast, 0) == WG_OK;
    printf("  CLBlast           %s\n", have_clblast ? "yes" : "no");
    for (int i = 0; i < count; i++) {
        wg_opencl_info d;
        if (wg_opencl_info_get(i, &d) != WG_OK) {
            printf("  opencl:%d: %s\n", i, wg_error_message());
            continue;
        }
        printf("  opencl:%d          %s (%s)\n", d.index, d.name, d.type);
        printf("    platform            %s (%s)\n", d.platform_name, d.platform_version);
        printf("    vendor, driver      %s, %s\n", d.vendor, d.driver_version);
        printf("    compute units       %d at %d MHz\n", d.compute_units, d.clock_mhz);
        printf("    memory              %s global, %s local per work-group\n",
               format_bytes(d.global_memory_bytes, a, sizeof a),
               format_bytes(d.local_memory_bytes, b, sizeof b));
        printf("    max work-group      %lld work-items\n", (long long)d.max_work_group_size);
        printf("    double precision    %s\n", d.fp64 ? "yes" : "no (whygpu train needs it)");
        if (d.is_cpu)
            printf("    note                a CPU pretending to be a GPU: its kernels run on this\n"
                   "                        machine's CPU cores\n");
    }
}

/* ---------------------------------------------------------------- JSON ------------ */

/* A key and its value, in one call. */
#define json_int_at(json, key, value) (wg_json_key(json, key), wg_json_int(json, value))
#define json_string_at(json, key, value) (wg_json_key(json, key), wg_json_string(json, value))

static void json_size_or_null(wg_json *json, const char *key, int64_t bytes)
{
    wg_json_key(json, key);
    if (bytes > 0)
        wg_json_int(json, bytes);
    else
        wg_json_null(json);
}

static void json_gpu(wg_json *json, const wg_gpu_info *gpu)
{
    char buf[32];
    json_int_at(json, "index", gpu->index);
    json_string_at(json, "name", gpu->name);
    snprintf(buf, sizeof buf, "%d.%d", gpu->cc_major, gpu->cc_minor);
    json_string_at(json, "compute_capability", buf);
    json_int_at(json, "cc_major", gpu->cc_major);
    json_int_at(json, "cc_minor", gpu->cc_minor);
    json_int_at(json, "sm_count", gpu->sm_count);
    json_int_at(json, "total_memory_bytes", gpu->total_memory_bytes);
    json_int_at(json, "free_memory_bytes", gpu->free_memory_bytes);
    json_int_at(json, "sm_clock_khz", gpu->clock_khz);
    json_int_at(json, "memory_clock_khz", gpu->memory_clock_khz);
    json_int_at(json, "memory_bus_bits", gpu->memory_bus_bits);
    json_int_at(json, "l2_bytes", gpu->l2_bytes);
    json_int_at(json, "shared_memory_per_sm_bytes", gpu->shared_memory_per_sm_bytes);
    json_string_at(json, "driver_version", format_cuda_version(gpu->driver_version, buf, sizeof buf));
    json_string_at(json, "runtime_version", format_cuda_version(gpu->runtime_version, buf, sizeof buf));
}

static int print_json(const info_facts *f, const char *command_line)
{
    const wg_cpu_info *cpu = &f->machine.cpu;
    feature features[FEATURE_COUNT];
    list_features(cpu, features);

    wg_json json;
    wg_json_document_begin(&json, stdout, "whygpu.info/1", command_line, &f->machine);

    wg_json_key(&json, "cpu");
    wg_json_begin_object(&json);
    json_string_at(&json, "vendor", cpu->vendor);
    json_string_at(&json, "model", cpu->model);
    json_int_at(&json, "logical_cpus", cpu->logical_cpus);
    json_int_at(&json, "physical_cores", cpu->physical_cores);
    json_int_at(&json, "omp_threads", cpu->omp_threads);
    wg_json_key(&json, "features");
    wg_json_begin_object(&json);
    for (int i = 0; i < FEATURE_COUNT; i++) {
        wg_json_key(&json, features[i].json_name);
        wg_json_bool(&json, features[i].present);
    }
    wg_json_end_object(&json);
    json_string_at(&json, "simd_level", wg_cpu_simd_level(cpu));
    json_size_or_null(&json, "l1d_bytes", cpu->l1d_bytes);
    json_size_or_null(&json, "l2_bytes", cpu->l2_bytes);
    json_size_or_null(&json, "l3_bytes", cpu->l3_bytes);
    json_size_or_null(&json, "memory_bytes", cpu->memory_bytes);
    json_size_or_null(&json, "memory_available_bytes", f->available);
    wg_json_key(&json, "fma_peak_gflops");
    wg_json_number(&json, f->fma_peak_gflops);
    wg_json_key(&json, "bf16_peaks");
    wg_json_begin_array(&json);
    for (int unit = 0; unit < WG_BF16_UNIT_COUNT; unit++) {
        wg_json_begin_object(&json);
        json_string_at(&json, "unit", wg_bf16_unit_name((wg_bf16_unit)unit));
        wg_json_key(&json, "gflops");
        wg_json_number(&json, f->bf16.gflops[unit]);
        json_string_at(&json, "skipped", f->bf16.skipped[unit][0] ? f->bf16.skipped[unit] : NULL);
        wg_json_end_object(&json);
    }
    wg_json_end_array(&json);
    wg_json_key(&json, "bf16_peak_gflops");
    wg_json_number(&json, f->bf16.best_gflops);
    wg_json_key(&json, "energy_counter"); /* (gpu-energy) RAPL, or why not */
    wg_json_begin_object(&json);
    wg_json_key(&json, "source"); wg_json_string(&json, "rapl");
    wg_json_key(&json, "available"); wg_json_bool(&json, f->rapl.available);
    wg_json_key(&json, "packages"); wg_json_int(&json, f->rapl.packages);
    wg_json_key(&json, "reason"); wg_json_string(&json, f->rapl.available ? NULL : f->rapl.reason);
    wg_json_end_object(&json);
    wg_json_end_object(&json);

    wg_json_key(&json, "gpu");
    wg_json_begin_object(&json);
    wg_json_key(&json, "built_with_cuda");
    wg_json_bool(&json, wg_built_with_cuda());
    json_int_at(&json, "count", f->gpu_count);
    json_string_at(&json, "error", f->gpu_error[0] ? f->gpu_error : NULL);
    wg_json_key(&json, "devices");
    wg_json_begin_array(&json);
    for (int i = 0; i < f->gpu_count; i++) {
        wg_json_begin_object(&json);
        if (f->gpus[i].ok) {
            json_gpu(&json, &f->gpus[i].info);
            wg_json_key(&json, "clock_power"); /* (gpu-energy) */
            wg_json_gpu_power(&json, &f->gpus[i].power);
        } else {
            json_int_at(&json, "index", i);
            json_string_at(&json, "error", f->gpus[i].error);
        }
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

    static info_facts facts;
    wg_status status = info_facts_get(&facts);
    if (status != WG_OK) return cli_failure("info", status);
    if (as_json) {
        char command[1024];
        cli_command_line(argc, argv, "info", command, sizeof command);
        return print_json(&facts, command);
    }
    print_text(&facts);
    print_opencl();
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
