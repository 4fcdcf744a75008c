// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's bridged interfaces, kept in NETIF with vzctl's syntax:
 *
 *   NETIF="ifname=eth0,mac=02:..,host_ifname=veth101.0,host_mac=02:..,bridge=br0;ifname=eth1,..."
 *
 * plus ve's own key "ip=ADDR ADDR...": the addresses the VE may send from
 * on that interface (the module drops any other source; the VE configures
 * them itself, with whatever prefix and gateway its LAN has). And
 * "network=NAME,addr=ADDR/LEN": an interface on customer network NAME
 * (privnet.h), its bridge the network's, with an address vectl sets in the
 * VE; no filter (the segment is the customer's own). MACs not
 * given are made from the VE's ID and the interface's name, so they stay
 * the same across starts and nodes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netif.h"
#include "privnet.h"

void netif_default_mac(uint32_t id, const char *ifname, bool host, uint8_t mac[6])
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	char key[64];

	snprintf(key, sizeof(key), "%u/%s/%s", id, ifname, host ? "host" : "ve");
	for (const char *p = key; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	mac[0] = 0x02;			/* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || *p == ',' || *p == ';' || *p == '=' ||
		    isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return false;
	return true;
}

static bool mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &end) != 6 || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	/* Unicast, not all zero. */
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static void mac_format(const uint8_t *mac, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

static int set_field(uint32_t id, struct ve_netif *nif, const char *key, const char *v,
		     char *why, size_t len)
{
	char reason[160];

	if (!strcmp(key, "ifname") || !strcmp(key, "host_ifname") || !strcmp(key, "bridge")) {
		char *dst = !strcmp(key, "ifname") ? nif->ifname :
			    !strcmp(key, "bridge") ? nif->bridge : nif->host_ifname;

		if (!ifname_ok(v)) {
			snprintf(why, len, "%s '%s' is not a device name (1 to %d characters, no '/', ':', ',', ';', '=' or blanks)",
				 key, v, IF_NAMESIZE - 1);
			return -1;
		}
		snprintf(dst, IF_NAMESIZE, "%s", v);
		return 0;
	}
	if (!strcmp(key, "mac") || !strcmp(key, "host_mac")) {
		if (!mac_parse(v, !strcmp(key, "mac") ? nif->mac : nif->host_mac)) {
			snprintf(why, len, "%s '%s' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)",
				 key, v);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "network")) {
		if (!privnet_name_ok(v)) {
			snprintf(why, len, "network '%s' is not a network name (1 to %d of a-z, 0-9, '-', '_', a letter first)",
				 v, PRIVNET_NAME_MAX);
			return -1;
		}
		snprintf(nif->network, sizeof(nif->network), "%s", v);
		return 0;
	}
	if (!strcmp(key, "addr")) {
		if (ve_prefix_parse(v, &nif->addr, true)) {
			snprintf(why, len, "addr '%s' is not ADDR/LEN", v);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "ip")) {
		char *copy = strdup(v), *save = NULL;
		int rc = 0;

		for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; t && !rc;
		     t = strtok_r(NULL, " ", &save)) {
			struct ve_ip ip;

			if (ve_ip_parse(t, &ip, reason, sizeof(reason))) {
				snprintf(why, len, "ip '%s': %s", t, reason);
				rc = -1;
			} else if (ve_ip_find(nif->ips, nif->n_ips, &ip) < 0) {
				if (nif->n_ips == VE_NETIF_IPS) {
					snprintf(why, len, "more than %d addresses on one interface",
						 VE_NETIF_IPS);
					rc = -1;
				} else {
					nif->ips[nif->n_ips++] = ip;
				}
			}
		}
		free(copy);
		return rc;
	}
	/* vzctl's other keys (configure, mac_filter) mean nothing here. */
	(void)id;
	return 0;
}

int netif_complete(uint32_t id, struct ve_netif *nif, int index, char *why, size_t len)
{
	static const uint8_t zero[6];

	if (!nif->ifname[0]) {
		snprintf(why, len, "an interface without ifname");
		return -1;
	}
	if (!strcmp(nif->ifname, "venet0") || !strcmp(nif->ifname, "lo")) {
		snprintf(why, len, "ifname %s is taken (venet0 is the routed device, lo the loopback)",
			 nif->ifname);
		return -1;
	}
	if (nif->network[0] && (nif->bridge[0] || nif->n_ips)) {
		snprintf(why, len, "%s: an interface on network %s has its bridge, and no ip= (the network is the customer's own)",
			 nif->ifname, nif->network);
		return -1;
	}
	if (nif->addr.family && !nif->network[0]) {
		snprintf(why, len, "%s: addr= is for an interface on a network (network=NAME)",
			 nif->ifname);
		return -1;
	}
	if (!memcmp(nif->mac, zero, 6))
		netif_default_mac(id, nif->ifname, false, nif->mac);
	if (!memcmp(nif->host_mac, zero, 6))
		netif_default_mac(id, nif->ifname, true, nif->host_mac);
	if (!nif->host_ifname[0] &&
	    snprintf(nif->host_ifname, IF_NAMESIZE, "veth%u.%d", id, index) >= IF_NAMESIZE) {
		snprintf(why, len, "the host end's default name veth%u.%d is too long for a device; give host_ifname",
			 id, index);
		return -1;
	}
	return 0;
}

static int check_unique(const struct ve_netif *list, int n, char *why, size_t len)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++) {
			if (!strcmp(list[i].ifname, list[j].ifname) ||
			    !strcmp(list[i].host_ifname, list[j].host_ifname)) {
				snprintf(why, len, "two interfaces named %s",
					 !strcmp(list[i].ifname, list[j].ifname) ?
					 list[i].ifname : list[i].host_ifname);
				return -1;
			}
			for (int k = 0; k < list[i].n_ips; k++)
				if (ve_ip_find(list[j].ips, list[j].n_ips, &list[i].ips[k]) >= 0) {
					char a[VE_IP_STRLEN];

					snprintf(why, len, "%s is on two interfaces",
						 ve_ip_format(&list[i].ips[k], a, sizeof(a)));
					return -1;
				}
		}
	return 0;
}

