/*
 * dataset.c - Fashion-MNIST from its IDX files: finds the files (plain or .gz), reads them
 * with the IDX reader, checks that images and labels agree, and scales pixels to [0, 1].
 */
#include "nn/dataset.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "nn/idx.h"

#define MISSING_HINT "apt install dataset-fashion-mnist, or pass --data DIR"

static const char *const class_names[WG_FASHION_MNIST_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

const char *wg_fashion_mnist_class_name(int label)
{
    if (label < 0 || label >= WG_FASHION_MNIST_CLASSES) return "unknown";
    return class_names[label];
}

/* dir/base, or dir/base.gz when only that exists; WG_ERR_IO naming both when neither. */
static wg_status find_file(const char *dir, const char *base, char *path, size_t size)
{
    struct stat st;
    int n = snprintf(path, size, "%s/%s", dir, base);
    if (n < 0 || (size_t)n >= size)
        return wg_fail(WG_ERR_ARGUMENT, "data directory path is too long: %s", dir);
    if (stat(path, &st) == 0) return WG_OK;
    n = snprintf(path, size, "%s/%s.gz", dir, base);
    if (n < 0 || (size_t)n >= size)
        return wg_fail(WG_ERR_ARGUMENT, "data directory path is too long: %s", dir);
    if (stat(path, &st) == 0) return WG_OK;
    return wg_fail(WG_ERR_IO, "Fashion-MNIST: %s has no %s or %s.gz (%s)", dir, base, base,
                   MISSING_HINT);
}

wg_status wg_dataset_load_fashion_mnist(const char *dir, int train, wg_dataset *out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "NULL output");
    memset(out, 0, sizeof *out);
    if (!dir) dir = WG_FASHION_MNIST_DEFAULT_DIR;
    const char *images_base = train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
    const char *labels_base = train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";

    struct stat st;
    if (stat(dir, &st) != 0)
        return wg_fail(WG_ERR_IO, "Fashion-MNIST: directory %s: %s; looked for %s[.gz] and "
                       "%s[.gz] (%s)", dir, strerror(errno), images_base, labels_base,
                       MISSING_HINT);
    if (!S_ISDIR(st.st_mode))
        return wg_fail(WG_ERR_IO, "Fashion-MNIST: %s is not a directory (%s)", dir,
                       MISSING_HINT);

    char images_path[4096], labels_path[4096];
    wg_status status = find_file(dir, images_base, images_path, sizeof images_path);
    if (status != WG_OK) return status;
    status = find_file(dir, labels_base, labels_path, sizeof labels_path);
    if (status != WG_OK) return status;

    wg_idx images, labels;
    status = wg_idx_read_file(images_path, WG_IDX_MAGIC_IMAGES, &images);
    if (status != WG_OK) return status;
    status = wg_idx_read_file(labels_path, WG_IDX_MAGIC_LABELS, &labels);
    if (status != WG_OK) {
        wg_idx_free(&images);
        return status;
    }
    int64_t count = images.dims[0], rows = images.dims[1], cols = images.dims[2];
    if (labels.dims[0] != count) {
        status = wg_fail(WG_ERR_IO, "Fashion-MNIST: %s has %" PRId64 " images but %s has %"
                         PRId64 " labels", images_path, count, labels_path, labels.dims[0]);
        goto done;
    }
    for (int64_t i = 0; i < count; i++) {
        if (labels.data[i] >= WG_FASHION_MNIST_CLASSES) {
            status = wg_fail(WG_ERR_IO, "Fashion-MNIST: %s: label %d of image %" PRId64
                             " is not < %d", labels_path, labels.data[i], i,
                             WG_FASHION_MNIST_CLASSES);
            goto done;
        }
    }
    /* images.count = count * rows * cols was checked for overflow, with room to spare
     * for the float copy (count <= SIZE_MAX / 2, so 4 * count may not fit: check). */
    if ((uint64_t)images.count > SIZE_MAX / sizeof(float)) {
        status = wg_fail(WG_ERR_OVERFLOW, "Fashion-MNIST: %s: %" PRId64 " pixels do not fit "
                         "in memory as floats", images_path, images.count);
        goto done;
    }
    float *pixels = malloc((size_t)images.count * sizeof(float));
    if (!pixels) {
        status = wg_fail(WG_ERR_NO_MEMORY, "Fashion-MNIST: cannot allocate %" PRId64
                         " floats for %s", images.count, images_path);
        goto done;
    }
    for (int64_t i = 0; i < images.count; i++) pixels[i] = (float)images.data[i] / 255.0f;
    out->count = count;
    out->rows = rows;
    out->cols = cols;
    out->features = rows * cols;
    out->images = pixels;
    out->labels = labels.data; /* handed over: not freed below */
    out->classes = WG_FASHION_MNIST_CLASSES;
    labels.data = NULL;
done:
    wg_idx_free(&images);
    wg_idx_free(&labels);
    return status;
}

void wg_dataset_free(wg_dataset *d)
{
    if (!d) return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}
