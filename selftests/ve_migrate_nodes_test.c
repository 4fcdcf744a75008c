// SPDX-License-Identifier: GPL-2.0
/*
 * Two nodes (scripts/vm VM_NODES=2; this runs on node1, node2 is reached
 * by ssh): the test bed itself, and "vectl migrate" offline: a running
 * VE arrives running with its files, addresses and module object, and
 * leaves nothing on the source; a stopped one arrives stopped; --keep-src;
 * bad input that changes nothing on either node; and a destination that
 * fails mid-copy (its receiver or its sshd session killed) or mid-start
 * (its start refused): the VE runs on node1 as before and node2 is clean.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 811
#define B 812
#define C 813
#define ADDR "10.97.0.81"
#define OUTSIDE "/usr/sbin/ip netns exec outside "
#define CLIENT_OUT "/tmp/mig-client.out"
/* MiB of memory in the pre-copy test: the 200 MiB working set. */
#define WORKING_SET 200

FIXTURE(mig) {
	char out[16384];
	char err[4096];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

#define on(self, node, ...) run_on_node((self)->out, sizeof((self)->out), (self)->err, \
				      sizeof((self)->err), node, __VA_ARGS__)

/* Every test's VEs gone from both nodes (one ssh session: they are slow). */
static void clean(FIXTURE_DATA(mig) *self)
{
	static const char each[] =
		"kill -- -$(cat /tmp/mig-client.pid 2>/dev/null) 2>/dev/null; rm -f /tmp/mig-client.*;"
		" for i in 811 812 813; do vectl stop $i --fast; vectl destroy $i;"
		" vectl migrate-receive $i --abort; rm -f /etc/ve/conf/$i.conf.*; done >/dev/null 2>&1";

	on(self, 1, "%s", each);
	on(self, 2, "%s", each);
}

FIXTURE_SETUP(mig)
{
	if (ve_env_int("VE_NODES", 1) < 2)
		SKIP(return, "needs two nodes (scripts/vm with VM_NODES=2)");
	clean(self);
}

FIXTURE_TEARDOWN(mig)
{
	if (ve_env_int("VE_NODES", 1) >= 2)
		clean(self);
}

/*
 * Nothing of VE @id on node @node: no config,
 * private area or a migration's leftovers, cgroup, module object, root
 * mount, loop record, route or proxy entry for @addr.
 */
static int node_clean(FIXTURE_DATA(mig) *self, int node, unsigned int id, const char *addr)
{
	return on(self, node,
		  "test ! -e /etc/ve/conf/%u.conf && test ! -e /etc/ve/conf/%u.conf.migrating &&"
		  " test ! -e /var/lib/ve/private/%u && test ! -e /var/lib/ve/private/%u.migrating &&"
		  " test ! -e /sys/fs/cgroup/ve/%u && ! grep -q '^ *%u ' /proc/vz/veinfo &&"
		  " ! grep -q ' /var/lib/ve/root/%u ' /proc/self/mountinfo && test ! -e /run/ve/%u.loop &&"
		  " test -z \"$(/usr/sbin/ip route show %s)\" && ! /usr/sbin/ip neigh show proxy | grep -q '^%s '",
		  id, id, id, id, id, id, id, id, addr, addr);
}

/* Whether VE @id runs on node @node, with its marker file. */
static int runs_with_marker(FIXTURE_DATA(mig) *self, int node, unsigned int id)
{
	return on(self, node, "vectl status %u | grep -q ' running' &&"
		  " vectl exec %u cat /root/marker | grep -qx migrated-%u", id, id, id);
}

TEST_F_TIMEOUT(mig, bed_nodes_reach_each_other, 600)
{
	ASSERT_EQ(0, on(self, 2, "hostname")) TH_LOG("%s", self->err);
	ASSERT_STREQ("node2\n", self->out);
	/* ve.ko is loaded there, and node2 reaches node1 back by name. */
	ASSERT_EQ(0, on(self, 2, "test -d /sys/module/ve"));
	ASSERT_EQ(0, on(self, 2, "ssh node1 hostname"));
	ASSERT_STREQ("node1\n", self->out);
	/* The outside client is on the LAN, and reaches both nodes. */
	ASSERT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 10.97.0.2"));
	ASSERT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 10.97.0.1"));
}

