// SPDX-License-Identifier: GPL-2.0
/*
 * What a VE sees of its machine: the module's /proc/meminfo, cpuinfo,
 * stat, loadavg, uptime, swaps and /sys/devices/system/cpu/online, bound
 * by vectl where the VE's root cannot remove them, and sysinfo(2) (busybox
 * free and uptime use it). VE 501 runs with --ram 256M --swap 64M
 * --cpus 1; VE 502 with no limits stands beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/nsfs.h>
#include <unistd.h>

#include "run.h"
#include "ve_util.h"
#include "kselftest_harness.h"

#define A 501
#define B 502

static const char *const view_files[] = {
	"proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/loadavg", "proc/uptime",
	"proc/swaps", "sys/devices/system/cpu/online",
};
#define N_FILES (sizeof(view_files) / sizeof(view_files[0]))

struct box {
	char out[65536];
	char err[2048];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

/* The number after "@key" (then ':' or spaces) in @text, or -1. */
static long long field(const char *text, const char *key)
{
	const char *p = text;
	size_t len = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == '\n') && (p[len] == ':' || p[len] == ' ')) {
			p += len + 1;
			while (*p == ' ' || *p == '\t' || *p == ':')
				p++;
			return strtoll(p, NULL, 10);
		}
		p += len;
	}
	return -1;
}

static char *slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n >= 0 ? buf : NULL;
}

static pid_t init_pid(struct box *self, unsigned int id)
{
	if (V("list -H -o initpid %u", id))
		return -1;
	return atoi(self->out);
}

static bool ve_up(struct box *self, unsigned int id)
{
	return V("start %u", id) == 0 || strstr(self->err, "already running");
}

#define BUSY "timeout -s KILL %d sh -c \"while :; do :; done\""

/* Start a busy loop of @secs seconds in VE @id, in the background. */
static void burn(struct box *self, unsigned int id, int secs)
{
	SH("vectl exec %u sh -c '" BUSY "' >/dev/null 2>&1 &", id, secs);
}

/* user + system ticks of the "cpu " line of VE @id's /proc/stat. */
static long long ve_cpu_ticks(struct box *self, unsigned int id)
{
	long long u, n, s;

	if (V("exec %u head -n 1 /proc/stat", id) ||
	    sscanf(self->out, "cpu %lld %lld %lld", &u, &n, &s) != 3)
		return -1;
	return u + s;
}

FIXTURE(vproc) {
	struct box b;
};

FIXTURE_SETUP(vproc)
{
	struct box *b = &self->b;

	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "create %d --ostemplate busybox", A);
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "create %d --ostemplate busybox", B);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "set %d --ram 256M --swap 64M --cpus 1 --save", A)) TH_LOG("%s", b->err);
}

FIXTURE_TEARDOWN(vproc)
{
	struct box *b = &self->b;

	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d --fast", A);
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d --fast", B);
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "destroy %d", A);
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "destroy %d", B);
}

/* free (sysinfo) and /proc/meminfo: the VE's RAM and swap, and its use. */
TEST_F(vproc, memory_is_the_ves)
{
	struct box *b = &self->b;
	long long avail0, avail1, total, swap;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d free", A));
	ASSERT_EQ(2, sscanf(strstr(b->out, "Mem:") ?: "", "Mem: %lld", &total) +
		     sscanf(strstr(b->out, "Swap:") ?: "", "Swap: %lld", &swap)) TH_LOG("%s", b->out);
	EXPECT_EQ(262144, total) TH_LOG("free: %s", b->out);
	EXPECT_EQ(65536, swap) TH_LOG("free: %s", b->out);

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/meminfo", A));
	EXPECT_EQ(262144, field(b->out, "MemTotal"));
	EXPECT_EQ(65536, field(b->out, "SwapTotal"));
	EXPECT_LE(field(b->out, "MemFree"), 262144);
	/* The kernel's own layout: label in 16 columns, 8 digits, " kB". */
	EXPECT_NE(NULL, strstr(b->out, "MemTotal:         262144 kB\n")) TH_LOG("%s", b->out);
	/* Lines ve leaves to the host are still there. */
	EXPECT_LE(0, field(b->out, "Hugepagesize"));
	avail0 = field(b->out, "MemAvailable");

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d sh -c 'dd if=/dev/zero of=/dev/shm/hog bs=1M count=100 2>/dev/null && grep MemAvailable /proc/meminfo'",
			       A)) TH_LOG("%s", b->err);
	avail1 = field(b->out, "MemAvailable");
	TH_LOG("MemAvailable %lld kB, with 100 MiB more in use %lld kB", avail0, avail1);
	EXPECT_GE(avail0 - avail1, 90 * 1024);
	EXPECT_LE(avail0 - avail1, 110 * 1024);
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d rm /dev/shm/hog", A);

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/swaps", A));
	EXPECT_NE(NULL, strstr(b->out, "Filename\t\t\t\tType")) TH_LOG("%s", b->out);
	EXPECT_NE(NULL, strstr(b->out, "65536")) TH_LOG("%s", b->out);
}

