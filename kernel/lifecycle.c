// SPDX-License-Identifier: GPL-2.0
/*
 * Starting and stopping VEs: binding a VE to the init task userspace built
 * for it, noticing that init's death, and unbinding.
 *
 * The death of a VE's init is noticed without hooks: the VE puts an entry
 * on the init's pid->wait_pidfd, the queue pidfd poll(2) sleeps on. The
 * kernel wakes it when init's whole thread group has exited, after
 * zap_pid_ns_processes() has killed and reaped every other task of the pid
 * namespace. The wake-up runs under tasklist_lock, so it only notes the
 * exit status and queues ve_exit_work(), which does the unbinding in
 * process context.
 *
 * The VE holds the init's struct pid, never its task: when a thread other
 * than the leader calls execve(), de_thread() releases the old leader and
 * moves the pid (and its wait_pidfd) to the thread that exec'd. Asked
 * through the pid, "has the thread group exited?" follows the new leader;
 * asked of the old task, it would never become true.
 *
 * A RUNNING or STOPPING VE holds a reference on the module, so rmmod is
 * refused until every VE has stopped. The exit work drops it; that work
 * runs on the registry's workqueue, which module unload drains before the
 * text goes away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "charge.h"
#include "hooks.h"
#include "lifecycle.h"
#include "loadavg.h"
#include "net.h"
#include "netlink.h"
#include "registry.h"
#include "tag.h"
#include "ubc.h"
#include "vproc.h"

/* Is @leader a zombie whose thread group is gone too? */
static bool ve_group_exited(struct task_struct *leader)
{
	return READ_ONCE(leader->exit_state) && thread_group_empty(leader);
}

/*
 * Has the thread group that holds @pid exited? The init's leader may
 * change (de_thread()), its pid stays. thread_group_exited() would say
 * this, but 6.12 no longer has it.
 */
static bool ve_pid_exited(struct pid *pid)
{
	struct task_struct *task;
	bool exited;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_PID);
	exited = !task || ve_group_exited(task);
	rcu_read_unlock();
	return exited;
}

/*
 * Note the status wait(2) reports for the thread group of @init, once it
 * has exited; the exit work reports it. Under RCU or tasklist_lock.
 */
static void ve_note_exit(struct ve *ve, struct task_struct *init)
{
	u32 status;

	if (!init || !ve_group_exited(init))
		return;
	if (READ_ONCE(init->signal->flags) & SIGNAL_GROUP_EXIT)
		status = READ_ONCE(init->signal->group_exit_code);
	else
		status = READ_ONCE(init->exit_code);
	WRITE_ONCE(ve->init_exit_status, status);
	/* Pairs with the acquire in ve_unbind(): the status is there. */
	smp_store_release(&ve->init_exit_noted, true);
}

static void ve_queue_exit(struct ve *ve)
{
	ve_get(ve);			/* for the work */
	if (!ve_queue_work(&ve->exit_work))
		ve_put(ve);		/* already queued, with its own */
}

/*
 * Runs under the wait queue's lock and tasklist_lock, as the init's
 * thread group exits: the leader is a zombie now, and may be reaped
 * before the work runs, so its status is noted here.
 */
static int ve_exit_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
			void *key)
{
	struct ve *ve = container_of(wait, struct ve, exit_wait);

	ve_note_exit(ve, pid_task(ve->init_pid, PIDTYPE_PID));
	ve_queue_exit(ve);
	return 0;
}

/* What a VE's run held, put a grace period after it stopped. */
struct ve_run_refs {
	struct rcu_work			rwork;
	struct cgroup_subsys_state	*mem_css;
	struct cgroup			*cgrp;
	struct net			*net;
	struct user_namespace		*user_ns;
	struct pid_namespace		*pid_ns;
	struct pid			*init_pid;
};

static void ve_run_refs_put(struct ve_run_refs *r)
{
	if (r->mem_css)
		css_put(r->mem_css);
	cgroup_put(r->cgrp);
	put_net(r->net);
	put_user_ns(r->user_ns);
	put_pid_ns(r->pid_ns);
	put_pid(r->init_pid);
}

static void ve_run_refs_work(struct work_struct *work)
{
	struct ve_run_refs *r = container_of(to_rcu_work(work), struct ve_run_refs, rwork);

	ve_run_refs_put(r);
	kfree(r);
}

