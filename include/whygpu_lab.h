/*
 * whygpu_lab.h - the public API of whygpu's laboratory: the experiments built on the tensor
 * library of whygpu.h. Measurement (bandwidth, latency, caches, peaks, "time an op and
 * check it against float64"), the size sweep, the GPU matmul ladder, training, and the
 * JSON documents every command writes. The command-line tool (tools/) uses only this
 * header and whygpu.h; nothing under src/ is private to it.
 *
 * Conventions are those of whygpu.h: every call that can fail returns a wg_status with a
 * message in wg_error_message(); nothing here prints or exits.
 */
#ifndef WHYGPU_LAB_H
#define WHYGPU_LAB_H

#include <stdint.h>
#include <stdio.h>

#include "whygpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ measurement ======= */

/* ================================================================ sweep ============= */

/* ================================================================ ladder ============ */

/* The GPU matmul ladder: eight CUDA SGEMM kernels, from one thread per output to tensor
 * cores, each a small step from the one before (docs/ladder.md), and the cuBLAS figure of
 * each precision they are compared with. Each rung is an entry of the CUDA kernel registry
 * (wg_kernel_find(WG_DEVICE_CUDA, rung->name, ...)), whose summary says what it changes.
 *
 *   1 naive         one thread per output, threadIdx.x along rows: uncoalesced
 *   2 coalesced     threadIdx.x along columns: a warp reads one row segment of B
 *   3 smem-tiled    32x32 tiles of A and B in shared memory
 *   4 regblock-1d   a thread computes 8 outputs of a column (registers)
 *   5 regblock-2d   a thread computes 8x8 outputs; 16-byte vector loads
 *   6 warptile      warp tiles and a double-buffered cp.async pipeline
 *   7 wmma-tf32     tensor cores (WMMA), TF32 inputs, FP32 accumulation
 *   8 wmma-bf16     tensor cores (WMMA), BF16 inputs, FP32 accumulation */

#define WG_LADDER_RUNGS 8

typedef struct wg_ladder_rung {
    int number;             /* 1 .. WG_LADDER_RUNGS */
    const char *name;       /* its registry name, e.g. "regblock-2d" */
    wg_precision precision; /* compared with the cuBLAS entry of this precision */
    const char *reason;     /* the reason it exploits: "bandwidth", "parallelism",
                               "caches/shared memory/registers" or "tensor cores" */
    /* Tile of C per block (block_m x block_n) and step along k; for rungs 1-2 the rows and
     * columns of C one block covers. */
    int block_m, block_n, block_k;
    unsigned threads_x, threads_y; /* threads per block */
    int vector_bytes;       /* 16 when the rung uses 16-byte loads where alignment allows */
    /* Predicted TFLOP/s on an H100 SXM at n = 4096 and 8192 (docs/ladder.md derives them). */
    double predicted_tflops_4096, predicted_tflops_8192;
} wg_ladder_rung;

/* The Frobenius relative error bound vs float64: fp32 1e-5, tf32 2e-3, bf16 1e-2. */
double wg_ladder_error_bound(wg_precision precision);
/* The name the ladder's table and JSON give the cuBLAS reference of a precision:
 * "cublas-fp32-pedantic", "cublas-tf32", "cublas-bf16" (registry: cublas-fp32, ...). */
const char *wg_ladder_cublas_name(wg_precision precision);

/* The rung with this number, or NULL outside 1 .. WG_LADDER_RUNGS. */
const wg_ladder_rung *wg_ladder_rung_find(int number);
/* The same with an error naming the bad number (WG_ERR_ARGUMENT). */
wg_status wg_ladder_rung_get(int number, const wg_ladder_rung **out);
/* Parses a rung number ("1" .. "8") or name ("naive", "wmma-bf16", ...). */
wg_status wg_ladder_parse(const char *text, int *rung);

/* The rung the library would use as its best CUDA kernel instead of cuBLAS: 0 means
 * cuBLAS (the default now). Changing it is a one-line change in ladder.c. */
int wg_ladder_default_rung(void);

