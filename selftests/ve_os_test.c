// SPDX-License-Identifier: GPL-2.0
/*
 * VEs as users run them: vectl create/start/exec/enter/set/stop/destroy
 * on the busybox OS template, isolation between VEs, exit codes, and every
 * refusal leaving things as they were.
 */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 301
#define B 302
#define UID_OF(id) (100000u + (id) * 65536u)

struct box {
	struct ve_nl nl;
	char out[16384];
	char err[2048];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static bool exists(const char *fmt, uint32_t id)
{
	char path[256];

	snprintf(path, sizeof(path), fmt, id);
	return access(path, F_OK) == 0;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Wait for the template's rc script to finish (it sets the hostname too). */
static bool booted(struct box *self, uint32_t id)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err),
			      "exec %u test -e /run/booted", id) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

static void cleanup(struct box *self, uint32_t id)
{
	V("stop %u --fast", id);
	V("destroy %u", id);
	/* Configs of destroyed VEs from earlier cases. */
	char path[128];

	snprintf(path, sizeof(path), "/etc/ve/conf/%u.conf.destroyed", id);
	unlink(path);
}

FIXTURE(os) {
	struct box b;
};

FIXTURE_SETUP(os)
{
	ASSERT_EQ(0, ve_nl_open(&self->b.nl));
	cleanup(&self->b, A);
	cleanup(&self->b, B);
}

FIXTURE_TEARDOWN(os)
{
	cleanup(&self->b, A);
	cleanup(&self->b, B);
	ve_nl_close(&self->b.nl);
}

#undef V
#define V(...) run_vectl(self->b.out, sizeof(self->b.out), self->b.err, sizeof(self->b.err), __VA_ARGS__)
#define OUT self->b.out
#define ERR self->b.err

/* The whole story, and nothing left behind. */
TEST_F(os, lifecycle)
{
	struct ve_info info;
	char status[4096], want[64];

	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname alpha", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(exists("/var/lib/ve/private/%u/root.img", A));
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 301 exist unmounted down\n", OUT);

	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
		ASSERT_EQ(0, V("status %u", A));
		EXPECT_STREQ("CTID 301 exist mounted running\n", OUT);

		/*
		 * Only the VE's processes, PID 1 is its init; once its boot
		 * script is done (it may run a moment past /run/booted).
		 */
		ASSERT_TRUE(booted(&self->b, A));
		for (int i = 0; i < 50 * ve_time_scale(); i++) {
			ASSERT_EQ(0, V("exec %u ps -o pid,comm", A)) TH_LOG("%s", ERR);
			if (lines(OUT) == 3)
				break;
			usleep(100000);
		}
		EXPECT_EQ(0, strncmp(OUT, "PID   COMMAND\n    1 init\n", 25)) TH_LOG("ps: %s", OUT);
		EXPECT_NE(NULL, strstr(OUT + 25, " ps\n")) TH_LOG("ps: %s", OUT);
		EXPECT_EQ(3, lines(OUT)) TH_LOG("more than init and ps: %s", OUT);
		ASSERT_EQ(0, V("exec %u hostname", A));
		EXPECT_STREQ("alpha\n", OUT);
		ASSERT_EQ(0, V("exec %u id -u", A));
		EXPECT_STREQ("0\n", OUT);

		/* uid 0 inside is 100000 + ID * 65536 on the host. */
		ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
		snprintf(want, sizeof(want), "Uid:\t%u\t%u", UID_OF(A), UID_OF(A));
		snprintf(status, sizeof(status), "/proc/%u/status", info.init_pid);
		EXPECT_NE(NULL, strstr(ve_slurp(status, status, sizeof(status)), want));

		ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", ERR);
		ASSERT_EQ(0, V("status %u", A));
		EXPECT_STREQ("CTID 301 exist unmounted down\n", OUT);
		EXPECT_FALSE(ve_root_mounted(A));
		EXPECT_FALSE(exists("/sys/fs/cgroup/ve/%u", A));
	}

	ASSERT_EQ(0, V("destroy %u", A)) TH_LOG("%s", ERR);
	EXPECT_FALSE(exists("/var/lib/ve/private/%u", A));
	EXPECT_FALSE(exists("/var/lib/ve/root/%u", A));
	EXPECT_FALSE(exists("/etc/ve/conf/%u.conf", A));
	EXPECT_TRUE(exists("/etc/ve/conf/%u.conf.destroyed", A));
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_EQ(-ENOENT, veapi_get(&self->b.nl, A, &info));
	ASSERT_EQ(0, V("status %u", A));
	EXPECT_STREQ("CTID 301 deleted unmounted down\n", OUT);
}

