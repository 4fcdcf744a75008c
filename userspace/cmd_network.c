// SPDX-License-Identifier: GPL-2.0
/*
 * vectl network create NAME [--subnet CIDR] [--vni N] [--peer ADDR[=KEY]]... [--encrypt]
 * vectl network delete NAME
 * vectl network list [-H] [-j]
 * vectl network key              this node's WireGuard public key
 *
 * Customer networks (privnet.h). A VE joins one with vectl set ID
 * --network NAME[,ADDR/LEN]; the network's devices are made on a node
 * when a member starts there. A network of the same name has the same
 * VNI on every node (unless --vni says otherwise), so creating it on each
 * node with the others as peers joins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "firewall.h"
#include "network.h"
#include "parse.h"
#include "privnet.h"
#include "rtnl.h"
#include "run.h"
#include "tunnel.h"
#include "vectx.h"

static int usage(void)
{
	vectl_err("network: usage: vectl %s", vectl_find_cmd("network")->usage);
	return VECTL_ERR_USAGE;
}

/* The VEs with an interface on network @name (their configs say so). */
struct members {
	uint32_t ids[PRIVNET_MEMBERS_MAX];
	int n;
};

static void members(const char *name, struct members *m)
{
	m->n = privnet_members(name, m->ids, PRIVNET_MEMBERS_MAX);
}

static int create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "subnet", required_argument, NULL, 's' },
		{ "vni", required_argument, NULL, 'v' },
		{ "peer", required_argument, NULL, 'p' },
		{ "encrypt", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *given_keys[PRIVNET_PEERS_MAX] = { 0 };
	char why[PATH_MAX + 256], a[VE_IP_STRLEN];
	struct privnet n = { 0 }, *all;
	bool vni_given = false;
	int c, count, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 's' && ve_prefix_parse(optarg, &n.subnet, false)) {
			vectl_err("network: --subnet '%s' is not a prefix (10.50.0.0/24, fd50::/64)",
				  optarg);
			return VECTL_ERR_VALUE;
		} else if (c == 'v' && parse_uint(optarg, 1, PRIVNET_VNI_MAX, &n.vni)) {
			vectl_err("network: --vni '%s' is not 1 to %u", optarg, PRIVNET_VNI_MAX);
			return VECTL_ERR_VALUE;
		} else if (c == 'p') {
			char addr[VE_IP_STRLEN + 8];
			const char *eq = strchr(optarg, '=');
			size_t l = eq ? (size_t)(eq - optarg) : strlen(optarg);
			struct ve_ip ip;

			snprintf(addr, sizeof(addr), "%.*s", (int)(l < sizeof(addr) ? l : 0), optarg);
			if (ve_ip_parse(addr, &ip, why, sizeof(why))) {
				vectl_err("network: --peer '%s': %s", optarg, why);
				return VECTL_ERR_VALUE;
			}
			if (eq && !tunnel_key_ok(eq + 1)) {
				vectl_err("network: --peer '%s': the key is not a WireGuard public key (vectl network key on that node prints it)",
					  optarg);
				return VECTL_ERR_VALUE;
			}
			if (ve_ip_find(n.peers, n.n_peers, &ip) < 0) {
				if (n.n_peers == PRIVNET_PEERS_MAX) {
					vectl_err("network: more than %d peers", PRIVNET_PEERS_MAX);
					return VECTL_ERR_VALUE;
				}
				given_keys[n.n_peers] = eq ? eq + 1 : NULL;
				n.peers[n.n_peers++] = ip;
			}
		} else if (c == 'e') {
			n.encrypt = true;
		} else if (c != 's' && c != 'v') {
			return cmd_bad_option("network", argv);
		}
		vni_given |= c == 'v';
	}
	if (optind != argc - 1)
		return usage();
	if (!privnet_name_ok(argv[optind])) {
		vectl_err("network: '%s' is not a network name (1 to %d of a-z, 0-9, '-', '_', a letter first)",
			  argv[optind], PRIVNET_NAME_MAX);
		return VECTL_ERR_VALUE;
	}
	snprintf(n.name, sizeof(n.name), "%s", argv[optind]);
	if (!vni_given)
		n.vni = privnet_default_vni(n.name);
	count = privnet_list(&all);
	if (count < 0) {
		vectl_err("network: cannot read %s: %s", PRIVNET_DIR, strerror(-count));
		return VECTL_ERR_SYSTEM;
	}
	for (int i = 0; i < count; i++) {
		if (!strcmp(all[i].name, n.name)) {
			vectl_err("network %s: exists already (VNI %u)", n.name, all[i].vni);
			free(all);
			return VECTL_ERR_VALUE;
		}
		if (all[i].vni == n.vni) {
			vectl_err("network %s: VNI %u is network %s's%s", n.name, n.vni, all[i].name,
				  vni_given ? "" : " (give another with --vni)");
			free(all);
			return VECTL_ERR_VALUE;
		}
	}
	free(all);
	/* Each peer's key: given, else asked of the peer (vectl network key there). */
	for (int i = 0; n.encrypt && i < n.n_peers; i++) {
		if (n.peers[i].family != AF_INET) {
			vectl_err("network %s: --encrypt needs IPv4 peers (%s)", n.name,
				  ve_ip_format(&n.peers[i], a, sizeof(a)));
			return VECTL_ERR_VALUE;
		}
		if (given_keys[i]) {
			memcpy(n.keys[i], given_keys[i], sizeof(n.keys[i]));
		} else if (tunnel_fetch_key(&n.peers[i], n.keys[i], why, sizeof(why))) {
			vectl_err("network %s: cannot get the WireGuard key of %s: %s (give it: --peer ADDR=KEY, KEY from vectl network key there)",
				  n.name, ve_ip_format(&n.peers[i], a, sizeof(a)), why);
			return VECTL_ERR_NET;
		}
	}
	if (n.encrypt && !n.n_peers) {
		vectl_err("network %s: --encrypt needs --peer (it encrypts between nodes)", n.name);
		return VECTL_ERR_USAGE;
	}
	err = privnet_save(&n);
	if (err) {
		vectl_err("network %s: cannot write %s/%s.conf: %s", n.name, PRIVNET_DIR, n.name,
			  strerror(-err));
		return VECTL_ERR_SYSTEM;
	}
	printf("Network %s created (VNI %u%s", n.name, n.vni, n.encrypt ? ", encrypted" : "");
	for (int i = 0; i < n.n_peers; i++)
		printf("%s%s", i ? " " : ", peers ", ve_ip_format(&n.peers[i], a, sizeof(a)));
	printf(")\n");
	return VECTL_OK;
}

