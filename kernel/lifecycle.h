/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_LIFECYCLE_H
#define _VE_LIFECYCLE_H

#include <linux/types.h>

struct netlink_ext_ack;
struct pid;
struct ve;

/* Under ve_mutex: register a STOPPED VE; ERR_PTR(-EBUSY) if @id exists. */
struct ve *ve_create(u32 id);

/* Under ve_mutex. */
int ve_start(struct ve *ve, struct pid *pid, struct netlink_ext_ack *extack);
int ve_stop(struct ve *ve, struct netlink_ext_ack *extack);
unsigned int ve_num_tasks(const struct ve *ve);

#endif /* _VE_LIFECYCLE_H */
