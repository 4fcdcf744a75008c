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
 * Locking: the open finds the VE and takes its references under RCU (the
 * binding outlives unbinding's grace period). Reads take no ve-wide lock:
 * they use those references, the VE's load averages and state through
 * READ_ONCE(), and the figures cached per VE under its vproc->lock. A
 * read renders under the file's own lock (vf->lock), then vproc->lock;
 * the kernel files the figures come from are read under neither of the
 * per-VE locks, and the views are not seq_files: a seq_file's lock is of
 * one class for every file, and the views read the kernel's seq_files.
 */
#include <linux/cgroup.h>
#include <linux/cgroup-defs.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
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
	struct mutex			lock;	/* text and len */
	char				*text;	/* the view, as of the last read at 0 */
	size_t				len;
	struct ve			*ve;	/* NULL: a reader on the host */
	struct file			*real;	/* the host's: the real file */
	u64				run;	/* ve->start_time at open */
	struct cgroup			*cgrp;
	struct cgroup_subsys_state	*mem_css;	/* may be NULL */
	struct pid_namespace		*pid_ns;
};

/*
 * What the views read from the VE's cgroup files, kept for up to a second
 * (VP_CACHE_TTL) per VE: reading memory.stat costs more than a whole
 * /proc/meminfo, and the kernel's own memcg statistics lag by up to two
 * seconds anyway. Usage, limits and CPU time are read live.
 */
#define VP_CACHE_TTL HZ

/* The memory.stat keys the views use, in bytes. */
enum {
	VS_ANON, VS_FILE, VS_KERNEL_STACK, VS_PAGETABLES, VS_SEC_PAGETABLES,
	VS_SHMEM, VS_ZSWAP, VS_ZSWAPPED, VS_FILE_MAPPED, VS_FILE_DIRTY,
	VS_FILE_WRITEBACK, VS_SWAPCACHED, VS_ANON_THP, VS_FILE_THP, VS_SHMEM_THP,
	VS_INACTIVE_ANON, VS_ACTIVE_ANON, VS_INACTIVE_FILE, VS_ACTIVE_FILE,
	VS_UNEVICTABLE, VS_SLAB_RECLAIMABLE, VS_SLAB_UNRECLAIMABLE,
	VS_NR, VS_NONE = VS_NR,
};

