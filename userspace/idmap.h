/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VE's id mapping: uid and gid 0..VE_UID_RANGE-1 inside are host ids
 * from its uid base on. Its user namespace has the map, and the idmapped
 * mount of an image private area takes it from there.
 */
#ifndef VECTL_IDMAP_H
#define VECTL_IDMAP_H

#include <sys/types.h>

/* Write the VE map with @base into @pid's uid_map and gid_map; 0 or -errno. */
int idmap_write(pid_t pid, uid_t base);

/*
 * A detached copy of the mount at @path (an image's, mounted on the host
 * as it is on disk) for the VE whose init is @pid: idmapped through the
 * init's user namespace, so that on-disk owner 0 is the VE's root, and
 * set-uid again (the host's mount is nosuid). Its fd, or -errno.
 */
int idmap_clone_mount(const char *path, pid_t pid);

#endif
