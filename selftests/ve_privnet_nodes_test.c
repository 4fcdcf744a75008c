// SPDX-License-Identifier: GPL-2.0
/*
 * Customer networks across two nodes (scripts/vm VM_NODES=2; node2 by
 * ssh): two customers, each with a VE on either node, on networks of the
 * same subnet joined by VXLAN: each VE reaches its own peer on the other
 * node and never the other customer's; deleting leaves nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

FIXTURE(pnn) {
	char out[16384];
	char err[4096];
};

#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

#define on(self, node, ...) run_on_node((self)->out, sizeof((self)->out), (self)->err, \
				      sizeof((self)->err), node, __VA_ARGS__)

static void clean(FIXTURE_DATA(pnn) *self)
{
	static const char each[] =
		"for i in 361 362 363 364; do vectl stop $i --fast; vectl destroy $i;"
		" rm -f /etc/ve/conf/$i.conf.destroyed; done >/dev/null 2>&1;"
		" vectl network delete custx; vectl network delete custy";

	on(self, 1, "%s", each);
	on(self, 2, "%s", each);
}

/* VE @id on node @node, on network @net with @addr, booted, answering "ve-ID" on port 7. */
static int member(FIXTURE_DATA(pnn) *self, int node, unsigned int id, const char *net,
		  const char *addr)
{
	return on(self, node,
		  "vectl create %u --ostemplate busybox --layout dir >/dev/null &&"
		  " vectl set %u --network %s,%s/24 --save >/dev/null && vectl start %u >/dev/null &&"
		  " for i in $(seq 100); do vectl exec %u test -e /run/booted && break; sleep 0.2; done &&"
		  " vectl exec %u 'nc -ll -p 7 -e /bin/echo ve-%u >/dev/null 2>&1 &'",
		  id, id, net, addr, id, id, id, id);
}

FIXTURE_SETUP(pnn)
{
	if (ve_env_int("VE_NODES", 1) < 2)
		SKIP(return, "needs two nodes (scripts/vm with VM_NODES=2)");
	clean(self);
	for (int node = 1; node <= 2; node++) {
		ASSERT_EQ(0, on(self, node, "vectl network create custx --subnet 10.70.0.0/24 --peer 10.97.0.%d &&"
				" vectl network create custy --subnet 10.70.0.0/24 --peer 10.97.0.%d",
				3 - node, 3 - node)) TH_LOG("node%d: %s", node, self->err);
	}
	ASSERT_EQ(0, member(self, 1, 361, "custx", "10.70.0.1")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, member(self, 2, 362, "custx", "10.70.0.2")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, member(self, 1, 363, "custy", "10.70.0.1")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, member(self, 2, 364, "custy", "10.70.0.2")) TH_LOG("%s", self->err);
}

FIXTURE_TEARDOWN(pnn)
{
	if (ve_env_int("VE_NODES", 1) < 2)
		return;
	clean(self);
	for (int node = 1; node <= 2; node++) {
		on(self, node, "/usr/sbin/ip -o link | grep -c ' vn[bx][0-9]*[:@]'");
		EXPECT_STREQ("0\n", self->out) TH_LOG("node%d", node);
	}
}

/* What VE @id on node @node gets from port 7 of @addr: "ve-ID", or "". */
static const char *who(FIXTURE_DATA(pnn) *self, int node, unsigned int id, const char *addr)
{
	if (on(self, node, "vectl exec %u 'echo x | nc -w 3 %s 7'", id, addr))
		return "";
	self->out[strcspn(self->out, "\n")] = '\0';
	return self->out;
}

TEST_F_TIMEOUT(pnn, each_customer_reaches_its_own_across_nodes, 600)
{
	EXPECT_STREQ("ve-362", who(self, 1, 361, "10.70.0.2"));
	EXPECT_STREQ("ve-361", who(self, 2, 362, "10.70.0.1"));
	EXPECT_STREQ("ve-364", who(self, 1, 363, "10.70.0.2"));
	EXPECT_STREQ("ve-363", who(self, 2, 364, "10.70.0.1"));
	EXPECT_EQ(0, on(self, 1, "vectl exec 361 ping -c 2 -w 5 10.70.0.2")) TH_LOG("%s", self->out);
	/* A large frame fits: the interfaces take VXLAN's overhead into account. */
	EXPECT_EQ(0, on(self, 1, "vectl exec 361 ping -c 1 -w 5 -s 1400 10.70.0.2"))
		TH_LOG("%s", self->out);
	/* The VXLAN devices carry the two networks' VNIs, one each. */
	EXPECT_EQ(0, on(self, 2, "vectl network list -H | awk '{ print $2 }' | sort -u | wc -l"));
	EXPECT_STREQ("2\n", self->out);
}

TEST_HARNESS_MAIN
