// SPDX-License-Identifier: GPL-2.0
/*
 * Where processes, files and sockets are charged and uncharged: ftrace
 * hooks on the LSM entry points every such object passes through.
 *
 *   security_task_alloc          charge numproc    (fork fails: EAGAIN)
 *   security_file_alloc          charge numfile    (open fails: EMFILE)
 *   security_socket_post_create  charge numtcpsock or numothersock for
 *                                user sockets      (socket fails: ENOBUFS)
 *   security_sk_clone            charge an accepted socket like its listener
 *   security_task_free, security_file_free, security_sk_free   uncharge
 *   __x64_sys_sysinfo            a VE's caller gets its VE's memory, load
 *                                and tasks (vproc.c), as /proc shows them
 *
 * Why ftrace: a stock kernel has no other way for a module to refuse these
 * allocations. The LSM hooks are not open to modules, tracepoints cannot
 * change a return value, and the kernel's error injection is not built
 * into Debian's kernels.
 *
 * How: a "direct" ftrace call, as BPF trampolines use. The fentry call of
 * each hooked function is patched to call ve_hook_tramp (below) straight,
 * with no ftrace_ops list walk and no pt_regs: it saves the argument
 * registers, asks ve_hook_filter() whether the call may concern a VE, and
 * if so returns into a wrapper here instead of into the function. What
 * that costs every caller is a call, seven pushes and pops and a test on
 * the arguments (Documentation/design.md has the figures against an
 * ftrace_ops with and without FTRACE_OPS_FL_SAVE_REGS).
 *
 * An allocation's wrapper charges, then calls the original function
 * (just past its fentry call; where IBT is enforced, at its start, and
 * recognised as ours through the return address, within ve.ko's text,
 * so it is not redirected again) and undoes the charge if it fails.
 * That keeps counting exact and denies before anything is allocated. A
 * free has no wrapper: the trampoline (or the filter) uncharges the
 * object and lets the function run, one call instead of a redirect, a
 * wrapper and a second pass through the trampoline. The host's own
 * objects are not even redirected: a look at the arguments at allocation
 * (is the namespace the host's?), at free a look at the file's
 * credentials or socket's namespace. Files and sockets of a VE go from
 * the trampoline to their wrapper or to ve_uncharge() straight.
 *
 * Contexts: the filter and the uncharge at a free run in whatever context
 * the hooked function was called from, before the function itself, as
 * the kernel's own LSM code would; neither sleeps (RCU lookups, the
 * charge table's raw locks, no allocation). A charge runs in a wrapper,
 * in that same context.
 *
 * The wrappers must not tail-call the original (ftrace would then see the
 * kernel's return address and redirect again): this file is built with
 * -fno-optimize-sibling-calls.
 *
 * Unload: unregister the direct calls (no new entries into the
 * trampoline), wait with synchronize_rcu_tasks() for tasks in the
 * trampoline, the filter or an uncharge (none sleeps there) or between a
 * redirect and the wrapper's entry, then
 * for wrappers still running (the original task_alloc may sleep), then
 * once more for the instructions after their last count.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/in.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/sock.h>

#include <asm/ibt.h>
#include <asm/linkage.h>

#include "charge.h"
#include "compat.h"
#include "hooks.h"
#include "registry.h"
#include "tag.h"
#include "vproc.h"

struct ve_hook {
	const char		*name;
	void			*wrapper;
	unsigned long		ip;		/* its fentry site, once seen */
	unsigned long		orig;		/* start of the original */
};

static atomic_t ve_hooks_running = ATOMIC_INIT(0);

/* Calls of the originals, typed. */
typedef int (*task_alloc_fn)(struct task_struct *task, unsigned long clone_flags);
typedef int (*file_alloc_fn)(struct file *file);
typedef int (*post_create_fn)(struct socket *sock, int family, int type,
			      int protocol, int kern);
typedef void (*sk_clone_fn)(const struct sock *sk, struct sock *newsk);
typedef long (*syscall_fn)(const struct pt_regs *regs);

