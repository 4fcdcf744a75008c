// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzer for the "ve" family, driven by the spec's model
 * (ve_spec.h, generated from the YAML): every operation and every
 * attribute, with values at and beyond their checks, wrong lengths and
 * types, flags toggled, nests nested, several messages per datagram, whole
 * messages mutated, and runs of valid commands (NEW, SET, START, STOP,
 * DEL on a range of IDs) so that the invalid ones meet real state.
 *
 * It sends from host root (several threads at once), from an unprivileged
 * host user and from root inside a VE. Every reject must carry an extack
 * message, except the refusals genetlink makes before the family sees the
 * message (an unknown command, admin-perm, a short header), which must
 * carry exactly their documented errno. Afterwards the module's slab
 * caches ("ve", "ve_charge") return to their counts and the module
 * unloads. The runner checks the console.
 *
 * VE_FUZZ_COUNT sets the messages per identity (default 10000; "make fuzz"
 * sends 10^6 in all), VE_FUZZ_SEED the seed (default: the time, printed).
 */
#include <errno.h>
#include <grp.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "ve_spec.h"
#include "kselftest_harness.h"

#define FUZZ_FIRST_ID	60000
#define FUZZ_IDS	12
#define FUZZ_VE_ID	60100	/* the VE the "inside" fuzzer runs in */
#define HOST_THREADS	3
#define MAX_BATCH	6
#define MSG_MAX		8192
#define INITS		4
#define FOREIGN		1	/* a core[] value: any answer goes */

enum spec_type {
	VE_SPEC_U8, VE_SPEC_U16, VE_SPEC_U32, VE_SPEC_U64, VE_SPEC_S32,
	VE_SPEC_S64, VE_SPEC_STRING, VE_SPEC_FLAG, VE_SPEC_NEST, VE_SPEC_PAD,
	VE_SPEC_BINARY,
};

enum spec_set {
	VE_SPEC_SET_NONE, VE_SPEC_SET_VE, VE_SPEC_SET_RES, VE_SPEC_SET_ADDR,
	VE_SPEC_SET_NETIF, VE_SPEC_SET_STATS,
};

struct spec_attr {
	unsigned int type;
	const char *name;
	enum spec_type kind;
	uint64_t min, max;
	enum spec_set nest;
	bool multi;
};

struct spec_op {
	uint8_t cmd;
	const char *name;
	bool admin, has_do, has_dump;
	uint64_t request;
};

#define ATTR(v, n, t, lo, hi, nest, multi) \
	{ v, n, t, (uint64_t)(lo), (uint64_t)(hi), nest, multi },
static const struct spec_attr ve_attrs[] = { VE_SPEC_ATTRS(ATTR) };
static const struct spec_attr res_attrs[] = { VE_SPEC_RES_ATTRS(ATTR) };
static const struct spec_attr addr_attrs[] = { VE_SPEC_ADDR_ATTRS(ATTR) };
static const struct spec_attr netif_attrs[] = { VE_SPEC_NETIF_ATTRS(ATTR) };
static const struct spec_attr stats_attrs[] = { VE_SPEC_STATS_ATTRS(ATTR) };
#undef ATTR
#define OP(c, n, admin, d, dump, req) { c, n, admin, d, dump, req },
static const struct spec_op ops[] = { VE_SPEC_OPS(OP) };
#undef OP
#define VAL(v) v,
static const uint64_t resources[] = { VE_SPEC_RESOURCE_VALUES(VAL) };
#undef VAL
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The attributes of each nested set, by enum spec_set. */
static const struct {
	const struct spec_attr *attrs;
	size_t n;
} sets[] = {
	[VE_SPEC_SET_VE]	= { ve_attrs, N(ve_attrs) },
	[VE_SPEC_SET_RES]	= { res_attrs, N(res_attrs) },
	[VE_SPEC_SET_ADDR]	= { addr_attrs, N(addr_attrs) },
	[VE_SPEC_SET_NETIF]	= { netif_attrs, N(netif_attrs) },
	[VE_SPEC_SET_STATS]	= { stats_attrs, N(stats_attrs) },
};

enum who { AS_HOST, AS_USER, AS_VE };

/* What the fuzzer saw; summed over threads. */
struct stats {
	unsigned long sent, datagrams, acks, data, errors, with_msg, core;
	unsigned long started;		/* START acked: valid runs met state */
	unsigned long bad;		/* rejects without a message */
	char first_bad[200];
};

