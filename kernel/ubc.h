/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_UBC_H
#define _VE_UBC_H

#include <linux/types.h>

#include <uapi/linux/ve.h>

#define VE_RES_SLOTS (VE_RES_MAX + 1)

/* Barrier and limit of one resource of one VE (written under ve_mutex). */
struct ve_res {
	u64 barrier;
	u64 limit;
};

/* OpenVZ's name of resource @id ("numproc"), or NULL if ve has none. */
const char *ve_res_name(unsigned int id);

/* Set every resource of @res to unlimited. */
void ve_res_init(struct ve_res *res);

#endif /* _VE_UBC_H */
