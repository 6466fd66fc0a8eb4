/*
 * test_ladder_tuning.c - rung 6's tile variants and its tuning table (src/ladder.h,
 * src/ladder_tuning.c), all on the CPU: the variant list, launch plans per variant, the
 * table reader on the format scripts/ladder-autotune.sh writes, malformed tables, the
 * compiled-in table and the environment overrides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ladder.h"

TEST(ladder6_variants)
{
    const wg_ladder6_variant *v0 = wg_ladder6_variant_get(0);
    REQUIRE(v0 != NULL);
    /* variant 0 is the rung table's shape, so plans without a tuning table agree */
    const wg_ladder_rung *rung = wg_ladder_rung_find(6);
    CHECK(v0->bm == rung->block_m && v0->bn == rung->block_n && v0->bk == rung->block_k);
    CHECK(v0->threads == (int)(rung->threads_x * rung->threads_y));
    for (int i = 0; i < WG_L6_VARIANT_COUNT; i++) {
        const wg_ladder6_variant *v = wg_ladder6_variant_get(i);
        REQUIRE(v != NULL);
        CHECK(wg_ladder6_variant_find(v->name) == i);
        CHECK(v->threads == (v->bm / v->wm) * (v->bn / v->wn) * 32);
        CHECK(v->threads >= 64 && v->threads <= 1024);
        CHECK(v->stages >= 2 && v->stages <= 4);
        CHECK(v->smem_bytes == v->stages * v->bk * (v->bm + 4 + v->bn + 4) * 4);
        /* min_blocks blocks (plus the 1 KiB each reserves) fit in an A100's 164 KiB */
        CHECK_MSG(v->min_blocks * (v->smem_bytes + 1024) <= 167936,
                  "variant %s: %d blocks of %d bytes do not fit", v->name, v->min_blocks,
                  v->smem_bytes);
        /* the register cap the blocks per SM imply leaves room for 64 accumulators */
        CHECK(65536 / (v->min_blocks * v->threads) >= 128);
    }
    CHECK(wg_ladder6_variant_get(-1) == NULL);
    CHECK(wg_ladder6_variant_get(WG_L6_VARIANT_COUNT) == NULL);
    CHECK(wg_ladder6_variant_find("no-such-variant") == -1);
    CHECK(wg_ladder6_variant_find(NULL) == -1);
}

TEST(ladder6_plan_per_variant)
{
    float a = 0, b = 0, c = 0;
    wg_gemm_args ops = {0};
    ops.a = &a; ops.b = &b; ops.c = &c;
    ops.m = 1000; ops.n = 333; ops.k = 77;
    ops.lda = ops.k; ops.ldb = ops.n; ops.ldc = ops.n;
    for (int i = 0; i < WG_L6_VARIANT_COUNT; i++) {
        const wg_ladder6_variant *v = wg_ladder6_variant_get(i);
        wg_ladder_plan plan;
        REQUIRE_OK(wg_ladder_plan_make_variant(6, i, &ops, &plan));
        CHECK(plan.variant == i);
        CHECK(plan.block_x == (unsigned)v->threads && plan.block_y == 1);
        CHECK(plan.tiles_x == (ops.n + v->bn - 1) / v->bn);
        CHECK(plan.tiles_y == (ops.m + v->bm - 1) / v->bm);
        CHECK(plan.grid_x == plan.tiles_x && plan.grid_y == plan.tiles_y);
        CHECK(plan.edge_m == (ops.m % v->bm != 0) && plan.edge_n == (ops.n % v->bn != 0));
    }
    wg_ladder_plan plan;
    CHECK_STATUS(wg_ladder_plan_make_variant(6, WG_L6_VARIANT_COUNT, &ops, &plan),
                 WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_plan_make_variant(6, -1, &ops, &plan), WG_ERR_ARGUMENT);
    /* other rungs ignore the variant; wg_ladder_plan_make is variant 0 */
    REQUIRE_OK(wg_ladder_plan_make_variant(5, 3, &ops, &plan));
    CHECK(plan.variant == 0 && plan.tiles_x == (333 + WG_L5_BN - 1) / WG_L5_BN);
    REQUIRE_OK(wg_ladder_plan_make(6, &ops, &plan));
    CHECK(plan.variant == 0);
}

/* A table as scripts/ladder-autotune.sh writes it: the committed header, then its lines. */
static const char table[] =
    "# Rung 6 tuning table\n"
    "#   SMS<TAB>VARIANT<TAB>GPU NAME[<TAB># note]\n"
    "\n"
    "132\t64x128x16-s4\tNVIDIA H100 80GB HBM3\t# 42.5 TFLOP/s geometric mean over n = 4096, 8192\n"
    "108\t128x64x16-s3\tNVIDIA A100-SXM4-40GB\n"
    "114\t64x128x16-s4\tNVIDIA H100 PCIe\r\n"
    "132\t128x128x16-s3\tNVIDIA H100 80GB HBM3 (second)"; /* no final newline */