TEST_F_TIMEOUT(mig, running_ve_moves_with_its_files_and_address, 600)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " ADDR, A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'echo migrated-%u > /root/marker'", A, A));
	ASSERT_EQ(0, V("set %u --numproc 123 --save", A));
	ASSERT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 " ADDR)) TH_LOG("the client cannot reach the VE on node1");

	ASSERT_EQ(0, V("migrate %u node2", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "MiB to node2 in")) TH_LOG("%s", self->out);

	/* node1: nothing left but the config moved aside, as vzmigrate does. */
	EXPECT_EQ(0, node_clean(self, 1, A, ADDR)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, SH("test -f /etc/ve/conf/%u.conf.migrated", A));
	/* node2: running, its files, its limits in the module and cgroup, its address. */
	EXPECT_EQ(0, runs_with_marker(self, 2, A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 2, "cat /sys/fs/cgroup/ve/%u/pids.max", A));
	EXPECT_STREQ("123\n", self->out);
	EXPECT_EQ(0, on(self, 2, "grep -q '^ *%u ' /proc/vz/veinfo", A));
	EXPECT_EQ(0, on(self, 2, "/usr/sbin/ip route show " ADDR " | grep -q venet"));
	/*
	 * The client had node1's MAC for the address: node2's start announced
	 * it (gratuitous ARP), so the client goes to node2 at once.
	 */
	EXPECT_EQ(0, SH(OUTSIDE "/usr/sbin/ip neigh show " ADDR " | grep -q 52:54:00:97:00:02"))
		TH_LOG("the client's neighbour entry: %s", self->out);
	EXPECT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 " ADDR)) TH_LOG("the client cannot reach the VE on node2");

	/* And back, driven from node2. */
	ASSERT_EQ(0, on(self, 2, "vectl migrate %u node1", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, runs_with_marker(self, 1, A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, node_clean(self, 2, A, ADDR)) TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(mig, stopped_ve_arrives_stopped_and_starts_there, 600)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH("echo migrated-%u > /var/lib/ve/private/%u/root/marker", B, B));
	ASSERT_EQ(0, V("migrate %u node2", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, node_clean(self, 1, B, "10.97.0.254"));
	ASSERT_EQ(0, on(self, 2, "vectl status %u", B));
	EXPECT_NE(NULL, strstr(self->out, "down")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "suspended")) TH_LOG("%s", self->out);
	/* No dump came, and the place --begin made for one is gone. */
	EXPECT_EQ(0, on(self, 2, "test ! -e /var/lib/ve/dump/%u && test ! -e /var/lib/ve/dump/%u.migrating",
			B, B));
	/* The owners came along: the VE's root owns its root's files. */
	EXPECT_EQ(0, on(self, 2, "stat -c %%u /var/lib/ve/private/%u/bin/busybox", B));
	EXPECT_EQ(100000u + B * 65536u, strtoul(self->out, NULL, 10));
	ASSERT_EQ(0, on(self, 2, "vectl start %u", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, runs_with_marker(self, 2, B)) TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(mig, keep_src_leaves_the_source_stopped, 600)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox", B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B));
	ASSERT_EQ(0, V("exec %u sh -c 'echo migrated-%u > /root/marker'", B, B));
	ASSERT_EQ(0, V("migrate %u node2 --keep-src", B)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, runs_with_marker(self, 2, B));
	EXPECT_EQ(0, V("status %u", B));
	EXPECT_NE(NULL, strstr(self->out, "exist unmounted down")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(mig, bad_input_changes_nothing, 600)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A));
	ASSERT_EQ(0, V("exec %u sh -c 'echo migrated-%u > /root/marker'", A, A));

	/* An unknown destination: ssh cannot resolve it. */
	EXPECT_EQ(105, V("migrate %u nosuchnode", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "cannot reach nosuchnode")) TH_LOG("%s", self->err);
	/* The ID is taken on node2: refused before the VE stops here. */
	ASSERT_EQ(0, on(self, 2, "vectl create %u --ostemplate busybox --layout dir", A));
	EXPECT_EQ(106, V("migrate %u node2", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "on node2: VE 811 exists there")) TH_LOG("%s", self->err);
	EXPECT_EQ(NULL, strstr(self->err + 1, "vectl:")) TH_LOG("said twice: %s", self->err);
	EXPECT_EQ(0, on(self, 2, "test -d /var/lib/ve/private/%u/root && vectl status %u | grep -q 'exist unmounted down'", A, A));
	on(self, 2, "vectl destroy %u; rm -f /etc/ve/conf/%u.conf.destroyed", A, A);
	/* No such VE, bad destinations, bad steps for the receiver. */
	EXPECT_EQ(14, V("migrate %u node2", C));
	EXPECT_EQ(20, V("migrate %u node2 --ssh", A));
	EXPECT_EQ(21, V("migrate %u -- -oProxyCommand=x", A));
	EXPECT_EQ(21, V("migrate %u 'node2;reboot'", A));
	EXPECT_EQ(21, V("migrate 0 node2"));
	EXPECT_EQ(20, V("migrate-receive %u --commit --bogus", A));
	EXPECT_EQ(20, V("migrate-receive %u --data --resume", A));
	EXPECT_EQ(14, V("migrate-receive %u --dump < /dev/null", C));
	EXPECT_EQ(20, V("migrate %u", A));
	EXPECT_EQ(20, V("migrate-receive %u --nosuchstep", A));
	EXPECT_EQ(14, V("migrate-receive %u --data < /dev/null", C));
	EXPECT_EQ(85, V("migrate-receive %u --begin < /dev/null", C));
	EXPECT_EQ(0, node_clean(self, 1, C, "10.97.0.254"));

	/* Through all of it the VE ran on node1, and node2 never had it. */
	EXPECT_EQ(0, runs_with_marker(self, 1, A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, node_clean(self, 2, A, "10.97.0.254")) TH_LOG("%s", self->err);
}

/*
 * Migrate VE A, held at the copy (its first block sent) by the fault
 * point, then SIGKILL the processes on node2 whose command line matches
 * @killer (an awk pattern) and let the copy go on: the migration must
 * fail, A run on node1 again and node2 hold nothing of it.
 */
static void fail_mid_copy(FIXTURE_DATA(mig) *self, struct __test_metadata *_metadata,
			  const char *killer, bool online)
{
	char *args[] = { "vectl-faults", "migrate", "811", "node2", online ? "--online" : NULL,
			 NULL };
	pid_t pid;
	int status;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " ADDR, A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A));
	ASSERT_EQ(0, V("exec %u sh -c 'echo migrated-%u > /root/marker;"
		       " head -c 4000000 /dev/urandom > /root/bulk'", A, A));
	pid = ve_spawn_vectl_held("migrate:copying", "/tmp/mig-held.log", args);
	if (pid < 0)
		SH("cat /tmp/mig-held.log");
	ASSERT_LT(0, pid) TH_LOG("%s", self->out);
	/* The receiver is at work on node2: its tar waits for the rest. */
	if (on(self, 2, "ps -o args | grep -q '^[v]ectl migrate-receive %u --data'", A)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_TRUE(false) TH_LOG("no receiver on node2");
	}
	/* Its exit status is no measure: the kill may take its own session. */
	on(self, 2, "kill -9 $(ps -o pid,args | awk '{ p = $1; sub(/^ *[0-9]+ /, \"\") } /%s/ { print p }')",
	   killer);
	kill(pid, SIGCONT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	SH("cat /tmp/mig-held.log");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 105) TH_LOG("%s", self->out);
	EXPECT_EQ(0, runs_with_marker(self, 1, A)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 " ADDR));
	/* The receiver may still be cleaning up after its broken stream. */
	for (int i = 0; i < 20 && node_clean(self, 2, A, ADDR); i++)
		sleep(1);
	EXPECT_EQ(0, node_clean(self, 2, A, ADDR)) TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(mig, receiver_killed_mid_copy, 600)
{
	fail_mid_copy(self, _metadata, "^[v]ectl migrate-receive", false);
}

/* --online: the VE is checkpointed when the copy breaks; it is resumed here. */
TEST_F_TIMEOUT(mig, online_receiver_killed_mid_copy, 600)
{
	fail_mid_copy(self, _metadata, "^[v]ectl migrate-receive", true);
	SH("cat /tmp/mig-held.log");
	EXPECT_NE(NULL, strstr(self->out, "runs here again")) TH_LOG("%s", self->out);
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
}

TEST_F_TIMEOUT(mig, ssh_session_killed_mid_copy, 600)
{
	/* The session's sshd, not the listener: node1 still needs to get in. */
	fail_mid_copy(self, _metadata, "^[s]shd: root@notty", false);
}

TEST_F_TIMEOUT(mig, start_refused_on_destination, 600)
{
	/* node2 runs a VE with A's address: A's start there fails at the commit. */
	ASSERT_EQ(0, on(self, 2, "vectl create %u --ostemplate busybox --ipadd " ADDR " && vectl start %u",
			C, C)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " ADDR, A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'echo migrated-%u > /root/marker'", A, A));
	EXPECT_EQ(105, V("migrate %u node2", A));
	EXPECT_NE(NULL, strstr(self->err, "commit")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "runs here again")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, runs_with_marker(self, 1, A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 2, "test ! -e /etc/ve/conf/%u.conf && test ! -e /etc/ve/conf/%u.conf.migrating &&"
			" test ! -e /var/lib/ve/private/%u && test ! -e /var/lib/ve/private/%u.migrating &&"
			" ! grep -q '^ *%u ' /proc/vz/veinfo", A, A, A, A, A)) TH_LOG("node2 kept a part of VE %u", A);
	EXPECT_EQ(0, on(self, 2, "vectl status %u | grep -q running", C));
}

/* A counter and a TCP echo server in VE @id; the outside client holds a connection. */
static int live_workload(FIXTURE_DATA(mig) *self, unsigned int id)
{
	if (V("exec %u sh -c '(i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done)"
	      " </dev/null >/dev/null 2>&1 & nc -l -p 7 -e cat </dev/null >/dev/null 2>&1 &'", id))
		return -1;
	sleep(1);
	return SH("setsid " OUTSIDE "sh -c '(i=0; while :; do i=$((i+1)); echo line$i; sleep 1; done) |"
		  " nc " ADDR " 7 > " CLIENT_OUT "' </dev/null >/dev/null 2>&1 & echo $! > /tmp/mig-client.pid");
}

static int echoed(FIXTURE_DATA(mig) *self)
{
	return SH("wc -l 2>/dev/null < " CLIENT_OUT) ? -1 : atoi(self->out);
}

static long counter_on(FIXTURE_DATA(mig) *self, int node, unsigned int id)
{
	return on(self, node, "vectl exec %u cat /tmp/count", id) ? -1 : atol(self->out);
}

/* Is @line (of "ps -o pid,args") the echo server: nc, or the cat it runs for a connection? */
static bool echo_server(const char *line)
{
	const char *args = line + strspn(line, " 0123456789");

	return !strncmp(args, "nc -l", 5) || !strcmp(args, "cat");
}

/*
 * The lines of @ps (a VE's "ps -o pid,args" before) for init, the echo
 * server and the counter: all in @now, with the same pids.
 */
static bool same_processes(const char *ps, const char *now)
{
	char copy[16384], *line, *save = NULL;
	int found = 0;

	snprintf(copy, sizeof(copy), "%s", ps);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, " init") && !echo_server(line) && !strstr(line, "sh -c (i=0"))
			continue;
		if (!strstr(now, line))
			return false;
		found++;
	}
	return found == 3;
}

