// SPDX-License-Identifier: GPL-2.0
/* Addresses (--ipadd, IP_ADDRESS) and bridged interfaces (NETIF). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "firewall.h"
#include "netaddr.h"
#include "netif.h"
#include "unit.h"
#include "vectx.h"

START_TEST(ip_good)
{
	static const char *const good[][2] = {
		{ "10.0.0.1", "10.0.0.1" }, { "192.0.2.5/32", "192.0.2.5" },
		{ "2001:db8::1", "2001:db8::1" }, { "2001:DB8:0:0::5/128", "2001:db8::5" },
		{ "fd00::1", "fd00::1" }, { "100.64.0.1", "100.64.0.1" },
	};
	char why[200], buf[VE_IP_STRLEN];
	struct ve_ip ip;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(!ve_ip_parse(good[i][0], &ip, why, sizeof(why)), "%s: %s",
			      good[i][0], why);
		ck_assert_str_eq(ve_ip_format(&ip, buf, sizeof(buf)), good[i][1]);
	}
}
END_TEST

START_TEST(ip_bad)
{
	static const char *const bad[] = {
		"", "10.0.0", "10.0.0.256", "10.0.0.0/24", "2001:db8::/64", "fe80::1%eth0",
		"fe80::1", "ff02::1", "::", "::1", "::ffff:10.0.0.1", "0.0.0.0", "0.1.2.3",
		"127.0.0.1", "224.0.0.1", "239.255.255.255", "255.255.255.255", "host",
		"10.0.0.1/", "10.0.0.1/33", "1.2.3.4 5",
	};
	char why[200];
	struct ve_ip ip;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(ve_ip_parse(bad[i], &ip, why, sizeof(why)), "%s accepted", bad[i]);
		ck_assert_msg(why[0], "%s: no reason", bad[i]);
	}
}
END_TEST

START_TEST(ip_list)
{
	struct ve_ip list[VE_ADDR_MAX];
	char why[200], buf[1024], big[2048];
	size_t used = 0;

	ck_assert_int_eq(ve_ip_list_parse("10.0.0.1  2001:db8::1\t10.0.0.1,10.0.0.2", list,
					  why, sizeof(why)), 3);
	ve_ip_list_format(list, 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0.0.1 2001:db8::1 10.0.0.2");
	ck_assert_int_eq(ve_ip_list_parse("", list, why, sizeof(why)), 0);
	ck_assert_int_eq(ve_ip_list_parse("10.0.0.1 nope", list, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "nope"));
	for (int i = 0; i < VE_ADDR_MAX + 1; i++)
		used += (size_t)snprintf(big + used, sizeof(big) - used, "10.1.0.%d ", i + 1);
	ck_assert_int_eq(ve_ip_list_parse(big, list, why, sizeof(why)), -1);
}
END_TEST

START_TEST(netif_round_trip)
{
	struct ve_netif n[VE_NETIF_MAX_CONF], again[VE_NETIF_MAX_CONF];
	uint8_t mac[6], mac2[6];
	char why[256], buf[2048], buf2[2048];

	ck_assert_int_eq(netif_parse(101, "ifname=eth0,bridge=br0,ip=10.0.0.5 fd00::5;"
				     "ifname=eth1,mac=02:00:00:00:00:01,host_ifname=h1,"
				     "host_mac=02:00:00:00:00:02,configure=none", n, why, sizeof(why)), 2);
	ck_assert_str_eq(n[0].host_ifname, "veth101.0");
	ck_assert_str_eq(n[0].bridge, "br0");
	ck_assert_int_eq(n[0].n_ips, 2);
	ck_assert_int_eq(n[1].mac[5], 1);
	/* Derived MACs: stable, unicast, local, and the two ends differ. */
	netif_default_mac(101, "eth0", false, mac);
	ck_assert_mem_eq(n[0].mac, mac, 6);
	netif_default_mac(101, "eth0", true, mac2);
	ck_assert_int_eq(mac[0], 0x02);
	ck_assert_int_ne(memcmp(mac, mac2, 6), 0);
	netif_default_mac(102, "eth0", false, mac2);
	ck_assert_int_ne(memcmp(mac, mac2, 6), 0);
	netif_format(n, 2, buf, sizeof(buf));
	ck_assert_int_eq(netif_parse(101, buf, again, why, sizeof(why)), 2);
	netif_format(again, 2, buf2, sizeof(buf2));
	ck_assert_str_eq(buf, buf2);
	ck_assert_ptr_nonnull(strstr(buf, "ifname=eth0,mac=02:"));
	ck_assert_ptr_nonnull(strstr(buf, ",bridge=br0,ip=10.0.0.5 fd00::5;ifname=eth1"));
}
END_TEST

