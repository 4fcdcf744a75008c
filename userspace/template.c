// SPDX-License-Identifier: GPL-2.0
/*
 * Unpacking OS templates. tar (or cp -a for a directory) extracts as the
 * host's root with numeric owners, keeping modes and xattrs; then one walk
 * shifts every owner into the VE's range (template uids must be below
 * 65536), restores set-id bits that chown cleared, rebases file
 * capabilities on the VE's root, and drops device nodes: a VE gets its
 * /dev at start and must never reach a host device through its tree.
 */
#include <errno.h>
#include <ftw.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "run.h"
#include "template.h"
#include "vectx.h"

int tmpl_resolve(const char *dir, const char *name, char *path, size_t len,
		 bool *is_dir)
{
	static const char *const exts[] = { ".tar.gz", ".tar.xz", ".tgz", ".tar", "" };
	struct stat st;

	if (!*name || name[0] == '.' || strchr(name, '/'))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (snprintf(path, len, "%s/%s%s", dir, name, exts[i]) >= (int)len)
			return -ENAMETOOLONG;
		if (stat(path, &st))
			continue;
		*is_dir = S_ISDIR(st.st_mode);
		if (*is_dir == !*exts[i])
			return 0;
	}
	return -ENOENT;
}

/* nftw() passes no cookie: the walk's state lives here. */
static struct {
	uid_t base;
	int err;
	char *why;
	size_t len;
} shift;

/*
 * A file's capabilities, @n bytes of them, moved into the VE: v2 (valid
 * in the host only) becomes v3 rooted in the VE, v3 rooted in the
 * template's ids is rooted in the VE's. The size to write, or -EINVAL.
 */
static ssize_t rebase_caps(struct vfs_ns_cap_data *caps, ssize_t n)
{
	uint32_t magic = caps->magic_etc & VFS_CAP_REVISION_MASK;

	if (magic == VFS_CAP_REVISION_2 && n == XATTR_CAPS_SZ_2)
		caps->rootid = shift.base;
	else if (magic == VFS_CAP_REVISION_3 && n == XATTR_CAPS_SZ_3 &&
		 caps->rootid < VE_UID_RANGE)
		caps->rootid += shift.base;
	else
		return -EINVAL;
	caps->magic_etc = (caps->magic_etc & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_3;
	return XATTR_CAPS_SZ_3;
}

/*
 * The other way, out of the VE: v3 rooted in the VE becomes v2 (rooted in
 * whoever maps the file: the VE, through its idmapped image); v3 rooted
 * elsewhere never was the VE root's, and goes (0); v2 stays.
 */
static ssize_t unrebase_caps(struct vfs_ns_cap_data *caps, ssize_t n)
{
	if ((caps->magic_etc & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3 ||
	    n != XATTR_CAPS_SZ_3)
		return n;
	if (caps->rootid != shift.base)
		return 0;
	caps->magic_etc = (caps->magic_etc & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_2;
	return XATTR_CAPS_SZ_2;
}

/*
 * Give @path the owners @uid:@gid, with what chown takes away put back:
 * the set-id bits, and a regular file's capabilities, moved by @caps.
 */
static int set_owner(const char *path, const struct stat *st, uid_t uid, gid_t gid,
		     ssize_t (*caps)(struct vfs_ns_cap_data *caps, ssize_t n))
{
	struct vfs_ns_cap_data c;
	ssize_t n = 0;

	if (S_ISREG(st->st_mode)) {
		n = lgetxattr(path, "security.capability", &c, sizeof(c));
		if (n < 0 && errno != ENODATA && errno != ENOTSUP) {
			snprintf(shift.why, shift.len, "cannot read the file capabilities of %s: %s",
				 path, strerror(errno));
			return shift.err = -errno;
		}
		n = n > 0 ? caps(&c, n) : 0;
		if (n < 0) {
			snprintf(shift.why, shift.len, "%s has file capabilities of an unknown format",
				 path);
			return shift.err = -EINVAL;
		}
	}
	if (lchown(path, uid, gid)) {
		snprintf(shift.why, shift.len, "cannot chown %s: %s", path, strerror(errno));
		return shift.err = -errno;
	}
	if (S_ISLNK(st->st_mode))
		return 0;
	if ((st->st_mode & (S_ISUID | S_ISGID)) && chmod(path, st->st_mode & 07777)) {
		snprintf(shift.why, shift.len, "cannot chmod %s: %s", path, strerror(errno));
		return shift.err = -errno;
	}
	/* chown dropped them: written again, moved. */
	if (n > 0 && lsetxattr(path, "security.capability", &c, (size_t)n, 0)) {
		snprintf(shift.why, shift.len, "cannot move the file capabilities of %s: %s",
			 path, strerror(errno));
		return shift.err = -errno;
	}
	return 0;
}

static bool in_ve_range(uid_t id)
{
	return id >= shift.base && id - shift.base < VE_UID_RANGE;
}

static int shift_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	uid_t uid = st->st_uid, gid = st->st_gid;

	(void)ftw;
	if (flag == FTW_NS || flag == FTW_DNR) {
		snprintf(shift.why, shift.len, "cannot read %s", path);
		return shift.err = -EIO;
	}
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return unlink(path) ? (shift.err = -errno) : 0;
	/* A hard link seen a second time is already shifted. */
	if (in_ve_range(uid) && in_ve_range(gid))
		return 0;
	if (uid >= VE_UID_RANGE || gid >= VE_UID_RANGE) {
		snprintf(shift.why, shift.len,
			 "%s is owned by %u:%u, outside the template range 0..%u",
			 path, uid, gid, VE_UID_RANGE - 1);
		return shift.err = -ERANGE;
	}
	return set_owner(path, st, shift.base + uid, shift.base + gid, rebase_caps);
}

/* An OS tree has an init or at least a shell (links count, dangling ones too). */
static bool looks_like_os(const char *dest)
{
	static const char *const paths[] = { "sbin/init", "bin/sh" };
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dest, paths[i]);
		if (!lstat(path, &st))
			return true;
	}
	return false;
}

