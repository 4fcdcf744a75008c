// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VE load averages, computed as the kernel computes the host's: every
 * LOAD_FREQ (5 s) the number of a VE's tasks that are runnable or in an
 * uninterruptible sleep is folded into three exponential averages with
 * the kernel's own constants (calc_load(), EXP_1/5/15).
 *
 * A VE's tasks are the pids of its pid namespace: every task of the VE,
 * nested namespaces included, has one there. Counting walks that
 * namespace's pid IDR under RCU, as /proc's readdir does, so the cost is
 * the VE's own tasks, never the host's.
 *
 * The sampler is a delayed work on ve.ko's workqueue. It runs only while
 * some VE is running: START queues it, and it stops requeueing itself
 * when it finds none. It reads the registry under ve_mutex; the averages
 * are written there and read locklessly (READ_ONCE) by vproc.c.
 */
#include <linux/idr.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/loadavg.h>
#include <linux/workqueue.h>

#include "loadavg.h"
#include "registry.h"

static void ve_loadavg_sample(struct work_struct *work);
static DECLARE_DELAYED_WORK(ve_loadavg_work, ve_loadavg_sample);

void ve_count_tasks(struct pid_namespace *ns, struct ve_task_count *c)
{
	struct task_struct *task;
	unsigned int state;
	struct pid *pid;
	int nr = 0;

	memset(c, 0, sizeof(*c));
	rcu_read_lock();
	for (; (pid = idr_get_next(&ns->idr, &nr)); nr++) {
		task = pid_task(pid, PIDTYPE_PID);
		if (!task)
			continue;
		c->total++;
		state = READ_ONCE(task->__state);
		if (state == TASK_RUNNING)
			c->running++;
		else if ((state & TASK_UNINTERRUPTIBLE) &&
			 !(state & (TASK_NOLOAD | TASK_FROZEN)))
			c->blocked++;
	}
	rcu_read_unlock();
}

static void ve_loadavg_sample(struct work_struct *work)
{
	static const unsigned long exp[3] = { EXP_1, EXP_5, EXP_15 };
	struct ve_task_count c;
	unsigned long id = 0;
	bool running = false;
	struct ve *ve;

	mutex_lock(&ve_mutex);
	while ((ve = ve_find_from(&id))) {
		if (ve->state != VE_STATE_STOPPED) {
			ve_count_tasks(ve->pid_ns, &c);
			for (int i = 0; i < 3; i++)
				WRITE_ONCE(ve->avenrun[i],
					   calc_load(ve->avenrun[i], exp[i],
						     (c.running + c.blocked) * FIXED_1));
			running = true;
		}
		id = ve->id + 1UL;
	}
	if (running)
		ve_queue_delayed_work(&ve_loadavg_work, LOAD_FREQ);
	mutex_unlock(&ve_mutex);
}

void ve_loadavg_start(struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	for (int i = 0; i < 3; i++)
		WRITE_ONCE(ve->avenrun[i], 0);
	/* A no-op while a sample is pending; a running one requeues. */
	ve_queue_delayed_work(&ve_loadavg_work, LOAD_FREQ);
}

void ve_loadavg_get(const struct ve *ve, unsigned long loads[3],
		    unsigned long offset, int shift)
{
	for (int i = 0; i < 3; i++)
		loads[i] = (READ_ONCE(ve->avenrun[i]) + offset) << shift;
}

/* Unload: no VE runs, so a sample finds none and does not requeue. */
void ve_loadavg_uninit(void)
{
	cancel_delayed_work_sync(&ve_loadavg_work);
}
