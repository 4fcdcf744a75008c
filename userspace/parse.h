/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of command-line values, shared by the verbs. */
#ifndef VECTL_PARSE_H
#define VECTL_PARSE_H

#include <stdint.h>

#include <stdbool.h>

/* A decimal number in [@min, @max]: no sign, no junk. 0 or -EINVAL. */
int parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* A VE ID, 1..2^31-1. Returns 0 or -EINVAL. */
int parse_veid(const char *s, uint32_t *id);

/* A pid, 1..2^22. Returns 0 or -EINVAL. */
int parse_pid(const char *s, uint32_t *pid);

/* A signal: "PWR", "SIGTERM", "RTMIN+3" or a number. Returns it or -EINVAL. */
int parse_signal(const char *s);

/* Whether VE @id is among the @n ID arguments @ids (all are, when @n is 0). */
bool id_in_list(uint32_t id, char *const *ids, int n);

/* Whether @h is a valid hostname (letters, digits, '-', '.'; <= 64). */
bool hostname_ok(const char *h);

#endif
