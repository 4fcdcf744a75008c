// SPDX-License-Identifier: GPL-2.0
/* Reading and writing KEY="value" files without losing what we don't know. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

bool conf_key_ok(const char *k)
{
	if (!*k || isdigit((unsigned char)*k))
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return false;
	return true;
}

bool conf_value_ok(const char *v)
{
	return !strpbrk(v, "\"\\$`\n");
}

static int add_line(struct conf *c, char *text, char *key, char *value)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct conf_line *l = realloc(c->lines, cap * sizeof(*l));

		if (!l)
			return -ENOMEM;
		c->lines = l;
		c->cap = cap;
	}
	c->lines[c->n++] = (struct conf_line){ text, key, value };
	return 0;
}

/* Split "KEY=value", "KEY="value"" or "KEY='value'"; false if not that. */
static bool split_line(const char *line, char **key, char **value)
{
	const char *p = line, *eq, *v, *end;
	size_t vlen;

	while (*p == ' ' || *p == '\t')
		p++;
	eq = strchr(p, '=');
	if (!eq || eq == p)
		return false;
	*key = strndup(p, eq - p);
	if (!*key || !conf_key_ok(*key)) {
		free(*key);
		return false;
	}
	v = eq + 1;
	if (*v == '"' || *v == '\'') {
		end = strchr(v + 1, *v);
		if (!end) {
			free(*key);
			return false;
		}
		v++;
		vlen = end - v;
	} else {
		vlen = strcspn(v, " \t#");
	}
	*value = strndup(v, vlen);
	if (!*value) {
		free(*key);
		return false;
	}
	return true;
}

int conf_parse(struct conf *c, const char *text)
{
	const char *p = text;

	memset(c, 0, sizeof(*c));
	while (*p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n), *key = NULL, *value = NULL;

		if (!line)
			return -ENOMEM;
		if (!split_line(line, &key, &value))
			key = value = NULL;
		if (add_line(c, line, key, value)) {
			free(line);
			free(key);
			free(value);
			return -ENOMEM;
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/*
 * Read all of @fd into a new NUL-terminated buffer; its length, or -errno.
 * With read(2) in whole blocks: a config is read per VE by list and
 * status, and stdio's character by character was most of what a list of
 * a thousand VEs cost.
 */
static ssize_t read_text(int fd, char **textp)
{
	size_t len = 0, cap = 4096;
	char *text = malloc(cap), *bigger;
	ssize_t n;

	while (text) {
		if (len + 1 == cap) {
			bigger = realloc(text, cap * 2);
			if (!bigger)
				break;
			text = bigger;
			cap *= 2;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return -errno;
		}
		if (n == 0) {
			text[len] = '\0';
			*textp = text;
			return (ssize_t)len;
		}
		len += (size_t)n;
	}
	free(text);
	return -ENOMEM;
}

int conf_load(struct conf *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	char *text = NULL;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	if (fd < 0)
		return -errno;
	n = read_text(fd, &text);
	close(fd);
	if (n < 0)
		return (int)n;
	/* A NUL in a text file ends it, as it did for stdio's reading. */
	err = conf_parse(c, text);
	free(text);
	return err;
}

void conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->lines[i].text);
		free(c->lines[i].key);
		free(c->lines[i].value);
	}
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

const char *conf_get(const struct conf *c, const char *key)
{
	for (size_t i = c->n; i-- > 0;)
		if (c->lines[i].key && !strcmp(c->lines[i].key, key))
			return c->lines[i].value;
	return NULL;
}

int conf_set(struct conf *c, const char *key, const char *value)
{
	struct conf_line *last = NULL;
	char *v;

	if (!conf_key_ok(key) || (value && !conf_value_ok(value)))
		return -EINVAL;
	for (size_t i = 0; i < c->n; i++) {
		struct conf_line *l = &c->lines[i];

		if (!l->key || strcmp(l->key, key))
			continue;
		if (last) {	/* an earlier duplicate: the last one wins */
			free(last->key);
			free(last->value);
			free(last->text);
			last->key = last->value = last->text = NULL;
		}
		last = l;
	}
	c->dirty = true;
	if (!value) {
		if (last) {
			free(last->key);
			free(last->value);
			free(last->text);
			last->key = last->value = last->text = NULL;
		}
		return 0;
	}
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (last) {
		free(last->value);
		free(last->text);
		last->value = v;
		last->text = NULL;	/* formatted anew */
		return 0;
	}
	{
		char *k = strdup(key);

		if (!k || add_line(c, NULL, k, v)) {
			free(k);
			free(v);
			return -ENOMEM;
		}
	}
	return 0;
}

char *conf_format(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		const struct conf_line *l = &c->lines[i];

		if (l->text)
			fprintf(f, "%s\n", l->text);
		else if (l->key)
			fprintf(f, "%s=\"%s\"\n", l->key, l->value);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int conf_save(const struct conf *c, const char *path)
{
	char tmp[4096];
	char *text = conf_format(c);
	size_t len;
	int fd, err = 0;

	if (!text)
		return -ENOMEM;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		free(text);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd))
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	free(text);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
