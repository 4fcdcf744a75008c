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
 *
 * Fencing. A renewal sent at time T keeps the lease in etcd until T + TTL
 * at the earliest. When renewals fail until T + 2/3 TTL, the node may be
 * cut off while the others see its lease run out, so it kills the VEs it
 * owns (cgroup.kill, then vectl stop --fast) before anyone can take them:
 * unless most other members answer, on the LAN, that etcd is down for
 * them too (then no one can take anything, and the VEs run on). The
 * probe is one UDP datagram to each member's agent (port 7739) and its
 * answer, "up" or "down". With WATCHDOG="yes" the agent also feeds the
 * kernel's watchdog (softdog) every round, with a timeout of 2/3 TTL: an
 * agent that hangs, and so cannot fence, has its node reset instead.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "agent.h"
#include "cluster.h"
#include "config.h"
#include "err.h"
#include "run.h"
#include "veapi.h"
#include "vectx.h"

#define AGENT_VES_MAX	1024
#define AGENT_PEERS_MAX	64
#define PROBE_PORT	"7739"
#define PROBE_WAIT_MS	1000
/*
 * The lease is renewed every second, not every third of the TTL: a loss
 * of etcd that begins just before a renewal is due is then ridden out
 * for 2/3 TTL less about 2 s, not 1/3 TTL less 1.3 s (2 s of a 10 s
 * lease, which a loaded test bed's network blip once reached).
 */
#define RENEW_EVERY_S	1

struct pub_ve {
	uint32_t id;
	bool seen;
	char *json;		/* the record as last written, NULL: not yet */
	char *conf;		/* the config as last published, NULL: not yet */
	int64_t owner_lease;	/* the lease our owner key is under, 0: none */
};

static struct {
	bool on;
	struct cluster c;
	int ttl;
	int64_t lease;
	time_t renewed, published;
	bool down;		/* the control center did not answer last time */
	int64_t fence_at;	/* monotonic ms: fence when not renewed by then */
	struct pub_ve ves[AGENT_VES_MAX];
	int n_ves;
	struct ve_nl *nl;
	char peers[AGENT_PEERS_MAX][64];	/* the other members' addresses */
	char peer_names[AGENT_PEERS_MAX][CLUSTER_NAME_MAX];
	int n_peers;
	int timeout_ms;		/* per request to etcd: less than the watchdog's */
	int try_ms;		/* per try of a renewal, which tries again; 0: none */
	bool evacuated;		/* this node takes no VEs of others (cluster evacuate) */
	int probe_fd;		/* answers the others' probes; -1: none */
	int watchdog_fd;	/* /dev/watchdog, -1: none */
	struct etcd_watch watch;	/* the cluster's keys, for failover() */
	time_t resync_at;	/* failover() reads everything again by then */
	bool again;		/* a take-over to try again next round */
} a = { .probe_fd = -1, .watchdog_fd = -1, .watch = ETCD_WATCH_INIT };

static atomic_bool etcd_down, resp_stop;
static bool verbose;

/* For ved -v: what the agent did, stamped with the boot clock (/proc/uptime's). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	struct timespec ts;
	char what[512];
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	fprintf(stderr, "ved: %s at uptime %lld.%03ld s\n", what, (long long)ts.tv_sec,
		ts.tv_nsec / 1000000);
}
static pthread_t resp_thread;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fed every round, and before every request to etcd (budget()). */
static void pet(void)
{
	if (a.watchdog_fd >= 0 && write(a.watchdog_fd, "\0", 1) != 1)
		vectl_err("cannot feed the watchdog: %s", strerror(errno));
}

/*
 * Before every request to etcd: the watchdog fed, and the request's
 * timeout cut so that it cannot run past the time to fence (200 ms at
 * least: a renewal is still worth a try). After one found etcd away, the
 * round's other requests wait for the next round, whose renewal decides.
 */
static int budget(struct etcd *e)
{
	int64_t left;

	pet();
	if (e->failed)
		return -1;
	e->timeout_ms = a.timeout_ms;
	if (a.try_ms && a.try_ms < e->timeout_ms)
		e->timeout_ms = a.try_ms;
	if (a.lease) {
		left = a.fence_at - PROBE_WAIT_MS - now_ms();
		if (left < e->timeout_ms)
			e->timeout_ms = left < 200 ? 200 : (int)left;
	}
	return 0;
}

