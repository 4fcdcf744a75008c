// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the guest selftests; see ve_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"

static int simple(struct ve_nl *nl, uint8_t cmd, uint32_t id)
{
	ve_nl_msg(nl, cmd, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	return ve_nl_run(nl, NULL, NULL);
}

int ve_new(struct ve_nl *nl, uint32_t id)
{
	return simple(nl, VE_CMD_NEW, id);
}

int ve_del(struct ve_nl *nl, uint32_t id)
{
	return simple(nl, VE_CMD_DEL, id);
}

int ve_stop(struct ve_nl *nl, uint32_t id)
{
	return simple(nl, VE_CMD_STOP, id);
}

int ve_start(struct ve_nl *nl, uint32_t id, pid_t pid)
{
	ve_nl_msg(nl, VE_CMD_START, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	mnl_attr_put_u32(nl->req, VE_A_INIT_PID, (uint32_t)pid);
	return ve_nl_run(nl, NULL, NULL);
}

int ve_set_res(struct ve_nl *nl, uint32_t id, unsigned int res,
	       uint64_t barrier, uint64_t limit)
{
	struct nlattr *nest;

	ve_nl_msg(nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	nest = mnl_attr_nest_start(nl->req, VE_A_RES);
	mnl_attr_put_u64(nl->req, VE_A_RES_ID, res);
	mnl_attr_put_u64(nl->req, VE_A_RES_BARRIER, barrier);
	mnl_attr_put_u64(nl->req, VE_A_RES_LIMIT, limit);
	mnl_attr_nest_end(nl->req, nest);
	return ve_nl_run(nl, NULL, NULL);
}

static void parse_res(const struct nlattr *nest, struct ve_info *info)
{
	const struct nlattr *a;
	uint64_t id = UINT64_MAX, barrier = 0, limit = 0;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case VE_A_RES_ID:
			id = mnl_attr_get_u64(a);
			break;
		case VE_A_RES_BARRIER:
			barrier = mnl_attr_get_u64(a);
			break;
		case VE_A_RES_LIMIT:
			limit = mnl_attr_get_u64(a);
			break;
		}
	}
	if (id <= VE_RES_MAX) {
		info->barrier[id] = barrier;
		info->limit[id] = limit;
		info->n_res++;
	}
}

static int info_attr_cb(const struct nlattr *a, void *data)
{
	struct ve_info *info = data;

	switch (mnl_attr_get_type(a)) {
	case VE_A_ID:
		info->id = mnl_attr_get_u32(a);
		break;
	case VE_A_STATE:
		info->state = mnl_attr_get_u32(a);
		break;
	case VE_A_INIT_PID:
		info->init_pid = mnl_attr_get_u32(a);
		break;
	case VE_A_NUM_TASKS:
		info->num_tasks = mnl_attr_get_u32(a);
		break;
	case VE_A_EXIT_STATUS:
		info->exit_status = mnl_attr_get_u32(a);
		info->has_exit_status = true;
		break;
	case VE_A_START_TIME:
		info->start_time = mnl_attr_get_u64(a);
		break;
	case VE_A_RES:
		parse_res(a, info);
		break;
	}
	return MNL_CB_OK;
}

int ve_parse_info(const struct nlmsghdr *nlh, struct ve_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = UINT32_MAX;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr_cb, info);
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	ve_parse_info(nlh, data);
	return MNL_CB_OK;
}

int ve_get(struct ve_nl *nl, uint32_t id, struct ve_info *info)
{
	ve_nl_msg(nl, VE_CMD_GET, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	return ve_nl_run(nl, info_cb, info);
}

struct which {
	int64_t id;
	int64_t sock_id;
};

static int which_attr_cb(const struct nlattr *a, void *data)
{
	struct which *w = data;

	if (mnl_attr_get_type(a) == VE_A_ID)
		w->id = mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == VE_A_SOCK_ID)
		w->sock_id = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int which_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), which_attr_cb, data);
}

int64_t ve_of_pid(struct ve_nl *nl, pid_t pid)
{
	struct which w = { -1, -1 };
	int err;

	ve_nl_msg(nl, VE_CMD_GET, 0);
	mnl_attr_put_u32(nl->req, VE_A_PID, (uint32_t)pid);
	err = ve_nl_run(nl, which_cb, &w);
	return err ? err : w.id;
}

