// SPDX-License-Identifier: GPL-2.0
/*
 * Eight threads doing random NEW/START/STOP/DEL on a small set of IDs for
 * 30 s (VE_STRESS_SECONDS overrides). Every answer must be one the command
 * documents, every GET must be self-consistent, and at the end everything
 * stops and goes away cleanly. The runner checks the console stays clean.
 *
 * And a VE freeing charged objects while the host pushes TCP over
 * loopback: that traffic keeps tasks in BH-disabled sections, which on
 * PREEMPT_RT can be preempted, so an uncharge that disabled BHs with
 * preemption off (as ve.ko once did from its ftrace callback) trips the
 * kernel's softirq accounting check there.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define THREADS 8
#define IDS 16
#define FIRST_ID 1000

struct worker {
	pthread_t thread;
	unsigned int seed;
	time_t until;
	unsigned long ops, started, bad;
	char why[320];
};

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void bad(struct worker *w, const char *op, int err, const char *msg)
{
	if (!w->bad++)
		snprintf(w->why, sizeof(w->why), "%s: %d (%s)", op, err, msg);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ve_child child;
	struct ve_info info;
	struct ve_nl nl;
	int err;

	if (ve_nl_open(&nl)) {
		bad(w, "open", -1, "");
		return NULL;
	}
	while (time(NULL) < w->until) {
		uint32_t id = FIRST_ID + rand_r(&w->seed) % IDS;

		w->ops++;
		switch (rand_r(&w->seed) % 5) {
		case 0:
			err = veapi_new(&nl, id, NULL);
			if (err && err != -EEXIST)
				bad(w, "NEW", err, nl.err.msg);
			break;
		case 1:
			err = veapi_del(&nl, id);
			if (err && err != -ENOENT && err != -EBUSY)
				bad(w, "DEL", err, nl.err.msg);
			break;
		case 2:
			/*
			 * No network namespace: the kernel frees those
			 * lazily, and under TCG thousands of them pile up
			 * faster than cleanup_net() can free them.
			 */
			if (ve_child_spawn(&child, CLONE_NEWUSER | CLONE_NEWPID,
					   NULL, sleep_forever, NULL)) {
				bad(w, "spawn", -1, "");
				break;
			}
			err = veapi_start(&nl, id, child.pid);
			if (err && err != -ENOENT && err != -EBUSY)
				bad(w, "START", err, nl.err.msg);
			if (!err) {
				w->started++;
				ve_child_go(&child);
			} else {
				kill(child.pid, SIGKILL);
			}
			close(child.ready_fd);
			close(child.go_fd);
			break;
		case 3:
			err = veapi_stop(&nl, id);
			if (err && err != -ENOENT && err != -ESRCH)
				bad(w, "STOP", err, nl.err.msg);
			break;
		case 4:
			err = veapi_get(&nl, id, &info);
			if (err && err != -ENOENT)
				bad(w, "GET", err, nl.err.msg);
			else if (!err && (info.id != id ||
					  info.state > VE_STATE_STOPPING ||
					  (info.state == VE_STATE_STOPPED) !=
					  (info.init_pid == 0)))
				bad(w, "GET", 0, "inconsistent reply");
			break;
		}
		reap();
	}
	ve_nl_close(&nl);
	return NULL;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* make stress runs it for 600 s. */
