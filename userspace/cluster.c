// SPDX-License-Identifier: GPL-2.0
/*
 * This node's cluster config and the cluster-wide VE records (cluster.h).
 *
 * /etc/ve/cluster.conf:
 *   ETCD="http://10.97.0.1:2379[,...]"   the control center's endpoints
 *   NODE="node2"                         this node's name in the cluster
 *   NODE_ADDR="10.97.0.2"                where the other nodes reach it
 *   WATCHDOG="yes"                       the agent feeds softdog (agent.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cluster.h"
#include "config.h"
#include "err.h"
#include "exitcodes.h"
#include "run.h"
#include "veapi.h"
#include "vectx.h"

bool cluster_configured(void)
{
	return !access(CLUSTER_CONF, F_OK);
}

bool cluster_name_ok(const char *name)
{
	size_t l = strlen(name);

	return l && l < CLUSTER_NAME_MAX && name[0] != '.' && name[0] != '-' &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == l;
}

static int copy_field(const struct conf *cf, const char *key, char *out, size_t len,
		      char *why, size_t wlen)
{
	const char *v = conf_get(cf, key);

	if (!v || !*v || strlen(v) >= len) {
		snprintf(why, wlen, "%s: %s is %s", CLUSTER_CONF, key,
			 !v || !*v ? "missing" : "too long");
		return -EINVAL;
	}
	strcpy(out, v);
	return 0;
}

int cluster_open(struct cluster *c, char *why, size_t len)
{
	struct conf cf = { 0 };
	int err;

	memset(c, 0, sizeof(*c));
	err = conf_load(&cf, CLUSTER_CONF);
	if (err) {
		if (err != -ENOENT)
			snprintf(why, len, "cannot read %s: %s", CLUSTER_CONF, strerror(-err));
		conf_free(&cf);
		return err == -ENOENT ? -ENOENT : -EINVAL;
	}
	err = copy_field(&cf, "ETCD", c->urls, sizeof(c->urls), why, len);
	if (!err)
		err = copy_field(&cf, "NODE", c->node, sizeof(c->node), why, len);
	if (!err)
		err = copy_field(&cf, "NODE_ADDR", c->addr, sizeof(c->addr), why, len);
	c->watchdog = conf_get(&cf, "WATCHDOG") && !strcmp(conf_get(&cf, "WATCHDOG"), "yes");
	conf_free(&cf);
	if (!err && !cluster_name_ok(c->node)) {
		snprintf(why, len, "%s: NODE '%s' is not a node name", CLUSTER_CONF, c->node);
		err = -EINVAL;
	}
	if (!err && etcd_init(&c->etcd, c->urls)) {
		snprintf(why, len, "%s: ETCD: %s", CLUSTER_CONF, c->etcd.err);
		err = -EINVAL;
	}
	return err;
}

int cluster_save(const struct cluster *c)
{
	struct conf cf = { 0 };
	int err;

	err = conf_set(&cf, "ETCD", c->urls);
	if (!err)
		err = conf_set(&cf, "NODE", c->node);
	if (!err)
		err = conf_set(&cf, "NODE_ADDR", c->addr);
	if (!err && c->watchdog)
		err = conf_set(&cf, "WATCHDOG", "yes");
	if (!err)
		err = mkdir_p(VE_CONF_DIR, 0755);
	if (!err)
		err = conf_save(&cf, CLUSTER_CONF);
	conf_free(&cf);
	return err;
}

void cluster_key(char *buf, size_t len, const char *kind, const char *name)
{
	snprintf(buf, len, "%s%s/%s", CLUSTER_PREFIX, kind, name ? name : "");
}

void cluster_ve_key(char *buf, size_t len, const char *kind, uint32_t id)
{
	snprintf(buf, len, "%s%s/%u", CLUSTER_PREFIX, kind, id);
}

int cluster_ttl(struct cluster *c)
{
	struct json_object *j, *t;
	struct etcd_kv kv;
	int ttl = CLUSTER_TTL_DEFAULT;

	if (etcd_get(&c->etcd, CLUSTER_PREFIX "cluster", &kv))
		return ttl;
	j = json_tokener_parse(kv.value);
	if (j && json_object_object_get_ex(j, "ttl", &t))
		ttl = json_object_get_int(t);
	if (ttl < CLUSTER_TTL_MIN || ttl > CLUSTER_TTL_MAX)
		ttl = CLUSTER_TTL_DEFAULT;
	json_object_put(j);
	etcd_kv_free(&kv);
	return ttl;
}

void cluster_json_str(struct json_object *j, const char *key, char *out, size_t len)
{
	struct json_object *v;

	if (j && json_object_object_get_ex(j, key, &v))
		snprintf(out, len, "%s", json_object_get_string(v));
}

long long cluster_json_int(struct json_object *j, const char *key)
{
	struct json_object *v;

	return j && json_object_object_get_ex(j, key, &v) ? json_object_get_int64(v) : 0;
}

int cluster_ve_parse(const char *json, uint32_t id, struct cluster_ve *v)
{
	struct json_object *j = json_tokener_parse(json);

	memset(v, 0, sizeof(*v));
	v->id = id;
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return -EINVAL;
	}
	cluster_json_str(j, "node", v->node, sizeof(v->node));
	cluster_json_str(j, "state", v->state, sizeof(v->state));
	cluster_json_str(j, "ip", v->ip, sizeof(v->ip));
	cluster_json_str(j, "hostname", v->hostname, sizeof(v->hostname));
	cluster_json_str(j, "from", v->from, sizeof(v->from));
	json_object_put(j);
	return v->node[0] ? 0 : -EINVAL;
}

char *cluster_ve_format(const struct cluster_ve *v)
{
	struct json_object *j = json_object_new_object();
	char *s;

	if (!j)
		return NULL;
	json_object_object_add(j, "node", json_object_new_string(v->node));
	json_object_object_add(j, "state", json_object_new_string(v->state));
	json_object_object_add(j, "ip", json_object_new_string(v->ip));
	json_object_object_add(j, "hostname", json_object_new_string(v->hostname));
	if (v->from[0])
		json_object_object_add(j, "from", json_object_new_string(v->from));
	s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	return s;
}

int cluster_ve_get(struct cluster *c, uint32_t id, struct cluster_ve *v)
{
	char key[CLUSTER_KEY_MAX];
	struct etcd_kv kv;
	int err;

	cluster_ve_key(key, sizeof(key), "ves", id);
	err = etcd_get(&c->etcd, key, &kv);
	if (err)
		return err;
	err = cluster_ve_parse(kv.value, id, v);
	v->mod_rev = kv.mod_rev;
	etcd_kv_free(&kv);
	if (err)
		snprintf(c->etcd.err, sizeof(c->etcd.err), "the cluster's record %s is broken", key);
	return err;
}

int cluster_ve_register(struct cluster *c, uint32_t id, struct cluster_ve *v)
{
	struct cluster_ve mine = { .id = id };
	char key[CLUSTER_KEY_MAX], *json;
	int err;

	snprintf(mine.node, sizeof(mine.node), "%s", c->node);
	snprintf(mine.state, sizeof(mine.state), "stopped");
	json = cluster_ve_format(&mine);
	if (!json)
		return -ENOMEM;
	cluster_ve_key(key, sizeof(key), "ves", id);
	/* Made only where no such key was: the create revision of a missing key is 0. */
	err = etcd_txn(&c->etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_CREATE }, 1,
		       &(struct etcd_op){ .key = key, .value = json }, 1);
	free(json);
	if (err == -ECANCELED) {
		err = cluster_ve_get(c, id, v);
		if (!err && !strcmp(v->node, c->node))
			return 0;	/* ours already: a create that failed after it */
		return err ? err : -EEXIST;
	}
	return err;
}

