// SPDX-License-Identifier: GPL-2.0
/*
 * ved: the node agent. Its duty here: VEs started on demand.
 *
 *   ved [-v]      run in the foreground (its systemd unit runs it so)
 *
 * A stopped VE with ONDEMAND="yes" in its config keeps its addresses on
 * the node: a policy rule sends what goes to them to ved's tun device
 * ved0, and they are answered for on the uplinks, as the VE's own would
 * be. The first TCP SYN or UDP datagram to one of them that arrives there
 * starts the VE ("vectl start"). The rule stays until the VE listens on
 * the port asked for (or 30 s): the client's retries (TCP retransmits a
 * SYN after 1, 3, 7 s) are dropped meanwhile, instead of being refused
 * by a VE still booting, and the first one after that meets the service. With ONDEMAND_IDLE="SECONDS", a VE that ved
 * started and that has had no established TCP connection for that long is
 * stopped again, and waits for the next request.
 *
 * Every second ved reads the configs again, so "vectl set --ondemand"
 * takes effect without telling it; on SIGTERM or SIGINT it takes its
 * routes and neighbour entries away and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "err.h"
#include "exitcodes.h"
#include "network.h"
#include "rtnl.h"
#include "run.h"
#include "veapi.h"
#include "vectx.h"

#define VED_DEV		"ved0"
#define VED_MAX_VES	1024

struct od_ve {
	uint32_t id;
	bool seen;		/* has ONDEMAND="yes" in this round */
	bool standby;		/* ved's rule and routes for its addresses are there */
	bool started_here;	/* ved started it: ved may stop it */
	bool starting;		/* started, the service not listening yet */
	int proto, port;	/* what the first packet asked for */
	time_t started;
	int idle;		/* ONDEMAND_IDLE, 0: never stopped */
	time_t last_busy;
	pid_t child;		/* a vectl start or stop under way */
	int n_ips;
	struct ve_ip ips[VE_ADDR_MAX];
};

static struct od_ve ves[VED_MAX_VES];
static int n_ves;
static volatile sig_atomic_t quit;
static bool verbose;
static struct ve_nl nl;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", vectl_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int tun_open(int *ifindex)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	struct rtnl r;
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* No node until the tun module is loaded (a host without static nodes). */
		char *const modprobe[] = { "modprobe", "tun", NULL };
		char why[128];

		run_argv(modprobe, why, sizeof(why));
		fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), VED_DEV);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		err = -errno;
		close(fd);
		return err;
	}
	err = rtnl_open(&r, -1);
	if (!err) {
		*ifindex = rtnl_ifindex(&r, VED_DEV);
		err = *ifindex > 0 ? rtnl_link_up(&r, *ifindex) : -ENODEV;
		rtnl_close(&r);
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static struct od_ve *find(uint32_t id)
{
	for (int i = 0; i < n_ves; i++)
		if (ves[i].id == id)
			return &ves[i];
	return NULL;
}

/* A vectl verb on VE @v, in a child: the loop goes on meanwhile. */
static void run_verb(struct od_ve *v, const char *verb)
{
	char id[16];
	char *const argv[] = { "vectl", (char *)verb, id, NULL };

	snprintf(id, sizeof(id), "%u", v->id);
	v->child = run_spawn(argv, -1, -1, -1);
	if (v->child < 0)
		vectl_err("cannot run vectl %s %u: %s", verb, v->id, strerror(errno));
	else
		say("vectl %s %u", verb, v->id);
}

/* One VE with a config: whether it is started on demand, and its addresses. */
static void read_conf(uint32_t id, void *data)
{
	struct vectx x;
	struct od_ve *v;
	const char *idle;

	(void)data;
	if (vectx_open(&x, "standby", id, false))
		return;
	if (!vectx_get_bool(&x, "ONDEMAND", false)) {
		vectx_close(&x);
		return;
	}
	v = find(id);
	if (!v && n_ves < VED_MAX_VES) {
		v = &ves[n_ves++];
		memset(v, 0, sizeof(*v));
		v->id = id;
		v->child = -1;
	}
	if (v) {
		idle = vectx_get(&x, "ONDEMAND_IDLE");
		v->seen = true;
		v->idle = idle ? atoi(idle) : 0;
		v->n_ips = net_conf_addrs(&x, v->ips);
		if (v->n_ips < 0)
			v->n_ips = 0;
	}
	vectx_close(&x);
}

/* Addresses back to the VE (running) or gone (no longer on demand). */
static void standby(struct od_ve *v, int tun, bool on)
{
	struct vectx x;

	/* A VE just destroyed has no config: what ved made for it is in v. */
	if (vectx_open(&x, "standby", v->id, false))
		return;
	if (!net_standby(&x, v->ips, v->n_ips, tun, on, on && !v->standby))
		v->standby = on;
	vectx_close(&x);
}

/*
 * Sockets in the VE's network namespace (its init's /proc/PID/net): of
 * @proto ("tcp", "udp"), in state @state ("01" established, "0A" listening,
 * "07" an unconnected UDP socket), on local port @port (0: any).
 */
static int sockets(uint32_t init, const char *proto, const char *state, int port)
{
	char path[64], line[256];
	int n = 0;

	for (int v6 = 0; v6 < 2; v6++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%u/net/%s%s", init, proto, v6 ? "6" : "");
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			char local[64], st[8];
			unsigned int p;

			/* "sl local_address rem_address st ...", the port in hex after ':'. */
			if (sscanf(line, "%*s %63s %*s %7s", local, st) != 2 || strcmp(st, state) ||
			    !strchr(local, ':') || sscanf(strrchr(local, ':') + 1, "%x", &p) != 1)
				continue;
			if (!port || (int)p == port)
				n++;
		}
		if (f)
			fclose(f);
	}
	return n;
}

