// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's firewall (see firewall.h), as nftables in the host's network
 * namespace, where no root of a VE reaches:
 *
 *   table inet ve        the routed pair's host end (venetID)
 *   table bridge ve      bridged interfaces' host ends (NETIF), which
 *                        the inet hooks never see
 *
 * each with the same dispatch: base chains on forward, input and output,
 * whose only rules look the device up in two verdict maps,
 *
 *   from_ve  iifname : jump veID-out     what the VE sends
 *   to_ve    oifname : jump veID-in      what it is sent
 *
 * so a packet costs one hash lookup per direction however many VEs
 * there are, and a VE's rules are its own two chains. A chain's
 * "accept" is a return: the other VE's chain (VE to VE) still has its
 * say. Replies of allowed connections (conntrack), ARP and IPv6
 * neighbour discovery always pass.
 *
 * Every change is one nft transaction: the VE's chains rebuilt and its
 * map elements swapped at once, no packet sees half a rule set. The
 * elements loaded are written first to /run/ve/ID.fw, so that they are
 * removed however the VE ended (the chains cannot go while an element
 * jumps to them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "firewall.h"
#include "network.h"
#include "privnet.h"
#include "parse.h"
#include "run.h"

#define FW_RUN_DIR	VE_RUN_DIR
#define FW_TABLE	"ve"
/* Host devices a VE may have: venetID and each NETIF interface. */
#define FW_DEVS_MAX	(1 + VE_NETIF_MAX_CONF)

static const char *const dir_names[] = { [FW_IN] = "in", [FW_OUT] = "out" };
static const char *const proto_names[] = {
	[FW_ANY] = "any", [FW_TCP] = "tcp", [FW_UDP] = "udp", [FW_ICMP] = "icmp",
};

const char *fw_dir_name(enum fw_dir d)
{
	return dir_names[d];
}

const char *fw_proto_name(enum fw_proto p)
{
	return proto_names[p];
}

int fw_dir_parse(const char *s, enum fw_dir *d)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(s, dir_names[i])) {
			*d = (enum fw_dir)i;
			return 0;
		}
	return -EINVAL;
}

int fw_proto_parse(const char *s, enum fw_proto *p)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, proto_names[i])) {
			*p = (enum fw_proto)i;
			return 0;
		}
	return -EINVAL;
}