/* What a sent message should get, kept by sequence number. */
struct sent {
	bool used;
	uint32_t seq;
	uint8_t cmd;
	int core[2];		/* errnos genetlink itself may answer, or 0 */
};

struct fuzzer {
	uint64_t rng;
	enum who who;
	struct ve_nl nl;
	int fd;
	uint32_t seq;
	uint32_t own_id;	/* the VE we run in, 0 on the host */
	pid_t inits[INITS];	/* host only: children ready to be an init */
	struct sent ring[256];
	struct stats st;
	unsigned char buf[MSG_MAX * MAX_BATCH];
	unsigned char rbuf[65536];
};

static uint64_t rnd(struct fuzzer *f)
{
	/* xorshift64* */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int pick(struct fuzzer *f, unsigned int n)
{
	return n ? rnd(f) % n : 0;
}

static bool chance(struct fuzzer *f, unsigned int percent)
{
	return pick(f, 100) < percent;
}

/* A message under construction: plain bytes, so anything can be wrong. */
struct msg {
	unsigned char *p;
	size_t len, cap;
};

static void *put(struct msg *m, const void *data, size_t len)
{
	void *at = m->p + m->len;

	if (m->len + NLA_ALIGN(len) > m->cap)
		return NULL;
	memset(at, 0, NLA_ALIGN(len));
	if (data)
		memcpy(at, data, len);
	m->len += NLA_ALIGN(len);
	return at;
}

static uint32_t fuzz_id(struct fuzzer *f)
{
	switch (pick(f, 10)) {
	case 0:
		return f->own_id ? f->own_id : FUZZ_VE_ID;
	case 1:
		return pick(f, 3) ? 0 : (uint32_t)rnd(f);
	default:
		return FUZZ_FIRST_ID + pick(f, FUZZ_IDS);
	}
}

/* A value for @a: at and around its bounds, typical, or anything. */
static uint64_t value_for(struct fuzzer *f, const struct spec_attr *a, bool res)
{
	if (!res && a->type == VE_A_ID && chance(f, 70))
		return fuzz_id(f);
	if (res && a->type == VE_A_RES_ID && chance(f, 80))
		return chance(f, 90) ? resources[pick(f, N(resources))] : pick(f, 40);
	switch (pick(f, 9)) {
	case 0: return a->min;
	case 1: return a->max;
	case 2: return a->min - 1;
	case 3: return a->max + 1;
	case 4: return 0;
	case 5: return UINT64_MAX;
	case 6: return a->min + rnd(f) % (a->max - a->min + 1 ? a->max - a->min + 1 : 1);
	case 7: return pick(f, 1000);
	default: return rnd(f);
	}
}

static size_t natural_len(enum spec_type kind)
{
	switch (kind) {
	case VE_SPEC_U8: return 1;
	case VE_SPEC_U16: return 2;
	case VE_SPEC_U32: case VE_SPEC_S32: return 4;
	case VE_SPEC_U64: case VE_SPEC_S64: return 8;
	case VE_SPEC_FLAG: return 0;
	default: return 8;	/* a binary's is its min, see put_one() */
	}
}

static void put_attrs(struct fuzzer *f, struct msg *m, const struct spec_attr *set,
		      size_t nset, uint64_t want, int depth);

/* One attribute of @set (often one the op takes), valid or not. */
static void put_one(struct fuzzer *f, struct msg *m, const struct spec_attr *set,
		    size_t nset, uint64_t want, int depth)
{
	const struct spec_attr *a = &set[pick(f, nset)];
	static const size_t odd_lens[] = { 0, 1, 2, 3, 5, 7, 9, 12, 16, 100 };
	unsigned char payload[128];
	bool res = set == res_attrs;
	struct nlattr *nla;
	size_t start, len;
	uint16_t type;
	uint64_t v;

	for (int tries = 0; want && tries < 4 && !(want & (1ULL << a->type)); tries++)
		a = &set[pick(f, nset)];
	type = a->type;
	if (chance(f, 4))
		type = pick(f, 4) ? pick(f, 40) : (uint16_t)rnd(f) & NLA_TYPE_MASK;
	if (a->kind == VE_SPEC_NEST ? !chance(f, 5) : chance(f, 3))
		type |= NLA_F_NESTED;
	if (chance(f, 3))
		type |= NLA_F_NET_BYTEORDER;

	start = m->len;
	nla = put(m, NULL, NLA_HDRLEN);
	if (!nla)
		return;
	nla->nla_type = type;
	if (a->kind == VE_SPEC_NEST && depth < 4 && !chance(f, 5)) {
		unsigned int n = pick(f, 4);

		if (chance(f, 5))
			n = 8 + pick(f, 24);
		for (unsigned int i = 0; i < n; i++)
			put_one(f, m, sets[a->nest].attrs, sets[a->nest].n, 0, depth + 1);
		nla->nla_len = m->len - start;
		if (chance(f, 3))
			nla->nla_len = pick(f, nla->nla_len + 8);
		return;
	}
	if (a->kind == VE_SPEC_STRING) {
		len = pick(f, 80);
		for (size_t i = 0; i < len; i++)
			payload[i] = 32 + pick(f, 95);
		if (chance(f, 80))
			payload[len++] = 0;
	} else {
		v = value_for(f, a, res);
		len = natural_len(a->kind);
		memcpy(payload, &v, sizeof(v));
		if (a->kind == VE_SPEC_BINARY) {
			len = a->min;
			for (size_t i = 0; i < len; i++)
				payload[i] = chance(f, 3) ? 0 : rnd(f);
		}
	}
	if (chance(f, 8)) {
		len = odd_lens[pick(f, N(odd_lens))];
		for (size_t i = 8; i < len; i++)
			payload[i] = rnd(f);
	}
	if (!put(m, payload, len)) {
		m->len = start;
		return;
	}
	nla = (struct nlattr *)(m->p + start);
	nla->nla_len = NLA_HDRLEN + len;
	if (chance(f, 2))
		nla->nla_len = pick(f, 3) ? pick(f, NLA_HDRLEN) : 0xffff;
}

static void put_attrs(struct fuzzer *f, struct msg *m, const struct spec_attr *set,
		      size_t nset, uint64_t want, int depth)
{
	unsigned int n = pick(f, 5);

	if (chance(f, 3))
		n = 20 + pick(f, 80);
	for (unsigned int i = 0; i < n; i++)
		put_one(f, m, set, nset, want, depth);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + 4, .nla_type = type };

	put(m, &nla, NLA_HDRLEN);
	put(m, &v, 4);
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + 8, .nla_type = type };

	put(m, &nla, NLA_HDRLEN);
	put(m, &v, 8);
}

