// SPDX-License-Identifier: GPL-2.0
/* A VE's id mapping (see idmap.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "idmap.h"
#include "vectx.h"

static int write_map(pid_t pid, const char *file, uid_t base)
{
	char path[64], map[64];
	int fd, len, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	len = snprintf(map, sizeof(map), "0 %u %u\n", base, VE_UID_RANGE);
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
	int err = write_map(pid, "uid_map", base);

	return err ? err : write_map(pid, "gid_map", base);
}

int idmap_clone_mount(const char *path, pid_t pid)
{
	/*
	 * Private: a clone of a shared mount (every mount of a systemd host
	 * is) joins its peer group, and what the VE's /proc view mounts on
	 * the clone would show on the host's mount too, and keep it busy.
	 */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_IDMAP,
		.attr_clr = MOUNT_ATTR_NOSUID,
		.propagation = MS_PRIVATE,
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

