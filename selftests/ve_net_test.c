// SPDX-License-Identifier: GPL-2.0
/*
 * VE networking in routed mode, end to end: vectl plumbs venet0, the
 * module filters and counts on the host end.
 *
 * The guest is the host node. Its "LAN" is a veth pair: uplink0 here
 * (10.99.0.1/24, fd99::1/64) and lan0 in the network namespace "outside"
 * (10.99.0.2, fd99::2), which stands for a client on the LAN. VE A owns
 * 10.99.0.11 and fd99::11, VE B 10.99.0.12 and fd99::12: addresses of the
 * LAN's own prefix, reached through proxy ARP/NDP on uplink0
 * (NEIGHBOUR_DEVS). No packet leaves the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define A 501
#define B 502
#define C 503
#define IP "/usr/sbin/ip"
#define A4 "10.99.0.11"
#define B4 "10.99.0.12"
#define A6 "fd99::11"
#define B6 "fd99::12"
#define HOST4 "10.99.0.1"
#define HOST6 "fd99::1"
#define OUT4 "10.99.0.2"
#define OUT6 "fd99::2"
#define OUTSIDE IP " netns exec outside "

FIXTURE(net) {
	struct ve_nl nl;
	char out[16384];
	char err[4096];
	char base[16384];	/* the host's network before the test */
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)
#define SH(...) run_sh(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

