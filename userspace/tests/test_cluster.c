// SPDX-License-Identifier: GPL-2.0
/* The etcd client's wire pieces and the cluster's records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster.h"
#include "etcd.h"
#include "unit.h"

START_TEST(base64_round_trip)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar",
					     "/ve/owner/372" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy", "L3ZlL293bmVyLzM3Mg==" };

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *e = base64_encode(plain[i], strlen(plain[i])), *d;
		size_t len;

		ck_assert_str_eq(e, coded[i]);
		d = base64_decode(e, &len);
		ck_assert_ptr_nonnull(d);
		ck_assert_uint_eq(len, strlen(plain[i]));
		ck_assert_str_eq(d, plain[i]);
		free(e);
		free(d);
	}
}
END_TEST

START_TEST(base64_bad)
{
	static const char *const bad[] = { "Z", "Zm9", "Zm9v!", "Z===", "Zg=a", "=Zg=", "Zm9v\n" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!base64_decode(bad[i], NULL), "'%s' decoded", bad[i]);
}
END_TEST

START_TEST(endpoints)
{
	struct etcd e;

	ck_assert_int_eq(0, etcd_init(&e, "http://10.97.0.1:2379"));
	ck_assert_int_eq(1, e.n_ep);
	ck_assert_str_eq(e.ep[0].host, "10.97.0.1");
	ck_assert_str_eq(e.ep[0].port, "2379");
	ck_assert_int_eq(0, etcd_init(&e, "http://a:1/,http://[fd00::1]:2379,http://etcd.example:80"));
	ck_assert_int_eq(3, e.n_ep);
	ck_assert_str_eq(e.ep[0].host, "a");
	ck_assert_str_eq(e.ep[1].host, "fd00::1");
	ck_assert_str_eq(e.ep[1].port, "2379");
	ck_assert_str_eq(e.ep[2].host, "etcd.example");
	for (const char *const *b = (const char *const[]){ "", "10.0.0.1:2379", "https://a:1",
		     "http://a", "http://:1", "http://a:", "http://a:1x", "http://[fd00::1]",
		     "http://a:1,", "http://a:1,,http://b:2", "http://[fd00::1:2379",
		     "http://a:1,http://a:1,http://a:1,http://a:1,http://a:1,http://a:1", NULL };
	     *b; b++) {
		ck_assert_msg(etcd_init(&e, *b) == -EINVAL, "'%s' taken", *b);
		ck_assert_ptr_nonnull(strstr(e.err, "etcd endpoints"));
	}
}
END_TEST

START_TEST(node_names)
{
	ck_assert(cluster_name_ok("node1"));
	ck_assert(cluster_name_ok("rack-2.node_3"));
	ck_assert(!cluster_name_ok(""));
	ck_assert(!cluster_name_ok("a b"));
	ck_assert(!cluster_name_ok("a/b"));
	ck_assert(!cluster_name_ok("-x"));
	ck_assert(!cluster_name_ok(".."));
	ck_assert(!cluster_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

START_TEST(ve_record)
{
	struct cluster_ve v = { .id = 372 }, w;
	char *json;

	strcpy(v.node, "node2");
	strcpy(v.state, "running");
	strcpy(v.ip, "10.98.0.72 fd98::72");
	strcpy(v.hostname, "a \"quoted\" name");
	json = cluster_ve_format(&v);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(0, cluster_ve_parse(json, 372, &w));
	ck_assert_uint_eq(w.id, 372);
	ck_assert_str_eq(w.node, "node2");
	ck_assert_str_eq(w.state, "running");
	ck_assert_str_eq(w.ip, v.ip);
	ck_assert_str_eq(w.hostname, v.hostname);
	ck_assert_str_eq(w.from, "");
	/* No "from" but while handed over: a record without it reads as none. */
	ck_assert_ptr_null(strstr(json, "from"));
	free(json);
	strcpy(v.from, "node1");
	json = cluster_ve_format(&v);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(0, cluster_ve_parse(json, 372, &w));
	ck_assert_str_eq(w.from, "node1");
	free(json);
	ck_assert_int_eq(-EINVAL, cluster_ve_parse("{\"state\":\"running\"}", 1, &w));
	ck_assert_int_eq(-EINVAL, cluster_ve_parse("not json", 1, &w));
	ck_assert_int_eq(-EINVAL, cluster_ve_parse("[1]", 1, &w));
}
END_TEST

