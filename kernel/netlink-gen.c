// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ve.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/ve.h>

/* Integer value ranges */
static const struct netlink_range_validation ve_a_id_range = {
	.min	= 1ULL,
	.max	= VE_ID_MAX,
};

static const struct netlink_range_validation ve_a_init_pid_range = {
	.min	= 1ULL,
	.max	= VE_PID_MAX,
};

static const struct netlink_range_validation ve_a_pid_range = {
	.min	= 1ULL,
	.max	= VE_PID_MAX,
};

static const struct netlink_range_validation ve_a_fd_range = {
	.max	= S32_MAX,
};

static const struct netlink_range_validation ve_a_netif_ifindex_range = {
	.min	= 1ULL,
	.max	= S32_MAX,
};

/* Common nested types */
const struct nla_policy ve_addr_nl_policy[VE_A_ADDR_IPV6 + 1] = {
	[VE_A_ADDR_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[VE_A_ADDR_IPV6] = NLA_POLICY_EXACT_LEN(16),
};

const struct nla_policy ve_netif_nl_policy[VE_A_NETIF_BRIDGED + 1] = {
	[VE_A_NETIF_IFINDEX] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_netif_ifindex_range),
	[VE_A_NETIF_MAC] = NLA_POLICY_EXACT_LEN(6),
	[VE_A_NETIF_BRIDGED] = { .type = NLA_FLAG, },
};

const struct nla_policy ve_res_nl_policy[VE_A_RES_PAD + 1] = {
	[VE_A_RES_ID] = NLA_POLICY_MAX(NLA_U64, VE_RES_MAX),
	[VE_A_RES_HELD] = { .type = NLA_U64, },
	[VE_A_RES_MAXHELD] = { .type = NLA_U64, },
	[VE_A_RES_BARRIER] = { .type = NLA_U64, },
	[VE_A_RES_LIMIT] = { .type = NLA_U64, },
	[VE_A_RES_FAILCNT] = { .type = NLA_U64, },
};

/* VE_CMD_NEW - do */
const struct nla_policy ve_new_nl_policy[VE_A_ADDRS + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
	[VE_A_FLAGS] = { .type = NLA_U32, },
	[VE_A_RES] = NLA_POLICY_NESTED(ve_res_nl_policy),
	[VE_A_ADDRS] = NLA_POLICY_NESTED(ve_addr_nl_policy),
};

/* VE_CMD_DEL - do */
const struct nla_policy ve_del_nl_policy[VE_A_ID + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
};

/* VE_CMD_GET - do */
const struct nla_policy ve_get_nl_policy[VE_A_FD + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
	[VE_A_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_pid_range),
	[VE_A_FD] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_fd_range),
};

/* VE_CMD_SET - do */
const struct nla_policy ve_set_nl_policy[VE_A_NETIF + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
	[VE_A_FLAGS] = { .type = NLA_U32, },
	[VE_A_RES] = NLA_POLICY_NESTED(ve_res_nl_policy),
	[VE_A_ADDRS] = NLA_POLICY_NESTED(ve_addr_nl_policy),
	[VE_A_NETIF] = NLA_POLICY_NESTED(ve_netif_nl_policy),
};

/* VE_CMD_START - do */
const struct nla_policy ve_start_nl_policy[VE_A_INIT_PID + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
	[VE_A_INIT_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_init_pid_range),
};

/* VE_CMD_STOP - do */
const struct nla_policy ve_stop_nl_policy[VE_A_ID + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_a_id_range),
};

/* Ops table for ve */
const struct genl_ops ve_nl_ops[6] = {
	{
		.cmd		= VE_CMD_NEW,
		.doit		= ve_nl_new_doit,
		.policy		= ve_new_nl_policy,
		.maxattr	= VE_A_ADDRS,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= VE_CMD_DEL,
		.doit		= ve_nl_del_doit,
		.policy		= ve_del_nl_policy,
		.maxattr	= VE_A_ID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= VE_CMD_GET,
		.doit		= ve_nl_get_doit,
		.dumpit		= ve_nl_get_dumpit,
		.policy		= ve_get_nl_policy,
		.maxattr	= VE_A_FD,
	},
	{
		.cmd		= VE_CMD_SET,
		.doit		= ve_nl_set_doit,
		.policy		= ve_set_nl_policy,
		.maxattr	= VE_A_NETIF,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= VE_CMD_START,
		.doit		= ve_nl_start_doit,
		.policy		= ve_start_nl_policy,
		.maxattr	= VE_A_INIT_PID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= VE_CMD_STOP,
		.doit		= ve_nl_stop_doit,
		.policy		= ve_stop_nl_policy,
		.maxattr	= VE_A_ID,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group ve_nl_mcgrps[] = {
	[VE_NLGRP_EVENTS] = { "events", },
};