/* A well-formed request of a valid sequence: NEW, SET, START, STOP, DEL, GET. */
static const struct spec_op *put_valid(struct fuzzer *f, struct msg *m, struct genlmsghdr *g)
{
	static const uint8_t cmds[] = {
		VE_CMD_NEW, VE_CMD_SET, VE_CMD_START, VE_CMD_STOP, VE_CMD_DEL, VE_CMD_GET,
	};
	uint8_t cmd = cmds[pick(f, N(cmds))];
	uint32_t id = FUZZ_FIRST_ID + pick(f, FUZZ_IDS);
	struct nlattr *nest;
	size_t start;

	g->cmd = cmd;
	put_u32(m, VE_A_ID, id);
	if (cmd == VE_CMD_NEW || cmd == VE_CMD_SET) {
		for (unsigned int i = pick(f, 3); i > 0; i--) {
			uint64_t lim = pick(f, 4) ? 50 + pick(f, 500) : VE_RES_UNLIMITED;

			start = m->len;
			nest = put(m, NULL, NLA_HDRLEN);
			nest->nla_type = VE_A_RES | NLA_F_NESTED;
			put_u64(m, VE_A_RES_ID, resources[pick(f, N(resources))]);
			put_u64(m, VE_A_RES_BARRIER, lim);
			put_u64(m, VE_A_RES_LIMIT, lim);
			nest = (struct nlattr *)(m->p + start);
			nest->nla_len = m->len - start;
		}
	}
	if (cmd == VE_CMD_START) {
		unsigned int i = pick(f, INITS);

		put_u32(m, VE_A_INIT_PID, f->inits[i] > 0 ? f->inits[i] : 1);
	}
	for (size_t i = 0; i < N(ops); i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	return NULL;
}

static const struct spec_op *op_of(uint8_t cmd)
{
	for (size_t i = 0; i < N(ops); i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	return NULL;
}

/*
 * What genetlink itself may answer @nlh (in its final form) before the
 * family sees it: those refusals carry no message of ours. 6.1 checks
 * admin-perm before looking for a dump handler, 6.12 (split ops) after,
 * so an admin command asked as a dump may get either errno. Returns false
 * when the kernel stops reading the datagram at @nlh.
 */
static bool core_errs(const struct fuzzer *f, const struct nlmsghdr *nlh, size_t room,
		      int core[2])
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bool denied, missing;
	const struct spec_op *op;

	core[0] = core[1] = 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > room)
		return false;
	/* Not a request, or a control type: acked (if asked) with 0. */
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !(nlh->nlmsg_flags & NLM_F_REQUEST))
		return true;
	/*
	 * Another family, or none (a mutated length made garbage a header):
	 * not ours to judge.
	 */
	if (nlh->nlmsg_type != f->nl.family) {
		core[0] = core[1] = FOREIGN;
		return true;
	}
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		core[0] = -EINVAL;
		return true;
	}
	op = op_of(g->cmd);
	if (!op || (!op->has_do && !op->has_dump)) {
		core[0] = -EOPNOTSUPP;
		return true;
	}
	denied = op->admin && f->who != AS_HOST;
	missing = dump ? !op->has_dump : !op->has_do;
	core[0] = denied ? -EPERM : missing ? -EOPNOTSUPP : 0;
	core[1] = missing ? -EOPNOTSUPP : 0;
	return true;
}

