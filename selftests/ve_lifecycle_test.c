// SPDX-License-Identifier: GPL-2.0
/*
 * The VE registry and lifecycle: NEW/GET/SET/START/STOP/DEL, dumps across
 * many recv()s, the checks START makes on the init it binds, state
 * notifications, /proc/vz/veinfo, and what a caller inside a VE may do.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define ID 101

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static int exit_seven(void *arg)
{
	return 7;
}

FIXTURE(ve) {
	struct ve_nl nl;
	struct ve_child child;
};

static void cleanup_all(struct ve_nl *nl)
{
	ve_delete_all(nl, 5000);
}

FIXTURE_SETUP(ve)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	cleanup_all(&self->nl);
	self->child.pid = 0;
}

FIXTURE_TEARDOWN(ve)
{
	ve_child_kill(&self->child);
	cleanup_all(&self->nl);
	ve_nl_close(&self->nl);
}

TEST_F(ve, lifecycle)
{
	struct ve_info info;
	int status;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(ID, info.id);
	EXPECT_EQ(VE_STATE_STOPPED, info.state);
	EXPECT_EQ(VE_RES_UNLIMITED, info.limit[VE_RES_NUMPROC]);

	ASSERT_EQ(0, veapi_set_res(&self->nl, ID, VE_RES_NUMPROC, 100, 200));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(100, info.barrier[VE_RES_NUMPROC]);
	EXPECT_EQ(200, info.limit[VE_RES_NUMPROC]);
	EXPECT_EQ(0, info.flags);
	ASSERT_EQ(0, veapi_set_flags(&self->nl, ID, 0x5));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(0x5, info.flags);
	EXPECT_EQ(100, info.barrier[VE_RES_NUMPROC]);	/* untouched */

	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid)) {
		TH_LOG("start: %s", self->nl.err.msg);
	}
	ve_child_go(&self->child);
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(VE_STATE_RUNNING, info.state);
	EXPECT_EQ(self->child.pid, info.init_pid);
	EXPECT_EQ(1, info.num_tasks);
	EXPECT_NE(0, info.start_time);
	EXPECT_EQ(100, info.barrier[VE_RES_NUMPROC]);

	EXPECT_EQ(-EBUSY, veapi_del(&self->nl, ID));
	ASSERT_EQ(0, veapi_stop(&self->nl, ID));
	status = ve_child_wait(&self->child);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_TRUE(info.has_exit_status);
	EXPECT_EQ(SIGKILL, info.exit_status & 0x7f);
	EXPECT_EQ(0, info.init_pid);

	/* A stopped VE starts again, with a new init. */
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    exit_seven, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);
	status = ve_child_wait(&self->child);
	EXPECT_EQ(7, WEXITSTATUS(status));
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(7 << 8, info.exit_status);

	EXPECT_EQ(-ESRCH, veapi_stop(&self->nl, ID));
	ASSERT_EQ(0, veapi_del(&self->nl, ID));
	EXPECT_EQ(-ENOENT, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(-ENOENT, veapi_del(&self->nl, ID));
}

struct recv_count {
	uint32_t *ids;
	int n;
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recv_count *c = data;
	struct ve_info info;

	veapi_parse_info(nlh, &info);
	c->ids[c->n++] = info.id;
	return MNL_CB_OK;
}

/* A dump read by hand, to see how many recv()s it took. */
static int dump_counting_recvs(struct ve_nl *nl, uint32_t *ids, int *n_recv)
{
	static char buf[VE_NL_BUFSZ];
	struct recv_count c = { ids, 0 };
	struct nlmsghdr *req = ve_nl_msg(nl, VE_CMD_GET, NLM_F_DUMP);
	ssize_t len;
	int ret;

	*n_recv = 0;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		(*n_recv)++;
		ret = mnl_cb_run(buf, (size_t)len, req->nlmsg_seq, nl->portid,
				 count_cb, &c);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : c.n;
}

TEST_F(ve, dump_1000_across_recvs)
{
	static uint32_t ids[1100];
	int n, n_recv;

	for (uint32_t id = 1; id <= 1000; id++)
		ASSERT_EQ(0, veapi_new(&self->nl, id * 7, NULL));
	n = dump_counting_recvs(&self->nl, ids, &n_recv);
	ASSERT_EQ(1000, n);
	EXPECT_GT(n_recv, 2) {
		TH_LOG("the dump fit in %d recv()s; resume is untested", n_recv);
	}
	for (int i = 0; i < 1000; i++)
		ASSERT_EQ((uint32_t)(i + 1) * 7, ids[i]);
	TH_LOG("1000 VEs dumped in %d recv()s", n_recv);
}

