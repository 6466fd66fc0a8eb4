/*
 * blobs.h - a learnable synthetic dataset for the training tests: `classes` Gaussian blobs
 * in `features` dimensions (noise well under the distance between centres); the same
 * centre seed with another noise seed gives a test set of the same problem. Defined in
 * test_mlp.c.
 */
#ifndef WG_TEST_BLOBS_H
#define WG_TEST_BLOBS_H

#include <stdint.h>

#include "whygpu_lab.h"

/* 1 on success (free with wg_dataset_free), 0 when out of memory. */
int make_blobs(wg_dataset *d, int64_t count, int64_t features, int classes,
               uint64_t centre_seed, uint64_t noise_seed);

#endif /* WG_TEST_BLOBS_H */