enum {
	/* The filter looks them up in this order: the busiest first. */
	VE_HOOK_FILE_ALLOC,
	VE_HOOK_FILE_FREE,
	VE_HOOK_SOCK_CREATE,
	VE_HOOK_SK_FREE,
	VE_HOOK_TASK_ALLOC,
	VE_HOOK_TASK_FREE,
	VE_HOOK_SK_CLONE,
	VE_HOOK_SYSINFO,
	VE_NR_HOOKS
};

/*
 * One ftrace_ops for all hooks, all calling the one trampoline:
 * registering and unregistering costs RCU tasks grace periods per ops, and
 * module load/unload should stay quick.
 */
static struct ftrace_ops ve_ops;
static bool ve_ops_registered;

/* Defined after the wrappers it names. */
static struct ve_hook ve_hooks[VE_NR_HOOKS];

#define VE_ORIG(type, hook) ((type)READ_ONCE(ve_hooks[hook].orig))

/*
 * Where a wrapper calls the original whose fentry call is at @ip: just
 * past that call, as BPF trampolines call theirs, so that the call does
 * not pass through the trampoline a second time. Not where IBT is
 * enforced: an indirect call must land on an ENDBR, which comes before
 * the fentry call.
 */
static unsigned long ve_orig_entry(unsigned long ip)
{
	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT) || !cpu_feature_enabled(X86_FEATURE_IBT))
		return ip + MCOUNT_INSN_SIZE;
	if (is_endbr(*(u32 *)(ip - ENDBR_INSN_SIZE)))
		return ip - ENDBR_INSN_SIZE;
	return ip;
}

/*
 * The VE (with a reference) the caller's new object goes to, or NULL.
 * Inline, so that @lookup is a direct call, not a retpoline. The maps
 * and the VE are freed after a grace period, for which a section with
 * preemption off is a reader as rcu_read_lock() is; and it is cheaper
 * than rcu_read_lock() on a kernel with preemptible RCU.
 */
static __always_inline struct ve *ve_get_of(struct ve *(*lookup)(const void *),
					    const void *key)
{
	struct ve *ve;

	rcu_read_lock_sched();
	ve = lookup(key);
	if (ve && !refcount_inc_not_zero(&ve->ref))
		ve = NULL;
	rcu_read_unlock_sched();
	return ve;
}

static struct ve *ve_lookup_pid_ns(const void *ns)
{
	return ve_of_pid_ns((struct pid_namespace *)ns);
}

static struct ve *ve_lookup_user_ns(const void *ns)
{
	return ve_of_user_ns((struct user_namespace *)ns);
}

/*
 * Charge @obj for @res to @ve, a reference from ve_get_of() that the
 * charge's record takes over (NULL: the host's object, nothing to
 * charge). A refusal at the limit becomes @refused, the errno the
 * syscall documents. If the original then fails, the wrapper uncharges
 * @obj when @ve was found: a charge not made is not found either.
 */
static __always_inline int ve_hook_charge(struct ve *ve, unsigned int res,
					  const void *obj, int refused)
{
	int err;

	if (!ve)
		return 0;
	err = ve_charge_ref(ve, res, obj, GFP_KERNEL, true);
	return err == -EDQUOT ? refused : err;
}

static int ve_task_alloc(struct task_struct *task, unsigned long clone_flags)
{
	struct pid_namespace *ns;
	struct ve *ve;
	int err;

	atomic_inc(&ve_hooks_running);
	/* A thread joins its process's pid namespace; a process, the children's. */
	ns = clone_flags & CLONE_THREAD ? task_active_pid_ns(current) :
	     current->nsproxy->pid_ns_for_children;
	ve = ve_get_of(ve_lookup_pid_ns, ns);
	err = ve_hook_charge(ve, VE_RES_NUMPROC, task, -EAGAIN);
	if (!err) {
		err = VE_ORIG(task_alloc_fn, VE_HOOK_TASK_ALLOC)(task, clone_flags);
		if (err && ve)
			ve_uncharge(task);
	}
	atomic_dec(&ve_hooks_running);
	return err;
}

static int ve_file_alloc(struct file *file)
{
	struct ve *ve;
	int err;

	atomic_inc(&ve_hooks_running);
	ve = ve_get_of(ve_lookup_user_ns, file->f_cred->user_ns);
	err = ve_hook_charge(ve, VE_RES_NUMFILE, file, -EMFILE);
	if (!err) {
		err = VE_ORIG(file_alloc_fn, VE_HOOK_FILE_ALLOC)(file);
		if (err && ve)
			ve_uncharge(file);
	}
	atomic_dec(&ve_hooks_running);
	return err;
}

