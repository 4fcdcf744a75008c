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
 * of ve.ko but one bucket's.
 *
 * A record is made and dropped for every file and socket a VE opens and
 * closes, so the table is built for that (Documentation/design.md,
 * "Charge records", has the figures):
 *  - a fixed array of buckets sized by the node's memory, hashed by a
 *    multiplication: no resizing, no key compare function;
 *  - records from a SLAB_TYPESAFE_BY_RCU cache, freed at once: no
 *    call_rcu() per record and no zeroing. A record may be reused while
 *    a lockless reader looks at it, so chains end in "nulls" markers
 *    that name their bucket (a reader that strayed into another chain
 *    starts again) and a reader checks the key again after reading the
 *    fields, as the kernel's TCP and UDP socket tables do;
 *  - writers take a raw spinlock of a small array with interrupts off:
 *    objects are freed in any context (sockets in softirq), the section
 *    is a few list operations, and it may not sleep on PREEMPT_RT either.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/list_nulls.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rculist_nulls.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "charge.h"
#include "hooks.h"
#include "registry.h"
#include "ubc.h"

struct ve_charge {
	struct hlist_nulls_node	node;
	/* Written first when a record is reused; readers check it last. */
	const void		*obj;
	struct ve		*ve;
	unsigned int		res;
	/* In a CPU's cache of free records (not node: readers may be on it). */
	struct ve_charge	*next_free;
};

/*
 * Each CPU keeps a few free records: a VE that opens and closes files
 * makes and drops one each time, and the slab allocator's own paths
 * (with the hardening and accounting hooks of a distribution kernel)
 * cost more than all the rest of a charge.
 */
struct ve_charge_cache {
	struct ve_charge	*free;
	unsigned int		nr;
};

#define VE_CHARGE_CACHE_MAX	64

static DEFINE_PER_CPU(struct ve_charge_cache, ve_charge_caches);

/* One bucket per 32 pages of RAM (a 4 GiB node: 32768, 256 KiB). */
#define VE_CHARGE_PAGES_PER_BUCKET_SHIFT	5
#define VE_CHARGE_MIN_BITS			10
#define VE_CHARGE_MAX_BITS			20
#define VE_CHARGE_LOCKS				256

static struct hlist_nulls_head *ve_charge_hash;
static unsigned int ve_charge_bits;
static raw_spinlock_t ve_charge_locks[VE_CHARGE_LOCKS];
static struct kmem_cache *ve_charge_cachep;
static atomic_long_t ve_nr_charges = ATOMIC_LONG_INIT(0);
/* Closed while the hooks go away (ve_charges_close()). */
static bool ve_charges_open;

static unsigned int ve_charge_slot(const void *obj)
{
	return hash_ptr(obj, ve_charge_bits);
}

static raw_spinlock_t *ve_charge_lock(unsigned int slot)
{
	return &ve_charge_locks[slot % VE_CHARGE_LOCKS];
}

/* One record fewer; at none, the hooks may go if no VE runs either. */
static void ve_charges_dec(void)
{
	if (atomic_long_dec_and_test(&ve_nr_charges))
		ve_hooks_idle();
}

int __init ve_charge_init(void)
{
	unsigned int i, bits;

	bits = ilog2(totalram_pages()) - VE_CHARGE_PAGES_PER_BUCKET_SHIFT;
	ve_charge_bits = clamp(bits, VE_CHARGE_MIN_BITS, VE_CHARGE_MAX_BITS);
	ve_charge_hash = kvmalloc_array(1U << ve_charge_bits, sizeof(*ve_charge_hash),
					GFP_KERNEL);
	if (!ve_charge_hash)
		return -ENOMEM;
	for (i = 0; i < 1U << ve_charge_bits; i++)
		INIT_HLIST_NULLS_HEAD(&ve_charge_hash[i], i);
	for (i = 0; i < VE_CHARGE_LOCKS; i++)
		raw_spin_lock_init(&ve_charge_locks[i]);
	/*
	 * TYPESAFE_BY_RCU: freed at once, reused only as a record. Not
	 * accounted to a memory cgroup: records are reused across VEs, and
	 * a VE has no more of them than its count limits allow.
	 */
	ve_charge_cachep = KMEM_CACHE(ve_charge, SLAB_TYPESAFE_BY_RCU);
	if (!ve_charge_cachep) {
		kvfree(ve_charge_hash);
		return -ENOMEM;
	}
	return 0;
}

