/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels ve supports (Debian 6.1, 6.1-rt, 6.12),
 * kept in this one place so that the rest of the module is written against
 * the newest API.
 */
#ifndef _VE_COMPAT_H
#define _VE_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/* NL_ASSERT_DUMP_CTX_FITS() arrived in 6.5. */
#ifndef NL_ASSERT_DUMP_CTX_FITS
#define NL_ASSERT_DUMP_CTX_FITS(type_name)				\
	BUILD_BUG_ON(sizeof(type_name) >				\
		     sizeof_field(struct netlink_callback, ctx))
#endif

/* 6.2 split ops: a dump's parsed attributes moved into an embedded info. */
static inline struct nlattr **ve_dumpit_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _VE_COMPAT_H */
