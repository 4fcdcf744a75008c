// SPDX-License-Identifier: GPL-2.0
/*
 * ve_spoof: what root inside a VE may try in order to pass for someone
 * else on the network, run there by ve_net_test (static: the VE's
 * template has no C library to speak of). Each mode writes COUNT whole
 * Ethernet frames to IFNAME through a packet socket, so that nothing of
 * the VE's own stack (ARP, routes, addresses) is in the way:
 *
 *   ve_spoof IFNAME ip4 SRC DST COUNT    UDP from a source that is not ours
 *   ve_spoof IFNAME ip6 SRC DST COUNT    the same over IPv6
 *   ve_spoof IFNAME arp SRC DST COUNT    ARP replies claiming SRC
 *   ve_spoof IFNAME na SRC DST COUNT     neighbour advertisements for SRC
 *   ve_spoof IFNAME mac SRC DST COUNT    UDP from SRC, from another MAC
 *   ve_spoof IFNAME vlan SRC DST COUNT   UDP from SRC with a VLAN tag
 *
 * Frames go to the broadcast MAC: the host end takes them in either way,
 * and it is there that they must die. Exit 0 when all were sent.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned short csum(const void *data, size_t len, unsigned int sum)
{
	const unsigned char *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (unsigned int)(p[0] << 8 | p[1]);
	if (len)
		sum += (unsigned int)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* The IPv6 pseudo-header's part of a checksum. */
static unsigned int sum6(const struct ip6_hdr *h, unsigned int len, int proto)
{
	const unsigned char *p = (const unsigned char *)&h->ip6_src;
	unsigned int sum = len + (unsigned int)proto;

	for (int i = 0; i < 32; i += 2)
		sum += (unsigned int)(p[i] << 8 | p[i + 1]);
	return sum;
}

int main(int argc, char **argv)
{
	unsigned char frame[256], mac[6];
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct ether_header *eth = (struct ether_header *)frame;
	unsigned char *l3 = frame + sizeof(*eth);
	const char *mode;
	struct ifreq ifr;
	size_t len = 0;
	int fd, count;

	if (argc != 6) {
		fprintf(stderr, "usage: ve_spoof IFNAME ip4|ip6|arp|na|mac|vlan SRC DST COUNT\n");
		return 2;
	}
	mode = argv[2];
	count = atoi(argv[5]);
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("ve_spoof: packet socket");
		return 1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	to.sll_ifindex = (int)if_nametoindex(argv[1]);

	memset(frame, 0, sizeof(frame));
	memset(eth->ether_dhost, 0xff, 6);
	memcpy(eth->ether_shost, mac, 6);
	if (!strcmp(mode, "mac"))
		eth->ether_shost[5] ^= 0x5a;

	if (!strcmp(mode, "ip4") || !strcmp(mode, "mac") || !strcmp(mode, "vlan")) {
		struct ip *ip;
		struct udphdr *udp;

		if (!strcmp(mode, "vlan")) {
			eth->ether_type = htons(ETHERTYPE_VLAN);
			l3[0] = 0;
			l3[1] = 42;
			l3[2] = ETHERTYPE_IP >> 8;
			l3[3] = ETHERTYPE_IP & 0xff;
			l3 += 4;
			len += 4;
		} else {
			eth->ether_type = htons(ETHERTYPE_IP);
		}
		ip = (struct ip *)l3;
		udp = (struct udphdr *)(ip + 1);
		ip->ip_v = 4;
		ip->ip_hl = 5;
		ip->ip_ttl = 64;
		ip->ip_p = IPPROTO_UDP;
		ip->ip_len = htons(sizeof(*ip) + sizeof(*udp) + 8);
		if (inet_pton(AF_INET, argv[3], &ip->ip_src) != 1 ||
		    inet_pton(AF_INET, argv[4], &ip->ip_dst) != 1)
			return 2;
		ip->ip_sum = htons(csum(ip, sizeof(*ip), 0));
		udp->uh_sport = htons(4242);
		udp->uh_dport = htons(4242);
		udp->uh_ulen = htons(sizeof(*udp) + 8);
		len += sizeof(*ip) + sizeof(*udp) + 8;
	} else if (!strcmp(mode, "arp")) {
		/* "SRC is at our MAC", to DST. */
		unsigned char *a = l3;

		eth->ether_type = htons(ETHERTYPE_ARP);
		a[1] = 1;			/* Ethernet */
		a[2] = 0x08;			/* IPv4 */
		a[4] = 6;
		a[5] = 4;
		a[7] = 2;			/* reply */
		memcpy(a + 8, mac, 6);
		if (inet_pton(AF_INET, argv[3], a + 14) != 1 ||
		    inet_pton(AF_INET, argv[4], a + 24) != 1)
			return 2;
		memset(a + 18, 0xff, 6);
		len += 28;
	} else if (!strcmp(mode, "ip6") || !strcmp(mode, "na")) {
		struct ip6_hdr *h = (struct ip6_hdr *)l3;
		unsigned char *p = (unsigned char *)(h + 1);
		unsigned int plen;

		eth->ether_type = htons(ETHERTYPE_IPV6);
		h->ip6_flow = htonl(6u << 28);
		h->ip6_hlim = 255;
		if (inet_pton(AF_INET6, argv[4], &h->ip6_dst) != 1)
			return 2;
		if (!strcmp(mode, "ip6")) {
			struct udphdr *udp = (struct udphdr *)p;

			if (inet_pton(AF_INET6, argv[3], &h->ip6_src) != 1)
				return 2;
			plen = sizeof(*udp) + 8;
			h->ip6_nxt = IPPROTO_UDP;
			udp->uh_sport = htons(4242);
			udp->uh_dport = htons(4242);
			udp->uh_ulen = htons((unsigned short)plen);
			h->ip6_plen = htons((unsigned short)plen);
			udp->uh_sum = htons(csum(p, plen, sum6(h, plen, IPPROTO_UDP)));
		} else {
			/* From our link-local address: only the target lies. */
			struct nd_neighbor_advert *na = (struct nd_neighbor_advert *)p;
			unsigned char *opt = (unsigned char *)(na + 1);

			h->ip6_src.s6_addr[0] = 0xfe;
			h->ip6_src.s6_addr[1] = 0x80;
			memcpy(&h->ip6_src.s6_addr[8], mac, 3);
			h->ip6_src.s6_addr[8] ^= 2;
			h->ip6_src.s6_addr[11] = 0xff;
			h->ip6_src.s6_addr[12] = 0xfe;
			memcpy(&h->ip6_src.s6_addr[13], mac + 3, 3);
			na->nd_na_type = ND_NEIGHBOR_ADVERT;
			na->nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
			if (inet_pton(AF_INET6, argv[3], &na->nd_na_target) != 1)
				return 2;
			opt[0] = ND_OPT_TARGET_LINKADDR;
			opt[1] = 1;
			memcpy(opt + 2, mac, 6);
			plen = sizeof(*na) + 8;
			h->ip6_nxt = IPPROTO_ICMPV6;
			h->ip6_plen = htons((unsigned short)plen);
			na->nd_na_cksum = htons(csum(p, plen, sum6(h, plen, IPPROTO_ICMPV6)));
		}
		len += sizeof(*h) + plen;
	} else {
		return 2;
	}
	len += sizeof(*eth);

	memset(to.sll_addr, 0xff, 6);
	for (int i = 0; i < count; i++)
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
			perror("ve_spoof: sendto");
			return 1;
		}
	return 0;
}
