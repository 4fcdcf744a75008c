// SPDX-License-Identifier: GPL-2.0
/*
 * Tagging: which VE a task, an open file and a socket belong to, across
 * fork, nested user and pid namespaces, setns, and an fd passed over a
 * unix socket to the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "ve_util.h"
#include "kselftest_harness.h"

#define ID 201

/* The end of a unix socketpair the child sends fds on. */
static int fd_sock[2];

/* Inside the VE: a forked child, a nested user+pid namespace child, a
 * file and a socket, the last two sent to the host. Then sleep. */
static int nested_child(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static int ve_init_fn(void *arg)
{
	struct ve_child nested;
	int fd, sk;

	if (fork() == 0)
		for (;;)
			pause();
	/* A container inside the VE: its own user and pid namespaces. */
	int err = ve_child_spawn(&nested, VE_CHILD_NS, NULL, nested_child, NULL);

	if (err) {
		fprintf(stderr, "nested spawn: %s\n", strerror(-err));
		return 3;
	}
	ve_child_go(&nested);

	fd = open("/proc/self/status", O_RDONLY);
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || sk < 0 || send_fd(fd_sock[1], fd) || send_fd(fd_sock[1], sk))
		return 4;
	for (;;)
		pause();
	return 0;
}

FIXTURE(tag) {
	struct ve_nl nl;
	struct ve_child child;
};

FIXTURE_SETUP(tag)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, fd_sock));
	veapi_new(&self->nl, ID, NULL);
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    ve_init_fn, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, ID, self->child.pid)) {
		TH_LOG("start: %s", self->nl.err.msg);
	}
	ve_child_go(&self->child);
}

FIXTURE_TEARDOWN(tag)
{
	veapi_stop(&self->nl, ID);
	ve_child_wait(&self->child);
	veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 5000);
	veapi_del(&self->nl, ID);
	close(fd_sock[0]);
	close(fd_sock[1]);
	ve_nl_close(&self->nl);
}

/* Host pids of init's children: the forked one and the nested init. */
static int init_children(pid_t init, pid_t *kids, int max)
{
	char path[96];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", init, init);
	for (int tries = 0; tries < 500 && n < max; tries++) {
		f = fopen(path, "r");
		n = 0;
		if (f) {
			while (n < max && fscanf(f, "%d", &kids[n]) == 1)
				n++;
			fclose(f);
		}
		if (n < max)
			usleep(10000);
	}
	return n;
}

TEST_F(tag, tasks_across_fork_and_nested_namespaces)
{
	pid_t kids[2];

	EXPECT_EQ(0, veapi_of_pid(&self->nl, getpid()));
	EXPECT_EQ(0, veapi_of_pid(&self->nl, 1));
	EXPECT_EQ(ID, veapi_of_pid(&self->nl, self->child.pid));
	/* A forked child, and the init of a user+pid namespace nested inside. */
	ASSERT_EQ(2, init_children(self->child.pid, kids, 2));
	EXPECT_EQ(ID, veapi_of_pid(&self->nl, kids[0]));
	EXPECT_EQ(ID, veapi_of_pid(&self->nl, kids[1]));
	EXPECT_EQ(-ESRCH, veapi_of_pid(&self->nl, 4194303));
}

TEST_F(tag, setns_charges_from_the_first_child)
{
	char path[64];
	int nsfd, status;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", self->child.pid);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ve_nl nl;
		int pipefd[2];
		pid_t kid;
		char b;

		nsfd = open(path, O_RDONLY);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWPID) || ve_nl_open(&nl) ||
		    pipe(pipefd))
			_exit(10);
		/* The caller itself stays where it was... */
		if (veapi_of_pid(&nl, getpid()) != 0)
			_exit(11);
		kid = fork();
		if (kid == 0) {
			close(pipefd[1]);
			_exit(read(pipefd[0], &b, 1) == 0 ? 0 : 1);
		}
		/* ...its children are born inside the VE. */
		status = veapi_of_pid(&nl, kid) == ID ? 0 : 12;
		close(pipefd[1]);
		waitpid(kid, NULL, 0);
		_exit(status);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(tag, files_and_sockets_passed_to_the_host)
{
	int file = recv_fd(fd_sock[0]);
	int sock = recv_fd(fd_sock[0]);
	int host_file = open("/proc/self/status", O_RDONLY);
	int host_sock = socket(AF_INET, SOCK_DGRAM, 0);
	int64_t sock_id;

	ASSERT_LE(0, file);
	ASSERT_LE(0, sock);
	EXPECT_EQ(ID, veapi_of_fd(&self->nl, file, &sock_id));
	EXPECT_EQ(-1, sock_id);
	/* The socket's file was opened inside too; its netns is the VE's. */
	EXPECT_EQ(ID, veapi_of_fd(&self->nl, sock, &sock_id));
	EXPECT_EQ(ID, sock_id);

	EXPECT_EQ(0, veapi_of_fd(&self->nl, host_file, &sock_id));
	EXPECT_EQ(0, veapi_of_fd(&self->nl, host_sock, &sock_id));
	EXPECT_EQ(0, sock_id);
	EXPECT_EQ(-EBADF, veapi_of_fd(&self->nl, 12345, &sock_id));

	/* Tags stay with the object, not with who holds it now. */
	close(file);
	close(sock);
	close(host_file);
	close(host_sock);
}

TEST_HARNESS_MAIN