static const char *const vp_stat_keys[VS_NR] = {
	[VS_ANON] = "anon", [VS_FILE] = "file", [VS_KERNEL_STACK] = "kernel_stack",
	[VS_PAGETABLES] = "pagetables", [VS_SEC_PAGETABLES] = "sec_pagetables",
	[VS_SHMEM] = "shmem", [VS_ZSWAP] = "zswap", [VS_ZSWAPPED] = "zswapped",
	[VS_FILE_MAPPED] = "file_mapped", [VS_FILE_DIRTY] = "file_dirty",
	[VS_FILE_WRITEBACK] = "file_writeback", [VS_SWAPCACHED] = "swapcached",
	[VS_ANON_THP] = "anon_thp", [VS_FILE_THP] = "file_thp",
	[VS_SHMEM_THP] = "shmem_thp", [VS_INACTIVE_ANON] = "inactive_anon",
	[VS_ACTIVE_ANON] = "active_anon", [VS_INACTIVE_FILE] = "inactive_file",
	[VS_ACTIVE_FILE] = "active_file", [VS_UNEVICTABLE] = "unevictable",
	[VS_SLAB_RECLAIMABLE] = "slab_reclaimable",
	[VS_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
};

/* What the views read from files, as of one moment. */
struct vp_figures {
	u64		stat[VS_NR];	/* memory.stat */
	char		*meminfo;	/* the host's /proc/meminfo, or NULL */
	u64		host_swap_kb;	/* its SwapTotal */
	unsigned int	cpu_limit;	/* whole CPUs cpu.max allows, rounded up */
	struct cpumask	cpus;		/* cpuset.cpus.effective, online ones */
};

/* Per VE, from NEW (ve_vproc_setup()) to its free. */
struct ve_vproc {
	struct mutex		lock;	/* the fields below */
	u64			run;	/* the run the figures are of */
	unsigned long		stamp;	/* jiffies when read */
	struct vp_figures	*fig;	/* NULL until first read */
};

static void vp_free_figures(struct vp_figures *fig)
{
	if (fig)
		kvfree(fig->meminfo);
	kfree(fig);
}

/*
 * Read the figures of @vf's VE. No lock is held: reading a kernel file
 * takes that file's seq_file lock, and a view's readers hold the VE's.
 */
static struct vp_figures *vp_read_figures(struct ve_vfile *vf)
{
	unsigned long long quota, period;
	struct vp_figures *fig;
	char *buf, *line;

	fig = kzalloc(sizeof(*fig), GFP_KERNEL);
	if (!fig)
		return NULL;
	if (vf->mem_css &&
	    ve_kfile_cgroup(vf->mem_css->cgroup, "memory.stat", &buf) >= 0) {
		for (line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			size_t len = strcspn(line, "\t\n ");

			for (int i = 0; i < VS_NR; i++)
				if (strlen(vp_stat_keys[i]) == len &&
				    !strncmp(line, vp_stat_keys[i], len) &&
				    sscanf(line + len, " %llu", &fig->stat[i]) == 1)
					break;
		}
		kvfree(buf);
	}
	if (ve_kfile_proc("meminfo", &fig->meminfo) >= 0) {
		line = strstr(fig->meminfo, "\nSwapTotal:");
		if (!line || sscanf(line, "\nSwapTotal: %llu", &fig->host_swap_kb) != 1)
			fig->host_swap_kb = 0;
	} else {
		fig->meminfo = NULL;
	}
	fig->cpu_limit = UINT_MAX;
	if (ve_kfile_cgroup(vf->cgrp, "cpu.max", &buf) >= 0) {
		if (sscanf(buf, "%llu %llu", &quota, &period) == 2 && period)
			fig->cpu_limit = max_t(unsigned long long, 1,
					       min_t(unsigned long long, nr_cpu_ids,
						     DIV_ROUND_UP_ULL(quota, period)));
		kvfree(buf);
	}
	cpumask_copy(&fig->cpus, cpu_online_mask);
	if (ve_kfile_cgroup(vf->cgrp, "cpuset.cpus.effective", &buf) >= 0) {
		cpumask_var_t set;

		if (alloc_cpumask_var(&set, GFP_KERNEL)) {
			if (!cpulist_parse(strim(buf), set) &&
			    cpumask_intersects(set, cpu_online_mask))
				cpumask_and(&fig->cpus, &fig->cpus, set);
			free_cpumask_var(set);
		}
		kvfree(buf);
	}
	return fig;
}

/*
 * The figures of @vf's VE, read again if older than a second, with the
 * VE's vproc->lock held: vp_put_cached() when done. NULL (nothing held)
 * when they could never be read: out of memory.
 */
static struct vp_figures *vp_get_cached(struct ve_vfile *vf)
{
	struct ve_vproc *vp = vf->ve->vproc;
	struct vp_figures *fig;

	mutex_lock(&vp->lock);
	if (vp->fig && vp->run == vf->run &&
	    time_before(jiffies, vp->stamp + VP_CACHE_TTL))
		return vp->fig;
	mutex_unlock(&vp->lock);

	/* Two readers may both read; the later one's figures stay. */
	fig = vp_read_figures(vf);
	mutex_lock(&vp->lock);
	if (fig) {
		vp_free_figures(vp->fig);
		vp->fig = fig;
		vp->run = vf->run;
		vp->stamp = jiffies;
	}
	if (!vp->fig) {
		mutex_unlock(&vp->lock);
		return NULL;
	}
	return vp->fig;
}

static void vp_put_cached(struct ve_vfile *vf)
{
	mutex_unlock(&vf->ve->vproc->lock);
}

int ve_vproc_setup(struct ve *ve)
{
	ve->vproc = kzalloc(sizeof(*ve->vproc), GFP_KERNEL_ACCOUNT);
	if (!ve->vproc)
		return -ENOMEM;
	mutex_init(&ve->vproc->lock);
	return 0;
}

void ve_vproc_free(struct ve *ve)
{
	if (!ve->vproc)
		return;
	mutex_destroy(&ve->vproc->lock);
	vp_free_figures(ve->vproc->fig);
	kfree(ve->vproc);
}

/*
 * The VE's CPUs: those of its cpuset that are online, no more than its
 * CPU bandwidth (cpu.max) amounts to, rounded up; at least one. @mask, if
 * given, gets the first nr of them: the real CPUs that stand for the VE's.
 */
static unsigned int vp_vcpus(struct ve_vfile *vf, struct cpumask *mask)
{
	struct vp_figures *fig = vp_get_cached(vf);
	const struct cpumask *cpus = fig ? &fig->cpus : cpu_online_mask;
	unsigned int cpu, nr = 0, limit = fig ? fig->cpu_limit : UINT_MAX;

	if (mask)
		cpumask_clear(mask);
	for_each_cpu(cpu, cpus) {
		if (nr == limit)
			break;
		if (mask)
			cpumask_set_cpu(cpu, mask);
		nr++;
	}
	if (fig)
		vp_put_cached(vf);
	return nr ?: 1;
}

/* meminfo: a line the VE's view replaces, and where its value comes from. */
enum vp_mem_src {
	VM_TOTAL, VM_FREE, VM_AVAIL, VM_ZERO, VM_SWAP_TOTAL, VM_SWAP_FREE,
	VM_STAT,	/* one memory.stat key, or the sum of two */
};

struct vp_mem_line {
	const char	*name;
	enum vp_mem_src	src;
	int		key, key2;
};

static const struct vp_mem_line vp_mem_lines[] = {
	{ "MemTotal",		VM_TOTAL },
	{ "MemFree",		VM_FREE },
	{ "MemAvailable",	VM_AVAIL },
	{ "Buffers",		VM_ZERO },
	{ "Cached",		VM_STAT, VS_FILE, VS_NONE },
	{ "SwapCached",		VM_STAT, VS_SWAPCACHED, VS_NONE },
	{ "Active",		VM_STAT, VS_ACTIVE_ANON, VS_ACTIVE_FILE },
	{ "Inactive",		VM_STAT, VS_INACTIVE_ANON, VS_INACTIVE_FILE },
	{ "Active(anon)",	VM_STAT, VS_ACTIVE_ANON, VS_NONE },
	{ "Inactive(anon)",	VM_STAT, VS_INACTIVE_ANON, VS_NONE },
	{ "Active(file)",	VM_STAT, VS_ACTIVE_FILE, VS_NONE },
	{ "Inactive(file)",	VM_STAT, VS_INACTIVE_FILE, VS_NONE },
	{ "Unevictable",	VM_STAT, VS_UNEVICTABLE, VS_NONE },
	{ "Mlocked",		VM_ZERO },
	{ "SwapTotal",		VM_SWAP_TOTAL },
	{ "SwapFree",		VM_SWAP_FREE },
	{ "Zswap",		VM_STAT, VS_ZSWAP, VS_NONE },
	{ "Zswapped",		VM_STAT, VS_ZSWAPPED, VS_NONE },
	{ "Dirty",		VM_STAT, VS_FILE_DIRTY, VS_NONE },
	{ "Writeback",		VM_STAT, VS_FILE_WRITEBACK, VS_NONE },
	{ "AnonPages",		VM_STAT, VS_ANON, VS_NONE },
	{ "Mapped",		VM_STAT, VS_FILE_MAPPED, VS_NONE },
	{ "Shmem",		VM_STAT, VS_SHMEM, VS_NONE },
	{ "KReclaimable",	VM_STAT, VS_SLAB_RECLAIMABLE, VS_NONE },
	{ "Slab",		VM_STAT, VS_SLAB_RECLAIMABLE, VS_SLAB_UNRECLAIMABLE },
	{ "SReclaimable",	VM_STAT, VS_SLAB_RECLAIMABLE, VS_NONE },
	{ "SUnreclaim",		VM_STAT, VS_SLAB_UNRECLAIMABLE, VS_NONE },
	{ "KernelStack",	VM_STAT, VS_KERNEL_STACK, VS_NONE },
	{ "PageTables",		VM_STAT, VS_PAGETABLES, VS_NONE },
	{ "SecPageTables",	VM_STAT, VS_SEC_PAGETABLES, VS_NONE },
	{ "NFS_Unstable",	VM_ZERO },
	{ "Bounce",		VM_ZERO },
	{ "WritebackTmp",	VM_ZERO },
	{ "AnonHugePages",	VM_STAT, VS_ANON_THP, VS_NONE },
	{ "ShmemHugePages",	VM_STAT, VS_SHMEM_THP, VS_NONE },
	{ "ShmemPmdMapped",	VM_ZERO },
	{ "FileHugePages",	VM_STAT, VS_FILE_THP, VS_NONE },
	{ "FilePmdMapped",	VM_ZERO },
};

/* The VE's memory, in kB, and its memory.stat (bytes). */
struct vp_mem {
	u64 total, free, avail, swap_total, swap_free;
	u64 stat[VS_NR + 1];	/* VS_NONE reads 0 */
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
		return (mem->stat[l->key] + mem->stat[l->key2]) >> 10;
	case VM_ZERO:
		break;
	}
	return 0;
}

