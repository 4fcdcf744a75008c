/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_REGISTRY_H
#define _VE_REGISTRY_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <uapi/linux/ve.h>

#include "ubc.h"

struct cgroup;
struct cgroup_subsys_state;
struct net;
struct pid;
struct pid_namespace;
struct user_namespace;
struct ve_addrs;
struct ve_net_stats;
struct ve_vproc;

/*
 * One virtual environment. Fields marked (M) are written under ve_mutex
 * only; the binding (B) is set while the VE is RUNNING or STOPPING and is
 * what tag.c finds VEs by.
 */
struct ve {
	u32			id;
	refcount_t		ref;
	enum ve_state		state;		/* (M) */
	u32			exit_status;	/* (M) wait status of last init */
	bool			has_exited;	/* (M) exit_status is valid */
	u64			start_time;	/* (M) boottime ns */
	u32			flags;		/* (M) userspace's, opaque here */
	struct ve_res		res[VE_RES_SLOTS];	/* (M) */
	struct ve_counter	counters[VE_RES_SLOTS];	/* atomics, charge.c */
	unsigned long		limit_pending;	/* resources to report, bitmap */
	unsigned long		limit_next[VE_RES_SLOTS];	/* (M) jiffies */
	struct work_struct	limit_work;

	struct pid		*init_pid;	/* (B) never the task: see lifecycle.c */
	struct pid_namespace	*pid_ns;	/* (B) */
	struct user_namespace	*user_ns;	/* (B) */
	struct net		*net;		/* (B) */
	struct cgroup		*cgrp;		/* (B) */
	struct cgroup_subsys_state *mem_css;	/* (B) its memory cgroup */
	struct hlist_node	pidns_node;	/* (B) tag.c */
	struct hlist_node	userns_node;	/* (B) tag.c */

	/* net.c: addresses (M, RCU), attached devices (RTNL), counters */
	struct ve_addrs __rcu	*addrs;
	struct list_head	netifs;
	unsigned int		nr_netifs;
	struct ve_net_stats __percpu *net_stats;

	unsigned long		avenrun[3];	/* loadavg.c: (M), read lockless */
	struct ve_vproc		*vproc;		/* vproc.c: from NEW to the free */

	wait_queue_entry_t	exit_wait;	/* on init_pid->wait_pidfd */
	u32			init_exit_status; /* noted as the init exits */
	bool			init_exit_noted;  /* release/acquire with it */
	struct work_struct	exit_work;
	struct rcu_head		rcu;
};

extern struct mutex ve_mutex;

int ve_registry_init(void);
void ve_registry_uninit(void);

struct ve *ve_lookup(u32 id);
/* A new STOPPED VE with one reference and every limit unlimited, or NULL. */
struct ve *ve_alloc(u32 id);
/* Under ve_mutex: make @ve visible; -EBUSY if its ID is taken. */
int ve_insert(struct ve *ve);
void ve_remove(struct ve *ve);
struct ve *ve_find_from(unsigned long *id);
/*
 * Under ve_mutex: the first VE at or after *@id (which is set to its ID)
 * that a reader in VE @self may see: every VE for the host (0), else only
 * @self. NULL when there is none.
 */
struct ve *ve_find_visible(unsigned long *id, u32 self);
u32 ve_generation(void);
void ve_changed(void);

/* Queue @work on ve.ko's workqueue, which module unload drains. */
bool ve_queue_work(struct work_struct *work);
/* The same, a grace period from now (queue_rcu_work()). */
bool ve_queue_rcu_work(struct rcu_work *rwork);
/* Queue @dwork after @delay jiffies, unless it is pending. */
bool ve_queue_delayed_work(struct delayed_work *dwork, unsigned long delay);
/* Wait for every queued work item. */
void ve_flush_work(void);

/* The last reference frees @ve, a grace period later (lookups are RCU). */
void ve_release(struct ve *ve);

static inline void ve_get(struct ve *ve)
{
	refcount_inc(&ve->ref);
}

/* Inline: every uncharge drops a reference. */
static inline void ve_put(struct ve *ve)
{
	if (refcount_dec_and_test(&ve->ref))
		ve_release(ve);
}

#endif /* _VE_REGISTRY_H */
