// SPDX-License-Identifier: GPL-2.0
/*
 * vectl set ID [--save] PARAMETERS
 *   --hostname H  --onboot yes|no  --ram SIZE  --swap SIZE
 *   --cpulimit PERCENT  --cpuunits N  --cpus N  --meminfo none|full
 *   --stop-signal SIG
 *   --stop-timeout SECONDS  --<resource> BARRIER[:LIMIT]  (numproc, ...)
 *   --diskspace SOFT[:HARD]  --diskinodes SOFT[:HARD]  --quotatime SECONDS
 *   --ipadd ADDR  --ipdel ADDR|all  --nameserver ADDR  --searchdomain NAME
 *   --netif_add IFNAME[,MAC,HOST_IFNAME,HOST_MAC,BRIDGE[,ADDRS]]
 *   --netif_del IFNAME|all
 *   --network NAME[,ADDR/LEN]  --network-del NAME
 *   --ondemand yes|no  --ondemand-idle SECONDS   (ved starts the VE on demand)
 *   --ha-enable yes|no  --ha-prio N   (taken over by another node of the cluster)
 *
 * A running VE gets the change at once (module, cgroup, hostname); --save
 * also writes the config, and is required for a VE that is not running.
 * Everything is validated before anything is changed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "cgroup.h"
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "network.h"
#include "nsexec.h"
#include "parse.h"
#include "private.h"
#include "privnet.h"
#include "resources.h"
#include "vectx.h"

enum { OPT_SAVE = 1, OPT_HOSTNAME, OPT_ONBOOT, OPT_RAM, OPT_SWAP, OPT_CPULIMIT,
       OPT_CPUUNITS, OPT_CPUS, OPT_STOPSIG, OPT_STOPTMO, OPT_IPADD, OPT_IPDEL,
       OPT_NAMESERVER, OPT_SEARCHDOMAIN, OPT_NETIF_ADD, OPT_NETIF_DEL,
       OPT_MEMINFO, OPT_DISKSPACE, OPT_DISKINODES, OPT_QUOTATIME, OPT_NETWORK,
       OPT_NETWORK_DEL, OPT_ONDEMAND, OPT_ONDEMAND_IDLE, OPT_HA_ENABLE, OPT_HA_PRIO,
       OPT_RES = 100 };

static const struct option fixed_opts[] = {
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "onboot", required_argument, NULL, OPT_ONBOOT },
	{ "ram", required_argument, NULL, OPT_RAM },
	{ "swap", required_argument, NULL, OPT_SWAP },
	{ "cpulimit", required_argument, NULL, OPT_CPULIMIT },
	{ "cpuunits", required_argument, NULL, OPT_CPUUNITS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "meminfo", required_argument, NULL, OPT_MEMINFO },
	{ "stop-signal", required_argument, NULL, OPT_STOPSIG },
	{ "stop-timeout", required_argument, NULL, OPT_STOPTMO },
	{ "ipadd", required_argument, NULL, OPT_IPADD },
	{ "ipdel", required_argument, NULL, OPT_IPDEL },
	{ "nameserver", required_argument, NULL, OPT_NAMESERVER },
	{ "searchdomain", required_argument, NULL, OPT_SEARCHDOMAIN },
	{ "netif_add", required_argument, NULL, OPT_NETIF_ADD },
	{ "netif_del", required_argument, NULL, OPT_NETIF_DEL },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "network-del", required_argument, NULL, OPT_NETWORK_DEL },
	{ "ondemand", required_argument, NULL, OPT_ONDEMAND },
	{ "ondemand-idle", required_argument, NULL, OPT_ONDEMAND_IDLE },
	{ "ha-enable", required_argument, NULL, OPT_HA_ENABLE },
	{ "ha-prio", required_argument, NULL, OPT_HA_PRIO },
	{ "diskspace", required_argument, NULL, OPT_DISKSPACE },
	{ "diskinodes", required_argument, NULL, OPT_DISKINODES },
	{ "quotatime", required_argument, NULL, OPT_QUOTATIME },
};

/*
 * --netif_add, --netif_del, --network and --network-del, applied to NETIF
 * once the config is read.
 */
