// SPDX-License-Identifier: GPL-2.0
/*
 * ve_bench: cost of ve's hooks on the paths they sit on. Runs fork+exit
 * (+wait), open+close, socket+close, pipe+close and TCP connect+accept
 * loops and prints nanoseconds per iteration, one line per loop:
 * "<loop> <ns>".
 *
 *   ve_bench host    in the host's namespaces
 *   ve_bench hostve  the same while a VE runs (its init holds a pipe, a
 *                    socket and a child, so that charges exist)
 *   ve_bench ns      in fresh user/pid/net namespaces
 *   ve_bench ve      the same, bound as a VE with limits (module loaded)
 *   ve_bench procfiles DIR   as a VE with memory and CPU limits in a
 *                    cgroup of its own, read each /proc file the module
 *                    virtualises, the real one and the VE's (the veproc
 *                    filesystem mounted at DIR): "procfile <name> <real>
 *                    <virtual>", ns per open+read+close
 *
 * In the last two the namespaces also get a veth pair to the host, as
 * vectl makes for a VE (in "ve" with the VE's address and the module's
 * filter and counters on the host end), and a "udp-veth" loop sends
 * small UDP packets through it: what the filter costs a packet.
 *
 * Under QEMU's -icount shift=0 guest time counts instructions, so the
 * numbers are instruction counts and ratios between runs are stable.
 * With VE_BENCH_MARK set, scripts/profile's plugin can tell the open,
 * socket and pipe loops apart (mark(), below).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtnl.h"
#include "ve_util.h"

#define BENCH_ID 901
#define HOST_END "vebench0"
#define VE_END "vebench1"

static const struct ve_ip host_ip = { AF_INET, { 10, 77, 0, 1 } };
static const struct ve_ip ve_ip = { AF_INET, { 10, 77, 0, 2 } };

/*
 * With VE_BENCH_MARK set in the environment, the open, socket and pipe
 * loops are each bracketed by a call of a one-instruction function at a
 * fixed address: an instruction profiler outside the guest (a QEMU TCG
 * plugin watching that address) counts what runs between the two.
 */
#define MARK_ADDR 0x7e0000000000UL

static void (*mark_fn)(void);

static void mark_init(void)
{
	void *p;

	if (!getenv("VE_BENCH_MARK"))
		return;
	p = mmap((void *)MARK_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return;
	*(unsigned char *)p = 0xc3;	/* ret */
	mark_fn = (void (*)(void))p;
}

static void mark(void)
{
	if (mark_fn)
		mark_fn();
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * TCP over loopback: connect, accept, close both. Three sockets an
 * iteration (the client's, the listener's clone, its file), one of them
 * made by accept.
 */
static int accept_loop(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int n = 2000, lfd = socket(AF_INET, SOCK_STREAM, 0);
	long long t;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len))
		return 1;
	t = now_ns();
	for (int i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
			return 1;
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			return 1;
		close(s);
		close(c);
	}
	printf("accept %lld\n", (now_ns() - t) / n);
	close(lfd);
	return 0;
}

static int loops(void *arg)
{
	int n_open = 20000, n_sock = 10000, n_fork = 1000;
	long long t;

	mark();
	t = now_ns();
	for (int i = 0; i < n_open; i++)
		close(open("/dev/null", O_RDONLY));
	t = now_ns() - t;
	mark();
	printf("open+close %lld\n", t / n_open);

	mark();
	t = now_ns();
	for (int i = 0; i < n_sock; i++)
		close(socket(AF_UNIX, SOCK_DGRAM, 0));
	t = now_ns() - t;
	mark();
	printf("socket+close %lld\n", t / n_sock);

	mark();
	t = now_ns();
	for (int i = 0; i < n_sock; i++) {
		int p[2];

		if (pipe(p))
			return 1;
		close(p[0]);
		close(p[1]);
	}
	t = now_ns() - t;
	mark();
	printf("pipe+close %lld\n", t / n_sock);
	if (accept_loop())
		return 1;

	fflush(stdout);	/* nothing buffered for the children to copy */
	t = now_ns();
	for (int i = 0; i < n_fork; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	printf("fork+exit %lld\n", (now_ns() - t) / n_fork);
	fflush(stdout);

	if (arg) {
		/* Through the pair to the host, where nothing listens. */
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
		int n_udp = 20000, fd = socket(AF_INET, SOCK_DGRAM, 0);
		char payload[64] = { 0 };

		memcpy(&to.sin_addr, host_ip.a, 4);
		if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)))
			return 1;
		t = now_ns();
		for (int i = 0; i < n_udp; i++)
			send(fd, payload, sizeof(payload), 0);
		printf("udp-veth %lld\n", (now_ns() - t) / n_udp);
		fflush(stdout);
		close(fd);
	}
	return 0;
}

