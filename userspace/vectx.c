// SPDX-License-Identifier: GPL-2.0
/* Loading a VE's configuration and paths, and its per-VE lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "parse.h"
#include "resources.h"
#include "run.h"
#include "vectx.h"

bool vectx_res(const struct vectx *x, const char *name, uint64_t *b, uint64_t *l)
{
	const struct res_desc *r = res_by_name(name);
	const char *v = r ? vectx_get(x, r->key) : NULL;

	return v && !res_parse(v, r->unit, b, l);
}

int vectx_secure_parents(const struct vectx *x, char *why, size_t len)
{
	const char *paths[] = { x->root, x->private_dir };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char dir[PATH_MAX];
		struct stat st;
		char *slash;
		int err;

		snprintf(dir, sizeof(dir), "%s", paths[i]);
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			continue;
		*slash = '\0';
		err = mkdir_p(dir, 0700);
		if (!err && stat(dir, &st))
			err = -errno;
		if (!err && (st.st_mode & 077) && chmod(dir, 0700))
			err = -errno;
		if (err) {
			snprintf(why, len, "cannot make %s private to root: %s", dir,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

bool path_is_mountpoint(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx))
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

int vectx_each_conf(void (*fn)(uint32_t id, void *data), void *data)
{
	DIR *d = opendir(VE_CONF_DIR);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		size_t n = strcspn(e->d_name, ".");
		char idstr[16];
		uint32_t id;

		if (n >= sizeof(idstr) || strcmp(e->d_name + n, ".conf"))
			continue;
		memcpy(idstr, e->d_name, n);
		idstr[n] = '\0';
		if (!parse_veid(idstr, &id))
			fn(id, data);
	}
	closedir(d);
	return 0;
}

/* Expand $VEID (and ${VEID}) in @in. */
static int expand(const char *in, uint32_t id, char *out, size_t len)
{
	size_t o = 0;

	while (*in) {
		size_t skip = !strncmp(in, "${VEID}", 7) ? 7 :
			      !strncmp(in, "$VEID", 5) ? 5 : 0;
		int n;

		if (skip) {
			n = snprintf(out + o, len - o, "%u", id);
			in += skip;
		} else {
			n = snprintf(out + o, len - o, "%c", *in++);
		}
		if (n < 0 || (size_t)n >= len - o)
			return -ENAMETOOLONG;
		o += n;
	}
	out[o] = '\0';
	return 0;
}

const char *vectx_get(const struct vectx *x, const char *key)
{
	const char *v = conf_get(&x->conf, key);

	return v || !x->global ? v : conf_get(x->global, key);
}

bool vectx_get_bool(const struct vectx *x, const char *key, bool def)
{
	const char *v = vectx_get(x, key);

	if (!v || !*v)
		return def;
	return !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1");
}

static int path_from(struct vectx *x, const char *key, const char *def,
		     char *out, size_t len)
{
	const char *v = vectx_get(x, key);

	if (!v || !*v)
		v = def;
	if (v[0] != '/' || expand(v, x->id, out, len)) {
		vectl_err("%s %u: %s=\"%s\" is not an absolute path (fix %s or %s)",
			  x->verb, x->id, key, v, x->conf_path, VE_GLOBAL_CONF);
		return VECTL_ERR_BAD_CONFIG;
	}
	return 0;
}

/* The VE's root, private area and template directory from its configs. */
static int vectx_paths(struct vectx *x)
{
	int err;

	err = path_from(x, "VE_ROOT", VE_DEF_ROOT, x->root, sizeof(x->root));
	if (!err)
		err = path_from(x, "VE_PRIVATE", VE_DEF_PRIVATE, x->private_dir,
				sizeof(x->private_dir));
	if (!err)
		err = path_from(x, "TEMPLATE", VE_DEF_TEMPLATE, x->template_dir,
				sizeof(x->template_dir));
	return err;
}

/* How long to wait for a busy VE's lock: --wait, else LOCK_WAIT. */
int vectl_lock_wait = -1;

static unsigned int lock_wait(const struct vectx *x)
{
	const char *v = x->global ? conf_get(x->global, "LOCK_WAIT") : NULL;
	unsigned long s;
	char *end;

	if (vectl_lock_wait >= 0)
		return (unsigned int)vectl_lock_wait;
	if (!v || !*v)
		return VE_LOCK_WAIT_DEFAULT;
	s = strtoul(v, &end, 10);
	return *end || s > VE_LOCK_WAIT_MAX ? VE_LOCK_WAIT_DEFAULT : (unsigned int)s;
}

static void lock_owner(int fd, char *owner, size_t len)
{
	ssize_t n = pread(fd, owner, len - 1, 0);

	owner[n > 0 ? n : 0] = '\0';
	owner[strcspn(owner, "\n")] = '\0';
	if (!*owner)
		snprintf(owner, len, "unknown");
}

/*
 * One vectl at a time per VE (@how LOCK_EX). A busy VE is waited for, as
 * vzctl does, up to lock_wait() seconds: a command run right after another
 * returned must not fail because that one is still letting go. LOCK_SH
 * only waits out a holder, for a verb that joins the VE as it stands.
 */
