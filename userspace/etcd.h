/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of etcd's v3 API through its JSON gateway: plain HTTP/1.1
 * POSTs of JSON bodies, keys and values base64 in the wire format and
 * plain strings here. Why not libcurl: Documentation/cluster.md.
 */
#ifndef VECTL_ETCD_H
#define VECTL_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETCD_ENDPOINTS_MAX	5
#define ETCD_HOST_MAX		256

struct etcd_endpoint {
	char host[ETCD_HOST_MAX];
	char port[8];
};

struct etcd {
	struct etcd_endpoint ep[ETCD_ENDPOINTS_MAX];
	int n_ep;
	int cur;		/* the endpoint that answered last */
	int timeout_ms;		/* per request */
	int64_t revision;	/* the store's revision in the last answer */
	char err[320];		/* what went wrong, for a message */
	char local[64];		/* our address on the way to the endpoint */
	bool failed;		/* a request found no endpoint that answered */
	/* Called before each request (NULL: none); nonzero skips it (-ETIME). */
	int (*before)(struct etcd *e);
};

struct etcd_kv {
	char *key;
	char *value;
	int64_t create_rev, mod_rev, version, lease;
};

/*
 * @urls: "http://HOST:PORT" (HOST a name, an IPv4 address or [IPv6]),
 * several separated by commas. 0 or -EINVAL (e->err says why).
 */
int etcd_init(struct etcd *e, const char *urls);

int etcd_grant(struct etcd *e, int ttl, int64_t *lease);
/* Renew @lease: *@ttl its seconds left, 0 when the lease is gone. */
int etcd_keepalive(struct etcd *e, int64_t lease, int *ttl);
int etcd_revoke(struct etcd *e, int64_t lease);

/* @lease 0: none. */
int etcd_put(struct etcd *e, const char *key, const char *value, int64_t lease);
/* -ENOENT when there is no @key. */
int etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv);
/* Every key beginning with @prefix, sorted by key; *@kvs freed by etcd_kvs_free. */
int etcd_list(struct etcd *e, const char *prefix, struct etcd_kv **kvs, int *n);
int etcd_delete(struct etcd *e, const char *key);

/*
 * A transaction: if every compare holds, its ops; else nothing. A compare
 * is on @key's create revision, mod revision or version, or its value.
 */
enum etcd_target { ETCD_CREATE, ETCD_MOD, ETCD_VERSION, ETCD_VALUE };
enum etcd_result { ETCD_EQUAL, ETCD_GREATER, ETCD_LESS, ETCD_NOT_EQUAL };

struct etcd_cmp {
	const char *key;
	enum etcd_target target;
	enum etcd_result result;
	int64_t rev;		/* CREATE, MOD, VERSION */
	const char *value;	/* VALUE */
};

struct etcd_op {
	bool del;		/* delete @key, else put @value under @lease */
	const char *key;
	const char *value;
	int64_t lease;
};

/* 0 when the compares held and the ops were done, -ECANCELED when not. */
int etcd_txn(struct etcd *e, const struct etcd_cmp *cmp, int n_cmp, const struct etcd_op *ops,
	     int n_ops);

/*
 * A watch: the changes to every key under a prefix, from a revision on,
 * streamed on a connection of its own. Poll @fd for input, then take
 * what came with etcd_watch_read().
 */
struct etcd_watch {
	int fd;			/* -1: not open */
	int64_t next_rev;	/* the first revision it has not reported */
	char *in;		/* read and not yet taken apart */
	size_t in_len, in_cap;
	char *msg;		/* the stream's JSON lines, the last one not whole */
	size_t msg_len, msg_cap;
	bool body;		/* past the answer's HTTP head */
};

#define ETCD_WATCH_INIT { .fd = -1 }

/* Called for each event: @key put (a value) or deleted. */
typedef void (*etcd_event_fn)(const char *key, bool deleted, void *data);

/* Watch @prefix from revision @from (0: from now on); an open @w is closed first. */
int etcd_watch_open(struct etcd *e, struct etcd_watch *w, const char *prefix, int64_t from);
/*
 * Read what the watch has sent, @fn called for each event: the number of
 * events, 0 when none came whole yet; -EPIPE when the stream ended,
 * -ESTALE when etcd cancelled it (its revisions were compacted), -EPROTO.
 * On an error the watch is closed: open it again from w->next_rev (on
 * -ESTALE, read everything again first).
 */
int etcd_watch_read(struct etcd *e, struct etcd_watch *w, etcd_event_fn fn, void *data);
void etcd_watch_close(struct etcd_watch *w);

void etcd_kv_free(struct etcd_kv *kv);
void etcd_kvs_free(struct etcd_kv *kvs, int n);

/* Base64 (RFC 4648, padded): the wire format of keys and values. */
char *base64_encode(const void *data, size_t len);
/* NUL-terminated; NULL when @s is not base64. */
char *base64_decode(const char *s, size_t *len);

#endif
