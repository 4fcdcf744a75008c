// SPDX-License-Identifier: GPL-2.0
/*
 * The "ve" generic netlink family: parses and checks requests, calls the
 * registry and lifecycle, and replies. Owns no state of its own.
 *
 * Documentation/netlink/specs/ve.yaml describes it; the policies and the op
 * table are generated from it into netlink-gen.c. What the spec cannot say
 * is done here: pre_doit runs each command's common prologue (who may
 * call, ve_mutex, the VE named by id) as ve_nl_cmd_flags says, and
 * post_doit undoes it, so each doit keeps only its own work. Messages name
 * attributes as the spec does ("res.limit").
 *
 * Who may do what:
 * - NEW, DEL, SET, START and STOP are admin-perm (the genetlink core wants
 *   CAP_NET_ADMIN), and pre_doit wants CAP_SYS_ADMIN in the host user
 *   namespace, checked on the socket (netlink_capable()), and refuses
 *   them from inside a VE whatever its capabilities.
 * - GET and its dump are open to all; from inside a VE they show only
 *   that VE. A caller is inside a VE when its pid namespace or its
 *   socket's network namespace belongs to one.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include <uapi/linux/ve.h>

#include "compat.h"
#include "lifecycle.h"
#include "net.h"
#include "netlink-gen.h"
#include "netlink.h"
#include "registry.h"
#include "tag.h"
#include "ubc.h"

static struct genl_family ve_genl_family;

/* A VE with every address and device attached outgrows NLMSG_GOODSIZE. */
#define VE_NL_REPLY_SIZE	8192

/* What pre_doit does before a command's doit. */
#define VE_NL_ADMIN	BIT(0)	/* from the host, by an admin, naming an id */
#define VE_NL_LOCK	BIT(1)	/* hold ve_mutex until post_doit */
#define VE_NL_VE	BIT(2)	/* the VE named by id, in info->user_ptr[0] */

static const u8 ve_nl_cmd_flags[VE_CMD_MAX + 1] = {
	[VE_CMD_NEW]	= VE_NL_ADMIN | VE_NL_LOCK,
	[VE_CMD_DEL]	= VE_NL_ADMIN | VE_NL_LOCK | VE_NL_VE,
	[VE_CMD_SET]	= VE_NL_ADMIN | VE_NL_LOCK | VE_NL_VE,
	[VE_CMD_START]	= VE_NL_ADMIN | VE_NL_LOCK | VE_NL_VE,
	[VE_CMD_STOP]	= VE_NL_ADMIN | VE_NL_LOCK | VE_NL_VE,
};

/* The VE the caller is inside, 0 for the host. */
static u32 ve_nl_caller(struct net *net)
{
	struct ve *ve;
	u32 id;

	rcu_read_lock();
	ve = ve_of_task(current);
	if (!ve)
		ve = ve_of_net(net);
	id = ve ? ve->id : 0;
	rcu_read_unlock();
	return id;
}

/* Is required attribute @attr missing? Then say so: 6.1 adds no message. */
static bool ve_nl_missing(struct genl_info *info, int attr)
{
	if (!GENL_REQ_ATTR_CHECK(info, attr))
		return false;
	NL_SET_ERR_MSG_MOD(info->extack, "required attribute missing");
	return true;
}

/* Every mutating command: from the host, by an admin, naming an id. */
static int ve_nl_admin_request(struct sk_buff *skb, struct genl_info *info)
{
	if (ve_nl_caller(genl_info_net(info))) {
		NL_SET_ERR_MSG_MOD(info->extack, "not permitted from inside a VE");
		return -EPERM;
	}
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "needs CAP_SYS_ADMIN in the host user namespace");
		return -EPERM;
	}
	return ve_nl_missing(info, VE_A_ID) ? -EINVAL : 0;
}

/* Under ve_mutex: the VE named by id, or NULL with extack set. */
static struct ve *ve_nl_lookup(struct genl_info *info)
{
	struct ve *ve = ve_lookup(nla_get_u32(info->attrs[VE_A_ID]));

	if (!ve) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_ID]);
		NL_SET_ERR_MSG_MOD(info->extack, "no VE with this id");
	}
	return ve;
}

