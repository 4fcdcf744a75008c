// SPDX-License-Identifier: GPL-2.0
/*
 * ved's duty in a cluster (agent.h): keep this node online in the
 * control center and publish its VEs.
 *
 * The node holds one lease (the cluster's TTL, 15 s by default), renewed
 * every third of it; its "nodes/NODE" record and the "owner/ID" keys of
 * the VEs it runs live under that lease, so they vanish when the node
 * stops renewing. A VE's record "ves/ID" is written when what it says
 * (state, addresses, host name) changed, and only by the node it names,
 * by a transaction on the record's last revision.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "agent.h"
#include "cluster.h"
#include "err.h"
#include "veapi.h"
#include "vectx.h"

#define AGENT_VES_MAX	1024

struct pub_ve {
	uint32_t id;
	bool seen;
	char *json;		/* the record as last written, NULL: not yet */
	int64_t owner_lease;	/* the lease our owner key is under, 0: none */
};

static struct {
	bool on;
	struct cluster c;
	int ttl;
	int64_t lease;
	time_t renewed, published;
	bool down;		/* the control center did not answer last time */
	struct pub_ve ves[AGENT_VES_MAX];
	int n_ves;
	struct ve_nl *nl;
} a;

static void note_down(const char *what)
{
	if (!a.down)
		vectl_err("%s: %s (trying again every second)", what, a.c.etcd.err);
	a.down = true;
}

static long mem_available_kb(void)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* nodes/NODE under our lease: the node is online, and what it has room for. */
static int publish_node(void)
{
	struct json_object *j = json_object_new_object();
	char key[CLUSTER_KEY_MAX];
	int err;

	json_object_object_add(j, "addr", json_object_new_string(a.c.addr));
	json_object_object_add(j, "cpus", json_object_new_int(get_nprocs()));
	json_object_object_add(j, "mem_avail_kb", json_object_new_int64(mem_available_kb()));
	json_object_object_add(j, "ves", json_object_new_int(a.n_ves));
	json_object_object_add(j, "agent_pid", json_object_new_int(getpid()));
	cluster_key(key, sizeof(key), "nodes", a.c.node);
	err = etcd_put(&a.c.etcd, key, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
		       a.lease);
	json_object_put(j);
	return err;
}

static struct pub_ve *find(uint32_t id)
{
	for (int i = 0; i < a.n_ves; i++)
		if (a.ves[i].id == id)
			return &a.ves[i];
	if (a.n_ves == AGENT_VES_MAX)
		return NULL;
	a.ves[a.n_ves] = (struct pub_ve){ .id = id };
	return &a.ves[a.n_ves++];
}

/*
 * owner/ID: ours under our lease while the VE runs here. Taken where there
 * is none; taken over from our own earlier lease (an agent restarted);
 * never from another node.
 */
static void own(struct pub_ve *p, bool running)
{
	char key[CLUSTER_KEY_MAX];
	struct etcd_kv kv;
	int err;

	cluster_ve_key(key, sizeof(key), "owner", p->id);
	if (!running) {
		if (p->owner_lease &&
		    !etcd_txn(&a.c.etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_VALUE,
							      .value = a.c.node }, 1,
			      &(struct etcd_op){ .del = true, .key = key }, 1))
			p->owner_lease = 0;
		return;
	}
	if (p->owner_lease == a.lease)
		return;
	err = etcd_txn(&a.c.etcd, &(struct etcd_cmp){ .key = key, .target = ETCD_CREATE }, 1,
		       &(struct etcd_op){ .key = key, .value = a.c.node, .lease = a.lease }, 1);
	if (err == -ECANCELED && !etcd_get(&a.c.etcd, key, &kv)) {
		if (!strcmp(kv.value, a.c.node))
			err = etcd_txn(&a.c.etcd, &(struct etcd_cmp){ .key = key,
								      .target = ETCD_MOD,
								      .rev = kv.mod_rev }, 1,
				       &(struct etcd_op){ .key = key, .value = a.c.node,
							  .lease = a.lease }, 1);
		else
			vectl_err("VE %u runs here, but the cluster says node %s owns it", p->id,
				  kv.value);
		etcd_kv_free(&kv);
	}
	if (!err)
		p->owner_lease = a.lease;
}

