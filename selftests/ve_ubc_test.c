// SPDX-License-Identifier: GPL-2.0
/*
 * Beancounters: numproc, numfile, numtcpsock and numothersock counted and
 * enforced per VE (exact errno, failcnt by one, others unaffected, held
 * back to its baseline), bombs, uncharging after fd passing and after the
 * VE stopped, LIMIT_NTF, /proc/user_beancounters in OpenVZ's format, and
 * memory from the VE's memory cgroup (an OOM kill inside the VE only).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define ID_A 701
#define ID_B 702

enum kind { K_FILE, K_UDP, K_TCP, K_PROC };

/* Shared with the VE's init, which runs on a copy of our memory. */
struct shared {
	int kind;
	int max;		/* stop after this many */
	int count;		/* made before the first failure */
	int err;		/* errno of that failure */
	int phase;		/* 1: filled, 2: release now, 3: released */
	int fd;			/* K_FILE: the unix socket to pass a file on */
	char proc_ids[256];	/* IDs an in-VE reader sees in the proc file */
	int nl_ids;		/* VEs an in-VE dump sees */
	int inside_done;	/* the in-VE reader has looked */
	int trade_sock[2];	/* files_passed_between_...: A's and B's end */
	int trade_step[2];	/* how far each side got */
	int trade_got[2];	/* files each closed for the other */
};

static struct shared *sh;

static void wait_phase(int phase)
{
	while (__atomic_load_n(&sh->phase, __ATOMIC_SEQ_CST) < phase)
		usleep(1000);
}

static int make_one(int kind)
{
	switch (kind) {
	case K_FILE:
		return open("/dev/null", O_RDONLY);
	case K_UDP:
		return socket(AF_INET, SOCK_DGRAM, 0);
	case K_TCP:
		return socket(AF_INET, SOCK_STREAM, 0);
	default: {
		pid_t pid = fork();

		if (pid == 0) {
			pause();
			_exit(0);
		}
		return pid;
	}
	}
}

static void release_one(int kind, int obj)
{
	if (kind == K_PROC) {
		kill(obj, SIGKILL);
		waitpid(obj, NULL, 0);
	} else {
		close(obj);
	}
}

/* The VE's init: make objects until refused, hold them, release them. */
static int fill(void *arg)
{
	static int objs[8192];
	int n = 0;

	while (n < sh->max) {
		int o = make_one(sh->kind);

		if (o < 0) {
			sh->err = errno;
			break;
		}
		objs[n++] = o;
	}
	sh->count = n;
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	wait_phase(2);
	for (int i = 0; i < n; i++)
		release_one(sh->kind, objs[i]);
	__atomic_store_n(&sh->phase, 3, __ATOMIC_SEQ_CST);
	pause();
	return 0;
}

static int idle(void *arg)
{
	pause();
	return 0;
}

/* Resource @res of VE @id: held, or failcnt, or ... as GET says. */
static struct ve_info info_of(struct ve_nl *nl, uint32_t id)
{
	struct ve_info info = { 0 };

	veapi_get(nl, id, &info);
	return info;
}

/* Poll until resource @res of @id holds @want (frees may lag an RCU period). */
static bool held_becomes(struct ve_nl *nl, uint32_t id, unsigned int res, uint64_t want)
{
	for (int i = 0; i < 300; i++) {
		if (info_of(nl, id).held[res] == want)
			return true;
		usleep(10000);
	}
	return false;
}

FIXTURE(ubc) {
	struct ve_nl nl;
	struct ve_child a, b;
};

FIXTURE_SETUP(ubc)
{
	struct rlimit nofile = { 16384, 16384 };

	/* The VE's limits are what must stop the bombs, not ours. */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &nofile));
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	self->a.pid = self->b.pid = 0;
	veapi_del(&self->nl, ID_A);
	veapi_del(&self->nl, ID_B);
}