struct netif_edit {
	int n_add, n_del, n_net_add, n_net_del;
	bool del_all;
	const char *add[VE_NETIF_MAX_CONF];
	const char *del[VE_NETIF_MAX_CONF];
	const char *net_add[VE_NETIF_MAX_CONF];
	const char *net_del[VE_NETIF_MAX_CONF];
};

static bool netif_edited(const struct netif_edit *e)
{
	return e->n_add || e->n_del || e->del_all || e->n_net_add || e->n_net_del;
}

/* --ipadd and --ipdel, applied to IP_ADDRESS once the config is read. */
struct ip_edit {
	int n_add, n_del;
	bool del_all;
	struct ve_ip add[VE_ADDR_MAX], del[VE_ADDR_MAX];
};

#define N_FIXED (sizeof(fixed_opts) / sizeof(fixed_opts[0]))

static bool number_ok(const char *s, uint32_t min, uint32_t max)
{
	uint32_t v;

	return !parse_uint(s, min, max, &v);
}

static int set_hostname_child(void *arg)
{
	char why[256];

	if (ve_apply_hostname(arg, why, sizeof(why)))
		ns_child_fail("cannot set the hostname: %s", why);
	return 0;
}

static int set_resolv_child(void *arg)
{
	const struct vectx *x = arg;
	char why[256];

	if (net_write_resolv(vectx_get(x, "NAMESERVER"), vectx_get(x, "SEARCHDOMAIN"),
			     why, sizeof(why)))
		ns_child_fail("cannot write resolv.conf: %s", why);
	return 0;
}

/* Run @fn(@arg) as root inside running VE @x, from a process that joins it. */
static int live_in_ve(struct vectx *x, int (*fn)(void *), void *arg)
{
	pid_t helper = fork();
	int status;

	if (helper < 0)
		return VECTL_ERR_SYSTEM;
	if (helper == 0) {
		static struct ve_nl nl;
		struct ns_join j;
		char msg[512];
		pid_t pid;
		int rc;

		if (ve_nl_open(&nl))
			_exit(VECTL_ERR_NOMODULE);
		rc = ns_join(&nl, x, &j);
		ve_nl_close(&nl);
		if (rc)
			_exit(rc);
		pid = ns_spawn(x, &j, fn, arg, NULL, 0);
		if (pid < 0)
			_exit(VECTL_ERR_EXEC);
		if (ns_child_error(&j, pid, msg, sizeof(msg))) {
			ns_wait(pid);
			_exit(ns_fail(x, &j, msg));
		}
		_exit(ns_wait(pid));
	}
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			return VECTL_ERR_SYSTEM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : VECTL_ERR_SYSTEM;
}

static int bad_value(uint32_t id, const char *opt, const char *v, const char *what)
{
	vectl_err("set %u: invalid --%s '%s' (%s)", id, opt, v, what);
	return VECTL_ERR_VALUE;
}

/* Append @v to the blank-separated list @key in @c. */
static int conf_append(struct conf *c, const char *key, const char *v)
{
	const char *old = conf_get(c, key);
	char buf[1024];

	if (snprintf(buf, sizeof(buf), "%s%s%s", old ? old : "", old ? " " : "", v) >=
	    (int)sizeof(buf))
		return -E2BIG;
	return conf_set(c, key, buf);
}

