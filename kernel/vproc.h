/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_VPROC_H
#define _VE_VPROC_H

/* The "veproc" filesystem: VE-aware /proc files (vproc.c). */
struct sysinfo;
struct ve;

int ve_vproc_init(void);
void ve_vproc_uninit(void);

/* With the VE object (NEW, and its final put): what its views keep. */
int ve_vproc_setup(struct ve *ve);
void ve_vproc_free(struct ve *ve);

/* Put the caller's VE's figures into the sysinfo(2) answer at @uinfo. */
int ve_vproc_sysinfo(struct sysinfo __user *uinfo);

#endif /* _VE_VPROC_H */
