/*
 * test_ladder.c - the GPU matmul ladder (whygpu_lab.h, src/ladder.h), whose rungs and
 * cuBLAS references run as CUDA registry kernels.
 *
 * On any machine: the rung table, parsing, alignment checks, launch planning (grids never
 * above CUDA's limits, tiles covering every size, edge flags) and argument errors.
 * On a GPU: every rung and every cuBLAS reference against float64 over awkward sizes, all
 * four transposes, padded leading dimensions (which switch vector loads off), alpha and
 * beta, with C poisoned with NaN (beta == 0) and the gap between rows of C checked
 * untouched. On the CPU device the same checker runs with the CPU GEMM, so the harness
 * itself is tested here. On an OpenCL device (PoCL on the CPU in CI) it runs the OpenCL
 * ladder's rungs, both forms of the last one, and CLBlast.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ladder.h"
#include "reference.h"

/* The OpenCL registry's last ladder rung (regblock-vec), which has two forms. */
#define WG_OPENCL_LAST_RUNG 4

/* ---------------------------------------------------------------- the table ------- */

TEST(ladder_rung_table)
{
    const char *names[WG_LADDER_RUNGS] = {0};
    for (int r = 1; r <= WG_LADDER_RUNGS; r++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(r);
        REQUIRE(rung != NULL);
        CHECK(rung->number == r);
        CHECK(rung->name && rung->name[0]);
        /* each rung is the CUDA registry's entry of that name, rung and precision */
        const wg_kernel *kernel = NULL;
        REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, rung->name, &kernel));
        CHECK(kernel->rung == r && kernel->precision == rung->precision && !kernel->vendor);
        CHECK(kernel->summary && kernel->summary[0]);
        CHECK(rung->reason && rung->reason[0]);
        CHECK(rung->threads_x * rung->threads_y >= 32 && rung->threads_x * rung->threads_y <= 1024);
        CHECK(rung->block_m >= 1 && rung->block_n >= 1 && rung->block_k >= 1);
        CHECK(rung->predicted_tflops_4096 > 0 && rung->predicted_tflops_8192 > 0);
        names[r - 1] = rung->name;
        for (int q = 0; q < r - 1; q++) CHECK_MSG(strcmp(names[q], rung->name) != 0,
                                                  "rungs %d and %d share the name %s", q + 1, r,
                                                  rung->name);
        /* the name parses back to the number */
        int parsed = 0;
        CHECK_STATUS(wg_ladder_parse(rung->name, &parsed), WG_OK);
        CHECK(parsed == r);
    }
    CHECK(wg_ladder_rung_find(0) == NULL);
    CHECK(wg_ladder_rung_find(WG_LADDER_RUNGS + 1) == NULL);
    CHECK(wg_ladder_rung_find(-1) == NULL);
    /* precisions: 1-6 fp32, 7 and 10 tf32, 8 and 9 bf16, with their bounds and cuBLAS names */
    for (int r = 1; r <= 6; r++) CHECK(wg_ladder_rung_find(r)->precision == WG_PRECISION_FP32);
    CHECK(wg_ladder_rung_find(7)->precision == WG_PRECISION_TF32);
    CHECK(wg_ladder_rung_find(8)->precision == WG_PRECISION_BF16);
    CHECK(wg_ladder_rung_find(9)->precision == WG_PRECISION_BF16);
    CHECK(wg_ladder_rung_find(10)->precision == WG_PRECISION_TF32);
    CHECK(strcmp(wg_precision_name(WG_PRECISION_FP32), "fp32") == 0);
    CHECK(strcmp(wg_precision_name(WG_PRECISION_TF32), "tf32") == 0);
    CHECK(strcmp(wg_precision_name(WG_PRECISION_BF16), "bf16") == 0);
    CHECK(wg_ladder_error_bound(WG_PRECISION_FP32) == 1e-5);
    CHECK(wg_ladder_error_bound(WG_PRECISION_TF32) == 2e-3);
    CHECK(wg_ladder_error_bound(WG_PRECISION_BF16) == 1e-2);
    CHECK(strcmp(wg_ladder_cublas_name(WG_PRECISION_FP32), "cublas-fp32-pedantic") == 0);
    CHECK(strcmp(wg_ladder_cublas_name(WG_PRECISION_BF16), "cublas-bf16") == 0);
    /* the library's default stays cuBLAS until a rung has been verified on a GPU */
    CHECK(wg_ladder_default_rung() == 0);
}

