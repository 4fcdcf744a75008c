// SPDX-License-Identifier: GPL-2.0
/*
 * vectl suspend and resume (criu): a running VE is checkpointed to disk
 * and stops; its resume brings back the same processes with the same
 * pids, their memory (a counter goes on from where it was), an
 * established TCP connection from the host (it echoes again), its
 * address, limits and module object, with every task counted. A dump
 * elsewhere (--dumpfile) is found again; bad input, a damaged dump and a
 * resume that fails change nothing and leave nothing behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 841
#define B 842
#define ADDR "10.0.84.1"
#define HOST_ADDR "10.0.85.1"
#define CLIENT_OUT "/tmp/ve_ck_client.out"

FIXTURE(ck) {
	char out[16384];
	char err[4096];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static void clean(FIXTURE_DATA(ck) *self)
{
	SH("/usr/sbin/ip link del veck0 2>/dev/null");
	SH("kill -- -$(cat /tmp/ve_ck_client.pid 2>/dev/null) 2>/dev/null; rm -rf " CLIENT_OUT " /tmp/ve_ck_client.pid /var/tmp/ve-ck-elsewhere;"
	   " for i in %u %u; do vectl stop $i --fast; vectl stop $i; vectl destroy $i; done >/dev/null 2>&1", A, B);
}

FIXTURE_SETUP(ck)
{
	if (access("/usr/sbin/criu", X_OK))
		SKIP(return, "criu is not installed");
	clean(self);
	/* An address of the host's for the VE to answer to (no uplink here). */
	ASSERT_EQ(0, SH("/usr/sbin/ip link add veck0 type veth peer name veck1 &&"
			" /usr/sbin/ip addr add " HOST_ADDR "/32 dev veck0 &&"
			" /usr/sbin/ip link set veck0 up && /usr/sbin/ip link set veck1 up")) TH_LOG("%s", self->err);
}

FIXTURE_TEARDOWN(ck)
{
	clean(self);
}

/* A counter and a TCP echo server (port 7) in VE @id, both in the background. */
static int start_workload(FIXTURE_DATA(ck) *self, unsigned int id)
{
	return V("exec %u sh -c '(i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done)"
		 " </dev/null >/dev/null 2>&1 & nc -l -p 7 -e cat </dev/null >/dev/null 2>&1 &'", id);
}

