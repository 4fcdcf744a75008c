// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection. vectl is SIGKILLed at every fault point of create,
 * start, set, stop and destroy (the test build userspace/vectl-faults
 * exposes them: VECTL_FAULT=NAME, VECTL_FAULT_TRACE=FILE), then in random
 * sequences (VE_FAULT_TRIALS, default 10; "make stress" runs 100). The
 * VE's init crashes; every VE process is killed at once; the disk fills
 * during create; rmmod while a VE runs; the module reloaded while the VE
 * is stopped. After each, vectl alone brings the VE to a clean state, and
 * nothing of it is left: no mount, cgroup, held lock, kernel object,
 * private area, half-made tree or process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ve_util.h"
#include "kselftest_harness.h"

#define ID 601
#define UID_BASE (100000u + ID * 65536u)
#define TRACE "/tmp/fault.trace"
/* With addresses: a start plumbs the network, a kill leaves some of it. */
#define CREATE "create %u --ostemplate busybox --ipadd 10.98.0.61 --ipadd fd98::61"
#define SET "set %u --hostname fault --numproc 300:300 --diskspace 1G --save"

/* Every fault point, and the command that reaches it from a clean VE. */
static const struct {
	const char *cmd;	/* what to run, %u is the ID */
	const char *point;
	const char *needs;	/* "": nothing; "created", "running", "stopped" */
} points[] = {
	{ CREATE, "create:unpacking", "" },
	{ CREATE, "create:image", "" },
	{ CREATE, "create:unpacked", "" },
	{ CREATE, "create:renamed", "" },
	{ CREATE, "create:saved", "" },
	{ "start %u", "start:registered", "created" },
	{ "start %u", "mount:image", "created" },
	{ "start %u", "start:mounted", "created" },
	{ "start %u", "start:cgroup", "created" },
	{ "start %u", "start:cloned", "created" },
	{ "start %u", "start:bound", "created" },
	{ "start %u", "net:paired", "created" },
	{ "start %u", "net:attached", "created" },
	{ "start %u", "net:routed", "created" },
	{ "start %u", "start:network", "created" },
	{ "start %u", "start:released", "created" },
	{ "start %u", "start:running", "created" },
	{ SET, "set:disk", "running" },
	{ SET, "set:kernel", "running" },
	{ SET, "set:applied", "running" },
	{ "snapshot %u", "snapshot:frozen", "running" },
	{ "stop %u", "stop:signalled", "running" },
	{ "stop %u", "stop:stopped", "running" },
	{ "stop %u", "cleanup:cgroup", "running" },
	{ "stop %u --fast", "stop:killed", "running" },
	{ "exec %u true", "exec:joining", "running" },
	{ "destroy %u", "destroy:deleted", "created" },
	{ "destroy %u", "destroy:removed", "created" },
};
#define N_POINTS (sizeof(points) / sizeof(points[0]))

FIXTURE(fault) {
	struct ve_nl nl;
	char out[16384];
	char err[2048];
};

#define V(...) run_vectl(self->out, sizeof(self->out), self->err, sizeof(self->err), __VA_ARGS__)

/* A process left in the VE's uid range (its init, a keeper gone astray). */
static int ve_processes(void)
{
	char path[300], line[256];
	DIR *dir = opendir("/proc");
	struct dirent *d;
	int n = 0;

	while (dir && (d = readdir(dir))) {
		unsigned int uid;
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Uid: %u", &uid) == 1) {
				n += uid >= UID_BASE && uid < UID_BASE + 65536;
				break;
			}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return n;
}

/* Nothing of the VE's network is left on the host. */
static void net_clean(struct __test_metadata *_metadata, const char *after)
{
	/* A dead VE's namespace, and its devices, go in a work item. */
	for (int i = 0; i < 300 * ve_time_scale() && !access("/sys/class/net/venet601", F_OK); i++)
		usleep(100000);
	EXPECT_NE(0, access("/sys/class/net/venet601", F_OK)) TH_LOG("after %s: venet601 left", after);
	EXPECT_NE(0, access("/run/ve/601.net", F_OK)) TH_LOG("after %s: proxy record left", after);
}