TEST(ladder_parse)
{
    int rung = 0;
    CHECK_STATUS(wg_ladder_parse("1", &rung), WG_OK);
    CHECK(rung == 1);
    CHECK_STATUS(wg_ladder_parse("8", &rung), WG_OK);
    CHECK(rung == 8);
    CHECK_STATUS(wg_ladder_parse("warptile", &rung), WG_OK);
    CHECK(rung == 6);
    CHECK_STATUS(wg_ladder_parse("wgmma-tf32", &rung), WG_OK);
    CHECK(rung == 10);
    const char *bad[] = {"0", "12", "-1", "", "1x", "x1", "naive ", "cublas", "100", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rung = 42;
        CHECK_STATUS(wg_ladder_parse(bad[i], &rung), WG_ERR_ARGUMENT);
        CHECK_MSG(rung == 42, "a failed parse of '%s' changed the output", bad[i]);
    }
    CHECK_STATUS(wg_ladder_parse("wgmma-cluster", &rung), WG_OK);
    CHECK(rung == 11);
    CHECK_STATUS(wg_ladder_parse("12", &rung), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "11") != NULL);
    CHECK_STATUS(wg_ladder_parse(NULL, &rung), WG_ERR_ARGUMENT);
    const wg_ladder_rung *r = NULL;
    CHECK_STATUS(wg_ladder_rung_get(12, &r), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "12") && strstr(wg_error_message(), "1 to 11"));
    CHECK_STATUS(wg_ladder_rung_get(0, &r), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_rung_get(3, &r), WG_OK);
    CHECK(r && r->number == 3);
}

TEST(ladder_vector_alignment)
{
    static _Alignas(64) float buffer[64];
    CHECK(wg_ladder_vector_ok(buffer, 4, 4) == 1);
    CHECK(wg_ladder_vector_ok(buffer, 8192, 4) == 1);
    CHECK(wg_ladder_vector_ok(buffer + 4, 16, 4) == 1);
    CHECK(wg_ladder_vector_ok(buffer + 1, 16, 4) == 0); /* base not 16-byte aligned */
    CHECK(wg_ladder_vector_ok(buffer + 2, 16, 4) == 0);
    CHECK(wg_ladder_vector_ok(buffer, 3, 4) == 0);      /* rows drift off alignment */
    CHECK(wg_ladder_vector_ok(buffer, 4098, 4) == 0);
    CHECK(wg_ladder_vector_ok(buffer, 8, 2) == 1);      /* BF16: 8 elements per 16 bytes */
    CHECK(wg_ladder_vector_ok(buffer, 4, 2) == 0);
    CHECK(wg_ladder_vector_ok(NULL, 4, 4) == 0);
    CHECK(wg_ladder_vector_ok(buffer, 0, 4) == 0);
}

/* ---------------------------------------------------------------- planning -------- */

static wg_gemm_args operands(int64_t m, int64_t n, int64_t k, const void *a, int64_t lda,
                                   const void *b, int64_t ldb)
{
    wg_gemm_args ops = {0};
    ops.m = m; ops.n = n; ops.k = k;
    ops.alpha = 1.0f;
    ops.a = a; ops.lda = lda;
    ops.b = b; ops.ldb = ldb;
    ops.ldc = n;
    return ops;
}

