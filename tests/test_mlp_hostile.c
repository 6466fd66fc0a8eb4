/*
 * test_mlp_hostile.c - checkpoints a hostile or unlucky user can produce: a diverged model
 * (NaN weights) is not saved over a good checkpoint, a checkpoint holding NaN or infinite
 * values is not loaded (#21 item 10), and an epoch of INT64_MAX is refused instead of
 * overflowing epoch * steps_per_epoch (#21 item 16, seen under UBSan).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nn/checkpoint.h"
#include "nn/mlp.h"
#include "nn/mlp_checkpoint.h"
#include "nn/train.h"

static int temp_path(char *path, size_t size)
{
    snprintf(path, size, "/tmp/whygpu-hostile-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

TEST(mlp_checkpoint_refuses_non_finite_values)
{
    const int64_t sizes[] = {6, 5, 3};
    char good[64], bad[64];
    REQUIRE(temp_path(good, sizeof good) == 0 && temp_path(bad, sizeof bad) == 0);
    wg_mlp *a = NULL, *b = NULL;
    REQUIRE_OK(wg_mlp_create(wg_cpu(), 2, sizes, 4, &a));
    REQUIRE_OK(wg_mlp_create(wg_cpu(), 2, sizes, 4, &b));
    REQUIRE_OK(wg_mlp_init(a, 1));
    REQUIRE_OK(wg_mlp_save(a, good, WG_OPTIMIZER_SGD, 1, 10, 1));
    /* A diverged model is not written over the good file. */
    float w[30];
    REQUIRE_OK(wg_mlp_read(a, WG_MLP_PARAMS, 0, w));
    w[3] = NAN;
    REQUIRE_OK(wg_mlp_write(a, WG_MLP_PARAMS, 0, w));
    CHECK_STATUS(wg_mlp_save(a, good, WG_OPTIMIZER_SGD, 2, 20, 1), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "diverged") != NULL);
    wg_mlp_checkpoint_info info;
    REQUIRE_OK(wg_mlp_load(b, good, WG_OPTIMIZER_SGD, &info));
    CHECK(info.epoch == 1); /* still the good one */
    /* A file holding NaN (or infinity, in the optimiser state) is refused. */
    wg_checkpoint ck;
    REQUIRE_OK(wg_checkpoint_load(good, &ck));
    ck.tensors[0].data[1] = NAN;
    REQUIRE_OK(wg_checkpoint_save(bad, &ck));
    CHECK_STATUS(wg_mlp_load(b, bad, WG_OPTIMIZER_SGD, &info), WG_ERR_IO);
    CHECK_MSG(strstr(wg_error_message(), "nan") != NULL, "%s", wg_error_message());
    ck.tensors[0].data[1] = 0.5f;
    REQUIRE(ck.count >= 2);
    ck.tensors[ck.count - 1].data[0] = INFINITY;
    REQUIRE_OK(wg_checkpoint_save(bad, &ck));
    CHECK_STATUS(wg_mlp_load(b, bad, WG_OPTIMIZER_SGD, &info), WG_ERR_IO);
    CHECK_MSG(strstr(wg_error_message(), "inf") != NULL, "%s", wg_error_message());
    wg_checkpoint_free(&ck);
    wg_mlp_free(a);
    wg_mlp_free(b);
    unlink(good);
    unlink(bad);
}

TEST(trainer_load_refuses_an_absurd_epoch)
{
    enum { ROWS = 40, FEATURES = 6 };
    wg_dataset data;
    memset(&data, 0, sizeof data);
    float images[ROWS * FEATURES];
    uint8_t labels[ROWS];
    for (int i = 0; i < ROWS * FEATURES; i++) images[i] = (float)(i % 7) / 7.0f;
    for (int i = 0; i < ROWS; i++) labels[i] = (uint8_t)(i % 3);
    data.images = images;
    data.labels = labels;
    data.count = ROWS;
    data.rows = 1;
    data.cols = FEATURES;
    data.features = FEATURES;
    data.classes = 3;
    wg_train_options o;
    wg_train_defaults(&o);
    o.device = wg_cpu();
    o.hidden_layers = 1;
    o.hidden[0] = 5;
    o.batch = 4;
    o.epochs = 1;
    wg_trainer *t = NULL;
    REQUIRE_OK(wg_trainer_create(&o, &data, NULL, &t));
    char path[64];
    REQUIRE(temp_path(path, sizeof path) == 0);
    REQUIRE_OK(wg_trainer_save(t, path));
    wg_checkpoint ck;
    REQUIRE_OK(wg_checkpoint_load(path, &ck));
    ck.epoch = INT64_MAX;
    REQUIRE_OK(wg_checkpoint_save(path, &ck));
    CHECK_STATUS(wg_trainer_load(t, path, NULL), WG_ERR_ARGUMENT);
    CHECK_MSG(strstr(wg_error_message(), "9223372036854775807") != NULL, "%s",
              wg_error_message());
    ck.epoch = 3;
    REQUIRE_OK(wg_checkpoint_save(path, &ck));
    wg_mlp_checkpoint_info info;
    CHECK(wg_trainer_load(t, path, &info) == WG_OK && info.epoch == 3);
    wg_checkpoint_free(&ck);
    wg_trainer_free(t);
    unlink(path);
}
