// SPDX-License-Identifier: GPL-2.0
/* Helper programs and file trees. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

void close_fds_except(const int *keep, int n)
{
	unsigned int from = 3;

	/* Close the gaps between the kept fds, lowest first. */
	for (;;) {
		unsigned int next = ~0U;

		for (int i = 0; i < n; i++)
			if (keep[i] >= (int)from && (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		if (next == ~0U)
			break;
		if (next > from)
			syscall(SYS_close_range, from, next - 1, 0U);
		from = next + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0U);
}

int wait_readable(int fd, int seconds)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int r;

	do
		r = poll(&p, 1, seconds * 1000);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

ssize_t read_bounded(int fd, void *buf, size_t len, int seconds)
{
	return wait_readable(fd, seconds) ? -1 : read(fd, buf, len);
}

void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void child_vfail(int fd, int code, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (write(fd, msg, strnlen(msg, sizeof(msg))) < 0)
		_exit(code);
	_exit(code);
}

void note_disk_full(const char *path, char *why, size_t len)
{
	size_t n = strlen(why);
	struct statvfs fs;

	/* tar's words for ENOSPC ("Wrote only ...") do not say it. */
	if (!statvfs(path, &fs) && fs.f_bavail * fs.f_frsize < 1024 * 1024 && n < len)
		snprintf(why + n, len - n, " (the disk is full: free space there or use --private DIR elsewhere)");
}

int run_argv(char *const argv[], char *why, size_t len)
{
	return run_argv_in(argv, -1, why, len);
}

static bool run_tied;

void run_tie_helpers(void)
{
	run_tied = true;
}

pid_t run_spawn(char *const argv[], int in, int out, int err)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (run_tied && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
			_exit(127);

		if (null < 0 || dup2(in >= 0 ? in : null, 0) < 0 ||
		    dup2(out >= 0 ? out : null, 1) < 0 || (err >= 0 && dup2(err, 2) < 0))
			_exit(127);
		close_fds_except(NULL, 0);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int run_wait(pid_t pid, bool *killed)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (killed)
		*killed = !WIFEXITED(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_argv_in(char *const argv[], int in, char *why, size_t len)
{
	return run_argv_io(argv, in, -1, why, len);
}

int run_argv_io(char *const argv[], int in, int out, char *why, size_t len)
{
	char buf[512];
	size_t got = 0;
	int pipefd[2], rc;
	bool killed;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = run_spawn(argv, in, out, pipefd[1]);
	if (pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && (got += n) == sizeof(buf) - 1)
			break;
	/* Drain the rest so that the child never blocks on a full pipe. */
	while (read(pipefd[0], (char[256]){ 0 }, 256) > 0)
		;
	close(pipefd[0]);
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	rc = run_wait(pid, &killed);
	if (rc > 0)
		snprintf(why, len, "%s %s", argv[0], *buf ? buf : killed ? "was killed" : "failed");
	return rc;
}

DIR *dir_of(int fd)
{
	int dup_fd = dup(fd);
	DIR *d;

	if (dup_fd < 0)
		return NULL;
	d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return NULL;
	}
	rewinddir(d);	/* a dup shares the file position */
	return d;
}

/* The first subdirectory of @fd on device @dev, opened; -1 when none. */
static int first_subdir(int fd, dev_t dev)
{
	DIR *d = dir_of(fd);
	struct dirent *e;
	int sub = -1;

	if (!d)
		return -1;
	while (sub < 0 && (e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode) || st.st_dev != dev)
			continue;
		sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	closedir(d);
	return sub;
}

/* Unlink every non-directory in @fd; the first error, or 0. */
static int unlink_files(int fd)
{
	DIR *d = dir_of(fd);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || S_ISDIR(st.st_mode))
			continue;
		if (unlinkat(fd, e->d_name, 0) && errno != ENOENT && !err)
			err = -errno;
	}
	closedir(d);
	return err;
}

/* Remove the directory @fd (inode @ino) from its parent @parent. */
static int rmdir_in(int parent, ino_t ino)
{
	DIR *d = dir_of(parent);
	struct dirent *e;
	int err = -ENOENT;

	if (!d)
		return -errno;
	/* By stat, not d_ino: overlayfs's d_ino may differ from st_ino. */
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(parent, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    st.st_ino != ino || !S_ISDIR(st.st_mode))
			continue;
		err = unlinkat(parent, e->d_name, AT_REMOVEDIR) ? -errno : 0;
		break;
	}
	closedir(d);
	return err;
}

/*
 * Iteratively, by fds, holding one directory open at a time: a VE's root
 * may make a tree deeper than PATH_MAX or than the fds a recursion would
 * need. Symlinks are removed, never followed; other mounts are left alone
 * (their mount point then stays, and so the error says). Only for trees
 * nothing else changes meanwhile (a stopped VE's).
 */
int remove_tree(const char *path)
{
	struct stat top, st;
	int fd, sub, parent, err = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP)
			return unlink(path) ? -errno : 0;
		return -errno;
	}
	if (fstat(fd, &top)) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		sub = first_subdir(fd, top.st_dev);
		if (sub >= 0) {
			close(fd);
			fd = sub;
			continue;
		}
		err = unlink_files(fd);
		if (fstat(fd, &st) || (st.st_ino == top.st_ino && st.st_dev == top.st_dev))
			break;
		parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0) {
			err = -errno;
			break;
		}
		close(fd);
		fd = parent;
		err = rmdir_in(fd, st.st_ino);
		if (err)
			break;
	}
	close(fd);
	if (err)
		return err;
	return rmdir(path) && errno != ENOENT ? -errno : 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int send_fd(int sock, int fd)
{
	char byte = 'g', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

int recv_fd(int sock)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int copy_file_sparse(int in, int out)
{
	off_t data, hole = 0, end;
	struct stat st;

	if (fstat(in, &st) || ftruncate(out, st.st_size))
		return -errno;
	/* A filesystem that shares blocks (btrfs, xfs) clones the whole file. */
	if (!ioctl(out, FICLONE, in))
		return 0;
	end = st.st_size;
	for (;;) {
		data = lseek(in, hole, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		for (off_t at = data; at < hole; ) {
			loff_t from = at, to = at;
			ssize_t n = copy_file_range(in, &from, out, &to, (size_t)(hole - at), 0);

			if (n < 0)
				return -errno;
			if (n == 0)
				return -EIO;
			at += n;
		}
		if (hole >= end)
			return 0;
	}
}

FILE *record_open(const char *dir, const char *path, char *tmp, size_t len)
{
	int err = mkdir_p(dir, 0700);

	if (err) {
		errno = -err;
		return NULL;
	}
	snprintf(tmp, len, "%s.tmp", path);
	return fopen(tmp, "we");
}

int file_commit(FILE *f, const char *tmp, const char *path)
{
	int err = 0;

	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
