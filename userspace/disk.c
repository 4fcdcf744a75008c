// SPDX-License-Identifier: GPL-2.0
/* A VE's disk layout and limits, and ext4 project quota (see disk.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "disk.h"
#include "linux/ve.h"
#include "parse.h"
#include "resources.h"
#include "run.h"

int disk_layout_parse(const char *s, enum ve_layout *layout)
{
	if (!strcmp(s, "image"))
		*layout = VE_LAYOUT_IMAGE;
	else if (!strcmp(s, "dir"))
		*layout = VE_LAYOUT_DIR;
	else
		return -EINVAL;
	return 0;
}

const char *disk_layout_name(enum ve_layout layout)
{
	return layout == VE_LAYOUT_IMAGE ? "image" : "dir";
}

enum ve_layout disk_layout(const struct vectx *x)
{
	const char *v = conf_get(&x->conf, "VE_LAYOUT");
	enum ve_layout layout = VE_LAYOUT_DIR;

	if (v)
		disk_layout_parse(v, &layout);
	return layout;
}

static int get_pair(const struct vectx *x, const char *key, enum res_unit unit,
		    uint64_t *soft, uint64_t *hard, char *why, size_t len)
{
	const char *v = vectx_get(x, key);

	*soft = *hard = VE_RES_UNLIMITED;
	if (!v || !*v)
		return 0;
	if (res_parse(v, unit, soft, hard)) {
		snprintf(why, len, "%s=\"%s\" in %s is not soft[:hard]", key, v, x->conf_path);
		return -EINVAL;
	}
	return 0;
}

int disk_limits_get(const struct vectx *x, struct disk_limits *d, char *why, size_t len)
{
	const char *t = vectx_get(x, "QUOTATIME");
	uint32_t secs;

	d->quotatime = DISK_QUOTATIME_UNSET;
	if (t && *t) {
		if (parse_uint(t, 0, UINT32_MAX, &secs)) {
			snprintf(why, len, "QUOTATIME=\"%s\" in %s is not a number of seconds",
				 t, x->conf_path);
			return -EINVAL;
		}
		d->quotatime = secs;
	}
	if (get_pair(x, "DISKSPACE", RES_KBLOCKS, &d->space_soft, &d->space_hard, why, len))
		return -EINVAL;
	return get_pair(x, "DISKINODES", RES_COUNT, &d->inodes_soft, &d->inodes_hard,
			why, len);
}

bool disk_limited(const struct disk_limits *d)
{
	return d->space_hard != VE_RES_UNLIMITED || d->inodes_hard != VE_RES_UNLIMITED;
}

int disk_project_set(int fd, uint32_t projid)
{
	struct fsxattr fa;
	struct stat st;
	bool dir;

	if (fstat(fd, &st) || ioctl(fd, FS_IOC_FSGETXATTR, &fa))
		return -errno;
	/* Only a directory passes its project on (ext4 refuses the flag elsewhere). */
	dir = S_ISDIR(st.st_mode);
	if (fa.fsx_projid == projid && (!dir || (fa.fsx_xflags & FS_XFLAG_PROJINHERIT)))
		return 0;
	fa.fsx_projid = projid;
	if (dir)
		fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	return ioctl(fd, FS_IOC_FSSETXATTR, &fa) ? -errno : 0;
}

static int project_walk(int dirfd, uint32_t projid, char *why, size_t len)
{
	DIR *d = dir_of(dirfd);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (e = readdir(d))) {
		bool is_dir = e->d_type == DT_DIR;
		struct stat st;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (e->d_type != DT_DIR && e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
			continue;
		fd = openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			    O_CLOEXEC | (is_dir ? O_DIRECTORY : 0));
		if (fd < 0) {
			/* Gone meanwhile, or a symlink or special file after all. */
			if (errno != ENOENT && errno != ELOOP && errno != ENXIO) {
				err = -errno;
				snprintf(why, len, "cannot open %s: %s", e->d_name, strerror(errno));
			}
			continue;
		}
		if (fstat(fd, &st) || (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))) {
			close(fd);
			continue;
		}
		err = disk_project_set(fd, projid);
		if (err)
			snprintf(why, len, "cannot put %s in project %u: %s", e->d_name, projid,
				 strerror(-err));
		else if (S_ISDIR(st.st_mode))
			err = project_walk(fd, projid, why, len);
		close(fd);
	}
	closedir(d);
	return err;
}

