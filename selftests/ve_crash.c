// SPDX-License-Identifier: GPL-2.0
/*
 * An init that crashes: sleeps the given milliseconds (default 500), then
 * faults on a NULL write, as a buggy init would. Used by ve_fault_test as
 * a VE's INIT. Built static: the VE's tree has none of the host's
 * libraries.
 */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	usleep((argc > 1 ? atoi(argv[1]) : 500) * 1000);
	*(volatile int *)NULL = 1;
	return 0;
}
