// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input: every command crossed with missing, zero, too large, wrongly
 * typed and unknown attributes, plus the semantic refusals (NEW of an
 * existing ID, DEL of a running VE, limit below barrier, ...). Each must
 * fail with the documented errno and an extack message, and change nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define STOPPED_ID 301
#define RUNNING_ID 302
#define MISSING_ID 999

static const uint8_t cmds[] = {
	VE_CMD_NEW, VE_CMD_DEL, VE_CMD_GET, VE_CMD_SET, VE_CMD_START, VE_CMD_STOP,
};

static const char *cmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		[VE_CMD_NEW] = "NEW", [VE_CMD_DEL] = "DEL", [VE_CMD_GET] = "GET",
		[VE_CMD_SET] = "SET", [VE_CMD_START] = "START", [VE_CMD_STOP] = "STOP",
	};
	return names[cmd];
}

/* A valid rest of the request, so that only the bad part is bad. */
static void put_rest(struct nlmsghdr *nlh, uint8_t cmd)
{
	if (cmd == VE_CMD_START)
		mnl_attr_put_u32(nlh, VE_A_INIT_PID, 1);
}

/* The whole visible state, to compare before and after. */
struct snapshot {
	int n;
	struct ve_info ve[4];
};

static int snap_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snapshot *s = data;

	if (s->n < 4)
		veapi_parse_info(nlh, &s->ve[s->n]);
	s->n++;
	return MNL_CB_OK;
}

static int snapshot(struct ve_nl *nl, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	ve_nl_msg(nl, VE_CMD_GET, NLM_F_DUMP);
	return ve_nl_run(nl, snap_cb, s);
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n && i < 4; i++) {
		const struct ve_info *x = &a->ve[i], *y = &b->ve[i];

		if (x->id != y->id || x->state != y->state ||
		    x->init_pid != y->init_pid ||
		    memcmp(x->barrier, y->barrier, sizeof(x->barrier)) ||
		    memcmp(x->limit, y->limit, sizeof(x->limit)))
			return false;
	}
	return true;
}

static int sleep_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

FIXTURE(bad) {
	struct ve_nl nl;
	struct ve_child child;
	struct snapshot before;
	struct nl_err last;		/* the refusal expect_refused() saw */
	char last_req[4096];		/* and the request it answered */
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	ASSERT_EQ(0, veapi_new(&self->nl, STOPPED_ID, NULL));
	ASSERT_EQ(0, veapi_set_res(&self->nl, STOPPED_ID, VE_RES_NUMPROC, 10, 20));
	ASSERT_EQ(0, veapi_new(&self->nl, RUNNING_ID, NULL));
	ASSERT_EQ(0, ve_child_spawn(&self->child, VE_CHILD_NS, NULL,
				    sleep_forever, NULL));
	ASSERT_EQ(0, veapi_start(&self->nl, RUNNING_ID, self->child.pid));
	ve_child_go(&self->child);
	ASSERT_EQ(0, snapshot(&self->nl, &self->before));
	ASSERT_EQ(2, self->before.n);
}

FIXTURE_TEARDOWN(bad)
{
	veapi_stop(&self->nl, RUNNING_ID);
	ve_child_wait(&self->child);
	veapi_wait_state(&self->nl, RUNNING_ID, VE_STATE_STOPPED, 5000);
	veapi_del(&self->nl, RUNNING_ID);
	veapi_del(&self->nl, STOPPED_ID);
	ve_nl_close(&self->nl);
}

/* Run nl->req; it must fail with @err and a message, and change nothing. */
static void expect_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(bad) *self, const char *what, int err,
			   bool want_attr)
{
	struct snapshot after;
	int got = ve_nl_run(&self->nl, NULL, NULL);

	self->last = self->nl.err;
	memcpy(self->last_req, self->nl.req, self->nl.req->nlmsg_len);

	EXPECT_EQ(err, got) {
		TH_LOG("%s: got %d (%s)", what, got, self->nl.err.msg);
	}
	EXPECT_NE('\0', self->nl.err.msg[0]) {
		TH_LOG("%s: no extack message (off %d:%u miss %d:%u)", what,
		       self->nl.err.has_off, self->nl.err.off,
		       self->nl.err.has_miss, self->nl.err.miss_type);
	}
	if (want_attr)
		EXPECT_TRUE(self->nl.err.has_off || self->nl.err.has_miss) {
			TH_LOG("%s: the message names no attribute", what);
		}
	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(same(&self->before, &after)) {
		TH_LOG("%s: state changed", what);
	}
}

