// SPDX-License-Identifier: GPL-2.0
/*
 * VEs started on demand (ved): a stopped VE with ONDEMAND=yes is started
 * by the first TCP connection to its address from a LAN namespace
 * ("outside"), whose retry connects; after ONDEMAND_IDLE seconds without
 * a connection ved stops it, and the next request starts it again.
 * Turning it off, or ved's exit, leaves no route or neighbour entry; bad
 * input changes nothing.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 371
#define B 372
#define IP "/usr/sbin/ip"
#define A4 "10.96.0.11"
#define HOST4 "10.96.0.1"
#define OUT4 "10.96.0.2"
#define OUTSIDE IP " netns exec outside "
#define CONF "/etc/ve/conf/371.conf"

FIXTURE(od) {
	char out[16384];
	char err[4096];
	pid_t ved;
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static pid_t ved_start(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/tmp/ved.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("ved", "ved", "-v", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int ved_stop(pid_t pid)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Until @cond (an sh test) holds, for up to @s seconds; whether it did. */
static bool within(FIXTURE_DATA(od) *self, int s, const char *cond)
{
	for (int i = 0; i < s * 10 * ve_time_scale(); i++) {
		if (SH("%s", cond) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* ved's failures: one line, "ved: " first. */
static bool ved_one_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	return !strncmp(err, "ved: ", 5) && nl && !nl[1];
}

/* ved stands in: a rule sends what goes to the address to its table, to ved0. */
#define ROUTED_TO_VED "" IP " rule show | grep -q 'to " A4 " lookup 4096' && " \
		      IP " route show table 4096 | grep -q '^" A4 " dev ved0'"
#define RUNNING "vectl status 371 | grep -q ' running'"
#define DOWN "vectl status 371 | grep -q ' down'"

FIXTURE_SETUP(od)
{
	self->ved = -1;
	for (unsigned int id = A; id <= B; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
	}
	SH("rm -f /etc/ve/conf/371.conf.destroyed /etc/ve/conf/372.conf.destroyed");
	ASSERT_EQ(0, ve_lan_setup(HOST4, OUT4, self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	/* A VE whose boot starts a web server. */
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " A4, A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u \"echo 'nc -ll -p 80 -e /bin/echo hi >/dev/null 2>&1 &' >> /etc/init.d/rcS\"",
		       A));
	ASSERT_EQ(0, V("stop %u", A));
}

FIXTURE_TEARDOWN(od)
{
	ved_stop(self->ved);
	for (unsigned int id = A; id <= B; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
	}
	/* Nothing of ved's is left: no route to its device, no neighbour entry. */
	SH(IP " route show " A4 "; " IP " route show table 4096 2>/dev/null; " IP " rule show | grep " A4
	   "; " IP " neigh show proxy | grep " A4 "; " IP " link show ved0 2>/dev/null");
	EXPECT_STREQ("", self->out);
	ve_lan_teardown();
	SH("rm -f /etc/ve/conf/371.conf.destroyed /etc/ve/conf/372.conf.destroyed");
}

/* A connection from outside to port 80: the seconds it took to get "hi", or -1. */
static double connect_time(FIXTURE_DATA(od) *self)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	SH("echo x | " OUTSIDE "nc -w 15 " A4 " 80");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!strstr(self->out, "hi"))
		return -1;
	return (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

TEST_F_TIMEOUT(od, first_request_starts_it_idle_stops_it, 600)
{
	double t;

	ASSERT_EQ(0, V("set %u --ondemand yes --ondemand-idle 6 --save", A)) TH_LOG("%s", self->err);
	self->ved = ved_start();
	ASSERT_GT(self->ved, 0);
	ASSERT_TRUE(within(self, 10, ROUTED_TO_VED))
		TH_LOG("no route to ved0; ved's log: %s", ve_slurp("/tmp/ved.log", self->err,
								   sizeof(self->err)));
	EXPECT_EQ(0, SH(IP " neigh show proxy | grep -q '^" A4 " dev uplink0'"));
	EXPECT_TRUE(within(self, 1, DOWN));

	/* The first SYN starts it; the client's retry connects. */
	t = connect_time(self);
	EXPECT_GT(t, 0) TH_LOG("no answer; ved's log: %s", ve_slurp("/tmp/ved.log", self->err,
								     sizeof(self->err)));
	/* At the first SYN retry after the service listens: 1, 3 or 7 s. */
	TH_LOG("connected after %.1f s", t);
	EXPECT_LE(t, 7.5 * ve_time_scale());
	EXPECT_TRUE(within(self, 1, RUNNING));
	/* Running, the VE's own route wins over ved's: later connections go straight in. */
	t = connect_time(self);
	EXPECT_GT(t, 0);
	EXPECT_LT(t, 1.0 * ve_time_scale());

	/* Idle for 6 s: stopped again, and standing by for the next request. */
	EXPECT_TRUE(within(self, 20, DOWN)) TH_LOG("not stopped after its idle time");
	EXPECT_TRUE(within(self, 5, ROUTED_TO_VED));
	EXPECT_GT(connect_time(self), 0);
	EXPECT_TRUE(within(self, 1, RUNNING));

	/* Off: ved takes its route away; the running VE keeps its own. */
	ASSERT_EQ(0, V("set %u --ondemand no --save", A));
	ASSERT_EQ(0, V("stop %u", A));
	EXPECT_FALSE(within(self, 3, ROUTED_TO_VED));
	SH(IP " route show " A4 "; " IP " route show table 4096 2>/dev/null; " IP " rule show | grep " A4);
	EXPECT_STREQ("", self->out);
	EXPECT_EQ(0, ved_stop(self->ved));
	self->ved = -1;
}

/* ved's exit leaves nothing, and a stopped VE is not started by traffic then. */
TEST_F_TIMEOUT(od, ved_exit_takes_its_routes, 300)
{
	ASSERT_EQ(0, V("set %u --ondemand yes --save", A));
	self->ved = ved_start();
	ASSERT_TRUE(within(self, 10, ROUTED_TO_VED))
		TH_LOG("ved's log: %s", ve_slurp("/tmp/ved.log", self->err, sizeof(self->err)));
	/* Started by hand while ved stands by: ved steps aside, the VE gets its traffic. */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(within(self, 5, "! " IP " rule show | grep -q 'to " A4 " '"));
	EXPECT_TRUE(within(self, 10, "echo x | " OUTSIDE "nc -w 2 " A4 " 80 | grep -q hi"));
	ASSERT_EQ(0, V("stop %u", A));
	EXPECT_TRUE(within(self, 5, ROUTED_TO_VED));
	/* A second ved is refused: one per node. */
	EXPECT_NE(0, SH("timeout 10 ved"));
	EXPECT_TRUE(ved_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, ved_stop(self->ved));
	self->ved = -1;
	SH(IP " route show table 4096 2>/dev/null; " IP " rule show | grep " A4 "; "
	   IP " neigh show proxy | grep " A4);
	EXPECT_STREQ("", self->out);
	EXPECT_LT(connect_time(self), 0);
	EXPECT_TRUE(within(self, 1, DOWN));
}

TEST_F_TIMEOUT(od, bad_input_changes_nothing, 300)
{
	char conf[8192], now[8192];

	ASSERT_EQ(0, V("create %u --ostemplate busybox", B)) TH_LOG("%s", self->err);
	ve_slurp("/etc/ve/conf/372.conf", conf, sizeof(conf));
	EXPECT_EQ(21, V("set %u --ondemand yes --save", B));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "addresses")) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("set %u --ondemand maybe --save", B));
	EXPECT_EQ(21, V("set %u --ondemand-idle -1 --save", B));
	EXPECT_EQ(21, V("set %u --ondemand-idle 1h --save", B));
	EXPECT_STREQ(conf, ve_slurp("/etc/ve/conf/372.conf", now, sizeof(now)));
	/* Taking the last address of an on-demand VE away is refused too. */
	ASSERT_EQ(0, V("set %u --ondemand yes --save", A));
	ve_slurp(CONF, conf, sizeof(conf));
	EXPECT_EQ(21, V("set %u --ipdel all --save", A));
	EXPECT_STREQ(conf, ve_slurp(CONF, now, sizeof(now)));
	EXPECT_EQ(20, SH("ved --bogus"));
	EXPECT_TRUE(ved_one_line(self->err)) TH_LOG("%s", self->err);
}

TEST_HARNESS_MAIN