FIXTURE_TEARDOWN(ubc)
{
	if (self->a.pid > 0)
		ve_child_kill(&self->a);
	if (self->b.pid > 0)
		ve_child_kill(&self->b);
	veapi_wait_state(&self->nl, ID_A, VE_STATE_STOPPED, 5000);
	veapi_wait_state(&self->nl, ID_B, VE_STATE_STOPPED, 5000);
	veapi_del(&self->nl, ID_A);
	veapi_del(&self->nl, ID_B);
	ve_nl_close(&self->nl);
	munmap(sh, sizeof(*sh));
}

/* Register VE @id with @res limited to @limit and start @fn as its init. */
static int start_ve(struct ve_nl *nl, uint32_t id, struct ve_child *c,
		    unsigned int res, uint64_t limit, int (*fn)(void *))
{
	int err = veapi_new(nl, id, NULL);

	if (!err && limit)
		err = veapi_set_res(nl, id, res, limit, limit);
	if (!err)
		err = ve_child_spawn(c, VE_CHILD_NS, NULL, fn, NULL);
	if (!err)
		err = veapi_start(nl, id, c->pid);
	if (!err)
		ve_child_go(c);
	return err;
}

struct limit_case {
	int kind;
	unsigned int res;
	int limit;
	int baseline;	/* held at START: the init itself for numproc */
	int err;
};

static void check_limit(struct __test_metadata *_metadata, struct ve_nl *nl,
			struct ve_child *a, struct ve_child *b,
			const struct limit_case *lc)
{
	int host[32], n_host = 0;
	struct ve_info info;

	sh->kind = lc->kind;
	sh->max = lc->limit + 10;
	/* A second VE with the same limit, idle: unaffected. */
	ASSERT_EQ(0, start_ve(nl, ID_B, b, lc->res, lc->limit, idle));
	ASSERT_EQ(0, start_ve(nl, ID_A, a, lc->res, lc->limit, fill));
	wait_phase(1);

	EXPECT_EQ(lc->limit - lc->baseline, sh->count);
	EXPECT_EQ(lc->err, sh->err) TH_LOG("errno %d (%s)", sh->err, strerror(sh->err));
	info = info_of(nl, ID_A);
	EXPECT_EQ(lc->limit, info.held[lc->res]);
	EXPECT_EQ(lc->limit, info.maxheld[lc->res]);
	EXPECT_EQ(1, info.failcnt[lc->res]);
	info = info_of(nl, ID_B);
	EXPECT_EQ(0, info.failcnt[lc->res]);
	EXPECT_EQ(lc->baseline, info.held[lc->res]);

	/* The host is never limited: twice the VE's limit, no trouble. */
	for (; n_host < 2 * lc->limit && n_host < 32; n_host++) {
		host[n_host] = make_one(lc->kind);
		ASSERT_LE(0, host[n_host]) TH_LOG("host refused: %s", strerror(errno));
	}
	for (int i = 0; i < n_host; i++)
		release_one(lc->kind, host[i]);
	EXPECT_EQ(lc->limit, info_of(nl, ID_A).held[lc->res]);

	__atomic_store_n(&sh->phase, 2, __ATOMIC_SEQ_CST);
	wait_phase(3);
	EXPECT_TRUE(held_becomes(nl, ID_A, lc->res, lc->baseline))
		TH_LOG("held %llu", (unsigned long long)info_of(nl, ID_A).held[lc->res]);
	EXPECT_EQ(1, info_of(nl, ID_A).failcnt[lc->res]);
}

TEST_F(ubc, numfile_limit)
{
	struct limit_case lc = { K_FILE, VE_RES_NUMFILE, 10, 0, EMFILE };

	check_limit(_metadata, &self->nl, &self->a, &self->b, &lc);
}

TEST_F(ubc, numproc_limit)
{
	struct limit_case lc = { K_PROC, VE_RES_NUMPROC, 6, 1, EAGAIN };

	check_limit(_metadata, &self->nl, &self->a, &self->b, &lc);
}

TEST_F(ubc, numothersock_limit)
{
	struct limit_case lc = { K_UDP, VE_RES_NUMOTHERSOCK, 5, 0, ENOBUFS };

	check_limit(_metadata, &self->nl, &self->a, &self->b, &lc);
}

