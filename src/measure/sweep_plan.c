/*
 * sweep_plan.c - the arithmetic of the size sweep (see sweep.h): the log-spaced grid, the
 * crossover interpolated in log-log, the largest speed-up, the budget planner that mirrors
 * wg_timeit's rules to predict what a cell will cost, and the memory a point needs. No
 * device is touched here, so all of it is unit-tested on any machine.
 */
#include <math.h>
#include <string.h>

#include "../error.h"
#include "sweep.h"

static const char *const op_names[WG_SWEEP_OP_COUNT] = {"matmul", "mul", "add", "relu",
                                                         "mlp-step"};
static const char *const column_keys[WG_SWEEP_COLUMN_COUNT] = {"cpu", "gpu", "gpu_with_copies"};

const char *wg_sweep_op_name(wg_sweep_op op)
{
    return op >= 0 && op < WG_SWEEP_OP_COUNT ? op_names[op] : "unknown";
}

wg_status wg_sweep_op_parse(const char *text, wg_sweep_op *out)
{
    if (!text || !out) return wg_fail(WG_ERR_ARGUMENT, "sweep op: NULL argument");
    for (int i = 0; i < WG_SWEEP_OP_COUNT; i++) {
        if (strcmp(text, op_names[i]) == 0) {
            *out = (wg_sweep_op)i;
            return WG_OK;
        }
    }
    return wg_fail(WG_ERR_ARGUMENT, "unknown op '%s' (expected matmul, mul, add, relu or "
                   "mlp-step)", text);
}

const char *wg_sweep_column_key(wg_sweep_column column)
{
    return column >= 0 && column < WG_SWEEP_COLUMN_COUNT ? column_keys[column] : "unknown";
}

const int64_t wg_sweep_mlp_sizes[WG_SWEEP_MLP_LAYERS + 1] = {784, 512, 256, 10};

int64_t wg_sweep_mlp_weights(void)
{
    int64_t weights = 0;
    for (int l = 0; l < WG_SWEEP_MLP_LAYERS; l++)
        weights += wg_sweep_mlp_sizes[l] * wg_sweep_mlp_sizes[l + 1];
    return weights;
}

/* Parameters (weights and biases) of the sweep's MLP. */
static double mlp_parameters(void)
{
    double count = (double)wg_sweep_mlp_weights();
    for (int l = 1; l <= WG_SWEEP_MLP_LAYERS; l++) count += (double)wg_sweep_mlp_sizes[l];
    return count;
}

/* Floats of activations and their gradients per batch row. */
static double mlp_activations_per_row(void)
{
    double count = 0;
    for (int l = 1; l <= WG_SWEEP_MLP_LAYERS; l++) count += 2.0 * (double)wg_sweep_mlp_sizes[l];
    return count;
}

double wg_sweep_flops(wg_sweep_op op, int64_t size)
{
    double n = (double)size;
    if (op == WG_SWEEP_MLP_STEP) return 6.0 * n * (double)wg_sweep_mlp_weights();
    return op == WG_SWEEP_MATMUL ? 2.0 * n * n * n : n;
}

double wg_sweep_traffic_bytes(wg_sweep_op op, int64_t size)
{
    double n = (double)size;
    switch (op) {
    case WG_SWEEP_MATMUL: return 3.0 * n * n * 4.0;
    case WG_SWEEP_RELU: return 2.0 * n * 4.0;
    case WG_SWEEP_MLP_STEP: /* the batch in, and the parameters read and written twice */
        return n * ((double)wg_sweep_mlp_sizes[0] * 4.0 + 1.0) + 4.0 * mlp_parameters() * 4.0;
    default: return 3.0 * n * 4.0;
    }
}

int wg_sweep_work_exponent(wg_sweep_op op)
{
    return op == WG_SWEEP_MATMUL ? 3 : 1;
}

/* ---------------------------------------------------------------- the grid -------- */

/* Sizes stay exactly representable as doubles, so the rounding below is exact. */
#define MAX_GRID_SIZE (INT64_C(1) << 53)

wg_status wg_sweep_grid(int64_t low, int64_t high, int points, int64_t *sizes, int *count)
{
    if (!sizes || !count) return wg_fail(WG_ERR_ARGUMENT, "sweep grid: NULL output");
    if (low < 1 || high < low || high > MAX_GRID_SIZE)
        return wg_fail(WG_ERR_ARGUMENT, "sweep grid: sizes %lld:%lld (expected 1 <= low <= high "
                       "<= 2^53)", (long long)low, (long long)high);
    if (points < 1 || points > WG_SWEEP_MAX_POINTS || (points == 1 && low != high))
        return wg_fail(WG_ERR_ARGUMENT, "sweep grid: %d points (expected 2 to %d, or 1 when "
                       "low == high)", points, WG_SWEEP_MAX_POINTS);
    int n = 0;
    const double span = log((double)high / (double)low);
    for (int i = 0; i < points; i++) {
        int64_t size;
        if (i == 0)
            size = low;
        else if (i == points - 1)
            size = high;
        else
            size = llround((double)low * exp(span * (double)i / (double)(points - 1)));
        if (size < low) size = low;
        if (size > high) size = high;
        if (n > 0 && size <= sizes[n - 1]) continue;
        sizes[n++] = size;
    }
    *count = n;
    return WG_OK;
}