static const char *const proc_files[] = {
	"meminfo", "cpuinfo", "stat", "loadavg", "uptime", "swaps",
};

/* ns per open, read to the end, close of @path. */
static long long read_cost(const char *path, int n)
{
	char buf[65536];
	long long t = now_ns();

	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			return -1;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return (now_ns() - t) / n;
}

static const char *veproc_dir;

static int read_files(void *arg)
{
	char real[64], virt[256];

	for (size_t i = 0; i < sizeof(proc_files) / sizeof(proc_files[0]); i++) {
		snprintf(real, sizeof(real), "/proc/%s", proc_files[i]);
		snprintf(virt, sizeof(virt), "%s/%s", veproc_dir, proc_files[i]);
		/* Once each first: the first read of a file pays its lookups. */
		read_cost(real, 1);
		read_cost(virt, 1);
		printf("procfile %s %lld %lld\n", proc_files[i], read_cost(real, 500),
		       read_cost(virt, 500));
	}
	fflush(stdout);
	return 0;
}

#define BENCH_CG "/sys/fs/cgroup/vebench"

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* A cgroup with the limits vectl would give a VE, holding @pid. */
static int bench_cgroup(pid_t pid)
{
	char val[32];

	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory +cpu +cpuset");
	if (mkdir(BENCH_CG, 0755) && errno != EEXIST)
		return -errno;
	snprintf(val, sizeof(val), "%d", (int)pid);
	return write_str(BENCH_CG "/memory.max", "268435456") ?:
	       write_str(BENCH_CG "/cpu.max", "100000 100000") ?:
	       write_str(BENCH_CG "/cgroup.procs", val);
}

