/*
 * test_files.c - outputs that never destroy the user's files and inputs that never block:
 * the temporary-file-and-rename commit, the refusal of targets that are not regular files,
 * the up-front path check, the reason named when a write fails, removal of temporary files
 * on SIGINT, and input opens that refuse FIFOs and devices at once.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "nn/checkpoint.h"
#include "nn/idx.h"
#include "nn_files.h"
#include "whygpu_lab.h"

/* A scratch folder (dir, 64 bytes) holding one file `name` (path, 128 bytes) with `text`. */
static int scratch_file(char *dir, char *path, const char *name, const char *text)
{
    if (nn_temp_dir(dir, 64) != 0) return -1;
    snprintf(path, 128, "%s/%s", dir, name);
    return nn_write_file(path, text, strlen(text));
}

static int file_is(const char *path, const char *text)
{
    size_t size = 0;
    uint8_t *data = nn_read_file(path, &size);
    int same = data && size == strlen(text) && memcmp(data, text, size) == 0;
    free(data);
    return same;
}

TEST(output_file_commit_replaces_only_when_complete)
{
    char dir[64], path[128];
    REQUIRE(scratch_file(dir, path, "out.json", "old") == 0);
    REQUIRE(chmod(path, 0640) == 0);
    wg_output_file *f = NULL;
    REQUIRE_OK(wg_output_open(path, &f));
    fprintf(wg_output_stream(f), "new contents");
    CHECK(file_is(path, "old")); /* nothing replaced before the commit */
    CHECK(nn_dir_entries(dir) == 2);
    REQUIRE_OK(wg_output_commit(f));
    CHECK(file_is(path, "new contents"));
    CHECK(nn_dir_entries(dir) == 1);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_MSG((st.st_mode & 07777) == 0640, "mode %o, expected 640", st.st_mode & 07777);
    /* a new path works too */
    snprintf(path, sizeof path, "%s/new.csv", dir);
    REQUIRE_OK(wg_output_open(path, &f));
    fputs("a,b\n", wg_output_stream(f));
    REQUIRE_OK(wg_output_commit(f));
    CHECK(file_is(path, "a,b\n"));
    nn_remove_dir(dir);
}

TEST(output_file_abort_keeps_the_old_file)
{
    char dir[64], path[128];
    REQUIRE(scratch_file(dir, path, "keep.svg", "<svg/>") == 0);
    wg_output_file *f = NULL;
    REQUIRE_OK(wg_output_open(path, &f));
    fputs("partial", wg_output_stream(f));
    wg_output_abort(f);
    CHECK(file_is(path, "<svg/>"));
    CHECK(nn_dir_entries(dir) == 1);
    wg_output_abort(NULL);
    nn_remove_dir(dir);
}

/* #6: a FIFO, a device, a symlink or a folder is never replaced by a regular file. */
TEST(output_file_refuses_what_is_not_a_regular_file)
{
    char dir[64], fifo[128], link[128], target[128], sub[128];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    REQUIRE(nn_write_file(target, "t", 1) == 0);
    REQUIRE(symlink(target, link) == 0);
    REQUIRE(mkdir(sub, 0700) == 0);
    /* A wrongly accepted target is aborted at once: never committed over the real thing. */
    const char *targets[4] = {fifo, link, sub, "/dev/null"};
    const char *kinds[4] = {"FIFO", "symbolic link", "folder", "device"};
    for (int i = 0; i < 4; i++) {
        wg_output_file *f = NULL;
        CHECK_STATUS(wg_output_open(targets[i], &f), WG_ERR_IO);
        CHECK_MSG(strstr(wg_error_message(), kinds[i]) != NULL, "%s: %s", targets[i],
                  wg_error_message());
        CHECK(f == NULL);
        wg_output_abort(f);
    }
    wg_checkpoint ck;
    memset(&ck, 0, sizeof ck);
    CHECK_STATUS(wg_checkpoint_save(fifo, &ck), WG_ERR_IO); /* train --save FIFO */
    CHECK(strstr(wg_error_message(), "FIFO") != NULL);
    CHECK_STATUS(wg_checkpoint_save(link, &ck), WG_ERR_IO);
    CHECK_STATUS(wg_checkpoint_save("", &ck), WG_ERR_ARGUMENT);
    struct stat st;
    REQUIRE(lstat(fifo, &st) == 0);
    CHECK(S_ISFIFO(st.st_mode));
    REQUIRE(lstat(link, &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    REQUIRE(stat("/dev/null", &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    unlink(fifo);
    unlink(link);
    rmdir(sub);
    nn_remove_dir(dir);
}

/* #18: bad output paths are found before a run, not after it. */
TEST(output_path_check_before_the_run)
{
    char dir[64], path[160];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    CHECK_STATUS(wg_output_path_check(""), WG_ERR_ARGUMENT);
    CHECK(strstr(wg_error_message(), "empty") != NULL);
    CHECK_STATUS(wg_output_path_check(NULL), WG_ERR_ARGUMENT);
    CHECK_STATUS(wg_output_path_check("/nonexistent-whygpu-dir/ck"), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "/nonexistent-whygpu-dir") != NULL);
    snprintf(path, sizeof path, "%s/", dir);
    CHECK_STATUS(wg_output_path_check(path), WG_ERR_ARGUMENT);
    snprintf(path, sizeof path, "%s/file", dir);
    REQUIRE(nn_write_file(path, "x", 1) == 0);
    {
        wg_status s = wg_output_path_check(path);
        CHECK_MSG(s == WG_OK, "existing regular file refused: %s", wg_error_message());
    }
    snprintf(path, sizeof path, "%s/file/below", dir);
    CHECK_STATUS(wg_output_path_check(path), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), strerror(ENOTDIR)) != NULL);
    snprintf(path, sizeof path, "%s/new-name", dir);
    CHECK(wg_output_path_check(path) == WG_OK);
    CHECK(wg_output_path_check("relative-new-name") == WG_OK);
    nn_remove_dir(dir);
}

/* #8: a write that fails (here: over the file size limit, as a full disk would) keeps the
 * old file and names the reason. */
TEST(output_file_write_failure_names_the_reason)
{
    char dir[64], path[128];
    REQUIRE(scratch_file(dir, path, "report.html", "good") == 0);
    struct rlimit old;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    wg_output_file *f = NULL;
    REQUIRE_OK(wg_output_open(path, &f));
    struct rlimit small = old;
    small.rlim_cur = 1000;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    for (int i = 0; i < 1000; i++) fputs("0123456789", wg_output_stream(f));
    wg_status status = wg_output_commit(f);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    CHECK_STATUS(status, WG_ERR_IO);
    CHECK_MSG(strstr(wg_error_message(), strerror(EFBIG)) != NULL, "message: %s",
              wg_error_message());
    CHECK(file_is(path, "good"));
    CHECK(nn_dir_entries(dir) == 1);
    nn_remove_dir(dir);
}

/* #13: a write failure on a plain stream (stdout to a full disk) is reported. */
TEST(stream_finish_reports_a_failed_write)
{
    FILE *full = fopen("/dev/full", "w");
    if (!full) SKIP("no /dev/full here");
    fputs("lost", full);
    CHECK_STATUS(wg_stream_finish(full, "stdout"), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "stdout") != NULL);
    CHECK(strstr(wg_error_message(), strerror(ENOSPC)) != NULL);
    fclose(full);
    FILE *ok = fopen("/dev/null", "w");
    REQUIRE(ok != NULL);
    fputs("fine", ok);
    CHECK(wg_stream_finish(ok, "null") == WG_OK);
    fclose(ok);
}

