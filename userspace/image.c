// SPDX-License-Identifier: GPL-2.0
/* Image private areas (see image.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image.h"
#include "linux/ve.h"
#include "loopdev.h"
#include "run.h"

/* Not in the uapi headers: ext4's online resize to a block count. */
#define EXT4_IOC_RESIZE_FS	_IOW('f', 16, __u64)

#define IMAGE_BLOCK		UINT64_C(4096)
/* Bytes per inode: ext4's default, and what an image grows by. */
#define IMAGE_INODE_RATIO	UINT64_C(16384)
/* The image of a VE without a DISKSPACE limit. */
#define IMAGE_DEFAULT_KB	(UINT64_C(10) << 20)
/* The largest limits an image takes: 256 TiB, and ext4's 2^32 inodes. */
#define IMAGE_MAX_KB		(UINT64_C(1) << 38)
#define IMAGE_MAX_INODES	((uint64_t)UINT32_MAX - 65536)
#define MIB			(UINT64_C(1) << 20)

void image_path(const char *private_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" IMAGE_FILE, private_dir);
}

static void record_path(const struct vectx *x, char *buf, size_t len)
{
	snprintf(buf, len, VE_RUN_DIR "/%u.loop", x->id);
}

/* The journal: 1/64 of the space, from 4 to 256 MiB. */
static uint64_t journal_bytes(uint64_t space)
{
	uint64_t j = space / 64;

	return j < 4 * MIB ? 4 * MIB : j > 256 * MIB ? 256 * MIB : j & ~(MIB - 1);
}

static uint64_t space_bytes(const struct disk_limits *d)
{
	return (d->space_hard == VE_RES_UNLIMITED ? IMAGE_DEFAULT_KB : d->space_hard) * 1024;
}

/*
 * The file size that holds @d: the space, ext4's own (inode tables are
 * 1/64 of the size at this ratio, bitmaps and reserved descriptors less
 * than that), the journal, and the free clusters ext4 keeps back (at most
 * 16 MiB), so that the quota is what stops a VE, never a full image. 0
 * when @d is beyond what an image takes.
 */
static uint64_t image_size(const struct disk_limits *d)
{
	uint64_t space = space_bytes(d), size;

	if ((d->space_hard != VE_RES_UNLIMITED && d->space_hard > IMAGE_MAX_KB) ||
	    (d->inodes_hard != VE_RES_UNLIMITED && d->inodes_hard > IMAGE_MAX_INODES))
		return 0;
	size = space + space / 16 + journal_bytes(space) + 64 * MIB;
	if (d->inodes_hard != VE_RES_UNLIMITED &&
	    (d->inodes_hard + 1024) * IMAGE_INODE_RATIO > size)
		size = (d->inodes_hard + 1024) * IMAGE_INODE_RATIO;
	return (size + MIB - 1) & ~(MIB - 1);
}

static int too_large(char *why, size_t len)
{
	snprintf(why, len, "an image holds at most %" PRIu64 "G of disk space (DISKSPACE) and %"
		 PRIu64 " inodes (DISKINODES)", IMAGE_MAX_KB >> 20, IMAGE_MAX_INODES);
	return -EFBIG;
}

int image_check_limits(const struct disk_limits *d, char *why, size_t len)
{
	return image_size(d) ? 0 : too_large(why, len);
}

int image_make(const char *path, const struct disk_limits *d, char *why, size_t len)
{
	uint64_t size = image_size(d);
	char journal[32], ratio[32];
	char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-I", "256",
			 "-i", ratio, "-m", "0", "-J", journal, "-O", "quota,project",
			 "-E", "quotatype=prjquota,root_owner=0:0,lazy_journal_init=1",
			 (char *)path, NULL };
	int fd, err;

	if (!size)
		return too_large(why, len);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	/*
	 * mke2fs punches the whole file, so it knows the inode tables read
	 * as zeroes and leaves them (and the journal) unwritten: the image
	 * stays sparse and no lazy-init thread fills it after mount.
	 */
	snprintf(journal, sizeof(journal), "size=%" PRIu64, journal_bytes(space_bytes(d)) / MIB);
	snprintf(ratio, sizeof(ratio), "%" PRIu64, IMAGE_INODE_RATIO);
	err = run_argv(argv, why, len);
	if (err) {
		size_t n = strlen(why);

		if (err == 127 && n < len)
			snprintf(why + n, len - n, " (install e2fsprogs)");
		unlink(path);
		return err < 0 ? err : -EIO;
	}
	return 0;
}

