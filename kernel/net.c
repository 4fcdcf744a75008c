// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's network: the addresses it may use, the host-side devices it is
 * reached through, and the filter on those devices.
 *
 * vectl builds the plumbing (a veth pair per VE interface, routes, proxy
 * neighbours, bridges) from the host side. What must hold against root
 * inside the VE is kept here:
 * - an address belongs to at most one VE on the node (checked when a
 *   list is set, against every registered VE);
 * - nothing leaves through a VE's device with a source that is not the
 *   VE's: a netdev ingress hook on the host end of each device, which is
 *   the first place the host sees what the VE sends, drops it (and, on a
 *   bridged device, any frame or ARP sender with a MAC other than the
 *   VE's). What the VE does to its own end of the pair, its addresses,
 *   raw sockets, devices it creates inside, changes nothing here;
 * - the traffic is counted: the ingress hook counts what the VE sends, an
 *   egress hook on the same device what it is sent.
 *
 * Locking:
 * - A VE's address list is replaced under ve_mutex and read by the hooks
 *   under RCU (they run in the receive and transmit paths, which are RCU
 *   read sections).
 * - Attached devices (struct ve_netif) are on ve_netifs and on their VE's
 *   list; both change under RTNL only. Attach and the detach of a
 *   stopping VE hold ve_mutex, then RTNL (ve_mutex -> RTNL, never the
 *   other way: the netdevice notifier, under RTNL, detaches a device that
 *   goes away without ve_mutex). GET reads a VE's list under RCU.
 * - A detached device's hooks may still be running on another CPU with
 *   its ve_netif as their data: it is freed after an RCU grace period.
 *   The VE it points to outlives it: a VE is only freed once it is
 *   stopped (every device detached) and another grace period has passed.
 * - The counters are per CPU, written by the hooks with bottom halves
 *   off, read with u64_stats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/u64_stats_sync.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include <uapi/linux/ve.h>

#include "compat.h"
#include "net.h"
#include "netlink-gen.h"
#include "registry.h"

/* The VE's addresses; IPv4 ones are stored v4-mapped. */
struct ve_addrs {
	struct rcu_head		rcu;
	unsigned int		n;
	struct in6_addr		a[];
};

/* A host-side device the VE is reached through, with its hooks. */
struct ve_netif {
	struct list_head	node;		/* ve_netifs, RTNL */
	struct list_head	ve_node;	/* ve->netifs, RTNL; RCU readers */
	struct ve		*ve;
	struct net_device	*dev;		/* registered while attached */
	int			ifindex;
	bool			bridged;
	bool			fresh;		/* attached by the running SET */
	u8			mac[ETH_ALEN];
	struct nf_hook_ops	ops[2];		/* ingress (from the VE), egress */
	struct rcu_head		rcu;
};

struct ve_net_stats {
	u64_stats_t		in_packets;
	u64_stats_t		in_bytes;
	u64_stats_t		out_packets;
	u64_stats_t		out_bytes;
	u64_stats_t		dropped;
	struct u64_stats_sync	syncp;
};

static LIST_HEAD(ve_netifs);
static unsigned int ve_netif_total;	/* RTNL; read without it */

/* ---- addresses ---- */

static bool ve_addrs_has(const struct ve_addrs *addrs, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; addrs && i < addrs->n; i++)
		if (ipv6_addr_equal(&addrs->a[i], a))
			return true;
	return false;
}

static bool ve_addrs_has4(const struct ve_addrs *addrs, __be32 a)
{
	struct in6_addr mapped;

	ipv6_addr_set_v4mapped(a, &mapped);
	return ve_addrs_has(addrs, &mapped);
}

static struct ve_addrs *ve_addrs_of(struct ve *ve)
{
	return rcu_dereference_protected(ve->addrs, lockdep_is_held(&ve_mutex));
}

