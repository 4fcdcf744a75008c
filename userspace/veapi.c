// SPDX-License-Identifier: GPL-2.0
/*
 * The requests of the "ve" family as C calls, and the parser of the VE
 * messages the kernel sends (GET replies, dumps, notifications). Shared by
 * vectl's verbs and the selftests.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "veapi.h"

static int simple(struct ve_nl *nl, uint8_t cmd, uint32_t id)
{
	ve_nl_msg(nl, cmd, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	return ve_nl_run(nl, NULL, NULL);
}

static int module_attr_cb(const struct nlattr *a, void *data)
{
	struct ve_module *mod = data;

	switch (mnl_attr_get_type(a)) {
	case VE_A_MODULE_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(mod->version, sizeof(mod->version), "%s",
				 mnl_attr_get_str(a));
		break;
	case VE_A_ABI_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			mod->abi = mnl_attr_get_u32(a);
		break;
	case VE_A_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			mod->caller_id = mnl_attr_get_u32(a);
		break;
	case VE_A_NETIF_COUNT:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			mod->netif_count = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int module_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), module_attr_cb, data);
}

int veapi_module(struct ve_nl *nl, struct ve_module *mod)
{
	memset(mod, 0, sizeof(*mod));
	ve_nl_msg(nl, VE_CMD_GET, 0);
	return ve_nl_run(nl, module_cb, mod);
}

void ve_limits_add(struct ve_limits *lim, unsigned int id, uint64_t barrier,
		   uint64_t limit)
{
	unsigned int i;

	for (i = 0; i < lim->n && lim->res[i].id != id; i++)
		;
	if (i == sizeof(lim->res) / sizeof(lim->res[0]))
		return;		/* every resource is there already */
	lim->res[i].id = id;
	lim->res[i].barrier = barrier;
	lim->res[i].limit = limit;
	if (i == lim->n)
		lim->n++;
}

static int send_limits(struct ve_nl *nl, uint8_t cmd, uint32_t id,
		       const struct ve_limits *lim)
{
	ve_nl_msg(nl, cmd, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	if (lim && lim->has_flags)
		mnl_attr_put_u32(nl->req, VE_A_FLAGS, lim->flags);
	for (unsigned int i = 0; lim && i < lim->n; i++) {
		struct nlattr *nest = mnl_attr_nest_start(nl->req, VE_A_RES);

		mnl_attr_put_u64(nl->req, VE_A_RES_ID, lim->res[i].id);
		mnl_attr_put_u64(nl->req, VE_A_RES_BARRIER, lim->res[i].barrier);
		mnl_attr_put_u64(nl->req, VE_A_RES_LIMIT, lim->res[i].limit);
		mnl_attr_nest_end(nl->req, nest);
	}
	if (lim && lim->has_addrs) {
		struct nlattr *nest = mnl_attr_nest_start(nl->req, VE_A_ADDRS);

		for (int i = 0; i < lim->n_addrs; i++) {
			const struct ve_ip *ip = &lim->addrs[i];

			mnl_attr_put(nl->req, ip->family == AF_INET ? VE_A_ADDR_IPV4 :
				     VE_A_ADDR_IPV6, ip->family == AF_INET ? 4 : 16, ip->a);
		}
		mnl_attr_nest_end(nl->req, nest);
	}
	return ve_nl_run(nl, NULL, NULL);
}

int veapi_new(struct ve_nl *nl, uint32_t id, const struct ve_limits *lim)
{
	return send_limits(nl, VE_CMD_NEW, id, lim);
}

int veapi_set(struct ve_nl *nl, uint32_t id, const struct ve_limits *lim)
{
	return send_limits(nl, VE_CMD_SET, id, lim);
}

int veapi_del(struct ve_nl *nl, uint32_t id)
{
	return simple(nl, VE_CMD_DEL, id);
}

int veapi_stop(struct ve_nl *nl, uint32_t id)
{
	return simple(nl, VE_CMD_STOP, id);
}

int veapi_start(struct ve_nl *nl, uint32_t id, pid_t pid)
{
	ve_nl_msg(nl, VE_CMD_START, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	mnl_attr_put_u32(nl->req, VE_A_INIT_PID, (uint32_t)pid);
	return ve_nl_run(nl, NULL, NULL);
}

int veapi_set_res(struct ve_nl *nl, uint32_t id, unsigned int res,
		  uint64_t barrier, uint64_t limit)
{
	struct ve_limits lim = { .n = 0 };

	ve_limits_add(&lim, (unsigned int)res, barrier, limit);
	return veapi_set(nl, id, &lim);
}

int veapi_set_flags(struct ve_nl *nl, uint32_t id, uint32_t flags)
{
	struct ve_limits lim = { .has_flags = true, .flags = flags };

	return veapi_set(nl, id, &lim);
}

int veapi_attach(struct ve_nl *nl, uint32_t id, int ifindex, const uint8_t *mac)
{
	struct nlattr *nest;

	ve_nl_msg(nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	nest = mnl_attr_nest_start(nl->req, VE_A_NETIF);
	mnl_attr_put_u32(nl->req, VE_A_NETIF_IFINDEX, (uint32_t)ifindex);
	if (mac) {
		mnl_attr_put(nl->req, VE_A_NETIF_MAC, 6, mac);
		mnl_attr_put(nl->req, VE_A_NETIF_BRIDGED, 0, NULL);
	}
	mnl_attr_nest_end(nl->req, nest);
	return ve_nl_run(nl, NULL, NULL);
}

static void parse_addrs(const struct nlattr *nest, struct ve_info *info)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		struct ve_ip *ip = &info->addrs[info->n_addrs];
		uint16_t len = mnl_attr_get_payload_len(a);

		if (info->n_addrs == VE_ADDR_MAX)
			break;
		if (mnl_attr_get_type(a) == VE_A_ADDR_IPV4 && len == 4)
			ip->family = AF_INET;
		else if (mnl_attr_get_type(a) == VE_A_ADDR_IPV6 && len == 16)
			ip->family = AF_INET6;
		else
			continue;
		memcpy(ip->a, mnl_attr_get_payload(a), len);
		info->n_addrs++;
	}
}

static void parse_netif(const struct nlattr *nest, struct ve_info *info)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == VE_A_NETIF_IFINDEX &&
		    !mnl_attr_validate(a, MNL_TYPE_U32) && info->n_netifs < VE_NETIF_MAX)
			info->netif_ifindex[info->n_netifs++] = mnl_attr_get_u32(a);
}

