/*
 * file_io.c - opening input files safely and reading a whole regular file into memory,
 * with the path and errno text in every error. The buffer is sized by fstat, i.e. by the
 * bytes actually on disk.
 *
 * Inputs are opened with O_NONBLOCK and checked with fstat before anything is read: a
 * FIFO or a device given as a data file or checkpoint is refused at once instead of
 * blocking for ever in open() or read().
 */
#include "nn/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "whygpu_lab.h"

wg_status wg_input_open(const char *path, int *fd_out)
{
    if (!path || !fd_out) return wg_fail(WG_ERR_ARGUMENT, "wg_input_open: NULL argument");
    if (!*path) return wg_fail(WG_ERR_ARGUMENT, "the input path is empty");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return wg_fail(WG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return wg_fail(WG_ERR_IO, "cannot stat %s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return wg_fail(WG_ERR_IO, "%s is not a regular file (%s)", path,
                       S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a socket");
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int err = errno;
        close(fd);
        return wg_fail(WG_ERR_IO, "cannot read %s: %s", path, strerror(err));
    }
    *fd_out = fd;
    return WG_OK;
}

wg_status wg_input_fopen(const char *path, FILE **out)
{
    if (!out) return wg_fail(WG_ERR_ARGUMENT, "wg_input_fopen: NULL output pointer");
    int fd = -1;
    wg_status status = wg_input_open(path, &fd);
    if (status != WG_OK) return status;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int err = errno;
        close(fd);
        return wg_fail(WG_ERR_IO, "cannot read %s: %s", path, strerror(err));
    }
    *out = f;
    return WG_OK;
}

wg_status wg_read_whole_file(const char *path, uint8_t **data, size_t *size)
{
    if (!path || !data || !size) return wg_fail(WG_ERR_ARGUMENT, "NULL path or output");
    *data = NULL;
    *size = 0;
    int fd = -1;
    wg_status status = wg_input_open(path, &fd);
    if (status != WG_OK) return status;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return wg_fail(WG_ERR_IO, "cannot stat %s: %s", path, strerror(err));
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX / 2) {
        close(fd);
        return wg_fail(WG_ERR_IO, "%s is too large to read (%" PRId64 " bytes)", path,
                       (int64_t)st.st_size);
    }
    size_t expected = (size_t)st.st_size;
    uint8_t *buf = malloc(expected ? expected : 1);
    if (!buf) {
        close(fd);
        return wg_fail(WG_ERR_NO_MEMORY, "cannot allocate %zu bytes to read %s", expected,
                       path);
    }
    size_t got = 0;
    while (got < expected) {
        ssize_t n = read(fd, buf + got, expected - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return wg_fail(WG_ERR_IO, "cannot read %s: %s", path, strerror(err));
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (got != expected) {
        free(buf);
        return wg_fail(WG_ERR_IO, "%s changed while being read: %zu of %zu bytes", path, got,
                       expected);
    }
    *data = buf;
    *size = got;
    return WG_OK;
}