/* The ladder's result check: C against a float64 reference, as a Frobenius relative error
 * ||C - R|| / ||R||, over every element when m*n*k <= WG_LADDER_CHECK_FULL_LIMIT and over
 * WG_LADDER_CHECK_SAMPLES elements otherwise (the four corners, the first element past the
 * last full 128x128 tile, then pseudo-random ones from the seed), plus a count of the
 * elements of C that are not finite (C is poisoned with NaN before the checked run, so an
 * unwritten element shows up there). */
#define WG_LADDER_CHECK_FULL_LIMIT ((int64_t)1 << 30)
#define WG_LADDER_CHECK_SAMPLES 1024

typedef struct wg_ladder_reference {
    int64_t count;   /* positions checked */
    int full;        /* 1: every element of C */
    int64_t *row, *col;
    double *value;   /* alpha * op(A) op(B) at each position, in float64 (beta is 0) */
} wg_ladder_reference;

typedef struct wg_ladder_check_result {
    double relative_error;   /* Frobenius, over the reference's positions; inf if NaN */
    int64_t not_finite;      /* elements of the whole m x n C that are NaN or infinite */
} wg_ladder_check_result;

/* The reference of C = alpha op(A) op(B) for host matrices (pointers of host_args);
 * WG_ERR_NO_MEMORY if its arrays cannot be allocated. */
wg_status wg_ladder_reference_make(const wg_gemm_args *host_args, uint64_t seed,
                                   wg_ladder_reference *out);
void wg_ladder_reference_free(wg_ladder_reference *ref);
/* Checks host C (m x n, leading dimension ldc) against the reference. */
void wg_ladder_check(const wg_ladder_reference *ref, const float *c, int64_t m, int64_t n,
                     int64_t ldc, wg_ladder_check_result *out);

/* One run of the ladder at one size: C = A.B with A, B fresh uniform random n x n matrices
 * in [-1, 1). Each entry (a rung, or the cuBLAS reference of a precision) is first probed
 * at a small size (WG_LADDER_PROBE_SIZE) to estimate one call at n; an entry whose call
 * would take longer than max_call_s is skipped and says why. Otherwise C is poisoned with
 * NaN, the entry runs once (inputs prepared with wg_gemm_prepare, BF16 copies made outside
 * any timing) and is checked, then timed with wg_timeit. */
#define WG_LADDER_ENTRIES (WG_LADDER_RUNGS + 3)
#define WG_LADDER_PROBE_SIZE 1024

typedef struct wg_ladder_entry {
    const wg_kernel *kernel;   /* its CUDA registry entry */
    int rung;                  /* the rung, or for cuBLAS the rung of its precision */
    int use_cublas;
    const char *name;          /* the rung's name, or wg_ladder_cublas_name */
    wg_precision precision;
    int measured;
    char skipped[256];         /* why not measured ("" if measured) */
    double probe_s;            /* one call at the probe size, 0 if not probed */
    double estimate_s;         /* one call at n, from the probe */
    wg_timeit_result time;
    double tflops;             /* NaN if not measured */
    double percent_of_cublas;  /* NaN for cuBLAS itself or when either is missing */
    wg_ladder_check_result check;
    double bound;              /* wg_ladder_error_bound of its precision */
    int check_passed;
} wg_ladder_entry;

typedef struct wg_ladder_result {
    int64_t n;
    int full_check;            /* every element of C checked (else sampled) */
    int64_t check_elements;
    int count;                 /* entries, in the table's order: rungs 1-6, cuBLAS FP32,
                                  rung 7, cuBLAS TF32, rung 8, cuBLAS BF16 */
    wg_ladder_entry entries[WG_LADDER_ENTRIES];
} wg_ladder_result;

/* Told when an entry starts and ends its timing (for progress display). */
typedef void (*wg_ladder_entry_fn)(void *context, const wg_ladder_result *run,
                                   const wg_ladder_entry *entry, int started);

