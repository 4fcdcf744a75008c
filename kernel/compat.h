/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels ve supports (Debian 6.1, 6.1-rt, 6.12),
 * kept in this one place so that the rest of the module, and the code
 * generated from the netlink spec, is written against the newest API.
 */
#ifndef _VE_COMPAT_H
#define _VE_COMPAT_H

#include <linux/ftrace.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <asm/nospec-branch.h>

/* NL_ASSERT_DUMP_CTX_FITS() arrived in 6.5. */
#ifndef NL_ASSERT_DUMP_CTX_FITS
#define NL_ASSERT_DUMP_CTX_FITS(type_name)				\
	BUILD_BUG_ON(sizeof(type_name) >				\
		     sizeof_field(struct netlink_callback, ctx))
#endif

/*
 * An extack message with values in it where the kernel can hold one
 * (NL_SET_ERR_MSG_FMT_MOD, 6.2), else the fixed @plain one.
 */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define VE_SET_ERR_MSG_FMT(extack, plain, fmt, ...) do {		\
	(void)(plain);							\
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##__VA_ARGS__);		\
} while (0)
#else
#define VE_SET_ERR_MSG_FMT(extack, plain, fmt, ...) do {		\
	(void)(fmt);							\
	NL_SET_ERR_MSG_MOD(extack, plain);				\
} while (0)
#endif

/*
 * The user memory a read(2) or readv(2) iterator (ITER_UBUF or
 * ITER_IOVEC) points at next, and how much of it there is in that
 * segment. 6.4 gave ubuf iterators an iovec of their own and the
 * iter_iov_addr() accessor; before, the iovec pointer and ubuf share a
 * union, so the type must be asked first.
 */
#ifdef iter_iov_addr
static inline void __user *ve_iter_addr(const struct iov_iter *i)
{
	return iter_iov_addr(i);
}

static inline size_t ve_iter_len(const struct iov_iter *i)
{
	return min(i->count, iter_iov_len(i));
}
#else
static inline void __user *ve_iter_addr(const struct iov_iter *i)
{
	return iter_is_ubuf(i) ? i->ubuf + i->iov_offset :
				 i->iov->iov_base + i->iov_offset;
}

static inline size_t ve_iter_len(const struct iov_iter *i)
{
	return iter_is_ubuf(i) ? i->count :
				 min(i->count, i->iov->iov_len - i->iov_offset);
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
/* 6.2 split ops: pre_doit and post_doit see the split op. */
#define VE_GENL_DOIT_OPS struct genl_split_ops

/* 6.2 split ops: a dump's parsed attributes moved into an embedded info. */
static inline struct nlattr **ve_dumpit_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->info.attrs;
}
#else
#define VE_GENL_DOIT_OPS struct genl_ops

static inline struct nlattr **ve_dumpit_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}

/*
 * Before 6.2 a policy's range pointer was not const, and the policies
 * generated from the spec keep their ranges const.
 */
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

/*
 * Direct ftrace calls to one trampoline for every function an ops
 * filters: 6.5 gave the _multi calls of 6.1 the plain names (and
 * unregister a choice to keep the filter, which 6.1 always keeps).
 * CALL_DEPTH_ACCOUNT (6.2) keeps call depth tracking right for
 * trampolines that a patched call site calls.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define ve_ftrace_direct_register(ops, addr)	register_ftrace_direct(ops, addr)
#define ve_ftrace_direct_unregister(ops, addr)	unregister_ftrace_direct(ops, addr, false)
#else
#define ve_ftrace_direct_register(ops, addr)	register_ftrace_direct_multi(ops, addr)
#define ve_ftrace_direct_unregister(ops, addr)	unregister_ftrace_direct_multi(ops, addr)
#endif
/* Where a module's core text lies: 6.4 split a module into mem[] areas. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define ve_module_text_start(mod)	((unsigned long)(mod)->mem[MOD_TEXT].base)
#define ve_module_text_size(mod)	((mod)->mem[MOD_TEXT].size)
#else
#define ve_module_text_start(mod)	((unsigned long)(mod)->core_layout.base)
#define ve_module_text_size(mod)	((mod)->core_layout.text_size)
#endif
#ifndef CALL_DEPTH_ACCOUNT
#define CALL_DEPTH_ACCOUNT ""
#endif

#endif /* _VE_COMPAT_H */