/* ---------------------------------------------------------------- crossover ------- */

const char *wg_crossover_state_name(wg_crossover_state state)
{
    switch (state) {
    case WG_CROSSOVER_FOUND: return "found";
    case WG_CROSSOVER_GPU_ALWAYS: return "gpu_always";
    case WG_CROSSOVER_NEVER: return "never";
    default: return "no_data";
    }
}

/* cpu / gpu when both are finite and > 0, else NaN. */
static double ratio_at(const double *cpu_s, const double *gpu_s, int i)
{
    double c = cpu_s[i], g = gpu_s[i];
    if (!isfinite(c) || !isfinite(g) || c <= 0 || g <= 0) return NAN;
    double r = c / g;
    return isfinite(r) && r > 0 ? r : NAN;
}

wg_status wg_sweep_crossover(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                             int count, wg_crossover *out)
{
    if (!sizes || !cpu_s || !gpu_s || !out || count < 0)
        return wg_fail(WG_ERR_ARGUMENT, "sweep crossover: NULL array or count %d < 0", count);
    memset(out, 0, sizeof *out);
    out->state = WG_CROSSOVER_NO_DATA;
    out->size = NAN;
    out->below = out->above = -1;
    int first = -1, last = -1, last_losing = -1;
    for (int i = 0; i < count; i++) {
        double r = ratio_at(cpu_s, gpu_s, i);
        if (isnan(r)) continue;
        out->valid_points++;
        if (first < 0) first = i;
        last = i;
        if (r < 1.0) last_losing = i;
    }
    if (last < 0) return WG_OK;
    if (last_losing == last) {
        out->state = WG_CROSSOVER_NEVER;
        out->size = (double)sizes[last];
        out->below = out->above = sizes[last];
        return WG_OK;
    }
    if (last_losing < 0) {
        out->state = WG_CROSSOVER_GPU_ALWAYS;
        out->size = (double)sizes[first];
        out->below = out->above = sizes[first];
        return WG_OK;
    }
    int next = last_losing + 1;
    while (isnan(ratio_at(cpu_s, gpu_s, next))) next++; /* exists: last > last_losing */
    double x0 = log((double)sizes[last_losing]), x1 = log((double)sizes[next]);
    double y0 = log(ratio_at(cpu_s, gpu_s, last_losing)); /* < 0 */
    double y1 = log(ratio_at(cpu_s, gpu_s, next));        /* >= 0 */
    double t = -y0 / (y1 - y0);
    out->state = WG_CROSSOVER_FOUND;
    out->size = exp(x0 + t * (x1 - x0));
    out->below = sizes[last_losing];
    out->above = sizes[next];
    return WG_OK;
}

void wg_sweep_best_speedup(const int64_t *sizes, const double *cpu_s, const double *gpu_s,
                           int count, double *speedup, int64_t *at_size)
{
    double best = NAN;
    int64_t where = -1;
    for (int i = 0; sizes && cpu_s && gpu_s && i < count; i++) {
        double r = ratio_at(cpu_s, gpu_s, i);
        if (!isnan(r) && (isnan(best) || r > best)) {
            best = r;
            where = sizes[i];
        }
    }
    if (speedup) *speedup = best;
    if (at_size) *at_size = where;
}

/* ---------------------------------------------------------------- the budget ------ */

double wg_sweep_timeit_cost(double call_s, double min_repeat_s, int repeat)
{
    if (!(call_s > 0) || !isfinite(call_s)) /* unknown: assume repeats of about min_repeat_s */
        return ((double)repeat + 1.2) * min_repeat_s;
    if (call_s >= min_repeat_s) {
        double second_warmup = call_s < 10.0 * min_repeat_s ? call_s : 0.0;
        return call_s + second_warmup + (double)repeat * call_s;
    }
    /* Auto-range: loops 1, 10, 100, ... until loops * call_s >= min_repeat_s. */
    double loops = 1.0, calibrate = 0.0;
    for (;;) {
        calibrate += loops * call_s;
        if (loops * call_s >= min_repeat_s) break;
        loops *= 10.0;
    }
    return call_s + calibrate + (double)repeat * loops * call_s;
}

double wg_sweep_extrapolate(int64_t known_size, double known_s, int64_t size, int exponent)
{
    if (!(known_s > 0) || !isfinite(known_s) || known_size < 1 || size < 1) return 0.0;
    return known_s * pow((double)size / (double)known_size, (double)exponent);
}

