/*
 * output_file.c - output files that never destroy what was there: every output (JSON, CSV,
 * SVG, HTML) is written to a temporary file beside its target and renamed over it only once
 * it is complete and on disk, so an interrupted or failed run leaves the old file as it was.
 *
 * Also here: the up-front check of an output path (before a run spends minutes), the
 * refusal of targets that are not regular files (/dev/null, FIFOs, symlinks: renaming over
 * them would replace them), and a signal-safe list of temporary files and child processes
 * that a SIGINT or SIGTERM handler removes and stops before the process dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "whygpu_lab.h"

/* ---------------------------------------------------------------- cleanup list ----- */

/* A slot is claimed with an atomic exchange on `state` (0 free, 1 being written, 2 live),
 * so the handler reads only slots whose path is complete, and takes no lock. */
#define CLEANUP_SLOTS 64
#define CLEANUP_PATH 4096

typedef struct cleanup_slot {
    atomic_int state;
    pid_t pid;                /* > 0: a child to stop, else a path to remove */
    char path[CLEANUP_PATH];
} cleanup_slot;

static cleanup_slot cleanup_slots[CLEANUP_SLOTS];

static int cleanup_claim(void)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&cleanup_slots[i].state, &expected, 1)) return i;
    }
    return -1;
}

int wg_cleanup_add_path(const char *path)
{
    if (!path || strlen(path) >= CLEANUP_PATH) return -1;
    int slot = cleanup_claim();
    if (slot < 0) return -1;
    cleanup_slots[slot].pid = 0;
    memcpy(cleanup_slots[slot].path, path, strlen(path) + 1);
    atomic_store(&cleanup_slots[slot].state, 2);
    return slot;
}

int wg_cleanup_add_child(pid_t pid)
{
    if (pid <= 0) return -1;
    int slot = cleanup_claim();
    if (slot < 0) return -1;
    cleanup_slots[slot].pid = pid;
    cleanup_slots[slot].path[0] = '\0';
    atomic_store(&cleanup_slots[slot].state, 2);
    return slot;
}

void wg_cleanup_remove(int slot)
{
    if (slot >= 0 && slot < CLEANUP_SLOTS) atomic_store(&cleanup_slots[slot].state, 0);
}

/* Children first (so they stop writing), then paths in reverse order of registration
 * slots: files registered inside a folder after it go before it. Only async-signal-safe
 * calls: kill, unlink, rmdir. */
void wg_cleanup_run(void)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (atomic_load(&cleanup_slots[i].state) == 2 && cleanup_slots[i].pid > 0)
            (void)kill(cleanup_slots[i].pid, SIGTERM);
    for (int i = CLEANUP_SLOTS - 1; i >= 0; i--) {
        cleanup_slot *s = &cleanup_slots[i];
        int expected = 2;
        if (s->pid > 0 || !atomic_compare_exchange_strong(&s->state, &expected, 1)) continue;
        if (unlink(s->path) != 0 && (errno == EISDIR || errno == EPERM)) (void)rmdir(s->path);
        atomic_store(&s->state, 0);
    }
}

static void cleanup_on_signal(int sig)
{
    int saved = errno;
    wg_cleanup_run();
    errno = saved;
    /* Die of the signal, as the shell expects (exit status 128 + sig). */
    signal(sig, SIG_DFL);
    raise(sig);
}

wg_status wg_cleanup_install_handlers(void)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) != 0)
            return wg_fail(WG_ERR_BACKEND, "sigaction(%d): %s", signals[i], strerror(errno));
        if (old.sa_handler == SIG_IGN) continue; /* e.g. nohup: keep ignoring it */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = cleanup_on_signal;
        sigemptyset(&sa.sa_mask);
        if (sigaction(signals[i], &sa, NULL) != 0)
            return wg_fail(WG_ERR_BACKEND, "sigaction(%d): %s", signals[i], strerror(errno));
    }
    return WG_OK;
}

/* ---------------------------------------------------------------- path checks ------ */

/* The folder part of path ("." when there is none) into buf. */
static void folder_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

