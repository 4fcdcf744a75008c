/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_VPROC_H
#define _VE_VPROC_H

/* The "veproc" filesystem: VE-aware /proc files (vproc.c). */
int ve_vproc_init(void);
void ve_vproc_uninit(void);

#endif /* _VE_VPROC_H */
