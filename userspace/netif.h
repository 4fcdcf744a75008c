/* SPDX-License-Identifier: GPL-2.0 */
/* Bridged interfaces of a VE (NETIF, vzctl's syntax); see netif.c. */
#ifndef VECTL_NETIF_H
#define VECTL_NETIF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define VE_NETIF_MAX_CONF	16	/* the module's netif-max */
#define VE_NETIF_IPS		16	/* addresses one interface may use */

struct ve_netif {
	char ifname[IF_NAMESIZE];	/* in the VE */
	char host_ifname[IF_NAMESIZE];
	char bridge[IF_NAMESIZE];	/* "": none, the admin routes */
	uint8_t mac[6], host_mac[6];
	int n_ips;
	struct ve_ip ips[VE_NETIF_IPS];	/* the sources the filter lets through */
	/* On a customer network (privnet.h): its name, and the address vectl sets. */
	char network[16];
	struct ve_prefix addr;		/* family 0: none, the VE configures it */
};

/*
 * NETIF's value ("ifname=eth0,mac=...,host_ifname=...,host_mac=...,
 * bridge=br0,ip=ADDR ADDR;ifname=eth1,...") into @out (room for
 * VE_NETIF_MAX_CONF); missing MACs and host names are filled in for VE
 * @id. The count, or -1 with @why.
 */
int netif_parse(uint32_t id, const char *s, struct ve_netif *out, char *why, size_t len);
/* The list as NETIF holds it. */
void netif_format(const struct ve_netif *list, int n, char *buf, size_t len);

/*
 * --netif_add's "ifname[,mac,host_ifname,host_mac,bridge[,addrs]]" for VE
 * @id into @nif. 0, or -1 with @why.
 */
int netif_parse_arg(uint32_t id, const char *arg, int index, struct ve_netif *nif,
		    char *why, size_t len);

/*
 * Fill in what @nif, interface @index of VE @id, was not given (MACs,
 * host name) and check the whole entry. 0, or -1 with @why.
 */
int netif_complete(uint32_t id, struct ve_netif *nif, int index, char *why, size_t len);

/* The stable MAC vectl gives interface @ifname of VE @id (@host: its host end). */
void netif_default_mac(uint32_t id, const char *ifname, bool host, uint8_t mac[6]);

#endif
