// SPDX-License-Identifier: GPL-2.0
/*
 * The escape suite: root inside VE 401 attacks the host and VE 402. Each
 * case names the attack it stands for; the attempts themselves run in the
 * VE as /ve_escape (selftests/ve_escape.c), and every one must be refused.
 * Attacks through the netlink family from inside a VE are the fuzzer's
 * (ve_fuzz_test, as_root_inside_a_ve) and ve_lifecycle_test's
 * (permissions_inside_a_ve); address spoofing waits for VE networking.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 401
#define B 402
#define C 403

FIXTURE(escape) {
	struct ve_nl nl;
	char out[16384];
	char err[2048];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

/* Wait for the template's rc script to finish. */
static bool booted(FIXTURE_DATA(escape) *self, unsigned int id)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (V("exec %u test -e /run/booted", id) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* A and B run (made once, kept across cases); A has the attack helper. */
FIXTURE_SETUP(escape)
{
	char cmd[128];

	ASSERT_EQ(0, ve_nl_open(&self->nl));
	for (unsigned int id = A; id <= B; id++) {
		if (veapi_running(&self->nl, id) == 1)
			continue;
		V("create %u --ostemplate busybox", id);
		ASSERT_EQ(0, V("start %u", id)) TH_LOG("start %u: %s", id, self->err);
		ASSERT_TRUE(booted(self, id));
	}
	snprintf(cmd, sizeof(cmd), "cp /selftests/ve_escape /var/lib/ve/root/%u/ve_escape", A);
	ASSERT_EQ(0, system(cmd));
}

FIXTURE_TEARDOWN(escape)
{
	ve_nl_close(&self->nl);
}

/* Runs attack @what in A; every attempt must be refused. */
#define ATTACK(what) do {						\
	int rc_ = V("exec %u /ve_escape %s", A, what);			\
	TH_LOG("%s", self->out);					\
	EXPECT_EQ(0, rc_) TH_LOG("%s", self->err);			\
	EXPECT_EQ(NULL, strstr(self->out, "ESCAPED"));			\
} while (0)

/* kill/ptrace the host's or B's processes: nothing outside A is in sight. */
TEST_F(escape, processes_outside_are_out_of_sight)
{
	ATTACK("pids");
}

/*
 * runc CVE-2024-21626 style: a host fd (a cgroup dir, say), working
 * directory or root leaked into the process vectl exec starts.
 */
TEST_F(escape, exec_hands_over_no_host_fd_cwd_or_root)
{
	ATTACK("fds");
	EXPECT_NE(NULL, strstr(self->out, "fds: cwd -> /\n"));
	EXPECT_EQ(0, V("exec %u 'cd /tmp && /ve_escape fds'", A));
	EXPECT_NE(NULL, strstr(self->out, "fds: cwd -> /tmp\n")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "ESCAPED")) TH_LOG("%s", self->out);
}

/* Mount the kernel's global filesystems (debugfs, devtmpfs, a disk). */
TEST_F(escape, global_filesystems_cannot_be_mounted)
{
	ATTACK("mount");
}

/*
 * Lift the disk quota of the VE's image: set it to none, turn it off, move
 * files out of its project, remount without it, or reach the loop device.
 */