int cluster_ve_update(struct cluster *c, const struct cluster_ve *v)
{
	char key[CLUSTER_KEY_MAX], *json = cluster_ve_format(v);
	int err;

	if (!json)
		return -ENOMEM;
	cluster_ve_key(key, sizeof(key), "ves", v->id);
	err = etcd_txn(&c->etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_MOD,
						      .rev = v->mod_rev }, 1,
		       &(struct etcd_op){ .key = key, .value = json }, 1);
	free(json);
	return err;
}

int cluster_ve_unregister(struct cluster *c, uint32_t id)
{
	char key[CLUSTER_KEY_MAX], owner[CLUSTER_KEY_MAX], conf[CLUSTER_KEY_MAX];
	struct cluster_ve v;
	int err = -ECANCELED;

	cluster_ve_key(key, sizeof(key), "ves", id);
	cluster_ve_key(owner, sizeof(owner), "owner", id);
	cluster_ve_key(conf, sizeof(conf), "conf", id);
	/*
	 * Changed meanwhile (this node's agent writing the VE's state, or
	 * another node taking it): read again; only a record naming this
	 * node goes.
	 */
	for (int i = 0; i < 5 && err == -ECANCELED; i++) {
		err = cluster_ve_get(c, id, &v);
		if (err)
			return err == -ENOENT ? 0 : err;
		if (strcmp(v.node, c->node))
			return 0;
		err = etcd_txn(&c->etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_MOD,
							      .rev = v.mod_rev }, 1,
			       (struct etcd_op[]){ { .del = true, .key = key },
						   { .del = true, .key = owner },
						   { .del = true, .key = conf } }, 3);
	}
	return err;
}

