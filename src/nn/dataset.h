/*
 * dataset.h - Fashion-MNIST (Zalando's 28x28 grey images of clothes in 10 classes) loaded
 * from its four standard IDX files into host memory, pixels scaled to [0, 1].
 */
#ifndef WG_NN_DATASET_H
#define WG_NN_DATASET_H

#include "whygpu_lab.h" /* wg_dataset and its loader are public */

#endif /* WG_NN_DATASET_H */