int image_mount(const struct vectx *x, const char *path, char *why, size_t len)
{
	char record[PATH_MAX], dev[32];
	int img, loop, fs = -1, mnt = -1, err, index;

	err = mkdir_p(VE_RUN_DIR, 0700);
	if (err) {
		snprintf(why, len, "cannot create %s: %s", VE_RUN_DIR, strerror(-err));
		return err;
	}
	img = open(path, O_RDWR | O_CLOEXEC);
	if (img < 0) {
		err = -errno;
		snprintf(why, len, "cannot open the image %s: %s", path, strerror(errno));
		return err;
	}
	record_path(x, record, sizeof(record));
	loop = loop_get(img, path, record, &index, why, len);
	close(img);
	if (loop < 0)
		return loop;
	loop_dev_path(index, dev, sizeof(dev));
	fs = fsopen("ext4", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", dev, 0) ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "prjquota", NULL, 0) ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = -errno;
		snprintf(why, len, "cannot mount the image %s (%s) as ext4: %s%s", path, dev,
			 strerror(errno), errno == ENODEV ? " (load the ext4 module)" :
			 errno == EUCLEAN || errno == EINVAL ? " (check it: e2fsck -f)" : "");
		goto out;
	}
	/*
	 * On the host the owners are the VE's own ids, host users among
	 * them: no set-uid, no device nodes (a VE makes none, and an image
	 * may come from anywhere).
	 */
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0) {
		err = -errno;
		snprintf(why, len, "cannot mount the image %s: %s", path, strerror(errno));
		goto out;
	}
	err = mkdir_p(x->root, 0755);
	if (!err && move_mount(mnt, "", AT_FDCWD, x->root, MOVE_MOUNT_F_EMPTY_PATH))
		err = -errno;
	if (err)
		snprintf(why, len, "cannot mount the image %s on %s: %s", path, x->root,
			 strerror(-err));
out:
	close_fds((int[]){ fs, mnt, loop }, 3);
	return err;
}

/* Grow image @path, mounted at @root_fd, to @size bytes, online. */
static int grow(const struct vectx *x, const char *path, int root_fd, uint64_t size,
		char *why, size_t len)
{
	__u64 blocks = size / IMAGE_BLOCK;
	char record[PATH_MAX];
	int loop, index, err = 0;

	if (truncate(path, (off_t)size)) {
		err = -errno;
		snprintf(why, len, "cannot grow %s to %" PRIu64 "M: %s", path, size / MIB,
			 strerror(errno));
		return err;
	}
	record_path(x, record, sizeof(record));
	loop = loop_find(path, record, &index);
	if (loop < 0) {
		snprintf(why, len, "cannot find the loop device of %s", path);
		return loop;
	}
	err = loop_set_capacity(loop);
	close(loop);
	if (!err && ioctl(root_fd, EXT4_IOC_RESIZE_FS, &blocks))
		err = -errno;
	if (err)
		snprintf(why, len, "cannot grow the filesystem of %s to %" PRIu64 "M: %s",
			 path, size / MIB, strerror(-err));
	return err;
}