static long counter(FIXTURE_DATA(ck) *self, unsigned int id)
{
	return V("exec %u cat /tmp/count", id) ? -1 : atol(self->out);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The most the counter (one a second) can have gone on from @before to
 * @after if it ran only while it was not suspended: the seconds from its
 * reading to the suspend's end and from the resume's start to its next
 * reading, and one at each end. A counter that went on through the gap
 * between (or started again from 1) is off that.
 */
static bool counted_only_while_running(long before, long after, double read0, double suspended,
				       double resuming, double read1)
{
	return after >= before && after <= before + (long)(suspended - read0) +
					     (long)(read1 - resuming) + 2;
}

/* The lines the host's client has had echoed back so far. */
static int echoed(FIXTURE_DATA(ck) *self)
{
	return SH("wc -l 2>/dev/null < " CLIENT_OUT) ? -1 : atoi(self->out);
}

/* Nothing of VE @id runs or is set up on the host. */
static int host_clean(FIXTURE_DATA(ck) *self, unsigned int id)
{
	return SH("test ! -e /sys/fs/cgroup/ve/%u && ! grep -q ' /var/lib/ve/root/%u ' /proc/self/mountinfo &&"
		  " ! /usr/sbin/ip link show venet%u >/dev/null 2>&1 && test -z \"$(/usr/sbin/ip route show " ADDR ")\" &&"
		  " grep '^ *%u ' /proc/vz/veinfo | awk '{ exit $2 != 0 }'", id, id, id, id);
}

TEST_F_TIMEOUT(ck, suspend_and_resume_keep_processes_memory_and_a_connection, 600)
{
	char ps_before[16384], *line;
	double uptime, read0, suspended, resuming, read1;
	long before, after;
	int lines;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --ipadd " ADDR " --hostname ck-%u",
		       A, A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("set %u --numproc 77 --save", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, start_workload(self, A)) TH_LOG("%s", self->err);
	/* A bind mount made inside the VE is the VE's own: criu carries it. */
	ASSERT_EQ(0, V("exec %u sh -c 'mkdir -p /mnt/etc && mount --bind /etc /mnt/etc'", A))
		TH_LOG("%s", self->err);
	/* The host holds a connection to the VE's echo server, a line a second. */
	ASSERT_EQ(0, SH("sleep 1; setsid sh -c '(i=0; while :; do i=$((i+1)); echo line$i; sleep 1; done) |"
			" nc " ADDR " 7 > " CLIENT_OUT "' </dev/null >/dev/null 2>&1 & echo $! > /tmp/ve_ck_client.pid")) TH_LOG("%s", self->err);
	for (int i = 0; i < 30 && echoed(self) < 3; i++)
		sleep(1);
	ASSERT_LE(3, echoed(self)) TH_LOG("the echo server does not answer before the suspend");
	ASSERT_EQ(0, V("exec %u ps -o pid,args", A));
	snprintf(ps_before, sizeof(ps_before), "%s", self->out);
	ASSERT_NE(NULL, strstr(ps_before, "nc -l -p 7")) TH_LOG("%s", ps_before);
	read0 = now_s();
	before = counter(self, A);
	ASSERT_LT(0, before);
	ASSERT_EQ(0, V("exec %u cat /proc/uptime", A));
	uptime = atof(self->out);

	ASSERT_EQ(0, V("suspend %u", A)) TH_LOG("%s", self->err);
	suspended = now_s();
	EXPECT_NE(NULL, strstr(self->out, "suspended")) TH_LOG("%s", self->out);
	EXPECT_EQ(-1, counter(self, A));	/* nothing runs */
	/* The dump holds the VE's memory: the host's root's alone. */
	ASSERT_EQ(0, SH("cat /var/lib/ve/dump/%u/ve-dump >/dev/null && stat -c %%u:%%a /var/lib/ve/dump/%u", A, A));
	EXPECT_STREQ("0:700\n", self->out);
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 841 exist unmounted down suspended\n", self->out);
	ASSERT_EQ(0, V("list -a -H -o status %u", A));
	EXPECT_NE(NULL, strstr(self->out, "suspended")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, host_clean(self, A)) TH_LOG("the suspended VE left something on the host");
	lines = echoed(self);
	sleep(6);

	resuming = now_s();
	ASSERT_EQ(0, V("resume %u", A)) TH_LOG("%s", self->err);
	EXPECT_STREQ("VE 841 resumed\n", self->out);
	/*
	 * The counter goes on from its memory: from where it was at the dump,
	 * not from 1 and not past the gap (6 s and more).
	 */
	after = counter(self, A);
	read1 = now_s();
	EXPECT_TRUE(counted_only_while_running(before, after, read0, suspended, resuming, read1))
		TH_LOG("before %ld, after %ld; %.1f s to the suspend's end, %.1f s from the resume",
		       before, after, suspended - read0, read1 - resuming);
	/* Its clocks go on too (the time namespace came back), not from 0. */
	ASSERT_EQ(0, V("exec %u cat /proc/uptime", A));
	EXPECT_LE(uptime, atof(self->out)) TH_LOG("uptime %.2f before, %s after", uptime, self->out);
	EXPECT_GE(uptime + 60, atof(self->out)) TH_LOG("uptime %.2f before, %s after", uptime, self->out);
	/* The same processes with the same pids (the counter's sleep comes and goes). */
	ASSERT_EQ(0, V("exec %u ps -o pid,args", A));
	for (line = strtok(ps_before, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, " init") || strstr(line, "nc -l") || strstr(line, "sh -c (i=0"))
			EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s is gone: %s", line, self->out);
	}
	sleep(3);
	EXPECT_GT(counter(self, A), after) TH_LOG("the counter does not go on");
	/* The connection is the one from before: the echo server answers on it. */
	for (int i = 0; i < 60 && echoed(self) <= lines + 2; i++)
		sleep(1);
	EXPECT_LT(lines + 2, echoed(self)) {
		/* Which end lost it: the host's socket, the VE's, or the client. */
		SH("kill -0 $(cat /tmp/ve_ck_client.pid) && echo client alive; cat /proc/net/tcp;"
		   " /usr/sbin/ip route get " ADDR "; cat /proc/net/snmp | grep Tcp:");
		TH_LOG("the connection does not echo after the resume; host: %s", self->out);
		V("exec %u sh -c 'cat /proc/net/tcp /proc/net/tcp6; grep Tcp: /proc/net/snmp'", A);
		TH_LOG("VE: %s", self->out);
	}
	/* Module: running again, every task counted, the limit kept. */
	ASSERT_EQ(0, V("list -H -o numproc %u", A));
	EXPECT_LE(4, atoi(self->out)) TH_LOG("numproc %s", self->out);
	EXPECT_EQ(0, SH("cat /sys/fs/cgroup/ve/%u/pids.max", A));
	EXPECT_STREQ("77\n", self->out);
	EXPECT_EQ(0, V("exec %u hostname", A));
	EXPECT_STREQ("ck-841\n", self->out);
	EXPECT_EQ(0, V("exec %u sh -c 'grep -q \" /mnt/etc \" /proc/self/mountinfo && test -e /mnt/etc/passwd'", A))
		TH_LOG("the VE's own bind mount did not come back");
	EXPECT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 841 exist mounted running\n", self->out);
	/* The dump is gone, and so is criu's network lock (a ping gets through). */
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
	EXPECT_EQ(0, SH("ping -c 1 -W 5 " ADDR));
	/* Its console works: the keeper logs what the VE writes there. */
	EXPECT_EQ(0, V("exec %u sh -c 'echo ck-console-%u > /dev/console'", A, A));
	sleep(1);
	EXPECT_EQ(0, SH("grep -q ck-console-%u /var/log/ve/%u.console", A, A));
	/* And it stops as any VE does, leaving nothing. */
	EXPECT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, host_clean(self, A));
}