static bool booted(FIXTURE_DATA(net) *self, unsigned int id)
{
	for (int i = 0; i < 100 * ve_time_scale(); i++) {
		if (V("exec %u test -e /run/booted", id) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * What the host has of networking, to compare before and after: not an
 * image's loop record, nor the template mount namespace the first start
 * after boot makes (/run/ve/ns, ns.lock).
 */
static void host_net(FIXTURE_DATA(net) *self, char *buf, size_t len)
{
	SH(IP " -o link | sed 's/^[0-9]*: //; s/@.*//' | sort; " IP " route; " IP " -6 route | grep -v '^fe80\\|^multicast\\|^local'; "
	   IP " neigh show proxy; " IP " -6 neigh show proxy; ls /run/ve 2>/dev/null | grep -v 'keeper\\|\\.loop$\\|^ns'");
	snprintf(buf, len, "%s", self->out);
}

/*
 * host_net() into @buf once it is back to the base, or after 30 s. What a
 * dead VE had goes by its console keeper, whose RTM_DELLINK and neighbour
 * deletions wait for the RTNL behind the kernel's own teardown of earlier
 * runs' namespaces: on a TCG guest that has taken more than 5 s.
 */
static void host_net_settles(FIXTURE_DATA(net) *self, char *buf, size_t len)
{
	for (int i = 0; i < 300 * ve_time_scale(); i++) {
		host_net(self, buf, len);
		if (!strcmp(self->base, buf))
			return;
		usleep(100000);
	}
}

static unsigned int netif_count(FIXTURE_DATA(net) *self)
{
	struct ve_module mod;

	return veapi_module(&self->nl, &mod) ? ~0u : mod.netif_count;
}

static struct ve_info get(FIXTURE_DATA(net) *self, unsigned int id)
{
	struct ve_info info;

	memset(&info, 0, sizeof(info));
	veapi_get(&self->nl, id, &info);
	return info;
}

/* Ping from VE @id (0: the host, -1: outside) until it answers, or not. */
static bool ping(FIXTURE_DATA(net) *self, int id, const char *dst, const char *src)
{
	char opt[64] = "";

	if (src)
		snprintf(opt, sizeof(opt), "-I %s", src);
	/* The first packet waits for proxy ARP (up to 0.8 s): give it three. */
	if (id > 0)
		return V("exec %d 'ping -c 1 -w %d %s %s >/dev/null 2>&1'", id,
			 3 * ve_time_scale(), opt, dst) == 0;
	return SH("%sping -c 1 -w %d %s %s >/dev/null 2>&1", id < 0 ? OUTSIDE : "",
		  3 * ve_time_scale(), opt, dst) == 0;
}

/*
 * A TCP connection from @from (as ping()) to @to's (a VE) address @addr:
 * a line sent from one end arrives at the other.
 */
static bool tcp(FIXTURE_DATA(net) *self, int from, unsigned int to, const char *addr,
		int port)
{
	char want[64];

	snprintf(want, sizeof(want), "hello-%d-%d", from, port);
	if (V("exec %u 'rm -f /tmp/tcp.%d; nc -l -p %d </dev/null >/tmp/tcp.%d 2>&1 &'", to,
	      port, port, port) || !ve_wait_listen(to, port))
		return false;
	if (from > 0)
		V("exec %d 'echo %s | nc -w 3 %s %d'", from, want, addr, port);
	else
		SH("echo %s | %snc -w 3 %s %d", want, from < 0 ? OUTSIDE : "", addr, port);
	for (int i = 0; i < 30; i++) {
		if (V("exec %u cat /tmp/tcp.%d", to, port) == 0 && strstr(self->out, want))
			return true;
		usleep(100000);
	}
	return false;
}

FIXTURE_SETUP(net)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	for (unsigned int id = A; id <= C; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
	}
	SH(IP " netns del outside 2>/dev/null; " IP " link del uplink0 2>/dev/null");
	ASSERT_EQ(0, SH(IP " link add uplink0 type veth peer name lan0 && "
			IP " netns add outside && " IP " link set lan0 netns outside && "
			IP " addr add " HOST4 "/24 dev uplink0 && "
			IP " addr add " HOST6 "/64 dev uplink0 nodad && "
			IP " link set uplink0 up && "
			IP " -n outside addr add " OUT4 "/24 dev lan0 && "
			IP " -n outside addr add " OUT6 "/64 dev lan0 nodad && "
			IP " -n outside link set lan0 up && " IP " -n outside link set lo up"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH("echo 1 > /proc/sys/net/ipv4/ip_forward && "
			"echo 1 > /proc/sys/net/ipv6/conf/all/forwarding"));
	ASSERT_EQ(0, SH("sed -i '/^NEIGHBOUR_DEVS=/d' /etc/ve/ve.conf && "
			"echo 'NEIGHBOUR_DEVS=\"uplink0\"' >> /etc/ve/ve.conf"));
	host_net(self, self->base, sizeof(self->base));
	ASSERT_EQ(0, netif_count(self));
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " A4 " --ipadd " A6, A))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox --ipadd " B4 " --ipadd " B6, B))
		TH_LOG("%s", self->err);
}

FIXTURE_TEARDOWN(net)
{
	char now[16384];

	for (unsigned int id = A; id <= C; id++) {
		V("stop %u --fast", id);
		V("destroy %u", id);
	}
	/* Nothing of any VE's network is left on the host. */
	host_net(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now);
	EXPECT_EQ(0, netif_count(self));
	SH(IP " link del uplink0; " IP " netns del outside; "
	   "sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"detect\"/' /etc/ve/ve.conf");
	ve_nl_close(&self->nl);
}

static void start_both(struct __test_metadata *_metadata, FIXTURE_DATA(net) *self)
{
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", B)) TH_LOG("%s", self->err);
	/* Forwarding is on: start has nothing to warn about. */
	EXPECT_STREQ("", self->err);
	ASSERT_TRUE(booted(self, A));
	ASSERT_TRUE(booted(self, B));
}

/* Two VEs reach each other, the host and the LAN, and are reached. */
TEST_F_TIMEOUT(net, routed_traffic, 300)
{
	struct ve_info ia;

	start_both(_metadata, self);
	ia = get(self, A);
	ASSERT_EQ(2, ia.n_addrs);
	EXPECT_EQ(1, ia.n_netifs);
	EXPECT_EQ(2, netif_count(self));

	/* The VE's side: venet0 with its addresses, routes via the gateways. */
	ASSERT_EQ(0, V("exec %u 'ip -o addr show dev venet0 scope global'", A));
	EXPECT_NE(NULL, strstr(self->out, "inet " A4 "/32")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "inet6 " A6 "/128")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u 'ip route; ip -6 route'", A));
	EXPECT_NE(NULL, strstr(self->out, "default via 169.254.0.1 dev venet0")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "default via fe80::1 dev venet0")) TH_LOG("%s", self->out);
	/* The host's side: a route per address, proxy entries on the uplink. */
	ASSERT_EQ(0, SH(IP " route show " A4 "; " IP " -6 route show " A6 "; " IP " neigh show proxy; "
			IP " -6 neigh show proxy"));
	EXPECT_NE(NULL, strstr(self->out, A4 " dev venet501")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, A6 " dev venet501")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, A4 " dev uplink0 proxy")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, A6 " dev uplink0 proxy")) TH_LOG("%s", self->out);
	/* /proc/vz/veinfo lists the addresses after the task count. */
	ASSERT_EQ(0, SH("grep '^ *%u ' /proc/vz/veinfo", A));
	EXPECT_NE(NULL, strstr(self->out, " " A4)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " " A6)) TH_LOG("%s", self->out);

	EXPECT_TRUE(ping(self, A, B4, NULL));
	EXPECT_TRUE(ping(self, A, B6, NULL));
	EXPECT_TRUE(ping(self, B, A4, NULL));
	EXPECT_TRUE(ping(self, A, HOST4, NULL));
	EXPECT_TRUE(ping(self, A, HOST6, NULL));
	EXPECT_TRUE(ping(self, A, OUT4, NULL));
	EXPECT_TRUE(ping(self, A, OUT6, NULL));
	EXPECT_TRUE(ping(self, 0, A4, NULL));
	EXPECT_TRUE(ping(self, -1, A4, NULL));
	EXPECT_TRUE(ping(self, -1, B4, NULL));
	EXPECT_TRUE(ping(self, -1, A6, NULL));
	EXPECT_TRUE(ping(self, -1, B6, NULL));

	EXPECT_TRUE(tcp(self, A, B, B4, 5001));
	EXPECT_TRUE(tcp(self, B, A, A4, 5002));
	EXPECT_TRUE(tcp(self, B, A, A6, 5003));
	EXPECT_TRUE(tcp(self, -1, A, A4, 5004));
	EXPECT_TRUE(tcp(self, -1, B, B4, 5005));
	EXPECT_TRUE(tcp(self, -1, B, B6, 5006));
}

