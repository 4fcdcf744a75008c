// SPDX-License-Identifier: GPL-2.0
/*
 * The VE's cgroup v2 subtree. vzctl's resource keys map onto cgroup files:
 *   NUMPROC limit            pids.max
 *   PHYSPAGES barrier:limit  memory.high : memory.max (pages)
 *   SWAPPAGES limit          memory.swap.max (pages)
 *   CPULIMIT (percent)       cpu.max, 100 is one CPU
 *   CPUUNITS                 cpu.weight, scaled (1000 units = weight 100)
 *   CPUS                     cpu.max as CPUS whole CPUs when no CPULIMIT,
 *                            and cpuset.cpus: CPUS of the host's CPUs
 * "unlimited" or 0 (for barriers) writes "max".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "linux/ve.h"
#include "parse.h"
#include "resources.h"
#include "run.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD 100000ULL

static int write_file(const char *dir, const char *file, const char *val,
		      char *why, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		snprintf(why, len, "cannot open %s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (is the controller available?)" : "");
		return err;
	}
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int err = -errno;

		snprintf(why, len, "cannot write '%s' to %s: %s", val, path, strerror(errno));
		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/* Enable the controllers VEs use below @dir; missing ones are skipped. */
/* Whether the space-separated @list names controller @name. */
static bool names_controller(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/*
 * Enable the controllers a VE uses for @dir's children, each alone (a
 * kernel without one still gets the others); those already on are not
 * written again: every start passes here twice.
 */
static int enable_controllers(const char *dir, char *why, size_t len)
{
	static const char *const ctrls[] = { "+memory", "+pids", "+cpu", "+cpuset" };
	char path[PATH_MAX], on[512] = "";
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, on, sizeof(on) - 1);
		close(fd);
	}
	on[n > 0 ? n : 0] = '\0';
	for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
		int err;

		if (names_controller(on, ctrls[i] + 1))
			continue;
		err = write_file(dir, "cgroup.subtree_control", ctrls[i], why, len);
		if (err && err != -ENOENT && err != -EINVAL)
			return err;
	}
	return 0;
}

int cg_exists(const struct vectx *x)
{
	return access(x->cgroup, F_OK) == 0;
}

