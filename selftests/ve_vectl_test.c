// SPDX-License-Identifier: GPL-2.0
/*
 * vectl's low-level commands against the real module: list (vzlist
 * output, -a/-S/-H/-o/-j) and kernel new/start/which/stop/del, with their
 * one-line errors and vzctl exit codes.
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

#define ID 501

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

FIXTURE(cli) {
	struct ve_nl nl;
	struct ve_child child;
	char out[4096];
	char err[1024];
};

FIXTURE_SETUP(cli)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	veapi_del(&self->nl, ID);
}

FIXTURE_TEARDOWN(cli)
{
	ve_child_kill(&self->child);
	veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000);
	veapi_del(&self->nl, ID);
	ve_nl_close(&self->nl);
}

#define VECTL(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

TEST_F(cli, kernel_commands_and_list)
{
	char want[128];

	ASSERT_EQ(0, VECTL("kernel new %d", ID));
	EXPECT_EQ(0, VECTL("list -H"));
	EXPECT_STREQ("", self->out);			/* running only */
	EXPECT_EQ(0, VECTL("list -a -H -o ctid,status"));
	EXPECT_STREQ("       501 stopped  \n", self->out);
	EXPECT_EQ(0, VECTL("list -a -H -o veid,status"));
	EXPECT_STREQ("       501 stopped  \n", self->out);
	EXPECT_EQ(0, VECTL("list -S -H -o ctid"));
	EXPECT_STREQ("       501\n", self->out);

	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, VECTL("kernel start %d %d", ID, self->child.pid)) {
		TH_LOG("%s", self->err);
	}
	ve_child_go(&self->child);

	EXPECT_EQ(0, VECTL("list"));
	EXPECT_STREQ("      CTID      NPROC STATUS    IP_ADDR         HOSTNAME            \n"
		     "       501          1 running   -               -                   \n", self->out);
	EXPECT_EQ(0, VECTL("list -j -o ctid,initpid"));
	snprintf(want, sizeof(want), "[\n  {\"ctid\": 501, \"initpid\": %d}\n]\n",
		 self->child.pid);
	EXPECT_STREQ(want, self->out);
	EXPECT_EQ(0, VECTL("kernel which %d", self->child.pid));
	EXPECT_STREQ("501\n", self->out);
	EXPECT_EQ(0, VECTL("kernel which 1"));
	EXPECT_STREQ("0\n", self->out);

	/* Refusals: one line, the kernel's words, vzctl's codes. */
	EXPECT_EQ(3, VECTL("kernel new %d", ID));
	EXPECT_STREQ("vectl: kernel new 501: ve: a VE with this id exists (attribute id)\n",
		     self->err);
	EXPECT_EQ(32, VECTL("kernel start %d 1", ID));
	EXPECT_STREQ("vectl: kernel start 501: ve: VE is already running\n", self->err);
	EXPECT_EQ(32, VECTL("kernel del %d", ID));
	EXPECT_STREQ("vectl: kernel del 501: ve: VE is running; stop it first\n", self->err);

	EXPECT_EQ(0, VECTL("kernel stop %d", ID));
	ve_child_wait(&self->child);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
	EXPECT_EQ(31, VECTL("kernel stop %d", ID));
	EXPECT_STREQ("vectl: kernel stop 501: ve: VE is not running\n", self->err);
	EXPECT_EQ(0, VECTL("kernel del %d", ID));
	EXPECT_EQ(3, VECTL("kernel del %d", ID));
	EXPECT_STREQ("vectl: kernel del 501: ve: no VE with this id (attribute id)\n",
		     self->err);
}

static int fork_once(void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid < 0 ? 0 : 1;	/* the fork must be refused */
}