/* A dump that races with NEW/DEL reports NLM_F_DUMP_INTR (EINTR). */
static void *churn(void *arg)
{
	struct ve_nl nl;
	volatile int *stop = arg;

	if (ve_nl_open(&nl))
		return NULL;
	while (!*stop) {
		veapi_new(&nl, 5000, NULL);
		veapi_del(&nl, 5000);
	}
	ve_nl_close(&nl);
	return NULL;
}

TEST_F(ve, dump_interrupted_by_change)
{
	static uint32_t ids[1100];
	volatile int stop = 0;
	pthread_t t;
	int intr = 0;

	for (uint32_t id = 1; id <= 1000; id++)
		ASSERT_EQ(0, veapi_new(&self->nl, id, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, churn, (void *)&stop));
	for (int i = 0; i < 50 && !intr; i++)
		intr = veapi_dump(&self->nl, ids, 1100) == -EINTR;
	stop = 1;
	pthread_join(t, NULL);
	EXPECT_TRUE(intr);
	EXPECT_EQ(1000, veapi_dump(&self->nl, ids, 1100));
}

/* Each refused START leaves the VE stopped and says why. */
static void expect_start_refused(struct __test_metadata *_metadata,
				 struct ve_nl *nl, uint32_t id, pid_t pid,
				 int err, const char *msg)
{
	struct ve_info info;

	EXPECT_EQ(err, veapi_start(nl, id, pid));
	EXPECT_STREQ(msg, nl->err.msg);
	EXPECT_TRUE(nl->err.has_off);
	ASSERT_EQ(0, veapi_get(nl, id, &info));
	EXPECT_EQ(VE_STATE_STOPPED, info.state);
}

static void *thread_sleep(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static int make_thread(void *arg)
{
	static pthread_t t;

	return pthread_create(&t, NULL, thread_sleep, NULL);
}

static int fork_one(void *arg)
{
	if (fork() == 0)
		for (;;)
			pause();
	for (;;)
		pause();
	return 0;
}

/*
 * A thread of the init calls execve(): the kernel releases the old leader
 * and moves the init's pid to the thread that exec'd.
 */
static void *exec_from_thread(void *arg)
{
	execl("/bin/busybox", "sh", "-c", (const char *)arg, (char *)NULL);
	return NULL;
}

static int init_execs_from_a_thread(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exec_from_thread, arg))
		return 99;
	for (;;)
		pause();
	return 0;
}

/* Wait until @pid runs busybox: the exec from its thread is done. */
static bool wait_exec(pid_t pid)
{
	char path[64], exe[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	for (int i = 0; i < 500; i++) {
		ssize_t n = readlink(path, exe, sizeof(exe) - 1);

		if (n > 0 && (exe[n] = '\0', !strcmp(exe, "/bin/busybox")))
			return true;
		usleep(10000);
	}
	return false;
}

/* Such an init must still be seen to die: by STOP, and by itself. */
TEST_F(ve, init_that_execs_from_a_thread)
{
	struct ve_info info;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    init_execs_from_a_thread, "exec sleep 1000"));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);
	ASSERT_TRUE(wait_exec(self->child.pid));
	EXPECT_EQ(0, veapi_stop(&self->nl, ID));
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 10000)) {
		TH_LOG("STOP left the VE of a de-threaded init running");
	}
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_TRUE(info.has_exit_status);
	EXPECT_EQ(SIGKILL, info.exit_status & 0x7f);
	ve_child_wait(&self->child);

	/* The new image exits on its own: STOPPED with its status. */
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    init_execs_from_a_thread, "sleep 1; exit 7"));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 10000)) {
		TH_LOG("the exit of a de-threaded init went unnoticed");
	}
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_TRUE(info.has_exit_status);
	EXPECT_EQ(7 << 8, info.exit_status);
	ve_child_wait(&self->child);
	EXPECT_EQ(0, veapi_del(&self->nl, ID));
}

