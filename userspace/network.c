// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's routed network, OpenVZ's venet made of a veth pair:
 *
 *   VE:   venet0  ADDR/32, ADDR/128 ... ; default via 169.254.0.1 and
 *                 fe80::1 (on the link)
 *   host: venetID 169.254.0.1 (scope host), fe80::1; a /32 or /128
 *                 route per address; a proxy ARP/NDP entry per address
 *                 on each NEIGHBOUR_DEVS device, announced when it comes
 *                 up (gratuitous ARP, unsolicited NA)
 *
 * The host end is not bridged: the host routes each address to it, and
 * the module's filter on it drops whatever the VE sends from an address
 * that is not its own (so the VE's root may do what it likes to venet0).
 *
 * The proxy entries live on devices that outlast the VE, so the ones
 * made are written to /run/ve/ID.net before they are made; net_cleanup()
 * removes what that file names even after a vectl was killed half-way.
 * Everything else goes with the pair, which goes with the VE's network
 * namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "config.h"
#include "firewall.h"
#include "launch.h"
#include "network.h"
#include "privnet.h"
#include "rtnl.h"
#include "run.h"

#define NET_RUN_DIR	"/run/ve"
#define VE_IFNAME	"venet0"
#define MAX_UPLINKS	8
#define MAX_RECORDS	(VE_ADDR_MAX * MAX_UPLINKS)

/* The gateways the VE routes through: addresses of the host end. */
static const struct ve_ip gw4 = { AF_INET, { 169, 254, 0, 1 } };
static const struct ve_ip gw6 = { AF_INET6, { 0xfe, 0x80, [15] = 1 } };

/* A proxy neighbour entry vectl made: on device @dev, for @ip. */
struct proxy_rec {
	char dev[IF_NAMESIZE];
	struct ve_ip ip;
};

/* A device of the host's default routes: proxy ARP and NDP answer there. */
struct uplink {
	char name[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
};

struct net_ctx {
	struct vectx *x;
	struct ve_nl *nl;
	const char *verb;
	int netns_fd;			/* the VE's network namespace */
	bool adopt;			/* criu made the pairs and the VE's side */
	struct rtnl host, ve;
	int host_if, ve_if;
	char host_name[IF_NAMESIZE];
	bool up_found;			/* find_uplinks() ran */
	int n_up;
	struct uplink up[MAX_UPLINKS];
};

int net_conf_addrs(struct vectx *x, struct ve_ip *out)
{
	char why[256];
	int n = ve_ip_list_parse(vectx_get(x, "IP_ADDRESS"), out, why, sizeof(why));

	if (n < 0)
		vectl_err("%s %u: IP_ADDRESS in %s: %s", x->verb, x->id, x->conf_path, why);
	return n;
}

int net_conf_netifs(struct vectx *x, struct ve_netif *out)
{
	char why[256];
	int n = netif_parse(x->id, vectx_get(x, "NETIF"), out, why, sizeof(why));

	if (n < 0)
		vectl_err("%s %u: NETIF in %s: %s", x->verb, x->id, x->conf_path, why);
	return n;
}

int net_module_addrs(const struct vectx *x, const struct ve_ip *routed, int n_routed,
		     const struct ve_netif *nifs, int n_nifs, struct ve_ip *out)
{
	char a[VE_IP_STRLEN];
	int n = n_routed;

	memcpy(out, routed, sizeof(*routed) * (size_t)n_routed);
	for (int i = 0; i < n_nifs; i++)
		for (int k = 0; k < nifs[i].n_ips; k++) {
			const struct ve_ip *ip = &nifs[i].ips[k];

			if (ve_ip_find(out, n, ip) >= 0) {
				vectl_err("%s %u: %s is both routed (IP_ADDRESS) and on %s (NETIF); an address is one or the other",
					  x->verb, x->id, ve_ip_format(ip, a, sizeof(a)), nifs[i].ifname);
				return -1;
			}
			if (n == VE_ADDR_MAX) {
				vectl_err("%s %u: more than %d addresses in IP_ADDRESS and NETIF together",
					  x->verb, x->id, VE_ADDR_MAX);
				return -1;
			}
			out[n++] = *ip;
		}
	return n;
}

static void host_name(const struct vectx *x, char *buf)
{
	snprintf(buf, IF_NAMESIZE, "venet%u", x->id);
}

/* ---- the record of proxy entries ---- */

static void rec_path(const struct vectx *x, char *buf, size_t len)
{
	snprintf(buf, len, NET_RUN_DIR "/%u.net", x->id);
}

static int rec_load(const struct vectx *x, struct proxy_rec *recs)
{
	char path[64], line[128], addr[VE_IP_STRLEN + 1], why[160];
	FILE *f;
	int n = 0;

	rec_path(x, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < MAX_RECORDS && fgets(line, sizeof(line), f)) {
		struct proxy_rec *r = &recs[n];

		if (sscanf(line, "%15s %46s", r->dev, addr) == 2 &&
		    !ve_ip_parse(addr, &r->ip, why, sizeof(why)))
			n++;
	}
	fclose(f);
	return n;
}

/* Replace the record, atomically; none left: no file. */
static int rec_save(const struct vectx *x, const struct proxy_rec *recs, int n)
{
	char path[64], tmp[80], addr[VE_IP_STRLEN];
	FILE *f;

	rec_path(x, path, sizeof(path));
	if (!n)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	f = record_open(NET_RUN_DIR, path, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	for (int i = 0; i < n; i++)
		fprintf(f, "%s %s\n", recs[i].dev,
			ve_ip_format(&recs[i].ip, addr, sizeof(addr)));
	return file_commit(f, tmp, path);
}

static int rec_find(const struct proxy_rec *recs, int n, const char *dev,
		    const struct ve_ip *ip)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(recs[i].dev, dev) && ve_ip_equal(&recs[i].ip, ip))
			return i;
	return -1;
}

/* ---- the host's uplinks ---- */

/* Uplink @ifindex, known by @name when given, into c->up (once). */
static void uplink_add(struct net_ctx *c, int ifindex, const char *name)
{
	struct uplink *u = &c->up[c->n_up];

	for (int j = 0; j < c->n_up; j++)
		if (c->up[j].ifindex == ifindex)
			return;	/* the same device for IPv4 and IPv6 */
	if (c->n_up == MAX_UPLINKS)
		return;
	u->ifindex = ifindex;
	memset(u->mac, 0, 6);
	if (name)
		snprintf(u->name, IF_NAMESIZE, "%s", name);
	/* Its name (unless given) and MAC in one request. */
	if (rtnl_link_info(&c->host, ifindex, name ? NULL : u->name, u->mac) && !name)
		return;	/* gone since the dump */
	c->n_up++;
}

/*
 * NEIGHBOUR_DEVS: "detect" (the default: the devices of the main table's
 * default routes, asked of rtnetlink), none (""), or device names. Found
 * at the first address that needs them: a VE without addresses never
 * asks, and a start does not read the host's routing tables, which grow
 * with every VE running.
 */
static int find_uplinks(struct net_ctx *c)
{
	const char *v = vectx_get(c->x, "NEIGHBOUR_DEVS");

	if (c->up_found)
		return 0;
	c->n_up = 0;
	if (!v || !strcmp(v, "detect")) {
		static const int families[] = { AF_INET, AF_INET6 };
		int idx[MAX_UPLINKS];

		for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
			int n = rtnl_default_devs(&c->host, families[f], idx, MAX_UPLINKS);

			if (n < 0) {
				vectl_err("%s %u: cannot read the host's default routes: %s",
					  c->verb, c->x->id, strerror(-n));
				return n;
			}
			for (int i = 0; i < n; i++)
				uplink_add(c, idx[i], NULL);
		}
	} else {
		char *copy = strdup(v), *save = NULL;

		for (char *t = copy ? strtok_r(copy, " \t,", &save) : NULL; t;
		     t = strtok_r(NULL, " \t,", &save)) {
			int ifindex = rtnl_ifindex(&c->host, t);

			if (ifindex <= 0) {
				vectl_err("%s %u: NEIGHBOUR_DEVS names %s, which the host does not have; fix it in /etc/ve/ve.conf",
					  c->verb, c->x->id, t);
				free(copy);
				return -ENODEV;
			}
			uplink_add(c, ifindex, t);
		}
		free(copy);
	}
	c->up_found = true;
	return 0;
}