static void publish_ve(uint32_t id, void *data)
{
	struct cluster_ve v = { .id = id }, cur;
	struct pub_ve *p = find(id);
	struct ve_info info;
	struct vectx x;
	const char *s;
	char *json;
	bool running;
	int err;

	(void)data;
	if (!p)
		return;
	p->seen = true;
	if (vectx_open(&x, "agent", id, false))
		return;
	running = !veapi_get(a.nl, id, &info) && info.state != VE_STATE_STOPPED;
	snprintf(v.node, sizeof(v.node), "%s", a.c.node);
	snprintf(v.state, sizeof(v.state), "%s", running ? "running" : "stopped");
	s = vectx_get(&x, "IP_ADDRESS");
	snprintf(v.ip, sizeof(v.ip), "%s", s ? s : "");
	s = vectx_get(&x, "HOSTNAME");
	snprintf(v.hostname, sizeof(v.hostname), "%s", s ? s : "");
	vectx_close(&x);

	own(p, running);
	json = cluster_ve_format(&v);
	if (!json || (p->json && !strcmp(p->json, json))) {
		free(json);
		return;
	}
	err = cluster_ve_get(&a.c, id, &cur);
	if (err == -ENOENT) {
		/* Made here while the control center was away. */
		err = cluster_ve_register(&a.c, id, &cur);
		if (!err)
			err = cluster_ve_get(&a.c, id, &cur);
	}
	if (!err && strcmp(cur.node, a.c.node)) {
		vectl_err("VE %u is here, but the cluster gives its ID to node %s", id, cur.node);
		err = -EEXIST;
	}
	if (!err) {
		v.mod_rev = cur.mod_rev;
		err = cluster_ve_update(&a.c, &v);
	}
	if (!err) {
		free(p->json);
		p->json = json;
	} else {
		free(json);
	}
}

static void forget(void)
{
	if (a.lease && etcd_revoke(&a.c.etcd, a.lease))
		vectl_err("cannot give the cluster lease back: %s", a.c.etcd.err);
	for (int i = 0; i < a.n_ves; i++)
		free(a.ves[i].json);
	memset(&a, 0, sizeof(a));
}

void agent_round(struct ve_nl *nl)
{
	time_t now = time(NULL);
	char why[512];
	int err, left;

	if (!cluster_configured()) {
		/* Left the cluster: nothing of this node stays there. */
		if (a.on)
			forget();
		return;
	}
	if (!a.on) {
		if (cluster_open(&a.c, why, sizeof(why))) {
			vectl_err("%s", why);
			return;
		}
		a.on = true;
		a.nl = nl;
		a.ttl = cluster_ttl(&a.c);
	}
	if (!a.lease) {
		err = etcd_grant(&a.c.etcd, a.ttl, &a.lease);
		if (err) {
			note_down("cannot get a lease from the control center");
			return;
		}
		a.renewed = now;
		a.published = 0;
	} else if (now - a.renewed >= a.ttl / 3 || a.down) {
		err = etcd_keepalive(&a.c.etcd, a.lease, &left);
		if (err) {
			note_down("cannot renew the lease");
			return;
		}
		if (!left) {
			vectl_err("the cluster lease expired: this node was offline; taking a new one");
			a.lease = 0;
			for (int i = 0; i < a.n_ves; i++)
				a.ves[i].owner_lease = 0;
			return;
		}
		a.renewed = now;
	}
	if (a.down)
		vectl_err("the control center answers again");
	a.down = false;

	for (int i = 0; i < a.n_ves; i++)
		a.ves[i].seen = false;
	vectx_each_conf(publish_ve, NULL);
	for (int i = 0; i < a.n_ves; i++) {
		/* Destroyed (vectl destroy dropped its record) or gone: forget it. */
		if (!a.ves[i].seen) {
			free(a.ves[i].json);
			a.ves[i--] = a.ves[--a.n_ves];
		}
	}
	if (now - a.published >= a.ttl / 3 && !publish_node())
		a.published = now;
}

void agent_stop(void)
{
	bool owns = false;

	if (!a.on)
		return;
	for (int i = 0; i < a.n_ves; i++)
		owns |= a.ves[i].owner_lease != 0;
	/*
	 * Running VEs stay owned until the lease runs out: only then may
	 * another node take them. Without any, the node goes offline now.
	 */
	if (owns)
		a.lease = 0;
	forget();
}