/* The watchdog's timeout: 2/3 of the lease, as the fencing's. */
static int watchdog_timeout(void)
{
	return a.ttl * 2 / 3 < 2 ? 2 : a.ttl * 2 / 3;
}

static void watchdog_open(void)
{
	char *const modprobe[] = { "modprobe", "softdog", NULL };
	char why[128];
	int timeout = watchdog_timeout();

	if (access("/dev/watchdog", F_OK))
		run_argv(modprobe, why, sizeof(why));
	a.watchdog_fd = open("/dev/watchdog", O_WRONLY | O_CLOEXEC);
	if (a.watchdog_fd < 0) {
		vectl_err("WATCHDOG=\"yes\" but no watchdog: %s (modprobe softdog)", strerror(errno));
		return;
	}
	if (ioctl(a.watchdog_fd, WDIOC_SETTIMEOUT, &timeout))
		vectl_err("cannot set the watchdog's timeout to %d s: %s", timeout, strerror(errno));
}

/* A clean exit: the magic close stops the watchdog. */
static void watchdog_close(void)
{
	if (a.watchdog_fd < 0)
		return;
	if (write(a.watchdog_fd, "V", 1) != 1)
		vectl_err("cannot stop the watchdog: %s", strerror(errno));
	close(a.watchdog_fd);
	a.watchdog_fd = -1;
}

