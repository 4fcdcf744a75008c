// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vz, OpenVZ-compatible views of ve's state:
 *   veinfo - one line per running VE: "%10u %5u %5u" (VE ID, class, tasks),
 *            VE 0 (the host) first. A reader inside a VE sees only its own
 *            line.
 * and /proc/user_beancounters (ubc.c), OpenVZ's "Version: 2.5" table.
 */
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "lifecycle.h"
#include "proc.h"
#include "registry.h"
#include "tag.h"
#include "ubc.h"

static struct proc_dir_entry *ve_proc_dir;

static void veinfo_line(struct seq_file *m, u32 id, unsigned int tasks)
{
	/* OpenVZ: VE ID, VE class (always 0), task count, then IP addresses. */
	seq_printf(m, "%10u %5u %5u\n", id, 0, tasks);
}

static int veinfo_show(struct seq_file *m, void *v)
{
	u32 self = ve_id_of_task(current);
	unsigned long id = 0;
	struct ve *ve;

	if (!self)
		veinfo_line(m, 0, READ_ONCE(init_pid_ns.pid_allocated) & ~PIDNS_ADDING);

	mutex_lock(&ve_mutex);
	while ((ve = ve_find_visible(&id, self))) {
		if (ve->state != VE_STATE_STOPPED)
			veinfo_line(m, ve->id, ve_num_tasks(ve));
		id = ve->id + 1UL;
	}
	mutex_unlock(&ve_mutex);
	return 0;
}

int __init ve_proc_init(void)
{
	ve_proc_dir = proc_mkdir("vz", NULL);
	if (!ve_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("veinfo", 0444, ve_proc_dir, veinfo_show))
		goto err;
	if (!proc_create_single("user_beancounters", 0444, NULL, ve_ubc_show))
		goto err;
	return 0;
err:
	proc_remove(ve_proc_dir);
	return -ENOMEM;
}

void ve_proc_uninit(void)
{
	remove_proc_entry("user_beancounters", NULL);
	proc_remove(ve_proc_dir);
}