/* With interrupts off: a free record from this CPU's cache, or NULL. */
static struct ve_charge *ve_charge_cache_get(void)
{
	struct ve_charge_cache *cache = this_cpu_ptr(&ve_charge_caches);
	struct ve_charge *c = cache->free;

	if (c) {
		cache->free = c->next_free;
		cache->nr--;
	}
	return c;
}

/* With interrupts off: keep @c in this CPU's cache; false if it is full. */
static bool ve_charge_cache_put(struct ve_charge *c)
{
	struct ve_charge_cache *cache = this_cpu_ptr(&ve_charge_caches);

	if (cache->nr >= VE_CHARGE_CACHE_MAX)
		return false;
	c->next_free = cache->free;
	cache->free = c;
	cache->nr++;
	return true;
}

/*
 * Once no record exists and none may be made (ve_charges_close(), unload):
 * the CPUs' free records go back to the slab, so that a node whose VEs
 * have all stopped keeps none. Nothing touches a cache then: a record
 * is put into one before its count is dropped, and taken from one only
 * after its count is raised and charging was found open.
 */
static void ve_charge_drain_caches(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct ve_charge_cache *cache = per_cpu_ptr(&ve_charge_caches, cpu);

		while (cache->free) {
			struct ve_charge *c = cache->free;

			cache->free = c->next_free;
			kmem_cache_free(ve_charge_cachep, c);
		}
		cache->nr = 0;
	}
}

/* What a record held, once it is out of the table. */
static void ve_charge_drop(struct ve *ve, unsigned int res)
{
	atomic64_dec(&ve->counters[res].held);
	ve_put(ve);
	ve_charges_dec();
}

/* Free a record that is out of the table, and what it held; any context. */
static void ve_charge_release(struct ve_charge *c)
{
	struct ve *ve = c->ve;
	unsigned int res = c->res;

	kmem_cache_free(ve_charge_cachep, c);
	ve_charge_drop(ve, res);
}

/* Under the bucket's lock: the record of @obj in @slot, or NULL. */
static struct ve_charge *ve_charge_find_locked(unsigned int slot, const void *obj)
{
	struct hlist_nulls_node *n;
	struct ve_charge *c;

	hlist_nulls_for_each_entry(c, n, &ve_charge_hash[slot], node)
		if (c->obj == obj)
			return c;
	return NULL;
}

/*
 * Under RCU: the record of @obj, or NULL. The caller must check c->obj
 * again after reading what it wants: the record may be reused.
 */
static struct ve_charge *ve_charge_find_rcu(const void *obj)
{
	unsigned int slot = ve_charge_slot(obj);
	struct hlist_nulls_node *n;
	struct ve_charge *c;

begin:
	hlist_nulls_for_each_entry_rcu(c, n, &ve_charge_hash[slot], node)
		if (READ_ONCE(c->obj) == obj)
			return c;
	/* Moved to another chain while we walked: from the start. */
	if (get_nulls_value(n) != slot)
		goto begin;
	return NULL;
}

/*
 * Module unload, after the hooks are gone: the objects still charged (say
 * files a stopped VE passed to the host) will never be uncharged by us.
 */
