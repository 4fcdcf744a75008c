// SPDX-License-Identifier: GPL-2.0
/*
 * Run inside a VE by ve_os_test: make sub-cgroups as a VE's root would to
 * defeat the host's tools: a chain of 255-character names as deep as the
 * kernel allows (its path is longer than PATH_MAX), then siblings until
 * the kernel refuses. Prints "depth=D wide=W errno=E" (E: the errno of
 * the last refusal). Built static: the VE has none of the host's libraries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	char name[256];
	int fd = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	int top = dup(fd), depth = 0, wide = 0, err = 0;

	memset(name, 'd', 255);
	name[255] = '\0';
	while (fd >= 0 && depth < 100 && !mkdirat(fd, name, 0755)) {
		int sub = openat(fd, name, O_RDONLY | O_DIRECTORY);

		close(fd);
		fd = sub;
		depth++;
	}
	for (; wide < 100000; wide++) {
		snprintf(name, sizeof(name), "w%d", wide);
		if (mkdirat(top, name, 0755))
			break;
	}
	err = errno;
	printf("depth=%d wide=%d errno=%d\n", depth, wide, err);
	return 0;
}
