// SPDX-License-Identifier: GPL-2.0
/*
 * Customer networks on one node: two customers' networks with the same
 * subnet and the same addresses; each VE reaches its own peers (ping,
 * TCP) and never the other customer's: a capture on the other network's
 * bridge sees none of its ARP, broadcast or unicast frames. Joining and
 * leaving a running VE's network live; nothing left after delete; every
 * bad input changes nothing.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

/* Customer a: 351 and 352; customer b: 353 and 354, with the same addresses. */
#define A1 351
#define A2 352
#define B1 353
#define B2 354
#define X1 "10.50.0.1"
#define X2 "10.50.0.2"
#define IP "/usr/sbin/ip"

FIXTURE(pn) {
	char out[16384];
	char err[4096];
	char br_a[IF_NAMESIZE], br_b[IF_NAMESIZE];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static void clean(FIXTURE_DATA(pn) *self)
{
	SH("for i in 351 352 353 354 355; do vectl stop $i --fast; vectl destroy $i;"
	   " rm -f /etc/ve/conf/$i.conf.destroyed; done >/dev/null 2>&1;"
	   " vectl network delete custa; vectl network delete custb; vectl network delete custc");
}

/* The bridge of network @name, as vectl network list names it. */
static int bridge_of(FIXTURE_DATA(pn) *self, const char *name, char *buf)
{
	if (V("network list -H"))
		return -1;
	for (char *l = strtok(self->out, "\n"); l; l = strtok(NULL, "\n")) {
		char n[32], br[IF_NAMESIZE];
		unsigned int vni;

		if (sscanf(l, "%31s %u %*s %15s", n, &vni, br) == 3 && !strcmp(n, name)) {
			memcpy(buf, br, IF_NAMESIZE);
			return 0;
		}
	}
	return -1;
}

static bool booted(FIXTURE_DATA(pn) *self, unsigned int id)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (V("exec %u test -e /run/booted", id) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

FIXTURE_SETUP(pn)
{
	clean(self);
	ASSERT_EQ(0, V("network create custa --subnet 10.50.0.0/24")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("network create custb --subnet 10.50.0.0/24")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, bridge_of(self, "custa", self->br_a));
	ASSERT_EQ(0, bridge_of(self, "custb", self->br_b));
	ASSERT_STRNE(self->br_a, self->br_b);
	for (unsigned int id = A1; id <= B2; id++) {
		const char *net = id < B1 ? "custa" : "custb";
		const char *addr = id == A1 || id == B1 ? X1 : X2;

		ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", id)) TH_LOG("%s", self->err);
		ASSERT_EQ(0, V("set %u --network %s,%s/24 --save", id, net, addr)) TH_LOG("%s", self->err);
	}
}

FIXTURE_TEARDOWN(pn)
{
	clean(self);
	/* Nothing of the networks is left: no bridge, no file. */
	SH(IP " -o link | grep -c ' vn[bx][0-9]*[:@]'");
	EXPECT_STREQ("0\n", self->out);
	EXPECT_NE(0, access("/etc/ve/networks/custa.conf", F_OK));
	EXPECT_NE(0, access("/etc/ve/networks/custa.fw", F_OK));
	/* Nor any nftables object of ve's. */
	SH("/usr/sbin/nft list tables");
	EXPECT_EQ(NULL, strstr(self->out, " ve\n")) TH_LOG("%s", self->out);
}

static void start_all(struct __test_metadata *_metadata, FIXTURE_DATA(pn) *self)
{
	for (unsigned int id = A1; id <= B2; id++) {
		ASSERT_EQ(0, V("start %u", id)) TH_LOG("%u: %s", id, self->err);
	}
	for (unsigned int id = A1; id <= B2; id++) {
		ASSERT_TRUE(booted(self, id));
		/* A server that says which VE answered. */
		ASSERT_EQ(0, V("exec %u 'nc -ll -p 7 -e /bin/echo ve-%u >/dev/null 2>&1 &'", id, id));
		ASSERT_TRUE(ve_wait_listen(id, 7));
	}
}

/* What VE @from gets from port 7 of @addr: "ve-ID", or "". */
static const char *who(FIXTURE_DATA(pn) *self, unsigned int from, const char *addr)
{
	if (V("exec %u 'echo x | nc -w 3 %s 7'", from, addr))
		return "";
	self->out[strcspn(self->out, "\n")] = '\0';
	return self->out;
}

/* An AF_PACKET socket seeing every frame on bridge @dev (promiscuous: forwarded ones too). */
static int capture(const char *dev)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };

	sll.sll_ifindex = (int)if_nametoindex(dev);
	mr.mr_ifindex = sll.sll_ifindex;
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Frames read from @fd within @ms whose source MAC is @mac. */
static int frames_from(int fd, const unsigned char mac[6], int ms)
{
	struct timespec t0, t;
	unsigned char buf[2048];
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return n;
		if (recv(fd, buf, sizeof(buf), 0) >= 14 && !memcmp(buf + 6, mac, 6))
			n++;
	}
}

