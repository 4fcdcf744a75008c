// SPDX-License-Identifier: GPL-2.0
/*
 * ve_startstop: how long a VE takes to start and to stop, against the
 * floor: what the kernel needs to do the same by itself.
 *
 *   ve_startstop N ID [BUNDLE]
 *   ve_startstop -l LABEL N ID     only the vectl pair, named LABEL
 *
 * VE ID must exist and be stopped. N rounds of each, and per pair the
 * median and 90th percentile in ms, one line each:
 * "startstop <what> <p50> <p90>".
 *
 *   vectl        vectl start ID, then vectl stop ID (the init halts)
 *   vectl-fast   vectl start ID, then vectl stop ID --fast (killed)
 *   vectl-restart  vectl restart ID of the running VE
 *   floor        a program (this one again) that does clone3() with the
 *                namespaces vectl gives a VE, writes the uid and gid
 *                maps, mounts /proc, pivots into the VE's private area,
 *                execs its /sbin/init and exits; stopped with SIGKILL
 *   crun         crun run -d of BUNDLE (an OCI bundle of the same tree,
 *                if given and crun is installed), crun delete -f;
 *                scripts/bench makes it with bench/oci-config.json: the
 *                namespaces of a VE (user, with 65536 ids mapped, pid,
 *                net, ipc, uts, mount, cgroup), crun's usual mounts,
 *                /sbin/init
 *
 * A start counts until the init has exec'd (vectl returns then too); a
 * stop until the last process has gone and, for vectl, the VE's cgroup
 * and mount are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define FLOOR_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | \
		  CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)
#define MAX_ROUNDS 1000
/*
 * After a start and after a stop, for every pair alike: the VE boots (its
 * init runs its rc scripts) before it is stopped, and the kernel finishes
 * what a stop leaves to it (the network namespace's teardown) before the
 * next start, as on a host where nobody stops a VE the millisecond it
 * started. A restart's own stop and start do not wait.
 */
#define SETTLE_MS 200

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run @argv with its output thrown away; its exit status, or -1. */
static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* run() timed into *@ms; says which command failed. */
static int timed(char *const argv[], double *ms)
{
	double t = now_ms();
	int rc = run(argv);

	*ms = now_ms() - t;
	if (rc)
		fprintf(stderr, "ve_startstop: %s %s failed (exit %d)\n", argv[0], argv[1], rc);
	return rc;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), len = strlen(s), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* In the floor's child: say why (one byte) and give up. */
static void __attribute__((noreturn)) floor_fail(int fd, char step)
{
	if (write(fd, &step, 1) < 0)
		_exit(2);
	_exit(1);
}

static void __attribute__((noreturn)) floor_child(int sock, int done)
{
	char *const argv[] = { "/sbin/init", NULL };
	char *const envp[] = { "container=floor", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	int fd, root;

	/* The root comes once the maps are written (vectl's way too). */
	root = recv_fd(sock);
	if (root < 0)
		_exit(1);
	if (setresgid(0, 0, 0) || setgroups(0, NULL) || setresuid(0, 0, 0))
		floor_fail(done, 'u');
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		floor_fail(done, 's');
	/* The host's mounts are locked here: pivot into a fresh clone. */
	fd = fchdir(root) ? -1 : open_tree(AT_FDCWD, ".", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					   AT_RECURSIVE);
	if (fd < 0 || move_mount(fd, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) || fchdir(fd))
		floor_fail(done, 'b');
	/* While the host's /proc is in view: the kernel wants one to be. */
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		floor_fail(done, 'm');
	if (syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) || chdir("/"))
		floor_fail(done, 'p');
	execve(argv[0], argv, envp);
	floor_fail(done, 'e');
}

/*
 * The floor's init, running; or -1. @path is the private area, opened by
 * the child through its own mount namespace, as vectl does.
 */
static pid_t floor_start(const char *path, unsigned int base)
{
	struct clone_args ca = { .flags = FLOOR_NS, .exit_signal = SIGCHLD };
	char file[64], map[64], root[PATH_MAX + 32];
	int sock[2], done[2], fd;
	ssize_t n;
	pid_t pid;
	char c;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock))
		return -1;
	if (pipe2(done, O_CLOEXEC)) {
		close(sock[0]);
		close(sock[1]);
		return -1;
	}
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(sock[1]);
		close(done[0]);
		floor_child(sock[0], done[1]);
	}
	close(sock[0]);
	close(done[1]);
	snprintf(map, sizeof(map), "0 %u 65536\n", base);
	snprintf(file, sizeof(file), "/proc/%d/uid_map", (int)pid);
	n = pid < 0 || write_file(file, map) ? -1 : 0;
	snprintf(file, sizeof(file), "/proc/%d/gid_map", (int)pid);
	if (!n && write_file(file, map))
		n = -1;
	snprintf(root, sizeof(root), "/proc/%d/root%s", (int)pid, path);
	fd = n ? -1 : open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || send_fd(sock[1], fd))
		n = -1;
	if (fd >= 0)
		close(fd);
	close(sock[1]);
	/* The pipe closes on exec; a byte is the step that failed. */
	if (!n)
		n = read(done[0], &c, 1);
	close(done[0]);
	if (n != 0) {
		fprintf(stderr, "ve_startstop: the floor failed (step %c)\n", n > 0 ? c : '?');
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	return pid;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, const char *phase, double *ms, int n)
{
	qsort(ms, n, sizeof(*ms), cmp_double);
	printf("startstop %s-%s %.2f %.2f\n", what, phase, ms[(n - 1) / 2],
	       ms[(n * 9 + 9) / 10 - 1]);
}

