/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nodes' WireGuard tunnel, vewg0, which the VXLAN of encrypted
 * customer networks crosses (privnet.h). Each node has one key pair (the
 * private key in TUNNEL_KEY_FILE, made on first use) and one tunnel
 * address, derived from its IPv4 address on the LAN, so that no node has
 * to be told another's: fd76:6500::a.b.c.d.
 */
#ifndef VECTL_TUNNEL_H
#define VECTL_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "netaddr.h"
#include "rtnl.h"

#define TUNNEL_DEV		"vewg0"
#define TUNNEL_PORT		51820
#define TUNNEL_KEY_FILE		"/etc/ve/wireguard.key"
#define TUNNEL_KEY_LEN		44	/* base64 of 32 bytes */
/*
 * A member's MTU on an encrypted network: vewg0's 1420 (WireGuard's own
 * default) less VXLAN over IPv6 (70 bytes).
 */
#define TUNNEL_MEMBER_MTU	1350

#define TUNNEL_PEERS_MAX	32

typedef char tunnel_key[TUNNEL_KEY_LEN + 1];

/* Whether @s looks like a WireGuard public key. */
bool tunnel_key_ok(const char *s);

/* This node's public key, its private key made if there is none. 0, or -errno with @why. */
int tunnel_pubkey(tunnel_key key, char *why, size_t len);

/* Node @peer's public key, asked over ssh ("vectl network key" there). 0, or -errno with @why. */
int tunnel_fetch_key(const struct ve_ip *peer, tunnel_key key, char *why, size_t len);

/* The tunnel address of the node whose LAN address is @v4. */
void tunnel_addr(const struct ve_ip *v4, struct ve_ip *out);

/*
 * vewg0 up, with peers @peers (IPv4 LAN addresses) of keys @keys added
 * (others it has stay: other networks' peers); this node's tunnel
 * address in @local. 0, or -errno with @why.
 */
int tunnel_up(struct rtnl *host, const struct ve_ip *peers, const tunnel_key *keys, int n,
	      struct ve_ip *local, char *why, size_t len);

/* Remove vewg0 (the last encrypted network is gone). 0 or -errno. */
int tunnel_down(struct rtnl *host);

#endif
