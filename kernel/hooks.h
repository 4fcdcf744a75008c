/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_HOOKS_H
#define _VE_HOOKS_H

int ve_hooks_init(void);
void ve_hooks_uninit(void);

#endif /* _VE_HOOKS_H */