/* A watch's events as etcd_watch_read() reported them. */
struct seen {
	char keys[8][32];
	bool deleted[8];
	int n;
};

static void note_event(const char *key, bool deleted, void *data)
{
	struct seen *s = data;

	if (s->n < 8) {
		snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", key);
		s->deleted[s->n++] = deleted;
	}
}

/* etcd's gateway streaming to the watch: what @sv[1] gets, @text sent to it. */
static void feed(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* A put of /ve/nodes/n1 (base64 L3ZlL25vZGVzL24x) at revision 7. */
#define PUT_MSG "{\"result\":{\"header\":{\"revision\":\"7\"},\"events\":[{\"kv\":" \
	"{\"key\":\"L3ZlL25vZGVzL24x\",\"mod_revision\":\"7\",\"value\":\"eA==\"}}]}}\n"
#define DEL_MSG "{\"result\":{\"header\":{\"revision\":\"9\"},\"events\":[{\"type\":" \
	"\"DELETE\",\"kv\":{\"key\":\"L3ZlL25vZGVzL24x\",\"mod_revision\":\"9\"}}]}}\n"

START_TEST(watch_stream)
{
	struct etcd e = { .n_ep = 1 };
	struct etcd_watch w = ETCD_WATCH_INIT;
	struct seen seen = { 0 };
	char chunk[512];
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	w.fd = sv[0];
	w.next_rev = 5;
	/* The head, and the first answer split across reads: nothing yet. */
	feed(sv[1], "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n");
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), 0);
	snprintf(chunk, sizeof(chunk), "%zx\r\n%s\r\n", strlen(PUT_MSG), PUT_MSG);
	feed(sv[1], "36\r\n{\"result\":{\"header\":{\"revision\":\"6\"},\"created\":true}}\n\r\n");
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), 0);
	ck_assert_int_eq(w.next_rev, 5);	/* "created" says nothing of what came before */
	ck_assert_int_eq(write(sv[1], chunk, 20), 20);
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), 0);
	feed(sv[1], chunk + 20);
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), 1);
	ck_assert_str_eq(seen.keys[0], "/ve/nodes/n1");
	ck_assert(!seen.deleted[0]);
	ck_assert_int_eq(w.next_rev, 8);
	/* One message in two chunks, then a delete. */
	snprintf(chunk, sizeof(chunk), "10\r\n%.16s\r\n%zx\r\n%s\r\n", DEL_MSG,
		 strlen(DEL_MSG) - 16, DEL_MSG + 16);
	feed(sv[1], chunk);
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), 1);
	ck_assert(seen.deleted[1]);
	ck_assert_int_eq(w.next_rev, 10);
	/* The last chunk: the stream ended, the watch is closed. */
	feed(sv[1], "0\r\n\r\n");
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), -EPIPE);
	ck_assert_int_eq(w.fd, -1);
	ck_assert_int_eq(w.next_rev, 10);
	close(sv[1]);
}
END_TEST

START_TEST(watch_refused)
{
	struct etcd e = { .n_ep = 1 };
	struct etcd_watch w = ETCD_WATCH_INIT;
	const char *cancel = "{\"result\":{\"header\":{\"revision\":\"50\"},"
			     "\"canceled\":true,\"compact_revision\":\"40\"}}\n";
	struct seen seen = { 0 };
	char chunk[256];
	int sv[2];

	/* Compacted past where it began: -ESTALE, read everything again. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	w.fd = sv[0];
	snprintf(chunk, sizeof(chunk), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "%zx\r\n%s\r\n", strlen(cancel), cancel);
	feed(sv[1], chunk);
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), -ESTALE);
	ck_assert_int_eq(w.fd, -1);
	close(sv[1]);
	/* Not an HTTP 200: -EPROTO; the server gone: -EPIPE. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	w.fd = sv[0];
	feed(sv[1], "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), -EPROTO);
	close(sv[1]);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	w.fd = sv[0];
	close(sv[1]);
	ck_assert_int_eq(etcd_watch_read(&e, &w, note_event, &seen), -EPIPE);
	ck_assert_int_eq(seen.n, 0);
}
END_TEST


Suite *cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, base64_round_trip);
	tcase_add_test(tc, base64_bad);
	tcase_add_test(tc, endpoints);
	tcase_add_test(tc, node_names);
	tcase_add_test(tc, ve_record);
	tcase_add_test(tc, watch_stream);
	tcase_add_test(tc, watch_refused);
	suite_add_tcase(s, tc);
	return s;
}
