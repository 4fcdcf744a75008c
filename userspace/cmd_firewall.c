// SPDX-License-Identifier: GPL-2.0
/*
 * vectl firewall ID list [-H] [-j]
 * vectl firewall ID add --dir in|out --proto tcp|udp|icmp|any [--sport P]
 *                       [--dport P] [--src ADDR] [--dst ADDR] --action accept|drop
 * vectl firewall ID del N
 * vectl firewall ID policy in|out accept|drop
 *
 * Changes are saved in the VE's config and, while it runs, loaded at once
 * (firewall.h); a change nft refuses is neither loaded nor saved. Rules
 * are numbered in the order they are checked, "in" and "out" together.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "firewall.h"
#include "parse.h"
#include "privnet.h"
#include "veapi.h"

static int usage(void)
{
	vectl_err("firewall: usage: vectl %s", vectl_find_cmd("firewall")->usage);
	return VECTL_ERR_USAGE;
}

/* --dir ... --action ... into @r: 0, or an exit code, said. */
static int parse_rule(const char *who, int argc, char **argv, struct fw_rule *r)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "proto", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 's' },
		{ "dport", required_argument, NULL, 'D' },
		{ "src", required_argument, NULL, 'S' },
		{ "dst", required_argument, NULL, 'T' },
		{ "action", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const port = "a port or a range P-Q, 1 to 65535";
	static const char *const net = "an IPv4 or IPv6 address or prefix";
	bool dir = false, proto = false, action = false;
	const char *want;
	char why[128];
	int c, bad, li = 0;

	memset(r, 0, sizeof(*r));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, &li)) != -1) {
		switch (c) {
		case 'd':
			bad = fw_dir_parse(optarg, &r->dir);
			want = "in or out";
			dir = true;
			break;
		case 'p':
			bad = fw_proto_parse(optarg, &r->proto);
			want = "tcp, udp, icmp or any";
			proto = true;
			break;
		case 's':
		case 'D':
			bad = fw_port_parse(optarg, c == 's' ? r->sport : r->dport);
			want = port;
			break;
		case 'S':
		case 'T':
			bad = ve_prefix_parse(optarg, c == 'S' ? &r->src : &r->dst, false);
			want = net;
			break;
		case 'a':
			bad = strcmp(optarg, "accept") && strcmp(optarg, "drop");
			r->accept = !strcmp(optarg, "accept");
			want = "accept or drop";
			action = true;
			break;
		default:
			return cmd_bad_option("firewall", argv);
		}
		if (bad) {
			vectl_err("%s: --%s '%s': must be %s", who, longopts[li].name, optarg, want);
			return VECTL_ERR_VALUE;
		}
	}
	if (optind != argc) {
		vectl_err("%s: unexpected argument '%s'", who, argv[optind]);
		return VECTL_ERR_USAGE;
	}
	if (!dir || !proto || !action) {
		vectl_err("%s: add needs --%s", who, !dir ? "dir" : !proto ? "proto" : "action");
		return VECTL_ERR_USAGE;
	}
	if (fw_rule_check(r, why, sizeof(why))) {
		vectl_err("%s: %s", who, why);
		return VECTL_ERR_VALUE;
	}
	return VECTL_OK;
}

static void print_rule_text(const char *num, const struct fw_rule *r, const char *action,
			    const struct fw_count *c)
{
	char sp[16], dp[16], src[64], dst[64], pk[24] = "-", by[24] = "-";

	fw_port_format(r->sport, sp, sizeof(sp));
	fw_port_format(r->dport, dp, sizeof(dp));
	ve_prefix_format(&r->src, src, sizeof(src));
	ve_prefix_format(&r->dst, dst, sizeof(dst));
	if (c) {
		snprintf(pk, sizeof(pk), "%" PRIu64, c->packets);
		snprintf(by, sizeof(by), "%" PRIu64, c->bytes);
	}
	printf("%-6s %-3s %-5s %-11s %-11s %-20s %-20s %-6s %10s %12s\n", num,
	       fw_dir_name(r->dir), fw_proto_name(r->proto), sp, dp, src, dst, action, pk, by);
}

/* A JSON string, or null for "-". */
static void json_str(const char *key, const char *v, bool last)
{
	if (!strcmp(v, "-"))
		printf("\"%s\": null%s", key, last ? "" : ", ");
	else
		printf("\"%s\": \"%s\"%s", key, v, last ? "" : ", ");
}

static void json_counts(const struct fw_count *c)
{
	if (c)
		printf("\"packets\": %" PRIu64 ", \"bytes\": %" PRIu64, c->packets, c->bytes);
	else
		printf("\"packets\": null, \"bytes\": null");
}

