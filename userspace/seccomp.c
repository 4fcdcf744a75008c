// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall filter every process of a VE runs under.
 *
 * Kernel keys are counted per host uid (kernel.keys.maxkeys, maxbytes),
 * and a VE maps 65536 host uids; the keys and their payloads are charged
 * to no memory cgroup. Unfiltered, one VE's root could pin gigabytes of
 * unreclaimable kernel memory that no limit sees. So, as container
 * runtimes do by default, add_key(2), request_key(2) and keyctl(2) fail
 * with EPERM in a VE unless its config says KEYRING_SYSCALLS="allow".
 *
 * The filter covers the x86-64, x32 and i386 entry points; a filter, once
 * set, holds for the task and everything it forks or execs.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"

#define X32_SYSCALL_BIT		0x40000000U
/* i386 numbers of add_key, request_key and keyctl (arch/x86/entry/syscalls). */
#define I386_ADD_KEY		286	/* request_key is 287 */
#define I386_KEYCTL		288

bool ve_keyring_allowed(const struct vectx *x)
{
	const char *v = vectx_get(x, "KEYRING_SYSCALLS");

	return v && !strcmp(v, "allow");
}

int ve_seccomp_install(const struct vectx *x)
{
	/* Jumps count instructions after the next one; see the numbers. */
	struct sock_filter prog[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6),	/* else 8 */
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~X32_SYSCALL_BIT),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_add_key, 7, 0),	/* 12 */
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_request_key, 6, 0),	/* 12 */
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_keyctl, 5, 0),	/* 12 */
		/* 7 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 4),	/* else 13 */
		/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, I386_ADD_KEY, 0, 2),	/* else 13 */
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, I386_KEYCTL, 1, 0),	/* 13, else 12 */
		/* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		/* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { sizeof(prog) / sizeof(prog[0]), prog };

	if (ve_keyring_allowed(x))
		return 0;
	/* Root of the VE's user namespace may; no_new_privs is not needed. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog))
		return -errno;
	return 0;
}
