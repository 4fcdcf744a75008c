/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few rtnetlink requests vectl makes to plumb a VE's network: links,
 * addresses, routes and proxy neighbour entries; and one nf_tables request
 * (the lock table criu leaves in a restored VE). See rtnl.c.
 */
#ifndef VECTL_RTNL_H
#define VECTL_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "netaddr.h"

struct rtnl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	char msg[256];		/* the kernel's extack message of the last error */
	char buf[16384];
};

/* A socket in the caller's network namespace, or in @netns_fd's (>= 0). */
int rtnl_open(struct rtnl *r, int netns_fd);
/* The same for nfnetlink (nf_tables). */
int rtnl_open_nf(struct rtnl *r, int netns_fd);
void rtnl_close(struct rtnl *r);

/* The index of link @name, 0 when there is none, or -errno. */
int rtnl_ifindex(struct rtnl *r, const char *name);
/*
 * Link @ifindex's name into @name (IF_NAMESIZE bytes) and MAC address
 * into @mac (6 bytes), each unless NULL: one request.
 */
int rtnl_link_info(struct rtnl *r, int ifindex, char *name, uint8_t *mac);
/*
 * The devices of the default routes of @family in the main table, every
 * device of a multipath one, at most @max into @ifindex: how many, or
 * -errno.
 */
int rtnl_default_devs(struct rtnl *r, int family, int *ifindex, int max);

/*
 * A veth pair: @name here, @peer in the namespace @peer_netns_fd, each
 * with its MAC when one is given (NULL: the kernel picks one).
 */
int rtnl_veth_add(struct rtnl *r, const char *name, const uint8_t *mac,
		  const char *peer, const uint8_t *peer_mac, int peer_netns_fd);
/* A link @name of @kind ("bridge", "wireguard") and no options; -EEXIST. */
int rtnl_link_add(struct rtnl *r, const char *name, const char *kind);
/*
 * A VXLAN device @name of @vni on UDP @port with MTU @mtu, learning
 * remote MACs, sending from @local (NULL: whatever route reaches a peer;
 * an IPv6 @local makes its peers IPv6); -EEXIST.
 */
int rtnl_vxlan_add(struct rtnl *r, const char *name, uint32_t vni, uint16_t port,
		   uint32_t mtu, const struct ve_ip *local);
/* On VXLAN device @ifindex: flood broadcast and unknown frames to @peer too. */
int rtnl_fdb_flood(struct rtnl *r, int ifindex, const struct ve_ip *peer);
int rtnl_link_mtu(struct rtnl *r, int ifindex, uint32_t mtu);
int rtnl_link_del(struct rtnl *r, int ifindex);
int rtnl_link_up(struct rtnl *r, int ifindex);
/* Put link @ifindex on bridge @master. */
int rtnl_link_master(struct rtnl *r, int ifindex, int master);

/* Add (true) or delete an address: /32 or /128, without DAD. */
int rtnl_addr(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip,
	      uint8_t scope);
/* The same with its network's @prefixlen. */
int rtnl_addr_len(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip,
		  uint8_t prefixlen, uint8_t scope);
/*
 * Add or delete the route to @dst (/32, /128; NULL: the default route) on
 * @ifindex, through @gw when given (on the link, whatever its address).
 */
int rtnl_route(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
	       int ifindex, const struct ve_ip *gw);
/* The same with metric @metric (0: the kernel's default). */
int rtnl_route_metric(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
		      int ifindex, const struct ve_ip *gw, uint32_t metric);
/* The same in routing table @table. */
int rtnl_route_in(struct rtnl *r, bool add, int family, const struct ve_ip *dst,
		  int ifindex, const struct ve_ip *gw, uint32_t metric, uint32_t table);
/* A policy rule: what goes to @dst looks up table @table first (@priority); -EEXIST. */
int rtnl_rule_to(struct rtnl *r, bool add, const struct ve_ip *dst, uint32_t table,
		 uint32_t priority);
/* Add or delete a proxy ARP/NDP entry for @ip on @ifindex. */
int rtnl_neigh_proxy(struct rtnl *r, bool add, int ifindex, const struct ve_ip *ip);

/* Delete nf_tables table @name of @family (NFPROTO_*): 0 or -errno. */
int rtnl_nft_table_del(struct rtnl *r, uint8_t family, const char *name);

#endif