/*
 * Bring the VE to "does not exist" with vectl alone, and check nothing of
 * it is left. Returns false (with a log line) on the first leftover.
 */
static bool clean_state(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
			const char *after)
{
	struct ve_info info;
	int rc;

	rc = V("stop %u", ID);
	EXPECT_TRUE(rc == 0 || rc == 31 || rc == 14) TH_LOG("after %s: stop: exit %d: %s", after, rc, self->err);
	rc = V("destroy %u", ID);
	EXPECT_TRUE(rc == 0 || rc == 14) TH_LOG("after %s: destroy: exit %d: %s", after, rc, self->err);
	unlink("/etc/ve/conf/601.conf.destroyed");
	for (int i = 0; i < 50 && ve_processes(); i++)
		usleep(100000);
	EXPECT_FALSE(ve_root_mounted(ID)) TH_LOG("after %s: the root is still mounted", after);
	EXPECT_EQ(0, ve_loops_backing("/601")) TH_LOG("after %s: a loop device is left", after);
	EXPECT_NE(0, access("/run/ve/601.loop", F_OK)) TH_LOG("after %s: loop record left", after);
	EXPECT_NE(0, access("/sys/fs/cgroup/ve/601", F_OK)) TH_LOG("after %s: cgroup left", after);
	EXPECT_FALSE(ve_lock_held(ID)) TH_LOG("after %s: the lock is held", after);
	EXPECT_EQ(-ENOENT, veapi_get(&self->nl, ID, &info)) TH_LOG("after %s: kernel object left", after);
	EXPECT_NE(0, access("/var/lib/ve/private/601", F_OK)) TH_LOG("after %s: private area left", after);
	EXPECT_NE(0, access("/var/lib/ve/private/601.partial", F_OK)) TH_LOG("after %s: partial tree left", after);
	EXPECT_NE(0, access("/var/lib/ve/private/601.image", F_OK)) TH_LOG("after %s: half-converted image left", after);
	EXPECT_NE(0, access("/etc/ve/conf/601.conf", F_OK)) TH_LOG("after %s: config left", after);
	EXPECT_EQ(0, ve_processes()) TH_LOG("after %s: processes left", after);
	net_clean(_metadata, after);
	return !_metadata->passed ? false : true;
}

/*
 * Run @cmd (a format taking the ID) with the vectl $VECTL names (the fault
 * build, perhaps with VECTL_FAULT=...). -1 or 137: it was killed.
 */
static int faulty(FIXTURE_DATA(fault) *self, const char *cmd)
{
	char line[256];

	snprintf(line, sizeof(line), cmd, ID);
	return V("--wait 30 %s", line);
}

#define KILLED(rc) ((rc) == -1 || (rc) == 128 + SIGKILL)

FIXTURE_SETUP(fault)
{
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	setenv("VECTL", "vectl-faults", 1);
	V("stop %u --fast", ID);
	V("destroy %u", ID);
	unlink("/etc/ve/conf/601.conf.destroyed");
}

FIXTURE_TEARDOWN(fault)
{
	unsetenv("VECTL_FAULT");
	V("stop %u --fast", ID);
	V("destroy %u", ID);
	unlink("/etc/ve/conf/601.conf.destroyed");
	ve_nl_close(&self->nl);
}

