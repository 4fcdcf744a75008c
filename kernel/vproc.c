// SPDX-License-Identifier: GPL-2.0
/*
 * The "veproc" filesystem: VE-aware versions of /proc/meminfo, cpuinfo,
 * stat, loadavg, uptime, swaps and of /sys/devices/system/cpu/online.
 * vectl binds its files over the real ones in a VE's mount tree at start,
 * before the VE's user and mount namespaces are sealed, so that they are
 * locked there (Documentation/design.md, "What a VE sees").
 *
 * A file belongs to the VE of the task that opens it (its pid namespace,
 * as tag.c finds it). The open takes references on what the VE's view is
 * read from (its cgroup, memory cgroup and pid namespace) and notes which
 * run of the VE it is; a read after that run ended fails with ESTALE, and
 * never touches freed memory. A file opened by a task that belongs to no
 * VE is the real file: the open opens it, and reads go to it.
 *
 * What each file shows, and what is approximate, is in design.md. Every
 * view starts from the kernel's own files (kfile.c), so formats and the
 * lines ve does not virtualise are the running kernel's.
 *
 * Locking: the open snapshots the VE's binding under ve_mutex. Reads take
 * no ve lock: they use the references the open took, and the VE's load
 * averages and state through READ_ONCE().
 */
#include <linux/cgroup.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page_counter.h>
#include <linux/pid_namespace.h>
#include <linux/sched/loadavg.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "kfile.h"
#include "loadavg.h"
#include "registry.h"
#include "tag.h"
#include "vproc.h"

#define VE_VPROC_MAGIC 0x76657072	/* "vepr" */

/* The files, by inode number (simple_fill_super() starts at 2). */
enum {
	VP_MEMINFO = 2,
	VP_CPUINFO,
	VP_STAT,
	VP_LOADAVG,
	VP_UPTIME,
	VP_SWAPS,
	VP_CPU_ONLINE,
	VP_NR,
};

/* The real files behind them, for host readers (the last is sysfs's). */
static const char *const vp_proc_name[VP_NR] = {
	[VP_MEMINFO]	= "meminfo",
	[VP_CPUINFO]	= "cpuinfo",
	[VP_STAT]	= "stat",
	[VP_LOADAVG]	= "loadavg",
	[VP_UPTIME]	= "uptime",
	[VP_SWAPS]	= "swaps",
};

/* One open file: whose view it is, and what that view is read from. */
struct ve_vfile {
	struct ve			*ve;	/* NULL: a reader on the host */
	struct file			*real;	/* the host's: the real file */
	u64				run;	/* ve->start_time at open */
	struct cgroup			*cgrp;
	struct cgroup_subsys_state	*mem_css;	/* may be NULL */
	struct pid_namespace		*pid_ns;
};

/* The VE's CPUs: how many it may use, and which real ones stand for them. */
struct ve_vcpus {
	unsigned int	nr;
	cpumask_var_t	mask;	/* the first nr usable CPUs */
};

/* The value of "@key value" in a flat-keyed cgroup file, or @def. */
static u64 vp_keyed(const char *text, const char *key, u64 def)
{
	size_t len = strlen(key);
	const char *p = text;
	u64 v;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ' ' &&
		    sscanf(p + len + 1, "%llu", &v) == 1)
			return v;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return def;
}

/*
 * The CPUs a VE may use: those of its cpuset that are online, and no more
 * than its CPU bandwidth (cpu.max) amounts to, rounded up; at least one.
 */