/*
 * The VE's memory: its memory cgroup's limit (no more than the host has)
 * and live usage; what may be reclaimed (its file LRU and reclaimable
 * slab) from memory.stat; its swap entitlement, or the host's swap when
 * the VE has no limit of its own. @vf must have a memory cgroup; @fig
 * is the VE's cached figures (vp_get_cached()), or NULL.
 */
static void vp_mem_read(struct ve_vfile *vf, const struct vp_figures *fig,
			struct vp_mem *mem)
{
	struct mem_cgroup *memcg = mem_cgroup_from_css(vf->mem_css);
	u64 host_kb = (u64)totalram_pages() << (PAGE_SHIFT - 10);
	u64 max_kb = (u64)READ_ONCE(memcg->memory.max) << (PAGE_SHIFT - 10);
	u64 used_kb = (u64)page_counter_read(&memcg->memory) << (PAGE_SHIFT - 10);
	u64 swap_max = READ_ONCE(memcg->swap.max);
	u64 swap_used = (u64)page_counter_read(&memcg->swap) << (PAGE_SHIFT - 10);
	u64 reclaimable;

	memset(mem->stat, 0, sizeof(mem->stat));
	if (fig)
		memcpy(mem->stat, fig->stat, sizeof(fig->stat));
	if (swap_max < PAGE_COUNTER_MAX)
		mem->swap_total = swap_max << (PAGE_SHIFT - 10);
	else
		mem->swap_total = fig ? fig->host_swap_kb : 0;

