/*
 * ladder_emulate.cpp - runs every rung of the GPU matmul ladder on CPU threads through
 * cuda_shim.h and checks it against float64: awkward sizes, all four transposes, padded and
 * misaligned leading dimensions, alpha and beta, C poisoned with NaN (beta == 0) and the
 * gaps between its rows checked untouched, grids capped so blocks loop over tiles. The
 * Hopper rungs (9, 10) read K-major copies (A m x k, B n x k, rows padded to 16 bytes) as
 * wg_cuda_gemm_prepare makes them, and also run longer products whose many k-steps wrap
 * the mbarrier ring's phases, some with one block looping over every tile. Rung 11 runs
 * its 2-CTA clusters with both CTAs at once (multicast into both, remote arrivals), and
 * more cases where fewer clusters "fit on the GPU" than there are cluster tiles, so the
 * persistent loop carries the ring's phases across tiles, with odd tile-row counts. Built
 * with AddressSanitizer by scripts/ladder-emulate.sh, so a read or write outside A, B, C
 * or a shared-memory array stops it.
 *
 *   ladder_emulate [RUNG...]      (default: every rung)
 *   EMU_CASE=N ladder_emulate 11  (only case N of the rung's list: for debugging)
 *
 * Exit status 0 when every case passes. This checks the kernels' logic, not the GPU.
 */
#include "cuda_shim.h"

#include <cinttypes>

#include "ladder.h"
#include "cuda/ladder_cuda.h"

/* ladder.c's running functions are not used here (the harness calls the launchers
 * directly); these stand in for the library they would call. */
extern "C" wg_status wg_gemm_args_check(const char *, const wg_gemm_args *) { std::abort(); }
extern "C" wg_status wg_synchronize(wg_device) { std::abort(); }

typedef wg_status (*launcher)(const wg_ladder_plan *, const wg_gemm_args *);
static const launcher launchers[WG_LADDER_RUNGS + 1] = {
    nullptr, wg_ladder_launch_1, wg_ladder_launch_2, wg_ladder_launch_3, wg_ladder_launch_4,
    wg_ladder_launch_5, wg_ladder_launch_6, wg_ladder_launch_7, wg_ladder_launch_8,
    wg_ladder_launch_9, wg_ladder_launch_10, wg_ladder_launch_11};

struct gemm_case {
    int64_t m, n, k;
    int ld_pad;     /* added to each leading dimension */
    int misalign;   /* 1: A and B start 4 bytes past a 16-byte boundary */
    float alpha, beta;
    unsigned max_grid; /* 0: the plan's grid; else cap grid x and y (blocks loop) */
    int clusters_fit = 0; /* rung 11: clusters the emulated GPU runs at once (0: all) */
};

static const gemm_case cases[] = {
    {1, 1, 1, 0, 0, 1.0f, 0.0f, 0},       {7, 5, 3, 0, 0, 1.0f, 0.0f, 0},
    {33, 65, 17, 3, 0, 1.5f, 0.0f, 0},    {129, 130, 31, 0, 0, 1.0f, 0.5f, 0},
    {128, 128, 64, 0, 0, 1.0f, 0.0f, 0},  {64, 128, 16, 4, 0, -2.0f, 1.0f, 0},
    {200, 150, 40, 0, 1, 1.0f, 0.0f, 0},  {257, 129, 50, 1, 0, 1.0f, 0.0f, 1},
    {140, 300, 33, 0, 0, 0.75f, -1.0f, 2}, {1, 300, 70, 0, 0, 1.0f, 0.0f, 0},
    {300, 1, 70, 2, 0, 1.0f, 0.0f, 0},
    /* whole tiles and more k-tiles than pipeline stages (rung 6's interior path, float4 C) */
    {256, 256, 96, 0, 0, 1.0f, 0.5f, 0},   {256, 192, 80, 4, 0, 1.0f, 0.0f, 1},
};

/* More for the Hopper rungs: k-steps beyond the 4-stage ring (phases wrap), tiles looped
 * over by a capped grid (the ring's phases carry across tiles), edges in every dimension. */