static void parse_stats(const struct nlattr *nest, struct ve_info *info)
{
	uint64_t *const at[VE_A_STATS_MAX + 1] = {
		[VE_A_STATS_IN_PACKETS] = &info->net_in_packets,
		[VE_A_STATS_IN_BYTES] = &info->net_in_bytes,
		[VE_A_STATS_OUT_PACKETS] = &info->net_out_packets,
		[VE_A_STATS_OUT_BYTES] = &info->net_out_bytes,
		[VE_A_STATS_DROPPED] = &info->net_dropped,
	};
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int type = mnl_attr_get_type(a);

		if (type <= VE_A_STATS_MAX && at[type] && !mnl_attr_validate(a, MNL_TYPE_U64))
			*at[type] = mnl_attr_get_u64(a);
	}
}

static void parse_res(const struct nlattr *nest, struct ve_info *info)
{
	const struct nlattr *a;
	uint64_t id = UINT64_MAX, v[VE_A_RES_MAX + 1] = { 0 };

	mnl_attr_for_each_nested(a, nest) {
		unsigned int type = mnl_attr_get_type(a);

		if (type > VE_A_RES_MAX || mnl_attr_validate(a, MNL_TYPE_U64))
			continue;
		if (type == VE_A_RES_ID)
			id = mnl_attr_get_u64(a);
		else
			v[type] = mnl_attr_get_u64(a);
	}
	if (id <= VE_RES_MAX) {
		if (!info->n_res)
			info->first_res = (unsigned int)id;
		info->held[id] = v[VE_A_RES_HELD];
		info->maxheld[id] = v[VE_A_RES_MAXHELD];
		info->barrier[id] = v[VE_A_RES_BARRIER];
		info->limit[id] = v[VE_A_RES_LIMIT];
		info->failcnt[id] = v[VE_A_RES_FAILCNT];
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
	case VE_A_OLD_STATE:
		info->old_state = mnl_attr_get_u32(a);
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
	case VE_A_FLAGS:
		info->flags = mnl_attr_get_u32(a);
		break;
	case VE_A_START_TIME:
		info->start_time = mnl_attr_get_u64(a);
		break;
	case VE_A_RES:
		parse_res(a, info);
		break;
	case VE_A_ADDRS:
		parse_addrs(a, info);
		break;
	case VE_A_NETIF:
		parse_netif(a, info);
		break;
	case VE_A_STATS:
		parse_stats(a, info);
		break;
	}
	return MNL_CB_OK;
}

int veapi_parse_info(const struct nlmsghdr *nlh, struct ve_info *info)
{
	memset(info, 0, sizeof(*info));
	info->state = UINT32_MAX;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr_cb, info);
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	veapi_parse_info(nlh, data);
	return MNL_CB_OK;
}

int veapi_get(struct ve_nl *nl, uint32_t id, struct ve_info *info)
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

