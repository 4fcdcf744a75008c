/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OS templates: NAME.tar.gz, NAME.tar.xz or a directory NAME/ under the
 * template dir, unpacked into a private area with owners shifted into the
 * VE's uid range.
 */
#ifndef VECTL_TEMPLATE_H
#define VECTL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Find template @name in @dir. Returns 0 or -ENOENT/-EINVAL (bad name). */
int tmpl_resolve(const char *dir, const char *name, char *path, size_t len,
		 bool *is_dir);

/*
 * Unpack @path into the new directory @dest (which must not exist), owners
 * shifted by @base, device nodes dropped. On failure @dest is removed and
 * @why says why.
 */
int tmpl_unpack(const char *path, bool is_dir, const char *dest, uid_t base,
		char *why, size_t len);

/*
 * Unpack @path into the existing directory @dest (an image's root), owners
 * shifted by @base; on failure @dest keeps what was unpacked.
 */
int tmpl_fill(const char *path, bool is_dir, const char *dest, uid_t base,
	      char *why, size_t len);

/*
 * The other way, for a tree copied into an image: owners in the VE's
 * range from @base back to 0..65535, any other owner to the overflow id
 * (what the VE saw), set-id bits kept, v3 capabilities rooted in the VE
 * back to v2. 0, or -errno with @why.
 */
int tmpl_unshift(const char *dest, uid_t base, char *why, size_t len);

#endif
