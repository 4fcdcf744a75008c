/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_LIFECYCLE_H
#define _VE_LIFECYCLE_H

#include <linux/workqueue.h>

struct netlink_ext_ack;
struct pid;
struct ve;

int ve_lifecycle_init(void);
void ve_lifecycle_uninit(void);

void ve_lifecycle_setup(struct ve *ve);

/* Queue @work on ve.ko's workqueue, which module unload drains. */
bool ve_queue_work(struct work_struct *work);

/* Under ve_mutex. */
int ve_start(struct ve *ve, struct pid *pid, struct netlink_ext_ack *extack);
int ve_stop(struct ve *ve, struct netlink_ext_ack *extack);
unsigned int ve_num_tasks(const struct ve *ve);

#endif /* _VE_LIFECYCLE_H */
