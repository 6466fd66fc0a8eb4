/*
 * test_measure_index.c - the index arithmetic of the GPU measurement kernels
 * (src/cuda/measure_index.h), run on the CPU: the unrolled STREAM copy writes every element
 * of every size for every grid; the read sweep's slices cover the whole buffer in every
 * pass, every block sees the whole buffer over a round of passes, and no two blocks share a
 * slice once the buffer holds 4 KiB per block: the same rule from 4 KiB to 1 GiB.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cuda/measure_index.h"

TEST(measure_index_copy_covers_every_element)
{
    static const int64_t sizes[] = {1, 3, 4, 7, 255, 1000, 4099};
    static const int64_t strides[] = {1, 2, 3, 32, 256, 1000, 5000};
    wg_f4 *a = malloc(4099 * sizeof *a), *c = malloc(4099 * sizeof *c);
    REQUIRE(a && c);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int64_t n4 = sizes[s];
        for (size_t g = 0; g < sizeof strides / sizeof strides[0]; g++) {
            const int64_t stride = strides[g];
            for (int64_t i = 0; i < n4; i++) {
                a[i] = (wg_f4){(float)i, 1.0f, 2.0f, (float)-i};
                c[i] = (wg_f4){-1.0f, -1.0f, -1.0f, -1.0f};
            }
            for (int64_t t = 0; t < stride; t++) wg_copy_thread(a, c, n4, t, stride);
            int64_t wrong = 0;
            for (int64_t i = 0; i < n4; i++) wrong += memcmp(&a[i], &c[i], sizeof a[i]) != 0;
            CHECK_MSG(wrong == 0, "%lld float4s of %lld not copied with a grid of %lld threads",
                      (long long)wrong, (long long)n4, (long long)stride);
        }
    }
    free(a);
    free(c);
}

/* The slices of one size: every pass covers the buffer (circularly, with the span), every
 * block meets every slice within `shares` passes, one block per slice once there is room. */
static void check_read_plan(int64_t n4, int blocks)
{
    const int shares = wg_read_shares(n4, blocks);
    const int64_t span = wg_read_span(n4, shares);
    CHECK_MSG(shares >= 1 && shares <= blocks, "%d slices for %d blocks", shares, blocks);
    if (n4 >= (int64_t)WG_READ_THREADS * blocks)
        CHECK_MSG(shares == blocks, "n4 %lld: %d slices for %d blocks", (long long)n4, shares,
                  blocks);
    /* a block reads about 1/shares of the buffer per pass at every size */
    CHECK_MSG(span >= n4 / shares && span <= n4 / shares + 9, "n4 %lld: span %lld, %d slices",
              (long long)n4, (long long)span, shares);

    /* pass 0 (any pass: the slices are the same, only which block reads which rotates) */
    char *seen = calloc((size_t)shares, 1);
    REQUIRE(seen);
    int64_t gap_worst = 0;
    for (int b = 0; b < blocks; b++) {
        const int64_t start = wg_read_start(n4, shares, b, 0);
        CHECK(start >= 0 && start < n4 && start % 8 == 0);
        seen[((int64_t)b) % shares] = 1;
    }
    for (int s = 0; s < shares; s++) {
        CHECK_MSG(seen[s], "n4 %lld: slice %d not read in pass 0", (long long)n4, s);
        const int64_t here = wg_read_start(n4, shares, s, 0);
        const int64_t next = s + 1 < shares ? wg_read_start(n4, shares, s + 1, 0) : n4;
        if (next - here > gap_worst) gap_worst = next - here;
    }
    CHECK_MSG(gap_worst <= span, "n4 %lld: a gap of %lld float4s between slices, span %lld",
              (long long)n4, (long long)gap_worst, (long long)span);

    /* blocks 0 and the last over one round of passes: every slice */
    const int probe[2] = {0, blocks - 1};
    for (int k = 0; k < 2; k++) {
        memset(seen, 0, (size_t)shares);
        int count = 0;
        for (int p = 0; p < shares; p++) {
            const int64_t start = wg_read_start(n4, shares, probe[k], p);
            for (int s = 0; s < shares; s++)
                if (wg_read_start(n4, shares, s, 0) == start && !seen[s]) {
                    seen[s] = 1;
                    count++;
                    break;
                }
        }
        CHECK_MSG(count == shares, "n4 %lld: block %d meets %d of %d slices in %d passes",
                  (long long)n4, probe[k], count, shares, shares);
    }
    free(seen);
}

TEST(measure_index_read_one_pattern_at_every_size)
{
    static const int blocks[] = {264, 216, 80, 1}; /* H100, A100 (2 per SM), T4, one */
    for (size_t g = 0; g < sizeof blocks / sizeof blocks[0]; g++)
        for (int64_t bytes = 4096; bytes <= (INT64_C(1) << 30); bytes *= 2) {
            check_read_plan(bytes / 16, blocks[g]);
            check_read_plan(bytes / 16 * 3 / 2, blocks[g]); /* between the powers of two */
        }
}