int64_t ve_of_fd(struct ve_nl *nl, int fd, int64_t *sock_id)
{
	struct which w = { -1, -1 };
	int err;

	ve_nl_msg(nl, VE_CMD_GET, 0);
	mnl_attr_put_u32(nl->req, VE_A_FD, (uint32_t)fd);
	err = ve_nl_run(nl, which_cb, &w);
	*sock_id = w.sock_id;
	return err ? err : w.id;
}

struct dump_ctx {
	uint32_t *ids;
	int max;
	int n;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ve_info info;

	ve_parse_info(nlh, &info);
	if (d->n < d->max)
		d->ids[d->n] = info.id;
	d->n++;
	return MNL_CB_OK;
}

int ve_dump(struct ve_nl *nl, uint32_t *ids, int max, int *n_recv)
{
	struct dump_ctx d = { ids, max, 0 };
	int err;

	ve_nl_msg(nl, VE_CMD_GET, NLM_F_DUMP);
	nl->n_recv = 0;
	err = ve_nl_run(nl, dump_cb, &d);
	if (n_recv)
		*n_recv = nl->n_recv;
	return err ? err : d.n;
}

bool ve_wait_state(struct ve_nl *nl, uint32_t id, uint32_t state, int ms)
{
	struct ve_info info;

	for (int i = 0; i < ms / 10; i++) {
		if (ve_get(nl, id, &info) == 0 && info.state == state)
			return true;
		usleep(10000);
	}
	return false;
}

struct child_args {
	int (*pre)(void *);
	int (*fn)(void *);
	void *arg;
	int ready_w;
	int go_r;
	int flags;
};

static int child_main(void *p)
{
	struct child_args *a = p;
	char c = 0;
	int ret = 0;

	if (a->pre)
		ret = a->pre(a->arg);
	if (write(a->ready_w, &c, 1) != 1)
		return 100;
	if (read(a->go_r, &c, 1) != 1)
		return 101;
	/* Become the mapped root, as a VE's init does once its maps exist. */
	if ((a->flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		return 102;
	return ret ? ret : (a->fn ? a->fn(a->arg) : 0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

int ve_child_spawn(struct ve_child *c, int flags, int (*pre)(void *),
		   int (*fn)(void *), void *arg)
{
	static const size_t stack_size = 256 * 1024;
	struct child_args a = { pre, fn, arg, -1, -1, flags };
	int ready[2], go[2];
	char path[64], b;
	void *stack;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return -errno;
	a.ready_w = ready[1];
	a.go_r = go[0];
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	/* The child runs on a copy of memory: a, stack stay valid for it. */
	c->pid = clone(child_main, (char *)stack + stack_size, flags | SIGCHLD, &a);
	munmap(stack, stack_size);
	close(ready[1]);
	close(go[0]);
	if (c->pid < 0) {
		close(ready[0]);
		close(go[1]);
		return -errno;
	}
	c->ready_fd = ready[0];
	c->go_fd = go[1];

	if (flags & CLONE_NEWUSER) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", c->pid);
		write_file(path, "deny");
		snprintf(path, sizeof(path), "/proc/%d/uid_map", c->pid);
		write_file(path, "0 100000 65536\n");
		snprintf(path, sizeof(path), "/proc/%d/gid_map", c->pid);
		write_file(path, "0 100000 65536\n");
	}
	if (read(c->ready_fd, &b, 1) != 1)
		return -EIO;
	return 0;
}

void ve_child_go(struct ve_child *c)
{
	char b = 1;

	/* EPIPE: the child was killed first, which some tests do on purpose. */
	if (c->go_fd >= 0 && write(c->go_fd, &b, 1) != 1 && errno != EPIPE)
		perror("ve_child_go");
}

int ve_child_wait(struct ve_child *c)
{
	int status;

	if (c->pid <= 0 || waitpid(c->pid, &status, 0) != c->pid)
		return -1;
	c->pid = 0;
	close(c->ready_fd);
	close(c->go_fd);
	c->ready_fd = c->go_fd = -1;
	return status;
}

void ve_child_kill(struct ve_child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		ve_child_wait(c);
	}
}

pid_t ve_first_child(pid_t pid)
{
	char path[96];
	FILE *f;
	int child = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	for (int i = 0; i < 500 && child < 0; i++) {
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &child) != 1)
				child = -1;
			fclose(f);
		}
		if (child < 0)
			usleep(10000);
	}
	return child;
}