/* Drop the binding of a VE whose init is dead, and report STOPPED. */
static void ve_unbind(struct ve *ve)
{
	enum ve_state old = ve->state;
	struct ve_run_refs on_stack, *r;

	lockdep_assert_held(&ve_mutex);
	remove_wait_queue(&ve->init_pid->wait_pidfd, &ve->exit_wait);
	/* Pairs with the release in ve_note_exit(). */
	ve->has_exited = smp_load_acquire(&ve->init_exit_noted);
	ve->exit_status = ve->has_exited ? READ_ONCE(ve->init_exit_status) : 0;

	ve_net_detach_all(ve);
	ve_tag_del(ve);

	/*
	 * Lookups compare against these pointers under RCU: the namespaces
	 * may be freed and their memory reused only after a grace period.
	 * The references go then, in a work item, so that STOPPED does not
	 * wait for one (a stop would take a grace period longer).
	 */
	r = kmalloc(sizeof(*r), GFP_KERNEL) ?: &on_stack;
	*r = (struct ve_run_refs) {
		.mem_css = ve->mem_css, .cgrp = ve->cgrp, .net = ve->net,
		.user_ns = ve->user_ns, .pid_ns = ve->pid_ns, .init_pid = ve->init_pid,
	};
	/* Unpublished before the grace period starts. */
	ve->mem_css = NULL;
	ve->cgrp = NULL;
	ve->net = NULL;
	WRITE_ONCE(ve->user_ns, NULL);
	WRITE_ONCE(ve->pid_ns, NULL);
	ve->init_pid = NULL;
	if (r != &on_stack) {
		INIT_RCU_WORK(&r->rwork, ve_run_refs_work);
		ve_queue_rcu_work(&r->rwork);
	} else {
		synchronize_rcu();
		ve_run_refs_put(r);
	}

	ve->state = VE_STATE_STOPPED;
	ve_changed();
	/*
	 * Before the notification: who hears of STOPPED may rmmod at once.
	 * The rest of this work is safe, unload drains the workqueue first.
	 */
	ve_hooks_put();
	module_put(THIS_MODULE);
	ve_nl_notify_state(ve, old);
}

static void ve_exit_work(struct work_struct *work)
{
	struct ve *ve = container_of(work, struct ve, exit_work);

	mutex_lock(&ve_mutex);
	if (ve->state != VE_STATE_STOPPED && ve_pid_exited(ve->init_pid))
		ve_unbind(ve);
	mutex_unlock(&ve_mutex);
	ve_put(ve);
}

struct ve *ve_create(u32 id)
{
	struct ve *ve;
	int err;

	lockdep_assert_held(&ve_mutex);
	ve = ve_alloc(id);
	if (!ve)
		return ERR_PTR(-ENOMEM);
	/*
	 * Once per VE, here: the exit work may still be queued from an
	 * earlier run when the VE starts again, so START must not set it up.
	 */
	INIT_WORK(&ve->exit_work, ve_exit_work);
	init_waitqueue_func_entry(&ve->exit_wait, ve_exit_wake);
	ve_ubc_setup(ve);
	err = ve_vproc_setup(ve);
	if (!err)
		err = ve_insert(ve);
	if (err) {
		ve_put(ve);
		return ERR_PTR(err);
	}
	return ve;
}

/* Is @task fit to be a VE's init? Each refusal with its reason. */
static int ve_check_init(struct task_struct *task, struct pid_namespace *pid_ns,
			 struct user_namespace *user_ns,
			 struct netlink_ext_ack *extack)
{
	bool taken;

	if (task->flags & PF_EXITING) {
		NL_SET_ERR_MSG_MOD(extack, "init process is exiting");
		return -ESRCH;
	}
	if (pid_ns == &init_pid_ns) {
		NL_SET_ERR_MSG_MOD(extack, "init process is in the host pid namespace");
		return -EINVAL;
	}
	if (task_pid_nr_ns(task, pid_ns) != 1) {
		NL_SET_ERR_MSG_MOD(extack, "process is not PID 1 of its pid namespace");
		return -EINVAL;
	}
	if (get_nr_threads(task) != 1) {
		NL_SET_ERR_MSG_MOD(extack, "init process is multi-threaded");
		return -EINVAL;
	}
	if (user_ns == &init_user_ns) {
		NL_SET_ERR_MSG_MOD(extack, "init process is in the host user namespace");
		return -EINVAL;
	}

	rcu_read_lock();
	taken = ve_of_pid_ns(pid_ns);
	rcu_read_unlock();
	if (taken) {
		NL_SET_ERR_MSG_MOD(extack, "pid namespace already belongs to a VE");
		return -EBUSY;
	}
	rcu_read_lock();
	taken = ve_of_user_ns(user_ns);
	rcu_read_unlock();
	if (taken) {
		NL_SET_ERR_MSG_MOD(extack, "user namespace already belongs to a VE");
		return -EBUSY;
	}
	return 0;
}