int disk_project_tree(int fd, uint32_t projid, char *why, size_t len)
{
	int err = disk_project_set(fd, projid);

	if (err) {
		snprintf(why, len, "cannot put the private area in project %u: %s%s", projid,
			 strerror(-err), err == -ENOTTY || err == -EOPNOTSUPP ?
			 " (its filesystem has no project quota: use ext4 or xfs, or --layout image)" : "");
		return err;
	}
	err = project_walk(fd, projid, why, len);
	if (err == -EMFILE) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, " (the tree is deeper than the open file limit)");
	}
	return err;
}

static long quotactl_fd(int fd, int cmd, uint32_t id, void *addr)
{
	return syscall(SYS_quotactl_fd, fd, QCMD(cmd, PRJQUOTA), id, addr);
}

/* A limit for the kernel: 0 means none there. */
static uint64_t qlimit(uint64_t v)
{
	return v == VE_RES_UNLIMITED ? 0 : v;
}

int disk_quota_set(int fd, uint32_t projid, const struct disk_limits *d,
		   char *why, size_t len)
{
	/* if_dqblk counts space in QIF_DQBLKSIZE (1 KiB) blocks, as DISKSPACE does. */
	struct if_dqblk q = {
		.dqb_bsoftlimit = qlimit(d->space_soft),
		.dqb_bhardlimit = qlimit(d->space_hard),
		.dqb_isoftlimit = qlimit(d->inodes_soft),
		.dqb_ihardlimit = qlimit(d->inodes_hard),
		.dqb_valid = QIF_LIMITS,
	};
	struct if_dqinfo info = { .dqi_valid = IIF_BGRACE | IIF_IGRACE };

	if (quotactl_fd(fd, Q_SETQUOTA, projid, &q)) {
		snprintf(why, len, "cannot set the disk quota of project %u: %s%s", projid,
			 strerror(errno), errno == ESRCH || errno == ENOSYS ?
			 " (the filesystem needs project quota: the quota and project features, mounted with prjquota)" : "");
		return -errno;
	}
	if (d->quotatime == DISK_QUOTATIME_UNSET)
		return 0;
	info.dqi_bgrace = info.dqi_igrace = (uint64_t)d->quotatime;
	if (quotactl_fd(fd, Q_SETINFO, projid, &info)) {
		snprintf(why, len, "cannot set the grace time of the disk quota: %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int disk_quota_usage(int fd, uint32_t projid, struct disk_usage *u)
{
	struct if_dqblk q;

	if (quotactl_fd(fd, Q_GETQUOTA, projid, &q))
		return -errno;
	u->space = (q.dqb_curspace + 1023) / 1024;
	u->inodes = q.dqb_curinodes;
	return 0;
}

int disk_check_fits(const struct disk_limits *d, const struct disk_usage *u,
		    char *why, size_t len)
{
	if (d->space_hard != VE_RES_UNLIMITED && u->space > d->space_hard) {
		snprintf(why, len, "the VE uses %" PRIu64 "K of disk space, more than %" PRIu64 "K",
			 u->space, d->space_hard);
		return -EDQUOT;
	}
	if (d->inodes_hard != VE_RES_UNLIMITED && u->inodes > d->inodes_hard) {
		snprintf(why, len, "the VE uses %" PRIu64 " inodes, more than %" PRIu64,
			 u->inodes, d->inodes_hard);
		return -EDQUOT;
	}
	return 0;
}