static int vp_vcpus(struct ve_vfile *vf, struct ve_vcpus *v)
{
	unsigned long long quota, period;
	unsigned int cpu, limit;
	char *buf;

	if (!zalloc_cpumask_var(&v->mask, GFP_KERNEL))
		return -ENOMEM;
	cpumask_copy(v->mask, cpu_online_mask);
	if (ve_kfile_cgroup(vf->cgrp, "cpuset.cpus.effective", &buf) >= 0) {
		cpumask_var_t set;

		if (alloc_cpumask_var(&set, GFP_KERNEL)) {
			if (!cpulist_parse(strim(buf), set) &&
			    cpumask_intersects(set, cpu_online_mask))
				cpumask_and(v->mask, v->mask, set);
			free_cpumask_var(set);
		}
		kvfree(buf);
	}
	limit = nr_cpu_ids;
	if (ve_kfile_cgroup(vf->cgrp, "cpu.max", &buf) >= 0) {
		if (sscanf(buf, "%llu %llu", &quota, &period) == 2 && period)
			limit = max_t(unsigned long long, 1,
				      min_t(unsigned long long, nr_cpu_ids,
					    DIV_ROUND_UP_ULL(quota, period)));
		kvfree(buf);
	}
	v->nr = 0;
	for_each_cpu(cpu, v->mask) {
		if (v->nr == limit)
			cpumask_clear_cpu(cpu, v->mask);
		else
			v->nr++;
	}
	return 0;
}

/* meminfo: a line the VE's view replaces, and where its value comes from. */
enum vp_mem_src {
	VM_TOTAL, VM_FREE, VM_AVAIL, VM_ZERO, VM_SWAP_TOTAL, VM_SWAP_FREE,
	VM_STAT,	/* one memory.stat key, or the sum of two */
};

struct vp_mem_line {
	const char	*name;
	enum vp_mem_src	src;
	const char	*key, *key2;
};

static const struct vp_mem_line vp_mem_lines[] = {
	{ "MemTotal",		VM_TOTAL },
	{ "MemFree",		VM_FREE },
	{ "MemAvailable",	VM_AVAIL },
	{ "Buffers",		VM_ZERO },
	{ "Cached",		VM_STAT, "file" },
	{ "SwapCached",		VM_STAT, "swapcached" },
	{ "Active",		VM_STAT, "active_anon", "active_file" },
	{ "Inactive",		VM_STAT, "inactive_anon", "inactive_file" },
	{ "Active(anon)",	VM_STAT, "active_anon" },
	{ "Inactive(anon)",	VM_STAT, "inactive_anon" },
	{ "Active(file)",	VM_STAT, "active_file" },
	{ "Inactive(file)",	VM_STAT, "inactive_file" },
	{ "Unevictable",	VM_STAT, "unevictable" },
	{ "Mlocked",		VM_ZERO },
	{ "SwapTotal",		VM_SWAP_TOTAL },
	{ "SwapFree",		VM_SWAP_FREE },
	{ "Zswap",		VM_STAT, "zswap" },
	{ "Zswapped",		VM_STAT, "zswapped" },
	{ "Dirty",		VM_STAT, "file_dirty" },
	{ "Writeback",		VM_STAT, "file_writeback" },
	{ "AnonPages",		VM_STAT, "anon" },
	{ "Mapped",		VM_STAT, "file_mapped" },
	{ "Shmem",		VM_STAT, "shmem" },
	{ "KReclaimable",	VM_STAT, "slab_reclaimable" },
	{ "Slab",		VM_STAT, "slab_reclaimable", "slab_unreclaimable" },
	{ "SReclaimable",	VM_STAT, "slab_reclaimable" },
	{ "SUnreclaim",		VM_STAT, "slab_unreclaimable" },
	{ "KernelStack",	VM_STAT, "kernel_stack" },
	{ "PageTables",		VM_STAT, "pagetables" },
	{ "SecPageTables",	VM_STAT, "sec_pagetables" },
	{ "NFS_Unstable",	VM_ZERO },
	{ "Bounce",		VM_ZERO },
	{ "WritebackTmp",	VM_ZERO },
	{ "AnonHugePages",	VM_STAT, "anon_thp" },
	{ "ShmemHugePages",	VM_STAT, "shmem_thp" },
	{ "ShmemPmdMapped",	VM_ZERO },
	{ "FileHugePages",	VM_STAT, "file_thp" },
	{ "FilePmdMapped",	VM_ZERO },
};

/* The VE's memory, in kB. */
struct vp_mem {
	u64 total, free, avail, swap_total, swap_free;
	const char *stat;	/* memory.stat, in bytes */
};

