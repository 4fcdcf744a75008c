// SPDX-License-Identifier: GPL-2.0
/*
 * Customer networks (see privnet.h). A network is a file,
 *
 *   /etc/ve/networks/NAME.conf:  VNI="..." SUBNET="10.50.0.0/24" PEERS="10.97.0.2 ..."
 *                                ENCRYPT="yes" PEER_KEYS="KEY ..." (PEERS' order)
 *
 * and, on a node that has members, a bridge vnbVNI (no address of the
 * host's: the host is not on the customer's network) with, when the
 * network has peers, a VXLAN device vnxVNI on it that floods to each peer
 * (head-end replication: no multicast needed on the LAN) and learns
 * where the remote MACs are. Two networks share nothing but the LAN their
 * VXLAN packets cross, each VNI its own segment: the same subnet on two
 * networks is two separate segments. An encrypted network's VXLAN goes
 * through the nodes' WireGuard tunnel (tunnel.h) instead of the LAN: the
 * LAN sees WireGuard's UDP between the nodes, nothing of the VEs'.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "netif.h"
#include "parse.h"
#include "privnet.h"
#include "run.h"
#include "vectx.h"

bool privnet_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > PRIVNET_NAME_MAX || !islower((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' &&
		    *p != '_')
			return false;
	return true;
}

uint32_t privnet_default_vni(const char *name)
{
	uint32_t h = 2166136261U;	/* FNV-1a */

	for (const char *p = name; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619U;
	}
	/* 1..PRIVNET_VNI_MAX: never 0, which VXLAN tools take for "none". */
	return h % PRIVNET_VNI_MAX + 1;
}

static void path_of(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, PRIVNET_DIR "/%s.conf", name);
}

/* PEER_KEYS: one key per peer, in PEERS' order. 0 or -EINVAL. */
static int keys_parse(const char *v, struct privnet *n)
{
	int k = 0;

	while (v && *v && k <= n->n_peers) {
		size_t l = strcspn(v, " ");
		char key[TUNNEL_KEY_LEN + 2];

		if (l && l < sizeof(key)) {
			memcpy(key, v, l);
			key[l] = '\0';
			if (!tunnel_key_ok(key) || k == n->n_peers)
				return -EINVAL;
			memcpy(n->keys[k++], key, sizeof(n->keys[0]));
		} else if (l) {
			return -EINVAL;
		}
		v += l + (v[l] == ' ');
	}
	return k == n->n_peers ? 0 : -EINVAL;
}