/* eth1's MAC in VE @id. */
static int ve_mac(FIXTURE_DATA(pn) *self, unsigned int id, unsigned char mac[6])
{
	unsigned int m[6];

	if (V("exec %u cat /sys/class/net/eth1/address", id) ||
	    sscanf(self->out, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)m[i];
	return 0;
}

/* The test: same subnet, same addresses, each customer only its own. */
TEST_F_TIMEOUT(pn, customers_reach_their_own_never_the_others, 600)
{
	unsigned char mac_a1[6];
	int cap_a, cap_b;

	start_all(_metadata, self);
	ASSERT_EQ(0, V("exec %u ip -o addr show eth1", A1));
	EXPECT_NE(NULL, strstr(self->out, "10.50.0.1/24")) TH_LOG("%s", self->out);

	EXPECT_STREQ("ve-352", who(self, A1, X2));
	EXPECT_STREQ("ve-351", who(self, A2, X1));
	EXPECT_STREQ("ve-354", who(self, B1, X2));
	EXPECT_STREQ("ve-353", who(self, B2, X1));
	EXPECT_EQ(0, V("exec %u ping -c 1 -w 3 " X2, A1));

	/* What 351 sends (ARP broadcasts, unicast) shows on a's bridge and never on b's. */
	ASSERT_EQ(0, ve_mac(self, A1, mac_a1));
	cap_a = capture(self->br_a);
	cap_b = capture(self->br_b);
	ASSERT_GE(cap_a, 0);
	ASSERT_GE(cap_b, 0);
	V("exec %u 'ip neigh flush dev eth1; ping -c 2 -w 3 " X2 "; arping -c 2 -w 3 -I eth1 10.50.0.77;"
	  " echo x | nc -w 2 " X2 " 7'", A1);
	EXPECT_GT(frames_from(cap_a, mac_a1, 500), 3);
	EXPECT_EQ(0, frames_from(cap_b, mac_a1, 500));
	close(cap_a);
	close(cap_b);
	/* The host has no address on either: not on the customers' segments. */
	SH(IP " -o addr show dev %s; " IP " -o addr show dev %s", self->br_a, self->br_b);
	EXPECT_STREQ("", self->out);
	EXPECT_NE(0, V("exec %u ping -c 1 -w 2 10.50.0.254", A1));
}

/* Joining and leaving live, and the config that says so. */
TEST_F_TIMEOUT(pn, join_and_leave_live, 600)
{
	start_all(_metadata, self);
	ASSERT_EQ(0, V("network create custc --subnet 10.60.0.0/24")) TH_LOG("%s", self->err);
	/* The next interface is eth2; the subnet gives the length when none is given. */
	ASSERT_EQ(0, V("set %u --network custc,10.60.0.1 --save", A1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("set %u --network custc,10.60.0.2/24 --save", B1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u ip -o addr show eth2", A1)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "10.60.0.1/24")) TH_LOG("%s", self->out);
	/* Customer a's 351 and b's 353 share custc, and only that. */
	EXPECT_STREQ("ve-353", who(self, A1, "10.60.0.2"));
	EXPECT_STREQ("ve-352", who(self, A1, X2));
	ASSERT_EQ(0, V("network list -H"));
	EXPECT_NE(NULL, strstr(self->out, " 351,353\n")) TH_LOG("%s", self->out);
	/* Refused while members have it in their configs or running. */
	EXPECT_EQ(32, V("network delete custa"));
	EXPECT_TRUE(ve_one_line(self->err));

	ASSERT_EQ(0, V("set %u --network-del custc --save", A1)) TH_LOG("%s", self->err);
	EXPECT_NE(0, V("exec %u ip link show eth2", A1));
	ASSERT_EQ(0, V("set %u --network-del custc --save", B1)) TH_LOG("%s", self->err);
	SH("grep -c network=custc /etc/ve/conf/351.conf /etc/ve/conf/353.conf");
	EXPECT_STREQ("/etc/ve/conf/351.conf:0\n/etc/ve/conf/353.conf:0\n", self->out);
	ASSERT_EQ(0, V("network delete custc")) TH_LOG("%s", self->err);

	/* A stopped member: its interface goes with the VE, the network stays. */
	ASSERT_EQ(0, V("stop %u", A2));
	EXPECT_STREQ("", who(self, A1, X2));
	ASSERT_EQ(0, V("start %u", A2)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A2));
	ASSERT_EQ(0, V("exec %u 'nc -ll -p 7 -e /bin/echo ve-352 >/dev/null 2>&1 &'", A2));
	ASSERT_TRUE(ve_wait_listen(A2, 7));
	EXPECT_STREQ("ve-352", who(self, A1, X2));
}

/* A network's own rules hold on each member's interface on it, and only there. */
TEST_F_TIMEOUT(pn, network_firewall, 600)
{
	const char *p;
	long n = -1;

	start_all(_metadata, self);
	ASSERT_EQ(0, V("exec %u ping -c 1 -w 3 " X2, A1));
	ASSERT_EQ(0, V("firewall --network custa add --dir in --proto icmp --action drop"))
		TH_LOG("%s", self->err);
	EXPECT_NE(0, V("exec %u ping -c 1 -w 2 " X2, A1));
	EXPECT_STREQ("ve-352", who(self, A1, X2));
	/* Customer b's network is not a's: its pings pass. */
	EXPECT_EQ(0, V("exec %u ping -c 1 -w 3 " X2, B1));
	ASSERT_EQ(0, V("firewall --network custa list -j"));
	p = strstr(self->out, "\"packets\": ");
	if (p)
		sscanf(p, "\"packets\": %ld", &n);
	EXPECT_GE(n, 1) TH_LOG("%s", self->out);
	SH("grep FIREWALL= /etc/ve/networks/custa.fw");
	EXPECT_STREQ("FIREWALL=\"in,icmp,drop\"\n", self->out);
	/* A member started later gets the network's rules with its own. */
	ASSERT_EQ(0, V("restart %u", A2)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, A2));
	ASSERT_EQ(0, V("exec %u 'nc -ll -p 7 -e /bin/echo ve-352 >/dev/null 2>&1 &'", A2));
	ASSERT_TRUE(ve_wait_listen(A2, 7));
	EXPECT_NE(0, V("exec %u ping -c 1 -w 2 " X2, A1));
	EXPECT_STREQ("ve-352", who(self, A1, X2));
	/* The VE's own rules still hold beside the network's. */
	ASSERT_EQ(0, V("firewall %u add --dir in --proto tcp --dport 7 --action drop", A2));
	EXPECT_STREQ("", who(self, A1, X2));
	ASSERT_EQ(0, V("firewall %u del 1", A2));
	ASSERT_EQ(0, V("firewall --network custa del 1")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("exec %u ping -c 1 -w 3 " X2, A1));
	EXPECT_NE(0, access("/etc/ve/networks/custa.fw", F_OK));
	/* Bad input: one line, nothing changed. */
	EXPECT_EQ(1, V("firewall --network nosuch list"));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("firewall --network custa del 1"));
	EXPECT_EQ(21, V("firewall --network custa add --dir in --proto icmp --dport 1 --action drop"));
	EXPECT_EQ(20, V("firewall --network custa"));
	EXPECT_NE(0, access("/etc/ve/networks/custa.fw", F_OK));
}

/* Every refusal: one line, its exit code, nothing changed. */
TEST_F_TIMEOUT(pn, bad_input_changes_nothing, 300)
{
	static const struct {
		const char *args;
		int rc;
	} bad_net[] = {
		{ "network create", 20 },
		{ "network create Bad", 21 },
		{ "network create 1abc", 21 },
		{ "network create abcdefghijklmnop", 21 },
		{ "network create custa", 21 },			/* exists */
		{ "network create custd --vni 0", 21 },
		{ "network create custd --vni 16777216", 21 },
		{ "network create custd --subnet 10.0.0.0/33", 21 },
		{ "network create custd --peer 224.0.0.1", 21 },
		{ "network create custd --peer nohost", 21 },
		{ "network create custd --bogus", 20 },
		{ "network delete nosuch", 1 },
		{ "network delete", 20 },
		{ "network frob", 20 },
		{ "network list -x", 20 },
	};
	static const struct {
		const char *args;
		int rc;
	} bad_set[] = {
		{ "--network nosuch", 21 },
		{ "--network custa,10.51.0.1/24", 21 },		/* outside the subnet */
		{ "--network custa,10.50.0.9/16", 21 },		/* not its length */
		{ "--network custa,10.50.0.300/24", 21 },
		{ "--network custa", 21 },			/* on it already */
		{ "--network-del custb", 21 },			/* not on it */
		{ "--network Bad", 21 },
	};
	const char *key = "\"custa\", \"vni\": ", *p;
	char vni[32], conf[8192], now[8192], nets[16384];

	/* Overlapping VNIs: custa's, given to another, is refused. */
	ASSERT_EQ(0, V("network list -j"));
	p = strstr(self->out, key);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p + strlen(key), "%31[0-9]", vni));
	snprintf(nets, sizeof(nets), "%s", self->out);
	EXPECT_EQ(21, V("network create custd --vni %s", vni));
	EXPECT_TRUE(ve_one_line(self->err));
	EXPECT_NE(NULL, strstr(self->err, "custa")) TH_LOG("%s", self->err);
	for (size_t i = 0; i < sizeof(bad_net) / sizeof(bad_net[0]); i++) {
		EXPECT_EQ(bad_net[i].rc, V("%s", bad_net[i].args)) TH_LOG("%s", bad_net[i].args);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad_net[i].args, self->err);
	}
	ASSERT_EQ(0, V("network list -j"));
	EXPECT_STREQ(nets, self->out);
	EXPECT_NE(0, access("/etc/ve/networks/custd.conf", F_OK));

	ve_slurp("/etc/ve/conf/351.conf", conf, sizeof(conf));
	for (size_t i = 0; i < sizeof(bad_set) / sizeof(bad_set[0]); i++) {
		EXPECT_EQ(bad_set[i].rc, V("set %u %s --save", A1, bad_set[i].args))
			TH_LOG("%s", bad_set[i].args);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad_set[i].args, self->err);
		EXPECT_STREQ(conf, ve_slurp("/etc/ve/conf/351.conf", now, sizeof(now)));
	}
	/* A member whose network was removed behind vectl's back: start says which. */
	ASSERT_EQ(0, SH("mv /etc/ve/networks/custa.conf /tmp/custa.conf"));
	EXPECT_EQ(34, V("start %u", A1));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "custa")) TH_LOG("%s", self->err);
	EXPECT_FALSE(ve_root_mounted(A1));
	ASSERT_EQ(0, SH("mv /tmp/custa.conf /etc/ve/networks/custa.conf"));
}

TEST_HARNESS_MAIN
