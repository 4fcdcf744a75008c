// SPDX-License-Identifier: GPL-2.0
/*
 * Private areas as ext4 images: the default layout, owners as the VE sees
 * them on disk and through an idmapped mount, the same image under another
 * uid base, DISKSPACE and DISKINODES (project quota inside the image) with
 * df showing them, soft limits and their grace, growing a running VE,
 * shrinking a stopped one, refusals that change nothing, the dir layout,
 * and create/start/stop/destroy cycles that leave no loop device, mount
 * or file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <ftw.h>
#include <linux/capability.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 801
#define B 802
#define UID_OF(id) (100000u + (id) * 65536u)
#define MIB (1024LL * 1024)

FIXTURE(disk) {
	struct ve_nl nl;
	char out[16384];
	char err[2048];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static void clean(FIXTURE_DATA(disk) *self)
{
	static const unsigned int ids[] = { A, B };

	for (int i = 0; i < 2; i++) {
		V("stop %u --fast", ids[i]);
		V("destroy %u", ids[i]);
		SH("rm -f /etc/ve/conf/%u.conf.destroyed", ids[i]);
	}
}

FIXTURE_SETUP(disk)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	clean(self);
}

FIXTURE_TEARDOWN(disk)
{
	clean(self);
	ve_nl_close(&self->nl);
}

/* Size, used and free of "/" in VE @id: df -P's blocks (1K) or, with @inodes, df -i's. */
static int df_root(FIXTURE_DATA(disk) *self, unsigned int id, bool inodes,
		   long long *total, long long *used, long long *avail)
{
	char *line;

	if (V("exec %u df -P%s /", id, inodes ? "i" : "k"))
		return -1;
	line = strchr(self->out, '\n');
	if (!line || sscanf(line + 1, "%*s %lld %lld %lld", total, used, avail) != 3)
		return -1;
	return 0;
}

/* Bytes of file @path inside VE @id, or -1. */
static long long ve_file_size(FIXTURE_DATA(disk) *self, unsigned int id, const char *path)
{
	if (V("exec %u stat -c %%s %s", id, path))
		return -1;
	return atoll(self->out);
}

static long long host_file_size(unsigned int id, bool allocated)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/var/lib/ve/private/%u/root.img", id);
	if (stat(path, &st))
		return -1;
	return allocated ? st.st_blocks * 512LL : st.st_size;
}

static bool conf_has(unsigned int id, const char *line)
{
	char path[64], buf[8192];

	snprintf(path, sizeof(path), "/etc/ve/conf/%u.conf", id);
	return ve_slurp(path, buf, sizeof(buf)) && strstr(buf, line);
}