static unsigned int ve_sock_res(const struct sock *sk)
{
	bool inet = sk->sk_family == AF_INET || sk->sk_family == AF_INET6;

	return inet && sk->sk_protocol == IPPROTO_TCP ? VE_RES_NUMTCPSOCK :
							 VE_RES_NUMOTHERSOCK;
}

static int ve_sock_create(struct socket *sock, int family, int type, int protocol,
			  int kern)
{
	struct sock *sk = sock->sk;
	struct ve *ve = NULL;
	int err;

	atomic_inc(&ve_hooks_running);
	/* Kernel sockets are the kernel's, wherever they live. */
	if (!kern && sk)
		ve = ve_get_of(ve_lookup_user_ns, sock_net(sk)->user_ns);
	err = ve_hook_charge(ve, ve ? ve_sock_res(sk) : VE_RES_NUMOTHERSOCK, sk, -ENOBUFS);
	if (!err) {
		err = VE_ORIG(post_create_fn, VE_HOOK_SOCK_CREATE)(sock, family, type,
								   protocol, kern);
		if (err && ve)
			ve_uncharge(sk);
	}
	atomic_dec(&ve_hooks_running);
	return err;
}

/* An accepted connection is charged where its listener is (no refusal here). */
static void ve_sk_clone(const struct sock *sk, struct sock *newsk)
{
	unsigned int res;
	struct ve *ve;

	atomic_inc(&ve_hooks_running);
	VE_ORIG(sk_clone_fn, VE_HOOK_SK_CLONE)(sk, newsk);
	rcu_read_lock();
	ve = ve_charged(sk, &res);
	if (ve && !refcount_inc_not_zero(&ve->ref))
		ve = NULL;
	rcu_read_unlock();
	if (ve)
		ve_charge_ref(ve, res, newsk, GFP_ATOMIC, false);
	atomic_dec(&ve_hooks_running);
}

/* x86-64's syscall entry passes the user's arguments in their registers. */
static long ve_sysinfo(const struct pt_regs *regs)
{
	long ret;

	atomic_inc(&ve_hooks_running);
	ret = VE_ORIG(syscall_fn, VE_HOOK_SYSINFO)(regs);
	if (!ret)
		ret = ve_vproc_sysinfo((struct sysinfo __user *)regs->di);
	atomic_dec(&ve_hooks_running);
	return ret;
}

/*
 * The host's own objects, the vast majority, skip the wrapper: these
 * tests only look at the arguments and are conservative (a namespace
 * nested below the host's still goes to the wrapper, which decides).
 */
static inline bool ve_task_may_charge(const unsigned long *args)
{
	unsigned long clone_flags = args[1];

	return (clone_flags & CLONE_THREAD ? task_active_pid_ns(current) :
		current->nsproxy->pid_ns_for_children) != &init_pid_ns;
}

static inline bool ve_file_may_charge(const unsigned long *args)
{
	const struct file *file = (void *)args[0];

	return file->f_cred->user_ns != &init_user_ns;
}

static inline bool ve_sock_may_charge(const unsigned long *args)
{
	const struct socket *sock = (void *)args[0];

	return !args[4] && sock->sk &&
	       sock_net(sock->sk)->user_ns != &init_user_ns;
}

static inline bool ve_clone_may_charge(const unsigned long *args)
{
	return ve_charges_exist();
}

static inline bool ve_in_pid_ns(const unsigned long *args)
{
	return task_active_pid_ns(current) != &init_pid_ns;
}

/*
 * A socket is charged by its network namespace's owner (ve_sock_create(),
 * and a clone where its listener is): none in the host's is. Only the
 * pointer is compared; the namespace may be gone by now. ve_uncharge()
 * looks the socket up (the trampoline's fast path decides the same).
 */
static inline bool ve_sk_may_uncharge(const unsigned long *args)
{
	const struct sock *sk = (void *)args[0];

	return !net_eq(sock_net(sk), &init_net);
}

