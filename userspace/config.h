/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vzctl-style configuration files: KEY="value" lines. Reading keeps every
 * line, so that writing back preserves comments, blank lines and keys vectl
 * does not know; only the keys that were set change.
 */
#ifndef VECTL_CONFIG_H
#define VECTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct conf_line {
	char *text;	/* the line as read, without '\n'; NULL once replaced */
	char *key;	/* NULL for comments, blank and unparsable lines */
	char *value;	/* unquoted */
};

struct conf {
	struct conf_line *lines;
	size_t n, cap;
	bool dirty;
};

/* Read @path into @c. A missing file gives an empty config and -ENOENT. */
int conf_load(struct conf *c, const char *path);
/* Parse @text (the contents of a file) into @c. */
int conf_parse(struct conf *c, const char *text);
void conf_free(struct conf *c);

/* The value of the last line setting @key, or NULL. */
const char *conf_get(const struct conf *c, const char *key);
/*
 * Set @key to @value (NULL removes it). Values cannot hold '"', '\\', '$',
 * '`' or a newline: the file is also read by shell scripts. Returns 0 or
 * -EINVAL.
 */
int conf_set(struct conf *c, const char *key, const char *value);

/* The file's text as it would be written; caller frees. */
char *conf_format(const struct conf *c);
/* Write atomically (temporary file, fsync, rename), mode 0644. */
int conf_save(const struct conf *c, const char *path);

/* Whether @v is a valid value, and whether @k is a valid key name. */
bool conf_value_ok(const char *v);
bool conf_key_ok(const char *k);

#endif