static void sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	/* Best effort: without it, IPv6 neighbours are not answered. */
	if (fd >= 0) {
		ssize_t n = write(fd, value, strlen(value));

		(void)n;
		close(fd);
	}
}

/* Tell the LAN at once that @ip is here now; best effort. */
static void announce(const struct net_ctx *c, int u, const struct ve_ip *ip)
{
	if (ip->family == AF_INET) {
		struct __attribute__((packed)) {
			struct arphdr h;
			uint8_t sha[6], sip[4], tha[6], tip[4];
		} arp = {
			.h = { htons(ARPHRD_ETHER), htons(ETHERTYPE_IP), 6, 4, htons(ARPOP_REQUEST) },
		};
		struct sockaddr_ll to = {
			.sll_family = AF_PACKET, .sll_protocol = htons(ETHERTYPE_ARP),
			.sll_ifindex = c->up[u].ifindex, .sll_halen = 6,
			.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		};
		int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETHERTYPE_ARP));

		/* Gratuitous: who has ADDR, tell ADDR. */
		memcpy(arp.sha, c->up[u].mac, 6);
		memcpy(arp.sip, ip->a, 4);
		memcpy(arp.tip, ip->a, 4);
		if (fd >= 0) {
			sendto(fd, &arp, sizeof(arp), 0, (struct sockaddr *)&to, sizeof(to));
			close(fd);
		}
	} else {
		struct __attribute__((packed)) {
			struct nd_neighbor_advert na;
			uint8_t opt_type, opt_len, mac[6];
		} msg = {
			.na.nd_na_type = ND_NEIGHBOR_ADVERT,
			.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE,
			.opt_type = ND_OPT_TARGET_LINKADDR, .opt_len = 1,
		};
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
		int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
		int hops = 255;

		memcpy(&msg.na.nd_na_target, ip->a, 16);
		memcpy(msg.mac, c->up[u].mac, 6);
		inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
		to.sin6_scope_id = (uint32_t)c->up[u].ifindex;
		if (fd >= 0) {
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
			setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &c->up[u].ifindex,
				   sizeof(c->up[u].ifindex));
			sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&to, sizeof(to));
			close(fd);
		}
	}
}