/* Two VEs see and signal neither each other nor the host. */
TEST_F(os, isolation)
{
	struct ve_info ia, ib;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname alpha", A));
	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname beta", B));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &ia));
	ASSERT_EQ(0, veapi_get(&self->b.nl, B, &ib));

	/* B's init (and the host's) by host pid: not there from inside A. */
	ASSERT_EQ(0, V("exec %u 'kill -0 %u 2>/dev/null; echo $?'", A, ib.init_pid));
	EXPECT_STREQ("1\n", OUT);
	ASSERT_EQ(0, V("exec %u 'ps -o pid,comm'", A));
	EXPECT_EQ(0, strncmp(OUT, "PID   COMMAND\n    1 init\n", 25)) TH_LOG("ps: %s", OUT);
	EXPECT_EQ(NULL, strstr(OUT, " sleep")) TH_LOG("ps: %s", OUT);
	/* PID 1 inside is A's own init; killing it from a child is refused. */
	ASSERT_EQ(0, V("exec %u 'kill -9 1; sleep 0.2; echo alive'", A));
	EXPECT_STREQ("alive\n", OUT);
	ASSERT_EQ(0, V("exec %u hostname", B));
	EXPECT_STREQ("beta\n", OUT);
	/*
	 * A loopback and venet0, whose host end routes only the VE's own
	 * addresses (none here): no host device is in sight. A kernel with
	 * tunnel drivers built in adds their fallback devices (sit0,
	 * tunl0, ...) to every network namespace; they lead nowhere.
	 */
	ASSERT_EQ(0, V("exec %u 'ls /sys/class/net | grep -vx -e sit0 -e tunl0 -e ip6tnl0 -e gre0 -e gretap0 -e erspan0 -e ip_vti0 -e ip6_vti0 -e ip6gre0'",
		       A));
	EXPECT_STREQ("lo\nvenet0\n", OUT);
	/* Nothing of the host's /dev but the minimal set. */
	ASSERT_EQ(0, V("exec %u 'ls /dev | tr \"\\n\" \" \"'", A));
	EXPECT_STREQ("console fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ", OUT);
	/* Root in A is not root on the host: no host capability. */
	ASSERT_NE(0, V("exec %u 'echo 1 > /proc/sys/kernel/sysrq'", A));
	ASSERT_EQ(0, veapi_get(&self->b.nl, B, &ib));
	EXPECT_EQ(VE_STATE_RUNNING, ib.state);
	EXPECT_EQ(0, kill(ia.init_pid, 0));
}

