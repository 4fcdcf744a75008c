/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_NETLINK_H
#define _VE_NETLINK_H

int ve_genl_init(void);
void ve_genl_uninit(void);

#endif /* _VE_NETLINK_H */