/* One VE_A_RES nest with every value of resource @id. */
static int ve_nl_put_one_res(struct sk_buff *skb, const struct ve *ve,
			     unsigned int id)
{
	struct ve_res_val val;
	struct nlattr *nest;

	ve_res_read(ve, id, &val);
	nest = nla_nest_start(skb, VE_A_RES);
	if (!nest ||
	    nla_put_u64_64bit(skb, VE_A_RES_ID, id, VE_A_RES_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_RES_HELD, val.held, VE_A_RES_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_RES_MAXHELD, val.maxheld, VE_A_RES_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_RES_BARRIER, val.barrier, VE_A_RES_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_RES_LIMIT, val.limit, VE_A_RES_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_RES_FAILCNT, val.failcnt, VE_A_RES_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ve_nl_put_res(struct sk_buff *skb, const struct ve *ve)
{
	unsigned int i;

	for (i = 0; i < VE_RES_SLOTS; i++)
		if (ve_res_name(i) && ve_nl_put_one_res(skb, ve, i))
			return -EMSGSIZE;
	return 0;
}

/* Under ve_mutex. Pids are shown as seen from @pid_ns, the reader's. */
static int ve_nl_fill_ve(struct sk_buff *skb, struct ve *ve,
			 struct pid_namespace *pid_ns, u32 portid, u32 seq,
			 int flags, struct netlink_callback *cb)
{
	bool running = ve->state != VE_STATE_STOPPED;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ve_genl_family, flags, VE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, VE_A_ID, ve->id) ||
	    nla_put_u32(skb, VE_A_STATE, ve->state) ||
	    nla_put_u32(skb, VE_A_FLAGS, ve->flags) ||
	    (ve->has_exited &&
	     nla_put_u32(skb, VE_A_EXIT_STATUS, ve->exit_status)) ||
	    (running &&
	     (nla_put_u32(skb, VE_A_INIT_PID, pid_nr_ns(ve->init_pid, pid_ns)) ||
	      nla_put_u32(skb, VE_A_NUM_TASKS, ve_num_tasks(ve)) ||
	      nla_put_u64_64bit(skb, VE_A_START_TIME, ve->start_time,
				VE_A_PAD))) ||
	    ve_nl_put_res(skb, ve) || ve_net_fill(skb, ve)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Parse and check every res of a request into @res; all or nothing. */
static int ve_nl_parse_res(struct genl_info *info, struct ve_res *res)
{
	struct nlattr *tb[VE_A_RES_MAX + 1];
	const struct nlattr *attr;
	int rem, err;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		u64 id, barrier, limit;

		if (nla_type(attr) != VE_A_RES)
			continue;
		err = nla_parse_nested(tb, VE_A_RES_MAX, attr, ve_res_nl_policy,
				       info->extack);
		if (err)
			return err;
		if (!tb[VE_A_RES_ID]) {
			NL_SET_ERR_ATTR_MISS(info->extack, attr, VE_A_RES_ID);
			NL_SET_ERR_MSG_MOD(info->extack, "res without res.id");
			return -EINVAL;
		}
		if (tb[VE_A_RES_HELD] || tb[VE_A_RES_MAXHELD] ||
		    tb[VE_A_RES_FAILCNT]) {
			NL_SET_BAD_ATTR(info->extack, tb[VE_A_RES_HELD] ?:
					tb[VE_A_RES_MAXHELD] ?: tb[VE_A_RES_FAILCNT]);
			NL_SET_ERR_MSG_MOD(info->extack,
					   "res.held, res.maxheld and res.failcnt are read-only");
			return -EINVAL;
		}
		id = nla_get_u64(tb[VE_A_RES_ID]);
		if (!ve_res_name(id)) {
			NL_SET_BAD_ATTR(info->extack, tb[VE_A_RES_ID]);
			NL_SET_ERR_MSG_MOD(info->extack, "res.id names no resource");
			return -EINVAL;
		}
		if (!tb[VE_A_RES_BARRIER] && !tb[VE_A_RES_LIMIT]) {
			NL_SET_BAD_ATTR(info->extack, attr);
			NL_SET_ERR_MSG_MOD(info->extack,
					   "res without res.barrier or res.limit");
			return -EINVAL;
		}
		/* One value alone sets both, as in vzctl. */
		barrier = nla_get_u64(tb[VE_A_RES_BARRIER] ?: tb[VE_A_RES_LIMIT]);
		limit = nla_get_u64(tb[VE_A_RES_LIMIT] ?: tb[VE_A_RES_BARRIER]);
		if (limit < barrier) {
			NL_SET_BAD_ATTR(info->extack, tb[VE_A_RES_LIMIT]);
			NL_SET_ERR_MSG_MOD(info->extack, "res.limit below res.barrier");
			return -EINVAL;
		}
		res[id].barrier = barrier;
		res[id].limit = limit;
	}
	return 0;
}

/* NEW and SET: apply checked limits and the optional flags. */
static void ve_nl_apply(struct ve *ve, const struct ve_res *res,
			struct genl_info *info)
{
	unsigned int i;

	lockdep_assert_held(&ve_mutex);
	/* Charges read the limits without the lock (charge.c). */
	for (i = 0; i < VE_RES_SLOTS; i++) {
		WRITE_ONCE(ve->res[i].barrier, res[i].barrier);
		WRITE_ONCE(ve->res[i].limit, res[i].limit);
	}
	if (info->attrs[VE_A_FLAGS])
		ve->flags = nla_get_u32(info->attrs[VE_A_FLAGS]);
}

static int ve_nl_new_exists(struct genl_info *info)
{
	NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_ID]);
	NL_SET_ERR_MSG_MOD(info->extack, "a VE with this id exists");
	return -EEXIST;
}

