// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint and restore of a VE with criu (Documentation/design.md,
 * "Suspend and resume").
 *
 * A dump is a directory: criu's images and logs, and CK_RECORD, vectl's
 * record of what the VE had from the host. criu is told those things are
 * external: the mounts bound from the host's /dev, cgroup tree and
 * veproc filesystem, and the console pty. The restore gives each back
 * from this host: /dev's nodes, the VE's new cgroup, a veproc mount of
 * its own, a new console pty. The record is written last, so a
 * directory without it is no dump.
 *
 * The restore runs criu in a mount namespace of its own, where the
 * veproc mount (and an image's idmapped root) are made, so nothing of it
 * is left on the host. criu remakes the VE's network namespace with its
 * pairs (--veth-pair); vectl then does the host's side as a start does.
 * The module binds the restored init at criu's "setup-namespaces" step,
 * before its first child is forked, so every task is counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "cgroup.h"
#include "checkpoint.h"
#include "console.h"
#include "disk.h"
#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "idmap.h"
#include "launch.h"
#include "network.h"
#include "private.h"
#include "rtnl.h"
#include "run.h"

#define CK_MOUNTS_MAX	64
#define CG_ROOT		"/sys/fs/cgroup"	/* the root of VE_CGROUP_DIR's hierarchy */
#define CK_ARGS_MAX	(40 + 2 * CK_MOUNTS_MAX + 2 * (VE_NETIF_MAX_CONF + 1))

/* A mount the VE has from the host, as criu is told of it. */
struct ck_mount {
	char key[16];		/* criu's name for it: m0, m1, ... */
	char kind[16];		/* veproc, cgroup, dev, console */
	char root[256];		/* the part of its filesystem it shows */
	char mp[256];		/* where, in the VE */
};

struct ck_record {
	pid_t init;		/* the dumped init's host pid: criu's lock table */
	char tty[64];		/* the console, as criu names it: tty[RDEV:DEV] */
	int n;
	struct ck_mount m[CK_MOUNTS_MAX];
};

/* DUMPDIR/ID; the length it needs. */
static int default_dir(const struct vectx *x, char *buf, size_t len)
{
	const char *base = vectx_get(x, "DUMPDIR");

	return snprintf(buf, len, "%s/%u", base && *base ? base : VE_DEF_DUMPDIR, x->id);
}

bool ck_dump_dir(const struct vectx *x, const char *given, char *buf, size_t len)
{
	int n = given ? snprintf(buf, len, "%s", given) : default_dir(x, buf, len);

	if (n <= 0 || (size_t)n >= len) {
		vectl_err("%s %u: the dump directory's path is too long", x->verb, x->id);
		return false;
	}
	return true;
}

static bool has_record(const char *dir)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/" CK_RECORD, dir);
	return access(path, F_OK) == 0;
}

bool ck_suspended(const struct vectx *x)
{
	char dir[PATH_MAX];

	default_dir(x, dir, sizeof(dir));
	return has_record(dir);
}

