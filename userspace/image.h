/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Image private areas: PRIVATE/root.img, a sparse ext4 file with the
 * quota and project features, loop-mounted at the VE's root. Its files
 * keep their in-VE owners on disk; the VE sees them through an idmapped
 * mount, so the image runs under any uid base. Its size follows the disk limits:
 * grown online, shrunk offline (see Documentation/design.md).
 */
#ifndef VECTL_IMAGE_H
#define VECTL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "disk.h"
#include "vectx.h"

#define IMAGE_FILE	"root.img"

/* The image file of a private area @private_dir. */
void image_path(const char *private_dir, char *buf, size_t len);

/* Whether an image can hold limits @d: 0, or -EFBIG with @why. */
int image_check_limits(const struct disk_limits *d, char *why, size_t len);

/*
 * Make the sparse image @path (which must not exist) for limits @d.
 * 0, or -errno with @why.
 */
int image_make(const char *path, const struct disk_limits *d, char *why, size_t len);

/*
 * Mount image @path at VE @x's root, owners as on disk (the host's view:
 * nosuid, nodev, behind the 0700 parents; the VE gets an idmapped copy,
 * idmap.h).
 */
int image_mount(const struct vectx *x, const char *path, char *why, size_t len);

/*
 * On the mounted image: the root in the image's project, the image grown
 * (online) if @d needs more room, and @d set as its project quota.
 */
int image_apply(const struct vectx *x, const char *path, const struct disk_limits *d,
		char *why, size_t len);

/* The usage of the mounted image. 0 or -errno. */
int image_usage(const struct vectx *x, struct disk_usage *u);

/*
 * The image @path, not mounted: shrunk (e2fsck and resize2fs) when it is
 * much larger than @d needs. 0, or -errno with @why.
 */
int image_fit(const char *path, const struct disk_limits *d, char *why, size_t len);

/* Forget the loop device record of VE @x (it is destroyed). */
void image_forget(const struct vectx *x);
/* The same once its device no longer backs image @path (after an unmount). */
void image_forget_detached(const struct vectx *x, const char *path);

/*
 * Wait up to @ms for VE @x's image to be mounted nowhere: its last mount
 * gone (the VE's own mount namespace goes after its init, a little
 * later), everything written. 0, or -EBUSY with @holder naming a process
 * that still has it mounted: one whose mount namespace copied the host's
 * while the VE ran, where the host's unmount did not propagate.
 */
int image_wait_detached(const struct vectx *x, int ms, char *holder, size_t len);

#endif