TEST_F_TIMEOUT(stress, random_new_start_stop_del, 3600)
{
	int seconds = ve_env_int("VE_STRESS_SECONDS", 30);
	struct worker w[THREADS] = { 0 };
	static uint32_t ids[64];
	unsigned long ops = 0, started = 0;
	struct ve_nl nl;
	char line[128];
	FILE *f;
	int n;

	ASSERT_EQ(0, ve_nl_open(&nl));
	/* A child STOP killed before its go byte: EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < THREADS; i++) {
		w[i].seed = 1234 + i;
		w[i].until = time(NULL) + seconds;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, work, &w[i]));
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		ops += w[i].ops;
		started += w[i].started;
		EXPECT_EQ(0, w[i].bad) {
			TH_LOG("thread %d: %lu unexpected answers, first %s",
			       i, w[i].bad, w[i].why);
		}
	}
	TH_LOG("%lu operations, %lu starts in %d s", ops, started, seconds);
	EXPECT_LT(0, started);

	/* Everything stops and goes away. */
	for (uint32_t id = FIRST_ID; id < FIRST_ID + IDS; id++) {
		if (veapi_stop(&nl, id) == 0)
			EXPECT_TRUE(veapi_wait_state(&nl, id, VE_STATE_STOPPED,
						     10000 * ve_time_scale()));
		reap();
		EXPECT_TRUE(veapi_del(&nl, id) == 0 || nl.err.error == -ENOENT) {
			TH_LOG("DEL %u: %s", id, nl.err.msg);
		}
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
	n = veapi_dump(&nl, ids, 64);
	EXPECT_EQ(0, n);
	f = fopen("/proc/vz/veinfo", "r");
	ASSERT_NE(NULL, f);
	n = 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	EXPECT_EQ(1, n);	/* the host's line only */
	ve_nl_close(&nl);
}

#define CHURN_SECONDS 10
#define CHURN_ID 1100

/* Inside the VE: open, socket and fork, each freed at once, for a while. */
static int churn(void *arg)
{
	time_t until = time(NULL) + CHURN_SECONDS;
	unsigned long n = 0;

	while (time(NULL) < until) {
		int fd = open("/", O_RDONLY | O_DIRECTORY);
		int sk = socket(AF_UNIX, SOCK_DGRAM, 0);
		pid_t pid;

		if (fd < 0 || sk < 0)
			return 1;
		close(fd);
		close(sk);
		if (++n % 64 == 0) {
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				return 2;
		}
	}
	return 0;
}

/* On the host: a TCP stream over loopback until the deadline. */
static pid_t tcp_load(time_t until)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	static char buf[65536];
	int lsk, sk;
	pid_t pid;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lsk = socket(AF_INET, SOCK_STREAM, 0);
	if (lsk < 0 || bind(lsk, (void *)&addr, sizeof(addr)) || listen(lsk, 1) ||
	    getsockname(lsk, (void *)&addr, &len))
		return -1;
	pid = fork();
	if (pid == 0) {
		sk = socket(AF_INET, SOCK_STREAM, 0);
		if (sk < 0 || connect(sk, (void *)&addr, sizeof(addr)))
			_exit(1);
		while (time(NULL) < until)
			if (write(sk, buf, sizeof(buf)) < 0)
				_exit(1);
		_exit(0);
	}
	if (pid > 0 && fork() == 0) {
		sk = accept(lsk, NULL, NULL);
		while (sk >= 0 && read(sk, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	close(lsk);
	return pid;
}

TEST_F_TIMEOUT(stress, uncharge_beside_softirq_load, 120)
{
	struct ve_child child;
	struct ve_info info;
	struct ve_nl nl;
	int status;

	ASSERT_EQ(0, ve_nl_open(&nl));
	ASSERT_EQ(0, veapi_new(&nl, CHURN_ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&child, VE_CHILD_NS, NULL, churn, NULL));
	ASSERT_EQ(0, veapi_start(&nl, CHURN_ID, child.pid)) {
		TH_LOG("START: %s", nl.err.msg);
	}
	ASSERT_LT(0, tcp_load(time(NULL) + CHURN_SECONDS + 1));
	ASSERT_LT(0, tcp_load(time(NULL) + CHURN_SECONDS + 1));
	ve_child_go(&child);
	status = ve_child_wait(&child);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("churn ended with status 0x%x", status);
	}
	EXPECT_TRUE(veapi_wait_state(&nl, CHURN_ID, VE_STATE_STOPPED, 10000));
	while (waitpid(-1, &status, 0) > 0)
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Every charge went back (tasks are freed after a grace period). */
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, veapi_get(&nl, CHURN_ID, &info));
		if (!info.held[VE_RES_NUMFILE] && !info.held[VE_RES_NUMOTHERSOCK] &&
		    !info.held[VE_RES_NUMPROC])
			break;
		usleep(50000);
	}
	EXPECT_EQ(0, info.held[VE_RES_NUMFILE]);
	EXPECT_EQ(0, info.held[VE_RES_NUMOTHERSOCK]);
	EXPECT_EQ(0, info.held[VE_RES_NUMPROC]);
	EXPECT_LT(0, info.maxheld[VE_RES_NUMFILE]);
	EXPECT_LT(0, info.maxheld[VE_RES_NUMOTHERSOCK]);
	EXPECT_EQ(0, veapi_del(&nl, CHURN_ID));
	ve_nl_close(&nl);
}

TEST_HARNESS_MAIN
