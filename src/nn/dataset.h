/*
 * dataset.h - Fashion-MNIST (Zalando's 28x28 grey images of clothes in 10 classes) loaded
 * from its four standard IDX files into host memory, pixels scaled to [0, 1].
 */
#ifndef WG_NN_DATASET_H
#define WG_NN_DATASET_H

#include <stdint.h>

#include "whygpu.h"

/* Where Debian's dataset-fashion-mnist package puts the files. */
#define WG_FASHION_MNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define WG_FASHION_MNIST_CLASSES 10

typedef struct wg_dataset {
    int64_t count;      /* images */
    int64_t rows, cols; /* 28 x 28 */
    int64_t features;   /* rows * cols */
    float *images;      /* count x features, pixel / 255 in [0, 1], host memory */
    uint8_t *labels;    /* count entries, each < classes */
    int classes;        /* 10 */
} wg_dataset;

/* train = 1: the 60000 training images; 0: the 10000 test images. dir NULL: the default.
 * Each file is looked for under its standard name (train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), plain first,
 * then with ".gz". Image and label counts must match and every label must be < 10. On
 * failure *out is zeroed and the message names the directory or file and the problem. */
wg_status wg_dataset_load_fashion_mnist(const char *dir, int train, wg_dataset *out);

/* Frees and zeroes; NULL and zeroed are fine. */
void wg_dataset_free(wg_dataset *d);

/* "T-shirt/top", "Trouser", ... "Ankle boot"; "unknown" outside 0..9. */
const char *wg_fashion_mnist_class_name(int label);

#endif /* WG_NN_DATASET_H */