/* ---- one address ---- */

static int fail(const struct net_ctx *c, const char *what, const struct ve_ip *ip,
		const struct rtnl *r, int err)
{
	char addr[VE_IP_STRLEN] = "";

	if (ip)
		ve_ip_format(ip, addr, sizeof(addr));
	vectl_err("%s %u: cannot %s%s%s: %s%s%s", c->verb, c->x->id, what,
		  ip ? " " : "", addr, strerror(-err), r && r->msg[0] ? ": " : "",
		  r ? r->msg : "");
	return VECTL_ERR_NET;
}

/* The host end's gateway address and the VE's default route, for @family. */
static int gateway_up(struct net_ctx *c, int family)
{
	const struct ve_ip *gw = family == AF_INET ? &gw4 : &gw6;
	int err;

	err = rtnl_addr(&c->host, true, c->host_if, gw,
			family == AF_INET ? RT_SCOPE_HOST : RT_SCOPE_LINK);
	if (err)
		return fail(c, "give the host end its gateway address", gw, &c->host, err);
	err = c->adopt ? 0 : rtnl_route(&c->ve, true, family, NULL, c->ve_if, gw);
	if (err)
		return fail(c, "route the VE through", gw, &c->ve, err);
	return VECTL_OK;
}

static int addr_up(struct net_ctx *c, const struct ve_ip *ip)
{
	struct proxy_rec recs[MAX_RECORDS];
	int n, err, rc;
	char path[128];

	if (find_uplinks(c))
		return VECTL_ERR_NET;
	n = rec_load(c->x, recs);
	/* Written down first: a killed vectl leaves nothing unnamed. */
	for (int u = 0; u < c->n_up; u++)
		if (rec_find(recs, n, c->up[u].name, ip) < 0 && n < MAX_RECORDS) {
			snprintf(recs[n].dev, IF_NAMESIZE, "%s", c->up[u].name);
			recs[n++].ip = *ip;
		}
	err = rec_save(c->x, recs, n);
	if (err)
		return fail(c, "write " NET_RUN_DIR " for", ip, NULL, err);

	rc = gateway_up(c, ip->family);
	if (rc)
		return rc;
	err = c->adopt ? 0 : rtnl_addr(&c->ve, true, c->ve_if, ip, RT_SCOPE_UNIVERSE);
	if (err)
		return fail(c, "add to " VE_IFNAME, ip, &c->ve, err);
	err = rtnl_route(&c->host, true, ip->family, ip, c->host_if, NULL);
	if (err)
		return fail(c, "route the host to", ip, &c->host, err);
	fault_point("net:routed");
	for (int u = 0; u < c->n_up; u++) {
		if (ip->family == AF_INET6) {
			snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/proxy_ndp",
				 c->up[u].name);
			sysctl_write(path, "1");
		}
		err = rtnl_neigh_proxy(&c->host, true, c->up[u].ifindex, ip);
		if (err)
			return fail(c, "answer neighbours on the uplink for", ip, &c->host, err);
		announce(c, u, ip);
	}
	return VECTL_OK;
}

/* Take @ip away; what is gone already is fine. */
static int addr_down(struct net_ctx *c, const struct ve_ip *ip)
{
	struct proxy_rec recs[MAX_RECORDS];
	int n = rec_load(c->x, recs), err, kept = 0;

	err = rtnl_addr(&c->ve, false, c->ve_if, ip, RT_SCOPE_UNIVERSE);
	if (err && err != -EADDRNOTAVAIL && err != -ENODEV)
		return fail(c, "remove from " VE_IFNAME, ip, &c->ve, err);
	err = rtnl_route(&c->host, false, ip->family, ip, c->host_if, NULL);
	if (err && err != -ESRCH && err != -ENODEV)
		return fail(c, "remove the host's route to", ip, &c->host, err);
	for (int i = 0; i < n; i++) {
		int ifindex;

		if (!ve_ip_equal(&recs[i].ip, ip)) {
			recs[kept++] = recs[i];
			continue;
		}
		ifindex = rtnl_ifindex(&c->host, recs[i].dev);
		err = ifindex > 0 ? rtnl_neigh_proxy(&c->host, false, ifindex, ip) : 0;
		if (err && err != -ENOENT)
			return fail(c, "remove the proxy neighbour entry for", ip, &c->host, err);
	}
	err = rec_save(c->x, recs, kept);
	if (err)
		return fail(c, "write " NET_RUN_DIR " for", ip, NULL, err);
	return VECTL_OK;
}