/* The image is the default: a sparse file, raw on the host, idmapped in the VE. */
TEST_F(disk, image_is_the_default_layout)
{
	char buf[8192], want[64];
	struct ve_info info;
	struct stat st;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "VE_LAYOUT=\"image\""));
	ASSERT_EQ(0, stat("/var/lib/ve/private/801/root.img", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	/* 10 GiB and more, of which a few MiB are written. */
	EXPECT_LT(10LL * 1024 * MIB, st.st_size);
	EXPECT_GT(32 * MIB, st.st_blocks * 512LL) TH_LOG("%lld bytes allocated", (long long)st.st_blocks * 512);
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(0, ve_loops_backing("/private/801/"));

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, ve_loops_backing("/private/801/root.img"));
	/* On the host: ext4, no set-uid, no devices, owners as on disk. */
	ve_slurp("/proc/self/mounts", buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, " /var/lib/ve/root/801 ext4 rw,nosuid,nodev,")) TH_LOG("%s", buf);
	ASSERT_EQ(0, stat("/var/lib/ve/root/801/bin/busybox", &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* In the VE: the same files, its own root's, through an idmapped mount. */
	ASSERT_EQ(0, V("exec %u cat /proc/mounts", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, " / ext4 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "idmapped")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u stat -c %%u:%%g /bin/busybox", A));
	EXPECT_STREQ("0:0\n", self->out);
	/* A file of uid 1000 inside is 1000 on disk, whatever the uid base. */
	ASSERT_EQ(0, V("exec %u sh -c 'touch /mine && chown 1000:1001 /mine'", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, stat("/var/lib/ve/root/801/mine", &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1001, st.st_gid);
	/* What host root puts in the root is the VE root's. */
	ASSERT_EQ(0, SH("/usr/bin/cp /bin/busybox /var/lib/ve/root/801/from-host"));
	ASSERT_EQ(0, V("exec %u stat -c %%u:%%g /from-host", A));
	EXPECT_STREQ("0:0\n", self->out);
	/* The VE's processes run under its uid base all the same. */
	ASSERT_EQ(0, veapi_get(&self->nl, A, &info));
	snprintf(buf, sizeof(buf), "/proc/%d/status", info.init_pid);
	snprintf(want, sizeof(want), "Uid:\t%u\t", UID_OF(A));
	EXPECT_NE(NULL, strstr(ve_slurp(buf, buf, sizeof(buf)), want));

	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_FALSE(ve_root_mounted(A));
	for (int i = 0; i < 50 && ve_loops_backing("/private/801/"); i++)
		usleep(100000);
	EXPECT_EQ(0, ve_loops_backing("/private/801/"));
	ASSERT_EQ(0, V("destroy %u", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, access("/var/lib/ve/private/801", F_OK));
	EXPECT_NE(0, access("/run/ve/801.loop", F_OK));
}

/* An image runs under any uid base: VE B starts VE A's image. */
TEST_F(disk, same_image_under_another_uid_base)
{
	struct ve_info info;
	char buf[4096], want[64];

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'echo moved > /owned && chown 1234:4321 /owned'", A));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH("/usr/bin/cp --sparse=always /var/lib/ve/private/%u/root.img /var/lib/ve/private/%u/root.img",
			A, B)) TH_LOG("%s", self->err);

	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u stat -c %%u:%%g /owned", B)) TH_LOG("%s", self->err);
	EXPECT_STREQ("1234:4321\n", self->out);
	ASSERT_EQ(0, V("exec %u cat /owned", B));
	EXPECT_STREQ("moved\n", self->out);
	ASSERT_EQ(0, V("exec %u stat -c %%u /bin/busybox", B));
	EXPECT_STREQ("0\n", self->out);
	ASSERT_EQ(0, veapi_get(&self->nl, B, &info));
	snprintf(buf, sizeof(buf), "/proc/%d/status", info.init_pid);
	snprintf(want, sizeof(want), "Uid:\t%u\t", UID_OF(B));
	EXPECT_NE(NULL, strstr(ve_slurp(buf, buf, sizeof(buf)), want));
	/* Both at once: two images, two loop devices. */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, ve_loops_backing("/private/801/root.img"));
	EXPECT_EQ(1, ve_loops_backing("/private/802/root.img"));
}

/* DISKSPACE: writes stop at the limit, df shows it, others are not touched. */
TEST_F(disk, diskspace_limits_writes_and_df_shows_it)
{
	long long total, used, avail, size;
	struct statvfs host0, host1;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 64M", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"65536:65536\""));
	ASSERT_EQ(0, V("create %u --ostemplate busybox", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);

	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail)) TH_LOG("%s", self->out);
	EXPECT_EQ(65536, total);
	EXPECT_EQ(total, used + avail);
	ASSERT_EQ(0, statvfs("/var/lib/ve", &host0));

	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=100", A));
	EXPECT_NE(NULL, strstr(self->err, "Disk quota exceeded")) TH_LOG("%s", self->err);
	size = ve_file_size(self, A, "/fill");
	EXPECT_LT(56 * MIB, size) TH_LOG("wrote %lld", size);
	EXPECT_GE(64 * MIB, size) TH_LOG("wrote %lld", size);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(65536, total);
	EXPECT_GT(1024, avail);
	/* Root inside is held to it as anyone. */
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill2 bs=1M count=1", A));

	/* The host and the other VE still have room. */
	ASSERT_EQ(0, statvfs("/var/lib/ve", &host1));
	EXPECT_LT(100 * MIB, (long long)host1.f_bavail * host1.f_frsize);
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=80", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(80 * MIB, ve_file_size(self, B, "/fill"));
	/* Freed space is free again. */
	EXPECT_EQ(0, V("exec %u rm /fill", A));
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=32", A)) TH_LOG("%s", self->err);
}

/* DISKINODES: file creation stops at the limit exactly; df -i shows it. */
TEST_F(disk, diskinodes_limits_files_and_df_shows_it)
{
	long long total, used, avail, made;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskinodes 1000", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, true, &total, &used, &avail)) TH_LOG("%s", self->out);
	EXPECT_EQ(1000, total);
	EXPECT_EQ(1000, used + avail);
	ASSERT_EQ(0, V("exec %u sh -c 'mkdir /many && cd /many && i=0; while touch f$i 2>/dev/null; do i=$((i+1)); done; echo $i; touch last; true'",
		       A)) TH_LOG("%s", self->err);
	made = atoll(self->out);
	EXPECT_EQ(avail - 1, made) TH_LOG("made %lld, %lld were free", made, avail);
	EXPECT_NE(NULL, strstr(self->err, "Disk quota exceeded")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, true, &total, &used, &avail));
	EXPECT_EQ(1000, used);
	EXPECT_EQ(0, avail);
}