/* An address a VE may own: unicast, and reachable beyond a link. */
static bool ve_addr_ok(const struct nlattr *attr, struct in6_addr *a)
{
	if (nla_type(attr) == VE_A_ADDR_IPV4) {
		__be32 v4 = nla_get_in_addr(attr);

		ipv6_addr_set_v4mapped(v4, a);
		return !ipv4_is_zeronet(v4) && !ipv4_is_loopback(v4) &&
		       !ipv4_is_multicast(v4) && !ipv4_is_lbcast(v4);
	}
	*a = nla_get_in6_addr(attr);
	return !(ipv6_addr_type(a) & (IPV6_ADDR_ANY | IPV6_ADDR_MULTICAST |
				      IPV6_ADDR_LOOPBACK | IPV6_ADDR_LINKLOCAL |
				      IPV6_ADDR_MAPPED));
}

/* The registered VE other than @self that owns @a, if any. */
static struct ve *ve_addr_owner(const struct ve *self, const struct in6_addr *a)
{
	unsigned long id = 0;
	struct ve *ve;

	while ((ve = ve_find_from(&id))) {
		if (ve != self && ve_addrs_has(ve_addrs_of(ve), a))
			return ve;
		id = ve->id + 1UL;
	}
	return NULL;
}

int ve_net_parse_addrs(struct ve *ve, const struct nlattr *nest,
		       struct ve_addrs **out, struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	struct ve_addrs *addrs;
	struct ve *owner;
	unsigned int n = 0;
	int rem;

	lockdep_assert_held(&ve_mutex);
	*out = NULL;
	if (!nest)
		return 0;
	nla_for_each_nested(attr, nest, rem)
		n++;
	if (n > VE_ADDR_MAX) {
		NL_SET_BAD_ATTR(extack, nest);
		NL_SET_ERR_MSG_MOD(extack, "more addrs than addr-max (64)");
		return -E2BIG;
	}
	addrs = kzalloc(struct_size(addrs, a, n), GFP_KERNEL_ACCOUNT);
	if (!addrs)
		return -ENOMEM;

	nla_for_each_nested(attr, nest, rem) {
		struct in6_addr *a = &addrs->a[addrs->n];

		if (!ve_addr_ok(attr, a)) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_MOD(extack,
					   "addrs: not a unicast address a VE may own");
			goto err_inval;
		}
		if (ve_addrs_has(addrs, a)) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_MOD(extack, "addrs: address given twice");
			goto err_inval;
		}
		owner = ve_addr_owner(ve, a);
		if (owner) {
			NL_SET_BAD_ATTR(extack, attr);
			if (ipv6_addr_v4mapped(a))
				VE_SET_ERR_MSG_FMT(extack, "addrs: address belongs to another VE",
						   "addrs: %pI4 belongs to VE %u",
						   &a->s6_addr32[3], owner->id);
			else
				VE_SET_ERR_MSG_FMT(extack, "addrs: address belongs to another VE",
						   "addrs: %pI6c belongs to VE %u",
						   a, owner->id);
			kfree(addrs);
			return -EADDRINUSE;
		}
		addrs->n++;
	}
	*out = addrs;
	return 0;

err_inval:
	kfree(addrs);
	return -EINVAL;
}

void ve_net_commit_addrs(struct ve *ve, struct ve_addrs *addrs)
{
	struct ve_addrs *old;

	lockdep_assert_held(&ve_mutex);
	if (addrs && !addrs->n) {
		kfree(addrs);
		addrs = NULL;
	}
	old = rcu_replace_pointer(ve->addrs, addrs, lockdep_is_held(&ve_mutex));
	if (old)
		kfree_rcu(old, rcu);
}

void ve_net_discard_addrs(struct ve_addrs *addrs)
{
	kfree(addrs);
}

/* ---- the filter ---- */

static unsigned int ve_net_segs(const struct sk_buff *skb)
{
	return skb_is_gso(skb) ? max_t(unsigned int, skb_shinfo(skb)->gso_segs, 1) : 1;
}

static bool ve_net_ip4_ok(const struct ve_netif *nif,
			  const struct ve_addrs *addrs, struct sk_buff *skb)
{
	const struct iphdr *iph;
	const struct udphdr *uh;
	struct udphdr _uh;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4)
		return false;
	if (ve_addrs_has4(addrs, iph->saddr))
		return true;
	/* A DHCP client on a bridge asks before it has an address. */
	if (!nif->bridged || iph->saddr || iph->protocol != IPPROTO_UDP)
		return false;
	uh = skb_header_pointer(skb, iph->ihl * 4, sizeof(_uh), &_uh);
	return uh && uh->dest == htons(67);
}

