// SPDX-License-Identifier: GPL-2.0
/*
 * User beancounters: the resources OpenVZ names, their values, limit
 * notifications, and /proc/user_beancounters.
 *
 * IDs and names follow OpenVZ, so that /proc/user_beancounters and vzctl's
 * parameter names carry over. Where the values come from:
 *   numproc, numfile, numtcpsock, numothersock  counted by ve.ko (charge.c)
 *   physpages, swappages   the VE's memory cgroup while it runs: held is
 *                          the usage, maxheld the watermark, barrier
 *                          memory.high (swap.high), limit memory.max
 *                          (swap.max), failcnt memory.events max (swap max)
 *   everything else        not accounted: held 0, the stored barrier/limit
 * kmemsize is in the last group: on cgroup v2 the kernel keeps no kernel
 * memory counter a module could read (memcg->kmem is charged on v1 only).
 */
#include <linux/bitops.h>
#include <linux/cgroup.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/seq_file.h>

#include "netlink.h"
#include "registry.h"
#include "tag.h"
#include "ubc.h"

#include "common/ve_names.h"

static const char *const ve_res_names[VE_RES_SLOTS] = VE_RESOURCE_NAMES;

/* At most one LIMIT_NTF per VE and resource in this interval. */
#define VE_LIMIT_NTF_INTERVAL	HZ

const char *ve_res_name(unsigned int id)
{
	return id < ARRAY_SIZE(ve_res_names) ? ve_res_names[id] : NULL;
}

void ve_res_init(struct ve_res *res)
{
	unsigned int i;

	for (i = 0; i < VE_RES_SLOTS; i++) {
		res[i].barrier = VE_RES_UNLIMITED;
		res[i].limit = VE_RES_UNLIMITED;
	}
}

static bool ve_res_counted(unsigned int id)
{
	return id == VE_RES_NUMPROC || id == VE_RES_NUMFILE ||
	       id == VE_RES_NUMTCPSOCK || id == VE_RES_NUMOTHERSOCK;
}

static u64 ve_pages(unsigned long pages)
{
	return pages >= PAGE_COUNTER_MAX ? VE_RES_UNLIMITED : pages;
}

/* physpages and swappages of a running VE, from its memory cgroup. */
static void ve_memcg_read(struct cgroup_subsys_state *css, unsigned int id,
			  struct ve_res_val *val)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(css);
	bool phys = id == VE_RES_PHYSPAGES;
	struct page_counter *pc = phys ? &memcg->memory : &memcg->swap;

	/* The root cgroup keeps no usage: a VE without its own reads 0. */
	if (!css->parent)
		return;
	val->held = page_counter_read(pc);
	val->maxheld = READ_ONCE(pc->watermark);
	val->barrier = ve_pages(READ_ONCE(pc->high));
	val->limit = ve_pages(READ_ONCE(pc->max));
	val->failcnt = atomic_long_read(&memcg->memory_events[phys ? MEMCG_MAX :
							      MEMCG_SWAP_MAX]);
}

void ve_res_read(const struct ve *ve, unsigned int id, struct ve_res_val *val)
{
	const struct ve_counter *cnt = &ve->counters[id];

	lockdep_assert_held(&ve_mutex);
	*val = (struct ve_res_val){
		.barrier = ve->res[id].barrier,
		.limit = ve->res[id].limit,
	};
	if (ve_res_counted(id)) {
		/* A racing refused charge may show for an instant: clamp. */
		val->held = max_t(s64, atomic64_read(&cnt->held), 0);
		val->maxheld = atomic64_read(&cnt->maxheld);
		val->failcnt = atomic64_read(&cnt->failcnt);
	} else if ((id == VE_RES_PHYSPAGES || id == VE_RES_SWAPPAGES) &&
		   ve->mem_css) {
		ve_memcg_read(ve->mem_css, id, val);
	}
}

static void ve_limit_work(struct work_struct *work)
{
	struct ve *ve = container_of(work, struct ve, limit_work);
	unsigned long pending = xchg(&ve->limit_pending, 0);
	unsigned int res;

	mutex_lock(&ve_mutex);
	for_each_set_bit(res, &pending, VE_RES_SLOTS) {
		if (time_before(jiffies, ve->limit_next[res]))
			continue;
		ve->limit_next[res] = jiffies + VE_LIMIT_NTF_INTERVAL;
		ve_nl_notify_limit(ve, res);
	}
	mutex_unlock(&ve_mutex);
	ve_put(ve);
}

void ve_limit_hit(struct ve *ve, unsigned int res)
{
	/* Already pending: the queued work reports it. */
	if (test_and_set_bit(res, &ve->limit_pending))
		return;
	ve_get(ve);
	if (!ve_queue_work(&ve->limit_work))
		ve_put(ve);
}

void ve_ubc_setup(struct ve *ve)
{
	unsigned int i;

	INIT_WORK(&ve->limit_work, ve_limit_work);
	for (i = 0; i < VE_RES_SLOTS; i++)
		ve->limit_next[i] = jiffies;
}

/* OpenVZ prints "unlimited" as LONG_MAX; its tools expect that. */
static u64 ve_ubc_num(u64 v)
{
	return min_t(u64, v, LONG_MAX);
}

/*
 * OpenVZ's "Version: 2.5" layout, byte for byte: "%10s  %-12s" then five
 * "%20lu" columns, the "ID:" tag on each VE's first row, every resource
 * slot in ID order (unused slots as "dummy").
 */
int ve_ubc_show(struct seq_file *m, void *v)
{
	u32 self = ve_id_of_task(current);
	unsigned long id = 0;
	struct ve_res_val val;
	struct ve *ve;
	unsigned int r;

	seq_puts(m, "Version: 2.5\n");
	seq_printf(m, "%10s  %-12s %20s %20s %20s %20s %20s\n", "uid", "resource",
		   "held", "maxheld", "barrier", "limit", "failcnt");

	mutex_lock(&ve_mutex);
	while ((ve = ve_find_visible(&id, self))) {
		char tag[16];

		snprintf(tag, sizeof(tag), "%u:", ve->id);
		for (r = 0; r < VE_RES_SLOTS; r++) {
			ve_res_read(ve, r, &val);
			seq_printf(m, "%10s  %-12s %20llu %20llu %20llu %20llu %20llu\n",
				   r ? "" : tag, ve_res_name(r) ?: "dummy",
				   ve_ubc_num(val.held), ve_ubc_num(val.maxheld),
				   ve_ubc_num(val.barrier), ve_ubc_num(val.limit),
				   ve_ubc_num(val.failcnt));
		}
		id = ve->id + 1UL;
	}
	mutex_unlock(&ve_mutex);
	return 0;
}