static void note_sent(struct fuzzer *f, const struct nlmsghdr *nlh, const int core[2])
{
	struct sent *s = &f->ring[nlh->nlmsg_seq % N(f->ring)];
	const struct genlmsghdr *g = NLMSG_DATA(nlh);

	/* Two messages of one datagram in one slot: answers cannot be told apart. */
	if (s->used) {
		s->core[0] = s->core[1] = FOREIGN;
		return;
	}
	s->used = true;
	s->seq = nlh->nlmsg_seq;
	/* Only a request to the family is more than acked. */
	s->cmd = nlh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN) &&
		 nlh->nlmsg_type == f->nl.family &&
		 (nlh->nlmsg_flags & NLM_F_REQUEST) ? g->cmd : 0;
	s->core[0] = core[0];
	s->core[1] = core[1];
}

static void bad(struct fuzzer *f, const char *fmt, int err, uint32_t seq, int core)
{
	if (!f->st.bad++)
		snprintf(f->st.first_bad, sizeof(f->st.first_bad), fmt, err, seq, core);
}

/* An error answer: it names its reason, or genetlink gave it. */
static void check_error(struct fuzzer *f, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const struct sent *s = &f->ring[nlh->nlmsg_seq % N(f->ring)];
	bool known = s->seq == nlh->nlmsg_seq;
	int core = known ? s->core[0] : 0;
	struct nl_err err;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return bad(f, "short error message (%d, seq %u, %d)", 0, nlh->nlmsg_seq, core);
	if (!e->error) {
		f->st.acks++;
		if (known && s->cmd == VE_CMD_START)
			f->st.started++;
		return;
	}
	f->st.errors++;
	nl_parse_error(nlh, &err);
	if (err.msg[0]) {
		f->st.with_msg++;
		return;
	}
	if (known && (s->core[0] == FOREIGN ||
		      (e->error && (e->error == s->core[0] || e->error == s->core[1])))) {
		f->st.core++;
		return;
	}
	bad(f, "error %d without an extack message (seq %u, genetlink would say %d)",
	    e->error, nlh->nlmsg_seq, core);
}

static void drain(struct fuzzer *f)
{
	for (;;) {
		ssize_t n = recv(f->fd, f->rbuf, sizeof(f->rbuf), MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;		/* EAGAIN, or ENOBUFS after an overrun */
		len = n;
		for (nlh = (void *)f->rbuf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				check_error(f, nlh);
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int *err = NLMSG_DATA(nlh);

				/* A dump that failed mid-way says why in its DONE. */
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) && *err) {
					struct nl_err e;

					f->st.errors++;
					nl_parse_error(nlh, &e);
					if (e.msg[0])
						f->st.with_msg++;
					else
						bad(f, "dump ended with %d without a message (seq %u, %d)",
						    *err, nlh->nlmsg_seq, 0);
				}
			} else {
				f->st.data++;
			}
		}
	}
}