int fw_port_parse(const char *s, uint16_t port[2])
{
	char lo[8];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	uint32_t a, b;

	if (!n || n >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (parse_uint(lo, 1, 65535, &a))
		return -EINVAL;
	b = a;
	if (dash && (parse_uint(dash + 1, 1, 65535, &b) || b < a))
		return -EINVAL;
	port[0] = (uint16_t)a;
	port[1] = (uint16_t)b;
	return 0;
}

void fw_port_format(const uint16_t port[2], char *buf, size_t len)
{
	if (!port[0])
		snprintf(buf, len, "-");
	else if (port[0] == port[1])
		snprintf(buf, len, "%u", port[0]);
	else
		snprintf(buf, len, "%u-%u", port[0], port[1]);
}

int fw_rule_check(const struct fw_rule *r, char *why, size_t len)
{
	if ((r->sport[0] || r->dport[0]) && r->proto != FW_TCP && r->proto != FW_UDP) {
		snprintf(why, len, "ports need --proto tcp or udp, not %s", proto_names[r->proto]);
		return -EINVAL;
	}
	if (r->src.family && r->dst.family && r->src.family != r->dst.family) {
		snprintf(why, len, "the source and destination are of different IP versions");
		return -EINVAL;
	}
	return 0;
}

void fw_rule_format(const struct fw_rule *r, char *buf, size_t len)
{
	char p[16], a[INET6_ADDRSTRLEN + 8];
	size_t n;

	n = (size_t)snprintf(buf, len, "%s,%s", dir_names[r->dir], proto_names[r->proto]);
	if (r->sport[0] && n < len) {
		fw_port_format(r->sport, p, sizeof(p));
		n += (size_t)snprintf(buf + n, len - n, ",sport=%s", p);
	}
	if (r->dport[0] && n < len) {
		fw_port_format(r->dport, p, sizeof(p));
		n += (size_t)snprintf(buf + n, len - n, ",dport=%s", p);
	}
	if (r->src.family && n < len) {
		ve_prefix_format(&r->src, a, sizeof(a));
		n += (size_t)snprintf(buf + n, len - n, ",src=%s", a);
	}
	if (r->dst.family && n < len) {
		ve_prefix_format(&r->dst, a, sizeof(a));
		n += (size_t)snprintf(buf + n, len - n, ",dst=%s", a);
	}
	if (n < len)
		snprintf(buf + n, len - n, ",%s", r->accept ? "accept" : "drop");
}

/* One word of FIREWALL: "in,tcp,dport=22,drop". */
static int rule_parse(char *word, struct fw_rule *r, char *why, size_t len)
{
	char *field, *save = NULL;
	int i = 0;
	bool action = false;

	memset(r, 0, sizeof(*r));
	for (field = strtok_r(word, ",", &save); field; field = strtok_r(NULL, ",", &save), i++) {
		if (action) {
			snprintf(why, len, "'%s' after the action", field);
			return -EINVAL;
		}
		if (i == 0 && !fw_dir_parse(field, &r->dir))
			continue;
		if (i == 1 && !fw_proto_parse(field, &r->proto))
			continue;
		if (i < 2) {
			snprintf(why, len, "'%s' is not a %s", field, i ? "protocol" : "direction");
			return -EINVAL;
		}
		if (!strcmp(field, "accept") || !strcmp(field, "drop")) {
			r->accept = field[0] == 'a';
			action = true;
		} else if (!strncmp(field, "sport=", 6) && !fw_port_parse(field + 6, r->sport)) {
		} else if (!strncmp(field, "dport=", 6) && !fw_port_parse(field + 6, r->dport)) {
		} else if (!strncmp(field, "src=", 4) && !ve_prefix_parse(field + 4, &r->src, false)) {
		} else if (!strncmp(field, "dst=", 4) && !ve_prefix_parse(field + 4, &r->dst, false)) {
		} else {
			snprintf(why, len, "bad field '%s'", field);
			return -EINVAL;
		}
	}
	if (!action) {
		snprintf(why, len, "no action (accept or drop)");
		return -EINVAL;
	}
	return fw_rule_check(r, why, len);
}

/* Where a firewall is kept: a VE's config (over the global one), or a network's file. */
struct fw_src {
	const struct conf *c, *global;
	const char *who;	/* "start 101", "network custa" */
	const char *path;
};

static const char *src_get(const struct fw_src *s, const char *key)
{
	const char *v = conf_get(s->c, key);

	return v || !s->global ? v : conf_get(s->global, key);
}

static int policy_get(const struct fw_src *s, const char *key, bool *drop)
{
	const char *v = src_get(s, key);

	*drop = false;
	if (!v || !*v || !strcmp(v, "accept"))
		return 0;
	if (!strcmp(v, "drop")) {
		*drop = true;
		return 0;
	}
	vectl_err("%s: %s=\"%s\" in %s is not accept or drop", s->who, key, v, s->path);
	return -EINVAL;
}

static int src_fw(const struct fw_src *s, struct fw_conf *fw)
{
	const char *v = src_get(s, "FIREWALL");
	char *copy, *word, *save = NULL, why[256];
	int err = 0;

	memset(fw, 0, sizeof(*fw));
	if (policy_get(s, "FIREWALL_POLICY_IN", &fw->drop[FW_IN]) ||
	    policy_get(s, "FIREWALL_POLICY_OUT", &fw->drop[FW_OUT]))
		return -EINVAL;
	if (!v)
		return 0;
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
		char shown[256];

		snprintf(shown, sizeof(shown), "%s", word);
		if (fw->n == FW_RULES_MAX) {
			vectl_err("%s: FIREWALL in %s has more than %d rules", s->who, s->path,
				  FW_RULES_MAX);
			err = -EINVAL;
			break;
		}
		err = rule_parse(word, &fw->rules[fw->n], why, sizeof(why));
		if (err) {
			vectl_err("%s: FIREWALL rule %d '%s' in %s: %s", s->who, fw->n + 1, shown,
				  s->path, why);
			break;
		}
		fw->n++;
	}
	free(copy);
	return err;
}