TEST_F_TIMEOUT(ck, image_ve_resumes_with_its_owners_and_a_dump_elsewhere, 600)
{
	double read0, suspended, resuming, read1;
	long before, after;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout image", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, start_workload(self, B)) TH_LOG("%s", self->err);
	sleep(2);
	read0 = now_s();
	before = counter(self, B);
	ASSERT_LT(0, before);
	ASSERT_EQ(0, V("suspend %u --dumpfile /var/tmp/ve-ck-elsewhere", B)) TH_LOG("%s", self->err);
	suspended = now_s();
	/* Found by status and resume through DUMPDIR/ID. */
	EXPECT_EQ(0, SH("test -f /var/tmp/ve-ck-elsewhere/ve-dump && test -L /var/lib/ve/dump/%u", B));
	ASSERT_EQ(0, V("status %u", B));
	EXPECT_STREQ("CTID 842 exist unmounted down suspended\n", self->out);
	sleep(6);
	resuming = now_s();
	ASSERT_EQ(0, V("resume %u", B)) TH_LOG("%s", self->err);
	after = counter(self, B);
	read1 = now_s();
	EXPECT_TRUE(counted_only_while_running(before, after, read0, suspended, resuming, read1))
		TH_LOG("before %ld, after %ld; %.1f s to the suspend's end, %.1f s from the resume",
		       before, after, suspended - read0, read1 - resuming);
	/* The image's owners are the VE's own again (its idmapped root). */
	EXPECT_EQ(0, V("exec %u stat -c %%u:%%g /root /bin/busybox", B));
	EXPECT_STREQ("0:0\n0:0\n", self->out);
	EXPECT_EQ(0, V("exec %u sh -c 'echo written > /root/after-resume'", B)) TH_LOG("%s", self->err);
	EXPECT_NE(0, SH("test -e /var/tmp/ve-ck-elsewhere || test -e /var/lib/ve/dump/%u", B));
}

TEST_F_TIMEOUT(ck, bad_input_and_a_damaged_dump_change_nothing, 600)
{
	/* Unknown VE, a VE that does not run, bad --dumpfile, no dump. */
	EXPECT_EQ(14, V("suspend 4999"));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --ipadd " ADDR, A));
	EXPECT_EQ(31, V("suspend %u", A));
	EXPECT_NE(NULL, strstr(self->err, "not running")) TH_LOG("%s", self->err);
	EXPECT_EQ(17, V("resume %u", A));
	EXPECT_NE(NULL, strstr(self->err, "not suspended")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("suspend %u --dumpfile relative/dir", A));
	EXPECT_EQ(20, V("suspend %u --dumpfile", A));
	EXPECT_EQ(20, V("resume"));

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, start_workload(self, A));
	/* A running VE cannot be resumed. */
	EXPECT_EQ(32, V("resume %u", A));
	EXPECT_NE(NULL, strstr(self->err, "already running")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("suspend %u", A)) TH_LOG("%s", self->err);
	/* A second suspend: nothing runs. A start refuses to lose the state. */
	EXPECT_EQ(31, V("suspend %u", A));
	EXPECT_EQ(17, V("start %u", A));
	EXPECT_NE(NULL, strstr(self->err, "vectl resume")) TH_LOG("%s", self->err);

	/* A damaged dump: the resume says so, and leaves nothing running or set up. */
	ASSERT_EQ(0, SH("cd /var/lib/ve/dump/%u && cp pstree.img /tmp/ve_ck_pstree &&"
			" head -c 12 /tmp/ve_ck_pstree > pstree.img && echo garbage >> pstree.img", A));
	EXPECT_EQ(17, V("resume %u", A));
	EXPECT_NE(NULL, strstr(self->err, "criu failed")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, host_clean(self, A)) TH_LOG("a failed resume left something behind");
	EXPECT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 841 exist unmounted down suspended\n", self->out);
	/* A damaged record too. */
	ASSERT_EQ(0, SH("cp /tmp/ve_ck_pstree /var/lib/ve/dump/%u/pstree.img &&"
			" echo 'mnt x' >> /var/lib/ve/dump/%u/ve-dump", A, A));
	EXPECT_EQ(17, V("resume %u", A));
	EXPECT_NE(NULL, strstr(self->err, "damaged")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, host_clean(self, A));

	/* A stop drops the dump; then the VE starts afresh. */
	EXPECT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
	EXPECT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 841 exist unmounted down\n", self->out);
	EXPECT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("stop %u", A));
}

TEST_HARNESS_MAIN
