// SPDX-License-Identifier: GPL-2.0
/*
 * What a VE sees of its machine (Documentation/design.md, "What a VE
 * sees"): its own clocks, and the module's VE-aware /proc files bound over
 * the real ones, where the VE's root cannot remove them.
 *
 * Clocks: the init makes and enters a time namespace of its own, owned by
 * the VE's user namespace, whose monotonic and boot-time clocks start at
 * 0, so /proc/uptime and btime count from the VE's start. Made inside,
 * not by vectl before the clone, so that every namespace of the VE
 * belongs to its user namespace, as a checkpoint (criu) requires.
 *
 * Files: a mount can only be locked (MNT_LOCKED: no unmount, no remount
 * of its flags) by being copied into a mount namespace of a less
 * privileged user namespace. So the tree is built by host root first and
 * then copied across:
 *   1. vectl clones a task into the VE's pid namespace (so that procfs
 *      is the VE's) with a private mount namespace of the host's; it
 *      joins the VE's network namespace (so that sysfs is the VE's);
 *   2. the task mounts proc and a read-only sysfs into the
 *      VE's root, and binds the module's "veproc" files over /proc's
 *      meminfo, cpuinfo, stat, loadavg, uptime, swaps and
 *      /sys/devices/system/cpu/online;
 *   3. it joins the VE's user namespace and unshares a mount namespace:
 *      the copy, owned by the VE's user namespace, has every mount
 *      locked; it sends that namespace and the root in it to vectl;
 *   4. the init joins that namespace and builds the rest of its mounts
 *      (/dev, cgroup2, ...) on top, as without the view.
 * Every path inside the VE's root is opened one component at a time,
 * never through a symlink, so a VE's root cannot point host root's
 * mounts elsewhere.
 *
 * MEMINFO="none" in a VE's config turns the files off (the init mounts
 * its own proc and sysfs, unlocked, which nested containers need).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "mntns.h"
#include "procview.h"
#include "rescue.h"
#include "run.h"

/* The module's files and the real files they stand in for. */
static const struct {
	const char *file;	/* in the veproc filesystem */
	const char *dir;	/* where the real one is, in the VE's root */
	const char *name;
} view_files[] = {
	{ "meminfo", "proc", "meminfo" },
	{ "cpuinfo", "proc", "cpuinfo" },
	{ "stat", "proc", "stat" },
	{ "loadavg", "proc", "loadavg" },
	{ "uptime", "proc", "uptime" },
	{ "swaps", "proc", "swaps" },
	{ "cpu_online", "sys", "devices/system/cpu/online" },
};

bool view_enabled(const struct vectx *x)
{
	const char *v = vectx_get(x, "MEMINFO");

	return !v || strcmp(v, "none");
}

int view_timens_own(void)
{
	struct timespec mono, boot;
	char offs[128];
	int fd, len, err = 0;

	if (access("/proc/self/ns/time", F_OK))
		return 0;	/* no time namespaces in this kernel */
	if (unshare(CLONE_NEWTIME))
		return -errno;
	/* Offsets can be set until a task enters: ours, before we do. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	/* Whole seconds back: the clocks start below 1 s, never below 0. */
	len = snprintf(offs, sizeof(offs), "monotonic %lld 0\nboottime %lld 0\n",
		       -(long long)mono.tv_sec, -(long long)boot.tv_sec);
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, offs, len) != len)
		err = -errno;
	close(fd);
	if (err)
		return err;
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* 6.1 does not switch at exec (6.6 does): enter it ourselves. */
	if (setns(fd, CLONE_NEWTIME))
		err = -errno;
	close(fd);
	return err;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
view_fail(int err_fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	child_vfail(err_fd, 1, fmt, ap);
}

/*
 * Open directory @name of the VE's root @root, not following a symlink;
 * create it as the VE's root (@uid) when it is missing.
 */
