/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_NETLINK_H
#define _VE_NETLINK_H

#include <uapi/linux/ve.h>

struct ve;

int ve_genl_init(void);
void ve_genl_uninit(void);

/* Tell "events" listeners that @ve went from @old to its state now. */
void ve_nl_notify_state(const struct ve *ve, enum ve_state old);
/* Under ve_mutex: a charge of @res was refused (rate-limited by ubc.c). */
void ve_nl_notify_limit(const struct ve *ve, unsigned int res);

#endif /* _VE_NETLINK_H */
