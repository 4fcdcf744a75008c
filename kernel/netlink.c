// SPDX-License-Identifier: GPL-2.0
/*
 * The "ve" generic netlink family: parses and checks requests, and replies.
 * The state it reports lives elsewhere; nothing here owns objects.
 */
#include <net/genetlink.h>

#include <uapi/linux/ve.h>

#include "compat.h"
#include "ve.h"
#include "netlink.h"

static struct genl_family ve_genl_family;

/* Not const: 6.1 declares the policy's range pointer without const. */
static struct netlink_range_validation ve_id_range = {
	.min = 1,
	.max = VE_ID_MAX,
};

static const struct nla_policy ve_get_policy[VE_A_ID + 1] = {
	[VE_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ve_id_range),
};

/* A GET without a selector describes the module itself. */
static int ve_fill_module_info(struct sk_buff *msg, struct genl_info *info)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &ve_genl_family, 0, VE_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_string(msg, VE_A_MODULE_VERSION, VE_VERSION) ||
	    nla_put_u32(msg, VE_A_ABI_VERSION, VE_FAMILY_VERSION)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}

	genlmsg_end(msg, hdr);
	return 0;
}

static int ve_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	if (info->attrs[VE_A_ID]) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VE_A_ID]);
		NL_SET_ERR_MSG_MOD(info->extack, "no VE with this ID");
		return -ENOENT;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = ve_fill_module_info(msg, info);
	if (err) {
		nlmsg_free(msg);
		return err;
	}

	return genlmsg_reply(msg, info);
}

static const struct genl_ops ve_genl_ops[] = {
	{
		.cmd	 = VE_CMD_GET,
		.doit	 = ve_nl_get_doit,
		.policy	 = ve_get_policy,
		.maxattr = ARRAY_SIZE(ve_get_policy) - 1,
	},
};

static const struct genl_multicast_group ve_genl_mcgrps[] = {
	{ .name = VE_MCGRP_EVENTS },
};

static struct genl_family ve_genl_family __ro_after_init = {
	.name		= VE_FAMILY_NAME,
	.version	= VE_FAMILY_VERSION,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= ve_genl_ops,
	.n_ops		= ARRAY_SIZE(ve_genl_ops),
	.resv_start_op	= VE_CMD_MAX + 1,
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