typedef struct wg_ladder_options {
    wg_device device;          /* cuda:N */
    int64_t n;
    uint64_t seed;             /* A from seed, B from seed + 1 */
    int repeat;                /* wg_timeit repeats; 0: its default (3 s budget per entry) */
    double max_call_s;         /* skip entries whose estimated call is longer; 0: 10 s */
    const wg_kernel *only;     /* NULL: every entry; else it and its precision's cuBLAS */
    wg_timeit_progress_fn progress; /* passed to wg_timeit, with progress_context */
    void *progress_context;
    wg_ladder_entry_fn on_entry;    /* with progress_context; may be NULL */
} wg_ladder_options;

/* Runs the ladder at one size. A failed check is a result (check_passed 0), not an error;
 * a device, memory (WG_ERR_NO_MEMORY when A, B, C and the BF16 copies do not fit in the
 * GPU's free memory or the host's) or kernel failure is returned as such. */
wg_status wg_ladder_measure(const wg_ladder_options *options, wg_ladder_result *out);

/* ================================================================ training ========== */

/* Training a multilayer perceptron (linear layers, ReLU between them, softmax
 * cross-entropy) on a labelled image set, on the CPU or a GPU with one code path; the
 * CPU-vs-GPU comparison of the same steps; classifying one image with a saved model. */

/* Where Debian's dataset-fashion-mnist package puts the files. */
#define WG_FASHION_MNIST_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define WG_FASHION_MNIST_CLASSES 10

#define WG_MLP_MAX_LAYERS 8
/* Labels are bytes. */
#define WG_MLP_MAX_CLASSES 256
#define WG_MLP_MAX_WIDTH ((int64_t)1 << 20)

/* A labelled image set in host memory. */
typedef struct wg_dataset {
    int64_t count;      /* images */
    int64_t rows, cols; /* 28 x 28 */
    int64_t features;   /* rows * cols */
    float *images;      /* count x features, pixel / 255 in [0, 1], host memory */
    uint8_t *labels;    /* count entries, each < classes */
    int classes;        /* 10 */
} wg_dataset;

/* train = 1: the 60000 training images; 0: the 10000 test images. dir NULL: the default.
 * Each file is looked for under its standard name (train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), plain first,
 * then with ".gz". Image and label counts must match and every label must be < 10. On
 * failure *out is zeroed and the message names the directory or file and the problem. */
wg_status wg_dataset_load_fashion_mnist(const char *dir, int train, wg_dataset *out);
/* Frees and zeroes; NULL and zeroed are fine. */
void wg_dataset_free(wg_dataset *d);
/* "T-shirt/top", "Trouser", ... "Ankle boot"; "unknown" outside 0..9. */
const char *wg_fashion_mnist_class_name(int label);

typedef enum wg_optimizer_kind { WG_OPTIMIZER_SGD = 0, WG_OPTIMIZER_ADAM = 1 } wg_optimizer_kind;

typedef struct wg_optimizer {
    wg_optimizer_kind kind;
    float momentum;          /* SGD (0 is plain SGD) */
    float beta1, beta2, eps; /* Adam */
} wg_optimizer;

/* "sgd" / "adam", and parsing of them. */
const char *wg_optimizer_name(wg_optimizer_kind kind);
wg_status wg_optimizer_parse(const char *text, wg_optimizer_kind *out);

typedef enum wg_lr_schedule {
    WG_LR_CONSTANT = 0,
    WG_LR_COSINE, /* lr * (1 + cos(pi * step / total)) / 2: from lr down to 0 at the end */
    WG_LR_STEP    /* lr, then lr / 10 from half-way, lr / 100 from three quarters */
} wg_lr_schedule;

const char *wg_lr_schedule_name(wg_lr_schedule schedule);
wg_status wg_lr_schedule_parse(const char *text, wg_lr_schedule *out);
/* The learning rate of step `step` (0-based) of `total`. */
float wg_lr_at(wg_lr_schedule schedule, float lr, int64_t step, int64_t total);

