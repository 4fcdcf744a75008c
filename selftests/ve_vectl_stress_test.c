// SPDX-License-Identifier: GPL-2.0
/*
 * vectl under concurrency: workers run random lifecycle and set commands
 * on a few shared VEs (start, stop, stop --fast, restart, "stop; start &&
 * stop", set --save, exec, status, list) for VE_VECTL_STRESS_SECONDS
 * (default 60; "make stress" runs 600). A command meeting a busy VE waits
 * for it, so every answer must be success or the state's own refusal
 * ("running", "not running"), never "locked" or a failure. Afterwards
 * every VE stops, nothing of a VE is left (mounts, cgroups, held locks),
 * and destroy removes them from the module too.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define FIRST 801
#define NVE 3
#define WORKERS 4

/* What the workers report, in shared memory. */
struct tally {
	unsigned long ops, bad, starts, stops, waits;
	long slowest_ms;
	char slowest[WORKERS][160];
	char first_bad[WORKERS][400];
};

enum { OK = 1 << 0, RUNNING = 1 << 1, NOT_RUNNING = 1 << 2, STOPPED_UNDER = 1 << 3 };

/*
 * STOPPED_UNDER: exec's command killed by the VE's shutdown (SIGTERM, then
 * SIGKILL from its init) when a stop came while it ran; vectl says "the VE
 * stopped meanwhile" (31) only once the init is gone.
 */
static bool allowed(int rc, unsigned int ok)
{
	return (rc == 0 && (ok & OK)) || (rc == 32 && (ok & RUNNING)) ||
	       (rc == 31 && (ok & NOT_RUNNING)) ||
	       ((rc == 128 + SIGTERM || rc == 128 + SIGKILL) && (ok & STOPPED_UNDER));
}

static void worker(int n, struct tally *t, time_t until)
{
	static char out[16384], err[2048];
	unsigned int seed = 4242 + n;
	char cmd[160];

	while (time(NULL) < until) {
		unsigned int id = FIRST + rand_r(&seed) % NVE;
		unsigned int ok = OK;
		int rc, op = rand_r(&seed) % 10;
		struct timespec t0, t1;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);

		switch (op) {
		case 0:
		case 1:
			snprintf(cmd, sizeof(cmd), "start %u", id);
			ok |= RUNNING;
			break;
		case 2:
			snprintf(cmd, sizeof(cmd), "stop %u", id);
			ok |= NOT_RUNNING;
			break;
		case 3:
			snprintf(cmd, sizeof(cmd), "stop %u --fast", id);
			ok |= NOT_RUNNING;
			break;
		case 4:
			snprintf(cmd, sizeof(cmd), "restart %u", id);
			break;
		case 5:
			/* The sequence a user saw fail: each step after the last returned. */
			rc = run_vectl(out, sizeof(out), err, sizeof(err), "stop %u", id);
			if (allowed(rc, OK | NOT_RUNNING))
				rc = run_vectl(out, sizeof(out), err, sizeof(err), "start %u", id);
			if (allowed(rc, OK | RUNNING))
				rc = run_vectl(out, sizeof(out), err, sizeof(err), "stop %u", id);
			snprintf(cmd, sizeof(cmd), "stop; start && stop %u", id);
			ok |= NOT_RUNNING | RUNNING;
			goto check;
		case 6:
			snprintf(cmd, sizeof(cmd), "set %u --numproc %u:%u --save", id,
				 200 + rand_r(&seed) % 100, 400);
			break;
		case 7:
			snprintf(cmd, sizeof(cmd), "set %u --hostname h%u --save", id,
				 rand_r(&seed) % 100);
			break;
		case 8:
			snprintf(cmd, sizeof(cmd), "exec %u true", id);
			ok |= NOT_RUNNING | STOPPED_UNDER;
			break;
		default:
			snprintf(cmd, sizeof(cmd), rand_r(&seed) % 2 ? "status %u" : "list -a -H %u", id);
			break;
		}
		rc = run_vectl(out, sizeof(out), err, sizeof(err), "%s", cmd);
check:
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > t->slowest_ms) {
			t->slowest_ms = ms;
			snprintf(t->slowest[n], sizeof(t->slowest[n]), "%.100s: %ld ms, exit %d",
				 cmd, ms, rc);
		}
		__atomic_add_fetch(&t->ops, 1, __ATOMIC_RELAXED);
		if (strstr(err, "waiting for another vectl"))
			__atomic_add_fetch(&t->waits, 1, __ATOMIC_RELAXED);
		if (rc == 0 && op <= 1)
			__atomic_add_fetch(&t->starts, 1, __ATOMIC_RELAXED);
		if (rc == 0 && (op == 2 || op == 3))
			__atomic_add_fetch(&t->stops, 1, __ATOMIC_RELAXED);
		if (!allowed(rc, ok) && !t->first_bad[n][0]) {
			snprintf(t->first_bad[n], sizeof(t->first_bad[n]), "%.100s: exit %d: %.200s",
				 cmd, rc, err);
		}
		if (!allowed(rc, ok))
			__atomic_add_fetch(&t->bad, 1, __ATOMIC_RELAXED);
	}
}