/* exec passes exit codes, stdin and stdout through. */
TEST_F(os, exec_io)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	EXPECT_EQ(0, V("exec %u true", A));
	EXPECT_EQ(1, V("exec %u false", A));
	EXPECT_EQ(7, V("exec %u 'exit 7'", A));
	EXPECT_EQ(255, V("exec %u sh -c 'exit 255'", A));
	EXPECT_EQ(128 + SIGKILL, V("exec %u 'kill -9 $$'", A));
	ASSERT_EQ(0, V("exec %u 'tr a-z A-Z' < /etc/ve/ve.conf", A));
	EXPECT_NE(NULL, strstr(OUT, "VE_PRIVATE=\"/VAR/LIB/VE/PRIVATE/$VEID\""));
	/* More than a pipe's worth of output, and stderr apart. */
	ASSERT_EQ(0, V("exec %u 'seq 1 20000 | tail -n 1; echo oops >&2'", A));
	EXPECT_STREQ("20000\n", OUT);
	EXPECT_STREQ("oops\n", ERR);
	ASSERT_EQ(0, V("exec %u 'seq 1 20000' | wc -l", A));
	EXPECT_EQ(20000, atoi(OUT));
	/* Not a command: vectl says so in one line, exit 8. */
	EXPECT_EQ(8, V("exec %u /no/such/program arg", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	/* No host fd beyond stdio reaches the command. */
	ASSERT_EQ(0, V("exec %u 'ls /proc/self/fd | tr \"\\n\" \" \"' 9</etc/ve/ve.conf", A));
	EXPECT_STREQ("0 1 2 3 ", OUT) TH_LOG("fds: %s", OUT);
}

/* enter: a shell on a pty of the VE, driven through a pty here. */
TEST_F(os, enter)
{
	char buf[8192];
	size_t got = 0;
	int master, status;
	pid_t pid;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname gamma", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	setenv("TERM", "dumb", 1);	/* no cursor queries from the shell */
	pid = forkpty(&master, NULL, NULL, NULL);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char id[16];

		snprintf(id, sizeof(id), "%u", A);
		execlp(getenv("VECTL") ? getenv("VECTL") : "vectl", "vectl", "enter", id, NULL);
		_exit(99);
	}
	/* Like a person: a command, wait for its answer, then leave. */
	ASSERT_EQ(35, write(master, "echo X$((6*7))X $(hostname) $(tty)\n", 35));
	for (bool sent_exit = false;;) {
		struct pollfd p = { master, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(master, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
		if (!sent_exit && strstr(buf, "X42X") && strstr(strstr(buf, "X42X"), "# ")) {
			ASSERT_EQ(7, write(master, "exit 3\n", 7));
			sent_exit = true;
		}
	}
	buf[got] = '\0';
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(3, WEXITSTATUS(status)) TH_LOG("pty said: %s", buf);
	EXPECT_NE(NULL, strstr(buf, "X42X gamma /dev/pts/")) TH_LOG("pty said: %s", buf);
	close(master);

	/*
	 * /dev/ptmx is the VE's to change: vectl opens it only as the VE's
	 * root, and takes nothing but the pty multiplexer.
	 */
	ASSERT_EQ(0, V("exec %u 'rm /dev/ptmx && echo x > /dev/ptmx'", A)) TH_LOG("%s", ERR);
	EXPECT_EQ(8, V("enter %u < /dev/null", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "/dev/ptmx is not the pty multiplexer")) TH_LOG("%s", ERR);
}

/* Saved limits reach the cgroup and the module, also after a reload. */
TEST_F(os, set_and_reload)
{
	char buf[256], conf[8192];
	struct ve_info info;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	/* Not running, no --save: refused, nothing written. */
	EXPECT_EQ(31, V("set %u --numproc 200", A));
	EXPECT_TRUE(ve_one_line(ERR));
	EXPECT_EQ(NULL, strstr(ve_slurp("/etc/ve/conf/301.conf", conf, sizeof(conf)), "200"));
	EXPECT_EQ(21, V("set %u --numproc 10:5 --save", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_EQ(21, V("set %u --ram lots --save", A));
	EXPECT_EQ(20, V("set %u --bogus 1 --save", A));
	EXPECT_EQ(70, V("set %u --hostname 'bad name' --save", A));
	EXPECT_EQ(0, V("set %u --numproc 200 --ram 64M --cpulimit 50 --hostname delta --save", A))
		TH_LOG("%s", ERR);
	ve_slurp("/etc/ve/conf/301.conf", conf, sizeof(conf));
	EXPECT_NE(NULL, strstr(conf, "NUMPROC=\"200:200\""));
	EXPECT_NE(NULL, strstr(conf, "PHYSPAGES=\"0:16384\""));
	EXPECT_NE(NULL, strstr(conf, "# Sample VE configuration")) TH_LOG("comments lost");

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	EXPECT_STREQ("200\n", ve_slurp("/sys/fs/cgroup/ve/301/pids.max", buf, sizeof(buf)));
	EXPECT_STREQ("67108864\n", ve_slurp("/sys/fs/cgroup/ve/301/memory.max", buf, sizeof(buf)));
	EXPECT_STREQ("50000 100000\n", ve_slurp("/sys/fs/cgroup/ve/301/cpu.max", buf, sizeof(buf)));
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(200, info.limit[VE_RES_NUMPROC]);

	/* Live change without --save: applied, not written. */
	ASSERT_TRUE(booted(&self->b, A));
	EXPECT_EQ(0, V("set %u --numproc 150 --hostname epsilon", A)) TH_LOG("%s", ERR);
	EXPECT_STREQ("150\n", ve_slurp("/sys/fs/cgroup/ve/301/pids.max", buf, sizeof(buf)));
	ASSERT_EQ(0, V("exec %u hostname", A));
	EXPECT_STREQ("epsilon\n", OUT);
	EXPECT_NE(NULL, strstr(ve_slurp("/etc/ve/conf/301.conf", conf, sizeof(conf)), "NUMPROC=\"200:200\""));

	/* Module reload: the VE is registered again with its saved limits. */
	ASSERT_EQ(0, V("stop %u", A));
	ve_nl_close(&self->b.nl);
	ASSERT_EQ(0, system("rmmod ve && modprobe ve"));
	ASSERT_EQ(0, ve_nl_open(&self->b.nl));
	EXPECT_EQ(-ENOENT, veapi_get(&self->b.nl, A, &info));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(200, info.limit[VE_RES_NUMPROC]);
	ASSERT_EQ(0, V("exec %u hostname", A));
	EXPECT_STREQ("delta\n", OUT);

	/* onboot: --onboot-all starts exactly the VEs marked so. */
	ASSERT_EQ(0, V("create %u --ostemplate busybox", B));
	EXPECT_EQ(0, V("set %u --onboot yes --save", A));
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, V("start --onboot-all")) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("list -H -o ctid,status,onboot %u %u", A, B));
	EXPECT_STREQ("       301 running   yes   \n       302 stopped   no    \n", OUT);
}

/* list: fields, sorting, JSON, filters. */
TEST_F(os, list)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname zulu", A));
	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname alpha", B));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("list -H -o ctid,hostname %u %u", A, B));
	EXPECT_STREQ("       301 zulu                \n       302 alpha               \n", OUT);
	ASSERT_EQ(0, V("list -H -o ctid -s hostname %u %u", A, B));
	EXPECT_STREQ("       302\n       301\n", OUT);
	ASSERT_EQ(0, V("list -H -o ctid -s -ctid %u %u", A, B));
	EXPECT_STREQ("       302\n       301\n", OUT);
	ASSERT_EQ(0, V("list -H -o ctid,status | grep -c 30[12]"));
	EXPECT_STREQ("1\n", OUT);	/* running only */
	ASSERT_EQ(0, V("list -S -H -o ctid | grep -c 302"));
	EXPECT_STREQ("1\n", OUT);
	ASSERT_EQ(0, V("list -j -o ctid,status,hostname,numproc.l %u", A));
	EXPECT_STREQ("[\n  {\"ctid\": 301, \"status\": \"running\", \"hostname\": \"zulu\", \"numproc.l\": 1024}\n]\n",
		     OUT);
	EXPECT_EQ(20, V("list -o nosuchfield"));
	EXPECT_TRUE(ve_one_line(ERR));

	/* Beancounters: list's vzlist suffixes and vectl ubc (init alone). */
	ASSERT_TRUE(booted(&self->b, A));
	/* Exited processes are freed (and uncharged) after an RCU period. */
	for (int i = 0; i < 30; i++) {
		ASSERT_EQ(0, V("list -H -o ctid,numproc,numproc.l,numfile.f %u", A));
		if (!strcmp(OUT, "       301          1         1024            0\n"))
			break;
		usleep(100000);
	}
	EXPECT_STREQ("       301          1         1024            0\n", OUT);
	ASSERT_EQ(0, V("ubc %u", A));
	EXPECT_NE(NULL, strstr(OUT, "\n      301:  kmemsize ")) TH_LOG("%s", OUT);
	EXPECT_NE(NULL, strstr(OUT, "\n            numproc                         1 "));
	ASSERT_EQ(0, V("ubc -j %u | grep -c '\"numproc\": {\"held\": 1, \"maxheld\": [0-9]*, \"barrier\": 1024, \"limit\": 1024, \"failcnt\": 0}'", A));
	EXPECT_STREQ("1\n", OUT);
	EXPECT_EQ(31, V("ubc %u", B));	/* stopped, unknown to the module */
	EXPECT_TRUE(ve_one_line(ERR));
}

/* Every refusal: one line, a vzctl exit code, nothing changed. */
TEST_F(os, errors)
{
	char before[8192], after[8192];
	struct ve_info info;

	EXPECT_EQ(14, V("start %u", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_FALSE(exists("/etc/ve/conf/%u.conf", A));
	EXPECT_EQ(-ENOENT, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(21, V("start 0"));
	EXPECT_TRUE(ve_one_line(ERR));
	EXPECT_EQ(21, V("start 2147483648"));
	EXPECT_EQ(21, V("create abc --ostemplate busybox"));
	EXPECT_EQ(47, V("create %u --ostemplate nosuch", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_EQ(47, V("create %u --ostemplate ../etc", A));
	EXPECT_FALSE(exists("/etc/ve/conf/%u.conf", A));
	EXPECT_FALSE(exists("/var/lib/ve/private/%u", A));
	EXPECT_FALSE(exists("/var/lib/ve/private/%u.partial", A));

	/* A template that is not a tar: unwound, nothing left. */
	ASSERT_EQ(0, system("echo garbage | gzip > /var/lib/ve/template/broken.tar.gz"));
	EXPECT_EQ(47, V("create %u --ostemplate broken", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_FALSE(exists("/var/lib/ve/private/%u.partial", A));
	EXPECT_FALSE(exists("/etc/ve/conf/%u.conf", A));
	unlink("/var/lib/ve/template/broken.tar.gz");

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	EXPECT_EQ(44, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ve_slurp("/etc/ve/conf/301.conf", before, sizeof(before));
	EXPECT_EQ(32, V("start %u", A));
	EXPECT_TRUE(ve_one_line(ERR));
	EXPECT_EQ(32, V("destroy %u", A));
	EXPECT_TRUE(ve_one_line(ERR));
	EXPECT_EQ(32, V("umount %u", A));
	EXPECT_TRUE(exists("/var/lib/ve/root/%u/bin/busybox", A));
	EXPECT_STREQ(before, ve_slurp("/etc/ve/conf/301.conf", after, sizeof(after)));
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(VE_STATE_RUNNING, info.state);
	ASSERT_EQ(0, V("stop %u", A));
	EXPECT_EQ(31, V("stop %u", A));
	EXPECT_TRUE(ve_one_line(ERR));
	EXPECT_EQ(31, V("exec %u true", A));
	EXPECT_EQ(31, V("enter %u", A));

	/* A VE whose init cannot run: start unwinds every step. */
	EXPECT_EQ(20, V("set %u --save", A));
	ASSERT_EQ(0, system("echo 'INIT=\"/sbin/nosuchinit\"' >> /etc/ve/conf/301.conf"));
	EXPECT_EQ(7, V("start %u", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "/sbin/nosuchinit"));
	EXPECT_FALSE(ve_root_mounted(A));
	EXPECT_FALSE(exists("/sys/fs/cgroup/ve/%u", A));
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(VE_STATE_STOPPED, info.state);
}

/*
 * The VE's root makes /etc/hostname a FIFO. A live hostname change and
 * the next start must fail at once with a clear reason, and leave the VE
 * unlocked for the next verb.
 */
TEST_F(os, hostname_fifo_fails_fast)
{
	time_t t0;

	ASSERT_EQ(0, V("create %u --ostemplate busybox --hostname alpha", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	ASSERT_EQ(0, V("exec %u 'rm -f /etc/hostname && mkfifo /etc/hostname'", A))
		TH_LOG("%s", ERR);

	t0 = time(NULL);
	EXPECT_EQ(8, V("set %u --hostname beta", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "must be a regular file")) TH_LOG("%s", ERR);
	EXPECT_GT(10, time(NULL) - t0);

	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", ERR);
	t0 = time(NULL);
	EXPECT_EQ(7, V("start %u", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "cannot set the hostname: /etc/hostname in the VE"))
		TH_LOG("%s", ERR);
	EXPECT_GT(10, time(NULL) - t0);
	EXPECT_EQ(0, V("status %u", A));
	EXPECT_NE(NULL, strstr(OUT, " down")) TH_LOG("%s", OUT);
	EXPECT_FALSE(ve_root_mounted(A));
	/* Nobody holds the VE's lock: the next verb runs at once. */
	EXPECT_EQ(0, V("destroy %u", A)) TH_LOG("%s", ERR);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* A VE flooding its console: the log stays within its size and rate. */
TEST_F(os, console_log_is_bounded)
{
	/*
	 * A slow (debug) kernel writes a tty slower: the rate must still bind.
	 * The log is twice the rate, so what one second keeps rotates it at
	 * most once: the last note is in one of the two files.
	 */
	int rate_kib = 8 / ve_time_scale() ?: 1;
	long size = 2048L * rate_kib;
	char log[16384], log1[16384], note[80];
	long cur, old;
	FILE *f;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	f = fopen("/etc/ve/conf/301.conf", "a");
	ASSERT_NE(NULL, f);
	fprintf(f, "CONSOLE_LOG_SIZE=\"%ld\"\nCONSOLE_LOG_RATE=\"%dK\"\n", size, rate_kib);
	fclose(f);
	snprintf(note, sizeof(note), "bytes of console output dropped: over %d bytes/s",
		 rate_kib * 1024);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	/* Bursts a second apart: every one of them is over the rate. */
	ASSERT_EQ(0, V("exec %u 'for i in 1 2 3 4 5 6; do yes 0123456789abcdef | head -c 100000; sleep 1; done > /dev/console; sleep 1; echo end-of-flood > /dev/console'",
		       A)) TH_LOG("%s", ERR);
	usleep(500000);
	cur = file_size("/var/log/ve/301.console");
	old = file_size("/var/log/ve/301.console.1");
	EXPECT_LE(0, cur);
	EXPECT_LT(0, old) TH_LOG("the log was never rotated");
	EXPECT_GE(size + 128, cur);
	EXPECT_GE(size + 128, old);
	ve_slurp("/var/log/ve/301.console", log, sizeof(log));
	ve_slurp("/var/log/ve/301.console.1", log1, sizeof(log1));
	EXPECT_NE(NULL, strstr(log, "end-of-flood")) TH_LOG("%s", log);
	EXPECT_TRUE(strstr(log, note) || strstr(log1, note)) TH_LOG("%s", log);
}

/*
 * A host user other than root reaches no VE's files, nor the set-uid
 * programs the VE's root plants there: the directories above every VE's
 * root and private area are root's alone.
 */
TEST_F(os, host_users_cannot_reach_ve_trees)
{
	static const char *const paths[] = {
		"/var/lib/ve/root/301/etc/passwd", "/var/lib/ve/private/301/root.img",
	};
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	ASSERT_EQ(0, V("exec %u 'cp /bin/busybox /suid && chmod 4755 /suid'", A))
		TH_LOG("%s", ERR);
	ASSERT_EQ(0, stat("/var/lib/ve/root", &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	ASSERT_EQ(0, stat("/var/lib/ve/private", &st));
	EXPECT_EQ(0700, st.st_mode & 07777);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(100);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			bad += open(paths[i], O_RDONLY) >= 0 || errno != EACCES;
		execl("/var/lib/ve/root/301/suid", "id", "-u", (char *)NULL);
		bad += errno != EACCES;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("a host user reached the VE's tree");
	/* The VE itself is unaffected. */
	EXPECT_EQ(0, V("exec %u 'test -u /suid && echo ok'", A));
	EXPECT_STREQ("ok\n", OUT);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	if (f)
		fclose(f);
	return v;
}

/*
 * Keys are counted per host uid and charged to no memory cgroup: a VE's
 * root could pin gigabytes with its 65536 uids. In a VE, add_key fails
 * with EPERM (the VE's syscall filter), for its init and for what joins
 * it, unless its config allows the keyrings.
 */
TEST_F(os, keyrings_are_closed_to_ves)
{
	char path[64], status[4096];
	struct ve_info info;
	long before, after;
	FILE *f;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	ASSERT_EQ(0, system("cp /selftests/ve_keys /var/lib/ve/root/301/ve_keys"));
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	snprintf(path, sizeof(path), "/proc/%u/status", info.init_pid);
	EXPECT_NE(NULL, strstr(ve_slurp(path, status, sizeof(status)), "Seccomp:\t2"))
		TH_LOG("the init runs without the VE's filter");

	system("sync; echo 3 > /proc/sys/vm/drop_caches");
	before = meminfo_kb("SUnreclaim:");
	ASSERT_EQ(0, V("exec %u '/ve_keys 1000'", A)) TH_LOG("%s", ERR);
	EXPECT_STREQ("keys=0 errno=1\n", OUT);
	after = meminfo_kb("SUnreclaim:");
	EXPECT_GT(8 * 1024, after - before) TH_LOG("SUnreclaim %ld -> %ld kB", before, after);

	/* Allowed per VE: then the keys are the kernel's to count. */
	ASSERT_EQ(0, V("stop %u", A));
	f = fopen("/etc/ve/conf/301.conf", "a");
	ASSERT_NE(NULL, f);
	fputs("KEYRING_SYSCALLS=\"allow\"\n", f);
	fclose(f);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("exec %u '/ve_keys 2'", A)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(OUT, "keys=")) TH_LOG("%s", OUT);
	EXPECT_EQ(NULL, strstr(OUT, "keys=0 ")) TH_LOG("%s", OUT);
}

/*
 * A VE's own sub-cgroups are bounded in depth and number, and the host
 * removes them even when their path is longer than PATH_MAX.
 */
TEST_F(os, sub_cgroups_bounded_and_removed)
{
	char buf[64];

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	EXPECT_STREQ("512\n", ve_slurp("/sys/fs/cgroup/ve/301/cgroup.max.descendants", buf, sizeof(buf)));
	EXPECT_STREQ("16\n", ve_slurp("/sys/fs/cgroup/ve/301/cgroup.max.depth", buf, sizeof(buf)));
	ASSERT_EQ(0, system("cp /selftests/ve_cgtree /var/lib/ve/root/301/ve_cgtree"));
	ASSERT_EQ(0, V("exec %u /ve_cgtree", A)) TH_LOG("%s", ERR);
	/* 16 deep, and 512 in all (the chain's 16 among them). */
	EXPECT_STREQ("depth=16 wide=496 errno=11\n", OUT);
	/* The limits are the host's: the VE cannot raise them. */
	EXPECT_NE(0, V("exec %u 'echo max > /sys/fs/cgroup/cgroup.max.depth'", A));

	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", ERR);
	EXPECT_FALSE(exists("/sys/fs/cgroup/ve/%u", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
}

/* numpty: the VE's devpts holds no more ptys than its limit. */
TEST_F(os, numpty_bounds_the_ves_ptys)
{
	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("set %u --numpty 4:4 --save", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("exec %u 'exec 3<>/dev/ptmx 4<>/dev/ptmx 5<>/dev/ptmx 6<>/dev/ptmx && "
		       "{ (exec 7<>/dev/ptmx) 2>/dev/null && echo fifth || echo refused; }'", A))
		TH_LOG("%s", ERR);
	EXPECT_STREQ("refused\n", OUT);
}

/* Concurrent starts of one VE: one starts it, the other is refused. */
/*
 * A halted init that has done its shutdown and only sits out the pauses
 * busybox init makes before its end (a second after SIGTERM to all, one
 * after SIGKILL) is killed: vectl stop does not wait for those. The
 * shutdown itself runs to its end first, however long it takes.
 */
TEST_F(os, stop_waits_for_the_shutdown_not_the_pauses)
{
	char log[16384];
	FILE *f;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, V("mount %u", A)) TH_LOG("%s", ERR);
	f = fopen("/var/lib/ve/root/301/etc/init.d/rcK", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "#!/bin/sh\nsleep 1\necho done > /var/rck.done\n");
	fclose(f);
	ASSERT_EQ(0, chmod("/var/lib/ve/root/301/etc/init.d/rcK", 0755));
	ASSERT_EQ(0, V("umount %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	ASSERT_TRUE(booted(&self->b, A));
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", ERR);
	ASSERT_EQ(0, V("mount %u", A)) TH_LOG("%s", ERR);
	EXPECT_TRUE(exists("/var/lib/ve/root/%u/var/rck.done", A)) TH_LOG("rcK cut short");
	ASSERT_EQ(0, V("umount %u", A)) TH_LOG("%s", ERR);
	ve_slurp("/var/log/ve/301.console", log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "Sent SIGTERM to all processes")) TH_LOG("%s", log);
	EXPECT_EQ(NULL, strstr(log, "Requesting system")) TH_LOG("waited out the pauses: %s", log);
}

TEST_F(os, concurrent_start)
{
	int codes[2] = { -1, -1 }, ok = 0;
	struct ve_info info;
	pid_t pids[2];

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			char out[256], err[512];
			int rc = run_vectl(out, sizeof(out), err, sizeof(err), "start %u", A);

			_exit(rc);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		codes[i] = WEXITSTATUS(status);
		ok += codes[i] == 0;
	}
	/* The second waited for the first, then found it running. */
	EXPECT_EQ(1, ok) TH_LOG("exit codes %d %d", codes[0], codes[1]);
	EXPECT_EQ(32, codes[0] + codes[1]) TH_LOG("exit codes %d %d", codes[0], codes[1]);
	ASSERT_EQ(0, veapi_get(&self->b.nl, A, &info));
	EXPECT_EQ(VE_STATE_RUNNING, info.state);
	/*
	 * One init: the one whose parent is outside the VE. Its children
	 * are "init" too for a moment, between their fork and their exec of
	 * the rc script, and must not count.
	 */
	ASSERT_EQ(0, V("exec %u 'ps -o ppid,comm | grep -c \"^ *0 init$\"'", A));
	EXPECT_STREQ("1\n", OUT);
}

/*
 * The mounts of the template mount namespace a VE's init is cloned from,
 * in @buf: read in a child that entered it. NULL if there is none.
 */
static char *template_mounts(char *buf, size_t len)
{
	int sync[2], fd = open("/run/ve/ns/mnt", O_RDONLY | O_CLOEXEC);
	char path[64], c;
	char *ret = NULL;
	pid_t pid;

	if (fd < 0 || pipe(sync))
		return NULL;
	pid = fork();
	if (pid == 0) {
		close(sync[0]);
		if (setns(fd, CLONE_NEWNS) || write(sync[1], "", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	close(fd);
	if (pid > 0 && read(sync[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
		ret = ve_slurp(path, buf, len);
	}
	close(sync[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return ret;
}

/*
 * A VE is cloned from the template, not from the host's mounts: those grow
 * with every VE running (its root), and a start that copied them all cost
 * more with each. The template holds a few mounts, whatever the host has.
 */
TEST_F(os, started_from_the_template_not_the_hosts_mounts)
{
	char mounts[8192];

	ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", A));
	ASSERT_EQ(0, V("create %u --ostemplate busybox", B));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	/* Host mounts made after the template: they stay out of it. */
	ASSERT_EQ(0, system("mkdir -p /tmp/hostmnt && for i in 1 2 3 4 5 6 7 8; do mkdir -p /tmp/hostmnt/$i &&"
			    " mount -t tmpfs hostmnt$i /tmp/hostmnt/$i || exit 1; done"));
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", ERR);
	ASSERT_NE(NULL, template_mounts(mounts, sizeof(mounts))) TH_LOG("no template at /run/ve/ns/mnt");
	/* Its tmpfs, the host's proc and sysfs, and the parent the tmpfs took the place of. */
	EXPECT_GE(4, lines(mounts)) TH_LOG("%s", mounts);
	EXPECT_EQ(NULL, strstr(mounts, "hostmnt")) TH_LOG("%s", mounts);
	EXPECT_EQ(NULL, strstr(mounts, "/var/lib/ve/root")) TH_LOG("%s", mounts);
	/* The VEs run, each in its own root, and nothing of the host's came along. */
	ASSERT_EQ(0, V("exec %u cat /proc/self/mountinfo", B)) TH_LOG("%s", ERR);
	EXPECT_EQ(NULL, strstr(OUT, "hostmnt")) TH_LOG("%s", OUT);
	EXPECT_EQ(NULL, strstr(OUT, "ve-template")) TH_LOG("%s", OUT);
	ASSERT_EQ(0, V("exec %u sh -c 'test -c /dev/null && test -c /dev/console && echo x > /dev/null'",
		       A)) TH_LOG("%s", ERR);
	/* A restart after the host's mounts changed finds it as it was. */
	ASSERT_EQ(0, V("stop %u --fast", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	EXPECT_EQ(0, V("exec %u true", A));
	system("for i in 1 2 3 4 5 6 7 8; do umount /tmp/hostmnt/$i; done; rm -rf /tmp/hostmnt");
}

/* A busy VE is waited for, up to --wait (or LOCK_WAIT) seconds. */
TEST_F(os, lock_is_waited_for)
{
	struct timespec t0, t1;
	pid_t holder;
	int fds[2], status;
	char c;

	ASSERT_EQ(0, V("create %u --ostemplate busybox", A));
	ASSERT_EQ(0, pipe(fds));
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		int fd = open("/var/lib/ve/lock/301.lck", O_RDWR | O_CREAT, 0600);

		if (fd < 0 || flock(fd, LOCK_EX) || dprintf(fd, "%d\n", getpid()) < 0)
			_exit(1);
		close(fds[0]);
		write(fds[1], "l", 1);
		/* Long enough for the two refusals below to come first. */
		usleep(2500000 * ve_time_scale());
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(1, read(fds[0], &c, 1));
	close(fds[0]);

	/* --wait 0: refused at once, naming the holder and the way out. */
	EXPECT_EQ(9, V("--wait 0 start %u", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "locked by another vectl (pid ")) TH_LOG("%s", ERR);
	EXPECT_NE(NULL, strstr(ERR, "vectl --wait SECONDS")) TH_LOG("%s", ERR);
	EXPECT_EQ(20, V("--wait soon start %u", A));
	EXPECT_TRUE(ve_one_line(ERR)) TH_LOG("%s", ERR);

	/* By default it waits, says so once, and goes on when the holder is done. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0, V("start %u", A)) TH_LOG("%s", ERR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_NE(NULL, strstr(ERR, "waiting for another vectl (pid ")) TH_LOG("%s", ERR);
	EXPECT_LE(1, t1.tv_sec - t0.tv_sec);
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	EXPECT_EQ(0, status);

	/* Right after start returned, nothing of it holds the lock. */
	EXPECT_EQ(0, V("--wait 0 stop %u", A)) TH_LOG("%s", ERR);
	EXPECT_EQ(0, V("--wait 0 start %u", A)) TH_LOG("%s", ERR);
	EXPECT_EQ(0, V("--wait 0 stop %u", A)) TH_LOG("%s", ERR);
}

TEST_HARNESS_MAIN