static bool ve_net_ip6_ok(const struct ve_addrs *addrs, struct sk_buff *skb)
{
	const struct icmp6hdr *icmp6;
	const struct ipv6hdr *ip6h;
	const struct nd_msg *nd;
	struct icmp6hdr _icmp6;
	struct ipv6hdr _ip6h;
	struct nd_msg _nd;
	__be16 frag_off;
	bool any;
	int off;
	u8 nexthdr;

	ip6h = skb_header_pointer(skb, 0, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return false;
	/* Link-local sources never leave the link; :: is checked below. */
	any = ipv6_addr_any(&ip6h->saddr);
	if (!any && !(ipv6_addr_type(&ip6h->saddr) & IPV6_ADDR_LINKLOCAL) &&
	    !ve_addrs_has(addrs, &ip6h->saddr))
		return false;

	nexthdr = ip6h->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(_ip6h), &nexthdr, &frag_off);
	if (off < 0)
		return false;
	if (nexthdr != IPPROTO_ICMPV6 || frag_off)
		return !any;	/* :: only for DAD and MLD */

	/* A neighbour advertisement claims its target: it must be ours. */
	icmp6 = skb_header_pointer(skb, off, sizeof(_icmp6), &_icmp6);
	if (!icmp6)
		return false;
	if (icmp6->icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT)
		return true;
	nd = skb_header_pointer(skb, off, sizeof(_nd), &_nd);
	return nd && (ipv6_addr_type(&nd->target) & IPV6_ADDR_LINKLOCAL ||
		      ve_addrs_has(addrs, &nd->target));
}

/* An Ethernet/IPv4 ARP packet. */
struct ve_arp {
	struct arphdr	h;
	u8		sha[ETH_ALEN];
	__be32		sip;
	u8		tha[ETH_ALEN];
	__be32		tip;
} __packed;

static bool ve_net_arp_ok(const struct ve_netif *nif,
			  const struct ve_addrs *addrs, struct sk_buff *skb)
{
	const struct ve_arp *arp;
	struct ve_arp _arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp || arp->h.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->h.ar_pro != htons(ETH_P_IP) || arp->h.ar_hln != ETH_ALEN ||
	    arp->h.ar_pln != 4)
		return false;
	if (nif->bridged && !ether_addr_equal_unaligned(arp->sha, nif->mac))
		return false;
	/* 0.0.0.0: a probe (RFC 5227) that claims nothing. */
	return !arp->sip || ve_addrs_has4(addrs, arp->sip);
}

/* May the VE send @skb? At the host end's ingress: skb->data is L3. */
static bool ve_net_may_send(const struct ve_netif *nif, struct sk_buff *skb)
{
	const struct ve_addrs *addrs = rcu_dereference(nif->ve->addrs);

	if (skb_vlan_tag_present(skb) || !skb_mac_header_was_set(skb))
		return false;
	if (nif->bridged && !ether_addr_equal(eth_hdr(skb)->h_source, nif->mac))
		return false;
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return ve_net_ip4_ok(nif, addrs, skb);
	case htons(ETH_P_IPV6):
		return ve_net_ip6_ok(addrs, skb);
	case htons(ETH_P_ARP):
		return ve_net_arp_ok(nif, addrs, skb);
	default:
		return false;
	}
}

static unsigned int ve_net_from_ve(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct ve_netif *nif = priv;
	struct ve_net_stats *st = this_cpu_ptr(nif->ve->net_stats);
	bool ok = ve_net_may_send(nif, skb);

	u64_stats_update_begin(&st->syncp);
	if (ok) {
		u64_stats_add(&st->out_packets, ve_net_segs(skb));
		u64_stats_add(&st->out_bytes, skb->len);
	} else {
		u64_stats_inc(&st->dropped);
	}
	u64_stats_update_end(&st->syncp);
	return ok ? NF_ACCEPT : NF_DROP;
}