/* DUMPDIR/ID goes if it is a link to @dir (a --dumpfile's dump). */
static int unlink_default(const struct vectx *x, const char *dir)
{
	char def[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	default_dir(x, def, sizeof(def));
	n = readlink(def, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return strcmp(target, dir) || !unlink(def) ? 0 : -errno;
}

/* Remove dump @dir, or the dump it links to and the link. */
static int remove_dump(const char *dir)
{
	char target[PATH_MAX];
	ssize_t n = readlink(dir, target, sizeof(target) - 1);
	int err;

	if (n > 0) {
		target[n] = '\0';
		err = remove_tree(target);
		if (err && err != -ENOENT)
			return err;
		return unlink(dir) ? -errno : 0;
	}
	err = remove_tree(dir);
	return err == -ENOENT ? 0 : err;
}

int ck_discard(const struct vectx *x)
{
	char dir[PATH_MAX];

	default_dir(x, dir, sizeof(dir));
	return remove_dump(dir);
}

/* Undo mountinfo's octal escapes (\040 and the like) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* Is @root (in the cgroup2 hierarchy) VE @x's cgroup, or below it? */
static bool in_own_cgroup(const struct vectx *x, const char *root)
{
	const char *own = x->cgroup + strlen(CG_ROOT);
	size_t n = strlen(own);

	return !strncmp(root, own, n) && (!root[n] || root[n] == '/');
}

/* A path as mountinfo gives it: absolute, no "." or ".." in it. */
static bool canonical(const char *p)
{
	return p[0] == '/' && !strstr(p, "/./") && !strstr(p, "/../") &&
	       (strlen(p) < 3 || (strcmp(p + strlen(p) - 3, "/..") && strcmp(p + strlen(p) - 2, "/.")));
}

/* One line of mountinfo: what criu and the checks below look at. */
struct mi_line {
	char dev[16];		/* major:minor of its filesystem */
	char root[256];		/* the part of it the mount shows */
	char mp[256];
	char type[32];
};

/* Is @a an ancestor of @b in one filesystem ("/" is everyone's)? */
static bool ancestor(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strcmp(a, "/") || (!strncmp(a, b, n) && b[n] == '/');
}

/*
 * Mount @i shows part of a filesystem that another mount of the
 * namespace shows more of (or the same, and that one comes first): a
 * bind made inside the VE, which criu carries itself.
 */
static bool inner_bind(const struct mi_line *mi, int n, int i)
{
	for (int j = 0; j < n; j++)
		if (j != i && !strcmp(mi[j].dev, mi[i].dev) &&
		    (ancestor(mi[j].root, mi[i].root) ||
		     (j < i && !strcmp(mi[j].root, mi[i].root))))
			return true;
	return false;
}

/* The mounts of @pid's namespace into @mi (room for @max); the count, or -errno. */
static int read_mountinfo(pid_t pid, struct mi_line *mi, int max)
{
	char path[64], line[2048], root[1024], mp[1024];
	int n = 0, err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		struct mi_line *m = &mi[n];

		if (n == max || !sep || sscanf(line, "%*s %*s %15s %1023s %1023s", m->dev, root, mp) != 3 ||
		    sscanf(sep, " - %31s", m->type) != 1) {
			err = -E2BIG;
			break;
		}
		unescape(root);
		unescape(mp);
		if (strlen(root) >= sizeof(m->root) || strlen(mp) >= sizeof(m->mp) ||
		    strpbrk(mp, " \t\n\\")) {
			err = -ENAMETOOLONG;
			break;
		}
		snprintf(m->root, sizeof(m->root), "%s", root);
		snprintf(m->mp, sizeof(m->mp), "%s", mp);
		n++;
	}
	fclose(f);
	return err ? err : n;
}

/*
 * What of the mounts of @pid's namespace comes from the host: a part of
 * a filesystem (root not "/") that no other mount there shows more of.
 * Each is sorted into what the restore can give back, or refused. Exit
 * code, said.
 */
static int find_mounts(const struct vectx *x, pid_t pid, struct ck_record *rec)
{
	static struct mi_line mi[512];
	int n = read_mountinfo(pid, mi, 512);

	if (n < 0) {
		vectl_err("%s %u: cannot read the VE's mounts: %s%s", x->verb, x->id, strerror(-n),
			  n == -E2BIG || n == -ENAMETOOLONG ?
			  " (too many, or a path too long or with a blank)" : "");
		return VECTL_ERR_CHECKPOINT;
	}
	for (int i = 0; i < n; i++) {
		const struct mi_line *l = &mi[i];
		struct ck_mount *m = &rec->m[rec->n];
		const char *kind = NULL;

		if (!strcmp(l->root, "/") || !strcmp(l->mp, "/") || inner_bind(mi, n, i))
			continue;	/* a whole filesystem, the root, a bind: criu's own work */
		if (!strcmp(l->type, "veproc"))
			kind = "veproc";
		else if (!strcmp(l->type, "cgroup2") && in_own_cgroup(x, l->root))
			kind = "cgroup";
		else if (!strcmp(l->type, "devtmpfs") && !strchr(l->root + 1, '/'))
			kind = "dev";
		else if (!strcmp(l->type, "devpts") && !strcmp(l->mp, "/dev/console"))
			kind = "console";
		if (!kind) {
			vectl_err("%s %u: the VE has a mount from the host that a checkpoint cannot carry: %s (%s %s); unmount it in the VE first",
				  x->verb, x->id, l->mp, l->type, l->root);
			return VECTL_ERR_CHECKPOINT;
		}
		if (rec->n == CK_MOUNTS_MAX) {
			vectl_err("%s %u: the VE has more mounts from the host than a checkpoint takes (%d)",
				  x->verb, x->id, CK_MOUNTS_MAX);
			return VECTL_ERR_CHECKPOINT;
		}
		snprintf(m->key, sizeof(m->key), "m%d", rec->n);
		snprintf(m->kind, sizeof(m->kind), "%s", kind);
		snprintf(m->root, sizeof(m->root), "%s", l->root);
		snprintf(m->mp, sizeof(m->mp), "%s", l->mp);
		rec->n++;
	}
	return VECTL_OK;
}

/* The record: "init PID", "tty NAME", then "mnt KEY KIND ROOT MP" lines. */
static int record_write(const char *dir, const struct ck_record *rec)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" CK_RECORD, dir);
	snprintf(tmp, sizeof(tmp), "%s/" CK_RECORD ".new", dir);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "init %d\ntty %s\n", (int)rec->init, rec->tty);
	for (int i = 0; i < rec->n; i++)
		fprintf(f, "mnt %s %s %s %s\n", rec->m[i].key, rec->m[i].kind, rec->m[i].root,
			rec->m[i].mp);
	return file_commit(f, tmp, path);
}