static int ip_option(struct ip_edit *e, uint32_t id, int opt, const char *name,
		     const char *v)
{
	char why[200];
	struct ve_ip ip;

	if (opt == OPT_IPDEL && !strcmp(v, "all")) {
		e->del_all = true;
		return 0;
	}
	if (ve_ip_parse(v, &ip, why, sizeof(why)))
		return bad_value(id, name, v, why);
	if (opt == OPT_IPADD) {
		if (ve_ip_find(e->add, e->n_add, &ip) < 0 && e->n_add < VE_ADDR_MAX)
			e->add[e->n_add++] = ip;
	} else if (ve_ip_find(e->del, e->n_del, &ip) < 0 && e->n_del < VE_ADDR_MAX) {
		e->del[e->n_del++] = ip;
	}
	return 0;
}

/* Parse one option into @c; returns 0 or an exit code. */
static int set_one(struct conf *c, uint32_t id, int opt, const char *name, const char *v)
{
	const struct res_desc *r = NULL;
	const char *key = NULL;
	char buf[64];
	uint64_t b, l;
	int err;

	switch (opt) {
	case OPT_HOSTNAME:
		if (!hostname_ok(v)) {
			vectl_err("set %u: invalid hostname '%s' (letters, digits, '-' and '.', up to 64)",
				  id, v);
			return VECTL_ERR_BAD_HOSTNAME;
		}
		return conf_set(c, "HOSTNAME", v);
	case OPT_ONBOOT:
	case OPT_ONDEMAND:
	case OPT_HA_ENABLE:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return bad_value(id, name, v, "yes or no");
		return conf_set(c, opt == OPT_ONBOOT ? "ONBOOT" : opt == OPT_ONDEMAND ? "ONDEMAND" :
			       "HA_ENABLE", v);
	case OPT_HA_PRIO: {
		uint32_t prio;

		/* Virtuozzo's HA_PRIO: the higher, the sooner taken over by a surviving node. */
		if (parse_uint(v, 0, 1000000, &prio))
			return bad_value(id, name, v, "0 to 1000000");
		return conf_set(c, "HA_PRIO", v);
	}
	case OPT_ONDEMAND_IDLE: {
		uint32_t s;

		if (parse_uint(v, 0, 31 * 86400, &s))
			return bad_value(id, name, v, "seconds, 0 (never) to 2678400");
		return conf_set(c, "ONDEMAND_IDLE", v);
	}
	case OPT_MEMINFO:
		/* vzctl's MEMINFO; "full" is ve's name for the whole view. */
		if (strcmp(v, "none") && strcmp(v, "full"))
			return bad_value(id, name, v, "none or full");
		return conf_set(c, "MEMINFO", v);
	case OPT_NAMESERVER: {
		struct in6_addr a;

		if (inet_pton(AF_INET, v, &a) != 1 && inet_pton(AF_INET6, v, &a) != 1)
			return bad_value(id, name, v, "an IPv4 or IPv6 address");
		return conf_append(c, "NAMESERVER", v) ?
			bad_value(id, name, v, "too many name servers") : 0;
	}
	case OPT_SEARCHDOMAIN:
		if (!hostname_ok(v))
			return bad_value(id, name, v, "a domain: letters, digits, '-' and '.'");
		return conf_append(c, "SEARCHDOMAIN", v) ?
			bad_value(id, name, v, "too many search domains") : 0;
	case OPT_CPULIMIT:
		key = "CPULIMIT";
		if (!number_ok(v, 0, 100000))
			return bad_value(id, name, v, "percent of one CPU, 0 for none");
		break;
	case OPT_CPUUNITS:
		key = "CPUUNITS";
		if (!number_ok(v, 8, 500000))
			return bad_value(id, name, v, "8 to 500000");
		break;
	case OPT_CPUS:
		key = "CPUS";
		if (!number_ok(v, 1, 4096) && strcmp(v, "unlimited"))
			return bad_value(id, name, v, "a number of CPUs or unlimited");
		break;
	case OPT_STOPSIG:
		key = "STOP_SIGNAL";
		if (parse_signal(v) < 0)
			return bad_value(id, name, v, "a signal like PWR, TERM or RTMIN+3");
		break;
	case OPT_QUOTATIME:
		key = "QUOTATIME";
		if (!number_ok(v, 0, UINT32_MAX))
			return bad_value(id, name, v, "seconds of grace over a soft limit");
		break;
	case OPT_DISKSPACE:
	case OPT_DISKINODES:
		err = res_parse(v, opt == OPT_DISKSPACE ? RES_KBLOCKS : RES_COUNT, &b, &l);
		if (err == -EDOM)
			return bad_value(id, name, v, "soft limit above hard");
		if (err)
			return bad_value(id, name, v, "soft[:hard], K/M/G/T suffixes or unlimited");
		res_format(b, l, buf, sizeof(buf));
		return conf_set(c, opt == OPT_DISKSPACE ? "DISKSPACE" : "DISKINODES", buf);
	case OPT_STOPTMO:
		key = "STOP_TIMEOUT";
		if (!number_ok(v, 1, 86400))
			return bad_value(id, name, v, "1 to 86400 seconds");
		break;
	case OPT_RAM:
	case OPT_SWAP:
		/* vzctl: --ram sets PHYSPAGES 0:RAM, --swap SWAPPAGES 0:SWAP. */
		r = res_by_name(opt == OPT_RAM ? "physpages" : "swappages");
		err = res_parse(v, RES_PAGES, &b, &l);
		if (err || strchr(v, ':'))
			return bad_value(id, name, v, "a size like 512M, 2G or unlimited");
		res_format(0, l, buf, sizeof(buf));
		return conf_set(c, r->key, buf);
	default:
		r = &res_table[opt - OPT_RES];
		err = res_parse(v, r->unit, &b, &l);
		if (err == -EDOM)
			return bad_value(id, name, v, "limit below barrier");
		if (err)
			return bad_value(id, name, v, "barrier[:limit], K/M/G/T/P suffixes or unlimited");
		res_format(b, l, buf, sizeof(buf));
		return conf_set(c, r->key, buf);
	}
	return conf_set(c, key, v);
}

