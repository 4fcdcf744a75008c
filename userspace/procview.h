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
 * Make vectl's next child start in a new time namespace whose clocks
 * start at 0; *@restore is what view_timens_leave() needs (-1 when the
 * kernel has no time namespaces). 0 or -errno.
 */
int view_timens_enter(int *restore);
void view_timens_leave(int restore);

/*
 * Build the VE's /proc and /sys with the module's files, locked, for the
 * bound init @init: the mount namespace to join and the VE's root in it.
 * @ve_root: an image's idmapped tree to put on the root first, or -1.
 * 0, or -1 with the reason in @why.
 */
int view_prepare(const struct vectx *x, pid_t init, int ve_root, int *mntns, int *root,
		 char *why, size_t len);

#endif