/* The fault points this test knows are the ones vectl has. */
TEST_F(fault, points_are_all_reached)
{
	char line[64], seen[4096] = "";
	FILE *f;

	unlink(TRACE);
	setenv("VECTL_FAULT_TRACE", TRACE, 1);
	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V(SET, ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("exec %u true", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("snapshot %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u --fast", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("destroy %u", ID)) TH_LOG("%s", self->err);
	unsetenv("VECTL_FAULT_TRACE");
	f = fopen(TRACE, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strstr(seen, line)) {
			strcat(seen, line);
			strcat(seen, " ");
		}
	}
	fclose(f);
	TH_LOG("reached: %s", seen);
	for (size_t i = 0; i < N_POINTS; i++) {
		const char *point = points[i].point;

		EXPECT_NE(NULL, strstr(seen, point)) TH_LOG("%s not reached", point);
	}
	for (char *p = strtok(seen, " "); p; p = strtok(NULL, " ")) {
		bool known = false;

		for (size_t i = 0; i < N_POINTS; i++)
			known |= !strcmp(p, points[i].point);
		EXPECT_TRUE(known) TH_LOG("fault point %s is not tested here", p);
	}
}

/* Stopped, and nothing of a run is left: mount, cgroup, lock, processes. */
static void stopped_clean(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
			  const char *after)
{
	struct ve_info info;

	for (int i = 0; i < 50 && ve_processes(); i++)
		usleep(100000);
	EXPECT_EQ(0, veapi_get(&self->nl, ID, &info)) TH_LOG("after %s", after);
	EXPECT_EQ(VE_STATE_STOPPED, info.state) TH_LOG("after %s", after);
	EXPECT_FALSE(ve_root_mounted(ID)) TH_LOG("after %s: the root is still mounted", after);
	EXPECT_EQ(0, ve_loops_backing("/601")) TH_LOG("after %s: a loop device is left", after);
	EXPECT_NE(0, access("/sys/fs/cgroup/ve/601", F_OK)) TH_LOG("after %s: cgroup left", after);
	EXPECT_FALSE(ve_lock_held(ID)) TH_LOG("after %s: the lock is held", after);
	EXPECT_EQ(0, ve_processes()) TH_LOG("after %s: processes left", after);
	net_clean(_metadata, after);
}

/*
 * Killed at each point; then what a user would do next works: the same
 * command again, or stop and destroy. States are reused between points of
 * one command to keep the run short.
 */
TEST_F_TIMEOUT(fault, killed_at_every_point, 1800)
{
	bool created = false;

	for (size_t i = 0; i < N_POINTS; i++) {
		const char *point = points[i].point, *needs = points[i].needs;
		char cmd[160];
		int rc;

		if (!*needs && created) {
			clean_state(_metadata, self, point);
			created = false;
		}
		if (*needs && !created) {
			ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
			created = true;
		}
		if (!strcmp(needs, "running")) {
			rc = V("start %u", ID);
			ASSERT_TRUE(rc == 0 || rc == 32) TH_LOG("%s: %s", point, self->err);
		} else if (*needs) {
			rc = V("stop %u", ID);
			ASSERT_TRUE(rc == 0 || rc == 31) TH_LOG("%s: %s", point, self->err);
		}

		snprintf(cmd, sizeof(cmd), "VECTL_FAULT=%s vectl-faults", point);
		setenv("VECTL", cmd, 1);
		rc = faulty(self, points[i].cmd);
		setenv("VECTL", "vectl-faults", 1);
		EXPECT_TRUE(KILLED(rc)) TH_LOG("%s: not killed (exit %d: %s)", point, rc, self->err);

		if (!strncmp(point, "create:", 7) || !strncmp(point, "destroy:", 8)) {
			clean_state(_metadata, self, point);
			created = false;
		} else if (!strncmp(point, "start:", 6) || !strncmp(point, "mount:", 6)) {
			/* The VE starts (or already runs), works, and stops. */
			rc = V("start %u", ID);
			EXPECT_TRUE(rc == 0 || rc == 32) TH_LOG("%s: start again: exit %d: %s",
							      point, rc, self->err);
			EXPECT_EQ(0, V("exec %u true", ID)) TH_LOG("%s: %s", point, self->err);
			EXPECT_EQ(0, V("stop %u", ID)) TH_LOG("%s: %s", point, self->err);
			stopped_clean(_metadata, self, point);
		} else if (!strncmp(point, "set:", 4)) {
			EXPECT_EQ(0, faulty(self, points[i].cmd)) TH_LOG("%s: %s", point, self->err);
		} else {
			rc = V("stop %u", ID);
			EXPECT_TRUE(rc == 0 || rc == 31) TH_LOG("%s: stop again: exit %d: %s",
							      point, rc, self->err);
			stopped_clean(_metadata, self, point);
		}
	}
	clean_state(_metadata, self, "the last point");
}

/* Random sequences of commands, each perhaps killed at a random point. */
TEST_F_TIMEOUT(fault, randomized_trials, 3600)
{
	static const char *const cmds[] = {
		CREATE, "start %u", "stop %u", "stop %u --fast",
		"set %u --numproc 200:200 --save", "restart %u", "destroy %u",
	};
	int trials = ve_env_int("VE_FAULT_TRIALS", 10);
	unsigned int seed = (unsigned int)ve_env_int("VE_FAULT_SEED", 1);
	char cmd[160], name[64];

	TH_LOG("%d trials, seed %u", trials, seed);
	for (int t = 0; t < trials; t++) {
		for (int steps = 1 + rand_r(&seed) % 5; steps > 0; steps--) {
			const char *c = cmds[rand_r(&seed) % (sizeof(cmds) / sizeof(cmds[0]))];

			if (rand_r(&seed) % 3)
				snprintf(cmd, sizeof(cmd), "VECTL_FAULT=%s vectl-faults",
					 points[rand_r(&seed) % N_POINTS].point);
			else
				snprintf(cmd, sizeof(cmd), "vectl-faults");
			setenv("VECTL", cmd, 1);
			faulty(self, c);
		}
		setenv("VECTL", "vectl-faults", 1);
		snprintf(name, sizeof(name), "trial %d", t);
		if (!clean_state(_metadata, self, name))
			break;
	}
}

/* The init crashes: the VE stops by itself, with the signal as its status. */
TEST_F(fault, init_crash_stops_the_ve)
{
	struct ve_info info;
	FILE *f;

	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("mount %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, system("cp /selftests/ve_crash /var/lib/ve/root/601/sbin/crash-init"));
	ASSERT_EQ(0, V("umount %u", ID)) TH_LOG("%s", self->err);
	f = fopen("/etc/ve/conf/601.conf", "a");
	ASSERT_NE(NULL, f);
	fputs("INIT=\"/sbin/crash-init\"\n", f);
	fclose(f);
	ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 20000));
	ASSERT_EQ(0, veapi_get(&self->nl, ID, &info));
	EXPECT_TRUE(info.has_exit_status);
	EXPECT_TRUE(WIFSIGNALED(info.exit_status) && WTERMSIG(info.exit_status) == SIGSEGV)
		TH_LOG("exit status 0x%x", info.exit_status);
	/* stop says so and clears what the VE left; start works again. */
	EXPECT_EQ(31, V("stop %u", ID));
	EXPECT_FALSE(ve_root_mounted(ID));
	EXPECT_NE(0, access("/sys/fs/cgroup/ve/601", F_OK));
	EXPECT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 20000));
	clean_state(_metadata, self, "an init crash");
}

