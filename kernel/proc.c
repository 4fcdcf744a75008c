// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vz, OpenVZ-compatible views of ve's state:
 *   veinfo - one line per running VE: "%10u %5u %5u" (VE ID, class, tasks)
 *            and its addresses, VE 0 (the host) first. A reader inside a
 *            VE sees only its own line.
 *   vznetstat - OpenVZ's "Version: 2.2" table of each VE's traffic, with
 *            one line per VE (class 0) and, after ve's own "Dropped"
 *            column, the packets the filter refused (net.c).
 * and /proc/user_beancounters (ubc.c), OpenVZ's "Version: 2.5" table.
 *
 * As on OpenVZ, only root reads them: on the host, a reader with
 * CAP_SYS_ADMIN; inside a VE, its root (capable in its own user
 * namespace), who sees only that VE. The files stay 0444 so that a VE's
 * root, not uid 0 of the host, can open them; the check is at open.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "lifecycle.h"
#include "net.h"
#include "proc.h"
#include "registry.h"
#include "tag.h"
#include "ubc.h"

static struct proc_dir_entry *ve_proc_dir;

static void veinfo_line(struct seq_file *m, u32 id, unsigned int tasks)
{
	/* OpenVZ: VE ID, VE class (always 0), task count, then IP addresses. */
	seq_printf(m, "%10u %5u %5u", id, 0, tasks);
}

static int veinfo_show(struct seq_file *m, void *v)
{
	u32 self = ve_id_of_task(current);
	unsigned long id = 0;
	struct ve *ve;

	if (!self) {
		veinfo_line(m, 0, READ_ONCE(init_pid_ns.pid_allocated) & ~PIDNS_ADDING);
		seq_putc(m, '\n');
	}

	mutex_lock(&ve_mutex);
	while ((ve = ve_find_visible(&id, self))) {
		if (ve->state != VE_STATE_STOPPED) {
			veinfo_line(m, ve->id, ve_num_tasks(ve));
			ve_net_show_addrs(m, ve);
			seq_putc(m, '\n');
		}
		id = ve->id + 1UL;
	}
	mutex_unlock(&ve_mutex);
	return 0;
}

static int vznetstat_show(struct seq_file *m, void *v)
{
	u32 self = ve_id_of_task(current);
	struct ve_net_totals t;
	unsigned long id = 0;
	struct ve *ve;

	seq_puts(m, "Version: 2.2\n");
	seq_printf(m, "%10s %9s %20s %20s %20s %20s %20s\n", "VEID", "Net.Class",
		   "Input(bytes)", "Input(pkts)", "Output(bytes)", "Output(pkts)",
		   "Dropped(pkts)");
	mutex_lock(&ve_mutex);
	while ((ve = ve_find_visible(&id, self))) {
		ve_net_read(ve, &t);
		seq_printf(m, "%10u %9u %20llu %20llu %20llu %20llu %20llu\n", ve->id,
			   0, t.in_bytes, t.in_packets, t.out_bytes, t.out_packets,
			   t.dropped);
		id = ve->id + 1UL;
	}
	mutex_unlock(&ve_mutex);
	return 0;
}

static bool ve_proc_may_read(void)
{
	if (ve_id_of_task(current))
		return ns_capable(current_user_ns(), CAP_SYS_ADMIN);
	return capable(CAP_SYS_ADMIN);
}

static int veinfo_open(struct inode *inode, struct file *file)
{
	return ve_proc_may_read() ? single_open(file, veinfo_show, NULL) : -EACCES;
}

static int vznetstat_open(struct inode *inode, struct file *file)
{
	return ve_proc_may_read() ? single_open(file, vznetstat_show, NULL) : -EACCES;
}

static int ubc_open(struct inode *inode, struct file *file)
{
	return ve_proc_may_read() ? single_open(file, ve_ubc_show, NULL) : -EACCES;
}

static const struct proc_ops veinfo_ops = {
	.proc_open	= veinfo_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static const struct proc_ops vznetstat_ops = {
	.proc_open	= vznetstat_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static const struct proc_ops ubc_ops = {
	.proc_open	= ubc_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

int __init ve_proc_init(void)
{
	ve_proc_dir = proc_mkdir("vz", NULL);
	if (!ve_proc_dir)
		return -ENOMEM;
	if (!proc_create("veinfo", 0444, ve_proc_dir, &veinfo_ops))
		goto err;
	if (!proc_create("vznetstat", 0444, ve_proc_dir, &vznetstat_ops))
		goto err;
	if (!proc_create("user_beancounters", 0444, NULL, &ubc_ops))
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