/* #17: SIGINT while an output is open removes its temporary file and keeps the target. */
TEST(cleanup_on_sigint_removes_temporary_files)
{
    char dir[64], path[128], extra[128];
    REQUIRE(scratch_file(dir, path, "sweep.csv", "old") == 0);
    snprintf(extra, sizeof extra, "%s/scratch", dir);
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (wg_cleanup_install_handlers() != WG_OK) _exit(3);
        wg_output_file *f = NULL;
        if (wg_output_open(path, &f) != WG_OK) _exit(4);
        fputs("half", wg_output_stream(f));
        fflush(wg_output_stream(f));
        if (nn_write_file(extra, "x", 1) != 0 || wg_cleanup_add_path(extra) < 0) _exit(5);
        raise(SIGINT);
        _exit(6); /* not reached: the handler dies of the signal */
    }
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    CHECK_MSG(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGINT, "child status %#x",
              wstatus);
    CHECK(file_is(path, "old"));
    CHECK_MSG(nn_dir_entries(dir) == 1, "%d entries left in %s", nn_dir_entries(dir), dir);
    nn_remove_dir(dir);
}

TEST(cleanup_list_slots)
{
    char dir[64], path[128];
    REQUIRE(scratch_file(dir, path, "kept", "x") == 0);
    int slot = wg_cleanup_add_path(path);
    REQUIRE(slot >= 0);
    wg_cleanup_remove(slot); /* taken back: must survive a cleanup run */
    wg_cleanup_run();
    CHECK(file_is(path, "x"));
    slot = wg_cleanup_add_path(path);
    REQUIRE(slot >= 0);
    wg_cleanup_run();
    CHECK(access(path, F_OK) != 0);
    CHECK(wg_cleanup_add_path(NULL) == -1);
    CHECK(wg_cleanup_add_child(0) == -1);
    nn_remove_dir(dir);
}

/* #11: a FIFO or a device as an input is refused at once (it blocked in open()). An alarm
 * turns a hang into a failure of this test. */
TEST(input_open_refuses_fifos_without_blocking)
{
    char dir[64], fifo[128], path[128];
    REQUIRE(nn_temp_dir(dir, sizeof dir) == 0);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(path, sizeof path, "%s/plain", dir);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    REQUIRE(nn_write_file(path, "data", 4) == 0);
    alarm(20);
    int fd = -1;
    CHECK_STATUS(wg_input_open(fifo, &fd), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "FIFO") != NULL);
    CHECK_STATUS(wg_input_open("/dev/zero", &fd), WG_ERR_IO);
    CHECK(strstr(wg_error_message(), "device") != NULL);
    CHECK_STATUS(wg_input_open(dir, &fd), WG_ERR_IO);
    CHECK_STATUS(wg_input_open("", &fd), WG_ERR_ARGUMENT);
    wg_checkpoint ck;
    CHECK_STATUS(wg_checkpoint_load(fifo, &ck), WG_ERR_IO);
    wg_idx idx;
    CHECK_STATUS(wg_idx_read_file(fifo, 0x803, &idx), WG_ERR_IO);
    FILE *in = NULL;
    CHECK_STATUS(wg_input_fopen(fifo, &in), WG_ERR_IO);
    alarm(0);
    REQUIRE_OK(wg_input_open(path, &fd));
    char buf[8] = {0};
    CHECK(read(fd, buf, sizeof buf) == 4); /* blocking mode again, reads normally */
    close(fd);
    REQUIRE_OK(wg_input_fopen(path, &in));
    CHECK(fgetc(in) == 'd');
    fclose(in);
    unlink(fifo);
    nn_remove_dir(dir);
}