/*
 * A file is charged by its credentials' user namespace, which never
 * changes (ve_file_alloc()): the host's files are not redirected.
 */
static inline bool ve_file_may_uncharge(const unsigned long *args)
{
	const struct file *file = (void *)args[0];

	return file->f_cred->user_ns != &init_user_ns;
}

/*
 * Which hook fentry site @ip belongs to. ftrace passes only the address,
 * so the first call of each function names it through kallsyms (off the
 * callback's own frame: the name buffer is large); later calls compare.
 */
static noinline int ve_hook_resolve(unsigned long ip)
{
	char name[KSYM_SYMBOL_LEN];
	int i;

	sprint_symbol_no_offset(name, ip);
	for (i = 0; i < VE_NR_HOOKS; i++) {
		if (strcmp(name, ve_hooks[i].name))
			continue;
		WRITE_ONCE(ve_hooks[i].orig, ve_orig_entry(ip));
		/* Pairs with the acquire below: orig is set once ip shows. */
		smp_store_release(&ve_hooks[i].ip, ip);
		/* The fast paths only let calls through: no ordering needed. */
		WRITE_ONCE(ve_hook_rets[i], ip + MCOUNT_INSN_SIZE);
		return i;
	}
	return -1;
}

static __always_inline int ve_hook_of(unsigned long ip)
{
	int i;

	for (i = 0; i < VE_NR_HOOKS; i++) {
		/* Acquire: pairs with the release in ve_hook_resolve(). */
		if (smp_load_acquire(&ve_hooks[i].ip) == ip)
			return i;
	}
	return ve_hook_resolve(ip);
}

/*
 * A cheap test on the arguments: may this call concern a VE at all? A
 * switch, not a pointer per hook: an indirect call costs a retpoline.
 */
static __always_inline bool ve_hook_may_concern(int hook, const unsigned long *args)
{
	switch (hook) {
	case VE_HOOK_FILE_ALLOC:
		return ve_file_may_charge(args);
	case VE_HOOK_FILE_FREE:
		return ve_file_may_uncharge(args);
	case VE_HOOK_SOCK_CREATE:
		return ve_sock_may_charge(args);
	case VE_HOOK_SK_FREE:
		return ve_sk_may_uncharge(args);
	case VE_HOOK_TASK_FREE:
		return ve_charges_exist();
	case VE_HOOK_TASK_ALLOC:
		return ve_task_may_charge(args);
	case VE_HOOK_SK_CLONE:
		return ve_clone_may_charge(args);
	case VE_HOOK_SYSINFO:
		return ve_in_pid_ns(args);
	}
	return false;
}

/*
 * Where ve.ko's code lies: a hooked function called from there is our
 * wrapper's call of the original, which must not be redirected again.
 * The trampoline's fast paths compare with the same two words.
 */
unsigned long ve_text_start __read_mostly;
unsigned long ve_text_end __read_mostly;

static bool ve_own_call(unsigned long parent)
{
	return parent - ve_text_start < ve_text_end - ve_text_start;
}

/*
 * The trampoline's question, for the hooked function whose fentry call
 * returns to @ret, called from @parent with the argument registers
 * @args (rdi, rsi, rdx, rcx, r8, r9): where to go instead, or 0 for the
 * function itself (a free is uncharged on the way).
 */
unsigned long ve_hook_filter(const unsigned long *args, unsigned long ret,
			     unsigned long parent)
{
	int hook = ve_hook_of(ret - MCOUNT_INSN_SIZE);

	/* Nothing of a VE's: the common case, so asked first. */
	if (unlikely(hook < 0) || !ve_hook_may_concern(hook, args))
		return 0;
	/*
	 * A free has no wrapper: its object is uncharged here, before the
	 * function frees it (nothing charges an object being freed).
	 */
	if (!ve_hooks[hook].wrapper) {
		ve_uncharge((const void *)args[0]);
		return 0;
	}
	/* Our own call of the original: let it run. */
	if (ve_own_call(parent))
		return 0;
	return (unsigned long)ve_hooks[hook].wrapper;
}

/*
 * Where each hooked function's fentry call returns to, once learnt
 * (ve_hook_resolve()): the trampoline's fast paths tell the busiest hooks
 * apart by it.
 */