/* A suspended VE takes its checkpoint along: suspended on node2, resumed there. */
TEST_F_TIMEOUT(mig, suspended_ve_arrives_suspended_and_resumes_there, 900)
{
	long before, after;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir --ipadd " ADDR, A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c '(i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 1; done)"
		       " </dev/null >/dev/null 2>&1 &'", A));
	sleep(2);
	before = counter_on(self, 1, A);
	ASSERT_LT(0, before);
	ASSERT_EQ(0, V("suspend %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("migrate %u node2", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "node2, suspended")) TH_LOG("%s", self->out);
	/* node1 keeps no checkpoint: only node2 can resume it. */
	EXPECT_EQ(0, node_clean(self, 1, A, ADDR)) TH_LOG("%s", self->err);
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
	ASSERT_EQ(0, on(self, 2, "vectl status %u", A));
	EXPECT_STREQ("CTID 811 exist unmounted down suspended\n", self->out);
	EXPECT_EQ(0, on(self, 2, "test ! -e /var/lib/ve/dump/%u.migrating", A));
	ASSERT_EQ(0, on(self, 2, "vectl resume %u", A)) TH_LOG("%s", self->err);
	/* Its memory came along: the counter goes on from where it was. */
	after = counter_on(self, 2, A);
	EXPECT_LE(before, after);
	EXPECT_GE(before + 5, after) TH_LOG("before %ld, after %ld", before, after);
	EXPECT_EQ(0, SH(OUTSIDE "ping -c 1 -W 5 " ADDR)) TH_LOG("the address did not follow to node2");
}

/*
 * A dir VE A with ADDR running live_workload(), the client connected:
 * its processes into @ps, and its counter (-1 if any of it failed).
 */
static long connected_ve(FIXTURE_DATA(mig) *self, char *ps, size_t len)
{
	if (V("create %u --ostemplate busybox --layout dir --ipadd " ADDR, A) ||
	    V("start %u", A) || live_workload(self, A))
		return -1;
	/* Connected: the echo server's nc has become cat. */
	for (int i = 0; i < 30 && echoed(self) < 1; i++)
		sleep(1);
	if (V("exec %u ps -o pid,args", A))
		return -1;
	snprintf(ps, len, "%s", self->out);
	return counter_on(self, 1, A);
}

/* VE A runs on node1 again, resumed (not restarted): @ps's processes, the counter on from @before. */
static void resumed_here(FIXTURE_DATA(mig) *self, struct __test_metadata *_metadata,
			 const char *ps, long before)
{
	EXPECT_EQ(0, V("exec %u ps -o pid,args", A));
	EXPECT_TRUE(same_processes(ps, self->out)) TH_LOG("before:\n%s\nafter:\n%s", ps, self->out);
	EXPECT_LE(before, counter_on(self, 1, A));
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
}

TEST_F_TIMEOUT(mig, online_moves_processes_and_a_connection, 900)
{
	char ps[16384];
	long before, after;
	int lines;

	/*
	 * An image VE: its image is copied once the checkpoint is made and
	 * its filesystem gone, which the client's namespace (ip netns exec
	 * copies the host's mounts) must not hold up.
	 */
	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout image --ipadd " ADDR, A))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("set %u --numproc 77 --save", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, live_workload(self, A)) TH_LOG("%s", self->err);
	for (int i = 0; i < 30 && echoed(self) < 3; i++)
		sleep(1);
	ASSERT_LE(3, echoed(self)) TH_LOG("the client gets no echo on node1");
	ASSERT_EQ(0, V("exec %u ps -o pid,args", A));
	snprintf(ps, sizeof(ps), "%s", self->out);
	before = counter_on(self, 1, A);
	ASSERT_LT(0, before);

	ASSERT_EQ(0, V("migrate %u node2 --online", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "frozen for")) TH_LOG("%s", self->out);
	/* The figures (copy, freeze) for the record. */
	for (char *l = strtok(self->out, "\n"); l; l = strtok(NULL, "\n"))
		printf("# %s\n", l);
	fflush(stdout);
	lines = echoed(self);

	/* node1: no trace but the config moved aside; no dump either. */
	EXPECT_EQ(0, node_clean(self, 1, A, ADDR)) TH_LOG("%s", self->err);
	EXPECT_NE(0, SH("test -e /var/lib/ve/dump/%u", A));
	/* node2: the same processes, going on, counted, with their limit. */
	EXPECT_EQ(0, on(self, 2, "vectl status %u", A));
	EXPECT_STREQ("CTID 811 exist mounted running\n", self->out);
	EXPECT_EQ(0, on(self, 2, "vectl exec %u ps -o pid,args", A));
	EXPECT_TRUE(same_processes(ps, self->out)) TH_LOG("before:\n%s\nafter:\n%s", ps, self->out);
	after = counter_on(self, 2, A);
	EXPECT_LE(before, after);
	EXPECT_GE(before + 60, after) TH_LOG("before %ld, after %ld", before, after);
	EXPECT_EQ(0, on(self, 2, "vectl list -H -o numproc %u", A));
	EXPECT_LE(4, atoi(self->out)) TH_LOG("numproc %s", self->out);
	EXPECT_EQ(0, on(self, 2, "cat /sys/fs/cgroup/ve/%u/pids.max", A));
	EXPECT_STREQ("77\n", self->out);
	EXPECT_EQ(0, on(self, 2, "test ! -e /var/lib/ve/dump/%u && test ! -e /var/lib/ve/dump/%u.migrating", A, A));
	/* The client's connection lives on, to node2 now. */
	for (int i = 0; i < 60 && echoed(self) <= lines + 2; i++)
		sleep(1);
	EXPECT_LT(lines + 2, echoed(self)) TH_LOG("the connection does not echo after the move");
	SH("kill -- -$(cat /tmp/mig-client.pid 2>/dev/null) 2>/dev/null");
}

/*
 * DEST's vectl is killed in the middle of the restore (criu at work): the
 * VE is resumed here, the same processes going on, and node2 keeps
 * nothing of it (criu died with vectl; the source's abort undid the
 * commit cut short, a VE half restored included).
 */
TEST_F_TIMEOUT(mig, online_receiver_killed_mid_restore, 900)
{
	char ps[16384], log[16384 + 4096];
	long before;

	before = connected_ve(self, ps, sizeof(ps));
	ASSERT_LT(0, before) TH_LOG("%s", self->err);
	/* On node2, the receiver dies the moment criu restores. */
	ASSERT_EQ(0, on(self, 2, "rm -f /tmp/mig-watch.out\n"
			"setsid sh -c 'for i in $(seq 6000); do"
			" if ps -o args | grep -q \"^[c]riu restore\"; then"
			" kill -9 $(ps -o pid,args | awk \"/^ *[0-9]+ [v]ectl migrate-receive %u --commit/ { print \\$1 }\");"
			" echo killed > /tmp/mig-watch.out; exit; fi; sleep 0.1; done' </dev/null >/dev/null 2>&1 &", A));
	EXPECT_NE(0, V("migrate %u node2 --online", A));
	snprintf(log, sizeof(log), "%s%s", self->out, self->err);
	EXPECT_NE(NULL, strstr(log, "runs here again")) TH_LOG("%s", log);
	EXPECT_EQ(0, on(self, 2, "cat /tmp/mig-watch.out"));
	EXPECT_STREQ("killed\n", self->out) TH_LOG("the receiver was not killed mid-restore: %s", log);
	resumed_here(self, _metadata, ps, before);
	EXPECT_EQ(0, node_clean(self, 2, A, ADDR)) TH_LOG("node2 kept a part of VE %u", A);
	EXPECT_EQ(0, on(self, 2, "test ! -e /var/lib/ve/dump/%u && test ! -e /var/lib/ve/dump/%u.migrating &&"
			" ! ps -o args | grep -q '^[c]riu'", A, A)) TH_LOG("node2 kept criu or a dump");
	SH("kill -- -$(cat /tmp/mig-client.pid 2>/dev/null) 2>/dev/null");
}

/* The number after @key in @out's last line that has it, or -1. */
static double figure(const char *out, const char *key)
{
	const char *p = out, *hit = NULL;

	while ((p = strstr(p, key))) {
		hit = p;
		p += strlen(key);
	}
	return hit ? atof(hit + strlen(key)) : -1;
}

/* The number after the first @key that follows @anchor in @out, or -1. */
static double figure_after(const char *out, const char *anchor, const char *key)
{
	const char *p = strstr(out, anchor);

	p = p ? strstr(p, key) : NULL;
	return p ? atof(p + strlen(key)) : -1;
}

/*
 * --online copies a dir private area while the VE runs, and frozen only
 * what changed since: a file written, one added, one removed in between
 * are as they were at the freeze on node2, and the bulk is not sent twice.
 */
TEST_F_TIMEOUT(mig, online_private_area_goes_live_then_what_changed, 900)
{
	char *args[] = { "vectl-faults", "migrate", "811", "node2", "--online", NULL };
	double frozen;
	char sum[64];
	pid_t pid;
	int status;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u sh -c 'head -c 4000000 /dev/urandom > /root/bulk; echo old > /root/changed;"
		       " echo doomed > /root/gone'", A));
	ASSERT_EQ(0, V("exec %u md5sum /root/bulk", A));
	snprintf(sum, sizeof(sum), "%.32s", self->out);
	pid = ve_spawn_vectl_held("migrate:private-precopied", "/tmp/mig-held.log", args);
	ASSERT_LT(0, pid) TH_LOG("migrate did not get to its live copy");
	/* Between the live copy and the freeze (vectl holds the VE's lock: from the host). */
	EXPECT_EQ(0, SH("cd /var/lib/ve/private/%u/root && rm gone && echo new > changed && echo fresh > added", A));
	kill(pid, SIGCONT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	SH("cat /tmp/mig-held.log");
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("%s", self->out);
	for (char *l = self->out, *e; *l; l = e + !!*e) {
		e = l + strcspn(l, "\n");
		printf("# %.*s\n", (int)(e - l), l);
	}
	fflush(stdout);
	/* The live copy took the bulk; the first copy once frozen, the private area's, did not. */
	EXPECT_LE(3.8, figure_after(self->out, "while the VE runs", "copied ")) TH_LOG("%s", self->out);
	frozen = figure_after(self->out, "checkpointing the VE", "copied ");
	EXPECT_LE(0, frozen) TH_LOG("%s", self->out);
	EXPECT_GT(1.0, frozen) TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "vectl exec %u sh -c 'test ! -e /root/gone && cat /root/changed /root/added &&"
			" md5sum /root/bulk'", A)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "new\nfresh\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, sum)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, node_clean(self, 1, A, "10.97.0.254")) TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(mig, online_precopy_keeps_the_freeze_short, 900)
{
	double round1_mib, round1_s, final_mib, frozen_s;
	char *copy;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	/* A shell that holds WORKING_SET MiB in a variable and sleeps: memory that does not change. */
	ASSERT_EQ(0, V("exec %u sh -c '(x=$(head -c %d /dev/zero | tr \"\\0\" a); touch /tmp/ready;"
		       " while :; do sleep 1; done) </dev/null >/dev/null 2>&1 &'", A, WORKING_SET << 20));
	for (int i = 0; i < 600 && V("exec %u test -e /tmp/ready", A); i++)
		sleep(1);
	ASSERT_EQ(0, V("exec %u test -e /tmp/ready", A));

	ASSERT_EQ(0, V("migrate %u node2 --online", A)) TH_LOG("%s", self->err);
	copy = strdup(self->out);
	ASSERT_NE(NULL, copy);
	for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n"))
		printf("# %s\n", l);
	fflush(stdout);
	free(copy);
	/*
	 * Round 1 took the WORKING_SET MiB while the VE ran; the checkpoint (the last
	 * copy) only what changed since, so the freeze is shorter than round
	 * 1's copy alone, which a one-shot checkpoint would add to it.
	 */
	round1_mib = figure(self->out, "pre-copy round 1: ");
	round1_s = figure(self->out, "pre-copy round 1 done in ");
	final_mib = figure(self->out, "copied ");
	frozen_s = figure(self->out, "frozen for ");
	EXPECT_LE(WORKING_SET, round1_mib) TH_LOG("%s", self->out);
	EXPECT_GT(8, final_mib) TH_LOG("%s", self->out);
	EXPECT_LT(0, frozen_s) TH_LOG("%s", self->out);
	EXPECT_GT(round1_s, frozen_s) TH_LOG("%s", self->out);
	/* node2 has the memory: the shell's resident set holds the working set. */
	EXPECT_EQ(0, on(self, 2, "vectl exec %u sh -c 'grep -h ^VmRSS: /proc/[0-9]*/status' |"
			" awk '$2 >= %d { found = 1 } END { exit !found }'", A, WORKING_SET * 1024))
		TH_LOG("%s %s", self->out, self->err);
	EXPECT_EQ(0, node_clean(self, 1, A, "10.97.0.254")) TH_LOG("%s", self->err);
}