long cg_tasks(const struct vectx *x)
{
	char path[PATH_MAX + 16];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids.current", x->cgroup);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

int cg_open(const struct vectx *x)
{
	int fd = open(x->cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int cg_open_of(const struct vectx *x, pid_t pid)
{
	char path[PATH_MAX], line[PATH_MAX], *rel;
	size_t base = strlen(CG_ROOT);
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return cg_open(x);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			break;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	rel = strncmp(line, "0::", 3) ? "" : line + 3;
	/* Only a cgroup inside the VE's own subtree will do. */
	if (snprintf(path, sizeof(path), "%s%s", CG_ROOT, rel) >= (int)sizeof(path) ||
	    strncmp(path, x->cgroup, strlen(x->cgroup)) ||
	    (path[strlen(x->cgroup)] && path[strlen(x->cgroup)] != '/') ||
	    strstr(path + base, "/../"))
		return cg_open(x);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? cg_open(x) : fd;
}

/*
 * The CPUs a VE with CPUS=@n runs on: @n of the host's online CPUs, the
 * VEs spread over them by ID, so that sched_getaffinity() (nproc) tells
 * the VE what its /proc shows. Empty (all of them) for @n 0 or as many
 * as the host has.
 */
static void cpuset_for(uint32_t id, unsigned long n, char *buf, size_t len)
{
	int cpus[4096], count = 0, a, b;
	char online[4096], *p = online;
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	size_t used = 0;

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(online, sizeof(online), f))
		online[0] = '\0';
	fclose(f);
	while (*p && count < 4096) {
		int k = sscanf(p, "%d-%d", &a, &b);

		if (k < 1)
			break;
		if (k == 1)
			b = a;
		for (int c = a; c <= b && count < 4096; c++)
			cpus[count++] = c;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	if (!n || n >= (unsigned long)count)
		return;
	for (unsigned long i = 0; i < n; i++)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%d",
				 i ? "," : "", cpus[(id * n + i) % count]);
}

/* A resource's barrier and limit from the config; false when unset. */
static void fmt_max(uint64_t v, uint64_t scale, char *buf, size_t len)
{
	if (v == VE_RES_UNLIMITED || v > UINT64_MAX / scale)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRIu64, v * scale);
}

/* Write @v * @scale, or "max", to @file of the VE's cgroup. */
static int write_max(const struct vectx *x, const char *file, uint64_t v,
		     uint64_t scale, char *why, size_t len)
{
	char val[32];

	fmt_max(v, scale, val, sizeof(val));
	return write_file(x->cgroup, file, val, why, len);
}

int cg_apply(const struct vectx *x, char *why, size_t len)
{
	uint64_t page = res_page_size(), b, l;
	const char *v;
	char val[64];
	int err;

	if (vectx_res(x, "numproc", &b, &l)) {
		err = write_max(x, "pids.max", l, 1, why, len);
		if (err)
			return err;
	}
	if (vectx_res(x, "physpages", &b, &l)) {
		/* memory.max first, so that high <= max holds at every step. */
		err = write_max(x, "memory.max", l, page, why, len);
		if (!err)
			err = write_max(x, "memory.high",
					b && b != l ? b : VE_RES_UNLIMITED, page, why, len);
		if (err)
			return err;
	}
	if (vectx_res(x, "swappages", &b, &l)) {
		err = write_max(x, "memory.swap.max", l, page, why, len);
		if (err)
			return err;
	}
	v = vectx_get(x, "CPULIMIT");
	if (v && *v) {
		unsigned long pct = strtoul(v, NULL, 10);

		if (pct)
			snprintf(val, sizeof(val), "%llu %llu", pct * CPU_PERIOD / 100, CPU_PERIOD);
		else
			snprintf(val, sizeof(val), "max %llu", CPU_PERIOD);
		err = write_file(x->cgroup, "cpu.max", val, why, len);
		if (err)
			return err;
	} else if ((v = vectx_get(x, "CPUS")) && *v && strcmp(v, "unlimited")) {
		unsigned long n = strtoul(v, NULL, 10);

		snprintf(val, sizeof(val), "%llu %llu", n * CPU_PERIOD, CPU_PERIOD);
		err = write_file(x->cgroup, "cpu.max", val, why, len);
		if (err)
			return err;
	}
	v = vectx_get(x, "CPUS");
	{
		char set[8192];

		cpuset_for(x->id, v && *v ? strtoul(v, NULL, 10) : 0, set, sizeof(set));
		err = write_file(x->cgroup, "cpuset.cpus", *set ? set : "\n", why, len);
		if (err && err != -ENOENT)
			return err;
	}
	/*
	 * The VE's own sub-cgroups: bounded in number and depth, by files of
	 * its top cgroup that are not delegated to it.
	 */
	for (size_t i = 0; i < 2; i++) {
		static const char *const key[] = { "CGROUP_MAX_DESCENDANTS", "CGROUP_MAX_DEPTH" };
		static const char *const file[] = { "cgroup.max.descendants", "cgroup.max.depth" };
		static const char *const def[] = { "512", "16" };
		uint32_t n;

		v = vectx_get(x, key[i]);
		if (!v || !*v || parse_uint(v, 0, 1000000, &n))
			v = def[i];
		err = write_file(x->cgroup, file[i], v, why, len);
		if (err)
			return err;
	}
	v = vectx_get(x, "CPUUNITS");
	if (v && *v) {
		unsigned long w = strtoul(v, NULL, 10) / 10;

		w = w < 1 ? 1 : w > 10000 ? 10000 : w;
		snprintf(val, sizeof(val), "%lu", w);
		err = write_file(x->cgroup, "cpu.weight", val, why, len);
		if (err)
			return err;
	}
	return 0;
}

/* Hand the cgroup to the VE's root, as cgroup v2 delegation prescribes. */
static int delegate(const struct vectx *x, char *why, size_t len)
{
	static const char *const files[] = {
		"", "/cgroup.procs", "/cgroup.threads", "/cgroup.subtree_control",
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", x->cgroup, files[i]);
		if (chown(path, x->uid_base, x->uid_base)) {
			int err = -errno;

			snprintf(why, len, "cannot delegate %s: %s", path, strerror(errno));
			return err;
		}
	}
	return 0;
}

int cg_create(const struct vectx *x, char *why, size_t len)
{
	int err;

	err = enable_controllers(CG_ROOT, why, len);
	if (err)
		return err;
	if (mkdir(VE_CGROUP_DIR, 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", VE_CGROUP_DIR, strerror(errno));
		return err;
	}
	err = enable_controllers(VE_CGROUP_DIR, why, len);
	if (err)
		return err;
	if (mkdir(x->cgroup, 0755)) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s%s", x->cgroup, strerror(errno),
			 errno == EEXIST ? " (left over? stop the VE first)" : "");
		return err;
	}
	err = cg_apply(x, why, len);
	if (!err)
		err = delegate(x, why, len);
	if (err)
		rmdir(x->cgroup);
	return err;
}