int privnet_load(const char *name, struct privnet *n, char *why, size_t len)
{
	char path[PATH_MAX], r[160];
	const char *v;
	struct conf c = { 0 };
	int err;

	memset(n, 0, sizeof(*n));
	if (!privnet_name_ok(name)) {
		snprintf(why, len, "'%s' is not a network name", name);
		return -EINVAL;
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	path_of(name, path, sizeof(path));
	err = conf_load(&c, path);
	if (err) {
		conf_free(&c);
		snprintf(why, len, "no network %s", name);
		return err == -ENOENT ? -ENOENT : err;
	}
	err = -EINVAL;
	v = conf_get(&c, "VNI");
	if (!v || parse_uint(v, 1, PRIVNET_VNI_MAX, &n->vni)) {
		snprintf(why, len, "%s: VNI=\"%s\" is not 1 to %u", path, v ? v : "",
			 PRIVNET_VNI_MAX);
		goto out;
	}
	v = conf_get(&c, "SUBNET");
	if (v && *v && ve_prefix_parse(v, &n->subnet, false)) {
		snprintf(why, len, "%s: SUBNET=\"%s\" is not a prefix", path, v);
		goto out;
	}
	v = conf_get(&c, "PEERS");
	n->n_peers = v ? ve_ip_list_parse(v, n->peers, r, sizeof(r)) : 0;
	if (n->n_peers < 0) {
		snprintf(why, len, "%s: PEERS: %s", path, r);
		goto out;
	}
	v = conf_get(&c, "ENCRYPT");
	n->encrypt = v && !strcmp(v, "yes");
	if (n->encrypt && keys_parse(conf_get(&c, "PEER_KEYS"), n)) {
		snprintf(why, len, "%s: PEER_KEYS is not one WireGuard key per peer", path);
		goto out;
	}
	err = 0;
out:
	conf_free(&c);
	return err;
}

int privnet_save(const struct privnet *n)
{
	char path[PATH_MAX], vni[16], subnet[64], peers[PRIVNET_PEERS_MAX * VE_IP_STRLEN];
	char keys[PRIVNET_PEERS_MAX * (TUNNEL_KEY_LEN + 1) + 1];
	size_t used = 0;
	struct conf c = { 0 };
	int err;

	err = mkdir_p(PRIVNET_DIR, 0755);
	if (err)
		return err;
	path_of(n->name, path, sizeof(path));
	snprintf(vni, sizeof(vni), "%u", n->vni);
	ve_prefix_format(&n->subnet, subnet, sizeof(subnet));
	ve_ip_list_format(n->peers, n->n_peers, peers, sizeof(peers));
	err = conf_set(&c, "VNI", vni);
	if (!err)
		err = conf_set(&c, "SUBNET", n->subnet.family ? subnet : NULL);
	if (!err)
		err = conf_set(&c, "PEERS", n->n_peers ? peers : NULL);
	keys[0] = '\0';
	for (int i = 0; n->encrypt && i < n->n_peers; i++)
		used += (size_t)snprintf(keys + used, sizeof(keys) - used, "%s%s", i ? " " : "",
					 n->keys[i]);
	if (!err && n->encrypt)
		err = conf_set(&c, "ENCRYPT", "yes");
	if (!err && n->encrypt)
		err = conf_set(&c, "PEER_KEYS", keys);
	if (!err)
		err = conf_save(&c, path);
	conf_free(&c);
	return err;
}

int privnet_remove(const char *name)
{
	char path[PATH_MAX];

	path_of(name, path, sizeof(path));
	return unlink(path) ? -errno : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct privnet *)a)->name, ((const struct privnet *)b)->name);
}

int privnet_list(struct privnet **out)
{
	DIR *d = opendir(PRIVNET_DIR);
	struct privnet *v = NULL, *grown;
	struct dirent *e;
	int n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char name[PRIVNET_NAME_MAX + 1], why[PATH_MAX + 160];

		if (len <= 5 || len - 5 > PRIVNET_NAME_MAX || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(v, sizeof(*v) * (size_t)cap);
			if (!grown) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = grown;
		}
		if (privnet_load(name, &v[n], why, sizeof(why))) {
			vectl_err("warning: network %s skipped: %s", name, why);
			continue;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), by_name);
	*out = v;
	return n;
}

struct members {
	const char *name;
	uint32_t *ids;
	int n, max;
};