/*
 * IP_ADDRESS after @e: into @new (the count), @old gets the current one.
 * -1 after saying why when @e does not fit the VE.
 */
static int ip_apply(struct vectx *x, const struct ip_edit *e, struct ve_ip *old,
		    int *n_old, struct ve_ip *new)
{
	char buf[VE_ADDR_MAX * (VE_IP_STRLEN + 1)], addr[VE_IP_STRLEN];
	int n = 0;

	*n_old = net_conf_addrs(x, old);
	if (*n_old < 0)
		return -1;
	for (int i = 0; i < e->n_del; i++)
		if (ve_ip_find(old, *n_old, &e->del[i]) < 0 && ve_ip_find(e->add, e->n_add, &e->del[i]) < 0) {
			vectl_err("set %u: --ipdel %s: the VE has no such address (it has: %s)",
				  x->id, ve_ip_format(&e->del[i], addr, sizeof(addr)),
				  vectx_get(x, "IP_ADDRESS") && *vectx_get(x, "IP_ADDRESS") ?
				  vectx_get(x, "IP_ADDRESS") : "none");
			return -1;
		}
	for (int i = 0; i < *n_old && !e->del_all; i++)
		if (ve_ip_find(e->del, e->n_del, &old[i]) < 0)
			new[n++] = old[i];
	for (int i = 0; i < e->n_add; i++) {
		if (ve_ip_find(new, n, &e->add[i]) >= 0)
			continue;
		if (n == VE_ADDR_MAX) {
			vectl_err("set %u: --ipadd: a VE has at most %d addresses", x->id,
				  VE_ADDR_MAX);
			return -1;
		}
		new[n++] = e->add[i];
	}
	ve_ip_list_format(new, n, buf, sizeof(buf));
	conf_set(&x->conf, "IP_ADDRESS", buf);
	return n;
}