/* At the host end's egress skb->data is L2: count from the network header. */
static unsigned int ve_net_to_ve(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct ve_netif *nif = priv;
	struct ve_net_stats *st = this_cpu_ptr(nif->ve->net_stats);
	int off = skb_network_offset(skb);

	u64_stats_update_begin(&st->syncp);
	u64_stats_add(&st->in_packets, ve_net_segs(skb));
	u64_stats_add(&st->in_bytes, off >= 0 && off < skb->len ? skb->len - off : skb->len);
	u64_stats_update_end(&st->syncp);
	return NF_ACCEPT;
}

/* ---- devices ---- */

static struct ve_netif *ve_netif_of(const struct net_device *dev)
{
	struct ve_netif *nif;

	ASSERT_RTNL();
	list_for_each_entry(nif, &ve_netifs, node)
		if (nif->dev == dev)
			return nif;
	return NULL;
}

/* Is @dev the host end of a veth pair whose other end is in @ve? */
static bool ve_netif_leads_to(struct net_device *dev, const struct ve *ve)
{
	const struct rtnl_link_ops *ops = dev->rtnl_link_ops;

	return ops && !strcmp(ops->kind, "veth") && ops->get_link_net &&
	       net_eq(ops->get_link_net(dev), ve->net);
}

static void ve_netif_detach(struct ve_netif *nif)
{
	ASSERT_RTNL();
	nf_unregister_net_hooks(dev_net(nif->dev), nif->ops, ARRAY_SIZE(nif->ops));
	list_del(&nif->node);
	list_del_rcu(&nif->ve_node);
	nif->ve->nr_netifs--;
	WRITE_ONCE(ve_netif_total, ve_netif_total - 1);
	kfree_rcu(nif, rcu);
}

static int ve_netif_attach(struct ve *ve, struct net *net,
			   const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VE_A_NETIF_MAX + 1];
	struct net_device *dev;
	struct ve_netif *nif;
	unsigned int i;
	int err;

	ASSERT_RTNL();
	err = nla_parse_nested(tb, VE_A_NETIF_MAX, attr, ve_netif_nl_policy, extack);
	if (err)
		return err;
	if (!tb[VE_A_NETIF_IFINDEX]) {
		NL_SET_ERR_ATTR_MISS(extack, attr, VE_A_NETIF_IFINDEX);
		NL_SET_ERR_MSG_MOD(extack, "netif without netif.ifindex");
		return -EINVAL;
	}
	if (tb[VE_A_NETIF_BRIDGED] && !tb[VE_A_NETIF_MAC]) {
		NL_SET_ERR_ATTR_MISS(extack, attr, VE_A_NETIF_MAC);
		NL_SET_ERR_MSG_MOD(extack, "netif.bridged without netif.mac");
		return -EINVAL;
	}
	if (tb[VE_A_NETIF_MAC] && !is_valid_ether_addr(nla_data(tb[VE_A_NETIF_MAC]))) {
		NL_SET_BAD_ATTR(extack, tb[VE_A_NETIF_MAC]);
		NL_SET_ERR_MSG_MOD(extack, "netif.mac is not a unicast MAC address");
		return -EINVAL;
	}
	dev = __dev_get_by_index(net, nla_get_u32(tb[VE_A_NETIF_IFINDEX]));
	if (!dev) {
		NL_SET_BAD_ATTR(extack, tb[VE_A_NETIF_IFINDEX]);
		NL_SET_ERR_MSG_MOD(extack, "no device with this netif.ifindex");
		return -ENODEV;
	}
	nif = ve_netif_of(dev);
	if (nif) {
		NL_SET_BAD_ATTR(extack, tb[VE_A_NETIF_IFINDEX]);
		VE_SET_ERR_MSG_FMT(extack, "netif.ifindex: the device is attached already",
				   "netif.ifindex: %s is attached to VE %u already",
				   dev->name, nif->ve->id);
		return -EBUSY;
	}
	if (!ve_netif_leads_to(dev, ve)) {
		NL_SET_BAD_ATTR(extack, tb[VE_A_NETIF_IFINDEX]);
		NL_SET_ERR_MSG_MOD(extack,
				   "netif.ifindex is not a veth whose peer is in the VE");
		return -EINVAL;
	}
	if (ve->nr_netifs >= VE_NETIF_MAX) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_MOD(extack, "the VE has netif-max (16) devices attached");
		return -ENOSPC;
	}

	nif = kzalloc(sizeof(*nif), GFP_KERNEL_ACCOUNT);
	if (!nif)
		return -ENOMEM;
	nif->ve = ve;
	nif->dev = dev;
	nif->ifindex = dev->ifindex;
	nif->bridged = nla_get_flag(tb[VE_A_NETIF_BRIDGED]);
	nif->fresh = true;
	if (tb[VE_A_NETIF_MAC])
		ether_addr_copy(nif->mac, nla_data(tb[VE_A_NETIF_MAC]));
	for (i = 0; i < ARRAY_SIZE(nif->ops); i++) {
		nif->ops[i].pf = NFPROTO_NETDEV;
		nif->ops[i].dev = dev;
		nif->ops[i].priv = nif;
		/* First: nothing else on the host sees a spoofed packet. */
		nif->ops[i].priority = INT_MIN;
	}
	nif->ops[0].hook = ve_net_from_ve;
	nif->ops[0].hooknum = NF_NETDEV_INGRESS;
	nif->ops[1].hook = ve_net_to_ve;
	nif->ops[1].hooknum = NF_NETDEV_EGRESS;
	err = nf_register_net_hooks(dev_net(dev), nif->ops, ARRAY_SIZE(nif->ops));
	if (err) {
		kfree(nif);
		NL_SET_ERR_MSG_MOD(extack, "cannot hook the netif device");
		return err;
	}
	list_add(&nif->node, &ve_netifs);
	list_add_tail_rcu(&nif->ve_node, &ve->netifs);
	ve->nr_netifs++;
	WRITE_ONCE(ve_netif_total, ve_netif_total + 1);
	return 0;
}

