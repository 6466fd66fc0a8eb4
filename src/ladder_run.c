/*
 * ladder_run.c - `whygpu ladder`'s measurement (wg_ladder_measure in whygpu_lab.h): every
 * rung and cuBLAS reference at one size, each probed, checked against float64 with C
 * poisoned with NaN, then timed; and the float64 check itself (Frobenius relative error,
 * in full or over sampled elements).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "whygpu_lab.h"

/* ---------------------------------------------------------------- the check ------- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return h;
}

wg_status wg_ladder_reference_make(const wg_gemm_args *g, uint64_t seed, wg_ladder_reference *out)
{
    if (!g || !out) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_reference_make: NULL argument");
    memset(out, 0, sizeof *out);
    const int64_t m = g->m, n = g->n, k = g->k;
    const int full = (double)m * (double)n * (double)k <= (double)WG_LADDER_CHECK_FULL_LIMIT;
    const int64_t count = full ? m * n : WG_LADDER_CHECK_SAMPLES;
    out->row = malloc((size_t)count * sizeof *out->row);
    out->col = malloc((size_t)count * sizeof *out->col);
    out->value = malloc((size_t)count * sizeof *out->value);
    if (!out->row || !out->col || !out->value) {
        wg_ladder_reference_free(out);
        return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate the float64 reference of %" PRId64
                       " elements in host memory: %s", count, strerror(ENOMEM));
    }
    out->count = count;
    out->full = full;
    for (int64_t s = 0; s < count; s++) {
        int64_t i, j;
        if (full) {
            i = s / n;
            j = s % n;
        } else if (s < 5) { /* corners, and the first element past the last full tile */
            const int64_t edge_i = m / 128 * 128 < m ? m / 128 * 128 : m - 1;
            const int64_t edge_j = n / 128 * 128 < n ? n / 128 * 128 : n - 1;
            const int64_t rows[5] = {0, m - 1, 0, m - 1, edge_i};
            const int64_t cols[5] = {0, n - 1, n - 1, 0, edge_j};
            i = rows[s];
            j = cols[s];
        } else {
            const uint64_t h = mix(seed * 0x9E3779B97F4A7C15ull + (uint64_t)s);
            i = (int64_t)(h % (uint64_t)m);
            j = (int64_t)(mix(h) % (uint64_t)n);
        }
        out->row[s] = i;
        out->col[s] = j;
    }
    const float *a = g->a, *b = g->b;
#pragma omp parallel for schedule(static)
    for (int64_t s = 0; s < count; s++) {
        const int64_t i = out->row[s], j = out->col[s];
        double sum = 0.0;
        for (int64_t p = 0; p < k; p++) {
            const double av = g->trans_a ? a[p * g->lda + i] : a[i * g->lda + p];
            const double bv = g->trans_b ? b[j * g->ldb + p] : b[p * g->ldb + j];
            sum += av * bv;
        }
        out->value[s] = (double)g->alpha * sum;
    }
    return WG_OK;
}

void wg_ladder_reference_free(wg_ladder_reference *ref)
{
    if (!ref) return;
    free(ref->row);
    free(ref->col);
    free(ref->value);
    memset(ref, 0, sizeof *ref);
}

void wg_ladder_check(const wg_ladder_reference *ref, const float *c, int64_t m, int64_t n,
                     int64_t ldc, wg_ladder_check_result *out)
{
    int64_t not_finite = 0;
#pragma omp parallel for reduction(+ : not_finite) schedule(static)
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) not_finite += !isfinite(c[i * ldc + j]);
    double diff = 0.0, norm = 0.0;
    int nan_seen = 0;
    for (int64_t s = 0; s < ref->count; s++) {
        const double got = c[ref->row[s] * ldc + ref->col[s]];
        if (!isfinite(got)) nan_seen = 1;
        const double d = got - ref->value[s];
        diff += d * d;
        norm += ref->value[s] * ref->value[s];
    }
    out->not_finite = not_finite;
    out->relative_error = nan_seen ? INFINITY : norm > 0 ? sqrt(diff / norm) : sqrt(diff);
}

/* ---------------------------------------------------------------- the entries ----- */

/* The CUDA registry's entry of a rung (use_cublas 0) or of its precision's cuBLAS. */
static const wg_kernel *entry_kernel(const wg_ladder_rung *rung, int use_cublas)
{
    for (int i = 0; i < wg_kernel_count(WG_DEVICE_CUDA); i++) {
        const wg_kernel *k = wg_kernel_at(WG_DEVICE_CUDA, i);
        if (use_cublas ? k->vendor && k->precision == rung->precision : k->rung == rung->number)
            return k;
    }
    return NULL;
}

