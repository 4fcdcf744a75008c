// SPDX-License-Identifier: GPL-2.0
/*
 * etcd's v3 API through its JSON gateway (etcd.h). One connection per
 * request ("Connection: close"): requests are rare (a node's agent sends
 * one every few seconds), and a request never waits behind another's
 * stream. Answers come whole (Content-Length) or chunked (the streaming
 * calls, lease keepalive among them); int64 fields are JSON strings.
 * A watch keeps a connection of its own, read as its events come: one
 * JSON object a line, in HTTP chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "etcd.h"

#define ETCD_TIMEOUT_MS		3000
#define ETCD_ANSWER_MAX		(64 << 20)

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned int v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
				 (i + 2 < len ? p[i + 2] : 0);

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), k = 0;
	unsigned int v = 0;
	int bits = 0;
	char *out;

	if (n % 4)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *c = s[i] ? strchr(b64, s[i]) : NULL;

		if (s[i] == '=') {
			/* Padding only at the end, at most two. */
			if (i < n - 2 || (i == n - 2 && s[n - 1] != '='))
				goto bad;
			break;
		}
		if (!c)
			goto bad;
		v = v << 6 | (unsigned int)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)(v >> bits & 0xff);
		}
	}
	out[k] = '\0';
	if (len)
		*len = k;
	return out;
bad:
	free(out);
	return NULL;
}

int etcd_init(struct etcd *e, const char *urls)
{
	const char *p = urls;

	memset(e, 0, sizeof(*e));
	e->timeout_ms = ETCD_TIMEOUT_MS;
	while (*p) {
		struct etcd_endpoint *ep = &e->ep[e->n_ep];
		const char *end = strchr(p, ','), *host, *colon;
		size_t l = end ? (size_t)(end - p) : strlen(p), hl;

		if (e->n_ep == ETCD_ENDPOINTS_MAX)
			goto bad;
		if (l < 8 || strncmp(p, "http://", 7))
			goto bad;
		host = p + 7;
		l -= 7;
		if (l && host[l - 1] == '/')
			l--;
		if (*host == '[') {
			colon = memchr(host, ']', l);
			if (!colon || colon + 1 >= host + l || colon[1] != ':')
				goto bad;
			hl = colon - host - 1;
			host++;
			colon++;
		} else {
			colon = memchr(host, ':', l);
			if (!colon)
				goto bad;
			hl = colon - host;
		}
		l -= colon + 1 - (p + 7);
		if (!hl || hl >= sizeof(ep->host) || !l || l >= sizeof(ep->port) ||
		    strspn(colon + 1, "0123456789") < l)
			goto bad;
		memcpy(ep->host, host, hl);
		memcpy(ep->port, colon + 1, l);
		e->n_ep++;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			goto bad;	/* a trailing comma */
	}
	if (e->n_ep)
		return 0;
bad:
	snprintf(e->err, sizeof(e->err),
		 "'%s' is not a list of etcd endpoints (http://HOST:PORT[,http://HOST:PORT]...)", urls);
	return -EINVAL;
}

static int connect_to(struct etcd *e, const struct etcd_endpoint *ep)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	struct timeval tv = { e->timeout_ms / 1000, e->timeout_ms % 1000 * 1000 };
	int fd = -1, err;

	err = getaddrinfo(ep->host, ep->port, &hints, &ai);
	if (err) {
		snprintf(e->err, sizeof(e->err), "etcd at %s:%s: %s", ep->host, ep->port,
			 gai_strerror(err));
		return -EHOSTUNREACH;
	}
	err = -ECONNREFUSED;
	for (a = ai; a; a = a->ai_next) {
		struct pollfd p;
		socklen_t l = sizeof(err);

		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
			err = -errno;
		} else {
			p = (struct pollfd){ .fd = fd, .events = POLLOUT };
			if (poll(&p, 1, e->timeout_ms) != 1)
				err = -ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) || err)
				err = -(err ? err : errno);
		}
		if (!err)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		snprintf(e->err, sizeof(e->err), "etcd at %s:%s: %s", ep->host, ep->port,
			 strerror(-err));
		return err;
	}
	fcntl(fd, F_SETFL, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Our own address on the connection: what the other nodes reach us at. */
static void note_local(struct etcd *e, int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &l))
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, e->local,
			  sizeof(e->local));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, e->local,
			  sizeof(e->local));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

