/*
 * sweep.h - the size sweep behind `whygpu sweep`, now declared in the "sweep" section of
 * include/whygpu_lab.h; this header stays for the library's own files.
 */
#ifndef WG_SWEEP_H
#define WG_SWEEP_H

#include "whygpu_lab.h"

#endif /* WG_SWEEP_H */
