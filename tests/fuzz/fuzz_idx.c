/*
 * fuzz_idx.c - libFuzzer target for the IDX parser (plain and gzip input): any bytes must
 * give either a parsed file whose sizes agree with its data, or an error with a message;
 * never a crash, a leak or undefined behaviour. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "nn/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t magics[] = {0, WG_IDX_MAGIC_IMAGES, WG_IDX_MAGIC_LABELS};
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
        wg_idx idx;
        if (wg_idx_parse(data, size, "fuzz", magics[i], &idx) == WG_OK) {
            int64_t count = 1;
            for (int a = 0; a < idx.rank; a++) count *= idx.dims[a];
            if (count != idx.count || idx.data == NULL) abort();
            volatile uint8_t last = idx.data[idx.count - 1]; /* ASan checks the extent */
            (void)last;
        } else if (idx.data != NULL || idx.count != 0) {
            abort(); /* a failed parse must leave the output zeroed */
        }
        wg_idx_free(&idx);
    }
    return 0;
}
