/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ve.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_VE_GEN_H
#define _LINUX_VE_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/ve.h>

/* Common nested types */
extern const struct nla_policy ve_addr_nl_policy[VE_A_ADDR_IPV6 + 1];
extern const struct nla_policy ve_netif_nl_policy[VE_A_NETIF_BRIDGED + 1];
extern const struct nla_policy ve_res_nl_policy[VE_A_RES_PAD + 1];

extern const struct nla_policy ve_new_nl_policy[VE_A_ADDRS + 1];

extern const struct nla_policy ve_del_nl_policy[VE_A_ID + 1];

extern const struct nla_policy ve_get_nl_policy[VE_A_FD + 1];

extern const struct nla_policy ve_set_nl_policy[VE_A_NETIF + 1];

extern const struct nla_policy ve_start_nl_policy[VE_A_INIT_PID + 1];

extern const struct nla_policy ve_stop_nl_policy[VE_A_ID + 1];

/* Ops table for ve */
extern const struct genl_ops ve_nl_ops[6];

int ve_nl_new_doit(struct sk_buff *skb, struct genl_info *info);
int ve_nl_del_doit(struct sk_buff *skb, struct genl_info *info);
int ve_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int ve_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ve_nl_set_doit(struct sk_buff *skb, struct genl_info *info);
int ve_nl_start_doit(struct sk_buff *skb, struct genl_info *info);
int ve_nl_stop_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	VE_NLGRP_EVENTS,
};

#endif /* _LINUX_VE_GEN_H */
