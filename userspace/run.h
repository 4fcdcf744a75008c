/* SPDX-License-Identifier: GPL-2.0 */
/* Running helper programs (tar, cp) and small file-tree utilities. */
#ifndef VECTL_RUN_H
#define VECTL_RUN_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Run @argv (PATH lookup), stdin and stdout on /dev/null. Returns its exit
 * status, or -errno when it could not run; its first line of stderr is in
 * @why when it fails.
 */
int run_argv(char *const argv[], char *why, size_t len);
/* The same with stdin on @in (when >= 0). */
int run_argv_in(char *const argv[], int in, char *why, size_t len);
/* The same with stdout on @out too (when >= 0). */
int run_argv_io(char *const argv[], int in, int out, char *why, size_t len);

/*
 * Start @argv (PATH lookup) with stdin @in, stdout @out and stderr @err,
 * each /dev/null when < 0 (stderr: ours); nothing else of ours open.
 * Its pid, or -1 with errno.
 */
pid_t run_spawn(char *const argv[], int in, int out, int err);
/*
 * Wait for child @pid: its exit status, 128 + the signal that killed it
 * (*@killed true, when @killed), or -errno.
 */
int run_wait(pid_t pid, bool *killed);

/*
 * After a failure to fill @path: append to @why that its filesystem is
 * full, if it is (less than 1 MiB free).
 */
void note_disk_full(const char *path, char *why, size_t len);

/*
 * Copy file @in to @out (empty, writable), holes kept: a clone where the
 * filesystem shares blocks, else the data extents only. 0 or -errno.
 */
int copy_file_sparse(int in, int out);

/* rm -rf @path without crossing into other mounts; 0 or -errno. */
int remove_tree(const char *path);

/* A DIR reading @fd from its start, leaving @fd itself open; NULL on error. */
DIR *dir_of(int fd);

/* mkdir -p with @mode for the directories it creates. */
int mkdir_p(const char *path, mode_t mode);

/* Wait at most @seconds for @fd to be readable (or at EOF); 0, or -1. */
int wait_readable(int fd, int seconds);

/*
 * read() that waits at most @seconds for something to read (or EOF):
 * -1 with ETIMEDOUT after that.
 */
ssize_t read_bounded(int fd, void *buf, size_t len, int seconds);

/* Close every fd from 3 up except the @n in @keep. */
void close_fds_except(const int *keep, int n);

/* Close each of the @n fds in @fds that is open (>= 0). */
void close_fds(const int *fds, int n);

/*
 * In a child vectl made: send the message to vectl over @fd (it reads it
 * up to EOF, which an exec brings) and exit with @code.
 */
void child_vfail(int fd, int code, const char *fmt, va_list ap)
	__attribute__((noreturn, format(printf, 3, 0)));

/* Send one byte, and @fd with it, over unix socket @sock; 0 or -errno. */
int send_fd(int sock, int fd);

/* The fd sent by send_fd() on @sock (close-on-exec), or -1. */
int recv_fd(int sock);

/*
 * Start replacing the record @path (node-local state, in directory @dir,
 * made 0700 if need be): a stream to a temporary file, whose name goes
 * to @tmp, for file_commit(). NULL with errno set.
 */
FILE *record_open(const char *dir, const char *path, char *tmp, size_t len);

/*
 * Finish writing @tmp through @f (closed here) and put it at @path in one
 * step: flushed, synced, renamed; @tmp removed on failure. 0 or -errno.
 */
int file_commit(FILE *f, const char *tmp, const char *path);

/*
 * The helpers this process starts from now on die with it (SIGKILL, by
 * PR_SET_PDEATHSIG): for one whose work alone, its caller gone, would
 * leave something half made that no one finishes or undoes (a restore).
 */
void run_tie_helpers(void);

#endif
