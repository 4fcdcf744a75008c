// SPDX-License-Identifier: GPL-2.0
/*
 * The nodes' WireGuard tunnel (see tunnel.h), set up with Debian's wg.
 * Only public keys leave a node: "vectl network key" prints this node's,
 * and "vectl network create --encrypt --peer ADDR" asks ADDR for its own
 * over ssh (the transport that migration uses between nodes already).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "run.h"
#include "tunnel.h"

/* fd76:6500::/96: "ve" in a unique local prefix, the node's IPv4 address last. */
static const uint8_t tunnel_prefix[12] = { 0xfd, 0x76, 0x65, 0x00 };

bool tunnel_key_ok(const char *s)
{
	if (strlen(s) != TUNNEL_KEY_LEN || s[TUNNEL_KEY_LEN - 1] != '=')
		return false;
	for (int i = 0; i < TUNNEL_KEY_LEN - 1; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return false;
	return true;
}

void tunnel_addr(const struct ve_ip *v4, struct ve_ip *out)
{
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	memcpy(out->a, tunnel_prefix, sizeof(tunnel_prefix));
	memcpy(out->a + 12, v4->a, 4);
}

/* Run @argv with stdin @in; its first line of output into @out. 0, or -errno with @why. */
static int run_line(char *const argv[], int in, char *out, size_t outlen, char *why, size_t len)
{
	int fd = memfd_create("ve-out", MFD_CLOEXEC), rc;
	ssize_t n;

	if (fd < 0)
		return -errno;
	rc = run_argv_io(argv, in, fd, why, len);
	if (rc) {
		close(fd);
		if (rc == -ENOENT)
			snprintf(why, len, "%s not found (install wireguard-tools)", argv[0]);
		return rc < 0 ? rc : -EIO;
	}
	n = pread(fd, out, outlen - 1, 0);
	close(fd);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* The private key, made with wg genkey if missing (0600, written whole or not at all). */
static int private_key(char *why, size_t len)
{
	char *const genkey[] = { "wg", "genkey", NULL };
	char key[128], tmp[sizeof(TUNNEL_KEY_FILE) + 8];
	int fd, err;

	if (!access(TUNNEL_KEY_FILE, R_OK))
		return 0;
	err = run_line(genkey, -1, key, sizeof(key), why, len);
	if (err)
		return err;
	err = mkdir_p("/etc/ve", 0755);
	if (err) {
		snprintf(why, len, "cannot create /etc/ve: %s", strerror(-err));
		return err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", TUNNEL_KEY_FILE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dprintf(fd, "%s\n", key) < 0 || fsync(fd) || rename(tmp, TUNNEL_KEY_FILE)) {
		err = -errno;
		snprintf(why, len, "cannot write %s: %s", TUNNEL_KEY_FILE, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return err;
	}
	close(fd);
	return 0;
}

int tunnel_pubkey(tunnel_key key, char *why, size_t len)
{
	char *const pubkey[] = { "wg", "pubkey", NULL };
	char out[128];
	int fd, err;

	err = private_key(why, len);
	if (err)
		return err;
	fd = open(TUNNEL_KEY_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "cannot read %s: %s", TUNNEL_KEY_FILE, strerror(errno));
		return err;
	}
	err = run_line(pubkey, fd, out, sizeof(out), why, len);
	close(fd);
	if (err)
		return err;
	if (!tunnel_key_ok(out)) {
		snprintf(why, len, "wg pubkey gave '%.60s', not a key", out);
		return -EIO;
	}
	memcpy(key, out, TUNNEL_KEY_LEN + 1);
	return 0;
}

int tunnel_fetch_key(const struct ve_ip *peer, tunnel_key key, char *why, size_t len)
{
	char addr[VE_IP_STRLEN], out[256];
	char *const argv[] = { "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", addr,
			       "vectl network key", NULL };
	int err;

	ve_ip_format(peer, addr, sizeof(addr));
	err = run_line(argv, -1, out, sizeof(out), why, len);
	if (err == -ENOENT)
		snprintf(why, len, "ssh not found (install openssh-client, or give the key: --peer ADDR=KEY)");
	if (err)
		return err;
	if (!tunnel_key_ok(out)) {
		snprintf(why, len, "%s said '%.60s', not a key (is vectl there new enough?)", addr, out);
		return -EIO;
	}
	memcpy(key, out, TUNNEL_KEY_LEN + 1);
	return 0;
}

/* This node's LAN address toward @peer: the source a route to it takes. */
static int local_v4(const struct ve_ip *peer, struct ve_ip *out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TUNNEL_PORT) };
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memcpy(&sin.sin_addr, peer->a, 4);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen))
		err = -errno;
	close(fd);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	memcpy(out->a, &sin.sin_addr, 4);
	return 0;
}

