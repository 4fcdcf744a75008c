// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the guest selftests; see ve_util.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ve_util.h"

struct child_args {
	int (*pre)(void *);
	int (*fn)(void *);
	void *arg;
	int ready_w;
	int go_r;
	int flags;
};

static int child_main(void *p)
{
	struct child_args *a = p;
	char c = 0;
	int ret = 0;

	if (a->pre)
		ret = a->pre(a->arg);
	if (write(a->ready_w, &c, 1) != 1)
		return 100;
	if (read(a->go_r, &c, 1) != 1)
		return 101;
	/* Become the mapped root, as a VE's init does once its maps exist. */
	if ((a->flags & CLONE_NEWUSER) && (setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		return 102;
	return ret ? ret : (a->fn ? a->fn(a->arg) : 0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

int ve_child_spawn(struct ve_child *c, int flags, int (*pre)(void *),
		   int (*fn)(void *), void *arg)
{
	static const size_t stack_size = 256 * 1024;
	struct child_args a = { pre, fn, arg, -1, -1, flags };
	int ready[2], go[2];
	char path[64], b;
	void *stack;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return -errno;
	a.ready_w = ready[1];
	a.go_r = go[0];
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	/* The child runs on a copy of memory: a, stack stay valid for it. */
	c->pid = clone(child_main, (char *)stack + stack_size, flags | SIGCHLD, &a);
	munmap(stack, stack_size);
	close(ready[1]);
	close(go[0]);
	if (c->pid < 0) {
		close(ready[0]);
		close(go[1]);
		return -errno;
	}
	c->ready_fd = ready[0];
	c->go_fd = go[1];

	if (flags & CLONE_NEWUSER) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", c->pid);
		write_file(path, "deny");
		snprintf(path, sizeof(path), "/proc/%d/uid_map", c->pid);
		write_file(path, "0 100000 65536\n");
		snprintf(path, sizeof(path), "/proc/%d/gid_map", c->pid);
		write_file(path, "0 100000 65536\n");
	}
	if (read(c->ready_fd, &b, 1) != 1)
		return -EIO;
	return 0;
}

void ve_child_go(struct ve_child *c)
{
	char b = 1;

	/* EPIPE: the child was killed first, which some tests do on purpose. */
	if (c->go_fd >= 0 && write(c->go_fd, &b, 1) != 1 && errno != EPIPE)
		perror("ve_child_go");
}

int ve_child_wait(struct ve_child *c)
{
	int status;

	if (c->pid <= 0 || waitpid(c->pid, &status, 0) != c->pid)
		return -1;
	c->pid = 0;
	close(c->ready_fd);
	close(c->go_fd);
	c->ready_fd = c->go_fd = -1;
	return status;
}

void ve_child_kill(struct ve_child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		ve_child_wait(c);
	}
}

pid_t ve_first_child(pid_t pid)
{
	char path[96];
	FILE *f;
	int child = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	for (int i = 0; i < 500 && child < 0; i++) {
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &child) != 1)
				child = -1;
			fclose(f);
		}
		if (child < 0)
			usleep(10000);
	}
	return child;
}

