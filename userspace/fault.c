// SPDX-License-Identifier: GPL-2.0
/* Fault points of the test build; see fault.h. */
#ifdef VECTL_FAULTS
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

void fault_point(const char *name)
{
	const char *trace = getenv("VECTL_FAULT_TRACE");
	const char *fault = getenv("VECTL_FAULT");
	const char *pause = getenv("VECTL_FAULT_STOP");

	if (trace && *trace) {
		int fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dprintf(fd, "%s\n", name);
			close(fd);
		}
	}
	if (fault && !strcmp(fault, name))
		kill(getpid(), SIGKILL);
	if (pause && !strcmp(pause, name))
		kill(getpid(), SIGSTOP);
}
#else
/* ISO C wants something in a translation unit. */
typedef int vectl_no_faults;
#endif
