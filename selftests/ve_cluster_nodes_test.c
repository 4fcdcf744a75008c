// SPDX-License-Identifier: GPL-2.0
/*
 * A cluster of the two nodes of the test bed (scripts/vm VM_NODES=2),
 * with a real etcd on node1 as its control center: joining with a token
 * (a wrong or spent one refused), both nodes online through their agents
 * (ved), every VE listed with its node, an ID one node has refused on
 * the other with the owner named, an agent killed and restarted without
 * touching its VEs, the control center down and back (VEs run on), a
 * node cut off from etcd fencing itself before its lease runs out, the
 * watchdog behind a hung agent, leaving; a crashed node's VE started on
 * the other node from the shared storage (NFS, node1 its server), with
 * its data and its address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define ETCD "http://10.97.0.1:2379"
/*
 * The agents' lease: 10 s, not 15, for shorter tests; not 5, for a TCG
 * guest can lose its network for a couple of seconds (a node fences
 * itself when it cannot renew for 2/3 of it, less a second's probe).
 */
#define TTL 10
#define TTL_S "10"
/* Base64 of "/ve/owner/372", for a look at etcd through its gateway. */
#define OWNER_372_B64 "L3ZlL293bmVyLzM3Mg=="

FIXTURE(cl) {
	char out[16384];
	char err[4096];
	struct timespec t0;	/* the case's start: its length in the log */
};

#define on(self, node, ...) run_on_node((self)->out, sizeof((self)->out), (self)->err, \
				      sizeof((self)->err), node, __VA_ARGS__)

/*
 * What a case leaves on a node goes: the agent, the cut, the cluster's
 * config (first: the VEs then go without asking etcd, whose data goes
 * too), and of the seven IDs only those with something left (vectl
 * calls are what a case's setup and teardown spend most on).
 */
static void clean(FIXTURE_DATA(cl) *self)
{
	static const char each[] =
		"kill $(cat /tmp/clipids 2>/dev/null) 2>/dev/null; rm -f /tmp/clipids;"
		" killall ved 2>/dev/null; nft delete table inet vecut 2>/dev/null;"
		" rm -f /etc/ve/cluster.conf;"
		" for i in 371 372 373 374 375 376 377; do"
		" if [ -e /etc/ve/conf/$i.conf ] || ls -d /var/lib/ve/*/$i >/dev/null 2>&1 ||"
		" grep -q \"^ *$i \" /proc/vz/veinfo; then"
		" vectl stop $i --fast; vectl destroy $i; vectl kernel del $i; fi;"
		" rm -f /etc/ve/conf/$i.conf.destroyed /etc/ve/conf/$i.conf.taken /etc/ve/conf/$i.conf.evacuated"
		" /etc/ve/conf/$i.conf.migrated /etc/ve/conf/$i.epoch; done >/dev/null 2>&1;"
		" for i in $(seq 50); do pidof ved || break; sleep 0.1; done";

	on(self, 1, "%s", each);
	on(self, 2, "%s", each);
}

static int etcd_start(FIXTURE_DATA(cl) *self)
{
	/* One member, its peer port on loopback: the test bed's control center. */
	return on(self, 1,
		  "setsid etcd --name ve-test --data-dir /tmp/ve-etcd"
		  " --listen-client-urls " ETCD " --advertise-client-urls " ETCD
		  " --listen-peer-urls http://127.0.0.1:2380"
		  " --initial-advertise-peer-urls http://127.0.0.1:2380"
		  " --initial-cluster ve-test=http://127.0.0.1:2380 </dev/null >>/tmp/ve-etcd.log 2>&1 &"
		  " for i in $(seq 150); do wget -q -O /dev/null " ETCD "/health 2>/dev/null && exit 0; sleep 0.2; done;"
		  " tail -5 /tmp/ve-etcd.log >&2; exit 1");
}

static void etcd_stop(FIXTURE_DATA(cl) *self)
{
	on(self, 1, "killall etcd 2>/dev/null; for i in $(seq 50); do pidof etcd || break; sleep 0.1; done");
}

static int ved_start(FIXTURE_DATA(cl) *self, int node)
{
	return on(self, node, "setsid ved -v </dev/null >>/tmp/ved.log 2>&1 & sleep 0.5; pidof ved");
}

/* Poll (up to @secs) until "vectl cmd" on @node prints a line matching @re. */
static int wait_for(FIXTURE_DATA(cl) *self, int node, int secs, const char *cmd, const char *re)
{
	return on(self, node, "for i in $(seq %d); do %s 2>/dev/null | grep -q -E '%s' && exit 0;"
		  " sleep 0.5; done; %s; exit 1", secs * 2, cmd, re, cmd);
}