static const gemm_case hopper_cases[] = {
    {130, 300, 600, 0, 0, 1.0f, 0.0f, 1}, {257, 513, 200, 3, 0, 1.0f, 0.5f, 2},
    {128, 256, 512, 0, 0, 1.0f, 0.0f, 0}, {64, 40, 1000, 1, 0, -1.0f, 0.0f, 0},
};

/* And for the persistent cluster rung (11): more cluster tiles (pairs of 128-row tiles x
 * 256 columns) than clusters that fit, so each cluster walks several tiles with the ring's
 * phases running on; odd tile-row counts (the last pair's second CTA below the matrix);
 * k-steps that are not a multiple of the ring. */
static const gemm_case cluster_cases[] = {
    {700, 600, 300, 0, 0, 1.0f, 0.0f, 0, 2},  /* 3 x 3 cluster tiles on 2 clusters */
    {300, 513, 200, 2, 0, 0.5f, 1.0f, 0, 3},  /* 3 tile rows: 2 pairs, the last one half */
    {129, 1000, 450, 0, 0, 1.0f, 0.0f, 0, 1}, /* one cluster walks 4 tiles, 8 k-steps each */
};

static uint64_t state = 88172645463325252ull;
static float next_random()
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (float)((double)(state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

/* Exactly the elements a stored rows x cols matrix with ld spans, so ASan sees any read
 * past them; `misalign` shifts the start by one float. */
struct buffer {
    char *raw = nullptr;
    void *data = nullptr;
    buffer(size_t bytes, int misalign)
    {
        const size_t offset = misalign ? 4 : 0;
        raw = static_cast<char *>(std::aligned_alloc(64, (bytes + offset + 63) / 64 * 64));
        if (!raw) std::abort();
        data = raw + offset;
    }
    ~buffer() { std::free(raw); }
};

static int64_t span(int64_t rows, int64_t cols, int64_t ld) { return (rows - 1) * ld + cols; }

/* Runs one case; returns 1 if it passed. */
static int run_case(int rung_number, int variant, const gemm_case &gc, int trans_a, int trans_b)
{
    const wg_ladder_rung *rung = wg_ladder_rung_find(rung_number);
    const bool bf16 = rung->precision == WG_PRECISION_BF16;
    const bool k_major = WG_LADDER_K_MAJOR(rung_number);
    const int64_t m = gc.m, n = gc.n, k = gc.k;
    const int64_t a_rows = trans_a ? k : m, a_cols = trans_a ? m : k;
    const int64_t b_rows = trans_b ? n : k, b_cols = trans_b ? k : n;
    const int64_t lda = a_cols + gc.ld_pad, ldb = b_cols + gc.ld_pad, ldc = n + gc.ld_pad;
    std::vector<float> a(span(a_rows, a_cols, lda)), b(span(b_rows, b_cols, ldb));
    for (auto &v : a) v = next_random();
    for (auto &v : b) v = next_random();
    const int64_t c_len = span(m, n, ldc);
    buffer c_buf(c_len * sizeof(float), 0);
    float *c = static_cast<float *>(c_buf.data);
    std::vector<float> c0(c_len);
    for (int64_t i = 0; i < c_len; i++) {
        const bool gap = i % ldc >= n;
        c0[i] = gap ? 12345.0f : gc.beta == 0.0f ? NAN : next_random();
        c[i] = c0[i];
    }
    wg_gemm_args ops = {};
    ops.trans_a = trans_a; ops.trans_b = trans_b;
    ops.m = m; ops.n = n; ops.k = k;
    ops.alpha = gc.alpha; ops.beta = gc.beta;
    ops.c = c; ops.ldc = ldc;
    const int esize = bf16 ? 2 : 4;
    /* K-major rungs: op(A) as m x k and op(B)^T as n x k, rows padded to 16 bytes (and by
     * the case's ld_pad rounded up to 16 bytes too) */
    const int64_t per16 = 16 / esize;
    const int64_t kld = (k + gc.ld_pad + per16 - 1) / per16 * per16;
    buffer ka_buf(k_major ? span(m, k, kld) * esize : 1, 0);
    buffer kb_buf(k_major ? span(n, k, kld) * esize : 1, 0);
    if (k_major) {
        /* row x of the copy holds op(X)[x][0..k) (A) or op(B)[0..k)[x] (B) */
        auto fill = [&](void *dst, int64_t rows, const std::function<float(int64_t, int64_t)> &at) {
            for (int64_t x = 0; x < rows; x++)
                for (int64_t p = 0; p < k; p++) {
                    if (bf16)
                        static_cast<__nv_bfloat16 *>(dst)[x * kld + p] = __float2bfloat16_rn(at(x, p));
                    else
                        static_cast<float *>(dst)[x * kld + p] = at(x, p);
                }
        };
        fill(ka_buf.data, m, [&](int64_t i, int64_t p) { return trans_a ? a[p * lda + i] : a[i * lda + p]; });
        fill(kb_buf.data, n, [&](int64_t j, int64_t p) { return trans_b ? b[j * ldb + p] : b[p * ldb + j]; });
        ops.trans_a = 0; ops.trans_b = 1;
        ops.a = static_cast<const float *>(ka_buf.data); ops.lda = kld;
        ops.b = static_cast<const float *>(kb_buf.data); ops.ldb = kld;
    }
    /* the operands as the kernel reads them: FP32, or BF16 copies with rows padded to 8 */
    const int64_t klda = bf16 ? (a_cols + 7) / 8 * 8 : lda, kldb = bf16 ? (b_cols + 7) / 8 * 8 : ldb;
    buffer a_buf(k_major ? 1 : span(a_rows, a_cols, klda) * esize, gc.misalign && !bf16);
    buffer b_buf(k_major ? 1 : span(b_rows, b_cols, kldb) * esize, gc.misalign && !bf16);
    for (int64_t r = 0; r < a_rows && !k_major; r++)
        for (int64_t q = 0; q < a_cols; q++) {
            if (bf16)
                static_cast<__nv_bfloat16 *>(a_buf.data)[r * klda + q] = __float2bfloat16_rn(a[r * lda + q]);
            else
                static_cast<float *>(a_buf.data)[r * klda + q] = a[r * lda + q];
        }
    for (int64_t r = 0; r < b_rows && !k_major; r++)
        for (int64_t q = 0; q < b_cols; q++) {
            if (bf16)
                static_cast<__nv_bfloat16 *>(b_buf.data)[r * kldb + q] = __float2bfloat16_rn(b[r * ldb + q]);
            else
                static_cast<float *>(b_buf.data)[r * kldb + q] = b[r * ldb + q];
        }
    if (!k_major) {
        ops.a = static_cast<const float *>(a_buf.data); ops.lda = klda; /* BF16 data for rung 8 */
        ops.b = static_cast<const float *>(b_buf.data); ops.ldb = kldb;
    }
    wg_ladder_plan plan;
    if (wg_ladder_plan_make_variant(rung_number, variant, &ops, &plan) != WG_OK) {
        std::printf("FAIL rung %d: plan: %s\n", rung_number, wg_error_message());
        return 0;
    }
    if (gc.max_grid) {
        if (plan.grid_x > gc.max_grid) plan.grid_x = gc.max_grid;
        if (plan.grid_y > gc.max_grid) plan.grid_y = gc.max_grid;
    }
    emu_cluster_capacity = gc.clusters_fit ? gc.clusters_fit : 1 << 20;
    if (launchers[rung_number](&plan, &ops) != WG_OK) {
        std::printf("FAIL rung %d: launch: %s\n", rung_number, wg_error_message());
        return 0;
    }

    double diff = 0, norm = 0;
    int64_t bad_gap = 0, not_finite = 0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double sum = 0;
            for (int64_t p = 0; p < k; p++)
                sum += (double)(trans_a ? a[p * lda + i] : a[i * lda + p]) *
                       (double)(trans_b ? b[j * ldb + p] : b[p * ldb + j]);
            const double want = gc.alpha * sum + (gc.beta == 0.0f ? 0.0 : gc.beta * (double)c0[i * ldc + j]);
            const double got = c[i * ldc + j];
            if (!std::isfinite(got)) not_finite++;
            diff += (got - want) * (got - want);
            norm += want * want;
        }
        for (int64_t j = n; j < ldc && i * ldc + j < c_len; j++) bad_gap += c[i * ldc + j] != 12345.0f;
    }
    const double error = not_finite ? INFINITY : std::sqrt(diff / (norm > 0 ? norm : 1));
    const double bound = wg_ladder_error_bound(rung->precision);
    const bool ok = error <= bound && bad_gap == 0;
    if (!ok)
        std::printf("FAIL rung %d (%s, variant %d) m=%" PRId64 " n=%" PRId64 " k=%" PRId64 " %s%s ld+%d%s "
                    "alpha=%g beta=%g grid %ux%u%s (vec %d/%d): error %.3g (bound %.0e), "
                    "%" PRId64 " not finite, %" PRId64 " gap elements written\n",
                    rung_number, rung->name, variant, m, n, k, trans_a ? "A^T" : "A",
                    trans_b ? ".B^T" : ".B", gc.ld_pad, gc.misalign ? " misaligned" : "",
                    gc.alpha, gc.beta, plan.grid_x, plan.grid_y,
                    gc.clusters_fit ? " (few clusters fit)" : "", plan.vec_a, plan.vec_b, error,
                    bound, not_finite, bad_gap);
    return ok;
}

