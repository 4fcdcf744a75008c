/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The template mount namespace a VE's namespaces are cloned from.
 *
 * A VE's init is cloned with CLONE_NEWNS, and a new mount namespace is a
 * copy of its parent's: cloned from the host's, it would copy every
 * mount of the node, one root per running VE among them, only to detach
 * them all again at pivot_root. Each start would cost O(running VEs).
 * The template holds one small read-only tmpfs with two empty mount
 * points and the host's /proc and /sys; vectl enters it for the clone,
 * and the VE's trees come over as detached mounts (open_tree()) that the
 * init attaches there. It lives as long as the node, pinned at VE_MNTNS.
 */
#ifndef VECTL_MNTNS_H
#define VECTL_MNTNS_H

#include "vectx.h"

#define VE_MNTNS	VE_RUN_DIR "/ns/mnt"
/* In the template: where a VE's root is attached, and a free mount point. */
#define MNTNS_ROOT	"/root"
#define MNTNS_STAGE	"/stage"

/* vectl's own place, kept while it is in the template. */
struct mntns_saved {
	int ns, cwd;
};

/*
 * Enter the template (made at the first call on a node); @s keeps where
 * vectl was. 0 or -errno, with @why said.
 */
int mntns_enter_template(struct mntns_saved *s, char *why, size_t len);

/* Back to the namespace and directory @s kept; 0 or -errno. */
int mntns_leave(struct mntns_saved *s);

/* An fd of the template namespace (for a task to setns()), or -errno. */
int mntns_template_fd(char *why, size_t len);

/*
 * A detached, private copy of the tree at @path with its submounts, to
 * be attached in another namespace. Its fd, or -errno.
 */
int mntns_tree(const char *path);

#endif