/* ---- bridged interfaces ---- */

/* The bridge of @nif's customer network, made on this node if need be. */
static int network_bridge(struct net_ctx *c, const struct ve_netif *nif, int *bidx,
			  uint32_t *mtu)
{
	char why[PATH_MAX + 256];
	struct privnet n;
	int err;

	err = privnet_load(nif->network, &n, why, sizeof(why));
	if (!err)
		err = privnet_up(&c->host, &n, bidx, mtu, why, sizeof(why));
	if (err) {
		vectl_err("%s %u: NETIF %s: %s%s", c->verb, c->x->id, nif->ifname, why,
			  err == -ENOENT ? " (vectl network create it first)" : "");
		return VECTL_ERR_NET;
	}
	return VECTL_OK;
}

static int netif_up(struct net_ctx *c, const struct ve_netif *nif)
{
	int err, hidx, vidx, bidx = 0;
	uint32_t mtu = 0;

	if (nif->network[0]) {
		err = network_bridge(c, nif, &bidx, &mtu);
		if (err)
			return err;
	} else if (nif->bridge[0]) {
		bidx = rtnl_ifindex(&c->host, nif->bridge);
		if (bidx <= 0) {
			vectl_err("%s %u: NETIF %s: the host has no bridge %s; create it first",
				  c->verb, c->x->id, nif->ifname, nif->bridge);
			return VECTL_ERR_NET;
		}
	}
	err = c->adopt ? 0 : rtnl_veth_add(&c->host, nif->host_ifname, nif->host_mac,
					   nif->ifname, nif->mac, c->netns_fd);
	if (err)
		return fail(c, "create the device pair of", NULL, &c->host, err);
	hidx = rtnl_ifindex(&c->host, nif->host_ifname);
	vidx = rtnl_ifindex(&c->ve, nif->ifname);
	if (hidx <= 0 || vidx <= 0)
		return fail(c, "find the device pair", NULL, NULL, -ENODEV);
	/*
	 * Filtered (its MAC, the VE's addresses) before it carries anything;
	 * not on a customer network, whose addresses are the customer's
	 * (another network may use the same) and whose segment is its own.
	 */
	err = nif->network[0] ? 0 : veapi_attach(c->nl, c->x->id, hidx, nif->mac);
	if (err) {
		vectl_err("%s %u: cannot attach %s to the module: %s", c->verb, c->x->id,
			  nif->host_ifname, ve_nl_strerror(c->nl, err));
		return VECTL_ERR_NET;
	}
	/* Both ends fit what the network carries (VXLAN's overhead). */
	err = mtu ? rtnl_link_mtu(&c->host, hidx, mtu) : 0;
	if (!err && mtu && !c->adopt)
		err = rtnl_link_mtu(&c->ve, vidx, mtu);
	if (err)
		return fail(c, "set the MTU of the interface pair", NULL, &c->host, err);
	err = bidx ? rtnl_link_master(&c->host, hidx, bidx) : 0;
	if (err)
		return fail(c, "put the host end on its bridge", NULL, &c->host, err);
	if (nif->addr.family && !c->adopt) {
		struct ve_ip ip = { .family = nif->addr.family };

		memcpy(ip.a, nif->addr.a, sizeof(ip.a));
		err = rtnl_addr_len(&c->ve, true, vidx, &ip, (uint8_t)nif->addr.len, RT_SCOPE_UNIVERSE);
		if (err)
			return fail(c, "give the VE its address", &ip, &c->ve, err);
	}
	err = rtnl_link_up(&c->host, hidx);
	if (!err && !c->adopt)
		err = rtnl_link_up(&c->ve, vidx);
	if (err)
		return fail(c, "bring up the interface pair", NULL, &c->host, err);
	return VECTL_OK;
}

/* The pair of @nif goes (its hooks with it); gone already is fine. */
static int netif_down(struct rtnl *host, const struct ve_netif *nif)
{
	int ifindex = rtnl_ifindex(host, nif->host_ifname);
	int err = ifindex > 0 ? rtnl_link_del(host, ifindex) : 0;

	return err == -ENODEV ? 0 : err;
}

/* ---- the VE ---- */

static void ctx_close(struct net_ctx *c)
{
	rtnl_close(&c->host);
	rtnl_close(&c->ve);
	close(c->netns_fd);
}

/* Takes @netns_fd: ctx_close() closes it, also when this fails. */
static int ctx_open(struct net_ctx *c, struct ve_nl *nl, struct vectx *x, int netns_fd)
{
	int err;

	c->x = x;
	c->nl = nl;
	c->netns_fd = netns_fd;
	c->verb = x->verb;
	host_name(x, c->host_name);
	err = rtnl_open(&c->host, -1);
	if (!err)
		err = rtnl_open(&c->ve, netns_fd);
	if (err) {
		ctx_close(c);
		return fail(c, "open rtnetlink", NULL, NULL, err);
	}
	return VECTL_OK;
}