/* "@prefix ARGS" through sh; see run_vectl(). */
static int vrun(char *out, size_t outlen, char *err, size_t errlen, const char *prefix,
		const char *fmt, va_list ap)
{
	char args[8192], cmd[8448], errpath[64];
	FILE *f;
	size_t n;
	int status;

	vsnprintf(args, sizeof(args), fmt, ap);
	/* Per process: tests run vectl from several at once. */
	snprintf(errpath, sizeof(errpath), "/tmp/vectl.%d.err", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s%s 2>%s", prefix, args, errpath);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	while (fgetc(f) != EOF)
		;
	status = pclose(f);
	f = fopen(errpath, "r");
	err[0] = '\0';
	if (f) {
		n = fread(err, 1, errlen - 1, f);
		err[n] = '\0';
		fclose(f);
	}
	unlink(errpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run_vectl(char *out, size_t outlen, char *err, size_t errlen, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;
	int ret;

	snprintf(prefix, sizeof(prefix), "%s ", getenv("VECTL") ? getenv("VECTL") : "vectl");
	va_start(ap, fmt);
	ret = vrun(out, outlen, err, errlen, prefix, fmt, ap);
	va_end(ap);
	return ret;
}

bool ve_wait_listen(unsigned int id, int port)
{
	char out[256], err[256];

	/* /proc/net/tcp{,6}: local address IP:PORT (hex), state 0A (LISTEN). */
	for (int i = 0; i < 100; i++) {
		if (!run_vectl(out, sizeof(out), err, sizeof(err),
			       "exec %u \"grep -q ':%04X [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6\"",
			       id, port))
			return true;
		usleep(100000);
	}
	return false;
}

pid_t ve_spawn_vectl(const char *vectl, const char *log, char *const args[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execvp(vectl, args);
		_exit(127);
	}
	return pid;
}

pid_t ve_spawn_vectl_held(const char *point, const char *log, char *const args[])
{
	int status;
	pid_t pid;

	setenv("VECTL_FAULT_STOP", point, 1);
	pid = ve_spawn_vectl("vectl-faults", log, args);
	unsetenv("VECTL_FAULT_STOP");
	if (pid <= 0)
		return -1;
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		if (waitpid(pid, NULL, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	return pid;
}

int run_sh(char *out, size_t outlen, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrun(out, outlen, err, errlen, "", fmt, ap);
	va_end(ap);
	return ret;
}

int run_on_node(char *out, size_t outlen, char *err, size_t errlen, int node,
		const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (node == 1)
		return run_sh(out, outlen, err, errlen, "%s", cmd);
	/* A group: what vrun() appends (2>FILE) must not end the here-document. */
	return run_sh(out, outlen, err, errlen, "{ ssh node%d sh <<'VE_EOF'\n%s\nVE_EOF\n}",
		      node, cmd);
}

#define VE_IP "/usr/sbin/ip"

int ve_lan_setup(const char *host4, const char *out4, char *err, size_t errlen)
{
	char out[256];

	ve_lan_teardown();
	return run_sh(out, sizeof(out), err, errlen,
		      VE_IP " link add uplink0 type veth peer name lan0 && "
		      VE_IP " netns add outside && " VE_IP " link set lan0 netns outside && "
		      VE_IP " addr add %s/24 dev uplink0 && " VE_IP " link set uplink0 up && "
		      VE_IP " -n outside addr add %s/24 dev lan0 && "
		      VE_IP " -n outside link set lan0 up && " VE_IP " -n outside link set lo up && "
		      "echo 1 > /proc/sys/net/ipv4/ip_forward && "
		      "sed -i '/^NEIGHBOUR_DEVS=/d' /etc/ve/ve.conf && "
		      "echo 'NEIGHBOUR_DEVS=\"uplink0\"' >> /etc/ve/ve.conf", host4, out4);
}

void ve_lan_teardown(void)
{
	char out[256], err[256];

	run_sh(out, sizeof(out), err, sizeof(err),
	       VE_IP " link del uplink0 2>/dev/null; " VE_IP " netns del outside 2>/dev/null; "
	       "sed -i 's/^NEIGHBOUR_DEVS=.*/NEIGHBOUR_DEVS=\"detect\"/' /etc/ve/ve.conf");
}

static const char *module_path(void)
{
	static char path[256];
	const char *env = getenv("VE_KO");
	struct utsname u;

	if (env)
		return env;
	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/extra/ve.ko", u.release);
	return path;
}

int ve_module_load(void)
{
	int fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

int ve_module_unload(void)
{
	return syscall(SYS_delete_module, "ve", O_NONBLOCK) ? -errno : 0;
}

int ve_env_int(const char *name, int def)
{
	const char *env = getenv(name);
	char *end;
	long v;

	if (!env || !*env)
		return def;
	v = strtol(env, &end, 0);
	return *end || v <= 0 || v > INT_MAX ? def : (int)v;
}

int ve_time_scale(void)
{
	return ve_env_int("KSFT_TIMEOUT_SCALE", 1);
}

bool ve_root_mounted(unsigned int id)
{
	char line[1024], pat[64];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	snprintf(pat, sizeof(pat), " /var/lib/ve/root/%u ", id);
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, pat) != NULL;
	if (f)
		fclose(f);
	return found;
}

char *ve_slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return f ? buf : NULL;
}

int ve_loops_backing(const char *part)
{
	char path[300], file[4096];
	struct dirent *d;
	DIR *dir = opendir("/sys/block");
	int n = 0;

	while (dir && (d = readdir(dir))) {
		FILE *f;

		if (strncmp(d->d_name, "loop", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(file, sizeof(file), f) && strstr(file, part))
			n++;
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return n;
}

bool ve_lock_held(unsigned int id)
{
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/var/lib/ve/lock/%u.lck", id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	ret = flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return ret != 0;
}

bool ve_one_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	return !strncmp(err, "vectl: ", 7) && nl && !nl[1];
}

long ve_slab_objects(const char *name)
{
	char line[512], cache[64];
	long active = -1, n;
	FILE *fp = fopen("/proc/slabinfo", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "%63s %ld", cache, &n) == 2 && !strcmp(cache, name))
			active = n;
	fclose(fp);
	return active;
}

void ve_delete_all(struct ve_nl *nl, int stop_wait_ms)
{
	static uint32_t ids[4096];
	int n;

	for (int round = 0; round < 100; round++) {
		n = veapi_dump(nl, ids, 4096);
		if (n == 0)
			break;
		if (n < 0) {	/* interrupted by a change: ask again */
			usleep(10000);
			continue;
		}
		for (int i = 0; i < n && i < 4096; i++) {
			if (veapi_stop(nl, ids[i]) == 0)
				veapi_wait_state(nl, ids[i], VE_STATE_STOPPED, stop_wait_ms);
			veapi_del(nl, ids[i]);
		}
	}
}

long ve_module_objects_settled(void)
{
	long n = -1, prev;
	int same = 0;

	/* Records go after a grace period, a dead VE's sockets with its netns. */
	for (int i = 0; i < 600 * ve_time_scale() && same < 20; i++) {
		prev = n;
		n = ve_slab_objects("ve") + ve_slab_objects("ve_charge");
		same = n == prev ? same + 1 : 0;
		usleep(100000);
	}
	return n;
}

bool ve_has_kasan(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " __kasan_slab_free") != NULL;
	if (f)
		fclose(f);
	return found;
}