TEST_F(ubc, numtcpsock_limit)
{
	struct limit_case lc = { K_TCP, VE_RES_NUMTCPSOCK, 4, 0, ENOBUFS };

	check_limit(_metadata, &self->nl, &self->a, &self->b, &lc);
}

/* Bombs: the VE stops at its limits, the host goes on. */
TEST_F(ubc, bombs)
{
	static const struct { int kind; unsigned int res; int limit; } bombs[] = {
		{ K_PROC, VE_RES_NUMPROC, 64 },
		{ K_FILE, VE_RES_NUMFILE, 4000 },
		{ K_UDP, VE_RES_NUMOTHERSOCK, 1000 },
	};

	for (size_t i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		memset(sh, 0, sizeof(*sh));
		sh->kind = bombs[i].kind;
		sh->max = 8000;
		ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, bombs[i].res,
				      bombs[i].limit, fill));
		wait_phase(1);
		EXPECT_EQ(bombs[i].limit - (bombs[i].kind == K_PROC),
			  sh->count);
		EXPECT_EQ(bombs[i].limit, info_of(&self->nl, ID_A).held[bombs[i].res]);
		EXPECT_EQ(1, info_of(&self->nl, ID_A).failcnt[bombs[i].res]);
		/* Stopping the VE releases everything at once. */
		ASSERT_EQ(0, veapi_stop(&self->nl, ID_A));
		ve_child_wait(&self->a);
		self->a.pid = 0;
		EXPECT_TRUE(veapi_wait_state(&self->nl, ID_A, VE_STATE_STOPPED, 10000));
		EXPECT_TRUE(held_becomes(&self->nl, ID_A, bombs[i].res, 0));
		ASSERT_EQ(0, veapi_del(&self->nl, ID_A));
	}
}

/* A real fork bomb: every child forks too. */
static int forkbomb(void *arg)
{
	for (int i = 0; i < 200; i++)
		if (fork() < 0)
			sh->err = errno;
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	pause();
	return 0;
}

TEST_F(ubc, fork_bomb)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMPROC, 100, forkbomb));
	wait_phase(1);
	usleep(300000);
	EXPECT_EQ(100, info_of(&self->nl, ID_A).held[VE_RES_NUMPROC]);
	EXPECT_LE(1, info_of(&self->nl, ID_A).failcnt[VE_RES_NUMPROC]);
	/* The host still forks. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(7);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(7, WEXITSTATUS(status));
	ASSERT_EQ(0, veapi_stop(&self->nl, ID_A));
	EXPECT_TRUE(veapi_wait_state(&self->nl, ID_A, VE_STATE_STOPPED,
				     10000 * ve_time_scale()));
	/* Until we reap it, the init is a zombie, and zombies count. */
	ve_child_wait(&self->a);
	self->a.pid = 0;
	EXPECT_TRUE(held_becomes(&self->nl, ID_A, VE_RES_NUMPROC, 0));
}

/* Pass @fd over the unix socket @sock; 0, or -1 with errno. */
static int send_fd(int sock, int fd, int flags)
{
	char byte = 'f';
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, flags) == 1 ? 0 : -1;
}

/* A file passed over @sock, or -1 (errno EAGAIN with MSG_DONTWAIT: none). */
static int recv_fd(int sock, int flags)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	int fd = -1;

	if (recvmsg(sock, &msg, flags) != 1 || !CMSG_FIRSTHDR(&msg))
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

/* Open a file in the VE and pass it to the host, then exit. */
static int pass_file(void *arg)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0 || send_fd(sh->fd, fd, 0))
		return 1;
	close(fd);
	return 0;
}