/* The first N of the default host name vethID.N that none of @list's @n has. */
static int free_host_index(const struct vectx *x, const struct ve_netif *list, int n)
{
	int index = 0;

	for (int k = 0; k < n; k++) {
		char name[32];

		snprintf(name, sizeof(name), "veth%u.%d", x->id, index);
		if (!strcmp(list[k].host_ifname, name)) {
			index++;
			k = -1;
		}
	}
	return index;
}

/* Whether the bits of @a that prefix @p covers are @p's. */
static bool prefix_covers(const struct ve_prefix *p, const struct ve_prefix *a)
{
	if (p->family != a->family)
		return false;
	for (int i = 0; i < p->len; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if ((p->a[i / 8] & bit) != (a->a[i / 8] & bit))
			return false;
	}
	return true;
}

/*
 * --network NAME[,ADDR/LEN]: interface ethN (the first N from 1 free) of
 * @list's @n on network NAME, into @nif. 0, or -1 after saying why.
 */
static int network_member(struct vectx *x, const char *arg, const struct ve_netif *list,
			  int n, struct ve_netif *nif)
{
	char name[PRIVNET_NAME_MAX + 2], why[PATH_MAX + 256];
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	struct privnet net;
	int err, eth = 1;

	memset(nif, 0, sizeof(*nif));
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1),
		 arg);
	err = len <= PRIVNET_NAME_MAX ? privnet_load(name, &net, why, sizeof(why)) : -EINVAL;
	if (err) {
		vectl_err("set %u: --network '%s': %s%s", x->id, arg,
			  err == -EINVAL && len > PRIVNET_NAME_MAX ? "not a network name" : why,
			  err == -ENOENT ? " (vectl network create it first)" : "");
		return -1;
	}
	for (int k = 0; k < n; k++)
		if (!strcmp(list[k].network, name)) {
			vectl_err("set %u: --network %s: the VE is on it already (%s)", x->id, name,
				  list[k].ifname);
			return -1;
		}
	if (comma) {
		bool no_len = !strchr(comma + 1, '/');

		if (ve_prefix_parse(comma + 1, &nif->addr, true) ||
		    (no_len && !net.subnet.family)) {
			vectl_err("set %u: --network '%s': '%s' is not ADDR/LEN%s", x->id, arg,
				  comma + 1, no_len ? " (the network has no subnet to take LEN from)" : "");
			return -1;
		}
		if (no_len)
			nif->addr.len = net.subnet.len;
		if (net.subnet.family && (!prefix_covers(&net.subnet, &nif->addr) ||
					  nif->addr.len != net.subnet.len)) {
			char s[64];

			ve_prefix_format(&net.subnet, s, sizeof(s));
			vectl_err("set %u: --network '%s': the address is not in network %s's subnet %s",
				  x->id, arg, name, s);
			return -1;
		}
	}
	for (int k = 0; k < n; k++) {
		char ifname[IF_NAMESIZE];

		snprintf(ifname, sizeof(ifname), "eth%d", eth);
		if (!strcmp(list[k].ifname, ifname)) {
			eth++;
			k = -1;
		}
	}
	snprintf(nif->ifname, sizeof(nif->ifname), "eth%d", eth);
	memcpy(nif->network, net.name, sizeof(nif->network));
	if (netif_complete(x->id, nif, free_host_index(x, list, n), why, sizeof(why))) {
		vectl_err("set %u: --network '%s': %s", x->id, arg, why);
		return -1;
	}
	return 0;
}

/* Whether @nif goes with @e's --netif_del and --network-del. */
static bool netif_deleted(const struct netif_edit *e, const struct ve_netif *nif)
{
	for (int i = 0; i < e->n_del; i++)
		if (!strcmp(nif->ifname, e->del[i]))
			return true;
	for (int i = 0; i < e->n_net_del; i++)
		if (!strcmp(nif->network, e->net_del[i]))
			return true;
	return e->del_all;
}

/*
 * NETIF after @e: into @new (the count); @old gets the current one. -1
 * after saying why.
 */