static int record_read(const char *dir, struct ck_record *rec)
{
	char path[PATH_MAX + 16], line[1024];
	struct ck_mount *m;
	int init, bad = 0;
	FILE *f;

	memset(rec, 0, sizeof(*rec));
	snprintf(path, sizeof(path), "%s/" CK_RECORD, dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		m = &rec->m[rec->n];
		if (sscanf(line, "init %d", &init) == 1 && init > 0)
			rec->init = init;
		else if (sscanf(line, "tty %63s", rec->tty) == 1)
			continue;
		else if (rec->n < CK_MOUNTS_MAX &&
			 sscanf(line, "mnt %15s %15s %255s %255s", m->key, m->kind, m->root,
				m->mp) == 4 && canonical(m->root) && canonical(m->mp))
			rec->n++;
		else
			bad = 1;
	}
	fclose(f);
	return bad || !rec->init || !rec->tty[0] ? -EBADMSG : 0;
}

/* The first error criu wrote to its log @path (the cause), for a one-line message. */
static void criu_error(const char *path, char *why, size_t len)
{
	char line[512];
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *e = strstr(line, "Error (");

		e = e ? strstr(e, "): ") : NULL;
		if (e) {
			e[3 + strcspn(e + 3, "\n")] = '\0';
			snprintf(why, len, "%s", e + 3);
			break;
		}
	}
	fclose(f);
}

/* Say why criu ended with @status: not there (127), or the first error of its @log. */
static void criu_failed(const struct vectx *x, int status, const char *log)
{
	char why[512] = "";

	if (status == 127 || status == -ENOENT) {
		vectl_err("%s %u: criu is not installed (Debian's package criu)", x->verb, x->id);
		return;
	}
	criu_error(log, why, sizeof(why));
	if (!*why)
		snprintf(why, sizeof(why), "exit status %d, no error in its log", status);
	vectl_err("%s %u: criu failed: %s (its log: %s)", x->verb, x->id, why, log);
}
/* Make @dir, empty; a dump that is there already is refused. */
static int dump_dir_make(const struct vectx *x, const char *dir)
{
	char parent[PATH_MAX];
	int err;

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	if (has_record(dir)) {
		vectl_err("%s %u: %s holds a dump already (resume it with vectl resume %u, or remove it)",
			  x->verb, x->id, dir, x->id);
		return VECTL_ERR_CHECKPOINT;
	}
	/* What a failed suspend left goes. */
	err = remove_tree(dir);
	if ((err && err != -ENOENT) || (*parent && mkdir_p(parent, 0700)) || mkdir(dir, 0700)) {
		vectl_err("%s %u: cannot make the dump directory %s: %s", x->verb, x->id, dir,
			  strerror(err && err != -ENOENT ? -err : errno));
		return VECTL_ERR_CHECKPOINT;
	}
	return VECTL_OK;
}

/*
 * What the dump and the pre-dumps are told of VE @x, whose init is
 * @rec->init: its externals found and its console named in @rec. Exit
 * code, said.
 */
