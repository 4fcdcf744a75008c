// SPDX-License-Identifier: GPL-2.0
/*
 * Private areas (see private.h). A "dir" area is bound on the VE's root,
 * its limits the project quota of the host's filesystem; an "image" area
 * is PRIVATE/root.img, loop-mounted there (image.c), its limits a project
 * quota inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "image.h"
#include "private.h"
#include "run.h"
#include "template.h"

/* The image of @x's private area; an error when it has none. */
static int image_of(struct vectx *x, char *img, size_t len)
{
	struct stat st;

	image_path(x->private_dir, img, len);
	if (stat(x->private_dir, &st) || !S_ISDIR(st.st_mode)) {
		vectl_err("%s %u: private area %s does not exist", x->verb, x->id,
			  x->private_dir);
		return VECTL_ERR_NOPRIVATE;
	}
	if (stat(img, &st) || !S_ISREG(st.st_mode)) {
		vectl_err("%s %u: private area %s has no image %s", x->verb, x->id,
			  x->private_dir, IMAGE_FILE);
		return VECTL_ERR_NOPRIVATE;
	}
	return VECTL_OK;
}

/* Limits @d on @x's mounted image @img. */
static int image_limits(struct vectx *x, const char *img, const struct disk_limits *d)
{
	char why[PATH_MAX + 256];

	if (image_apply(x, img, d, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_QUOTA;
	}
	return VECTL_OK;
}

static int mount_image(struct vectx *x)
{
	char img[PATH_MAX], why[PATH_MAX + 256];
	struct disk_limits d;
	int rc;

	rc = image_of(x, img, sizeof(img));
	if (rc)
		return rc;
	if (disk_limits_get(x, &d, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_BAD_CONFIG;
	}
	if (path_is_mountpoint(x->root))
		return image_limits(x, img, &d);
	if (image_fit(img, &d, why, sizeof(why)) || image_mount(x, img, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_MOUNT;
	}
	fault_point("mount:image");
	rc = image_limits(x, img, &d);
	if (rc)
		private_umount(x);
	return rc;
}

/*
 * A dir private area's limits: the project quota of its filesystem, with
 * project ID = VE ID. The tree is put in the project the first time (a VE
 * made without limits, or by an older vectl). Unlimited on a tree that is
 * in no project needs nothing, so any filesystem holds such a VE.
 * QUOTATIME is not applied: the grace is the whole filesystem's.
 */
static int dir_limits(struct vectx *x, const char *dir, const struct disk_limits *d,
		      bool check_usage, char *why, size_t len)
{
	struct disk_limits lim = *d;
	struct disk_usage u;
	struct fsxattr fa;
	int fd, err = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "cannot open %s: %s", dir, strerror(errno));
		return err;
	}
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) ||
	    fa.fsx_projid != x->id || !(fa.fsx_xflags & FS_XFLAG_PROJINHERIT)) {
		if (!disk_limited(d))
			goto out;
		err = disk_project_tree(fd, x->id, why, len);
		if (err)
			goto out;
	}
	if (check_usage) {
		err = disk_quota_usage(fd, x->id, &u);
		if (err)
			snprintf(why, len, "cannot read the disk usage: %s", strerror(-err));
		else
			err = disk_check_fits(d, &u, why, len);
		if (err)
			goto out;
	}
	lim.quotatime = DISK_QUOTATIME_UNSET;
	err = disk_quota_set(fd, x->id, &lim, why, len);
	/* Nothing to enforce: a filesystem that lost its quota is fine. */
	if (!disk_limited(d))
		err = 0;
out:
	close(fd);
	return err;
}

