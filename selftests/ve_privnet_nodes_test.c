// SPDX-License-Identifier: GPL-2.0
/*
 * Customer networks across two nodes (scripts/vm VM_NODES=2; node2 by
 * ssh): two customers, each with a VE on either node, on networks of the
 * same subnet joined by VXLAN: each VE reaches its own peer on the other
 * node and never the other customer's; an encrypted network (--encrypt,
 * keys fetched by vectl over ssh) shows the LAN only WireGuard's UDP;
 * deleting leaves nothing.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
		"for i in 361 362 363 364 365 366; do vectl stop $i --fast; vectl destroy $i;"
		" rm -f /etc/ve/conf/$i.conf.destroyed; done >/dev/null 2>&1;"
		" for n in custx custy custz; do vectl network delete $n; done >/dev/null 2>&1";

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
		on(self, node, "/usr/sbin/ip -o link | grep -c ' vn[bx][0-9]*[:@]\\| vewg0:'");
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

/* An AF_PACKET socket on the LAN device of this node (the one with 10.97.0.1). */
static int lan_capture(FIXTURE_DATA(pnn) *self)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	char dev[IF_NAMESIZE + 1];
	int fd;

	if (on(self, 1, "/usr/sbin/ip -o -4 addr show | awk '/ 10\\.97\\.0\\.1\\// { print $2 }'") ||
	    sscanf(self->out, "%16s", dev) != 1)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Until @fd is quiet for 500 ms: VXLAN packets of VNI @vni (UDP 4789) in
 * *@n_vx, WireGuard's (UDP 51820) in *@n_wg.
 */
static void count_lan(int fd, unsigned int vni, int *n_vx, int *n_wg)
{
	unsigned char buf[2048];

	*n_vx = *n_wg = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const struct iphdr *ip = (const struct iphdr *)(buf + ETH_HLEN);
		const struct udphdr *udp;
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			return;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < ETH_HLEN + (ssize_t)sizeof(*ip) || ip->protocol != IPPROTO_UDP ||
		    n < ETH_HLEN + ip->ihl * 4 + (ssize_t)sizeof(*udp))
			continue;
		udp = (const struct udphdr *)(buf + ETH_HLEN + ip->ihl * 4);
		if (ntohs(udp->dest) == 4789 && n >= (const unsigned char *)(udp + 1) - buf + 8) {
			const unsigned char *vx = (const unsigned char *)(udp + 1);

			if (((unsigned int)vx[4] << 16 | vx[5] << 8 | vx[6]) == vni)
				(*n_vx)++;
		}
		if (ntohs(udp->source) == 51820 || ntohs(udp->dest) == 51820)
			(*n_wg)++;
	}
}

/* Network @name's VNI, as vectl network list says, or 0. */
static unsigned int vni_of(FIXTURE_DATA(pnn) *self, const char *name)
{
	unsigned int vni = 0;

	if (on(self, 1, "vectl network list -H | awk '$1 == \"%s\" { print $2 }'", name) == 0)
		sscanf(self->out, "%u", &vni);
	return vni;
}

TEST_F_TIMEOUT(pnn, encrypted_network_shows_the_lan_only_wireguard, 600)
{
	unsigned int vni_z, vni_x;
	int fd, vxlan, wg;

	/* Keys asked of the other node over ssh; the tunnel appears with the first member. */
	for (int node = 1; node <= 2; node++) {
		ASSERT_EQ(0, on(self, node, "vectl network create custz --subnet 10.80.0.0/24 --encrypt --peer 10.97.0.%d",
				3 - node)) TH_LOG("node%d: %s", node, self->err);
		EXPECT_NE(NULL, strstr(self->out, "encrypted")) TH_LOG("%s", self->out);
	}
	ASSERT_EQ(0, on(self, 2, "vectl network key")) TH_LOG("%s", self->err);
	{
		char key[64] = "";

		sscanf(self->out, "%63s", key);
		ASSERT_EQ(0, on(self, 1, "grep -q 'PEER_KEYS=\"%s\"' /etc/ve/networks/custz.conf", key));
	}
	ASSERT_EQ(0, member(self, 1, 365, "custz", "10.80.0.1")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, member(self, 2, 366, "custz", "10.80.0.2")) TH_LOG("%s", self->err);

	vni_z = vni_of(self, "custz");
	vni_x = vni_of(self, "custx");
	ASSERT_NE(0, vni_z);
	ASSERT_NE(0, vni_x);
	fd = lan_capture(self);
	ASSERT_GE(fd, 0);
	EXPECT_STREQ("ve-366", who(self, 1, 365, "10.80.0.2"));
	EXPECT_EQ(0, on(self, 1, "vectl exec 365 ping -c 3 -w 6 -s 1300 10.80.0.2")) TH_LOG("%s", self->out);
	count_lan(fd, vni_z, &vxlan, &wg);
	EXPECT_EQ(0, vxlan) TH_LOG("custz's VXLAN in the clear on the LAN");
	EXPECT_GT(wg, 4);
	/* The capture sees VXLAN when it is there: custx is not encrypted. */
	EXPECT_STREQ("ve-362", who(self, 1, 361, "10.70.0.2"));
	count_lan(fd, vni_x, &vxlan, &wg);
	EXPECT_GT(vxlan, 2);
	close(fd);

	/* The tunnel goes with the last encrypted network. */
	ASSERT_EQ(0, on(self, 1, "vectl stop 365 && vectl destroy 365 && vectl network delete custz"))
		TH_LOG("%s", self->err);
	EXPECT_NE(0, on(self, 1, "/usr/sbin/ip link show vewg0"));
}

TEST_HARNESS_MAIN