unsigned long ve_hook_rets[VE_NR_HOOKS];

/* The offsets the fast paths read, for the assembler. */
static void __used ve_hook_offsets(void)
{
	asm volatile(".set VE_FILE_F_CRED, %c0\n\t"
		     ".set VE_CRED_USER_NS, %c1\n\t"
		     ".set VE_SOCKET_SK, %c2\n\t"
		     ".set VE_SK_NET, %c3\n\t"
		     ".set VE_NET_USER_NS, %c4\n\t"
		     ".set VE_RET_FILE_ALLOC, %c5\n\t"
		     ".set VE_RET_FILE_FREE, %c6\n\t"
		     ".set VE_RET_SOCK_CREATE, %c7\n\t"
		     ".set VE_RET_SK_FREE, %c8\n\t"
		     ".set VE_WRAP_FILE_ALLOC, %c9\n\t"
		     ".set VE_WRAP_SOCK_CREATE, %c10\n\t"
		     : : "i" (offsetof(struct file, f_cred)),
			 "i" (offsetof(struct cred, user_ns)),
			 "i" (offsetof(struct socket, sk)),
			 "i" (offsetof(struct sock, sk_net)),
			 "i" (offsetof(struct net, user_ns)),
			 "i" (VE_HOOK_FILE_ALLOC * sizeof(unsigned long)),
			 "i" (VE_HOOK_FILE_FREE * sizeof(unsigned long)),
			 "i" (VE_HOOK_SOCK_CREATE * sizeof(unsigned long)),
			 "i" (VE_HOOK_SK_FREE * sizeof(unsigned long)),
			 "i" (ve_file_alloc), "i" (ve_sock_create));
}

/*
 * Called by the fentry call of every hooked function, with the stack as
 * that call left it: the return address into the function, then the one
 * into its caller.
 *
 * Fast paths first, for the busiest hooks, in registers only (at a
 * function's entry rax, r10 and r11 hold nothing). The host's objects go
 * on into the function: a file whose credentials are the host's user
 * namespace (alloc and free), a kernel socket or one in a namespace of
 * the host's user namespace (create), a socket in init_net (free). A
 * VE's file or socket being freed is uncharged by a call, its argument
 * kept, and the function goes on. An allocation goes straight to its
 * wrapper, as the filter would send it, unless the caller is ve.ko
 * itself (a wrapper calling the original): the return address into the
 * function is replaced by the wrapper's, so that the untouched argument
 * registers arrive there and the wrapper returns to the caller.
 *
 * Everything else, and any hook not learnt yet, goes the slow way: the
 * argument registers saved, ve_hook_filter() asked, and for a redirect
 * the return address replaced the same way. Seven pushes after the frame
 * keep the stack 16-byte aligned for the C call.
 */