static int take_lock(struct vectx *x, int how)
{
	char path[PATH_MAX], owner[32];
	unsigned int wait = lock_wait(x);
	struct timespec start, now;
	bool said = false;
	int fd, err;

	err = mkdir_p(VE_LOCK_DIR, 0700);
	if (err) {
		vectl_err("%s %u: cannot create %s: %s", x->verb, x->id,
			  VE_LOCK_DIR, strerror(-err));
		return VECTL_ERR_SYSTEM;
	}
	snprintf(path, sizeof(path), "%s/%u.lck", VE_LOCK_DIR, x->id);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		vectl_err("%s %u: cannot open the lock %s: %s", x->verb, x->id,
			  path, strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, how | LOCK_NB)) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			vectl_err("%s %u: cannot lock %s: %s", x->verb, x->id, path,
				  strerror(errno));
			close(fd);
			return VECTL_ERR_SYSTEM;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)wait) {
			lock_owner(fd, owner, sizeof(owner));
			close(fd);
			vectl_err("%s %u: VE is locked by another vectl (pid %s) for more than %u s; try again when it is done, or wait longer with vectl --wait SECONDS",
				  x->verb, x->id, owner, wait);
			return VECTL_ERR_LOCKED;
		}
		if (!said && now.tv_sec - start.tv_sec >= 1) {
			lock_owner(fd, owner, sizeof(owner));
			vectl_err("%s %u: waiting for another vectl (pid %s) to finish with this VE",
				  x->verb, x->id, owner);
			said = true;
		}
		usleep(10000);
	}
	/* The holder's pid, for the messages above; the flock is the lock. */
	if (how == LOCK_EX && ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	x->lock_fd = fd;
	return 0;
}

int vectx_try_lock(uint32_t id)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%u.lck", VE_LOCK_DIR, id);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	/*
	 * Shared holders (an exec joining the VE) let go within moments:
	 * wait those out, up to 5 s. An exclusive one is a vectl at work.
	 */
	for (int i = 0; i < 500; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (flock(fd, LOCK_SH | LOCK_NB))
			break;
		flock(fd, LOCK_UN);
		usleep(10000);
	}
	close(fd);
	return -1;
}

/*
 * The global config, read at the first vectx_open() of this process: a
 * list of every VE opens them all. vectl never writes it.
 */
static int global_conf(const struct conf **global)
{
	static struct conf conf;
	static int err = 1;

	if (err > 0) {
		err = conf_load(&conf, VE_GLOBAL_CONF);
		if (err == -ENOENT)
			err = 0;
	}
	*global = &conf;
	return err;
}

void ve_conf_path(char *buf, size_t len, uint32_t id)
{
	snprintf(buf, len, "%s/%u.conf", VE_CONF_DIR, id);
}

int vectx_open(struct vectx *x, const char *verb, uint32_t id, bool lock)
{
	int err;

	memset(x, 0, sizeof(*x));
	x->id = id;
	x->verb = verb;
	x->lock_fd = -1;
	ve_conf_path(x->conf_path, sizeof(x->conf_path), id);
	snprintf(x->cgroup, sizeof(x->cgroup), "%s/%u", VE_CGROUP_DIR, id);

	if (id > VECTL_ID_MAX) {
		vectl_err("%s %u: VE ID too large for the uid range (%u + ID * %u must fit in 32 bits; use an ID up to %u)",
			  verb, id, VE_UID_BASE, VE_UID_RANGE, VECTL_ID_MAX);
		return VECTL_ERR_VALUE;
	}
	x->uid_base = VE_UID_BASE + id * VE_UID_RANGE;

	err = global_conf(&x->global);
	if (err) {
		vectl_err("%s %u: cannot read %s: %s", verb, id, VE_GLOBAL_CONF, strerror(-err));
		vectx_close(x);
		return VECTL_ERR_BAD_CONFIG;
	}
	/* The VE's own config is read under its lock: set --save writes it. */
	if (lock) {
		err = take_lock(x, LOCK_EX);
		if (err) {
			vectx_close(x);
			return err;
		}
	}
	err = conf_load(&x->conf, x->conf_path);
	if (err && err != -ENOENT) {
		vectl_err("%s %u: cannot read %s: %s", verb, id, x->conf_path, strerror(-err));
		vectx_close(x);
		return VECTL_ERR_BAD_CONFIG;
	}
	x->exists = !err;

	err = vectx_paths(x);
	if (err)
		vectx_close(x);
	return err;
}

int vectx_load_conf(struct vectx *x, const char *path)
{
	int err;

	conf_free(&x->conf);
	err = conf_load(&x->conf, path);
	if (err) {
		vectl_err("%s %u: cannot read %s: %s", x->verb, x->id, path, strerror(-err));
		return VECTL_ERR_BAD_CONFIG;
	}
	return vectx_paths(x);
}

int vectx_wait_idle(struct vectx *x)
{
	return take_lock(x, LOCK_SH);
}

void vectx_unlock(struct vectx *x)
{
	if (x->lock_fd >= 0) {
		close(x->lock_fd);
		x->lock_fd = -1;
	}
}

void vectx_close(struct vectx *x)
{
	conf_free(&x->conf);
	vectx_unlock(x);
}
