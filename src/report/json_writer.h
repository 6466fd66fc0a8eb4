/*
 * json_writer.h - the streaming JSON writer, now declared in the "JSON documents" section of
 * include/whygpu_lab.h; this header stays so src/ files can keep including it.
 */
#ifndef WG_JSON_WRITER_H
#define WG_JSON_WRITER_H

#include "whygpu_lab.h"

#endif /* WG_JSON_WRITER_H */
