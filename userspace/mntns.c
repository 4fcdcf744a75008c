// SPDX-License-Identifier: GPL-2.0
/* The template mount namespace (see mntns.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mntns.h"
#include "run.h"

/*
 * The namespace file is bound in a directory of its own, a private mount:
 * a namespace file cannot be bound where the mount would propagate
 * (a host's /run is shared under systemd).
 */
#define MNTNS_DIR	VE_RUN_DIR "/ns"
#define MNTNS_LOCK	VE_RUN_DIR "/ns.lock"

static bool is_nsfs(int fd)
{
	struct statfs sf;

	return !fstatfs(fd, &sf) && sf.f_type == NSFS_MAGIC;
}

/*
 * The child that becomes the template: a private copy of the host's
 * mounts, a tmpfs pivoted into and the rest detached. It waits on @hold
 * until the parent has bound its namespace. Reports on @ready.
 */
static int __attribute__((noreturn)) template_child(int ready, int hold)
{
	const char *step = "unshare";
	char c;

	if (unshare(CLONE_NEWNS))
		goto fail;
	step = "make the mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		goto fail;
	step = "mount a tmpfs";
	if (mount("ve-template", MNTNS_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755,size=16k") || chdir(MNTNS_DIR))
		goto fail;
	/*
	 * The host's proc and sysfs, whole: a user namespace may mount its
	 * own only where one is fully visible (MEMINFO=none).
	 */
	step = "bind /proc and /sys in it";
	if (mkdir(MNTNS_ROOT + 1, 0755) || mkdir(MNTNS_STAGE + 1, 0755) ||
	    mkdir("proc", 0555) || mkdir("sys", 0555) ||
	    mount("/proc", "proc", NULL, MS_BIND, NULL) ||
	    mount("/sys", "sys", NULL, MS_BIND, NULL))
		goto fail;
	step = "make it read-only";
	if (mount(NULL, ".", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
		  MS_NOEXEC, NULL))
		goto fail;
	/* pivot_root(".", ".") stacks the host's root on the tmpfs; detach it. */
	step = "pivot into it";
	if (syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) || chdir("/"))
		goto fail;
	if (write(ready, "", 1) != 1)
		_exit(1);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
fail:
	dprintf(ready, "%s: %s", step, strerror(errno));
	_exit(1);
}

/* Make the template and bind it at VE_MNTNS. 0 or -errno, @why said. */
static int template_make(char *why, size_t len)
{
	int ready[2], hold[2], err = 0, fd, status;
	char msg[256], path[64];
	ssize_t n;
	pid_t pid;

	if (!path_is_mountpoint(MNTNS_DIR) && mount(MNTNS_DIR, MNTNS_DIR, NULL, MS_BIND, NULL))
		goto fail_errno;
	if (mount(NULL, MNTNS_DIR, NULL, MS_PRIVATE, NULL))
		goto fail_errno;
	fd = open(VE_MNTNS, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail_errno;
	close(fd);
	if (pipe2(ready, O_CLOEXEC))
		goto fail_errno;
	if (pipe2(hold, O_CLOEXEC)) {
		close_fds(ready, 2);
		goto fail_errno;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		template_child(ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	n = pid < 0 ? -1 : read_bounded(ready[0], msg, sizeof(msg) - 1, 10);
	if (n != 1) {
		msg[n > 0 ? n : 0] = '\0';
		snprintf(why, len, "cannot make the template mount namespace: %s",
			 pid < 0 ? strerror(errno) : n > 0 ? msg : "its maker died");
		err = -EIO;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if (mount(path, VE_MNTNS, NULL, MS_BIND, NULL)) {
			err = -errno;
			snprintf(why, len, "cannot bind the template mount namespace at %s: %s",
				 VE_MNTNS, strerror(errno));
		}
	}
	close(ready[0]);
	close(hold[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return err;

fail_errno:
	err = -errno;
	snprintf(why, len, "cannot prepare %s for the template mount namespace: %s", MNTNS_DIR,
		 strerror(errno));
	return err;
}

int mntns_template_fd(char *why, size_t len)
{
	int fd, lock, err;

	fd = open(VE_MNTNS, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && is_nsfs(fd))
		return fd;
	if (fd >= 0)
		close(fd);
	/* The first on this node makes it; another start waits for it. */
	err = mkdir_p(MNTNS_DIR, 0700);
	lock = err ? -1 : open(MNTNS_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		err = err ? err : -errno;
		snprintf(why, len, "cannot lock %s: %s", MNTNS_LOCK, strerror(-err));
		if (lock >= 0)
			close(lock);
		return err;
	}
	fd = open(VE_MNTNS, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !is_nsfs(fd)) {
		if (fd >= 0)
			close(fd);
		err = template_make(why, len);
		fd = err ? err : open(VE_MNTNS, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && !err)
			snprintf(why, len, "cannot open %s: %s", VE_MNTNS, strerror(errno));
		if (fd < 0 && !err)
			fd = -errno;
	}
	close(lock);
	return fd;
}

int mntns_enter_template(struct mntns_saved *s, char *why, size_t len)
{
	int tmpl, err = 0;

	s->ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	s->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->ns < 0 || s->cwd < 0) {
		err = -errno;
		snprintf(why, len, "cannot note vectl's own mounts: %s", strerror(errno));
		goto out;
	}
	tmpl = mntns_template_fd(why, len);
	if (tmpl < 0) {
		err = tmpl;
		goto out;
	}
	if (setns(tmpl, CLONE_NEWNS)) {
		err = -errno;
		snprintf(why, len, "cannot enter the template mount namespace %s: %s", VE_MNTNS,
			 strerror(errno));
	}
	close(tmpl);
out:
	if (err)
		close_fds((int[]){ s->ns, s->cwd }, 2);
	return err;
}

int mntns_leave(struct mntns_saved *s)
{
	int err = 0;

	if (setns(s->ns, CLONE_NEWNS) || fchdir(s->cwd))
		err = -errno;
	close_fds((int[]){ s->ns, s->cwd }, 2);
	return err;
}

int mntns_tree(const char *path)
{
	/* Private: a clone of a shared mount would join its peer group. */
	struct mount_attr attr = { .propagation = MS_PRIVATE };
	int fd, err;

	fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