int fw_conf_get(struct vectx *x, struct fw_conf *fw)
{
	char who[64];
	struct fw_src s = { &x->conf, x->global, who, x->conf_path };

	snprintf(who, sizeof(who), "%s %u", x->verb, x->id);
	return src_fw(&s, fw);
}

/* @fw as FIREWALL, FIREWALL_POLICY_IN and _OUT of @c (none: removed). */
static int conf_put_fw(struct conf *c, const struct fw_conf *fw)
{
	const size_t size = (size_t)FW_RULES_MAX * FW_RULE_STRLEN;
	char *buf = malloc(size), word[FW_RULE_STRLEN];
	size_t n = 0;
	int err;

	if (!buf)
		return -ENOMEM;
	buf[0] = '\0';
	for (int i = 0; i < fw->n; i++) {
		fw_rule_format(&fw->rules[i], word, sizeof(word));
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", word);
	}
	err = conf_set(c, "FIREWALL", fw->n ? buf : NULL);
	if (!err)
		err = conf_set(c, "FIREWALL_POLICY_IN", fw->drop[FW_IN] ? "drop" : NULL);
	if (!err)
		err = conf_set(c, "FIREWALL_POLICY_OUT", fw->drop[FW_OUT] ? "drop" : NULL);
	free(buf);
	return err;
}

static void net_fw_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, PRIVNET_DIR "/%s.fw", name);
}

int fw_net_get(const char *name, struct fw_conf *fw)
{
	char path[PATH_MAX], who[64];
	struct conf c = { 0 };
	struct fw_src s = { &c, NULL, who, path };
	int err;

	net_fw_path(name, path, sizeof(path));
	snprintf(who, sizeof(who), "network %s", name);
	err = conf_load(&c, path);
	err = err && err != -ENOENT ? err : src_fw(&s, fw);
	conf_free(&c);
	return err;
}

int fw_net_save(const char *name, const struct fw_conf *fw)
{
	char path[PATH_MAX];
	struct conf c = { 0 };
	int err;

	net_fw_path(name, path, sizeof(path));
	if (fw_conf_empty(fw))
		return unlink(path) && errno != ENOENT ? -errno : 0;
	err = conf_put_fw(&c, fw);
	if (!err)
		err = conf_save(&c, path);
	conf_free(&c);
	return err;
}

int fw_conf_set(struct vectx *x, const struct fw_conf *fw)
{
	return conf_put_fw(&x->conf, fw);
}


bool fw_conf_empty(const struct fw_conf *fw)
{
	return !fw->n && !fw->drop[FW_IN] && !fw->drop[FW_OUT];
}

/* ---- the host devices and their record ---- */

enum fw_family { FW_INET, FW_BRIDGE };
static const char *const family_names[] = { [FW_INET] = "inet", [FW_BRIDGE] = "bridge" };

struct fw_dev {
	enum fw_family family;
	char name[IF_NAMESIZE];
	/*
	 * On a customer network with rules: its name, and the device's
	 * chains veID-nINDEX-in/out, which jump to the network's chains
	 * (netNAME-in/out) and then to the VE's. "": the VE's chains.
	 */
	char net[16];
	int index;
};

static void record_path(const struct vectx *x, char *buf, size_t len)
{
	snprintf(buf, len, FW_RUN_DIR "/%u.fw", x->id);
}

