/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VE's cgroup v2 directory, /sys/fs/cgroup/ve/<ID>: creation with the
 * limits of its config, delegation to the VE's root, and removal.
 */
#ifndef VECTL_CGROUP_H
#define VECTL_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#include "vectx.h"

/*
 * Create the VE's cgroup (and /sys/fs/cgroup/ve with the controllers
 * enabled), apply the config's limits and delegate it to the VE's root
 * user. On failure @why says what went wrong and nothing is left behind.
 */
int cg_create(const struct vectx *x, char *why, size_t len);

/* Write the config's limits (NUMPROC, PHYSPAGES, SWAPPAGES, CPU*) to the cgroup. */
int cg_apply(const struct vectx *x, char *why, size_t len);

/* Kill what is left in the cgroup, wait for it to empty, remove it. */
int cg_remove(const struct vectx *x, char *why, size_t len);

/* Tasks (threads) in the VE's cgroup and below (pids.current), or -1. */
long cg_tasks(const struct vectx *x);

/* An O_PATH|O_DIRECTORY fd on the cgroup, for CLONE_INTO_CGROUP. */
int cg_open(const struct vectx *x);

/*
 * The cgroup process @pid (the VE's init) is in, if it lies inside the
 * VE's subtree: a VE that manages its own cgroups (systemd) leaves its
 * top cgroup an inner node that takes no processes. Falls back to cg_open().
 */
int cg_open_of(const struct vectx *x, pid_t pid);

/* Whether the cgroup exists. */
int cg_exists(const struct vectx *x);

#endif