int64_t veapi_of_pid(struct ve_nl *nl, pid_t pid)
{
	struct which w = { -1, -1 };
	int err;

	ve_nl_msg(nl, VE_CMD_GET, 0);
	mnl_attr_put_u32(nl->req, VE_A_PID, (uint32_t)pid);
	err = ve_nl_run(nl, which_cb, &w);
	return err ? err : w.id;
}

int64_t veapi_of_fd(struct ve_nl *nl, int fd, int64_t *sock_id)
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
	ve_info_cb cb;
	void *data;
	int n;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ve_info info;

	veapi_parse_info(nlh, &info);
	d->n++;
	d->cb(&info, d->data);
	return MNL_CB_OK;	/* never stop early: the dump's tail would linger */
}

int veapi_dump_each(struct ve_nl *nl, ve_info_cb cb, void *data)
{
	struct dump_ctx d = { cb, data, 0 };
	int err;

	ve_nl_msg(nl, VE_CMD_GET, NLM_F_DUMP);
	err = ve_nl_run(nl, dump_cb, &d);
	return err ? err : d.n;
}

struct id_list {
	uint32_t *ids;
	int max;
	int n;
};

static void collect_id(const struct ve_info *info, void *data)
{
	struct id_list *l = data;

	if (l->n < l->max)
		l->ids[l->n] = info->id;
	l->n++;
}

int veapi_dump(struct ve_nl *nl, uint32_t *ids, int max)
{
	struct id_list l = { ids, max, 0 };

	return veapi_dump_each(nl, collect_id, &l);
}

int veapi_running_known(struct ve_nl *nl, uint32_t id, bool *known)
{
	struct ve_info info;
	int err = veapi_get(nl, id, &info);

	if (known)
		*known = !err;
	if (err == -ENOENT)
		return 0;
	return err ? err : info.state != VE_STATE_STOPPED;
}

int veapi_running(struct ve_nl *nl, uint32_t id)
{
	return veapi_running_known(nl, id, NULL);
}

int veapi_open_init(struct ve_nl *nl, uint32_t id, struct ve_info *info)
{
	uint32_t pid;
	int err, fd;

	err = veapi_get(nl, id, info);
	if (err == -ENOENT || (!err && info->state != VE_STATE_RUNNING))
		return -ESRCH;
	if (err)
		return err;
	pid = info->init_pid;
	fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (fd < 0)
		return -errno;
	err = veapi_get(nl, id, info);
	if (err || info->state != VE_STATE_RUNNING || info->init_pid != pid) {
		close(fd);
		return err && err != -ENOENT ? err : -ESRCH;
	}
	return fd;
}

struct mnl_socket *veapi_events_open(struct ve_nl *nl)
{
	unsigned int grp = nl->events_grp;
	struct mnl_socket *ev;
	int err;

	if (!grp) {
		errno = ENOENT;
		return NULL;
	}
	ev = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!ev)
		return NULL;
	if (mnl_socket_bind(ev, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(ev, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		err = errno;
		mnl_socket_close(ev);
		errno = err;
		return NULL;
	}
	return ev;
}

static bool state_is(struct ve_nl *nl, uint32_t id, uint32_t state)
{
	struct ve_info info;

	return veapi_get(nl, id, &info) == 0 && info.state == state;
}

struct state_match {
	uint32_t id;
	uint32_t state;
	bool hit;
};

static int state_ntf_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct state_match *m = data;
	struct ve_info info;

	if (genl->cmd == VE_CMD_STATE_NTF && veapi_parse_info(nlh, &info) >= 0 &&
	    info.id == m->id && info.state == m->state)
		m->hit = true;
	return MNL_CB_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool veapi_wait_state(struct ve_nl *nl, uint32_t id, uint32_t state, int ms)
{
	struct mnl_socket *ev = veapi_events_open(nl);
	struct state_match m = { id, state, false };
	int64_t end = now_ms() + ms;
	char buf[8192];		/* notifications are small */

	/* Joined first, then asked: a change in between is still heard. */
	m.hit = state_is(nl, id, state);
	while (!m.hit) {
		struct pollfd pfd = { .events = POLLIN };
		int64_t left = end - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (!ev) {	/* may not listen: ask every 10 ms */
			usleep(10000);
			m.hit = state_is(nl, id, state);
			continue;
		}
		pfd.fd = mnl_socket_get_fd(ev);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			mnl_cb_run(buf, (size_t)n, 0, 0, state_ntf_cb, &m);
		else if (n < 0 && errno == ENOBUFS)	/* events lost: ask */
			m.hit = state_is(nl, id, state);
	}
	if (ev)
		mnl_socket_close(ev);
	return m.hit;
}
