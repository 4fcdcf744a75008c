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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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
		ASSERT_EQ(0, ve_module_load()) TH_LOG("cycle %d", i);
		usleep(20000);	/* let the storms run through the hooks */
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

TEST_HARNESS_MAIN
