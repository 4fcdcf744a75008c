/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_KFILE_H
#define _VE_KFILE_H

#include <linux/types.h>

struct cgroup;
struct file;

/* The largest kernel file read whole (a /proc/cpuinfo of 1000s of CPUs). */
#define VE_KFILE_MAX (8UL << 20)

int ve_kfile_init(void);
void ve_kfile_uninit(void);

/*
 * Read all of /proc/@name, or of file @name of cgroup @cgrp, into a new
 * NUL-terminated buffer (kvfree() it); its length, or -errno. Process
 * context; the file is opened with the kernel's credentials. @name, for
 * /proc: meminfo, cpuinfo, stat, loadavg, uptime or swaps.
 */
ssize_t ve_kfile_proc(const char *name, char **bufp);

/* /proc/@name of the host, opened for reading as the caller; fput() it. */
struct file *ve_kfile_open_proc(const char *name);
ssize_t ve_kfile_cgroup(struct cgroup *cgrp, const char *name, char **bufp);

#endif /* _VE_KFILE_H */