static bool populated(int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "populated 1") != NULL;
}

/*
 * Kill what is in the cgroup at @dir and wait up to @ms for it to be
 * gone: poll() on cgroup.events wakes at each change of it, so the wait
 * ends the moment the last process has exited. True once it is empty.
 */
static bool kill_and_wait_empty(const char *dir, int ms)
{
	char path[PATH_MAX + 16], ignored[128];
	struct pollfd p = { .events = POLLPRI };
	struct timespec t;
	long long end;
	bool empty;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	p.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p.fd < 0)
		return true;
	if (populated(p.fd))
		write_file(dir, "cgroup.kill", "1", ignored, sizeof(ignored));
	clock_gettime(CLOCK_MONOTONIC, &t);
	end = t.tv_sec * 1000LL + t.tv_nsec / 1000000 + ms;
	while (!(empty = !populated(p.fd))) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (end <= t.tv_sec * 1000LL + t.tv_nsec / 1000000)
			break;
		poll(&p, 1, (int)(end - t.tv_sec * 1000LL - t.tv_nsec / 1000000));
	}
	close(p.fd);
	return empty;
}

/*
 * Remove every sub-cgroup below @dirfd, depth-first, by fds: a VE's tree
 * may be deeper than PATH_MAX allows a path to be. Errors show at the
 * final rmdir of the VE's cgroup.
 */
static void rmdir_below(int dirfd, int depth)
{
	struct dirent *e;
	DIR *d;

	if (depth > 4096 || !(d = dir_of(dirfd)))
		return;
	while ((e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		rmdir_below(sub, depth + 1);
		close(sub);
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

int cg_remove(const struct vectx *x, char *why, size_t len)
{
	int err;

	if (!cg_exists(x))
		return 0;
	/* Not empty after 10 s: the rmdir below says why. */
	kill_and_wait_empty(x->cgroup, 10000);
	/* Sub-cgroups the VE made in its delegated subtree go depth-first. */
	for (int tries = 0; tries < 50; tries++) {
		int fd = open(x->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd >= 0) {
			rmdir_below(fd, 0);
			close(fd);
		}
		if (!rmdir(x->cgroup) || errno == ENOENT)
			return 0;
		usleep(20000);
	}
	err = rmdir(x->cgroup) ? -errno : 0;
	if (err)
		snprintf(why, len, "cannot remove %s: %s", x->cgroup, strerror(-err));
	return err;
}
