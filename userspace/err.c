// SPDX-License-Identifier: GPL-2.0
/* One place that decides how vectl reports a failure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "exitcodes.h"

const char *vectl_prog = "vectl";

void vectl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);	/* keep the order of output and error in a pipe */
	fprintf(stderr, "%s: ", vectl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vectl_exit_for_errno(int err)
{
	switch (-err) {
	case 0:
		return VECTL_OK;
	case EPERM:
	case EACCES:
		return VECTL_ERR_PERM;
	case EINVAL:
	case ERANGE:
	case E2BIG:
		return VECTL_ERR_VALUE;
	case EADDRINUSE:
		return VECTL_ERR_IP_INUSE;
	default:
		return VECTL_ERR_SYSTEM;
	}
}

int vectl_open_error(const char *verb, int err)
{
	if (err == -ENOENT) {
		vectl_err("ve: kernel module not loaded (try: modprobe ve)");
		return VECTL_ERR_NOMODULE;
	}
	vectl_err("%s: cannot talk to the ve module: %s", verb, strerror(-err));
	return vectl_exit_for_errno(err);
}