static u64 vp_mem_value(const struct vp_mem *mem, const struct vp_mem_line *l)
{
	switch (l->src) {
	case VM_TOTAL:
		return mem->total;
	case VM_FREE:
		return mem->free;
	case VM_AVAIL:
		return mem->avail;
	case VM_SWAP_TOTAL:
		return mem->swap_total;
	case VM_SWAP_FREE:
		return mem->swap_free;
	case VM_STAT:
		return (vp_keyed(mem->stat, l->key, 0) +
			(l->key2 ? vp_keyed(mem->stat, l->key2, 0) : 0)) >> 10;
	case VM_ZERO:
		break;
	}
	return 0;
}

/* The value, in kB, of line @name of the real meminfo. */
static u64 vp_meminfo_kb(const char *real, const char *name)
{
	const char *p = real;
	size_t len = strlen(name);
	u64 v;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ':' &&
		    sscanf(p + len + 1, "%llu", &v) == 1)
			return v;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static void vp_mem_read(struct ve_vfile *vf, const char *real, struct vp_mem *mem)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(vf->mem_css);
	u64 host_kb = (u64)totalram_pages() << (PAGE_SHIFT - 10);
	u64 max_kb = (u64)READ_ONCE(memcg->memory.max) << (PAGE_SHIFT - 10);
	u64 used_kb = (u64)page_counter_read(&memcg->memory) << (PAGE_SHIFT - 10);
	u64 swap_max = READ_ONCE(memcg->swap.max);
	u64 swap_used = (u64)page_counter_read(&memcg->swap) << (PAGE_SHIFT - 10);
	u64 reclaimable;

	mem->total = min(max_kb, host_kb);
	mem->free = mem->total - min(used_kb, mem->total);
	reclaimable = (vp_keyed(mem->stat, "active_file", 0) +
		       vp_keyed(mem->stat, "inactive_file", 0) +
		       vp_keyed(mem->stat, "slab_reclaimable", 0)) >> 10;
	mem->avail = min(mem->total, mem->free + reclaimable);
	/* The VE's swap entitlement; the host's when it has none of its own. */
	if (swap_max >= PAGE_COUNTER_MAX)
		mem->swap_total = vp_meminfo_kb(real, "SwapTotal");
	else
		mem->swap_total = swap_max << (PAGE_SHIFT - 10);
	mem->swap_free = mem->swap_total - min(swap_used, mem->swap_total);
}

static int vp_meminfo(struct seq_file *m, struct ve_vfile *vf)
{
	const char *line, *end;
	struct vp_mem mem;
	char *real, *stat;
	ssize_t n;
	size_t i;

	n = ve_kfile_proc("meminfo", &real);
	if (n < 0)
		return n;
	/* No memory cgroup of its own: the host's figures are the VE's. */
	if (!vf->mem_css ||
	    ve_kfile_cgroup(vf->mem_css->cgroup, "memory.stat", &stat) < 0) {
		seq_write(m, real, n);
		kvfree(real);
		return 0;
	}
	mem.stat = stat;
	vp_mem_read(vf, real, &mem);
	for (line = real; *line; line = end) {
		const char *colon = strchr(line, ':');

		end = strchrnul(line, '\n');
		if (*end)
			end++;
		for (i = 0; colon && colon < end && i < ARRAY_SIZE(vp_mem_lines); i++) {
			const struct vp_mem_line *l = &vp_mem_lines[i];

			if (strlen(l->name) == colon - line &&
			    !strncmp(line, l->name, colon - line))
				break;
		}
		if (colon && colon < end && i < ARRAY_SIZE(vp_mem_lines))
			/* The kernel's layout: the label in 16 columns, 8 digits. */
			seq_printf(m, "%s:%*s%8llu kB\n", vp_mem_lines[i].name,
				   (int)(15 - strlen(vp_mem_lines[i].name)), "",
				   vp_mem_value(&mem, &vp_mem_lines[i]));
		else
			seq_write(m, line, end - line);
	}
	kvfree(stat);
	kvfree(real);
	return 0;
}

/*
 * cpuinfo: the real file's blocks of the VE's CPUs, numbered from 0. Each
 * block starts with its "processor" line and ends with an empty line.
 */