double wg_sweep_fixed_loops_cost(double call_s, int64_t loops, int repeat)
{
    return call_s + (double)repeat * (double)loops * call_s;
}

/* One candidate setting: its loops and cost for this estimate. */
static double candidate_cost(double call_estimate_s, double min_repeat_s, int repeat,
                             int64_t *loops)
{
    if (!(call_estimate_s > 0) || !isfinite(call_estimate_s)) {
        *loops = 0;
        return wg_sweep_timeit_cost(0.0, min_repeat_s, repeat);
    }
    double count = ceil(min_repeat_s / call_estimate_s);
    if (count < 1) count = 1;
    if (count > 1e12) count = 1e12;
    *loops = (int64_t)count;
    return wg_sweep_fixed_loops_cost(call_estimate_s, *loops, repeat);
}

wg_status wg_sweep_plan_cell(double call_estimate_s, double budget_left_s, int cells_left,
                             double share_cap_s, wg_sweep_plan *out)
{
    if (!out || cells_left < 1 || isnan(budget_left_s) || isnan(call_estimate_s))
        return wg_fail(WG_ERR_ARGUMENT, "sweep plan: %d cells left (expected >= 1), or NaN "
                       "budget or estimate", cells_left);
    memset(out, 0, sizeof *out);
    double share = budget_left_s / (double)cells_left;
    if (share_cap_s > 0 && share > share_cap_s) share = share_cap_s;
    /* Preference order: 7 repeats of 0.2 s (timeit's default), then 5 repeats and then 3,
     * each with min_repeat_s halving from 0.2 s down to the floor. */
    static const double lengths[] = {0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125,
                                     WG_SWEEP_MIN_REPEAT_FLOOR_S};
    static const int repeats[] = {7, 5, 3};
    const int length_count = (int)(sizeof lengths / sizeof lengths[0]);
    for (int r = 0; r < 3; r++) {
        for (int l = 0; l < (r == 0 ? 1 : length_count); l++) {
            int64_t loops = 0;
            double cost = candidate_cost(call_estimate_s, lengths[l], repeats[r], &loops);
            if (cost <= share) {
                out->repeat = repeats[r];
                out->min_repeat_s = lengths[l];
                out->loops = loops;
                out->estimate_s = cost;
                return WG_OK;
            }
        }
    }
    out->repeat = WG_SWEEP_MIN_REPEATS;
    out->min_repeat_s = WG_SWEEP_MIN_REPEAT_FLOOR_S;
    out->estimate_s = candidate_cost(call_estimate_s, out->min_repeat_s, out->repeat, &out->loops);
    out->skip = out->estimate_s > budget_left_s;
    return WG_OK;
}

double wg_sweep_setup_estimate(wg_sweep_op op, int64_t known_size, double known_s, int64_t size)
{
    if (!(known_s > 0) || !isfinite(known_s) || known_size < 1 || size < 1) return 0.0;
    return known_s * wg_sweep_host_bytes(op, size) / wg_sweep_host_bytes(op, known_size);
}

/* ---------------------------------------------------------------- memory ---------- */

static double tensor_bytes(wg_sweep_op op, int64_t size)
{
    double n = (double)size;
    return (op == WG_SWEEP_MATMUL ? n * n : n) * 4.0;
}

static int operand_count(wg_sweep_op op)
{
    return op == WG_SWEEP_RELU ? 2 : 3; /* inputs + output */
}

/* mlp-step: the batch and its labels. */
static double mlp_batch_bytes(int64_t size)
{
    return (double)size * ((double)wg_sweep_mlp_sizes[0] * 4.0 + 1.0);
}

double wg_sweep_host_bytes(wg_sweep_op op, int64_t size)
{
    if (op == WG_SWEEP_MLP_STEP) /* the batch, and a CPU model for the check */
        return mlp_batch_bytes(size) + 4.0 * mlp_parameters() * 4.0 +
               (double)size * mlp_activations_per_row() * 4.0;
    return (double)(operand_count(op) + 1) * tensor_bytes(op, size);
}

double wg_sweep_device_bytes(wg_sweep_op op, int64_t size)
{
    if (op == WG_SWEEP_MLP_STEP) /* the batch; the model: 4 parameter buffers, activations */
        return mlp_batch_bytes(size) + 4.0 * mlp_parameters() * 4.0 +
               (double)size * mlp_activations_per_row() * 4.0;
    return (double)operand_count(op) * tensor_bytes(op, size);
}

double wg_sweep_kernel_copy_bytes(wg_sweep_op op, int64_t size, const wg_kernel *kernel)
{
    if (op != WG_SWEEP_MATMUL || !kernel || kernel->precision != WG_PRECISION_BF16) return 0.0;
    return tensor_bytes(op, size); /* A and B at two bytes an element: one float32 tensor */
}

int wg_sweep_fits(double need, int64_t available, double reserve)
{
    if (available < 0) return 1;
    return need + reserve <= (double)available;
}