int ve_nl_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ve_res res[VE_RES_SLOTS];
	struct ve_addrs *addrs;
	struct ve *ve;
	int err;

	ve_res_init(res);
	err = ve_nl_parse_res(info, res);
	if (err)
		return err;
	/* Its own addresses are not another VE's: say that it exists first. */
	if (ve_lookup(nla_get_u32(info->attrs[VE_A_ID])))
		return ve_nl_new_exists(info);
	err = ve_net_parse_addrs(NULL, info->attrs[VE_A_ADDRS], &addrs,
				 info->extack);
	if (err)
		return err;
	ve = ve_create(nla_get_u32(info->attrs[VE_A_ID]));
	if (IS_ERR(ve)) {
		ve_net_discard_addrs(addrs);
		err = PTR_ERR(ve);
		return err == -EBUSY ? ve_nl_new_exists(info) : err;
	}
	ve_nl_apply(ve, res, info);
	ve_net_commit_addrs(ve, addrs);
	return 0;
}

int ve_nl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ve *ve = info->user_ptr[0];

	if (ve->state != VE_STATE_STOPPED) {
		NL_SET_ERR_MSG_MOD(info->extack, "VE is running; stop it first");
		return -EBUSY;
	}
	ve_remove(ve);
	return 0;
}

int ve_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ve_res res[VE_RES_SLOTS];
	struct ve *ve = info->user_ptr[0];
	struct ve_addrs *addrs;
	int err;

	/* Check everything before changing anything: a bad attribute changes none. */
	memcpy(res, ve->res, sizeof(res));
	err = ve_nl_parse_res(info, res);
	if (err)
		return err;
	err = ve_net_parse_addrs(ve, info->attrs[VE_A_ADDRS], &addrs,
				 info->extack);
	if (err)
		return err;
	/* Attaching is all or nothing too, and the last thing that can fail. */
	err = ve_net_attach(ve, info);
	if (err) {
		ve_net_discard_addrs(addrs);
		return err;
	}
	ve_nl_apply(ve, res, info);
	if (info->attrs[VE_A_ADDRS])
		ve_net_commit_addrs(ve, addrs);
	ve_changed();
	return 0;
}

int ve_nl_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ve *ve = info->user_ptr[0];
	struct pid *pid;
	int err;

	if (ve_nl_missing(info, VE_A_INIT_PID))
		return -EINVAL;
	pid = find_get_pid(nla_get_u32(info->attrs[VE_A_INIT_PID]));
	if (!pid) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such process");
		err = -ESRCH;
	} else {
		err = ve_start(ve, pid, info->extack);
		put_pid(pid);
	}
	/* Every refusal but "already running" is about the init process. */
	if (err && ve->state == VE_STATE_STOPPED)
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_INIT_PID]);
	return err;
}

int ve_nl_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ve_stop(info->user_ptr[0], info->extack);
}

/* The common prologue of the doits, as ve_nl_cmd_flags says. */
static int ve_nl_pre_doit(const VE_GENL_DOIT_OPS *ops, struct sk_buff *skb,
			  struct genl_info *info)
{
	u8 flags = ve_nl_cmd_flags[ops->cmd];
	int err;

	if (flags & VE_NL_ADMIN) {
		err = ve_nl_admin_request(skb, info);
		if (err)
			return err;
	}
	if (flags & VE_NL_LOCK)
		mutex_lock(&ve_mutex);
	if (flags & VE_NL_VE) {
		info->user_ptr[0] = ve_nl_lookup(info);
		if (!info->user_ptr[0]) {
			mutex_unlock(&ve_mutex);
			return -ENOENT;
		}
	}
	return 0;
}

static void ve_nl_post_doit(const VE_GENL_DOIT_OPS *ops, struct sk_buff *skb,
			    struct genl_info *info)
{
	if (ve_nl_cmd_flags[ops->cmd] & VE_NL_LOCK)
		mutex_unlock(&ve_mutex);
}