/* A file opened in a VE stays charged to it on the host, after it stopped. */
TEST_F(ubc, uncharge_after_fd_passing_and_stop)
{
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	sh->fd = sv[1];
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMFILE, 100, pass_file));
	fd = recv_fd(sv[0], 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, WEXITSTATUS(ve_child_wait(&self->a)));
	self->a.pid = 0;
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID_A, VE_STATE_STOPPED, 5000));
	/* The VE is down; its file lives on in the host and counts for it. */
	EXPECT_EQ(1, info_of(&self->nl, ID_A).held[VE_RES_NUMFILE]);
	close(fd);
	EXPECT_TRUE(held_becomes(&self->nl, ID_A, VE_RES_NUMFILE, 0));

	/* Again, but the VE is deleted before the host lets go. */
	ASSERT_EQ(0, veapi_del(&self->nl, ID_A));
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMFILE, 100, pass_file));
	fd = recv_fd(sv[0], 0);
	ASSERT_LE(0, fd);
	ve_child_wait(&self->a);
	self->a.pid = 0;
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID_A, VE_STATE_STOPPED, 5000));
	ASSERT_EQ(0, veapi_del(&self->nl, ID_A));
	close(fd);	/* uncharges the deleted VE's counters, quietly */
	close(sv[0]);
	close(sv[1]);
}

/*
 * Two VEs open and close files and sockets as fast as they can, each
 * passing every other one to the other VE, which closes it: the records
 * of both VEs come and go in the same table and the same CPUs' caches at
 * once, and every object must still go back to the VE that opened it.
 * Then each keeps a known number of its own and of the other's: the
 * counts must say exactly that.
 */
#define TRADE_ROUNDS 2000
#define TRADE_KEEP_A 10
#define TRADE_KEEP_B 5
#define TRADE_GIVE_A 3
#define TRADE_GIVE_B 7

static void trade_step(int side, int step)
{
	__atomic_store_n(&sh->trade_step[side], step, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->trade_step[!side], __ATOMIC_SEQ_CST) < step)
		usleep(1000);
}

/* Close whatever the other VE passed us; the number closed. */
static int trade_drain(int sock)
{
	int fd, n = 0;

	while ((fd = recv_fd(sock, MSG_DONTWAIT)) >= 0) {
		close(fd);
		n++;
	}
	return n;
}

static int trade(void *arg)
{
	int side = arg != NULL, sock = sh->trade_sock[side];
	int keep = side ? TRADE_KEEP_B : TRADE_KEEP_A;
	int give = side ? TRADE_GIVE_B : TRADE_GIVE_A;
	int take = side ? TRADE_GIVE_A : TRADE_GIVE_B;

	wait_phase(1);
	for (int i = 0; i < TRADE_ROUNDS; i++) {
		int fd = i % 3 ? open("/dev/null", O_RDONLY) : socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0)
			return 1;
		/* A full queue (the other side is busy) just keeps it here. */
		if (i % 2)
			send_fd(sock, fd, MSG_DONTWAIT);
		close(fd);
		sh->trade_got[side] += trade_drain(sock);
	}
	/* Both done sending: what is still queued can be closed. */
	trade_step(side, 1);
	sh->trade_got[side] += trade_drain(sock);
	trade_step(side, 2);

	for (int i = 0; i < keep; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			return 1;
	for (int i = 0; i < give; i++) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0 || send_fd(sock, fd, 0))
			return 1;
		close(fd);
	}
	for (int i = 0; i < take; i++)
		if (recv_fd(sock, 0) < 0)
			return 1;
	trade_step(side, 3);
	pause();
	return 0;
}