	mem->total = min(max_kb, host_kb);
	mem->free = mem->total - min(used_kb, mem->total);
	reclaimable = (mem->stat[VS_ACTIVE_FILE] + mem->stat[VS_INACTIVE_FILE] +
		       mem->stat[VS_SLAB_RECLAIMABLE]) >> 10;
	mem->avail = min(mem->total, mem->free + reclaimable);
	mem->swap_free = mem->swap_total - min(swap_used, mem->swap_total);
}

/* vp_mem_read() with the VE's cached figures, for callers that need no more. */
static void vp_mem_now(struct ve_vfile *vf, struct vp_mem *mem)
{
	struct vp_figures *fig = vp_get_cached(vf);

	vp_mem_read(vf, fig, mem);
	if (fig)
		vp_put_cached(vf);
}

/*
 * "Name:" in 16 columns, @kb right-aligned in 8, " kB": the layout of the
 * kernel's meminfo, without the cost of a printf per line.
 */
static void vp_put_kb(struct seq_file *m, const char *name, u64 kb)
{
	char line[64], digits[24];
	size_t len = strlen(name), n = 0, at;

	do {
		digits[n++] = '0' + do_div(kb, 10);
	} while (kb);
	memset(line, ' ', sizeof(line));
	memcpy(line, name, len);
	line[len] = ':';
	at = max(len + 1, 16 + max_t(size_t, n, 8) - n);
	if (at + n + 4 > sizeof(line))
		at = sizeof(line) - n - 4;
	for (size_t i = 0; i < n; i++)
		line[at + i] = digits[n - 1 - i];
	memcpy(line + at + n, " kB\n", 4);
	seq_write(m, line, at + n + 4);
}