static int find_externals(const struct vectx *x, struct ck_record *rec)
{
	char path[64];
	struct stat st;
	int rc;

	rc = find_mounts(x, rec->init, rec);
	if (rc)
		return rc;
	/* The console: the pty bound at the VE's /dev/console. */
	snprintf(path, sizeof(path), "/proc/%d/root/dev/console", (int)rec->init);
	if (stat(path, &st) || !S_ISCHR(st.st_mode)) {
		vectl_err("%s %u: cannot find the VE's console: %s", x->verb, x->id,
			  strerror(errno ? errno : ENOTTY));
		return VECTL_ERR_CHECKPOINT;
	}
	snprintf(rec->tty, sizeof(rec->tty), "tty[%llx:%llx]", (unsigned long long)st.st_rdev,
		 (unsigned long long)st.st_dev);
	return VECTL_OK;
}

/* The running VE's init, into @rec; an exit code, said. */
static int running_init(struct ve_nl *nl, const struct vectx *x, struct ck_record *rec)
{
	struct ve_info info;

	if (veapi_get(nl, x->id, &info) || info.state != VE_STATE_RUNNING) {
		vectl_err("%s %u: VE is not running", x->verb, x->id);
		return VECTL_ERR_NOT_RUNNING;
	}
	memset(rec, 0, sizeof(*rec));
	rec->init = (pid_t)info.init_pid;
	return VECTL_OK;
}

/*
 * criu @verb (dump, pre-dump) of @rec's tree into @dir, whose memory is
 * what changed since the images in @prev (relative to @dir; NULL: none).
 * Its exit status, or -errno; the log is @dir/@verb.log.
 */
static int run_dump(const char *verb, const struct ck_record *rec, const char *dir,
		    const char *prev)
{
	static char ext[CK_MOUNTS_MAX][320];
	char tree[16], log[32], why[256];
	char *argv[CK_ARGS_MAX];
	int n = 0;

	snprintf(tree, sizeof(tree), "%d", (int)rec->init);
	snprintf(log, sizeof(log), "%s.log", verb);
	argv[n++] = "criu";
	argv[n++] = (char *)verb;
	argv[n++] = "--tree";
	argv[n++] = tree;
	argv[n++] = "--images-dir";
	argv[n++] = (char *)dir;
	argv[n++] = "--work-dir";
	argv[n++] = (char *)dir;
	argv[n++] = "--log-file";
	argv[n++] = log;
	argv[n++] = "-v4";
	/* Memory in rounds: each takes what changed since the one before. */
	if (prev || !strcmp(verb, "pre-dump"))
		argv[n++] = "--track-mem";
	if (prev) {
		argv[n++] = "--prev-images-dir";
		argv[n++] = (char *)prev;
	}
	/* Connections stay frozen until the restore: the VE's own namespace. */
	argv[n++] = "--network-lock";
	argv[n++] = "nftables";
	argv[n++] = "--tcp-established";
	/*
	 * A connection still in its handshake cannot be dumped: left out, its
	 * client retransmits its SYN and meets the VE where it is restored.
	 */
	argv[n++] = "--skip-in-flight";
	argv[n++] = "--file-locks";
	argv[n++] = "--link-remap";
	/* The cgroup is vectl's: criu puts the tasks back, no more. */
	argv[n++] = "--manage-cgroups=soft";
	for (int i = 0; i < rec->n; i++) {
		snprintf(ext[i], sizeof(ext[i]), "mnt[%s]:%s", rec->m[i].mp, rec->m[i].key);
		argv[n++] = "--external";
		argv[n++] = ext[i];
	}
	argv[n++] = "--external";
	argv[n++] = (char *)rec->tty;
	argv[n] = NULL;
	return run_argv(argv, why, sizeof(why));
}

/*
 * After criu @verb failed with @status in @dir: say why, keeping its log
 * in VE_CONSOLE_LOG_DIR/ID.@verb.log, and remove @dir.
 */
static void dump_failed(const struct vectx *x, const char *verb, int status, const char *dir)
{
	char path[PATH_MAX + 32], log[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s.log", dir, verb);
	snprintf(log, sizeof(log), "%s/%u.%s.log", VE_CONSOLE_LOG_DIR, x->id, verb);
	if (mkdir_p(VE_CONSOLE_LOG_DIR, 0700) || rename(path, log))
		snprintf(log, sizeof(log), "%s", path);
	criu_failed(x, status, log);
	remove_tree(dir);
}

/* The bytes of the files in @dir (not below): what a round of images holds. */
static unsigned long long dir_bytes(const char *dir)
{
	unsigned long long sum = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		if (!fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode))
			sum += (unsigned long long)st.st_size;
	closedir(dp);
	return sum;
}