START_TEST(netif_bad)
{
	static const char *const bad[] = {
		"mac=02:00:00:00:00:01", "ifname=venet0", "ifname=lo", "ifname=a/b",
		"ifname=eth0,mac=01:00:00:00:00:01", "ifname=eth0,mac=00:00:00:00:00:00",
		"ifname=eth0,mac=zz", "ifname=eth0,host_ifname=averyveryverylongname",
		"ifname=eth0;ifname=eth0", "ifname=eth0,ip=fe80::1", "ifname=eth0,junk",
		"ifname=eth0,ip=10.0.0.1;ifname=eth1,ip=10.0.0.1",
	};
	struct ve_netif n[VE_NETIF_MAX_CONF], one;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(netif_parse(101, bad[i], n, why, sizeof(why)) < 0, "%s accepted", bad[i]);
		ck_assert_msg(why[0], "%s: no reason", bad[i]);
	}
	/* A 10-digit ID leaves no room for the default host name. */
	ck_assert_int_lt(netif_parse(2147483647, "ifname=eth0", n, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "host_ifname"));
	ck_assert_int_eq(netif_parse_arg(101, "eth0,,,,br0,10.0.0.5", 3, &one, why, sizeof(why)), 0);
	ck_assert_str_eq(one.host_ifname, "veth101.3");
	ck_assert_int_lt(netif_parse_arg(101, "eth0,,,,br0,10.0.0.5,extra", 0, &one, why,
					 sizeof(why)), 0);
}
END_TEST

START_TEST(netif_on_a_network)
{
	static const char *const bad[] = {
		"ifname=eth1,network=custa,bridge=br0", "ifname=eth1,network=custa,ip=10.0.0.1",
		"ifname=eth1,addr=10.50.0.1/24", "ifname=eth1,network=Cust",
		"ifname=eth1,network=custa,addr=10.50.0.1/33",
	};
	struct ve_netif nif[VE_NETIF_MAX_CONF];
	char buf[1024], why[256];

	ck_assert_int_eq(netif_parse(101, "ifname=eth1,network=custa,addr=10.50.0.1/24", nif, why,
				     sizeof(why)), 1);
	ck_assert_str_eq(nif[0].network, "custa");
	ck_assert_int_eq(nif[0].addr.len, 24);
	ck_assert_str_eq(nif[0].host_ifname, "veth101.0");
	netif_format(nif, 1, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, ",network=custa,addr=10.50.0.1/24"));
	ck_assert_int_eq(netif_parse(101, buf, nif, why, sizeof(why)), 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(netif_parse(101, bad[i], nif, why, sizeof(why)) < 0, "%s taken", bad[i]);
}
END_TEST

START_TEST(fw_words)
{
	static const char *const nets[][2] = {
		{ "10.1.2.3", "10.1.2.3" }, { "10.1.2.3/8", "10.0.0.0/8" },
		{ "10.1.2.3/32", "10.1.2.3" }, { "0.0.0.0/0", "0.0.0.0/0" },
		{ "FD00::1/16", "fd00::/16" }, { "2001:db8::1", "2001:db8::1" },
		{ "10.255.255.255/9", "10.128.0.0/9" },
	};
	static const char *const bad_nets[] = {
		"", "10.0.0.1/33", "10.0.0.256", "fd00::/129", "10.0.0.1/", "/8", "host", "10.0.0.1/-1",
	};
	static const char *const bad_ports[] = { "", "0", "65536", "-1", "30-20", "1-", "a", "22-x" };
	uint16_t port[2];
	struct ve_prefix n;
	char buf[64];

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		ck_assert_msg(!ve_prefix_parse(nets[i][0], &n, false), "%s", nets[i][0]);
		ve_prefix_format(&n, buf, sizeof(buf));
		ck_assert_str_eq(buf, nets[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad_nets) / sizeof(bad_nets[0]); i++)
		ck_assert_msg(ve_prefix_parse(bad_nets[i], &n, false), "'%s' taken", bad_nets[i]);
	ck_assert_int_eq(fw_port_parse("22", port), 0);
	fw_port_format(port, buf, sizeof(buf));
	ck_assert_str_eq(buf, "22");
	ck_assert_int_eq(fw_port_parse("1000-2000", port), 0);
	fw_port_format(port, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1000-2000");
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++)
		ck_assert_msg(fw_port_parse(bad_ports[i], port), "'%s' taken", bad_ports[i]);
}
END_TEST

