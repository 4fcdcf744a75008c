// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading ve.ko while its hooks fire everywhere: fork, open
 * and socket storms on the host and in namespaces bound to no VE run
 * through 50 load/unload cycles; rmmod is refused while a VE runs, also
 * under the storms. The runner checks the console for any kernel problem.
 *
 * Run it with single-threaded TCG (scripts/check does): multi-threaded
 * TCG misexecutes the kernel's code patching when another vCPU runs the
 * patched function, which registering any ftrace ops does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "ve_util.h"
#include "kselftest_harness.h"

/* VE_LOAD_CYCLES: make check runs fewer on its second and third kernel. */
#define CYCLES ve_env_int("VE_LOAD_CYCLES", 50)
#define ID 801

/* Forever: fork+exit, open+close, socket+close. */
static int storm(void *arg)
{
	for (;;) {
		pid_t pid = fork();
		int fd;

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			close(fd);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd >= 0)
			close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static pid_t host_storm(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Gone with the test, even when the harness kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(storm(NULL));
	}
	return pid;
}

static int ve_loaded(void)
{
	return access("/sys/module/ve", F_OK) == 0;
}

/*
 * Whether ftrace calls ve.ko from security_file_alloc (tracefs lists
 * every function with a caller attached); -1 without tracefs.
 */
static int hooks_registered(void)
{
	char line[512];
	int found = 0;
	FILE *f;

	mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	f = fopen("/sys/kernel/tracing/enabled_functions", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		found |= !strncmp(line, "security_file_alloc ", 20);
	fclose(f);
	return found;
}

/* Wait up to @seconds for the hooks to be @want; their state then. */
static int hooks_become(int want, int seconds)
{
	int now = hooks_registered();

	for (int i = 0; i < seconds * 10 * ve_time_scale() && now != want; i++) {
		usleep(100000);
		now = hooks_registered();
	}
	return now;
}

/* A VE init that hands the host a file it opened, then waits. */
static int hand_over_a_file(void *arg)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || send_fd(*(int *)arg, fd))
		return 1;
	pause();
	return 0;
}

/* A VE on the namespaces of @c, started; its init runs @fn from go on. */
static int start_ve(struct ve_nl *nl, struct ve_child *c, int (*fn)(void *), void *arg)
{
	veapi_del(nl, ID);
	if (veapi_new(nl, ID, NULL) || ve_child_spawn(c, VE_CHILD_NS, NULL, fn, arg))
		return -1;
	if (veapi_start(nl, ID, c->pid)) {
		ve_child_kill(c);
		return -1;
	}
	ve_child_go(c);
	return 0;
}

static int stop_ve(struct ve_nl *nl, struct ve_child *c)
{
	if (veapi_stop(nl, ID))
		return -1;
	ve_child_wait(c);
	return veapi_wait_state(nl, ID, VE_STATE_STOPPED, 10000) ? 0 : -1;
}

FIXTURE(load) {
	pid_t host[2];
	struct ve_child ns;	/* namespaces no VE is bound to */
};

FIXTURE_SETUP(load)
{
	for (int i = 0; i < 2; i++)
		self->host[i] = host_storm();
	ASSERT_EQ(0, ve_child_spawn(&self->ns, VE_CHILD_NS, NULL, storm, NULL));
	ve_child_go(&self->ns);
}

FIXTURE_TEARDOWN(load)
{
	for (int i = 0; i < 2; i++) {
		kill(self->host[i], SIGKILL);
		waitpid(self->host[i], NULL, 0);
	}
	ve_child_kill(&self->ns);
	if (!ve_loaded())
		ve_module_load();
}

