/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VE's disk: the layout of its private area (an ext4 image or a
 * directory tree) and its limits, DISKSPACE and DISKINODES (vzctl's
 * names and units: soft[:hard], space in 1 KiB blocks), enforced by
 * ext4 project quota. See Documentation/design.md, "Private areas".
 */
#ifndef VECTL_DISK_H
#define VECTL_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vectx.h"

enum ve_layout { VE_LAYOUT_DIR, VE_LAYOUT_IMAGE };

/* The project every file of an image belongs to (any VE ID may run it). */
#define DISK_IMAGE_PROJID	1
/* Grace of a soft limit when QUOTATIME is unset: the kernel's default. */
#define DISK_QUOTATIME_UNSET	(-1)

struct disk_limits {
	uint64_t space_soft, space_hard;	/* KiB; VE_RES_UNLIMITED: none */
	uint64_t inodes_soft, inodes_hard;
	int64_t quotatime;			/* seconds, or DISK_QUOTATIME_UNSET */
};

struct disk_usage {
	uint64_t space;		/* KiB */
	uint64_t inodes;
};

/* "image" or "dir"; -EINVAL for anything else. */
int disk_layout_parse(const char *s, enum ve_layout *layout);
const char *disk_layout_name(enum ve_layout layout);

/*
 * The layout of existing VE @x: VE_LAYOUT in its own config, "dir" when
 * unset (VEs made before images existed).
 */
enum ve_layout disk_layout(const struct vectx *x);

/*
 * @x's DISKSPACE, DISKINODES and QUOTATIME (unset: unlimited). 0, or
 * -EINVAL with the bad key and value in @why.
 */
int disk_limits_get(const struct vectx *x, struct disk_limits *d, char *why, size_t len);

/* Whether @d limits anything (a quota must be on). */
bool disk_limited(const struct disk_limits *d);

/*
 * Put @fd in project @projid; a directory with the inherit flag, so that
 * all it gets belongs to the project. 0 or -errno.
 */
int disk_project_set(int fd, uint32_t projid);

/*
 * Put every directory and regular file under directory @fd in project
 * @projid (directories with the inherit flag), walking by fd, never
 * through a symlink: for a tree made before it had a project. Symlinks
 * and special files keep theirs. 0, or -errno with @why.
 */
int disk_project_tree(int fd, uint32_t projid, char *why, size_t len);

/*
 * Set project @projid's limits and grace on the filesystem of @fd (any
 * file on it), or read its usage. 0, or -errno with @why.
 */
int disk_quota_set(int fd, uint32_t projid, const struct disk_limits *d,
		   char *why, size_t len);
int disk_quota_usage(int fd, uint32_t projid, struct disk_usage *u);

/*
 * Whether lowering the limits to @d leaves room for usage @u: 0, or
 * -EDQUOT with what is over in @why.
 */
int disk_check_fits(const struct disk_limits *d, const struct disk_usage *u,
		    char *why, size_t len);

#endif