/* An entry before it is measured: nothing known yet (NaN rates and error). */
static void entry_init(wg_ladder_entry *entry, const wg_kernel *kernel, int rung, int vendor,
                       wg_precision precision, const char *name)
{
    memset(entry, 0, sizeof *entry);
    entry->kernel = kernel;
    entry->rung = rung;
    entry->use_cublas = vendor;
    entry->precision = precision;
    entry->name = name;
    entry->bound = wg_ladder_error_bound(precision);
    entry->tflops = NAN;
    entry->percent_of_cublas = NAN;
    entry->check.relative_error = NAN;
}

/* The table's order: rungs 1-6, cuBLAS FP32, rungs 7 and 10, cuBLAS TF32, rungs 8, 9 and
 * 11, cuBLAS BF16 (each precision's rungs above its cuBLAS); with `only`, that entry and the
 * cuBLAS reference of its precision. Returns the count. */
static int init_cuda_entries(const wg_kernel *only, wg_ladder_entry entries[WG_LADDER_ENTRIES])
{
    static const int order[WG_LADDER_ENTRIES][2] = {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0},
                                                    {6, 0}, {1, 1}, {7, 0}, {10, 0}, {7, 1},
                                                    {8, 0}, {9, 0}, {11, 0}, {8, 1}};
    int count = 0;
    for (int e = 0; e < WG_LADDER_ENTRIES; e++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(order[e][0]);
        const wg_kernel *kernel = entry_kernel(rung, order[e][1]);
        if (only && kernel != only && !(order[e][1] && kernel->precision == only->precision))
            continue;
        if (only && only->vendor && !order[e][1]) continue;
        entry_init(&entries[count++], kernel, rung->number, order[e][1], rung->precision,
                   order[e][1] ? wg_ladder_cublas_name(rung->precision) : rung->name);
    }
    return count;
}

/* Another device kind's ladder (OpenCL): its registry's rungs in order, then its vendor
 * library (CLBlast); with `only`, that entry and the vendor entry of its precision. */
static int init_registry_entries(wg_device_kind kind, const wg_kernel *only,
                                 wg_ladder_entry entries[WG_LADDER_ENTRIES])
{
    int count = 0;
    for (int pass = 0; pass < 2; pass++) /* rungs, then vendor libraries */
        for (int i = 0; i < wg_kernel_count(kind) && count < WG_LADDER_ENTRIES; i++) {
            const wg_kernel *kernel = wg_kernel_at(kind, i);
            if (pass == 0 ? kernel->rung < 1 : !kernel->vendor) continue;
            if (only && kernel != only && !(kernel->vendor && kernel->precision == only->precision))
                continue;
            entry_init(&entries[count++], kernel, kernel->rung, kernel->vendor,
                       kernel->precision, kernel->name);
        }
    return count;
}

static int init_entries(wg_device_kind kind, const wg_kernel *only,
                        wg_ladder_entry entries[WG_LADDER_ENTRIES])
{
    return kind == WG_DEVICE_CUDA ? init_cuda_entries(only, entries)
                                  : init_registry_entries(kind, only, entries);
}

/* A prepared product (inputs converted once) as wg_timeit calls it. */
static wg_status call_entry(void *context) { return wg_gemm_run_prepared(context); }

/* Prepares, runs once and waits: the probe's and the check's untimed calls. */
static wg_status run_once(wg_device device, const wg_kernel *kernel, const wg_gemm_args *args,
                          double *seconds)
{
    wg_gemm_prepared *prepared = NULL;
    wg_status status = wg_gemm_prepare(device, kernel, args, &prepared);
    if (status != WG_OK) return status;
    const double start = wg_now();
    status = call_entry(prepared);
    if (status == WG_OK) status = wg_synchronize(device);
    if (seconds) *seconds = wg_now() - start;
    wg_gemm_prepared_free(prepared);
    return status;
}

/* One call at the probe size (the top-left corner of the same matrices), after one
 * untimed call, to estimate a call at the full size: seconds * (n / probe)^3. */
static wg_status probe_entry(const wg_ladder_options *o, wg_ladder_entry *entry,
                             const wg_gemm_args *full)
{
    const int64_t n = full->m, p = n < WG_LADDER_PROBE_SIZE ? n : WG_LADDER_PROBE_SIZE;
    wg_gemm_args args = *full;
    args.m = args.n = args.k = p;
    double seconds = 0;
    wg_status status = run_once(o->device, entry->kernel, &args, NULL); /* first launch */
    if (status == WG_OK) status = run_once(o->device, entry->kernel, &args, &seconds);
    if (status != WG_OK) return status;
    const double scale = (double)n / (double)p;
    entry->probe_s = seconds;
    entry->estimate_s = seconds * scale * scale * scale;
    return WG_OK;
}