int ve_start(struct ve *ve, struct pid *pid, struct netlink_ext_ack *extack)
{
	struct user_namespace *user_ns;
	struct pid_namespace *pid_ns;
	struct task_struct *task;
	struct net *net = NULL;
	int err;

	lockdep_assert_held(&ve_mutex);
	if (ve->state != VE_STATE_STOPPED) {
		NL_SET_ERR_MSG_MOD(extack, "VE is already running");
		return -EBUSY;
	}

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		NL_SET_ERR_MSG_MOD(extack, "no such process");
		return -ESRCH;
	}
	user_ns = get_user_ns(task_cred_xxx(task, user_ns));
	pid_ns = task_active_pid_ns(task);
	err = -ESRCH;
	if (!pid_ns) {
		NL_SET_ERR_MSG_MOD(extack, "init process is exiting");
		goto err;
	}
	/* Checked before it is charged: it may be another VE's init. */
	err = ve_check_init(task, pid_ns, user_ns, extack);
	if (err)
		goto err;

	task_lock(task);
	if (task->nsproxy)
		net = get_net(task->nsproxy->net_ns);
	task_unlock(task);
	if (!net) {
		NL_SET_ERR_MSG_MOD(extack, "init process is exiting");
		err = -ESRCH;
		goto err;
	}
	err = ve_hooks_get();
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register the module's hooks (see dmesg)");
		put_net(net);
		goto err;
	}
	/* Tasks forked inside count from here; the init, made outside, too. */
	err = ve_charge(ve, VE_RES_NUMPROC, task, GFP_KERNEL, false);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the init's charge");
		ve_hooks_put();
		put_net(net);
		goto err;
	}

	ve->init_pid = get_pid(pid);
	ve->pid_ns = get_pid_ns(pid_ns);
	ve->user_ns = user_ns;
	ve->net = net;
	rcu_read_lock();
	ve->cgrp = task_dfl_cgroup(task);
	cgroup_get(ve->cgrp);
	rcu_read_unlock();
	/* The memory cgroup the VE's memory resources are read from. */
	ve->mem_css = cgroup_get_e_css(ve->cgrp, &memory_cgrp_subsys);
	/* Before the tags: a view opened through them notes this run. */
	ve->start_time = ktime_get_boottime_ns();
	ve_tag_add(ve);

	WRITE_ONCE(ve->init_exit_noted, false);
	add_wait_queue(&pid->wait_pidfd, &ve->exit_wait);

	__module_get(THIS_MODULE);
	ve->state = VE_STATE_RUNNING;
	ve->has_exited = false;
	ve_loadavg_start(ve);
	ve_changed();
	ve_nl_notify_state(ve, VE_STATE_STOPPED);

	/* The init may have died before the entry was on the queue. */
	if (ve_pid_exited(pid)) {
		rcu_read_lock();
		ve_note_exit(ve, pid_task(pid, PIDTYPE_PID));
		rcu_read_unlock();
		ve_queue_exit(ve);
	}
	put_task_struct(task);
	return 0;

err:
	put_user_ns(user_ns);
	put_task_struct(task);
	return err;
}

int ve_stop(struct ve *ve, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&ve_mutex);
	if (ve->state == VE_STATE_STOPPED) {
		NL_SET_ERR_MSG_MOD(extack, "VE is not running");
		return -ESRCH;
	}
	if (ve->state == VE_STATE_RUNNING) {
		ve->state = VE_STATE_STOPPING;
		ve_changed();
		ve_nl_notify_state(ve, VE_STATE_RUNNING);
	}
	/*
	 * Killing a pid namespace's init kills the whole namespace. ESRCH:
	 * no task has the init's pid any more; make sure the exit work runs
	 * (it finds the thread group exited and reports STOPPED).
	 */
	err = kill_pid(ve->init_pid, SIGKILL, 1);
	if (err == -ESRCH) {
		ve_queue_exit(ve);
		err = 0;
	}
	return err;
}

/* Tasks (threads included) whose pid lives in the VE's pid namespace. */
unsigned int ve_num_tasks(const struct ve *ve)
{
	lockdep_assert_held(&ve_mutex);
	if (!ve->pid_ns)
		return 0;
	return READ_ONCE(ve->pid_ns->pid_allocated) & ~PIDNS_ADDING;
}
