// SPDX-License-Identifier: GPL-2.0
/*
 * Rescue mode (see rescue.h). The tree is a sibling of the private area,
 * like PRIVATE.partial of a create and PRIVATE.image of a convert, behind
 * the same 0700 parent; it is a plain directory, outside the VE's disk
 * limits (the provider's template, not the customer's data).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "rescue.h"
#include "run.h"
#include "template.h"

void rescue_dir(const struct vectx *x, char *buf, size_t len)
{
	snprintf(buf, len, "%s.rescue", x->private_dir);
}

bool rescue_active(const struct vectx *x)
{
	char dir[PATH_MAX + 16];
	struct stat st;

	rescue_dir(x, dir, sizeof(dir));
	return !lstat(dir, &st) && S_ISDIR(st.st_mode);
}

/*
 * Directory @name in @dirfd, made owned by the VE's root if missing; its
 * fd (O_PATH), or -errno (-ENOTDIR: it is something else, a symlink too).
 */
static int mkdir_owned(int dirfd, const char *name, uid_t owner)
{
	bool made = !mkdirat(dirfd, name, 0755);
	int fd;

	if (!made && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (made && fchownat(fd, "", owner, owner, AT_EMPTY_PATH)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The template's /mnt (kept as it is when it has one), and /mnt/rescue in it. */
static int make_mount_point(const char *tree, uid_t owner)
{
	int root, mnt = -1, rescue = -1, err;

	root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	mnt = openat(root, "mnt", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (mnt < 0 && errno == ENOENT)
		mnt = mkdir_owned(root, "mnt", owner);
	else if (mnt < 0)
		mnt = -errno;
	err = mnt < 0 ? mnt : 0;
	if (!err) {
		rescue = mkdir_owned(mnt, "rescue", owner);
		err = rescue < 0 ? rescue : 0;
	}
	close_fds((int[]){ root, mnt, rescue }, 3);
	return err;
}

int rescue_make(struct vectx *x)
{
	char dir[PATH_MAX + 16], tmpl[PATH_MAX], why[PATH_MAX + 256];
	const char *name = vectx_get(x, "RESCUE_OSTEMPLATE");
	const char *key = "RESCUE_OSTEMPLATE";
	bool is_dir;
	int err;

	if (!name || !*name) {
		name = vectx_get(x, "OSTEMPLATE");
		key = "OSTEMPLATE";
	}
	if (!name || !*name) {
		vectl_err("%s %u: no rescue template: set RESCUE_OSTEMPLATE in %s or %s",
			  x->verb, x->id, x->conf_path, VE_GLOBAL_CONF);
		return VECTL_ERR_BAD_TEMPLATE;
	}
	err = tmpl_resolve(x->template_dir, name, tmpl, sizeof(tmpl), &is_dir);
	if (err) {
		vectl_err("%s %u: %s rescue template %s=\"%s\" (looked for %s/%s.tar.gz, .tar.xz or %s/)",
			  x->verb, x->id, err == -ENOENT ? "no" : "invalid", key, name,
			  x->template_dir, name, name);
		return VECTL_ERR_BAD_TEMPLATE;
	}
	rescue_dir(x, dir, sizeof(dir));
	if (tmpl_unpack(tmpl, is_dir, dir, x->uid_base, why, sizeof(why))) {
		vectl_err("%s %u: cannot unpack the rescue template: %s", x->verb, x->id, why);
		return VECTL_ERR_NEW_PRIVATE;
	}
	err = rescue_mount_point(x);
	if (err)
		remove_tree(dir);
	return err;
}

int rescue_mount_point(struct vectx *x)
{
	char dir[PATH_MAX + 16];
	int err;

	rescue_dir(x, dir, sizeof(dir));
	err = make_mount_point(dir, x->uid_base);
	if (!err)
		return VECTL_OK;
	vectl_err("%s %u: cannot make /%s in the rescue system: %s%s", x->verb, x->id,
		  RESCUE_MOUNT, strerror(-err),
		  err == -ENOTDIR || err == -ELOOP ? " (/mnt or /mnt/rescue in it is not a directory)" : "");
	return VECTL_ERR_NEW_PRIVATE;
}

int rescue_attach(int root, int priv)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int at, err = 0;

	at = (int)syscall(SYS_openat2, root, RESCUE_MOUNT, &how, sizeof(how));
	if (at < 0 || move_mount(priv, "", at, "", MOVE_MOUNT_F_EMPTY_PATH |
				 MOVE_MOUNT_T_EMPTY_PATH))
		err = -errno;
	if (at >= 0)
		close(at);
	return err;
}

int rescue_remove(struct vectx *x)
{
	char dir[PATH_MAX + 16];
	int err;

	rescue_dir(x, dir, sizeof(dir));
	err = remove_tree(dir);
	if (err && err != -ENOENT) {
		vectl_err("%s %u: cannot remove the rescue system %s: %s", x->verb, x->id, dir,
			  strerror(-err));
		return VECTL_ERR_DEL_PRIVATE;
	}
	return VECTL_OK;
}

int rescue_refuse(const struct vectx *x)
{
	if (!rescue_active(x))
		return VECTL_OK;
	vectl_err("%s %u: VE is in rescue mode (return it to its own system first: vectl rescue %u --exit)",
		  x->verb, x->id, x->id);
	return VECTL_ERR_RESCUE;
}
