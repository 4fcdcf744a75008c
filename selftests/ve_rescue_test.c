// SPDX-License-Identifier: GPL-2.0
/*
 * vectl rescue: a VE whose own system no longer starts is started from a
 * rescue template, its private area at /mnt/rescue, repaired there, and
 * returned to its own system; on both layouts, with the VE's /proc view
 * and without (the two ways the init's mounts are built). Every refusal
 * leaves the VE as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 331
#define UID_OF(id) (100000u + (id) * 65536u)
#define RESCUE_DIR "/var/lib/ve/private/331.rescue"
#define CONF "/etc/ve/conf/331.conf"

FIXTURE(rescue) {
	struct ve_nl nl;
	char out[8192];
	char err[2048];
};

FIXTURE_VARIANT(rescue) {
	const char *layout;
	bool view;
};

FIXTURE_VARIANT_ADD(rescue, image) {
	.layout = "image",
	.view = true,
};

FIXTURE_VARIANT_ADD(rescue, dir) {
	.layout = "dir",
	.view = true,
};

/* MEMINFO="none": the init builds its mounts itself. */
FIXTURE_VARIANT_ADD(rescue, image_no_view) {
	.layout = "image",
	.view = false,
};

FIXTURE_VARIANT_ADD(rescue, dir_no_view) {
	.layout = "dir",
	.view = false,
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static void clean(FIXTURE_DATA(rescue) *self)
{
	V("stop %u --fast", A);
	V("destroy %u", A);
	unlink(CONF ".destroyed");
}

FIXTURE_SETUP(rescue)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	clean(self);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout %s --hostname rs", A,
		       variant->layout)) TH_LOG("%s", self->err);
	if (!variant->view)
		ASSERT_EQ(0, system("echo 'MEMINFO=\"none\"' >> " CONF));
}

FIXTURE_TEARDOWN(rescue)
{
	clean(self);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK)) TH_LOG("destroy left the rescue tree");
	ve_nl_close(&self->nl);
}

