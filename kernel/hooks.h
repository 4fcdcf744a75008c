/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_HOOKS_H
#define _VE_HOOKS_H

int ve_hooks_init(void);
void ve_hooks_uninit(void);

/* For the trampoline (hooks.c), which calls it from assembly. */
unsigned long ve_hook_filter(const unsigned long *args, unsigned long ret,
			     unsigned long parent);
void ve_hook_tramp(void);

#endif /* _VE_HOOKS_H */