int netif_parse(uint32_t id, const char *s, struct ve_netif *out, char *why, size_t len)
{
	char *copy = strdup(s ? s : ""), *save = NULL;
	int n = 0;

	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (char *e = strtok_r(copy, ";", &save); e && n >= 0; e = strtok_r(NULL, ";", &save)) {
		char *fsave = NULL;

		if (n == VE_NETIF_MAX_CONF) {
			snprintf(why, len, "more than %d interfaces", VE_NETIF_MAX_CONF);
			n = -1;
			break;
		}
		memset(&out[n], 0, sizeof(out[n]));
		for (char *f = strtok_r(e, ",", &fsave); f; f = strtok_r(NULL, ",", &fsave)) {
			char *eq = strchr(f, '=');

			if (!eq) {
				snprintf(why, len, "'%s' is not key=value", f);
				n = -1;
				break;
			}
			*eq = '\0';
			if (set_field(id, &out[n], f, eq + 1, why, len)) {
				n = -1;
				break;
			}
		}
		if (n >= 0 && netif_complete(id, &out[n], n, why, len))
			n = -1;
		if (n >= 0)
			n++;
	}
	free(copy);
	if (n > 0 && check_unique(out, n, why, len))
		n = -1;
	return n;
}

void netif_format(const struct ve_netif *list, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++) {
		const struct ve_netif *f = &list[i];
		char mac[18], hmac[18];

		mac_format(f->mac, mac);
		mac_format(f->host_mac, hmac);
		used += (size_t)snprintf(buf + used, len - used,
					 "%sifname=%s,mac=%s,host_ifname=%s,host_mac=%s",
					 i ? ";" : "", f->ifname, mac, f->host_ifname, hmac);
		if (f->bridge[0] && used < len)
			used += (size_t)snprintf(buf + used, len - used, ",bridge=%s", f->bridge);
		if (f->network[0] && used < len)
			used += (size_t)snprintf(buf + used, len - used, ",network=%s", f->network);
		if (f->addr.family && used < len) {
			char a[64];

			ve_prefix_format(&f->addr, a, sizeof(a));
			used += (size_t)snprintf(buf + used, len - used, ",addr=%s", a);
		}
		for (int k = 0; k < f->n_ips && used < len; k++) {
			char a[VE_IP_STRLEN];

			used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? " " : ",ip=",
						 ve_ip_format(&f->ips[k], a, sizeof(a)));
		}
	}
}

int netif_parse_arg(uint32_t id, const char *arg, int index, struct ve_netif *nif,
		    char *why, size_t len)
{
	static const char *const keys[] = { "ifname", "mac", "host_ifname", "host_mac",
					    "bridge", "ip" };
	char *copy = strdup(arg), *p = copy;
	int rc = 0;

	memset(nif, 0, sizeof(*nif));
	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	/* Positional, empty fields allowed: "eth0,,,,br0". */
	for (size_t k = 0; p && !rc; k++) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (k >= sizeof(keys) / sizeof(keys[0])) {
			snprintf(why, len, "more than %zu fields (ifname,mac,host_ifname,host_mac,bridge,addrs)",
				 sizeof(keys) / sizeof(keys[0]));
			rc = -1;
		} else if (*p) {
			rc = set_field(id, nif, keys[k], p, why, len);
		}
		p = comma ? comma + 1 : NULL;
	}
	free(copy);
	return rc ? rc : netif_complete(id, nif, index, why, len);
}