static int netif_apply(struct vectx *x, const struct netif_edit *e, struct ve_netif *old,
		       int *n_old, struct ve_netif *new)
{
	char buf[VE_NETIF_MAX_CONF * 256], why[256];
	int n = 0;

	*n_old = net_conf_netifs(x, old);
	if (*n_old < 0)
		return -1;
	for (int i = 0; i < e->n_del; i++) {
		bool found = false;

		for (int k = 0; k < *n_old; k++)
			found |= !strcmp(old[k].ifname, e->del[i]);
		if (!found) {
			vectl_err("set %u: --netif_del %s: the VE has no such interface", x->id,
				  e->del[i]);
			return -1;
		}
	}
	for (int i = 0; i < e->n_net_del; i++) {
		bool found = false;

		for (int k = 0; k < *n_old; k++)
			found |= !strcmp(old[k].network, e->net_del[i]);
		if (!found) {
			vectl_err("set %u: --network-del %s: the VE is not on that network", x->id,
				  e->net_del[i]);
			return -1;
		}
	}
	for (int k = 0; k < *n_old; k++)
		if (!netif_deleted(e, &old[k]))
			new[n++] = old[k];
	for (int i = 0; i < e->n_add + e->n_net_add; i++) {
		if (n == VE_NETIF_MAX_CONF) {
			vectl_err("set %u: --%s: a VE has at most %d interfaces", x->id,
				  i < e->n_add ? "netif_add" : "network", VE_NETIF_MAX_CONF);
			return -1;
		}
		if (i >= e->n_add) {
			if (network_member(x, e->net_add[i - e->n_add], new, n, &new[n]))
				return -1;
		} else if (netif_parse_arg(x->id, e->add[i], free_host_index(x, new, n), &new[n],
					   why, sizeof(why))) {
			vectl_err("set %u: invalid --netif_add '%s' (%s)", x->id, e->add[i], why);
			return -1;
		}
		n++;
	}
	/* Formatted and read back: the whole list's checks. */
	netif_format(new, n, buf, sizeof(buf));
	if (netif_parse(x->id, buf, new, why, sizeof(why)) < 0) {
		vectl_err("set %u: --netif_add: %s", x->id, why);
		return -1;
	}
	conf_set(&x->conf, "NETIF", buf);
	return n;
}