int tmpl_fill(const char *path, bool is_dir, const char *dest, uid_t base,
	      char *why, size_t len)
{
	char src[PATH_MAX + 2];
	int err;

	if (is_dir) {
		char *argv[] = { "cp", "-a", src, (char *)dest, NULL };

		snprintf(src, sizeof(src), "%s/.", path);
		err = run_argv(argv, why, len);
	} else {
		char *argv[] = { "tar", "--numeric-owner", "--xattrs",
				 "--xattrs-include=*", "-xpf", (char *)path,
				 "-C", (char *)dest, NULL };

		err = run_argv(argv, why, len);
	}
	if (!err) {
		shift.base = base;
		shift.err = 0;
		shift.why = why;
		shift.len = len;
		if (nftw(dest, shift_one, 64, FTW_PHYS | FTW_MOUNT) && !shift.err) {
			shift.err = -errno;
			snprintf(why, len, "cannot walk %s: %s", dest, strerror(errno));
		}
		err = shift.err;
		if (!err && !looks_like_os(dest)) {
			snprintf(why, len, "it has neither /sbin/init nor /bin/sh");
			err = -ENOEXEC;
		}
	} else if (err > 0) {
		err = -EIO;
	}
	return err;
}

int tmpl_unpack(const char *path, bool is_dir, const char *dest, uid_t base,
		char *why, size_t len)
{
	int err;

	if (mkdir(dest, 0700)) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", dest, strerror(errno));
		return err;
	}
	err = tmpl_fill(path, is_dir, dest, base, why, len);
	if (err) {
		note_disk_full(dest, why, len);
		remove_tree(dest);
	}
	return err;
}

/* The unshift walk's inodes with more than one link, each done once. */
static struct {
	ino_t *v;
	size_t n, cap;
} linked;

static bool linked_before(const struct stat *st)
{
	ino_t *v;

	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return false;
	for (size_t i = 0; i < linked.n; i++)
		if (linked.v[i] == st->st_ino)
			return true;
	if (linked.n == linked.cap) {
		v = realloc(linked.v, (linked.cap = linked.cap ? linked.cap * 2 : 64) * sizeof(*v));
		if (!v)
			return false;
		linked.v = v;
	}
	linked.v[linked.n++] = st->st_ino;
	return false;
}

static int unshift_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	uid_t uid = in_ve_range(st->st_uid) ? st->st_uid - shift.base : VE_OVERFLOW_ID;
	gid_t gid = in_ve_range(st->st_gid) ? st->st_gid - shift.base : VE_OVERFLOW_ID;

	if (flag == FTW_NS || flag == FTW_DNR) {
		snprintf(shift.why, shift.len, "cannot read %s", path);
		return shift.err = -EIO;
	}
	/* The image's own lost+found, mke2fs's. */
	if (ftw->level == 1 && !strcmp(path + ftw->base, "lost+found") && !st->st_uid)
		return FTW_SKIP_SUBTREE;
	if (linked_before(st))
		return 0;
	return set_owner(path, st, uid, gid, unrebase_caps);
}

int tmpl_unshift(const char *dest, uid_t base, char *why, size_t len)
{
	shift.base = base;
	shift.err = 0;
	shift.why = why;
	shift.len = len;
	linked.n = 0;
	if (nftw(dest, unshift_one, 64, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) < 0 && !shift.err) {
		shift.err = -errno;
		snprintf(why, len, "cannot walk %s: %s", dest, strerror(errno));
	}
	free(linked.v);
	linked.v = NULL;
	linked.cap = 0;
	return shift.err;
}
