// SPDX-License-Identifier: GPL-2.0
/*
 * vectl cluster init --etcd URLS [--name NODE] [--addr ADDR] [--lease-ttl SECONDS] [--watchdog]
 * vectl cluster token                 a single-use join token (an hour)
 * vectl cluster join TOKEN [--name NODE] [--addr ADDR] [--watchdog]
 * vectl cluster leave
 * vectl cluster list [-H] [-j]
 * vectl cluster status
 * vectl cluster evacuate NODE        its VEs to the other nodes; it takes none
 * vectl cluster restore NODE         it takes VEs again
 *
 * A cluster is a set of nodes that share one control center, etcd
 * (cluster.h has the keys). The node agent ved keeps this node online
 * there and publishes its VEs; these verbs change membership.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "list.h"
#include "netaddr.h"
#include "parse.h"
#include "nl.h"
#include "run.h"
#include "veapi.h"
#include "vectx.h"

#define TOKEN_SECRET_LEN	32

static int usage(void)
{
	vectl_err("cluster: usage: vectl %s", vectl_find_cmd("cluster")->usage);
	return VECTL_ERR_USAGE;
}

static int etcd_failed(const char *what, struct cluster *c, int err)
{
	vectl_err("cluster: %s: %s", what, c->etcd.err[0] ? c->etcd.err : strerror(-err));
	return VECTL_ERR_CLUSTER;
}

/* This node's config, or the exit code after saying why there is none. */
static int open_member(struct cluster *c)
{
	char why[512];
	int err = cluster_open(c, why, sizeof(why));

	if (err == -ENOENT) {
		vectl_err("cluster: this node is in no cluster (vectl cluster init, or join with a token)");
		return VECTL_ERR_CLUSTER;
	}
	if (err) {
		vectl_err("cluster: %s", why);
		return VECTL_ERR_BAD_CONFIG;
	}
	return 0;
}

