/*
 * test_dataset.c - Fashion-MNIST loading: a small fake data set in the standard file
 * layout (plain and gzip), every way the files can disagree, and the real data set when
 * Debian's dataset-fashion-mnist package is installed (skipped otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "nn/dataset.h"
#include "nn_files.h"

#define IDX_UBYTE 0x08

/* Writes dir/name (gzip when gz) holding an IDX of unsigned bytes; 0 on success. */
static int write_idx(const char *dir, const char *name, int gz, int rank, const uint32_t *dims,
                     const uint8_t *data, size_t data_size)
{
    char path[512];
    size_t size = 0;
    uint8_t *bytes = nn_idx_bytes(IDX_UBYTE, rank, dims, data, data_size, &size);
    if (!bytes) return -1;
    snprintf(path, sizeof path, "%s/%s%s", dir, name, gz ? ".gz" : "");
    int rc = gz ? nn_write_gzip(path, bytes, size) : nn_write_file(path, bytes, size);
    free(bytes);
    return rc;
}

/* A fake set of `count` 2 x 3 images; pixel p of image i is (i * 6 + p) * 5, label i % 10. */
static int write_fake_set(const char *dir, int train, int gz, uint32_t count,
                          uint32_t label_count, uint8_t bad_label)
{
    uint8_t pixels[64 * 6], labels[64];
    if (count > 64 || label_count > 64) return -1;
    for (uint32_t i = 0; i < count * 6; i++) pixels[i] = (uint8_t)(i * 5);
    for (uint32_t i = 0; i < label_count; i++) labels[i] = (uint8_t)(i % 10);
    if (bad_label && label_count > 1) labels[1] = bad_label;
    const uint32_t image_dims[3] = {count, 2, 3}, label_dims[1] = {label_count};
    const char *images = train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
    const char *label_name = train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
    if (write_idx(dir, images, gz, 3, image_dims, pixels, count * 6)) return -1;
    return write_idx(dir, label_name, gz, 1, label_dims, labels, label_count);
}

static void check_fake_set(const wg_dataset *d, int64_t count)
{
    CHECK(d->count == count && d->rows == 2 && d->cols == 3 && d->features == 6);
    CHECK(d->classes == 10);
    REQUIRE(d->images != NULL && d->labels != NULL);
    int pixels_ok = 1, labels_ok = 1;
    for (int64_t i = 0; i < count * 6; i++)
        if (d->images[i] != (float)(uint8_t)(i * 5) / 255.0f) pixels_ok = 0;
    for (int64_t i = 0; i < count; i++)
        if (d->labels[i] != i % 10) labels_ok = 0;
    CHECK(pixels_ok);
    CHECK(labels_ok);
}

TEST(dataset_loads_fake_fashion_mnist)
{
    char dir[64];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    int gz = 0;
#ifdef WG_HAVE_ZLIB
    gz = 1; /* the test set compressed, like the Debian package */
#endif
    if (write_fake_set(dir, 1, 0, 12, 12, 0) || write_fake_set(dir, 0, gz, 5, 5, 0)) {
        nn_remove_dir(dir);
        REQUIRE(!"could not write the fake data set");
    }
    wg_dataset train, test;
    CHECK_STATUS(wg_dataset_load_fashion_mnist(dir, 1, &train), WG_OK);
    check_fake_set(&train, 12);
    CHECK(train.images[6 * 12 - 1] <= 1.0f);
    CHECK_STATUS(wg_dataset_load_fashion_mnist(dir, 0, &test), WG_OK);
    check_fake_set(&test, 5);
    wg_dataset_free(&train);
    wg_dataset_free(&test);
    CHECK(train.images == NULL && train.labels == NULL && train.count == 0);
    wg_dataset_free(&train); /* zeroed: fine */
    wg_dataset_free(NULL);
    nn_remove_dir(dir);
}

/* The load must fail with `status`, leave *out zeroed, and name each fragment. */
static void expect_load_error(const char *dir, int train, wg_status status, const char *a,
                              const char *b, const char *c)
{
    wg_dataset d;
    memset(&d, 0x5A, sizeof d);
    CHECK_STATUS(wg_dataset_load_fashion_mnist(dir, train, &d), status);
    const char *message = wg_error_message();
    const char *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (parts[i])
            CHECK_MSG(strstr(message, parts[i]) != NULL, "message lacks \"%s\": %s", parts[i],
                      message);
    CHECK(d.images == NULL && d.labels == NULL && d.count == 0);
}