/* Whether a network other than @name is encrypted. */
static bool encrypted_besides(const char *name)
{
	struct privnet *all;
	int count = privnet_list(&all);
	bool found = count < 0;	/* cannot tell: keep the tunnel */

	for (int i = 0; i < count; i++)
		found |= all[i].encrypt && strcmp(all[i].name, name);
	free(all);
	return found;
}

static int delete(int argc, char **argv)
{
	char why[PATH_MAX + 256];
	struct privnet n;
	struct members m;
	struct rtnl r;
	int err;

	if (argc != 2)
		return usage();
	err = privnet_load(argv[1], &n, why, sizeof(why));
	if (err) {
		vectl_err("network: %s", why);
		return err == -ENOENT ? VECTL_ERR_NOT_FOUND : VECTL_ERR_VALUE;
	}
	members(n.name, &m);
	if (m.n) {
		vectl_err("network %s: VE %u is on it (take it off first: vectl set %u --network-del %s --save)",
			  n.name, m.ids[0], m.ids[0], n.name);
		return VECTL_ERR_RUNNING;
	}
	err = rtnl_open(&r, -1);
	if (!err) {
		err = privnet_down(&r, &n);
		/* The tunnel goes with the last encrypted network. */
		if (!err && n.encrypt && !encrypted_besides(n.name))
			err = tunnel_down(&r);
		rtnl_close(&r);
	}
	/* Its rules: the chains, then the file. */
	if (!err && fw_net_drop(n.name, why, sizeof(why))) {
		vectl_err("network %s: cannot remove its firewall: %s", n.name, why);
		return VECTL_ERR_NET;
	}
	if (!err) {
		struct fw_conf none = { .n = 0 };

		err = fw_net_save(n.name, &none);
	}
	if (err) {
		vectl_err("network %s: cannot remove its devices: %s", n.name, strerror(-err));
		return VECTL_ERR_NET;
	}
	err = privnet_remove(n.name);
	if (err) {
		vectl_err("network %s: cannot remove its file: %s", n.name, strerror(-err));
		return VECTL_ERR_SYSTEM;
	}
	printf("Network %s deleted\n", n.name);
	return VECTL_OK;
}