FIXTURE_SETUP(cl)
{
	if (ve_env_int("VE_NODES", 1) < 2)
		SKIP(return, "needs two nodes (scripts/vm with VM_NODES=2)");
	clock_gettime(CLOCK_MONOTONIC, &self->t0);
	clean(self);
	etcd_stop(self);
	on(self, 1, "rm -rf /tmp/ve-etcd");
	ASSERT_EQ(0, etcd_start(self)) TH_LOG("%s", self->err);
	/* The watchdog only says it fired: a reset would end the test bed. */
	for (int node = 1; node <= 2; node++) {
		ASSERT_EQ(0, on(self, node, "modprobe softdog soft_noboot=1 && : > /tmp/ved.log"))
			TH_LOG("node%d: %s", node, self->err);
	}
	ASSERT_EQ(0, on(self, 1, "vectl cluster init --etcd " ETCD " --name node1 --lease-ttl " TTL_S
			" --watchdog")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ved_start(self, 1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, on(self, 1, "vectl cluster token")) TH_LOG("%s", self->err);
	self->out[strcspn(self->out, "\n")] = '\0';
	ASSERT_EQ(0, on(self, 2, "vectl cluster join %s --name node2 --watchdog", self->out))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, ved_start(self, 2)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 +10\\.97\\.0\\.2 +online"))
		TH_LOG("%s", self->out);
}

FIXTURE_TEARDOWN(cl)
{
	struct timespec t1;

	if (ve_env_int("VE_NODES", 1) < 2)
		return;
	/* A failure is explained by what the agents did: their last words. */
	for (int node = 1; node <= 2 && !_metadata->passed; node++) {
		on(self, node, "{ grep -v -e 'lease renewed' -e 'lease granted' /tmp/ved.log | tail -n 40;"
		   " ls /etc/ve/conf; vectl list --cluster -a -H; } 2>&1 | sed 's/^/# node%d: /'", node);
		fprintf(stderr, "%s", self->out);
	}
	clean(self);
	etcd_stop(self);
	on(self, 1, "rm -rf /tmp/ve-etcd");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "# %s took %ld s\n", _metadata->name, (long)(t1.tv_sec - self->t0.tv_sec));
}