/* The counters follow the traffic, within headers; GET and /proc agree. */
TEST_F_TIMEOUT(net, counters_match_traffic, 120)
{
	struct ve_info before, after;
	uint64_t d;

	start_both(_metadata, self);
	ASSERT_TRUE(ping(self, A, OUT4, NULL));		/* neighbours known */
	before = get(self, A);
	/* 20 echo requests of 1000 bytes of data: 1028 bytes of IP each. */
	ASSERT_EQ(0, V("exec %u 'ping -c 20 -i 0.05 -s 1000 -w 10 " OUT4 " >/dev/null'", A));
	after = get(self, A);
	d = after.net_out_packets - before.net_out_packets;
	EXPECT_LE(20, d);
	EXPECT_GE(24, d) TH_LOG("%llu packets out for 20", (unsigned long long)d);
	d = after.net_out_bytes - before.net_out_bytes;
	EXPECT_LE(20 * 1028, d);
	EXPECT_GE(20 * 1028 + 4 * 100, d) TH_LOG("%llu bytes out", (unsigned long long)d);
	d = after.net_in_packets - before.net_in_packets;
	EXPECT_LE(20, d);
	EXPECT_GE(24, d) TH_LOG("%llu packets in for 20", (unsigned long long)d);
	d = after.net_in_bytes - before.net_in_bytes;
	EXPECT_LE(20 * 1028, d);
	EXPECT_GE(20 * 1028 + 4 * 100, d) TH_LOG("%llu bytes in", (unsigned long long)d);
	EXPECT_EQ(before.net_dropped, after.net_dropped);

	/* /proc/vz/vznetstat: OpenVZ's table, the same numbers. */
	ASSERT_EQ(0, SH("cat /proc/vz/vznetstat"));
	EXPECT_EQ(0, strncmp(self->out, "Version: 2.2\n", 13)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, SH("awk '$1 == %u { print $3, $5 }' /proc/vz/vznetstat", A));
	after = get(self, A);
	{
		char want[64];

		snprintf(want, sizeof(want), "%llu %llu\n", (unsigned long long)after.net_in_bytes,
			 (unsigned long long)after.net_out_bytes);
		EXPECT_STREQ(want, self->out);
	}
	/* vectl list shows them too, and a set keeps them. */
	ASSERT_EQ(0, V("list -H -o ctid,ip,netin,netout,netdrop %u", A));
	EXPECT_NE(NULL, strstr(self->out, A4)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("set %u --numproc 500", A));
	before = get(self, A);
	EXPECT_LE(after.net_out_bytes, before.net_out_bytes);
}

/* Root in A tries to pass for B, the host and others: all of it dies. */
TEST_F_TIMEOUT(net, spoofing_is_dropped, 300)
{
	static const struct {
		const char *mode, *src, *dst;
	} tries[] = {
		{ "ip4", B4, HOST4 },		/* B's address */
		{ "ip4", HOST4, OUT4 },		/* the host's */
		{ "ip4", "192.0.2.7", OUT4 },	/* anyone's */
		{ "ip6", B6, HOST6 },
		{ "ip6", HOST6, OUT6 },
		{ "arp", B4, HOST4 },		/* "B4 is at my MAC" */
		{ "arp", HOST4, OUT4 },
		{ "na", B6, HOST6 },		/* the same for IPv6 */
		{ "vlan", A4, HOST4 },		/* its own address, but tagged */
	};
	struct ve_info before, after;
	char cmd[128];

	start_both(_metadata, self);
	snprintf(cmd, sizeof(cmd), "cp /selftests/ve_spoof /var/lib/ve/root/%u/ve_spoof", A);
	ASSERT_EQ(0, system(cmd));
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		before = get(self, A);
		ASSERT_EQ(0, V("exec %u '/ve_spoof venet0 %s %s %s 7'", A, tries[i].mode,
			       tries[i].src, tries[i].dst)) TH_LOG("%s", self->err);
		after = get(self, A);
		EXPECT_EQ(7, after.net_dropped - before.net_dropped)
			TH_LOG("%s from %s: %llu dropped of 7", tries[i].mode, tries[i].src,
			       (unsigned long long)(after.net_dropped - before.net_dropped));
	}
	/* The host still knows B4 and B6 where they are. */
	ASSERT_EQ(0, SH(IP " neigh show " B4 "; " IP " -6 neigh show " B6));
	EXPECT_EQ(NULL, strstr(self->out, "venet501")) TH_LOG("%s", self->out);

	/* Taking B's address with the VE's own tools gains nothing either. */
	before = get(self, A);
	ASSERT_EQ(0, V("exec %u 'ip addr add " B4 "/32 dev venet0'", A));
	EXPECT_FALSE(ping(self, A, HOST4, B4));
	EXPECT_FALSE(ping(self, A, OUT4, B4));
	after = get(self, A);
	EXPECT_LT(before.net_dropped, after.net_dropped);
	/* B is unharmed: the LAN and the host still reach it. */
	EXPECT_TRUE(ping(self, -1, B4, NULL));
	EXPECT_TRUE(ping(self, 0, B4, NULL));
	EXPECT_TRUE(ping(self, -1, B6, NULL));
	EXPECT_TRUE(tcp(self, -1, B, B4, 5011));
	EXPECT_EQ(0, get(self, B).net_dropped);
}