/* @fw with its counters (@loaded) as a table or JSON. */
static void print_fw(const struct fw_conf *fw, const struct fw_count *counts, bool loaded,
		     bool header, bool json)
{
	if (json) {
		printf("{\"rules\": [");
		for (int i = 0; i < fw->n; i++) {
			const struct fw_rule *r = &fw->rules[i];
			char v[64];

			printf("%s\n  {\"num\": %d, ", i ? "," : "", i + 1);
			json_str("dir", fw_dir_name(r->dir), false);
			json_str("proto", fw_proto_name(r->proto), false);
			fw_port_format(r->sport, v, sizeof(v));
			json_str("sport", v, false);
			fw_port_format(r->dport, v, sizeof(v));
			json_str("dport", v, false);
			ve_prefix_format(&r->src, v, sizeof(v));
			json_str("src", v, false);
			ve_prefix_format(&r->dst, v, sizeof(v));
			json_str("dst", v, false);
			json_str("action", r->accept ? "accept" : "drop", false);
			json_counts(loaded ? &counts[i] : NULL);
			printf("}");
		}
		printf("%s],\n \"policy\": {", fw->n ? "\n " : "");
		for (int d = 0; d < 2; d++) {
			printf("%s\"%s\": {\"action\": \"%s\", ", d ? ", " : "", fw_dir_name(d),
			       fw->drop[d] ? "drop" : "accept");
			json_counts(loaded ? &counts[fw->n + d] : NULL);
			printf("}");
		}
		printf("}}\n");
		return;
	}
	if (header)
		printf("%-6s %-3s %-5s %-11s %-11s %-20s %-20s %-6s %10s %12s\n", "NUM", "DIR",
		       "PROTO", "SPORT", "DPORT", "SRC", "DST", "ACTION", "PACKETS", "BYTES");
	for (int i = 0; i < fw->n; i++) {
		char num[12];

		snprintf(num, sizeof(num), "%d", i + 1);
		print_rule_text(num, &fw->rules[i], fw->rules[i].accept ? "accept" : "drop",
				loaded ? &counts[i] : NULL);
	}
	for (int d = 0; d < 2; d++) {
		struct fw_rule any = { .dir = (enum fw_dir)d };

		print_rule_text("policy", &any, fw->drop[d] ? "drop" : "accept",
				loaded ? &counts[fw->n + d] : NULL);
	}
}

/*
 * @old changed by @sub and its arguments @argv (@argc, from the action
 * on; an add's rule parsed into @r already) into @new. 0, or the exit
 * code after saying what is wrong.
 */
static int edit(const char *who, const char *sub, char **argv, const struct fw_rule *r,
		const struct fw_conf *old, struct fw_conf *new)
{
	*new = *old;
	if (!strcmp(sub, "add")) {
		if (old->n == FW_RULES_MAX) {
			vectl_err("%s: %d rules already, the most there can be", who, FW_RULES_MAX);
			return VECTL_ERR_VALUE;
		}
		new->rules[new->n++] = *r;
	} else if (!strcmp(sub, "del")) {
		uint32_t n;

		if (!old->n || parse_uint(argv[1], 1, (uint32_t)old->n, &n)) {
			vectl_err("%s: no rule '%s' (there are %d; see its list)", who, argv[1], old->n);
			return VECTL_ERR_VALUE;
		}
		memmove(&new->rules[n - 1], &new->rules[n], sizeof(new->rules[0]) * (size_t)(new->n - n));
		new->n--;
	} else {
		new->drop[strcmp(argv[1], "in") ? FW_OUT : FW_IN] = !strcmp(argv[2], "drop");
	}
	return VECTL_OK;
}

/* @new loaded (the VE running) and saved; on failure neither. */
static int commit(struct ve_nl *nl, struct vectx *x, const struct fw_conf *old,
		  const struct fw_conf *new)
{
	int running = nl ? veapi_running(nl, x->id) : 0, err;
	char why[512];

	if (running < 0) {
		vectl_err("firewall %u: %s", x->id, ve_nl_strerror(nl, running));
		return vectl_exit_for_errno(running);
	}
	if (running && fw_load(x, new, why, sizeof(why))) {
		vectl_err("firewall %u: cannot load the rules: %s (nothing changed)", x->id, why);
		return VECTL_ERR_NET;
	}
	err = fw_conf_set(x, new);
	if (!err)
		err = conf_save(&x->conf, x->conf_path);
	if (err) {
		vectl_err("firewall %u: cannot save %s: %s%s", x->id, x->conf_path, strerror(-err),
			  running ? " (the rules loaded are the old ones again)" : "");
		if (running)
			fw_load(x, old, why, sizeof(why));
		return VECTL_ERR_SYSTEM;
	}
	return VECTL_OK;
}

/* Every running member of network @name on this node loads its rules again. */
static int reload_members(struct ve_nl *nl, const char *name)
{
	uint32_t ids[PRIVNET_MEMBERS_MAX];
	int n = privnet_members(name, ids, PRIVNET_MEMBERS_MAX), rc = VECTL_OK;

	for (int i = 0; nl && i < n; i++) {
		struct vectx x;
		int one;

		if (vectx_open(&x, "firewall", ids[i], true))
			continue;
		one = veapi_running(nl, ids[i]) > 0 ? fw_start(&x) : VECTL_OK;
		if (one)
			rc = one;
		vectx_close(&x);
	}
	return rc;
}