int cluster_elsewhere(uint32_t id, char *node, size_t len)
{
	struct cluster_ve v;
	struct cluster c;
	char why[256];

	if (cluster_open(&c, why, sizeof(why)) || cluster_ve_get(&c, id, &v) ||
	    !strcmp(v.node, c.node))
		return 0;
	snprintf(node, len, "%s", v.node);
	return 1;
}

int cluster_claim_id(const char *verb, uint32_t id, bool *claimed)
{
	struct cluster_ve v;
	struct cluster c;
	char why[512];
	int err;

	*claimed = false;
	err = cluster_open(&c, why, sizeof(why));
	if (err == -ENOENT)
		return 0;
	if (err) {
		vectl_err("%s %u: %s", verb, id, why);
		return VECTL_ERR_BAD_CONFIG;
	}
	err = cluster_ve_register(&c, id, &v);
	if (err == -EEXIST) {
		vectl_err("%s %u: the cluster has VE %u on node %s already: choose another ID",
			  verb, id, id, v.node);
		return VECTL_ERR_ELSEWHERE;
	}
	if (err) {
		vectl_err("%s %u: cannot register the ID with the cluster (%s): it could clash; try again when the control center answers",
			  verb, id, c.etcd.err[0] ? c.etcd.err : strerror(-err));
		return VECTL_ERR_CLUSTER;
	}
	*claimed = true;
	return 0;
}

void cluster_release_id(const char *verb, uint32_t id)
{
	struct cluster c;
	char why[512];
	int err;

	if (cluster_open(&c, why, sizeof(why)))
		return;
	err = cluster_ve_unregister(&c, id);
	if (err)
		vectl_err("%s %u: warning: the cluster still lists the VE on this node (%s); the node's agent drops it",
			  verb, id, c.etcd.err[0] ? c.etcd.err : strerror(-err));
}

int cluster_elsewhere_error(const char *verb, uint32_t id)
{
	char node[CLUSTER_NAME_MAX];

	if (!cluster_elsewhere(id, node, sizeof(node)))
		return 0;
	vectl_err("%s %u: VE %u is on node %s of the cluster: run vectl there (ssh %s vectl %s %u ...)",
		  verb, id, id, node, node, verb, id);
	return VECTL_ERR_ELSEWHERE;
}

int cluster_no_ve(const char *verb, uint32_t id)
{
	int rc = cluster_elsewhere_error(verb, id);

	if (rc)
		return rc;
	vectl_err("%s %u: VE does not exist", verb, id);
	return VECTL_ERR_NOCONFIG;
}

int cluster_adopt_id(const char *verb, uint32_t id, bool running)
{
	const char *state = running ? "running" : "stopped";
	struct cluster_ve v;
	struct cluster c;
	char why[512];
	int err;

	if (cluster_open(&c, why, sizeof(why)))
		return 0;
	/*
	 * The old node's agent may write the record meanwhile (the VE stopped
	 * there): read it again and retry, a few times.
	 */
	for (int i = 0; i < 5; i++) {
		err = cluster_ve_get(&c, id, &v);
		if (err == -ENOENT) {
			/* Made as stopped: read back, then set as it is. */
			err = cluster_ve_register(&c, id, &v);
			if (err && err != -EEXIST)
				break;
			continue;
		}
		if (err || (!strcmp(v.node, c.node) && !strcmp(v.state, state)))
			break;
		snprintf(v.node, sizeof(v.node), "%s", c.node);
		snprintf(v.state, sizeof(v.state), "%s", state);
		err = cluster_ve_update(&c, &v);
		if (err != -ECANCELED)
			break;
	}
	if (err)
		vectl_err("%s %u: warning: the cluster still lists the VE on its old node (%s)", verb,
			  id, c.etcd.err[0] ? c.etcd.err : strerror(-err));
	return err;
}

