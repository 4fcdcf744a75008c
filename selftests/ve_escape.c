// SPDX-License-Identifier: GPL-2.0
/*
 * Escape attempts, run as root inside a VE by ve_escape_test. Each case is
 * an attack on the host or on another VE; it prints one line per attempt
 * and exits 0 when every attempt was refused, 1 when one got through
 * ("ESCAPED: ..."), 2 on a usage error. Built static: the VE's tree has
 * none of the host's libraries.
 *
 *   pids           see or signal processes outside the VE
 *   fds            vectl exec/enter hand over no host fd, cwd or root
 *   mount          mount the kernel's global filesystems
 *   mknod          make device nodes
 *   module         load or unload kernel modules
 *   sysctl         write global /proc/sys and /sys knobs
 *   cgroup OTHER   reach the host's or VE OTHER's cgroup
 *   nested N       fork N processes from a nested user+pid namespace
 *   exe SECONDS    grab host executables through /proc/PID/exe and write
 *                  them once their process is gone (runc CVE-2019-5736)
 *   deep N         make a directory chain N deep (paths past PATH_MAX),
 *                  for the host's tools to choke on when removing it
 *   disk           lift the image's quota: change it, leave its project,
 *                  remount without it, reach the loop device or the image
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/quota.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the host's root owns shows as the overflow uid inside a VE. */
#define OVERFLOW_UID 65534

static int escaped;

static void refused(const char *what, int ok)
{
	if (ok) {
		printf("%s: refused (%s)\n", what, strerror(errno));
	} else {
		printf("ESCAPED: %s\n", what);
		escaped = 1;
	}
}

/* Every pid a signal reaches is one the VE's own /proc shows. */
static void pids(void)
{
	int visible = 0, reachable = 0, stray = 0;
	char path[64], comm[64] = "";
	struct dirent *d;
	DIR *dir = opendir("/proc");
	FILE *f;

	while (dir && (d = readdir(dir)))
		visible += d->d_name[0] >= '0' && d->d_name[0] <= '9';
	if (dir)
		closedir(dir);
	for (pid_t pid = 1; pid < 1 << 16; pid++) {
		if (kill(pid, 0) && errno == ESRCH)
			continue;
		reachable++;
		snprintf(path, sizeof(path), "/proc/%d", pid);
		stray += access(path, F_OK) != 0;
	}
	f = fopen("/proc/1/comm", "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	printf("pids: %d visible, %d reachable, pid 1 is %s\n", visible, reachable, comm);
	errno = ESRCH;
	refused("signal a pid /proc does not show", stray == 0);
	refused("more than a VE's few processes in sight", visible > 0 && visible < 64);
	errno = 0;
	refused("pid 1 is the VE's init", !strcmp(comm, "init"));
	errno = ESRCH;
	refused("pidfd of a pid outside", syscall(SYS_pidfd_open, 1 << 20, 0) < 0);
}

/* exec hands over stdio pipes only; cwd and root are the VE's. */
static void fds(void)
{
	char path[64], target[256];
	struct dirent *d;
	int extra = 0, host = 0;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;

	while (dir && (d = readdir(dir))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("fds: %d -> %s\n", fd, target);
		extra += fd > 2;
		host += strncmp(target, "pipe:", 5) && strncmp(target, "/dev/pts/", 9) &&
			strcmp(target, "/dev/null");
	}
	if (dir)
		closedir(dir);
	errno = 0;
	refused("an fd beyond stdio", extra == 0);
	refused("stdio on something but a pipe or the VE's pty", host == 0);
	/* A directory outside the root reads "(unreachable)/...". */
	n = readlink("/proc/self/cwd", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	printf("fds: cwd -> %s\n", target);
	refused("a working directory outside the VE's tree", target[0] == '/');
	n = readlink("/proc/self/root", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	refused("a root other than the VE's", !strcmp(target, "/"));
}

static void mounts(void)
{
	static const char *const types[] = {
		"devtmpfs", "debugfs", "tracefs", "securityfs", "bpf", "pstore",
		"configfs", "ext4", "hugetlbfs",
	};
	char what[64];

	mkdir("/tmp/m", 0700);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(what, sizeof(what), "mount %s", types[i]);
		refused(what, mount("none", "/tmp/m", types[i], 0, NULL) != 0);
		umount2("/tmp/m", MNT_DETACH);
	}
	refused("mount the host's root device", mount("/dev/root", "/tmp/m", "ext4", 0, NULL) != 0);
}

static void mknods(void)
{
	refused("mknod a disk", mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0)) != 0);
	refused("mknod /dev/mem", mknod("/tmp/mem", S_IFCHR | 0600, makedev(1, 1)) != 0);
	refused("mknod /dev/kmsg", mknod("/tmp/kmsg", S_IFCHR | 0600, makedev(1, 11)) != 0);
}