/* --cpus 1: one CPU in nproc, cpuinfo, stat and cpu/online, numbered 0. */
TEST_F(vproc, one_cpu)
{
	struct box *b = &self->b;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d nproc", A));
	EXPECT_EQ(1, atoi(b->out));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep -c ^processor /proc/cpuinfo", A));
	EXPECT_EQ(1, atoi(b->out));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d head -n 1 /proc/cpuinfo", A));
	EXPECT_STREQ("processor\t: 0\n", b->out);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /sys/devices/system/cpu/online", A));
	EXPECT_STREQ("0\n", b->out);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep -c ^cpu /proc/stat", A));
	EXPECT_EQ(2, atoi(b->out));	/* "cpu " and "cpu0" */

	/* Without a limit: every CPU of the host (the guest has 2). */
	ASSERT_TRUE(ve_up(b, B)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep -c ^processor /proc/cpuinfo", B));
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), atoi(b->out));
}

/* uptime counts from the VE's start (its time namespace), again after a restart. */
TEST_F(vproc, uptime_since_start)
{
	struct box *b = &self->b;
	double host, ve1, ve2;
	char buf[128];

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	sleep(3);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/uptime", A));
	ve1 = atof(b->out);
	ASSERT_NE(NULL, slurp("/proc/uptime", buf, sizeof(buf)));
	host = atof(buf);
	TH_LOG("VE up %.2f s, host up %.2f s", ve1, host);
	EXPECT_GE(ve1, 2.5);
	EXPECT_LT(ve1, 60.0 * ve_time_scale());
	EXPECT_GT(host, ve1 + 5);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d uptime", A));
	EXPECT_NE(NULL, strstr(b->out, "up 0 min")) TH_LOG("%s", b->out);

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "restart %d", A))
		TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/uptime", A));
	ve2 = atof(b->out);
	TH_LOG("after a restart: %.2f s", ve2);
	EXPECT_LT(ve2, ve1);
}

/*
 * Every namespace of the VE, its clocks' included (and the one its
 * children get), belongs to the VE's user namespace: what a checkpoint
 * (criu) needs of a container. The clocks' used to be made by vectl, on
 * the host's side of the clone.
 */
TEST_F(vproc, namespaces_belong_to_the_ve_user_namespace)
{
	static const char *const ns[] = {
		"time", "time_for_children", "uts", "ipc", "net", "mnt", "pid", "cgroup",
	};
	struct box *b = &self->b;
	struct stat user, owner;
	char path[64];
	pid_t init;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	init = init_pid(b, A);
	ASSERT_LT(1, init);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init);
	ASSERT_EQ(0, stat(path, &user));
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		int fd, uns;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init, ns[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		uns = ioctl(fd, NS_GET_USERNS);
		close(fd);
		ASSERT_LE(0, uns) TH_LOG("%s: NS_GET_USERNS: %s", path, strerror(errno));
		ASSERT_EQ(0, fstat(uns, &owner));
		close(uns);
		EXPECT_EQ(user.st_ino, owner.st_ino) TH_LOG("the %s namespace is not the VE's", ns[i]);
	}
}

/* A busy VE has a load of its own; the idle one beside it stays at 0. */
TEST_F_TIMEOUT(vproc, load_is_per_ve, 120)
{
	struct box *b = &self->b;
	double busy, idle;
	int secs = 25;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_TRUE(ve_up(b, B)) TH_LOG("%s", b->err);
	burn(b, A, secs + 5);
	sleep(secs);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/loadavg", A));
	busy = atof(b->out);
	TH_LOG("busy VE: %s", b->out);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/loadavg", B));
	idle = atof(b->out);
	TH_LOG("idle VE: %s", b->out);
	/* One runnable task for 25 s: 1 - e^(-25/60) = 0.34 in the 1-minute load. */
	EXPECT_GE(busy, 0.2);
	EXPECT_LE(busy, 1.2);
	/* The idle VE ran only its boot script. */
	EXPECT_LE(idle, 0.1);
	EXPECT_GE(busy, idle + 0.15);
	/* sysinfo(2) (busybox uptime) says the same. */
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d uptime", B));
	EXPECT_NE(NULL, strstr(b->out, "load average: 0.0")) TH_LOG("%s", b->out);
	sleep(5);
}

