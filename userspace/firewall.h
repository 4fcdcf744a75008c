/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VE's firewall, enforced in the host's network namespace with
 * nftables (Documentation/design.md, "Firewall"): rules and a policy per
 * direction, kept in the VE's config (FIREWALL, FIREWALL_POLICY_IN,
 * FIREWALL_POLICY_OUT), loaded while the VE runs.
 */
#ifndef VECTL_FIREWALL_H
#define VECTL_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "vectx.h"

/* Rules a VE may have: each is a line of nft and a word in its config. */
#define FW_RULES_MAX	64

enum fw_dir { FW_IN, FW_OUT };
enum fw_proto { FW_ANY, FW_TCP, FW_UDP, FW_ICMP };

struct fw_rule {
	enum fw_dir dir;
	enum fw_proto proto;
	uint16_t sport[2], dport[2];	/* a range; [0] == 0: any */
	struct ve_prefix src, dst;
	bool accept;
};

struct fw_conf {
	struct fw_rule rules[FW_RULES_MAX];
	int n;
	bool drop[2];		/* the policy of FW_IN and FW_OUT */
};

/* The packet and byte counts of one rule (or a policy), once loaded. */
struct fw_count {
	uint64_t packets, bytes;
};

/* Words of the command line and the config. */
const char *fw_dir_name(enum fw_dir d);
const char *fw_proto_name(enum fw_proto p);
int fw_dir_parse(const char *s, enum fw_dir *d);
int fw_proto_parse(const char *s, enum fw_proto *p);
/* "P" or "P-Q", 1 to 65535. 0 or -EINVAL. */
int fw_port_parse(const char *s, uint16_t port[2]);
void fw_port_format(const uint16_t port[2], char *buf, size_t len);

/* Whether @r holds together (ports need tcp or udp; one family). 0 or -EINVAL, @why. */
int fw_rule_check(const struct fw_rule *r, char *why, size_t len);

/* A rule as FIREWALL holds it: "in,tcp,dport=22,drop"; room for any. */
#define FW_RULE_STRLEN	160
void fw_rule_format(const struct fw_rule *r, char *buf, size_t len);

/* VE @x's firewall from its config; 0, or -EINVAL after saying what is wrong. */
int fw_conf_get(struct vectx *x, struct fw_conf *fw);
/* @fw into VE @x's config (not saved). 0 or -EINVAL. */
int fw_conf_set(struct vectx *x, const struct fw_conf *fw);
/*
 * A customer network's own rules (PRIVNET_DIR/NAME.fw), which hold on
 * every member's interface on it: read (none: empty), and written (empty:
 * the file removed). 0, or -errno (a bad file: said).
 */
int fw_net_get(const char *name, struct fw_conf *fw);
int fw_net_save(const char *name, const struct fw_conf *fw);

/* Whether @fw lets everything through (nothing to load). */
bool fw_conf_empty(const struct fw_conf *fw);

/*
 * Load @fw for running VE @x, replacing what it had, atomically: its
 * chains and its host devices (venetID, NETIF's host ends) in the
 * dispatch maps. An empty @fw removes it. 0, or -errno with @why.
 */
int fw_load(struct vectx *x, const struct fw_conf *fw, char *why, size_t len);

/*
 * At a start, a resume or a change of NETIF, before the devices are up
 * (elements name devices, which need not exist yet): VE @x's firewall
 * from its config loaded, or removed when it has none. An exit code, said.
 */
int fw_start(struct vectx *x);

/* Remove VE @x's firewall from the host (stopped VE; nothing: fine). */
int fw_unload(const struct vectx *x, char *why, size_t len);

/*
 * The counters of VE @x's loaded rules, by rule number (0 .. @n - 1),
 * then the two policies (@n, @n + 1). 0, -ENOENT when nothing is
 * loaded, or -errno.
 */
int fw_counters(const struct vectx *x, struct fw_count *c, int n);

/* The counters of network @name's rules, as fw_counters(). */
int fw_net_counters(const char *name, struct fw_count *c, int n);

/* Remove network @name's chains (it is deleted; no member runs). 0, or -errno with @why. */
int fw_net_drop(const char *name, char *why, size_t len);

#endif