/* vectl monitor: state and limit events of the VEs asked for, as they come. */
TEST_F(cli, monitor_prints_events)
{
	struct ve_child other = { .pid = -1 };
	char buf[2048] = "";
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t mon;

	ASSERT_EQ(0, pipe(fds));
	mon = fork();
	ASSERT_LE(0, mon);
	if (mon == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execlp("vectl", "vectl", "monitor", "-j", "501", NULL);
		_exit(127);
	}
	close(fds[1]);
	sleep(1);	/* let it join the group */

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, veapi_set_res(&self->nl, ID, VE_RES_NUMPROC, 1, 1));
	ASSERT_EQ(0, veapi_new(&self->nl, ID + 1, NULL));	/* not followed */
	ASSERT_EQ(0, ve_child_spawn(&other, VE_CHILD_NS, NULL, sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID + 1, other.pid));
	ve_child_go(&other);
	ASSERT_EQ(0, veapi_stop(&self->nl, ID + 1));
	ve_child_wait(&other);

	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL, fork_once, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);
	status = ve_child_wait(&self->child);
	EXPECT_EQ(0, status);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
	veapi_wait_state(&self->nl, ID + 1, VE_STATE_STOPPED, 5000);
	sleep(2);	/* LIMIT_NTF goes out from a work item */
	kill(mon, SIGTERM);
	waitpid(mon, NULL, 0);
	while (len < sizeof(buf) - 1 &&
	       (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fds[0]);
	veapi_del(&self->nl, ID + 1);

	EXPECT_NE(NULL, strstr(buf,
		"{\"event\": \"state\", \"veid\": 501, \"old_state\": \"stopped\", \"state\": \"running\"}\n")) {
		TH_LOG("monitor printed:\n%s", buf);
	}
	EXPECT_NE(NULL, strstr(buf,
		"{\"event\": \"limit\", \"veid\": 501, \"resource\": \"numproc\", \"held\": 1, "));
	EXPECT_NE(NULL, strstr(buf, "\"barrier\": 1, \"limit\": 1, \"failcnt\": 1}\n"));
	EXPECT_NE(NULL, strstr(buf,
		"{\"event\": \"state\", \"veid\": 501, \"old_state\": \"running\", \"state\": \"stopped\", \"exit_status\": 0}\n"));
	EXPECT_EQ(NULL, strstr(buf, "502"));
}

TEST_F(cli, bad_command_lines)
{
	EXPECT_EQ(21, VECTL("kernel new 0"));
	EXPECT_STREQ("vectl: kernel new: invalid VE ID '0' (1 to 2147483647)\n", self->err);
	EXPECT_EQ(21, VECTL("kernel new 2147483648"));
	EXPECT_EQ(21, VECTL("kernel start 5 -3"));
	EXPECT_EQ(20, VECTL("kernel start 5"));
	EXPECT_EQ(20, VECTL("kernel frob 5"));
	EXPECT_EQ(20, VECTL("monitor -x"));
	EXPECT_STREQ("vectl: monitor: bad option '-x' (usage: vectl monitor [-j] [ID...])\n",
		     self->err);
	EXPECT_EQ(21, VECTL("monitor 0"));
	EXPECT_EQ(20, VECTL("list -o ctid,bogus"));
	EXPECT_STREQ("vectl: list: unknown field 'bogus' (fields: ctid, numproc, status, ip, hostname, initpid, onboot, ostemplate, private, root, netin, netout, netinpkts, netoutpkts, netdrop, layout, diskspace[.s|.h], diskinodes[.s|.h], and resources like numfile.m)\n",
		     self->err);
	/* list takes VE IDs; anything else is a bad value. */
	EXPECT_EQ(21, VECTL("list extra"));
	EXPECT_STREQ("vectl: list: invalid VE ID 'extra' (1 to 2147483647)\n", self->err);
	/* As vzlist: an ID nobody knows is an error; "veid" names the ID field. */
	EXPECT_EQ(1, VECTL("list 999"));
	EXPECT_STREQ("vectl: list: VE 999 not found\n", self->err);
	EXPECT_STREQ("", self->out);
	/* Nothing was created along the way. */
	EXPECT_EQ(0, VECTL("list -a -H"));
	EXPECT_STREQ("", self->out);
}

TEST_HARNESS_MAIN
