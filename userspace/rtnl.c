// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink for vectl: the links, addresses, routes and proxy neighbour
 * entries of a VE's network, in the host's namespace or, through a
 * socket opened there, in the VE's. Every request is acked; a failure
 * returns -errno and keeps the kernel's message in r->msg. And one
 * nf_tables request over nfnetlink, with the same socket handling.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "nl.h"
#include "rtnl.h"

/* Make the socket in @netns_fd's namespace: a socket keeps its own. */
static int socket_in(struct rtnl *r, int proto, int netns_fd)
{
	int self = -1, err = 0;

	if (netns_fd >= 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0 || setns(netns_fd, CLONE_NEWNET)) {
			err = -errno;
			if (self >= 0)
				close(self);
			return err;
		}
	}
	r->sock = mnl_socket_open2(proto, SOCK_CLOEXEC);
	if (!r->sock)
		err = -errno;
	if (self >= 0) {
		/* Back home, or nothing vectl does next is where it thinks. */
		if (setns(self, CLONE_NEWNET))
			_exit(70);
		close(self);
	}
	return err;
}

static int open_proto(struct rtnl *r, int proto, int netns_fd)
{
	int err;

	memset(r, 0, sizeof(*r) - sizeof(r->buf));
	r->seq = (uint32_t)time(NULL);
	err = socket_in(r, proto, netns_fd);
	if (err)
		return err;
	if (mnl_socket_bind(r->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(r->sock);
		r->sock = NULL;
		return err;
	}
	r->portid = mnl_socket_get_portid(r->sock);
	return 0;
}

int rtnl_open(struct rtnl *r, int netns_fd)
{
	return open_proto(r, NETLINK_ROUTE, netns_fd);
}

int rtnl_open_nf(struct rtnl *r, int netns_fd)
{
	return open_proto(r, NETLINK_NETFILTER, netns_fd);
}

void rtnl_close(struct rtnl *r)
{
	if (r->sock)
		mnl_socket_close(r->sock);
	r->sock = NULL;
}

static struct nlmsghdr *rtnl_msg(struct rtnl *r, uint16_t type, uint16_t flags,
				 void **extra, size_t extra_len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	*extra = mnl_nlmsg_put_extra_header(nlh, extra_len);
	return nlh;
}

/* Send @nlh; feed replies to @cb (may be NULL) until the ack. */
static int rtnl_wait(struct rtnl *r, uint32_t seq, mnl_cb_t cb, void *data)
{
	char rbuf[8192];

	r->msg[0] = '\0';
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->sock, rbuf, sizeof(rbuf));
		const struct nlmsghdr *m = (const struct nlmsghdr *)rbuf;
		int len = (int)n;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			struct nl_err e;

			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
				memset(&e, 0, sizeof(e));
				nl_parse_error(m, &e);
				snprintf(r->msg, sizeof(r->msg), "%s", e.msg);
				return e.error;
			}
			if (cb && cb(m, data) < MNL_CB_OK)
				return -EIO;
		}
	}
}

static int rtnl_run(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	if (mnl_socket_sendto(r->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return rtnl_wait(r, nlh->nlmsg_seq, cb, data);
}

static size_t ip_len(const struct ve_ip *ip)
{
	return ip->family == AF_INET ? 4 : 16;
}

struct link_out {
	int ifindex;
	char *name;		/* IF_NAMESIZE bytes, or NULL */
	uint8_t *mac;		/* 6 bytes, or NULL */
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_out *out = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	out->ifindex = ifi->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		uint16_t len = mnl_attr_get_payload_len(a);

		if (out->mac && mnl_attr_get_type(a) == IFLA_ADDRESS && len == 6)
			memcpy(out->mac, mnl_attr_get_payload(a), 6);
		if (out->name && mnl_attr_get_type(a) == IFLA_IFNAME && len <= IF_NAMESIZE)
			snprintf(out->name, IF_NAMESIZE, "%.*s", (int)len,
				 (const char *)mnl_attr_get_payload(a));
	}
	return MNL_CB_OK;
}

static int get_link(struct rtnl *r, const char *name, struct link_out *out)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int err;

	nlh = rtnl_msg(r, RTM_GETLINK, 0, (void **)&ifi, sizeof(*ifi));
	ifi->ifi_index = out->ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	out->ifindex = 0;
	err = rtnl_run(r, nlh, link_cb, out);
	if (err == -ENODEV)
		return 0;
	return err ? err : out->ifindex;
}