TEST_F_TIMEOUT(cl, nodes_and_their_ves, 600)
{
	EXPECT_EQ(0, wait_for(self, 2, 10, "vectl cluster list -H", "^node1 +10\\.97\\.0\\.1 +online"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "vectl create 371 --ostemplate busybox --layout dir --hostname one"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 2, "vectl create 372 --ostemplate busybox --layout dir --ipadd 10.98.0.72"
			" && vectl start 372")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +372 node2 +running +10\\.98\\.0\\.72"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, wait_for(self, 2, 10, "vectl list --cluster -a -H", "^ +371 node1 +stopped +- +one$"))
		TH_LOG("%s", self->out);
	/* Only the running one without -a; JSON names the node. */
	EXPECT_EQ(0, on(self, 1, "vectl list --cluster -H | wc -l"));
	EXPECT_STREQ("1\n", self->out);
	EXPECT_EQ(0, on(self, 2, "vectl list --cluster -j"));
	EXPECT_NE(NULL, strstr(self->out, "\"node\": \"node2\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "vectl cluster list -j"));
	EXPECT_NE(NULL, strstr(self->out, "\"ves\": 1")) TH_LOG("%s", self->out);

	/* An ID of node2's, refused on node1 with its owner named; nothing made. */
	EXPECT_EQ(109, on(self, 1, "vectl create 372 --ostemplate busybox --layout dir"));
	EXPECT_NE(NULL, strstr(self->err, "node node2")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_NE(0, on(self, 1, "test -e /etc/ve/conf/372.conf || test -e /var/lib/ve/private/372"));
	/* Verbs on it from node1 say where it is. */
	EXPECT_EQ(109, on(self, 1, "vectl set 372 --hostname x --save"));
	EXPECT_NE(NULL, strstr(self->err, "node node2")) TH_LOG("%s", self->err);
	EXPECT_EQ(109, on(self, 1, "vectl start 372"));
	EXPECT_EQ(109, on(self, 1, "vectl destroy 372"));
	EXPECT_EQ(0, on(self, 2, "vectl status 372"));
	EXPECT_NE(NULL, strstr(self->out, "running")) TH_LOG("%s", self->out);

	/* Destroyed: the ID is free for any node. */
	EXPECT_EQ(0, on(self, 1, "vectl destroy 371"));
	EXPECT_EQ(0, on(self, 2, "vectl create 371 --ostemplate busybox --layout dir"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -a -H", "^ +371 node2 "))
		TH_LOG("%s", self->out);
}

/* etcd's counter @name (its /metrics) on node1, in *@v. */
static int etcd_metric(FIXTURE_DATA(cl) *self, const char *name, long *v)
{
	int err = on(self, 1, "wget -q -O- " ETCD "/metrics | awk '$1 == \"%s\" { print $2 + 0 }'", name);

	*v = err ? -1 : atol(self->out);
	return err || !self->out[0];
}

/*
 * The agents watch the cluster's keys rather than read them every
 * second: etcd counts a watcher of each, and while nothing changes its
 * range reads grow by less than one an agent a second (a round read
 * the members and the VEs' records: two).
 */
TEST_F_TIMEOUT(cl, agents_watch_the_cluster, 600)
{
	long before, after, watchers;

	EXPECT_EQ(0, wait_for(self, 1, 10, "wget -q -O- " ETCD "/metrics",
			      "^etcd_debugging_mvcc_watcher_total [2-9]")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, etcd_metric(self, "etcd_debugging_mvcc_watcher_total", &watchers));
	EXPECT_GE(watchers, 2);
	ASSERT_EQ(0, etcd_metric(self, "etcd_mvcc_range_total", &before));
	on(self, 1, "sleep 10");
	ASSERT_EQ(0, etcd_metric(self, "etcd_mvcc_range_total", &after));
	TH_LOG("etcd: %ld watchers, %ld range reads in 10 s of two idle agents", watchers,
	       after - before);
	EXPECT_LT(after - before, 20);
	/* A node's agent restarted watches again (and the old watch went). */
	EXPECT_EQ(0, on(self, 2, "killall ved; for i in $(seq 50); do pidof ved || break; sleep 0.1; done"));
	EXPECT_EQ(0, ved_start(self, 2)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "wget -q -O- " ETCD "/metrics",
			      "^etcd_debugging_mvcc_watcher_total 2$")) TH_LOG("%s", self->out);
}

/* Where a VE is made: a node named, or the least loaded one. */
TEST_F_TIMEOUT(cl, placement, 600)
{
	EXPECT_EQ(0, on(self, 1, "vectl create 371 --ostemplate busybox --layout dir --node node2 --hostname two"))
		TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "Creating on node node2")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "grep -q two /etc/ve/conf/371.conf"));
	EXPECT_NE(0, on(self, 1, "test -e /etc/ve/conf/371.conf"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 .* online +1 "))
		TH_LOG("%s", self->out);
	/* node2 has one VE, node1 none: auto picks node1, made here. */
	EXPECT_EQ(0, on(self, 1, "vectl create 372 --ostemplate busybox --layout dir --node auto"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 1, "test -e /etc/ve/conf/372.conf"));
	EXPECT_EQ(21, on(self, 1, "vectl create 373 --ostemplate busybox --node node9"));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	/* An ID the cluster has is refused wherever it is placed. */
	EXPECT_EQ(109, on(self, 2, "vectl create 372 --ostemplate busybox --layout dir --node node2"));
	EXPECT_EQ(0, wait_for(self, 2, 10, "vectl list --cluster -a -H", "^ +372 node1 "))
		TH_LOG("%s", self->out);
}

/* The owner key of VE 372 through the gateway: its value and lease. */
static int owner_372(FIXTURE_DATA(cl) *self)
{
	return on(self, 1, "wget -q -O- --post-data '{\"key\":\"" OWNER_372_B64 "\"}' "
		  ETCD "/v3/kv/range");
}

TEST_F_TIMEOUT(cl, agent_killed_and_restarted, 600)
{
	char lease[64] = "", init[32] = "";
	const char *p;

	/* Not taken over by node1 while node2's agent is away: here it only dies. */
	ASSERT_EQ(0, on(self, 2, "vectl create 372 --ostemplate busybox --layout dir &&"
			" vectl set 372 --ha-enable no --save && vectl start 372")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, on(self, 2, "vectl list -H -o initpid 372"));
	snprintf(init, sizeof(init), "%.31s", self->out);
	/* node2 owns what it runs, under its lease ("bm9kZTI=" is "node2"). */
	ASSERT_EQ(0, wait_for(self, 1, 10, "wget -q -O- --post-data '{\"key\":\"" OWNER_372_B64
			      "\"}' " ETCD "/v3/kv/range", "bm9kZTI=")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, owner_372(self));
	p = strstr(self->out, "\"lease\":\"");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	snprintf(lease, sizeof(lease), "%.*s", (int)strcspn(p + 9, "\""), p + 9);

	/* The agent dies: the node goes offline when its lease runs out (TTL). */
	EXPECT_EQ(0, on(self, 2, "killall -9 ved"));
	EXPECT_EQ(0, wait_for(self, 1, TTL + 15, "vectl cluster list -H", "^node2 .* offline"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, owner_372(self));
	EXPECT_EQ(NULL, strstr(self->out, "bm9kZTI=")) TH_LOG("the owner key outlived the lease: %s",
							      self->out);
	EXPECT_EQ(0, on(self, 2, "vectl status 372"));
	EXPECT_NE(NULL, strstr(self->out, "running")) TH_LOG("%s", self->out);

	/* Back: online again, owning the VE under a new lease; the VE not restarted. */
	EXPECT_EQ(0, ved_start(self, 2)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, wait_for(self, 1, 10, "wget -q -O- --post-data '{\"key\":\"" OWNER_372_B64
			      "\"}' " ETCD "/v3/kv/range", "bm9kZTI=")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, owner_372(self));
	EXPECT_EQ(NULL, strstr(self->out, lease)) TH_LOG("still the old lease %s", lease);
	EXPECT_EQ(0, on(self, 2, "vectl list -H -o initpid 372"));
	EXPECT_STREQ(init, self->out);

	/* Stopped: no owner any more. */
	EXPECT_EQ(0, on(self, 2, "vectl stop 372 --fast"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -a -H", "^ +372 node2 +stopped"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, owner_372(self));
	EXPECT_EQ(NULL, strstr(self->out, "bm9kZTI=")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(cl, control_center_down_and_back, 600)
{
	char init[32];

	ASSERT_EQ(0, on(self, 2, "vectl create 372 --ostemplate busybox --layout dir && vectl start 372"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, on(self, 2, "vectl list -H -o initpid 372"));
	snprintf(init, sizeof(init), "%.31s", self->out);
	etcd_stop(self);
	EXPECT_EQ(108, on(self, 1, "vectl cluster status"));
	EXPECT_NE(NULL, strstr(self->err, "10.97.0.1:2379")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(108, on(self, 2, "vectl list --cluster"));
	/* No ID handed out while the cluster cannot say it is free; nothing made. */
	EXPECT_EQ(108, on(self, 1, "vectl create 373 --ostemplate busybox --layout dir"));
	EXPECT_NE(0, on(self, 1, "test -e /etc/ve/conf/373.conf || test -e /var/lib/ve/private/373"));
	/*
	 * A minute, far beyond the lease's TTL: both agents find etcd down
	 * for the other too, so neither fences; the VEs carry on, and local
	 * verbs work.
	 */
	sleep(60);
	EXPECT_EQ(0, on(self, 2, "vectl status 372 && vectl exec 372 true"));
	EXPECT_NE(NULL, strstr(self->out, "running")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "vectl list -H -o initpid 372"));
	EXPECT_STREQ(init, self->out);
	EXPECT_NE(0, on(self, 2, "grep fenced /tmp/ved.log")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "vectl list -H")) TH_LOG("%s", self->err);

	EXPECT_EQ(0, etcd_start(self)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 20, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "vectl cluster status")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +372 node2 +running"))
		TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(cl, fenced_when_cut_off_from_etcd, 600)
{
	double renewed, dead;

	/* Not on shared storage: no node could take it over; here it is only killed. */
	ASSERT_EQ(0, on(self, 2, "vectl create 372 --ostemplate busybox --layout dir &&"
			" vectl set 372 --ha-enable no --save && vectl start 372")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_for(self, 1, 10, "wget -q -O- --post-data '{\"key\":\"" OWNER_372_B64
			      "\"}' " ETCD "/v3/kv/range", "bm9kZTI=")) TH_LOG("%s", self->out);
	/*
	 * node2 loses etcd, not node1: node1's agent answers its probe that
	 * etcd is up, so node2 must kill its VEs before its lease can run
	 * out. A watcher there notes (boot clock) when the VE's cgroup
	 * emptied; the cut is lifted after 12 s.
	 */
	ASSERT_EQ(0, on(self, 2, "rm -f /tmp/dead; setsid sh -c '"
			"nft add table inet vecut && nft add chain inet vecut out \"{ type filter hook output priority 0; }\" &&"
			" nft add rule inet vecut out ip daddr 10.97.0.1 tcp dport 2379 drop;"
			" while [ -n \"$(cat /sys/fs/cgroup/ve/372/cgroup.procs 2>/dev/null)\" ]; do sleep 0.05; done;"
			" cut -d\" \" -f1 /proc/uptime > /tmp/dead; sleep 12; nft delete table inet vecut'"
			" </dev/null >/dev/null 2>&1 &")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, TTL + 15, "vectl cluster list -H", "^node2 .* offline"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, on(self, 2, "for i in $(seq 100); do test -s /tmp/dead && break; sleep 0.1; done;"
			" cat /tmp/dead")) TH_LOG("the VE was not killed: %s", self->err);
	dead = atof(self->out);
	/* The last renewal before the fence: the lease lasted TTL from it at least. */
	ASSERT_EQ(0, on(self, 2, "sed -n '/fenced/q; s/^ved: lease \\(renewed\\|granted\\) at uptime \\([0-9.]*\\) s$/\\2/p'"
			" /tmp/ved.log | tail -n 1")) TH_LOG("%s", self->err);
	renewed = atof(self->out);
	EXPECT_GT(renewed, 0);
	fprintf(stderr, "# the VE killed %.2f s after the last renewal of a %d s lease\n",
		dead - renewed, TTL);
	EXPECT_LT(dead, renewed + TTL) TH_LOG("killed at %.2f, the lease renewed at %.2f for %d s",
					      dead, renewed, TTL);
	EXPECT_EQ(0, on(self, 2, "grep -c 'fenced: .* 1 VE killed' /tmp/ved.log"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "for i in $(seq 50); do vectl status 372 | grep -q down && exit 0;"
			" sleep 0.2; done; vectl status 372; exit 1")) TH_LOG("%s", self->out);
	/* The cut lifted: online again, the VE stopped (no other node took it). */
	EXPECT_EQ(0, wait_for(self, 1, 30, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -a -H", "^ +372 node2 +stopped"))
		TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(cl, watchdog_backstops_a_hung_agent, 600)
{
	int before;

	ASSERT_EQ(0, on(self, 2, "dmesg | grep -c 'softdog: Triggered' || true"));
	before = atoi(self->out);
	/* Fed every second: nothing fires while the agent works. */
	sleep(5);
	EXPECT_EQ(0, on(self, 2, "dmesg | grep -c 'softdog: Triggered' || true"));
	EXPECT_EQ(before, atoi(self->out));
	/* Hung (stopped) past the watchdog's 2/3 TTL: it fires (here it only says so). */
	EXPECT_EQ(0, on(self, 2, "killall -STOP ved && sleep %d && killall -CONT ved", TTL));
	EXPECT_EQ(0, on(self, 2, "dmesg | grep -c 'softdog: Triggered' || true"));
	EXPECT_EQ(before + 1, atoi(self->out)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, wait_for(self, 1, 15, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	/* A clean exit stops the watchdog (its magic close): nothing fires after it. */
	EXPECT_EQ(0, on(self, 2, "killall ved; sleep %d; dmesg | grep -c 'softdog: Triggered' || true", TTL));
	EXPECT_EQ(before + 1, atoi(self->out));
}

TEST_F_TIMEOUT(cl, bad_input_changes_nothing, 600)
{
	static const struct {
		int node;
		const char *cmd;
		int rc;
	} bad[] = {
		{ 2, "vectl cluster join 0123456789abcdef0123456789abcdef@" ETCD " --name nodex", 108 },
		{ 1, "vectl cluster init --etcd " ETCD, 108 },
		{ 1, "vectl cluster", 20 },
		{ 1, "vectl cluster frob", 20 },
		{ 1, "vectl cluster token extra", 20 },
		{ 1, "vectl list --cluster -o ctid", 20 },
		{ 1, "vectl list --cluster 371", 20 },
	};
	static const struct {
		const char *cmd;
		int rc;
	} bad_joins[] = {
		{ "vectl cluster join 0123456789abcdef0123456789abcdef@" ETCD, 12 },
		{ "vectl cluster join nonsense", 21 },
		{ "vectl cluster join 0123456789abcdef0123456789abcdef@ftp://x:1", 21 },
		{ "vectl cluster join 0123456789abcdef0123456789abcdef@http://10.97.0.1:1", 108 },
		{ "vectl cluster init", 20 },
		{ "vectl cluster init --etcd " ETCD " --lease-ttl 1", 21 },
		{ "vectl cluster init --etcd " ETCD " --name 'a b'", 21 },
		{ "vectl cluster init --etcd " ETCD " --addr nowhere", 21 },
		{ "vectl cluster init --etcd " ETCD, 108 },
		{ "vectl cluster token", 108 },
		{ "vectl cluster leave", 108 },
		{ "vectl list --cluster", 108 },
	};
	char before[4096], token[128];

	ASSERT_EQ(0, on(self, 1, "vectl cluster list -H | awk '{ print $1, $2, $3 }'"));
	snprintf(before, sizeof(before), "%.4095s", self->out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(bad[i].rc, on(self, bad[i].node, "%s", bad[i].cmd)) TH_LOG("%s", bad[i].cmd);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad[i].cmd, self->err);
	}

	/* node2 out of the cluster for the joins; its token spent by the join. */
	ASSERT_EQ(0, on(self, 1, "vectl cluster token"));
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(self->out, "\n"), self->out);
	ASSERT_EQ(0, on(self, 2, "vectl cluster leave")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H | wc -l", "^1$"))
		TH_LOG("%s", self->out);
	for (size_t i = 0; i < sizeof(bad_joins) / sizeof(bad_joins[0]); i++) {
		EXPECT_EQ(bad_joins[i].rc, on(self, 2, "%s", bad_joins[i].cmd))
			TH_LOG("%s: %s", bad_joins[i].cmd, self->err);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s: %s", bad_joins[i].cmd, self->err);
		EXPECT_NE(0, on(self, 2, "test -e /etc/ve/cluster.conf"));
	}
	/* A node name in use. */
	EXPECT_EQ(108, on(self, 2, "vectl cluster join %s --name node1", token));
	EXPECT_NE(NULL, strstr(self->err, "node1")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 2, "vectl cluster join %s --name node2", token)) TH_LOG("%s", self->err);
	/* Spent. */
	EXPECT_EQ(0, on(self, 2, "vectl cluster leave"));
	EXPECT_EQ(12, on(self, 2, "vectl cluster join %s --name node2", token));
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);

	/* A node with VEs cannot leave; an ID the cluster has elsewhere keeps a node out. */
	ASSERT_EQ(0, on(self, 1, "vectl cluster token"));
	snprintf(token, sizeof(token), "%.*s", (int)strcspn(self->out, "\n"), self->out);
	EXPECT_EQ(0, on(self, 1, "vectl create 371 --ostemplate busybox --layout dir"));
	EXPECT_EQ(0, on(self, 2, "vectl create 371 --ostemplate busybox --layout dir"))
		TH_LOG("outside the cluster, any ID: %s", self->err);
	EXPECT_EQ(109, on(self, 2, "vectl cluster join %s --name node2", token));
	EXPECT_NE(NULL, strstr(self->err, "node1")) TH_LOG("%s", self->err);
	EXPECT_NE(0, on(self, 2, "test -e /etc/ve/cluster.conf"));
	EXPECT_EQ(0, on(self, 2, "vectl destroy 371"));
	EXPECT_EQ(0, on(self, 2, "vectl cluster join %s --name node2", token)) TH_LOG("%s", self->err);
	EXPECT_EQ(108, on(self, 1, "vectl cluster leave"));
	EXPECT_NE(NULL, strstr(self->err, "371")) TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 1, "test -e /etc/ve/cluster.conf"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "vectl cluster list -H | awk '{ print $1, $2, $3 }'"));
	EXPECT_STREQ(before, self->out);
}

/*
 * The cluster's shared storage at /var/lib/ve/shared on node @node: NFS
 * 4.2 from node1, which is the storage node too (it serves /srv/ve-shared
 * with Debian's nfs-kernel-server). The server's lease and grace are its
 * least, 10 s: what a dead node held there (an open, a lock) is free
 * again within the cluster's own lease. lookupcache=positive: a name
 * this node found missing (an earlier test's rm) is asked of the server
 * again, not believed for up to a minute.
 */
static int shared_mount(FIXTURE_DATA(cl) *self, int node)
{
	if (on(self, 1, "grep -qs '^[1-9]' /proc/fs/nfsd/threads && exit 0; modprobe nfsd &&"
	       " { grep -q ' /proc/fs/nfsd ' /proc/mounts || mount -t nfsd nfsd /proc/fs/nfsd; } &&"
	       " echo 10 > /proc/fs/nfsd/nfsv4leasetime && echo 10 > /proc/fs/nfsd/nfsv4gracetime &&"
	       " mkdir -p /srv/ve-shared && echo '/srv/ve-shared"
	       " 10.97.0.0/24(rw,sync,no_root_squash,no_subtree_check)' > /etc/exports &&"
	       " exportfs -r && rpc.mountd -N 3 -u && rpc.nfsd -p 2049 -N 3 -U 4"))
		return -1;
	return on(self, node, "mkdir -p /var/lib/ve/shared && { grep -q ' /var/lib/ve/shared ' /proc/mounts ||"
		  " { modprobe nfsv4 && /sbin/mount.nfs4 node1:/srv/ve-shared /var/lib/ve/shared -o vers=4.2,sec=sys,lookupcache=positive; }; }");
}

/*
 * node2 cut off from etcd alone (the storage still there) while a VE of
 * its runs from the shared storage: node2 kills it, node1 takes it over
 * and starts it. node2, which cannot ask etcd whose it is, still refuses
 * to start or destroy it: the epoch beside the private area is newer
 * than its own claim. Its agent moves the stale config aside once etcd
 * answers again.
 */
TEST_F_TIMEOUT(cl, epoch_refuses_a_stale_node, 900)
{
	ASSERT_EQ(0, shared_mount(self, 1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, shared_mount(self, 2)) TH_LOG("%s", self->err);
	on(self, 1, "rm -rf /var/lib/ve/shared/377 /var/lib/ve/shared/377.epoch");
	ASSERT_EQ(0, on(self, 2, "vectl create 377 --ostemplate busybox --layout dir"
			" --private /var/lib/ve/shared/377 && vectl start 377")) TH_LOG("%s", self->err);
	/* node2's claim, recorded once its agent owns the running VE. */
	ASSERT_EQ(0, wait_for(self, 2, 10, "cat /etc/ve/conf/377.epoch", "^[0-9]+$"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, on(self, 2, "nft add table inet vecut && nft add chain inet vecut out"
			" '{ type filter hook output priority 0; }' &&"
			" nft add rule inet vecut out ip daddr 10.97.0.1 tcp dport 2379 drop"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, TTL + 20, "vectl list --cluster -H", "^ +377 node1 +running"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 2, "for i in $(seq 50); do vectl status 377 | grep -q down && exit 0;"
			" sleep 0.2; done; vectl status 377; exit 1")) TH_LOG("%s", self->out);
	EXPECT_EQ(109, on(self, 2, "vectl start 377"));
	EXPECT_NE(NULL, strstr(self->err, "another node took VE 377 over (epoch"))
		TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(109, on(self, 2, "vectl destroy 377"));
	EXPECT_EQ(0, on(self, 2, "vectl status 377 | grep -q down && test -d /var/lib/ve/shared/377/root"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "vectl status 377 | grep -q running")) TH_LOG("%s", self->out);
	/* etcd back: node2's agent sees the VE is node1's and moves its config aside. */
	EXPECT_EQ(0, on(self, 2, "nft delete table inet vecut"));
	EXPECT_EQ(0, on(self, 2, "for i in $(seq 60); do test -e /etc/ve/conf/377.conf.taken && exit 0;"
			" sleep 0.5; done; ls /etc/ve/conf; exit 1")) TH_LOG("%s", self->out);
	on(self, 1, "vectl stop 377 --fast; vectl destroy 377; rm -rf /var/lib/ve/shared/377*");
}

/*
 * A partition: node2 cut off the LAN (etcd and node1 both) while its VE
 * runs from the shared storage, writing a marker every 100 ms. node2
 * must kill it before node1 starts it: in the marker file, the writer
 * of node2's instance stops before node1's begins, never interleaved.
 */
TEST_F_TIMEOUT(cl, partition_never_runs_a_ve_twice, 900)
{
	ASSERT_EQ(0, shared_mount(self, 1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, shared_mount(self, 2)) TH_LOG("%s", self->err);
	on(self, 1, "rm -rf /var/lib/ve/shared/374 /var/lib/ve/shared/374.epoch");
	ASSERT_EQ(0, on(self, 2, "vectl create 374 --ostemplate busybox --layout dir"
			" --private /var/lib/ve/shared/374 --ipadd 10.97.0.74 && vectl start 374"))
		TH_LOG("%s", self->err);
	/* The writer: an ID per boot, a line every 100 ms, synced; respawned by init at a boot. */
	ASSERT_EQ(0, on(self, 2, "vectl exec 374 sh -c 'printf \"%%s\\n\" \"#!/bin/sh\""
			" \"id=\\$(cut -c1-8 /proc/sys/kernel/random/uuid)\""
			" \"while :; do echo \\$id >> /root/marker; sync; sleep 0.1; done\" > /root/marker.sh &&"
			" chmod 0755 /root/marker.sh && echo ::respawn:/root/marker.sh >> /etc/inittab' &&"
			" vectl exec 374 sh -c 'setsid /root/marker.sh </dev/null >/dev/null 2>&1 &'"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +374 node2 +running"))
		TH_LOG("%s", self->out);
	sleep(2);
	/* Cut for 25 s: the LAN device drops everything both ways. */
	ASSERT_EQ(0, on(self, 2, "dev=$(/usr/sbin/ip -o -4 addr show | awk '/ 10\\.97\\.0\\.2\\// { print $2 }');"
			" setsid sh -c \"nft add table inet vepart && nft add chain inet vepart in '{ type filter hook input priority -300; }' &&"
			" nft add chain inet vepart out '{ type filter hook output priority -300; }' &&"
			" nft add rule inet vepart in iifname $dev drop && nft add rule inet vepart out oifname $dev drop;"
			" sleep 25; nft delete table inet vepart\" </dev/null >/dev/null 2>&1 &"))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, wait_for(self, 1, 60, "vectl status 374", "running")) TH_LOG("%s", self->out);
	/* node1's instance writes too, then the partition heals. */
	sleep(3);
	EXPECT_EQ(0, on(self, 1, "for i in $(seq 60); do ssh -o ConnectTimeout=2 node2 true 2>/dev/null && exit 0;"
			" sleep 1; done; exit 1"));
	EXPECT_EQ(0, on(self, 1, "uniq /var/lib/ve/shared/374/root/marker | wc -l"));
	EXPECT_STREQ("2\n", self->out) TH_LOG("two instances interleaved, or one is missing");
	on(self, 1, "uniq -c /var/lib/ve/shared/374/root/marker | awk '{ printf \"%%s \", $1 }'");
	fprintf(stderr, "# markers per instance (node2's, then node1's): %s\n", self->out);
	/* node2 killed it, and its config went aside once it saw node1 has it. */
	EXPECT_EQ(0, on(self, 2, "for i in $(seq 30); do test -e /etc/ve/conf/374.conf.taken && exit 0;"
			" sleep 1; done; exit 1"));
	EXPECT_EQ(0, on(self, 2, "grep -q 'fenced: .* 1 VE killed' /tmp/ved.log"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +374 node1 +running"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, on(self, 1, "/usr/sbin/ip netns exec outside ping -c 1 -W 5 10.97.0.74"));
	on(self, 1, "vectl stop 374 --fast; vectl destroy 374; rm -rf /var/lib/ve/shared/374*");
}

/*
 * Maintenance: node2's VEs move to node1, one on the shared storage
 * (stopped, handed over, started by node1's agent) and one on node2's
 * own disk (live migration); each says how long it was without service;
 * node2 takes no VEs until restored; the last active node cannot be
 * evacuated. Asked on node1, done by node2.
 */
TEST_F_TIMEOUT(cl, evacuate_and_restore, 900)
{
	ASSERT_EQ(0, shared_mount(self, 1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, shared_mount(self, 2)) TH_LOG("%s", self->err);
	on(self, 1, "rm -rf /var/lib/ve/shared/375 /var/lib/ve/shared/375.epoch");
	ASSERT_EQ(0, on(self, 2, "vectl create 375 --ostemplate busybox --layout dir"
			" --private /var/lib/ve/shared/375 --ipadd 10.97.0.75 && vectl start 375 &&"
			" vectl create 376 --ostemplate busybox --layout dir --ipadd 10.97.0.76 &&"
			" vectl start 376 && vectl exec 376 sh -c 'echo on-node2 > /root/mark'"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +376 node2 +running"))
		TH_LOG("%s", self->out);
	/*
	 * A service on port 7 in each (in 375 respawned by its init, as it
	 * restarts elsewhere), and a client outside that asks each every
	 * 100 ms and notes when it was answered. Each ask is cut at 3 s:
	 * nc's -w bounds its connect, not a read of a connection made just
	 * as the live migration froze the VE (left out of the dump).
	 */
	ASSERT_EQ(0, on(self, 2, "vectl exec 375 sh -c 'echo ::respawn:/usr/bin/nc -ll -p 7 -e /bin/echo ok >> /etc/inittab' &&"
			" for i in 375 376; do vectl exec $i sh -c 'setsid nc -ll -p 7 -e /bin/echo ok </dev/null >/dev/null 2>&1 &'; done"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, on(self, 1, "rm -f /tmp/clipids; for i in 75 76; do rm -f /tmp/cli$i; setsid /usr/sbin/ip netns exec outside sh -c"
			" \"while :; do echo x | timeout 3 nc -w 1 10.97.0.$i 7 2>/dev/null | grep -q ok && cut -d' ' -f1 /proc/uptime;"
			" sleep 0.1; done\" </dev/null >/tmp/cli$i 2>/dev/null & echo $! >> /tmp/clipids; done;"
			" sleep 3; test -s /tmp/cli75 && test -s /tmp/cli76"))
		TH_LOG("the client gets no answer");
	/* Its config published (the agent's rounds). */
	sleep(2);

	EXPECT_EQ(0, on(self, 1, "vectl cluster evacuate node2")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "VE 375 restarted on node node1 from the shared storage:"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "VE 376 migrated to node node1 (live)")) TH_LOG("%s", self->out);
	fprintf(stderr, "# %s%s", self->out, self->err);
	EXPECT_EQ(0, on(self, 1, "vectl status 375 | grep -q running && vectl status 376 | grep -q running &&"
			" vectl exec 376 cat /root/mark")) {
		on(self, 1, "{ vectl list --cluster -a -H; vectl list -a -H; } 2>&1 | sed 's/^/# after: /'");
		TH_LOG("not both running on node1: %s", self->out);
	}
	EXPECT_STREQ("on-node2\n", self->out);
	EXPECT_EQ(0, on(self, 1, "/usr/sbin/ip netns exec outside ping -c 1 -W 5 10.97.0.75 &&"
			" /usr/sbin/ip netns exec outside ping -c 1 -W 5 10.97.0.76"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H | grep -c ' node1 '", "^2$"))
		TH_LOG("%s", self->out);
	/* The client's longest wait for an answer, for each; answered again since. */
	sleep(3);
	for (int i = 75; i <= 76; i++) {
		EXPECT_EQ(0, on(self, 1, "awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { printf \"%%.1f\", m }' /tmp/cli%d", i));
		fprintf(stderr, "# VE 3%d: the client outside went %s s without an answer\n", i, self->out);
		EXPECT_LT(atof(self->out), 60);
		EXPECT_EQ(0, on(self, 1, "a=$(tail -n 1 /tmp/cli%d); b=$(cut -d' ' -f1 /proc/uptime);"
				" awk -v a=$a -v b=$b 'BEGIN { exit !(b - a < 3) }'", i)) {
			on(self, 1, "{ vectl exec 3%d sh -c 'netstat -tan; ps'; ps | grep 'nc -w';"
			   " echo x | /usr/sbin/ip netns exec outside nc -w 2 10.97.0.%d 7; } 2>&1", i, i);
			TH_LOG("VE 3%d does not answer the client any more: %s", i, self->out);
		}
	}
	on(self, 1, "kill $(cat /tmp/clipids) 2>/dev/null; true");
	EXPECT_EQ(0, on(self, 2, "vectl list -a -H"));
	EXPECT_STREQ("", self->out) TH_LOG("node2 keeps a VE");
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 .* evacuated"))
		TH_LOG("%s", self->out);

	/* node1 is now the only active node: refused, nothing changed. */
	EXPECT_EQ(108, on(self, 1, "vectl cluster evacuate node1"));
	EXPECT_NE(NULL, strstr(self->err, "last active node")) TH_LOG("%s", self->err);
	EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, on(self, 1, "vectl status 375 | grep -q running &&"
			" vectl cluster list -H | grep -q '^node1 .* online'"));
	EXPECT_EQ(21, on(self, 1, "vectl cluster evacuate node9"));
	EXPECT_EQ(20, on(self, 1, "vectl cluster evacuate"));

	EXPECT_EQ(0, on(self, 1, "vectl cluster restore node2"));
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl cluster list -H", "^node2 .* online"))
		TH_LOG("%s", self->out);
	on(self, 1, "for i in 375 376; do vectl stop $i --fast; vectl destroy $i; done; rm -rf /var/lib/ve/shared/375*");
}

TEST_F_TIMEOUT(cl, crashed_node_ves_start_elsewhere, 900)
{
	double crashed, running;

	ASSERT_EQ(0, shared_mount(self, 1)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, shared_mount(self, 2)) TH_LOG("%s", self->err);
	on(self, 1, "rm -rf /var/lib/ve/shared/373 /var/lib/ve/shared/373.epoch");
	ASSERT_EQ(0, on(self, 2, "vectl create 373 --ostemplate busybox --layout dir"
			" --private /var/lib/ve/shared/373 --ipadd 10.97.0.73 && vectl set 373 --ha-prio 5 --save &&"
			" vectl start 373")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, on(self, 2, "vectl exec 373 sh -c 'echo before-the-crash > /root/data && sync'"))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +373 node2 +running"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, on(self, 1, "/usr/sbin/ip netns exec outside ping -c 1 -W 5 10.97.0.73"))
		TH_LOG("the client cannot reach the VE on node2");
	/* node2's agent recorded its claim beside the private area. */
	ASSERT_EQ(0, wait_for(self, 1, 10, "cat /var/lib/ve/shared/373.epoch", "^[0-9]+$"))
		TH_LOG("%s", self->out);
	/* Published its config (2 s: the agent's rounds), then crashes: a hard reset. */
	sleep(2);
	/* In a second, from a task of its own: ssh would wait for the dead connection. */
	on(self, 2, "echo 1 > /proc/sys/kernel/sysrq; setsid sh -c 'sleep 1; echo b > /proc/sysrq-trigger'"
	   " </dev/null >/dev/null 2>&1 &");
	on(self, 1, "cut -d' ' -f1 /proc/uptime");
	crashed = atof(self->out) + 1;

	/* node1 takes it over once node2's lease has run out, and starts it. */
	EXPECT_EQ(0, wait_for(self, 1, 60, "vectl status 373", "running")) TH_LOG("%s", self->out);
	on(self, 1, "cut -d' ' -f1 /proc/uptime");
	running = atof(self->out);
	fprintf(stderr, "# VE 373 ran on node1 %.1f s after node2 crashed (a %d s lease)\n",
		running - crashed, TTL);
	EXPECT_EQ(0, on(self, 1, "vectl exec 373 cat /root/data"));
	EXPECT_STREQ("before-the-crash\n", self->out);
	EXPECT_EQ(0, wait_for(self, 1, 10, "vectl list --cluster -H", "^ +373 node1 +running"))
		TH_LOG("%s", self->out);
	/* Its address moved with it: the client reaches it on node1. */
	EXPECT_EQ(0, on(self, 1, "/usr/sbin/ip netns exec outside ping -c 1 -W 5 10.97.0.73"))
		TH_LOG("the client cannot reach the VE on node1");
	EXPECT_EQ(0, on(self, 1, "grep -q 'VE 373: node node2 is offline; taken over' /tmp/ved.log"));
	/* The claim is node1's now, and newer. */
	EXPECT_EQ(0, on(self, 1, "cat /var/lib/ve/shared/373.epoch"));

	/* node2 boots again (the test bed resets it as hardware would). */
	EXPECT_EQ(0, on(self, 1, "for i in $(seq 90); do ssh -o ConnectTimeout=2 node2 true 2>/dev/null && exit 0;"
			" sleep 2; done; exit 1"));
	on(self, 1, "vectl stop 373 --fast; vectl destroy 373; rm -rf /var/lib/ve/shared/373*");
}

TEST_HARNESS_MAIN
