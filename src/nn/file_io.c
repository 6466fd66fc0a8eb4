/*
 * file_io.c - reads a whole regular file into memory, with the path and errno text in
 * every error. The buffer is sized by fstat, i.e. by the bytes actually on disk.
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

wg_status wg_read_whole_file(const char *path, uint8_t **data, size_t *size)
{
    if (!path || !data || !size) return wg_fail(WG_ERR_ARGUMENT, "NULL path or output");
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return wg_fail(WG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return wg_fail(WG_ERR_IO, "cannot stat %s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return wg_fail(WG_ERR_IO, "%s is not a regular file", path);
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
