/*
 * measure.h - the measurements behind `whygpu explain`, now declared in the "measurement"
 * section of include/whygpu_lab.h; this header stays for the library's own files.
 */
#ifndef WG_MEASURE_H
#define WG_MEASURE_H

#include "whygpu_lab.h"

#endif /* WG_MEASURE_H */
