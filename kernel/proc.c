// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc/vz directory, where ve shows OpenVZ-compatible views of its
 * state. The files in it are added by the parts that own the state.
 */
#include <linux/proc_fs.h>

#include "proc.h"

static struct proc_dir_entry *ve_proc_dir;

int __init ve_proc_init(void)
{
	ve_proc_dir = proc_mkdir("vz", NULL);
	return ve_proc_dir ? 0 : -ENOMEM;
}

void ve_proc_uninit(void)
{
	proc_remove(ve_proc_dir);
}