long long ck_predump(struct ve_nl *nl, struct vectx *x, const char *dir, int round)
{
	static struct ck_record rec;
	char sub[PATH_MAX + 16], prev[32];
	int rc;

	rc = running_init(nl, x, &rec);
	if (!rc)
		rc = find_externals(x, &rec);
	if (!rc && round == 1)
		rc = dump_dir_make(x, dir);
	if (rc)
		return -rc;
	snprintf(sub, sizeof(sub), "%s/pre%d", dir, round);
	snprintf(prev, sizeof(prev), "../pre%d", round - 1);
	if (mkdir(sub, 0700)) {
		vectl_err("%s %u: cannot make %s: %s", x->verb, x->id, sub, strerror(errno));
		return -VECTL_ERR_CHECKPOINT;
	}
	rc = run_dump("pre-dump", &rec, sub, round > 1 ? prev : NULL);
	if (rc) {
		dump_failed(x, "pre-dump", rc, sub);
		return -VECTL_ERR_CHECKPOINT;
	}
	return (long long)dir_bytes(sub);
}

int ck_suspend(struct ve_nl *nl, struct vectx *x, const char *dir, int rounds)
{
	static struct ck_record rec;
	char prev[32], path[64];
	struct ve_info info;
	int rc, err, netns;

	rc = running_init(nl, x, &rec);
	if (!rc)
		rc = find_externals(x, &rec);
	/* After pre-dump rounds, the directory holds them: the dump joins them. */
	if (!rc && !rounds)
		rc = dump_dir_make(x, dir);
	if (rc)
		return rc;
	snprintf(prev, sizeof(prev), "pre%d", rounds);
	/*
	 * The VE's network namespace held past criu's kill: a dying one drops
	 * its nftables hooks (criu's lock) before its devices, and a client's
	 * packet routed in meanwhile would meet no socket and be reset. Held,
	 * the lock stands until the host's side is gone.
	 */
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)rec.init);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	fault_point("suspend:dumping");
	rc = run_dump("dump", &rec, dir, rounds ? prev : NULL);
	if (rc) {
		if (netns >= 0)
			close(netns);
		/* criu let the tasks go on; the images are of no use, its log is. */
		dump_failed(x, "dump", rc, dir);
		if (veapi_get(nl, x->id, &info) || info.state != VE_STATE_RUNNING)
			vectl_err("%s %u: the VE did not survive the failed checkpoint; start it again",
				  x->verb, x->id);
		return VECTL_ERR_CHECKPOINT;
	}
	err = record_write(dir, &rec);
	if (err) {
		vectl_err("%s %u: cannot write %s/" CK_RECORD ": %s; the VE is stopped, and its dump is incomplete",
			  x->verb, x->id, dir, strerror(-err));
		rc = VECTL_ERR_CHECKPOINT;
	}
	/* criu killed the tasks: the module stops the VE by itself. */
	if (!veapi_wait_state(nl, x->id, VE_STATE_STOPPED, 10000))
		veapi_stop(nl, x->id);
	net_wait_keeper(x, 5);
	/* The pair goes at once while the namespace is held (not behind). */
	err = launch_cleanup(x, true, netns < 0);
	if (netns >= 0)
		close(netns);
	return rc ? rc : err;
}

/* ---- restore ---- */

struct restore_env {
	const struct vectx *x;
	const struct ck_record *rec;
	const char *dir;
	const char *stage;	/* VE_RUN_DIR/ID.resume, in the restore's namespace */
	const char *console;	/* the new console's slave */
	int slave;		/* open, for criu's --inherit-fd */
	int ve_root;		/* an image's idmapped root, or -1 */
	char pairs[VE_NETIF_MAX_CONF + 1][2 * IF_NAMESIZE];
	int n_pairs;
};

/*
 * An image's root as the VE sees it: an idmapped copy of @x's root, made
 * with a user namespace of the VE's maps that lives only for that (the
 * VE's own is not there yet). The mount's fd, or -errno.
 */