/* The line of the table at or after *@next that @line names, or NULL. */
static const struct vp_mem_line *vp_mem_line(const char *line, size_t len, size_t *next)
{
	/* The table is in the kernel's order: mostly the next entry matches. */
	for (size_t k = 0; k < ARRAY_SIZE(vp_mem_lines); k++) {
		size_t i = (*next + k) % ARRAY_SIZE(vp_mem_lines);

		if (!strncmp(line, vp_mem_lines[i].name, len) &&
		    !vp_mem_lines[i].name[len]) {
			*next = i + 1;
			return &vp_mem_lines[i];
		}
	}
	return NULL;
}

/*
 * meminfo: the host's file of at most a second ago (the lines ve leaves
 * to the host: commit, vmalloc, huge pages, direct map), with the lines
 * about the VE's memory its own.
 */
static int vp_meminfo(struct seq_file *m, struct ve_vfile *vf)
{
	const struct vp_mem_line *l;
	const char *line, *end, *colon;
	struct vp_figures *fig;
	struct vp_mem mem;
	size_t next = 0;

	/* No memory cgroup of its own: the host's figures are the VE's. */
	if (!vf->mem_css) {
		char *real;
		ssize_t n = ve_kfile_proc("meminfo", &real);

		if (n < 0)
			return n;
		seq_write(m, real, n);
		kvfree(real);
		return 0;
	}
	fig = vp_get_cached(vf);
	if (!fig)
		return -ENOMEM;
	vp_mem_read(vf, fig, &mem);
	for (line = fig->meminfo ?: ""; *line; line = end) {
		end = strchrnul(line, '\n');
		if (*end)
			end++;
		colon = memchr(line, ':', end - line);
		l = colon ? vp_mem_line(line, colon - line, &next) : NULL;
		if (l)
			vp_put_kb(m, l->name, vp_mem_value(&mem, l));
		else
			seq_write(m, line, end - line);
	}
	vp_put_cached(vf);
	return 0;
}

/*
 * cpuinfo: the real file's blocks of the VE's CPUs, numbered from 0. Each
 * block starts with its "processor" line and ends with an empty line.
 */
static int vp_cpuinfo(struct seq_file *m, struct ve_vfile *vf)
{
	unsigned int cpu, shown = 0;
	const char *p, *next, *rest;
	cpumask_var_t mask;
	char *real;
	ssize_t n;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	vp_vcpus(vf, mask);
	n = ve_kfile_proc("cpuinfo", &real);
	if (n < 0) {
		free_cpumask_var(mask);
		return n;
	}
	for (p = real; *p; p = next) {
		next = strstr(p, "\n\n");
		next = next ? next + 2 : p + strlen(p);
		if (sscanf(p, "processor : %u", &cpu) != 1 ||
		    cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, mask))
			continue;
		rest = strchrnul(p, '\n');
		seq_printf(m, "processor\t: %u", shown++);
		seq_write(m, rest, next - rest);
	}
	kvfree(real);
	free_cpumask_var(mask);
	return 0;
}

/* The VE's CPU time, in ns. */
struct vp_cputime {
	u64 usage, user, system;
};

/*
 * What cpu.stat would say, without its cost: the cgroup's flushed totals
 * (its whole subtree, as of the last rstat flush, which the memory
 * controller does every two seconds) plus what the VE's own cgroup has run
 * since on each CPU. Split into user and system in the proportion the
 * tick saw, as cputime_adjust() does.
 */
static void vp_cputime(struct ve_vfile *vf, struct vp_cputime *t)
{
	struct cgroup *cgrp = vf->cgrp;
	u64 utime, stime;
	unsigned int seq;
	int cpu;

	t->usage = READ_ONCE(cgrp->bstat.cputime.sum_exec_runtime);
	utime = READ_ONCE(cgrp->bstat.cputime.utime);
	stime = READ_ONCE(cgrp->bstat.cputime.stime);
	for_each_possible_cpu(cpu) {
		struct cgroup_rstat_cpu *rc = per_cpu_ptr(cgrp->rstat_cpu, cpu);
		s64 du, ds, dr;

		do {
			seq = u64_stats_fetch_begin(&rc->bsync);
			du = rc->bstat.cputime.utime - rc->last_bstat.cputime.utime;
			ds = rc->bstat.cputime.stime - rc->last_bstat.cputime.stime;
			dr = rc->bstat.cputime.sum_exec_runtime -
			     rc->last_bstat.cputime.sum_exec_runtime;
		} while (u64_stats_fetch_retry(&rc->bsync, seq));
		/* A flush under way may have moved last_bstat already. */
		utime += max_t(s64, du, 0);
		stime += max_t(s64, ds, 0);
		t->usage += max_t(s64, dr, 0);
	}
	if (utime + stime) {
		t->user = mul_u64_u64_div_u64(t->usage, utime, utime + stime);
		t->system = t->usage - t->user;
	} else {
		t->user = t->usage;
		t->system = 0;
	}
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
	u64 all = nr * uptime_ns;

	return all > t->usage ? all - t->usage : 0;
}