/* Apply the changed resources to the module (if it knows the VE), at once. */
static int apply_kernel(struct ve_nl *nl, struct vectx *x, const struct conf *changes,
			const struct ve_ip *addrs, int n_addrs)
{
	static struct ve_limits lim;
	int err;

	memset(&lim, 0, sizeof(lim));
	if (n_addrs >= 0) {
		lim.has_addrs = true;
		lim.n_addrs = n_addrs;
		memcpy(lim.addrs, addrs, sizeof(*addrs) * (size_t)n_addrs);
	}
	for (size_t i = 0; i < changes->n; i++) {
		const struct conf_line *cl = &changes->lines[i];
		const struct res_desc *r = NULL;
		uint64_t b, l;

		for (size_t k = 0; cl->key && k < res_count; k++)
			if (!strcmp(res_table[k].key, cl->key))
				r = &res_table[k];
		if (r && !res_parse(cl->value, r->unit, &b, &l))
			ve_limits_add(&lim, r->id, b, l);
	}
	if (!lim.n && !lim.has_addrs)
		return 0;
	err = veapi_set(nl, x->id, &lim);
	if (err == -EADDRINUSE)
		return net_explain_conflict(nl, x, &lim);
	if (err) {
		vectl_err("set %u: %s", x->id, ve_nl_strerror(nl, err));
		return vectl_exit_for_errno(err);
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct option opts[N_FIXED + 32];
	static struct ve_nl nl;
	static struct ve_ip old_ips[VE_ADDR_MAX], new_ips[VE_ADDR_MAX], all_ips[VE_ADDR_MAX];
	static struct ve_netif old_nifs[VE_NETIF_MAX_CONF], new_nifs[VE_NETIF_MAX_CONF];
	static struct netif_edit nifs;
	static struct ip_edit ips;
	struct conf changes = { 0 };
	bool save = false, running = false, known = false;
	int n_old = 0, n_new = -1, n_old_nifs = 0, n_new_nifs = -1, n_all = -1;
	struct ve_info info;
	struct vectx x;
	char why[512];
	uint32_t id;
	int opt, idx, rc, err;
	size_t n = 0;

	for (; n < N_FIXED; n++)
		opts[n] = fixed_opts[n];
	for (size_t i = 0; i < res_count && n < N_FIXED + 31; i++, n++)
		opts[n] = (struct option){ res_table[i].name, required_argument, NULL,
					   OPT_RES + (int)i };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	if (argc < 2 || argv[1][0] == '-') {
		vectl_err("set: usage: vectl %s", vectl_find_cmd("set")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("set", argv[1], &id))
		return VECTL_ERR_VALUE;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (opt == '?' || opt == ':') {
			conf_free(&changes);
			return cmd_bad_option("set", argv);
		}
		if (opt == OPT_SAVE) {
			save = true;
			continue;
		}
		if (opt == OPT_IPADD || opt == OPT_IPDEL)
			rc = ip_option(&ips, id, opt, opts[idx].name, optarg);
		else if (opt == OPT_NETIF_DEL && !strcmp(optarg, "all"))
			nifs.del_all = true;
		else if (opt == OPT_NETIF_DEL && nifs.n_del < VE_NETIF_MAX_CONF)
			nifs.del[nifs.n_del++] = optarg;
		else if (opt == OPT_NETIF_ADD && nifs.n_add < VE_NETIF_MAX_CONF)
			nifs.add[nifs.n_add++] = optarg;
		else if (opt == OPT_NETWORK && nifs.n_net_add < VE_NETIF_MAX_CONF)
			nifs.net_add[nifs.n_net_add++] = optarg;
		else if (opt == OPT_NETWORK_DEL && nifs.n_net_del < VE_NETIF_MAX_CONF)
			nifs.net_del[nifs.n_net_del++] = optarg;
		else if (opt == OPT_NETIF_ADD || opt == OPT_NETIF_DEL || opt == OPT_NETWORK ||
			 opt == OPT_NETWORK_DEL)
			rc = bad_value(id, opts[idx].name, optarg, "too many interfaces");
		else
			rc = set_one(&changes, id, opt, opts[idx].name, optarg);
		if (rc) {
			conf_free(&changes);
			return rc < 0 ? VECTL_ERR_VALUE : rc;
		}
	}
	if (optind != argc || (!changes.n && !ips.n_add && !ips.n_del && !ips.del_all &&
				!netif_edited(&nifs))) {
		conf_free(&changes);
		vectl_err("set %u: %s", id, optind != argc ? "unexpected argument" :
			  "nothing to set (see: man vectl)");
		return VECTL_ERR_USAGE;
	}

	rc = vectx_open(&x, "set", id, true);
	if (rc)
		goto out_changes;
	if (!x.exists) {
		rc = cluster_no_ve("set", id);
		goto out;
	}
	if (!ve_nl_open(&nl) && !veapi_get(&nl, id, &info)) {
		known = true;
		running = info.state == VE_STATE_RUNNING;
	}
	if (!running && !save) {
		vectl_err("set %u: VE is not running, so the change would be lost; add --save", id);
		rc = VECTL_ERR_NOT_RUNNING;
		goto out;
	}
	for (size_t i = 0; i < changes.n; i++)
		conf_set(&x.conf, changes.lines[i].key, changes.lines[i].value);
	if (ips.n_add || ips.n_del || ips.del_all) {
		/* Other VEs' configs are checked below, with the bridged addresses. */
		n_new = ip_apply(&x, &ips, old_ips, &n_old, new_ips);
		if (n_new < 0) {
			rc = VECTL_ERR_VALUE;
			goto out;
		}
	}
	if (netif_edited(&nifs)) {
		n_new_nifs = netif_apply(&x, &nifs, old_nifs, &n_old_nifs, new_nifs);
		if (n_new_nifs < 0) {
			rc = VECTL_ERR_VALUE;
			goto out;
		}
	}
	/* ved can only stand in for addresses the VE has (routed ones). */
	if (vectx_get_bool(&x, "ONDEMAND", false)) {
		const char *a = conf_get(&x.conf, "IP_ADDRESS");

		if (!a || !a[strspn(a, " \t")]) {
			vectl_err("set %u: --ondemand needs the VE to have addresses (--ipadd ADDR)", id);
			rc = VECTL_ERR_VALUE;
			goto out;
		}
	}
	if (n_new >= 0 || n_new_nifs >= 0) {
		/* The module holds the routed and the bridged addresses. */
		static struct ve_netif cur_nifs[VE_NETIF_MAX_CONF];
		static struct ve_ip cur_ips[VE_ADDR_MAX];
		int n_ips = n_new >= 0 ? n_new : net_conf_addrs(&x, cur_ips);
		int n_cur = n_new_nifs >= 0 ? n_new_nifs : net_conf_netifs(&x, cur_nifs);

		n_all = n_ips < 0 || n_cur < 0 ? -1 :
			net_module_addrs(&x, n_new >= 0 ? new_ips : cur_ips, n_ips,
					 n_new_nifs >= 0 ? new_nifs : cur_nifs, n_cur, all_ips);
		if (n_all < 0) {
			rc = VECTL_ERR_VALUE;
			goto out;
		}
		rc = net_check_configs(&x, all_ips, n_all);
		if (rc)
			goto out;
	}
	if (conf_get(&changes, "DISKSPACE") || conf_get(&changes, "DISKINODES") ||
	    conf_get(&changes, "QUOTATIME")) {
		struct disk_limits d;

		if (disk_limits_get(&x, &d, why, sizeof(why))) {
			vectl_err("set %u: %s", id, why);
			rc = VECTL_ERR_BAD_CONFIG;
			goto out;
		}
		rc = private_set_limits(&x, &d, running);
		if (rc)
			goto out;
		fault_point("set:disk");
	}
	if (known) {
		rc = apply_kernel(&nl, &x, &changes, all_ips, n_all);
		if (rc)
			goto out;
	}
	fault_point("set:kernel");
	if (running) {
		const char *h = conf_get(&changes, "HOSTNAME");

		if (cg_apply(&x, why, sizeof(why))) {
			vectl_err("set %u: %s", id, why);
			rc = VECTL_ERR_RESOURCE;
			goto out;
		}
		if (h) {
			rc = live_in_ve(&x, set_hostname_child, (void *)h);
			if (rc)
				goto out;
		}
		if (conf_get(&changes, "NAMESERVER") || conf_get(&changes, "SEARCHDOMAIN")) {
			rc = live_in_ve(&x, set_resolv_child, &x);
			if (rc)
				goto out;
		}
		if (n_new >= 0) {
			rc = net_change(&nl, &x, old_ips, n_old, new_ips, n_new);
			if (rc)
				goto out;
		}
		if (n_new_nifs >= 0) {
			rc = net_change_netifs(&nl, &x, old_nifs, n_old_nifs, new_nifs, n_new_nifs);
			if (rc)
				goto out;
		}
	}
	fault_point("set:applied");
	if (save) {
		err = conf_save(&x.conf, x.conf_path);
		if (err) {
			vectl_err("set %u: cannot write %s: %s", id, x.conf_path, strerror(-err));
			rc = VECTL_ERR_SYSTEM;
			goto out;
		}
		printf("Saved parameters for VE %u\n", id);
	}
out:
	ve_nl_close(&nl);
	vectx_close(&x);
out_changes:
	conf_free(&changes);
	return rc;
}