static int vp_cpuinfo(struct seq_file *m, struct ve_vfile *vf)
{
	unsigned int cpu, shown = 0;
	struct ve_vcpus v;
	const char *p, *next, *rest;
	char *real;
	ssize_t n;
	int err;

	err = vp_vcpus(vf, &v);
	if (err)
		return err;
	n = ve_kfile_proc("cpuinfo", &real);
	if (n < 0) {
		free_cpumask_var(v.mask);
		return n;
	}
	for (p = real; *p; p = next) {
		next = strstr(p, "\n\n");
		next = next ? next + 2 : p + strlen(p);
		if (sscanf(p, "processor : %u", &cpu) != 1 ||
		    cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, v.mask))
			continue;
		rest = strchrnul(p, '\n');
		seq_printf(m, "processor\t: %u", shown++);
		seq_write(m, rest, next - rest);
	}
	kvfree(real);
	free_cpumask_var(v.mask);
	return 0;
}

/* The VE's CPU time (cpu.stat, microseconds): used, user and system. */
struct vp_cputime {
	u64 usage, user, system;
};

static int vp_cputime(struct ve_vfile *vf, struct vp_cputime *t)
{
	char *buf;
	ssize_t n;

	n = ve_kfile_cgroup(vf->cgrp, "cpu.stat", &buf);
	if (n < 0)
		return n;
	t->usage = vp_keyed(buf, "usage_usec", 0);
	t->user = vp_keyed(buf, "user_usec", 0);
	t->system = vp_keyed(buf, "system_usec", 0);
	kvfree(buf);
	return 0;
}

/* The uptime the reader sees (its time namespace), in ns. */
static u64 vp_uptime_ns(void)
{
	struct timespec64 ts;

	ktime_get_boottime_ts64(&ts);
	timens_add_boottime(&ts);
	return timespec64_to_ns(&ts);
}

/* Idle time of @nr CPUs over @uptime_ns, less what the VE used. */
static u64 vp_idle_ns(unsigned int nr, u64 uptime_ns, const struct vp_cputime *t)
{
	u64 all = nr * uptime_ns, used = t->usage * NSEC_PER_USEC;

	return all > used ? all - used : 0;
}

static u64 vp_usec_to_clock_t(u64 usec)
{
	return div_u64(usec, USEC_PER_SEC / USER_HZ);
}

static void vp_stat_cpu(struct seq_file *m, const char *name, u64 user, u64 system,
			u64 idle)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	seq_printf(m, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name,
		   vp_usec_to_clock_t(user), vp_usec_to_clock_t(system),
		   vp_usec_to_clock_t(idle));
}

/*
 * stat: the VE's CPU time, evenly over its CPUs (cgroup v2 keeps no
 * per-CPU figures of a subtree), its running and blocked tasks; the other
 * lines (interrupts, context switches, btime in the reader's time
 * namespace, forks) are the real file's.
 */
static int vp_stat(struct seq_file *m, struct ve_vfile *vf)
{
	struct ve_task_count tasks;
	struct vp_cputime t;
	const char *line, *end;
	struct ve_vcpus v;
	u64 idle;
	char *real, name[16];
	ssize_t n;
	int err;

	err = vp_cputime(vf, &t);
	if (err)
		return err;
	err = vp_vcpus(vf, &v);
	if (err)
		return err;
	n = ve_kfile_proc("stat", &real);
	if (n < 0) {
		free_cpumask_var(v.mask);
		return n;
	}
	idle = div_u64(vp_idle_ns(v.nr, vp_uptime_ns(), &t), NSEC_PER_USEC);
	vp_stat_cpu(m, "cpu ", t.user, t.system, idle);
	for (unsigned int i = 0; i < v.nr; i++) {
		snprintf(name, sizeof(name), "cpu%u", i);
		vp_stat_cpu(m, name, div_u64(t.user, v.nr), div_u64(t.system, v.nr),
			    div_u64(idle, v.nr));
	}
	ve_count_tasks(vf->pid_ns, &tasks);
	for (line = real; *line; line = end) {
		end = strchrnul(line, '\n');
		if (*end)
			end++;
		if (!strncmp(line, "cpu", 3))
			continue;
		if (!strncmp(line, "procs_running ", 14))
			seq_printf(m, "procs_running %u\n", tasks.running);
		else if (!strncmp(line, "procs_blocked ", 14))
			seq_printf(m, "procs_blocked %u\n", tasks.blocked);
		else
			seq_write(m, line, end - line);
	}
	kvfree(real);
	free_cpumask_var(v.mask);
	return 0;
}

