/*
 * train.h - the inside of the trainer (the public calls are in whygpu_lab.h, "training"):
 * the struct behind the opaque wg_trainer, and datasets held in the training device's
 * memory. Tests and src/nn/ use it; tools/ do not.
 *
 * The dataset is copied to the device once (the CPU uses the host arrays as they are); each
 * epoch's order is a permutation drawn from the seed and the epoch number, uploaded once
 * per epoch; a step gathers its batch on the device, so nothing crosses the bus inside a
 * step and nothing waits for the GPU until the epoch's statistics are read. The library
 * never prints: progress goes to a callback.
 */
#ifndef WG_NN_TRAIN_H
#define WG_NN_TRAIN_H

#include <stdint.h>

#include "dataset.h"
#include "mlp.h"
#include "mlp_checkpoint.h"
#include "whygpu_lab.h"

/* A dataset in the memory of the training device. */
typedef struct wg_device_dataset {
    wg_device device;
    int64_t count, features;
    int classes;
    const float *images; /* count x features */
    const uint8_t *labels;
    void *owned_images, *owned_labels; /* device copies to free (NULL on the CPU) */
} wg_device_dataset;

struct wg_trainer {
    wg_train_options options;
    wg_mlp *model;
    wg_device_dataset train, test; /* test.count == 0 when there is no test set */
    int32_t *order_host;           /* this epoch's permutation of the training set */
    int32_t *order;                /* the same on the device */
    float *x;                      /* batch inputs [batch, features], device */
    uint8_t *y;                    /* batch labels, device */
    int64_t steps_per_epoch;
    int64_t total_steps;           /* the schedule's length */
    int64_t epoch;                 /* epochs completed */
    int64_t step;                  /* steps completed, in all */
    int64_t position;              /* next row of the epoch's order */
    int diverged;                  /* the loss went non-finite: nothing more is saved */
    struct wg_train_graphs *graphs; /* gpu-step: the CUDA-graph step (train_graph.h) */
};

/* Mean loss and accuracy of the model over a device dataset, in batches of the capacity. */
wg_status wg_trainer_evaluate(wg_trainer *trainer, const wg_device_dataset *data,
                              double *loss, double *accuracy);

/* Copies a host dataset to a device (the CPU shares the host arrays) and frees it. */
wg_status wg_device_dataset_upload(const wg_dataset *host, wg_device device,
                                   wg_device_dataset *out);
void wg_device_dataset_free(wg_device_dataset *data);

#endif /* WG_NN_TRAIN_H */
