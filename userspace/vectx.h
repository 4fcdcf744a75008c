/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One VE as the verbs see it: its ID, its config (over the global one),
 * where its files live, and its lock. Paths follow vzctl: VE_ROOT,
 * VE_PRIVATE and TEMPLATE in /etc/ve/ve.conf, with $VEID expanded.
 */
#ifndef VECTL_VECTX_H
#define VECTL_VECTX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define VE_GLOBAL_CONF	"/etc/ve/ve.conf"
#define VE_CONF_DIR	"/etc/ve/conf"
#define VE_LOCK_DIR	"/var/lib/ve/lock"
/* Node-local state that a reboot clears: loop device records. */
#define VE_RUN_DIR	"/run/ve"
/* Seconds to wait for a busy VE's lock (LOCK_WAIT in ve.conf, --wait). */
#define VE_LOCK_WAIT_DEFAULT	60
#define VE_LOCK_WAIT_MAX	86400
#define VE_CGROUP_DIR	"/sys/fs/cgroup/ve"
#define VE_DEF_ROOT	"/var/lib/ve/root/$VEID"
#define VE_DEF_PRIVATE	"/var/lib/ve/private/$VEID"
#define VE_DEF_TEMPLATE	"/var/lib/ve/template"

/* uid 0 inside VE ID is host uid VE_UID_BASE + ID * VE_UID_RANGE. */
#define VE_UID_BASE	100000U
#define VE_UID_RANGE	65536U
/* What a VE sees as the owner of a file whose host owner is not its own. */
#define VE_OVERFLOW_ID	65534U
/*
 * The highest ID of a VE vectl manages: its whole uid range must fit in
 * 32 bits. The module itself takes IDs up to VE_ID_MAX.
 */
#define VECTL_ID_MAX	((UINT32_MAX - VE_UID_BASE) / VE_UID_RANGE - 1)

struct vectx {
	uint32_t id;
	const char *verb;
	const struct conf *global;	/* read once per process */
	struct conf conf;
	bool exists;			/* ID.conf exists */
	bool registered;		/* the module knew the VE when we asked */
	int lock_fd;			/* -1 when not locked */
	uid_t uid_base;
	char conf_path[PATH_MAX];
	char root[PATH_MAX];
	char private_dir[PATH_MAX];
	char cgroup[PATH_MAX];
	char template_dir[PATH_MAX];
};

/* Where VE @id's config lives: VE_CONF_DIR/ID.conf. */
void ve_conf_path(char *buf, size_t len, uint32_t id);

/*
 * Load VE @id's config for @verb and, with @lock, take its lock. Prints
 * the reason and returns an exit code on failure, 0 on success.
 */
int vectx_open(struct vectx *x, const char *verb, uint32_t id, bool lock);

/*
 * Wait, as for the lock, until no other vectl is busy with the VE (a start
 * or stop under way), and keep it so until vectx_unlock(): a verb that
 * joins a running VE must not meet an init that is still being set up.
 */
int vectx_wait_idle(struct vectx *x);

/*
 * Read the VE's config from @path instead of its own (a config on its way
 * in, not at its place yet), and the paths it gives. An exit code.
 */
int vectx_load_conf(struct vectx *x, const char *path);
void vectx_unlock(struct vectx *x);

/* vectl --wait SECONDS: overrides LOCK_WAIT; -1 when not given. */
extern int vectl_lock_wait;
void vectx_close(struct vectx *x);

/* A key from the VE's config, else from the global one, else NULL. */
const char *vectx_get(const struct vectx *x, const char *key);
/* A yes/no key; @def when unset. */
bool vectx_get_bool(const struct vectx *x, const char *key, bool def);

/*
 * Call @fn with the ID of every VE that has a config file (ID.conf).
 * Returns 0 (also when there is no config dir) or -errno.
 */
int vectx_each_conf(void (*fn)(uint32_t id, void *data), void *data);

/* Whether @path is the root of a mount (the private area is mounted). */
/* Resource @name ("numproc") set in the config: its barrier and limit. */
bool vectx_res(const struct vectx *x, const char *name, uint64_t *b, uint64_t *l);

/*
 * The directories holding the VE's mounted root and private area: created
 * if need be, and made 0700, so that no host user but root can reach a
 * VE's files (nor run its set-uid programs). 0, or -errno with @why.
 */
int vectx_secure_parents(const struct vectx *x, char *why, size_t len);

bool path_is_mountpoint(const char *path);

/*
 * VE @id's lock (an fd to close) unless another vectl holds it for a
 * command (exclusively), else -1; quiet. Shared holders are waited out.
 */
int vectx_try_lock(uint32_t id);


#endif