TEST_F_TIMEOUT(mig, online_resume_refused_on_destination_resumes_here, 900)
{
	char ps[16384];
	long before;

	/* node2 runs a VE with A's address: A's resume there fails at the commit. */
	ASSERT_EQ(0, on(self, 2, "vectl create %u --ostemplate busybox --layout dir --ipadd " ADDR
			" && vectl start %u", C, C)) TH_LOG("%s", self->err);
	before = connected_ve(self, ps, sizeof(ps));
	ASSERT_LT(0, before) TH_LOG("%s", self->err);
	EXPECT_EQ(105, V("migrate %u node2 --online", A));
	EXPECT_NE(NULL, strstr(self->err, "commit")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "runs here again")) TH_LOG("%s", self->out);
	resumed_here(self, _metadata, ps, before);
	EXPECT_EQ(0, on(self, 2, "test ! -e /etc/ve/conf/%u.conf && test ! -e /etc/ve/conf/%u.conf.migrating &&"
			" test ! -e /var/lib/ve/private/%u && test ! -e /var/lib/ve/private/%u.migrating &&"
			" test ! -e /var/lib/ve/dump/%u && test ! -e /var/lib/ve/dump/%u.migrating &&"
			" ! grep -q '^ *%u ' /proc/vz/veinfo", A, A, A, A, A, A, A)) TH_LOG("node2 kept a part of VE %u", A);
	EXPECT_EQ(0, on(self, 2, "vectl status %u | grep -q running", C));
	SH("kill -- -$(cat /tmp/mig-client.pid 2>/dev/null) 2>/dev/null");
}

TEST_HARNESS_MAIN