/* @n random bytes as 2 * @n hex digits into @out. 0 or VECTL_ERR_SYSTEM. */
static int random_hex(char *out, size_t n)
{
	unsigned char rnd[32];

	if (n > sizeof(rnd) || getrandom(rnd, n, 0) != (ssize_t)n) {
		vectl_err("cluster: cannot get random bytes: %s", strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", rnd[i]);
	return 0;
}

static int refuse_member(void)
{
	if (!cluster_configured())
		return 0;
	vectl_err("cluster: this node is in a cluster already (%s): vectl cluster leave first",
		  CLUSTER_CONF);
	return VECTL_ERR_CLUSTER;
}

/* --name, --addr and --lease-ttl of init and join. */
static int node_opts(int argc, char **argv, struct cluster *c, int *ttl, bool init)
{
	static const struct option longopts[] = {
		{ "etcd", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "addr", required_argument, NULL, 'a' },
		{ "lease-ttl", required_argument, NULL, 't' },
		{ "watchdog", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		const char *what = NULL;

		if ((opt == 'e' || opt == 't') && !init)
			return cmd_bad_option("cluster join", argv);
		if (opt == 'e') {
			if (snprintf(c->urls, sizeof(c->urls), "%s", optarg) >= (int)sizeof(c->urls))
				what = "--etcd is too long";
		} else if (opt == 'n') {
			if (!cluster_name_ok(optarg))
				what = "--name: a node's name is 1 to 63 letters, digits, '-', '.' or '_'";
			else
				snprintf(c->node, sizeof(c->node), "%s", optarg);
		} else if (opt == 'a') {
			struct ve_ip ip;
			char why[128];

			if (ve_ip_parse(optarg, &ip, why, sizeof(why)))
				what = "--addr is not an IPv4 or IPv6 address";
			else
				snprintf(c->addr, sizeof(c->addr), "%s", optarg);
		} else if (opt == 'w') {
			c->watchdog = true;
		} else if (opt == 't') {
			if (parse_uint(optarg, CLUSTER_TTL_MIN, CLUSTER_TTL_MAX, &v))
				what = "--lease-ttl is not 3 to 300 seconds";
			else
				*ttl = (int)v;
		} else {
			return cmd_bad_option(init ? "cluster init" : "cluster join", argv);
		}
		if (what) {
			vectl_err("cluster %s: %s ('%s')", init ? "init" : "join", what, optarg);
			return VECTL_ERR_VALUE;
		}
	}
	if (!c->node[0]) {
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		if (!cluster_name_ok(host)) {
			vectl_err("cluster: the host name '%s' is not a node name: give one with --name",
				  host);
			return VECTL_ERR_VALUE;
		}
		snprintf(c->node, sizeof(c->node), "%s", host);
	}
	return 0;
}

static char *member_json(const struct cluster *c)
{
	struct json_object *j = json_object_new_object();
	char *s;

	json_object_object_add(j, "addr", json_object_new_string(c->addr));
	json_object_object_add(j, "state", json_object_new_string("active"));
	/* Whether its VEs may be taken over when it goes offline (it fences itself). */
	json_object_object_add(j, "watchdog", json_object_new_boolean(c->watchdog));
	json_object_object_add(j, "joined", json_object_new_int64(time(NULL)));
	s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	return s;
}

/* The address the other nodes reach this one at: given, or ours towards etcd. */
static void default_addr(struct cluster *c)
{
	if (!c->addr[0])
		snprintf(c->addr, sizeof(c->addr), "%s", c->etcd.local);
}

struct local_ves {
	uint32_t ids[1024];
	int n;
};

static void collect(uint32_t id, void *data)
{
	struct local_ves *l = data;

	if (l->n < (int)(sizeof(l->ids) / sizeof(l->ids[0])))
		l->ids[l->n++] = id;
}

/*
 * This node's VEs into the cluster's records: refused, before anything
 * changes, when the cluster has one of their IDs on another node.
 */
static int check_ids(struct cluster *c, const struct local_ves *l)
{
	int clash = 0;

	for (int i = 0; i < l->n; i++) {
		struct cluster_ve v;
		int err = cluster_ve_get(c, l->ids[i], &v);

		if (err == -ENOENT)
			continue;
		if (err)
			return etcd_failed("cannot read the cluster's VEs", c, err);
		if (strcmp(v.node, c->node)) {
			vectl_err("cluster: VE %u of this node has an ID the cluster gave to node %s: renumber or destroy one of them first",
				  l->ids[i], v.node);
			clash++;
		}
	}
	return clash ? VECTL_ERR_ELSEWHERE : 0;
}

static int register_all(struct cluster *c, const struct local_ves *l)
{
	int rc = VECTL_OK;

	for (int i = 0; i < l->n; i++) {
		struct cluster_ve v;
		int err = cluster_ve_register(c, l->ids[i], &v);

		if (err == -EEXIST) {
			vectl_err("cluster: VE %u: node %s took its ID meanwhile: renumber one of them",
				  l->ids[i], v.node);
			rc = VECTL_ERR_ELSEWHERE;
		} else if (err) {
			rc = etcd_failed("cannot register this node's VEs", c, err);
		}
	}
	return rc;
}

/*
 * The new member's config written, then its VEs registered; when the
 * config cannot be written, @undo (@n ops) takes the membership back.
 */
static int save_and_register(struct cluster *c, const char *verb, const struct local_ves *l,
			     const struct etcd_op *undo, int n)
{
	int err = cluster_save(c);

	if (err) {
		vectl_err("cluster %s: cannot write %s: %s", verb, CLUSTER_CONF, strerror(-err));
		etcd_txn(&c->etcd, NULL, 0, undo, n);
		return VECTL_ERR_SYSTEM;
	}
	return register_all(c, l);
}

static int init(int argc, char **argv)
{
	struct cluster c = { 0 };
	struct local_ves l = { .n = 0 };
	struct etcd_kv kv;
	char id[33], key[CLUSTER_KEY_MAX], *member, cl[128];
	int ttl = CLUSTER_TTL_DEFAULT, rc, err;

	rc = refuse_member();
	if (!rc)
		rc = node_opts(argc, argv, &c, &ttl, true);
	if (rc)
		return rc;
	if (optind != argc || !c.urls[0])
		return usage();
	if (etcd_init(&c.etcd, c.urls)) {
		vectl_err("cluster init: --etcd %s", c.etcd.err);
		return VECTL_ERR_VALUE;
	}
	err = etcd_get(&c.etcd, CLUSTER_PREFIX "cluster", &kv);
	if (!err) {
		etcd_kv_free(&kv);
		vectl_err("cluster init: etcd at %s holds a cluster already: join it (vectl cluster token on a member, then vectl cluster join TOKEN)",
			  c.urls);
		return VECTL_ERR_CLUSTER;
	}
	if (err != -ENOENT)
		return etcd_failed("cannot reach the control center", &c, err);
	default_addr(&c);
	vectx_each_conf(collect, &l);
	rc = random_hex(id, 16);
	if (rc)
		return rc;
	snprintf(cl, sizeof(cl), "{\"id\":\"%s\",\"ttl\":%d}", id, ttl);
	member = member_json(&c);
	cluster_key(key, sizeof(key), "members", c.node);
	err = member ? etcd_txn(&c.etcd, &(struct etcd_cmp){ .key = CLUSTER_PREFIX "cluster",
							    .target = ETCD_CREATE }, 1,
				(struct etcd_op[]){ { .key = CLUSTER_PREFIX "cluster", .value = cl },
						    { .key = key, .value = member } }, 2) : -ENOMEM;
	free(member);
	if (err == -ECANCELED) {
		vectl_err("cluster init: another node made a cluster at %s meanwhile: join it", c.urls);
		return VECTL_ERR_CLUSTER;
	}
	if (err)
		return etcd_failed("cannot make the cluster", &c, err);
	rc = save_and_register(&c, "init", &l,
			       (struct etcd_op[]){ { .del = true, .key = CLUSTER_PREFIX "cluster" },
						   { .del = true, .key = key } }, 2);
	if (rc == VECTL_ERR_SYSTEM)
		return rc;
	printf("Cluster %s made at %s; node %s (%s) is its first member\n", id, c.urls, c.node,
	       c.addr);
	return rc;
}

static int token(int argc, char **argv)
{
	char secret[TOKEN_SECRET_LEN + 1], key[CLUSTER_KEY_MAX + TOKEN_SECRET_LEN];
	struct cluster c;
	int64_t lease;
	int rc, err;

	(void)argv;
	rc = argc == 1 ? open_member(&c) : usage();
	if (rc)
		return rc;
	rc = random_hex(secret, TOKEN_SECRET_LEN / 2);
	if (rc)
		return rc;
	cluster_key(key, sizeof(key), "tokens", secret);
	err = etcd_grant(&c.etcd, CLUSTER_TOKEN_TTL, &lease);
	if (!err)
		err = etcd_put(&c.etcd, key, c.node, lease);
	if (err)
		return etcd_failed("cannot make a token", &c, err);
	/* The token carries the endpoints: a joining node needs nothing else. */
	printf("%s@%s\n", secret, c.urls);
	return VECTL_OK;
}

static int join(int argc, char **argv)
{
	struct cluster c = { 0 };
	struct local_ves l = { .n = 0 };
	char secret[TOKEN_SECRET_LEN + 1], tkey[CLUSTER_KEY_MAX + TOKEN_SECRET_LEN];
	char mkey[CLUSTER_KEY_MAX], *member;
	const char *at;
	struct etcd_kv kv;
	int ttl = 0, rc, err;

	rc = refuse_member();
	if (!rc)
		rc = node_opts(argc, argv, &c, &ttl, false);
	if (rc)
		return rc;
	if (optind != argc - 1)
		return usage();
	at = strchr(argv[optind], '@');
	if (!at || at - argv[optind] != TOKEN_SECRET_LEN ||
	    strspn(argv[optind], "0123456789abcdef") != TOKEN_SECRET_LEN ||
	    snprintf(c.urls, sizeof(c.urls), "%s", at + 1) >= (int)sizeof(c.urls) ||
	    etcd_init(&c.etcd, c.urls)) {
		vectl_err("cluster join: '%s' is not a join token (SECRET@http://HOST:PORT, from vectl cluster token on a member)",
			  argv[optind]);
		return VECTL_ERR_VALUE;
	}
	memcpy(secret, argv[optind], TOKEN_SECRET_LEN);
	secret[TOKEN_SECRET_LEN] = '\0';
	err = etcd_get(&c.etcd, CLUSTER_PREFIX "cluster", &kv);
	if (err == -ENOENT) {
		vectl_err("cluster join: etcd at %s holds no cluster (make one with vectl cluster init)",
			  c.urls);
		return VECTL_ERR_CLUSTER;
	}
	if (err)
		return etcd_failed("cannot reach the control center", &c, err);
	etcd_kv_free(&kv);
	default_addr(&c);
	vectx_each_conf(collect, &l);
	rc = check_ids(&c, &l);
	if (rc)
		return rc;

	cluster_key(tkey, sizeof(tkey), "tokens", secret);
	cluster_key(mkey, sizeof(mkey), "members", c.node);
	member = member_json(&c);
	/* The token is spent and the member made in one step, or neither. */
	err = member ? etcd_txn(&c.etcd,
				(struct etcd_cmp[]){ { .key = tkey, .target = ETCD_VERSION,
						       .result = ETCD_GREATER },
						     { .key = mkey, .target = ETCD_CREATE } }, 2,
				(struct etcd_op[]){ { .del = true, .key = tkey },
						    { .key = mkey, .value = member } }, 2) : -ENOMEM;
	free(member);
	if (err == -ECANCELED) {
		if (!etcd_get(&c.etcd, mkey, &kv)) {
			etcd_kv_free(&kv);
			vectl_err("cluster join: the cluster has a node named %s already: join under another --name",
				  c.node);
			return VECTL_ERR_CLUSTER;
		}
		vectl_err("cluster join: the token is not valid (used, expired after an hour, or mistyped): make a new one with vectl cluster token on a member");
		return VECTL_ERR_PERM;
	}
	if (err)
		return etcd_failed("cannot join", &c, err);
	rc = save_and_register(&c, "join", &l, &(struct etcd_op){ .del = true, .key = mkey }, 1);
	if (rc == VECTL_ERR_SYSTEM)
		return rc;
	printf("Node %s (%s) joined the cluster at %s\n", c.node, c.addr, c.urls);
	return rc;
}

static int leave(int argc, char **argv)
{
	struct local_ves l = { .n = 0 };
	char mkey[CLUSTER_KEY_MAX], nkey[CLUSTER_KEY_MAX];
	struct cluster c;
	int rc, err;

	(void)argv;
	rc = argc == 1 ? open_member(&c) : usage();
	if (rc)
		return rc;
	vectx_each_conf(collect, &l);
	if (l.n) {
		vectl_err("cluster leave: node %s still has %d VE%s (the first: %u): destroy or migrate them first",
			  c.node, l.n, l.n > 1 ? "s" : "", l.ids[0]);
		return VECTL_ERR_CLUSTER;
	}
	cluster_key(mkey, sizeof(mkey), "members", c.node);
	cluster_key(nkey, sizeof(nkey), "nodes", c.node);
	err = etcd_txn(&c.etcd, NULL, 0,
		       (struct etcd_op[]){ { .del = true, .key = mkey },
					   { .del = true, .key = nkey } }, 2);
	if (err)
		return etcd_failed("cannot leave", &c, err);
	/* The agent sees the config gone and gives its lease back. */
	if (unlink(CLUSTER_CONF) && errno != ENOENT) {
		vectl_err("cluster leave: cannot remove %s: %s", CLUSTER_CONF, strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	printf("Node %s left the cluster\n", c.node);
	return VECTL_OK;
}

static int cmp_ve_key(const void *a, const void *b)
{
	unsigned long x = strtoul(strrchr(((const struct etcd_kv *)a)->key, '/') + 1, NULL, 10);
	unsigned long y = strtoul(strrchr(((const struct etcd_kv *)b)->key, '/') + 1, NULL, 10);

	return (x > y) - (x < y);
}

struct node_row {
	char name[CLUSTER_NAME_MAX];
	char addr[64];
	char state[16];
	bool online;
	int ves, cpus;
	long long mem_free_kb;
};

static const char *base_name(const char *key, const char *kind)
{
	size_t l = strlen(CLUSTER_PREFIX) + strlen(kind) + 1;

	return strlen(key) > l ? key + l : "";
}

/* Every member with what its agent published, and its VEs counted. */
static int nodes_read(struct cluster *c, struct node_row **rows, int *n)
{
	struct etcd_kv *m = NULL, *on = NULL, *ves = NULL;
	int nm, non, nves, err;
	char prefix[CLUSTER_KEY_MAX];

	cluster_key(prefix, sizeof(prefix), "members", NULL);
	err = etcd_list(&c->etcd, prefix, &m, &nm);
	cluster_key(prefix, sizeof(prefix), "nodes", NULL);
	if (!err)
		err = etcd_list(&c->etcd, prefix, &on, &non);
	cluster_key(prefix, sizeof(prefix), "ves", NULL);
	if (!err)
		err = etcd_list(&c->etcd, prefix, &ves, &nves);
	*rows = err ? NULL : calloc(nm ? nm : 1, sizeof(**rows));
	if (!err && !*rows)
		err = -ENOMEM;
	for (int i = 0; !err && i < nm; i++) {
		struct node_row *r = &(*rows)[i];
		struct json_object *j = json_tokener_parse(m[i].value);

		snprintf(r->name, sizeof(r->name), "%s", base_name(m[i].key, "members"));
		cluster_json_str(j, "addr", r->addr, sizeof(r->addr));
		cluster_json_str(j, "state", r->state, sizeof(r->state));
		json_object_put(j);
		for (int k = 0; k < non; k++) {
			if (strcmp(base_name(on[k].key, "nodes"), r->name))
				continue;
			j = json_tokener_parse(on[k].value);
			r->online = true;
			r->cpus = (int)cluster_json_int(j, "cpus");
			r->mem_free_kb = cluster_json_int(j, "mem_avail_kb");
			json_object_put(j);
		}
		for (int k = 0; k < nves; k++) {
			struct cluster_ve v;

			if (!cluster_ve_parse(ves[k].value, 0, &v) && !strcmp(v.node, r->name))
				r->ves++;
		}
	}
	*n = err ? 0 : nm;
	etcd_kvs_free(m, err ? 0 : nm);
	etcd_kvs_free(on, err ? 0 : non);
	etcd_kvs_free(ves, err ? 0 : nves);
	return err;
}

/* This node's cluster and its nodes, or the exit code after saying why not. */
static int member_nodes(struct cluster *c, struct node_row **rows, int *n)
{
	int rc = open_member(c), err;

	if (rc)
		return rc;
	err = nodes_read(c, rows, n);
	return err ? etcd_failed("cannot read the cluster's nodes", c, err) : 0;
}

static int list(int argc, char **argv)
{
	struct node_row *rows;
	struct cluster c;
	bool header, json;
	int n, rc;

	rc = cmd_list_opts("cluster list", argc, argv, &header, &json);
	if (!rc)
		rc = member_nodes(&c, &rows, &n);
	if (rc)
		return rc;
	if (json)
		printf("[");
	else if (header)
		printf("%-20s %-16s %-8s %5s %5s %12s\n", "NODE", "ADDR", "STATUS", "VES", "CPUS",
		       "MEMFREE_MB");
	for (int i = 0; i < n; i++) {
		const struct node_row *r = &rows[i];
		const char *st = !r->online ? "offline" :
				 !strcmp(r->state, "evacuated") ? "evacuated" : "online";

		if (json)
			printf("%s\n  {\"node\": \"%s\", \"addr\": \"%s\", \"status\": \"%s\", \"ves\": %d, \"cpus\": %d, \"memfree_mb\": %lld}",
			       i ? "," : "", r->name, r->addr, st, r->ves, r->cpus,
			       r->mem_free_kb / 1024);
		else
			printf("%-20s %-16s %-8s %5d %5d %12lld\n", r->name, r->addr, st, r->ves,
			       r->cpus, r->mem_free_kb / 1024);
	}
	if (json)
		printf("%s]\n", n ? "\n" : "");
	free(rows);
	return VECTL_OK;
}

static int status(int argc, char **argv)
{
	char nkey[CLUSTER_KEY_MAX];
	struct node_row *rows;
	struct etcd_kv kv;
	struct cluster c;
	int n, rc, err, ves = 0;
	bool member = false;

	(void)argv;
	rc = argc == 1 ? open_member(&c) : usage();
	if (rc)
		return rc;
	err = nodes_read(&c, &rows, &n);
	if (err)
		return etcd_failed("the control center is unreachable", &c, err);
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].name, c.node)) {
			member = true;
			ves = rows[i].ves;
		}
	free(rows);
	cluster_key(nkey, sizeof(nkey), "nodes", c.node);
	err = etcd_get(&c.etcd, nkey, &kv);
	if (err && err != -ENOENT)
		return etcd_failed("the control center is unreachable", &c, err);
	if (!err)
		etcd_kv_free(&kv);
	printf("node %s (%s), etcd %s: reachable, revision %lld\n", c.node, c.addr, c.urls,
	       (long long)c.etcd.revision);
	printf("member: %s\n", member ? "yes" : "no (removed from the cluster by another node)");
	printf("agent: %s\n", err ? "offline (ved is not running, or cannot renew its lease)" :
	       "online");
	printf("VEs of this node in the cluster: %d, nodes: %d\n", ves, n);
	return member ? VECTL_OK : VECTL_ERR_CLUSTER;
}

/* members/@node's state: "active" or "evacuated", by a transaction on its revision. */
static int set_member_state(struct cluster *c, const char *node, const char *state)
{
	struct json_object *j;
	char key[CLUSTER_KEY_MAX];
	struct etcd_kv kv;
	int err;

	cluster_key(key, sizeof(key), "members", node);
	err = etcd_get(&c->etcd, key, &kv);
	if (err)
		return err;
	j = json_tokener_parse(kv.value);
	if (!j) {
		etcd_kv_free(&kv);
		return -EINVAL;
	}
	json_object_object_add(j, "state", json_object_new_string(state));
	err = etcd_txn(&c->etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_MOD,
						      .rev = kv.mod_rev }, 1,
		       &(struct etcd_op){ .key = key,
					  .value = json_object_to_json_string_ext(j,
										  JSON_C_TO_STRING_PLAIN) }, 1);
	json_object_put(j);
	etcd_kv_free(&kv);
	return err;
}

/* The online, active member other than @not with the fewest VEs; NULL: none. */
static const struct node_row *least_loaded(const struct node_row *rows, int n, const char *not)
{
	const struct node_row *best = NULL;

	for (int i = 0; i < n; i++)
		if (rows[i].online && strcmp(rows[i].state, "evacuated") &&
		    strcmp(rows[i].name, not) && (!best || rows[i].ves < best->ves))
			best = &rows[i];
	return best;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Move VE @id of this node to @dest. On shared storage: stopped here,
 * handed over by a transaction (the record names @dest, the owner key
 * goes), started there by its agent. Else: vectl migrate --online.
 */
static int move_ve(struct cluster *c, uint32_t id, const struct node_row *dest)
{
	char self[16], idstr[16], rkey[CLUSTER_KEY_MAX], okey[CLUSTER_KEY_MAX], *json;
	char conf[64], aside[80];
	static struct ve_nl nl;
	struct cluster_ve v;
	struct timespec t0;
	struct vectx x;
	bool shared, running;
	int rc, err, lock;

	snprintf(self, sizeof(self), "/proc/self/exe");
	snprintf(idstr, sizeof(idstr), "%u", id);
	rc = vectx_open(&x, "cluster evacuate", id, false);
	if (rc)
		return rc;
	shared = cluster_shared_path(x.private_dir);
	vectx_close(&x);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!shared) {
		char *const argv[] = { self, "migrate", idstr, (char *)dest->addr, "--online", NULL };

		rc = run_wait(run_spawn(argv, -1, 1, 2), NULL);
		if (!rc)
			printf("VE %u migrated to node %s (live) in %.1f s\n", id, dest->name,
			       seconds_since(&t0));
		return rc;
	}
	err = cluster_ve_get(c, id, &v);
	if (err)
		return etcd_failed("cannot read the VE's record", c, err);
	running = !strcmp(v.state, "running");
	if (running) {
		char *const argv[] = { self, "stop", idstr, NULL };

		rc = run_wait(run_spawn(argv, -1, -1, 2), NULL);
		if (rc)
			return rc;
	}
	cluster_ve_key(rkey, sizeof(rkey), "ves", id);
	cluster_ve_key(okey, sizeof(okey), "owner", id);
	/* The VE's lock: this node's agent leaves its config alone meanwhile. */
	for (int i = 0; (lock = vectx_try_lock(id)) < 0 && i < 20; i++)
		usleep(100000);
	/*
	 * This node's agent writes the record when it sees the VE stop (and
	 * drops the owner key): read it again and retry, a few times, while
	 * it still names this node.
	 */
	err = -ECANCELED;
	for (int i = 0; i < 5 && err == -ECANCELED; i++) {
		err = cluster_ve_get(c, id, &v);
		if (err) {
			rc = etcd_failed("cannot read the VE's record", c, err);
			goto unlock;
		}
		if (strcmp(v.node, c->node)) {
			vectl_err("cluster evacuate: VE %u: the cluster gave it to node %s meanwhile; it stays here, stopped",
				  id, v.node);
			rc = VECTL_ERR_CLUSTER;
			goto unlock;
		}
		snprintf(v.node, sizeof(v.node), "%s", dest->name);
		snprintf(v.state, sizeof(v.state), "%s", running ? "running" : "stopped");
		snprintf(v.from, sizeof(v.from), "%s", c->node);
		json = cluster_ve_format(&v);
		err = json ? etcd_txn(&c->etcd, &(struct etcd_cmp){ .key = rkey, .target = ETCD_MOD,
								     .rev = v.mod_rev }, 1,
				      (struct etcd_op[]){ { .key = rkey, .value = json },
							  { .del = true, .key = okey } }, 2) : -ENOMEM;
		free(json);
		if (err == -ECANCELED)
			usleep(200000);
	}
	if (err) {
		vectl_err("cluster evacuate: VE %u: cannot hand it to node %s (%s); it stays here, stopped",
			  id, dest->name, c->etcd.err[0] ? c->etcd.err : strerror(-err));
		rc = VECTL_ERR_CLUSTER;
		goto unlock;
	}
	ve_conf_path(conf, sizeof(conf), id);
	snprintf(aside, sizeof(aside), "%s.evacuated", conf);
	if (rename(conf, aside))
		vectl_err("cluster evacuate: VE %u: cannot move %s aside: %s", id, conf,
			  strerror(errno));
	if (lock >= 0)
		close(lock);
	lock = -1;
	if (!ve_nl_open(&nl)) {
		cluster_forget_here(&nl, "cluster evacuate: ", id);
		ve_nl_close(&nl);
	}
	/*
	 * Its agent starts it there within a second or two: wait and say how
	 * long. Running there once that agent wrote the record (no "from").
	 */
	for (int i = 0; running && i < 600; i++) {
		if (!cluster_ve_get(c, id, &v) && !strcmp(v.node, dest->name) && !v.from[0] &&
		    !strcmp(v.state, "running")) {
			printf("VE %u restarted on node %s from the shared storage: %.1f s without service\n",
			       id, dest->name, seconds_since(&t0));
			return VECTL_OK;
		}
		usleep(100000);
	}
	if (running) {
		vectl_err("cluster evacuate: VE %u: handed to node %s, which has not started it within 60 s",
			  id, dest->name);
		return VECTL_ERR_CLUSTER;
	}
	printf("VE %u handed to node %s (stopped)\n", id, dest->name);
	return VECTL_OK;
unlock:
	if (lock >= 0)
		close(lock);
	return rc;
}

static int evacuate(int argc, char **argv)
{
	struct local_ves l = { .n = 0 };
	const struct node_row *me = NULL;
	struct node_row *rows;
	struct cluster c;
	int n, rc, err, failed = 0;

	rc = argc == 2 ? member_nodes(&c, &rows, &n) : usage();
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].name, argv[1]))
			me = &rows[i];
	if (!me) {
		vectl_err("cluster evacuate: the cluster has no node %s (vectl cluster list)", argv[1]);
		free(rows);
		return VECTL_ERR_VALUE;
	}
	if (!least_loaded(rows, n, argv[1])) {
		vectl_err("cluster evacuate: %s is the last active node online: there is nowhere to move its VEs",
			  argv[1]);
		free(rows);
		return VECTL_ERR_CLUSTER;
	}
	/* Another node's VEs are moved by that node: ask it. */
	if (strcmp(argv[1], c.node)) {
		char *const fwd[] = { "ssh", "-o", "BatchMode=yes", (char *)me->addr, "vectl",
				      "cluster", "evacuate", argv[1], NULL };

		free(rows);
		return run_wait(run_spawn(fwd, -1, 1, 2), NULL);
	}
	err = set_member_state(&c, c.node, "evacuated");
	if (err) {
		free(rows);
		return etcd_failed("cannot mark the node evacuated", &c, err);
	}
	vectx_each_conf(collect, &l);
	for (int i = 0; i < l.n; i++) {
		const struct node_row *dest = least_loaded(rows, n, c.node);

		rc = move_ve(&c, l.ids[i], dest);
		if (rc) {
			vectl_err("cluster evacuate: VE %u was not moved (exit status %d)", l.ids[i], rc);
			failed++;
		} else {
			((struct node_row *)dest)->ves++;
		}
	}
	free(rows);
	printf("Node %s evacuated: %d VE%s moved, %d not; it takes no VEs until vectl cluster restore %s\n",
	       c.node, l.n - failed, l.n - failed == 1 ? "" : "s", failed, c.node);
	return failed ? VECTL_ERR_CLUSTER : VECTL_OK;
}

