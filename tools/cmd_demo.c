/*
 * cmd_demo.c - `whygpu demo`: the four cells of the classic "why GPUs" demo, measured here.
 *
 *   (1) square a 1x1 tensor on the CPU     (3) the same square after to("cuda")
 *   (2) an NxN matmul on the CPU           (4) the same matmul on the GPU
 *
 * Each cell is timed with wg_timeit, its result is checked against a float64 reference
 * (every element of the square; 64 sampled elements of the matmul), and the table, the JSON
 * and the plain-language reading are all computed from this run's numbers.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kernel_option.h"
#include "demo.h"
#include "progress.h"

#define MATMUL_SAMPLES 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: whygpu demo [--size N] [--repeat R] [--device DEV] [--kernel K] [--dtype D]\n"
            "                   [--seed S] [--reference NAME|DIR|none] [--json] [--no-progress]\n"
            "\n"
            "The classic \"why GPUs\" demo, measured on this machine: square a 1x1 tensor\n"
            "(x*x) and multiply an NxN random matrix by itself, first on the CPU, then after\n"
            "to(\"cuda\") on the GPU. Prints time per op (median of several repeats and their\n"
            "spread), GFLOP/s, the CPU/GPU ratio and the winner of each row, and a reading of\n"
            "the numbers. Without a GPU the CPU cells still run and the reason is printed.\n"
            "\n"
            "options:\n"
            "  --size N        matrix size (default 10000; 10000x10000 is 2e12 flops, seconds\n"
            "                  to a minute on a CPU). Needs 12*N*N bytes of host memory\n"
            "                  and 8*N*N on the GPU, with headroom\n"
            "  --repeat R      timed repeats per cell (default: 7, fewer for calls of seconds)\n"
            "  --device DEV    the GPU to compare with: cuda, cuda:N, opencl, opencl:N\n"
            "                  (default cuda); 'cpu'\n"
            "                  runs the CPU cells only\n"
            "  --kernel K      matmul kernel: auto (cuBLAS FP32 on the GPU) or a name that\n"
            "                  'whygpu kernels' lists: a CUDA kernel for the GPU cells, a CPU\n"
            "                  kernel for the CPU cells (default auto)\n"
            "  --dtype D       the matmul cells' precision: fp32 (default), bf16 (bf16 inputs,\n"
            "                  fp32 accumulation, on the CPU and the GPU) or tf32 (GPU tensor\n"
            "                  cores; the CPU has none, so its cells stay fp32, and without a\n"
            "                  GPU tf32 is refused). Each device's fastest kernel of it unless\n"
            "                  --kernel names one, which must match. The reading gives each\n"
            "                  cell's precision and relative error against float64\n"
            "  --seed S        seed of the random matrix (default 42)\n"
            "  --reference R   a recorded GPU machine to show next to this one (labelled,\n"
            "                  never mixed with what is measured here): a name such as h100,\n"
            "                  a reference folder, or none. Default: h100 when this machine\n"
            "                  has no GPU, none when it has one (docs/reference.md)\n"
            "  --json          print the results as JSON (schema whygpu.demo/1, docs/json.md)\n"
            "  --no-progress   no progress on stderr\n"
            "  -h, --help      this help\n"
            "\n"
            "exit status: 0 measured (GPU cells may be absent), 1 failure, 2 bad usage\n");
}

static int parse_options(int argc, char **argv, demo_options *o)
{
    static const struct option longs[] = {
        {"size", required_argument, NULL, 's'},   {"repeat", required_argument, NULL, 'r'},
        {"device", required_argument, NULL, 'd'}, {"kernel", required_argument, NULL, 'k'},
        {"seed", required_argument, NULL, 'S'},   {"json", no_argument, NULL, 'j'},
        {"no-progress", no_argument, NULL, 'P'},  {"help", no_argument, NULL, 'h'},
        {"reference", required_argument, NULL, 'R'}, {"dtype", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0}};
    o->size = 10000;
    o->reference = NULL;
    o->repeat = 0;
    o->seed = 42;
    o->gpu = (wg_device){WG_DEVICE_CUDA, 0};
    o->want_gpu = 1;
    o->cpu_kernel = o->gpu_kernel = NULL;
    o->precision = WG_PRECISION_FP32;
    o->dtype_given = 0;
    o->json = 0;
    o->progress = 1;
    optind = 1;
    opterr = 0;
    int c;
    int64_t value = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_parse_int("demo", "--size", optarg, 1, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->size = value;
            break;
        case 'r':
            if (cli_parse_int("demo", "--repeat", optarg, 1, WG_TIMEIT_MAX_REPEAT, &value))
                return CLI_EXIT_USAGE;
            o->repeat = (int)value;
            break;
        case 'S':
            if (cli_parse_int("demo", "--seed", optarg, 0, INT64_MAX, &value)) return CLI_EXIT_USAGE;
            o->seed = (uint64_t)value;
            break;
        case 'd':
            if (wg_device_parse(optarg, &o->gpu) != WG_OK)
                return cli_usage_error("demo", "--device: %s", wg_error_message());
            o->want_gpu = o->gpu.kind != WG_DEVICE_CPU;
            break;
        case 'k':
            if (kernel_option_parse("demo", optarg, &o->cpu_kernel, &o->gpu_kernel))
                return CLI_EXIT_USAGE;
            break;
        case 'D':
            if (dtype_option_parse("demo", optarg, &o->precision)) return CLI_EXIT_USAGE;
            o->dtype_given = 1;
            break;
        case 'j': o->json = 1; break;
        case 'P': o->progress = 0; break;
        case 'R': o->reference = optarg; break;
        case 'h': usage(stdout); return -1;
        case ':': return cli_usage_error("demo", "option %s needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("demo", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* ---------------------------------------------------------------- running --------- */