/* Every process of the VE killed at once (cgroup.kill). */
TEST_F(fault, all_processes_killed)
{
	int fd;

	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	fd = open("/sys/fs/cgroup/ve/601/cgroup.kill", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "1", 1));
	close(fd);
	ASSERT_TRUE(veapi_wait_state(&self->nl, ID, VE_STATE_STOPPED, 20000));
	EXPECT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("exec %u true", ID)) TH_LOG("%s", self->err);
	clean_state(_metadata, self, "cgroup.kill");
}

/* The disk fills during create: a clear error, and nothing is left. */
TEST_F(fault, disk_full_during_create)
{
	static const char *const layouts[] = { "dir", "image" };

	mkdir("/tmp/small", 0700);
	ASSERT_EQ(0, mount("tmpfs", "/tmp/small", "tmpfs", 0, "size=128k"));
	for (size_t i = 0; i < 2; i++) {
		EXPECT_EQ(47, V("create %u --ostemplate busybox --private /tmp/small/601 --layout %s",
				ID, layouts[i]));
		EXPECT_NE(NULL, strstr(self->err, "the disk is full")) TH_LOG("%s: %s", layouts[i], self->err);
		EXPECT_TRUE(ve_one_line(self->err)) TH_LOG("%s", self->err);
		EXPECT_NE(0, access("/tmp/small/601", F_OK));
		EXPECT_NE(0, access("/tmp/small/601.partial", F_OK));
		EXPECT_NE(0, access("/etc/ve/conf/601.conf", F_OK));
		EXPECT_FALSE(ve_root_mounted(ID));
	}
	umount2("/tmp/small", MNT_DETACH);
	clean_state(_metadata, self, "a full disk");
}