/* The devices in VE @x's record, into @d (FW_DEVS_MAX); the count. */
static int record_read(const struct vectx *x, struct fw_dev *d)
{
	char path[64], fam[8], name[IF_NAMESIZE + 1], line[128], net[16];
	int n = 0;
	FILE *f;

	record_path(x, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;

	while (n < FW_DEVS_MAX && fgets(line, sizeof(line), f)) {
		int fields = sscanf(line, "%7s %16s %15s %d", fam, name, net, &d[n].index);
		size_t len = strlen(name);

		if (fields < 2 || len >= IF_NAMESIZE)
			continue;
		d[n].family = strcmp(fam, "bridge") ? FW_INET : FW_BRIDGE;
		memcpy(d[n].name, name, len + 1);
		if (fields == 4)
			memcpy(d[n].net, net, sizeof(d[n].net));
		else
			d[n].net[0] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

static int record_write(const struct vectx *x, const struct fw_dev *d, int n)
{
	char path[64], tmp[80];
	FILE *f;

	record_path(x, path, sizeof(path));
	if (!n)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	f = record_open(FW_RUN_DIR, path, tmp, sizeof(tmp));
	if (!f)
		return -errno;
	for (int i = 0; i < n; i++)
		if (d[i].net[0])
			fprintf(f, "%s %s %s %d\n", family_names[d[i].family], d[i].name, d[i].net,
				d[i].index);
		else
			fprintf(f, "%s %s\n", family_names[d[i].family], d[i].name);
	return file_commit(f, tmp, path);
}

/*
 * VE @x's host devices now: venetID, then NETIF's host ends; in @nets
 * (room for one per device) the rules of the networks they are on. The
 * count, or -1 (said).
 */
static int current_devs(struct vectx *x, struct fw_dev *d, struct fw_conf *nets)
{
	struct ve_netif nifs[VE_NETIF_MAX_CONF];
	int n = net_conf_netifs(x, nifs);

	if (n < 0)
		return -1;
	memset(d, 0, sizeof(*d) * (size_t)(n + 1));
	d[0].family = FW_INET;
	snprintf(d[0].name, sizeof(d[0].name), "venet%u", x->id);
	for (int i = 0; i < n; i++) {
		d[i + 1].family = FW_BRIDGE;
		snprintf(d[i + 1].name, sizeof(d[i + 1].name), "%s", nifs[i].host_ifname);
		if (!nifs[i].network[0])
			continue;
		if (fw_net_get(nifs[i].network, &nets[i + 1]))
			return -1;
		if (fw_conf_empty(&nets[i + 1]))
			continue;
		memcpy(d[i + 1].net, nifs[i].network, sizeof(d[i + 1].net));
		d[i + 1].index = i;
	}
	return n + 1;
}

/* Whether the rules of @d's networks let everything through. */
static bool nets_empty(const struct fw_dev *d, int n)
{
	for (int i = 0; i < n; i++)
		if (d[i].net[0])
			return false;
	return true;
}

/* ---- the nft script ---- */

/* The table, maps and dispatch of @fam; every statement is idempotent. */
static void script_skeleton(FILE *f, enum fw_family fam)
{
	const char *t = family_names[fam];

	fprintf(f, "add table %s " FW_TABLE "\n", t);
	fprintf(f, "add map %s " FW_TABLE " from_ve { type ifname : verdict ; }\n", t);
	fprintf(f, "add map %s " FW_TABLE " to_ve { type ifname : verdict ; }\n", t);
	fprintf(f, "add chain %s " FW_TABLE " forward { type filter hook forward priority filter ; policy accept ; }\n", t);
	fprintf(f, "add chain %s " FW_TABLE " input { type filter hook input priority filter ; policy accept ; }\n", t);
	fprintf(f, "add chain %s " FW_TABLE " output { type filter hook output priority filter ; policy accept ; }\n", t);
	/* Flushed and filled in the same transaction: never seen empty. */
	fprintf(f, "flush chain %s " FW_TABLE " forward\n", t);
	fprintf(f, "add rule %s " FW_TABLE " forward iifname vmap @from_ve\n", t);
	fprintf(f, "add rule %s " FW_TABLE " forward oifname vmap @to_ve\n", t);
	fprintf(f, "flush chain %s " FW_TABLE " input\n", t);
	fprintf(f, "add rule %s " FW_TABLE " input iifname vmap @from_ve\n", t);
	fprintf(f, "flush chain %s " FW_TABLE " output\n", t);
	fprintf(f, "add rule %s " FW_TABLE " output oifname vmap @to_ve\n", t);
}

static void script_rule(FILE *f, const char *chain, const struct fw_rule *r, int num)
{
	/* By number: names need /etc/protocols, which a host may lack. */
	static const char *const l4[] = {
		[FW_ANY] = "", [FW_TCP] = "meta l4proto 6 ", [FW_UDP] = "meta l4proto 17 ",
		[FW_ICMP] = "meta l4proto { 1, 58 } ",
	};
	char p[16], a[INET6_ADDRSTRLEN + 8];

	fprintf(f, "add rule %s %s", chain, l4[r->proto]);
	if (r->sport[0]) {
		fw_port_format(r->sport, p, sizeof(p));
		fprintf(f, "th sport %s ", p);
	}
	if (r->dport[0]) {
		fw_port_format(r->dport, p, sizeof(p));
		fprintf(f, "th dport %s ", p);
	}
	if (r->src.family) {
		ve_prefix_format(&r->src, a, sizeof(a));
		fprintf(f, "%s saddr %s ", r->src.family == AF_INET ? "ip" : "ip6", a);
	}
	if (r->dst.family) {
		ve_prefix_format(&r->dst, a, sizeof(a));
		fprintf(f, "%s daddr %s ", r->dst.family == AF_INET ? "ip" : "ip6", a);
	}
	fprintf(f, "counter %s comment \"rule %d\"\n", r->accept ? "return" : "drop", num);
}

/* Chains @base-in and @base-out in @fam, rebuilt from @fw. */
static void script_chains(FILE *f, const char *base, enum fw_family fam,
			  const struct fw_conf *fw)
{
	char chain[64];

	for (int d = 0; d < 2; d++) {
		snprintf(chain, sizeof(chain), "%s " FW_TABLE " %s-%s", family_names[fam], base,
			 dir_names[d]);
		fprintf(f, "add chain %s\nflush chain %s\n", chain, chain);
		fprintf(f, "add rule %s ct state established,related return\n", chain);
		/* Neighbours are found whatever the rules say: the link must work. */
		if (fam == FW_BRIDGE)
			fprintf(f, "add rule %s ether type arp return\n", chain);
		fprintf(f, "add rule %s icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } return\n",
			chain);
		for (int i = 0; i < fw->n; i++)
			if (fw->rules[i].dir == (enum fw_dir)d)
				script_rule(f, chain, &fw->rules[i], i + 1);
		fprintf(f, "add rule %s counter %scomment \"policy\"\n", chain,
			fw->drop[d] ? "drop " : "");
	}
}

/* The base name of the chains @dev's elements jump to. */
static void dev_chains(const struct vectx *x, const struct fw_dev *dev, char *buf, size_t len)
{
	if (dev->net[0])
		snprintf(buf, len, "ve%u-n%d", x->id, dev->index);
	else
		snprintf(buf, len, "ve%u", x->id);
}

/* A network device's chains: the network's rules, then the VE's. */
static void script_dispatch(FILE *f, const struct vectx *x, const struct fw_dev *dev)
{
	const char *t = family_names[dev->family];
	char base[32];

	dev_chains(x, dev, base, sizeof(base));
	for (int d = 0; d < 2; d++) {
		fprintf(f, "add chain %s " FW_TABLE " %s-%s\nflush chain %s " FW_TABLE " %s-%s\n", t,
			base, dir_names[d], t, base, dir_names[d]);
		fprintf(f, "add rule %s " FW_TABLE " %s-%s jump net%s-%s\n", t, base, dir_names[d],
			dev->net, dir_names[d]);
		fprintf(f, "add rule %s " FW_TABLE " %s-%s jump ve%u-%s\n", t, base, dir_names[d],
			x->id, dir_names[d]);
	}
}

/* VE @x's element of @dev in both maps: added, or (@del) added and deleted. */
static void script_dev(FILE *f, const struct vectx *x, const struct fw_dev *dev, bool del)
{
	const char *t = family_names[dev->family];
	char base[32];

	dev_chains(x, dev, base, sizeof(base));
	fprintf(f, "add element %s " FW_TABLE " from_ve { \"%s\" : jump %s-out }\n", t,
		dev->name, base);
	fprintf(f, "add element %s " FW_TABLE " to_ve { \"%s\" : jump %s-in }\n", t,
		dev->name, base);
	if (!del)
		return;
	fprintf(f, "delete element %s " FW_TABLE " from_ve { \"%s\" }\n", t, dev->name);
	fprintf(f, "delete element %s " FW_TABLE " to_ve { \"%s\" }\n", t, dev->name);
}

/* Chains @base-in and -out of @fam removed (made first: they may be missing). */
static void script_drop_chains(FILE *f, const char *base, enum fw_family fam)
{
	for (int d = 0; d < 2; d++) {
		char chain[64];

		snprintf(chain, sizeof(chain), "%s " FW_TABLE " %s-%s", family_names[fam], base,
			 dir_names[d]);
		fprintf(f, "add chain %s\nflush chain %s\ndelete chain %s\n", chain, chain, chain);
	}
}

/* Run nft with @script (a memfd) as its input: one transaction. */
static int nft_run(int script, char *why, size_t len)
{
	char *const argv[] = { "nft", "-f", "-", NULL };
	int rc;

	if (lseek(script, 0, SEEK_SET) < 0)
		return -errno;
	rc = run_argv_in(argv, script, why, len);
	if (rc == -ENOENT) {
		snprintf(why, len, "nft not found (install nftables)");
		return -ENOENT;
	}
	if (rc < 0)
		return rc;
	if (rc > 0) {
		size_t n = strlen(why);

		if (!n)
			snprintf(why, len, "nft failed (exit status %d)", rc);
		return -EIO;
	}
	return 0;
}

static bool has_family(const struct fw_dev *d, int n, enum fw_family fam)
{
	for (int i = 0; i < n; i++)
		if (d[i].family == fam)
			return true;
	return false;
}

/* Firewall changes one at a time on the node: a table's removal below sees all. */
static int fw_lock(void)
{
	int fd, err = mkdir_p(FW_RUN_DIR, 0700);

	if (err)
		return err;
	fd = open(FW_RUN_DIR "/fw.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX))
		if (errno != EINTR) {
			err = -errno;
			close(fd);
			return err;
		}
	return fd;
}

/* Whether table @fam ve's maps hold no element (no VE has a firewall there). */
static bool table_unused(enum fw_family fam)
{
	static const char *const maps[] = { "from_ve", "to_ve" };
	char buf[4096];

	for (int i = 0; i < 2; i++) {
		char *const argv[] = { "nft", "list", "map", (char *)family_names[fam], FW_TABLE,
				       (char *)maps[i], NULL };
		int fd = memfd_create("ve-fw-map", MFD_CLOEXEC);
		char why[128];
		ssize_t n;

		if (fd < 0)
			return false;
		n = run_argv_io(argv, -1, fd, why, sizeof(why)) ? -1 :
		    pread(fd, buf, sizeof(buf) - 1, 0);
		close(fd);
		if (n < 0)
			return false;
		buf[n] = '\0';
		if (strstr(buf, "elements"))
			return false;
	}
	return true;
}

static bool table_exists(enum fw_family fam)
{
	char *const argv[] = { "nft", "list", "table", (char *)family_names[fam], FW_TABLE, NULL };
	char why[128];

	return run_argv(argv, why, sizeof(why)) == 0;
}

/*
 * Table @fam ve removed when no VE's element is in its maps (under the
 * lock). A network's chains left there go with it: no member runs.
 */
static void drop_if_unused(enum fw_family fam)
{
	char *const argv[] = { "nft", "delete", "table", (char *)family_names[fam], FW_TABLE,
			       NULL };
	char ignored[128];

	if (table_unused(fam))
		run_argv(argv, ignored, sizeof(ignored));
}

/*
 * One transaction: the recorded elements @old out, and, unless @fw is
 * NULL, the chains rebuilt from @fw and the elements of @now in; with
 * @fw NULL the chains go too.
 */
/* Whether a device of @d (@n) has chains of base name @base. */
static bool chains_used(const struct vectx *x, const struct fw_dev *d, int n, const char *base)
{
	char b[32];

	for (int i = 0; i < n; i++) {
		dev_chains(x, &d[i], b, sizeof(b));
		if (!strcmp(b, base))
			return true;
	}
	return false;
}

static int transact(const struct vectx *x, const struct fw_dev *old, int n_old,
		    const struct fw_dev *now, int n_now, const struct fw_conf *fw,
		    const struct fw_conf *nets, char *why, size_t len)
{
	int fd, err, lock = fw_lock();
	char base[32], b[32];
	FILE *f;

	if (lock < 0) {
		snprintf(why, len, "cannot lock %s/fw.lock: %s", FW_RUN_DIR, strerror(-lock));
		return lock;
	}
	fd = memfd_create("ve-fw", MFD_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(dup(fd), "w");
	if (!f) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		close(lock);
		return err;
	}
	for (int fam = FW_INET; fam <= FW_BRIDGE; fam++) {
		bool used = has_family(old, n_old, (enum fw_family)fam) ||
			    has_family(now, n_now, (enum fw_family)fam);

		if (!used)
			continue;
		script_skeleton(f, (enum fw_family)fam);
		snprintf(base, sizeof(base), "ve%u", x->id);
		/* Chains first: the elements that jump there need them. */
		for (int i = -1; i < n_old; i++) {
			if (i >= 0 && old[i].family != (enum fw_family)fam)
				continue;
			if (i >= 0)
				dev_chains(x, &old[i], b, sizeof(b));
			fprintf(f, "add chain %s " FW_TABLE " %s-in\nadd chain %s " FW_TABLE " %s-out\n",
				family_names[fam], i < 0 ? base : b, family_names[fam],
				i < 0 ? base : b);
		}
		for (int i = 0; i < n_old; i++)
			if (old[i].family == (enum fw_family)fam)
				script_dev(f, x, &old[i], true);
		/* Devices' chains no device uses now: before the VE's, which they jump to. */
		for (int i = 0; i < n_old; i++) {
			if (old[i].family != (enum fw_family)fam || !old[i].net[0])
				continue;
			dev_chains(x, &old[i], b, sizeof(b));
			if (!fw || !chains_used(x, now, n_now, b))
				script_drop_chains(f, b, (enum fw_family)fam);
		}
		if (fw)
			script_chains(f, base, (enum fw_family)fam, fw);
		else
			script_drop_chains(f, base, (enum fw_family)fam);
		/* A network's chains, for each network a device is on (rebuilt once). */
		for (int i = 0; fw && i < n_now; i++) {
			bool done = false;

			if (now[i].family != (enum fw_family)fam || !now[i].net[0])
				continue;
			for (int k = 0; k < i; k++)
				done |= now[k].family == now[i].family &&
					!strcmp(now[k].net, now[i].net);
			snprintf(b, sizeof(b), "net%s", now[i].net);
			if (!done)
				script_chains(f, b, (enum fw_family)fam, &nets[i]);
			script_dispatch(f, x, &now[i]);
		}
		for (int i = 0; fw && i < n_now; i++)
			if (now[i].family == (enum fw_family)fam)
				script_dev(f, x, &now[i], false);
	}
	if (fclose(f)) {
		err = -errno;
		close(fd);
		close(lock);
		return err;
	}
	err = nft_run(fd, why, len);
	close(fd);
	/* The last VE's firewall gone: so are the tables, nothing of ve's is left. */
	for (int fam = FW_INET; fam <= FW_BRIDGE && !err && !fw; fam++)
		if (has_family(old, n_old, (enum fw_family)fam))
			drop_if_unused((enum fw_family)fam);
	close(lock);
	return err;
}

int fw_load(struct vectx *x, const struct fw_conf *fw, char *why, size_t len)
{
	struct fw_dev old[FW_DEVS_MAX], now[FW_DEVS_MAX], all[2 * FW_DEVS_MAX];
	static struct fw_conf nets[FW_DEVS_MAX];
	int n_old = record_read(x, old), n_now, err;

	n_now = current_devs(x, now, nets);
	if (n_now < 0) {
		snprintf(why, len, "its NETIF or a network's rules are not valid");
		return -EINVAL;
	}
	if (fw_conf_empty(fw) && nets_empty(now, n_now))
		return fw_unload(x, why, len);
	/* Recorded before they exist: whatever happens next, cleanup finds them. */
	memcpy(all, old, sizeof(*old) * (size_t)n_old);
	memcpy(all + n_old, now, sizeof(*now) * (size_t)n_now);
	err = record_write(x, all, n_old + n_now);
	if (err) {
		snprintf(why, len, "cannot write the record %s/%u.fw: %s", FW_RUN_DIR, x->id,
			 strerror(-err));
		return err;
	}
	err = transact(x, old, n_old, now, n_now, fw, nets, why, len);
	if (!err)
		err = record_write(x, now, n_now);
	return err;
}

int fw_start(struct vectx *x)
{
	struct fw_conf fw;
	char why[512];

	if (fw_conf_get(x, &fw))
		return VECTL_ERR_BAD_CONFIG;
	if (fw_load(x, &fw, why, sizeof(why))) {
		vectl_err("%s %u: cannot load the VE's firewall: %s", x->verb, x->id, why);
		return VECTL_ERR_NET;
	}
	return VECTL_OK;
}

int fw_unload(const struct vectx *x, char *why, size_t len)
{
	struct fw_dev old[FW_DEVS_MAX];
	int n_old = record_read(x, old), err;

	if (!n_old)
		return record_write(x, NULL, 0);
	err = transact(x, old, n_old, NULL, 0, NULL, NULL, why, len);
	return err ? err : record_write(x, NULL, 0);
}

/* Add "packets N bytes M" found in @line to @c. */
static void add_counts(const char *line, struct fw_count *c)
{
	const char *p = strstr(line, "counter packets ");
	unsigned long long pk, by;

	if (p && sscanf(p, "counter packets %llu bytes %llu", &pk, &by) == 2) {
		c->packets += pk;
		c->bytes += by;
	}
}

/* Add what chains @base-in and -out of @fam counted to @c (rules 0..@n-1, policies @n, @n+1). */
static int chain_counts(enum fw_family fam, const char *base, struct fw_count *c, int n)
{
	for (int d = 0; d < 2; d++) {
		char chain[48], line[1024];
		char *const argv[] = { "nft", "list", "chain", (char *)family_names[fam], FW_TABLE,
				       chain, NULL };
		int out[2], rc;
		FILE *f;
		pid_t pid;

		snprintf(chain, sizeof(chain), "%s-%s", base, dir_names[d]);
		if (pipe2(out, O_CLOEXEC))
			return -errno;
		pid = run_spawn(argv, -1, out[1], -1);
		close(out[1]);
		if (pid < 0) {
			close(out[0]);
			return -errno;
		}
		f = fdopen(out[0], "r");
		while (f && fgets(line, sizeof(line), f)) {
			const char *cm = strstr(line, "comment \"");
			int num;

			if (!cm)
				continue;
			if (!strncmp(cm, "comment \"policy\"", 16))
				add_counts(line, &c[n + d]);
			else if (sscanf(cm, "comment \"rule %d\"", &num) == 1 && num >= 1 && num <= n)
				add_counts(line, &c[num - 1]);
		}
		if (f)
			fclose(f);
		else
			close(out[0]);
		rc = run_wait(pid, NULL);
		if (rc)
			return rc < 0 ? rc : -ENOENT;
	}
	return 0;
}

int fw_counters(const struct vectx *x, struct fw_count *c, int n)
{
	struct fw_dev old[FW_DEVS_MAX];
	int n_old = record_read(x, old), rc = 0;
	char base[32];

	memset(c, 0, sizeof(*c) * (size_t)(n + 2));
	if (!n_old)
		return -ENOENT;
	snprintf(base, sizeof(base), "ve%u", x->id);
	for (int fam = FW_INET; fam <= FW_BRIDGE && !rc; fam++)
		if (has_family(old, n_old, (enum fw_family)fam))
			rc = chain_counts((enum fw_family)fam, base, c, n);
	return rc;
}

int fw_net_counters(const char *name, struct fw_count *c, int n)
{
	char base[32];

	memset(c, 0, sizeof(*c) * (size_t)(n + 2));
	snprintf(base, sizeof(base), "net%s", name);
	return chain_counts(FW_BRIDGE, base, c, n);
}

int fw_net_drop(const char *name, char *why, size_t len)
{
	int fd, err, lock;
	char base[32];
	FILE *f;

	lock = fw_lock();
	if (lock < 0) {
		snprintf(why, len, "cannot lock %s/fw.lock: %s", FW_RUN_DIR, strerror(-lock));
		return lock;
	}
	snprintf(base, sizeof(base), "net%s", name);
	fd = memfd_create("ve-fw", MFD_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(dup(fd), "w");
	if (!f) {
		err = -errno;
		goto out;
	}
	/* Only where the table is: nothing is made to be removed. */
	err = table_exists(FW_BRIDGE) ? 0 : 1;
	if (!err) {
		fprintf(f, "add table bridge " FW_TABLE "\n");
		script_drop_chains(f, base, FW_BRIDGE);
	}
	if (fclose(f) && !err)
		err = -errno;
	if (!err)
		err = nft_run(fd, why, len);
	if (err == 1)
		err = 0;
	if (!err)
		drop_if_unused(FW_BRIDGE);
out:
	if (fd >= 0)
		close(fd);
	close(lock);
	return err;
}
