/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_NET_H
#define _VE_NET_H

#include <linux/types.h>

struct genl_info;
struct netlink_ext_ack;
struct nlattr;
struct seq_file;
struct sk_buff;
struct ve;
struct ve_addrs;

/* Traffic through a VE's devices since it was registered. */
struct ve_net_totals {
	u64 in_packets, in_bytes, out_packets, out_bytes, dropped;
};

int ve_net_init(void);
void ve_net_uninit(void);

/* A new VE's counters; freed by ve_net_free() with the VE. */
int ve_net_setup(struct ve *ve);
void ve_net_free(struct ve *ve);

/*
 * NEW and SET, under ve_mutex: check the addrs nest @nest and build the
 * list it gives (*@out), without changing anything; then commit it.
 */
int ve_net_parse_addrs(struct ve *ve, const struct nlattr *nest,
		       struct ve_addrs **out, struct netlink_ext_ack *extack);
void ve_net_commit_addrs(struct ve *ve, struct ve_addrs *addrs);
void ve_net_discard_addrs(struct ve_addrs *addrs);

/* SET, under ve_mutex: attach every netif of the request, or none. */
int ve_net_attach(struct ve *ve, struct genl_info *info);
/* Under ve_mutex, as the VE stops: detach every device of @ve. */
void ve_net_detach_all(struct ve *ve);

/* Under ve_mutex: addrs, netif and stats of @ve for a reply. */
int ve_net_fill(struct sk_buff *skb, struct ve *ve);
unsigned int ve_net_netif_count(void);
void ve_net_read(struct ve *ve, struct ve_net_totals *t);
/* Under ve_mutex: " ADDR" for each address, for /proc/vz/veinfo. */
void ve_net_show_addrs(struct seq_file *m, struct ve *ve);

#endif /* _VE_NET_H */