static int view_dir(int err_fd, int root, const char *name, uid_t uid)
{
	int fd = openat(root, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		setfsuid(uid);
		setfsgid(uid);
		if (mkdirat(root, name, 0555) && errno != EEXIST)
			view_fail(err_fd, "cannot create /%s in the VE: %s", name, strerror(errno));
		setfsuid(0);
		setfsgid(0);
		fd = openat(root, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		view_fail(err_fd, "/%s in the VE: %s%s", name, strerror(errno),
			  errno == ENOTDIR || errno == ELOOP ? " (it must be a directory)" : "");
	return fd;
}

/* A new mount of filesystem @type with @attr, detached; its fd. */
static int view_fsmount(int err_fd, const char *type, unsigned int attr)
{
	int fs, mnt;

	fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		view_fail(err_fd, "cannot make a %s filesystem: %s%s", type, strerror(errno),
			  errno == ENODEV ? " (is the ve module loaded, and new enough?)" : "");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		view_fail(err_fd, "cannot create a %s filesystem: %s", type, strerror(errno));
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attr);
	if (mnt < 0)
		view_fail(err_fd, "cannot mount a %s filesystem: %s", type, strerror(errno));
	close(fs);
	return mnt;
}

static void view_attach(int err_fd, int mnt, int to_dirfd, const char *to, const char *what)
{
	if (move_mount(mnt, "", to_dirfd, to, MOVE_MOUNT_F_EMPTY_PATH |
		       (*to ? 0 : MOVE_MOUNT_T_EMPTY_PATH)))
		view_fail(err_fd, "cannot mount %s: %s", what, strerror(errno));
	close(mnt);
}

struct view_task {
	const struct vectx *x;
	int pidfd, tmpl;	/* the init's pidfd, the template */
	int top, priv;		/* the trees: the root, the private area in rescue mode */
	int sock, err_fd;
};

/*
 * Step 2 and 3, in a task of the VE's pid and network namespaces, as host
 * root in a private copy of the template mount namespace.
 */
static void __attribute__((noreturn)) view_build(const struct view_task *t)
{
	const unsigned int ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	const struct vectx *x = t->x;
	const int err_fd = t->err_fd;
	/*
	 * The module's files need a place in this (private) namespace to be
	 * bound from: the template's spare mount point.
	 */
	const char *stage = MNTNS_STAGE;
	char path[64];
	int root, dir, fd, err;

	view_attach(err_fd, t->top, AT_FDCWD, MNTNS_ROOT, "the VE's root");
	root = open(MNTNS_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		view_fail(err_fd, "cannot open the VE's root: %s", strerror(errno));
	if (t->priv >= 0) {
		err = rescue_attach(root, t->priv);
		if (err)
			view_fail(err_fd, "cannot mount the VE's private area at /%s of the rescue system: %s",
				  RESCUE_MOUNT, strerror(-err));
	}

	dir = view_dir(err_fd, root, "proc", x->uid_base);
	view_attach(err_fd, view_fsmount(err_fd, "proc", MOUNT_ATTR_NOSUID |
					 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
		    dir, "", "the VE's /proc");
	close(dir);
	dir = view_dir(err_fd, root, "sys", x->uid_base);
	view_attach(err_fd, view_fsmount(err_fd, "sysfs", ro), dir, "", "the VE's /sys");
	close(dir);

	view_attach(err_fd, view_fsmount(err_fd, "veproc", ro), AT_FDCWD, stage,
		    "the module's veproc filesystem");
	for (size_t i = 0; i < sizeof(view_files) / sizeof(view_files[0]); i++) {
		/* Now through the mount just made: procfs and sysfs are the kernel's. */
		dir = openat(root, view_files[i].dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		fd = dir < 0 ? -1 : openat(dir, view_files[i].name, O_PATH | O_NOFOLLOW |
					   O_CLOEXEC);
		if (fd < 0)
			view_fail(err_fd, "no /%s/%s in the VE: %s", view_files[i].dir,
				  view_files[i].name, strerror(errno));
		snprintf(path, sizeof(path), "%s/%s", stage, view_files[i].file);
		view_attach(err_fd, open_tree(AT_FDCWD, path, OPEN_TREE_CLONE |
					      OPEN_TREE_CLOEXEC),
			    fd, "", view_files[i].file);
		close(fd);
		close(dir);
	}
	umount2(stage, MNT_DETACH);

	/* Step 3: the copy into the VE's user namespace locks every mount. */
	if (fchdir(root) || setns(t->pidfd, CLONE_NEWUSER) || unshare(CLONE_NEWNS))
		view_fail(err_fd, "cannot seal the VE's mounts: %s", strerror(errno));
	fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	dir = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dir < 0 || send_fd(t->sock, fd) || send_fd(t->sock, dir))
		view_fail(err_fd, "cannot hand over the VE's mounts: %s", strerror(errno));
	_exit(0);
}

/*
 * Step 1 and 2: a task cloned by vectl into the VE's pid namespace (vectl
 * entered it for its children); it makes a copy of the template mount
 * namespace (private, as the trees are) and joins the VE's network
 * namespace itself.
 */
static int view_task(void *arg)
{
	const struct view_task *t = arg;

	/* Nothing of vectl's (its lock, netlink socket) goes into the VE's namespaces. */
	close_fds_except((int[]){ t->pidfd, t->tmpl, t->top, t->priv, t->sock, t->err_fd }, 6);
	if (setns(t->tmpl, CLONE_NEWNS) || unshare(CLONE_NEWNS) || setns(t->pidfd, CLONE_NEWNET))
		view_fail(t->err_fd, "cannot enter the VE's namespaces: %s", strerror(errno));
	view_build(t);
}

/*
 * The task shares vectl's memory and vectl waits until it is gone
 * (CLONE_VM | CLONE_VFORK, as posix_spawn() does): no copy of vectl's
 * address space to make and tear down. It calls nothing that allocates.
 */
#define VIEW_STACK_SIZE (256 * 1024)

static pid_t view_clone(struct view_task *t, int own_pidns)
{
	char *stack = mmap(NULL, VIEW_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;
	int err;

	if (stack == MAP_FAILED)
		return -1;
	if (setns(t->pidfd, CLONE_NEWPID)) {
		munmap(stack, VIEW_STACK_SIZE);
		return -1;
	}
	pid = clone(view_task, stack + VIEW_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, t);
	err = errno;
	/* vectl's own later children (the console keeper) are the host's. */
	if (setns(own_pidns, CLONE_NEWPID)) {
		vectl_err("cannot return to the host's pid namespace: %s (the VE's init is left waiting; vectl stop --fast ends it)",
			  strerror(errno));
		_exit(VECTL_ERR_SYSTEM);
	}
	munmap(stack, VIEW_STACK_SIZE);
	errno = err;
	return pid;
}

int view_prepare(const struct vectx *x, pid_t init, int top, int priv, int *mntns, int *root,
		 char *why, size_t len)
{
	int sk[2] = { -1, -1 }, errp[2] = { -1, -1 }, pidfd, own_pidns, tmpl, status;
	struct view_task t;
	int err = 0;
	ssize_t n;
	pid_t pid;

	*mntns = *root = -1;
	tmpl = mntns_template_fd(why, len);
	if (tmpl < 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (pidfd < 0 || own_pidns < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) ||
	    pipe2(errp, O_CLOEXEC)) {
		snprintf(why, len, "cannot prepare the VE's /proc: %s", strerror(errno));
		err = -1;
		goto out;
	}
	/*
	 * The task goes into the VE's user namespace with vectl's memory:
	 * none of the VE's processes may trace it (the flag is the shared
	 * memory's, so vectl stays undumpable too).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(why, len, "cannot make vectl undumpable: %s", strerror(errno));
		err = -1;
		goto out;
	}
	t = (struct view_task){ .x = x, .pidfd = pidfd, .tmpl = tmpl, .top = top, .priv = priv,
				.sock = sk[1], .err_fd = errp[1] };
	pid = view_clone(&t, own_pidns);
	if (pid < 0) {
		snprintf(why, len, "cannot start a task in the VE: %s%s", strerror(errno),
			 errno == EAGAIN ? " (numproc limit?)" : "");
		err = -1;
		goto out;
	}
	close(sk[1]);
	sk[1] = -1;
	close(errp[1]);
	errp[1] = -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	n = read(errp[0], why, len - 1);
	if (n > 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (n <= 0)
			snprintf(why, len, "the task that builds the VE's /proc died");
		else
			why[n] = '\0';
		err = -1;
		goto out;
	}
	*mntns = recv_fd(sk[0]);
	*root = recv_fd(sk[0]);
	if (*mntns < 0 || *root < 0) {
		snprintf(why, len, "the VE's mounts did not arrive");
		err = -1;
	}
out:
	if (err) {
		close_fds((int[]){ *mntns, *root }, 2);
		*mntns = *root = -1;
	}
	close_fds((int[]){ pidfd, own_pidns, tmpl, sk[0], sk[1], errp[0], errp[1] }, 7);
	return err;
}