/* An address is one VE's: --ipadd of B's is refused and changes nothing. */
TEST_F_TIMEOUT(net, ipadd_of_anothers_address_is_refused, 180)
{
	char conf_before[4096], conf_after[4096];
	struct ve_info ia;
	FILE *f;
	size_t n;

	start_both(_metadata, self);
	f = fopen("/etc/ve/conf/501.conf", "r");
	ASSERT_NE(NULL, f);
	n = fread(conf_before, 1, sizeof(conf_before) - 1, f);
	conf_before[n] = '\0';
	fclose(f);

	EXPECT_EQ(78, V("set %u --ipadd " B4 " --save", A));
	EXPECT_NE(NULL, strstr(self->err, "VE 502")) TH_LOG("%s", self->err);
	EXPECT_EQ(78, V("set %u --ipadd 10.99.0.20 --ipadd " B6, A));
	EXPECT_NE(NULL, strstr(self->err, B6)) TH_LOG("%s", self->err);
	ia = get(self, A);
	EXPECT_EQ(2, ia.n_addrs);
	ASSERT_EQ(0, V("exec %u 'ip -o addr show dev venet0 scope global | wc -l'", A));
	EXPECT_STREQ("2\n", self->out);
	f = fopen("/etc/ve/conf/501.conf", "r");
	ASSERT_NE(NULL, f);
	n = fread(conf_after, 1, sizeof(conf_after) - 1, f);
	conf_after[n] = '\0';
	fclose(f);
	EXPECT_STREQ(conf_before, conf_after);
	/* A stopped VE, and one the module does not know, the same. */
	ASSERT_EQ(0, V("stop %u", B));
	EXPECT_EQ(78, V("set %u --ipadd " B4 " --save", A));
	EXPECT_EQ(78, V("create %u --ostemplate busybox --ipadd " A4, C));
	EXPECT_NE(0, access("/etc/ve/conf/503.conf", F_OK));
	/* And a start whose config was edited to hold another's address. */
	ASSERT_EQ(0, SH("sed -i 's/^IP_ADDRESS=.*/IP_ADDRESS=\"" A4 "\"/' /etc/ve/conf/502.conf"));
	EXPECT_EQ(78, V("start %u", B));
	EXPECT_NE(NULL, strstr(self->err, "VE 501")) TH_LOG("%s", self->err);
	EXPECT_EQ(VE_STATE_STOPPED, get(self, B).state);
}

/* --ipdel on a running VE takes effect at once, in both directions. */
TEST_F_TIMEOUT(net, ipdel_is_live, 240)
{
	start_both(_metadata, self);
	ASSERT_TRUE(ping(self, -1, A4, NULL));
	ASSERT_EQ(0, V("set %u --ipdel " A4, A)) TH_LOG("%s", self->err);
	EXPECT_FALSE(ping(self, -1, A4, NULL));
	EXPECT_FALSE(ping(self, 0, A4, NULL));
	EXPECT_FALSE(ping(self, A, OUT4, NULL));	/* no IPv4 address left */
	EXPECT_TRUE(ping(self, -1, A6, NULL));
	ASSERT_EQ(0, SH(IP " neigh show proxy"));
	EXPECT_EQ(NULL, strstr(self->out, A4)) TH_LOG("%s", self->out);
	EXPECT_EQ(1, get(self, A).n_addrs);
	/* Not saved: the config keeps it. */
	ASSERT_EQ(0, SH("grep IP_ADDRESS /etc/ve/conf/501.conf"));
	EXPECT_NE(NULL, strstr(self->out, A4));

	ASSERT_EQ(0, V("set %u --ipadd 10.99.0.21 --save", A)) TH_LOG("%s", self->err);
	EXPECT_TRUE(ping(self, -1, "10.99.0.21", NULL));
	EXPECT_TRUE(ping(self, A, OUT4, NULL));
	ASSERT_EQ(0, V("set %u --ipdel all --save", A)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, get(self, A).n_addrs);
	EXPECT_FALSE(ping(self, -1, "10.99.0.21", NULL));
	EXPECT_FALSE(ping(self, -1, A6, NULL));
	ASSERT_EQ(0, V("exec %u 'ip -o addr show dev venet0 scope global | wc -l'", A));
	EXPECT_STREQ("0\n", self->out);
}

