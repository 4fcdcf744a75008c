/* SPDX-License-Identifier: GPL-2.0 */
/* A VE's IP addresses: parsing, checking and printing; see netaddr.c. */
#ifndef VECTL_NETADDR_H
#define VECTL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "linux/ve.h"

/* One address: AF_INET (a[0..3]) or AF_INET6. */
struct ve_ip {
	int family;
	uint8_t a[16];
};

/* Room for any address printed by ve_ip_format(). */
#define VE_IP_STRLEN	INET6_ADDRSTRLEN

/*
 * Parse "ADDR" (a "/32" or "/128" suffix is allowed) into @ip. Refuses,
 * saying why in @why, what a VE may not own: prefixes, IPv6 scope ids,
 * and every address that is not a unicast one reachable beyond a link.
 */
int ve_ip_parse(const char *s, struct ve_ip *ip, char *why, size_t len);
const char *ve_ip_format(const struct ve_ip *ip, char *buf, size_t len);
bool ve_ip_equal(const struct ve_ip *a, const struct ve_ip *b);
/* Index of @ip in @list, or -1. */
int ve_ip_find(const struct ve_ip *list, int n, const struct ve_ip *ip);

/*
 * Parse IP_ADDRESS's value (addresses separated by blanks) into @out (room
 * for VE_ADDR_MAX). Returns the count, or -1 with the reason in @why.
 */
int ve_ip_list_parse(const char *s, struct ve_ip *out, char *why, size_t len);
/* The list as IP_ADDRESS holds it: "ADDR ADDR ..." */
void ve_ip_list_format(const struct ve_ip *list, int n, char *buf, size_t len);

/* An address or a prefix: "10.0.0.0/8", "fd00::1" (a whole address). */
struct ve_prefix {
	int family;		/* 0: none given */
	uint8_t a[16];
	int len;
};

/*
 * "ADDR" or "ADDR/LEN", IPv4 or IPv6, any kind of address; the host bits
 * cleared when @host_bits is false (a prefix), kept when true (an
 * interface's address with its network's length). 0 or -EINVAL.
 */
int ve_prefix_parse(const char *s, struct ve_prefix *n, bool host_bits);
/* As parsed: "-" for none, the length left out for a whole address. */
void ve_prefix_format(const struct ve_prefix *n, char *buf, size_t len);

#endif
