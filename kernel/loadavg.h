/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VE_LOADAVG_H
#define _VE_LOADAVG_H

struct pid_namespace;
struct ve;

/* A VE's tasks (threads) now, as the kernel's load average counts them. */
struct ve_task_count {
	unsigned int total;
	unsigned int running;	/* TASK_RUNNING: on a CPU or waiting for one */
	unsigned int blocked;	/* uninterruptible sleep that counts as load */
};

/* Count the tasks whose pid lives in @ns (nested namespaces included). */
void ve_count_tasks(struct pid_namespace *ns, struct ve_task_count *c);

/* Under ve_mutex, at START: a new run's load starts at 0. */
void ve_loadavg_start(struct ve *ve);

/*
 * The VE's 1, 5 and 15 minute averages (FIXED_1 fixed point) plus
 * @offset, shifted left by @shift: the kernel's get_avenrun() for a VE.
 */
void ve_loadavg_get(const struct ve *ve, unsigned long loads[3],
		    unsigned long offset, int shift);

void ve_loadavg_uninit(void);

#endif /* _VE_LOADAVG_H */