TEST_F_TIMEOUT(ubc, files_passed_between_two_churning_ves, 120)
{
	uint64_t base[2], sock_base[2];
	const uint32_t ids[2] = { ID_A, ID_B };
	struct ve_child *c[2] = { &self->a, &self->b };
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	sh->trade_sock[0] = sv[0];
	sh->trade_sock[1] = sv[1];
	for (int side = 0; side < 2; side++) {
		ASSERT_EQ(0, veapi_new(&self->nl, ids[side], NULL));
		ASSERT_EQ(0, ve_child_spawn(c[side], VE_CHILD_NS, NULL, trade,
					    side ? (void *)1 : NULL));
		ASSERT_EQ(0, veapi_start(&self->nl, ids[side], c[side]->pid));
		ve_child_go(c[side]);
	}
	/* The inits wait for phase 1: what they hold now is the baseline. */
	for (int side = 0; side < 2; side++) {
		struct ve_info info = info_of(&self->nl, ids[side]);

		base[side] = info.held[VE_RES_NUMFILE];
		sock_base[side] = info.held[VE_RES_NUMOTHERSOCK];
	}
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	/* About 5 s on a TCG guest; a debug kernel is many times slower. */
	for (int i = 0; i < 9000 * ve_time_scale() &&
	     (__atomic_load_n(&sh->trade_step[0], __ATOMIC_SEQ_CST) < 3 ||
	      __atomic_load_n(&sh->trade_step[1], __ATOMIC_SEQ_CST) < 3); i++)
		usleep(10000);
	ASSERT_EQ(3, sh->trade_step[0]);
	ASSERT_EQ(3, sh->trade_step[1]);
	TH_LOG("passed and closed on the other side: %d to B, %d to A",
	       sh->trade_got[1], sh->trade_got[0]);
	EXPECT_LT(0, sh->trade_got[0]);
	EXPECT_LT(0, sh->trade_got[1]);

	/* Each VE's own kept files, and those it gave, which the other keeps. */
	EXPECT_TRUE(held_becomes(&self->nl, ID_A, VE_RES_NUMFILE,
				 base[0] + TRADE_KEEP_A + TRADE_GIVE_A));
	EXPECT_TRUE(held_becomes(&self->nl, ID_B, VE_RES_NUMFILE,
				 base[1] + TRADE_KEEP_B + TRADE_GIVE_B));
	EXPECT_TRUE(held_becomes(&self->nl, ID_A, VE_RES_NUMOTHERSOCK, sock_base[0]));
	EXPECT_TRUE(held_becomes(&self->nl, ID_B, VE_RES_NUMOTHERSOCK, sock_base[1]));
	for (int side = 0; side < 2; side++) {
		struct ve_info info = info_of(&self->nl, ids[side]);

		TH_LOG("VE %u: numfile held %llu maxheld %llu", ids[side],
		       (unsigned long long)info.held[VE_RES_NUMFILE],
		       (unsigned long long)info.maxheld[VE_RES_NUMFILE]);
	}

	/* Once both are gone, nothing is left charged to either. */
	for (int side = 0; side < 2; side++) {
		ve_child_kill(c[side]);
		c[side]->pid = 0;
	}
	for (int side = 0; side < 2; side++) {
		ASSERT_TRUE(veapi_wait_state(&self->nl, ids[side], VE_STATE_STOPPED, 5000));
		EXPECT_TRUE(held_becomes(&self->nl, ids[side], VE_RES_NUMFILE, 0));
		EXPECT_TRUE(held_becomes(&self->nl, ids[side], VE_RES_NUMOTHERSOCK, 0));
	}
	close(sv[0]);
	close(sv[1]);
}

/* An accepted connection is charged like its listener, and released. */
static int tcp_pair(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l, c, a;

	system("ip link set lo up 2>/dev/null");
	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (void *)&sa, sizeof(sa)) || listen(l, 1) ||
	    getsockname(l, (void *)&sa, &len) || connect(c, (void *)&sa, sizeof(sa)))
		return 1;
	a = accept(l, NULL, NULL);
	sh->count = a >= 0;
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	wait_phase(2);
	close(a);
	close(c);
	close(l);
	__atomic_store_n(&sh->phase, 3, __ATOMIC_SEQ_CST);
	pause();
	return 0;
}

