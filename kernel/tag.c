// SPDX-License-Identifier: GPL-2.0
/*
 * Which VE an object belongs to. Every object is tagged by a namespace it
 * can never leave (Documentation/design.md, "Tagging"):
 *   task   - its active pid namespace
 *   file   - the opener's user namespace (file->f_cred)
 *   socket - the owner of its network namespace
 * A namespace belongs to the VE bound to it or to its nearest bound
 * ancestor, so containers nested inside a VE stay in that VE.
 *
 * The maps from namespace pointer to VE are written under ve_mutex and
 * read under RCU only: lookups run on hot paths. Pointers, not inode
 * numbers, are the keys: namespace inode numbers are reused, and a bound
 * namespace cannot be freed while the VE holds its reference.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/pid_namespace.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "registry.h"
#include "tag.h"

#define VE_TAG_HASH_BITS 8

static DEFINE_HASHTABLE(ve_pidns_hash, VE_TAG_HASH_BITS);
static DEFINE_HASHTABLE(ve_userns_hash, VE_TAG_HASH_BITS);

static struct ve *ve_bound_to_pid_ns(struct pid_namespace *ns)
{
	struct ve *ve;

	hash_for_each_possible_rcu(ve_pidns_hash, ve, pidns_node, (unsigned long)ns)
		if (READ_ONCE(ve->pid_ns) == ns)
			return ve;
	return NULL;
}

static struct ve *ve_bound_to_user_ns(struct user_namespace *ns)
{
	struct ve *ve;

	hash_for_each_possible_rcu(ve_userns_hash, ve, userns_node, (unsigned long)ns)
		if (READ_ONCE(ve->user_ns) == ns)
			return ve;
	return NULL;
}

struct ve *ve_of_pid_ns(struct pid_namespace *ns)
{
	struct ve *ve;

	for (; ns && ns != &init_pid_ns; ns = ns->parent) {
		ve = ve_bound_to_pid_ns(ns);
		if (ve)
			return ve;
	}
	return NULL;
}

struct ve *ve_of_user_ns(struct user_namespace *ns)
{
	struct ve *ve;

	for (; ns && ns != &init_user_ns; ns = ns->parent) {
		ve = ve_bound_to_user_ns(ns);
		if (ve)
			return ve;
	}
	return NULL;
}

struct ve *ve_of_task(struct task_struct *task)
{
	return ve_of_pid_ns(task_active_pid_ns(task));
}

struct ve *ve_of_file(const struct file *file)
{
	return ve_of_user_ns(file->f_cred->user_ns);
}

struct ve *ve_of_net(const struct net *net)
{
	return ve_of_user_ns(net->user_ns);
}

struct ve *ve_of_sock(const struct sock *sk)
{
	return ve_of_net(sock_net(sk));
}

u32 ve_id_of_task(struct task_struct *task)
{
	struct ve *ve;
	u32 id;

	rcu_read_lock();
	ve = ve_of_task(task);
	id = ve ? ve->id : 0;
	rcu_read_unlock();
	return id;
}

void ve_tag_add(struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	hash_add_rcu(ve_pidns_hash, &ve->pidns_node, (unsigned long)ve->pid_ns);
	hash_add_rcu(ve_userns_hash, &ve->userns_node, (unsigned long)ve->user_ns);
}

void ve_tag_del(struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	hash_del_rcu(&ve->pidns_node);
	hash_del_rcu(&ve->userns_node);
}