static int vp_loadavg(struct seq_file *m, struct ve_vfile *vf)
{
	struct ve_task_count tasks;
	unsigned long loads[3];

	/* Rounded to the hundredths shown, as /proc/loadavg does. */
	ve_loadavg_get(vf->ve, loads, FIXED_1 / 200, 0);
	ve_count_tasks(vf->pid_ns, &tasks);
	seq_printf(m, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %u\n",
		   LOAD_INT(loads[0]), LOAD_FRAC(loads[0]),
		   LOAD_INT(loads[1]), LOAD_FRAC(loads[1]),
		   LOAD_INT(loads[2]), LOAD_FRAC(loads[2]),
		   tasks.running, tasks.total, idr_get_cursor(&vf->pid_ns->idr) - 1);
	return 0;
}

/* uptime: the reader's (the VE's time namespace), idle of the VE's CPUs. */
static int vp_uptime(struct seq_file *m, struct ve_vfile *vf)
{
	struct timespec64 up, idle;
	struct vp_cputime t;
	struct ve_vcpus v;
	u64 up_ns = vp_uptime_ns();
	int err;

	err = vp_cputime(vf, &t);
	if (!err)
		err = vp_vcpus(vf, &v);
	if (err)
		return err;
	up = ns_to_timespec64(up_ns);
	idle = ns_to_timespec64(vp_idle_ns(v.nr, up_ns, &t));
	free_cpumask_var(v.mask);
	seq_printf(m, "%llu.%02lu %llu.%02lu\n", (u64)up.tv_sec,
		   up.tv_nsec / (NSEC_PER_SEC / 100), (u64)idle.tv_sec,
		   idle.tv_nsec / (NSEC_PER_SEC / 100));
	return 0;
}

