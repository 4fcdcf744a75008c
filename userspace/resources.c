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

#include "linux/ve.h"
#include "resources.h"

const struct res_desc res_table[] = {
	{ "kmemsize", "KMEMSIZE", VE_RES_KMEMSIZE, RES_BYTES },
	{ "lockedpages", "LOCKEDPAGES", VE_RES_LOCKEDPAGES, RES_PAGES },
	{ "privvmpages", "PRIVVMPAGES", VE_RES_PRIVVMPAGES, RES_PAGES },
	{ "shmpages", "SHMPAGES", VE_RES_SHMPAGES, RES_PAGES },
	{ "numproc", "NUMPROC", VE_RES_NUMPROC, RES_COUNT },
	{ "physpages", "PHYSPAGES", VE_RES_PHYSPAGES, RES_PAGES },
	{ "vmguarpages", "VMGUARPAGES", VE_RES_VMGUARPAGES, RES_PAGES },
	{ "oomguarpages", "OOMGUARPAGES", VE_RES_OOMGUARPAGES, RES_PAGES },
	{ "numtcpsock", "NUMTCPSOCK", VE_RES_NUMTCPSOCK, RES_COUNT },
	{ "numflock", "NUMFLOCK", VE_RES_NUMFLOCK, RES_COUNT },
	{ "numpty", "NUMPTY", VE_RES_NUMPTY, RES_COUNT },
	{ "numsiginfo", "NUMSIGINFO", VE_RES_NUMSIGINFO, RES_COUNT },
	{ "tcpsndbuf", "TCPSNDBUF", VE_RES_TCPSNDBUF, RES_BYTES },
	{ "tcprcvbuf", "TCPRCVBUF", VE_RES_TCPRCVBUF, RES_BYTES },
	{ "othersockbuf", "OTHERSOCKBUF", VE_RES_OTHERSOCKBUF, RES_BYTES },
	{ "dgramrcvbuf", "DGRAMRCVBUF", VE_RES_DGRAMRCVBUF, RES_BYTES },
	{ "numothersock", "NUMOTHERSOCK", VE_RES_NUMOTHERSOCK, RES_COUNT },
	{ "dcachesize", "DCACHESIZE", VE_RES_DCACHESIZE, RES_BYTES },
	{ "numfile", "NUMFILE", VE_RES_NUMFILE, RES_COUNT },
	{ "numiptent", "NUMIPTENT", VE_RES_NUMIPTENT, RES_COUNT },
	{ "swappages", "SWAPPAGES", VE_RES_SWAPPAGES, RES_PAGES },
};

const size_t res_count = sizeof(res_table) / sizeof(res_table[0]);

const struct res_desc *res_by_name(const char *name)
{
	for (size_t i = 0; i < res_count; i++)
		if (!strcmp(res_table[i].name, name))
			return &res_table[i];
	return NULL;
}

const struct res_desc *res_by_id(unsigned int id)
{
	for (size_t i = 0; i < res_count; i++)
		if (res_table[i].id == id)
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
