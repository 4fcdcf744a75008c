// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading ve.ko: every load brings up the family and /proc/vz,
 * every unload takes all of it away, and vectl tells the user when the
 * module is missing. Leaves the module loaded, as it found it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

/* VE_LOAD_CYCLES: make check runs fewer on its second and third kernel. */
#define CYCLES ve_env_int("VE_LOAD_CYCLES", 50)

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* 0 when the family answers GET, else the error of open or GET. */
static int family_answers(void)
{
	static struct ve_nl nl;
	int err = ve_nl_open(&nl);

	if (err)
		return err;
	ve_nl_msg(&nl, VE_CMD_GET, 0);
	err = ve_nl_run(&nl, NULL, NULL);
	ve_nl_close(&nl);
	return err;
}

/* The kernel autoloads families by alias; make that fail on purpose. */
static void set_modprobe(const char *path)
{
	FILE *f = fopen("/proc/sys/kernel/modprobe", "w");

	if (f) {
		fprintf(f, "%s\n", path);
		fclose(f);
	}
}

FIXTURE(module) {
	char modprobe[256];
};

FIXTURE_SETUP(module)
{
	FILE *f = fopen("/proc/sys/kernel/modprobe", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->modprobe, sizeof(self->modprobe), f));
	self->modprobe[strcspn(self->modprobe, "\n")] = '\0';
	fclose(f);
	if (exists("/sys/module/ve"))
		ASSERT_EQ(0, ve_module_unload());
}

FIXTURE_TEARDOWN(module)
{
	set_modprobe(self->modprobe);
	if (!exists("/sys/module/ve"))
		ve_module_load();
}

TEST_F_TIMEOUT(module, load_unload_cycles_leave_nothing, 300)
{
	set_modprobe("/bin/false");
	for (int i = 0, cycles = CYCLES; i < cycles; i++) {
		ASSERT_EQ(0, ve_module_load()) {
			TH_LOG("load %d failed", i);
		}
		ASSERT_TRUE(exists("/proc/vz"));
		ASSERT_EQ(0, family_answers());
		ASSERT_EQ(0, ve_module_unload()) {
			TH_LOG("unload %d failed", i);
		}
		ASSERT_FALSE(exists("/proc/vz"));
		ASSERT_FALSE(exists("/sys/module/ve"));
		ASSERT_EQ(-ENOENT, family_answers()) {
			TH_LOG("family still registered after unload %d", i);
		}
	}
}

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

/* Start VE @id on a fresh child and stop it again: leaves it STOPPED. */
static int run_once(struct ve_nl *nl, uint32_t id)
{
	struct ve_child c;
	int err;

	err = ve_child_spawn(&c, VE_CHILD_NS, NULL, sleep_forever, NULL);
	if (err)
		return err;
	err = veapi_start(nl, id, c.pid);
	ve_child_go(&c);
	if (!err)
		err = veapi_stop(nl, id);
	if (err)
		kill(c.pid, SIGKILL);
	ve_child_wait(&c);
	if (!err && !veapi_wait_state(nl, id, VE_STATE_STOPPED, 5000))
		err = -ETIMEDOUT;
	return err;
}

/*
 * STOPPED VEs are freed on unload. A leaked object would make
 * kmem_cache_destroy() complain on the console, which fails the run.
 */
TEST_F_TIMEOUT(module, unload_frees_stopped_ves_cycles, 600)
{
	static struct ve_nl nl;
	int cycles = 2 * CYCLES;

	set_modprobe("/bin/false");
	for (int i = 0; i < cycles; i++) {
		ASSERT_EQ(0, ve_module_load());
		ASSERT_EQ(0, ve_nl_open(&nl));
		for (uint32_t id = 1; id <= 3; id++)
			ASSERT_EQ(0, veapi_new(&nl, id, NULL));
		ASSERT_EQ(0, veapi_set_res(&nl, 2, VE_RES_NUMFILE, 10, 20));
		ASSERT_EQ(0, run_once(&nl, 3)) {
			TH_LOG("cycle %d: start/stop: %s", i, nl.err.msg);
		}
		ve_nl_close(&nl);
		ASSERT_EQ(0, ve_module_unload()) {
			TH_LOG("unload %d failed", i);
		}
		ASSERT_FALSE(exists("/proc/vz"));
	}
}

TEST_F(module, rmmod_refused_while_a_ve_runs)
{
	static struct ve_nl nl;
	struct ve_child c;

	ASSERT_EQ(0, ve_module_load());
	ASSERT_EQ(0, ve_nl_open(&nl));
	ASSERT_EQ(0, veapi_new(&nl, 7, NULL));
	ASSERT_EQ(0, ve_child_spawn(&c, VE_CHILD_NS, NULL, sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&nl, 7, c.pid));
	ve_child_go(&c);

	EXPECT_EQ(-EWOULDBLOCK, ve_module_unload());
	EXPECT_TRUE(exists("/sys/module/ve"));

	ASSERT_EQ(0, veapi_stop(&nl, 7));
	ve_child_wait(&c);
	ASSERT_TRUE(veapi_wait_state(&nl, 7, VE_STATE_STOPPED, 5000));
	ve_nl_close(&nl);
	EXPECT_EQ(0, ve_module_unload());
}

TEST_F(module, double_load_is_refused)
{
	ASSERT_EQ(0, ve_module_load());
	EXPECT_EQ(-EEXIST, ve_module_load());
	EXPECT_EQ(0, ve_module_unload());
}

/* Run vectl; return its exit status and its first stderr line. */
static int vectl(const char *args, char *line, size_t len)
{
	const char *bin = getenv("VECTL") ? getenv("VECTL") : "vectl";
	char cmd[512];
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", bin, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!fgets(line, (int)len, f))
		line[0] = '\0';
	while (fgetc(f) != EOF)
		;
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(module, vectl_says_module_not_loaded)
{
	char line[256];

	set_modprobe("/bin/false");
	EXPECT_EQ(5, vectl("version", line, sizeof(line)));
	EXPECT_STREQ("vectl: ve: kernel module not loaded (try: modprobe ve)\n", line);
	EXPECT_FALSE(exists("/sys/module/ve"));
}

TEST_F(module, vectl_autoloads_module_by_family_alias)
{
	char line[256];

	EXPECT_EQ(0, vectl("version", line, sizeof(line))) {
		TH_LOG("vectl: %s", line);
	}
	EXPECT_TRUE(exists("/sys/module/ve"));
}

TEST_HARNESS_MAIN
