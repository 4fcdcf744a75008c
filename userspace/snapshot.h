/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Snapshots of image private areas: PRIVATE/snapshots/UUID.img, a copy of
 * root.img (a clone where the host's filesystem shares blocks, else its
 * data extents) taken with the VE's filesystem frozen, and UUID.conf with
 * its NAME and DATE. Switching copies one back over root.img.
 */
#ifndef VECTL_SNAPSHOT_H
#define VECTL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "vectx.h"

#define SNAPSHOT_ID_LEN		36	/* a UUID: 8-4-4-4-12 hex digits */
#define SNAPSHOT_NAME_MAX	128

struct snapshot {
	char id[SNAPSHOT_ID_LEN + 1];
	char name[SNAPSHOT_NAME_MAX + 1];
	time_t date;
	uint64_t bytes;		/* host disk it takes */
	int64_t order_ns;	/* when its image was written: orders one second's */
};

bool snapshot_id_ok(const char *id);
/* A name: printable, no quote, backslash, dollar or backquote. */
bool snapshot_name_ok(const char *name);

/*
 * Take snapshot @id (a new UUID when empty, written back) named @name of
 * VE @x's image, freezing its filesystem while it is mounted. 0, or
 * -errno with @why (-EEXIST: @id is taken).
 */
int snapshot_take(const struct vectx *x, char id[SNAPSHOT_ID_LEN + 1], const char *name,
		  char *why, size_t len);

/* The snapshots of @x, oldest first, in *@v (free it); their count or -errno. */
int snapshot_list(const struct vectx *x, struct snapshot **v);

/*
 * Make snapshot @id the image of VE @x (stopped and unmounted): what the
 * image holds now is lost. 0, or -errno with @why (-ENOENT: no such one).
 */
int snapshot_switch(const struct vectx *x, const char *id, char *why, size_t len);

/* Delete snapshot @id. 0, or -errno with @why (-ENOENT: no such one). */
int snapshot_delete(const struct vectx *x, const char *id, char *why, size_t len);

#endif