/* A soft limit may be passed for its grace (QUOTATIME), up to the hard one. */
TEST_F(disk, soft_limit_and_its_grace)
{
	long long total, used, avail, size;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 32M:64M --quotatime 3600", A))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "QUOTATIME=\"3600\""));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(32768, total);
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/soft bs=1M count=48", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/hard bs=1M count=32", A));
	size = ve_file_size(self, A, "/hard");
	EXPECT_GT(16 * MIB, size) TH_LOG("%lld past 48M", size);

	/* No grace: past the soft limit the next write fails. */
	ASSERT_EQ(0, V("exec %u rm /soft /hard", A));
	ASSERT_EQ(0, V("set %u --quotatime 0 --save", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/soft bs=1M count=48", A));
	size = ve_file_size(self, A, "/soft");
	EXPECT_GT(40 * MIB, size) TH_LOG("%lld with no grace", size);
}

/* set --diskspace on a running VE grows its image at once, online. */
TEST_F(disk, diskspace_grows_live)
{
	long long total, used, avail, before, after;
	struct ve_info info0, info1;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 64M", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, veapi_get(&self->nl, A, &info0));
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=100", A));
	before = host_file_size(A, false);

	ASSERT_EQ(0, V("set %u --diskspace 256M --save", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"262144:262144\""));
	after = host_file_size(A, false);
	EXPECT_LT(before + 150 * MIB, after) TH_LOG("image %lld -> %lld", before, after);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(262144, total);
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/more bs=1M count=150", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(150 * MIB, ve_file_size(self, A, "/more"));
	/* The same init: nothing was restarted. */
	ASSERT_EQ(0, veapi_get(&self->nl, A, &info1));
	EXPECT_EQ(info0.init_pid, info1.init_pid);
	/* Without --save: applied, not written. */
	ASSERT_EQ(0, V("set %u --diskspace 300M", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(307200, total);
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"262144:262144\""));
}

/* A lower limit: at once if the VE fits; the image file shrinks while stopped. */
TEST_F(disk, diskspace_shrinks_offline_and_never_below_usage)
{
	long long total, used, avail, before, after;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 2G", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=20", A)) TH_LOG("%s", self->err);

	/* Below what the VE uses: refused, running or not, nothing changed. */
	EXPECT_EQ(62, V("set %u --diskspace 10M --save", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "uses")) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"2097152:2097152\""));
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(2097152, total);
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/fill2 bs=1M count=20", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u rm /fill2", A));

	/* Above it, on the running VE: the limit at once, the file stays. */
	before = host_file_size(A, false);
	ASSERT_EQ(0, V("set %u --diskspace 100M --save", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(102400, total);
	EXPECT_EQ(before, host_file_size(A, false));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);

	EXPECT_EQ(62, V("set %u --diskspace 10M --save", A));
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"102400:102400\""));
	EXPECT_FALSE(ve_root_mounted(A));
	/* Stopped: the image is shrunk to fit the lower limit. */
	ASSERT_EQ(0, V("set %u --diskspace 80M --save", A)) TH_LOG("%s", self->err);
	after = host_file_size(A, false);
	EXPECT_GT(before / 4, after) TH_LOG("image %lld -> %lld", before, after);
	EXPECT_FALSE(ve_root_mounted(A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(20 * MIB, ve_file_size(self, A, "/fill"));
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(81920, total);
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill2 bs=1M count=80", A));
	EXPECT_NE(NULL, strstr(self->err, "Disk quota exceeded")) TH_LOG("%s", self->err);
}

/* Bad disk options: exit 21 in one line, nothing made or changed. */
TEST_F(disk, bad_input_changes_nothing)
{
	static const char *const bad[] = {
		"--diskspace 10Q", "--diskspace 64M:32M", "--diskspace -5", "--diskspace ''",
		"--diskspace 64M:", "--diskspace 1P", "--diskinodes abc", "--diskinodes 1:x",
		"--diskinodes 5000000000", "--quotatime -1", "--quotatime 1h",
		"--quotatime 99999999999", "--layout ploop", "--layout ''",
	};
	char conf[8192], before[8192];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(21, V("create %u --ostemplate busybox %s", A, bad[i])) TH_LOG("create %s: %s", bad[i], self->err);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("create %s: %s", bad[i], self->err);
		EXPECT_NE(0, access("/etc/ve/conf/801.conf", F_OK)) TH_LOG("%s", bad[i]);
		EXPECT_NE(0, access("/var/lib/ve/private/801", F_OK)) TH_LOG("%s", bad[i]);
	}
	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 64M", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ve_slurp("/etc/ve/conf/801.conf", before, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long total, used, avail;
		int rc;

		if (strstr(bad[i], "--layout"))
			continue;
		rc = V("set %u %s --save", A, bad[i]);
		EXPECT_EQ(21, rc) TH_LOG("set %s: %s", bad[i], self->err);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("set %s: %s", bad[i], self->err);
		EXPECT_STREQ(before, ve_slurp("/etc/ve/conf/801.conf", conf, sizeof(conf))) TH_LOG("%s", bad[i]);
		ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
		EXPECT_EQ(65536, total) TH_LOG("%s", bad[i]);
	}
	/* --layout is for create only. */
	EXPECT_EQ(20, V("set %u --layout dir --save", A));
}