TEST(dataset_errors_name_the_files_and_the_problem)
{
    char dir[64], missing[128];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(missing, sizeof missing, "%s/absent", dir);
    expect_load_error(missing, 1, WG_ERR_IO, missing, "train-images-idx3-ubyte",
                      "apt install dataset-fashion-mnist, or pass --data DIR");
    /* An empty directory: names the directory, the file and the hint. */
    expect_load_error(dir, 0, WG_ERR_IO, dir, "t10k-images-idx3-ubyte",
                      "apt install dataset-fashion-mnist");
    /* Images without labels. */
    const uint32_t dims[3] = {2, 2, 3};
    uint8_t pixels[12] = {0};
    if (write_idx(dir, "train-images-idx3-ubyte", 0, 3, dims, pixels, sizeof pixels) == 0)
        expect_load_error(dir, 1, WG_ERR_IO, "train-labels-idx1-ubyte", dir, "--data DIR");
    /* Counts that disagree. */
    if (write_fake_set(dir, 1, 0, 5, 4, 0) == 0)
        expect_load_error(dir, 1, WG_ERR_IO, "5 images", "4 labels", NULL);
    /* A label that is not a class. */
    if (write_fake_set(dir, 1, 0, 5, 5, 10) == 0)
        expect_load_error(dir, 1, WG_ERR_IO, "label 10", "image 1", "< 10");
    /* Labels where the images belong: the magic is named. */
    const uint32_t label_dims[1] = {5};
    if (write_idx(dir, "train-images-idx3-ubyte", 0, 1, label_dims, pixels, 5) == 0)
        expect_load_error(dir, 1, WG_ERR_IO, "train-images-idx3-ubyte", "expected 0x00000803",
                          NULL);
    /* A file where the directory should be. */
    char file[256];
    snprintf(file, sizeof file, "%s/train-images-idx3-ubyte", dir);
    expect_load_error(file, 1, WG_ERR_IO, "not a directory", NULL, NULL);
    CHECK_STATUS(wg_dataset_load_fashion_mnist(dir, 1, NULL), WG_ERR_ARGUMENT);
    nn_remove_dir(dir);
}

TEST(fashion_mnist_class_names)
{
    CHECK(strcmp(wg_fashion_mnist_class_name(0), "T-shirt/top") == 0);
    CHECK(strcmp(wg_fashion_mnist_class_name(5), "Sandal") == 0);
    CHECK(strcmp(wg_fashion_mnist_class_name(9), "Ankle boot") == 0);
    CHECK(strcmp(wg_fashion_mnist_class_name(10), "unknown") == 0);
    CHECK(strcmp(wg_fashion_mnist_class_name(-1), "unknown") == 0);
}

/* The real data set: 60000 + 10000 images of 28 x 28, 10 balanced classes. */
TEST(dataset_loads_real_fashion_mnist)
{
    struct stat st;
    if (stat(WG_FASHION_MNIST_DEFAULT_DIR, &st) != 0)
        SKIP("Fashion-MNIST is not installed in %s (apt install dataset-fashion-mnist)",
             WG_FASHION_MNIST_DEFAULT_DIR);
#ifndef WG_HAVE_ZLIB
    SKIP("built without zlib and the Debian package's files are gzip-compressed");
#endif
    const int64_t expected_count[2] = {10000, 60000};
    for (int train = 0; train <= 1; train++) {
        wg_dataset d;
        REQUIRE_OK(wg_dataset_load_fashion_mnist(NULL, train, &d));
        CHECK(d.count == expected_count[train]);
        CHECK(d.rows == 28 && d.cols == 28 && d.features == 784 && d.classes == 10);
        int64_t per_class[10] = {0}, bad_labels = 0, out_of_range = 0;
        for (int64_t i = 0; i < d.count; i++) {
            if (d.labels[i] < 10) per_class[d.labels[i]]++;
            else bad_labels++;
        }
        double sum = 0.0;
        for (int64_t i = 0; i < d.count * d.features; i++) {
            float v = d.images[i];
            if (!(v >= 0.0f && v <= 1.0f)) out_of_range++;
            sum += v;
        }
        CHECK(bad_labels == 0);
        CHECK(out_of_range == 0);
        /* Fashion-MNIST is balanced: a tenth of the images in every class. */
        for (int c = 0; c < 10; c++)
            CHECK_MSG(per_class[c] == d.count / 10, "class %d has %lld images of %lld", c,
                      (long long)per_class[c], (long long)d.count);
        double mean = sum / (double)(d.count * d.features);
        CHECK_MSG(mean > 0.1 && mean < 0.6, "mean pixel %.3f is implausible", mean);
        wg_dataset_free(&d);
    }
}