int rtnl_ifindex(struct rtnl *r, const char *name)
{
	struct link_out out = { 0 };

	return get_link(r, name, &out);
}

int rtnl_link_info(struct rtnl *r, int ifindex, char *name, uint8_t *mac)
{
	struct link_out out = { .ifindex = ifindex, .name = name, .mac = mac };
	int ret = get_link(r, NULL, &out);

	return ret > 0 ? 0 : ret ? ret : -ENODEV;
}

struct defaults {
	int *ifindex;
	int n, max;
};

static void default_add(struct defaults *d, uint32_t ifindex)
{
	int i;

	for (i = 0; i < d->n && d->ifindex[i] != (int)ifindex; i++)
		;
	if (ifindex && i == d->n && d->n < d->max)
		d->ifindex[d->n++] = (int)ifindex;
}

static int default_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t table = rtm->rtm_table;
	struct defaults *d = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_dst_len ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
		if (mnl_attr_get_type(a) == RTA_TABLE &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			table = mnl_attr_get_u32(a);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		const struct rtnexthop *nh;
		int left;

		if (mnl_attr_get_type(a) == RTA_OIF &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			default_add(d, mnl_attr_get_u32(a));
		if (mnl_attr_get_type(a) != RTA_MULTIPATH)
			continue;
		/* Every device of a multipath route. */
		nh = mnl_attr_get_payload(a);
		left = mnl_attr_get_payload_len(a);
		for (; left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
		       nh->rtnh_len <= left;
		     left -= RTNH_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh))
			default_add(d, (uint32_t)nh->rtnh_ifindex);
	}
	return MNL_CB_OK;
}

