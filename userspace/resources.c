// SPDX-License-Identifier: GPL-2.0
/* The beancounter resources by name, and their values. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/ve_names.h"
#include "linux/ve.h"
#include "resources.h"

static struct res_desc table[VE_RES_MAX + 1];
static char keys[VE_RES_MAX + 1][16];
const struct res_desc *const res_table = table;
size_t res_count;

/*
 * The table comes from the spec's names: the config key is the name in
 * capitals, and the unit follows OpenVZ's naming ("...pages" count pages,
 * "num..." count objects, the rest bytes).
 */
__attribute__((constructor)) static void res_table_build(void)
{
	static const char *const names[VE_RES_MAX + 1] = VE_RESOURCE_NAMES;

	for (unsigned int id = 0; id <= VE_RES_MAX; id++) {
		const char *name = names[id];
		size_t len = name ? strlen(name) : 0;
		struct res_desc *d = &table[res_count];

		if (!name)
			continue;
		for (size_t i = 0; i <= len && i < sizeof(keys[id]); i++)
			keys[id][i] = (char)toupper((unsigned char)name[i]);
		keys[id][sizeof(keys[id]) - 1] = '\0';
		d->name = name;
		d->key = keys[id];
		d->id = id;
		if (len > 5 && !strcmp(name + len - 5, "pages"))
			d->unit = RES_PAGES;
		else if (!strncmp(name, "num", 3))
			d->unit = RES_COUNT;
		else
			d->unit = RES_BYTES;
		res_count++;
	}
}

const struct res_desc *res_by_name(const char *name)
{
	for (size_t i = 0; i < res_count; i++)
		if (!strcmp(res_table[i].name, name))
			return &res_table[i];
	return NULL;
}

uint64_t res_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

static int parse_one(const char *s, size_t len, enum res_unit unit, uint64_t *out)
{
	static const char suffixes[] = "KMGTP";
	unsigned long long v;
	char num[32];
	const char *sfx;
	char *end;
	int shift;

	if (len == 9 && !strncasecmp(s, "unlimited", 9)) {
		*out = VE_RES_UNLIMITED;
		return 0;
	}
	if (!len || len >= sizeof(num) || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	v = strtoull(num, &end, 10);
	if (errno)
		return -ERANGE;
	if (!*end) {
		*out = v;
		return *out == VE_RES_UNLIMITED ? -ERANGE : 0;
	}
	sfx = strchr(suffixes, toupper((unsigned char)*end));
	if (!sfx || end[1])
		return -EINVAL;
	shift = 10 * (int)(sfx - suffixes + 1);
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (unit == RES_PAGES)
		v = (v + res_page_size() - 1) / res_page_size();
	else if (unit == RES_KBLOCKS)
		v = (v + 1023) >> 10;
	*out = v;
	return 0;
}

int res_parse(const char *s, enum res_unit unit, uint64_t *barrier, uint64_t *limit)
{
	size_t n = strcspn(s, ":");
	int err;

	err = parse_one(s, n, unit, barrier);
	if (err)
		return err;
	if (!s[n]) {
		*limit = *barrier;
		return 0;
	}
	err = parse_one(s + n + 1, strlen(s + n + 1), unit, limit);
	if (err)
		return err;
	return *limit < *barrier ? -EDOM : 0;
}

static void format_one(uint64_t v, char *buf, size_t len)
{
	if (v == VE_RES_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

void res_format(uint64_t barrier, uint64_t limit, char *buf, size_t len)
{
	char b[24], l[24];

	format_one(barrier, b, sizeof(b));
	format_one(limit, l, sizeof(l));
	snprintf(buf, len, "%s:%s", b, l);
}
