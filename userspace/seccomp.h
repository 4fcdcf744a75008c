/* SPDX-License-Identifier: GPL-2.0 */
/* The syscall filter of a VE's processes; see seccomp.c. */
#ifndef VECTL_SECCOMP_H
#define VECTL_SECCOMP_H

#include <stdbool.h>

#include "vectx.h"

/* Does @x's config let its processes use the kernel keyrings? */
bool ve_keyring_allowed(const struct vectx *x);

/*
 * Put the calling process (the VE's init, or one joining the VE, as root
 * of its user namespace) under the VE's filter: add_key, request_key and
 * keyctl fail with EPERM, unless KEYRING_SYSCALLS="allow". 0 or -errno.
 */
int ve_seccomp_install(const struct vectx *x);

#endif
