/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This node's membership of a cluster: its config (/etc/ve/cluster.conf),
 * the layout of the cluster's keys in etcd, and the cluster-wide record
 * of each VE. Documentation/cluster.md has the design.
 *
 * Keys, under "/ve/":
 *   cluster          {"id": ..., "ttl": N}           made by "cluster init"
 *   tokens/TOKEN     ""                              a join token, single use, leased (1 h)
 *   members/NODE     {"addr": ..., "state": ...}     the nodes that joined
 *   nodes/NODE       {"addr", "cpus", "mem_kb", ...} under NODE's lease: it is online
 *   ves/ID           {"node", "state", "ip", "hostname"}  every VE of the cluster
 *   owner/ID         NODE                            under NODE's lease: it runs ID
 *   conf/ID          the VE's config, as its node last published it
 */
#ifndef VECTL_CLUSTER_H
#define VECTL_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "etcd.h"

#define CLUSTER_CONF		"/etc/ve/cluster.conf"
#define CLUSTER_PREFIX		"/ve/"
#define CLUSTER_NAME_MAX	64
#define CLUSTER_TTL_DEFAULT	15
#define CLUSTER_TTL_MIN		3
#define CLUSTER_TTL_MAX		300
#define CLUSTER_TOKEN_TTL	3600
#define CLUSTER_KEY_MAX		(sizeof(CLUSTER_PREFIX) + 16 + CLUSTER_NAME_MAX)

struct cluster {
	char node[CLUSTER_NAME_MAX];
	char addr[64];
	char urls[1024];	/* ETCD */
	bool watchdog;		/* WATCHDOG="yes": the agent feeds softdog */
	struct etcd etcd;
};

/*
 * Read this node's cluster config: 0, -ENOENT when the node is in no
 * cluster, -EINVAL for a broken config (@why says what is wrong).
 */
int cluster_open(struct cluster *c, char *why, size_t len);
/* Write this node's cluster config. 0 or -errno. */
int cluster_save(const struct cluster *c);
/* Whether this node is in a cluster (has a config). */
bool cluster_configured(void);

/* A node's name: letters, digits, '-', '.' and '_', 1 to 63 of them. */
bool cluster_name_ok(const char *name);

/* "/ve/KIND/NAME" (NAME NULL: "/ve/KIND/"). */
void cluster_key(char *buf, size_t len, const char *kind, const char *name);
void cluster_ve_key(char *buf, size_t len, const char *kind, uint32_t id);

/* The cluster's lease TTL ("ttl" of /ve/cluster), in seconds. */
int cluster_ttl(struct cluster *c);

struct json_object;
/* Field @key of record @j (NULL: none): a string into @out, untouched if absent. */
void cluster_json_str(struct json_object *j, const char *key, char *out, size_t len);
/* An integer field, 0 if absent. */
long long cluster_json_int(struct json_object *j, const char *key);

/* A VE's cluster-wide record (ves/ID). */
struct cluster_ve {
	uint32_t id;
	char node[CLUSTER_NAME_MAX];
	char state[16];
	char ip[256];
	char hostname[256];
	/* Handed to @node by this node (cluster evacuate), not started there yet. */
	char from[CLUSTER_NAME_MAX];
	int64_t mod_rev;
};

/* -ENOENT when the cluster has no VE @id. */
int cluster_ve_get(struct cluster *c, uint32_t id, struct cluster_ve *v);
/* Parse the record @json of VE @id. 0 or -EINVAL. */
int cluster_ve_parse(const char *json, uint32_t id, struct cluster_ve *v);
/* The record as JSON (malloc'd), NULL without memory. */
char *cluster_ve_format(const struct cluster_ve *v);
/*
 * Claim ID @id for a VE of this node: -EEXIST when the cluster has it
 * already (@v then says where), else 0 or an etcd error.
 */
int cluster_ve_register(struct cluster *c, uint32_t id, struct cluster_ve *v);
/*
 * Write @v, this node's VE, over the record last read (v->mod_rev):
 * -ECANCELED when it changed meanwhile.
 */
int cluster_ve_update(struct cluster *c, const struct cluster_ve *v);
/* Drop VE @id's record and ownership if this node has them. */
int cluster_ve_unregister(struct cluster *c, uint32_t id);

/*
 * Where VE @id lives when it is not on this node: 1 with its node in
 * @node, 0 when this node is in no cluster or the cluster has no such
 * VE, or it is this node's. For the message of a verb that found no
 * config: errors of the cluster count as 0.
 */
int cluster_elsewhere(uint32_t id, char *node, size_t len);

/*
 * For a verb that makes VE @id here: claim the ID in the cluster, if this
 * node is in one (*@claimed then true). 0, or the exit code after saying
 * why not (another node has it, or the control center does not answer).
 */
int cluster_claim_id(const char *verb, uint32_t id, bool *claimed);
/* Give VE @id's record up (destroyed here, or made here and failed). */
void cluster_release_id(const char *verb, uint32_t id);
/*
 * For a verb that found no config of VE @id: say so, or which node of
 * the cluster has it. The exit code.
 */
int cluster_no_ve(const char *verb, uint32_t id);
/* The same when another node has it; 0 (nothing said) when none does. */
int cluster_elsewhere_error(const char *verb, uint32_t id);

/*
 * VE @id arrived here (a migration), @running or not: the cluster's
 * record names this node from now on. 0, or -errno after a warning; 0
 * outside a cluster.
 */
int cluster_adopt_id(const char *verb, uint32_t id, bool running);

struct vectx;
/*
 * The fencing epoch of VE @x: recorded beside its private area
 * (PRIVATE.epoch) and as this node's claim (VE_CONF_DIR/ID.epoch) when a
 * node takes it. -ESTALE when the one recorded there is newer than
 * @epoch: another node took it since.
 */
int cluster_epoch_record(const struct vectx *x, long long epoch);
/*
 * For a stopped VE on shared storage: the epoch beside its private area
 * newer than this node's claim means another node took it over since,
 * whatever etcd says (or cannot say: this node may be cut off from it).
 * Says so and returns an exit code; 0 when this node may start it.
 */
int cluster_epoch_error(const char *verb, const struct vectx *x);
/* Destroyed: both records go. */
void cluster_epoch_remove(const struct vectx *x);

struct ve_nl;
/*
 * VE @id, stopped, went to another node: the module here forgets it too.
 * A failure is only a warning (the VE is not this node's any more).
 */
void cluster_forget_here(struct ve_nl *nl, const char *who, uint32_t id);

/*
 * vectl create --node @node (a member's name, or "auto": the online, active
 * member with the fewest VEs): *@here true when that is this node, else
 * the create (@argc/@argv, without --node) is run there over ssh. The
 * exit code.
 */
int cluster_create_on(const char *node, int argc, char **argv, bool *here);

/* Whether @path is on a file system other nodes may mount too (NFS, 9p, ...). */
bool cluster_shared_path(const char *path);

/*
 * vectl list --cluster: every VE of the cluster with its node; @which an
 * enum list_which. The exit code.
 */
int cluster_list_ves(bool header, bool json, int which);

#endif
