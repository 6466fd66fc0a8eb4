/*
 * test_mlp_hostile.c - checkpoints a hostile or unlucky user can produce: a diverged model
 * (NaN weights) is not saved over a good checkpoint, a checkpoint holding NaN or infinite
 * values is not loaded (#21 item 10), and an epoch of INT64_MAX is refused instead of
 * overflowing epoch * steps_per_epoch (#21 item 16, seen under UBSan); a model too large
 * for memory as a whole, though each of its buffers fits, is refused before anything is
 * allocated (#21 item 1: it was OOM-killed while zero-filling).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

/* The refusal runs in a child whose address space is capped a little above one parameter
 * buffer: without the up-front check the second buffer fails to allocate there (and the
 * test fails on the message) instead of the zero-fill pushing the machine out of memory. */
TEST(mlp_create_checks_the_whole_model_first)
{
    const int64_t available = wg_host_memory_available();
    REQUIRE(available > 0);
    /* two hidden layers of width h: one buffer is about h^2 floats, 40% of what is free */
    const int64_t h = (int64_t)sqrt(0.4 * (double)available / 4.0);
    if (h > WG_MLP_MAX_WIDTH) SKIP("%lld bytes free: more than a model of the widest layers",
                                   (long long)available);
    const int64_t sizes[4] = {784, h, h, 10};
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
#ifndef __SANITIZE_ADDRESS__ /* ASan reserves terabytes of address space up front */
        long pages = 0;
        FILE *statm = fopen("/proc/self/statm", "r");
        if (statm && fscanf(statm, "%ld", &pages) == 1) {
            struct rlimit cap;
            getrlimit(RLIMIT_AS, &cap);
            cap.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
                           (rlim_t)(0.6 * (double)available);
            setrlimit(RLIMIT_AS, &cap);
        }
        if (statm) fclose(statm);
#endif
        wg_mlp *m = NULL;
        wg_status status = wg_mlp_create(wg_cpu(), 3, sizes, 1, &m);
        char out[700];
        snprintf(out, sizeof out, "%d %s", (int)status, wg_error_message());
        ssize_t ignored = write(fds[1], out, strlen(out) + 1);
        (void)ignored;
        _exit(0);
    }
    close(fds[1]);
    char got[700] = "";
    size_t used = 0;
    for (ssize_t n; used < sizeof got - 1 && (n = read(fds[0], got + used, sizeof got - 1 - used)) > 0;)
        used += (size_t)n;
    close(fds[0]);
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    CHECK_MSG(WIFEXITED(wstatus), "the child died (status %#x): not refused up front", wstatus);
    CHECK_MSG(atoi(got) == (int)WG_ERR_NO_MEMORY, "wg_mlp_create said: %s", got);
    CHECK_MSG(strstr(got, "needs") && strstr(got, "host memory") && strstr(got, "parameters"),
              "message: %s", got);
}
