// SPDX-License-Identifier: GPL-2.0
/*
 * A VE's console: a host pty whose slave is the VE's /dev/console, and the
 * keeper that logs it to /var/log/ve/ID.console.
 *
 * The VE decides what it writes, so the log is bounded: at most
 * CONSOLE_LOG_RATE bytes a second are kept (the rest is read and dropped,
 * with a note of how much, so the VE never blocks on its console), and
 * when the file reaches CONSOLE_LOG_SIZE it becomes ID.console.1 (the
 * older one goes) and a new one starts. Disk use is at most twice the size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "network.h"
#include "resources.h"
#include "run.h"

#define CONSOLE_LOG_SIZE_DEFAULT	(1024 * 1024)
#define CONSOLE_LOG_RATE_DEFAULT	(64 * 1024)

/* The keeper's fds, fixed so that nothing else stays open. */
enum { FD_MASTER = 3, FD_INIT, FD_LOG, FD_SLAVE, FD_FIRST_FREE };

struct console_log {
	char path[PATH_MAX];
	uint64_t size_max;	/* bytes per file */
	uint64_t rate_max;	/* bytes kept per second */
	uint64_t size;		/* of the current file */
	time_t second;		/* the second rate_used counts */
	uint64_t rate_used;
	uint64_t dropped;	/* bytes dropped in that second */
};

int console_open(const struct vectx *x, char *path, size_t len)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char *name;

	if (master < 0)
		return -errno;
	if (grantpt(master) || unlockpt(master) || !(name = ptsname(master)) ||
	    snprintf(path, len, "%s", name) >= (int)len ||
	    chown(path, x->uid_base, x->uid_base + 5) || chmod(path, 0620)) {
		int err = -errno;

		close(master);
		return err ? err : -EIO;
	}
	return master;
}

/* A byte count from the config ("1M", "65536"), or @def. */
static uint64_t conf_bytes(const struct vectx *x, const char *key, uint64_t def)
{
	const char *v = vectx_get(x, key);
	uint64_t b, l;

	return v && !res_parse(v, RES_BYTES, &b, &l) && l ? l : def;
}

/* A fresh, empty log file, root's alone; never through a symlink. */
static int log_create(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* Start the log anew at FD_LOG (after a rotation). */
static int log_open(const struct console_log *log)
{
	int fd = log_create(log->path);

	if (fd < 0)
		return -1;
	if (fd != FD_LOG) {
		dup2(fd, FD_LOG);
		close(fd);
	}
	return 0;
}

static int log_write(struct console_log *log, const char *buf, size_t n)
{
	char old[PATH_MAX + 2];

	if (log->size + n > log->size_max) {
		snprintf(old, sizeof(old), "%s.1", log->path);
		if (rename(log->path, old) || log_open(log))
			return -1;
		log->size = 0;
	}
	if (write(FD_LOG, buf, n) != (ssize_t)n)
		return -1;
	log->size += n;
	return 0;
}

/* Keep what the rate allows of @n bytes; note what was dropped. */
static int log_console(struct console_log *log, const char *buf, size_t n)
{
	time_t now = time(NULL);
	size_t keep = n;

	if (now != log->second) {
		if (log->dropped) {
			char note[96];
			int len = snprintf(note, sizeof(note),
					   "\n[ve: %llu bytes of console output dropped: over %llu bytes/s]\n",
					   (unsigned long long)log->dropped,
					   (unsigned long long)log->rate_max);

			if (log_write(log, note, (size_t)len))
				return -1;
		}
		log->second = now;
		log->rate_used = 0;
		log->dropped = 0;
	}
	if (log->rate_used + keep > log->rate_max)
		keep = log->rate_max - log->rate_used;
	log->rate_used += keep;
	log->dropped += n - keep;
	return keep ? log_write(log, buf, keep) : 0;
}

void console_keeper(const struct vectx *x, int master, const char *slave_path,
		    pid_t init)
{
	struct console_log log = { 0 };
	char buf[4096];
	int fds[4], null;
	pid_t pid = fork();

	if (pid != 0)
		return;
	/*
	 * Nothing of vectl's may stay open here: stdio, netlink, and first of
	 * all the VE's lock, which would otherwise outlive vectl start for as
	 * long as this takes and refuse the next command.
	 */
	close_fds_except(&master, 1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	setsid();
	snprintf(log.path, sizeof(log.path), "%s/%u.console", VE_CONSOLE_LOG_DIR, x->id);
	log.size_max = conf_bytes(x, "CONSOLE_LOG_SIZE", CONSOLE_LOG_SIZE_DEFAULT);
	log.rate_max = conf_bytes(x, "CONSOLE_LOG_RATE", CONSOLE_LOG_RATE_DEFAULT);
	mkdir_p(VE_CONSOLE_LOG_DIR, 0700);
	net_keeper_started(x);
	fds[0] = master;
	fds[1] = (int)syscall(SYS_pidfd_open, init, 0);
	fds[2] = log_create(log.path);
	fds[3] = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	for (int i = 0; i < 4; i++) {
		if (fds[i] < 0)
			_exit(1);
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100 + i);
	}
	for (int i = 0; i < 4; i++)
		dup2(fds[i], FD_MASTER + i);
	syscall(SYS_close_range, FD_FIRST_FREE, ~0U, 0U);
	for (;;) {
		struct pollfd p[2] = { { FD_MASTER, POLLIN, 0 }, { FD_INIT, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			n = read(FD_MASTER, buf, sizeof(buf));
			if (n > 0 && log_console(&log, buf, (size_t)n))
				break;
		}
		if (p[1].revents & POLLIN) {
			/* The run is over: what it had on the host goes. */
			net_keeper_done(x, init);
			break;
		}
	}
	_exit(0);
}
