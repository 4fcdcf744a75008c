// SPDX-License-Identifier: GPL-2.0
/*
 * Run inside a VE by ve_os_test: as each of uids 1..N in turn, add user
 * keys until the kernel refuses (at most 200 each), as a VE's root would
 * to pin kernel memory. Prints "keys=K errno=E": keys added in all, and
 * the errno of the first refusal (0 if none). Built static: the VE's
 * tree has no libraries of the host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_SPEC_USER_KEYRING	-4

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long keys = 0;
	int first_errno = 0;

	for (int uid = 1; uid <= n; uid++) {
		int p[2], status;
		pid_t pid;

		if (pipe(p))
			return 1;
		pid = fork();
		if (pid == 0) {
			int got = 0, err = 0;
			char desc[32];

			close(p[0]);
			if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
				_exit(2);
			for (int k = 0; k < 200; k++) {
				snprintf(desc, sizeof(desc), "ve-keys-%d", k);
				if (syscall(SYS_add_key, "user", desc, "0123456789abcdef", 16,
					    KEY_SPEC_USER_KEYRING) < 0) {
					err = errno;
					break;
				}
				got++;
			}
			dprintf(p[1], "%d %d\n", got, err);
			_exit(0);
		}
		close(p[1]);
		if (pid > 0) {
			char buf[64] = "";
			int got = 0, err = 0;

			if (read(p[0], buf, sizeof(buf) - 1) > 0 &&
			    sscanf(buf, "%d %d", &got, &err) == 2) {
				keys += got;
				if (err && !first_errno)
					first_errno = err;
			}
			waitpid(pid, &status, 0);
		}
		close(p[0]);
	}
	printf("keys=%ld errno=%d\n", keys, first_errno);
	return 0;
}