typedef struct wg_train_options {
    wg_device device;
    int hidden_layers;                        /* 0 .. WG_MLP_MAX_LAYERS - 1 */
    int64_t hidden[WG_MLP_MAX_LAYERS - 1];    /* widths of the hidden layers */
    int64_t batch;
    int64_t epochs;
    int64_t max_steps;                        /* > 0: stop after this many steps in all */
    wg_optimizer optimizer;
    float lr;
    wg_lr_schedule schedule;
    uint64_t seed;
} wg_train_options;

/* The defaults: cpu, 512,256 hidden, batch 256, 10 epochs, SGD momentum 0.9, lr 0.1 with a
 * cosine schedule, seed 42 (Adam's betas 0.9/0.999, eps 1e-8, for when Adam is chosen). */
void wg_train_defaults(wg_train_options *options);

/* What a checkpoint file says about itself. */
typedef struct wg_mlp_checkpoint_info {
    char model[256];         /* "mlp 784-512-256-10 relu softmax-xent" */
    char optimizer[32];
    int64_t epoch, step;
    uint64_t seed;
    int has_optimizer_state; /* the state was in the file and was loaded */
} wg_mlp_checkpoint_info;

/* Reads a checkpoint's header fields (the whole file is checked). */
wg_status wg_mlp_checkpoint_peek(const char *path, wg_mlp_checkpoint_info *info);
/* The layer sizes named by a model string "mlp 784-512-256-10 ...": *layers weight layers,
 * sizes[0..layers]. */
wg_status wg_mlp_parse_description(const char *model, int *layers, int64_t *sizes);

/* A training run: the model, the datasets on the device and where training is. Opaque;
 * wg_trainer_info tells what a caller needs to know about it. */
typedef struct wg_trainer wg_trainer;

/* Copies the datasets to the device and builds the model (He-initialised from the seed).
 * test may be NULL. The datasets' features and classes must fit the model. */
wg_status wg_trainer_create(const wg_train_options *options, const wg_dataset *train,
                            const wg_dataset *test, wg_trainer **out);
void wg_trainer_free(wg_trainer *trainer);

typedef struct wg_trainer_info {
    wg_train_options options; /* as used: batch at most the training set's size */
    char model[256];          /* "mlp 784-512-256-10 relu softmax-xent" */
    int layers;               /* weight layers */
    int64_t sizes[WG_MLP_MAX_LAYERS + 1]; /* sizes[0] inputs ... sizes[layers] classes */
    int64_t parameters;       /* trainable floats */
    int64_t train_images, test_images; /* test_images 0 without a test set */
    int64_t steps_per_epoch;
    int64_t total_steps;      /* the schedule's length */
    int64_t epoch;            /* epochs completed */
    int64_t step;             /* steps completed, in all */
    int mid_epoch;            /* 1 when the last step did not end an epoch */
} wg_trainer_info;

wg_status wg_trainer_info_get(const wg_trainer *trainer, wg_trainer_info *out);

/* One training step on the next batch (shuffling when an epoch starts). Queues work only,
 * except for the upload of a new epoch's order. */
wg_status wg_trainer_step(wg_trainer *trainer);

typedef struct wg_epoch_result {
    int64_t epoch;          /* 1-based */
    int64_t steps, images;  /* trained in this epoch */
    float lr;               /* the learning rate of the epoch's last step */
    double train_loss;      /* mean per image over the epoch, as trained (running) */
    double train_accuracy;  /* share of the epoch's images classified right as trained */
    double test_loss;       /* mean over the test set after the epoch (NaN without one) */
    double test_accuracy;
    double seconds;         /* wall time of the training steps, the device finished */
    double images_per_s;
    double eval_seconds;
} wg_epoch_result;

/* Called after each step with the steps done in this epoch and the epoch's step count. */
typedef void (*wg_train_progress_fn)(void *context, int64_t epoch, int64_t step,
                                     int64_t steps);

/* Trains one epoch (fewer steps when max_steps runs out; then *out covers those steps),
 * then evaluates the test set. */
wg_status wg_trainer_run_epoch(wg_trainer *trainer, wg_train_progress_fn progress,
                               void *context, wg_epoch_result *out);

/* 1 when max_steps is reached or all epochs are done. */
int wg_trainer_finished(const wg_trainer *trainer);

