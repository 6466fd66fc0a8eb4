/*
 * train.h - training an MLP classifier on a dataset held on the training device: epochs of
 * shuffled mini-batches, a learning-rate schedule, evaluation, and per-epoch figures (loss,
 * train and test accuracy, wall time, images/s).
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

typedef enum wg_lr_schedule {
    WG_LR_CONSTANT = 0,
    WG_LR_COSINE, /* lr * (1 + cos(pi * step / total)) / 2: from lr down to 0 at the end */
    WG_LR_STEP    /* lr, then lr / 10 from half-way, lr / 100 from three quarters */
} wg_lr_schedule;

const char *wg_lr_schedule_name(wg_lr_schedule schedule);
wg_status wg_lr_schedule_parse(const char *text, wg_lr_schedule *out);
/* The learning rate of step `step` (0-based) of `total`. */
float wg_lr_at(wg_lr_schedule schedule, float lr, int64_t step, int64_t total);

typedef struct wg_train_options {
    wg_device device;
    int hidden_layers;                        /* 0 .. WG_MLP_MAX_LAYERS - 1 */
    int64_t hidden[WG_MLP_MAX_LAYERS - 1];    /* widths of the hidden layers */
    int64_t batch;
    int64_t epochs;
    int64_t max_steps;                        /* > 0: stop after this many steps in all */
    wg_optimizer optimizer;
    float lr;
    wg_lr_schedule schedule;
    uint64_t seed;
} wg_train_options;

/* The defaults: cpu, 512,256 hidden, batch 256, 10 epochs, SGD momentum 0.9, lr 0.1 with a
 * cosine schedule, seed 42 (Adam's betas 0.9/0.999, eps 1e-8, for when Adam is chosen). */
void wg_train_defaults(wg_train_options *options);

/* A dataset in the memory of the training device. */
typedef struct wg_device_dataset {
    wg_device device;
    int64_t count, features;
    int classes;
    const float *images; /* count x features */
    const uint8_t *labels;
    void *owned_images, *owned_labels; /* device copies to free (NULL on the CPU) */
} wg_device_dataset;

typedef struct wg_trainer {
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
} wg_trainer;

/* Copies the datasets to the device and builds the model (He-initialised from the seed).
 * test may be NULL. The datasets' features and classes must fit the model. */
wg_status wg_trainer_create(const wg_train_options *options, const wg_dataset *train,
                            const wg_dataset *test, wg_trainer **out);
void wg_trainer_free(wg_trainer *trainer);

/* One training step on the next batch (shuffling when an epoch starts). Queues work only,
 * except for the upload of a new epoch's order. */
wg_status wg_trainer_step(wg_trainer *trainer);

typedef struct wg_epoch_result {
    int64_t epoch;          /* 1-based */
    int64_t steps, images;  /* trained in this epoch */
    float lr;               /* the learning rate of the epoch's last step */
    double train_loss;      /* mean per image over the epoch, as trained (running) */
    double train_accuracy;  /* share of the epoch's images classified right as trained */
    double test_loss;       /* mean over the test set after the epoch (NaN without one) */
    double test_accuracy;
    double seconds;         /* wall time of the training steps, the device finished */
    double images_per_s;
    double eval_seconds;
} wg_epoch_result;

/* Called after each step with the steps done in this epoch and the epoch's step count. */
typedef void (*wg_train_progress_fn)(void *context, int64_t epoch, int64_t step,
                                     int64_t steps);

/* Trains one epoch (fewer steps when max_steps runs out; then *out covers those steps),
 * then evaluates the test set. */
wg_status wg_trainer_run_epoch(wg_trainer *trainer, wg_train_progress_fn progress,
                               void *context, wg_epoch_result *out);

/* 1 when max_steps is reached or all epochs are done. */
int wg_trainer_finished(const wg_trainer *trainer);

/* Mean loss and accuracy of the model over a device dataset, in batches of the capacity. */
wg_status wg_trainer_evaluate(wg_trainer *trainer, const wg_device_dataset *data,
                              double *loss, double *accuracy);

/* Saves the model and optimiser state with the trainer's epoch, step and seed. */
wg_status wg_trainer_save(const wg_trainer *trainer, const char *path);
/* Resumes from a checkpoint of the same model: parameters, optimiser state (when the file
 * has this optimiser's), epoch and step. Training then goes on until `epochs` epochs (and
 * `max_steps` steps) in all, counting those in the file, with the schedule as if never
 * interrupted; a finished checkpoint only evaluates. info may be NULL. */
wg_status wg_trainer_load(wg_trainer *trainer, const char *path, wg_mlp_checkpoint_info *info);

/* Copies a host dataset to a device (the CPU shares the host arrays) and frees it. */
wg_status wg_device_dataset_upload(const wg_dataset *host, wg_device device,
                                   wg_device_dataset *out);
void wg_device_dataset_free(wg_device_dataset *data);

#endif /* WG_NN_TRAIN_H */