/* /proc/stat: the VE's own CPU time; the host's work does not show. */
TEST_F(vproc, stat_is_the_ves_cpu_time)
{
	struct box *b = &self->b;
	long long t0, t1, t2;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	t0 = ve_cpu_ticks(b, A);
	burn(b, A, 2);
	sleep(4);
	t1 = ve_cpu_ticks(b, A);
	/* The host burns 2 s; the VE idles. */
	run_sh(b->out, sizeof(b->out), b->err, sizeof(b->err), BUSY, 2);
	t2 = ve_cpu_ticks(b, A);
	TH_LOG("VE ticks: %lld, after its 2 s loop %lld, after the host's %lld", t0, t1, t2);
	ASSERT_LE(0, t0);
	/*
	 * 2 s of one CPU is 200 ticks (USER_HZ); the VE has one CPU. The
	 * processes the test runs in the VE (vectl exec, head) add their
	 * own: about 60 ticks on a debug kernel, which is 8 times slower.
	 */
	EXPECT_GE(t1 - t0, 150);
	EXPECT_LE(t1 - t0, 250 + 10 * ve_time_scale());
	/* The host's 200 ticks are not the VE's. */
	EXPECT_LE(t2 - t1, 20 + 10 * ve_time_scale());
}

/* The VE's root can neither remove, remount nor write the files. */
TEST_F(vproc, files_are_locked)
{
	struct box *b = &self->b;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	for (size_t i = 0; i < N_FILES; i++) {
		EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
				       "exec %d umount /%s", A, view_files[i]));
		EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
				       "exec %d umount -l /%s", A, view_files[i]));
		EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
				       "exec %d sh -c 'echo x > /%s'", A, view_files[i]));
		EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
				       "exec %d mount -o remount,rw,bind /%s", A, view_files[i]));
	}
	EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d umount -l /proc", A));
	EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "exec %d umount -l /sys", A));
	EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d mount -o remount,rw /sys", A));
	/* No unobstructed proc or sysfs of its own either. */
	EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d sh -c 'mkdir -p /mnt/p && mount -t proc proc /mnt/p'", A));
	EXPECT_NE(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d sh -c 'mkdir -p /mnt/s && mount -t sysfs sysfs /mnt/s'", A));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep MemTotal /proc/meminfo", A));
	EXPECT_EQ(262144, field(b->out, "MemTotal"));
}

/* A reader outside any VE (the host) gets exactly the real file. */
TEST_F(vproc, host_reader_sees_the_host)
{
	struct box *b = &self->b;
	char path[128], *real = malloc(65536), *seen = malloc(65536);
	pid_t init;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	init = init_pid(b, A);
	ASSERT_LT(0, init);
	snprintf(path, sizeof(path), "/proc/%d/root/proc/meminfo", init);
	ASSERT_NE(NULL, slurp(path, seen, 65536));
	ASSERT_NE(NULL, slurp("/proc/meminfo", real, 65536));
	EXPECT_EQ(field(real, "MemTotal"), field(seen, "MemTotal"));
	snprintf(path, sizeof(path), "/proc/%d/root/proc/cpuinfo", init);
	ASSERT_NE(NULL, slurp(path, seen, 65536));
	ASSERT_NE(NULL, slurp("/proc/cpuinfo", real, 65536));
	EXPECT_STREQ(real, seen);
	snprintf(path, sizeof(path), "/proc/%d/root/proc/swaps", init);
	ASSERT_NE(NULL, slurp(path, seen, 65536));
	ASSERT_NE(NULL, slurp("/proc/swaps", real, 65536));
	EXPECT_STREQ(real, seen);
	snprintf(path, sizeof(path), "/proc/%d/root/sys/devices/system/cpu/online", init);
	ASSERT_NE(NULL, slurp(path, seen, 65536));
	ASSERT_NE(NULL, slurp("/sys/devices/system/cpu/online", real, 65536));
	EXPECT_STREQ(real, seen);
	free(real);
	free(seen);
}

/*
 * Files of VE @id opened by a task of its pid namespace (a child of ours
 * after setns), handed back to us: they are the VE's, wherever read.
 */