static int idmapped_root(const struct vectx *x)
{
	int sv[2], mnt;
	char c = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		if (unshare(CLONE_NEWUSER) || write(sv[1], &c, 1) != 1)
			_exit(1);
		/* Until the parent is done with our namespace: EOF. */
		while (read(sv[1], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sv[1]);
	if (pid < 0) {
		mnt = -errno;
		close(sv[0]);
		return mnt;
	}
	if (read(sv[0], &c, 1) != 1)
		mnt = -ECHILD;
	else
		mnt = idmap_write(pid, x->uid_base);
	if (!mnt)
		mnt = idmap_clone_mount(x->root, pid);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return mnt;
}

/* Where the restore finds mount @m of the record, on this host. */
static void mount_source(const struct restore_env *e, const struct ck_mount *m, char *buf,
			 size_t len)
{
	if (!strcmp(m->kind, "veproc"))
		snprintf(buf, len, "%s/veproc%s", e->stage, m->root);
	else if (!strcmp(m->kind, "cgroup"))
		snprintf(buf, len, "%s%s", CG_ROOT, m->root);
	else if (!strcmp(m->kind, "console"))
		snprintf(buf, len, "%s", e->console);
	else
		snprintf(buf, len, "/dev%s", m->root);
}

/*
 * The child that runs criu, in a mount namespace of its own: a tmpfs over
 * VE_RUN_DIR holds the stage, which the restored tasks (the VE's root)
 * can walk into, unlike the host's VE_RUN_DIR. In it: veproc's mount, an
 * image's idmapped root and the action script. criu runs with the
 * console's slave as stdin (--inherit-fd fd[0]). The exit status is
 * criu's, or 120 when it could not get that far (said).
 */
static void __attribute__((noreturn)) restore_child(const struct restore_env *e, char **argv,
						     const char *script_text)
{
	const struct vectx *x = e->x;
	char path[PATH_MAX + 16], why[512] = "";
	const char *what = "the stage";
	int fd, rc;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("ve-resume", VE_RUN_DIR, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0711") ||
	    mkdir(e->stage, 0711))
		goto fail;
	what = "the veproc filesystem";
	snprintf(path, sizeof(path), "%s/veproc", e->stage);
	if (mkdir(path, 0755) ||
	    mount("veproc", path, "veproc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		goto fail;
	what = "the VE's image";
	snprintf(path, sizeof(path), "%s/root", e->stage);
	if (mkdir(path, 0755) || (e->ve_root >= 0 && move_mount(e->ve_root, "", AT_FDCWD, path,
								 MOVE_MOUNT_F_EMPTY_PATH)))
		goto fail;
	/* criu runs an action script by its path, with no shell. */
	what = "the action script";
	snprintf(path, sizeof(path), "%s/action", e->stage);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (fd < 0 || write(fd, script_text, strlen(script_text)) < 0 || close(fd))
		goto fail;
	/* criu dies with us, as we die with vectl: no restore goes on alone. */
	run_tie_helpers();
	rc = run_argv_in(argv, e->slave, why, sizeof(why));
	_exit(rc < 0 ? 127 : rc);
fail:
	vectl_err("%s %u: cannot prepare the restore (%s): %s", x->verb, x->id, what,
		  strerror(errno));
	_exit(120);
}

static int restore(struct restore_env *e)
{
	static char ext[CK_MOUNTS_MAX][PATH_MAX + 320];
	const struct vectx *x = e->x;
	char root[PATH_MAX + 16], script[PATH_MAX + 128], self[PATH_MAX] = "", inherit[96];
	char pidfile[PATH_MAX + 16], src[PATH_MAX + 64], log[PATH_MAX + 16];
	char *argv[CK_ARGS_MAX];
	char text[PATH_MAX + 160];
	int n = 0, status;
	pid_t pid, self_pid;
	ssize_t len;

	/* The module binds the init before criu forks its first child. */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0)
		self[len] = '\0';
	snprintf(text, sizeof(text),
		 "#!/bin/sh\n[ \"$CRTOOLS_SCRIPT_ACTION\" != setup-namespaces ] || exec %s kernel start %u \"$CRTOOLS_INIT_PID\"\n",
		 len > 0 ? self : "vectl", x->id);
	snprintf(script, sizeof(script), "%s/action", e->stage);
	snprintf(root, sizeof(root), "%s/root", e->stage);
	snprintf(pidfile, sizeof(pidfile), "%s/restore.pid", e->dir);
	snprintf(inherit, sizeof(inherit), "fd[0]:%s", e->rec->tty);
	argv[n++] = "criu";
	argv[n++] = "restore";
	argv[n++] = "--images-dir";
	argv[n++] = (char *)e->dir;
	argv[n++] = "--work-dir";
	argv[n++] = (char *)e->dir;
	argv[n++] = "--log-file";
	argv[n++] = "restore.log";
	argv[n++] = "-v4";
	argv[n++] = "--restore-detached";
	argv[n++] = "--root";
	argv[n++] = e->ve_root >= 0 ? root : (char *)x->root;
	argv[n++] = "--pidfile";
	argv[n++] = pidfile;
	argv[n++] = "--action-script";
	argv[n++] = script;
	argv[n++] = "--tcp-established";
	argv[n++] = "--file-locks";
	argv[n++] = "--link-remap";
	argv[n++] = "--manage-cgroups=soft";
	for (int i = 0; i < e->n_pairs; i++) {
		argv[n++] = "--veth-pair";
		argv[n++] = e->pairs[i];
	}
	for (int i = 0; i < e->rec->n; i++) {
		mount_source(e, &e->rec->m[i], src, sizeof(src));
		snprintf(ext[i], sizeof(ext[i]), "mnt[%s]:%s", e->rec->m[i].key, src);
		argv[n++] = "--external";
		argv[n++] = ext[i];
	}
	argv[n++] = "--inherit-fd";
	argv[n++] = inherit;
	argv[n] = NULL;

	fault_point("resume:restoring");
	fflush(NULL);
	self_pid = getpid();
	pid = fork();
	if (pid < 0) {
		vectl_err("%s %u: cannot run criu: %s", x->verb, x->id, strerror(errno));
		return VECTL_ERR_RESTORE;
	}
	/* It dies with us, and criu with it (run_tie_helpers()). */
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self_pid))
		_exit(120);
	if (pid == 0)
		restore_child(e, argv, text);
	status = run_wait(pid, NULL);
	if (status == 0)
		return VECTL_OK;
	if (status != 120) {
		snprintf(log, sizeof(log), "%s/restore.log", e->dir);
		criu_failed(x, status, log);
	}
	return VECTL_ERR_RESTORE;
}