/* The dir layout stays: a tree with owners shifted, started as before. */
TEST_F(disk, dir_layout_still_works)
{
	struct stat st;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "VE_LAYOUT=\"dir\""));
	ASSERT_EQ(0, stat("/var/lib/ve/private/801/bin/busybox", &st));
	EXPECT_EQ(UID_OF(A), st.st_uid);
	EXPECT_NE(0, access("/var/lib/ve/private/801/root.img", F_OK));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u stat -c %%u /bin/busybox", A));
	EXPECT_STREQ("0\n", self->out);
	EXPECT_EQ(0, ve_loops_backing("/private/801"));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("destroy %u", A)) TH_LOG("%s", self->err);
}

/*
 * A dir private area's limits: the project quota of the host's filesystem
 * (here an ext4 with quota mounted for the test), project ID = VE ID.
 */
TEST_F(disk, dir_layout_limits_with_project_quota)
{
	long long total, used, avail, size;

	ASSERT_EQ(0, SH("mkdir -p /var/lib/ve-dq && rm -f /tmp/dq.img && "
			"/usr/sbin/mke2fs -q -F -t ext4 -O quota,project -E quotatype=prjquota /tmp/dq.img 768M && "
			"mount -o loop,prjquota /tmp/dq.img /var/lib/ve-dq")) TH_LOG("%s", self->err);

	/* On a filesystem without project quota (the guest's tmpfs): refused, nothing made. */
	EXPECT_EQ(62, V("create %u --ostemplate busybox --layout dir --diskspace 64M", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "project quota")) TH_LOG("%s", self->err);
	EXPECT_NE(0, access("/var/lib/ve/private/801", F_OK));
	EXPECT_NE(0, access("/etc/ve/conf/801.conf", F_OK));

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --private /var/lib/ve-dq/801 --diskspace 64M --diskinodes 2000",
		       A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail)) TH_LOG("%s", self->out);
	EXPECT_EQ(65536, total);
	EXPECT_LT(100, used);
	ASSERT_EQ(0, df_root(self, A, true, &total, &used, &avail)) TH_LOG("%s", self->out);
	EXPECT_EQ(2000, total);
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=100", A));
	EXPECT_NE(NULL, strstr(self->err, "Disk quota exceeded")) TH_LOG("%s", self->err);
	size = ve_file_size(self, A, "/fill");
	EXPECT_LT(56 * MIB, size) TH_LOG("wrote %lld", size);
	EXPECT_GE(64 * MIB, size) TH_LOG("wrote %lld", size);
	ASSERT_EQ(0, V("list -H -o diskspace,diskspace.h %u", A));
	EXPECT_NE(NULL, strstr(self->out, " 65536\n")) TH_LOG("%s", self->out);
	/* Raised live; never below the usage. */
	ASSERT_EQ(0, V("set %u --diskspace 128M --save", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	EXPECT_EQ(131072, total);
	EXPECT_EQ(0, V("exec %u dd if=/dev/zero of=/more bs=1M count=32", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(62, V("set %u --diskspace 32M --save", A));
	EXPECT_TRUE(conf_has(A, "DISKSPACE=\"131072:131072\""));

	/* A dir VE made without limits gets them later: its tree joins the project. */
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --private /var/lib/ve-dq/802", B))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("set %u --diskspace 32M --save", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, B, false, &total, &used, &avail));
	EXPECT_EQ(32768, total);
	EXPECT_LT(1000, used) TH_LOG("the template's files are counted: %lld", used);
	EXPECT_NE(0, V("exec %u dd if=/dev/zero of=/fill bs=1M count=64", B));

	clean(self);
	EXPECT_EQ(0, SH("umount /var/lib/ve-dq && rm -f /tmp/dq.img")) TH_LOG("%s", self->err);
}

/* vectl mount/umount of an image: the loop device comes and goes with it. */
TEST_F(disk, mount_and_umount_an_image)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("mount %u", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_root_mounted(A));
	EXPECT_EQ(1, ve_loops_backing("/private/801/root.img"));
	EXPECT_EQ(0, access("/var/lib/ve/root/801/bin/busybox", F_OK));
	EXPECT_EQ(41, V("mount %u", A));
	/* Started while mounted: the same mount, the same device. */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, ve_loops_backing("/private/801/root.img"));
	EXPECT_EQ(32, V("umount %u", A));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(40, V("umount %u", A));
	ASSERT_EQ(0, V("mount %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("umount %u", A)) TH_LOG("%s", self->err);
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(0, ve_loops_backing("/private/801/"));
	/* A missing image: a clear error. */
	ASSERT_EQ(0, rename("/var/lib/ve/private/801/root.img", "/var/lib/ve/private/801/x.img"));
	EXPECT_EQ(43, V("start %u", A));
	EXPECT_NE(NULL, strstr(self->err, "no image")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, rename("/var/lib/ve/private/801/x.img", "/var/lib/ve/private/801/root.img"));
}

/* vectl list: the layout, vzlist's disk fields, the usage of a mounted image. */
TEST_F(disk, list_shows_layout_limits_and_usage)
{
	long long total, used, avail, l_used, l_soft, l_hard, i_used, i_soft, i_hard;
	char layout[16], line[16384];
	unsigned int id;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 64M:80M --diskinodes 1000:1200",
		       A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, df_root(self, A, false, &total, &used, &avail));
	ASSERT_EQ(0, V("list -H -o ctid,layout,diskspace,diskspace.s,diskspace.h,diskinodes,diskinodes.s,diskinodes.h %u",
		       A)) TH_LOG("%s", self->err);
	ASSERT_EQ(9, sscanf(self->out, "%u %15s %lld %lld %lld %lld %lld %lld", &id, layout,
			    &l_used, &l_soft, &l_hard, &i_used, &i_soft, &i_hard) + 1) TH_LOG("%s", self->out);
	EXPECT_EQ(A, id);
	EXPECT_STREQ("image", layout);
	EXPECT_EQ(used, l_used);
	EXPECT_EQ(65536, l_soft);
	EXPECT_EQ(81920, l_hard);
	EXPECT_LT(100, i_used);
	EXPECT_EQ(1000, i_soft);
	EXPECT_EQ(1200, i_hard);
	/* Not mounted: no usage to show; no limits: unlimited. */
	ASSERT_EQ(0, V("list -H -o ctid,layout,diskspace,diskspace.h,diskinodes.s %u", B));
	snprintf(line, sizeof(line), "%s", self->out);
	EXPECT_EQ(0, strcmp(line, "       802 dir               -    unlimited    unlimited\n")) TH_LOG("%s", line);
	ASSERT_EQ(0, V("list -j -o ctid,diskspace,diskspace.h %u", B));
	EXPECT_NE(NULL, strstr(self->out, "\"diskspace\": null, \"diskspace.h\": null")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("list -a -H -o ctid -s -diskspace.h %u %u", A, B));
	EXPECT_STREQ("       802\n       801\n", self->out);
	EXPECT_EQ(20, V("list -o diskspace.x"));
	EXPECT_TRUE(ve_one_line(self->err));

	/* vectl ubc: vzquota's two rows after the beancounters. */
	ASSERT_EQ(0, V("ubc %u", A));
	snprintf(line, sizeof(line), "%-12s %20lld %20s %20d %20d %20s", "diskspace", l_used, "-",
		 65536, 81920, "-");
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "diskinodes ")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("ubc -j %u", A));
	snprintf(line, sizeof(line), "\"diskspace\": {\"held\": %lld, \"maxheld\": null, \"barrier\": 65536, \"limit\": 81920, \"failcnt\": null}", l_used);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
}