static int list(int argc, char **argv)
{
	bool header, json;
	struct privnet *all;
	int count;

	count = cmd_list_opts("network", argc, argv, &header, &json);
	if (count)
		return count;
	count = privnet_list(&all);
	if (count < 0) {
		vectl_err("network: cannot read %s: %s", PRIVNET_DIR, strerror(-count));
		return VECTL_ERR_SYSTEM;
	}
	if (json)
		printf("[");
	else if (header)
		printf("%-15s %8s %-20s %-10s %s\n", "NAME", "VNI", "SUBNET", "BRIDGE", "VES");
	for (int i = 0; i < count; i++) {
		char subnet[64], br[IF_NAMESIZE], peers[PRIVNET_PEERS_MAX * (VE_IP_STRLEN + 3)];
		struct members m;
		size_t used = 0;

		ve_prefix_format(&all[i].subnet, subnet, sizeof(subnet));
		privnet_bridge(&all[i], br);
		members(all[i].name, &m);
		if (!json) {
			printf("%-15s %8u %-20s %-10s", all[i].name, all[i].vni, subnet, br);
			for (int k = 0; k < m.n; k++)
				printf("%s%u", k ? "," : " ", m.ids[k]);
			printf("%s\n", m.n ? "" : " -");
			continue;
		}
		peers[0] = '\0';
		for (int k = 0; k < all[i].n_peers; k++) {
			char a[VE_IP_STRLEN];

			used += (size_t)snprintf(peers + used, sizeof(peers) - used, "%s\"%s\"",
						 k ? ", " : "",
						 ve_ip_format(&all[i].peers[k], a, sizeof(a)));
		}
		printf("%s\n  {\"name\": \"%s\", \"vni\": %u, \"subnet\": ", i ? "," : "",
		       all[i].name, all[i].vni);
		if (all[i].subnet.family)
			printf("\"%s\"", subnet);
		else
			printf("null");
		printf(", \"bridge\": \"%s\", \"peers\": [%s], \"ves\": [", br, peers);
		for (int k = 0; k < m.n; k++)
			printf("%s%u", k ? ", " : "", m.ids[k]);
		printf("]}");
	}
	if (json)
		printf("%s]\n", count ? "\n" : "");
	free(all);
	return VECTL_OK;
}

/* One create or delete at a time: the VNI check and the file go together. */
static int lock_networks(void)
{
	int fd, err = mkdir_p(PRIVNET_DIR, 0755);

	if (err)
		return err;
	fd = open(PRIVNET_DIR "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int cmd_network(int argc, char **argv)
{
	int lock, rc;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "list"))
		return list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key")) {
		char why[PATH_MAX + 128];
		tunnel_key key;

		if (argc != 2)
			return usage();
		if (tunnel_pubkey(key, why, sizeof(why))) {
			vectl_err("network: cannot make this node's WireGuard key: %s", why);
			return VECTL_ERR_SYSTEM;
		}
		printf("%s\n", key);
		return VECTL_OK;
	}
	if (strcmp(argv[1], "create") && strcmp(argv[1], "delete")) {
		vectl_err("network: unknown action '%s' (create, delete, list or key)", argv[1]);
		return VECTL_ERR_USAGE;
	}
	lock = lock_networks();
	if (lock < 0) {
		vectl_err("network: cannot lock %s: %s", PRIVNET_DIR, strerror(-lock));
		return VECTL_ERR_SYSTEM;
	}
	rc = !strcmp(argv[1], "create") ? create(argc - 1, argv + 1) : delete(argc - 1, argv + 1);
	close(lock);
	return rc;
}
