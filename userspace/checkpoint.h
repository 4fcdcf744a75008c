/* SPDX-License-Identifier: GPL-2.0 */
/* Checkpoint and restore of a VE with criu; see checkpoint.c. */
#ifndef VECTL_CHECKPOINT_H
#define VECTL_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "vectx.h"
#include "veapi.h"

#define VE_DEF_DUMPDIR	"/var/lib/ve/dump"
/* vectl's record in a dump directory, written once criu's images are. */
#define CK_RECORD	"ve-dump"

/*
 * The dump directory of VE @x: @given (--dumpfile), else DUMPDIR/ID.
 * Fails (false, said) when it does not fit.
 */
bool ck_dump_dir(const struct vectx *x, const char *given, char *buf, size_t len);

/* Does VE @x have a dump at DUMPDIR/ID (its own, or a link to --dumpfile's)? */
bool ck_suspended(const struct vectx *x);

/*
 * Pre-copy round @round (from 1) of running VE @x's memory into
 * @dir/preROUND (round 1 makes @dir afresh): criu pre-dump, what changed
 * since the round before; the VE runs on. The bytes of the round, or
 * -(exit code), said.
 */
long long ck_predump(struct ve_nl *nl, struct vectx *x, const char *dir, int round);

/*
 * Checkpoint running VE @x into @dir with criu, which kills it, then
 * take down what it had on the host, as a stop does. After @rounds
 * pre-dump rounds in @dir only what changed since the last is dumped.
 * The VE runs on if the checkpoint fails. Exit code, said.
 */
int ck_suspend(struct ve_nl *nl, struct vectx *x, const char *dir, int rounds);

/*
 * Restore stopped VE @x from @dir: its host side made as at start, criu
 * restores the tasks, the module binds them before the first one runs.
 * The dump goes when the VE runs. Exit code, said.
 */
int ck_resume(struct ve_nl *nl, struct vectx *x, const char *dir);

/* Remove VE @x's dump (DUMPDIR/ID, and where it links to): 0 or -errno. */
int ck_discard(const struct vectx *x);

#endif
