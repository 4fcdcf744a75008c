/* SPDX-License-Identifier: GPL-2.0 */
/* Requests of the "ve" family as C calls; see veapi.c. */
#ifndef VECTL_VEAPI_H
#define VECTL_VEAPI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/ve.h"
#include "nl.h"

/* What GET reports about one VE. */
struct ve_info {
	uint32_t id;
	uint32_t state;
	uint32_t old_state;	/* notifications only */
	uint32_t init_pid;
	uint32_t num_tasks;
	uint32_t exit_status;
	bool has_exit_status;
	uint32_t flags;
	uint64_t start_time;
	uint64_t held[VE_RES_MAX + 1];
	uint64_t maxheld[VE_RES_MAX + 1];
	uint64_t barrier[VE_RES_MAX + 1];
	uint64_t limit[VE_RES_MAX + 1];
	uint64_t failcnt[VE_RES_MAX + 1];
	unsigned int n_res;
};

/* What GET without a selector reports: the module, and the caller's VE. */
struct ve_module {
	char version[64];
	uint32_t abi;
	uint32_t caller_id;
	unsigned int n_msgs;	/* replies seen: one */
};

int ve_get_module(struct ve_nl *nl, struct ve_module *mod);
int ve_new(struct ve_nl *nl, uint32_t id);
int ve_del(struct ve_nl *nl, uint32_t id);
int ve_start(struct ve_nl *nl, uint32_t id, pid_t pid);
int ve_stop(struct ve_nl *nl, uint32_t id);
int ve_set_res(struct ve_nl *nl, uint32_t id, unsigned int res,
	       uint64_t barrier, uint64_t limit);
int ve_set_flags(struct ve_nl *nl, uint32_t id, uint32_t flags);
int ve_get(struct ve_nl *nl, uint32_t id, struct ve_info *info);
/* Which VE a pid (in the caller's namespace) belongs to; <0 on error. */
int64_t ve_of_pid(struct ve_nl *nl, pid_t pid);
/* Which VE an fd is charged to; *sock_id is set for sockets, else -1. */
int64_t ve_of_fd(struct ve_nl *nl, int fd, int64_t *sock_id);
/* Call @cb for every visible VE; returns the count or <0. */
typedef void (*ve_info_cb)(const struct ve_info *info, void *data);
int ve_dump_each(struct ve_nl *nl, ve_info_cb cb, void *data);
/* Dump all visible VEs into @ids (up to @max); returns the count or <0. */
int ve_dump(struct ve_nl *nl, uint32_t *ids, int max, int *n_recv);
/* 1 if the module has VE @id running (or stopping), 0 if not, or -errno. */
int ve_running(struct ve_nl *nl, uint32_t id);

/*
 * A pidfd on the init of running VE @id, checked after opening to be the
 * init the module still has bound, so that a recycled pid is never taken;
 * @info gets the VE. Returns the fd, -ESRCH when the VE does not run (or
 * stopped meanwhile), or another -errno.
 */
int ve_open_init(struct ve_nl *nl, uint32_t id, struct ve_info *info);

/* Poll GET until @id is in @state; false after @ms. */
bool ve_wait_state(struct ve_nl *nl, uint32_t id, uint32_t state, int ms);

/* Parse one VE message (a GET reply or a notification). */
int ve_parse_info(const struct nlmsghdr *nlh, struct ve_info *info);

#endif