wg_status wg_output_path_check(const char *path)
{
    if (!path || !*path) return wg_fail(WG_ERR_ARGUMENT, "the output path is empty");
    if (strlen(path) >= PATH_MAX - 32)
        return wg_fail(WG_ERR_ARGUMENT, "the output path is %zu characters long", strlen(path));
    const size_t len = strlen(path);
    if (path[len - 1] == '/')
        return wg_fail(WG_ERR_ARGUMENT, "output path %s names a folder, not a file", path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return wg_fail(WG_ERR_IO, "will not write %s: it is %s; only a regular file or a "
                           "new path is replaced", path, file_kind(st.st_mode));
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return wg_fail(WG_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    char folder[PATH_MAX];
    folder_of(path, folder, sizeof folder);
    if (stat(folder, &st) != 0)
        return wg_fail(WG_ERR_IO, "cannot write %s: folder %s: %s", path, folder,
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return wg_fail(WG_ERR_IO, "cannot write %s: folder %s: %s", path, folder,
                       strerror(ENOTDIR));
    if (access(folder, W_OK | X_OK) != 0)
        return wg_fail(WG_ERR_IO, "cannot write %s: folder %s: %s", path, folder,
                       strerror(errno));
    return WG_OK;
}

/* ---------------------------------------------------------------- output files ----- */

struct wg_output_file {
    FILE *stream;
    int fd;
    int write_errno; /* the first failed write's errno (ENOSPC...), 0 if none */
    int cleanup_slot;
    char *path;  /* the target */
    char *temp;  /* the file being written, beside it */
};

/* Creates "<folder>/.<name>.tmp-<pid>-<n>" with O_EXCL; retries on a name in use. */
static int create_temp(const char *path, char **temp_out)
{
    static atomic_uint counter;
    const char *slash = strrchr(path, '/');
    const int dir_len = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    const size_t size = strlen(path) + 48;
    char *temp = malloc(size);
    if (!temp) {
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(temp, size, "%.*s.%s.tmp-%ld-%u", dir_len, path, base, (long)getpid(),
                 atomic_fetch_add(&counter, 1u));
        int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            *temp_out = temp;
            return fd;
        }
        if (errno != EEXIST) break;
    }
    int err = errno;
    free(temp);
    errno = err;
    return -1;
}

/* The stream's write function: whole writes to the temporary file, remembering the first
 * failure's errno so that the commit can say why (a FILE* alone forgets it). */
static ssize_t output_cookie_write(void *cookie, const char *buf, size_t size)
{
    wg_output_file *file = cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(file->fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!file->write_errno) file->write_errno = n < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static void output_free(wg_output_file *file)
{
    wg_cleanup_remove(file->cleanup_slot);
    free(file->path);
    free(file->temp);
    free(file);
}

wg_status wg_output_open(const char *path, wg_output_file **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_output_open: NULL output pointer");
    wg_status status = wg_output_path_check(path);
    if (status != WG_OK) return status;
    wg_output_file *file = calloc(1, sizeof *file);
    if (!file || !(file->path = strdup(path))) {
        free(file);
        return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate an output file record for %s", path);
    }
    file->cleanup_slot = -1;
    file->fd = -1;
    int fd = create_temp(path, &file->temp);
    if (fd < 0) {
        int err = errno;
        char folder[PATH_MAX];
        folder_of(path, folder, sizeof folder);
        output_free(file);
        return wg_fail(WG_ERR_IO, "cannot write %s: cannot create a file in %s: %s", path,
                       folder, strerror(err));
    }
    file->cleanup_slot = wg_cleanup_add_path(file->temp);
    /* A replaced file keeps its permissions; a new one gets 0666 less the umask. */
    struct stat st;
    if (stat(path, &st) == 0) (void)fchmod(fd, st.st_mode & 07777);
    file->fd = fd;
    file->stream = fopencookie(file, "w", (cookie_io_functions_t){.write = output_cookie_write});
    if (!file->stream) {
        int err = errno;
        close(fd);
        unlink(file->temp);
        output_free(file);
        return wg_fail(WG_ERR_IO, "cannot write %s: %s", path, strerror(err));
    }
    *out = file;
    return WG_OK;
}

FILE *wg_output_stream(wg_output_file *file) { return file ? file->stream : NULL; }

const char *wg_output_temp_path(const wg_output_file *file) { return file ? file->temp : NULL; }

wg_status wg_output_commit(wg_output_file *file)
{
    if (!file) return wg_fail(WG_ERR_ARGUMENT, "wg_output_commit: NULL file");
    const char *step = "writing";
    int failed = fflush(file->stream) != 0 || ferror(file->stream);
    int err = failed ? (file->write_errno ? file->write_errno : EIO) : 0;
    fclose(file->stream); /* the cookie stream has no close function: the fd stays open */
    file->stream = NULL;
    if (!err && fsync(file->fd) != 0) { err = errno; step = "flushing to disk"; }
    if (close(file->fd) != 0 && !err) { err = errno; step = "closing"; }
    file->fd = -1;
    if (!err) {
        /* The target may have been replaced by something else while we wrote. */
        struct stat st;
        if (lstat(file->path, &st) == 0 && !S_ISREG(st.st_mode)) {
            unlink(file->temp);
            wg_status status = wg_fail(WG_ERR_IO, "will not write %s: it is now %s", file->path,
                                       file_kind(st.st_mode));
            output_free(file);
            return status;
        }
        if (rename(file->temp, file->path) != 0) { err = errno; step = "renaming"; }
    }
    wg_status status = WG_OK;
    if (err) {
        unlink(file->temp);
        status = wg_fail(WG_ERR_IO, "cannot write %s (%s %s failed; %s): %s", file->path, step,
                         file->temp, "the old file, if any, is kept", strerror(err));
    }
    output_free(file);
    return status;
}

void wg_output_abort(wg_output_file *file)
{
    if (!file) return;
    if (file->stream) fclose(file->stream);
    if (file->fd >= 0) close(file->fd);
    unlink(file->temp);
    output_free(file);
}

wg_status wg_stream_finish(FILE *stream, const char *name)
{
    if (!stream) return wg_fail(WG_ERR_ARGUMENT, "wg_stream_finish: NULL stream");
    if (!name) name = "output";
    errno = 0;
    int failed = fflush(stream) != 0;
    int err = errno;
    if (failed || ferror(stream))
        return wg_fail(WG_ERR_IO, "writing %s failed: %s", name,
                       err ? strerror(err) : "a write failed (stream error)");
    return WG_OK;
}
