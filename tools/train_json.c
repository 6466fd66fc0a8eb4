/*
 * train_json.c - the blocks that `whygpu train` and `whygpu train --compare` write alike in
 * their whygpu.train/2 documents (docs/json.md): the opening with the machine block, the
 * model with its options, the data; and the machine facts both print.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train_cli.h"

void train_machine_get(wg_device device, int cpu_trains, wg_machine_facts *out)
{
    /* Without the CPU's facts the block says what it has (zeroed), as the text does. */
    (void)wg_machine_facts_get(device.kind != WG_DEVICE_CPU, device, out);
    if (cpu_trains && wg_cpu_matmul_isa(&out->cpu_kernel) != WG_OK) out->cpu_kernel = NULL;
    /* The trainer's GEMMs take the device's best kernel ("auto"): the registry names it. */
    const wg_kernel *kernel = NULL;
    if (out->gpu_available)
        out->gpu_kernel = wg_kernel_find(device.kind, NULL, &kernel) == WG_OK ? kernel->name : "auto";
}

/* The one JSON output of a run: a temporary file beside the target until complete. */
static cli_output json_output;

FILE *train_json_open(const char *path)
{
    return cli_output_open("train", path, &json_output) == 0 ? json_output.stream : NULL;
}

void train_json_begin(wg_json *j, FILE *f, const char *mode, const wg_machine_facts *machine,
                      int argc, char **argv)
{
    char cmd[1024];
    cli_command_line(argc, argv, "train", cmd, sizeof cmd);
    wg_json_document_begin(j, f, "whygpu.train/2", cmd, machine);
    wg_json_key(j, "mode"); wg_json_string(j, mode);
}

double train_tidy(float value)
{
    char text[32];
    snprintf(text, sizeof text, "%.7g", (double)value);
    return strtod(text, NULL);
}

void train_json_options(wg_json *j, const train_cli *c, const char *model, int64_t parameters)
{
    char device[32];
    const wg_train_options *o = &c->train;
    wg_json_key(j, "model"); wg_json_string(j, model);
    wg_json_key(j, "parameters"); wg_json_int(j, parameters);
    wg_json_key(j, "options");
    wg_json_begin_object(j);
    wg_json_key(j, "device"); wg_json_string(j, wg_device_format(o->device, device, sizeof device));
    wg_json_key(j, "batch"); wg_json_int(j, o->batch);
    wg_json_key(j, "epochs"); wg_json_int(j, o->epochs);
    wg_json_key(j, "steps");
    if (o->max_steps > 0) wg_json_int(j, o->max_steps); else wg_json_null(j);
    wg_json_key(j, "optimizer"); wg_json_string(j, wg_optimizer_name(o->optimizer.kind));
    wg_json_key(j, "lr"); wg_json_number(j, train_tidy(o->lr));
    wg_json_key(j, "momentum");
    if (o->optimizer.kind == WG_OPTIMIZER_SGD) wg_json_number(j, train_tidy(o->optimizer.momentum));
    else wg_json_null(j);
    wg_json_key(j, "schedule"); wg_json_string(j, wg_lr_schedule_name(o->schedule));
    wg_json_key(j, "seed"); wg_json_int(j, (int64_t)o->seed);
    wg_json_key(j, "dtype"); wg_json_string(j, wg_dtype_name(o->dtype));
    wg_json_key(j, "graph"); wg_json_string(j, wg_graph_mode_name(o->graph));
    wg_json_key(j, "epilogue"); wg_json_string(j, wg_epilogue_mode_name(o->epilogue));
    wg_json_end_object(j);
}

/* test_images < 0: no test set (null). */
void train_json_data(wg_json *j, const char *dir, int64_t train_images, int64_t test_images)
{
    wg_json_key(j, "data");
    wg_json_begin_object(j);
    wg_json_key(j, "dir"); wg_json_string(j, dir);
    wg_json_key(j, "train_images"); wg_json_int(j, train_images);
    wg_json_key(j, "test_images");
    if (test_images >= 0) wg_json_int(j, test_images); else wg_json_null(j);
    wg_json_end_object(j);
}

int train_json_close(FILE *f, wg_json *j, const char *path)
{
    (void)f;
    (void)path;
    int bad = wg_json_finish(j) != 0;
    return cli_output_close("train", &json_output, bad) != 0;
}
