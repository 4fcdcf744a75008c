/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rescue mode: the VE runs a system unpacked from a rescue template
 * (RESCUE_OSTEMPLATE, else its own OSTEMPLATE) in PRIVATE.rescue, with its
 * own private area mounted at /mnt/rescue. The rescue tree existing is
 * the mode: start and restart start the rescue system until "vectl
 * rescue ID --exit" removes it.
 */
#ifndef VECTL_RESCUE_H
#define VECTL_RESCUE_H

#include <stdbool.h>
#include <stddef.h>

#include "vectx.h"

/* Where the rescue system is mounted in the VE. */
#define RESCUE_MOUNT	"mnt/rescue"

/* The rescue tree of VE @x: PRIVATE.rescue. */
void rescue_dir(const struct vectx *x, char *buf, size_t len);

/* Whether VE @x is in rescue mode (its rescue tree exists). */
bool rescue_active(const struct vectx *x);

/*
 * Unpack the rescue template into VE @x's rescue tree (which must not
 * exist), owners shifted into the VE's range, with an empty /mnt/rescue.
 * Prints the reason and returns an exit code; nothing is left on failure.
 */
int rescue_make(struct vectx *x);

/*
 * Before the rescue system starts: its /mnt/rescue made again should its
 * user have removed it, never through a symlink. An exit code, said.
 */
int rescue_mount_point(struct vectx *x);

/*
 * In a task building the VE's mounts: put the private area's detached
 * tree @priv (mntns_tree(), or an image's idmapped copy) on
 * RESCUE_MOUNT under the rescue tree @root. No symlink is followed.
 * 0 or -errno.
 */
int rescue_attach(int root, int priv);

/* Remove VE @x's rescue tree (none: fine). An exit code, said. */
int rescue_remove(struct vectx *x);

/*
 * For a verb that needs the VE's own system (suspend, migrate): 0, or the
 * exit code after saying that the VE is in rescue mode.
 */
int rescue_refuse(const struct vectx *x);

#endif