/* swaps: one line for the VE's swap, when it has any, as the kernel lays out. */
static int vp_swaps(struct seq_file *m, struct ve_vfile *vf)
{
	struct vp_mem mem = { .stat = "" };
	char *real;
	ssize_t n;

	seq_puts(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (!vf->mem_css)
		return 0;
	n = ve_kfile_proc("meminfo", &real);
	if (n < 0)
		return n;
	vp_mem_read(vf, real, &mem);
	kvfree(real);
	if (mem.swap_total)
		seq_printf(m, "%-40s%s\t%llu\t%s%llu\t%s%d\n", "none", "partition",
			   mem.swap_total, mem.swap_total < 10000000 ? "\t" : "",
			   mem.swap_total - mem.swap_free,
			   mem.swap_total - mem.swap_free < 10000000 ? "\t" : "", -2);
	return 0;
}

/* /sys/devices/system/cpu/online: the VE's CPUs are 0 to nr - 1. */
static int vp_cpu_online(struct seq_file *m, struct ve_vfile *vf)
{
	struct ve_vcpus v;
	int err;

	if (!vf->ve) {
		seq_printf(m, "%*pbl\n", cpumask_pr_args(cpu_online_mask));
		return 0;
	}
	err = vp_vcpus(vf, &v);
	if (err)
		return err;
	free_cpumask_var(v.mask);
	if (v.nr > 1)
		seq_printf(m, "0-%u\n", v.nr - 1);
	else
		seq_puts(m, "0\n");
	return 0;
}

static int vp_show(struct seq_file *m, void *unused)
{
	unsigned long ino = file_inode(m->file)->i_ino;
	struct ve_vfile *vf = m->private;

	if (!vf->ve)
		return vp_cpu_online(m, vf);	/* the rest are read from vf->real */
	/* Only the run of the VE the file was opened in. */
	if (READ_ONCE(vf->ve->state) == VE_STATE_STOPPED ||
	    READ_ONCE(vf->ve->start_time) != vf->run)
		return -ESTALE;

	switch (ino) {
	case VP_MEMINFO:
		return vp_meminfo(m, vf);
	case VP_CPUINFO:
		return vp_cpuinfo(m, vf);
	case VP_STAT:
		return vp_stat(m, vf);
	case VP_LOADAVG:
		return vp_loadavg(m, vf);
	case VP_UPTIME:
		return vp_uptime(m, vf);
	case VP_SWAPS:
		return vp_swaps(m, vf);
	case VP_CPU_ONLINE:
		return vp_cpu_online(m, vf);
	}
	return -EINVAL;
}

/*
 * Whose view the caller gets: its VE's, with references on what the view
 * is read from, or (vf->ve NULL) the host's. The binding changes under
 * ve_mutex only, so it holds while we look.
 */
static void vp_snapshot(struct ve_vfile *vf)
{
	struct ve *ve;

	mutex_lock(&ve_mutex);
	rcu_read_lock();
	ve = ve_of_task(current);
	rcu_read_unlock();
	if (ve && ve->state != VE_STATE_STOPPED) {
		ve_get(ve);
		vf->ve = ve;
		vf->run = ve->start_time;
		vf->cgrp = ve->cgrp;
		cgroup_get(vf->cgrp);
		vf->mem_css = ve->mem_css;
		if (vf->mem_css)
			css_get(vf->mem_css);
		vf->pid_ns = get_pid_ns(ve->pid_ns);
	}
	mutex_unlock(&ve_mutex);
}

static void vp_release_snapshot(struct ve_vfile *vf)
{
	if (vf->real)
		fput(vf->real);
	if (vf->ve) {
		put_pid_ns(vf->pid_ns);
		if (vf->mem_css)
			css_put(vf->mem_css);
		cgroup_put(vf->cgrp);
		ve_put(vf->ve);
	}
}

static int vp_open(struct inode *inode, struct file *file)
{
	struct ve_vfile *vf;
	int err;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL_ACCOUNT);
	if (!vf)
		return -ENOMEM;
	vp_snapshot(vf);
	if (!vf->ve && inode->i_ino != VP_CPU_ONLINE) {
		vf->real = ve_kfile_open_proc(vp_proc_name[inode->i_ino]);
		if (IS_ERR(vf->real)) {
			err = PTR_ERR(vf->real);
			kfree(vf);
			return err;
		}
	}
	err = single_open(file, vp_show, vf);
	if (err) {
		vp_release_snapshot(vf);
		kfree(vf);
	}
	return err;
}

static int vp_release(struct inode *inode, struct file *file)
{
	struct ve_vfile *vf = ((struct seq_file *)file->private_data)->private;

	vp_release_snapshot(vf);
	kfree(vf);
	return single_release(inode, file);
}

/*
 * sysinfo(2), as the hook on it (hooks.c) finishes it for a caller in a
 * VE: the VE's memory, swap, load and tasks in place of the host's, as
 * its /proc/meminfo and loadavg show them. The uptime is the caller's
 * time namespace's already.
 */
int ve_vproc_sysinfo(struct sysinfo __user *uinfo)
{
	struct ve_vfile vf = { };
	struct ve_task_count tasks;
	unsigned long loads[3];
	struct vp_mem mem;
	struct sysinfo info;
	char *real, *stat;
	u32 unit;
	int err = 0;

	vp_snapshot(&vf);
	if (!vf.ve || !vf.mem_css)
		goto out;
	err = -EFAULT;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		goto out;
	ve_loadavg_get(vf.ve, loads, 0, SI_LOAD_SHIFT - FSHIFT);
	for (int i = 0; i < 3; i++)
		info.loads[i] = loads[i];
	ve_count_tasks(vf.pid_ns, &tasks);
	info.procs = min_t(unsigned int, tasks.total, USHRT_MAX);

	err = ve_kfile_proc("meminfo", &real);
	if (err < 0)
		goto out;
	mem.stat = "";
	if (ve_kfile_cgroup(vf.mem_css->cgroup, "memory.stat", &stat) >= 0)
		mem.stat = stat;
	vp_mem_read(&vf, real, &mem);
	/* The kernel's unit: a page, or bytes when the sizes fit. */
	unit = info.mem_unit ?: 1;
	info.totalram = div_u64(mem.total << 10, unit);
	info.freeram = div_u64(mem.free << 10, unit);
	info.sharedram = div_u64(vp_keyed(mem.stat, "shmem", 0), unit);
	info.bufferram = 0;
	info.totalswap = div_u64(mem.swap_total << 10, unit);
	info.freeswap = div_u64(mem.swap_free << 10, unit);
	info.totalhigh = 0;
	info.freehigh = 0;
	if (*mem.stat)
		kvfree(stat);
	kvfree(real);
	err = copy_to_user(uinfo, &info, sizeof(info)) ? -EFAULT : 0;
out:
	vp_release_snapshot(&vf);
	return err;
}

