/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault points for the fault-injection tests. In the test build
 * (userspace/vectl-faults: the same sources with VECTL_FAULTS defined),
 * VECTL_FAULT=NAME kills vectl with SIGKILL when it reaches point NAME,
 * VECTL_FAULT_STOP=NAME stops it there (SIGSTOP: a test holds vectl
 * half-way, acts, then lets it go on with SIGCONT), and
 * VECTL_FAULT_TRACE=FILE appends the name of every point it reaches to
 * FILE. In vectl itself they compile to nothing and read no environment.
 */
#ifndef VECTL_FAULT_H
#define VECTL_FAULT_H

#ifdef VECTL_FAULTS
void fault_point(const char *name);
#else
static inline void fault_point(const char *name)
{
	(void)name;
}
#endif

#endif
