// SPDX-License-Identifier: GPL-2.0
/* Snapshots of image private areas (see snapshot.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "image.h"
#include "run.h"
#include "snapshot.h"

bool snapshot_id_ok(const char *id)
{
	if (strlen(id) != SNAPSHOT_ID_LEN)
		return false;
	for (int i = 0; i < SNAPSHOT_ID_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? id[i] != '-' :
		    !isxdigit((unsigned char)id[i]))
			return false;
	return true;
}

bool snapshot_name_ok(const char *name)
{
	if (strlen(name) > SNAPSHOT_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (!isprint((unsigned char)*p) || strchr("\"\\$`", *p))
			return false;
	return true;
}

static void new_id(char id[SNAPSHOT_ID_LEN + 1])
{
	unsigned char b[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	b[6] = (b[6] & 0x0f) | 0x40;	/* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(id, SNAPSHOT_ID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}

static void snap_path(const struct vectx *x, const char *id, const char *ext, char *buf,
		      size_t len)
{
	/* A private path that long fails at open: an empty path does not exist. */
	if (snprintf(buf, len, "%s/snapshots%s%s%s", x->private_dir, id ? "/" : "", id ? id : "",
		     ext) >= (int)len)
		buf[0] = '\0';
}

/* Copy file @from to @to (new, 0600) and fsync it; 0 or -errno with @why. */
static int copy_to(const char *from, const char *to, char *why, size_t len)
{
	int in, out, err;

	unlink(to);
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		snprintf(why, len, "cannot copy %s to %s: %s", from, to, strerror(errno));
		if (in >= 0)
			close(in);
		return err;
	}
	err = copy_file_sparse(in, out);
	if (!err && fsync(out))
		err = -errno;
	close(in);
	close(out);
	if (err) {
		snprintf(why, len, "cannot copy %s to %s: %s", from, to, strerror(-err));
		unlink(to);
	}
	return err;
}

/* What snapshots that were killed half-way left. */
static void drop_partials(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 8 && !strcmp(e->d_name + n - 8, ".partial") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	if (d)
		closedir(d);
}

int snapshot_take(const struct vectx *x, char id[SNAPSHOT_ID_LEN + 1], const char *name,
		  char *why, size_t len)
{
	char img[PATH_MAX], dir[PATH_MAX + 64], file[PATH_MAX + 64], part[PATH_MAX + 64], date[32];
	struct conf info = { 0 };
	struct stat st;
	int root = -1, err;

	if (!*id)
		new_id(id);
	image_path(x->private_dir, img, sizeof(img));
	snap_path(x, NULL, "", dir, sizeof(dir));
	snap_path(x, id, ".img", file, sizeof(file));
	if (!stat(file, &st)) {
		snprintf(why, len, "snapshot %s exists", id);
		return -EEXIST;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "cannot create %s: %s", dir, strerror(errno));
		return err;
	}
	drop_partials(dir);
	/*
	 * A mounted image is copied with its filesystem frozen: everything
	 * written is on the image, and nothing is written while it is read.
	 * The VE's writers wait that long.
	 */
	if (path_is_mountpoint(x->root)) {
		root = open(x->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 || (ioctl(root, FIFREEZE, 0) && errno != EBUSY)) {
			err = -errno;
			snprintf(why, len, "cannot freeze the VE's filesystem: %s", strerror(errno));
			if (root >= 0)
				close(root);
			return err;
		}
	}
	fault_point("snapshot:frozen");
	snap_path(x, id, ".img.partial", part, sizeof(part));
	err = copy_to(img, part, why, len);
	if (root >= 0) {
		ioctl(root, FITHAW, 0);
		close(root);
	}
	if (!err && rename(part, file)) {
		err = -errno;
		snprintf(why, len, "cannot rename %s: %s", part, strerror(errno));
		unlink(part);
	}
	if (err)
		return err;
	snprintf(date, sizeof(date), "%lld", (long long)time(NULL));
	snap_path(x, id, ".conf", part, sizeof(part));
	if (conf_set(&info, "NAME", name) || conf_set(&info, "DATE", date) ||
	    (err = conf_save(&info, part))) {
		err = err ? err : -ENOMEM;
		snprintf(why, len, "cannot write %s: %s", part, strerror(-err));
		unlink(file);
	}
	conf_free(&info);
	return err;
}

static int by_date(const void *a, const void *b)
{
	const struct snapshot *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	/* Taken in the same second: their images' times tell. */
	if (x->order_ns != y->order_ns)
		return x->order_ns < y->order_ns ? -1 : 1;
	return strcmp(x->id, y->id);
}

int snapshot_list(const struct vectx *x, struct snapshot **v)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 64];
	struct snapshot *s = NULL;
	struct dirent *e;
	int n = 0, cap = 0;
	DIR *d;

	*v = NULL;
	snap_path(x, NULL, "", dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		struct conf info = { 0 };
		const char *dot = strchr(e->d_name, '.');
		struct stat st;

		if (!dot || strcmp(dot, ".conf") || dot - e->d_name != SNAPSHOT_ID_LEN)
			continue;
		if (n == cap) {
			struct snapshot *more = realloc(s, sizeof(*s) * (cap = cap ? cap * 2 : 8));

			if (!more) {
				free(s);
				closedir(d);
				return -ENOMEM;
			}
			s = more;
		}
		memset(&s[n], 0, sizeof(s[n]));
		memcpy(s[n].id, e->d_name, SNAPSHOT_ID_LEN);
		snap_path(x, s[n].id, ".img", path, sizeof(path));
		if (!snapshot_id_ok(s[n].id) || stat(path, &st))
			continue;
		s[n].bytes = (uint64_t)st.st_blocks * 512;
		s[n].order_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		snap_path(x, s[n].id, ".conf", path, sizeof(path));
		if (!conf_load(&info, path)) {
			const char *name = conf_get(&info, "NAME"), *date = conf_get(&info, "DATE");

			snprintf(s[n].name, sizeof(s[n].name), "%s", name ? name : "");
			s[n].date = date ? (time_t)strtoll(date, NULL, 10) : 0;
		}
		conf_free(&info);
		n++;
	}
	closedir(d);
	qsort(s, (size_t)n, sizeof(*s), by_date);
	*v = s;
	return n;
}

int snapshot_switch(const struct vectx *x, const char *id, char *why, size_t len)
{
	char img[PATH_MAX], file[PATH_MAX + 64], tmp[PATH_MAX + 16];
	struct stat st;
	int err;

	snap_path(x, id, ".img", file, sizeof(file));
	if (stat(file, &st)) {
		snprintf(why, len, "no snapshot %s (see vectl snapshot-list %u)", id, x->id);
		return -ENOENT;
	}
	image_path(x->private_dir, img, sizeof(img));
	snprintf(tmp, sizeof(tmp), "%s.switch", img);
	err = copy_to(file, tmp, why, len);
	if (!err && rename(tmp, img)) {
		err = -errno;
		snprintf(why, len, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
	return err;
}

int snapshot_delete(const struct vectx *x, const char *id, char *why, size_t len)
{
	char file[PATH_MAX + 64];

	snap_path(x, id, ".img", file, sizeof(file));
	if (unlink(file)) {
		int err = -errno;

		snprintf(why, len, errno == ENOENT ? "no snapshot %s (see vectl snapshot-list %u)" :
			 "cannot delete snapshot %s of VE %u", id, x->id);
		return err;
	}
	snap_path(x, id, ".conf", file, sizeof(file));
	unlink(file);
	return 0;
}
