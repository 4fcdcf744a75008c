/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loop devices for image private areas. A device is attached with
 * autoclear, so that it goes away with the last mount of its filesystem,
 * and is recorded in a file, so that an image whose filesystem is still
 * mounted somewhere is found again instead of attached twice (two loop
 * devices on one ext4 image would be two filesystems writing one disk).
 */
#ifndef VECTL_LOOPDEV_H
#define VECTL_LOOPDEV_H

#include <stddef.h>

/* The path of loop device @index ("/dev/loopN") in @buf. */
void loop_dev_path(int index, char *buf, size_t len);

/*
 * The loop device that backs image @img_fd: the one in @record if it
 * still backs that file, else a free one attached to it now (autoclear),
 * and recorded. Returns an open fd of the device (hold it until the
 * filesystem is mounted) with its index in @index, or -errno with @why.
 */
int loop_get(int img_fd, const char *img_path, const char *record, int *index,
	     char *why, size_t len);

/*
 * The loop device @record names, if it still backs the file @img_path:
 * its fd, else -ENOENT.
 */
int loop_find(const char *img_path, const char *record, int *index);

/* Tell loop device @fd that its file has grown; 0 or -errno. */
int loop_set_capacity(int fd);

#endif