int private_mount(struct vectx *x)
{
	char why[PATH_MAX + 256];
	struct disk_limits d;
	struct stat st;
	int err;

	if (vectx_secure_parents(x, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_MOUNT;
	}
	/* An image's limits are applied again, should the config have changed. */
	if (disk_layout(x) == VE_LAYOUT_IMAGE)
		return mount_image(x);
	if (path_is_mountpoint(x->root))
		return VECTL_OK;
	if (stat(x->private_dir, &st) || !S_ISDIR(st.st_mode)) {
		vectl_err("%s %u: private area %s does not exist", x->verb, x->id,
			  x->private_dir);
		return VECTL_ERR_NOPRIVATE;
	}
	err = mkdir_p(x->root, 0755);
	if (err) {
		vectl_err("%s %u: cannot create %s: %s", x->verb, x->id, x->root,
			  strerror(-err));
		return VECTL_ERR_MOUNT;
	}
	if (mount(x->private_dir, x->root, NULL, MS_BIND, NULL)) {
		vectl_err("%s %u: cannot mount %s on %s: %s", x->verb, x->id,
			  x->private_dir, x->root, strerror(errno));
		return VECTL_ERR_MOUNT;
	}
	if (disk_limits_get(x, &d, why, sizeof(why)) ||
	    dir_limits(x, x->private_dir, &d, false, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		private_umount(x);
		return VECTL_ERR_QUOTA;
	}
	return VECTL_OK;
}

/*
 * A path walk through the root holds its mount for a moment: status and
 * list stat the root without taking the VE's lock. Such users are waited
 * out, for VE_UMOUNT_BUSY_MS, before a host process is blamed.
 */
#define VE_UMOUNT_BUSY_MS 2000

int private_umount(struct vectx *x)
{
	unsigned int waited = 0, step = 1;

	if (!path_is_mountpoint(x->root))
		return VECTL_OK;
	/* An image's loop device detaches itself with its last mount. */
	while (umount2(x->root, UMOUNT_NOFOLLOW)) {
		if (errno != EBUSY || waited >= VE_UMOUNT_BUSY_MS) {
			vectl_err("%s %u: cannot unmount %s: %s%s", x->verb, x->id, x->root,
				  strerror(errno),
				  errno == EBUSY ? " (a host process uses it; see fuser -m)" : "");
			return VECTL_ERR_UMOUNT;
		}
		usleep(step * 1000);
		waited += step;
		step = step < 100 ? step * 2 : step;
	}
	if (disk_layout(x) == VE_LAYOUT_IMAGE) {
		char img[PATH_MAX];

		image_path(x->private_dir, img, sizeof(img));
		image_forget_detached(x, img);
	}
	return VECTL_OK;
}

/* A new image in @dest, filled from the template with owners as the VE sees them. */
static int create_image(struct vectx *x, const char *dest, const char *tmpl, bool is_dir,
			const struct disk_limits *d, char *why, size_t len)
{
	char img[PATH_MAX];
	int err;

	if (mkdir(dest, 0700)) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", dest, strerror(errno));
		return err;
	}
	image_path(dest, img, sizeof(img));
	err = image_make(img, d, why, len);
	if (err)
		return err;
	err = image_mount(x, img, why, len);
	if (err)
		return err;
	fault_point("create:image");
	err = image_apply(x, img, d, why, len);
	if (!err)
		err = tmpl_fill(tmpl, is_dir, x->root, 0, why, len);
	if (err == -EIO && strstr(why, "quota")) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, " (the template needs more than DISKSPACE/DISKINODES)");
	}
	return err;
}

int private_create(struct vectx *x, enum ve_layout layout, const char *dest,
		   const char *tmpl, bool is_dir, const struct disk_limits *d)
{
	char why[PATH_MAX + 512];
	int err, rc;

	/* What a create that was killed left: its image's mount, its files. */
	rc = private_umount(x);
	if (rc)
		return rc;
	remove_tree(dest);
	if (layout == VE_LAYOUT_DIR) {
		err = tmpl_unpack(tmpl, is_dir, dest, x->uid_base, why, sizeof(why));
		if (!err && disk_limited(d)) {
			err = dir_limits(x, dest, d, true, why, sizeof(why));
			if (err)
				remove_tree(dest);
		}
	} else {
		err = create_image(x, dest, tmpl, is_dir, d, why, sizeof(why));
		if (private_umount(x) && !err)
			err = -EBUSY;
		else
			image_forget(x);
		if (err) {
			note_disk_full(dest, why, sizeof(why));
			remove_tree(dest);
		}
	}
	if (err) {
		vectl_err("%s %u: cannot make the private area from the OS template: %s",
			  x->verb, x->id, why);
		if (err == -EFBIG || err == -EDQUOT)
			return VECTL_ERR_VALUE;
		return layout == VE_LAYOUT_DIR && disk_limited(d) && strstr(why, "project") ?
			VECTL_ERR_QUOTA : VECTL_ERR_BAD_TEMPLATE;
	}
	return VECTL_OK;
}

int private_remove(struct vectx *x, const char *dir)
{
	int err = remove_tree(dir);

	if (err) {
		vectl_err("%s %u: cannot remove %s: %s", x->verb, x->id, dir, strerror(-err));
		return VECTL_ERR_DEL_PRIVATE;
	}
	image_forget(x);
	return VECTL_OK;
}

