// SPDX-License-Identifier: GPL-2.0
/*
 * vectl's netlink helper. Plain mnl_cb_run() drops the kernel's extack
 * message; this runs mnl_cb_run2() with its own control callbacks so that
 * the user sees the kernel's words. A dump that raced with a change
 * (NLM_F_DUMP_INTR) is reported as EINTR and its tail drained, never
 * silently mixed into the next request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "common/ve_names.h"
#include "linux/ve.h"
#include "nl.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Attributes are named as the spec names them: "id", "res.limit". */
static const char *const ve_attr_names[VE_A_MAX + 1] = VE_ATTR_NAMES;
static const char *const ve_res_attr_names[VE_A_RES_MAX + 1] = VE_RES_ATTR_NAMES;
static const char *const ve_addr_attr_names[VE_A_ADDR_MAX + 1] = VE_ADDR_ATTR_NAMES;
static const char *const ve_netif_attr_names[VE_A_NETIF_MAX + 1] = VE_NETIF_ATTR_NAMES;

/* The nested sets of top-level attributes, by the attribute's type. */
static const struct {
	const char *const *names;
	unsigned int n;
} nested_sets[VE_A_MAX + 1] = {
	[VE_A_RES]	= { ve_res_attr_names, ARRAY_SIZE(ve_res_attr_names) },
	[VE_A_ADDRS]	= { ve_addr_attr_names, ARRAY_SIZE(ve_addr_attr_names) },
	[VE_A_NETIF]	= { ve_netif_attr_names, ARRAY_SIZE(ve_netif_attr_names) },
};

const char *ve_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(ve_attr_names) ? ve_attr_names[type] : NULL;
}

/*
 * Find the attribute starting at @off among those in [@start, @end), of
 * the nested set of top-level attribute @outer (0: the top level).
 */
static const char *attr_name_in(const char *base, const char *start,
				const char *end, uint32_t off, unsigned int outer)
{
	const struct nlattr *attr;

	for (const char *p = start; p + sizeof(*attr) <= end;
	     p += MNL_ALIGN(attr->nla_len)) {
		uint32_t at = (uint32_t)(p - base);
		unsigned int type;

		attr = (const struct nlattr *)p;
		if (attr->nla_len < sizeof(*attr) || p + attr->nla_len > end)
			return NULL;
		type = attr->nla_type & NLA_TYPE_MASK;
		if (at == off) {
			if (!outer)
				return ve_attr_name(type);
			return type < nested_sets[outer].n ? nested_sets[outer].names[type] : NULL;
		}
		if (!outer && type < ARRAY_SIZE(nested_sets) && nested_sets[type].names &&
		    off > at && off < at + attr->nla_len)
			return attr_name_in(base, p + sizeof(*attr),
					    p + attr->nla_len, off, type);
	}
	return NULL;
}

const char *ve_attr_name_at(const struct nlmsghdr *req, uint32_t off)
{
	const char *base = (const char *)req;
	const char *start = base + NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));

	if (!req || req->nlmsg_len < (uint32_t)(start - base))
		return NULL;
	return attr_name_in(base, start, base + req->nlmsg_len, off, 0);
}

static void parse_ext_ack(const struct nlattr *tlvs, const char *end,
			  struct nl_err *err)
{
	const struct nlattr *attr;

	for (const char *p = (const char *)tlvs; p + sizeof(*attr) <= end;
	     p += MNL_ALIGN(attr->nla_len)) {
		attr = (const struct nlattr *)p;
		if (attr->nla_len < sizeof(*attr) || p + attr->nla_len > end)
			return;
		switch (attr->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(err->msg, sizeof(err->msg), "%.*s",
				 (int)(attr->nla_len - sizeof(*attr)),
				 (const char *)mnl_attr_get_payload(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_get_payload_len(attr) == sizeof(uint32_t)) {
				err->has_off = true;
				err->off = mnl_attr_get_u32(attr);
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_get_payload_len(attr) == sizeof(uint32_t)) {
				err->has_miss = true;
				err->miss_type = mnl_attr_get_u32(attr);
			}
			break;
		}
	}
}

int nl_parse_error(const struct nlmsghdr *nlh, struct nl_err *err)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *tlvs;

	memset(err, 0, sizeof(*err));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return -EBADMSG;
		err->error = e->error;
		tlvs = (const char *)e + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlvs += MNL_ALIGN(e->msg.nlmsg_len) - sizeof(e->msg);
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		const int *e = mnl_nlmsg_get_payload(nlh);

		/* An empty NLMSG_DONE is a dump that ended well. */
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return 0;
		err->error = *e;
		tlvs = (const char *)e + sizeof(*e);
	} else {
		return -EINVAL;
	}

	if (err->error > 0)	/* the kernel sends -errno; be strict */
		err->error = -err->error;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlvs < end)
		parse_ext_ack((const struct nlattr *)tlvs, end, err);
	return 0;
}