/* Times and checks one cell (wg_op_measure) on its device, with progress for the long ones. */
static wg_status run_cell(const demo_options *o, const wg_op_inputs *inputs, demo_cell *cell)
{
    char label[128], device[32];
    wg_device_format(cell->device, device, sizeof device);
    snprintf(label, sizeof label, "%s %" PRId64 "x%" PRId64 " on %s", cell->op, cell->rows,
             cell->cols, device);
    progress p;
    progress_begin(&p, label, o->progress && inputs->op.kind == WG_OP_MATMUL);
    wg_timeit_options t;
    wg_timeit_defaults(&t);
    t.repeat = o->repeat;
    t.progress = progress_on_phase;
    t.progress_context = &p;
    const int on_cpu = cell->device.kind == WG_DEVICE_CPU;
    const wg_op_run run = {.device = cell->device,
                           .kernel = on_cpu ? o->cpu_kernel : o->gpu_kernel, .timing = &t};
    wg_op_result r;
    wg_energy_meter meter;
    wg_energy_reading window;
    (void)wg_energy_start(cell->device, &meter);
    wg_status status = wg_op_measure(inputs, &run, &r);
    (void)wg_energy_stop(&meter, &window);
    if (status == WG_OK) (void)wg_energy_scaled(&window, r.time.median_s, &cell->energy);
    progress_end(&p);
    if (status != WG_OK) return status;
    cell->measured = 1;
    cell->precision = r.kernel ? r.kernel->precision : WG_PRECISION_FP32;
    cell->time = r.time;
    cell->checked = 1;
    cell->check_samples = (int)r.check_samples;
    cell->check_error = r.not_finite ? INFINITY : r.check_error;
    cell->check_tolerance = r.check_bound;
    cell->check_passed = cell->check_error <= cell->check_tolerance;
    cell->gflops = r.time.median_s > 0 ? cell->flops / r.time.median_s / 1e9 : NAN;
    return WG_OK;
}

/* Refuses sizes that cannot fit before anything is measured, so nothing is lost: the
 * library's plan of what the run holds (host: A, C and C read back; GPU: A and C). */
