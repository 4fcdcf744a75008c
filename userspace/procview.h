/* SPDX-License-Identifier: GPL-2.0 */
/* What a VE sees of its machine: its clocks and /proc (procview.c). */
#ifndef VECTL_PROCVIEW_H
#define VECTL_PROCVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vectx.h"

/* Whether the VE gets the module's /proc files (MEMINFO is not "none"). */
bool view_enabled(const struct vectx *x);

/*
 * In the VE's init, root in its user namespace: make a time namespace
 * whose clocks start at 0, and enter it. 0 (also when the kernel has no
 * time namespaces) or -errno.
 */
int view_timens_own(void);

/*
 * Build the VE's /proc and /sys with the module's files, locked, for the
 * bound init @init, in a copy of the template mount namespace (mntns.h):
 * the mount namespace to join and the VE's root in it. @top: the
 * detached tree to be the root; @priv: in rescue mode the private area's
 * tree, for /mnt/rescue under it, else -1. 0, or -1 with the reason in
 * @why.
 */
int view_prepare(const struct vectx *x, pid_t init, int top, int priv, int *mntns, int *root,
		 char *why, size_t len);

#endif
