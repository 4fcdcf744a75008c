/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_HOOKS_H
#define _VE_HOOKS_H

int ve_hooks_init(void);
void ve_hooks_uninit(void);

/*
 * A VE is about to start: the hooks are registered if they are not.
 * ve_hooks_put() when it has stopped; 0 or -errno.
 */
int ve_hooks_get(void);
void ve_hooks_put(void);

/* Nothing may be charged any more: the hooks go, a second later, if so. */
void ve_hooks_idle(void);

/* For the trampoline (hooks.c), which uses them from assembly. */
extern unsigned long ve_hook_rets[];
extern unsigned long ve_text_start, ve_text_end;
unsigned long ve_hook_filter(const unsigned long *args, unsigned long ret,
			     unsigned long parent);
void ve_hook_tramp(void);

#endif /* _VE_HOOKS_H */
