/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest selftests: requests to the "ve" family over
 * vectl's netlink helper, and children in fresh namespaces to bind as VEs.
 */
#ifndef VE_SELFTEST_UTIL_H
#define VE_SELFTEST_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/ve.h"
#include "nl.h"

/* What GET reports about one VE. */
struct ve_info {
	uint32_t id;
	uint32_t state;
	uint32_t init_pid;
	uint32_t num_tasks;
	uint32_t exit_status;
	bool has_exit_status;
	uint64_t start_time;
	uint64_t barrier[VE_RES_MAX + 1];
	uint64_t limit[VE_RES_MAX + 1];
	unsigned int n_res;
};

int ve_new(struct ve_nl *nl, uint32_t id);
int ve_del(struct ve_nl *nl, uint32_t id);
int ve_start(struct ve_nl *nl, uint32_t id, pid_t pid);
int ve_stop(struct ve_nl *nl, uint32_t id);
int ve_set_res(struct ve_nl *nl, uint32_t id, unsigned int res,
	       uint64_t barrier, uint64_t limit);
int ve_get(struct ve_nl *nl, uint32_t id, struct ve_info *info);
/* Which VE a pid (in the caller's namespace) belongs to; <0 on error. */
int64_t ve_of_pid(struct ve_nl *nl, pid_t pid);
/* Which VE an fd is charged to; *sock_id is set for sockets, else -1. */
int64_t ve_of_fd(struct ve_nl *nl, int fd, int64_t *sock_id);
/* Dump all visible VEs into @ids (up to @max); returns the count or <0. */
int ve_dump(struct ve_nl *nl, uint32_t *ids, int max, int *n_recv);
/* Poll GET until @id is in @state; false after @ms. */
bool ve_wait_state(struct ve_nl *nl, uint32_t id, uint32_t state, int ms);

/* Parse one VE message (a GET reply or a notification). */
int ve_parse_info(const struct nlmsghdr *nlh, struct ve_info *info);

/*
 * A child in new namespaces (CLONE_NEWUSER|NEWPID|NEWNET by default),
 * mapped to root inside. It runs @pre (if any), reports ready, waits for
 * ve_child_go(), then runs @fn and exits with its return value.
 */
struct ve_child {
	pid_t pid;
	int ready_fd;
	int go_fd;
};

int ve_child_spawn(struct ve_child *c, int flags, int (*pre)(void *),
		   int (*fn)(void *), void *arg);
void ve_child_go(struct ve_child *c);
/* Wait for the child; returns its wait status, or -1. */
int ve_child_wait(struct ve_child *c);
void ve_child_kill(struct ve_child *c);

#define VE_CHILD_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* First line of /proc/<pid>/task/<pid>/children: a child's host pid. */
pid_t ve_first_child(pid_t pid);

#endif