static void modules(void)
{
	int fd = open("/bin/busybox", O_RDONLY);

	refused("init_module", syscall(SYS_init_module, "", 0, "") != 0);
	refused("finit_module", syscall(SYS_finit_module, fd, "", 0) != 0);
	refused("delete_module ve", syscall(SYS_delete_module, "ve", O_NONBLOCK) != 0);
	if (fd >= 0)
		close(fd);
}

/* sysfs as the VE's root can mount it (it owns its network namespace). */
static void sysctls(void)
{
	static const char *const knobs[] = {
		"/proc/sys/kernel/sysrq", "/proc/sysrq-trigger", "/proc/sys/vm/drop_caches",
		"/proc/sys/kernel/pid_max", "/proc/sys/kernel/pty/max",
		"/proc/sys/fs/file-max", "/proc/sys/kernel/panic", "/proc/sys/kernel/modprobe",
		"/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_memory",
		"/tmp/sys/kernel/mm/transparent_hugepage/enabled",
		"/tmp/sys/kernel/uevent_helper", "/tmp/sys/power/state",
		"/tmp/sys/module/ve/uevent", "/tmp/sys/kernel/profiling",
	};
	char what[128];

	mkdir("/tmp/sys", 0700);
	printf("sysctl: sysfs %s\n", mount("none", "/tmp/sys", "sysfs", 0, NULL) ?
	       strerror(errno) : "mounted");

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int fd = open(knobs[i], O_WRONLY);

		snprintf(what, sizeof(what), "write %s", knobs[i]);
		refused(what, fd < 0);
		if (fd >= 0)
			close(fd);
	}
	umount2("/tmp/sys", MNT_DETACH);
}

/* The VE's cgroup namespace root is all it sees of the hierarchy. */
static void cgroups(const char *other)
{
	char line[256] = "", path[256];
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	printf("cgroup: %s\n", line);
	errno = 0;
	refused("a cgroup path outside the namespace", !strncmp(line, "0::/", 4) &&
		!strstr(line, "/ve/") && !strstr(line, ".."));
	mkdir("/tmp/cg", 0700);
	if (mount("none", "/tmp/cg", "cgroup2", 0, NULL) == 0) {
		snprintf(path, sizeof(path), "/tmp/cg/%s", other);
		errno = ENOENT;
		refused("another VE's cgroup by name", access(path, F_OK) != 0);
		refused("the host's ve/ directory", access("/tmp/cg/ve", F_OK) != 0);
		umount2("/tmp/cg", MNT_DETACH);
	}
}

/* A user+pid namespace of its own inside the VE escapes no limit. */
static void nested(int n)
{
	int p[2], made = 0;
	pid_t child;

	if (pipe(p))
		return;
	child = fork();
	if (child == 0) {
		int count = 0;

		if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(3);
		if (fork() == 0) {	/* pid 1 of the nested namespace */
			for (int i = 0; i < n; i++) {
				pid_t pid = fork();

				if (pid == 0) {
					pause();
					_exit(0);
				}
				if (pid < 0)
					break;
				count++;
			}
			write(p[1], &count, sizeof(count));
			kill(-1, SIGKILL);
			_exit(0);
		}
		wait(NULL);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &made, sizeof(made)) != sizeof(made))
		made = -1;
	waitpid(child, NULL, 0);
	printf("nested: %d of %d forks in a nested user+pid namespace\n", made, n);
	errno = EAGAIN;
	refused("fork past numproc from a nested namespace", made >= 0 && made < n);
}

/*
 * Hold O_PATH fds of every executable /proc shows that the VE does not own
 * (the host's files show as the overflow uid), and try to open each for
 * writing, while the host runs vectl exec: runc's CVE-2019-5736.
 */
