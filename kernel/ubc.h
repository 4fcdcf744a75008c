/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_UBC_H
#define _VE_UBC_H

#include <linux/atomic.h>
#include <linux/types.h>

#include <uapi/linux/ve.h>

#define VE_RES_SLOTS (VE_RES_MAX + 1)

struct seq_file;
struct ve;

/* Barrier and limit of one resource of one VE (written under ve_mutex). */
struct ve_res {
	u64 barrier;
	u64 limit;
};

/* What ve.ko counts itself: numproc, numfile, numtcpsock, numothersock. */
struct ve_counter {
	atomic64_t held;
	atomic64_t maxheld;
	atomic64_t failcnt;
};

/* One resource as reported: GET, /proc/user_beancounters, LIMIT_NTF. */
struct ve_res_val {
	u64 held;
	u64 maxheld;
	u64 barrier;
	u64 limit;
	u64 failcnt;
};

/* OpenVZ's name of resource @id ("numproc"), or NULL if ve has none. */
const char *ve_res_name(unsigned int id);

/* Set every resource of @res to unlimited. */
void ve_res_init(struct ve_res *res);

/*
 * The values of resource @id of @ve: counted ones from the counters,
 * memory from the VE's memory cgroup while it runs, else the stored
 * barrier and limit. Under ve_mutex.
 */
void ve_res_read(const struct ve *ve, unsigned int id, struct ve_res_val *val);

/* A charge of @res of @ve was refused: queue a LIMIT_NTF. Any context. */
void ve_limit_hit(struct ve *ve, unsigned int res);

/* Once per VE at NEW: its limit notification work. */
void ve_ubc_setup(struct ve *ve);

/* /proc/user_beancounters. */
int ve_ubc_show(struct seq_file *m, void *v);

#endif /* _VE_UBC_H */
