/*
 * whygpu_lab.h - the public API of whygpu's laboratory: the experiments built on the tensor
 * library of whygpu.h. Measurement (bandwidth, latency, caches, peaks, "time an op and
 * check it against float64"), the size sweep, the GPU matmul ladder, training, and the
 * JSON documents every command writes. The command-line tool (tools/) uses only this
 * header and whygpu.h; nothing under src/ is private to it.
 *
 * Conventions are those of whygpu.h: every call that can fail returns a wg_status with a
 * message in wg_error_message(); nothing here prints or exits.
 */
#ifndef WHYGPU_LAB_H
#define WHYGPU_LAB_H

#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ measurement ======= */

/* ================================================================ sweep ============= */

/* ================================================================ ladder ============ */

/* ================================================================ training ========== */

/* ================================================================ JSON documents ==== */

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