static double start_ms[MAX_ROUNDS], stop_ms[MAX_ROUNDS];

/* @n rounds of @start then @stop, named @what; SETTLE_MS after each. */
static int bench_pair(const char *what, char *const start[], char *const stop[], int n)
{
	for (int i = 0; i < n; i++) {
		if (timed(start, &start_ms[i]))
			return 1;
		/* A VE that has booted is stopped, not one still running its rc. */
		usleep(SETTLE_MS * 1000);
		if (timed(stop, &stop_ms[i]))
			return 1;
		usleep(SETTLE_MS * 1000);
	}
	report(what, "start", start_ms, n);
	report(what, "stop", stop_ms, n);
	return 0;
}

/* vectl start and stop (with @stop_opt, or NULL) of VE @id, @n times. */
static int bench_vectl(const char *what, const char *id, const char *stop_opt, int n)
{
	return bench_pair(what, (char *[]){ "vectl", "start", (char *)id, NULL },
			  (char *[]){ "vectl", "stop", (char *)id, (char *)stop_opt, NULL },
			  n);
}

/* vectl restart of VE @id, running, @n times: a stop and a start at once. */
static int bench_restart(const char *id, int n)
{
	char *const start[] = { "vectl", "start", (char *)id, NULL };
	char *const restart[] = { "vectl", "restart", (char *)id, NULL };
	char *const stop[] = { "vectl", "stop", (char *)id, NULL };
	double ignored;

	if (timed(start, &ignored))
		return 1;
	for (int i = 0; i < n; i++) {
		usleep(SETTLE_MS * 1000);
		if (timed(restart, &start_ms[i]))
			return 1;
	}
	report("vectl", "restart", start_ms, n);
	return timed(stop, &ignored) ? 1 : 0;
}

/*
 * One floor start as its own program, as vectl is one: this binary again
 * with --floor-once, which starts the init and exits, leaving it to us
 * (the subreaper). Its pid comes back through a pipe; -1 on failure.
 */
static pid_t floor_once(const char *path, unsigned int base)
{
	char uid[16], buf[32] = "";
	char *const argv[] = { "/proc/self/exe", "--floor-once", (char *)path, uid, NULL };
	int p[2], status;
	ssize_t n;
	pid_t pid;

	snprintf(uid, sizeof(uid), "%u", base);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || n <= 0)
		return -1;
	return atoi(buf);
}

static int bench_floor(const char *id, int n)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/var/lib/ve/private/%s", id);
	if (stat(path, &st)) {
		fprintf(stderr, "ve_startstop: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("ve_startstop: subreaper");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		double t = now_ms();
		pid_t pid = floor_once(path, st.st_uid);

		if (pid <= 0)
			return 1;
		start_ms[i] = now_ms() - t;
		usleep(SETTLE_MS * 1000);
		t = now_ms();
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		stop_ms[i] = now_ms() - t;
		usleep(SETTLE_MS * 1000);
	}
	report("floor", "start", start_ms, n);
	report("floor", "stop", stop_ms, n);
	return 0;
}

static int bench_crun(const char *bundle, int n)
{
	return bench_pair("crun",
			  (char *[]){ "crun", "run", "-d", "--bundle", (char *)bundle, "vebench", NULL },
			  (char *[]){ "crun", "delete", "-f", "vebench", NULL }, n);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	int n, opt;

	if (argc == 4 && !strcmp(argv[1], "--floor-once")) {
		pid_t pid = floor_start(argv[2], strtoul(argv[3], NULL, 10));

		if (pid < 0)
			return 1;
		printf("%d\n", (int)pid);
		return 0;
	}
	while ((opt = getopt(argc, argv, "l:")) != -1) {
		if (opt != 'l')
			goto usage;
		only = optarg;
	}
	argc -= optind;
	argv += optind;
	n = argc > 1 ? atoi(argv[0]) : 0;
	if (n < 1 || n > MAX_ROUNDS)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (only)
		return bench_vectl(only, argv[1], NULL, n);
	if (bench_vectl("vectl", argv[1], NULL, n) ||
	    bench_vectl("vectl-fast", argv[1], "--fast", n) ||
	    bench_restart(argv[1], n) || bench_floor(argv[1], n))
		return 1;
	return argc > 2 ? bench_crun(argv[2], n) : 0;
usage:
	fprintf(stderr, "usage: ve_startstop [-l LABEL] N(1..%d) ID [BUNDLE]\n", MAX_ROUNDS);
	return 2;
}
