// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the kernel's own files from inside ve.ko: a private, internal
 * mount of procfs and one of the cgroup v2 hierarchy, made at load, and a
 * helper that reads a whole file of either.
 *
 * The VE views (vproc.c) start from what the kernel itself shows: the real
 * /proc/meminfo with the VE's lines replaced, the real /proc/cpuinfo with
 * the VE's CPUs only, a VE cgroup's memory.stat and cpu.stat. The private
 * statistics behind those files (memcg_page_state(), the rstat flush) are
 * not exported; the files are, through the VFS, on every kernel ve
 * supports, and their formats are ABI.
 *
 * The mounts belong to the namespaces of the task that loaded ve.ko (the
 * host's): the proc mount shows the host's pid namespace, the cgroup one
 * the host's cgroup namespace, whose paths cgroup_path_ns() gives. They
 * are internal (kern_unmount() at unload), in no mount namespace, so no
 * process can reach them. What the module reads for itself it opens with
 * the kernel's credentials: such a file is not the reader's, so it is
 * charged to no VE and no VE's limit (numfile) can keep a view from being
 * made. The real file a host reader gets (ve_kfile_open_proc()) is opened
 * with that reader's own.
 */
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/path.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>

#include "kfile.h"

static struct vfsmount *ve_proc_mnt;
static struct vfsmount *ve_cgroup_mnt;
static struct cgroup_namespace *ve_cgroup_ns;
static const struct cred *ve_kfile_cred;

/*
 * The /proc files read often, looked up once: opening them by dentry
 * skips a path walk on every read of a VE's view.
 */
static const char *const ve_proc_files[] = {
	"meminfo", "cpuinfo", "stat", "loadavg", "uptime", "swaps",
};

static struct path ve_proc_paths[ARRAY_SIZE(ve_proc_files)];

static struct vfsmount *ve_kern_mount(const char *type)
{
	struct file_system_type *fs = get_fs_type(type);
	struct vfsmount *mnt;

	if (!fs)
		return ERR_PTR(-ENODEV);
	/*
	 * proc and cgroup2 are built in: the reference get_fs_type() took is
	 * on no module, and put_filesystem() is not exported to drop it.
	 */
	mnt = vfs_kern_mount(fs, SB_KERNMOUNT, type, NULL);
	return mnt;
}

int __init ve_kfile_init(void)
{
	ve_kfile_cred = prepare_kernel_cred(&init_task);
	if (!ve_kfile_cred)
		return -ENOMEM;
	ve_proc_mnt = ve_kern_mount("proc");
	if (IS_ERR(ve_proc_mnt)) {
		put_cred(ve_kfile_cred);
		return PTR_ERR(ve_proc_mnt);
	}
	ve_cgroup_mnt = ve_kern_mount("cgroup2");
	if (IS_ERR(ve_cgroup_mnt)) {
		kern_unmount(ve_proc_mnt);
		put_cred(ve_kfile_cred);
		return PTR_ERR(ve_cgroup_mnt);
	}
	/* Pinned by the loader's nsproxy while we take our reference. */
	ve_cgroup_ns = current->nsproxy->cgroup_ns;
	get_cgroup_ns(ve_cgroup_ns);
	for (size_t i = 0; i < ARRAY_SIZE(ve_proc_files); i++) {
		struct path root = { .mnt = ve_proc_mnt, .dentry = ve_proc_mnt->mnt_root };
		/* vfs_path_lookup() is not declared for modules on 6.1. */
		struct file *file = file_open_root(&root, ve_proc_files[i], O_PATH, 0);

		if (IS_ERR(file)) {
			ve_kfile_uninit();
			return PTR_ERR(file);
		}
		ve_proc_paths[i] = file->f_path;
		path_get(&ve_proc_paths[i]);
		fput(file);
	}
	return 0;
}

void ve_kfile_uninit(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(ve_proc_paths); i++)
		path_put(&ve_proc_paths[i]);	/* a no-op on an unset one */
	put_cgroup_ns(ve_cgroup_ns);
	kern_unmount(ve_cgroup_mnt);
	kern_unmount(ve_proc_mnt);
	put_cred(ve_kfile_cred);
}

/* Read all of @file into a new buffer and put @file; its length, or -errno. */
static ssize_t ve_kfile_read_file(struct file *file, char **bufp)
{
	size_t size = 0, len = 0;
	char *buf = NULL, *bigger;
	loff_t pos = 0;
	ssize_t n;

	for (;;) {
		/* Keep room for a terminating NUL. */
		if (len + 1 >= size) {
			n = -EFBIG;
			if (size >= VE_KFILE_MAX)
				break;
			n = -ENOMEM;
			bigger = kvmalloc(size ? 2 * size : PAGE_SIZE, GFP_KERNEL);
			if (!bigger)
				break;
			if (buf)
				memcpy(bigger, buf, len);
			kvfree(buf);
			buf = bigger;
			size = size ? 2 * size : PAGE_SIZE;
		}
		n = kernel_read(file, buf + len, size - 1 - len, &pos);
		if (n <= 0)
			break;
		len += n;
	}
	fput(file);
	if (n < 0) {
		kvfree(buf);
		return n;
	}
	buf[len] = '\0';
	*bufp = buf;
	return len;
}

static ssize_t ve_kfile_read(struct vfsmount *mnt, const char *name, char **bufp)
{
	struct path root = { .mnt = mnt, .dentry = mnt->mnt_root };
	const struct cred *old;
	struct file *file;

	old = override_creds(ve_kfile_cred);
	file = file_open_root(&root, name, O_RDONLY | O_LARGEFILE, 0);
	revert_creds(old);
	if (IS_ERR(file))
		return PTR_ERR(file);
	return ve_kfile_read_file(file, bufp);
}

static struct file *ve_kfile_open_proc_as(const char *name, const struct cred *cred)
{
	for (size_t i = 0; i < ARRAY_SIZE(ve_proc_files); i++)
		if (!strcmp(name, ve_proc_files[i]))
			return dentry_open(&ve_proc_paths[i], O_RDONLY | O_LARGEFILE, cred);
	return ERR_PTR(-ENOENT);
}

struct file *ve_kfile_open_proc(const char *name)
{
	return ve_kfile_open_proc_as(name, current_cred());
}

ssize_t ve_kfile_proc(const char *name, char **bufp)
{
	struct file *file = ve_kfile_open_proc_as(name, ve_kfile_cred);

	if (IS_ERR(file))
		return PTR_ERR(file);
	return ve_kfile_read_file(file, bufp);
}

ssize_t ve_kfile_cgroup(struct cgroup *cgrp, const char *name, char **bufp)
{
	char *path;
	ssize_t ret;
	int len;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	len = cgroup_path_ns(cgrp, path, PATH_MAX, ve_cgroup_ns);
	ret = -ENAMETOOLONG;
	if (len >= 0 && len + strlen(name) + 2 < PATH_MAX) {
		/* Relative to the mount's root, which is the namespace's. */
		strcat(path, "/");
		strcat(path, name);
		ret = ve_kfile_read(ve_cgroup_mnt, path[1] == '/' ? path + 2 : path + 1,
				    bufp);
	} else if (len < 0) {
		ret = len;
	}
	kfree(path);
	return ret;
}
