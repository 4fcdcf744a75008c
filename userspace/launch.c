// SPDX-License-Identifier: GPL-2.0
/*
 * vectl start and stop (Documentation/design.md, "Start order" and "Stop").
 *
 * start: mount the private area at the root, create the cgroup, clone3()
 * the init in new user/pid/mount/uts/ipc/net/cgroup namespaces straight
 * into the cgroup, write its uid/gid maps, bind it with VE_CMD_START, and
 * only then let it run: it builds its mounts and /dev, pivots into the
 * root and execs init. The child reports a failure over a close-on-exec
 * pipe (EOF means init was exec'd), and every failure unwinds all steps.
 *
 * The VE's /dev/console is a host pty. A small keeper process holds the
 * master, copies the console output to /var/log/ve/<ID>.console and exits
 * when init does.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "cgroup.h"
#include "console.h"
#include "disk.h"
#include "cluster.h"
#include "err.h"
#include "exitcodes.h"
#include "idmap.h"
#include "launch.h"
#include "mntns.h"
#include "network.h"
#include "parse.h"
#include "private.h"
#include "procview.h"
#include "rescue.h"
#include "resources.h"
#include "run.h"
#include "seccomp.h"

/* How long the init may take from its release to exec: mounts, pivot. */
#define VE_SETUP_TIMEOUT 30
#define VE_CLONE_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | \
		     CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

/* The host's devices a VE gets, bound over empty files; its console after them. */
static const char *const ve_devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
#define VE_DEVS (sizeof(ve_devs) / sizeof(ve_devs[0]) + 1)

/* What the init child needs; all of it is prepared before clone3(). */
struct init_args {
	const struct vectx *x;
	int go_fd;		/* socket: one byte and the root when the module bound us */
	int err_fd;		/* write end, close-on-exec */
	int dev_fds[VE_DEVS];	/* detached binds of ve_devs and the console */
	char console[64];	/* host path of the console pty */
	const char *hostname;
	const char *nameservers;	/* NAMESERVER, or NULL */
	const char *searchdomains;	/* SEARCHDOMAIN, or NULL */
	const char *init;
	char devpts_opts[96];	/* with max=, NUMPTY's limit */
	bool view;		/* proc and sys come mounted, with the module's files */
	/* Rescue mode: the rescue tree is the root, the private area comes after. */
	const char *rescue;
};

