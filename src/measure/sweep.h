/*
 * sweep.h - the size sweep behind `whygpu sweep`: one operation timed at log-spaced sizes
 * on the CPU, on the GPU with its data resident, and on the GPU including the copies to and
 * from the device, to find where the GPU starts to win.
 *
 * Two halves:
 *  - pure arithmetic (sweep_plan.c), unit-tested without any device: the log-spaced grid,
 *    the crossover interpolated in log-log, the largest speed-up, the budget planner that
 *    picks timeit's repeats and min_repeat_s so the whole sweep fits a time budget, and the
 *    memory each point needs;
 *  - the measuring (sweep_run.c): random inputs in host memory, one cell (column x size)
 *    timed with wg_timeit and its result checked against a float64 reference.
 */
#ifndef WG_SWEEP_H
#define WG_SWEEP_H

#include <stdint.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- ops and columns - */

typedef enum wg_sweep_op {
    WG_SWEEP_MATMUL = 0, /* C = A . B, n x n: size is n */
    WG_SWEEP_MUL,        /* out = a * b: size is the element count */
    WG_SWEEP_ADD,        /* out = a + b */
    WG_SWEEP_RELU,       /* out = max(x, 0) */
    WG_SWEEP_MLP_STEP,   /* one SGD training step of the 784-512-256-10 MLP: size is the batch */
    WG_SWEEP_OP_COUNT
} wg_sweep_op;

const char *wg_sweep_op_name(wg_sweep_op op);
/* "matmul", "mul", "add", "relu", "mlp-step"; WG_ERR_ARGUMENT naming the text otherwise. */
wg_status wg_sweep_op_parse(const char *text, wg_sweep_op *out);

typedef enum wg_sweep_column {
    WG_SWEEP_CPU = 0,        /* inputs and output in host memory */
    WG_SWEEP_GPU,            /* inputs and output already in GPU memory */
    WG_SWEEP_GPU_COPIES,     /* host inputs copied to the GPU, op, output copied back */
    WG_SWEEP_COLUMN_COUNT
} wg_sweep_column;

/* JSON keys: "cpu", "gpu", "gpu_with_copies". */
const char *wg_sweep_column_key(wg_sweep_column column);

/* Floating-point operations of one call (matmul 2n^3; elementwise one per element; an MLP
 * step about 6 x batch x the weights: forward, and the two products of the backward). */
double wg_sweep_flops(wg_sweep_op op, int64_t size);
/* Bytes one call must at least read and write (inputs once, output once). */
double wg_sweep_traffic_bytes(wg_sweep_op op, int64_t size);
/* How the work of one call grows with size: 3 for matmul, 1 for the others. */
int wg_sweep_work_exponent(wg_sweep_op op);

/* ---------------------------------------------------------------- the grid -------- */

#define WG_SWEEP_MAX_POINTS 64

/* Log-spaced whole sizes from low to high, both exact, `points` requested (2..64; 1 only
 * when low == high). Rounding can make neighbours equal at the small end: duplicates are
 * dropped, so *count <= points and sizes are strictly increasing. `sizes` holds
 * WG_SWEEP_MAX_POINTS entries. */
wg_status wg_sweep_grid(int64_t low, int64_t high, int points, int64_t *sizes, int *count);

/* ---------------------------------------------------------------- crossover ------- */

typedef enum wg_crossover_state {
    WG_CROSSOVER_NO_DATA = 0, /* fewer than one point with both times finite and > 0 */
    WG_CROSSOVER_FOUND,       /* the GPU loses below `size` and wins at every point above */
    WG_CROSSOVER_GPU_ALWAYS,  /* the GPU wins at every measured size: at or below sizes[0] */
    WG_CROSSOVER_NEVER        /* the GPU does not win at the largest measured size */
} wg_crossover_state;

const char *wg_crossover_state_name(wg_crossover_state state);

typedef struct wg_crossover {
    wg_crossover_state state;
    double size;       /* FOUND: interpolated; GPU_ALWAYS: smallest valid size; NEVER: largest */
    int64_t below;     /* FOUND: the grid points either side (else both = size's point) */
    int64_t above;
    int valid_points;  /* points with both times finite and > 0 */
} wg_crossover;

/* Where the GPU starts to win, from times per call at ascending sizes: the ratio
 * r = cpu / gpu is taken at each point whose two times are finite and > 0 (others are
 * skipped); the crossover is the last interval where r goes from < 1 to >= 1 after which
 * r stays >= 1, interpolated linearly in log(size) vs log(r). */
wg_status wg_sweep_crossover(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                             int count, wg_crossover *out);

/* The largest cpu / gpu over the valid points: *speedup and *at_size, or NaN and -1 when
 * there is none. */
void wg_sweep_best_speedup(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                           int count, double *speedup, int64_t *at_size);

/* ---------------------------------------------------------------- the budget ------ */

/* Seconds wg_timeit takes for a call of `call_s` with these settings, following its rules:
 * a warm-up call, a second one when the first lasted [min_repeat_s, 10 min_repeat_s),
 * auto-range by powers of ten to min_repeat_s, then `repeat` repeats of that many loops. */
double wg_sweep_timeit_cost(double call_s, double min_repeat_s, int repeat);