static int check_memory(const demo_options *o, int gpu_ready)
{
    const wg_op op = {.kind = WG_OP_MATMUL, .m = o->size, .n = o->size, .k = o->size,
                      .b_is_a = 1, .precision = o->precision};
    const wg_device devices[2] = {wg_cpu(), o->gpu};
    wg_memory_plan plan;
    wg_memory_plan_init(&plan);
    wg_status status = wg_op_memory_plan(&op, devices, gpu_ready ? 2 : 1, &plan);
    if (status == WG_OK) status = wg_memory_plan_check(&plan);
    if (status != WG_OK) {
        fprintf(stderr, "whygpu demo: --size %" PRId64 " %s\n", o->size, wg_error_message());
        return CLI_EXIT_FAILURE;
    }
    return 0;
}

/* The matmul kernels of --dtype and --kernel, once it is known whether the GPU cells run.
 * TF32 is the GPU's alone: the CPU cells stay FP32 beside GPU TF32 cells, and without a
 * GPU to run them TF32 is refused as the CPU's missing arithmetic. 0 or the exit code. */
static int resolve_kernels(demo_options *o, int gpu_ready)
{
    const int tf32 = o->precision == WG_PRECISION_TF32;
    /* a named GPU kernel of another precision is bad usage, whatever else fails after */
    if (o->gpu_kernel && kernel_option_resolve("demo", o->gpu, o->precision, o->dtype_given,
                                               &o->gpu_kernel))
        return CLI_EXIT_USAGE;
    if (tf32 && !gpu_ready && o->want_gpu)
        return cli_usage_error("demo", "--dtype tf32: the CPU has no tf32 arithmetic; use fp32 "
                               "or bf16 (tf32 is for the GPU cells, and no GPU runs here)");
    if (!tf32 || !gpu_ready) {
        int rc = kernel_option_resolve("demo", wg_cpu(), o->precision, o->dtype_given,
                                       &o->cpu_kernel);
        if (rc) return rc;
    }
    /* a named GPU kernel is checked against --dtype even when no GPU runs */
    return gpu_ready || o->gpu_kernel ? kernel_option_resolve("demo", o->gpu, o->precision,
                                                              o->dtype_given, &o->gpu_kernel)
                                      : 0;
}

/* ---------------------------------------------------------------- main ------------ */

/* The table's rows: each op's CPU and GPU times, their ratio and the winner, once. */
static void compare(demo_result *r)
{
    for (int row = 0; row < 2; row++) {
        const demo_cell *c = &r->cells[row], *g = &r->cells[row + 2];
        demo_comparison *out = &r->rows[row];
        out->op = c->op;
        out->cpu_median_s = c->measured ? c->time.median_s : NAN;
        out->gpu_median_s = g->measured ? g->time.median_s : NAN;
        const int both = c->measured && g->measured;
        out->cpu_over_gpu = both ? c->time.median_s / g->time.median_s : NAN;
        out->winner = both ? (out->cpu_over_gpu >= 1 ? "gpu" : "cpu") : NULL;
    }
}

/* The reference's GPU cells and this CPU's ratio to them: by time for the square and for a
 * matmul recorded at this size, by rate (GFLOP/s) for one recorded at another size. */
static void fill_recorded(const demo_options *o, demo_result *r)
{
    demo_recorded *rec = &r->recorded;
    for (int row = 0; row < 2; row++) {
        recorded_cell *cell = &rec->cells[row];
        const demo_cell *cpu = &r->cells[row];
        rec->cpu_over_gpu[row] = NAN;
        if (!recorded_demo_cell(&rec->ref, cpu->op, o->size, cell) || !cpu->measured) continue;
        rec->by_rate[row] = row == 1 && cell->size != (double)o->size;
        if (rec->by_rate[row])
            rec->cpu_over_gpu[row] = cell->gflops / cpu->gflops;
        else
            rec->cpu_over_gpu[row] = cpu->time.median_s / cell->median_s;
    }
}