/* The plan's grid is legal and, with looping, covers every tile of C exactly. */
static void check_plan(int rung_number, int64_t m, int64_t n, int64_t k)
{
    static _Alignas(64) float dummy[16];
    const wg_ladder_rung *rung = wg_ladder_rung_find(rung_number);
    wg_gemm_args ops = operands(m, n, k, dummy, k, dummy, n);
    wg_ladder_plan plan;
    CHECK_STATUS(wg_ladder_plan_make(rung_number, &ops, &plan), WG_OK);
    /* x runs along the rows of C for rung 1 and along the columns for the others */
    const int64_t x_extent = rung_number == 1 ? m : n, y_extent = rung_number == 1 ? n : m;
    const int64_t x_tile = rung_number == 1 ? rung->block_m : rung->block_n;
    const int64_t y_tile = rung_number == 1 ? rung->block_n : rung->block_m;
    CHECK(plan.rung == rung_number);
    CHECK(plan.grid_x >= 1 && plan.grid_x <= WG_CUDA_MAX_GRID_X);
    if (rung_number == 11) {
        /* a 1-D grid of 2-CTA clusters, one CTA per tile of the padded pairs of tile rows
         * (the launcher lowers it to the clusters that fit: persistent) */
        const int64_t ctas = (plan.tiles_y + 1) / 2 * 2 * plan.tiles_x;
        CHECK(plan.grid_y == 1 && plan.grid_x % WG_L11_CLUSTER == 0);
        CHECK(plan.tiles_x * rung->block_n >= n && (plan.tiles_x - 1) * rung->block_n < n);
        CHECK(plan.tiles_y * rung->block_m >= m && (plan.tiles_y - 1) * rung->block_m < m);
        CHECK_MSG(plan.grid_x == (ctas < WG_CUDA_MAX_GRID_X ? ctas : WG_CUDA_MAX_GRID_X - 1),
                  "rung 11 m=%lld n=%lld: grid %u for %lld CTAs", (long long)m, (long long)n,
                  plan.grid_x, (long long)ctas);
        CHECK(plan.grid_loops == (ctas > (int64_t)plan.grid_x));
        CHECK(plan.edge_m == (m % rung->block_m != 0) && plan.edge_n == (n % rung->block_n != 0));
        return;
    }
    CHECK(plan.grid_y >= 1 && plan.grid_y <= WG_CUDA_MAX_GRID_Y);
    CHECK(plan.block_x * plan.block_y <= 1024 && plan.block_x <= 1024 && plan.block_y <= 1024);
    CHECK_MSG(plan.tiles_x * x_tile >= x_extent && (plan.tiles_x - 1) * x_tile < x_extent,
              "rung %d m=%lld n=%lld: %lld tiles of %lld do not just cover %lld", rung_number,
              (long long)m, (long long)n, (long long)plan.tiles_x, (long long)x_tile,
              (long long)x_extent);
    CHECK(plan.tiles_y * y_tile >= y_extent && (plan.tiles_y - 1) * y_tile < y_extent);
    CHECK(plan.grid_x <= plan.tiles_x && plan.grid_y <= plan.tiles_y);
    CHECK(plan.grid_loops == (plan.grid_x < plan.tiles_x || plan.grid_y < plan.tiles_y));
    CHECK(plan.edge_m == (m % rung->block_m != 0));
    CHECK(plan.edge_n == (n % rung->block_n != 0));
    CHECK(plan.edge_k == (k % rung->block_k != 0));
    CHECK(plan.elem_bytes == (rung->precision == WG_PRECISION_BF16 ? 2 : 4));
}

TEST(ladder_plan_covers_every_size)
{
    const int64_t sizes[] = {1, 2, 7, 8, 31, 32, 33, 63, 64, 65, 127, 128, 129, 4095, 4096,
                             8192, 10000};
    const size_t count = sizeof sizes / sizeof sizes[0];
    for (int r = 1; r <= WG_LADDER_RUNGS; r++)
        for (size_t i = 0; i < count; i++)
            for (size_t j = 0; j < count; j += 3) check_plan(r, sizes[i], sizes[j], sizes[(i + j) % count]);
}

TEST(ladder_plan_caps_huge_grids)
{
    /* tall and wide matrices beyond grid y's 65535 and (for rung 1) x's 2^31 - 1 */
    const int64_t huge[][2] = {{(int64_t)1 << 40, 1}, {1, (int64_t)1 << 40},
                               {(int64_t)65535 * 32 + 1, 3}, {3, (int64_t)65535 * 128 + 1},
                               {(int64_t)1 << 37, (int64_t)1 << 37}};
    for (int r = 1; r <= WG_LADDER_RUNGS; r++) {
        for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
            check_plan(r, huge[i][0], huge[i][1], 5);
            static _Alignas(64) float dummy[16];
            wg_gemm_args ops = operands(huge[i][0], huge[i][1], 5, dummy, 5, dummy,
                                              huge[i][1]);
            wg_ladder_plan plan;
            REQUIRE_OK(wg_ladder_plan_make(r, &ops, &plan));
            if (plan.tiles_y > WG_CUDA_MAX_GRID_Y || plan.tiles_x > WG_CUDA_MAX_GRID_X)
                CHECK_MSG(plan.grid_loops, "rung %d: a capped grid must loop", r);
        }
    }
    /* rung 1 puts m on grid x (limit 2^31 - 1), the others on grid y (limit 65535) */
    static _Alignas(64) float dummy[16];
    wg_gemm_args ops = operands((int64_t)1 << 40, 1, 1, dummy, 1, dummy, 1);
    wg_ladder_plan plan;
    REQUIRE_OK(wg_ladder_plan_make(1, &ops, &plan));
    CHECK(plan.grid_x == WG_CUDA_MAX_GRID_X && plan.grid_y == 1 && plan.grid_loops);
    REQUIRE_OK(wg_ladder_plan_make(5, &ops, &plan));
    CHECK(plan.grid_y == WG_CUDA_MAX_GRID_Y && plan.grid_x == 1 && plan.grid_loops);
}

