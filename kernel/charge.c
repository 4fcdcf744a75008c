// SPDX-License-Identifier: GPL-2.0
/*
 * Charging objects to VEs: processes, open files and sockets.
 *
 * Every charge is recorded against the object's address in one hash
 * table, with a reference on the VE it went to. The uncharge looks the
 * object up there, so it always goes to the same VE, whoever frees the
 * object and whenever: after fd passing to the host, after the VE stopped
 * or was deleted (the record keeps the struct ve alive), and never for an
 * object that was not charged (created before its VE started, by the
 * kernel, or on the host).
 *
 * Counters are atomics in struct ve (held, maxheld, failcnt); limits are
 * read with READ_ONCE() from ve->res, written under ve_mutex. A charge
 * over the limit is undone at once and counted in failcnt, and a
 * LIMIT_NTF is queued (rate-limited in netlink.c). Hot paths take no lock
 * of ve.ko: the table is an rhashtable (RCU lookups, per-bucket locks) and
 * records are freed after a grace period.
 */
#include <linux/atomic.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "charge.h"
#include "hooks.h"
#include "registry.h"
#include "ubc.h"

struct ve_charge {
	struct rhash_head	node;
	const void		*obj;
	struct ve		*ve;
	unsigned int		res;
	struct rcu_head		rcu;
};

static const struct rhashtable_params ve_charge_params = {
	.key_len		= sizeof(void *),
	.key_offset		= offsetof(struct ve_charge, obj),
	.head_offset		= offsetof(struct ve_charge, node),
	/*
	 * Big enough that a VE's steady open/close does not make the table
	 * grow and shrink (a resize is a worker run and a grace period);
	 * shrinking brings it back here after a bomb.
	 */
	.min_size		= 1024,
	.automatic_shrinking	= true,
};

static struct rhashtable ve_charges;
static struct kmem_cache *ve_charge_cachep;
static atomic_long_t ve_nr_charges = ATOMIC_LONG_INIT(0);
/* Closed while the hooks go away (ve_charges_close()). */
static bool ve_charges_open;

/* One record fewer; at none, the hooks may go if no VE runs either. */
static void ve_charges_dec(void)
{
	if (atomic_long_dec_and_test(&ve_nr_charges))
		ve_hooks_idle();
}

int __init ve_charge_init(void)
{
	int err;

	/* A record is charged to the memory cgroup of the task it is for. */
	ve_charge_cachep = KMEM_CACHE(ve_charge, SLAB_ACCOUNT);
	if (!ve_charge_cachep)
		return -ENOMEM;
	err = rhashtable_init(&ve_charges, &ve_charge_params);
	if (err)
		kmem_cache_destroy(ve_charge_cachep);
	return err;
}

static void ve_charge_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(ve_charge_cachep, container_of(head, struct ve_charge, rcu));
}

/* Drop a record that is out of the table; any context. */
static void ve_charge_release(struct ve_charge *c)
{
	atomic64_dec(&c->ve->counters[c->res].held);
	ve_put(c->ve);
	call_rcu(&c->rcu, ve_charge_free_rcu);
	ve_charges_dec();
}

static void ve_charge_destroy_one(void *ptr, void *arg)
{
	ve_charge_release(ptr);
}

/*
 * Module unload, after the hooks are gone: the objects still charged (say
 * files a stopped VE passed to the host) will never be uncharged by us.
 */
void ve_charge_uninit(void)
{
	rhashtable_free_and_destroy(&ve_charges, ve_charge_destroy_one, NULL);
	rcu_barrier();
	kmem_cache_destroy(ve_charge_cachep);
}

bool ve_charges_exist(void)
{
	return atomic_long_read(&ve_nr_charges) != 0;
}

/*
 * Before the hooks are unregistered: no charge may be made from here on
 * (one that a wrapper is making sees the close and is not made), and none
 * may exist, as nothing would uncharge it. False, and open again, when
 * some do exist.
 */