/* Where VE @x's epoch is recorded beside its private area, and our claim. */
static void epoch_paths(const struct vectx *x, char *shared, size_t slen, char *mine, size_t mlen)
{
	snprintf(shared, slen, "%s.epoch", x->private_dir);
	snprintf(mine, mlen, "%s/%u.epoch", VE_CONF_DIR, x->id);
}

/* The epoch in @path, 0 when there is none. */
static long long epoch_read(const char *path)
{
	long long e = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%lld", &e) != 1)
			e = 0;
		fclose(f);
	}
	return e;
}

static int epoch_write(const char *path, long long epoch)
{
	char tmp[PATH_MAX + 16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%lld\n", epoch);
	return file_commit(f, tmp, path);
}

int cluster_epoch_record(const struct vectx *x, long long epoch)
{
	char shared[PATH_MAX + 8], mine[PATH_MAX];
	long long had;
	int err;

	epoch_paths(x, shared, sizeof(shared), mine, sizeof(mine));
	had = epoch_read(shared);
	if (had > epoch) {
		vectl_err("VE %u: %s says epoch %lld, newer than this node's claim %lld: another node owns it",
			  x->id, shared, had, epoch);
		return -ESTALE;
	}
	err = epoch_write(shared, epoch);
	if (!err)
		err = epoch_write(mine, epoch);
	if (err)
		vectl_err("VE %u: cannot record its epoch: %s", x->id, strerror(-err));
	return err;
}

int cluster_epoch_error(const char *verb, const struct vectx *x)
{
	char shared[PATH_MAX + 8], mine[PATH_MAX];
	long long theirs, ours;

	if (!cluster_configured() || !cluster_shared_path(x->private_dir))
		return 0;
	epoch_paths(x, shared, sizeof(shared), mine, sizeof(mine));
	theirs = epoch_read(shared);
	ours = epoch_read(mine);
	if (theirs <= ours)
		return 0;
	vectl_err("%s %u: another node took VE %u over (epoch %lld in %s, this node's claim %lld): the config here is stale",
		  verb, x->id, x->id, theirs, shared, ours);
	return VECTL_ERR_ELSEWHERE;
}

void cluster_epoch_remove(const struct vectx *x)
{
	char shared[PATH_MAX + 8], mine[PATH_MAX];

	epoch_paths(x, shared, sizeof(shared), mine, sizeof(mine));
	unlink(shared);
	unlink(mine);
}

void cluster_forget_here(struct ve_nl *nl, const char *who, uint32_t id)
{
	int err = veapi_del(nl, id);

	if (err && err != -ENOENT)
		vectl_err("%sVE %u: warning: the module here still lists it (%s): vectl kernel del %u",
			  who, id, ve_nl_strerror(nl, err), id);
}

bool cluster_shared_path(const char *path)
{
	/*
	 * By the mount's type: statfs() would not do, 9p reports the type of
	 * the server's own file system.
	 */
	static const char *const shared[] = { "nfs", "nfs4", "9p", "ceph", "cifs", "smb3",
					      "ocfs2", "gfs2", "glusterfs" };
	char line[4096], type[64];
	unsigned int maj, min;
	bool yes = false;
	struct stat st;
	FILE *f;

	if (stat(path, &st))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	while (f && !yes && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");

		if (sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2 || !dash ||
		    makedev(maj, min) != st.st_dev || sscanf(dash + 3, "%63s", type) != 1)
			continue;
		/* fuse.glusterfs and the like: the part after "fuse." */
		if (!strncmp(type, "fuse.", 5))
			memmove(type, type + 5, strlen(type + 5) + 1);
		for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
			yes |= !strcmp(type, shared[i]);
	}
	if (f)
		fclose(f);
	return yes;
}