TEST_F(bad, id_attribute_table)
{
	char what[64];

	for (unsigned int i = 0; i < sizeof(cmds); i++) {
		uint8_t cmd = cmds[i];
		uint16_t u16 = 5;
		uint64_t u64 = STOPPED_ID;
		struct nlmsghdr *nlh;

		if (cmd != VE_CMD_GET) {	/* GET without ID is valid */
			snprintf(what, sizeof(what), "%s without VE_A_ID", cmd_name(cmd));
			put_rest(ve_nl_msg(&self->nl, cmd, 0), cmd);
			expect_refused(_metadata, self, what, -EINVAL, true);
			EXPECT_TRUE(self->last.has_miss &&
				    self->last.miss_type == VE_A_ID);
		}

		snprintf(what, sizeof(what), "%s with ID 0", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put_u32(nlh, VE_A_ID, 0);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -ERANGE, true);

		snprintf(what, sizeof(what), "%s with ID 2^31", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put_u32(nlh, VE_A_ID, 1U << 31);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -ERANGE, true);

		snprintf(what, sizeof(what), "%s with ID -1", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put_u32(nlh, VE_A_ID, UINT32_MAX);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -ERANGE, true);

		snprintf(what, sizeof(what), "%s with a u16 ID", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put(nlh, VE_A_ID, sizeof(u16), &u16);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -EINVAL, true);

		snprintf(what, sizeof(what), "%s with a u64 ID", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put(nlh, VE_A_ID, sizeof(u64), &u64);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -EINVAL, true);

		snprintf(what, sizeof(what), "%s with an unknown attribute", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
		mnl_attr_put_u32(nlh, 200, 1);
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -EINVAL, true);

		/* A reply-only string attribute, oversized, in a request. */
		snprintf(what, sizeof(what), "%s with an oversized string", cmd_name(cmd));
		nlh = ve_nl_msg(&self->nl, cmd, 0);
		mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
		{
			char big[2000];

			memset(big, 'x', sizeof(big) - 1);
			big[sizeof(big) - 1] = '\0';
			mnl_attr_put_strz(nlh, VE_A_MODULE_VERSION, big);
		}
		put_rest(nlh, cmd);
		expect_refused(_metadata, self, what, -EINVAL, true);

		if (cmd != VE_CMD_NEW) {
			snprintf(what, sizeof(what), "%s of an unknown VE", cmd_name(cmd));
			nlh = ve_nl_msg(&self->nl, cmd, 0);
			mnl_attr_put_u32(nlh, VE_A_ID, MISSING_ID);
			put_rest(nlh, cmd);
			expect_refused(_metadata, self, what, -ENOENT, true);
		}
	}
}

TEST_F(bad, semantic_refusals)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	ve_nl_msg(&self->nl, VE_CMD_NEW, 0);
	mnl_attr_put_u32(self->nl.req, VE_A_ID, STOPPED_ID);
	expect_refused(_metadata, self, "NEW of an existing ID", -EEXIST, true);

	ve_nl_msg(&self->nl, VE_CMD_DEL, 0);
	mnl_attr_put_u32(self->nl.req, VE_A_ID, RUNNING_ID);
	expect_refused(_metadata, self, "DEL of a running VE", -EBUSY, false);

	ve_nl_msg(&self->nl, VE_CMD_STOP, 0);
	mnl_attr_put_u32(self->nl.req, VE_A_ID, STOPPED_ID);
	expect_refused(_metadata, self, "STOP of a stopped VE", -ESRCH, false);

	nlh = ve_nl_msg(&self->nl, VE_CMD_START, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	expect_refused(_metadata, self, "START without VE_A_INIT_PID", -EINVAL, true);
	EXPECT_EQ(VE_A_INIT_PID, self->last.miss_type);

	nlh = ve_nl_msg(&self->nl, VE_CMD_START, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	mnl_attr_put_u32(nlh, VE_A_INIT_PID, 0);
	expect_refused(_metadata, self, "START with pid 0", -ERANGE, true);

	nlh = ve_nl_msg(&self->nl, VE_CMD_START, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, RUNNING_ID);
	mnl_attr_put_u32(nlh, VE_A_INIT_PID, 1);
	expect_refused(_metadata, self, "START of a running VE", -EBUSY, false);

	/* SET: the limit below the barrier names VE_A_RES_LIMIT. */
	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, VE_RES_NUMFILE);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 100);
	mnl_attr_put_u64(nlh, VE_A_RES_LIMIT, 50);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "limit below barrier", -EINVAL, true);
	EXPECT_STREQ("ve: res.limit below res.barrier", self->last.msg);
	EXPECT_STREQ("res.limit", ve_attr_name_at((struct nlmsghdr *)self->last_req, self->last.off) ?: "");

	/* A good resource then a bad one: all or nothing. */
	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, VE_RES_NUMPROC);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 1);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, 4);	/* OpenVZ's unused "dummy" */
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 1);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "unknown resource", -EINVAL, true);
	EXPECT_STREQ("res.id", ve_attr_name_at((struct nlmsghdr *)self->last_req, self->last.off) ?: "");

	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, VE_RES_MAX + 1);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 1);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "resource ID out of range", -ERANGE, true);

	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 1);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "resource without ID", -EINVAL, true);
	EXPECT_TRUE(self->last.has_miss);
	EXPECT_EQ(VE_A_RES_ID, self->last.miss_type);

	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, VE_RES_NUMPROC);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "resource without values", -EINVAL, true);

	/* held, maxheld and failcnt are reported, never set. */
	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, VE_RES_NUMPROC);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 1);
	mnl_attr_put_u64(nlh, VE_A_RES_FAILCNT, 0);
	mnl_attr_nest_end(nlh, nest);
	expect_refused(_metadata, self, "res.failcnt in a request", -EINVAL, true);
	EXPECT_STREQ("res.failcnt", ve_attr_name_at((struct nlmsghdr *)self->last_req, self->last.off) ?: "");

	nlh = ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	mnl_attr_put_u32(nlh, VE_A_RES, 5);	/* not a nest */
	expect_refused(_metadata, self, "VE_A_RES not nested", -EINVAL, true);

	/* GET takes one selector; a dump takes none. */
	nlh = ve_nl_msg(&self->nl, VE_CMD_GET, 0);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	mnl_attr_put_u32(nlh, VE_A_PID, 1);
	expect_refused(_metadata, self, "GET with two selectors", -EINVAL, false);

	/* 6.1 carries only the message, not the offset, at the end of a dump. */
	nlh = ve_nl_msg(&self->nl, VE_CMD_GET, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, VE_A_ID, STOPPED_ID);
	expect_refused(_metadata, self, "dump with a selector", -EINVAL, false);
}

TEST_HARNESS_MAIN