TEST(ladder6_tuning_lookup)
{
    int v = -1;
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA H100 80GB HBM3", 132, &v));
    CHECK(v == wg_ladder6_variant_find("64x128x16-s4"));
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA A100-SXM4-40GB", 108, &v));
    CHECK(v == wg_ladder6_variant_find("128x64x16-s3") && v != 0);
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA H100 PCIe", 114, &v)); /* CRLF */
    CHECK(v == wg_ladder6_variant_find("64x128x16-s4"));
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA H100 80GB HBM3 (second)", 132, &v));
    CHECK(v == wg_ladder6_variant_find("128x128x16-s3") && v != 0);
    /* the name and the SM count must both match (a cut-down part is another GPU) */
    v = -1;
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA H100 80GB HBM3", 114, &v));
    CHECK(v == 0);
    v = -1;
    REQUIRE_OK(wg_ladder_tuning_lookup(table, "NVIDIA H100", 132, &v));
    CHECK(v == 0);
    /* the last matching line wins; an empty table gives the default */
    REQUIRE_OK(wg_ladder_tuning_lookup("8\t128x128x16-s3\tX\n8\t64x128x16-s4\tX\n", "X", 8, &v));
    CHECK(v == wg_ladder6_variant_find("64x128x16-s4") && v != 0);
    v = -1;
    REQUIRE_OK(wg_ladder_tuning_lookup("", "X", 8, &v));
    CHECK(v == 0);
}

TEST(ladder6_tuning_malformed)
{
    int v = 0;
    const char *bad[] = {
        "132 64x128x16-s4 NVIDIA H100\n",          /* spaces, not tabs */
        "# ok\n132\t128x128x16-s9\tNVIDIA H100\n",  /* unknown variant */
        "0\t64x128x16-s4\tNVIDIA H100\n",          /* SM count < 1 */
        "12x\t64x128x16-s4\tNVIDIA H100\n",        /* not a number */
        "132\t64x128x16-s4\n",                     /* no GPU name */
        "132\t\tNVIDIA H100\n",                     /* no variant */
        "132\t64x128x16-s4\t\n",                   /* empty name */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_STATUS(wg_ladder_tuning_lookup(bad[i], "NVIDIA H100", 132, &v), WG_ERR_ARGUMENT);
        CHECK_MSG(strstr(wg_error_message(), "tuning table line") != NULL,
                  "case %zu: the message names no line: %s", i, wg_error_message());
    }
    CHECK_STATUS(wg_ladder_tuning_lookup(bad[1], "x", 1, &v), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "line 2") && strstr(wg_error_message(), "128x128x16-s9"));
    char longline[700];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    CHECK_STATUS(wg_ladder_tuning_lookup(longline, "x", 1, &v), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_tuning_lookup(NULL, "x", 1, &v), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_ladder_tuning_lookup(table, NULL, 1, &v), WG_ERR_ARGUMENT);
}

TEST(ladder6_tuning_builtin_and_environment)
{
    /* the committed table parses */
    int v = -1;
    REQUIRE_OK(wg_ladder_tuning_lookup(wg_ladder_tuning_builtin(), "no such GPU", 1, &v));
    CHECK(v == 0);
    unsetenv("WHYGPU_LADDER6_VARIANT");
    unsetenv("WHYGPU_LADDER_TUNING");
    v = -1;
    REQUIRE_OK(wg_ladder6_choose("no such GPU", 1, &v));
    CHECK(v == 0);

    /* a table file */
    char path[] = "/tmp/whygpu-tuning-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    REQUIRE(f != NULL);
    fputs(table, f);
    fclose(f);
    setenv("WHYGPU_LADDER_TUNING", path, 1);
    v = -1;
    CHECK_STATUS(wg_ladder6_choose("NVIDIA A100-SXM4-40GB", 108, &v), WG_OK);
    CHECK(v == wg_ladder6_variant_find("128x64x16-s3") && v != 0);
    /* the forced variant wins over the file */
    setenv("WHYGPU_LADDER6_VARIANT", "64x128x16-s4", 1);
    CHECK_STATUS(wg_ladder6_choose("NVIDIA A100-SXM4-40GB", 108, &v), WG_OK);
    CHECK(v == wg_ladder6_variant_find("64x128x16-s4"));
    setenv("WHYGPU_LADDER6_VARIANT", "huge", 1);
    CHECK_STATUS(wg_ladder6_choose("NVIDIA A100-SXM4-40GB", 108, &v), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "huge") != NULL);
    unsetenv("WHYGPU_LADDER6_VARIANT");
    unlink(path);
    CHECK_STATUS(wg_ladder6_choose("NVIDIA A100-SXM4-40GB", 108, &v), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), path) != NULL);
    unsetenv("WHYGPU_LADDER_TUNING");
}
