// SPDX-License-Identifier: GPL-2.0
/*
 * ve_density: how many idle VEs a node holds, and what each costs.
 *
 *   ve_density N
 *
 * Creates busybox VEs 2000.. up to N (fewer when the disk, here the
 * guest's RAM, runs out), with dir private areas: the module is what is
 * measured, and an image would add a loop device and an ext4 mount per VE
 * (Documentation/performance.md). Then starts them one after another
 * until N or the first start that fails, and prints "density <what>
 * <value>" lines:
 *
 *   ves            how many ran at once
 *   start_all_s    the time to start them all
 *   mem_kib_per_ve MemAvailable before the starts minus after, per VE
 *                  (the VE's processes, its console keeper, the kernel's
 *                  objects for its namespaces and cgroup, ve.ko's own)
 *   slab_ve_bytes, slab_charge_bytes   ve.ko's slab caches, per VE (SLUB
 *                  counts whole slabs: meaningful for many VEs)
 *   ve_object_bytes, charge_object_bytes, charges_per_ve   exactly: one
 *                  struct ve, and a record per charged process, file and
 *                  socket (GET's held)
 *   list_ms, ps_ms "vectl list -a" of them all against "ps ax" (p50 of 5)
 *   get_per_s      netlink GETs of one VE each, per second
 *   dump_per_s     dumps of them all, per second
 *   stop_all_s     "vectl stop --all --fast"
 *
 * and destroys them. The kernel's slab caches should not be merged
 * (slab_nomerge) for the slab lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "veapi.h"

#define FIRST 2000
#define MAX_VES 4000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run a command line (no shell) with its output thrown away; its status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char line[256], *argv[16], *save = NULL;
	int argc = 0, status;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *t = strtok_r(line, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long mem_available_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/*
 * Bytes in slab cache @name (SLUB counts whole slabs as active), or with
 * @object the size of one object.
 */
static long slab_bytes(const char *name, bool object)
{
	char line[512], cache[64];
	long active, size, bytes = 0;
	FILE *f = fopen("/proc/slabinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld %*d %ld", cache, &active, &size) == 3 &&
		    !strcmp(cache, name))
			bytes = object ? size : active * size;
	if (f)
		fclose(f);
	return bytes;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* p50 of 5 runs of @cmd, in ms. */
static double p50_ms(const char *cmd)
{
	double t[5];

	for (int i = 0; i < 5; i++) {
		double t0 = now_s();

		run("%s", cmd);
		t[i] = (now_s() - t0) * 1000;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	return t[2];
}

static void count_one(const struct ve_info *info, void *data)
{
	(*(int *)data)++;
}

static int netlink_rates(int n)
{
	double t0, get_s, dump_s;
	struct ve_info info;
	struct ve_nl nl;
	int seen = 0, rounds = 5;
	uint64_t charges = 0;

	if (ve_nl_open(&nl))
		return 1;
	t0 = now_s();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			if (veapi_get(&nl, FIRST + i, &info))
				return 1;
	get_s = now_s() - t0;
	/* What is charged, one record each: the VE's processes, files, sockets. */
	for (int i = 0; i < n; i++)
		if (!veapi_get(&nl, FIRST + i, &info))
			charges += info.held[VE_RES_NUMPROC] + info.held[VE_RES_NUMFILE] +
				   info.held[VE_RES_NUMTCPSOCK] + info.held[VE_RES_NUMOTHERSOCK];
	printf("density charges_per_ve %.1f\n", (double)charges / n);
	t0 = now_s();
	for (int r = 0; r < rounds; r++)
		if (veapi_dump_each(&nl, count_one, &seen) < 0)
			return 1;
	dump_s = now_s() - t0;
	ve_nl_close(&nl);
	printf("density get_per_s %.0f\n", rounds * n / get_s);
	printf("density dump_per_s %.1f\n", rounds / dump_s);
	printf("density dumped_ves %d\n", seen / rounds);
	return 0;
}

int main(int argc, char **argv)
{
	int want = argc > 1 ? atoi(argv[1]) : 0, made = 0, ran = 0, err = 0;
	long mem0, mem1, ve0, ch0;
	double t0;

	if (want < 1 || want > MAX_VES) {
		fprintf(stderr, "usage: ve_density N(1..%d)\n", MAX_VES);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (made < want && !run("vectl create %d --ostemplate busybox --layout dir", FIRST + made))
		made++;
	mem0 = mem_available_kib();
	ve0 = slab_bytes("ve", false);
	ch0 = slab_bytes("ve_charge", false);
	t0 = now_s();
	while (ran < made && !run("vectl start %d", FIRST + ran))
		ran++;
	printf("density ves %d\n", ran);
	printf("density start_all_s %.2f\n", now_s() - t0);
	sleep(2);	/* the VEs' rc scripts have run */
	mem1 = mem_available_kib();
	if (ran) {
		printf("density mem_kib_per_ve %ld\n", (mem0 - mem1) / ran);
		printf("density slab_ve_bytes %ld\n", (slab_bytes("ve", false) - ve0) / ran);
		printf("density slab_charge_bytes %ld\n",
		       (slab_bytes("ve_charge", false) - ch0) / ran);
		printf("density ve_object_bytes %ld\n", slab_bytes("ve", true));
		printf("density charge_object_bytes %ld\n", slab_bytes("ve_charge", true));
		printf("density list_ms %.1f\n", p50_ms("vectl list -a"));
		printf("density ps_ms %.1f\n", p50_ms("ps ax"));
		err = netlink_rates(ran);
	}
	t0 = now_s();
	if (run("vectl stop --all --fast"))
		err = 1;
	printf("density stop_all_s %.2f\n", now_s() - t0);
	for (int i = 0; i < made; i++)
		run("vectl destroy %d", FIRST + i);
	if (ran < want)
		fprintf(stderr, "ve_density: %d of %d VEs made, %d ran\n", made, want, ran);
	return err;
}