/* resolv.conf follows --nameserver and --searchdomain, live and at start. */
TEST_F_TIMEOUT(net, resolv_conf, 180)
{
	start_both(_metadata, self);
	ASSERT_EQ(0, V("set %u --nameserver " HOST4 " --nameserver " HOST6 " --searchdomain example.org --save", A));
	ASSERT_EQ(0, V("exec %u cat /etc/resolv.conf", A));
	EXPECT_NE(NULL, strstr(self->out, "search example.org\nnameserver " HOST4 "\nnameserver " HOST6 "\n"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u 'rm /etc/resolv.conf'", A));
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u cat /etc/resolv.conf", A));
	EXPECT_NE(NULL, strstr(self->out, "nameserver " HOST4)) TH_LOG("%s", self->out);
	/* A symlink planted by the VE's root is not followed. */
	ASSERT_EQ(0, V("exec %u 'rm /etc/resolv.conf; ln -s /tmp/victim /etc/resolv.conf'", A));
	EXPECT_NE(0, V("set %u --nameserver 10.99.0.3", A));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(0, V("exec %u test -e /tmp/victim", A));
}

/* Bad input: a clear error in one line, and nothing changes. */
TEST_F_TIMEOUT(net, bad_input, 240)
{
	static const char *const bad[] = {
		"--ipadd 10.99.0.300", "--ipadd 10.99.0.0/24", "--ipadd fd99::5/64",
		"--ipadd fe80::1%venet0", "--ipadd fe80::1", "--ipadd 224.0.0.1",
		"--ipadd 127.0.0.2", "--ipadd 0.0.0.0", "--ipadd ::", "--ipadd ::1",
		"--ipadd 255.255.255.255", "--ipadd ::ffff:10.0.0.1", "--ipadd ''",
		"--ipadd abc", "--ipdel 10.99.0.99", "--nameserver 1.2.3",
		"--searchdomain 'bad domain'",
	};
	char conf_before[16384], cmd[4096];
	size_t used;

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH("cat /etc/ve/conf/501.conf"));
	snprintf(conf_before, sizeof(conf_before), "%s", self->out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = V("set %u %s --save", A, bad[i]);

		EXPECT_EQ(21, rc) TH_LOG("%s: exit %d: %s", bad[i], rc, self->err);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad[i], self->err);
	}
	/* At most addr-max (64) addresses. */
	used = (size_t)snprintf(cmd, sizeof(cmd), "set %u --save", A);
	for (int i = 0; i < 64; i++)
		used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " --ipadd 10.97.0.%d", i + 1);
	EXPECT_EQ(21, V("%s", cmd));
	EXPECT_NE(NULL, strstr(self->err, "64")) TH_LOG("%s", self->err);
	EXPECT_EQ(21, V("create %u --ostemplate busybox --ipadd 10.99.0.0/24", C));
	EXPECT_NE(0, access("/etc/ve/conf/503.conf", F_OK));
	/* A NEIGHBOUR_DEVS name the host does not have stops a start. */
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, SH("sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"nosuchdevice0\"/' /etc/ve/ve.conf"));
	EXPECT_EQ(34, V("start %u", A));
	EXPECT_NE(NULL, strstr(self->err, "nosuchdevice0")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(VE_STATE_STOPPED, get(self, A).state);
	ASSERT_EQ(0, SH("sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"uplink0\"/' /etc/ve/ve.conf"));

	ASSERT_EQ(0, SH("cat /etc/ve/conf/501.conf"));
	EXPECT_STREQ(conf_before, self->out);
	EXPECT_EQ(2, get(self, A).n_addrs);
}

/*
 * NEIGHBOUR_DEVS="detect": an address is answered for on the devices of
 * the main table's default routes, IPv4 and IPv6, every device of a
 * multipath one, and not on a device whose default route is in another
 * table. A VE without addresses needs no uplinks, so a NEIGHBOUR_DEVS
 * the host lacks does not stop its start.
 */
