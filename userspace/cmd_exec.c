// SPDX-License-Identifier: GPL-2.0
/*
 * vectl exec ID COMMAND...   run a command in a running VE, as its root,
 *                            and exit with the command's exit status
 * vectl enter ID             an interactive shell on a new pty of the VE
 *
 * One argument is a command line for /bin/sh -c, as with vzctl; several
 * are run as they are. Both go through nsexec.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "nsexec.h"
#include "run.h"

#define VE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct exec_args {
	char **argv;
	int fds[3];		/* the child's stdin, stdout, stderr */
	char term[64];
};

static void child_env(const struct exec_args *a)
{
	clearenv();
	putenv(VE_PATH);
	putenv("HOME=/root");
	putenv("USER=root");
	putenv("LOGNAME=root");
	putenv((char *)a->term);
}

static int exec_child(void *arg)
{
	struct exec_args *a = arg;

	for (int i = 0; i < 3; i++)
		if (dup2(a->fds[i], i) < 0)
			ns_child_fail("cannot set up stdio: %s", strerror(errno));
	setsid();	/* no controlling tty of the host's */
	child_env(a);
	execvp(a->argv[0], a->argv);
	ns_child_fail("cannot run '%s' in the VE: %s", a->argv[0], strerror(errno));
}

/*
 * The pty of an enter, opened here as the VE's root: /dev/ptmx is a path
 * the VE controls, so host root never opens it. Only the VE's own pty
 * multiplexer (a character device 5:2) will do; its master goes to vectl
 * over @sock.
 */
static int open_ve_pty(int sock)
{
	struct stat st;
	int master, slave;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (master < 0 || fstat(master, &st) || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
		ns_child_fail("cannot open a pty in the VE: /dev/ptmx is %s",
			      master < 0 ? strerror(errno) : "not the pty multiplexer");
	if (fcntl(master, F_SETFL, 0) || unlockpt(master))
		ns_child_fail("cannot open a pty in the VE: %s", strerror(errno));
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0 || send_fd(sock, master))
		ns_child_fail("cannot set up the pty: %s", strerror(errno));
	close(master);
	close(sock);
	return slave;
}

static int enter_child(void *arg)
{
	struct exec_args *a = arg;
	const char *shell = access("/bin/bash", X_OK) ? "/bin/sh" : "/bin/bash";
	int slave = open_ve_pty(a->fds[0]);

	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) ||
	    dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		ns_child_fail("cannot set up the pty: %s", strerror(errno));
	close(slave);
	child_env(a);
	execl(shell, shell, "-l", (char *)NULL);
	ns_child_fail("cannot run %s in the VE: %s", shell, strerror(errno));
}

static int run_in_ve(const char *verb, uint32_t id, char **cmd)
{
	static struct ve_nl nl;
	struct exec_args a = { .argv = cmd };
	struct termios saved, raw;
	bool is_enter = !cmd, tty = false;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct relay r[3];
	struct ns_join j = { .pidfd = -1, .cgfd = -1, .err_rd = -1 };
	struct vectx x;
	char msg[512];
	int rc, n = 0, master = -1;
	pid_t pid;

	snprintf(a.term, sizeof(a.term), "TERM=%s", getenv("TERM") ? getenv("TERM") : "dumb");
	rc = vectx_open(&x, verb, id, false);
	if (rc)
		return rc;
	rc = ve_nl_open(&nl);
	if (rc) {
		vectx_close(&x);
		return vectl_open_error(verb, rc);
	}
	/*
	 * A start binds the init before it has its root and execs: joining
	 * it then would put us in a half-made VE (and its mm is still the
	 * host's, so the cgroup namespace join fails). Wait for a start or
	 * stop under way to finish; once joined, the VE is what we joined.
	 */
	rc = vectx_wait_idle(&x);
	if (!rc) {
		fault_point("exec:joining");
		rc = ns_join(&nl, &x, &j);
	}
	vectx_unlock(&x);
	ve_nl_close(&nl);
	if (rc)
		goto out;

	if (is_enter) {
		/* The VE's own devpts: the shell never holds a host tty. */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, in)) {
			vectl_err("enter %u: cannot create a socket: %s", id, strerror(errno));
			rc = VECTL_ERR_EXEC;
			goto out;
		}
		a.fds[0] = in[0];
		pid = ns_spawn(&x, &j, enter_child, &a, a.fds, 1);
		close(in[0]);
		in[0] = -1;
		if (pid > 0 && wait_readable(in[1], NS_SETUP_TIMEOUT))
			kill(pid, SIGKILL);	/* stuck before sending the pty */
		else if (pid > 0)
			master = recv_fd(in[1]);
	} else {
		if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
			vectl_err("exec %u: cannot create pipes: %s", id, strerror(errno));
			rc = VECTL_ERR_EXEC;
			goto out;
		}
		a.fds[0] = in[0];
		a.fds[1] = out[1];
		a.fds[2] = errp[1];
		pid = ns_spawn(&x, &j, exec_child, &a, a.fds, 3);
		close(in[0]);
		close(out[1]);
		close(errp[1]);
	}
	if (pid < 0) {
		rc = VECTL_ERR_EXEC;
		goto out;
	}
	if (ns_child_error(&j, pid, msg, sizeof(msg)) || (is_enter && master < 0)) {
		ns_wait(pid);
		rc = ns_fail(&x, &j, msg[0] ? msg :
			     "the process in the VE sent no pty within its time; killed it");
		goto out;
	}

	if (is_enter) {
		struct winsize ws;

		tty = isatty(0) && !tcgetattr(0, &saved);
		if (tty) {
			raw = saved;
			cfmakeraw(&raw);
			tcsetattr(0, TCSANOW, &raw);
			if (!ioctl(0, TIOCGWINSZ, &ws))
				ioctl(master, TIOCSWINSZ, &ws);
		}
		r[n++] = (struct relay){ 0, master, false, false, false };
		r[n++] = (struct relay){ master, 1, true, false, false };
	} else {
		r[n++] = (struct relay){ 0, in[1], false, true, false };
		r[n++] = (struct relay){ out[0], 1, true, false, false };
		r[n++] = (struct relay){ errp[0], 2, true, false, false };
	}
	ns_relay(r, n);
	rc = ns_wait(pid);
	/* Killed with the whole VE: say so, not just "signal 9". */
	if (rc > 128 && ns_init_exits(&j))
		rc = ns_fail(&x, &j, "");
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
out:
	close_fds((int[]){ in[1], out[0], errp[0], master }, 4);
	ns_join_close(&j);
	vectx_close(&x);
	return rc;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cmd_exec(int argc, char **argv)
{
	char *sh[] = { "/bin/sh", "-c", NULL, NULL };
	uint32_t id;
	int rc;

	if (argc < 3) {
		vectl_err("exec: usage: vectl exec ID COMMAND [ARG...]");
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("exec", argv[1], &id))
		return VECTL_ERR_VALUE;
	if (argc > 3)
		return run_in_ve("exec", id, argv + 2);
	sh[2] = join_args(argc - 2, argv + 2);
	rc = run_in_ve("exec", id, sh);
	free(sh[2]);
	return rc;
}

int cmd_enter(int argc, char **argv)
{
	uint32_t id;
	int rc;

	rc = cmd_one_id("enter", argc, argv, &id);
	if (rc)
		return rc;
	return run_in_ve("enter", id, NULL);
}