void ve_charge_uninit(void)
{
	unsigned int i;

	for (i = 0; i < 1U << ve_charge_bits; i++) {
		struct hlist_nulls_head *head = &ve_charge_hash[i];

		while (!hlist_nulls_empty(head)) {
			struct ve_charge *c = hlist_nulls_entry(head->first,
								struct ve_charge, node);

			hlist_nulls_del(&c->node);
			ve_charge_release(c);
		}
	}
	ve_charge_drain_caches();
	/* Lockless readers of a TYPESAFE_BY_RCU cache until the cache goes. */
	synchronize_rcu();
	kmem_cache_destroy(ve_charge_cachep);
	kvfree(ve_charge_hash);
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
	if (!ve_charges_exist()) {
		ve_charge_drain_caches();
		return true;
	}
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

int ve_charge_ref(struct ve *ve, unsigned int res, const void *obj, gfp_t gfp,
		  bool enforce)
{
	struct ve_counter *cnt = &ve->counters[res];
	struct ve_charge *c, *old;
	unsigned long flags;
	unsigned int slot;
	s64 held;

	/*
	 * Counted before anything else, then charging checked: the hooks
	 * may be going (ve_charges_close()), and nothing would uncharge.
	 */
	atomic_long_inc(&ve_nr_charges);
	/* Pairs with ve_charges_close(): it sees the count, or we the close. */
	smp_mb__after_atomic();
	if (unlikely(!READ_ONCE(ve_charges_open))) {
		ve_put(ve);
		ve_charges_dec();
		return 0;
	}
	held = atomic64_inc_return(&cnt->held);
	if (enforce && (u64)held > READ_ONCE(ve->res[res].limit)) {
		atomic64_dec(&cnt->held);
		atomic64_inc(&cnt->failcnt);
		ve_limit_hit(ve, res);
		ve_put(ve);
		ve_charges_dec();
		return -EDQUOT;
	}
	/* Now, so that neither is live across the lock (a shorter path). */
	ve_update_maxheld(cnt, held);
	/*
	 * The bucket's lock turns interrupts off, which this CPU's cache of
	 * records needs too: one section for both.
	 */
	slot = ve_charge_slot(obj);
	raw_spin_lock_irqsave(ve_charge_lock(slot), flags);
	c = ve_charge_cache_get();
	if (unlikely(!c)) {
		raw_spin_unlock_irqrestore(ve_charge_lock(slot), flags);
		c = kmem_cache_alloc(ve_charge_cachep, gfp);
		if (!c) {
			ve_charge_drop(ve, res);
			return -ENOMEM;
		}
		raw_spin_lock_irqsave(ve_charge_lock(slot), flags);
	}
	WRITE_ONCE(c->obj, obj);
	/*
	 * A reused record: its new key before its new fields. Pairs with the
	 * read barrier in ve_charged(), which reads the fields, then the key.
	 */
	smp_wmb();
	c->ve = ve;
	c->res = res;
	/*
	 * An address already in the table means its earlier object was freed
	 * by a path without a hook: that charge is stale, replace it.
	 */
	old = ve_charge_find_locked(slot, obj);
	if (old)
		hlist_nulls_del_rcu(&old->node);
	hlist_nulls_add_head_rcu(&c->node, &ve_charge_hash[slot]);
	raw_spin_unlock_irqrestore(ve_charge_lock(slot), flags);
	if (unlikely(old))
		ve_charge_release(old);
	return 0;
}

int ve_charge(struct ve *ve, unsigned int res, const void *obj, gfp_t gfp,
	      bool enforce)
{
	ve_get(ve);
	return ve_charge_ref(ve, res, obj, gfp, enforce);
}

void ve_uncharge(const void *obj)
{
	struct ve_charge *c;
	unsigned long flags;
	unsigned int slot, res = 0;
	struct ve *ve = NULL;

	if (!ve_charges_exist())
		return;
	slot = ve_charge_slot(obj);
	raw_spin_lock_irqsave(ve_charge_lock(slot), flags);
	c = ve_charge_find_locked(slot, obj);
	if (c) {
		hlist_nulls_del_rcu(&c->node);
		ve = c->ve;
		res = c->res;
		if (ve_charge_cache_put(c))
			c = NULL;
	}
	raw_spin_unlock_irqrestore(ve_charge_lock(slot), flags);
	if (c)
		kmem_cache_free(ve_charge_cachep, c);
	if (ve)
		ve_charge_drop(ve, res);
}

struct ve *ve_charged(const void *obj, unsigned int *res)
{
	struct ve_charge *c;
	struct ve *ve;

	if (!ve_charges_exist())
		return NULL;
	do {
		c = ve_charge_find_rcu(obj);
		if (!c)
			return NULL;
		*res = c->res;
		ve = c->ve;
		/* Pairs with the write barrier in ve_charge(): still @obj's? */
		smp_rmb();
	} while (READ_ONCE(c->obj) != obj);
	return ve;
}