static void exe(int seconds)
{
	time_t until = time(NULL) + seconds;
	unsigned long tries = 0, host = 0;

	while (time(NULL) < until) {
		DIR *dir = opendir("/proc");
		struct dirent *d;
		char path[300];

		while (dir && (d = readdir(dir))) {
			struct stat st;
			int fd, w;

			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/exe", d->d_name);
			fd = open(path, O_PATH);
			if (fd < 0)
				continue;
			tries++;
			if (fstat(fd, &st) == 0 && st.st_uid == OVERFLOW_UID) {
				host++;
				snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
				/* Wait for its process to go, then write it. */
				for (int i = 0; i < 50; i++) {
					w = open(path, O_WRONLY);
					if (w >= 0) {
						refused("write a host executable through /proc/PID/exe", 0);
						close(w);
						break;
					}
					if (errno != ETXTBSY)
						break;
					usleep(2000);
				}
			}
			close(fd);
		}
		if (dir)
			closedir(dir);
	}
	printf("exe: %lu executables looked at, %lu of the host's\n", tries, host);
	errno = EACCES;
	refused("write a host executable through /proc/PID/exe", !escaped);
}

static void deep(int n)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	for (int i = 0; i < n && fd >= 0; i++) {
		int sub;

		mkdirat(fd, "dd", 0700);
		sub = openat(fd, "dd", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = sub;
	}
	printf("deep: %s\n", fd >= 0 ? "made" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The VE's root is an image with a project quota that root inside must keep. */
static void disk(void)
{
	struct if_dqblk q = { .dqb_valid = QIF_LIMITS };
	struct fsxattr fa;
	int root = open("/", O_RDONLY | O_DIRECTORY), fd;

	refused("set the project quota to none",
		syscall(SYS_quotactl_fd, root, QCMD(Q_SETQUOTA, PRJQUOTA), 1, &q) != 0);
	refused("turn the project quota off",
		syscall(SYS_quotactl_fd, root, QCMD(Q_QUOTAOFF, PRJQUOTA), 0, NULL) != 0);
	refused("quotactl on the loop device",
		quotactl(QCMD(Q_SETQUOTA, PRJQUOTA), "/dev/loop0", 1, (void *)&q) != 0);
	if (ioctl(root, FS_IOC_FSGETXATTR, &fa)) {
		printf("ESCAPED: no project on the root (%s)\n", strerror(errno));
		escaped = 1;
	} else {
		struct fsxattr other = fa;

		other.fsx_projid = 4242;
		refused("move the root to another project",
			ioctl(root, FS_IOC_FSSETXATTR, &other) != 0);
		other = fa;
		other.fsx_xflags &= ~FS_XFLAG_PROJINHERIT;
		refused("stop the root's files inheriting its project",
			ioctl(root, FS_IOC_FSSETXATTR, &other) != 0);
	}
	fd = open("/disk-escape", O_WRONLY | O_CREAT, 0600);
	if (fd >= 0 && !ioctl(fd, FS_IOC_FSGETXATTR, &fa)) {
		fa.fsx_projid = 0;
		refused("move a new file out of the project", ioctl(fd, FS_IOC_FSSETXATTR, &fa) != 0);
	}
	if (fd >= 0)
		close(fd);
	unlink("/disk-escape");
	refused("remount the root without its quota",
		mount(NULL, "/", NULL, MS_REMOUNT, "noquota") != 0);
	refused("open /dev/loop-control", open("/dev/loop-control", O_RDWR) < 0);
	refused("open a loop device", open("/dev/loop0", O_RDWR) < 0);
	refused("mknod a loop device", mknod("/tmp/loop0", S_IFBLK | 0600, makedev(7, 0)) != 0);
	mkdir("/tmp/m", 0700);
	refused("mount a loop device", mount("/dev/loop0", "/tmp/m", "ext4", 0, NULL) != 0);
	refused("reach the image through the host's path",
		open("/var/lib/ve/private", O_RDONLY) < 0 || access("/var/lib/ve/private/401/root.img", F_OK) != 0);
	if (root >= 0)
		close(root);
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "pids"))
		pids();
	else if (!strcmp(c, "fds"))
		fds();
	else if (!strcmp(c, "mount"))
		mounts();
	else if (!strcmp(c, "mknod"))
		mknods();
	else if (!strcmp(c, "module"))
		modules();
	else if (!strcmp(c, "sysctl"))
		sysctls();
	else if (!strcmp(c, "cgroup") && argc > 2)
		cgroups(argv[2]);
	else if (!strcmp(c, "nested") && argc > 2)
		nested(atoi(argv[2]));
	else if (!strcmp(c, "exe") && argc > 2)
		exe(atoi(argv[2]));
	else if (!strcmp(c, "deep") && argc > 2)
		deep(atoi(argv[2]));
	else if (!strcmp(c, "disk"))
		disk();
	else
		return 2;
	return escaped;
}