/* Until the system running in the VE has finished its rc script. */
static bool booted(FIXTURE_DATA(rescue) *self)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (V("exec %u test -e /run/booted", A) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

static bool host_mounts_mention(const char *what)
{
	char buf[65536];

	return ve_slurp("/proc/self/mountinfo", buf, sizeof(buf)) && strstr(buf, what);
}

static enum ve_state state_of(FIXTURE_DATA(rescue) *self)
{
	struct ve_info info;

	return veapi_get(&self->nl, A, &info) ? (enum ve_state)-1 : info.state;
}

/* The story: break the init, start fails, repair it in rescue mode. */
TEST_F(rescue, repairs_a_broken_init)
{
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self));
	ASSERT_EQ(0, V("exec %u sh -c 'echo mine > /root/data && rm /sbin/init'", A));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(7, V("start %u", A));
	EXPECT_NE(NULL, strstr(self->err, "/sbin/init")) TH_LOG("%s", self->err);

	ASSERT_EQ(0, V("rescue %u", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "rescue mode")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 331 exist mounted running rescue\n", self->out);
	ASSERT_TRUE(booted(self));
	/* The rescue system's own init, the VE's files below /mnt/rescue. */
	EXPECT_EQ(0, V("exec %u test -x /sbin/init", A));
	EXPECT_EQ(0, V("exec %u test ! -e /mnt/rescue/sbin/init", A));
	ASSERT_EQ(0, V("exec %u cat /mnt/rescue/root/data", A)) TH_LOG("%s", self->err);
	EXPECT_STREQ("mine\n", self->out);
	ASSERT_EQ(0, V("exec %u stat -c %%u:%%g /mnt/rescue/root/data", A));
	EXPECT_STREQ("0:0\n", self->out) TH_LOG("the VE's files are not its root's in rescue");
	ASSERT_EQ(0, V("exec %u hostname", A));
	EXPECT_STREQ("rs\n", self->out);
	/* Nothing of it reaches the host's mounts. */
	EXPECT_FALSE(host_mounts_mention("331.rescue"));

	/* The repair, as the VE's root. */
	ASSERT_EQ(0, V("exec %u sh -c 'ln -s ../bin/busybox /mnt/rescue/sbin/init && touch /mnt/rescue/root/fixed'",
		       A)) TH_LOG("%s", self->err);

	/* Stopped and started, it is still the rescue system. */
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 331 exist unmounted down rescue\n", self->out);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "rescue mode")) TH_LOG("%s", self->out);
	ASSERT_TRUE(booted(self));
	EXPECT_EQ(0, V("exec %u test -e /mnt/rescue/root/fixed", A));

	/* --exit stops it; the VE is its own again, stopped, nothing left. */
	ASSERT_EQ(0, V("rescue %u --exit", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 331 exist unmounted down\n", self->out);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK));
	EXPECT_NE(0, access("/sys/fs/cgroup/ve/331", F_OK));
	EXPECT_EQ(VE_STATE_STOPPED, state_of(self));

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, strstr(self->out, "rescue")) TH_LOG("%s", self->out);
	ASSERT_TRUE(booted(self));
	EXPECT_EQ(0, V("exec %u test ! -e /mnt/rescue/root", A));
	ASSERT_EQ(0, V("exec %u stat -c %%u:%%g /root/fixed", A));
	EXPECT_STREQ("0:0\n", self->out) TH_LOG("a file made in rescue is not the VE's root's");
	ASSERT_EQ(0, V("exec %u cat /root/data", A));
	EXPECT_STREQ("mine\n", self->out);
}

/* Every refusal: one line, its exit code, the VE as it was. */
TEST_F(rescue, refusals_change_nothing)
{
	struct stat st;

	EXPECT_EQ(14, V("rescue 332"));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("rescue 0"));
	EXPECT_EQ(20, V("rescue"));
	EXPECT_EQ(20, V("rescue %u --bogus", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(20, V("rescue %u %u", A, A));

	/* Not in rescue mode. */
	EXPECT_EQ(107, V("rescue %u --exit", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);

	/* Running its own system. */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(32, V("rescue %u", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK));
	EXPECT_EQ(VE_STATE_RUNNING, state_of(self));
	ASSERT_EQ(0, V("stop %u", A));

	/* A rescue template that is not there: nothing made, nothing mounted. */
	ASSERT_EQ(0, system("echo 'RESCUE_OSTEMPLATE=\"nosuch\"' >> " CONF));
	EXPECT_EQ(47, V("rescue %u", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "RESCUE_OSTEMPLATE")) TH_LOG("%s", self->err);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK));
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(VE_STATE_STOPPED, state_of(self));
	ASSERT_EQ(0, system("sed -i '/^RESCUE_OSTEMPLATE=/d' " CONF));

	/* In rescue mode: no second one, no checkpoint, no migration, no destroy. */
	ASSERT_EQ(0, V("rescue %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(32, V("rescue %u", A));
	EXPECT_NE(NULL, strstr(self->err, "already in rescue mode")) TH_LOG("%s", self->err);
	EXPECT_EQ(107, V("suspend %u", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(107, V("migrate %u 192.0.2.1", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(32, V("destroy %u", A));
	EXPECT_EQ(VE_STATE_RUNNING, state_of(self));
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 331 exist mounted running rescue\n", self->out);

	/*
	 * Its /mnt/rescue made a symlink to the host's /etc: the next start
	 * refuses to follow it, and the VE stays stopped.
	 */
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, system("rmdir " RESCUE_DIR "/mnt/rescue && ln -s /etc " RESCUE_DIR "/mnt/rescue"));
	EXPECT_EQ(48, V("start %u", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "/mnt/rescue")) TH_LOG("%s", self->err);
	EXPECT_EQ(VE_STATE_STOPPED, state_of(self));
	EXPECT_FALSE(ve_root_mounted(A));
	ASSERT_EQ(0, lstat("/etc/passwd", &st));

	/* --exit of a stopped rescue VE; destroy of a rescue VE takes its tree. */
	ASSERT_EQ(0, V("rescue %u --exit", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK));
	ASSERT_EQ(0, V("rescue %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, V("destroy %u", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, access(RESCUE_DIR, F_OK));
}

TEST_HARNESS_MAIN
