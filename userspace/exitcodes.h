/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vectl's exit codes. They follow vzctl's (include/vzerror.h) wherever
 * vzctl has one for the same failure, so that scripts written for vzctl
 * keep working. Documented in Documentation/vectl.8.
 */
#ifndef VECTL_EXITCODES_H
#define VECTL_EXITCODES_H

enum vectl_exit {
	VECTL_OK		= 0,
	VECTL_ERR_SYSTEM	= 3,	/* generic system error */
	VECTL_ERR_NOMODULE	= 5,	/* the ve kernel module is not loaded */
	VECTL_ERR_PERM		= 12,	/* permission denied */
	VECTL_ERR_USAGE		= 20,	/* invalid command line */
	VECTL_ERR_VALUE		= 21,	/* invalid value for a parameter */
	VECTL_ERR_NOT_RUNNING	= 31,	/* the VE is not running */
	VECTL_ERR_RUNNING	= 32,	/* the VE is running */
};

#endif