/*
 * convert killed before and after the image took the tree's place: the
 * next convert finishes it, the VE starts with its files, nothing is left.
 */
TEST_F(fault, convert_killed_then_finished)
{
	static const char *const at[] = { "convert:mounted", "convert:swapped" };

	for (size_t i = 0; i < 2; i++) {
		char cmd[96];
		int rc;

		ASSERT_EQ(0, V("create %u --ostemplate busybox --layout dir", ID)) TH_LOG("%s", self->err);
		ASSERT_EQ(0, system("echo kept > /var/lib/ve/private/601/kept"));
		snprintf(cmd, sizeof(cmd), "VECTL_FAULT=%s vectl-faults", at[i]);
		setenv("VECTL", cmd, 1);
		rc = faulty(self, "convert %u --layout image");
		setenv("VECTL", "vectl-faults", 1);
		EXPECT_TRUE(KILLED(rc)) TH_LOG("%s: exit %d: %s", at[i], rc, self->err);
		EXPECT_EQ(0, V("convert %u --layout image", ID)) TH_LOG("%s: %s", at[i], self->err);
		EXPECT_NE(0, access("/var/lib/ve/private/601.image", F_OK)) TH_LOG("%s", at[i]);
		EXPECT_EQ(0, access("/var/lib/ve/private/601/root.img", F_OK)) TH_LOG("%s", at[i]);
		EXPECT_FALSE(ve_root_mounted(ID)) TH_LOG("%s", at[i]);
		EXPECT_EQ(0, ve_loops_backing("/601")) TH_LOG("%s", at[i]);
		ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s: %s", at[i], self->err);
		EXPECT_EQ(0, V("exec %u cat /kept", ID)) TH_LOG("%s: %s", at[i], self->err);
		EXPECT_STREQ("kept\n", self->out);
		clean_state(_metadata, self, at[i]);
	}
}

/*
 * rmmod while the VE runs is refused and changes nothing; with the VE
 * stopped the module unloads, and the reloaded module takes the VE again.
 */
TEST_F(fault, module_reload_with_stopped_ves)
{
	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	ve_nl_close(&self->nl);
	EXPECT_NE(0, ve_module_unload());
	EXPECT_EQ(0, V("exec %u true", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, V("stop %u", ID)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ve_module_unload());
	ASSERT_EQ(0, ve_module_load());
	ASSERT_EQ(0, ve_nl_open(&self->nl));
	EXPECT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, V("exec %u true", ID)) TH_LOG("%s", self->err);
	clean_state(_metadata, self, "a module reload");
}