TEST_F(ve, start_refusals)
{
	struct ve_child other = { 0 };
	struct ve_info info;
	uint64_t held;
	pid_t gone;
	pid_t grandchild;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, veapi_new(&self->nl, ID + 1, NULL));

	expect_start_refused(_metadata, &self->nl, ID, 1, -EINVAL,
			     "ve: init process is in the host pid namespace");

	gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	expect_start_refused(_metadata, &self->nl, ID, gone, -ESRCH,
			     "ve: no such process");

	/* PID 1 of a new pid namespace, but still in the host user ns. */
	ASSERT_EQ(0, ve_child_spawn(&other, CLONE_NEWPID, NULL, NULL, NULL));
	expect_start_refused(_metadata, &self->nl, ID, other.pid, -EINVAL,
			     "ve: init process is in the host user namespace");
	ve_child_kill(&other);

	/* A multi-threaded init. */
	ASSERT_EQ(0, ve_child_spawn(&other, VE_CHILD_NS, make_thread, NULL, NULL));
	expect_start_refused(_metadata, &self->nl, ID, other.pid, -EINVAL,
			     "ve: init process is multi-threaded");
	ve_child_kill(&other);

	/* Not PID 1: a child of a namespace init. */
	ASSERT_EQ(0, ve_child_spawn(&other, VE_CHILD_NS, NULL, fork_one, NULL));
	ve_child_go(&other);
	grandchild = ve_first_child(other.pid);
	ASSERT_LT(0, grandchild);
	expect_start_refused(_metadata, &self->nl, ID, grandchild, -EINVAL,
			     "ve: process is not PID 1 of its pid namespace");

	/* The namespace init itself is fine... */
	ASSERT_EQ(0, veapi_start(&self->nl, ID, other.pid));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	held = info.held[VE_RES_NUMPROC];
	/* ...once: its namespaces now belong to a VE. */
	expect_start_refused(_metadata, &self->nl, ID + 1, other.pid, -EBUSY,
			     "ve: pid namespace already belongs to a VE");
	/* The refusal took nothing from the VE the init belongs to. */
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_EQ(held, info.held[VE_RES_NUMPROC]);
	EXPECT_EQ(1, held);	/* the init; its child came before START */
	ASSERT_EQ(0, veapi_get(&self->nl, ID + 1, &info));
	EXPECT_EQ(0, info.held[VE_RES_NUMPROC]);
	/* And a running VE does not start again. */
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL, NULL, NULL));
	EXPECT_EQ(-EBUSY, veapi_start(&self->nl, ID, self->child.pid));
	EXPECT_STREQ("ve: VE is already running", self->nl.err.msg);

	ASSERT_EQ(0, veapi_stop(&self->nl, ID));
	ve_child_wait(&other);
	EXPECT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
}

/* Notifications: a subscribed socket hears START, STOP and init exit. */
/* Read one VE_CMD_STATE_NTF from @nl within 5 s. */
static int read_ntf(struct ve_nl *nl, struct ve_info *n)
{
	struct timeval tv = { .tv_sec = 5 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	ssize_t len;

	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
		   &tv, sizeof(tv));
	len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
	if (len < 0)
		return -errno;
	nlh = (struct nlmsghdr *)nl->buf;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != VE_CMD_STATE_NTF)
		return -EPROTO;
	return veapi_parse_info(nlh, n) < 0 ? -EPROTO : 0;
}

TEST_F(ve, state_notifications)
{
	struct ve_nl mon;
	struct ve_info n;
	unsigned int grp;

	ASSERT_EQ(0, ve_nl_open(&mon));
	grp = mon.events_grp;
	ASSERT_EQ(0, mnl_socket_setsockopt(mon.sock, NETLINK_ADD_MEMBERSHIP,
					   &grp, sizeof(grp)));

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    exit_seven, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ASSERT_EQ(0, read_ntf(&mon, &n));
	EXPECT_EQ(ID, n.id);
	EXPECT_EQ(VE_STATE_STOPPED, n.old_state);
	EXPECT_EQ(VE_STATE_RUNNING, n.state);

	/* init exits by itself: RUNNING -> STOPPED with its status. */
	ve_child_go(&self->child);
	ASSERT_EQ(0, read_ntf(&mon, &n));
	EXPECT_EQ(VE_STATE_RUNNING, n.old_state);
	EXPECT_EQ(VE_STATE_STOPPED, n.state);
	EXPECT_TRUE(n.has_exit_status);
	EXPECT_EQ(7 << 8, n.exit_status);
	ve_child_wait(&self->child);

	/* STOP: RUNNING -> STOPPING -> STOPPED, killed by SIGKILL. */
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ASSERT_EQ(0, read_ntf(&mon, &n));
	ve_child_go(&self->child);
	ASSERT_EQ(0, veapi_stop(&self->nl, ID));
	ASSERT_EQ(0, read_ntf(&mon, &n));
	EXPECT_EQ(VE_STATE_RUNNING, n.old_state);
	EXPECT_EQ(VE_STATE_STOPPING, n.state);
	ASSERT_EQ(0, read_ntf(&mon, &n));
	EXPECT_EQ(VE_STATE_STOPPING, n.old_state);
	EXPECT_EQ(VE_STATE_STOPPED, n.state);
	EXPECT_EQ(SIGKILL, n.exit_status & 0x7f);
	ve_child_wait(&self->child);
	ve_nl_close(&mon);
}

