/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_VPROC_H
#define _VE_VPROC_H

/* The "veproc" filesystem: VE-aware /proc files (vproc.c). */
struct sysinfo;

int ve_vproc_init(void);
void ve_vproc_uninit(void);

/* Put the caller's VE's figures into the sysinfo(2) answer at @uinfo. */
int ve_vproc_sysinfo(struct sysinfo __user *uinfo);

#endif /* _VE_VPROC_H */