/* One message at @m's end: structured, valid, or mutated. */
static void build_one(struct fuzzer *f, struct msg *m, uint16_t family)
{
	size_t start = m->len;
	const struct spec_op *op;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int mode = pick(f, 100);

	nlh = put(m, NULL, NLMSG_HDRLEN);
	g = put(m, NULL, GENL_HDRLEN);
	if (!nlh || !g) {
		m->len = start;
		return;
	}
	/* Now and then a control type, which the kernel acks unread. */
	nlh->nlmsg_type = chance(f, 97) ? family : pick(f, NLMSG_MIN_TYPE);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++f->seq;
	g->version = chance(f, 90) ? VE_FAMILY_VERSION : (uint8_t)rnd(f);

	if (f->who == AS_HOST && mode < 30) {
		op = put_valid(f, m, g);
	} else {
		op = &ops[pick(f, N(ops))];
		g->cmd = chance(f, 90) ? op->cmd : (uint8_t)rnd(f);
		if (chance(f, 4))
			g->reserved = rnd(f);
		put_attrs(f, m, ve_attrs, N(ve_attrs), op->request, 0);
		if (op->has_dump ? chance(f, 40) : chance(f, 4))
			nlh->nlmsg_flags |= NLM_F_DUMP;
		if (chance(f, 5))
			nlh->nlmsg_flags ^= 1u << pick(f, 16);
	}
	nlh = (struct nlmsghdr *)(m->p + start);
	nlh->nlmsg_len = m->len - start;

	/* Whole-message mutations: flipped bytes, a wrong length. */
	if (mode >= 85) {
		size_t body = m->len - start - NLMSG_HDRLEN;

		for (unsigned int i = 1 + pick(f, 6); i > 0 && body; i--)
			m->p[start + NLMSG_HDRLEN + pick(f, body)] ^= 1u << pick(f, 8);
		if (chance(f, 20))
			nlh->nlmsg_len = NLMSG_HDRLEN + pick(f, body + 1);
	}
}