int private_set_limits(struct vectx *x, const struct disk_limits *d, bool running)
{
	char img[PATH_MAX], why[PATH_MAX + 256];
	bool mounted = path_is_mountpoint(x->root);
	struct disk_usage u;
	int rc, err;

	if (disk_layout(x) == VE_LAYOUT_DIR) {
		if (dir_limits(x, x->private_dir, d, true, why, sizeof(why))) {
			vectl_err("%s %u: %s", x->verb, x->id, why);
			return VECTL_ERR_QUOTA;
		}
		return VECTL_OK;
	}
	if (image_check_limits(d, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_VALUE;
	}
	rc = image_of(x, img, sizeof(img));
	if (rc)
		return rc;
	/* Mounted as it is: the new limits apply only once they are checked. */
	if (!mounted && (vectx_secure_parents(x, why, sizeof(why)) ||
			 image_mount(x, img, why, sizeof(why)))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_MOUNT;
	}
	err = image_usage(x, &u);
	if (err)
		snprintf(why, sizeof(why), "cannot read the disk usage: %s", strerror(-err));
	else
		err = disk_check_fits(d, &u, why, sizeof(why));
	if (!err)
		err = image_apply(x, img, d, why, sizeof(why));
	rc = err ? VECTL_ERR_QUOTA : VECTL_OK;
	if (err)
		vectl_err("%s %u: %s", x->verb, x->id, why);
	if (!mounted && !running) {
		int urc = private_umount(x);

		rc = rc ? rc : urc;
		/* Unmounted, an image that got too large for its limits shrinks. */
		if (!rc && image_fit(img, d, why, sizeof(why))) {
			vectl_err("%s %u: %s", x->verb, x->id, why);
			rc = VECTL_ERR_QUOTA;
		}
	}
	return rc;
}

int private_usage(struct vectx *x, struct disk_usage *u)
{
	struct fsxattr fa;
	int fd, err;

	if (disk_layout(x) == VE_LAYOUT_IMAGE)
		return path_is_mountpoint(x->root) ? image_usage(x, u) : -ENOENT;
	fd = open(x->private_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = ioctl(fd, FS_IOC_FSGETXATTR, &fa) || fa.fsx_projid != x->id ? -ENOENT :
	      disk_quota_usage(fd, x->id, u);
	close(fd);
	return err;
}

void private_thaw(struct vectx *x)
{
	int fd;

	if (disk_layout(x) != VE_LAYOUT_IMAGE || !path_is_mountpoint(x->root))
		return;
	fd = open(x->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, FITHAW, 0);
		close(fd);
	}
}

/*
 * Copy the dir tree of @x into the image mounted on its root (cp -a: hard
 * links, modes, set-id bits, xattrs, file capabilities), then give every
 * file the owner the VE sees. A walk rather than an idmapped copy of the
 * tree: the tree's filesystem may not take idmapped mounts (tmpfs on 6.1).
 */
static int copy_tree_unshifted(struct vectx *x, char *why, size_t len)
{
	char src[PATH_MAX + 8], dst[PATH_MAX + 8];
	char *argv[] = { "cp", "-a", src, dst, NULL };
	int err;

	snprintf(src, sizeof(src), "%s/.", x->private_dir);
	snprintf(dst, sizeof(dst), "%s/", x->root);
	err = run_argv(argv, why, len);
	if (err)
		return err > 0 ? -EIO : err;
	return tmpl_unshift(x->root, x->uid_base, why, len);
}

int private_convert(struct vectx *x, const struct disk_limits *d)
{
	char other[PATH_MAX + 16], img[PATH_MAX + 16], why[PATH_MAX + 512];
	struct stat st;
	int err, rc;

	snprintf(other, sizeof(other), "%s.image", x->private_dir);
	image_path(x->private_dir, img, sizeof(img));
	/* Swapped already by a convert that was cut short: finish it. */
	if (!stat(img, &st) && S_ISREG(st.st_mode))
		goto save;
	if (image_check_limits(d, why, sizeof(why))) {
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return VECTL_ERR_VALUE;
	}
	rc = private_umount(x);
	if (rc)
		return rc;
	remove_tree(other);
	if (mkdir(other, 0700)) {
		vectl_err("%s %u: cannot create %s: %s", x->verb, x->id, other, strerror(errno));
		return VECTL_ERR_NEW_PRIVATE;
	}
	image_path(other, img, sizeof(img));
	err = image_make(img, d, why, sizeof(why));
	if (!err)
		err = image_mount(x, img, why, sizeof(why));
	fault_point("convert:mounted");
	if (!err)
		err = image_apply(x, img, d, why, sizeof(why));
	if (!err)
		err = copy_tree_unshifted(x, why, sizeof(why));
	if (private_umount(x) && !err) {
		err = -EBUSY;
		snprintf(why, sizeof(why), "cannot unmount the new image");
	}
	image_forget(x);
	/* The image takes the private area's name, the tree its own, at once. */
	if (!err && renameat2(AT_FDCWD, x->private_dir, AT_FDCWD, other, RENAME_EXCHANGE)) {
		err = -errno;
		snprintf(why, sizeof(why), "cannot put the image in place of %s: %s",
			 x->private_dir, strerror(errno));
	}
	if (err) {
		note_disk_full(other, why, sizeof(why));
		remove_tree(other);
		vectl_err("%s %u: %s", x->verb, x->id, why);
		return err == -EDQUOT || strstr(why, "quota") ? VECTL_ERR_QUOTA : VECTL_ERR_NEW_PRIVATE;
	}
	fault_point("convert:swapped");
save:
	conf_set(&x->conf, "VE_LAYOUT", disk_layout_name(VE_LAYOUT_IMAGE));
	err = conf_save(&x->conf, x->conf_path);
	if (err) {
		vectl_err("%s %u: cannot write %s: %s (vectl convert %u again finishes it)",
			  x->verb, x->id, x->conf_path, strerror(-err), x->id);
		return VECTL_ERR_SYSTEM;
	}
	/* The old tree, now under the other name. */
	remove_tree(other);
	return VECTL_OK;
}