static void slurp_log(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/*
 * A start binds the init to the VE before the init has its root and has
 * exec'd. An exec meeting the VE in that moment must wait for the start
 * to finish, not join a half-made VE (the stress test once saw "cannot
 * join the VE's cgroup namespace"). The start is held there by SIGSTOP.
 */
TEST_F(fault, exec_waits_for_a_start_under_way)
{
	char id[16], log[4096] = "";
	pid_t start, exec;
	int status;

	snprintf(id, sizeof(id), "%u", ID);
	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	start = ve_spawn_vectl_held("start:bound", "/tmp/fault.start.log",
				    (char *[]){ "vectl-faults", "start", id, NULL });
	ASSERT_LT(0, start) TH_LOG("start exited before start:bound");

	exec = ve_spawn_vectl("vectl", "/tmp/fault.exec.log",
			   (char *[]){ "vectl", "exec", id, "true", NULL });
	ASSERT_LT(0, exec);
	sleep(2 * ve_time_scale());
	EXPECT_EQ(0, waitpid(exec, &status, WNOHANG))
		TH_LOG("exec did not wait for the start (exit %d)", WEXITSTATUS(status));
	kill(start, SIGCONT);
	ASSERT_EQ(start, waitpid(start, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("start: status %#x", status);
	if (waitpid(exec, &status, 0) == exec)
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) TH_LOG("exec: status %#x", status);
	slurp_log("/tmp/fault.exec.log", log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "waiting for another vectl")) TH_LOG("exec said: %s", log);
	EXPECT_EQ(0, V("stop %u", ID)) TH_LOG("%s", self->err);
	stopped_clean(_metadata, self, "an exec during a start");
}

/*
 * A stop meets a host process in the VE's root at the moment it unmounts
 * it. One that is there for a moment (status and list stat the root
 * without the lock; the stress test once saw "cannot unmount ... Device
 * or resource busy") is waited out; one that stays makes the stop fail
 * with exit 51 and its reason, the VE stopped and its root still mounted,
 * and "vectl umount" finishes the job once it has gone. The stop is held
 * just before the unmount by SIGSTOP.
 */
TEST_F(fault, stop_waits_out_a_brief_host_user)
{
	char id[16], log[4096];
	pid_t stop;
	int status, fd;

	snprintf(id, sizeof(id), "%u", ID);
	ASSERT_EQ(0, V(CREATE, ID)) TH_LOG("%s", self->err);
	for (int brief = 1; brief >= 0; brief--) {
		ASSERT_EQ(0, V("start %u", ID)) TH_LOG("%s", self->err);
		stop = ve_spawn_vectl_held("cleanup:cgroup", "/tmp/fault.stop.log",
					   (char *[]){ "vectl-faults", "stop", id, "--fast", NULL });
		ASSERT_LT(0, stop) TH_LOG("stop exited before cleanup:cgroup");

		fd = open("/var/lib/ve/root/601", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		kill(stop, SIGCONT);
		usleep((brief ? 300000 : 3000000) * ve_time_scale());
		close(fd);
		ASSERT_EQ(stop, waitpid(stop, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		slurp_log("/tmp/fault.stop.log", log, sizeof(log));
		if (brief) {
			EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("stop: %s", log);
			stopped_clean(_metadata, self, "a brief host user of the root");
			continue;
		}
		EXPECT_EQ(51, WEXITSTATUS(status)) TH_LOG("stop: %s", log);
		EXPECT_TRUE(ve_one_line(log)) TH_LOG("stop: %s", log);
		EXPECT_NE(NULL, strstr(log, "cannot unmount /var/lib/ve/root/601: Device or resource busy (a host process uses it"))
			TH_LOG("stop: %s", log);
		EXPECT_TRUE(ve_root_mounted(ID));
		EXPECT_EQ(0, V("umount %u", ID)) TH_LOG("%s", self->err);
		stopped_clean(_metadata, self, "a host user of the root that stayed");
	}
}

TEST_HARNESS_MAIN