/* criu's lock table in the restored VE's network namespace goes. */
static int drop_lock_table(const struct vectx *x, pid_t pid, pid_t dumped)
{
	char path[64], table[32];
	struct rtnl r;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = rtnl_open_nf(&r, fd);
	close(fd);
	if (err)
		return err;
	/* criu 3.17 names it after the dumped init and unlocks the new one's. */
	snprintf(table, sizeof(table), "CRIU-%d", (int)dumped);
	err = rtnl_nft_table_del(&r, NFPROTO_INET, table);
	rtnl_close(&r);
	if (err == -ENOENT)
		err = 0;
	if (err)
		vectl_err("%s %u: cannot remove criu's network lock (nftables table inet %s) in the VE: %s",
			  x->verb, x->id, table, strerror(-err));
	return err;
}

/*
 * Let the restored tasks read dump @dir and its pre-copy rounds: criu's
 * root task opens images both before it takes the VE's uids (as host
 * root, the owner) and after (as the VE's root, in its group). Owner
 * root, group the VE's root group, mode 0750: no one else. 0, or -1.
 */
static int give_dump(const struct vectx *x, const char *dir)
{
	struct dirent *d;
	int fd, rc = 0;
	DIR *dp;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchown(fd, 0, x->uid_base) || fchmod(fd, 0750)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dp)) && !rc)
		if (d->d_type == DT_DIR && !strncmp(d->d_name, "pre", 3))
			rc = fchownat(dirfd(dp), d->d_name, 0, x->uid_base, AT_SYMLINK_NOFOLLOW) ||
			     fchmodat(dirfd(dp), d->d_name, 0750, 0);
	closedir(dp);
	return rc ? -1 : 0;
}