TEST_F(ubc, accepted_sockets)
{
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMTCPSOCK, 10, tcp_pair));
	wait_phase(1);
	ASSERT_EQ(1, sh->count);
	EXPECT_EQ(3, info_of(&self->nl, ID_A).held[VE_RES_NUMTCPSOCK]);
	__atomic_store_n(&sh->phase, 2, __ATOMIC_SEQ_CST);
	wait_phase(3);
	EXPECT_TRUE(held_becomes(&self->nl, ID_A, VE_RES_NUMTCPSOCK, 0))
		TH_LOG("held %llu", (unsigned long long)info_of(&self->nl, ID_A).held[VE_RES_NUMTCPSOCK]);
}

/*
 * Read notifications until none comes for a while: the number of
 * LIMIT_NTF (the last one parsed into @last), others counted apart.
 */
static int drain_limit_ntf(struct ve_nl *mon, struct ve_info *last, int *other)
{
	int got = 0;

	*other = 0;
	for (;;) {
		int len = (int)mnl_socket_recvfrom(mon->sock, mon->buf, sizeof(mon->buf));
		struct nlmsghdr *nlh;

		if (len <= 0)
			return got;
		for (nlh = (struct nlmsghdr *)mon->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

			if (g->cmd != VE_CMD_LIMIT_NTF) {
				(*other)++;
				continue;
			}
			veapi_parse_info(nlh, last);
			got++;
		}
	}
}