/* The Hopper rungs: 384 threads (a producer warpgroup and two consumer warpgroups) on a
 * 128x256 tile, one 128-byte row of k per stage; K-major operands only. */
TEST(ladder_plan_hopper_rungs)
{
    static _Alignas(64) float buffer[64];
    for (int r = 9; r <= 11; r++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(r);
        REQUIRE(rung != NULL);
        CHECK(WG_LADDER_K_MAJOR(r) && !WG_LADDER_K_MAJOR(8));
        CHECK(rung->block_m == 128 && rung->block_n == 256);
        CHECK(rung->block_k * (rung->precision == WG_PRECISION_BF16 ? 2 : 4) == 128);
        wg_gemm_args ops = operands(1000, 1000, 300, buffer, 304, buffer, 304);
        ops.trans_b = 1;
        wg_ladder_plan plan;
        REQUIRE_OK(wg_ladder_plan_make(r, &ops, &plan));
        CHECK(plan.block_x == 384 && plan.block_y == 1);
        CHECK(plan.tiles_x == 4 && plan.tiles_y == 8); /* 1000 / 256 and 1000 / 128, rounded up */
        if (r == 11) /* 2-CTA clusters: 4 pairs of tile rows x 4 columns, one CTA a tile */
            CHECK(plan.grid_x == 32 && plan.grid_y == 1 && !plan.grid_loops);
        else
            CHECK(plan.grid_x == 4 && plan.grid_y == 8 && !plan.grid_loops);
    }
}

TEST(ladder_plan_vector_loads)
{
    static _Alignas(64) float buffer[64];
    wg_gemm_args ops = operands(100, 100, 100, buffer, 100, buffer, 100);
    wg_ladder_plan plan;
    REQUIRE_OK(wg_ladder_plan_make(5, &ops, &plan));
    CHECK(plan.vec_a && plan.vec_b);
    ops.lda = 101; /* rows of A drift off 16-byte alignment: scalar loads for A only */
    REQUIRE_OK(wg_ladder_plan_make(5, &ops, &plan));
    CHECK(!plan.vec_a && plan.vec_b);
    ops.b = buffer + 1;
    REQUIRE_OK(wg_ladder_plan_make(6, &ops, &plan));
    CHECK(!plan.vec_a && !plan.vec_b);
    /* rungs without vector loads never plan them */
    ops = operands(100, 100, 100, buffer, 100, buffer, 100);
    for (int r = 1; r <= 4; r++) {
        REQUIRE_OK(wg_ladder_plan_make(r, &ops, &plan));
        CHECK(!plan.vec_a && !plan.vec_b);
    }
    /* BF16 (rung 8) needs rows of 8 elements */
    REQUIRE_OK(wg_ladder_plan_make(8, &ops, &plan)); /* ld 100: 200 bytes */
    CHECK(!plan.vec_a && !plan.vec_b);
    ops.lda = ops.ldb = 104;
    REQUIRE_OK(wg_ladder_plan_make(8, &ops, &plan));
    CHECK(plan.vec_a && plan.vec_b && plan.elem_bytes == 2);
}

TEST(ladder_plan_rejects_bad_arguments)
{
    static _Alignas(64) float buffer[16];
    wg_gemm_args ops = operands(4, 4, 4, buffer, 4, buffer, 4);
    wg_ladder_plan plan;
    CHECK_STATUS(wg_ladder_plan_make(0, &ops, &plan), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_plan_make(WG_LADDER_RUNGS + 1, &ops, &plan), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_plan_make(1, NULL, &plan), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_plan_make(1, &ops, NULL), WG_ERR_ARGUMENT);
    ops.m = 0;
    CHECK_STATUS(wg_ladder_plan_make(3, &ops, &plan), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "m=0") != NULL);
    ops.m = 4;
    ops.k = -3;
    CHECK_STATUS(wg_ladder_plan_make(3, &ops, &plan), WG_ERR_ARGUMENT);
}