static pid_t read_pidfile(const char *dir)
{
	char path[PATH_MAX + 16];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/restore.pid", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

int ck_resume(struct ve_nl *nl, struct vectx *x, const char *dir)
{
	static struct ck_record rec;
	static struct restore_env e;
	bool mounted_here = !path_is_mountpoint(x->root);
	char stage[PATH_MAX], console[64], why[512];
	struct ve_info info;
	int master = -1, rc, err;
	pid_t pid;

	err = record_read(dir, &rec);
	if (err == -ENOENT) {
		vectl_err("%s %u: VE is not suspended: no dump in %s", x->verb, x->id, dir);
		return VECTL_ERR_RESTORE;
	}
	if (err) {
		vectl_err("%s %u: the dump in %s is damaged (%s " CK_RECORD ": %s); start the VE afresh with vectl stop %u, vectl start %u",
			  x->verb, x->id, dir, dir, strerror(-err), x->id, x->id);
		return VECTL_ERR_RESTORE;
	}
	memset(&e, 0, sizeof(e));
	e.x = x;
	e.rec = &rec;
	e.dir = dir;
	e.slave = -1;
	e.ve_root = -1;
	e.n_pairs = net_pair_names(x, e.pairs, VE_NETIF_MAX_CONF + 1);
	if (e.n_pairs < 0)
		return VECTL_ERR_BAD_CONFIG;
	snprintf(stage, sizeof(stage), "%s/%u.resume", VE_RUN_DIR, x->id);
	e.stage = stage;

	rc = launch_register(nl, x);
	if (rc)
		return rc;
	rc = private_mount(x);
	if (rc)
		return rc;
	rc = VECTL_ERR_RESTORE;
	if (cg_create(x, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		rc = VECTL_ERR_RESOURCE;
		goto out;
	}
	master = console_open(x, console, sizeof(console));
	e.console = console;
	e.slave = master < 0 ? -1 : open(console, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e.slave < 0) {
		vectl_err("%s %u: cannot make the VE's console: %s", x->verb, x->id,
			  strerror(master < 0 ? -master : errno));
		goto out;
	}
	if (disk_layout(x) == VE_LAYOUT_IMAGE) {
		e.ve_root = idmapped_root(x);
		if (e.ve_root < 0) {
			vectl_err("%s %u: cannot map the owners of the VE's image to its own: %s",
				  x->verb, x->id, strerror(-e.ve_root));
			goto out;
		}
	}
	if (mkdir_p(VE_RUN_DIR, 0700)) {
		vectl_err("%s %u: cannot make %s: %s", x->verb, x->id, VE_RUN_DIR, strerror(errno));
		goto out;
	}
	/* The restored tasks read images too (the host's other users never can). */
	if (give_dump(x, dir)) {
		vectl_err("%s %u: cannot give the dump %s to the VE's root: %s", x->verb, x->id,
			  dir, strerror(errno));
		goto out;
	}
	rc = restore(&e);
	if (rc)
		goto out;
	rc = VECTL_ERR_RESTORE;
	pid = read_pidfile(dir);
	if (pid <= 0 || veapi_get(nl, x->id, &info) || info.state != VE_STATE_RUNNING ||
	    info.init_pid != (uint32_t)pid) {
		vectl_err("%s %u: the restored VE is not bound to the module (init %d); stopped it",
			  x->verb, x->id, (int)pid);
		goto out;
	}
	fault_point("resume:restored");
	rc = net_adopt(nl, x, pid);
	if (!rc && drop_lock_table(x, pid, rec.init))
		rc = VECTL_ERR_NET;
	if (rc)
		goto out;
	console_keeper(x, master, console, pid);
	close(master);
	close(e.slave);
	/* The VE runs from here on: its dump is history. */
	err = remove_dump(dir);
	if (!err)
		err = unlink_default(x, dir);
	if (err)
		vectl_err("%s %u: warning: cannot remove the dump %s: %s", x->verb, x->id, dir,
			  strerror(-err));
	return VECTL_OK;

out:
	if (veapi_get(nl, x->id, &info) == 0 && info.state != VE_STATE_STOPPED) {
		veapi_stop(nl, x->id);
		veapi_wait_state(nl, x->id, VE_STATE_STOPPED, 10000);
	}
	close_fds((int[]){ master, e.slave, e.ve_root }, 3);
	net_cleanup(x);
	cg_remove(x, why, sizeof(why));
	if (mounted_here)
		private_umount(x);
	return rc;
}