/* The VE's numbers next to the real files'. */
static int procfiles(const char *dir)
{
	struct ve_limits lim = { 0 };
	struct ve_child c;
	struct ve_nl nl;
	int status;

	veproc_dir = dir;
	if (ve_child_spawn(&c, VE_CHILD_NS, NULL, read_files, NULL)) {
		perror("ve_bench: namespaces");
		return 1;
	}
	if (bench_cgroup(c.pid) || ve_nl_open(&nl) || veapi_new(&nl, BENCH_ID, &lim) ||
	    veapi_start(&nl, BENCH_ID, c.pid)) {
		fprintf(stderr, "ve_bench: cannot start VE %d in %s\n", BENCH_ID, BENCH_CG);
		ve_child_kill(&c);
		return 1;
	}
	ve_child_go(&c);
	status = ve_child_wait(&c);
	veapi_wait_state(&nl, BENCH_ID, VE_STATE_STOPPED, 10000);
	veapi_del(&nl, BENCH_ID);
	ve_nl_close(&nl);
	rmdir(BENCH_CG);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The next run makes it again: do not wait for the namespace to go. */
static void del_pair(void)
{
	struct rtnl host;
	int ifindex;

	if (rtnl_open(&host, -1))
		return;
	ifindex = rtnl_ifindex(&host, HOST_END);
	if (ifindex > 0)
		rtnl_link_del(&host, ifindex);
	rtnl_close(&host);
}

/* The pair between the host and the namespaces of @pid; 0 or -errno. */
static int make_pair(pid_t pid, int *host_if)
{
	struct rtnl host, ns;
	char path[64];
	int fd, err, ve_if, lo;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = rtnl_open(&host, -1);
	if (!err)
		err = rtnl_open(&ns, fd);
	if (!err)
		err = rtnl_veth_add(&host, HOST_END, NULL, VE_END, NULL, fd);
	close(fd);
	if (err)
		return err;
	*host_if = rtnl_ifindex(&host, HOST_END);
	ve_if = rtnl_ifindex(&ns, VE_END);
	lo = rtnl_ifindex(&ns, "lo");
	err = rtnl_link_up(&host, *host_if) ?: rtnl_link_up(&ns, ve_if) ?:
	      rtnl_link_up(&ns, lo) ?:
	      rtnl_addr(&host, true, *host_if, &host_ip, RT_SCOPE_UNIVERSE) ?:
	      rtnl_addr(&ns, true, ve_if, &ve_ip, RT_SCOPE_UNIVERSE) ?:
	      rtnl_route(&host, true, AF_INET, &ve_ip, *host_if, NULL) ?:
	      rtnl_route(&ns, true, AF_INET, NULL, ve_if, &host_ip);
	rtnl_close(&host);
	rtnl_close(&ns);
	return err;
}

/* A VE's init that holds files, sockets and tasks, so charges exist. */
static int idle_ve(void *arg)
{
	int fds[2];

	if (pipe(fds) || socket(AF_UNIX, SOCK_DGRAM, 0) < 0 || fork() < 0)
		return 1;
	pause();
	return 0;
}

/* The host's loops while a VE runs. */
static int host_with_a_ve(void)
{
	struct ve_limits lim = { 0 };
	struct ve_child c;
	struct ve_nl nl;
	int err;

	if (ve_child_spawn(&c, VE_CHILD_NS, NULL, idle_ve, NULL)) {
		perror("ve_bench: namespaces");
		return 1;
	}
	if (ve_nl_open(&nl) || veapi_new(&nl, BENCH_ID, &lim) ||
	    veapi_start(&nl, BENCH_ID, c.pid)) {
		fprintf(stderr, "ve_bench: cannot start VE %d (is ve loaded?)\n", BENCH_ID);
		ve_child_kill(&c);
		return 1;
	}
	ve_child_go(&c);
	usleep(100000);
	err = loops(NULL);
	veapi_stop(&nl, BENCH_ID);
	ve_child_wait(&c);
	veapi_wait_state(&nl, BENCH_ID, VE_STATE_STOPPED, 10000);
	veapi_del(&nl, BENCH_ID);
	ve_nl_close(&nl);
	return err;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "host";
	struct ve_child c;
	struct ve_nl nl;
	int status, host_if = 0;

	mark_init();
	if (!strcmp(mode, "host"))
		return loops(NULL);
	if (!strcmp(mode, "hostve"))
		return host_with_a_ve();
	if (!strcmp(mode, "procfiles"))
		return procfiles(argc > 2 ? argv[2] : "/tmp/veproc");
	if (ve_child_spawn(&c, VE_CHILD_NS, NULL, loops, &c)) {
		perror("ve_bench: namespaces");
		return 1;
	}
	if (!strcmp(mode, "ve")) {
		struct ve_limits lim = { .has_addrs = true, .n_addrs = 1, .addrs = { ve_ip } };

		ve_limits_add(&lim, VE_RES_NUMPROC, 10000, 10000);
		ve_limits_add(&lim, VE_RES_NUMFILE, 100000, 100000);
		ve_limits_add(&lim, VE_RES_NUMOTHERSOCK, 100000, 100000);
		ve_limits_add(&lim, VE_RES_NUMTCPSOCK, 100000, 100000);
		if (ve_nl_open(&nl) || veapi_new(&nl, BENCH_ID, &lim) ||
		    veapi_start(&nl, BENCH_ID, c.pid)) {
			fprintf(stderr, "ve_bench: cannot start VE %d (is ve loaded?)\n", BENCH_ID);
			ve_child_kill(&c);
			return 1;
		}
	}
	if (make_pair(c.pid, &host_if) ||
	    (!strcmp(mode, "ve") && veapi_attach(&nl, BENCH_ID, host_if, NULL))) {
		fprintf(stderr, "ve_bench: cannot make the veth pair\n");
		ve_child_kill(&c);
		del_pair();
		return 1;
	}
	ve_child_go(&c);
	status = ve_child_wait(&c);
	del_pair();
	if (!strcmp(mode, "ve")) {
		veapi_wait_state(&nl, BENCH_ID, VE_STATE_STOPPED, 10000);
		veapi_del(&nl, BENCH_ID);
		ve_nl_close(&nl);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
