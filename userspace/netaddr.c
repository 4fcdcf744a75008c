// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's IP addresses as the user writes them (--ipadd, IP_ADDRESS) and as
 * the module takes them. The checks are the module's own, made here first
 * so that a bad address is named in the user's words.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netaddr.h"

static bool v4_ok(const uint8_t *a)
{
	/* Not 0/8, loopback, multicast or the limited broadcast. */
	return a[0] != 0 && a[0] != 127 && (a[0] & 0xf0) != 0xe0 &&
	       !(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static bool v6_ok(const uint8_t *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[15];

	if (a[0] == 0xff)				/* multicast */
		return false;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* link-local */
		return false;
	if (!memcmp(a, mapped, sizeof(mapped)))		/* v4-mapped */
		return false;
	return memcmp(a, zero, sizeof(zero)) || a[15] > 1; /* ::, ::1 */
}

int ve_ip_parse(const char *s, struct ve_ip *ip, char *why, size_t len)
{
	char buf[VE_IP_STRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	memset(ip, 0, sizeof(*ip));
	if (!n || n >= VE_IP_STRLEN) {
		snprintf(why, len, "not an IPv4 or IPv6 address");
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strchr(buf, '%')) {
		snprintf(why, len, "an IPv6 scope id (%%...) names a link; a VE's address is global");
		return -1;
	}
	if (inet_pton(AF_INET, buf, ip->a) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, ip->a) == 1)
		ip->family = AF_INET6;
	else {
		snprintf(why, len, "not an IPv4 or IPv6 address");
		return -1;
	}
	if (slash && strcmp(slash + 1, ip->family == AF_INET ? "32" : "128")) {
		snprintf(why, len, "a VE's address is one address: give it without %s", slash);
		return -1;
	}
	if (ip->family == AF_INET ? !v4_ok(ip->a) : !v6_ok(ip->a)) {
		snprintf(why, len, "not a unicast address a VE may own (no loopback, multicast, broadcast, link-local or unspecified address)");
		return -1;
	}
	return 0;
}

const char *ve_ip_format(const struct ve_ip *ip, char *buf, size_t len)
{
	if (!inet_ntop(ip->family, ip->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

bool ve_ip_equal(const struct ve_ip *a, const struct ve_ip *b)
{
	return a->family == b->family &&
	       !memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

int ve_ip_find(const struct ve_ip *list, int n, const struct ve_ip *ip)
{
	for (int i = 0; i < n; i++)
		if (ve_ip_equal(&list[i], ip))
			return i;
	return -1;
}

int ve_ip_list_parse(const char *s, struct ve_ip *out, char *why, size_t len)
{
	char *copy = strdup(s ? s : ""), *save = NULL, *tok;
	char reason[160];
	int n = 0;

	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		struct ve_ip ip;

		if (ve_ip_parse(tok, &ip, reason, sizeof(reason))) {
			snprintf(why, len, "'%s': %s", tok, reason);
			n = -1;
			break;
		}
		if (ve_ip_find(out, n, &ip) >= 0)
			continue;
		if (n == VE_ADDR_MAX) {
			snprintf(why, len, "more than %d addresses", VE_ADDR_MAX);
			n = -1;
			break;
		}
		out[n++] = ip;
	}
	free(copy);
	return n;
}

void ve_ip_list_format(const struct ve_ip *list, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		char one[VE_IP_STRLEN];

		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
					 ve_ip_format(&list[i], one, sizeof(one)));
	}
}

int ve_prefix_parse(const char *s, struct ve_prefix *n, bool host_bits)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t bits;
	int max;

	if (!len || len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, len);
	addr[len] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, addr, n->a) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, n->a) == 1)
		n->family = AF_INET6;
	else
		return -EINVAL;
	max = n->family == AF_INET ? 32 : 128;
	bits = (uint32_t)max;
	if (slash) {
		const char *p = slash + 1;

		/* 1 to 3 digits, at most @max. */
		if (!*p || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p))
			return -EINVAL;
		bits = (uint32_t)atoi(p);
		if (bits > (uint32_t)max)
			return -EINVAL;
	}
	n->len = (int)bits;
	/* A prefix's host bits say nothing: cleared, so that it prints as nft does. */
	for (int i = 0; i < max / 8 && !host_bits; i++) {
		int keep = n->len - i * 8;

		n->a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

void ve_prefix_format(const struct ve_prefix *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!n->family) {
		snprintf(buf, len, "-");
		return;
	}
	inet_ntop(n->family, n->a, a, sizeof(a));
	if (n->len == (n->family == AF_INET ? 32 : 128))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, n->len);
}
