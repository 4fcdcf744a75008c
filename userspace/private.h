/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private areas, of either layout (disk.h): made from a template, mounted
 * at the VE's root, unmounted, removed, and their disk limits applied.
 * All print their errors and return exit codes.
 */
#ifndef VECTL_PRIVATE_H
#define VECTL_PRIVATE_H

#include <stdbool.h>

#include "disk.h"
#include "vectx.h"

/*
 * Mount the private area at the root; quiet if it is mounted (an image's
 * limits are applied all the same).
 */
int private_mount(struct vectx *x);
int private_umount(struct vectx *x);

/*
 * Make the private area @dest (which must not exist) of layout @layout
 * with limits @d from template @tmpl (a directory when @is_dir). On
 * failure nothing of it is left.
 */
int private_create(struct vectx *x, enum ve_layout layout, const char *dest,
		   const char *tmpl, bool is_dir, const struct disk_limits *d);

/* Remove the private area @dir of VE @x (stopped, unmounted). */
int private_remove(struct vectx *x, const char *dir);

/*
 * Apply disk limits @d to VE @x: at once on the mounted private area of
 * a running VE, else by mounting it for the while. Refused, changing
 * nothing, when the VE uses more than @d allows.
 */
int private_set_limits(struct vectx *x, const struct disk_limits *d, bool running);

/*
 * The disk usage of @x: its mounted image's, or its dir tree's when that
 * is in its quota project. 0, or -errno (-ENOENT: not known).
 */
int private_usage(struct vectx *x, struct disk_usage *u);

/* Thaw the VE's image filesystem if a killed snapshot left it frozen. */
void private_thaw(struct vectx *x);

/*
 * Move stopped dir VE @x (its root unmounted first) into an image with limits @d: every
 * file, owner (as the VE sees it), mode, xattr, file capability and hard
 * link; then the image takes the private area's place and the config
 * says so. A convert cut short is finished or undone by the next one.
 */
int private_convert(struct vectx *x, const struct disk_limits *d);

#endif