int rtnl_default_devs(struct rtnl *r, int family, int *ifindex, int max)
{
	struct defaults d = { ifindex, 0, max };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int err;

	nlh = rtnl_msg(r, RTM_GETROUTE, NLM_F_DUMP, (void **)&rtm, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	err = rtnl_run(r, nlh, default_cb, &d);
	return err ? err : d.n;
}

int rtnl_veth_add(struct rtnl *r, const char *name, const uint8_t *mac,
		  const char *peer, const uint8_t *peer_mac, int peer_netns_fd)
{
	struct nlattr *linkinfo, *data, *peer_nest;
	struct ifinfomsg *ifi, *pifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (void **)&ifi,
		       sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	(void)pifi;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer_nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_link_add(struct rtnl *r, const char *name, const char *kind)
{
	struct nlattr *linkinfo;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (void **)&ifi, sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_vxlan_add(struct rtnl *r, const char *name, uint32_t vni, uint16_t port,
		   uint32_t mtu, const struct ve_ip *local)
{
	struct nlattr *linkinfo, *data;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (void **)&ifi, sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 1);
	if (local)
		mnl_attr_put(nlh, local->family == AF_INET ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6,
			     ip_len(local), local->a);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_fdb_flood(struct rtnl *r, int ifindex, const struct ve_ip *peer)
{
	static const uint8_t zero[6];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	nlh = rtnl_msg(r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, (void **)&ndm,
		       sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT | NUD_NOARP;
	ndm->ndm_flags = NTF_SELF;
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(zero), zero);
	mnl_attr_put(nlh, NDA_DST, ip_len(peer), peer->a);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_link_mtu(struct rtnl *r, int ifindex, uint32_t mtu)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, 0, (void **)&ifi, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_link_del(struct rtnl *r, int ifindex)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_DELLINK, 0, (void **)&ifi, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_link_up(struct rtnl *r, int ifindex)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, 0, (void **)&ifi, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_link_master(struct rtnl *r, int ifindex, int master)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, RTM_NEWLINK, 0, (void **)&ifi, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_addr(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip,
	      uint8_t scope)
{
	return rtnl_addr_len(r, add, ifindex, ip, ip->family == AF_INET ? 32 : 128, scope);
}

int rtnl_addr_len(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip,
		  uint8_t prefixlen, uint8_t scope)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, add ? RTM_NEWADDR : RTM_DELADDR,
		       add ? NLM_F_CREATE | NLM_F_REPLACE : 0, (void **)&ifa, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)ip->family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_scope = scope;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, ip_len(ip), ip->a);
	mnl_attr_put(nlh, IFA_ADDRESS, ip_len(ip), ip->a);
	if (add)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_route(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
	       int ifindex, const struct ve_ip *gw)
{
	return rtnl_route_metric(r, add, family, dst, ifindex, gw, 0);
}

int rtnl_rule_to(struct rtnl *r, bool add, const struct ve_ip *dst, uint32_t table,
		 uint32_t priority)
{
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh;

	nlh = rtnl_msg(r, add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0,
		       (void **)&frh, sizeof(*frh));
	frh->family = (uint8_t)dst->family;
	frh->dst_len = dst->family == AF_INET ? 32 : 128;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_UNSPEC;
	mnl_attr_put(nlh, FRA_DST, ip_len(dst), dst->a);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, priority);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_route_metric(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
		      int ifindex, const struct ve_ip *gw, uint32_t metric)
{
	return rtnl_route_in(r, add, family, dst, ifindex, gw, metric, RT_TABLE_MAIN);
}

int rtnl_route_in(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
		  int ifindex, const struct ve_ip *gw, uint32_t metric, uint32_t table)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	nlh = rtnl_msg(r, add ? RTM_NEWROUTE : RTM_DELROUTE,
		       add ? NLM_F_CREATE | NLM_F_REPLACE : 0, (void **)&rtm, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = dst ? (family == AF_INET ? 32 : 128) : 0;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = gw || family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst)
		mnl_attr_put(nlh, RTA_DST, ip_len(dst), dst->a);
	if (gw) {
		mnl_attr_put(nlh, RTA_GATEWAY, ip_len(gw), gw->a);
		rtm->rtm_flags |= RTNH_F_ONLINK;
	}
	if (table >= 256)
		mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return rtnl_run(r, nlh, NULL, NULL);
}

int rtnl_neigh_proxy(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	nlh = rtnl_msg(r, add ? RTM_NEWNEIGH : RTM_DELNEIGH,
		       add ? NLM_F_CREATE | NLM_F_REPLACE : 0, (void **)&ndm, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)ip->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	ndm->ndm_flags = NTF_PROXY;
	mnl_attr_put(nlh, NDA_DST, ip_len(ip), ip->a);
	return rtnl_run(r, nlh, NULL, NULL);
}

/* An nfnetlink header of subsystem nf_tables: @type, @family. */
static struct nlmsghdr *nft_msg(char *buf, uint16_t type, uint16_t flags, uint32_t seq,
				uint8_t family, uint16_t res_id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(res_id);
	return nlh;
}

int rtnl_nft_table_del(struct rtnl *r, uint8_t family, const char *name)
{
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(r->buf, sizeof(r->buf));
	struct nlmsghdr *del;

	/* nf_tables changes only in a batch: begin, the change, end. */
	nft_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_BEGIN, 0, ++r->seq, AF_UNSPEC,
		NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);
	del = nft_msg(mnl_nlmsg_batch_current(b), (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE,
		      NLM_F_ACK, ++r->seq, family, 0);
	mnl_attr_put_strz(del, NFTA_TABLE_NAME, name);
	mnl_nlmsg_batch_next(b);
	nft_msg(mnl_nlmsg_batch_current(b), NFNL_MSG_BATCH_END, 0, ++r->seq, AF_UNSPEC,
		NFNL_SUBSYS_NFTABLES);
	mnl_nlmsg_batch_next(b);
	if (mnl_socket_sendto(r->sock, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		mnl_nlmsg_batch_stop(b);
		return -errno;
	}
	mnl_nlmsg_batch_stop(b);
	return rtnl_wait(r, del->nlmsg_seq, NULL, NULL);
}