static void reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < n_ves; i++)
			if (ves[i].child == pid) {
				ves[i].child = -1;
				if (!WIFEXITED(status) || WEXITSTATUS(status))
					vectl_err("vectl for VE %u failed (exit status %d)", ves[i].id,
						  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			}
}

/* Once a second: configs again, standby for the stopped, idle ones stopped. */
static void round_trip(int tun)
{
	time_t now = time(NULL);

	for (int i = 0; i < n_ves; i++)
		ves[i].seen = false;
	vectx_each_conf(read_conf, NULL);
	for (int i = 0; i < n_ves; i++) {
		struct od_ve *v = &ves[i];
		struct ve_info info;
		bool running = !veapi_get(&nl, v->id, &info) && info.state != VE_STATE_STOPPED;

		if (!v->seen) {
			/*
			 * No longer on demand (or destroyed): nothing of ved's for
			 * its addresses, its table's route included (left in place
			 * while it ran).
			 */
			standby(v, tun, false);
			if (v->child < 0 && !v->standby)
				ves[i--] = ves[--n_ves];
			continue;
		}
		if (v->child >= 0)
			continue;
		if (!running) {
			v->started_here = false;
			v->starting = false;
			/* Every round: a stop of the VE removed its neighbour entries. */
			standby(v, tun, true);
			continue;
		}
		/* Running: its own routes win once the service is there (or it was started by hand). */
		if (v->standby && (!v->starting || now - v->started > 30 ||
				   sockets(info.init_pid, v->proto == IPPROTO_TCP ? "tcp" : "udp",
					   v->proto == IPPROTO_TCP ? "0A" : "07", v->port))) {
			struct vectx x;

			if (!vectx_open(&x, "standby", v->id, false)) {
				if (!net_standby_release(&x))
					v->standby = false;
				vectx_close(&x);
			}
			if (v->starting)
				say("VE %u is ready for port %d", v->id, v->port);
			v->starting = false;
			v->last_busy = now;
		}
		if (!v->started_here || v->idle <= 0 || v->starting)
			continue;
		if (sockets(info.init_pid, "tcp", "01", 0) > 0)
			v->last_busy = now;
		else if (now - v->last_busy >= v->idle)
			run_verb(v, "stop");
	}
}