static void warn_forwarding(struct net_ctx *c, const struct ve_ip *ips, int n)
{
	static const char *const knob[2] = { "net.ipv4.ip_forward",
					     "net.ipv6.conf.all.forwarding" };
	static const char *const path[2] = { "/proc/sys/net/ipv4/ip_forward",
					     "/proc/sys/net/ipv6/conf/all/forwarding" };

	for (int v = 0; v < 2; v++) {
		char buf[8] = "";
		bool used = false;
		int fd;

		for (int i = 0; i < n; i++)
			used |= ips[i].family == (v ? AF_INET6 : AF_INET);
		fd = used ? open(path[v], O_RDONLY | O_CLOEXEC) : -1;
		if (fd < 0)
			continue;
		if (read(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == '0')
			vectl_err("%s %u: warning: %s is 0, so only this host reaches the VE's addresses; set it to 1 to route them",
				  c->verb, c->x->id, knob[v]);
		close(fd);
	}
}

/*
 * The host's side of VE @x's network, and with !@adopt the pairs and the
 * VE's side too (a start); with @adopt, criu restored the pairs and what
 * is inside (a resume).
 */
static int plumb(struct ve_nl *nl, struct vectx *x, pid_t pid, bool adopt)
{
	struct ve_netif nifs[VE_NETIF_MAX_CONF];
	struct ve_ip ips[VE_ADDR_MAX];
	struct net_ctx c = { 0 };
	char path[64];
	int n, n_nifs, fd, err, rc, lo;

	n = net_conf_addrs(x, ips);
	n_nifs = net_conf_netifs(x, nifs);
	if (n < 0 || n_nifs < 0)
		return VECTL_ERR_BAD_CONFIG;
	if (!adopt)
		net_cleanup(x);		/* what an earlier run left */
	/* Filtered before any of its devices exists. */
	rc = fw_start(x);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		vectl_err("%s %u: cannot open the VE's network namespace: %s", x->verb, x->id,
			  strerror(errno));
		return VECTL_ERR_NET;
	}
	rc = ctx_open(&c, nl, x, fd);
	if (rc)
		return rc;
	c.adopt = adopt;
	err = adopt ? 0 : rtnl_veth_add(&c.host, c.host_name, NULL, VE_IFNAME, NULL, fd);
	if (err) {
		rc = fail(&c, "create the device pair", NULL, &c.host, err);
		goto out;
	}
	fault_point("net:paired");
	c.host_if = rtnl_ifindex(&c.host, c.host_name);
	c.ve_if = rtnl_ifindex(&c.ve, VE_IFNAME);
	lo = rtnl_ifindex(&c.ve, "lo");
	if (c.host_if <= 0 || c.ve_if <= 0 || lo <= 0) {
		rc = fail(&c, "find the device pair", NULL, NULL, -ENODEV);
		goto out;
	}
	err = adopt ? 0 : rtnl_link_up(&c.ve, lo);
	if (!err && !adopt)
		err = rtnl_link_up(&c.ve, c.ve_if);
	if (!err)
		err = rtnl_link_up(&c.host, c.host_if);
	if (err) {
		rc = fail(&c, "bring up " VE_IFNAME, NULL, &c.host, err);
		goto out;
	}
	/* Filtered before the VE can send anything: its init waits. */
	err = veapi_attach(nl, x->id, c.host_if, NULL);
	if (err) {
		vectl_err("%s %u: cannot attach %s to the module: %s", x->verb, x->id,
			  c.host_name, ve_nl_strerror(nl, err));
		rc = VECTL_ERR_NET;
		goto out;
	}
	fault_point("net:attached");
	for (int i = 0; i < n && !rc; i++)
		rc = addr_up(&c, &ips[i]);
	for (int i = 0; i < n_nifs && !rc; i++)
		rc = netif_up(&c, &nifs[i]);
	if (!rc)
		warn_forwarding(&c, ips, n);
out:
	ctx_close(&c);
	return rc;
}

