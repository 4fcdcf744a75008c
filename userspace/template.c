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

/* A v2 capability xattr (valid in the host only) becomes v3 rooted in the VE. */
static int rebase_caps(const char *path)
{
	struct vfs_ns_cap_data caps;
	ssize_t n = lgetxattr(path, "security.capability", &caps, sizeof(caps));
	uint32_t magic;

	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
	magic = caps.magic_etc & VFS_CAP_REVISION_MASK;
	if (magic == VFS_CAP_REVISION_2 && n == XATTR_CAPS_SZ_2)
		caps.rootid = shift.base;
	else if (magic == VFS_CAP_REVISION_3 && n == XATTR_CAPS_SZ_3 &&
		 caps.rootid < VE_UID_RANGE)
		caps.rootid += shift.base;
	else
		return -EINVAL;
	caps.magic_etc = (caps.magic_etc & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_3;
	return lsetxattr(path, "security.capability", &caps, XATTR_CAPS_SZ_3, 0) ? -errno : 0;
}

/*
 * Give @path the owners @uid:@gid, with the set-id bits chown cleared
 * back, and move a regular file's capabilities with @caps.
 */
static int set_owner(const char *path, const struct stat *st, uid_t uid, gid_t gid,
		     int (*caps)(const char *path))
{
	int err;

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
	if (S_ISREG(st->st_mode)) {
		err = caps(path);
		if (err) {
			snprintf(shift.why, shift.len, "cannot move the file capabilities of %s: %s",
				 path, strerror(-err));
			return shift.err = err;
		}
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

/* A v3 capability rooted in the VE becomes v2: rooted in whoever idmaps it. */
static int unrebase_caps(const char *path)
{
	struct vfs_ns_cap_data caps;
	ssize_t n = lgetxattr(path, "security.capability", &caps, sizeof(caps));

	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
	if ((caps.magic_etc & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3 ||
	    n != XATTR_CAPS_SZ_3)
		return 0;
	/* Rooted elsewhere, they never were the VE root's: gone. */
	if (caps.rootid != shift.base)
		return lremovexattr(path, "security.capability") ? -errno : 0;
	caps.magic_etc = (caps.magic_etc & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_2;
	return lsetxattr(path, "security.capability", &caps, XATTR_CAPS_SZ_2, 0) ? -errno : 0;
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