/* FIREWALL read and written back: the same words, canonical. */
START_TEST(fw_config_round_trip)
{
	static struct vectx x;
	struct fw_conf fw;

	x.verb = "test";
	ck_assert_int_eq(conf_parse(&x.conf,
		"FIREWALL=\"in,tcp,dport=22,drop  out,udp,sport=53-60,dst=10.1.2.3/8,accept in,icmp,src=FD00::1,accept\"\n"
		"FIREWALL_POLICY_IN=\"drop\"\n"), 0);
	ck_assert_int_eq(fw_conf_get(&x, &fw), 0);
	ck_assert_int_eq(fw.n, 3);
	ck_assert(fw.drop[FW_IN] && !fw.drop[FW_OUT]);
	ck_assert_int_eq(fw.rules[1].sport[1], 60);
	ck_assert_int_eq(fw_conf_set(&x, &fw), 0);
	ck_assert_str_eq(conf_get(&x.conf, "FIREWALL"),
			 "in,tcp,dport=22,drop out,udp,sport=53-60,dst=10.0.0.0/8,accept in,icmp,src=fd00::1,accept");
	ck_assert_str_eq(conf_get(&x.conf, "FIREWALL_POLICY_IN"), "drop");
	ck_assert_ptr_null(conf_get(&x.conf, "FIREWALL_POLICY_OUT"));
	fw.n = 0;
	fw.drop[FW_IN] = false;
	ck_assert(fw_conf_empty(&fw));
	ck_assert_int_eq(fw_conf_set(&x, &fw), 0);
	ck_assert_ptr_null(conf_get(&x.conf, "FIREWALL"));
	ck_assert_ptr_null(conf_get(&x.conf, "FIREWALL_POLICY_IN"));
	conf_free(&x.conf);
}
END_TEST

START_TEST(fw_config_bad)
{
	static const char *const bad[] = {
		"FIREWALL=\"sideways,tcp,drop\"", "FIREWALL=\"in,sctp,drop\"",
		"FIREWALL=\"in,tcp,dport=22\"", "FIREWALL=\"in,icmp,dport=22,drop\"",
		"FIREWALL=\"in,tcp,drop,dport=22\"", "FIREWALL=\"in,tcp,port=22,drop\"",
		"FIREWALL=\"in,any,src=10.0.0.1,dst=fd00::1,drop\"", "FIREWALL_POLICY_OUT=\"reject\"",
		"FIREWALL=\"in\"",
	};
	static struct vectx x;
	struct fw_conf fw;

	x.verb = "test";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(conf_parse(&x.conf, bad[i]), 0);
		ck_assert_msg(fw_conf_get(&x, &fw) == -EINVAL, "%s taken", bad[i]);
		conf_free(&x.conf);
	}
}
END_TEST

Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_test(tc, ip_good);
	tcase_add_test(tc, ip_bad);
	tcase_add_test(tc, ip_list);
	tcase_add_test(tc, netif_round_trip);
	tcase_add_test(tc, netif_bad);
	tcase_add_test(tc, netif_on_a_network);
	tcase_add_test(tc, fw_words);
	tcase_add_test(tc, fw_config_round_trip);
	tcase_add_test(tc, fw_config_bad);
	suite_add_tcase(s, tc);
	return s;
}
