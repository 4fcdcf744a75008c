/* SPDX-License-Identifier: GPL-2.0 */
/* Requests of the "ve" family as C calls; see veapi.c. */
#ifndef VECTL_VEAPI_H
#define VECTL_VEAPI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/ve.h"
#include "netaddr.h"
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
	unsigned int first_res;	/* the first res seen (LIMIT_NTF has one) */
	int n_addrs;
	struct ve_ip addrs[VE_ADDR_MAX];
	unsigned int n_netifs;
	uint32_t netif_ifindex[VE_NETIF_MAX];
	uint64_t net_in_packets, net_in_bytes, net_out_packets, net_out_bytes;
	uint64_t net_dropped;
};

/* What GET without a selector reports: the module, and the caller's VE. */
struct ve_module {
	char version[64];
	uint32_t abi;
	uint32_t caller_id;
	uint32_t netif_count;	/* devices with the filter, node-wide */
};

/* Flags, limits and addresses for one NEW or SET: all in one request. */
struct ve_limits {
	bool has_flags;
	uint32_t flags;
	bool has_addrs;		/* replace the address list with addrs[] */
	int n_addrs;
	struct ve_ip addrs[VE_ADDR_MAX];
	unsigned int n;		/* entries used in res[] */
	struct {
		unsigned int id;	/* enum ve_resource */
		uint64_t barrier;
		uint64_t limit;
	} res[VE_RES_MAX + 1];
};

/* Add (or replace) resource @id's values in @lim. */
void ve_limits_add(struct ve_limits *lim, unsigned int id, uint64_t barrier,
		   uint64_t limit);

int veapi_module(struct ve_nl *nl, struct ve_module *mod);
/* NEW, with @lim's flags and limits (NULL: none, all unlimited). */
int veapi_new(struct ve_nl *nl, uint32_t id, const struct ve_limits *lim);
int veapi_del(struct ve_nl *nl, uint32_t id);
int veapi_start(struct ve_nl *nl, uint32_t id, pid_t pid);
int veapi_stop(struct ve_nl *nl, uint32_t id);
/* SET of @lim's flags and limits, all or nothing. */
int veapi_set(struct ve_nl *nl, uint32_t id, const struct ve_limits *lim);
/* SET of one resource. */
int veapi_set_res(struct ve_nl *nl, uint32_t id, unsigned int res,
		  uint64_t barrier, uint64_t limit);
int veapi_set_flags(struct ve_nl *nl, uint32_t id, uint32_t flags);
/* SET: attach host device @ifindex to running VE @id; @mac NULL: routed. */
int veapi_attach(struct ve_nl *nl, uint32_t id, int ifindex, const uint8_t *mac);
int veapi_get(struct ve_nl *nl, uint32_t id, struct ve_info *info);
/* Which VE a pid (in the caller's namespace) belongs to; <0 on error. */
int64_t veapi_of_pid(struct ve_nl *nl, pid_t pid);
/* Which VE an fd is charged to; *sock_id is set for sockets, else -1. */
int64_t veapi_of_fd(struct ve_nl *nl, int fd, int64_t *sock_id);
/* Call @cb for every visible VE; returns the count or <0. */
typedef void (*ve_info_cb)(const struct ve_info *info, void *data);
int veapi_dump_each(struct ve_nl *nl, ve_info_cb cb, void *data);
/* Dump all visible VEs into @ids (up to @max); returns the count or <0. */
int veapi_dump(struct ve_nl *nl, uint32_t *ids, int max);
/* 1 if the module has VE @id running (or stopping), 0 if not, or -errno. */
int veapi_running(struct ve_nl *nl, uint32_t id);
/* The same, and in *@known whether the module has the VE at all. */
int veapi_running_known(struct ve_nl *nl, uint32_t id, bool *known);

/*
 * A pidfd on the init of running VE @id, checked after opening to be the
 * init the module still has bound, so that a recycled pid is never taken;
 * @info gets the VE. Returns the fd, -ESRCH when the VE does not run (or
 * stopped meanwhile), or another -errno.
 */
int veapi_open_init(struct ve_nl *nl, uint32_t id, struct ve_info *info);

/*
 * Wait until @id is in @state: listens for state-ntf on the "events"
 * group, so it wakes at the change; false after @ms. A caller that may not
 * join the group (no CAP_NET_ADMIN) asks GET every 10 ms instead.
 */
bool veapi_wait_state(struct ve_nl *nl, uint32_t id, uint32_t state, int ms);

/* A socket joined to the "events" group of @nl's family, or NULL (errno). */
struct mnl_socket *veapi_events_open(struct ve_nl *nl);

/* Parse one VE message (a GET reply or a notification). */
int veapi_parse_info(const struct nlmsghdr *nlh, struct ve_info *info);

#endif