/* GET without a selector: the module, and the caller's VE. */
static int ve_nl_fill_module(struct sk_buff *msg, struct genl_info *info)
{
	u32 self = ve_nl_caller(genl_info_net(info));
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &ve_genl_family, 0, VE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	/* The node-wide device count is the host's to know. */
	if (nla_put_u32(msg, VE_A_ID, self) ||
	    nla_put_string(msg, VE_A_MODULE_VERSION, VE_VERSION) ||
	    nla_put_u32(msg, VE_A_ABI_VERSION, VE_FAMILY_VERSION) ||
	    (!self && nla_put_u32(msg, VE_A_NETIF_COUNT, ve_net_netif_count()))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* GET {VE_A_PID}: the VE of a task, by pid in the caller's namespace. */
static int ve_nl_fill_pid(struct sk_buff *msg, struct genl_info *info)
{
	u32 nr = nla_get_u32(info->attrs[VE_A_PID]);
	struct task_struct *task;
	void *hdr;
	u32 id;

	rcu_read_lock();
	task = pid_task(find_vpid(nr), PIDTYPE_PID);
	id = task ? ve_id_of_task(task) : 0;
	rcu_read_unlock();
	if (!task) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_PID]);
		NL_SET_ERR_MSG_MOD(info->extack, "no such process");
		return -ESRCH;
	}

	hdr = genlmsg_put_reply(msg, info, &ve_genl_family, 0, VE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, VE_A_PID, nr) || nla_put_u32(msg, VE_A_ID, id)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* GET {VE_A_FD}: the VE an open file (and its socket) is charged to. */
static int ve_nl_fill_fd(struct sk_buff *msg, struct genl_info *info)
{
	u32 fd = nla_get_u32(info->attrs[VE_A_FD]);
	struct socket *sock;
	struct file *file;
	struct ve *ve;
	u32 id, sock_id = 0;
	void *hdr;
	int err;

	file = fget(fd);
	if (!file) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_FD]);
		NL_SET_ERR_MSG_MOD(info->extack, "no such open file");
		return -EBADF;
	}
	sock = sock_from_file(file);
	rcu_read_lock();
	ve = ve_of_file(file);
	id = ve ? ve->id : 0;
	if (sock && sock->sk) {
		ve = ve_of_sock(sock->sk);
		sock_id = ve ? ve->id : 0;
	}
	rcu_read_unlock();
	fput(file);

	hdr = genlmsg_put_reply(msg, info, &ve_genl_family, 0, VE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	err = nla_put_u32(msg, VE_A_FD, fd) ?: nla_put_u32(msg, VE_A_ID, id);
	if (!err && sock)
		err = nla_put_u32(msg, VE_A_SOCK_ID, sock_id);
	if (err) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* GET {VE_A_ID}: one VE; from inside a VE, only that VE. */
static int ve_nl_fill_one(struct sk_buff *msg, struct genl_info *info)
{
	u32 caller = ve_nl_caller(genl_info_net(info));
	struct ve *ve;
	int err;

	if (caller && caller != nla_get_u32(info->attrs[VE_A_ID])) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_ID]);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "only its own VE is visible from inside a VE");
		return -EPERM;
	}
	mutex_lock(&ve_mutex);
	ve = ve_nl_lookup(info);
	err = ve ? ve_nl_fill_ve(msg, ve, task_active_pid_ns(current),
				 info->snd_portid, info->snd_seq, 0, NULL) :
		   -ENOENT;
	mutex_unlock(&ve_mutex);
	return err;
}