int ve_net_attach(struct ve *ve, struct genl_info *info)
{
	struct ve_netif *nif, *tmp;
	const struct nlattr *attr;
	int rem, err = 0;

	lockdep_assert_held(&ve_mutex);
	if (!info->attrs[VE_A_NETIF])
		return 0;
	if (ve->state != VE_STATE_RUNNING) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_NETIF]);
		NL_SET_ERR_MSG_MOD(info->extack, "netif: the VE is not running");
		return -ESRCH;
	}
	rtnl_lock();
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != VE_A_NETIF)
			continue;
		err = ve_netif_attach(ve, genl_info_net(info), attr, info->extack);
		if (err)
			break;
	}
	/* All or nothing: a failure detaches what this request attached. */
	list_for_each_entry_safe(nif, tmp, &ve->netifs, ve_node) {
		if (err && nif->fresh)
			ve_netif_detach(nif);
		else
			nif->fresh = false;
	}
	rtnl_unlock();
	return err;
}

void ve_net_detach_all(struct ve *ve)
{
	struct ve_netif *nif, *tmp;

	lockdep_assert_held(&ve_mutex);
	rtnl_lock();
	list_for_each_entry_safe(nif, tmp, &ve->netifs, ve_node)
		ve_netif_detach(nif);
	rtnl_unlock();
}

static int ve_net_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct ve_netif *nif;

	/* Sent on deletion and on a move to another namespace. */
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	nif = ve_netif_of(netdev_notifier_info_to_dev(ptr));
	if (nif)
		ve_netif_detach(nif);
	return NOTIFY_DONE;
}

static struct notifier_block ve_net_notifier = {
	.notifier_call = ve_net_event,
};

/* ---- reports ---- */

unsigned int ve_net_netif_count(void)
{
	return READ_ONCE(ve_netif_total);
}

void ve_net_read(struct ve *ve, struct ve_net_totals *t)
{
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct ve_net_stats *st = per_cpu_ptr(ve->net_stats, cpu);
		struct ve_net_totals c;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			c.in_packets = u64_stats_read(&st->in_packets);
			c.in_bytes = u64_stats_read(&st->in_bytes);
			c.out_packets = u64_stats_read(&st->out_packets);
			c.out_bytes = u64_stats_read(&st->out_bytes);
			c.dropped = u64_stats_read(&st->dropped);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		t->in_packets += c.in_packets;
		t->in_bytes += c.in_bytes;
		t->out_packets += c.out_packets;
		t->out_bytes += c.out_bytes;
		t->dropped += c.dropped;
	}
}