static int open_as_ve(pid_t init, int fds[N_FILES])
{
	int sk[2] = { -1, -1 }, pidfd, status = -1, ours;
	pid_t child = -1;

	for (size_t i = 0; i < N_FILES; i++)
		fds[i] = -1;
	/* Where this thread's children are born, to go back to. */
	ours = open("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	/* A fork fails once the VE's pid namespace is gone (it stopped). */
	if (pidfd >= 0 && !socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sk) &&
	    !setns(pidfd, CLONE_NEWPID))
		child = fork();
	if (child == 0) {
		char path[128];

		for (size_t i = 0; i < N_FILES; i++) {
			snprintf(path, sizeof(path), "/proc/%d/root/%s", init, view_files[i]);
			int fd = open(path, O_RDONLY);

			if (fd < 0 || send_fd(sk[1], fd))
				_exit(1);
		}
		_exit(0);
	}
	setns(ours, CLONE_NEWPID);
	close(ours);
	if (sk[1] >= 0)
		close(sk[1]);
	for (size_t i = 0; child > 0 && i < N_FILES; i++)
		fds[i] = recv_fd(sk[0]);
	if (sk[0] >= 0)
		close(sk[0]);
	if (pidfd >= 0)
		close(pidfd);
	if (child > 0)
		waitpid(child, &status, 0);
	if (child > 0 && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	for (size_t i = 0; i < N_FILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -1;
}

/* Files held across a stop: an error, never stale memory; rmmod after. */
TEST_F(vproc, stale_after_stop)
{
	struct box *b = &self->b;
	int fds[N_FILES];
	char buf[8192];
	ssize_t n;

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, open_as_ve(init_pid(b, A), fds));
	n = pread(fds[0], buf, sizeof(buf) - 1, 0);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_EQ(262144, field(buf, "MemTotal")) TH_LOG("%s", buf);

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d", A));
	for (size_t i = 0; i < N_FILES; i++) {
		errno = 0;
		n = pread(fds[i], buf, sizeof(buf), 0);
		EXPECT_EQ(-1, n) TH_LOG("%s read %zd", view_files[i], n);
		EXPECT_EQ(ESTALE, errno) TH_LOG("%s", view_files[i]);
	}
	/* Started again: a new run; the old files stay stale. */
	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	EXPECT_EQ(-1, pread(fds[0], buf, sizeof(buf), 0));
	for (size_t i = 0; i < N_FILES; i++)
		close(fds[i]);
}

/* The same lines with the same labels: a value may change between reads. */
static bool same_shape(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be) {
		size_t la = strcspn(a, "0123456789\n"), lb = strcspn(b, "0123456789\n");
		const char *na = memchr(a, '\n', ae - a), *nb = memchr(b, '\n', be - b);

		/* Numbers are right-aligned: the padding before them varies. */
		while (la && (a[la - 1] == ' ' || a[la - 1] == '\t'))
			la--;
		while (lb && (b[lb - 1] == ' ' || b[lb - 1] == '\t'))
			lb--;
		if (la != lb || memcmp(a, b, la) || !na || !nb)
			return false;
		a = na + 1;
		b = nb + 1;
	}
	return a == ae && b == be;
}

struct reader {
	pid_t init;
	int rounds;
	int errors;	/* reads that failed other than ESTALE */
	int bad_reads;	/* a piecewise read of another shape than the whole */
	char bad[512];	/* what the first one was */
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	char whole[16384], part[16384];

	for (int round = 0; round < r->rounds; round++) {
		int fds[N_FILES];

		if (open_as_ve(r->init, fds))
			break;	/* the VE stopped */
		for (size_t i = 0; i < N_FILES; i++) {
			ssize_t n = pread(fds[i], whole, sizeof(whole), 0), m = 0, k;

			if (n < 0 && errno != ESTALE)
				r->errors++;
			/* The same open, read again in odd pieces from odd places. */
			if (n > 0 && lseek(fds[i], 0, SEEK_SET) == 0) {
				while ((k = read(fds[i], part + m, 7)) > 0)
					m += k;
				if (k < 0 && errno != ESTALE)
					r->errors++;
				if (k == 0 && !same_shape(whole, n, part, m) && !r->bad_reads++)
					snprintf(r->bad, sizeof(r->bad), "%s: %.*s ... then %.*s",
						 view_files[i], (int)(n < 200 ? n : 200), whole,
						 (int)(m < 200 ? m : 200), part);
				k = pread(fds[i], part, 5, 13);
				if ((k < 0 ? errno != ESTALE : n > 18 && k != 5) && !r->bad_reads++)
					snprintf(r->bad, sizeof(r->bad), "%s: pread at 13: %zd", view_files[i], k);
				k = pread(fds[i], part, 100, 1 << 20);
				if ((k < 0 ? errno != ESTALE : k != 0) && !r->bad_reads++)
					snprintf(r->bad, sizeof(r->bad), "%s: pread past the end: %zd",
						 view_files[i], k);
			}
			close(fds[i]);
		}
	}
	return NULL;
}

