/* SPDX-License-Identifier: GPL-2.0 */
/* A VE's console: the pty its init gets as /dev/console, and its log. */
#ifndef VECTL_CONSOLE_H
#define VECTL_CONSOLE_H

#include <stddef.h>
#include <sys/types.h>

#include "vectx.h"

#define VE_CONSOLE_LOG_DIR "/var/log/ve"

/* Open a pty; its slave (path in @path) belongs to the VE's root. */
int console_open(const struct vectx *x, char *path, size_t len);

/*
 * Fork the keeper: it holds a slave open (so the console never hangs up
 * while init reopens it), logs what the VE writes to
 * VE_CONSOLE_LOG_DIR/ID.console within CONSOLE_LOG_SIZE and
 * CONSOLE_LOG_RATE, and leaves when @init dies.
 */
void console_keeper(const struct vectx *x, int master, const char *slave_path,
		    pid_t init);

#endif