static int probe_socket(void)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE }, *ai;
	int fd, off = 0;

	if (getaddrinfo(NULL, PROBE_PORT, &hints, &ai))
		return -1;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* IPv4 members too, as mapped addresses. */
	if (fd >= 0 && (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
			bind(fd, ai->ai_addr, ai->ai_addrlen))) {
		vectl_err("cannot answer the other nodes' probes on UDP port %s: %s", PROBE_PORT,
			  strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * The answers to the other nodes' probes come from a thread of their own:
 * the agent's loop may wait seconds for etcd, or for its own probe, just
 * when another node asks.
 */
static void *responder(void *arg)
{
	(void)arg;
	while (!atomic_load(&resp_stop)) {
		struct sockaddr_storage from;
		socklen_t l = sizeof(from);
		char buf[64], reply[128];
		ssize_t n;

		n = recvfrom(a.probe_fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &l);
		if (n <= 0)
			continue;	/* the receive timeout: look at resp_stop again */
		buf[n] = '\0';
		if (strcmp(buf, "ve-probe"))
			continue;
		snprintf(reply, sizeof(reply), "ve-probe %s %s",
			 atomic_load(&etcd_down) ? "down" : "up", a.c.node);
		sendto(a.probe_fd, reply, strlen(reply), 0, (struct sockaddr *)&from, l);
	}
	return NULL;
}

static void responder_start(void)
{
	struct timeval tv = { 0, 200000 };

	a.probe_fd = probe_socket();
	if (a.probe_fd < 0)
		return;
	setsockopt(a.probe_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	atomic_store(&resp_stop, false);
	if (pthread_create(&resp_thread, NULL, responder, NULL)) {
		vectl_err("cannot start the probe responder: %s", strerror(errno));
		close(a.probe_fd);
		a.probe_fd = -1;
	}
}

static void responder_stop(void)
{
	if (a.probe_fd < 0)
		return;
	atomic_store(&resp_stop, true);
	pthread_join(resp_thread, NULL);
	close(a.probe_fd);
	a.probe_fd = -1;
}

/* Whether most other members say etcd is down for them too. */
static bool etcd_down_everywhere(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), down = 0, off = 0;
	int64_t until = now_ms() + PROBE_WAIT_MS;
	bool answered[AGENT_PEERS_MAX] = { false };

	if (fd < 0 || !a.n_peers) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	/* Asked again every 200 ms, for a lost datagram; each member counted once. */
	for (int64_t left, next = 0; (left = until - now_ms()) > 0;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[128];
		ssize_t n;

		if (now_ms() >= next) {
			for (int i = 0; i < a.n_peers; i++) {
				struct addrinfo hints = { .ai_family = AF_INET6,
							  .ai_socktype = SOCK_DGRAM,
							  .ai_flags = AI_V4MAPPED }, *ai;

				if (answered[i] || getaddrinfo(a.peers[i], PROBE_PORT, &hints, &ai))
					continue;
				sendto(fd, "ve-probe", 8, 0, ai->ai_addr, ai->ai_addrlen);
				freeaddrinfo(ai);
			}
			next = now_ms() + 200;
		}
		if (poll(&p, 1, (int)(left < 200 ? left : 200)) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (int i = 0; i < a.n_peers; i++) {
			size_t l = strlen(a.peer_names[i]);

			/* "ve-probe up|down NODE" */
			if (answered[i] || strncmp(buf, "ve-probe ", 9) ||
			    strlen(buf) < l || strcmp(buf + strlen(buf) - l, a.peer_names[i]))
				continue;
			answered[i] = true;
			down += !strncmp(buf + 9, "down ", 5);
		}
	}
	close(fd);
	return down * 2 > a.n_peers;
}

/* The other members' addresses, for the probe; kept when etcd is away. */
static void read_peers(void)
{
	char prefix[CLUSTER_KEY_MAX];
	struct etcd_kv *m;
	int n;

	cluster_key(prefix, sizeof(prefix), "members", NULL);
	if (etcd_list(&a.c.etcd, prefix, &m, &n))
		return;
	a.n_peers = 0;
	for (int i = 0; i < n && a.n_peers < AGENT_PEERS_MAX; i++) {
		struct json_object *j = json_tokener_parse(m[i].value), *addr;
		const char *name = strrchr(m[i].key, '/') + 1;

		struct json_object *st;

		if (!strcmp(name, a.c.node) && j && json_object_object_get_ex(j, "state", &st))
			a.evacuated = !strcmp(json_object_get_string(st), "evacuated");
		if (strcmp(name, a.c.node) && j && json_object_object_get_ex(j, "addr", &addr)) {
			snprintf(a.peers[a.n_peers], sizeof(a.peers[0]), "%s",
				 json_object_get_string(addr));
			snprintf(a.peer_names[a.n_peers++], sizeof(a.peer_names[0]), "%s", name);
		}
		json_object_put(j);
	}
	etcd_kvs_free(m, n);
}

static void note_down(const char *what)
{
	if (!a.down)
		vectl_err("%s: %s (trying again every second)", what, a.c.etcd.err);
	a.down = true;
	atomic_store(&etcd_down, true);
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
 * The fencing epoch of VE @id: the revision of this node's owner key,
 * recorded beside its private area (PRIVATE.epoch). A claim older than
 * the one recorded there means another node took the VE since: refused.
 */
static int epoch_record(uint32_t id, int64_t epoch)
{
	struct vectx x;
	int err;

	if (vectx_open(&x, "agent", id, false))
		return -ENOENT;
	err = cluster_epoch_record(&x, epoch);
	vectx_close(&x);
	return err;
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
	if (!err) {
		p->owner_lease = a.lease;
		epoch_record(p->id, a.c.etcd.revision);
	}
}

/*
 * VE @id's lock, for a change the agent makes on its own (a config written,
 * a record made): -1 when a vectl holds it (a destroy, a create), which
 * the change would race; else an fd to close, or INT_MAX for no lock file.
 */
static int lock_ve(uint32_t id)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%u.lck", VE_LOCK_DIR, id);
	if (access(path, F_OK))
		return INT_MAX;
	return vectx_try_lock(id);
}

static void unlock_ve(int fd)
{
	if (fd >= 0 && fd != INT_MAX)
		close(fd);
}

/* A VE the cluster gave to another node: its config here goes aside. */
static void stale(uint32_t id, const char *node, bool running)
{
	char from[64], to[80], migrating[96];
	int lock;

	if (running) {
		vectl_err("VE %u runs here, but the cluster gives it to node %s", id, node);
		return;
	}
	ve_conf_path(from, sizeof(from), id);
	snprintf(to, sizeof(to), "%s.taken", from);
	snprintf(migrating, sizeof(migrating), "%s.migrating", from);
	/*
	 * Not while a vectl works on it: a migration arriving here names this
	 * node in the record only at its commit, after the config is in place.
	 */
	lock = lock_ve(id);
	if (lock < 0 || !access(migrating, F_OK)) {
		unlock_ve(lock);
		return;
	}
	unlock_ve(lock);
	if (rename(from, to)) {
		vectl_err("VE %u is node %s's now: cannot move %s aside: %s", id, node, from,
			  strerror(errno));
		return;
	}
	vectl_err("VE %u is node %s's now: its config here moved to %s", id, node, to);
	/* And the module here forgets it (stopped: a fenced VE's object stays). */
	cluster_forget_here(a.nl, "", id);
}

static void publish_ve(uint32_t id, void *data)
{
	struct cluster_ve v = { .id = id }, cur;
	char key[CLUSTER_KEY_MAX], *json, *conf;
	struct pub_ve *p = find(id);
	struct ve_info info;
	struct vectx x;
	const char *s;
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
	conf = conf_format(&x.conf);
	vectx_close(&x);

	own(p, running);
	json = cluster_ve_format(&v);
	if (!json || !conf || (p->json && !strcmp(p->json, json) && p->conf &&
				 !strcmp(p->conf, conf)))
		goto out;
	err = cluster_ve_get(&a.c, id, &cur);
	if (err == -ENOENT) {
		/*
		 * Made here while the control center was away (not one a destroy
		 * is taking, or took since this round read its config).
		 */
		int lock = lock_ve(id);
		char path[64];

		ve_conf_path(path, sizeof(path), id);
		err = lock < 0 || access(path, F_OK) ? -EBUSY : cluster_ve_register(&a.c, id, &cur);
		if (!err)
			err = cluster_ve_get(&a.c, id, &cur);
		unlock_ve(lock);
	}
	if (!err && strcmp(cur.node, a.c.node)) {
		stale(id, cur.node, running);
		goto out;
	}
	if (!err && (!p->json || strcmp(p->json, json))) {
		v.mod_rev = cur.mod_rev;
		err = cluster_ve_update(&a.c, &v);
		if (!err) {
			say("VE %u: published %s", id, json);
			free(p->json);
			p->json = json;
			json = NULL;
		}
	}
	/* The config, for the node that may have to start the VE in this one's place. */
	if (!err && (!p->conf || strcmp(p->conf, conf))) {
		cluster_ve_key(key, sizeof(key), "conf", id);
		err = etcd_put(&a.c.etcd, key, conf, 0);
		if (!err) {
			free(p->conf);
			p->conf = conf;
			conf = NULL;
		}
	}
out:
	free(json);
	free(conf);
}

/* A VE another node had, that this one may take: its record and config. */
struct candidate {
	struct cluster_ve r;
	struct conf cf;
	int get_err;	/* -ENOENT: none in the cluster; another: etcd did not answer */
	int parse_err;
	int prio;
};

/* Candidate @c's config, as the cluster keeps it. */
static void candidate_conf(struct candidate *c)
{
	char key[CLUSTER_KEY_MAX];
	struct etcd_kv kv;

	cluster_ve_key(key, sizeof(key), "conf", c->r.id);
	c->get_err = etcd_get(&a.c.etcd, key, &kv);
	if (c->get_err)
		return;
	c->parse_err = conf_parse(&c->cf, kv.value);
	etcd_kv_free(&kv);
}

/* HA_PRIO of a config (HA_PRIORITY: the other name it goes by), 0 without. */
static int ha_prio(const struct conf *cf)
{
	const char *v = conf_get(cf, "HA_PRIO");

	if (!v)
		v = conf_get(cf, "HA_PRIORITY");
	return v ? atoi(v) : 0;
}

/*
 * VE @r comes here: of a dead node (@r->node, taken over), or handed to
 * this node (the record names it, as "cluster evacuate" writes it, and
 * there is no config here yet). Claimed in one transaction (its record
 * unchanged since read, no owner key: the old node's went with its lease
 * or its handover), its config written from the cluster's, then started
 * if it ran, from its private area on the shared storage.
 */
static bool take_over(const struct candidate *c)
{
	const struct cluster_ve *r = &c->r;
	char rkey[CLUSTER_KEY_MAX], okey[CLUSTER_KEY_MAX];
	char path[64], id[16], *json;
	char *const argv[] = { "vectl", "start", id, NULL };
	bool handed = !strcmp(r->node, a.c.node), run = !strcmp(r->state, "running");
	struct cluster_ve mine = *r;
	struct pub_ve *p;
	const char *ha;
	int64_t epoch;
	int err, lock;

	if (c->get_err && c->get_err != -ENOENT) {
		vectl_err("VE %u of node %s: cannot read its config from etcd: %s; tried again",
			  r->id, r->node, strerror(-c->get_err));
		return false;
	}
	if (c->get_err || c->parse_err) {
		vectl_err("VE %u of node %s: %s, not taken over", r->id, r->node,
			  c->get_err ? "no config in the cluster" : "its config in the cluster is broken");
		return true;
	}
	ha = conf_get(&c->cf, "HA_ENABLE");
	if (!handed && ha && !strcmp(ha, "no"))
		return true;
	snprintf(mine.node, sizeof(mine.node), "%s", a.c.node);
	snprintf(mine.state, sizeof(mine.state), "stopped");
	mine.from[0] = '\0';
	json = cluster_ve_format(&mine);
	cluster_ve_key(rkey, sizeof(rkey), "ves", r->id);
	cluster_ve_key(okey, sizeof(okey), "owner", r->id);
	/* A stopped VE handed over needs no owner: it is only its config that comes. */
	err = json ? etcd_txn(&a.c.etcd,
			      (struct etcd_cmp[]){ { .key = rkey, .target = ETCD_MOD, .rev = r->mod_rev },
						   { .key = okey, .target = ETCD_CREATE } }, 2,
			      (struct etcd_op[]){ { .key = rkey, .value = json },
						  { .key = okey, .value = a.c.node, .lease = a.lease } },
			      run ? 2 : 1) : -ENOMEM;
	free(json);
	/* Another node was first (not ours), or etcd went away (again). */
	if (err)
		return err == -ECANCELED;
	epoch = a.c.etcd.revision;
	ve_conf_path(path, sizeof(path), r->id);
	lock = lock_ve(r->id);
	err = lock < 0 ? -EBUSY : mkdir_p(VE_CONF_DIR, 0755);
	if (!err)
		err = conf_save(&c->cf, path);
	unlock_ve(lock);
	/* Stopped too: the old owner's claim is stale from now on. */
	if (!err)
		err = epoch_record(r->id, epoch);
	if (err) {
		vectl_err("VE %u: taken over from node %s, but not started here: %s", r->id,
			  r->node, strerror(-err));
		return true;
	}
	if (!run) {
		vectl_err("VE %u: handed over to this node (stopped)", r->id);
		return true;
	}
	p = find(r->id);
	if (p)
		p->owner_lease = a.lease;
	snprintf(id, sizeof(id), "%u", r->id);
	run_spawn(argv, -1, -1, -1);
	if (handed)
		vectl_err("VE %u: handed over to this node (epoch %lld) and started here", r->id,
			  (long long)epoch);
	else
		vectl_err("VE %u: node %s is offline; taken over (epoch %lld) and started here",
			  r->id, r->node, (long long)epoch);
	say("took a VE over");
	return true;
}

/*
 * One renewal of the lease, tried again until the time to fence is near:
 * a lost packet or a slow answer costs one try (of at most a sixth of the
 * TTL), not the node's VEs. @sent: when the one that answered was sent.
 */
static int renew(int64_t *sent, int *left)
{
	int err;

	for (;;) {
		*sent = now_ms();
		a.try_ms = a.ttl * 1000 / 6;
		err = etcd_keepalive(&a.c.etcd, a.lease, left);
		a.try_ms = 0;
		if (!err || now_ms() + PROBE_WAIT_MS + 300 >= a.fence_at)
			return err;
		/*
		 * Down for us from the first failed try: a member whose own
		 * fencing time comes first must not hear "up" from us while we
		 * still retry (when etcd stops, every member's renewals fail
		 * within a second of each other).
		 */
		atomic_store(&etcd_down, true);
		a.c.etcd.failed = false;
		usleep(100000);
	}
}

/* Whether member @node fences itself (its agent feeds a watchdog). */
static bool member_fences(const char *node)
{
	char key[CLUSTER_KEY_MAX];
	struct json_object *j, *w;
	struct etcd_kv kv;
	bool yes;

	cluster_key(key, sizeof(key), "members", node);
	if (etcd_get(&a.c.etcd, key, &kv))
		return false;
	j = json_tokener_parse(kv.value);
	yes = j && json_object_object_get_ex(j, "watchdog", &w) && json_object_get_boolean(w);
	json_object_put(j);
	etcd_kv_free(&kv);
	return yes;
}

static int by_prio(const void *x, const void *y)
{
	const struct candidate *a1 = x, *b1 = y;

	return (b1->prio > a1->prio) - (b1->prio < a1->prio);
}

/*
 * The running VEs of members whose lease ran out come here, the highest
 * HA_PRIO first, one transaction each. Only from members that fence
 * themselves: without a watchdog, an agent that died leaves its VEs
 * running, and taking them would run them twice. The revision it read
 * the members at, 0 when it could not read.
 */
static int64_t failover(void)
{
	struct etcd_kv *nodes, *ves;
	char prefix[CLUSTER_KEY_MAX];
	struct candidate *cand;
	int n_nodes, n_ves, n = 0;
	int64_t rev;

	cluster_key(prefix, sizeof(prefix), "nodes", NULL);
	if (etcd_list(&a.c.etcd, prefix, &nodes, &n_nodes))
		return 0;
	rev = a.c.etcd.revision;
	cluster_key(prefix, sizeof(prefix), "ves", NULL);
	if (etcd_list(&a.c.etcd, prefix, &ves, &n_ves)) {
		etcd_kvs_free(nodes, n_nodes);
		return 0;
	}
	cand = calloc(n_ves ? n_ves : 1, sizeof(*cand));
	for (int i = 0; cand && i < n_ves; i++) {
		struct cluster_ve *r = &cand[n].r;
		bool online = false;

		char path[64];

		if (cluster_ve_parse(ves[i].value, (uint32_t)strtoul(strrchr(ves[i].key, '/') + 1,
								     NULL, 10), r))
			continue;
		r->mod_rev = ves[i].mod_rev;
		/*
		 * Handed to this node by another (not one a create here is
		 * making): its config is not here yet.
		 */
		if (!strcmp(r->node, a.c.node)) {
			ve_conf_path(path, sizeof(path), r->id);
			if (r->from[0] && access(path, F_OK) && errno == ENOENT) {
				candidate_conf(&cand[n]);
				cand[n].prio = INT_MAX, n++;
			}
			continue;
		}
		if (strcmp(r->state, "running") || a.evacuated)
			continue;
		for (int k = 0; k < n_nodes && !online; k++)
			online = !strcmp(strrchr(nodes[k].key, '/') + 1, r->node);
		if (!online && member_fences(r->node)) {
			candidate_conf(&cand[n]);
			cand[n].prio = cand[n].get_err || cand[n].parse_err ? 0 : ha_prio(&cand[n].cf);
			n++;
		}
	}
	if (cand)
		qsort(cand, n, sizeof(*cand), by_prio);
	a.again = false;
	for (int i = 0; i < n; i++) {
		a.again |= !take_over(&cand[i]);
		conf_free(&cand[i].cf);
	}
	free(cand);
	etcd_kvs_free(nodes, n_nodes);
	etcd_kvs_free(ves, n_ves);
	return rev;
}

/* A change failover() must look at: a member gone, a VE's record written. */
static void watch_event(const char *key, bool deleted, void *data)
{
	char nodes[CLUSTER_KEY_MAX], ves[CLUSTER_KEY_MAX];
	bool *changed = data;

	cluster_key(nodes, sizeof(nodes), "nodes", NULL);
	cluster_key(ves, sizeof(ves), "ves", NULL);
	if ((deleted && !strncmp(key, nodes, strlen(nodes))) || !strncmp(key, ves, strlen(ves)))
		*changed = true;
}

/*
 * failover() reads the members and every VE's record only when the watch
 * on the cluster's keys saw a change it must look at, when the watch is
 * (re)opened, and every 3 TTL besides; not every round.
 */
static void watch_and_failover(time_t now)
{
	bool changed = a.again || a.watch.fd < 0 || now >= a.resync_at;
	int64_t rev;

	if (a.watch.fd >= 0 && etcd_watch_read(&a.c.etcd, &a.watch, watch_event, &changed) < 0) {
		say("%s", a.c.etcd.err);
		changed = true;
	}
	if (!changed)
		return;
	rev = failover();
	if (!rev)
		return;
	a.resync_at = now + 3 * a.ttl;
	if (a.watch.fd >= 0)
		return;
	if (etcd_watch_open(&a.c.etcd, &a.watch, CLUSTER_PREFIX, rev + 1))
		say("cannot watch the cluster: %s", a.c.etcd.err);
	else
		say("watching %s from revision %lld", CLUSTER_PREFIX, (long long)rev + 1);
}

int agent_watch_fd(void)
{
	return a.watch.fd;
}

static void forget(void)
{
	if (a.lease && etcd_revoke(&a.c.etcd, a.lease))
		vectl_err("cannot give the cluster lease back: %s", a.c.etcd.err);
	for (int i = 0; i < a.n_ves; i++) {
		free(a.ves[i].json);
		free(a.ves[i].conf);
	}
	watchdog_close();
	responder_stop();
	etcd_watch_close(&a.watch);
	memset(&a, 0, sizeof(a));
	a.probe_fd = a.watchdog_fd = a.watch.fd = -1;
}

/*
 * The lease may be gone in etcd: kill every VE this node owns, before
 * another node may start it.
 */
static void fence(void)
{
	int killed = 0;

	for (int i = 0; i < a.n_ves; i++) {
		char path[64];
		int fd;

		if (!a.ves[i].owner_lease)
			continue;
		snprintf(path, sizeof(path), "%s/%u/cgroup.kill", VE_CGROUP_DIR, a.ves[i].id);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1", 1) != 1)
			vectl_err("fencing: cannot kill VE %u (%s): %s", a.ves[i].id, path,
				  strerror(errno));
		if (fd >= 0)
			close(fd);
		a.ves[i].owner_lease = 0;
		killed++;
	}
	/* Then tidied up by vectl, as any stop: its network, its state in the module. */
	for (int i = 0; i < a.n_ves; i++) {
		char id[16];
		char *const argv[] = { "vectl", "stop", id, "--fast", NULL };
		struct ve_info info;

		if (veapi_get(a.nl, a.ves[i].id, &info) || info.state == VE_STATE_STOPPED)
			continue;
		snprintf(id, sizeof(id), "%u", a.ves[i].id);
		run_spawn(argv, -1, -1, -1);
	}
	say("fenced");
	vectl_err("fenced: the cluster lease could not be renewed in time; %d VE%s killed", killed,
		  killed == 1 ? "" : "s");
	a.lease = 0;
}

void agent_round(struct ve_nl *nl, bool say_what)
{
	time_t now = time(NULL);
	char why[512];
	int64_t sent;
	int err, left;

	verbose = say_what;
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
		responder_start();
		if (a.c.watchdog)
			watchdog_open();
		/* A request that hangs must not outlast the watchdog's patience. */
		a.timeout_ms = (watchdog_timeout() - 1) * 1000;
		if (a.timeout_ms > 3000)
			a.timeout_ms = 3000;
		a.c.etcd.before = budget;
	}
	pet();
	a.c.etcd.failed = false;
	if (!a.lease) {
		sent = now_ms();
		err = etcd_grant(&a.c.etcd, a.ttl, &a.lease);
		if (err) {
			note_down("cannot get a lease from the control center");
			return;
		}
		a.fence_at = sent + a.ttl * 2000 / 3;
		a.renewed = now;
		a.published = 0;
		say("lease granted");
	} else if (now - a.renewed >= RENEW_EVERY_S || a.down) {
		err = renew(&sent, &left);
		if (err) {
			note_down("cannot renew the lease");
			if (now_ms() + PROBE_WAIT_MS >= a.fence_at && !etcd_down_everywhere())
				fence();
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
		a.fence_at = sent + a.ttl * 2000 / 3;
		say("lease renewed");
	}
	if (a.down)
		vectl_err("the control center answers again");
	a.down = false;
	atomic_store(&etcd_down, false);

	for (int i = 0; i < a.n_ves; i++)
		a.ves[i].seen = false;
	vectx_each_conf(publish_ve, NULL);
	for (int i = 0; i < a.n_ves; i++) {
		/* Destroyed (vectl destroy dropped its record) or gone: forget it. */
		if (!a.ves[i].seen) {
			free(a.ves[i].json);
			free(a.ves[i].conf);
			a.ves[i--] = a.ves[--a.n_ves];
		}
	}
	watch_and_failover(now);
	if (now - a.published >= a.ttl / 3 && !publish_node()) {
		a.published = now;
		read_peers();
	}
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