/* USER_HZ ticks of @ns (nsec_to_clock_t() is not exported). */
static u64 vp_clock_t(u64 ns)
{
	return div_u64(ns, NSEC_PER_SEC / USER_HZ);
}

static void vp_stat_cpu(struct seq_file *m, const char *name, unsigned int nr,
			const struct vp_cputime *t, u64 idle)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	seq_printf(m, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name,
		   vp_clock_t(div_u64(t->user, nr)), vp_clock_t(div_u64(t->system, nr)),
		   vp_clock_t(div_u64(idle, nr)));
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
	const char *line, *end;
	struct vp_cputime t;
	unsigned int nr;
	char *real, name[16];
	ssize_t n;
	u64 idle;

	n = ve_kfile_proc("stat", &real);
	if (n < 0)
		return n;
	vp_cputime(vf, &t);
	nr = vp_vcpus(vf, NULL);
	idle = vp_idle_ns(nr, vp_uptime_ns(), &t);
	vp_stat_cpu(m, "cpu ", 1, &t, idle);
	for (unsigned int i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "cpu%u", i);
		vp_stat_cpu(m, name, nr, &t, idle);
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
	u64 up_ns = vp_uptime_ns();

	vp_cputime(vf, &t);
	up = ns_to_timespec64(up_ns);
	idle = ns_to_timespec64(vp_idle_ns(vp_vcpus(vf, NULL), up_ns, &t));
	seq_printf(m, "%llu.%02lu %llu.%02lu\n", (u64)up.tv_sec,
		   up.tv_nsec / (NSEC_PER_SEC / 100), (u64)idle.tv_sec,
		   idle.tv_nsec / (NSEC_PER_SEC / 100));
	return 0;
}

