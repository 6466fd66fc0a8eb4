/*
 * latency_cpu.c - load-to-use latency by working set (wg_cpu_load_latency): a pointer
 * chase through a random cycle over every cache line of a buffer. Each load's address is
 * the value of the previous load, so loads cannot overlap and the prefetchers cannot
 * guess: the time per step is the latency of whichever level of the memory hierarchy the
 * buffer fits in.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "../cpu/cpu_backend.h"
#include "../error.h"
#include "measure.h"

#define LINE 64

/* A small, fast generator for the shuffle (xorshift64*): any decent mixing will do. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Links every line of buf into one random cycle (Sattolo's algorithm: a uniformly random
 * cyclic permutation, so the chase visits every line before it repeats). The first word
 * of each line holds the address of the next line. */
static wg_status build_cycle(char *buf, int64_t lines)
{
    uint32_t *order = NULL;
    void *mem = NULL;
    wg_status status = wg_cpu_alloc(0, (size_t)lines * sizeof *order, &mem);
    if (status != WG_OK) return status;
    order = mem;
    for (int64_t i = 0; i < lines; i++) order[i] = (uint32_t)i;
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int64_t i = lines - 1; i > 0; i--) {
        int64_t j = (int64_t)(next_random(&state) % (uint64_t)i); /* j < i: Sattolo */
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int64_t i = 0; i < lines; i++) {
        char *from = buf + (int64_t)order[i] * LINE;
        char *to = buf + (int64_t)order[(i + 1) % lines] * LINE;
        memcpy(from, &to, sizeof to);
    }
    wg_cpu_release(0, order);
    return WG_OK;
}

/* Follows `steps` links from p; returns where it ended (so the chase is not dead code). */
static void *chase(void *p, int64_t steps)
{
    void *volatile *q = p;
    for (int64_t i = 0; i < steps; i += 8) {
        q = (void *volatile *)*q; q = (void *volatile *)*q;
        q = (void *volatile *)*q; q = (void *volatile *)*q;
        q = (void *volatile *)*q; q = (void *volatile *)*q;
        q = (void *volatile *)*q; q = (void *volatile *)*q;
    }
    return (void *)q;
}

wg_status wg_cpu_load_latency(int64_t bytes, double min_seconds, double *ns)
{
    if (!ns) return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_load_latency: ns is NULL");
    if (bytes < 4096)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_load_latency: bytes %" PRId64 " < 4096", bytes);
    if (!(min_seconds > 0) || min_seconds > 3600)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_load_latency: min_seconds %g is not in (0, 3600]",
                       min_seconds);
    int64_t lines = bytes / LINE;
    if (lines > UINT32_MAX)
        return wg_fail(WG_ERR_ARGUMENT, "wg_cpu_load_latency: %" PRId64 " bytes is too many lines",
                       bytes);
    /* At least 4 MiB, so wg_cpu_alloc gives 2 MiB pages even to a small working set: with
     * 4 KiB pages the chase would show the TLB's reach (a few hundred KiB) as a step, not
     * the caches'. Only the first `bytes` are used. */
    int64_t alloc_bytes = lines * LINE < ((int64_t)4 << 20) ? (int64_t)4 << 20 : lines * LINE;
    void *buf = NULL;
    wg_status status = wg_cpu_alloc(0, (size_t)alloc_bytes, &buf);
    if (status != WG_OK) return wg_fail_context(status, "wg_cpu_load_latency");
    status = build_cycle(buf, lines);
    if (status != WG_OK) {
        wg_cpu_release(0, buf);
        return status;
    }
    /* Calibrate: double the steps until one run lasts a third of min_seconds. */
    void *p = buf;
    int64_t steps = 1024;
    double elapsed = 0.0;
    for (;;) {
        double start = wg_now();
        p = chase(p, steps);
        elapsed = wg_now() - start;
        if (elapsed >= min_seconds / 3 || steps > ((int64_t)1 << 40)) break;
        steps *= 2;
    }
    double best = elapsed / (double)steps;
    for (int trial = 0; trial < 3; trial++) {
        double start = wg_now();
        p = chase(p, steps);
        double per_step = (wg_now() - start) / (double)steps;
        if (per_step < best) best = per_step;
    }
    int landed = p != NULL; /* always true: uses the chase's result */
    wg_cpu_release(0, buf);
    *ns = best * 1e9 * landed;
    return WG_OK;
}