/* The rungs run as CUDA registry kernels (wg_gemm_on, wg_gemm_prepare): the arguments
 * are checked before any device is touched. */
TEST(ladder_run_rejects_bad_arguments)
{
    static _Alignas(64) float buffer[64];
    const wg_device cuda = {WG_DEVICE_CUDA, 0};
    wg_gemm_args args = {.m = 4, .n = 4, .k = 4, .alpha = 1.0f, .a = buffer, .lda = 4,
                         .b = buffer + 16, .ldb = 4, .c = buffer + 32, .ldc = 4};
    const wg_kernel *naive = NULL, *bf16 = NULL, *cpu = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "naive", &naive));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "wmma-bf16", &bf16));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &cpu));
    CHECK_STATUS(wg_gemm_on(cuda, cpu, &args), WG_ERR_UNSUPPORTED); /* a CPU kernel */
    CHECK(strstr(wg_error_message(), "triple-loop") != NULL);
    CHECK_STATUS(wg_gemm_on(cuda, naive, NULL), WG_ERR_ARGUMENT);
    wg_gemm_args bad = args;
    bad.lda = 3; /* less than k */
    CHECK_STATUS(wg_gemm_on(cuda, naive, &bad), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "lda=3") != NULL);
    bad = args;
    bad.n = -1;
    CHECK_STATUS(wg_gemm_on(cuda, bf16, &bad), WG_ERR_ARGUMENT);
    wg_gemm_prepared *prepared = NULL;
    CHECK_STATUS(wg_gemm_prepare(cuda, bf16, &bad, &prepared), WG_ERR_ARGUMENT);
    CHECK(prepared == NULL);
    CHECK_STATUS(wg_gemm_prepare(cuda, cpu, &args, &prepared), WG_ERR_UNSUPPORTED);
    CHECK_STATUS(wg_gemm_prepare(cuda, naive, &args, NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_gemm_run_prepared(NULL), WG_ERR_ARGUMENT);
    wg_gemm_prepared_free(NULL);
    if (!wg_built_with_cuda()) { /* CPU-only build: a clear "no device" */
        CHECK_STATUS(wg_gemm_on(cuda, naive, &args), WG_ERR_NO_DEVICE);
        CHECK(strstr(wg_error_message(), "without CUDA") != NULL);
        CHECK_STATUS(wg_gemm_prepare(cuda, bf16, &args, &prepared), WG_ERR_NO_DEVICE);
        CHECK(prepared == NULL);
    }
}

/* ---------------------------------------------------------------- on a device ----- */

typedef struct gemm_case {
    int64_t m, n, k;
    int ld_pad; /* added to every leading dimension: 3 breaks 16-byte alignment of rows */
    float alpha, beta;
} gemm_case;

static const gemm_case ladder_cases[] = {
    {1, 1, 1, 0, 1.0f, 0.0f},        {7, 5, 3, 0, 1.0f, 0.0f},
    {33, 65, 17, 3, 1.5f, 0.0f},     {129, 130, 31, 0, 1.0f, 0.5f},
    {128, 128, 128, 0, 1.0f, 0.0f},  {64, 128, 16, 4, -2.0f, 1.0f},
    {257, 129, 200, 1, 1.0f, 0.0f},  {300, 257, 67, 0, 0.75f, -1.0f},
    {1, 300, 129, 0, 1.0f, 0.0f},    {300, 1, 129, 2, 1.0f, 0.0f},
};

#define GAP_SENTINEL 12345.0f

typedef wg_status (*gemm_runner)(wg_device device, const wg_gemm_args *args, void *context);

/* Runs one case through `run` and compares with float64: returns the Frobenius relative
 * error (infinite if anything is NaN or a gap element of C changed). */