static int ve_net_put_addrs(struct sk_buff *skb, const struct ve_addrs *addrs)
{
	struct nlattr *nest;
	unsigned int i;
	int err;

	if (!addrs)
		return 0;
	nest = nla_nest_start(skb, VE_A_ADDRS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < addrs->n; i++) {
		const struct in6_addr *a = &addrs->a[i];

		if (ipv6_addr_v4mapped(a))
			err = nla_put_in_addr(skb, VE_A_ADDR_IPV4, a->s6_addr32[3]);
		else
			err = nla_put_in6_addr(skb, VE_A_ADDR_IPV6, a);
		if (err)
			return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ve_net_put_netifs(struct sk_buff *skb, struct ve *ve)
{
	struct ve_netif *nif;
	struct nlattr *nest;
	int err = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(nif, &ve->netifs, ve_node) {
		nest = nla_nest_start(skb, VE_A_NETIF);
		if (!nest ||
		    nla_put_u32(skb, VE_A_NETIF_IFINDEX, nif->ifindex) ||
		    (!is_zero_ether_addr(nif->mac) &&
		     nla_put(skb, VE_A_NETIF_MAC, ETH_ALEN, nif->mac)) ||
		    (nif->bridged && nla_put_flag(skb, VE_A_NETIF_BRIDGED))) {
			err = -EMSGSIZE;
			break;
		}
		nla_nest_end(skb, nest);
	}
	rcu_read_unlock();
	return err;
}

static int ve_net_put_stats(struct sk_buff *skb, struct ve *ve)
{
	struct ve_net_totals t;
	struct nlattr *nest;

	ve_net_read(ve, &t);
	nest = nla_nest_start(skb, VE_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, VE_A_STATS_IN_PACKETS, t.in_packets, VE_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_STATS_IN_BYTES, t.in_bytes, VE_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_STATS_OUT_PACKETS, t.out_packets, VE_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_STATS_OUT_BYTES, t.out_bytes, VE_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, VE_A_STATS_DROPPED, t.dropped, VE_A_STATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int ve_net_fill(struct sk_buff *skb, struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	if (ve_net_put_addrs(skb, ve_addrs_of(ve)) ||
	    ve_net_put_netifs(skb, ve) || ve_net_put_stats(skb, ve))
		return -EMSGSIZE;
	return 0;
}

void ve_net_show_addrs(struct seq_file *m, struct ve *ve)
{
	const struct ve_addrs *addrs = ve_addrs_of(ve);
	unsigned int i;

	for (i = 0; addrs && i < addrs->n; i++) {
		if (ipv6_addr_v4mapped(&addrs->a[i]))
			seq_printf(m, " %15pI4", &addrs->a[i].s6_addr32[3]);
		else
			seq_printf(m, " %pI6c", &addrs->a[i]);
	}
}

/* ---- setup ---- */

int ve_net_setup(struct ve *ve)
{
	int cpu;

	INIT_LIST_HEAD(&ve->netifs);
	ve->net_stats = alloc_percpu_gfp(struct ve_net_stats, GFP_KERNEL_ACCOUNT);
	if (!ve->net_stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(ve->net_stats, cpu)->syncp);
	return 0;
}

/* The VE is unreachable and a grace period has passed: RCU callback. */
void ve_net_free(struct ve *ve)
{
	kfree(rcu_dereference_protected(ve->addrs, true));
	free_percpu(ve->net_stats);
}

int __init ve_net_init(void)
{
	return register_netdevice_notifier(&ve_net_notifier);
}

void ve_net_uninit(void)
{
	/* Every VE is stopped, so every device is detached already. */
	rtnl_lock();
	WARN_ON(!list_empty(&ve_netifs));
	rtnl_unlock();
	unregister_netdevice_notifier(&ve_net_notifier);
}