int net_standby(struct vectx *x, const struct ve_ip *ips, int n, int ifindex, bool on,
		bool announce_it)
{
	struct net_ctx c = { 0 };
	int err, rc = VECTL_OK;
	char path[128];

	c.x = x;
	c.verb = x->verb;
	err = rtnl_open(&c.host, -1);
	if (err)
		return fail(&c, "open rtnetlink", NULL, NULL, err);
	if (find_uplinks(&c)) {
		rtnl_close(&c.host);
		return VECTL_ERR_NET;
	}
	for (int i = 0; i < n && !rc; i++) {
		err = rtnl_route_in(&c.host, on, ips[i].family, &ips[i], ifindex, NULL, 0,
				    NET_STANDBY_TABLE);
		if (err && (on || (err != -ESRCH && err != -ENODEV)))
			rc = fail(&c, on ? "route to ved" : "remove ved's route to", &ips[i], &c.host, err);
		err = rc ? 0 : rtnl_rule_to(&c.host, on, &ips[i], NET_STANDBY_TABLE, NET_STANDBY_PREF);
		if (err && err != (on ? -EEXIST : -ENOENT))
			rc = fail(&c, on ? "add ved's rule for" : "remove ved's rule for", &ips[i],
				  &c.host, err);
		for (int u = 0; u < c.n_up && !rc; u++) {
			if (on && ips[i].family == AF_INET6) {
				snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/proxy_ndp",
					 c.up[u].name);
				sysctl_write(path, "1");
			}
			err = rtnl_neigh_proxy(&c.host, on, c.up[u].ifindex, &ips[i]);
			if (err && (on || err != -ENOENT))
				rc = fail(&c, "answer neighbours on the uplink for", &ips[i], &c.host, err);
			else if (on && announce_it)
				announce(&c, u, &ips[i]);
		}
	}
	rtnl_close(&c.host);
	return rc;
}

int net_standby_release(struct vectx *x)
{
	struct ve_ip ips[VE_ADDR_MAX];
	struct net_ctx c = { 0 };
	int n = net_conf_addrs(x, ips), err, rc = VECTL_OK;

	if (n < 0)
		return VECTL_ERR_BAD_CONFIG;
	c.x = x;
	c.verb = x->verb;
	err = rtnl_open(&c.host, -1);
	if (err)
		return fail(&c, "open rtnetlink", NULL, NULL, err);
	for (int i = 0; i < n && !rc; i++) {
		err = rtnl_rule_to(&c.host, false, &ips[i], NET_STANDBY_TABLE, NET_STANDBY_PREF);
		if (err && err != -ENOENT)
			rc = fail(&c, "remove ved's rule for", &ips[i], &c.host, err);
	}
	rtnl_close(&c.host);
	return rc;
}

int net_start(struct ve_nl *nl, struct vectx *x, pid_t pid)
{
	return plumb(nl, x, pid, false);
}

int net_adopt(struct ve_nl *nl, struct vectx *x, pid_t pid)
{
	return plumb(nl, x, pid, true);
}

int net_pair_names(struct vectx *x, char pairs[][2 * IF_NAMESIZE], int max)
{
	struct ve_netif nifs[VE_NETIF_MAX_CONF];
	char host[IF_NAMESIZE];
	int n = net_conf_netifs(x, nifs);

	if (n < 0 || n + 1 > max)
		return -1;
	host_name(x, host);
	snprintf(pairs[0], sizeof(pairs[0]), "%s=%.15s", VE_IFNAME, host);
	for (int i = 0; i < n; i++)
		snprintf(pairs[i + 1], sizeof(pairs[0]), "%.15s=%.15s", nifs[i].ifname,
			 nifs[i].host_ifname);
	return n + 1;
}

/* The network namespace of running VE @x, checked to be its init's. */
static int ve_netns(struct ve_nl *nl, struct vectx *x)
{
	struct ve_info info;
	char path[64];
	int pidfd, fd;

	pidfd = veapi_open_init(nl, x->id, &info);
	if (pidfd < 0)
		return pidfd;
	snprintf(path, sizeof(path), "/proc/%u/ns/net", info.init_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* The init still lives: the /proc entry was its, not a recycled pid's. */
	if (fd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0)) {
		close(fd);
		fd = -ESRCH;
	} else if (fd < 0) {
		fd = -errno;
	}
	close(pidfd);
	return fd;
}

/* The context of running VE @x. Exit code, said. */
static int ctx_open_running(struct net_ctx *c, struct ve_nl *nl, struct vectx *x)
{
	int fd = ve_netns(nl, x);

	if (fd < 0) {
		vectl_err("%s %u: cannot reach the VE's network: %s", x->verb, x->id,
			  strerror(-fd));
		return fd == -ESRCH ? VECTL_ERR_NOT_RUNNING : VECTL_ERR_NET;
	}
	return ctx_open(c, nl, x, fd);
}

int net_change(struct ve_nl *nl, struct vectx *x, const struct ve_ip *old,
	       int n_old, const struct ve_ip *new, int n_new)
{
	struct net_ctx c = { 0 };
	int rc;

	rc = ctx_open_running(&c, nl, x);
	if (rc)
		return rc;
	c.host_if = rtnl_ifindex(&c.host, c.host_name);
	c.ve_if = rtnl_ifindex(&c.ve, VE_IFNAME);
	if (c.host_if <= 0 || c.ve_if <= 0) {
		vectl_err("%s %u: the VE has no " VE_IFNAME " (its root removed or renamed it); restart the VE to get it back",
			  x->verb, x->id);
		ctx_close(&c);
		return VECTL_ERR_NET;
	}
	for (int i = 0; i < n_old && !rc; i++)
		if (ve_ip_find(new, n_new, &old[i]) < 0)
			rc = addr_down(&c, &old[i]);
	for (int i = 0; i < n_new && !rc; i++)
		if (ve_ip_find(old, n_old, &new[i]) < 0)
			rc = addr_up(&c, &new[i]);
	if (!rc)
		warn_forwarding(&c, new, n_new);
	ctx_close(&c);
	return rc;
}

