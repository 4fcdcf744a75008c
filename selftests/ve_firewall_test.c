// SPDX-License-Identifier: GPL-2.0
/*
 * vectl firewall: rules a VE's root cannot touch, enforced by the host on
 * the traffic of a routed VE from a LAN (a veth to a namespace,
 * "outside"): a drop on port 22 stops 22 and not 80, a drop policy lets
 * replies in, counters count, rules load before the VE runs, persist in
 * its config, and leave nothing behind; every bad input changes nothing.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 341
#define B 342
#define IP "/usr/sbin/ip"
#define NFT "/usr/sbin/nft"
#define A4 "10.98.0.11"
#define B4 "10.98.0.12"
#define HOST4 "10.98.0.1"
#define OUT4 "10.98.0.2"
#define OUTSIDE IP " netns exec outside "
#define CONF "/etc/ve/conf/341.conf"
/* The host's rules without their counters, which traffic moves. */
#define RULESET NFT " list ruleset | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'"

FIXTURE(fw) {
	struct ve_nl nl;
	char out[16384];
	char err[4096];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static bool booted(FIXTURE_DATA(fw) *self, unsigned int id)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (V("exec %u test -e /run/booted", id) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* Servers in VE @id on ports 22 and 80 that answer "ssh" and "web". */
static int serve(FIXTURE_DATA(fw) *self, unsigned int id)
{
	if (V("exec %u 'nc -ll -p 22 -e /bin/echo ssh >/dev/null 2>&1 & "
	      "nc -ll -p 80 -e /bin/echo web >/dev/null 2>&1 &'", id))
		return -1;
	return ve_wait_listen(id, 22) && ve_wait_listen(id, 80) ? 0 : -1;
}

/* Whether a TCP connection from outside to @addr:@port gets @word back. */
static bool reaches(FIXTURE_DATA(fw) *self, const char *addr, int port, const char *word)
{
	/* The first try may wait for proxy ARP; a dropped SYN waits out -w. */
	for (int i = 0; i < 2; i++) {
		SH("echo x | " OUTSIDE "nc -w 2 %s %d", addr, port);
		if (strstr(self->out, word))
			return true;
	}
	return false;
}

/* The packets counted by rule @num ("policy in": the in policy) in list -j. */
static long counted(FIXTURE_DATA(fw) *self, const char *needle)
{
	const char *p;
	long n = -1;

	if (V("firewall %u list -j", A))
		return -1;
	p = strstr(self->out, needle);
	p = p ? strstr(p, "\"packets\": ") : NULL;
	if (p)
		sscanf(p, "\"packets\": %ld", &n);
	return n;
}

/* What the host's nftables hold of VE 341: its chains and elements. */
static bool host_has_ve_rules(FIXTURE_DATA(fw) *self)
{
	SH(NFT " list ruleset 2>/dev/null");
	return strstr(self->out, "ve341-") || strstr(self->out, "venet341");
}

FIXTURE_SETUP(fw)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	for (unsigned int id = A; id <= B; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
		unlink(id == A ? CONF ".destroyed" : "/etc/ve/conf/342.conf.destroyed");
	}
	ASSERT_EQ(0, ve_lan_setup(HOST4, OUT4, self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " A4, A)) TH_LOG("%s", self->err);
}

FIXTURE_TEARDOWN(fw)
{
	for (unsigned int id = A; id <= B; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
	}
	EXPECT_FALSE(host_has_ve_rules(self)) TH_LOG("%s", self->out);
	EXPECT_NE(0, access("/run/ve/341.fw", F_OK));
	/* No VE has a firewall: no table of ve's either. */
	SH(NFT " list tables");
	EXPECT_EQ(NULL, strstr(self->out, " ve\n")) TH_LOG("%s", self->out);
	ve_lan_teardown();
	unlink(CONF ".destroyed");
	unlink("/etc/ve/conf/342.conf.destroyed");
	ve_nl_close(&self->nl);
}

/* The case: a drop on port 22 stops SSH and not the web server. */
TEST_F_TIMEOUT(fw, drop_on_22_stops_22_not_80, 300)
{
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_EQ(0, serve(self, A));
	usleep(300000);
	ASSERT_TRUE(reaches(self, A4, 22, "ssh"));
	ASSERT_TRUE(reaches(self, A4, 80, "web"));

	/* Live: loaded at once, saved in the config. */
	ASSERT_EQ(0, V("firewall %u add --dir in --proto tcp --dport 22 --action drop", A))
		TH_LOG("%s", self->err);
	EXPECT_FALSE(reaches(self, A4, 22, "ssh"));
	EXPECT_TRUE(reaches(self, A4, 80, "web"));
	EXPECT_GE(counted(self, "\"num\": 1,"), 2) TH_LOG("%s", self->out);
	SH("grep '^FIREWALL=' " CONF);
	EXPECT_STREQ("FIREWALL=\"in,tcp,dport=22,drop\"\n", self->out);
	ASSERT_EQ(0, V("firewall %u list", A));
	EXPECT_NE(NULL, strstr(self->out, "NUM")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\n1 ")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("firewall %u list -H", A));
	EXPECT_EQ(NULL, strstr(self->out, "NUM")) TH_LOG("%s", self->out);

	/* Across a restart: loaded before the VE runs anything. */
	ASSERT_EQ(0, V("restart %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_EQ(0, serve(self, A));
	usleep(300000);
	EXPECT_FALSE(reaches(self, A4, 22, "ssh"));
	EXPECT_TRUE(reaches(self, A4, 80, "web"));

	/* Deleted: 22 answers again. */
	ASSERT_EQ(0, V("firewall %u del 1", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(reaches(self, A4, 22, "ssh"));
	SH("grep -c '^FIREWALL' " CONF);
	EXPECT_STREQ("0\n", self->out);
	/* Nothing configured, nothing loaded. */
	EXPECT_FALSE(host_has_ve_rules(self)) TH_LOG("%s", self->out);
}

/* Policy drop inward: only what a rule accepts, and the replies to the VE's own. */
TEST_F_TIMEOUT(fw, drop_policy_lets_replies_in, 300)
{
	/* Set while stopped: there from the start. */
	ASSERT_EQ(0, V("firewall %u policy in drop", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("firewall %u add --dir in --proto tcp --dport 80 --action accept", A));
	ASSERT_EQ(0, V("firewall %u add --dir in --proto icmp --src " OUT4 " --action accept", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_EQ(0, serve(self, A));
	usleep(300000);
	EXPECT_TRUE(reaches(self, A4, 80, "web"));
	EXPECT_FALSE(reaches(self, A4, 22, "ssh"));
	/* The host is not outside: its ping is dropped, outside's passes. */
	EXPECT_NE(0, SH("ping -c 1 -w 2 " A4));
	/* Two pings, two ICMP ids: two new flows for rule 2 (a flow's later echoes are established). */
	EXPECT_EQ(0, SH(OUTSIDE "ping -c 1 -w 3 " A4)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, SH(OUTSIDE "ping -c 1 -w 3 " A4)) TH_LOG("%s", self->err);
	/* The VE's own connection out: its replies come back in. */
	ASSERT_EQ(0, SH(OUTSIDE "sh -c 'nc -ll -p 8080 -e /bin/echo outside >/dev/null 2>&1 &'"));
	usleep(300000);
	EXPECT_EQ(0, V("exec %u 'echo x | nc -w 3 " OUT4 " 8080'", A));
	EXPECT_NE(NULL, strstr(self->out, "outside")) TH_LOG("%s", self->out);
	SH(OUTSIDE "pkill -f 'nc -ll -p 8080'");

	/* Counters: the 2 pings from outside in rule 2, drops under the policy. */
	EXPECT_EQ(2, counted(self, "\"num\": 2,")) TH_LOG("%s", self->out);
	EXPECT_GE(counted(self, "\"in\": {\"action\": \"drop\""), 2) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("firewall %u policy in accept", A));
	EXPECT_TRUE(reaches(self, A4, 22, "ssh"));
	SH("grep -c '^FIREWALL_POLICY_IN' " CONF);
	EXPECT_STREQ("0\n", self->out);
}

/* Enter the VE's network namespace as the host's root and run nft there. */
static int nft_in_ve(FIXTURE_DATA(fw) *self, const char *args)
{
	struct ve_info info;
	char path[64];
	pid_t pid;
	int status, fd;

	if (veapi_get(&self->nl, A, &info))
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/ns/net", info.init_pid);
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			_exit(126);
		execl("/bin/sh", "sh", "-c", args, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The rules are the host's: whatever is done to nftables in the VE's namespace changes nothing. */
TEST_F_TIMEOUT(fw, root_inside_cannot_lift_it, 300)
{
	ASSERT_EQ(0, V("firewall %u add --dir in --proto tcp --dport 22 --action drop", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_EQ(0, serve(self, A));
	usleep(300000);
	/* Nothing of the VE's firewall is in its own namespace to remove. */
	EXPECT_EQ(0, nft_in_ve(self, NFT " flush ruleset && " NFT " add table inet ve && "
			       NFT " delete table inet ve"));
	EXPECT_FALSE(reaches(self, A4, 22, "ssh"));
	EXPECT_TRUE(reaches(self, A4, 80, "web"));
	SH(NFT " list ruleset");
	EXPECT_NE(NULL, strstr(self->out, "ve341-in")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"venet341\" : jump ve341-in")) TH_LOG("%s", self->out);
}

/* Two VEs: each its own rules; VE to VE passes both VEs' chains. */
TEST_F_TIMEOUT(fw, ve_to_ve_is_judged_by_both, 300)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " B4, B)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("firewall %u add --dir out --proto tcp --dport 80 --dst " A4 " --action drop", B));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_TRUE(booted(self, B));
	ASSERT_EQ(0, serve(self, A));
	usleep(300000);
	/* B may not reach A's web server (B's out rule), but its ssh; outside reaches both. */
	V("exec %u 'echo x | nc -w 2 " A4 " 80'", B);
	EXPECT_EQ(NULL, strstr(self->out, "web"));
	V("exec %u 'echo x | nc -w 2 " A4 " 22'", B);
	EXPECT_NE(NULL, strstr(self->out, "ssh")) TH_LOG("%s %s", self->out, self->err);
	EXPECT_TRUE(reaches(self, A4, 80, "web"));
	/* A's in rule stops B too. */
	ASSERT_EQ(0, V("firewall %u add --dir in --proto tcp --dport 22 --src " B4 " --action drop", A));
	V("exec %u 'echo x | nc -w 2 " A4 " 22'", B);
	EXPECT_EQ(NULL, strstr(self->out, "ssh"));
	EXPECT_TRUE(reaches(self, A4, 22, "ssh"));
	/* B stopped: its chains and elements go, A's stay. */
	ASSERT_EQ(0, V("stop %u", B));
	SH(NFT " list ruleset");
	EXPECT_EQ(NULL, strstr(self->out, "ve342-")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "ve341-in"));
	ASSERT_EQ(0, V("stop %u", A));
	EXPECT_FALSE(host_has_ve_rules(self)) TH_LOG("%s", self->out);
	EXPECT_NE(0, access("/run/ve/341.fw", F_OK));
}

/* Every bad input: one line, its exit code, the config and the host's rules as they were. */
TEST_F_TIMEOUT(fw, bad_input_changes_nothing, 300)
{
	static const struct {
		const char *args;
		int rc;
	} bad[] = {
		{ "add --dir sideways --proto tcp --action drop", 21 },
		{ "add --dir in --proto sctp --action drop", 21 },
		{ "add --dir in --proto tcp --dport 0 --action drop", 21 },
		{ "add --dir in --proto tcp --dport 65536 --action drop", 21 },
		{ "add --dir in --proto tcp --dport 30-20 --action drop", 21 },
		{ "add --dir in --proto tcp --dport -1 --action drop", 21 },
		{ "add --dir in --proto icmp --dport 22 --action drop", 21 },
		{ "add --dir in --proto any --sport 22 --action drop", 21 },
		{ "add --dir in --proto tcp --src 10.0.0.1/33 --action drop", 21 },
		{ "add --dir in --proto tcp --src 10.0.0.256 --action drop", 21 },
		{ "add --dir in --proto tcp --src 10.0.0.1 --dst fd00::1 --action drop", 21 },
		{ "add --dir in --proto tcp --action maybe", 21 },
		{ "add --dir in --proto tcp", 20 },
		{ "add --proto tcp --action drop", 20 },
		{ "add --dir in --action drop", 20 },
		{ "add --dir in --proto tcp --action drop --bogus", 20 },
		{ "add --dir in --proto tcp --action drop extra", 20 },
		{ "del 2", 21 },
		{ "del 0", 21 },
		{ "del abc", 21 },
		{ "del", 20 },
		{ "policy in maybe", 20 },
		{ "policy sideways drop", 20 },
		{ "policy in", 20 },
		{ "flush", 20 },
		{ "list -x", 20 },
	};
	char conf[8192], now[8192], rules[16384];

	ASSERT_EQ(0, V("firewall %u add --dir in --proto udp --sport 53 --src 10.0.0.0/8 --action accept", A))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ve_slurp(CONF, conf, sizeof(conf));
	SH(RULESET);
	snprintf(rules, sizeof(rules), "%s", self->out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(bad[i].rc, V("firewall %u %s", A, bad[i].args)) TH_LOG("%s", bad[i].args);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad[i].args, self->err);
		EXPECT_STREQ(conf, ve_slurp(CONF, now, sizeof(now))) TH_LOG("%s", bad[i].args);
	}
	SH(RULESET);
	EXPECT_STREQ(rules, self->out);
	/* The rule as given, canonical. */
	ASSERT_EQ(0, V("firewall %u list -H", A));
	EXPECT_NE(NULL, strstr(self->out, "10.0.0.0/8")) TH_LOG("%s", self->out);
	EXPECT_EQ(14, V("firewall %u list", B));
	EXPECT_TRUE(ve_one_line(self->err));
	EXPECT_EQ(21, V("firewall 0 list"));
	EXPECT_EQ(20, V("firewall %u", A));

	/* A broken FIREWALL in the config: start refuses, one line, nothing left. */
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, SH("sed -i 's/^FIREWALL=.*/FIREWALL=\"in,tcp,dport=99999,drop\"/' " CONF));
	EXPECT_EQ(85, V("start %u", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "FIREWALL")) TH_LOG("%s", self->err);
	EXPECT_FALSE(host_has_ve_rules(self)) TH_LOG("%s", self->out);
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(85, V("firewall %u add --dir in --proto tcp --action drop", A));
}

TEST_HARNESS_MAIN