/*
 * Whether packet @p (@n bytes) to @dst starts a conversation: a SYN, or
 * UDP; its protocol and port in @proto and @port.
 */
static bool first_packet(const uint8_t *p, ssize_t n, struct ve_ip *dst, int *proto_out,
			 int *port)
{
	int proto, off;

	memset(dst, 0, sizeof(*dst));
	if (n >= (ssize_t)sizeof(struct iphdr) && p[0] >> 4 == 4) {
		const struct iphdr *ip = (const struct iphdr *)p;

		dst->family = AF_INET;
		memcpy(dst->a, &ip->daddr, 4);
		proto = ip->protocol;
		off = ip->ihl * 4;
	} else if (n >= (ssize_t)sizeof(struct ip6_hdr) && p[0] >> 4 == 6) {
		const struct ip6_hdr *ip6 = (const struct ip6_hdr *)p;

		dst->family = AF_INET6;
		memcpy(dst->a, &ip6->ip6_dst, 16);
		proto = ip6->ip6_nxt;	/* extension headers: not a start */
		off = sizeof(*ip6);
	} else {
		return false;
	}
	/* Both headers begin with the source and destination ports. */
	if ((proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    n < off + (proto == IPPROTO_TCP ? (ssize_t)sizeof(struct tcphdr) : 8))
		return false;
	*proto_out = proto;
	*port = ntohs(((const struct tcphdr *)(p + off))->dest);
	if (proto == IPPROTO_UDP)
		return true;
	return ((const struct tcphdr *)(p + off))->syn && !((const struct tcphdr *)(p + off))->ack;
}

static void packet(const uint8_t *p, ssize_t n)
{
	int proto, port;
	struct ve_ip dst;

	if (!first_packet(p, n, &dst, &proto, &port))
		return;
	for (int i = 0; i < n_ves; i++) {
		struct od_ve *v = &ves[i];

		if (ve_ip_find(v->ips, v->n_ips, &dst) < 0 || !v->standby || v->child >= 0 ||
		    v->starting)
			continue;
		v->started_here = true;
		v->starting = true;
		v->proto = proto;
		v->port = port;
		v->started = v->last_busy = time(NULL);
		run_verb(v, "start");
		return;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	uint8_t buf[65536];
	int tun, ifindex = 0, err;
	time_t last = 0;

	vectl_prog = "ved";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else {
			vectl_err("usage: ved [-v] (bad option '%s')", argv[i]);
			return VECTL_ERR_USAGE;
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	err = ve_nl_open(&nl);
	if (err) {
		vectl_err("%s", err == -ENOENT ? "the ve module is not loaded (modprobe ve)" :
			  strerror(-err));
		return err == -ENOENT ? VECTL_ERR_NOMODULE : VECTL_ERR_SYSTEM;
	}
	tun = tun_open(&ifindex);
	if (tun < 0) {
		vectl_err("cannot make the tun device %s: %s%s", VED_DEV, strerror(-tun),
			  tun == -EBUSY ? " (is another ved running?)" : "");
		return VECTL_ERR_SYSTEM;
	}
	say("listening on %s", VED_DEV);
	while (!quit) {
		/* A change the cluster's watch saw is looked at now, not next second. */
		struct pollfd p[2] = { { .fd = tun, .events = POLLIN },
				       { .fd = agent_watch_fd(), .events = POLLIN } };
		ssize_t n;

		if (time(NULL) != last) {
			reap();
			round_trip(ifindex);
			agent_round(&nl, verbose);
			last = time(NULL);
		}
		if (poll(p, 2, 250) <= 0)
			continue;
		if (p[1].revents)
			agent_round(&nl, verbose);
		while ((n = read(tun, buf, sizeof(buf))) > 0)
			packet(buf, n);
	}
	/* Leave no rule, route or neighbour entry of ved's behind. */
	for (int i = 0; i < n_ves; i++)
		standby(&ves[i], ifindex, false);
	agent_stop();
	close(tun);
	ve_nl_close(&nl);
	return VECTL_OK;
}