static int restore(int argc, char **argv)
{
	struct cluster c;
	int rc, err;

	rc = argc == 2 ? open_member(&c) : usage();
	if (rc)
		return rc;
	err = set_member_state(&c, argv[1], "active");
	if (err == -ENOENT) {
		vectl_err("cluster restore: the cluster has no node %s (vectl cluster list)", argv[1]);
		return VECTL_ERR_VALUE;
	}
	if (err)
		return etcd_failed("cannot restore the node", &c, err);
	printf("Node %s takes VEs again\n", argv[1]);
	return VECTL_OK;
}

/* @arg for the remote shell ssh hands its command to: single-quoted. */
static char *shell_quote(const char *arg)
{
	size_t n = 3;
	char *q, *o;

	for (const char *p = arg; *p; p++)
		n += *p == '\'' ? 4 : 1;
	q = malloc(n);
	if (!q)
		return NULL;
	o = q;
	*o++ = '\'';
	for (const char *p = arg; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

int cluster_create_on(const char *node, int argc, char **argv, bool *here)
{
	const struct node_row *dest = NULL;
	char *cmd[128];
	struct node_row *rows;
	struct cluster c;
	int n, rc, k = 0;

	*here = false;
	rc = member_nodes(&c, &rows, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		const struct node_row *r = &rows[i];

		if (!strcmp(node, "auto") ? r->online && strcmp(r->state, "evacuated") &&
					    (!dest || r->ves < dest->ves) :
					    !strcmp(r->name, node))
			dest = r;
	}
	if (!dest || !dest->online || !strcmp(dest->state, "evacuated")) {
		vectl_err("create: %s", !strcmp(node, "auto") ? "no node of the cluster is online and active" :
			  !dest ? "--node: the cluster has no such node (vectl cluster list)" :
			  "--node: that node is offline or evacuated");
		free(rows);
		return !dest && strcmp(node, "auto") ? VECTL_ERR_VALUE : VECTL_ERR_CLUSTER;
	}
	if (!strcmp(dest->name, c.node)) {
		*here = true;
		free(rows);
		return 0;
	}
	/* The same create, without --node, on that node. */
	cmd[k++] = "ssh";
	cmd[k++] = "-o";
	cmd[k++] = "BatchMode=yes";
	cmd[k++] = (char *)dest->addr;
	cmd[k++] = "vectl";
	for (int i = 0; i < argc && k < (int)(sizeof(cmd) / sizeof(cmd[0])) - 1; i++) {
		if (!strcmp(argv[i], "--node")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--node=", 7))
			continue;
		cmd[k] = shell_quote(argv[i]);
		if (!cmd[k++]) {
			rc = VECTL_ERR_SYSTEM;
			goto out;
		}
	}
	cmd[k] = NULL;
	printf("Creating on node %s (%s)\n", dest->name, dest->addr);
	fflush(stdout);
	rc = run_wait(run_spawn(cmd, -1, 1, 2), NULL);
out:
	for (int i = 5; i < k; i++)
		free(cmd[i]);
	free(rows);
	return rc;
}

int cmd_cluster(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} verbs[] = {
		{ "init", init }, { "token", token }, { "join", join }, { "leave", leave },
		{ "list", list }, { "status", status }, { "evacuate", evacuate },
		{ "restore", restore },
	};

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	vectl_err("cluster: unknown verb '%s' (init, token, join, leave, list, status, evacuate, restore)",
		  argv[1]);
	return VECTL_ERR_USAGE;
}

int cluster_list_ves(bool header, bool json, int which)
{
	struct etcd_kv *kvs;
	char prefix[CLUSTER_KEY_MAX];
	struct cluster c;
	int n, rc, err, shown = 0;

	rc = open_member(&c);
	if (rc)
		return rc;
	cluster_key(prefix, sizeof(prefix), "ves", NULL);
	err = etcd_list(&c.etcd, prefix, &kvs, &n);
	if (err)
		return etcd_failed("cannot read the cluster's VEs", &c, err);
	/* etcd sorts keys as strings: "ves/1000" before "ves/101". */
	qsort(kvs, n, sizeof(*kvs), cmp_ve_key);
	if (json)
		printf("[");
	else if (header)
		printf("%10s %-20s %-9s %-15s %s\n", "CTID", "NODE", "STATUS", "IP_ADDR", "HOSTNAME");
	for (int i = 0; i < n; i++) {
		struct cluster_ve v;
		bool running;

		if (cluster_ve_parse(kvs[i].value, (uint32_t)strtoul(base_name(kvs[i].key, "ves"),
								      NULL, 10), &v))
			continue;
		running = !strcmp(v.state, "running");
		if ((which == LIST_RUNNING && !running) || (which == LIST_STOPPED && running))
			continue;
		if (json) {
			struct json_object *j = json_object_new_object();

			json_object_object_add(j, "ctid", json_object_new_int64(v.id));
			json_object_object_add(j, "node", json_object_new_string(v.node));
			json_object_object_add(j, "status", json_object_new_string(v.state));
			json_object_object_add(j, "ip", json_object_new_string(v.ip));
			json_object_object_add(j, "hostname", json_object_new_string(v.hostname));
			printf("%s\n  %s", shown ? "," : "",
			       json_object_to_json_string_ext(j, JSON_C_TO_STRING_SPACED));
			json_object_put(j);
		} else {
			printf("%10u %-20s %-9s %-15s %s\n", v.id, v.node, v.state,
			       v.ip[0] ? v.ip : "-", v.hostname[0] ? v.hostname : "-");
		}
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	etcd_kvs_free(kvs, n);
	return VECTL_OK;
}