static double run_case(wg_device device, const gemm_case *gc, int trans_a, int trans_b,
                       gemm_runner run, void *context, int *failed_call)
{
    const int64_t m = gc->m, n = gc->n, k = gc->k;
    const int64_t a_rows = trans_a ? k : m, a_cols = trans_a ? m : k;
    const int64_t b_rows = trans_b ? n : k, b_cols = trans_b ? k : n;
    const int64_t lda = a_cols + gc->ld_pad, ldb = b_cols + gc->ld_pad, ldc = n + gc->ld_pad;
    const int64_t a_len = a_rows * lda, b_len = b_rows * ldb, c_len = m * ldc;
    float *a = malloc(a_len * sizeof *a), *b = malloc(b_len * sizeof *b);
    float *c0 = malloc(c_len * sizeof *c0), *got = malloc(c_len * sizeof *got);
    float *dense = malloc(m * n * sizeof *dense);
    double *want = malloc(m * n * sizeof *want);
    double error = INFINITY;
    *failed_call = 0;
    wg_tensor *ta = NULL, *tb = NULL, *tc = NULL;
    if (!a || !b || !c0 || !got || !dense || !want) goto done;
    ref_random(a, a_len, (uint64_t)(m * 1000003 + k * 31 + trans_a));
    ref_random(b, b_len, (uint64_t)(n * 1000033 + k * 17 + trans_b + 7));
    if (gc->beta == 0.0f)
        ref_poison(c0, c_len); /* must not be read */
    else
        ref_random(c0, c_len, (uint64_t)(m * n + 99));
    for (int64_t i = 0; i < m; i++) /* the gap between rows must stay untouched */
        for (int64_t j = n; j < ldc; j++) c0[i * ldc + j] = GAP_SENTINEL;
    ref_gemm(trans_a, trans_b, m, n, k, gc->alpha, a, lda, b, ldb, gc->beta, c0, ldc, want);
    const int64_t sa[1] = {a_len}, sb[1] = {b_len}, sc[1] = {c_len};
    if (wg_tensor_from_host(1, sa, a, device, &ta) != WG_OK ||
        wg_tensor_from_host(1, sb, b, device, &tb) != WG_OK ||
        wg_tensor_from_host(1, sc, c0, device, &tc) != WG_OK) {
        *failed_call = 1;
        goto done;
    }
    const wg_gemm_args args = {
        .trans_a = trans_a, .trans_b = trans_b, .m = m, .n = n, .k = k,
        .alpha = gc->alpha, .beta = gc->beta,
        .a = wg_tensor_data(ta), .lda = lda, .b = wg_tensor_data(tb), .ldb = ldb,
        .c = wg_tensor_data(tc), .ldc = ldc,
    };
    if (run(device, &args, context) != WG_OK || wg_synchronize(device) != WG_OK ||
        wg_tensor_to_host(tc, got, c_len) != WG_OK) {
        *failed_call = 1;
        goto done;
    }
    int gap_ok = 1;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) dense[i * n + j] = got[i * ldc + j];
        for (int64_t j = n; j < ldc; j++) gap_ok &= got[i * ldc + j] == GAP_SENTINEL;
    }
    error = gap_ok ? ref_relative_error(dense, want, m * n) : INFINITY;
done:
    wg_tensor_free(ta); wg_tensor_free(tb); wg_tensor_free(tc);
    free(a); free(b); free(c0); free(got); free(dense); free(want);
    return error;
}


static wg_status run_cpu_gemm(wg_device device, const wg_gemm_args *args, void *context)
{
    (void)context;
    return wg_gemm_on(device, NULL, args);
}

/* A registry kernel (context) as a timing loop runs it: prepared, run, waited for. */
static wg_status run_ladder(wg_device device, const wg_gemm_args *args, void *context)
{
    const wg_kernel *kernel = context;
    wg_gemm_prepared *prepared = NULL;
    wg_status status = wg_gemm_prepare(device, kernel, args, &prepared);
    if (status != WG_OK) return status;
    status = wg_gemm_run_prepared(prepared);
    if (status == WG_OK) status = wg_synchronize(device);
    wg_gemm_prepared_free(prepared);
    return status;
}

/* The CUDA registry's kernel of that name. */
static const wg_kernel *cuda_kernel(const char *name)
{
    const wg_kernel *kernel = NULL;
    CHECK_MSG(wg_kernel_find(WG_DEVICE_CUDA, name, &kernel) == WG_OK, "%s", wg_error_message());
    return kernel;
}

