// SPDX-License-Identifier: GPL-2.0
/*
 * Running a process inside a running VE (vectl exec, enter, set on a live
 * VE). vectl makes itself non-dumpable, joins the init's namespaces through
 * a pidfd (all but the cgroup namespace), and clone3()s the child straight
 * into the VE's cgroup; the child then joins the cgroup namespace, drops
 * every fd but the ones it is given, becomes the VE's root and runs its
 * task. The child never holds a host fd: exec relays stdio through pipes
 * and enter through a pty of the VE's own devpts, so that nothing in the
 * VE can reach a host file, tty or /proc entry (CVE-2019-5736,
 * CVE-2024-21626). vectl itself is not in the VE's pid namespace, so no
 * process of the VE can see or trace it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroup.h"
#include "err.h"
#include "exitcodes.h"
#include "seccomp.h"
#include "nsexec.h"
#include "run.h"

#define JOIN_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWTIME | \
		 CLONE_NEWIPC | CLONE_NEWNET)

#define NS_STOP_GRACE_MS 3000

static int err_fd = -1;

void ns_child_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	child_vfail(err_fd, VECTL_ERR_EXEC, fmt, ap);
}

bool ns_init_exits(const struct ns_join *j)
{
	struct pollfd p = { j->pidfd, POLLIN, 0 };

	/*
	 * A VE being stopped refuses joins (and kills what joined) a moment
	 * before its init is gone: give the init that moment to go.
	 */
	return j->pidfd >= 0 && poll(&p, 1, NS_STOP_GRACE_MS) > 0;
}

int ns_fail(const struct vectx *x, const struct ns_join *j, const char *why)
{
	if (ns_init_exits(j)) {
		vectl_err("%s %u: the VE stopped meanwhile (start it with: vectl start %u)",
			  x->verb, x->id, x->id);
		return VECTL_ERR_NOT_RUNNING;
	}
	vectl_err("%s %u: %s", x->verb, x->id, why);
	return VECTL_ERR_EXEC;
}

int ns_join(struct ve_nl *nl, struct vectx *x, struct ns_join *j)
{
	char why[PATH_MAX + 64];
	int rc;

	int fd;

	j->pidfd = j->cgfd = j->err_rd = -1;
	fd = veapi_open_init(nl, x->id, &j->info);
	if (fd == -ESRCH) {
		vectl_err("%s %u: VE is not running (start it with: vectl start %u)",
			  x->verb, x->id, x->id);
		return VECTL_ERR_NOT_RUNNING;
	}
	if (fd < 0) {
		vectl_err("%s %u: %s", x->verb, x->id, ve_nl_strerror(nl, fd));
		return vectl_exit_for_errno(fd);
	}
	j->pidfd = fd;
	j->cgfd = cg_open_of(x, (pid_t)j->info.init_pid);
	if (j->cgfd < 0) {
		snprintf(why, sizeof(why), "cannot open the VE's cgroup %s: %s",
			 x->cgroup, strerror(-j->cgfd));
		goto fail;
	}
	/* Nothing in the VE may read our memory or take our fds. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || setns(j->pidfd, JOIN_NS)) {
		snprintf(why, sizeof(why), "cannot join the VE's namespaces: %s",
			 strerror(errno));
		goto fail;
	}
	return VECTL_OK;
fail:
	rc = ns_fail(x, j, why);
	ns_join_close(j);
	return rc;
}

pid_t ns_spawn(struct vectx *x, struct ns_join *j, int (*fn)(void *), void *arg,
	       const int *keep, int n_keep)
{
	struct clone_args ca = { 0 };
	int errp[2];
	pid_t pid;

	if (pipe2(errp, O_CLOEXEC))
		return -errno;
	ca.flags = CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (unsigned int)j->cgfd;
	fflush(NULL);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0) {
		int err = -errno;

		vectl_err("%s %u: cannot create a process in the VE: %s", x->verb,
			  x->id, strerror(errno));
		close(errp[0]);
		close(errp[1]);
		return err;
	}
	if (pid == 0) {
		int kept[NS_MAX_KEEP + 1];

		err_fd = errp[1];
		if (setns(j->pidfd, CLONE_NEWCGROUP))
			ns_child_fail("cannot join the VE's cgroup namespace: %s", strerror(errno));
		/* Only the fds asked for, and the error pipe, go along. */
		n_keep = n_keep < NS_MAX_KEEP ? n_keep : NS_MAX_KEEP;
		for (int i = 0; i < n_keep; i++)
			kept[i] = keep[i];
		kept[n_keep] = err_fd;
		close_fds_except(kept, n_keep + 1);
		if (setresgid(0, 0, 0) || setgroups(0, NULL) || setresuid(0, 0, 0))
			ns_child_fail("cannot become root in the VE: %s", strerror(errno));
		/* What runs in the VE runs under its filter, as its init does. */
		if (ve_seccomp_install(x))
			ns_child_fail("cannot install the VE's syscall filter: %s", strerror(errno));
		if (chdir("/"))
			ns_child_fail("cannot enter / in the VE: %s", strerror(errno));
		_exit(fn(arg));
	}
	close(errp[1]);
	j->err_rd = errp[0];
	return pid;
}

int ns_child_error(struct ns_join *j, pid_t pid, char *msg, size_t len)
{
	ssize_t n = read_bounded(j->err_rd, msg, len - 1, NS_SETUP_TIMEOUT);

	if (n < 0 && errno == ETIMEDOUT) {
		kill(pid, SIGKILL);
		snprintf(msg, len, "the process in the VE did not finish its setup within %d s; killed it",
			 NS_SETUP_TIMEOUT);
		return 1;
	}
	msg[n > 0 ? n : 0] = '\0';
	return n > 0;
}

void ns_join_close(struct ns_join *j)
{
	int *fds[] = { &j->pidfd, &j->cgfd, &j->err_rd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

int ns_wait(pid_t pid)
{
	int st = run_wait(pid, NULL);

	return st < 0 ? VECTL_ERR_SYSTEM : st;
}

int ns_relay(struct relay *r, int n)
{
	char buf[8192];
	int open_essential = 0;

	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < n; i++)
		open_essential += r[i].essential;
	while (open_essential > 0) {
		struct pollfd p[4];

		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ r[i].done ? -1 : r[i].from, POLLIN, 0 };
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			ssize_t got;

			if (r[i].done || !(p[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
				continue;
			got = p[i].revents & POLLNVAL ? 0 : read(r[i].from, buf, sizeof(buf));
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got > 0) {
				for (ssize_t off = 0; off < got;) {
					ssize_t w = write(r[i].to, buf + off, got - off);

					if (w < 0 && errno == EINTR)
						continue;
					if (w <= 0)
						break;	/* reader gone: keep draining */
					off += w;
				}
				continue;
			}
			r[i].done = true;
			if (r[i].close_to)
				close(r[i].to);
			open_essential -= r[i].essential;
		}
	}
	return 0;
}