TEST_F_TIMEOUT(load, cycles_under_storms, 900)
{
	int cycles = CYCLES;
	struct timespec t0, t1;

	if (ve_loaded())
		ASSERT_EQ(0, ve_module_unload());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < cycles; i++) {
		struct ve_child init;
		struct ve_nl nl;

		ASSERT_EQ(0, ve_module_load()) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, ve_nl_open(&nl));
		/* The start registers the hooks; a storm in the VE, too. */
		ASSERT_EQ(0, start_ve(&nl, &init, storm, NULL)) TH_LOG("cycle %d", i);
		usleep(20000);	/* let the storms run through the hooks */
		ASSERT_EQ(0, stop_ve(&nl, &init)) TH_LOG("cycle %d", i);
		ve_nl_close(&nl);
		/* Unloaded with the hooks still on (they stay a second). */
		ASSERT_EQ(0, ve_module_unload()) TH_LOG("cycle %d", i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("%d load/unload cycles under storms in %ld ms", cycles,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	ASSERT_EQ(0, ve_module_load());
}

TEST_F_TIMEOUT(load, refused_while_running_under_storms, 120)
{
	struct ve_child init;
	struct ve_nl nl;

	if (!ve_loaded())
		ASSERT_EQ(0, ve_module_load());
	ASSERT_EQ(0, ve_nl_open(&nl));
	veapi_del(&nl, ID);
	ASSERT_EQ(0, veapi_new(&nl, ID, NULL));
	ASSERT_EQ(0, veapi_set_res(&nl, ID, VE_RES_NUMPROC, 20, 20));
	ASSERT_EQ(0, ve_child_spawn(&init, VE_CHILD_NS, NULL, storm, NULL));
	ASSERT_EQ(0, veapi_start(&nl, ID, init.pid));
	ve_child_go(&init);	/* a storm inside the VE, too */
	usleep(200000);

	for (int i = 0; i < 5; i++)
		EXPECT_EQ(-EWOULDBLOCK, ve_module_unload());

	ASSERT_EQ(0, veapi_stop(&nl, ID));
	ve_child_wait(&init);
	ASSERT_TRUE(veapi_wait_state(&nl, ID, VE_STATE_STOPPED, 10000));
	ve_nl_close(&nl);
	/* Stopped VEs (and objects still charged to them) go with the module. */
	ASSERT_EQ(0, ve_module_unload());
	ASSERT_EQ(0, ve_module_load());
}

/*
 * The hooks are there only while they are needed: from the first VE's
 * start until no VE runs and nothing is charged any more (a second later).
 * Until then the host pays nothing for ve.ko. A file a stopped VE handed
 * to the host keeps them, and is uncharged when the host closes it.
 */
TEST_F_TIMEOUT(load, hooks_only_while_needed, 300)
{
	struct ve_child init;
	struct ve_info info;
	struct ve_nl nl;
	int sk[2], fd;

	if (ve_loaded())
		ASSERT_EQ(0, ve_module_unload());
	ASSERT_EQ(0, ve_module_load());
	ASSERT_NE(-1, hooks_registered()) TH_LOG("no tracefs to tell");
	EXPECT_EQ(0, hooks_registered()) TH_LOG("hooks on at load, no VE running");
	ASSERT_EQ(0, ve_nl_open(&nl));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sk));

	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, start_ve(&nl, &init, hand_over_a_file, &sk[1]));
		EXPECT_EQ(1, hooks_registered()) TH_LOG("round %d: no hooks while a VE runs", round);
		fd = recv_fd(sk[0]);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, stop_ve(&nl, &init));

		/* The file is still charged: the hooks stay to uncharge it. */
		sleep(2);
		EXPECT_EQ(1, hooks_registered()) TH_LOG("round %d: hooks gone, a charge left", round);
		ASSERT_EQ(0, veapi_get(&nl, ID, &info));
		EXPECT_EQ(1, info.held[VE_RES_NUMFILE]);

		close(fd);
		EXPECT_EQ(0, hooks_become(0, 10)) TH_LOG("round %d: hooks stay, nothing needs them", round);
		ASSERT_EQ(0, veapi_get(&nl, ID, &info));
		EXPECT_EQ(0, info.held[VE_RES_NUMFILE]);
	}
	close(sk[0]);
	close(sk[1]);
	veapi_del(&nl, ID);
	ve_nl_close(&nl);
}

TEST_HARNESS_MAIN
