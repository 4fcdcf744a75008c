// SPDX-License-Identifier: GPL-2.0
/* A VE's id mapping (see idmap.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "vectx.h"

static int write_map(pid_t pid, const char *file, uid_t inside, uid_t outside)
{
	char path[64], map[64];
	int fd, len, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	len = snprintf(map, sizeof(map), "%u %u %u\n", inside, outside, VE_UID_RANGE);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, map, len) != len)
		err = -errno;
	close(fd);
	return err;
}

int idmap_write(pid_t pid, uid_t base)
{
	int err = write_map(pid, "uid_map", 0, base);

	return err ? err : write_map(pid, "gid_map", 0, base);
}

int idmap_clone_mount(const char *path, pid_t pid)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP,
		.attr_clr = MOUNT_ATTR_NOSUID,
	};
	char ns[64];
	int mnt, userns, err = 0;

	snprintf(ns, sizeof(ns), "/proc/%d/ns/user", (int)pid);
	userns = open(ns, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return -errno;
	mnt = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	attr.userns_fd = (uint64_t)userns;
	if (mnt < 0 || mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof(attr)))
		err = -errno;
	close(userns);
	if (err) {
		if (mnt >= 0)
			close(mnt);
		return err;
	}
	return mnt;
}

int idmap_userns(uid_t inside, uid_t outside)
{
	struct clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	char path[64];
	int p[2], fd = -1, err;
	pid_t pid;

	/* A child holds the namespace while it is mapped and opened. */
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	err = pid < 0 ? -errno : 0;
	close(p[0]);
	if (!err)
		err = write_map(pid, "uid_map", inside, outside);
	if (!err)
		err = write_map(pid, "gid_map", inside, outside);
	if (!err) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			err = -errno;
	}
	close(p[1]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return err ? err : fd;
}