/* Everything a VE's root tries on the family, run inside the VE. */
static int inside_checks(void *arg)
{
	uint32_t own = *(uint32_t *)arg;
	static uint32_t ids[16];
	struct ve_info info;
	struct ve_nl nl;
	char line[128];
	FILE *f;
	int fails = 0, n;

	if (ve_nl_open(&nl))
		return 99;
#define CHECK(cond) do { if (!(cond)) { fails++; fprintf(stderr, "inside: %s failed\n", #cond); } } while (0)
	/* admin-perm: the genetlink core refuses, vectl explains. */
	CHECK(veapi_new(&nl, 4242, NULL) == -EPERM);
	CHECK(strstr(ve_nl_strerror(&nl, -EPERM), "on the host, outside any VE"));
	CHECK(veapi_del(&nl, own + 1) == -EPERM);
	CHECK(veapi_set_res(&nl, own, VE_RES_NUMPROC, 1, 1) == -EPERM);
	CHECK(veapi_stop(&nl, own) == -EPERM);
	CHECK(veapi_start(&nl, own + 1, 1) == -EPERM);
	CHECK(veapi_get(&nl, own + 1, &info) == -EPERM);
	CHECK(veapi_get(&nl, own, &info) == 0 && info.id == own);
	CHECK(info.init_pid == 1);	/* as seen from inside */
	n = veapi_dump(&nl, ids, 16);
	CHECK(n == 1 && ids[0] == own);
	ve_nl_close(&nl);

	f = fopen("/proc/vz/veinfo", "r");
	CHECK(f);
	if (f) {
		n = 0;
		while (fgets(line, sizeof(line), f))
			n++;
		fclose(f);
		CHECK(n == 1);
		snprintf((char *)ids, sizeof(ids), "%10u ", own);
		CHECK(!strncmp(line, (char *)ids, 11));
	}
	return fails;
}

TEST_F(ve, permissions_inside_a_ve)
{
	static uint32_t own = ID;
	struct ve_info info;
	int status;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, veapi_new(&self->nl, ID + 1, NULL));
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    inside_checks, &own));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);
	status = ve_child_wait(&self->child);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("%d checks failed inside the VE", WEXITSTATUS(status));
	}
	/* Nothing changed. */
	ASSERT_EQ(0, veapi_get(&self->nl, ID + 1, &info));
	EXPECT_EQ(VE_STATE_STOPPED, info.state);
	EXPECT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000));
}

TEST_F(ve, unprivileged_host_user_cannot_mutate)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ve_nl nl;

		if (setuid(65534) || ve_nl_open(&nl))
			_exit(2);
		/* As on OpenVZ, the proc files are root's on the host. */
		if (open("/proc/vz/veinfo", O_RDONLY) >= 0 || errno != EACCES ||
		    open("/proc/user_beancounters", O_RDONLY) >= 0 || errno != EACCES)
			_exit(3);
		_exit(veapi_new(&nl, ID, NULL) == -EPERM &&
		      strstr(ve_nl_strerror(&nl, -EPERM), "CAP_SYS_ADMIN") ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ENOENT, veapi_get(&self->nl, ID, &(struct ve_info){}));
}

/*
 * Host root that joined a VE's pid namespace keeps its host capabilities,
 * so the genetlink core lets it through; ve itself refuses it, and says so.
 */
TEST_F(ve, host_admin_inside_a_ve_is_refused)
{
	char path[64];
	int status, fd;
	pid_t pid;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", self->child.pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t inner;
		int st;

		if (setns(fd, CLONE_NEWPID))
			_exit(2);
		inner = fork();		/* born in the VE's pid namespace */
		if (inner == 0) {
			struct ve_nl nl;

			if (ve_nl_open(&nl))
				_exit(3);
			_exit(veapi_new(&nl, 4243, NULL) == -EPERM &&
			      !strcmp(nl.err.msg, "ve: not permitted from inside a VE") ? 0 : 1);
		}
		waitpid(inner, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
	}
	close(fd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ENOENT, veapi_get(&self->nl, 4243, &(struct ve_info){}));
}

TEST_F(ve, veinfo_lists_running_ves)
{
	char line[128], want[32];
	bool host = false, found = false;
	FILE *f;

	ASSERT_EQ(0, veapi_new(&self->nl, ID, NULL));
	ASSERT_EQ(0, veapi_new(&self->nl, ID + 1, NULL));	/* stopped: not listed */
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid));
	ve_child_go(&self->child);

	f = fopen("/proc/vz/veinfo", "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "%10u %5u %5u\n", ID, 0, 1);
	while (fgets(line, sizeof(line), f)) {
		host |= !strncmp(line, "         0     0 ", 17);
		found |= !strcmp(line, want);
		EXPECT_EQ(NULL, strstr(line, "       102 "));
	}
	fclose(f);
	EXPECT_TRUE(host);
	EXPECT_TRUE(found);
}

TEST_HARNESS_MAIN