bool ve_charges_close(void)
{
	/* A clone of a charged listener may still charge: not while one is. */
	if (ve_charges_exist())
		return false;
	WRITE_ONCE(ve_charges_open, false);
	/* Pairs with the barrier in ve_charge(): it sees the close, or we its count. */
	smp_mb();
	if (!ve_charges_exist())
		return true;
	WRITE_ONCE(ve_charges_open, true);
	return false;
}

void ve_charges_reopen(void)
{
	WRITE_ONCE(ve_charges_open, true);
}

static void ve_update_maxheld(struct ve_counter *cnt, s64 held)
{
	s64 max = atomic64_read(&cnt->maxheld);

	while (held > max) {
		s64 old = atomic64_cmpxchg(&cnt->maxheld, max, held);

		if (old == max)
			break;
		max = old;
	}
}

int ve_charge(struct ve *ve, unsigned int res, const void *obj, gfp_t gfp,
	      bool enforce)
{
	struct ve_counter *cnt = &ve->counters[res];
	struct ve_charge *c, *old;
	s64 held;

	/*
	 * Counted before anything else, then charging checked: the hooks
	 * may be going (ve_charges_close()), and nothing would uncharge.
	 */
	atomic_long_inc(&ve_nr_charges);
	/* Pairs with ve_charges_close(): it sees the count, or we the close. */
	smp_mb__after_atomic();
	if (unlikely(!READ_ONCE(ve_charges_open))) {
		ve_charges_dec();
		return 0;
	}
	held = atomic64_inc_return(&cnt->held);
	if (enforce && (u64)held > READ_ONCE(ve->res[res].limit)) {
		atomic64_dec(&cnt->held);
		atomic64_inc(&cnt->failcnt);
		ve_limit_hit(ve, res);
		ve_charges_dec();
		return -EDQUOT;
	}
	c = kmem_cache_alloc(ve_charge_cachep, gfp);
	if (!c) {
		atomic64_dec(&cnt->held);
		ve_charges_dec();
		return -ENOMEM;
	}
	c->obj = obj;
	c->ve = ve;
	c->res = res;
	ve_get(ve);

	/*
	 * An address already in the table means its earlier object was freed
	 * by a path without a hook: that charge is stale, replace it.
	 */
	rcu_read_lock();
	for (;;) {
		old = rhashtable_lookup_get_insert_fast(&ve_charges, &c->node,
							ve_charge_params);
		if (!old)
			break;
		if (IS_ERR(old)) {
			rcu_read_unlock();
			ve_charge_release(c);
			return PTR_ERR(old);
		}
		if (!rhashtable_remove_fast(&ve_charges, &old->node, ve_charge_params))
			ve_charge_release(old);
	}
	rcu_read_unlock();
	ve_update_maxheld(cnt, held);
	return 0;
}

void ve_uncharge(const void *obj)
{
	struct ve_charge *c;

	if (!ve_charges_exist())
		return;
	rcu_read_lock();
	c = rhashtable_lookup(&ve_charges, &obj, ve_charge_params);
	/* Whoever removes the record releases it, exactly once. */
	if (c && !rhashtable_remove_fast(&ve_charges, &c->node, ve_charge_params))
		ve_charge_release(c);
	rcu_read_unlock();
}

bool ve_is_charged(const void *obj)
{
	bool found;

	if (!ve_charges_exist())
		return false;
	rcu_read_lock();
	found = rhashtable_lookup(&ve_charges, &obj, ve_charge_params);
	rcu_read_unlock();
	return found;
}

struct ve *ve_charged(const void *obj, unsigned int *res)
{
	struct ve_charge *c;

	if (!ve_charges_exist())
		return NULL;
	c = rhashtable_lookup(&ve_charges, &obj, ve_charge_params);
	if (!c)
		return NULL;
	*res = c->res;
	return c->ve;
}