/* Probe; poison, run once, check; then time. Returns a library failure, not a failed check. */
static wg_status run_entry(const wg_ladder_options *o, wg_ladder_result *run,
                           wg_ladder_entry *entry, const wg_gemm_args *args, float *c_host,
                           const wg_ladder_reference *ref)
{
    const int64_t n = run->n;
    const double max_call_s = o->max_call_s > 0 ? o->max_call_s : 10.0;
    /* A kernel this GPU cannot run (a rung built for sm_80 and later on a T4) is skipped
     * with the reason, not failed. */
    wg_status status = o->device.kind == WG_DEVICE_CUDA
                           ? wg_kernel_available(entry->kernel, o->device.index) : WG_OK;
    if (status == WG_ERR_UNSUPPORTED) {
        snprintf(entry->skipped, sizeof entry->skipped, "%s", wg_error_message());
        return WG_OK;
    }
    if (status != WG_OK) return status;
    status = probe_entry(o, entry, args);
    if (status != WG_OK) return status;
    if (entry->estimate_s > max_call_s) {
        snprintf(entry->skipped, sizeof entry->skipped,
                 "one call would take about %.3g s at n=%" PRId64 " (from %.3g s at n=%d), "
                 "over --max-call-seconds %.3g", entry->estimate_s, n, entry->probe_s,
                 n < WG_LADDER_PROBE_SIZE ? (int)n : WG_LADDER_PROBE_SIZE, max_call_s);
        return WG_OK;
    }
    /* the checked run: C full of NaN, so anything the kernel does not write stays NaN */
    for (int64_t i = 0; i < n * n; i++) c_host[i] = NAN;
    const int64_t shape[2] = {n, n};
    wg_tensor *poisoned = NULL;
    status = wg_tensor_from_host(2, shape, c_host, o->device, &poisoned);
    if (status == WG_OK) {
        wg_gemm_args checked = *args;
        checked.c = wg_tensor_data(poisoned);
        status = run_once(o->device, entry->kernel, &checked, NULL);
        if (status == WG_OK) status = wg_tensor_to_host(poisoned, c_host, n * n);
        wg_tensor_free(poisoned);
    }
    if (status != WG_OK) return status;
    wg_ladder_check(ref, c_host, n, n, n, &entry->check);
    entry->check_passed = entry->check.not_finite == 0 &&
                          entry->check.relative_error <= entry->bound;
    wg_gemm_prepared *prepared = NULL;
    status = wg_gemm_prepare(o->device, entry->kernel, args, &prepared);
    if (status != WG_OK) return status;
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = o->repeat;
    t.repeat_budget_s = 3.0; /* long calls: max(3, 3 s / call) repeats */
    t.progress = o->progress;
    t.progress_context = o->progress_context;
    if (o->on_entry) o->on_entry(o->progress_context, run, entry, 1);
    status = wg_timeit(o->device, call_entry, prepared, &t, &entry->time);
    if (o->on_entry) o->on_entry(o->progress_context, run, entry, 0);
    wg_gemm_prepared_free(prepared);
    if (status == WG_OK) {
        entry->measured = 1;
        entry->tflops = 2.0 * (double)n * (double)n * (double)n / entry->time.median_s / 1e12;
    }
    return status;
}

/* GPU memory: A, B, C (and the poisoned copy) in FP32 plus BF16 copies of A and B; host:
 * A, B and C. */
static wg_status check_memory(const wg_ladder_options *o)
{
    const double nn = (double)o->n * (double)o->n;
    const double gpu_needed = nn * (4.0 * 4 + 2.0 * 2), host_needed = nn * 4.0 * 3;
    wg_gpu_info info;
    if (o->device.kind == WG_DEVICE_CUDA && wg_gpu_info_get(o->device.index, &info) == WG_OK &&
        gpu_needed > (double)info.free_memory_bytes)
        return wg_fail(WG_ERR_NO_MEMORY, "--size %" PRId64 " needs %.3g GiB of GPU memory on "
                       "cuda:%d; %.1f GiB is free", o->n, gpu_needed / 1073741824.0,
                       o->device.index, (double)info.free_memory_bytes / 1073741824.0);
    const int64_t available = wg_host_memory_available();
    if (available >= 0 && host_needed > (double)available)
        return wg_fail(WG_ERR_NO_MEMORY, "--size %" PRId64 " needs %.3g GiB of host memory; "
                       "%.1f GiB is available", o->n, host_needed / 1073741824.0,
                       (double)available / 1073741824.0);
    return WG_OK;
}