static void destroy_all(void)
{
	char out[4096], err[1024];

	for (unsigned int id = FIRST; id < FIRST + NVE; id++) {
		run_vectl(out, sizeof(out), err, sizeof(err), "stop %u --fast", id);
		run_vectl(out, sizeof(out), err, sizeof(err), "destroy %u", id);
	}
}

FIXTURE(vectl) {
};

FIXTURE_SETUP(vectl)
{
}

FIXTURE_TEARDOWN(vectl)
{
	destroy_all();
}

TEST_F_TIMEOUT(vectl, random_commands_on_shared_ves, 3600)
{
	int seconds = ve_env_int("VE_VECTL_STRESS_SECONDS", 60);
	char out[16384], err[2048], path[64];
	struct tally *t;
	struct ve_info info;
	struct ve_nl nl;
	pid_t pids[WORKERS];
	time_t until;

	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	ASSERT_EQ(0, ve_nl_open(&nl));
	destroy_all();
	for (unsigned int id = FIRST; id < FIRST + NVE; id++) {
		int rc = run_vectl(out, sizeof(out), err, sizeof(err),
				   "create %u --ostemplate busybox", id);

		ASSERT_EQ(0, rc) TH_LOG("create: %s", err);
	}

	until = time(NULL) + seconds;
	for (int i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			worker(i, t, until);
			_exit(0);
		}
	}
	for (int i = 0; i < WORKERS; i++)
		ASSERT_EQ(pids[i], waitpid(pids[i], NULL, 0));
	TH_LOG("%lu commands in %d s: %lu starts, %lu stops, %lu waited for a busy VE",
	       t->ops, seconds, t->starts, t->stops, t->waits);
	EXPECT_EQ(0, t->bad) {
		for (int i = 0; i < WORKERS; i++)
			if (t->first_bad[i][0])
				TH_LOG("worker %d: %s", i, t->first_bad[i]);
	}
	for (int i = 0; i < WORKERS; i++)
		if (t->slowest[i][0])
			TH_LOG("worker %d's slowest: %s", i, t->slowest[i]);
	EXPECT_LT(0, t->starts);
	EXPECT_LT(0, t->stops);

	/* A consistent end: each stops, and nothing of it is left. */
	for (unsigned int id = FIRST; id < FIRST + NVE; id++) {
		int rc = run_vectl(out, sizeof(out), err, sizeof(err), "stop %u", id);

		EXPECT_TRUE(rc == 0 || rc == 31) {
			TH_LOG("stop %u: exit %d: %s", id, rc, err);
		}
		ASSERT_EQ(0, veapi_get(&nl, id, &info));
		EXPECT_EQ(VE_STATE_STOPPED, info.state);
		EXPECT_FALSE(ve_root_mounted(id));
		snprintf(path, sizeof(path), "/sys/fs/cgroup/ve/%u", id);
		EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s is left", path);
		EXPECT_FALSE(ve_lock_held(id));
		EXPECT_EQ(0, run_vectl(out, sizeof(out), err, sizeof(err), "destroy %u", id)) {
			TH_LOG("destroy %u: %s", id, err);
		}
		EXPECT_EQ(-ENOENT, veapi_get(&nl, id, &info));
		snprintf(path, sizeof(path), "/etc/ve/conf/%u.conf.destroyed", id);
		unlink(path);
	}
	ve_nl_close(&nl);
}

TEST_HARNESS_MAIN
