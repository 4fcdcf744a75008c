/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of command-line values, shared by the verbs. */
#ifndef VECTL_PARSE_H
#define VECTL_PARSE_H

#include <stdint.h>

/* A VE ID, 1..2^31-1. Returns 0 or -EINVAL. */
int parse_veid(const char *s, uint32_t *id);

/* A pid, 1..2^22. Returns 0 or -EINVAL. */
int parse_pid(const char *s, uint32_t *pid);

/* A signal: "PWR", "SIGTERM", "RTMIN+3" or a number. Returns it or -EINVAL. */
int parse_signal(const char *s);

#endif