/* Odd offsets and sizes, concurrent readers, and the VE stopping under them. */
TEST_F_TIMEOUT(vproc, concurrent_odd_reads_and_stop, 120)
{
	struct box *b = &self->b;
	struct reader r[4];
	pthread_t th[4];

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	/* Each thread joins the VE's pid namespace for its own children. */
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reader){ .init = init_pid(b, A), .rounds = 30 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, read_loop, &r[i]));
	}
	sleep(2);
	EXPECT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d", A));
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, r[i].errors);
		EXPECT_EQ(0, r[i].bad_reads) TH_LOG("%s", r[i].bad);
	}
}

/* --meminfo none: the real files, and an unlocked proc a nested container may mount. */
TEST_F(vproc, meminfo_none_turns_the_view_off)
{
	struct box *b = &self->b;
	char real[8192];

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "set %d --meminfo none --save", A)) TH_LOG("%s", b->err);
	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/meminfo", A));
	ASSERT_NE(NULL, slurp("/proc/meminfo", real, sizeof(real)));
	EXPECT_EQ(field(real, "MemTotal"), field(b->out, "MemTotal"));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/self/mountinfo", A));
	EXPECT_EQ(NULL, strstr(b->out, "veproc")) TH_LOG("%s", b->out);
	EXPECT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d sh -c 'mkdir -p /mnt/p && mount -t proc proc /mnt/p && umount /mnt/p'",
			       A)) TH_LOG("%s", b->err);
	/* The clocks are the VE's whatever the view. */
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d cat /proc/uptime", A));
	EXPECT_LT(atof(b->out), 60.0 * ve_time_scale());

	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "set %d --meminfo full --save", A));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "restart %d", A));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep MemTotal /proc/meminfo", A));
	EXPECT_EQ(262144, field(b->out, "MemTotal"));
}

/* rmmod waits for nothing but the files still open; then it works. */
TEST_F_TIMEOUT(vproc, module_unloads_after_use, 120)
{
	struct box *b = &self->b;
	int fds[N_FILES], err = -EWOULDBLOCK;
	char buf[4096];

	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, open_as_ve(init_pid(b, A), fds));
	ASSERT_LT(0, pread(fds[0], buf, sizeof(buf), 0));
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d", A));
	run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err), "stop %d", B);
	/* An open file of the module's filesystem holds the module. */
	EXPECT_EQ(-EWOULDBLOCK, ve_module_unload());
	for (size_t i = 0; i < N_FILES; i++)
		close(fds[i]);
	/* The VE's mount namespace goes with its last task, a moment after. */
	for (int i = 0; i < 50 * ve_time_scale() && err == -EWOULDBLOCK; i++) {
		err = ve_module_unload();
		if (err == -EWOULDBLOCK)
			usleep(100000);
	}
	EXPECT_EQ(0, err);
	ASSERT_EQ(0, ve_module_load());
	/* And a VE started again gets its view from the new module. */
	ASSERT_TRUE(ve_up(b, A)) TH_LOG("%s", b->err);
	ASSERT_EQ(0, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
			       "exec %d grep MemTotal /proc/meminfo", A));
	EXPECT_EQ(262144, field(b->out, "MemTotal"));
}

/* Bad values change nothing and say why in one line. */
TEST_F(vproc, bad_meminfo_value)
{
	struct box *b = &self->b;
	char conf[8192];

	ASSERT_NE(NULL, slurp("/etc/ve/conf/501.conf", conf, sizeof(conf)));
	EXPECT_EQ(21, run_vectl(b->out, sizeof(b->out), b->err, sizeof(b->err),
				"set %d --meminfo pages:1000 --save", A));
	EXPECT_TRUE(ve_one_line(b->err)) TH_LOG("%s", b->err);
	EXPECT_NE(NULL, strstr(b->err, "none or full")) TH_LOG("%s", b->err);
	ASSERT_NE(NULL, slurp("/etc/ve/conf/501.conf", b->out, sizeof(b->out)));
	EXPECT_STREQ(conf, b->out);
}

TEST_HARNESS_MAIN