static void member_of(uint32_t id, void *data)
{
	struct ve_netif nifs[VE_NETIF_MAX_CONF];
	struct members *m = data;
	char why[256];
	struct vectx x;
	int n;

	if (m->n == m->max || vectx_open(&x, "network", id, false))
		return;
	n = netif_parse(id, vectx_get(&x, "NETIF"), nifs, why, sizeof(why));
	for (int i = 0; i < n; i++)
		if (!strcmp(nifs[i].network, m->name)) {
			m->ids[m->n++] = id;
			break;
		}
	vectx_close(&x);
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int privnet_members(const char *name, uint32_t *ids, int max)
{
	struct members m = { name, ids, 0, max };

	vectx_each_conf(member_of, &m);
	qsort(ids, (size_t)m.n, sizeof(ids[0]), by_id);
	return m.n;
}

void privnet_bridge(const struct privnet *n, char buf[IF_NAMESIZE])
{
	snprintf(buf, IF_NAMESIZE, "vnb%u", n->vni);
}

void privnet_vxlan(const struct privnet *n, char buf[IF_NAMESIZE])
{
	snprintf(buf, IF_NAMESIZE, "vnx%u", n->vni);
}

/* The host takes no part in the segment: no IPv6 link-local address on the bridge. */
static int no_host_ipv6(const char *dev)
{
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* no IPv6 on this host */
	if (write(fd, "1", 1) != 1)
		err = -errno;
	close(fd);
	return err;
}

int privnet_up(struct rtnl *host, const struct privnet *n, int *bridge, uint32_t *mtu,
	       char *why, size_t len)
{
	char br[IF_NAMESIZE], vx[IF_NAMESIZE];
	struct ve_ip local, dst;
	int err, vxi;

	privnet_bridge(n, br);
	privnet_vxlan(n, vx);
	*mtu = !n->n_peers ? 0 : n->encrypt ? TUNNEL_MEMBER_MTU : PRIVNET_VXLAN_MTU;
	*bridge = rtnl_ifindex(host, br);
	if (*bridge < 0)
		goto fail_br;
	if (!*bridge) {
		err = rtnl_link_add(host, br, "bridge");
		if (err && err != -EEXIST) {
			snprintf(why, len, "cannot create bridge %s of network %s: %s", br, n->name,
				 host->msg[0] ? host->msg : strerror(-err));
			return err;
		}
		*bridge = rtnl_ifindex(host, br);
		if (*bridge <= 0)
			goto fail_br;
		err = no_host_ipv6(br);
		if (!err)
			err = rtnl_link_up(host, *bridge);
		if (err) {
			snprintf(why, len, "cannot bring up bridge %s: %s", br, strerror(-err));
			return err;
		}
	}
	if (!n->n_peers)
		return 0;
	/* Encrypted: the tunnel first (it may have gone with a reboot), VXLAN through it. */
	if (n->encrypt) {
		err = tunnel_up(host, n->peers, n->keys, n->n_peers, &local, why, len);
		if (err)
			return err;
	}
	vxi = rtnl_ifindex(host, vx);
	if (vxi > 0)
		return 0;	/* made with its flood entries before */
	err = vxi < 0 ? vxi : rtnl_vxlan_add(host, vx, n->vni, PRIVNET_VXLAN_PORT, *mtu,
					     n->encrypt ? &local : NULL);
	vxi = err ? err : rtnl_ifindex(host, vx);
	if (vxi <= 0) {
		err = vxi ? vxi : -ENODEV;
		snprintf(why, len, "cannot create the VXLAN device %s of network %s: %s", vx,
			 n->name, host->msg[0] ? host->msg : strerror(-err));
		return err;
	}
	for (int i = 0; i < n->n_peers && !err; i++) {
		dst = n->peers[i];
		if (n->encrypt)
			tunnel_addr(&n->peers[i], &dst);
		err = rtnl_fdb_flood(host, vxi, &dst);
	}
	if (!err)
		err = rtnl_link_master(host, vxi, *bridge);
	if (!err)
		err = rtnl_link_up(host, vxi);
	if (err) {
		snprintf(why, len, "cannot set up the VXLAN device %s: %s", vx,
			 host->msg[0] ? host->msg : strerror(-err));
		rtnl_link_del(host, vxi);	/* made again, whole, next time */
		return err;
	}
	return 0;
fail_br:
	err = *bridge < 0 ? *bridge : -ENODEV;
	snprintf(why, len, "cannot find bridge %s of network %s: %s", br, n->name, strerror(-err));
	return err;
}

int privnet_down(struct rtnl *host, const struct privnet *n)
{
	char name[2][IF_NAMESIZE];
	int first = 0;

	privnet_vxlan(n, name[0]);
	privnet_bridge(n, name[1]);
	for (int i = 0; i < 2; i++) {
		int ifindex = rtnl_ifindex(host, name[i]), err;

		err = ifindex > 0 ? rtnl_link_del(host, ifindex) : ifindex;
		if (err && err != -ENODEV && !first)
			first = err;
	}
	return first;
}