/*
 * Read the real file into the host reader's own buffer. Most proc files
 * have read_iter; the few with only read (/proc/swaps) get the first
 * segment of the reader's buffer, a short read as read(2) allows.
 * vfs_iter_read() would loop over ->read itself, but 6.1's loop takes any
 * iterator for an iovec array, and read(2) passes a ubuf one.
 */
static ssize_t vp_read_real(struct file *real, struct iov_iter *to, loff_t *pos)
{
	ssize_t n;

	if (real->f_op->read_iter)
		return vfs_iter_read(real, to, pos, 0);
	if (!real->f_op->read || !(iter_is_ubuf(to) || iter_is_iovec(to)))
		return -EINVAL;
	n = real->f_op->read(real, ve_iter_addr(to), ve_iter_len(to), pos);
	if (n > 0)
		iov_iter_advance(to, n);
	return n;
}

static ssize_t vp_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct seq_file *m = iocb->ki_filp->private_data;
	struct ve_vfile *vf = m->private;

	if (vf->real)
		return vp_read_real(vf->real, to, &iocb->ki_pos);
	return seq_read_iter(iocb, to);
}

static loff_t vp_llseek(struct file *file, loff_t offset, int whence)
{
	struct ve_vfile *vf = ((struct seq_file *)file->private_data)->private;

	return vf->real ? default_llseek(file, offset, whence) :
			  seq_lseek(file, offset, whence);
}

static const struct file_operations vp_fops = {
	.owner		= THIS_MODULE,
	.open		= vp_open,
	.read_iter	= vp_read_iter,
	.llseek		= vp_llseek,
	.release	= vp_release,
};

static int vp_fill_super(struct super_block *sb, struct fs_context *fc)
{
	static const struct tree_descr files[] = {
		[VP_MEMINFO]	= { "meminfo", &vp_fops, 0444 },
		[VP_CPUINFO]	= { "cpuinfo", &vp_fops, 0444 },
		[VP_STAT]	= { "stat", &vp_fops, 0444 },
		[VP_LOADAVG]	= { "loadavg", &vp_fops, 0444 },
		[VP_UPTIME]	= { "uptime", &vp_fops, 0444 },
		[VP_SWAPS]	= { "swaps", &vp_fops, 0444 },
		[VP_CPU_ONLINE]	= { "cpu_online", &vp_fops, 0444 },
		{ "" }
	};

	return simple_fill_super(sb, VE_VPROC_MAGIC, files);
}

static int vp_get_tree(struct fs_context *fc)
{
	/* The files hold no state: every mount shares one superblock. */
	return get_tree_single(fc, vp_fill_super);
}

static const struct fs_context_operations vp_context_ops = {
	.get_tree	= vp_get_tree,
};

static int vp_init_fs_context(struct fs_context *fc)
{
	fc->ops = &vp_context_ops;
	return 0;
}

/* Not FS_USERNS_MOUNT: only the host's root mounts it. */
static struct file_system_type vp_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "veproc",
	.init_fs_context	= vp_init_fs_context,
	.kill_sb		= kill_litter_super,
};

int __init ve_vproc_init(void)
{
	int err;

	err = ve_kfile_init();
	if (err)
		return err;
	err = register_filesystem(&vp_fs_type);
	if (err)
		ve_kfile_uninit();
	return err;
}

void ve_vproc_uninit(void)
{
	unregister_filesystem(&vp_fs_type);
	ve_kfile_uninit();
}
