/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_PROC_H
#define _VE_PROC_H

int ve_proc_init(void);
void ve_proc_uninit(void);

#endif /* _VE_PROC_H */