asm("	.pushsection	.text, \"ax\", @progbits\n"
"	.type		ve_hook_tramp, @function\n"
"	.globl		ve_hook_tramp\n"
"ve_hook_tramp:\n"
	ASM_ENDBR
	CALL_DEPTH_ACCOUNT
"	movq	(%rsp), %rax\n"
"	cmpq	ve_hook_rets+VE_RET_FILE_ALLOC(%rip), %rax\n"
"	je	.Lve_file_alloc\n"
"	cmpq	ve_hook_rets+VE_RET_FILE_FREE(%rip), %rax\n"
"	je	.Lve_file_free\n"
"	cmpq	ve_hook_rets+VE_RET_SOCK_CREATE(%rip), %rax\n"
"	je	.Lve_sock\n"
"	cmpq	ve_hook_rets+VE_RET_SK_FREE(%rip), %rax\n"
"	jne	.Lve_slow\n"
"	leaq	init_net(%rip), %r11\n"
"	cmpq	%r11, VE_SK_NET(%rdi)\n"
"	je	.Lve_host\n"
"	jmp	.Lve_uncharge\n"
".Lve_file_alloc:\n"
"	movq	VE_FILE_F_CRED(%rdi), %rax\n"
"	movq	VE_CRED_USER_NS(%rax), %rax\n"
"	leaq	init_user_ns(%rip), %r10\n"
"	cmpq	%r10, %rax\n"
"	je	.Lve_host\n"
"	leaq	VE_WRAP_FILE_ALLOC(%rip), %r11\n"
"	jmp	.Lve_redirect\n"
".Lve_file_free:\n"
"	movq	VE_FILE_F_CRED(%rdi), %rax\n"
"	movq	VE_CRED_USER_NS(%rax), %rax\n"
"	leaq	init_user_ns(%rip), %r10\n"
"	cmpq	%r10, %rax\n"
"	je	.Lve_host\n"
"	jmp	.Lve_uncharge\n"
".Lve_sock:\n"
"	testq	%r8, %r8\n"
"	jnz	.Lve_host\n"
"	movq	VE_SOCKET_SK(%rdi), %rax\n"
"	testq	%rax, %rax\n"
"	jz	.Lve_host\n"
"	movq	VE_SK_NET(%rax), %rax\n"
"	movq	VE_NET_USER_NS(%rax), %rax\n"
"	leaq	init_user_ns(%rip), %r11\n"
"	cmpq	%r11, %rax\n"
"	je	.Lve_host\n"
"	leaq	VE_WRAP_SOCK_CREATE(%rip), %r11\n"
".Lve_redirect:\n"
"	movq	8(%rsp), %rax\n"
"	cmpq	ve_text_start(%rip), %rax\n"
"	jb	1f\n"
"	cmpq	ve_text_end(%rip), %rax\n"
"	jb	.Lve_host\n"
"1:	movq	%r11, (%rsp)\n"
".Lve_host:\n"
	ASM_RET
/* A free of a VE's object: uncharged, then on into the function. */
".Lve_uncharge:\n"
"	pushq	%rdi\n"
"	call	ve_uncharge\n"
"	popq	%rdi\n"
	ASM_RET
".Lve_slow:\n"
"	pushq	%rbp\n"
"	movq	%rsp, %rbp\n"
"	pushq	%rax\n"
"	pushq	%r9\n"
"	pushq	%r8\n"
"	pushq	%rcx\n"
"	pushq	%rdx\n"
"	pushq	%rsi\n"
"	pushq	%rdi\n"
"	movq	%rsp, %rdi\n"
"	movq	8(%rbp), %rsi\n"
"	movq	16(%rbp), %rdx\n"
"	call	ve_hook_filter\n"
"	testq	%rax, %rax\n"
"	jz	1f\n"
"	movq	%rax, 8(%rbp)\n"
"1:	popq	%rdi\n"
"	popq	%rsi\n"
"	popq	%rdx\n"
"	popq	%rcx\n"
"	popq	%r8\n"
"	popq	%r9\n"
"	popq	%rax\n"
"	leave\n"
	ASM_RET
"	.size		ve_hook_tramp, .-ve_hook_tramp\n"
"	.popsection\n"
);

/* The hooked functions; ip and orig are learnt at their first call. */
static struct ve_hook ve_hooks[VE_NR_HOOKS] = {
	[VE_HOOK_TASK_ALLOC] = {
		.name		= "security_task_alloc",
		.wrapper	= ve_task_alloc,
	},
	[VE_HOOK_FILE_ALLOC] = {
		.name		= "security_file_alloc",
		.wrapper	= ve_file_alloc,
	},
	[VE_HOOK_SOCK_CREATE] = {
		.name		= "security_socket_post_create",
		.wrapper	= ve_sock_create,
	},
	[VE_HOOK_SK_CLONE] = {
		.name		= "security_sk_clone",
		.wrapper	= ve_sk_clone,
	},
	[VE_HOOK_TASK_FREE] = {
		.name		= "security_task_free",
	},
	[VE_HOOK_FILE_FREE] = {
		.name		= "security_file_free",
	},
	[VE_HOOK_SK_FREE] = {
		.name		= "security_sk_free",
	},
	[VE_HOOK_SYSINFO] = {
		.name		= "__x64_sys_sysinfo",
		.wrapper	= ve_sysinfo,
	},
};

