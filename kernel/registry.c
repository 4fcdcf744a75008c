// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of VEs: which IDs exist, and the objects behind them.
 *
 * Locking:
 * - ve_mutex serialises every change of the registry and of any VE's state
 *   or binding: NEW, DEL, SET, START, STOP, the exit work, and the netlink
 *   GET and dump that report them (so a reply is never half old, half new).
 *   It is the outermost lock of ve.ko; nothing in ve.ko takes it while
 *   holding another ve lock.
 * - ve_ids (an xarray) is written under ve_mutex; its own spinlock nests
 *   inside. Readers use ve_mutex, or RCU where they only need a pointer.
 * - Hot paths (tag.c lookups) never take ve_mutex: they use RCU. A struct
 *   ve is freed after an RCU grace period, once its last reference is gone.
 * - ve_generation changes whenever the set of VEs or a state changes, for
 *   NLM_F_DUMP_INTR.
 *
 * Work that a VE defers (its exit, limit notifications) runs on ve_wq, with
 * a reference on the VE; module unload drains it.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "net.h"
#include "registry.h"
#include "vproc.h"

/* The registry lock; see the top of this file. */
DEFINE_MUTEX(ve_mutex);
static DEFINE_XARRAY(ve_ids);
static struct kmem_cache *ve_cachep;
static u32 ve_gen = 1;
static struct workqueue_struct *ve_wq;

int __init ve_registry_init(void)
{
	ve_wq = alloc_workqueue("ve", 0, 0);
	if (!ve_wq)
		return -ENOMEM;
	ve_cachep = KMEM_CACHE(ve, 0);
	if (!ve_cachep) {
		destroy_workqueue(ve_wq);
		return -ENOMEM;
	}
	return 0;
}

bool ve_queue_work(struct work_struct *work)
{
	return queue_work(ve_wq, work);
}

bool ve_queue_rcu_work(struct rcu_work *rwork)
{
	return queue_rcu_work(ve_wq, rwork);
}

bool ve_queue_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	return queue_delayed_work(ve_wq, dwork, delay);
}

void ve_flush_work(void)
{
	/* Work queued after a grace period (ve_queue_rcu_work()) is queued now. */
	rcu_barrier();
	flush_workqueue(ve_wq);
}

/* Module unload: every VE is STOPPED (running ones hold the module). */
void ve_registry_uninit(void)
{
	unsigned long id;
	struct ve *ve;

	destroy_workqueue(ve_wq);	/* drains queued work, and its refs */
	mutex_lock(&ve_mutex);
	xa_for_each(&ve_ids, id, ve) {
		WARN_ON_ONCE(ve->state != VE_STATE_STOPPED);
		ve_remove(ve);
	}
	mutex_unlock(&ve_mutex);
	xa_destroy(&ve_ids);
	/* Wait for the kfree_rcu() callbacks before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(ve_cachep);
}

static void ve_free_rcu(struct rcu_head *head)
{
	struct ve *ve = container_of(head, struct ve, rcu);

	ve_net_free(ve);
	ve_vproc_free(ve);
	kmem_cache_free(ve_cachep, ve);
}

void ve_release(struct ve *ve)
{
	call_rcu(&ve->rcu, ve_free_rcu);
}

struct ve *ve_lookup(u32 id)
{
	lockdep_assert_held(&ve_mutex);
	return xa_load(&ve_ids, id);
}

/* The VE with the lowest ID >= *id, or NULL; *id is set to its ID. */
struct ve *ve_find_from(unsigned long *id)
{
	lockdep_assert_held(&ve_mutex);
	return xa_find(&ve_ids, id, VE_ID_MAX, XA_PRESENT);
}

struct ve *ve_find_visible(unsigned long *id, u32 self)
{
	struct ve *ve;

	lockdep_assert_held(&ve_mutex);
	if (*id < (self ?: 1))
		*id = self ?: 1;
	if (*id > VE_ID_MAX)
		return NULL;
	ve = ve_find_from(id);
	return ve && (!self || ve->id == self) ? ve : NULL;
}

struct ve *ve_alloc(u32 id)
{
	struct ve *ve;

	ve = kmem_cache_zalloc(ve_cachep, GFP_KERNEL_ACCOUNT);
	if (!ve)
		return NULL;
	ve->id = id;
	ve->state = VE_STATE_STOPPED;
	refcount_set(&ve->ref, 1);
	ve_res_init(ve->res);
	INIT_HLIST_NODE(&ve->pidns_node);
	INIT_HLIST_NODE(&ve->userns_node);
	if (ve_net_setup(ve)) {
		ve_put(ve);
		return NULL;
	}
	return ve;
}

int ve_insert(struct ve *ve)
{
	int err;

	lockdep_assert_held(&ve_mutex);
	err = xa_insert(&ve_ids, ve->id, ve, GFP_KERNEL_ACCOUNT);
	if (!err)
		ve_changed();
	return err;
}

/* Drop a STOPPED VE from the registry and its registry reference. */
void ve_remove(struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	xa_erase(&ve_ids, ve->id);
	ve_changed();
	ve_put(ve);
}

u32 ve_generation(void)
{
	lockdep_assert_held(&ve_mutex);
	return ve_gen;
}

void ve_changed(void)
{
	lockdep_assert_held(&ve_mutex);
	/* 0 means "not checked" to genl_dump_check_consistent(). */
	if (!++ve_gen)
		ve_gen = 1;
}