/* One line per file of a tree: what a conversion must keep. */
static struct {
	char lines[4096][256];
	int n;
	unsigned int base;	/* owners are shown less this */
	size_t skip;		/* the root's path length */
	ino_t inos[4096];
	char tags[4096][24];
} walk;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	char xa[64] = "", cap[32] = "-", link_of[32] = "-";
	struct vfs_ns_cap_data c;
	ssize_t n;

	(void)flag;
	(void)f;
	if (walk.n == 4096 || strstr(path, "/lost+found") || !strcmp(path + walk.skip, ""))
		return 0;
	/* Hard links: named by inode here, by their first path below. */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1)
		snprintf(link_of, sizeof(link_of), "#%lu", (unsigned long)st->st_ino);
	walk.inos[walk.n] = st->st_ino;
	n = lgetxattr(path, "trusted.ve", xa, sizeof(xa) - 1);
	xa[n > 0 ? n : 0] = '\0';
	n = lgetxattr(path, "security.capability", &c, sizeof(c));
	if (n >= (ssize_t)XATTR_CAPS_SZ_2)
		snprintf(cap, sizeof(cap), "%x/%x", c.data[0].permitted, c.data[0].inheritable);
	snprintf(walk.lines[walk.n++], sizeof(walk.lines[0]), "%s %o %u:%u %lld %lu %s %s %s",
		 path + walk.skip, st->st_mode, st->st_uid - walk.base, st->st_gid - walk.base,
		 S_ISDIR(st->st_mode) ? 0LL : (long long)st->st_size, (unsigned long)st->st_nlink,
		 link_of, xa, cap);
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The lines of the tree at @root, owners less @base, sorted, joined. */
static char *walk_tree(const char *root, unsigned int base)
{
	size_t total = 0;
	char *all;

	walk.n = 0;
	walk.base = base;
	walk.skip = strlen(root);
	if (nftw(root, walk_one, 32, FTW_PHYS | FTW_MOUNT))
		return NULL;
	qsort(walk.lines, walk.n, sizeof(walk.lines[0]), cmp_lines);
	/* A hard link's inode number becomes the first path (sorted) that has it. */
	for (int i = 0; i < walk.n; i++) {
		char *hash = strstr(walk.lines[i], " #");

		walk.tags[i][0] = '\0';
		if (hash)
			snprintf(walk.tags[i], sizeof(walk.tags[i]), "%.*s",
				 (int)strcspn(hash + 1, " "), hash + 1);
	}
	for (int i = 0; i < walk.n; i++) {
		char *hash = strstr(walk.lines[i], " #"), tail[256];
		int k = 0;

		if (!hash)
			continue;
		while (strcmp(walk.tags[k], walk.tags[i]))
			k++;
		snprintf(tail, sizeof(tail), "%s", hash + 1 + strlen(walk.tags[i]));
		snprintf(hash, sizeof(walk.lines[0]) - (hash - walk.lines[i]), " =%.*s%s",
			 (int)strcspn(walk.lines[k], " "), walk.lines[k], tail);
	}
	for (int i = 0; i < walk.n; i++)
		total += strlen(walk.lines[i]) + 1;
	all = calloc(total + 1, 1);
	for (int i = 0; all && i < walk.n; i++) {
		strcat(all, walk.lines[i]);
		strcat(all, "\n");
	}
	return all;
}