/*
 * Registered only while needed: from the start of the first VE until no
 * VE runs and no object is charged, and a second more (a restart should
 * not pay for it twice). Until then the host pays nothing at all.
 * ve_hooks_mutex orders registering and unregistering; ve_hooks_users
 * counts the VEs between ve_hooks_get() (under the mutex) and
 * ve_hooks_put() (not: the unbind that calls it must not wait).
 */
static DEFINE_MUTEX(ve_hooks_mutex);
static atomic_t ve_hooks_users = ATOMIC_INIT(0);
static void ve_hooks_idle_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(ve_hooks_idle_dwork, ve_hooks_idle_work);
/* Set at unload: no more idle work is queued (any context, hence raw). */
static DEFINE_RAW_SPINLOCK(ve_hooks_idle_lock);
static bool ve_hooks_gone;

/*
 * Unregister. Tasks may still be in the trampoline or a wrapper: that is
 * fine while the module stays (a later start registers the same code
 * again); unload waits for them (ve_hooks_uninit()).
 */
static void ve_hooks_unregister(void)
{
	lockdep_assert_held(&ve_hooks_mutex);
	if (!ve_ops_registered)
		return;
	ve_ftrace_direct_unregister(&ve_ops, (unsigned long)ve_hook_tramp);
	ve_ops_registered = false;
}

int ve_hooks_get(void)
{
	int err = 0;

	mutex_lock(&ve_hooks_mutex);
	if (!ve_ops_registered) {
		err = ve_ftrace_direct_register(&ve_ops, (unsigned long)ve_hook_tramp);
		if (err)
			pr_err("cannot register the hooks: %d\n", err);
		ve_ops_registered = !err;
	}
	if (!err) {
		ve_charges_reopen();
		atomic_inc(&ve_hooks_users);
	}
	mutex_unlock(&ve_hooks_mutex);
	return err;
}

/* Never waits: the idle work decides, under the mutex. */
void ve_hooks_put(void)
{
	if (atomic_dec_and_test(&ve_hooks_users))
		ve_hooks_idle();
}

void ve_hooks_idle(void)
{
	unsigned long flags;

	if (atomic_read(&ve_hooks_users))
		return;
	raw_spin_lock_irqsave(&ve_hooks_idle_lock, flags);
	if (!ve_hooks_gone)
		mod_delayed_work(system_wq, &ve_hooks_idle_dwork, HZ);
	raw_spin_unlock_irqrestore(&ve_hooks_idle_lock, flags);
}

static void ve_hooks_idle_work(struct work_struct *work)
{
	mutex_lock(&ve_hooks_mutex);
	if (ve_ops_registered && !atomic_read(&ve_hooks_users) && ve_charges_close())
		ve_hooks_unregister();
	mutex_unlock(&ve_hooks_mutex);
}

int __init ve_hooks_init(void)
{
	unsigned int i;
	int err;

	ve_text_start = ve_module_text_start(THIS_MODULE);
	ve_text_end = ve_text_start + ve_module_text_size(THIS_MODULE);

	for (i = 0; i < VE_NR_HOOKS; i++) {
		err = ftrace_set_filter(&ve_ops, (unsigned char *)ve_hooks[i].name,
					strlen(ve_hooks[i].name), i == 0);
		if (err) {
			pr_err("cannot hook %s: %d\n", ve_hooks[i].name, err);
			ftrace_free_filter(&ve_ops);
			return err;
		}
	}
	return 0;
}

void ve_hooks_uninit(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ve_hooks_idle_lock, flags);
	ve_hooks_gone = true;
	raw_spin_unlock_irqrestore(&ve_hooks_idle_lock, flags);
	cancel_delayed_work_sync(&ve_hooks_idle_dwork);
	mutex_lock(&ve_hooks_mutex);
	ve_hooks_unregister();
	mutex_unlock(&ve_hooks_mutex);
	/*
	 * Whenever they were unregistered: wait for tasks in the trampoline,
	 * the filter or an uncharge it called, or between a redirect and the
	 * wrapper's entry, then
	 * for wrappers still running (the original task_alloc may sleep),
	 * then for the instructions after their last count.
	 */
	synchronize_rcu_tasks();
	while (atomic_read(&ve_hooks_running))
		usleep_range(1000, 2000);
	synchronize_rcu_tasks();
	ftrace_free_filter(&ve_ops);
}