int ve_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct sk_buff *msg;
	int err;

	if (!!tb[VE_A_ID] + !!tb[VE_A_PID] + !!tb[VE_A_FD] > 1) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "give at most one of id, pid, fd");
		return -EINVAL;
	}

	msg = genlmsg_new(VE_NL_REPLY_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	if (tb[VE_A_ID])
		err = ve_nl_fill_one(msg, info);
	else if (tb[VE_A_PID])
		err = ve_nl_fill_pid(msg, info);
	else if (tb[VE_A_FD])
		err = ve_nl_fill_fd(msg, info);
	else
		err = ve_nl_fill_module(msg, info);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Dump state, kept in cb->ctx across the recv()s of one dump. */
struct ve_dump_ctx {
	u32 caller;		/* 0: host, all VEs; else only this one */
	bool started;		/* the request was checked, caller set */
	unsigned long next;	/* lowest ID not yet sent */
};

/*
 * At the first round: refuse selectors, and note who asks. Not in a
 * start() callback: 6.1 gives start() no extack, and per-op policies
 * (which 6.1 needs) have no place for one.
 */
static int ve_nl_dump_begin(struct netlink_callback *cb, struct ve_dump_ctx *ctx)
{
	struct nlattr **attrs = ve_dumpit_attrs(cb);
	int i;

	for (i = 1; i <= VE_A_FD; i++) {
		if (attrs[i]) {
			NL_SET_BAD_ATTR(cb->extack, attrs[i]);
			NL_SET_ERR_MSG_MOD(cb->extack, "a dump takes no selector");
			return -EINVAL;
		}
	}
	ctx->caller = ve_nl_caller(sock_net(cb->skb->sk));
	ctx->started = true;
	return 0;
}

int ve_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ve_dump_ctx *ctx = (struct ve_dump_ctx *)cb->ctx;
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	struct ve *ve;
	int err = 0;

	NL_ASSERT_DUMP_CTX_FITS(struct ve_dump_ctx);
	if (!ctx->started) {
		err = ve_nl_dump_begin(cb, ctx);
		if (err)
			return err;
	}

	mutex_lock(&ve_mutex);
	cb->seq = ve_generation();
	while ((ve = ve_find_visible(&ctx->next, ctx->caller))) {
		err = ve_nl_fill_ve(skb, ve, pid_ns, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
		ctx->next = ve->id + 1UL;
	}
	mutex_unlock(&ve_mutex);

	/* A full skb ends this round; the next recv() resumes at ctx->next. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Send @msg on "events" to the host and to the VE's own netns. */
static void ve_nl_multicast(const struct ve *ve, struct sk_buff *msg)
{
	/* The host hears of every VE; a VE's own netns hears of itself. */
	if (ve->net && !net_eq(ve->net, &init_net)) {
		struct sk_buff *copy = skb_clone(msg, GFP_KERNEL);

		if (copy)
			genlmsg_multicast_netns(&ve_genl_family, ve->net, copy,
						0, VE_NLGRP_EVENTS, GFP_KERNEL);
	}
	genlmsg_multicast_netns(&ve_genl_family, &init_net, msg, 0,
				VE_NLGRP_EVENTS, GFP_KERNEL);
}

/* A notification @cmd about @ve with its VE_A_ID, or NULL. */
static struct sk_buff *ve_nl_ntf_new(const struct ve *ve, u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	lockdep_assert_held(&ve_mutex);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &ve_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, VE_A_ID, ve->id)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Send a notification whose filling went well (@err 0); else drop it. */
static void ve_nl_ntf_send(const struct ve *ve, struct sk_buff *msg, void *hdr,
			   int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	ve_nl_multicast(ve, msg);
}

void ve_nl_notify_state(const struct ve *ve, enum ve_state old)
{
	struct sk_buff *msg;
	void *hdr;

	msg = ve_nl_ntf_new(ve, VE_CMD_STATE_NTF, &hdr);
	if (!msg)
		return;
	ve_nl_ntf_send(ve, msg, hdr,
		       nla_put_u32(msg, VE_A_OLD_STATE, old) ||
		       nla_put_u32(msg, VE_A_STATE, ve->state) ||
		       (ve->state == VE_STATE_STOPPED && ve->has_exited &&
			nla_put_u32(msg, VE_A_EXIT_STATUS, ve->exit_status)));
}

void ve_nl_notify_limit(const struct ve *ve, unsigned int res)
{
	struct sk_buff *msg;
	void *hdr;

	msg = ve_nl_ntf_new(ve, VE_CMD_LIMIT_NTF, &hdr);
	if (msg)
		ve_nl_ntf_send(ve, msg, hdr, ve_nl_put_one_res(msg, ve, res));
}

static const struct genl_multicast_group ve_genl_mcgrps[] = {
	/* A VE's root may listen in its own netns: it hears only its VE. */
	[VE_NLGRP_EVENTS] = { .name = VE_MCGRP_EVENTS, .flags = GENL_UNS_ADMIN_PERM },
};

static struct genl_family ve_genl_family __ro_after_init = {
	.name		= VE_FAMILY_NAME,
	.version	= VE_FAMILY_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= ve_nl_ops,
	.n_ops		= ARRAY_SIZE(ve_nl_ops),
	.resv_start_op	= VE_CMD_MAX + 1,
	.pre_doit	= ve_nl_pre_doit,
	.post_doit	= ve_nl_post_doit,
	.mcgrps		= ve_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ve_genl_mcgrps),
};

int __init ve_genl_init(void)
{
	return genl_register_family(&ve_genl_family);
}

void ve_genl_uninit(void)
{
	genl_unregister_family(&ve_genl_family);
}
