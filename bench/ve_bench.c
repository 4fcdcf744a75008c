// SPDX-License-Identifier: GPL-2.0
/*
 * ve_bench: cost of ve's hooks on the paths they sit on. Runs fork+exit
 * (+wait), open+close and socket+close loops and prints nanoseconds per
 * iteration, one line per loop: "<loop> <ns>".
 *
 *   ve_bench host    in the host's namespaces
 *   ve_bench ns      in fresh user/pid/net namespaces
 *   ve_bench ve      the same, bound as a VE with limits (module loaded)
 *
 * Under QEMU's -icount shift=0 guest time counts instructions, so the
 * numbers are instruction counts and ratios between runs are stable.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"

#define BENCH_ID 901

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int loops(void *arg)
{
	int n_open = 20000, n_sock = 10000, n_fork = 1000;
	long long t;

	t = now_ns();
	for (int i = 0; i < n_open; i++)
		close(open("/dev/null", O_RDONLY));
	printf("open+close %lld\n", (now_ns() - t) / n_open);

	t = now_ns();
	for (int i = 0; i < n_sock; i++)
		close(socket(AF_UNIX, SOCK_DGRAM, 0));
	printf("socket+close %lld\n", (now_ns() - t) / n_sock);

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
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "host";
	struct ve_child c;
	struct ve_nl nl;
	int status;

	if (!strcmp(mode, "host"))
		return loops(NULL);
	if (ve_child_spawn(&c, VE_CHILD_NS, NULL, loops, NULL)) {
		perror("ve_bench: namespaces");
		return 1;
	}
	if (!strcmp(mode, "ve")) {
		if (ve_nl_open(&nl) || veapi_new(&nl, BENCH_ID, NULL) ||
		    veapi_set_res(&nl, BENCH_ID, VE_RES_NUMPROC, 10000, 10000) ||
		    veapi_set_res(&nl, BENCH_ID, VE_RES_NUMFILE, 100000, 100000) ||
		    veapi_set_res(&nl, BENCH_ID, VE_RES_NUMOTHERSOCK, 100000, 100000) ||
		    veapi_start(&nl, BENCH_ID, c.pid)) {
			fprintf(stderr, "ve_bench: cannot start VE %d (is ve loaded?)\n", BENCH_ID);
			ve_child_kill(&c);
			return 1;
		}
	}
	ve_child_go(&c);
	status = ve_child_wait(&c);
	if (!strcmp(mode, "ve")) {
		veapi_wait_state(&nl, BENCH_ID, VE_STATE_STOPPED, 10000);
		veapi_del(&nl, BENCH_ID);
		ve_nl_close(&nl);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