static pid_t sys_clone3(struct clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

/* Report a failure in the init child to vectl and exit. */
static void __attribute__((noreturn, format(printf, 2, 3)))
child_fail(const struct init_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	child_vfail(a->err_fd, 1, fmt, ap);
}

int ve_write_etc_file(const char *path, const char *text, char *why, size_t len)
{
	struct stat st;
	FILE *f;
	int fd;

	/*
	 * What the VE's own boot scripts read; we are its root, inside it.
	 * The VE owns the file: never block on it (a FIFO), never follow it
	 * (a symlink), never write anything but a regular file.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
		  O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0 && errno != ENOENT && errno != EROFS) {
		snprintf(why, len, "%s in the VE: %s%s", path, strerror(errno),
			 errno == ENXIO || errno == ELOOP ? " (it must be a regular file)" : "");
		return -1;
	}
	if (fd < 0)
		return 0;	/* no /etc, or a read-only root: nothing to keep */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s in the VE is not a regular file", path);
		close(fd);
		return -1;
	}
	f = ftruncate(fd, 0) ? NULL : fdopen(fd, "w");
	if (!f) {
		snprintf(why, len, "%s in the VE: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	fputs(text, f);
	fclose(f);
	return 0;
}

int ve_apply_hostname(const char *h, char *why, size_t len)
{
	char line[80];

	if (sethostname(h, strlen(h))) {
		snprintf(why, len, "sethostname: %s", strerror(errno));
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", h);
	return ve_write_etc_file("/etc/hostname", line, why, len);
}

static void child_mount(const struct init_args *a, const char *src, const char *dst,
			const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data))
		child_fail(a, "cannot mount %s on %s: %s", type ? type : src, dst,
			   strerror(errno));
}

/* An empty file to bind a device node (@dev, detached) over; mknod is not ours to use. */
static void child_bind_dev(const struct init_args *a, int dev, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "dev/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		child_fail(a, "cannot create /%s: %s", path, strerror(errno));
	close(fd);
	if (move_mount(dev, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH))
		child_fail(a, "cannot mount /%s: %s", path, strerror(errno));
	close(dev);
}

static void child_symlink(const struct init_args *a, const char *target, const char *path)
{
	if (symlink(target, path) && errno != EEXIST)
		child_fail(a, "cannot create /%s: %s", path, strerror(errno));
}

static void child_mkdir(const struct init_args *a, const char *path, mode_t mode)
{
	if (mkdir(path, mode) && errno != EEXIST)
		child_fail(a, "cannot create /%s: %s", path, strerror(errno));
}

/* Mounts inside the root. */
static void child_mounts(const struct init_args *a)
{
	if (!a->view) {
		child_mkdir(a, "proc", 0555);
		child_mount(a, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		child_mkdir(a, "sys", 0555);
		child_mount(a, "sysfs", "sys", "sysfs",
			    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	/* The VE's own (delegated) cgroup, as its cgroup namespace sees it. */
	child_mount(a, "cgroup2", "sys/fs/cgroup", "cgroup2",
		    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

	child_mkdir(a, "dev", 0755);
	child_mount(a, "dev", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=1m");
	for (size_t i = 0; i < VE_DEVS - 1; i++)
		child_bind_dev(a, a->dev_fds[i], ve_devs[i]);
	child_bind_dev(a, a->dev_fds[VE_DEVS - 1], "console");
	child_mkdir(a, "dev/pts", 0755);
	child_mount(a, "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, a->devpts_opts);
	child_symlink(a, "pts/ptmx", "dev/ptmx");
	child_mkdir(a, "dev/shm", 01777);
	child_mount(a, "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	child_mkdir(a, "dev/mqueue", 0755);
	child_mount(a, "mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	child_symlink(a, "/proc/self/fd", "dev/fd");
	child_symlink(a, "/proc/self/fd/0", "dev/stdin");
	child_symlink(a, "/proc/self/fd/1", "dev/stdout");
	child_symlink(a, "/proc/self/fd/2", "dev/stderr");
}

static int __attribute__((noreturn)) init_child(const struct init_args *a)
{
	char *const argv[] = { (char *)a->init, NULL };
	char *const envp[] = {
		"container=ve", "TERM=linux", "HOME=/",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		NULL,
	};
	char why[256];
	int fd, root, priv = -1, err;
	int keep[2 + VE_DEVS] = { a->go_fd, a->err_fd };

	/* Nothing of vectl's (its lock, netlink socket, cgroup fd) goes along. */
	memcpy(keep + 2, a->dev_fds, sizeof(a->dev_fds));
	close_fds_except(keep, 2 + VE_DEVS);
	/*
	 * Nothing runs until the module has bound this process to the VE.
	 * Then vectl sends the VE's root, a detached tree: we are in a copy
	 * of the template (mntns.h), where it is put. With the VE's view of
	 * /proc, the mount namespace it was built in and the root there
	 * come instead (procview.c).
	 */
	if (a->view) {
		fd = recv_fd(a->go_fd);
		if (fd < 0)
			_exit(1);
		if (setns(fd, CLONE_NEWNS))
			child_fail(a, "cannot enter the VE's mounts: %s", strerror(errno));
		close(fd);
	}
	root = recv_fd(a->go_fd);
	if (root < 0)
		_exit(1);
	/* In rescue mode, the private area's tree for /mnt/rescue. */
	if (a->rescue && !a->view) {
		priv = recv_fd(a->go_fd);
		if (priv < 0)
			_exit(1);
	}
	close(a->go_fd);
	if (!a->view && move_mount(root, "", AT_FDCWD, MNTNS_ROOT, MOVE_MOUNT_F_EMPTY_PATH))
		child_fail(a, "cannot mount the VE's root: %s", strerror(errno));

	/*
	 * Before the uid change: that makes us undumpable, and our /proc
	 * files (timens_offsets) the host's root's.
	 */
	err = view_timens_own();
	if (err)
		child_fail(a, "cannot give the VE its own clocks (time namespace): %s",
			   strerror(-err));
	if (setresgid(0, 0, 0) || setgroups(0, NULL) || setresuid(0, 0, 0))
		child_fail(a, "cannot become root in the VE: %s", strerror(errno));
	/*
	 * Private, not a slave: a host's mounts are shared (systemd makes
	 * them so), and a slave's would keep a master outside the VE, which
	 * no checkpoint can carry. Nothing the host mounts reaches the VE.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		child_fail(a, "cannot make mounts private: %s", strerror(errno));
	if (priv >= 0) {
		err = rescue_attach(root, priv);
		if (err)
			child_fail(a, "cannot mount the VE's private area at /%s of the rescue system: %s",
				   RESCUE_MOUNT, strerror(-err));
		close(priv);
	}
	/*
	 * The view's mounts were copied into our user namespace, locked, and
	 * pivot_root needs a fresh one: a clone of the root's tree, put on
	 * top of the root. A tree we attached ourselves is fresh.
	 */
	if (a->view) {
		fd = fchdir(root) ? -1 : open_tree(AT_FDCWD, ".", OPEN_TREE_CLONE |
						   OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fd < 0 || move_mount(fd, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH))
			child_fail(a, "cannot bind %s: %s", a->x->root, strerror(errno));
		close(root);
		root = fd;
	}
	if (fchdir(root))
		child_fail(a, "cannot enter %s: %s", a->x->root, strerror(errno));
	close(root);
	child_mounts(a);

	/* pivot_root(".", ".") stacks the old root on the new; detach it. */
	if (syscall(SYS_pivot_root, ".", "."))
		child_fail(a, "pivot_root into %s: %s", a->x->root, strerror(errno));
	if (umount2(".", MNT_DETACH) || chdir("/"))
		child_fail(a, "cannot detach the host's root: %s", strerror(errno));

	if (a->hostname && ve_apply_hostname(a->hostname, why, sizeof(why)))
		child_fail(a, "cannot set the hostname: %s", why);
	if ((a->nameservers || a->searchdomains) &&
	    net_write_resolv(a->nameservers, a->searchdomains, why, sizeof(why)))
		child_fail(a, "cannot write the VE's resolv.conf: %s", why);

	fd = open("/dev/console", O_RDWR | O_CLOEXEC);
	if (fd < 0 || setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) ||
	    dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		child_fail(a, "cannot open /dev/console: %s", strerror(errno));
	close_fds_except(&a->err_fd, 1);
	if (ve_seccomp_install(a->x))
		child_fail(a, "cannot install the VE's syscall filter: %s", strerror(errno));

	execve(a->init, argv, envp);
	child_fail(a, "cannot run %s in the VE: %s", a->init, strerror(errno));
}

/*
 * Register the VE with its limits in one NEW, or, when the module knows
 * it already, apply them in one SET.
 */
int launch_register(struct ve_nl *nl, struct vectx *x)
{
	struct ve_limits lim = { .n = 0, .has_addrs = true };
	int err;

	for (size_t i = 0; i < res_count; i++) {
		const struct res_desc *r = &res_table[i];
		const char *v = vectx_get(x, r->key);
		uint64_t b, l;

		if (!v)
			continue;
		if (res_parse(v, r->unit, &b, &l)) {
			vectl_err("%s %u: %s=\"%s\" in %s is not barrier[:limit]",
				  x->verb, x->id, r->key, v, x->conf_path);
			return VECTL_ERR_BAD_CONFIG;
		}
		ve_limits_add(&lim, r->id, b, l);
	}
	{
		struct ve_netif nifs[VE_NETIF_MAX_CONF];
		struct ve_ip routed[VE_ADDR_MAX];
		int n = net_conf_addrs(x, routed), n_nifs = net_conf_netifs(x, nifs);

		if (n < 0 || n_nifs < 0)
			return VECTL_ERR_BAD_CONFIG;
		lim.n_addrs = net_module_addrs(x, routed, n, nifs, n_nifs, lim.addrs);
		if (lim.n_addrs < 0)
			return VECTL_ERR_BAD_CONFIG;
	}
	/* One round trip: SET when the module has the VE (it keeps a stopped one). */
	err = x->registered ? veapi_set(nl, x->id, &lim) : -ENOENT;
	if (err == -ENOENT)
		err = veapi_new(nl, x->id, &lim);
	if (err == -EEXIST)
		err = veapi_set(nl, x->id, &lim);
	if (err == -EADDRINUSE)
		return net_explain_conflict(nl, x, &lim);
	if (err) {
		vectl_err("%s %u: cannot register the VE with the module: %s",
			  x->verb, x->id, ve_nl_strerror(nl, err));
		return vectl_exit_for_errno(err);
	}
	return VECTL_OK;
}

int launch_open(struct ve_nl *nl, struct vectx *x, const char *verb, uint32_t id,
		bool *running)
{
	int rc, st;

	rc = vectx_open(x, verb, id, true);
	if (rc)
		return rc;
	if (!x->exists) {
		vectx_close(x);
		rc = cluster_elsewhere_error(verb, id);
		if (rc)
			return rc;
		vectl_err("%s %u: VE does not exist (create it with: vectl create %u --ostemplate NAME)",
			  verb, id, id);
		return VECTL_ERR_NOCONFIG;
	}
	st = veapi_running_known(nl, id, &x->registered);
	if (st < 0) {
		vectl_err("%s %u: %s", verb, id, ve_nl_strerror(nl, st));
		vectx_close(x);
		return vectl_exit_for_errno(st);
	}
	*running = st > 0;
	if (!*running) {
		char node[CLUSTER_NAME_MAX];

		/* Taken over by another node while this one was away (Documentation/cluster.md). */
		if (cluster_elsewhere(id, node, sizeof(node))) {
			vectl_err("%s %u: the cluster gave VE %u to node %s: the config here is stale; run vectl there",
				  verb, id, id, node);
			vectx_close(x);
			return VECTL_ERR_ELSEWHERE;
		}
		rc = cluster_epoch_error(verb, x);
		if (rc) {
			vectx_close(x);
			return rc;
		}
	}
	return VECTL_OK;
}

int launch_cleanup(struct vectx *x, bool umount_root, bool stopped)
{
	char why[512];
	int err;

	err = stopped ? net_cleanup_stopped(x) : net_cleanup(x);
	if (err) {
		vectl_err("%s %u: cannot remove the VE's network from the host: %s",
			  x->verb, x->id, strerror(-err));
		return VECTL_ERR_STOP;
	}
	if (cg_remove(x, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_STOP;
	}
	fault_point("cleanup:cgroup");
	return umount_root ? private_umount(x) : VECTL_OK;
}

static void kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * Let the bound init go, with the VE's mounts: the mount namespace the
 * view was built in and the root there; or the tree to put at the root
 * (@top), in rescue mode followed by the private area's (@priv).
 */
static int release_init(int sock, int view_ns, int view_root, int top, int priv)
{
	int err;

	if (view_ns >= 0) {
		err = send_fd(sock, view_ns);
		return err ? err : send_fd(sock, view_root);
	}
	err = send_fd(sock, top);
	return err || priv < 0 ? err : send_fd(sock, priv);
}

int launch_start(struct ve_nl *nl, struct vectx *x)
{
	struct init_args a = { .x = x };
	struct clone_args ca = { 0 };
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 }, cgfd = -1, master = -1;
	int view_ns = -1, view_root = -1, ve_root = -1, rescue_root = -1, top, priv;
	struct mntns_saved saved;
	bool mounted_here = !path_is_mountpoint(x->root);
	char why[512], msg[512], rescue[PATH_MAX + 16];
	uint64_t b, l;
	int rc, err, len;
	ssize_t n;
	pid_t pid;

	a.hostname = vectx_get(x, "HOSTNAME");
	if (a.hostname && !*a.hostname)
		a.hostname = NULL;
	a.nameservers = vectx_get(x, "NAMESERVER");
	a.searchdomains = vectx_get(x, "SEARCHDOMAIN");
	a.init = vectx_get(x, "INIT");
	if (!a.init || !*a.init)
		a.init = "/sbin/init";
	if (rescue_active(x)) {
		/* The rescue system's own init: INIT names a program of the VE's. */
		rescue_dir(x, rescue, sizeof(rescue));
		a.rescue = rescue;
		a.init = "/sbin/init";
		rc = rescue_mount_point(x);
		if (rc)
			return rc;
	}
	/*
	 * numpty: the VE's own devpts instance holds at most the limit, so
	 * that no VE takes the ptys (kernel.pty.max) of the others.
	 */
	len = snprintf(a.devpts_opts, sizeof(a.devpts_opts),
		       "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (vectx_res(x, "numpty", &b, &l) && l != VE_RES_UNLIMITED)
		snprintf(a.devpts_opts + len, sizeof(a.devpts_opts) - len, ",max=%" PRIu64, l);

	for (size_t i = 0; i < VE_DEVS; i++)
		a.dev_fds[i] = -1;
	rc = launch_register(nl, x);
	if (rc)
		return rc;
	fault_point("start:registered");
	rc = private_mount(x);
	if (rc)
		return rc;
	fault_point("start:mounted");
	if (cg_create(x, why, sizeof(why))) {
		vectl_err("start %u: %s", x->id, why);
		rc = VECTL_ERR_RESOURCE;
		goto out_umount;
	}
	fault_point("start:cgroup");
	rc = VECTL_ERR_ENVCREATE;
	cgfd = cg_open(x);
	master = console_open(x, a.console, sizeof(a.console));
	if (cgfd < 0 || master < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, go) ||
	    pipe2(errp, O_CLOEXEC)) {
		vectl_err("start %u: cannot prepare the init: %s", x->id,
			  strerror(cgfd < 0 ? -cgfd : master < 0 ? -master : errno));
		goto out_fds;
	}
	a.go_fd = go[0];
	a.err_fd = errp[1];
	a.view = view_enabled(x);
	/* What the init takes from the host comes detached: the template has none of it. */
	for (size_t i = 0; i < VE_DEVS; i++) {
		const char *path = a.console;
		char dev[64];

		if (i < VE_DEVS - 1) {
			snprintf(dev, sizeof(dev), "/dev/%s", ve_devs[i]);
			path = dev;
		}
		a.dev_fds[i] = mntns_tree(path);
		if (a.dev_fds[i] < 0) {
			vectl_err("start %u: cannot bind %s for the VE: %s", x->id, path,
				  strerror(-a.dev_fds[i]));
			goto out_fds;
		}
	}
	if (mntns_enter_template(&saved, why, sizeof(why))) {
		vectl_err("start %u: %s", x->id, why);
		goto out_fds;
	}

	ca.flags = VE_CLONE_NS | CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (unsigned int)cgfd;
	fflush(NULL);
	pid = sys_clone3(&ca);
	err = errno;
	if (pid == 0) {
		close(go[1]);
		close(errp[0]);
		close(master);
		init_child(&a);
	}
	if (mntns_leave(&saved)) {
		vectl_err("start %u: cannot return to the host's mounts: %s (vectl stop --fast %u cleans up)",
			  x->id, strerror(errno), x->id);
		_exit(VECTL_ERR_SYSTEM);
	}
	if (pid < 0) {
		vectl_err("start %u: cannot create the VE's namespaces: %s", x->id,
			  strerror(err));
		goto out_fds;
	}
	close(go[0]);
	go[0] = -1;
	close(errp[1]);
	errp[1] = -1;
	fault_point("start:cloned");

	err = idmap_write(pid, x->uid_base);
	if (err) {
		vectl_err("start %u: cannot write the uid/gid maps: %s", x->id, strerror(-err));
		kill_and_reap(pid);
		goto out_fds;
	}
	err = veapi_start(nl, x->id, pid);
	if (err) {
		vectl_err("start %u: %s", x->id, ve_nl_strerror(nl, err));
		kill_and_reap(pid);
		rc = err == -EBUSY ? VECTL_ERR_RUNNING : VECTL_ERR_ENVCREATE;
		goto out_fds;
	}
	fault_point("start:bound");
	rc = net_start(nl, x, pid);
	if (rc) {
		kill_and_reap(pid);
		goto out_stopped;
	}
	rc = VECTL_ERR_ENVCREATE;
	fault_point("start:network");
	/* The trees for the init to put in its own namespace. */
	if (disk_layout(x) == VE_LAYOUT_IMAGE) {
		ve_root = idmap_clone_mount(x->root, pid);
		if (ve_root < 0) {
			vectl_err("start %u: cannot map the owners of the VE's image to its own: %s",
				  x->id, strerror(-ve_root));
			kill_and_reap(pid);
			goto out_stopped;
		}
	} else {
		ve_root = mntns_tree(x->root);
	}
	if (ve_root >= 0 && a.rescue)
		rescue_root = mntns_tree(a.rescue);
	if (ve_root < 0 || (a.rescue && rescue_root < 0)) {
		err = ve_root < 0 ? ve_root : rescue_root;
		vectl_err("start %u: cannot take the tree of %s: %s", x->id,
			  ve_root < 0 ? x->root : a.rescue, strerror(-err));
		kill_and_reap(pid);
		goto out_stopped;
	}
	/* In rescue mode the rescue system is the root, the private area goes under it. */
	top = a.rescue ? rescue_root : ve_root;
	priv = a.rescue ? ve_root : -1;
	if (a.view && view_prepare(x, pid, top, priv, &view_ns, &view_root, why, sizeof(why))) {
		vectl_err("start %u: %s", x->id, why);
		kill_and_reap(pid);
		goto out_stopped;
	}
	err = release_init(go[1], view_ns, view_root, top, priv);
	if (err) {
		vectl_err("start %u: cannot release the init: %s", x->id, strerror(-err));
		kill_and_reap(pid);
		goto out_stopped;
	}
	fault_point("start:released");
	n = read_bounded(errp[0], msg, sizeof(msg) - 1, VE_SETUP_TIMEOUT);
	if (n != 0) {
		msg[n > 0 ? n : 0] = '\0';
		if (n > 0)
			vectl_err("start %u: %s", x->id, msg);
		else
			vectl_err("start %u: the init did not finish its setup within %d s (stuck in the VE's root?); killed it",
				  x->id, VE_SETUP_TIMEOUT);
		kill_and_reap(pid);
		goto out_stopped;
	}
	/* init runs; it is reparented when we exit. */
	console_keeper(x, master, a.console, pid);
	fault_point("start:running");
	rc = VECTL_OK;
	goto out_fds;

out_stopped:
	/* The module notices init's death by itself; wait for it to. */
	if (!veapi_wait_state(nl, x->id, VE_STATE_STOPPED, 5000)) {
		veapi_stop(nl, x->id);
		veapi_wait_state(nl, x->id, VE_STATE_STOPPED, 5000);
	}
out_fds:
	close_fds((int[]){ go[0], go[1], errp[0], errp[1], cgfd, master, view_ns, view_root,
			   ve_root, rescue_root }, 10);
	close_fds(a.dev_fds, VE_DEVS);
	if (rc == VECTL_OK)
		return rc;
	net_cleanup(x);
	cg_remove(x, why, sizeof(why));
out_umount:
	if (mounted_here)
		private_umount(x);
	return rc;
}

static int halt_signal(const struct vectx *x)
{
	const char *v = vectx_get(x, "STOP_SIGNAL");
	int sig = v && *v ? parse_signal(v) : SIGPWR;

	return sig > 0 ? sig : SIGPWR;
}

/* What /proc tells of a task: asleep with nothing pending, and its CPU time. */
struct task_sample {
	bool asleep;
	unsigned long long runtime_ns;
};

static bool sample_task(pid_t pid, struct task_sample *s)
{
	char path[64], line[128];
	bool state = false, pending = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fscanf(f, "%llu", &s->runtime_ns) != 1) {
		fclose(f);
		return false;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			state = strstr(line, "S (sleeping)") != NULL;
		else if (!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7))
			pending |= strspn(line + 7, " \t0") != strcspn(line + 7, "\n");
	}
	fclose(f);
	s->asleep = state && !pending;
	return true;
}

/*
 * Ask the init to halt and wait up to @timeout seconds for it to exit. A
 * VE's init gets only the signals it handles, and one sent between its
 * exec and the moment it sets up its signal handling is lost (under load
 * that moment is long enough for "start; stop" to hit it). So while the VE
 * is younger than HALT_GRACE seconds the signal is repeated every second;
 * inits take a repeated halt signal as one.
 *
 * An init that has run since the signal and is then alone in the VE and
 * asleep, using no CPU for HALT_IDLE_MS, has nothing left to shut down:
 * busybox init, for one, sleeps 2 s after its SIGTERM and SIGKILL to all
 * before it exits. Returns true when the init is such, to be killed at
 * once; false when it exited or the time is up.
 */
#define HALT_GRACE 10
#define HALT_POLL_MS 2
#define HALT_IDLE_MS 4

static bool halt_init(const struct vectx *x, int pidfd, pid_t pid, int sig, int timeout,
		      uint64_t started_ns)
{
	struct task_sample signalled = { 0 }, last = { 0 }, now_s;
	struct pollfd p = { pidfd, POLLIN, 0 };
	int idle_ms = 0;
	struct timespec now;

	for (long ms = 0; ms < timeout * 1000L; ms += HALT_POLL_MS) {
		if (ms % 1000 == 0) {
			clock_gettime(CLOCK_BOOTTIME, &now);
			if (!ms || (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec <
				   started_ns + HALT_GRACE * 1000000000ULL) {
				/* Its CPU time before the signal: did it act on it? */
				if (!sample_task(pid, &signalled))
					signalled.runtime_ns = ~0ULL;
				if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0))
					return false;
			}
			fault_point("stop:signalled");
		}
		if (poll(&p, 1, HALT_POLL_MS) > 0)
			return false;
		if (sample_task(pid, &now_s) && now_s.asleep && last.asleep &&
		    now_s.runtime_ns == last.runtime_ns &&
		    now_s.runtime_ns > signalled.runtime_ns && cg_tasks(x) == 1)
			idle_ms += HALT_POLL_MS;
		else
			idle_ms = 0;
		last = now_s;
		/* Still ours: the pid was not reused while /proc was read. */
		if (idle_ms >= HALT_IDLE_MS)
			return poll(&p, 1, 0) == 0;
	}
	return false;
}

int launch_stop(struct ve_nl *nl, struct vectx *x, bool fast)
{
	const char *tmo = vectx_get(x, "STOP_TIMEOUT");
	int timeout = tmo && atoi(tmo) > 0 ? atoi(tmo) : 120;
	struct ve_info info;
	int err, pidfd = -1;

	/* A snapshot killed half-way leaves the VE's filesystem frozen. */
	private_thaw(x);
	err = veapi_get(nl, x->id, &info);
	if (err || info.state == VE_STATE_STOPPED) {
		/* Whatever a crashed vectl left behind goes anyway. */
		launch_cleanup(x, true, false);
		vectl_err("stop %u: VE is not running", x->id);
		return VECTL_ERR_NOT_RUNNING;
	}
	if (!fast) {
		pidfd = veapi_open_init(nl, x->id, &info);
		if (pidfd >= 0)
			fast = halt_init(x, pidfd, info.init_pid, halt_signal(x), timeout,
					 info.start_time);
	}
	if (!veapi_wait_state(nl, x->id, VE_STATE_STOPPED, fast ? 0 : 2000)) {
		err = veapi_stop(nl, x->id);
		fault_point("stop:killed");
		if ((err && err != -ESRCH) ||
		    !veapi_wait_state(nl, x->id, VE_STATE_STOPPED, 10000)) {
			vectl_err("stop %u: the VE did not stop: %s", x->id,
				  err ? ve_nl_strerror(nl, err) : "init still alive after SIGKILL");
			if (pidfd >= 0)
				close(pidfd);
			return VECTL_ERR_STOP;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	fault_point("stop:stopped");
	/* Its console keeper sees the init die too; it finishes first. */
	net_wait_keeper(x, 5);
	return launch_cleanup(x, true, true);
}