TEST_F(escape, disk_quota_cannot_be_lifted)
{
	ASSERT_EQ(0, V("set %u --diskspace 1G --diskinodes 100000 --save", A)) TH_LOG("%s", self->err);
	ATTACK("disk");
	EXPECT_NE(NULL, strstr(self->out, "set the project quota to none: refused")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u df -P /", A));
	EXPECT_NE(NULL, strstr(self->out, " 1048576 ")) TH_LOG("%s", self->out);
}

/* mknod a disk or /dev/mem to read the host's memory or storage. */
TEST_F(escape, device_nodes_cannot_be_made)
{
	ATTACK("mknod");
}

/* Load a module (kernel code), or unload ve.ko. */
TEST_F(escape, modules_cannot_be_loaded_or_unloaded)
{
	ATTACK("module");
}

/* Write global /proc/sys and /sys knobs (core_pattern is host root). */
TEST_F(escape, global_knobs_cannot_be_written)
{
	ATTACK("sysctl");
}

/* Reach the host's cgroup tree or B's cgroup to move or limit processes. */
TEST_F(escape, other_cgroups_are_out_of_reach)
{
	char what[32];

	snprintf(what, sizeof(what), "cgroup %u", B);
	ATTACK(what);
}

/* Read another VE's beancounters or list the node's VEs. */
TEST_F(escape, beancounters_show_the_own_ve_only)
{
	ASSERT_EQ(0, V("exec %u cat /proc/user_beancounters", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "401:")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "402:")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u cat /proc/vz/veinfo", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, strstr(self->out, "402")) TH_LOG("%s", self->out);
}

/* Escape numproc with a user+pid namespace nested inside the VE. */
TEST_F(escape, nested_namespaces_escape_no_limit)
{
	ASSERT_EQ(0, V("set %u --numproc 40:40", A)) TH_LOG("%s", self->err);
	ATTACK("nested 100");
	EXPECT_EQ(0, V("set %u --numproc unlimited", A)) TH_LOG("%s", self->err);
}

/*
 * runc CVE-2019-5736: the VE makes vectl exec run "#!/proc/self/exe" and
 * grabs the host binary through /proc/PID/exe to overwrite it once it
 * exits. vectl must stay as it was.
 */
TEST_F(escape, proc_self_exe_cannot_overwrite_vectl)
{
	char path[128];
	FILE *f;

	ASSERT_EQ(0, system("cp /usr/sbin/vectl /tmp/vectl.orig"));
	snprintf(path, sizeof(path), "/var/lib/ve/root/%u/tmp/evil", A);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("#!/proc/self/exe\n", f);
	fclose(f);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "/var/lib/ve/root/%u/tmp/exe.out", A);
	unlink(path);
	ASSERT_EQ(0, V("exec %u 'setsid /ve_escape exe 15 > /tmp/exe.out 2>&1 < /dev/null &'", A));
	for (int i = 0; i < 30; i++) {
		V("exec %u /tmp/evil", A);
		V("exec %u true", A);
	}
	for (int i = 0; i < 200 && V("exec %u grep -q '^exe:' /tmp/exe.out", A); i++)
		usleep(100000);
	ASSERT_EQ(0, V("exec %u cat /tmp/exe.out", A));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "exe: ")) TH_LOG("the watcher did not finish");
	EXPECT_EQ(NULL, strstr(self->out, "ESCAPED"));
	EXPECT_EQ(0, system("cmp -s /usr/sbin/vectl /tmp/vectl.orig"));
}

/*
 * Symlinks planted in the VE's tree pointing at the host's (absolute and
 * relative, in directories and at the top) lead neither stop, umount nor
 * destroy out of the private area; and a directory chain deeper than
 * PATH_MAX does not make destroy fail.
 */
TEST_F(escape, planted_links_and_deep_trees_lead_no_host_tool_out)
{
	struct stat passwd, conf;

	ASSERT_EQ(0, stat("/etc/passwd", &passwd));
	ASSERT_EQ(0, stat("/etc/ve/ve.conf", &conf));
	V("stop %u --fast", C);
	V("destroy %u", C);
	ASSERT_EQ(0, V("create %u --ostemplate busybox", C)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", C)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u 'ln -s / /hostroot; ln -s ../../../../../../../../etc /relroot; "
		       "mkdir -p /d/e && ln -s /etc /d/e/etc && ln -s /etc/passwd /d/passwd; "
		       "ln -s /etc/ve /ve-conf'", C)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, system("cp /selftests/ve_escape /var/lib/ve/root/403/ve_escape"));
	ASSERT_EQ(0, V("exec %u '/ve_escape deep 3000'", C)) TH_LOG("%s", self->err);
	EXPECT_STREQ("deep: made\n", self->out);
	EXPECT_EQ(0, V("stop %u", C)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("destroy %u", C)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, stat("/etc/passwd", &passwd));
	EXPECT_EQ(0, stat("/etc/ve/ve.conf", &conf));
	EXPECT_EQ(0, access("/etc/ve/conf/403.conf.destroyed", F_OK));
	EXPECT_NE(0, access("/var/lib/ve/private/403", F_OK));
	unlink("/etc/ve/conf/403.conf.destroyed");
}

/* Last: the VEs go. */
TEST_F(escape, zz_cleanup)
{
	for (unsigned int id = A; id <= B; id++) {
		char path[64];

		EXPECT_EQ(0, V("stop %u --fast", id)) TH_LOG("%s", self->err);
		EXPECT_EQ(0, V("destroy %u", id)) TH_LOG("%s", self->err);
		snprintf(path, sizeof(path), "/etc/ve/conf/%u.conf.destroyed", id);
		unlink(path);
	}
}

TEST_HARNESS_MAIN