int cmd_demo(int argc, char **argv)
{
    demo_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc == -1) return CLI_EXIT_OK;
    if (rc != 0) return rc;

    static demo_result r;
    memset(&r, 0, sizeof r);
    wg_machine_facts *machine = &r.machine;
    wg_status status = wg_machine_facts_get(o.want_gpu, o.gpu, machine);
    if (status == WG_OK) status = wg_cpu_matmul_isa(&machine->cpu_kernel);
    if (status != WG_OK) return cli_failure("demo", status);
    const int gpu_ready = machine->gpu_available;
    rc = resolve_kernels(&o, gpu_ready);
    if (rc != 0) return rc;
    if (o.cpu_kernel) machine->cpu_kernel = o.cpu_kernel->name;
    machine->gpu_kernel = kernel_option_name(o.gpu_kernel);
    rc = check_memory(&o, gpu_ready);
    if (rc != 0) return rc;
    char reference_error[1400];
    if (recorded_open(&r.recorded.ref, o.reference, gpu_ready, r.recorded.note,
                      sizeof r.recorded.note, reference_error, sizeof reference_error) != 0)
        return cli_usage_error("demo", "%s", reference_error);
    /* the CPU's matmul cell is the long one: say up front when it takes minutes */
    cli_warn_long_matmul("demo", wg_cpu(), o.cpu_kernel, o.size, o.size, o.size, o.repeat);

    const int64_t n = o.size;
    demo_cell *cells = r.cells;
    for (int i = 0; i < DEMO_CELLS; i++) {
        demo_cell *c = &cells[i];
        c->number = i + 1;
        c->op = i % 2 ? "matmul" : "square";
        c->rows = c->cols = i % 2 ? n : 1;
        c->device = i < 2 ? wg_cpu() : o.gpu;
        c->flops = i % 2 ? 2.0 * (double)n * (double)n * (double)n : 1.0;
        c->gflops = NAN;
        if (i >= 2 && !gpu_ready) snprintf(c->reason, sizeof c->reason, "%s", machine->gpu_reason);
    }

    /* x*x on a 1x1 tensor, and A.A: the same host inputs on every device */
    const wg_op ops[2] = {{.kind = WG_OP_MUL, .m = 1, .n = 1, .b_is_a = 1, .seed = o.seed},
                          {.kind = WG_OP_MATMUL, .m = n, .n = n, .k = n, .b_is_a = 1,
                           .seed = o.seed, .check_samples = MATMUL_SAMPLES}};
    wg_op_inputs inputs[2];
    memset(inputs, 0, sizeof inputs);
    status = wg_op_inputs_create(&ops[0], &inputs[0]);
    if (status == WG_OK) status = wg_op_inputs_create(&ops[1], &inputs[1]);
    int gpu_failed = 0;
    for (int i = 0; i < DEMO_CELLS && status == WG_OK; i++) {
        if (i >= 2 && !gpu_ready) break;
        status = run_cell(&o, &inputs[i % 2], &cells[i]);
        if (status != WG_OK && i >= 2) {
            /* A GPU failure must not throw away the CPU cells measured before it: the
             * table is printed with the reason, and the exit status says it failed. */
            snprintf(cells[i].reason, sizeof cells[i].reason, "failed: %s", wg_error_message());
            fprintf(stderr, "whygpu demo: cell %d (%s on the GPU) failed: %s\n", i + 1,
                    cells[i].op, wg_error_message());
            gpu_failed = 1;
            status = WG_OK;
        }
    }
    wg_op_inputs_free(&inputs[0]);
    wg_op_inputs_free(&inputs[1]);
    if (status != WG_OK) {
        recorded_close(&r.recorded.ref);
        return cli_failure("demo", status);
    }
    compare(&r);
    fill_recorded(&o, &r);

    char command[1024];
    cli_command_line(argc, argv, "demo", command, sizeof command);
    rc = o.json ? demo_print_json(&o, &r, command) : (demo_print_text(&o, &r), CLI_EXIT_OK);
    recorded_close(&r.recorded.ref);
    if (gpu_failed) rc = CLI_EXIT_FAILURE;
    for (int i = 0; i < DEMO_CELLS; i++) {
        if (cells[i].measured && !cells[i].check_passed) {
            fprintf(stderr,
                    "whygpu demo: cell %d (%s on %s) gave a wrong result: max relative error "
                    "%.3g > tolerance %.3g\n",
                    cells[i].number, cells[i].op, i < 2 ? "cpu" : "the GPU",
                    cells[i].check_error, cells[i].check_tolerance);
            rc = CLI_EXIT_FAILURE;
        }
    }
    return rc;
}
