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

/* ================================================================ training ========== */

/* ================================================================ JSON documents ==== */

/* ================================================================ files and memory == */
/* Output files that never destroy what was there, inputs that cannot block, cleanup on
 * SIGINT/SIGTERM, and the memory plan a command checks before it allocates. */

#include <sys/types.h>

/* Checks, before a run, that `path` can be written as an output: not empty
 * (WG_ERR_ARGUMENT), a regular file or a new name (a FIFO, device, folder or symbolic
 * link is refused: WG_ERR_IO), in an existing folder this process may write to. */
wg_status wg_output_path_check(const char *path);

/* An output written to a temporary file beside its target (same folder, O_EXCL, the
 * target's permissions) and renamed over the target by wg_output_commit only when complete
 * and on disk; an interrupted or failed run leaves the old file untouched. The temporary
 * file is on the cleanup list (below) while it exists. */
typedef struct wg_output_file wg_output_file;
wg_status wg_output_open(const char *path, wg_output_file **out);
/* The stream to write to (fprintf, fwrite...). */
FILE *wg_output_stream(wg_output_file *file);
/* The temporary file's path (for tools that must write by name, e.g. gnuplot). */
const char *wg_output_temp_path(const wg_output_file *file);
/* Flushes, fsyncs and closes the temporary file, then renames it over the target. On any
 * failure the temporary file is removed, the target is kept, and the message says why
 * (e.g. "No space left on device"). Frees `file` either way. */
wg_status wg_output_commit(wg_output_file *file);
/* Removes the temporary file and frees `file`, leaving the target as it was. NULL is
 * allowed. */
void wg_output_abort(wg_output_file *file);
/* Flushes a stream that is not a wg_output_file (stdout) and reports a write that failed
 * on it at any time (a full disk, a closed stdout) as WG_ERR_IO naming `name`. */
wg_status wg_stream_finish(FILE *stream, const char *name);

/* Opens an input file for reading without blocking on a FIFO or a device: open with
 * O_NONBLOCK, fstat, refuse anything but a regular file (WG_ERR_IO naming what it is),
 * then clear O_NONBLOCK. The descriptor (or stream) is the caller's to close. */
wg_status wg_input_open(const char *path, int *fd);
wg_status wg_input_fopen(const char *path, FILE **out);

/* The cleanup list: files and folders to remove and child processes to stop (SIGTERM)
 * when the process is killed by SIGINT, SIGTERM or SIGHUP. Adding returns a slot (-1 when
 * the list is full or the path too long), removing takes it back. The handler uses only
 * async-signal-safe calls, then dies of the same signal. */
int wg_cleanup_add_path(const char *path);
int wg_cleanup_add_child(pid_t pid);
void wg_cleanup_remove(int slot);
/* Installs the handler for SIGINT, SIGTERM and SIGHUP (not for a signal that is ignored,
 * e.g. under nohup). A CLI calls it once at start. */
wg_status wg_cleanup_install_handlers(void);
/* What the handler does (also callable directly, e.g. by tests): stop the children,
 * remove the paths, empty the list. */
void wg_cleanup_run(void);

/* Where the host's available memory is read from; NULL members (or a NULL pointer) mean
 * the real files: /proc/meminfo, /proc/self/cgroup and /sys/fs/cgroup. */
typedef struct wg_memory_paths {
    const char *meminfo;
    const char *self_cgroup;
    const char *cgroup_root;
} wg_memory_paths;

/* Host memory this process can still use: MemAvailable, lowered by the limit of each
 * cgroup (v1 or v2, the process's and its parents') less its usage, where page cache the
 * cgroup could drop (inactive_file) counts as free. `why` (may be NULL) receives what
 * set the figure: "MemAvailable", "cgroup v2 memory.max" or "cgroup v1
 * memory.limit_in_bytes". */
wg_status wg_host_memory_probe(const wg_memory_paths *paths, int64_t *bytes, char *why,
                               size_t why_size);
/* The same for any device: the host for the CPU, the free memory of a GPU (cudaMemGetInfo)
 * with why = "free GPU memory". */
wg_status wg_memory_available(wg_device device, int64_t *bytes, char *why, size_t why_size);

/* A memory plan: what a run will hold on each device, listed before anything is
 * allocated and checked as totals per device. */
#define WG_MEMORY_PLAN_MAX 32
typedef struct wg_memory_entry {
    wg_device device;
    int64_t bytes;
    char what[64]; /* e.g. "A 10000x10000" */
} wg_memory_entry;
typedef struct wg_memory_plan {
    int count;
    wg_memory_entry entries[WG_MEMORY_PLAN_MAX];
} wg_memory_plan;

void wg_memory_plan_init(wg_memory_plan *plan);
wg_status wg_memory_plan_add(wg_memory_plan *plan, wg_device device, int64_t bytes,
                             const char *what);
/* The room a plan must leave free on a device with `available` bytes: a tenth of it on
 * the host, a twentieth on a GPU, at least 256 MiB. */
int64_t wg_memory_headroom(wg_device device, int64_t available);
/* WG_OK when each device's total fits in its available memory less the headroom; else
 * WG_ERR_NO_MEMORY with one line naming the need and the limit: "needs 22.6 GiB of host
 * memory (A 7.5 GiB, B 7.5 GiB, C 7.5 GiB), 21.9 GiB available (cgroup v2 memory.max), of
 * which 2.2 GiB is kept as headroom". */
wg_status wg_memory_plan_check(const wg_memory_plan *plan);
/* The same with the host's figures read from `paths` (tests). */
wg_status wg_memory_plan_check_with(const wg_memory_plan *plan, const wg_memory_paths *paths);

#ifdef __cplusplus
}
#endif

#endif /* WHYGPU_LAB_H */
