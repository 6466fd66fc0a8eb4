/*
 * mlp_checkpoint.h - an MLP's parameters and optimiser state to and from a checkpoint file
 * (the format of checkpoint.h). Tensors are named after the model's parameters
 * ("layer0.weight" [in, out], "layer0.bias" [out]); the optimiser state follows as
 * "<name>.momentum" (SGD) or "<name>.adam_m" and "<name>.adam_v" (Adam). The model string
 * (wg_mlp_describe) must match on load.
 */
#ifndef WG_NN_MLP_CHECKPOINT_H
#define WG_NN_MLP_CHECKPOINT_H

#include <stdint.h>

#include "mlp.h"

/* wg_mlp_checkpoint_info, wg_mlp_checkpoint_peek and wg_mlp_parse_description are
 * public, in whygpu_lab.h. */

/* Saves the parameters and the state of `optimizer` (atomically). */
wg_status wg_mlp_save(const wg_mlp *mlp, const char *path, wg_optimizer_kind optimizer,
                      int64_t epoch, int64_t step, uint64_t seed);

/* Loads parameters into a model of the same architecture (else WG_ERR_ARGUMENT naming both
 * models), and the optimiser state when the file holds the state of `optimizer` (else that
 * state is zeroed). info may be NULL. On failure the model is unchanged, as far as the
 * checks before copying can ensure. */
wg_status wg_mlp_load(wg_mlp *mlp, const char *path, wg_optimizer_kind optimizer,
                      wg_mlp_checkpoint_info *info);

/* The model saved in `path`, for prediction only (wg_mlp_create_inference), on `device`
 * with room for `capacity` rows. Everything is checked before any model memory is
 * allocated: the architecture against `features` inputs and `classes` outputs
 * (WG_ERR_SHAPE), and every parameter tensor present, of its shape and finite; a file
 * whose header names a huge model but whose tensors do not match it costs only its own
 * size. info may be NULL. */
wg_status wg_mlp_load_inference(wg_device device, const char *path, int64_t features,
                                int64_t classes, int64_t capacity, wg_mlp **out,
                                wg_mlp_checkpoint_info *info);

#endif /* WG_NN_MLP_CHECKPOINT_H */