/* vectl firewall --network NAME ACTION ...: the network's own rules. */
static int network_fw(const char *name, const char *sub, int argc, char **argv,
		      const struct fw_rule *r)
{
	struct fw_count counts[FW_RULES_MAX + 2];
	static struct ve_nl nl;
	char who[64], why[PATH_MAX + 128];
	struct fw_conf old, new;
	struct privnet net;
	bool header, json;
	int rc, err;

	snprintf(who, sizeof(who), "firewall network %s", name);
	err = privnet_load(name, &net, why, sizeof(why));
	if (err) {
		vectl_err("%s: %s", who, why);
		return err == -ENOENT ? VECTL_ERR_NOT_FOUND : VECTL_ERR_VALUE;
	}
	if (fw_net_get(name, &old))
		return VECTL_ERR_BAD_CONFIG;
	if (!strcmp(sub, "list")) {
		rc = cmd_list_opts("firewall", argc, argv, &header, &json);
		if (!rc)
			print_fw(&old, counts, !fw_net_counters(name, counts, old.n), header, json);
		return rc;
	}
	rc = edit(who, sub, argv, r, &old, &new);
	if (rc)
		return rc;
	err = fw_net_save(name, &new);
	if (err) {
		vectl_err("%s: cannot save its rules: %s", who, strerror(-err));
		return VECTL_ERR_SYSTEM;
	}
	/* Loaded with each member's: a member that cannot take them says so. */
	err = ve_nl_open(&nl);
	rc = reload_members(err ? NULL : &nl, name);
	ve_nl_close(&nl);
	return rc;
}

int cmd_firewall(int argc, char **argv)
{
	static struct ve_nl nl;
	const char *sub, *name = NULL;
	struct fw_conf old, new;
	struct fw_rule r;
	char who[64];
	struct vectx x;
	uint32_t id = 0;
	int rc, err, at = 2;

	if (argc >= 2 && !strcmp(argv[1], "--network")) {
		if (argc < 4)
			return usage();
		name = argv[2];
		at = 3;
		snprintf(who, sizeof(who), "firewall network %s", name);
	} else {
		if (argc < 3)
			return usage();
		if (cmd_veid("firewall", argv[1], &id))
			return VECTL_ERR_VALUE;
		snprintf(who, sizeof(who), "firewall %u", id);
	}
	sub = argv[at];
	if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "del") &&
	    strcmp(sub, "policy")) {
		vectl_err("%s: unknown action '%s' (list, add, del or policy)", who, sub);
		return VECTL_ERR_USAGE;
	}
	/* The arguments first, all of them: a refusal touches nothing. */
	if (!strcmp(sub, "add")) {
		rc = parse_rule(who, argc - at, argv + at, &r);
		if (rc)
			return rc;
	} else if (!strcmp(sub, "del") && argc != at + 2) {
		return usage();
	} else if (!strcmp(sub, "policy") &&
		   (argc != at + 3 || (strcmp(argv[at + 1], "in") && strcmp(argv[at + 1], "out")) ||
		    (strcmp(argv[at + 2], "accept") && strcmp(argv[at + 2], "drop")))) {
		vectl_err("%s: usage: vectl firewall ID|--network NAME policy in|out accept|drop", who);
		return VECTL_ERR_USAGE;
	}
	if (name)
		return network_fw(name, sub, argc - at, argv + at, &r);
	rc = vectx_open(&x, "firewall", id, strcmp(sub, "list") != 0);
	if (rc)
		return rc;
	if (!x.exists) {
		rc = cluster_no_ve("firewall", id);
		goto out;
	}
	if (fw_conf_get(&x, &old)) {
		rc = VECTL_ERR_BAD_CONFIG;
		goto out;
	}
	if (!strcmp(sub, "list")) {
		struct fw_count counts[FW_RULES_MAX + 2];
		bool header, json;

		rc = cmd_list_opts("firewall", argc - at, argv + at, &header, &json);
		/* Counters while the rules are loaded (the VE runs); "-" else. */
		if (!rc)
			print_fw(&old, counts, !fw_counters(&x, counts, old.n), header, json);
		goto out;
	}
	rc = edit(who, sub, argv + at, &r, &old, &new);
	if (rc)
		goto out;
	/* Without the module no VE runs: the change is only saved. */
	err = ve_nl_open(&nl);
	if (err && err != -ENOENT) {
		rc = vectl_open_error("firewall", err);
		goto out;
	}
	rc = commit(err ? NULL : &nl, &x, &old, &new);
	ve_nl_close(&nl);
out:
	vectx_close(&x);
	return rc;
}