/* Refusals are reported on "events", at most about once a second. */
TEST_F(ubc, limit_notification)
{
	struct timeval tv = { .tv_usec = 300000 };
	unsigned int grp;
	struct ve_nl mon;
	int got = 0, other = 0;
	struct ve_info n = { 0 };

	ASSERT_EQ(0, ve_nl_open(&mon));
	grp = mon.events_grp;
	ASSERT_EQ(0, mnl_socket_setsockopt(mon.sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	setsockopt(mnl_socket_get_fd(mon.sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	sh->kind = K_FILE;
	sh->max = 1000;
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMFILE, 5, fill));
	wait_phase(1);
	got = drain_limit_ntf(&mon, &n, &other);
	EXPECT_EQ(ID_A, n.id);
	EXPECT_EQ(1, n.n_res);
	EXPECT_EQ(5, n.limit[VE_RES_NUMFILE]);
	EXPECT_EQ(5, n.held[VE_RES_NUMFILE]);
	EXPECT_EQ(1, n.failcnt[VE_RES_NUMFILE]);
	EXPECT_EQ(1, got) TH_LOG("%d LIMIT_NTF, %d others", got, other);
	ve_nl_close(&mon);
}

/* Many refusals within a second give one notification. */
static int refuse_many(void *arg)
{
	int fds[8], n = 0;

	while (n < 8 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	for (int i = 0; i < 500; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			sh->count++;
	__atomic_store_n(&sh->phase, 1, __ATOMIC_SEQ_CST);
	pause();
	return 0;
}

TEST_F(ubc, limit_notification_rate)
{
	struct timeval tv = { .tv_usec = 300000 };
	struct timespec t0, t1;
	unsigned int grp;
	struct ve_nl mon;
	int got, other, most;
	struct ve_info n;

	ASSERT_EQ(0, ve_nl_open(&mon));
	grp = mon.events_grp;
	ASSERT_EQ(0, mnl_socket_setsockopt(mon.sock, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)));
	setsockopt(mnl_socket_get_fd(mon.sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMFILE, 3, refuse_many));
	wait_phase(1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(500, sh->count);
	EXPECT_EQ(501, info_of(&self->nl, ID_A).failcnt[VE_RES_NUMFILE]);
	got = drain_limit_ntf(&mon, &n, &other);
	/*
	 * At most one a second: 2 when the refusals take under a second (a
	 * second may begin among them), one more for each second a slow
	 * (debug) kernel takes on top.
	 */
	most = 2 + (int)(t1.tv_sec - t0.tv_sec);
	EXPECT_LE(1, got);
	EXPECT_GE(most, got) TH_LOG("%d notifications for 501 refusals in %lds", got,
				    (long)(t1.tv_sec - t0.tv_sec));
	ve_nl_close(&mon);
}

/* One row of /proc/user_beancounters. */
struct ubc_row {
	uint32_t id;
	char res[16];
	unsigned long long held, maxheld, barrier, limit, failcnt;
};

/*
 * An OpenVZ-format parser, as vzubc and friends read the file: the
 * "Version: 2.5" line, the header, then rows with an "ID:" tag on each
 * VE's first one. Returns the row count or -1 on a format error.
 */
static int parse_ubc(const char *text, struct ubc_row *rows, int max)
{
	const char *p = text;
	uint32_t id = 0;
	int n = 0;

	if (strncmp(p, "Version: 2.5\n", 13))
		return -1;
	p += 13;
	static const char header[] =
		"       uid  resource                     held              maxheld"
		"              barrier                limit              failcnt\n";

	if (strncmp(p, header, sizeof(header) - 1))
		return -1;
	p += sizeof(header) - 1;
	while (*p && n < max) {
		struct ubc_row *r = &rows[n];
		char line[256], tag[16] = "";
		size_t len = strcspn(p, "\n");
		int off = 0;

		if (len >= sizeof(line) || len != 10 + 2 + 12 + 5 * 21)
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		if (sscanf(line, "%15s%n", tag, &off) == 1 && strchr(tag, ':')) {
			id = strtoul(tag, NULL, 10);
			if (line[9] != ':')
				return -1;	/* right-aligned in 10 columns */
		} else {
			off = 0;
		}
		if (sscanf(line + off, "%15s %llu %llu %llu %llu %llu", r->res, &r->held,
			   &r->maxheld, &r->barrier, &r->limit, &r->failcnt) != 6)
			return -1;
		r->id = id;
		n++;
	}
	return n;
}

static int read_ubc(char *buf, size_t len)
{
	int fd = open("/proc/user_beancounters", O_RDONLY);
	ssize_t n = 0, got;

	if (fd < 0)
		return -1;
	while ((got = read(fd, buf + n, len - 1 - n)) > 0)
		n += got;
	close(fd);
	buf[n] = '\0';
	return 0;
}

/* What an init inside a VE sees of the beancounters. */
static int look_inside(void *arg)
{
	static char buf[65536];
	static struct ubc_row rows[128];
	struct ve_nl nl;
	uint32_t ids[8];
	int n;

	if (read_ubc(buf, sizeof(buf)))
		return 1;
	n = parse_ubc(buf, rows, 128);
	for (int i = 0; i < n; i++)
		if (i == 0 || rows[i].id != rows[i - 1].id)
			snprintf(sh->proc_ids + strlen(sh->proc_ids),
				 sizeof(sh->proc_ids) - strlen(sh->proc_ids), "%u ", rows[i].id);
	if (ve_nl_open(&nl))
		return 2;
	sh->nl_ids = veapi_dump(&nl, ids, 8);
	ve_nl_close(&nl);
	__atomic_store_n(&sh->inside_done, 1, __ATOMIC_SEQ_CST);
	pause();
	return 0;
}

TEST_F(ubc, proc_user_beancounters)
{
	static char buf[65536];
	static struct ubc_row rows[128];
	struct ve_info info;
	int n, seen = 0;

	sh->kind = K_FILE;
	sh->max = 7;
	ASSERT_EQ(0, start_ve(&self->nl, ID_B, &self->b, VE_RES_NUMFILE, 0, look_inside));
	ASSERT_EQ(0, start_ve(&self->nl, ID_A, &self->a, VE_RES_NUMFILE, 50, fill));
	wait_phase(1);
	while (!__atomic_load_n(&sh->inside_done, __ATOMIC_SEQ_CST))
		usleep(1000);

	ASSERT_EQ(0, read_ubc(buf, sizeof(buf)));
	n = parse_ubc(buf, rows, 128);
	ASSERT_LT(0, n) TH_LOG("not in OpenVZ's format:\n%s", buf);
	info = info_of(&self->nl, ID_A);
	for (int i = 0; i < n; i++) {
		if (rows[i].id != ID_A)
			continue;
		seen++;
		if (!strcmp(rows[i].res, "numfile")) {
			EXPECT_EQ(7, rows[i].held);
			EXPECT_EQ(info.held[VE_RES_NUMFILE], rows[i].held);
			EXPECT_EQ(50, rows[i].limit);
			EXPECT_EQ(info.barrier[VE_RES_NUMFILE], rows[i].barrier);
		}
		if (!strcmp(rows[i].res, "numproc"))
			EXPECT_EQ(info.held[VE_RES_NUMPROC], rows[i].held);
		if (!strcmp(rows[i].res, "numtcpsock"))
			EXPECT_EQ(9223372036854775807ULL, rows[i].limit);
	}
	EXPECT_EQ(VE_RES_MAX + 1, seen);	/* every slot, "dummy" ones too */
	EXPECT_STREQ("702 ", sh->proc_ids);	/* B sees itself only */
	EXPECT_EQ(1, sh->nl_ids);
}

/* Memory: a VE over its RAM is OOM-killed inside; physpages says so. */
TEST(memory_oom_inside_only)
{
	char out[4096], err[1024], path[64];
	struct ve_nl nl;
	struct ve_info info;
	int rc;

	ASSERT_EQ(0, ve_nl_open(&nl));
	run_vectl(out, sizeof(out), err, sizeof(err), "stop 703 --fast");
	run_vectl(out, sizeof(out), err, sizeof(err), "destroy 703");
	ASSERT_EQ(0, run_vectl(out, sizeof(out), err, sizeof(err),
			       "create 703 --ostemplate busybox")) TH_LOG("%s", err);
	ASSERT_EQ(0, run_vectl(out, sizeof(out), err, sizeof(err),
			       "set 703 --ram 24M --swap 0 --save")) TH_LOG("%s", err);
	ASSERT_EQ(0, run_vectl(out, sizeof(out), err, sizeof(err), "start 703")) TH_LOG("%s", err);
	ASSERT_EQ(0, veapi_get(&nl, 703, &info));
	EXPECT_EQ(24 * 256, info.limit[VE_RES_PHYSPAGES]);
	EXPECT_LT(0, info.held[VE_RES_PHYSPAGES]);
	EXPECT_EQ(0, info.failcnt[VE_RES_PHYSPAGES]);

	/*
	 * One process that wants 64M of RAM, once the VE's boot is over.
	 * (A pipeline of three, once, raced the kernel's OOM killer on 6.12:
	 * a writer hit the limit again before the killed reader's memory was
	 * uncharged, and the next biggest task was the VE's init. So did the
	 * boot script, still running beside the hog.)
	 */
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (!run_vectl(out, sizeof(out), err, sizeof(err), "exec 703 test -e /run/booted"))
			break;
		usleep(100000);
	}
	rc = run_vectl(out, sizeof(out), err, sizeof(err),
		       "exec 703 'dd if=/dev/zero of=/dev/null bs=64M count=1'");
	EXPECT_EQ(128 + SIGKILL, rc) TH_LOG("exec: %d %s %s", rc, out, err);
	ASSERT_EQ(0, veapi_get(&nl, 703, &info));
	EXPECT_LT(0, info.failcnt[VE_RES_PHYSPAGES]);
	EXPECT_GE(24 * 256, info.maxheld[VE_RES_PHYSPAGES]);
	/* The VE lives on, and the host was not touched. */
	EXPECT_EQ(VE_STATE_RUNNING, info.state);
	EXPECT_EQ(0, kill(info.init_pid, 0));
	EXPECT_EQ(0, run_vectl(out, sizeof(out), err, sizeof(err), "exec 703 true"));
	snprintf(path, sizeof(path), "/proc/%u", getpid());
	EXPECT_EQ(0, access(path, F_OK));
	run_vectl(out, sizeof(out), err, sizeof(err), "stop 703 --fast");
	run_vectl(out, sizeof(out), err, sizeof(err), "destroy 703");
	unlink("/etc/ve/conf/703.conf.destroyed");
	ve_nl_close(&nl);
}

TEST_HARNESS_MAIN