/* Mean loss and accuracy of the model over the test set (WG_ERR_ARGUMENT without one). */
wg_status wg_trainer_evaluate_test(wg_trainer *trainer, double *loss, double *accuracy);

/* Saves the model and optimiser state with the trainer's epoch, step and seed. */
wg_status wg_trainer_save(const wg_trainer *trainer, const char *path);
/* Resumes from a checkpoint of the same model: parameters, optimiser state (when the file
 * has this optimiser's), epoch and step. Training then goes on until `epochs` epochs (and
 * `max_steps` steps) in all, counting those in the file, with the schedule as if never
 * interrupted; a finished checkpoint only evaluates. info may be NULL. */
wg_status wg_trainer_load(wg_trainer *trainer, const char *path, wg_mlp_checkpoint_info *info);

/* ---- the CPU against a GPU: the same steps from the same seed on both ---- */

/* Steps whose losses the comparison records on each device and compares. */
#define WG_TRAIN_COMPARE_LOSS_STEPS 10
/* How far apart the two devices' losses may be over those steps, relative to the loss.
 * Both run float32 with differently ordered sums (and the GPU's fast exp), so they drift
 * apart by ~1e-6 a step; a wrong kernel is off by far more than this. */
#define WG_TRAIN_COMPARE_TOLERANCE 2e-3

typedef struct wg_train_compare_run {
    wg_device device;
    int ran;                  /* 1 when every step ran */
    char error[512];          /* why not, when !ran */
    int64_t steps, timed_steps, loss_steps; /* 0 when the run could not start */
    double losses[WG_TRAIN_COMPARE_LOSS_STEPS]; /* mean loss of each of the first steps */
    double seconds;           /* of the timed steps, the device finished */
    double seconds_per_step, images_per_s;
} wg_train_compare_run;

typedef struct wg_train_compare_result {
    char model[256];
    int64_t parameters;
    int64_t batch;            /* as used: at most the training set's size */
    int64_t steps;            /* on each device */
    wg_train_compare_run runs[2]; /* [0] the CPU, [1] options->device */
    double speedup;           /* CPU time/step over the other's; NaN unless both ran */
    double loss_max_relative_difference; /* NaN unless both ran */
    double tolerance;         /* WG_TRAIN_COMPARE_TOLERANCE */
    int agree;                /* both ran and the difference is within the tolerance */
} wg_train_compare_result;

/* Called as each run enters a phase ("first steps", "timed steps") and with phase NULL when
 * a run ends. The plan fields of the result (model, parameters, batch, steps) are filled
 * before the first call. */
typedef void (*wg_train_compare_progress_fn)(void *context, const wg_train_compare_result *result,
                                             int run, const char *phase);

/* Trains `steps` steps (options->max_steps, or one epoch when 0) of batch options->batch
 * from options->seed on the CPU and then on options->device (which may be the CPU too:
 * the same logic, a check of determinism). The first steps (at most
 * WG_TRAIN_COMPARE_LOSS_STEPS, at most half) read their loss back one by one and warm
 * up; the rest are timed as a block. Returns WG_OK when both ran (whether or not they
 * agree: see result->agree); else the status of the run that failed (WG_ERR_NO_DEVICE for
 * an absent GPU), with *out filled as far as it got (the run's error says why).
 * WG_ERR_ARGUMENT with out->steps set when there are fewer than 2 steps. */
wg_status wg_train_compare(const wg_train_options *options, const wg_dataset *train,
                           wg_train_compare_progress_fn progress, void *context,
                           wg_train_compare_result *out);

/* ---- classifying one image with a saved model ---- */

typedef struct wg_prediction {
    int classes;
    double probability[WG_MLP_MAX_CLASSES]; /* softmax of the logits */
    int ranked[WG_MLP_MAX_CLASSES];         /* classes by falling probability */
    wg_mlp_checkpoint_info checkpoint;      /* what the file said */
} wg_prediction;

/* Loads the model in `checkpoint` onto `device` and classifies image `index` of `data`.
 * WG_ERR_SHAPE when the model does not take data's images to its classes, WG_ERR_ARGUMENT
 * for an index outside the set. */