void nl_describe_error(const struct nl_err *err, const struct nlmsghdr *req,
		       char *buf, size_t len)
{
	const char *what = err->msg[0] ? err->msg : strerror(-err->error);
	const char *name = NULL;

	/*
	 * Commands that change VEs are admin-perm in the spec: the genetlink
	 * core refuses a caller without CAP_NET_ADMIN before ve sees the
	 * request, and says nothing.
	 */
	if (!err->msg[0] && err->error == -EPERM)
		what = "not permitted: changing VEs needs CAP_NET_ADMIN and "
		       "CAP_SYS_ADMIN on the host, outside any VE";

	if (err->has_off)
		name = ve_attr_name_at(req, err->off);
	if (name) {
		snprintf(buf, len, "%s (attribute %s)", what, name);
	} else if (err->has_miss) {
		name = ve_attr_name(err->miss_type);
		if (name)
			snprintf(buf, len, "%s (attribute %s)", what, name);
		else
			snprintf(buf, len, "%s (attribute %u)", what, err->miss_type);
	} else {
		snprintf(buf, len, "%s", what);
	}
}

const char *ve_nl_strerror(struct ve_nl *nl, int err)
{
	if (err && nl->err.error == err)
		nl_describe_error(&nl->err, nl->req, nl->errbuf, sizeof(nl->errbuf));
	else
		snprintf(nl->errbuf, sizeof(nl->errbuf), "%s", strerror(-err));
	return nl->errbuf;
}

struct run_ctx {
	struct ve_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int run_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* NLMSG_ERROR (the ack) and NLMSG_DONE both end a request. */
static int run_end_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run_ctx *ctx = data;

	if (nl_parse_error(nlh, &ctx->nl->err))
		ctx->nl->err.error = -EBADMSG;
	return MNL_CB_STOP;
}

static int run_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* Does this buffer hold the end (NLMSG_DONE or an error) of request @seq? */
static bool holds_end(const void *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq && (nlh->nlmsg_type == NLMSG_DONE ||
					      nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

/*
 * libmnl stops at the first NLM_F_DUMP_INTR message. Read and drop the rest
 * of that dump, so that the next request does not see its tail.
 */
static void drain_dump(struct ve_nl *nl, ssize_t n, uint32_t seq)
{
	while (n > 0 && !holds_end(nl->buf, n, seq))
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
}

int ve_nl_run(struct ve_nl *nl, mnl_cb_t cb, void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP]	= run_noop_cb,
		[NLMSG_ERROR]	= run_end_cb,
		[NLMSG_DONE]	= run_end_cb,
		[NLMSG_OVERRUN]	= run_noop_cb,
	};
	struct run_ctx ctx = { .nl = nl, .cb = cb, .data = data };
	struct nlmsghdr *req = nl->req;
	ssize_t n;
	int ret;

	memset(&nl->err, 0, sizeof(nl->err));
	req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;

	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, (size_t)n, req->nlmsg_seq, nl->portid,
				  run_data_cb, &ctx, ctl, ARRAY_SIZE(ctl));
	} while (ret > MNL_CB_STOP);

	if (ret < 0 && errno == EINTR) {
		drain_dump(nl, n, req->nlmsg_seq);
		return -EINTR;
	}
	if (ret < 0 && !nl->err.error)
		nl->err.error = errno ? -errno : -EIO;
	return nl->err.error;
}

static struct nlmsghdr *nl_msg(struct ve_nl *nl, uint16_t type, uint8_t cmd,
			       uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->reqbuf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	nl->req = nlh;
	return nlh;
}

struct nlmsghdr *ve_nl_msg(struct ve_nl *nl, uint8_t cmd, uint16_t flags)
{
	return nl_msg(nl, nl->family, cmd, VE_FAMILY_VERSION, flags);
}

static int family_grp_cb(const struct nlattr *attr, void *data)
{
	struct ve_nl *nl = data;
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, VE_MCGRP_EVENTS))
		nl->events_grp = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct ve_nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			nl->family = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_parse_nested(attr, family_grp_cb, nl);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
}

int ve_nl_open(struct ve_nl *nl)
{
	int one = 1;
	int ret;

	nl->family = 0;
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	/* Best effort: old kernels lack them, and nothing breaks without. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);

	nl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nl->req, CTRL_ATTR_FAMILY_NAME, VE_FAMILY_NAME);
	ret = ve_nl_run(nl, family_cb, nl);
	if (ret)
		goto err;
	if (!nl->family) {
		ret = -ENOENT;
		goto err;
	}
	return 0;
err:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return ret;
}

void ve_nl_close(struct ve_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}
