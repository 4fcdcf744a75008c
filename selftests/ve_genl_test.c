// SPDX-License-Identifier: GPL-2.0
/*
 * The "ve" generic netlink family of a loaded ve.ko: it resolves, answers
 * GET with the module's version, and rejects malformed requests with an
 * extack message that points at the bad attribute.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "veapi.h"
#include "kselftest_harness.h"

static void read_sysfs(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

FIXTURE(genl) {
	struct ve_nl nl;
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl)) {
		TH_LOG("cannot resolve family \"ve\": is ve.ko loaded?");
	}
}

FIXTURE_TEARDOWN(genl)
{
	ve_nl_close(&self->nl);
}

TEST_F(genl, family_resolves)
{
	EXPECT_NE(0, self->nl.family);
	EXPECT_EQ(VE_FAMILY_VERSION, self->nl.version);
	EXPECT_NE(0, self->nl.events_grp) {
		TH_LOG("multicast group \"events\" missing");
	}
}

static int count_msgs(const struct nlmsghdr *nlh, void *data)
{
	(*(int *)data)++;
	return MNL_CB_OK;
}

TEST_F(genl, get_replies_with_versions)
{
	struct ve_module mi;
	char sysver[64];
	int n_msgs = 0;

	ve_nl_msg(&self->nl, VE_CMD_GET, 0);
	ASSERT_EQ(0, ve_nl_run(&self->nl, count_msgs, &n_msgs));
	EXPECT_EQ(1, n_msgs);
	ASSERT_EQ(0, veapi_module(&self->nl, &mi));
	read_sysfs("/sys/module/ve/version", sysver, sizeof(sysver));
	ASSERT_NE('\0', sysver[0]);
	EXPECT_STREQ(sysver, mi.version);
	EXPECT_EQ(VE_FAMILY_VERSION, mi.abi);
}

/* Each bad request fails with @errno, an extack message, and the offset. */
static void expect_rejected(struct __test_metadata *_metadata,
			    struct ve_nl *nl, int errno_, const char *what)
{
	int err = ve_nl_run(nl, NULL, NULL);

	EXPECT_EQ(-errno_, err) {
		TH_LOG("%s: got %d", what, err);
	}
	EXPECT_NE('\0', nl->err.msg[0]) {
		TH_LOG("%s: no extack message", what);
	}
	EXPECT_TRUE(nl->err.has_off) {
		TH_LOG("%s: no bad-attribute offset", what);
	}
	EXPECT_EQ(NLMSG_HDRLEN + sizeof(struct genlmsghdr), nl->err.off);
}

TEST_F(genl, get_rejects_unknown_attribute)
{
	struct nlmsghdr *nlh = ve_nl_msg(&self->nl, VE_CMD_GET, 0);

	mnl_attr_put_u32(nlh, VE_A_MAX + 7, 1);
	expect_rejected(_metadata, &self->nl, EINVAL, "unknown attribute");
}

TEST_F(genl, get_rejects_id_zero)
{
	struct nlmsghdr *nlh = ve_nl_msg(&self->nl, VE_CMD_GET, 0);

	mnl_attr_put_u32(nlh, VE_A_ID, 0);
	expect_rejected(_metadata, &self->nl, ERANGE, "VE_A_ID 0");
}

TEST_F(genl, get_rejects_id_above_max)
{
	struct nlmsghdr *nlh = ve_nl_msg(&self->nl, VE_CMD_GET, 0);

	mnl_attr_put_u32(nlh, VE_A_ID, VE_ID_MAX + 1U);
	expect_rejected(_metadata, &self->nl, ERANGE, "VE_A_ID 2^31");
}

TEST_F(genl, get_rejects_wrong_length)
{
	struct nlmsghdr *nlh = ve_nl_msg(&self->nl, VE_CMD_GET, 0);

	mnl_attr_put_u16(nlh, VE_A_ID, 101);
	expect_rejected(_metadata, &self->nl, EINVAL, "VE_A_ID as u16");
}

TEST_F(genl, unknown_command_is_refused)
{
	ve_nl_msg(&self->nl, VE_CMD_MAX + 1, 0);
	EXPECT_EQ(-EOPNOTSUPP, ve_nl_run(&self->nl, NULL, NULL));
}

TEST_HARNESS_MAIN