TEST_F_TIMEOUT(net, uplinks_detected_from_default_routes, 240)
{
	ASSERT_EQ(0, SH(IP " link add uplink1 type veth peer name lan1 && "
			IP " link add uplink2 type veth peer name lan2 && "
			"for d in uplink1 lan1 uplink2 lan2; do " IP " link set $d up || exit 1; done && "
			IP " route add default via " OUT4 " dev uplink0 && "
			IP " -6 route add default nexthop via fe80::2 dev uplink0 "
			"nexthop via fe80::3 dev uplink1 && "
			IP " route add default dev uplink2 table 100 && "
			IP " -6 route add default dev uplink2 table 100 && "
			"sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"detect\"/' /etc/ve/ve.conf"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH(IP " neigh show proxy; " IP " -6 neigh show proxy"));
	EXPECT_NE(NULL, strstr(self->out, A4 " dev uplink0 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, A6 " dev uplink0 ")) TH_LOG("%s", self->out);
	/* uplink1 came from the IPv6 route; both families are answered there. */
	EXPECT_NE(NULL, strstr(self->out, A4 " dev uplink1 ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, A6 " dev uplink1 ")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "uplink2")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("stop %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, SH(IP " neigh show proxy; " IP " -6 neigh show proxy"));
	EXPECT_EQ(NULL, strstr(self->out, "uplink")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, SH("sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"nosuchdevice0\"/' /etc/ve/ve.conf"));
	ASSERT_EQ(0, V("create %u --ostemplate busybox", C)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("start %u", C)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("stop %u --fast", C)) TH_LOG("%s", self->err);

	ASSERT_EQ(0, SH("sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"uplink0\"/' /etc/ve/ve.conf && "
			IP " route del default table 100 && " IP " -6 route del default table 100 && "
			IP " -6 route del default && "
			IP " route del default && " IP " link del uplink1 && " IP " link del uplink2"))
		TH_LOG("%s", self->err);
}

/*
 * Bridged: VE C's eth0 on the host bridge br0, which also holds a port to
 * the outside client; the VE sets up its own address, as on a LAN.
 */
TEST_F_TIMEOUT(net, bridged_interface, 300)
{
	struct ve_info before, after;
	char cmd[128];

	ASSERT_EQ(0, SH(IP " link add br0 type bridge && " IP " link set br0 up && "
			IP " link add brport0 type veth peer name lan1 && "
			IP " link set brport0 master br0 && " IP " link set brport0 up && "
			IP " link set lan1 netns outside && "
			IP " -n outside addr add 10.98.0.2/24 dev lan1 && "
			IP " -n outside link set lan1 up")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("create %u --ostemplate busybox", C));
	ASSERT_EQ(0, V("set %u --netif_add 'eth0,,,,br0,10.98.0.5 fd98::5' --save", C))
		TH_LOG("%s", self->err);
	/* vzctl's syntax, with stable MACs and the default host name. */
	ASSERT_EQ(0, SH("grep NETIF /etc/ve/conf/503.conf"));
	EXPECT_NE(NULL, strstr(self->out, "ifname=eth0,mac=02:")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "host_ifname=veth503.0,host_mac=02:")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "bridge=br0,ip=10.98.0.5 fd98::5")) TH_LOG("%s", self->out);
	/* Another VE's address is refused on a bridged interface too. */
	EXPECT_EQ(78, V("set %u --netif_add eth1,,,,br0," A4 " --save", C));
	ASSERT_EQ(0, V("start %u", C)) TH_LOG("%s", self->err);
	ASSERT_TRUE(booted(self, C));
	EXPECT_EQ(2, get(self, C).n_netifs);	/* venet0's and eth0's */
	ASSERT_EQ(0, SH(IP " -o link show veth503.0"));
	EXPECT_NE(NULL, strstr(self->out, "master br0")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, V("exec %u 'ip addr add 10.98.0.5/24 dev eth0'", C));
	EXPECT_TRUE(ping(self, C, "10.98.0.2", NULL));
	EXPECT_TRUE(ping(self, -1, "10.98.0.5", NULL));
	EXPECT_TRUE(tcp(self, -1, C, "10.98.0.5", 5021));

	/* A forged MAC, and a source that is not on the list, are dropped. */
	snprintf(cmd, sizeof(cmd), "cp /selftests/ve_spoof /var/lib/ve/root/%u/ve_spoof", C);
	ASSERT_EQ(0, system(cmd));
	before = get(self, C);
	ASSERT_EQ(0, V("exec %u '/ve_spoof eth0 mac 10.98.0.5 10.98.0.2 7'", C));
	after = get(self, C);
	EXPECT_EQ(7, after.net_dropped - before.net_dropped);
	before = after;
	ASSERT_EQ(0, V("exec %u '/ve_spoof eth0 ip4 10.98.0.9 10.98.0.2 7'", C));
	after = get(self, C);
	EXPECT_EQ(7, after.net_dropped - before.net_dropped);
	EXPECT_TRUE(ping(self, -1, "10.98.0.5", NULL));

	/* Removed live: the pair goes, and with it the filter. */
	ASSERT_EQ(0, V("set %u --netif_del eth0 --save", C)) TH_LOG("%s", self->err);
	EXPECT_NE(0, access("/sys/class/net/veth503.0", F_OK));
	EXPECT_EQ(1, get(self, C).n_netifs);
	EXPECT_EQ(0, get(self, C).n_addrs);
	EXPECT_EQ(21, V("set %u --netif_del eth0", C));
	EXPECT_EQ(21, V("set %u --netif_add 'eth0,zz:00:00:00:00:01'", C));
	EXPECT_EQ(21, V("set %u --netif_add 'venet0'", C));
	EXPECT_EQ(21, V("set %u --netif_add 'eth0,01:00:00:00:00:01'", C));
	EXPECT_EQ(21, V("set %u --netif_add 'eth0,,averyveryverylongname0'", C));
	ASSERT_EQ(0, V("stop %u", C));
	ASSERT_EQ(0, V("destroy %u", C));
	SH(IP " link del brport0; " IP " link del br0");
}

/* SET of a raw addrs nest holding one attribute of @type and @len. */
static int set_raw_addr(struct ve_nl *nl, uint32_t id, uint16_t type, const void *a,
			size_t len)
{
	struct nlattr *nest;

	ve_nl_msg(nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(nl->req, VE_A_ID, id);
	nest = mnl_attr_nest_start(nl->req, VE_A_ADDRS);
	mnl_attr_put(nl->req, type, len, a);
	mnl_attr_nest_end(nl->req, nest);
	return ve_nl_run(nl, NULL, NULL);
}

/* What the module itself refuses, with its words, changing nothing. */
TEST_F_TIMEOUT(net, module_refuses_bad_attributes, 180)
{
	static struct ve_limits lim;
	const uint8_t three[3] = { 10, 99, 0 };
	struct ve_ip ip;
	char why[64];
	int err, venet_a, venet_b;

	start_both(_metadata, self);
	memset(&lim, 0, sizeof(lim));
	lim.has_addrs = true;

	/* Wrong sizes: the policy's. */
	EXPECT_EQ(-ERANGE, set_raw_addr(&self->nl, A, VE_A_ADDR_IPV4, three, 3));
	EXPECT_EQ(-ERANGE, set_raw_addr(&self->nl, A, VE_A_ADDR_IPV6, three, 3));
	/* Not an address a VE may own, twice the same, more than 64. */
	ve_ip_parse("10.99.0.30", &ip, why, sizeof(why));
	memset(ip.a, 0, 4);
	lim.addrs[0] = ip;
	lim.n_addrs = 1;
	err = veapi_set(&self->nl, A, &lim);
	EXPECT_EQ(-EINVAL, err);
	EXPECT_NE(NULL, strstr(self->nl.err.msg, "not a unicast address")) TH_LOG("%s", self->nl.err.msg);
	EXPECT_NE(NULL, strstr(ve_nl_strerror(&self->nl, err), "(attribute addr.ipv4)"))
		TH_LOG("%s", ve_nl_strerror(&self->nl, err));
	ve_ip_parse("10.99.0.30", &lim.addrs[0], why, sizeof(why));
	lim.addrs[1] = lim.addrs[0];
	lim.n_addrs = 2;
	EXPECT_EQ(-EINVAL, veapi_set(&self->nl, A, &lim));
	EXPECT_NE(NULL, strstr(self->nl.err.msg, "twice")) TH_LOG("%s", self->nl.err.msg);
	/* 64 is the most: a list of 65 is refused. */
	ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(self->nl.req, VE_A_ID, A);
	{
		struct nlattr *nest = mnl_attr_nest_start(self->nl.req, VE_A_ADDRS);

		for (int i = 0; i < 65; i++) {
			uint8_t a4[4] = { 10, 96, 1, (uint8_t)(i + 1) };

			mnl_attr_put(self->nl.req, VE_A_ADDR_IPV4, 4, a4);
		}
		mnl_attr_nest_end(self->nl.req, nest);
	}
	EXPECT_EQ(-E2BIG, ve_nl_run(&self->nl, NULL, NULL));
	EXPECT_NE(NULL, strstr(self->nl.err.msg, "addr-max")) TH_LOG("%s", self->nl.err.msg);
	EXPECT_EQ(2, get(self, A).n_addrs);

	/* Devices: only a veth whose peer is in the VE, once, while it runs. */
	venet_a = (int)if_nametoindex("venet501");
	venet_b = (int)if_nametoindex("venet502");
	ASSERT_LT(0, venet_a);
	ASSERT_LT(0, venet_b);
	EXPECT_EQ(-EINVAL, veapi_attach(&self->nl, A, 1, NULL));	/* lo */
	EXPECT_NE(NULL, strstr(self->nl.err.msg, "not a veth")) TH_LOG("%s", self->nl.err.msg);
	EXPECT_EQ(-EINVAL, veapi_attach(&self->nl, A, (int)if_nametoindex("uplink0"), NULL));
	EXPECT_EQ(-ENODEV, veapi_attach(&self->nl, A, 99999, NULL));
	EXPECT_EQ(-EBUSY, veapi_attach(&self->nl, A, venet_a, NULL));
	EXPECT_EQ(-EBUSY, veapi_attach(&self->nl, A, venet_b, NULL));
	EXPECT_EQ(-EINVAL, veapi_attach(&self->nl, A, venet_a, (const uint8_t[6]){ 1, 0, 0, 0, 0, 1 }));
	ve_nl_msg(&self->nl, VE_CMD_SET, 0);
	mnl_attr_put_u32(self->nl.req, VE_A_ID, A);
	{
		struct nlattr *nest = mnl_attr_nest_start(self->nl.req, VE_A_NETIF);

		mnl_attr_put_u32(self->nl.req, VE_A_NETIF_IFINDEX, (uint32_t)venet_a);
		mnl_attr_put(self->nl.req, VE_A_NETIF_BRIDGED, 0, NULL);
		mnl_attr_nest_end(self->nl.req, nest);
	}
	EXPECT_EQ(-EINVAL, ve_nl_run(&self->nl, NULL, NULL));
	EXPECT_NE(NULL, strstr(self->nl.err.msg, "without netif.mac")) TH_LOG("%s", self->nl.err.msg);
	EXPECT_EQ(1, get(self, A).n_netifs);
	EXPECT_EQ(2, netif_count(self));
	ASSERT_EQ(0, V("stop %u", B));
	EXPECT_EQ(-ESRCH, veapi_attach(&self->nl, B, venet_a, NULL));
	EXPECT_EQ(1, netif_count(self));
}

/*
 * However a run ends, nothing of its network stays on the host: stop, an
 * init that dies on its own, a vectl start killed half-way, destroy.
 */
TEST_F_TIMEOUT(net, nothing_left_behind, 600)
{
	char now[16384], id[16];
	struct ve_info ia;
	int status;
	pid_t exec;

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", A));
	host_net(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now);

	/* The init dies: its console keeper takes the network away. */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ia = get(self, A);
	ASSERT_EQ(0, kill((pid_t)ia.init_pid, SIGKILL));
	host_net_settles(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now);
	EXPECT_EQ(0, netif_count(self));

	/*
	 * The same while an exec holds the VE's lock shared to join it (held
	 * there by SIGSTOP): the keeper waits it out, rather than take it
	 * for a command at work that cleans up itself.
	 */
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ia = get(self, A);
	snprintf(id, sizeof(id), "%u", A);
	exec = ve_spawn_vectl_held("exec:joining", "/tmp/net.exec.log",
				   (char *[]){ "vectl-faults", "exec", id, "true", NULL });
	ASSERT_LT(0, exec) TH_LOG("exec exited before exec:joining");
	ASSERT_EQ(0, kill((pid_t)ia.init_pid, SIGKILL));
	ASSERT_TRUE(veapi_wait_state(&self->nl, A, VE_STATE_STOPPED, 10000 * ve_time_scale()));
	sleep(1);
	kill(exec, SIGCONT);
	ASSERT_EQ(exec, waitpid(exec, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 31) TH_LOG("exec: status %#x", status);
	host_net_settles(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now) TH_LOG("after the init died during an exec's join");

	/* vectl start killed at each step of the network's plumbing. */
	setenv("VECTL", "vectl-faults", 1);
	for (const char *const *p = (const char *const[]){ "net:paired", "net:attached",
		"net:routed", "start:network", NULL }; *p; p++) {
		setenv("VECTL_FAULT", *p, 1);
		EXPECT_NE(0, V("start %u", A));
		unsetenv("VECTL_FAULT");
		/* What is left, the next command clears; then a start works. */
		EXPECT_EQ(0, V("start %u", A)) TH_LOG("after %s: %s", *p, self->err);
		EXPECT_TRUE(ping(self, -1, A4, NULL)) TH_LOG("after %s", *p);
		EXPECT_EQ(0, V("stop %u", A));
		host_net(self, now, sizeof(now));
		EXPECT_STREQ(self->base, now) TH_LOG("after %s", *p);
	}
	unsetenv("VECTL");
	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", A));
	ASSERT_EQ(0, V("destroy %u", A));
	host_net(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now);
}

/* Start/stop cycles of a VE with two addresses leak nothing. */
TEST_F_TIMEOUT(net, cycles_leak_nothing, 1200)
{
	int cycles = ve_env_int("VE_NET_CYCLES", 100);
	char now[16384];
	long before, after;

	ASSERT_EQ(0, V("start %u", A)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", A));
	before = ve_module_objects_settled();
	for (int i = 0; i < cycles; i++) {
		ASSERT_EQ(0, V("start %u", A)) TH_LOG("cycle %d: %s", i, self->err);
		ASSERT_EQ(0, V("stop %u", A)) TH_LOG("cycle %d: %s", i, self->err);
	}
	host_net(self, now, sizeof(now));
	EXPECT_STREQ(self->base, now);
	EXPECT_EQ(0, netif_count(self));
	after = ve_module_objects_settled();
	if (ve_has_kasan())
		TH_LOG("KASAN quarantines freed objects: slab counts not compared");
	else
		/* A leak grows with the cycles; a straggler from before does not. */
		EXPECT_LE(after, before) TH_LOG("%d cycles: the module's objects went from %ld to %ld",
						cycles, before, after);
}

TEST_HARNESS_MAIN
