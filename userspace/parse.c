// SPDX-License-Identifier: GPL-2.0
/* Parsing of command-line values, strict: no sign, no junk, no overflow. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "linux/ve.h"
#include "parse.h"

int parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int parse_veid(const char *s, uint32_t *id)
{
	return parse_uint(s, 1, VE_ID_MAX, id);
}

int parse_pid(const char *s, uint32_t *pid)
{
	return parse_uint(s, 1, 1U << 22, pid);
}

int parse_signal(const char *s)
{
	uint32_t n;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	if (!strncmp(s, "RTMIN+", 6) && !parse_uint(s + 6, 0, SIGRTMAX - SIGRTMIN, &n))
		return SIGRTMIN + (int)n;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && !strcmp(s, name))
			return sig;
	}
	return parse_uint(s, 1, NSIG - 1, &n) ? -EINVAL : (int)n;
}

bool id_in_list(uint32_t id, char *const *ids, int n)
{
	uint32_t v;

	for (int i = 0; i < n; i++)
		if (!parse_veid(ids[i], &v) && v == id)
			return true;
	return !n;
}

bool hostname_ok(const char *h)
{
	size_t len = strlen(h);

	if (!len || len > 64 || h[0] == '-' || h[0] == '.')
		return false;
	for (; *h; h++)
		if (!(*h >= 'a' && *h <= 'z') && !(*h >= 'A' && *h <= 'Z') &&
		    !(*h >= '0' && *h <= '9') && *h != '-' && *h != '.')
			return false;
	return true;
}