/* Every case, every transpose, through one runner; `label` names it in failures. */
static void check_all_cases(wg_device device, gemm_runner run, void *context, double bound,
                            const char *label)
{
    for (size_t i = 0; i < sizeof ladder_cases / sizeof ladder_cases[0]; i++) {
        const gemm_case *gc = &ladder_cases[i];
        for (int t = 0; t < 4; t++) {
            int failed_call = 0;
            const double error = run_case(device, gc, t >> 1, t & 1, run, context, &failed_call);
            if (failed_call) {
                check_failed(__FILE__, __LINE__, "%s m=%lld n=%lld k=%lld: the call failed: %s",
                             label, (long long)gc->m, (long long)gc->n, (long long)gc->k,
                             wg_error_message());
                return;
            }
            CHECK_MSG(error <= bound,
                      "%s m=%lld n=%lld k=%lld ld+%d %s%s alpha=%g beta=%g: relative error %.3g "
                      "> %.3g (inf: NaN in C or a gap element of C written)",
                      label, (long long)gc->m, (long long)gc->n, (long long)gc->k, gc->ld_pad,
                      t >> 1 ? "A^T" : "A", t & 1 ? ".B^T" : ".B", gc->alpha, gc->beta, error,
                      bound);
        }
    }
}

DEVICE_TEST(ladder_rungs_match_float64)
{
    if (device.kind == WG_DEVICE_CPU) {
        /* The ladder is GPU-only; here the same checker runs against the CPU GEMM, so the
         * harness (poisoning, gaps, transposes, alpha/beta) is itself tested. */
        check_all_cases(device, run_cpu_gemm, NULL, 1e-5, "cpu gemm");
        return;
    }
    if (device.kind == WG_DEVICE_OPENCL) {
        for (int i = 0; i < wg_kernel_count(WG_DEVICE_OPENCL); i++) {
            const wg_kernel *kernel = wg_kernel_at(WG_DEVICE_OPENCL, i);
            if (kernel->vendor) continue; /* CLBlast: in the references' test */
            /* the last rung has a GPU form (local memory) and a CPU form whose vector width
             * follows the device (16 floats with AVX-512, 8 with AVX2): run all here */
            static const char *const forms[][3] = {{"0", "16", "caches, 16-wide"},
                                                   {"0", "8", "caches, 8-wide"},
                                                   {"1", "16", "local memory"}};
            const int last = i == WG_OPENCL_LAST_RUNG;
            for (int form = 0; form < (last ? 3 : 1); form++) {
                char label[80];
                snprintf(label, sizeof label, "opencl rung %d (%s%s%s)", kernel->rung,
                         kernel->name, last ? ", " : "", last ? forms[form][2] : "");
                if (last) {
                    setenv("WHYGPU_OPENCL_STAGE_LOCAL", forms[form][0], 1);
                    setenv("WHYGPU_OPENCL_VW", forms[form][1], 1);
                }
                check_all_cases(device, run_ladder, (void *)kernel, 1e-5, label);
            }
        }
        unsetenv("WHYGPU_OPENCL_STAGE_LOCAL");
        unsetenv("WHYGPU_OPENCL_VW");
        return;
    }
    for (int r = 1; r <= WG_LADDER_RUNGS; r++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(r);
        char label[64];
        snprintf(label, sizeof label, "rung %d (%s)", r, rung->name);
        if (wg_kernel_available(cuda_kernel(rung->name), device.index) != WG_OK) {
            /* e.g. the sm_90a rungs on a GPU that is not a Hopper: said, not failed */
            printf("  %s does not run here: %s\n", label, wg_error_message());
            continue;
        }
        check_all_cases(device, run_ladder, (void *)cuda_kernel(rung->name),
                        wg_ladder_error_bound(rung->precision), label);
    }
}