static bool netif_same(const struct ve_netif *a, const struct ve_netif *b)
{
	return !strcmp(a->ifname, b->ifname) && !strcmp(a->host_ifname, b->host_ifname) &&
	       !strcmp(a->bridge, b->bridge) && !memcmp(a->mac, b->mac, 6) &&
	       !memcmp(a->host_mac, b->host_mac, 6);
}

static int netif_find(const struct ve_netif *list, int n, const struct ve_netif *nif)
{
	for (int i = 0; i < n; i++)
		if (netif_same(&list[i], nif))
			return i;
	return -1;
}

int net_change_netifs(struct ve_nl *nl, struct vectx *x, const struct ve_netif *old,
		      int n_old, const struct ve_netif *new, int n_new)
{
	struct net_ctx c = { 0 };
	int rc, err;

	rc = ctx_open_running(&c, nl, x);
	if (rc)
		return rc;
	/* The config has the new list: the firewall covers it before it is up. */
	rc = fw_start(x);
	if (rc) {
		ctx_close(&c);
		return rc;
	}
	/* A changed interface is removed and made again. */
	for (int i = 0; i < n_old && !rc; i++)
		if (netif_find(new, n_new, &old[i]) < 0) {
			err = netif_down(&c.host, &old[i]);
			if (err)
				rc = fail(&c, "remove the pair of NETIF", NULL, &c.host, err);
		}
	for (int i = 0; i < n_new && !rc; i++)
		if (netif_find(old, n_old, &new[i]) < 0)
			rc = netif_up(&c, &new[i]);
	ctx_close(&c);
	return rc;
}

/*
 * Delete device @ifindex from a child of ours, and do not wait: a device
 * goes with an rcu_barrier() (about a scheduler tick or three), which a
 * stop need not wait for. By index, not name: a start right after may
 * make a new one of that name; indexes are not reused.
 */
static void link_del_behind(int ifindex)
{
	struct rtnl r;

	if (fork() != 0)
		return;
	/* Nothing of ours: not the VE's lock, nor the caller's pipes. */
	close_fds_except(NULL, 0);
	for (int fd = 0; fd < 3; fd++)
		if (fd != open("/dev/null", O_RDWR | O_CLOEXEC))
			_exit(1);
	if (!rtnl_open(&r, -1)) {
		rtnl_link_del(&r, ifindex);
		rtnl_close(&r);
	}
	_exit(0);
}

static int cleanup(const struct vectx *x, bool dev_behind)
{
	struct proxy_rec recs[MAX_RECORDS];
	struct ve_netif nifs[VE_NETIF_MAX_CONF];
	int n = rec_load(x, recs), err = 0, first = 0, ifindex, n_nifs, fw_err;
	char name[IF_NAMESIZE], why[256];
	struct rtnl r;

	/* The firewall's elements and chains: they outlast the devices. */
	fw_err = fw_unload(x, why, sizeof(why));
	if (fw_err)
		vectl_err("%s %u: cannot remove the VE's firewall: %s", x->verb, x->id, why);
	err = rtnl_open(&r, -1);
	if (err)
		return err;
	host_name(x, name);
	/* Gone with the VE's namespace, unless something holds that. */
	ifindex = rtnl_ifindex(&r, name);
	if (ifindex > 0 && dev_behind)
		link_del_behind(ifindex);
	else if (ifindex > 0)
		first = rtnl_link_del(&r, ifindex);
	if (first == -ENODEV)
		first = 0;	/* its namespace took it meanwhile */
	n_nifs = netif_parse(x->id, conf_get(&x->conf, "NETIF"), nifs, why, sizeof(why));
	for (int i = 0; i < n_nifs; i++) {
		err = netif_down(&r, &nifs[i]);
		if (err && !first)
			first = err;
	}
	for (int i = 0; i < n; i++) {
		ifindex = rtnl_ifindex(&r, recs[i].dev);
		err = ifindex > 0 ? rtnl_neigh_proxy(&r, false, ifindex, &recs[i].ip) : 0;
		if (err && err != -ENOENT && !first)
			first = err;
	}
	rtnl_close(&r);
	if (!first)
		first = rec_save(x, recs, 0);
	return first ? first : fw_err;
}

int net_cleanup(const struct vectx *x)
{
	return cleanup(x, false);
}

int net_cleanup_stopped(const struct vectx *x)
{
	return cleanup(x, true);
}

static void keeper_path(const struct vectx *x, char *buf, size_t len)
{
	snprintf(buf, len, NET_RUN_DIR "/%u.keeper", x->id);
}

void net_keeper_started(const struct vectx *x)
{
	char path[64];
	FILE *f;

	keeper_path(x, path, sizeof(path));
	if (mkdir_p(NET_RUN_DIR, 0700))
		return;
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
}