static void fuzz_one(struct fuzzer *f)
{
	struct msg m = { .p = f->buf, .cap = sizeof(f->buf) };
	unsigned int n = chance(f, 10) ? 2 + pick(f, MAX_BATCH - 1) : 1;
	bool dumping = false;
	size_t off = 0;

	/* Replies are drained after each datagram: only its messages count. */
	memset(f->ring, 0, sizeof(f->ring));
	for (unsigned int i = 0; i < n; i++)
		build_one(f, &m, f->nl.family);
	/* What genetlink answers each, walking as the kernel will. */
	while (off + NLMSG_HDRLEN <= m.len) {
		struct nlmsghdr *nlh = (void *)(m.p + off);
		bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		int core[2];

		if (!core_errs(f, nlh, m.len - off, core))
			break;	/* the kernel stops at a bad length too */
		/*
		 * A second dump in one datagram may find the first still
		 * running: netlink's own EBUSY.
		 */
		if (dump && dumping && !core[1])
			core[1] = -EBUSY;
		dumping |= dump && nlh->nlmsg_type >= NLMSG_MIN_TYPE;
		note_sent(f, nlh, core);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	f->st.sent += n;
	f->st.datagrams++;
	if (send(f->fd, m.p, m.len, 0) < 0 && errno != ECONNREFUSED && errno != EINVAL &&
	    errno != ENOBUFS && errno != ENOMEM && errno != EMSGSIZE)
		bad(f, "send failed: %d (seq %u, %d)", -errno, f->seq, 0);
	drain(f);
}

static int sleeper(void *arg)
{
	pause();
	return 0;
}

/* Host root: children in fresh namespaces that START may bind. */
static void refill_inits(struct fuzzer *f)
{
	for (int i = 0; i < INITS; i++) {
		struct ve_child c;

		if (f->inits[i] > 0 && kill(f->inits[i], 0) == 0)
			continue;
		if (f->inits[i] > 0)
			waitpid(f->inits[i], NULL, WNOHANG);
		f->inits[i] = 0;
		if (ve_child_spawn(&c, CLONE_NEWUSER | CLONE_NEWPID, NULL, sleeper, NULL))
			continue;
		ve_child_go(&c);
		close(c.ready_fd);
		close(c.go_fd);
		f->inits[i] = c.pid;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

struct run {
	pthread_t thread;
	struct fuzzer *f;
	unsigned long count;
};

static void *fuzz_loop(void *arg)
{
	struct run *r = arg;
	struct fuzzer *f = r->f;
	int big = 1 << 20, one = 1;

	if (ve_nl_open(&f->nl)) {
		bad(f, "cannot open the family (%d, %u, %d)", 0, 0, 0);
		return NULL;
	}
	f->fd = mnl_socket_get_fd(f->nl.sock);
	setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(f->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	for (unsigned long i = 0; i < r->count; i++) {
		if (f->who == AS_HOST && i % 500 == 0)
			refill_inits(f);
		fuzz_one(f);
	}
	ve_nl_close(&f->nl);
	return NULL;
}

static unsigned long fuzz_count(void)
{
	const char *env = getenv("VE_FUZZ_COUNT");

	return env ? strtoul(env, NULL, 0) : 10000;
}

static uint64_t fuzz_seed(void)
{
	const char *env = getenv("VE_FUZZ_SEED");

	return env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
}

/* Run @threads fuzzers as @who for @count messages in all; sum into @sum. */
static void fuzz(enum who who, int threads, unsigned long count, uint64_t seed,
		 uint32_t own_id, struct stats *sum)
{
	struct fuzzer *f = calloc(threads, sizeof(*f));
	struct run *r = calloc(threads, sizeof(*r));

	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < threads; i++) {
		f[i].who = who;
		f[i].rng = seed * 2654435761u + i + 1;
		f[i].own_id = own_id;
		f[i].seq = (uint32_t)i << 24;
		r[i].f = &f[i];
		r[i].count = count / threads;
		pthread_create(&r[i].thread, NULL, fuzz_loop, &r[i]);
	}
	for (int i = 0; i < threads; i++) {
		struct stats *s = &f[i].st;

		pthread_join(r[i].thread, NULL);
		for (int k = 0; k < INITS; k++)
			if (f[i].inits[k] > 0)
				kill(f[i].inits[k], SIGKILL);
		sum->sent += s->sent;
		sum->datagrams += s->datagrams;
		sum->acks += s->acks;
		sum->data += s->data;
		sum->errors += s->errors;
		sum->with_msg += s->with_msg;
		sum->core += s->core;
		sum->started += s->started;
		if (s->bad && !sum->bad)
			memcpy(sum->first_bad, s->first_bad, sizeof(sum->first_bad));
		sum->bad += s->bad;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	free(f);
	free(r);
}

/* Stop and delete every VE: the fuzzers make them with any ID. */
static void cleanup(struct ve_nl *nl)
{
	/* A loaded TCG guest has taken more than 10 s to stop one. */
	ve_delete_all(nl, 30000);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void report(struct __test_metadata *_metadata, const char *who,
		   const struct stats *s, unsigned long count)
{
	TH_LOG("%s: %lu messages in %lu datagrams: %lu acks, %lu replies, %lu rejects (%lu with a message, %lu by genetlink)",
	       who, s->sent, s->datagrams, s->acks, s->data, s->errors, s->with_msg, s->core);
	EXPECT_LE(count / HOST_THREADS * HOST_THREADS, s->sent);
	EXPECT_EQ(0, s->bad) {
		TH_LOG("%s: %lu bad answers, first: %s", who, s->bad, s->first_bad);
	}
	EXPECT_LT(0, s->with_msg);
}

FIXTURE(fuzz) {
	struct ve_nl nl;
	long ves, charges;
	uint64_t seed;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	cleanup(&self->nl);
	self->ves = ve_slab_objects("ve");
	self->charges = ve_slab_objects("ve_charge");
	self->seed = fuzz_seed();
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(fuzz)
{
	cleanup(&self->nl);
	ve_nl_close(&self->nl);
}

/* The module's objects go back to their counts (records go after RCU). */
static bool slabs_return(struct __test_metadata *_metadata, long ves, long charges)
{
	long v = -1, c = -1;

	if (ve_has_kasan()) {
		TH_LOG("KASAN quarantines freed objects: slab counts not compared");
		return true;
	}
	/*
	 * A record goes when the last charge on it does, and the sockets of
	 * a stopped VE go with its network namespace, which the kernel takes
	 * apart in a work item of its own: on a loaded TCG guest that took
	 * more than 30 s after a fuzz run. So wait as long as the counts go
	 * down; a leak is a count that stays put for 30 s.
	 */
	for (int still = 0, i = 0; still < 300 * ve_time_scale() && i < 6000; i++) {
		long pv = v, pc = c;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		v = ve_slab_objects("ve");
		c = ve_slab_objects("ve_charge");
		if (v <= ves && c <= charges)
			return true;
		still = v < pv || c < pc ? 0 : still + 1;
		usleep(100000);
	}
	TH_LOG("slab objects: ve %ld (was %ld), ve_charge %ld (was %ld)", v, ves, c, charges);
	{
		/* Registered ones (a stop that did not finish), or only held? */
		char out[4096], err[512];

		run_vectl(out, sizeof(out), err, sizeof(err), "list -a -H -o ctid,status,numproc");
		TH_LOG("VEs the module still has: %s", *out ? out : "none");
	}
	return false;
}

TEST_F_TIMEOUT(fuzz, as_host_root, 3600)
{
	unsigned long count = fuzz_count();
	struct stats s;

	TH_LOG("seed %llu (VE_FUZZ_SEED repeats it)", (unsigned long long)self->seed);
	ASSERT_LE(0, self->ves);
	fuzz(AS_HOST, HOST_THREADS, count, self->seed, 0, &s);
	report(_metadata, "host root", &s, count);
	TH_LOG("host root: %lu VEs started by the valid runs", s.started);
	EXPECT_LT(0, s.started);
	cleanup(&self->nl);
	EXPECT_TRUE(slabs_return(_metadata, self->ves, self->charges));
}

TEST_F_TIMEOUT(fuzz, as_unprivileged_user, 3600)
{
	unsigned long count = fuzz_count();
	struct stats *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, s);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(1);
		fuzz(AS_USER, HOST_THREADS, count, self->seed + 1, 0, s);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	report(_metadata, "unprivileged user", s, count);
	EXPECT_EQ(0, s->started);
	EXPECT_TRUE(slabs_return(_metadata, self->ves, self->charges));
}

struct inside {
	unsigned long count;
	uint64_t seed;
	struct stats *s;
};

static int fuzz_inside(void *arg)
{
	struct inside *in = arg;

	fuzz(AS_VE, HOST_THREADS, in->count, in->seed, FUZZ_VE_ID, in->s);
	return 0;
}

TEST_F_TIMEOUT(fuzz, as_root_inside_a_ve, 3600)
{
	struct inside in = { .count = fuzz_count(), .seed = self->seed + 2 };
	struct ve_child c;
	struct ve_info info;
	int status;

	in.s = mmap(NULL, sizeof(*in.s), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, in.s);
	ASSERT_EQ(0, veapi_new(&self->nl, FUZZ_VE_ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&c, VE_CHILD_NS, NULL, fuzz_inside, &in));
	ASSERT_EQ(0, veapi_start(&self->nl, FUZZ_VE_ID, c.pid)) {
		TH_LOG("START: %s", self->nl.err.msg);
	}
	ve_child_go(&c);
	status = ve_child_wait(&c);
	ASSERT_EQ(0, status);
	report(_metadata, "root inside a VE", in.s, in.count);
	EXPECT_EQ(0, in.s->started);
	/* Nothing it sent changed a thing. */
	ASSERT_TRUE(veapi_wait_state(&self->nl, FUZZ_VE_ID, VE_STATE_STOPPED, 10000));
	ASSERT_EQ(0, veapi_get(&self->nl, FUZZ_VE_ID, &info));
	for (uint32_t id = FUZZ_FIRST_ID; id < FUZZ_FIRST_ID + FUZZ_IDS; id++)
		EXPECT_EQ(-ENOENT, veapi_get(&self->nl, id, &info));
	EXPECT_EQ(0, veapi_del(&self->nl, FUZZ_VE_ID));
	EXPECT_TRUE(slabs_return(_metadata, self->ves, self->charges));
}

/* Last: the module still unloads (nothing leaked a reference) and reloads. */
TEST_F(fuzz, module_unloads_afterwards)
{
	cleanup(&self->nl);
	ve_nl_close(&self->nl);
	ASSERT_EQ(0, ve_module_unload());
	ASSERT_EQ(0, ve_module_load());
	ASSERT_EQ(0, ve_nl_open(&self->nl));
}

TEST_HARNESS_MAIN
