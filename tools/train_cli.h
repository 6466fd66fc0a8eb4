/*
 * train_cli.h - what `whygpu train` and `whygpu train --compare` share: the parsed options
 * (train_options.c) and the blocks of their whygpu.train/2 JSON documents that are the
 * same in both modes (train_json.c). docs/json.md describes the schema.
 */
#ifndef WG_TRAIN_CLI_H
#define WG_TRAIN_CLI_H

#include <stdio.h>

#include "whygpu.h"
#include "whygpu_lab.h"

#define TRAIN_CLI_MAX_BATCHES 16

typedef struct train_cli {
    wg_train_options train;
    int lr_given, hidden_given;
    const char *data_dir;  /* never NULL after parsing */
    const char *json_path; /* NULL, "-" (stdout) or a file */
    const char *save_path;
    const char *load_path;
    int compare;
    int progress;
    int text;              /* the table on stdout (not when the JSON goes there) */
    /* gpu-step: --batches, the batch-size curve of --compare (cmd_train_curve.c) */
    int64_t batches[TRAIN_CLI_MAX_BATCHES];
    int batch_count;
} train_cli;

/* Parses `whygpu train`'s options: 0 to run, -1 after --help, else an exit code. */
int train_parse_options(int argc, char **argv, train_cli *c);

/* The two modes, after parsing. */
int train_run(train_cli *c, int argc, char **argv);
int train_compare_run(train_cli *c, int argc, char **argv);
/* --compare --batches: one comparison per batch size, the curve and its best batch. */
int train_curve_run(train_cli *c, int argc, char **argv);

/* The machine the run used: the CPU, and the GPU when one was named (the document's one
 * machine block); the matmul kernels are those of the devices that trained. */
void train_machine_get(wg_device device, int cpu_trains, wg_machine_facts *out);

/* The JSON document's opening (schema whygpu.train/2, version, command, date, the machine
 * block, mode), its model/options and data blocks, and the destination: stdout for "-",
 * else a temporary file beside the path (NULL, with the reason said, if it cannot be made). */
FILE *train_json_open(const char *path);
void train_json_begin(wg_json *j, FILE *f, const char *mode, const wg_machine_facts *machine,
                      int argc, char **argv);
void train_json_options(wg_json *j, const train_cli *c, const char *model, int64_t parameters);
/* test_images < 0: no test set (null). */
void train_json_data(wg_json *j, const char *dir, int64_t train_images, int64_t test_images);
/* A float as the decimal it was written as (0.1f is 0.100000001490116 as a double). */
double train_tidy(float value);
/* Finishes and renames the temporary file over the path; nonzero (after a one-line error
 * naming the reason, the old file kept) when the JSON could not be written. */
int train_json_close(FILE *f, wg_json *j, const char *path);

#endif /* WG_TRAIN_CLI_H */