/* convert --layout image keeps every file, owner, mode, xattr, capability and link. */
TEST_F(disk, convert_dir_to_image_keeps_everything)
{
	struct vfs_ns_cap_data cap = {
		.magic_etc = VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1u << CAP_NET_BIND_SERVICE } },
		.rootid = UID_OF(A),
	};
	char *before, *after;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --diskspace unlimited", A))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'mkdir /t && echo x > /t/a && ln /t/a /t/hard && chown 1000:1001 /t/a && cp /bin/busybox /t/suid && chmod 4755 /t/suid && cp /bin/busybox /t/cap && ln -s a /t/sym && mkfifo /t/fifo && chown -h 7:8 /t/sym && mkdir -m 1777 /t/sticky'",
		       A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, lsetxattr("/var/lib/ve/private/801/t/a", "trusted.ve", "kept", 4, 0));
	ASSERT_EQ(0, setxattr("/var/lib/ve/private/801/t/cap", "security.capability", &cap,
			      XATTR_CAPS_SZ_3, 0)) TH_LOG("%s", strerror(errno));
	before = walk_tree("/var/lib/ve/private/801", UID_OF(A));
	ASSERT_NE(NULL, before);
	EXPECT_NE(NULL, strstr(before, "/t/cap 100755 0:0")) TH_LOG("%s", before);
	EXPECT_NE(NULL, strstr(before, " 400/0\n")) TH_LOG("%s", before);

	EXPECT_EQ(14, V("convert %u --layout image", B));
	ASSERT_EQ(0, V("convert %u --layout image", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(conf_has(A, "VE_LAYOUT=\"image\""));
	EXPECT_EQ(0, access("/var/lib/ve/private/801/root.img", F_OK));
	EXPECT_NE(0, access("/var/lib/ve/private/801/bin", F_OK));
	EXPECT_NE(0, access("/var/lib/ve/private/801.image", F_OK));
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(0, ve_loops_backing("/private/801"));

	ASSERT_EQ(0, V("mount %u", A)) TH_LOG("%s", self->err);
	after = walk_tree("/var/lib/ve/root/801", 0);
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	ASSERT_EQ(0, V("umount %u", A)) TH_LOG("%s", self->err);
	free(before);
	free(after);

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u stat -c '%%u:%%g %%a' /t/a /t/suid", A));
	EXPECT_STREQ("1000:1001 644\n0:0 4755\n", self->out);
	EXPECT_EQ(21, V("convert %u --layout image", A));
	EXPECT_EQ(21, V("convert %u --layout dir", A));
	EXPECT_EQ(20, V("convert %u", A));
	/* A running dir VE is refused. */
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(32, V("convert %u --layout image", B));
	EXPECT_TRUE(ve_one_line(self->err));
	EXPECT_TRUE(conf_has(B, "VE_LAYOUT=\"dir\""));
}

/*
 * A template's file capabilities (v2, the host's) reach the VE's root in
 * both layouts: v3 rooted in the VE's uid base in a dir tree, as they are
 * in an image (the VE's idmapped mount roots them in the VE).
 */
TEST_F(disk, template_file_capabilities_reach_the_ve)
{
	struct vfs_cap_data v2 = {
		.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
		.data = { { .permitted = 1u << CAP_NET_RAW } },
	};
	struct vfs_ns_cap_data got;
	ssize_t n;

	ASSERT_EQ(0, SH("rm -rf /var/lib/ve/template/capt && mkdir /var/lib/ve/template/capt && "
			"tar -xzf /var/lib/ve/template/busybox.tar.gz -C /var/lib/ve/template/capt && "
			"cp /var/lib/ve/template/capt/bin/busybox /var/lib/ve/template/capt/bin/pinger"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, setxattr("/var/lib/ve/template/capt/bin/pinger", "security.capability", &v2,
			      XATTR_CAPS_SZ_2, 0)) TH_LOG("%s", strerror(errno));

	ASSERT_EQ(0, V("create %u --ostemplate capt --layout dir", A)) TH_LOG("%s", self->err);
	n = getxattr("/var/lib/ve/private/801/bin/pinger", "security.capability", &got, sizeof(got));
	ASSERT_EQ((ssize_t)XATTR_CAPS_SZ_3, n) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(UID_OF(A), got.rootid);
	EXPECT_EQ(1u << CAP_NET_RAW, got.data[0].permitted);

	ASSERT_EQ(0, V("create %u --ostemplate capt", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("mount %u", B)) TH_LOG("%s", self->err);
	n = getxattr("/var/lib/ve/root/802/bin/pinger", "security.capability", &got, sizeof(got));
	EXPECT_LE((ssize_t)XATTR_CAPS_SZ_2, n) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1u << CAP_NET_RAW, got.data[0].permitted);
	ASSERT_EQ(0, V("umount %u", B)) TH_LOG("%s", self->err);
	SH("rm -rf /var/lib/ve/template/capt");
}

/* The snapshot ID in "Snapshot UUID of VE N taken". */
static bool taken_id(const char *out, char id[37])
{
	return sscanf(out, "Snapshot %36s of VE", id) == 1 && strlen(id) == 36;
}

/* A snapshot taken, files changed, switched back: the old files are back. */
TEST_F(disk, snapshot_switch_brings_old_files_back)
{
	char first[37], second[37], line[256];
	long long bytes;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 256M", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'echo one > /data && dd if=/dev/urandom of=/blob bs=1M count=8 2>/dev/null && md5sum /blob > /blob.md5'",
		       A)) TH_LOG("%s", self->err);
	/* Taken while the VE runs (its filesystem frozen meanwhile). */
	ASSERT_EQ(0, V("snapshot %u --name first", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(taken_id(self->out, first)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, V("exec %u sh -c 'echo two > /data && rm /blob && touch /new'", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("snapshot %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(taken_id(self->out, second));
	EXPECT_EQ(21, V("snapshot %u --id %s", A, first));
	EXPECT_NE(NULL, strstr(self->err, "exists")) TH_LOG("%s", self->err);

	ASSERT_EQ(0, V("snapshot-list %u -H -o id,name,size", A)) TH_LOG("%s", self->err);
	snprintf(line, sizeof(line), "%s first ", first);
	EXPECT_EQ(0, strncmp(self->out, line, strlen(line))) TH_LOG("%s", self->out);
	EXPECT_EQ(1, sscanf(self->out + strlen(line), "%lld", &bytes));
	/* A copy of what the image holds, not of its size. */
	EXPECT_LT(8 * MIB, bytes);
	EXPECT_GT(64 * MIB, bytes) TH_LOG("%lld bytes", bytes);
	EXPECT_NE(NULL, strstr(self->out, second));
	ASSERT_EQ(0, V("snapshot-list %u -j", A));
	EXPECT_NE(NULL, strstr(self->out, "\"name\": \"first\"")) TH_LOG("%s", self->out);

	/* Switching needs the VE stopped. */
	EXPECT_EQ(32, V("snapshot-switch %u --id %s", A, first));
	EXPECT_TRUE(ve_one_line(self->err));
	ASSERT_EQ(0, V("exec %u cat /data", A));
	EXPECT_STREQ("two\n", self->out);
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("snapshot-switch %u --id %s", A, first)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u cat /data", A));
	EXPECT_STREQ("one\n", self->out);
	EXPECT_EQ(0, V("exec %u md5sum -c /blob.md5", A)) TH_LOG("%s %s", self->out, self->err);
	EXPECT_NE(0, V("exec %u test -e /new", A));
	/* And forward again: the second one has the later files. */
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("snapshot-switch %u --id %s", A, second)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u cat /data", A));
	EXPECT_STREQ("two\n", self->out);
	EXPECT_EQ(0, V("exec %u test -e /new", A));

	ASSERT_EQ(0, V("snapshot-delete %u --id %s", A, first)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("snapshot-delete %u --id %s", A, first));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("snapshot-switch %u --id %s", A, first));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("snapshot-list %u -H -o id", A));
	EXPECT_EQ(NULL, strstr(self->out, first));
	EXPECT_NE(NULL, strstr(self->out, second));
	/* Bad input. */
	EXPECT_EQ(21, V("snapshot %u --id not-a-uuid", A));
	EXPECT_EQ(21, V("snapshot %u --name 'a\"b'", A));
	EXPECT_EQ(20, V("snapshot-delete %u", A));
	EXPECT_EQ(20, V("snapshot-list %u -o id,color", A));
	EXPECT_EQ(14, V("snapshot %u", B));
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("snapshot %u", B));
	EXPECT_NE(NULL, strstr(self->err, "image")) TH_LOG("%s", self->err);
}

/* Create, start, stop, destroy, many times: nothing is left behind. */
TEST_F_TIMEOUT(disk, cycles_leave_nothing_behind, 900)
{
	int cycles = ve_env_int("VE_DISK_CYCLES", 50);

	for (int i = 0; i < cycles; i++) {
		ASSERT_EQ(0, V("create %u --ostemplate busybox --diskspace 64M", A)) TH_LOG("%d: %s", i, self->err);
		ASSERT_EQ(0, V("start %u", A)) TH_LOG("%d: %s", i, self->err);
		ASSERT_EQ(0, V("exec %u touch /x", A)) TH_LOG("%d: %s", i, self->err);
		ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%d: %s", i, self->err);
		ASSERT_EQ(0, V("destroy %u", A)) TH_LOG("%d: %s", i, self->err);
		SH("rm -f /etc/ve/conf/%u.conf.destroyed", A);
	}
	for (int i = 0; i < 50 && ve_loops_backing("/private/801"); i++)
		usleep(100000);
	EXPECT_EQ(0, ve_loops_backing("/private/801"));
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_NE(0, access("/var/lib/ve/private/801", F_OK));
	EXPECT_NE(0, access("/var/lib/ve/private/801.partial", F_OK));
	EXPECT_NE(0, access("/run/ve/801.loop", F_OK));
	EXPECT_NE(0, access("/etc/ve/conf/801.conf", F_OK));
	TH_LOG("%d cycles", cycles);
}

TEST_HARNESS_MAIN