/* The whole answer, read until the server closes. */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap), *nb;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap >= ETCD_ANSWER_MAX) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno == EAGAIN ? -ETIMEDOUT : -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Undo chunked transfer coding in place; the body's new length or -EPROTO. */
static ssize_t unchunk(char *body, size_t len)
{
	char *in = body, *out = body, *end = body + len;

	for (;;) {
		char *nl;
		unsigned long size;

		nl = memchr(in, '\n', end - in);
		if (!nl)
			return -EPROTO;
		size = strtoul(in, NULL, 16);
		in = nl + 1;
		if (!size)
			break;
		if (size > (size_t)(end - in))
			return -EPROTO;
		memmove(out, in, size);
		out += size;
		in += size;
		if (in < end && *in == '\r')
			in++;
		if (in < end && *in == '\n')
			in++;
	}
	*out = '\0';
	return out - body;
}

/* An answer: its status, and its body parsed (NULL when it has none). */
static int parse_answer(struct etcd *e, char *buf, size_t len, int *status,
			struct json_object **json)
{
	char *body = strstr(buf, "\r\n\r\n"), *h;
	bool chunked = false;

	if (!body || sscanf(buf, "HTTP/1.%*d %d", status) != 1) {
		snprintf(e->err, sizeof(e->err), "etcd at %s:%s: not an HTTP answer",
			 e->ep[e->cur].host, e->ep[e->cur].port);
		return -EPROTO;
	}
	*body = '\0';
	body += 4;
	for (h = strstr(buf, "\r\n"); h; h = strstr(h + 2, "\r\n"))
		if (!strncasecmp(h + 2, "transfer-encoding:", 18) && strstr(h + 2, "chunked"))
			chunked = true;
	len -= body - buf;
	if (chunked) {
		ssize_t l = unchunk(body, len);

		if (l < 0) {
			snprintf(e->err, sizeof(e->err), "etcd at %s:%s: a broken chunked answer",
				 e->ep[e->cur].host, e->ep[e->cur].port);
			return -EPROTO;
		}
	}
	*json = json_tokener_parse(body);
	return 0;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/*
 * POST @req to @path on the first endpoint that answers, beginning with
 * the one that answered last. The answer's JSON in *@out (the caller puts
 * it), 0, or -errno with e->err set: the transport's error, -ENOENT for
 * etcd's "not found", -EREMOTEIO for its other errors.
 */
static int post(struct etcd *e, const char *path, struct json_object *req, struct json_object **out)
{
	const char *body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	int err = -EHOSTUNREACH;

	if (e->before && e->before(e)) {
		snprintf(e->err, sizeof(e->err), "a request to etcd skipped: no time left for it");
		return -ETIME;
	}

	for (int tries = 0; tries < e->n_ep; tries++) {
		const struct etcd_endpoint *ep = &e->ep[e->cur];
		struct json_object *json = NULL;
		char head[512 + ETCD_HOST_MAX], *answer = NULL;
		size_t alen = 0;
		int fd, status;

		fd = connect_to(e, ep);
		if (fd < 0) {
			err = fd;
			e->cur = (e->cur + 1) % e->n_ep;
			continue;
		}
		note_local(e, fd);
		snprintf(head, sizeof(head),
			 "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 path, ep->host, ep->port, strlen(body));
		err = write_all(fd, head, strlen(head));
		if (!err)
			err = write_all(fd, body, strlen(body));
		if (!err)
			err = read_all(fd, &answer, &alen);
		close(fd);
		if (err) {
			snprintf(e->err, sizeof(e->err), "etcd at %s:%s: %s", ep->host, ep->port,
				 strerror(-err));
			e->cur = (e->cur + 1) % e->n_ep;
			continue;
		}
		err = parse_answer(e, answer, alen, &status, &json);
		free(answer);
		if (err)
			return err;
		if (status != 200 || !json || jget(json, "error")) {
			struct json_object *m = jget(json, "message");

			snprintf(e->err, sizeof(e->err), "etcd at %s:%s: %s", ep->host, ep->port,
				 m ? json_object_get_string(m) : "an answer that is not JSON");
			/* gRPC's NOT_FOUND (a lease, mostly). */
			err = jint(json, "code") == 5 ? -ENOENT : -EREMOTEIO;
			json_object_put(json);
			return err;
		}
		e->revision = jint(jget(json, "header") ? jget(json, "header") :
				   jget(jget(json, "result"), "header"), "revision");
		*out = json;
		return 0;
	}
	e->failed = true;
	return err;
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void add_b64(struct json_object *o, const char *key, const char *v)
{
	char *enc = base64_encode(v, strlen(v));

	add_str(o, key, enc ? enc : "");
	free(enc);
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	char s[24];

	/* As the gateway writes int64: a string. */
	snprintf(s, sizeof(s), "%lld", (long long)v);
	add_str(o, key, s);
}

/* One call: @req (which it puts), its answer in *@out or dropped. */
static int call(struct etcd *e, const char *path, struct json_object *req, struct json_object **out)
{
	struct json_object *ans = NULL;
	int err;

	if (!req)
		return -ENOMEM;
	err = post(e, path, req, &ans);
	json_object_put(req);
	if (out)
		*out = ans;
	else
		json_object_put(ans);
	return err;
}

int etcd_grant(struct etcd *e, int ttl, int64_t *lease)
{
	struct json_object *req = json_object_new_object(), *ans;
	int err;

	add_int(req, "TTL", ttl);
	err = call(e, "/v3/lease/grant", req, &ans);
	if (err)
		return err;
	*lease = jint(ans, "ID");
	json_object_put(ans);
	if (!*lease) {
		snprintf(e->err, sizeof(e->err), "etcd granted no lease");
		return -EREMOTEIO;
	}
	return 0;
}

int etcd_keepalive(struct etcd *e, int64_t lease, int *ttl)
{
	struct json_object *req = json_object_new_object(), *ans;
	int err;

	add_int(req, "ID", lease);
	err = call(e, "/v3/lease/keepalive", req, &ans);
	if (err)
		return err;
	/* A lease that is gone comes back without a TTL. */
	*ttl = (int)jint(jget(ans, "result"), "TTL");
	json_object_put(ans);
	return 0;
}

int etcd_revoke(struct etcd *e, int64_t lease)
{
	struct json_object *req = json_object_new_object();

	add_int(req, "ID", lease);
	return call(e, "/v3/lease/revoke", req, NULL);
}

static struct json_object *put_req(const char *key, const char *value, int64_t lease)
{
	struct json_object *req = json_object_new_object();

	add_b64(req, "key", key);
	add_b64(req, "value", value);
	if (lease)
		add_int(req, "lease", lease);
	return req;
}

int etcd_put(struct etcd *e, const char *key, const char *value, int64_t lease)
{
	return call(e, "/v3/kv/put", put_req(key, value, lease), NULL);
}

static int kv_from_json(struct json_object *j, struct etcd_kv *kv)
{
	struct json_object *k = jget(j, "key"), *v = jget(j, "value");

	memset(kv, 0, sizeof(*kv));
	kv->key = k ? base64_decode(json_object_get_string(k), NULL) : NULL;
	/* An empty value is left out of the answer. */
	kv->value = base64_decode(v ? json_object_get_string(v) : "", NULL);
	kv->create_rev = jint(j, "create_revision");
	kv->mod_rev = jint(j, "mod_revision");
	kv->version = jint(j, "version");
	kv->lease = jint(j, "lease");
	if (!kv->key || !kv->value) {
		etcd_kv_free(kv);
		return -EPROTO;
	}
	return 0;
}

/* @key's end of range for "every key with this prefix": the last byte + 1. */
static char *prefix_end(const char *prefix)
{
	char *end = strdup(prefix);
	size_t l = strlen(prefix);

	if (end && l)
		end[l - 1]++;
	return end;
}

static int range(struct etcd *e, const char *key, bool prefix, struct etcd_kv **kvs, int *n)
{
	struct json_object *req = json_object_new_object(), *ans, *arr;
	int err, count;

	*kvs = NULL;
	*n = 0;
	add_b64(req, "key", key);
	if (prefix) {
		char *end = prefix_end(key);

		if (!end) {
			json_object_put(req);
			return -ENOMEM;
		}
		add_b64(req, "range_end", end);
		free(end);
	}
	err = call(e, "/v3/kv/range", req, &ans);
	if (err)
		return err;
	arr = jget(ans, "kvs");
	count = arr ? (int)json_object_array_length(arr) : 0;
	if (count) {
		*kvs = calloc(count, sizeof(**kvs));
		if (!*kvs)
			err = -ENOMEM;
	}
	for (int i = 0; !err && i < count; i++) {
		err = kv_from_json(json_object_array_get_idx(arr, i), &(*kvs)[i]);
		if (!err)
			(*n)++;
	}
	json_object_put(ans);
	if (err) {
		snprintf(e->err, sizeof(e->err), "etcd's answer to a range has a broken key or value");
		etcd_kvs_free(*kvs, *n);
		*kvs = NULL;
		*n = 0;
	}
	return err;
}

int etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv)
{
	struct etcd_kv *kvs;
	int n, err;

	err = range(e, key, false, &kvs, &n);
	if (err)
		return err;
	if (!n)
		return -ENOENT;
	*kv = kvs[0];
	free(kvs);
	return 0;
}

int etcd_list(struct etcd *e, const char *prefix, struct etcd_kv **kvs, int *n)
{
	return range(e, prefix, true, kvs, n);
}

int etcd_delete(struct etcd *e, const char *key)
{
	struct json_object *req = json_object_new_object();

	add_b64(req, "key", key);
	return call(e, "/v3/kv/deleterange", req, NULL);
}

int etcd_txn(struct etcd *e, const struct etcd_cmp *cmp, int n_cmp, const struct etcd_op *ops,
	     int n_ops)
{
	static const char *const targets[] = { "CREATE", "MOD", "VERSION", "VALUE" };
	static const char *const results[] = { "EQUAL", "GREATER", "LESS", "NOT_EQUAL" };
	static const char *const fields[] = { "create_revision", "mod_revision", "version" };
	struct json_object *req = json_object_new_object(), *ans;
	struct json_object *c = json_object_new_array(), *s = json_object_new_array();
	bool ok;
	int err;

	for (int i = 0; i < n_cmp; i++) {
		struct json_object *o = json_object_new_object();

		add_b64(o, "key", cmp[i].key);
		add_str(o, "target", targets[cmp[i].target]);
		add_str(o, "result", results[cmp[i].result]);
		if (cmp[i].target == ETCD_VALUE)
			add_b64(o, "value", cmp[i].value);
		else
			add_int(o, fields[cmp[i].target], cmp[i].rev);
		json_object_array_add(c, o);
	}
	for (int i = 0; i < n_ops; i++) {
		struct json_object *o = json_object_new_object(), *r;

		if (ops[i].del) {
			r = json_object_new_object();
			add_b64(r, "key", ops[i].key);
			json_object_object_add(o, "request_delete_range", r);
		} else {
			json_object_object_add(o, "request_put",
					       put_req(ops[i].key, ops[i].value, ops[i].lease));
		}
		json_object_array_add(s, o);
	}
	json_object_object_add(req, "compare", c);
	json_object_object_add(req, "success", s);
	err = call(e, "/v3/kv/txn", req, &ans);
	if (err)
		return err;
	/* "succeeded" is left out when false. */
	ok = jget(ans, "succeeded") && json_object_get_boolean(jget(ans, "succeeded"));
	json_object_put(ans);
	return ok ? 0 : -ECANCELED;
}

void etcd_watch_close(struct etcd_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->in);
	free(w->msg);
	w->fd = -1;
	w->in = w->msg = NULL;
	w->in_len = w->in_cap = w->msg_len = w->msg_cap = 0;
	w->body = false;
}

int etcd_watch_open(struct etcd *e, struct etcd_watch *w, const char *prefix, int64_t from)
{
	struct json_object *req = json_object_new_object(), *create = json_object_new_object();
	/* A peer gone without a word (a partition) ends the stream in ~5 s. */
	int idle = 2, intvl = 1, cnt = 3, on = 1, err = -EHOSTUNREACH;
	char head[512 + ETCD_HOST_MAX], *end = prefix_end(prefix);
	const char *body;

	etcd_watch_close(w);
	w->next_rev = from;
	if (!req || !create || !end) {
		json_object_put(req);
		json_object_put(create);
		free(end);
		return -ENOMEM;
	}
	add_b64(create, "key", prefix);
	add_b64(create, "range_end", end);
	free(end);
	if (from)
		add_int(create, "start_revision", from);
	json_object_object_add(req, "create_request", create);
	body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	for (int tries = 0; tries < e->n_ep; tries++) {
		const struct etcd_endpoint *ep = &e->ep[e->cur];

		w->fd = connect_to(e, ep);
		if (w->fd >= 0) {
			snprintf(head, sizeof(head),
				 "POST /v3/watch HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\n\r\n", ep->host, ep->port, strlen(body));
			err = write_all(w->fd, head, strlen(head));
			if (!err)
				err = write_all(w->fd, body, strlen(body));
			if (!err)
				break;
			snprintf(e->err, sizeof(e->err), "etcd at %s:%s: %s", ep->host, ep->port,
				 strerror(-err));
			close(w->fd);
			w->fd = -1;
		} else {
			err = w->fd;
		}
		e->cur = (e->cur + 1) % e->n_ep;
	}
	json_object_put(req);
	if (w->fd < 0)
		return err;
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
	setsockopt(w->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(w->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(w->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(w->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	return 0;
}

/* Append @n bytes to a growing buffer. */
static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 4096;
		char *nb;

		while (c < *len + n + 1)
			c *= 2;
		if (c > ETCD_ANSWER_MAX)
			return -EFBIG;
		nb = realloc(*buf, c);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* One line of the stream: a watch response, or an error. */
static int watch_message(struct etcd_watch *w, const char *line, etcd_event_fn fn, void *data)
{
	struct json_object *j = json_tokener_parse(line), *res = jget(j, "result"), *evs;
	int n = 0, err = 0;
	int64_t rev;

	if (!res) {
		err = -EPROTO;
		goto out;
	}
	/* Cancelled: the revision it began at was compacted away. */
	if (jget(res, "canceled") || jint(res, "compact_revision")) {
		err = -ESTALE;
		goto out;
	}
	evs = jget(res, "events");
	for (int i = 0; evs && i < (int)json_object_array_length(evs); i++) {
		struct json_object *ev = json_object_array_get_idx(evs, i), *kv = jget(ev, "kv");
		struct json_object *t = jget(ev, "type"), *k = jget(kv, "key");
		char *key = k ? base64_decode(json_object_get_string(k), NULL) : NULL;

		if (key)
			fn(key, t && !strcmp(json_object_get_string(t), "DELETE"), data), n++;
		free(key);
		if (jint(kv, "mod_revision") >= w->next_rev)
			w->next_rev = jint(kv, "mod_revision") + 1;
	}
	/* Nothing under the prefix changed up to the header's revision. */
	rev = jint(jget(res, "header"), "revision");
	if (rev >= w->next_rev && !jget(res, "created"))
		w->next_rev = rev + 1;
out:
	json_object_put(j);
	return err ? err : n;
}

/* Take the whole chunks out of w->in, the whole lines of them to @fn. */
static int watch_parse(struct etcd_watch *w, etcd_event_fn fn, void *data)
{
	size_t used = 0;
	int events = 0, err = 0;

	if (!w->body) {
		char *end = strstr(w->in, "\r\n\r\n");
		int status;

		if (!end)
			return 0;
		if (sscanf(w->in, "HTTP/1.%*d %d", &status) != 1 || status != 200 ||
		    !strcasestr(w->in, "transfer-encoding: chunked"))
			return -EPROTO;
		w->body = true;
		used = end + 4 - w->in;
	}
	while (!err) {
		char *p = w->in + used, *nl = memchr(p, '\n', w->in_len - used), *eol;
		unsigned long size;

		if (!nl)
			break;
		if (nl == p || (nl == p + 1 && *p == '\r')) {
			used = nl + 1 - w->in;	/* the CRLF after a chunk */
			continue;
		}
		size = strtoul(p, &eol, 16);
		if (eol == p)
			return -EPROTO;
		if (!size)
			return -EPIPE;		/* the last chunk: the stream ended */
		if (size > w->in_len - (nl + 1 - w->in))
			break;			/* not all here yet */
		err = append(&w->msg, &w->msg_len, &w->msg_cap, nl + 1, size);
		used = nl + 1 + size - w->in;
	}
	memmove(w->in, w->in + used, w->in_len - used + 1);
	w->in_len -= used;
	while (!err) {
		char *nl = w->msg ? memchr(w->msg, '\n', w->msg_len) : NULL;
		int n;

		if (!nl)
			break;
		*nl = '\0';
		n = watch_message(w, w->msg, fn, data);
		memmove(w->msg, nl + 1, w->msg_len - (nl + 1 - w->msg) + 1);
		w->msg_len -= nl + 1 - w->msg;
		if (n < 0)
			err = n;
		else
			events += n;
	}
	return err ? err : events;
}

int etcd_watch_read(struct etcd *e, struct etcd_watch *w, etcd_event_fn fn, void *data)
{
	char buf[8192];
	int err = 0;

	if (w->fd < 0)
		return -EPIPE;
	for (;;) {
		ssize_t r = read(w->fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			err = r ? -errno : -EPIPE;
			break;
		}
		err = append(&w->in, &w->in_len, &w->in_cap, buf, r);
		if (err)
			break;
	}
	if (w->in_len && (!err || err == -EPIPE)) {
		int n = watch_parse(w, fn, data);

		if (n)
			err = n < 0 ? n : (err ? err : n);
	}
	if (err < 0) {
		snprintf(e->err, sizeof(e->err), "the watch on etcd at %s:%s ended: %s",
			 e->ep[e->cur].host, e->ep[e->cur].port, strerror(-err));
		etcd_watch_close(w);
	}
	return err;
}

void etcd_kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	kv->key = kv->value = NULL;
}

void etcd_kvs_free(struct etcd_kv *kvs, int n)
{
	for (int i = 0; i < n; i++)
		etcd_kv_free(&kvs[i]);
	free(kvs);
}