/* The per-call time expected at `size` from the time measured at `known_size` (work
 * scaling with size^exponent). Timing at small sizes is mostly fixed cost, so this
 * over-estimates: the planner errs on the safe side. NaN/<= 0 known time gives 0 (unknown). */
double wg_sweep_extrapolate(int64_t known_size, double known_s, int64_t size, int exponent);

/* Seconds to make (and free) the inputs of a point at `size`, from the seconds it took at
 * `known_size`, scaled by the host memory the two need; 0 when nothing is known yet. */
double wg_sweep_setup_estimate(wg_sweep_op op, int64_t known_size, double known_s, int64_t size);

typedef struct wg_sweep_plan {
    int skip;            /* 1: even the cheapest setting does not fit what is left */
    int repeat;          /* for wg_timeit_options */
    double min_repeat_s;
    int64_t loops;       /* calls per repeat: ceil(min_repeat_s / estimate); 0 (auto-range)
                          * when the call's time is unknown */
    double estimate_s;   /* the expected cost with these settings */
} wg_sweep_plan;

#define WG_SWEEP_MIN_REPEAT_FLOOR_S 0.002
#define WG_SWEEP_MIN_REPEATS 3

/* The cost of timing a call of `call_s` with `repeat` repeats of `loops` calls each (a
 * fixed count: timeit then makes one warm-up call and no auto-range). */
double wg_sweep_fixed_loops_cost(double call_s, int64_t loops, int repeat);

/* Chooses timeit settings for the next cell: the best-quality setting (7, 5 then 3
 * repeats; min_repeat_s from 0.2 s halving down to 2 ms) whose cost fits this cell's share,
 * budget_left_s / cells_left, capped at share_cap_s (> 0; 0: no cap) so that small, cheap
 * cells early in a sweep leave time for the large ones after them; if none fits, the
 * cheapest, unless its cost exceeds all of budget_left_s: then skip. With an estimate the
 * loop count is fixed at ceil(min_repeat_s / estimate): timeit's powers-of-ten auto-range
 * could make a repeat up to 10x longer than planned when the call is a little faster than
 * estimated. call_estimate_s 0 means unknown: auto-range, cost assumed for a tiny call. */
wg_status wg_sweep_plan_cell(double call_estimate_s, double budget_left_s, int cells_left,
                             double share_cap_s, wg_sweep_plan *out);

/* ---------------------------------------------------------------- memory ---------- */

/* Bytes of host memory a point needs: inputs, output, and the copy read back from the GPU
 * for the check. */
double wg_sweep_host_bytes(wg_sweep_op op, int64_t size);
/* Bytes of device memory a GPU column needs: inputs and output. */
double wg_sweep_device_bytes(wg_sweep_op op, int64_t size);

/* 1 when `need` bytes fit in `available` less `reserve`; available < 0 (unknown) fits. */
int wg_sweep_fits(double need, int64_t available, double reserve);

/* ---------------------------------------------------------------- measuring ------- */

/* One point's inputs, random in [-1, 1) from a seed, in host memory. */
typedef struct wg_sweep_inputs {
    wg_sweep_op op;
    int64_t size;
    uint64_t seed;
    wg_tensor *a, *b;  /* b is NULL for relu and mlp-step; a is the batch for mlp-step */
    wg_tensor *out;    /* the CPU's output (NULL for mlp-step) */
    float *readback;   /* the GPU's output, read back for the check (NULL for mlp-step) */
    uint8_t *labels;   /* mlp-step: the batch's labels, 0..9 */
} wg_sweep_inputs;

wg_status wg_sweep_inputs_create(wg_sweep_op op, int64_t size, uint64_t seed,
                                 wg_sweep_inputs *out);
void wg_sweep_inputs_free(wg_sweep_inputs *inputs);

typedef struct wg_sweep_cell {
    int measured;
    wg_timeit_result time;
    double check_error;     /* largest relative error against float64 */
    double check_tolerance;
    int check_passed;
} wg_sweep_cell;

/* Times the op on one column (`gpu` names the device of the GPU columns) with `timing`,
 * then checks the output of the last call against float64: every element for the
 * elementwise ops, 64 sampled elements of the matmul (wg_matmul_sampled_error). Device
 * buffers are allocated before timing, so the copies column times only the copies. */
wg_status wg_sweep_measure(const wg_sweep_inputs *inputs, wg_sweep_column column,
                           wg_device gpu, const wg_timeit_options *timing, wg_sweep_cell *out);

/* The MLP's layer sizes (784-512-256-10, Fashion-MNIST's) and its weights, for mlp-step. */
#define WG_SWEEP_MLP_LAYERS 3
extern const int64_t wg_sweep_mlp_sizes[WG_SWEEP_MLP_LAYERS + 1];
int64_t wg_sweep_mlp_weights(void);

/* wg_sweep_measure for mlp-step (sweep_mlp.c): one training step on the batch, timed; the
 * CPU column: the new parameters finite and changed (the MLP itself is checked against
 * float64 finite differences in tests/test_mlp.c); the GPU columns: the parameters after one
 * step from the same start against the CPU's. The copies column copies the batch in. */
wg_status wg_sweep_measure_mlp_step(const wg_sweep_inputs *inputs, wg_sweep_column column,
                                    wg_device gpu, const wg_timeit_options *timing,
                                    wg_sweep_cell *out);

#ifdef __cplusplus
}
#endif

#endif /* WG_SWEEP_H */
