// SPDX-License-Identifier: GPL-2.0
/* Loop devices for image private areas (see loopdev.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopdev.h"

/* Another attacher may take the free device we were given; try again. */
#define LOOP_ATTACH_TRIES 32

void loop_dev_path(int index, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/loop%d", index);
}

static bool backs(int fd, const struct stat *st)
{
	struct loop_info64 info;

	return !ioctl(fd, LOOP_GET_STATUS64, &info) &&
	       info.lo_device == st->st_dev && info.lo_inode == st->st_ino;
}

static int find(const struct stat *st, const char *record, int *index)
{
	char buf[32], dev[32];
	ssize_t n;
	int fd;

	fd = open(record, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	*index = atoi(buf);
	loop_dev_path(*index, dev, sizeof(dev));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	if (!backs(fd, st)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

int loop_find(const char *img_path, const char *record, int *index)
{
	struct stat st;

	if (stat(img_path, &st))
		return -ENOENT;
	return find(&st, record, index);
}

static int save_record(const char *record, int index)
{
	char tmp[4096], buf[16];
	int fd, len, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", record);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", index);
	if (write(fd, buf, len) != len)
		err = -EIO;
	close(fd);
	if (!err && rename(tmp, record))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int loop_get(int img_fd, const char *img_path, const char *record, int *index,
	     char *why, size_t len)
{
	struct loop_config cfg = { .fd = (unsigned int)img_fd };
	char dev[32];
	struct stat st;
	int ctl, fd = -1, err;

	if (fstat(img_fd, &st))
		return -errno;
	fd = find(&st, record, index);
	if (fd >= 0)
		return fd;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		err = -errno;
		snprintf(why, len, "/dev/loop-control: %s (load the loop module: modprobe loop)",
			 strerror(errno));
		return err;
	}
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", img_path);
	err = -EBUSY;
	for (int i = 0; i < LOOP_ATTACH_TRIES && err == -EBUSY; i++) {
		*index = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (*index < 0) {
			err = -errno;
			break;
		}
		loop_dev_path(*index, dev, sizeof(dev));
		fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT) {
				/* devtmpfs has not made the node yet */
				usleep(1000);
				err = -EBUSY;
			}
			continue;
		}
		err = ioctl(fd, LOOP_CONFIGURE, &cfg) ? -errno : 0;
		if (err) {
			close(fd);
			fd = -1;
		}
	}
	close(ctl);
	if (!err)
		err = save_record(record, *index);
	if (err) {
		snprintf(why, len, "cannot attach %s to a loop device: %s", img_path,
			 strerror(-err));
		if (fd >= 0)
			close(fd);	/* autoclear detaches it */
		return err;
	}
	return fd;
}

int loop_set_capacity(int fd)
{
	return ioctl(fd, LOOP_SET_CAPACITY, 0) ? -errno : 0;
}