wg_status wg_predict(const char *checkpoint, wg_device device, const wg_dataset *data,
                     int64_t index, wg_prediction *out);


/* ================================================================ JSON documents ==== */

/* A small streaming JSON writer for whygpu's machine-readable output. It tracks nesting and
 * commas so callers write keys and values in order; strings are escaped (control characters
 * as \u00XX, UTF-8 passed through); non-finite numbers are written as null, since JSON has
 * no NaN. Output is indented two spaces a level. */
#define WG_JSON_MAX_DEPTH 32

typedef struct wg_json {
    FILE *out;
    int depth;
    int count[WG_JSON_MAX_DEPTH]; /* values written so far at each level */
    int after_key;                /* a key was just written: the value follows on the line */
    int error;                    /* nesting misuse or a write error; sticky */
} wg_json;

void wg_json_init(wg_json *json, FILE *out);

void wg_json_begin_object(wg_json *json);
void wg_json_end_object(wg_json *json);
void wg_json_begin_array(wg_json *json);
void wg_json_end_array(wg_json *json);

/* Inside an object: the key of the next value. */
void wg_json_key(wg_json *json, const char *key);

void wg_json_string(wg_json *json, const char *value); /* NULL writes null */
void wg_json_number(wg_json *json, double value);      /* non-finite writes null */
void wg_json_int(wg_json *json, int64_t value);
void wg_json_bool(wg_json *json, int value);
void wg_json_null(wg_json *json);

/* A wg_timeit result as an object: median_s, best_s, worst_s, mean_s, stddev_s (per call),
 * spread, spread_warning, loops, repeats, warmup_s. */
void wg_json_timeit(wg_json *json, const wg_timeit_result *t);

/* 0 when everything was balanced and written; finishes the output with a newline. */
int wg_json_finish(wg_json *json);

/* The machine a document's results were measured on: one block, the same keys in every
 * command's document (docs/json.md, "The machine block"). */
typedef struct wg_machine_facts {
    wg_cpu_info cpu;
    const char *cpu_kernel;  /* the CPU matmul kernel used (static string); NULL: not written */
    int gpu_requested;       /* a GPU was named; 0 with --device cpu */
    wg_device gpu_device;    /* the GPU named, when gpu_requested */
    int gpu_available;       /* the GPU was found and described: gpu is valid */
    wg_gpu_info gpu;
    char gpu_reason[512];    /* why not available; "" when available */
    const char *gpu_kernel;  /* the GPU matmul kernel used (static string); NULL: not written */
} wg_machine_facts;

/* Fills *out: the CPU (wg_cpu_info_get) and, when want_gpu, whether the GPU `gpu` can be used
 * and its description, or why not ("not requested (--device cpu)" when !want_gpu). An absent
 * GPU is a fact, not a failure; only a failure to read the CPU's facts is returned. The
 * kernel fields are left NULL for the caller to set. */
wg_status wg_machine_facts_get(int want_gpu, wg_device gpu, wg_machine_facts *out);

/* Writes the key "machine" and its object: "cpu" {model, vendor, logical_cpus,
 * physical_cores, threads, simd, l1d_bytes, l2_bytes, l3_bytes, memory_bytes[, matmul_isa]}
 * and "gpu" {device, available, name, reason[, compute_capability, sm_count,
 * total_memory_bytes, driver_version][, matmul_kernel]}. */
void wg_json_machine(wg_json *json, const wg_machine_facts *machine);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf; returns buf. */
char *wg_utc_date(char *buf, size_t size);

/* Opens every command's JSON document on `out`: initialises the writer, opens the top-level
 * object and writes "schema", "whygpu_version", "command" (when command_line is not NULL),
 * "date" (now, UTC) and the machine block (when machine is not NULL). The caller writes its
 * own keys next, closes the object and calls wg_json_finish. */
void wg_json_document_begin(wg_json *json, FILE *out, const char *schema,
                            const char *command_line, const wg_machine_facts *machine);

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
