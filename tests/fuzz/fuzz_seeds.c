/*
 * fuzz_seeds.c - writes the fuzzers' seed corpus: small valid IDX files (images, labels,
 * plain and gzip) and checkpoints, so the fuzzers start from inputs that parse.
 *
 * Usage: fuzz_seeds DIR    (writes DIR/idx/ and DIR/checkpoint/)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nn/checkpoint.h"
#include "nn_files.h"

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    fprintf(stderr, "fuzz_seeds: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

static int write_idx_seeds(const char *dir)
{
    uint8_t pixels[2 * 3 * 4], labels[2] = {3, 9};
    for (size_t i = 0; i < sizeof pixels; i++) pixels[i] = (uint8_t)(i * 37);
    const uint32_t image_dims[3] = {2, 3, 4}, label_dims[1] = {2};
    size_t images_size = 0, labels_size = 0;
    uint8_t *images = nn_idx_bytes(0x08, 3, image_dims, pixels, sizeof pixels, &images_size);
    uint8_t *label_bytes = nn_idx_bytes(0x08, 1, label_dims, labels, sizeof labels, &labels_size);
    char path[4096];
    int rc = images && label_bytes ? 0 : -1;
    snprintf(path, sizeof path, "%s/images", dir);
    if (!rc) rc = nn_write_file(path, images, images_size);
    snprintf(path, sizeof path, "%s/labels", dir);
    if (!rc) rc = nn_write_file(path, label_bytes, labels_size);
    /* Gzip seeds only where zlib is built in. */
    snprintf(path, sizeof path, "%s/images.gz", dir);
    if (!rc) nn_write_gzip(path, images, images_size);
    snprintf(path, sizeof path, "%s/labels.gz", dir);
    if (!rc) nn_write_gzip(path, label_bytes, labels_size);
    free(images);
    free(label_bytes);
    if (rc) fprintf(stderr, "fuzz_seeds: cannot write the IDX seeds in %s\n", dir);
    return rc;
}

static int write_checkpoint_seeds(const char *dir)
{
    float w[6] = {0.5f, -1.25f, 3.0f, 0.0f, -0.0f, 1e-30f}, b[2] = {1.0f, 2.0f};
    float q[1 * 2 * 1 * 2] = {7.0f, 8.0f, 9.0f, 10.0f};
    wg_checkpoint_tensor tensors[3] = {
        {.name = "fc1.weight", .rank = 2, .shape = {2, 3}, .data = w},
        {.name = "fc1.bias", .rank = 1, .shape = {2}, .data = b},
        {.name = "q", .rank = 4, .shape = {1, 2, 1, 2}, .data = q},
    };
    wg_checkpoint ck = {.model = "mlp 3-2 relu", .optimizer = "adam", .epoch = 2,
                        .step = 40, .seed = 7, .count = 3, .tensors = tensors};
    char path[4096];
    snprintf(path, sizeof path, "%s/three-tensors", dir);
    wg_status status = wg_checkpoint_save(path, &ck);
    if (status == WG_OK) {
        ck.count = 0;
        snprintf(path, sizeof path, "%s/empty", dir);
        status = wg_checkpoint_save(path, &ck);
    }
    if (status != WG_OK) {
        fprintf(stderr, "fuzz_seeds: %s\n", wg_error_message());
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    char idx_dir[4096], ck_dir[4096];
    snprintf(idx_dir, sizeof idx_dir, "%s/idx", argv[1]);
    snprintf(ck_dir, sizeof ck_dir, "%s/checkpoint", argv[1]);
    if (make_dir(argv[1]) || make_dir(idx_dir) || make_dir(ck_dir)) return 1;
    if (write_idx_seeds(idx_dir) || write_checkpoint_seeds(ck_dir)) return 1;
    return 0;
}