wg_status wg_ladder_measure(const wg_ladder_options *o, wg_ladder_result *run)
{
    if (!o || !run) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_measure: NULL argument");
    if (o->n < 1) return wg_fail(WG_ERR_ARGUMENT, "wg_ladder_measure: n=%" PRId64, o->n);
    if (o->device.kind != WG_DEVICE_CUDA && o->device.kind != WG_DEVICE_OPENCL)
        return wg_fail(WG_ERR_ARGUMENT, "the ladder's kernels run on a GPU (cuda, cuda:N, opencl "
                       "or opencl:N)");
    if (o->only && o->only->device != o->device.kind)
        return wg_fail(WG_ERR_ARGUMENT, "the ladder on %s runs %s kernels, not '%s'",
                       o->device.kind == WG_DEVICE_CUDA ? "CUDA" : "OpenCL",
                       o->device.kind == WG_DEVICE_CUDA ? "CUDA" : "OpenCL", o->only->name);
    memset(run, 0, sizeof *run);
    const int64_t n = o->n;
    run->n = n;
    run->count = init_entries(o->device.kind, o->only, run->entries);
    if (o->precision_only) { /* ladder --dtype: keep the entries of that precision */
        int kept = 0;
        for (int e = 0; e < run->count; e++)
            if (run->entries[e].precision == o->precision) run->entries[kept++] = run->entries[e];
        run->count = kept;
    }
    wg_status status = wg_device_check(o->device);
    if (status == WG_OK) status = check_memory(o);
    if (status != WG_OK) return status;
    const int64_t shape[2] = {n, n};
    wg_tensor *a_host = NULL, *b_host = NULL, *a = NULL, *b = NULL, *c = NULL;
    float *c_host = malloc((size_t)(n * n) * sizeof *c_host);
    wg_ladder_reference ref = {0};
    if (!c_host)
        status = wg_fail(WG_ERR_NO_MEMORY, "cannot allocate C, %" PRId64 "x%" PRId64 " floats "
                         "(%.1f GiB), in host memory: %s", n, n,
                         (double)n * (double)n * 4.0 / (1 << 30), strerror(errno));
    if (status == WG_OK) status = wg_tensor_rand(2, shape, -1.0f, 1.0f, o->seed, wg_cpu(), &a_host);
    if (status == WG_OK) status = wg_tensor_rand(2, shape, -1.0f, 1.0f, o->seed + 1, wg_cpu(), &b_host);
    if (status == WG_OK) status = wg_tensor_to(a_host, o->device, &a);
    if (status == WG_OK) status = wg_tensor_to(b_host, o->device, &b);
    if (status == WG_OK) status = wg_tensor_empty(2, shape, o->device, &c);
    if (status == WG_OK) {
        const wg_gemm_args host_args = {.m = n, .n = n, .k = n, .alpha = 1.0f,
                                        .a = wg_tensor_host_data(a_host), .lda = n,
                                        .b = wg_tensor_host_data(b_host), .ldb = n,
                                        .c = c_host, .ldc = n};
        status = wg_ladder_reference_make(&host_args, o->seed, &ref);
        run->full_check = ref.full;
        run->check_elements = ref.count;
    }
    if (status == WG_OK) {
        const wg_gemm_args args = {.m = n, .n = n, .k = n, .alpha = 1.0f, .beta = 0.0f,
                                   .a = wg_tensor_data(a), .lda = n,
                                   .b = wg_tensor_data(b), .ldb = n,
                                   .c = wg_tensor_data(c), .ldc = n};
        for (int e = 0; e < run->count && status == WG_OK; e++)
            status = run_entry(o, run, &run->entries[e], &args, c_host, &ref);
    }
    /* % of cuBLAS: each rung against the cuBLAS entry of its precision, measured here */
    for (int e = 0; e < run->count; e++) {
        wg_ladder_entry *entry = &run->entries[e];
        if (entry->use_cublas || !entry->measured) continue;
        for (int r = 0; r < run->count; r++) {
            const wg_ladder_entry *ref_entry = &run->entries[r];
            if (ref_entry->use_cublas && ref_entry->precision == entry->precision &&
                ref_entry->measured)
                entry->percent_of_cublas = 100.0 * entry->tflops / ref_entry->tflops;
        }
    }
    wg_ladder_reference_free(&ref);
    wg_tensor_free(a_host); wg_tensor_free(b_host);
    wg_tensor_free(a); wg_tensor_free(b); wg_tensor_free(c);
    free(c_host);
    return status;
}