DEVICE_TEST(ladder_cublas_references_match_float64)
{
    if (device.kind == WG_DEVICE_CPU) {
        /* the references are cuBLAS calls: on the CPU only their refusal is checked */
        static _Alignas(64) float buffer[64];
        wg_gemm_args args = {.m = 4, .n = 4, .k = 4, .alpha = 1.0f, .a = buffer, .lda = 4,
                             .b = buffer + 16, .ldb = 4, .c = buffer + 32, .ldc = 4};
        const wg_kernel *cublas = cuda_kernel("cublas-fp32");
        CHECK_STATUS(wg_gemm_on(device, cublas, &args), WG_ERR_UNSUPPORTED);
        if (!wg_built_with_cuda())
            CHECK_STATUS(wg_gemm_on((wg_device){WG_DEVICE_CUDA, 0}, cublas, &args),
                         WG_ERR_NO_DEVICE);
        return;
    }
    if (device.kind == WG_DEVICE_OPENCL) { /* CLBlast is OpenCL's vendor reference */
        const wg_kernel *clblast = NULL;
        REQUIRE_OK(wg_kernel_find(WG_DEVICE_OPENCL, "clblast", &clblast));
        if (wg_kernel_available(clblast, device.index) != WG_OK) SKIP("%s", wg_error_message());
        check_all_cases(device, run_ladder, (void *)clblast, 1e-5, "clblast");
        return;
    }
    /* rungs 1, 7 and 8 stand for the three precisions */
    const int representatives[] = {1, 7, 8};
    for (size_t i = 0; i < 3; i++) {
        const wg_ladder_rung *rung = wg_ladder_rung_find(representatives[i]);
        const wg_kernel *cublas = NULL;
        for (int k = 0; k < wg_kernel_count(WG_DEVICE_CUDA); k++) {
            const wg_kernel *entry = wg_kernel_at(WG_DEVICE_CUDA, k);
            if (entry->vendor && entry->precision == rung->precision) cublas = entry;
        }
        REQUIRE(cublas != NULL);
        check_all_cases(device, run_ladder, (void *)cublas, wg_ladder_error_bound(rung->precision),
                        wg_ladder_cublas_name(rung->precision));
    }
}

/* The ladder's float64 check: exact C passes with error ~0; one wrong element or a NaN is
 * seen. */
TEST(ladder_check_tells_right_from_wrong)
{
    enum { M = 7, N = 5, K = 3 };
    float a[M * K], b[K * N], c[M * N];
    ref_random(a, M * K, 3);
    ref_random(b, K * N, 4);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int p = 0; p < K; p++) sum += (double)a[i * K + p] * b[p * N + j];
            c[i * N + j] = (float)sum;
        }
    const wg_gemm_args args = {.m = M, .n = N, .k = K, .alpha = 1.0f, .a = a, .lda = K,
                               .b = b, .ldb = N, .c = c, .ldc = N};
    wg_ladder_reference ref;
    REQUIRE_OK(wg_ladder_reference_make(&args, 1, &ref));
    CHECK(ref.full && ref.count == M * N);
    wg_ladder_check_result r;
    wg_ladder_check(&ref, c, M, N, N, &r);
    CHECK(r.not_finite == 0 && r.relative_error < 1e-7);
    c[2 * N + 3] += 0.5f;
    wg_ladder_check(&ref, c, M, N, N, &r);
    CHECK(r.relative_error > 1e-3);
    c[0] = NAN;
    wg_ladder_check(&ref, c, M, N, N, &r);
    CHECK(r.not_finite == 1 && isinf(r.relative_error));
    wg_ladder_reference_free(&ref);
}

/* wg_ladder_measure checks its options before touching a device. */
TEST(ladder_measure_rejects_bad_options)
{
    const wg_kernel *cpu = NULL, *naive = NULL;
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CPU, "triple-loop", &cpu));
    REQUIRE_OK(wg_kernel_find(WG_DEVICE_CUDA, "naive", &naive));
    wg_ladder_options o = {.device = {WG_DEVICE_CUDA, 0}, .n = 64, .seed = 1};
    wg_ladder_result *run = malloc(sizeof *run);
    REQUIRE(run != NULL);
    CHECK_STATUS(wg_ladder_measure(NULL, run), WG_ERR_ARGUMENT);
    o.n = 0;
    CHECK_STATUS(wg_ladder_measure(&o, run), WG_ERR_ARGUMENT);
    o.n = 64;
    o.device = wg_cpu();
    CHECK_STATUS(wg_ladder_measure(&o, run), WG_ERR_ARGUMENT);
    o.device = (wg_device){WG_DEVICE_CUDA, 0};
    o.only = cpu;
    CHECK_STATUS(wg_ladder_measure(&o, run), WG_ERR_ARGUMENT);
    o.only = naive;
    if (!wg_built_with_cuda()) {
        CHECK_STATUS(wg_ladder_measure(&o, run), WG_ERR_NO_DEVICE);
        /* the table is laid out even so: the rung and its precision's cuBLAS */
        CHECK(run->count == 2 && run->entries[0].kernel == naive && run->entries[1].use_cublas);
    }
    free(run);
}
