/* SPDX-License-Identifier: GPL-2.0 */
/* Starting and stopping a VE: namespaces, cgroup, mounts, init, module. */
#ifndef VECTL_LAUNCH_H
#define VECTL_LAUNCH_H

#include <stdbool.h>

#include "vectx.h"
#include "veapi.h"

/*
 * Register VE @x with the module if it is missing, and (re)apply the
 * resource limits of its config. Prints errors; returns an exit code.
 */
int launch_register(struct ve_nl *nl, struct vectx *x);

/*
 * For a verb that acts on VE @id as a whole: @x opened and locked, the VE
 * known to exist, and whether it runs in @running. An exit code, said;
 * @x is closed when it fails.
 */
int launch_open(struct ve_nl *nl, struct vectx *x, const char *verb, uint32_t id,
		bool *running);

/* Start VE @x (locked, stopped). Prints errors; returns an exit code. */
int launch_start(struct ve_nl *nl, struct vectx *x);

/*
 * Stop VE @x: the halt signal, up to STOP_TIMEOUT seconds, then force
 * (at once with @fast); then remove its cgroup and unmount its root.
 */
int launch_stop(struct ve_nl *nl, struct vectx *x, bool fast);

/*
 * Remove what a stopped VE leaves: network, cgroup, root mount (with
 * @umount_root). @stopped: its init has just died, so its namespaces are
 * going; what goes with them need not be waited for. Exit code.
 */
int launch_cleanup(struct vectx *x, bool umount_root, bool stopped);

/*
 * Inside a VE, as its root: set the hostname and write /etc/hostname,
 * only if it is a regular file (never through a symlink, never blocking
 * on a FIFO). 0, or -1 with the reason in @why.
 */
int ve_apply_hostname(const char *h, char *why, size_t len);

/* Inside a VE, as its root: write @text to @path with the same care. */
int ve_write_etc_file(const char *path, const char *text, char *why, size_t len);

#endif