/* swaps: one line for the VE's swap, when it has any, as the kernel lays out. */
static int vp_swaps(struct seq_file *m, struct ve_vfile *vf)
{
	struct vp_mem mem;
	u64 used;

	seq_puts(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (!vf->mem_css)
		return 0;
	vp_mem_now(vf, &mem);
	used = mem.swap_total - mem.swap_free;
	if (mem.swap_total)
		seq_printf(m, "%-40s%s\t%llu\t%s%llu\t%s%d\n", "none", "partition",
			   mem.swap_total, mem.swap_total < 10000000 ? "\t" : "",
			   used, used < 10000000 ? "\t" : "", -2);
	return 0;
}

/* /sys/devices/system/cpu/online: the VE's CPUs are 0 to nr - 1. */
static int vp_cpu_online(struct seq_file *m, struct ve_vfile *vf)
{
	unsigned int nr;

	if (!vf->ve) {
		seq_printf(m, "%*pbl\n", cpumask_pr_args(cpu_online_mask));
		return 0;
	}
	nr = vp_vcpus(vf, NULL);
	if (nr > 1)
		seq_printf(m, "0-%u\n", nr - 1);
	else
		seq_puts(m, "0\n");
	return 0;
}

/* Is the run of the VE that @vf was opened in over? */
static bool vp_stale(const struct ve_vfile *vf)
{
	return vf->ve && (READ_ONCE(vf->ve->state) == VE_STATE_STOPPED ||
			  READ_ONCE(vf->ve->start_time) != vf->run);
}

static int vp_show(struct seq_file *m, struct ve_vfile *vf, unsigned long ino)
{
	if (!vf->ve)
		return vp_cpu_online(m, vf);	/* the rest are read from vf->real */
	if (vp_stale(vf))
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
 * is read from, or (vf->ve NULL) the host's.
 */
static void vp_snapshot(struct ve_vfile *vf)
{
	struct ve *ve;

	rcu_read_lock();
	ve = ve_of_task(current);
	/*
	 * Found through its namespaces, the VE is bound, and its binding
	 * stays until unbinding's grace period has passed: after ours.
	 */
	if (ve && refcount_inc_not_zero(&ve->ref)) {
		vf->ve = ve;
		vf->run = READ_ONCE(ve->start_time);
		vf->cgrp = ve->cgrp;
		cgroup_get(vf->cgrp);
		vf->mem_css = ve->mem_css;
		if (vf->mem_css)
			css_get(vf->mem_css);
		vf->pid_ns = get_pid_ns(ve->pid_ns);
	}
	rcu_read_unlock();
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
	mutex_init(&vf->lock);
	vp_snapshot(vf);
	if (!vf->ve && inode->i_ino != VP_CPU_ONLINE) {
		vf->real = ve_kfile_open_proc(vp_proc_name[inode->i_ino]);
		if (IS_ERR(vf->real)) {
			err = PTR_ERR(vf->real);
			vf->real = NULL;
			vp_release_snapshot(vf);
			kfree(vf);
			return err;
		}
	}
	file->private_data = vf;
	return 0;
}

static int vp_release(struct inode *inode, struct file *file)
{
	struct ve_vfile *vf = file->private_data;

	vp_release_snapshot(vf);
	kvfree(vf->text);
	mutex_destroy(&vf->lock);
	kfree(vf);
	return 0;
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
	struct sysinfo info;
	struct vp_mem mem;
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

	vp_mem_now(&vf, &mem);
	/* The kernel's unit: a page, or bytes when the sizes fit. */
	unit = info.mem_unit ?: 1;
	info.totalram = div_u64(mem.total << 10, unit);
	info.freeram = div_u64(mem.free << 10, unit);
	info.sharedram = div_u64(mem.stat[VS_SHMEM], unit);
	info.bufferram = 0;
	info.totalswap = div_u64(mem.swap_total << 10, unit);
	info.freeswap = div_u64(mem.swap_free << 10, unit);
	info.totalhigh = 0;
	info.freehigh = 0;
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

/*
 * Render the view into a new buffer. The show functions write to a
 * seq_file used only as a buffer, grown until the text fits. Not the
 * seq_file read path: its lock would be held while the views read the
 * kernel's own seq_files, a lock of the same class.
 */
static int vp_render(struct ve_vfile *vf, unsigned long ino)
{
	struct seq_file m = { };
	size_t size = PAGE_SIZE;
	int err;

	for (;;) {
		m.buf = kvmalloc(size, GFP_KERNEL);
		if (!m.buf)
			return -ENOMEM;
		m.size = size;
		m.count = 0;
		err = vp_show(&m, vf, ino);
		if (err || !seq_has_overflowed(&m))
			break;
		kvfree(m.buf);
		if (size >= 2 * VE_KFILE_MAX)
			return -EFBIG;
		size *= 2;
	}
	if (err) {
		kvfree(m.buf);
		return err;
	}
	kvfree(vf->text);
	vf->text = m.buf;
	vf->len = m.count;
	return 0;
}

/*
 * A read from the start renders the view anew, as /proc files do; later
 * reads go on in that text, so a file read in pieces is one view. Every
 * read of a VE's file after its run ended fails.
 */
static ssize_t vp_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct ve_vfile *vf = iocb->ki_filp->private_data;
	unsigned long ino = file_inode(iocb->ki_filp)->i_ino;
	loff_t pos = iocb->ki_pos;
	ssize_t ret = 0;
	size_t n;

	if (vf->real)
		return vp_read_real(vf->real, to, &iocb->ki_pos);
	if (vp_stale(vf))
		return -ESTALE;
	mutex_lock(&vf->lock);
	if (!vf->text || pos == 0)
		ret = vp_render(vf, ino);
	if (!ret && pos < vf->len) {
		n = copy_to_iter(vf->text + pos, vf->len - pos, to);
		ret = n ? n : -EFAULT;
		if (n)
			iocb->ki_pos += n;
	}
	mutex_unlock(&vf->lock);
	return ret;
}

static const struct file_operations vp_fops = {
	.owner		= THIS_MODULE,
	.open		= vp_open,
	.read_iter	= vp_read_iter,
	.llseek		= default_llseek,
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