int image_apply(const struct vectx *x, const char *path, const struct disk_limits *d,
		char *why, size_t len)
{
	uint64_t size = image_size(d);
	struct stat st;
	int root, err;

	if (!size)
		return too_large(why, len);
	root = open(x->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		err = -errno;
		snprintf(why, len, "cannot open %s: %s", x->root, strerror(errno));
		return err;
	}
	err = disk_project_set(root, DISK_IMAGE_PROJID);
	if (err) {
		snprintf(why, len, "cannot put the root of %s in its quota project: %s", path,
			 strerror(-err));
		goto out;
	}
	if (stat(path, &st)) {
		err = -errno;
		snprintf(why, len, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size < size) {
		err = grow(x, path, root, size, why, len);
		if (err)
			goto out;
	}
	err = disk_quota_set(root, DISK_IMAGE_PROJID, d, why, len);
out:
	close(root);
	return err;
}

int image_usage(const struct vectx *x, struct disk_usage *u)
{
	int root = open(x->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (root < 0)
		return -errno;
	err = disk_quota_usage(root, DISK_IMAGE_PROJID, u);
	close(root);
	return err;
}

int image_fit(const char *path, const struct disk_limits *d, char *why, size_t len)
{
	char *fsck[] = { "e2fsck", "-f", "-p", (char *)path, NULL };
	char size_arg[32];
	char *resize[] = { "resize2fs", "-f", (char *)path, size_arg, NULL };
	uint64_t size = image_size(d);
	struct stat st;
	int err;

	if (!size)
		return too_large(why, len);
	if (stat(path, &st)) {
		err = -errno;
		snprintf(why, len, "cannot stat %s: %s", path, strerror(errno));
		return err;
	}
	/* A quarter more than needed is kept: each shrink checks the whole image. */
	if ((uint64_t)st.st_size <= size + size / 4)
		return 0;
	snprintf(size_arg, sizeof(size_arg), "%" PRIu64 "K", size / 1024);
	err = run_argv(fsck, why, len);
	/* e2fsck: 1 means it fixed something, which is fine. */
	if (err == 0 || err == 1)
		err = run_argv(resize, why, len);
	if (!err && truncate(path, (off_t)size))
		err = -errno;
	if (err) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, "%scannot shrink %s to %" PRIu64 "M",
			 n ? ": " : "", path, size / MIB);
		return err < 0 ? err : -EIO;
	}
	return 0;
}

void image_forget(const struct vectx *x)
{
	char record[PATH_MAX];

	record_path(x, record, sizeof(record));
	unlink(record);
}

void image_forget_detached(const struct vectx *x, const char *path)
{
	char record[PATH_MAX];
	int fd, index;

	record_path(x, record, sizeof(record));
	fd = loop_find(path, record, &index);
	if (fd >= 0)
		close(fd);	/* still backing it: a mount elsewhere holds it */
	else
		unlink(record);
}

/* Does /proc/@pid/mountinfo show a mount of device @dev ("MAJ:MIN")? */
static bool mounts_dev(const char *pid, const char *dev)
{
	char path[300], line[4096], *f;
	bool found = false;
	FILE *mi;

	snprintf(path, sizeof(path), "/proc/%s/mountinfo", pid);
	mi = fopen(path, "re");
	if (!mi)
		return false;
	/* ID PARENT MAJ:MIN ...: the third field. */
	while (!found && fgets(line, sizeof(line), mi)) {
		f = strchr(line, ' ');
		f = f ? strchr(f + 1, ' ') : NULL;
		found = f && !strncmp(f + 1, dev, strlen(dev)) && f[1 + strlen(dev)] == ' ';
	}
	fclose(mi);
	return found;
}

/* A process whose mount namespace holds loop device @index: "pid N (comm)". */
static void loop_holder(int index, char *buf, size_t len)
{
	char path[300], dev[32], comm[64] = "";
	struct dirent *d;
	struct stat st;
	DIR *proc;
	FILE *f;

	snprintf(buf, len, "a process that copied the host's mounts");
	snprintf(path, sizeof(path), "/dev/loop%d", index);
	proc = stat(path, &st) ? NULL : opendir("/proc");
	if (!proc)
		return;
	snprintf(dev, sizeof(dev), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	while ((d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || !mounts_dev(d->d_name, dev))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(buf, len, "pid %s (%s)", d->d_name, comm);
		break;
	}
	closedir(proc);
}

int image_wait_detached(const struct vectx *x, int ms, char *holder, size_t len)
{
	char img[PATH_MAX + 16], record[PATH_MAX], sb[64];
	int fd, index;

	image_path(x->private_dir, img, sizeof(img));
	record_path(x, record, sizeof(record));
	for (int waited = 0;; waited += 10) {
		fd = loop_find(img, record, &index);
		if (fd < 0)
			return 0;
		close(fd);
		/*
		 * The loop device lets go of the image a while after its
		 * filesystem (asynchronously): once ext4 has dropped its
		 * superblock, nothing writes the image any more.
		 */
		snprintf(sb, sizeof(sb), "/sys/fs/ext4/loop%d", index);
		if (access(sb, F_OK) && errno == ENOENT)
			return 0;
		if (waited >= ms) {
			loop_holder(index, holder, len);
			return -EBUSY;
		}
		usleep(10000);
	}
}