void net_keeper_done(const struct vectx *x, pid_t init)
{
	static struct ve_nl nl;
	struct ve_info info;
	char path[64];
	int fd;

	/* A vectl holding the lock (a stop, say) cleans up by itself. */
	fd = vectx_try_lock(x->id);
	if (fd >= 0) {
		bool again = !ve_nl_open(&nl) && !veapi_get(&nl, x->id, &info) &&
			     info.state != VE_STATE_STOPPED && info.init_pid != (uint32_t)init;

		ve_nl_close(&nl);
		if (!again)
			net_cleanup(x);
		close(fd);
	}
	keeper_path(x, path, sizeof(path));
	unlink(path);
}

void net_wait_keeper(const struct vectx *x, int seconds)
{
	char path[64];
	struct pollfd p = { .events = POLLIN };
	FILE *f;
	int pid = 0;

	keeper_path(x, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	p.fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (p.fd >= 0) {
		poll(&p, 1, seconds * 1000);
		close(p.fd);
	}
}

struct conf_scan {
	const struct vectx *x;
	const struct ve_ip *ips;
	int n;
	uint32_t owner;
	struct ve_ip addr;
};

static void conf_scan_cb(uint32_t id, void *data)
{
	struct conf_scan *s = data;
	struct ve_ip theirs[VE_ADDR_MAX];
	struct conf c = { 0 };
	char path[PATH_MAX], why[160];
	int n;

	if (id == s->x->id || s->owner)
		return;
	ve_conf_path(path, sizeof(path), id);
	if (conf_load(&c, path))
		return;
	n = ve_ip_list_parse(conf_get(&c, "IP_ADDRESS"), theirs, why, sizeof(why));
	for (int i = 0; i < s->n && !s->owner; i++)
		if (ve_ip_find(theirs, n, &s->ips[i]) >= 0) {
			s->owner = id;
			s->addr = s->ips[i];
		}
	conf_free(&c);
}

int net_check_configs(const struct vectx *x, const struct ve_ip *ips, int n)
{
	struct conf_scan s = { x, ips, n, 0, { 0 } };
	char addr[VE_IP_STRLEN];

	vectx_each_conf(conf_scan_cb, &s);
	if (!s.owner)
		return VECTL_OK;
	ve_ip_format(&s.addr, addr, sizeof(addr));
	vectl_err("%s %u: %s is VE %u's address; an address belongs to one VE (take it from VE %u first: vectl set %u --ipdel %s --save)",
		  x->verb, x->id, addr, s.owner, s.owner, s.owner, addr);
	return VECTL_ERR_IP_INUSE;
}

struct conflict {
	const struct vectx *x;
	const struct ve_limits *lim;
	bool said;
};

static void conflict_cb(const struct ve_info *info, void *data)
{
	struct conflict *c = data;
	char addr[VE_IP_STRLEN];

	for (int i = 0; i < c->lim->n_addrs && !c->said; i++) {
		if (info->id == c->x->id ||
		    ve_ip_find(info->addrs, info->n_addrs, &c->lim->addrs[i]) < 0)
			continue;
		vectl_err("%s %u: %s is VE %u's address; an address belongs to one VE (take it from VE %u first: vectl set %u --ipdel %s --save)",
			  c->x->verb, c->x->id, ve_ip_format(&c->lim->addrs[i], addr, sizeof(addr)),
			  info->id, info->id, info->id, addr);
		c->said = true;
	}
}

int net_explain_conflict(struct ve_nl *nl, const struct vectx *x,
			 const struct ve_limits *lim)
{
	struct conflict c = { x, lim, false };
	char msg[sizeof(nl->errbuf)];

	snprintf(msg, sizeof(msg), "%s", ve_nl_strerror(nl, -EADDRINUSE));
	veapi_dump_each(nl, conflict_cb, &c);
	if (!c.said)
		vectl_err("%s %u: %s", x->verb, x->id, msg);
	return VECTL_ERR_IP_INUSE;
}

int net_write_resolv(const char *nameservers, const char *searchdomains,
		     char *why, size_t len)
{
	char text[4096], *copy, *save = NULL;
	size_t used;

	used = (size_t)snprintf(text, sizeof(text),
				"# Written by vectl from NAMESERVER and SEARCHDOMAIN.\n");
	if (searchdomains && *searchdomains && used < sizeof(text))
		used += (size_t)snprintf(text + used, sizeof(text) - used, "search %s\n",
					 searchdomains);
	copy = strdup(nameservers ? nameservers : "");
	for (char *t = copy ? strtok_r(copy, " \t,", &save) : NULL; t && used < sizeof(text);
	     t = strtok_r(NULL, " \t,", &save))
		used += (size_t)snprintf(text + used, sizeof(text) - used, "nameserver %s\n", t);
	free(copy);
	return ve_write_etc_file("/etc/resolv.conf", text, why, len);
}
