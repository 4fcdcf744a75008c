/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Customer networks (vectl network): a private L2 segment per network, a
 * bridge on each node with members, joined across nodes by VXLAN with
 * the network's own VNI. Kept in /etc/ve/networks/NAME.conf; a VE joins
 * with a NETIF interface whose "network=NAME" names it (netif.h).
 */
#ifndef VECTL_PRIVNET_H
#define VECTL_PRIVNET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "rtnl.h"
#include "tunnel.h"

#define PRIVNET_DIR		"/etc/ve/networks"
#define PRIVNET_NAME_MAX	15
#define PRIVNET_PEERS_MAX	TUNNEL_PEERS_MAX
#define PRIVNET_VNI_MAX		16777215U
/* The VXLAN port (IANA's); the underlay's MTU less VXLAN's 50 bytes. */
#define PRIVNET_VXLAN_PORT	4789
#define PRIVNET_VXLAN_MTU	1450

struct privnet {
	char name[PRIVNET_NAME_MAX + 1];
	uint32_t vni;
	struct ve_prefix subnet;	/* family 0: none */
	int n_peers;
	struct ve_ip peers[PRIVNET_PEERS_MAX];	/* the other nodes' addresses */
	/* VXLAN through the nodes' WireGuard tunnel, with each peer's key. */
	bool encrypt;
	tunnel_key keys[PRIVNET_PEERS_MAX];
};

/* Whether @name may name a network: 1 to 15 of [a-z0-9_-], a letter first. */
bool privnet_name_ok(const char *name);

/* The VNI a network of @name gets unless told: the same on every node. */
uint32_t privnet_default_vni(const char *name);

/* Network @name; 0, -ENOENT, or -EINVAL with @why (a damaged file). */
int privnet_load(const char *name, struct privnet *n, char *why, size_t len);
/* Write @n's file (new or replaced). 0 or -errno. */
int privnet_save(const struct privnet *n);
/* Remove @name's file. 0 or -errno. */
int privnet_remove(const char *name);

/*
 * Every network, sorted by name, into *@out (caller frees): the count,
 * or -errno. A damaged file is skipped with a warning.
 */
int privnet_list(struct privnet **out);

/* The VEs whose configs have an interface on network @name, by ID (at most @max). */
#define PRIVNET_MEMBERS_MAX	256
int privnet_members(const char *name, uint32_t *ids, int max);

/* Its devices: the bridge vnbVNI and the VXLAN device vnxVNI. */
void privnet_bridge(const struct privnet *n, char buf[IF_NAMESIZE]);
void privnet_vxlan(const struct privnet *n, char buf[IF_NAMESIZE]);

/*
 * The network's bridge on this node, made if missing (with its VXLAN
 * device and a flood entry per peer when it has peers): its ifindex in
 * *@bridge and the MTU its members must use in *@mtu (0: the default).
 * 0, or -errno with @why.
 */
int privnet_up(struct rtnl *host, const struct privnet *n, int *bridge, uint32_t *mtu,
	       char *why, size_t len);

/* Remove the network's devices from this node (none: fine). 0 or -errno. */
int privnet_down(struct rtnl *host, const struct privnet *n);

#endif
