/* SPDX-License-Identifier: GPL-2.0 */
/* Processes inside a running VE: join, spawn, relay stdio. See nsexec.c. */
#ifndef VECTL_NSEXEC_H
#define VECTL_NSEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vectx.h"
#include "veapi.h"

struct ns_join {
	int pidfd;		/* the VE's init */
	int cgfd;		/* the VE's cgroup */
	int err_rd;		/* the child's error pipe */
	struct ve_info info;
};

/*
 * Join VE @x's namespaces (not its pid namespace's processes: only the
 * children we spawn enter it). Prints errors; returns an exit code.
 */
int ns_join(struct ve_nl *nl, struct vectx *x, struct ns_join *j);
void ns_join_close(struct ns_join *j);

/*
 * Whether the VE's init (its pidfd in @j) exits within a few seconds: the
 * VE is stopping or stopped.
 */
bool ns_init_exits(const struct ns_join *j);

/*
 * Report a failed step of joining the VE: "the VE stopped meanwhile"
 * (exit VECTL_ERR_NOT_RUNNING) when its init exits, else @why
 * (VECTL_ERR_EXEC). Returns the exit code.
 */
int ns_fail(const struct vectx *x, const struct ns_join *j, const char *why);

/* The most fds ns_spawn() passes on. */
#define NS_MAX_KEEP 4

/*
 * Spawn @fn(@arg) as root of the VE, in its cgroup, with only stdio and
 * the fds in @keep (at most NS_MAX_KEEP) open. Returns the pid or -errno
 * (printed).
 */
pid_t ns_spawn(struct vectx *x, struct ns_join *j, int (*fn)(void *), void *arg,
	       const int *keep, int n_keep);

/* In the child: report why it failed, exit VECTL_ERR_EXEC. */
void ns_child_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* How long a process joining a VE may take to exec, or to finish. */
#define NS_SETUP_TIMEOUT 30

/*
 * After ns_spawn(): wait (at most NS_SETUP_TIMEOUT, then kill @pid) for
 * the child to exec or fail; 1 with the reason in @msg if it failed.
 */
int ns_child_error(struct ns_join *j, pid_t pid, char *msg, size_t len);

/* Wait for @pid: its exit code, or 128 + the signal that killed it. */
int ns_wait(pid_t pid);

/* Copy @from to @to; the relay ends when every essential source hit EOF. */
struct relay {
	int from, to;
	bool essential;		/* wait for its EOF */
	bool close_to;		/* close @to at EOF (a pipe to the child) */
	bool done;
};

int ns_relay(struct relay *r, int n);

#endif