int main(int argc, char **argv)
{
    std::vector<int> rungs;
    for (int i = 1; i < argc; i++) rungs.push_back(std::atoi(argv[i]));
    if (rungs.empty())
        for (int r = 1; r <= WG_LADDER_RUNGS; r++) rungs.push_back(r);
    int failed = 0, passed = 0;
    for (int r : rungs) {
        if (r < 1 || r > WG_LADDER_RUNGS) {
            std::fprintf(stderr, "ladder_emulate: no rung %d\n", r);
            return 2;
        }
        int rung_failed = 0;
        const int variants = r == 6 ? WG_L6_VARIANT_COUNT : 1; /* rung 6: every tile variant */
        std::vector<gemm_case> list(cases, cases + sizeof cases / sizeof cases[0]);
        if (WG_LADDER_K_MAJOR(r))
            list.insert(list.end(), hopper_cases,
                        hopper_cases + sizeof hopper_cases / sizeof hopper_cases[0]);
        if (r == 11)
            list.insert(list.end(), cluster_cases,
                        cluster_cases + sizeof cluster_cases / sizeof cluster_cases[0]);
        for (int v = 0; v < variants; v++)
            for (size_t c = 0; c < list.size(); c++)
                for (int t = 0; t < 4; t++) {
                    const gemm_case &gc = list[c];
                    if (std::getenv("EMU_CASE") && (size_t)std::atoi(std::getenv("EMU_CASE")) != c) continue;
                    /* the long Hopper cases once each: the transposes are the harness's copies;
                     * rung 11 (two 384-thread CTAs a launch) takes every case once so, its
                     * transposes spread over the cases (CI time) */
                    if ((c >= sizeof cases / sizeof cases[0] || r == 11) && t != (int)(c % 4)) continue;
                    if (run_case(r, v, gc, t >> 1, t & 1))
                        passed++;
                    else
                        rung_failed++;
                }
        std::printf("%s rung %d (%s): %zu cases x %s x %d variant(s)%s%s\n",
                    rung_failed ? "FAIL" : "PASS", r, wg_ladder_rung_find(r)->name,
                    sizeof cases / sizeof cases[0], r == 11 ? "1 transpose each" : "4 transposes",
                    variants,
                    WG_LADDER_K_MAJOR(r) ? " + 4 long cases (K-major copies)" : "",
                    r == 11 ? " + 3 persistent cases (fewer clusters than tiles)" : "");
        std::fflush(stdout);
        failed += rung_failed;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
