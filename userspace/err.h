/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VECTL_ERR_H
#define VECTL_ERR_H

/* Print "vectl: <message>" as one line on stderr. */
void vectl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The name vectl_err() puts first: "vectl", or "ved" in the node agent. */
extern const char *vectl_prog;

/*
 * Report a failed ve_nl_open() for @verb: a missing module has its own
 * message and exit code. Returns the exit code.
 */
int vectl_open_error(const char *verb, int err);

/* Map a negative errno from the kernel to vectl's exit code. */
int vectl_exit_for_errno(int err);

#endif
