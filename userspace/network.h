/* SPDX-License-Identifier: GPL-2.0 */
/* A VE's routed network (venet0), plumbed from the host; see network.c. */
#ifndef VECTL_NETWORK_H
#define VECTL_NETWORK_H

#include <sys/types.h>

#include "netaddr.h"
#include "netif.h"
#include "vectx.h"
#include "veapi.h"

/*
 * IP_ADDRESS of @x into @out (room for VE_ADDR_MAX): the count, or -1
 * after saying what is wrong with it.
 */
int net_conf_addrs(struct vectx *x, struct ve_ip *out);
/* NETIF of @x into @out (VE_NETIF_MAX_CONF): the count, or -1, said. */
int net_conf_netifs(struct vectx *x, struct ve_netif *out);
/*
 * Every address the module is to hold for @x: the routed ones and the
 * bridged interfaces' (NETIF ip=), into @out (VE_ADDR_MAX). The count, or
 * -1 after saying why (one address twice, or too many).
 */
int net_module_addrs(const struct vectx *x, const struct ve_ip *routed, int n_routed,
		     const struct ve_netif *nifs, int n_nifs, struct ve_ip *out);

/*
 * Running VE @x goes from bridged interfaces @old to @new: the removed
 * ones' pairs go, the new ones are made and attached. Exit code.
 */
int net_change_netifs(struct ve_nl *nl, struct vectx *x, const struct ve_netif *old,
		      int n_old, const struct ve_netif *new, int n_new);

/*
 * Start: the venet pair of VE @x, whose init @pid the module has bound
 * and which runs nothing yet; its addresses, routes and proxy
 * neighbours, the module's filter on the host end. Prints errors;
 * returns an exit code (what was made is left to net_cleanup()).
 */
int net_start(struct ve_nl *nl, struct vectx *x, pid_t pid);

/*
 * Resume: the same for a VE whose pairs criu has made (--veth-pair) and
 * whose side it restored (addresses, routes, links up): only the host's
 * side is done here, the filter first. Exit code, said.
 */
int net_adopt(struct ve_nl *nl, struct vectx *x, pid_t pid);

/*
 * criu's --veth-pair arguments for @x, "IN=OUT": venet0's and each NETIF
 * interface's. The count, or -1 (a bad NETIF, said; more than @max).
 */
int net_pair_names(struct vectx *x, char pairs[][2 * IF_NAMESIZE], int max);

/*
 * While VE @x is stopped and started on demand (ved): with @on, what goes
 * to its addresses @ips (@n; ved's own list, which outlives a destroyed
 * VE's config) routed to device @ifindex (ved's tun) by a policy rule
 * (priority NET_STANDBY_PREF, to table NET_STANDBY_TABLE) that wins over
 * the VE's own routes, and its addresses answered for on the uplinks
 * (announced when @announce); without, all of it removed (what is gone
 * already is fine). An exit code, said.
 */
#define NET_STANDBY_TABLE	4096
#define NET_STANDBY_PREF	100
int net_standby(struct vectx *x, const struct ve_ip *ips, int n, int ifindex, bool on,
		bool announce);

/* The VE is ready for its requests: only the rules go (its routes win again). */
int net_standby_release(struct vectx *x);

/*
 * Running VE @x goes from addresses @old to @new (the module has the new
 * list already): both sides change at once. Exit code.
 */
int net_change(struct ve_nl *nl, struct vectx *x, const struct ve_ip *old,
	       int n_old, const struct ve_ip *new, int n_new);

/*
 * Remove what VE @x's network left on the host: the host end of its
 * pair, the proxy neighbour entries. Quiet; 0 or -errno of the first
 * failure.
 */
int net_cleanup(const struct vectx *x);

/*
 * The same after the VE's init died: the host end goes with the VE's
 * namespace, or else is deleted by a child left behind, not waited for.
 */
int net_cleanup_stopped(const struct vectx *x);

/*
 * Is any of @ips in another VE's config (IP_ADDRESS)? Says which and
 * returns VECTL_ERR_IP_INUSE, else 0. The module checks the VEs it
 * knows; this covers the ones it does not (never started since boot).
 */
int net_check_configs(const struct vectx *x, const struct ve_ip *ips, int n);

/*
 * The module refused @lim's addresses for @x with EADDRINUSE: say which
 * address is which VE's. Returns the exit code.
 */
int net_explain_conflict(struct ve_nl *nl, const struct vectx *x,
			 const struct ve_limits *lim);

/*
 * The console keeper of the VE run whose init @init just died: remove
 * that run's network from the host, unless a vectl is busy with the VE
 * (it cleans up itself) or another run has started since. Then say so
 * to net_wait_keeper() by removing the keeper's pid file.
 */
void net_keeper_done(const struct vectx *x, pid_t init);
/* The keeper of VE @x notes its pid; vectl stop waits for it to finish. */
void net_keeper_started(const struct vectx *x);
void net_wait_keeper(const struct vectx *x, int seconds);

/*
 * Inside a VE, as its root: write /etc/resolv.conf from NAMESERVER and
 * SEARCHDOMAIN (never through a symlink). 0, or -1 with @why.
 */
int net_write_resolv(const char *nameservers, const char *searchdomains,
		     char *why, size_t len);

#endif
