/*
 * fuzz_checkpoint.c - libFuzzer target for the checkpoint parser. Each input is parsed as
 * it is, and again with its declared size and CRC-32 patched to match, so that the fuzzer
 * also reaches the tensor records behind the checksum. Built by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/checkpoint.h"
#include "nn/crc32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Offsets from docs/checkpoint.md. */
#define SIZE_OFFSET 16
#define MIN_BYTES 340

static void parse_and_check(const uint8_t *data, size_t size)
{
    wg_checkpoint ck;
    if (wg_checkpoint_parse(data, size, &ck) == WG_OK) {
        for (int i = 0; i < ck.count; i++) {
            const wg_checkpoint_tensor *t = &ck.tensors[i];
            int64_t numel = 1;
            for (int a = 0; a < t->rank; a++) numel *= t->shape[a];
            volatile float last = t->data[numel - 1]; /* ASan checks the extent */
            (void)last;
            if (wg_checkpoint_find(&ck, t->name) != t) abort(); /* names are unique */
        }
    } else if (ck.tensors != NULL || ck.count != 0) {
        abort(); /* a failed parse must leave the output zeroed */
    }
    wg_checkpoint_free(&ck);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_and_check(data, size);
    if (size < MIN_BYTES) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    for (int i = 0; i < 8; i++) copy[SIZE_OFFSET + i] = (uint8_t)((uint64_t)size >> (8 * i));
    uint32_t crc = wg_crc32(0, copy, size - 4);
    for (int i = 0; i < 4; i++) copy[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    parse_and_check(copy, size);
    free(copy);
    return 0;
}