int tunnel_up(struct rtnl *host, const struct ve_ip *peers, const tunnel_key *keys, int n,
	      struct ve_ip *local, char *why, size_t len)
{
	char port[8], endpoint[TUNNEL_PEERS_MAX][VE_IP_STRLEN + 8];
	char allowed[TUNNEL_PEERS_MAX][VE_IP_STRLEN + 8], a[VE_IP_STRLEN];
	char *argv[8 + 8 * TUNNEL_PEERS_MAX + 1];
	struct ve_ip v4 = { 0 }, t;
	int ifindex, err, k = 0;

	if (!n || n > TUNNEL_PEERS_MAX) {
		snprintf(why, len, "an encrypted network needs 1 to %d peers", TUNNEL_PEERS_MAX);
		return -EINVAL;
	}
	err = local_v4(&peers[0], &v4);
	if (err) {
		snprintf(why, len, "no route to peer %s: %s", ve_ip_format(&peers[0], a, sizeof(a)),
			 strerror(-err));
		return err;
	}
	tunnel_addr(&v4, local);
	err = private_key(why, len);
	if (err)
		return err;
	ifindex = rtnl_ifindex(host, TUNNEL_DEV);
	if (!ifindex) {
		err = rtnl_link_add(host, TUNNEL_DEV, "wireguard");
		ifindex = err && err != -EEXIST ? err : rtnl_ifindex(host, TUNNEL_DEV);
	}
	if (ifindex <= 0) {
		err = ifindex ? ifindex : -ENODEV;
		snprintf(why, len, "cannot create %s: %s%s", TUNNEL_DEV, host->msg[0] ? host->msg :
			 strerror(-err), err == -EOPNOTSUPP ? " (no wireguard module?)" : "");
		return err;
	}
	snprintf(port, sizeof(port), "%d", TUNNEL_PORT);
	argv[k++] = "wg";
	argv[k++] = "set";
	argv[k++] = TUNNEL_DEV;
	argv[k++] = "listen-port";
	argv[k++] = port;
	argv[k++] = "private-key";
	argv[k++] = TUNNEL_KEY_FILE;
	for (int i = 0; i < n; i++) {
		tunnel_addr(&peers[i], &t);
		snprintf(endpoint[i], sizeof(endpoint[i]), "%s:%d",
			 ve_ip_format(&peers[i], a, sizeof(a)), TUNNEL_PORT);
		snprintf(allowed[i], sizeof(allowed[i]), "%s/128", ve_ip_format(&t, a, sizeof(a)));
		argv[k++] = "peer";
		argv[k++] = (char *)keys[i];
		argv[k++] = "endpoint";
		argv[k++] = endpoint[i];
		argv[k++] = "allowed-ips";
		argv[k++] = allowed[i];
	}
	argv[k] = NULL;
	err = run_argv(argv, why, len);
	if (err) {
		if (err == -ENOENT)
			snprintf(why, len, "wg not found (install wireguard-tools)");
		return err < 0 ? err : -EIO;
	}
	/* Its address: the /96 route to every node's tunnel address comes with it. */
	err = rtnl_addr_len(host, true, ifindex, local, 96, RT_SCOPE_UNIVERSE);
	if (!err)
		err = rtnl_link_up(host, ifindex);
	if (err) {
		snprintf(why, len, "cannot set up %s: %s", TUNNEL_DEV,
			 host->msg[0] ? host->msg : strerror(-err));
		return err;
	}
	return 0;
}

int tunnel_down(struct rtnl *host)
{
	int ifindex = rtnl_ifindex(host, TUNNEL_DEV);
	int err = ifindex > 0 ? rtnl_link_del(host, ifindex) : ifindex;

	return err == -ENODEV ? 0 : err;
}
