/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_CHARGE_H
#define _VE_CHARGE_H

#include <linux/gfp.h>
#include <linux/types.h>

struct ve;

int ve_charge_init(void);
void ve_charge_uninit(void);

/*
 * Charge one unit of count resource @res of @ve for object @obj. With
 * @enforce, a charge over the limit fails with -EDQUOT (failcnt counts it,
 * a LIMIT_NTF is queued). -ENOMEM when the record cannot be allocated.
 */
int ve_charge(struct ve *ve, unsigned int res, const void *obj, gfp_t gfp,
	      bool enforce);

/*
 * The same with the caller's reference on @ve, which the record takes
 * over; when none is made (refused, no memory, or charging closed while
 * the hooks go) the reference is dropped.
 */
int ve_charge_ref(struct ve *ve, unsigned int res, const void *obj, gfp_t gfp,
		  bool enforce);

/*
 * Uncharge @obj from the VE it was charged to, if it was: from wherever the
 * kernel frees such objects (any context: the table's locks are raw
 * spinlocks taken with interrupts off).
 */
void ve_uncharge(const void *obj);

/*
 * Under rcu_read_lock(): the VE @obj is charged to and for which resource,
 * or NULL.
 */
struct ve *ve_charged(const void *obj, unsigned int *res);

/* Whether any object is charged at all (a cheap test for hot paths). */
bool ve_charges_exist(void);

/*
 * Whether charges may be made; hooks.c closes them before it unregisters
 * (a close that succeeds also empties the CPUs' caches of free records).
 */
bool ve_charges_close(void);
void ve_charges_reopen(void);

#endif /* _VE_CHARGE_H */
