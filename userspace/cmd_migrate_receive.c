// SPDX-License-Identifier: GPL-2.0
/*
 * vectl migrate-receive ID STEP: the destination's half of "vectl
 * migrate" (cmd_migrate.c), run over ssh by the source, one step a
 * session, each under the VE's lock here:
 *
 *   --check           exit 0 if the ID is free here (no config, no private
 *                     area), else VECTL_ERR_DEST_EXISTS
 *   --begin           the config on stdin becomes ID.conf.migrating, and
 *                     an empty PRIVATE.migrating/ is made
 *   --data            a tar incremental dump on stdin is unpacked into
 *                     PRIVATE.migrating/ (a second one, what changed
 *                     since, removals too); a broken stream aborts
 *   --dump            (--online, or a suspended VE) a tar stream of the
 *                     VE's checkpoint, or of a pre-copy round of it, is
 *                     unpacked into DUMPDIR/ID.migrating/ (which --begin
 *                     made empty)
 *   --commit [--start|--resume] PRIVATE.migrating becomes PRIVATE,
 *                     ID.conf.migrating is linked as ID.conf, the VE is
 *                     started, or resumed from its dump (now DUMPDIR/ID),
 *                     and the .migrating name goes: that unlink is the
 *                     commit on this node. When the start fails all go
 *                     back to .migrating and the step fails; when this
 *                     step is killed half-way, the next --check, --begin
 *                     or --abort undoes it (the VE stopped if it runs)
 *   --abort           remove what a migration in progress has here (never
 *                     a committed VE)
 *   --state           the exit status says: 10 absent, 11 a migration in
 *                     progress (a commit cut short too), 12 stopped,
 *                     13 running
 *
 * An abandoned migration (the source killed between steps) is cleared by
 * the next --check or --begin of that ID, or by --abort.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "fault.h"
#include "launch.h"
#include "run.h"
#include "veapi.h"

#define CONF_MAX	65536

enum { STATE_ABSENT = 10, STATE_PENDING, STATE_STOPPED, STATE_RUNNING };

struct recv {
	struct vectx x;
	char conf_tmp[PATH_MAX + 16];		/* ID.conf.migrating */
	char private_tmp[PATH_MAX + 16];	/* PRIVATE.migrating */
	char dump[PATH_MAX];			/* DUMPDIR/ID */
	char dump_tmp[PATH_MAX + 16];		/* DUMPDIR/ID.migrating */
};

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* The paths of a migration in progress: the private area's from its config. */
static int pending_paths(struct recv *r)
{
	int rc;

	snprintf(r->conf_tmp, sizeof(r->conf_tmp), "%s.migrating", r->x.conf_path);
	if (exists(r->conf_tmp)) {
		rc = vectx_load_conf(&r->x, r->conf_tmp);
		if (rc)
			return rc;
	}
	snprintf(r->private_tmp, sizeof(r->private_tmp), "%s.migrating", r->x.private_dir);
	if (!ck_dump_dir(&r->x, NULL, r->dump, sizeof(r->dump)))
		return VECTL_ERR_VALUE;
	snprintf(r->dump_tmp, sizeof(r->dump_tmp), "%s.migrating", r->dump);
	return 0;
}

/* Remove a migration in progress; a committed VE is never touched. */
static int abort_pending(struct recv *r)
{
	int err = remove_tree(r->private_tmp);

	if (!err || err == -ENOENT)
		err = remove_tree(r->dump_tmp);
	if (err && err != -ENOENT) {
		vectl_err("migrate %u: cannot remove %s: %s", r->x.id, r->private_tmp,
			  strerror(-err));
		return VECTL_ERR_DEL_PRIVATE;
	}
	if (unlink(r->conf_tmp) && errno != ENOENT) {
		vectl_err("migrate %u: cannot remove %s: %s", r->x.id, r->conf_tmp, strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	return VECTL_OK;
}

/*
 * A commit cut short (its receiver killed in the start or the resume):
 * the config is in place and still has its .migrating name too, the link
 * that marks a commit until the VE runs here.
 */
static bool commit_unfinished(const struct recv *r)
{
	return r->x.exists && exists(r->conf_tmp);
}

/*
 * Undo a commit cut short: the VE stopped (whatever of it the start or
 * restore made) and removed from the module, its dump dropped, the
 * private area and the config back to a migration in progress, which
 * abort_pending() then removes.
 */
static int undo_commit(struct recv *r)
{
	static struct ve_nl nl;
	int rc;

	rc = ve_nl_open(&nl);
	if (rc)
		return vectl_open_error("migrate", rc);
	rc = veapi_running(&nl, r->x.id) > 0 ? launch_stop(&nl, &r->x, true) :
					     launch_cleanup(&r->x, true, false);
	if (!rc)
		veapi_del(&nl, r->x.id);
	ve_nl_close(&nl);
	if (rc)
		return rc;
	ck_discard(&r->x);
	if ((rename(r->x.private_dir, r->private_tmp) && errno != ENOENT) ||
	    unlink(r->x.conf_path)) {
		vectl_err("migrate %u: cannot undo the commit cut short (%s): %s", r->x.id,
			  r->x.private_dir, strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	r->x.exists = false;
	return VECTL_OK;
}

static int check_free(struct recv *r)
{
	if (r->x.exists || exists(r->x.private_dir)) {
		vectl_err("migrate %u: VE %u exists there already (its config or private area %s)",
			  r->x.id, r->x.id, r->x.private_dir);
		return VECTL_ERR_DEST_EXISTS;
	}
	return VECTL_OK;
}

static int begin(struct recv *r)
{
	char why[PATH_MAX + 128], parent[PATH_MAX], *text;
	struct conf c = { 0 };
	size_t got = 0;
	ssize_t n;
	int rc, err;

	text = malloc(CONF_MAX + 1);
	if (!text)
		return VECTL_ERR_SYSTEM;
	while ((n = read(0, text + got, CONF_MAX - got)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (got += n) == CONF_MAX)
			break;
	text[got] = '\0';
	if (n < 0 || got == CONF_MAX || !got || conf_parse(&c, text)) {
		vectl_err("migrate %u: the config sent is empty, too large or unreadable", r->x.id);
		rc = VECTL_ERR_BAD_CONFIG;
		goto out;
	}
	err = mkdir_p(VE_CONF_DIR, 0755);
	if (!err)
		err = conf_save(&c, r->conf_tmp);
	if (err) {
		vectl_err("migrate %u: cannot write %s: %s", r->x.id, r->conf_tmp, strerror(-err));
		rc = VECTL_ERR_SYSTEM;
		goto out;
	}
	/* Where the private area goes is the config's say (VE_PRIVATE), else ours. */
	rc = pending_paths(r);
	if (rc)
		goto out_abort;
	rc = check_free(r);
	if (rc)
		goto out_abort;
	if (vectx_secure_parents(&r->x, why, sizeof(why))) {
		vectl_err("migrate %u: %s", r->x.id, why);
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out_abort;
	}
	remove_tree(r->private_tmp);
	if (mkdir(r->private_tmp, 0700)) {
		vectl_err("migrate %u: cannot create %s: %s", r->x.id, r->private_tmp,
			  strerror(errno));
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out_abort;
	}
	/* A checkpoint (--online) and its pre-copy rounds gather here. */
	snprintf(parent, sizeof(parent), "%s", r->dump);
	*strrchr(parent, '/') = '\0';
	remove_tree(r->dump_tmp);
	if (mkdir_p(parent, 0700) || mkdir(r->dump_tmp, 0700)) {
		vectl_err("migrate %u: cannot create %s: %s", r->x.id, r->dump_tmp,
			  strerror(errno));
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out_abort;
	}
	rc = VECTL_OK;
	goto out;
out_abort:
	abort_pending(r);
out:
	conf_free(&c);
	free(text);
	return rc;
}

static int pending_or_fail(struct recv *r)
{
	if (!exists(r->conf_tmp) || !exists(r->private_tmp)) {
		vectl_err("migrate %u: no migration of VE %u is in progress here (--begin first)",
			  r->x.id, r->x.id);
		return VECTL_ERR_NOCONFIG;
	}
	return VECTL_OK;
}

/*
 * A tar stream on stdin into @dir: the private area, or (@dump) the
 * checkpoint. The private area comes as incremental dumps: a later one
 * also removes what the VE removed since the one before.
 */
static int data(struct recv *r, bool dump)
{
	const char *dir = dump ? r->dump_tmp : r->private_tmp;
	char *tar[] = { "tar", "-C", (char *)dir, "--numeric-owner", "--xattrs",
			"--xattrs-include=*", "-p", "-S", "-xf", "-",
			dump ? NULL : "--listed-incremental=/dev/null", NULL };
	char why[512];
	int rc;

	rc = pending_or_fail(r);
	if (rc)
		return rc;
	rc = run_argv_in(tar, 0, why, sizeof(why));
	fault_point("migrate:received");
	if (rc) {
		/* First clean up: the one to tell may be gone (ssh cut). */
		note_disk_full(dir, why, sizeof(why));
		abort_pending(r);
		vectl_err("migrate %u: the %s did not arrive whole: %s", r->x.id,
			  dump ? "checkpoint" : "private area", why);
		return VECTL_ERR_NEW_PRIVATE;
	}
	return VECTL_OK;
}

/*
 * A stopped VE's dump, if one came (the VE was suspended there), goes
 * into place: it arrives suspended. Else the empty one --begin made goes.
 */
static int place_dump(struct recv *r)
{
	char record[PATH_MAX + 32];
	int err;

	snprintf(record, sizeof(record), "%s/" CK_RECORD, r->dump_tmp);
	if (!exists(record)) {
		err = remove_tree(r->dump_tmp);
		if (err && err != -ENOENT) {
			vectl_err("migrate %u: cannot remove %s: %s", r->x.id, r->dump_tmp,
				  strerror(-err));
			return VECTL_ERR_SYSTEM;
		}
		return VECTL_OK;
	}
	ck_discard(&r->x);
	if (rename(r->dump_tmp, r->dump)) {
		vectl_err("migrate %u: cannot move %s into place: %s", r->x.id, r->dump_tmp,
			  strerror(errno));
		return VECTL_ERR_RESTORE;
	}
	return VECTL_OK;
}

/* The commit on this node: the VE placed (and @running, if it is to). */
static int finish_commit(struct recv *r, bool running)
{
	if (unlink(r->conf_tmp)) {
		vectl_err("migrate %u: cannot remove %s: %s", r->x.id, r->conf_tmp, strerror(errno));
		return VECTL_ERR_SYSTEM;
	}
	fault_point("migrate:committed-here");
	/* In a cluster, the VE is this node's now. */
	cluster_adopt_id("migrate", r->x.id, running);
	return VECTL_OK;
}

/* --commit: @run is "--start", "--resume" or NULL (the VE stays stopped). */
static int commit(struct recv *r, const char *run)
{
	bool resume = run && !strcmp(run, "--resume");
	static struct ve_nl nl;
	int rc, err;

	rc = pending_or_fail(r);
	if (rc)
		return rc;
	rc = check_free(r);
	if (rc)
		return rc;
	if (rename(r->private_tmp, r->x.private_dir)) {
		vectl_err("migrate %u: cannot move %s into place: %s", r->x.id, r->private_tmp,
			  strerror(errno));
		return VECTL_ERR_NEW_PRIVATE;
	}
	/* Linked, not renamed: the .migrating name stays until the VE runs. */
	if (link(r->conf_tmp, r->x.conf_path)) {
		vectl_err("migrate %u: cannot move %s into place: %s", r->x.id, r->conf_tmp,
			  strerror(errno));
		rename(r->x.private_dir, r->private_tmp);
		return VECTL_ERR_SYSTEM;
	}
	r->x.exists = true;
	fault_point("migrate:placed");
	if (!run)
		return place_dump(r) ?: finish_commit(r, false);
	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("migrate", err);
	rc = launch_cleanup(&r->x, false, false);
	if (!rc && resume) {
		/* A dump of a VE that was destroyed here once is no one's. */
		ck_discard(&r->x);
		if (rename(r->dump_tmp, r->dump)) {
			vectl_err("migrate %u: cannot move %s into place: %s", r->x.id,
				  r->dump_tmp, strerror(errno));
			rc = VECTL_ERR_RESTORE;
		} else {
			rc = ck_resume(&nl, &r->x, r->dump);
		}
	} else if (!rc) {
		remove_tree(r->dump_tmp);
		rc = launch_start(&nl, &r->x);
	}
	if (rc) {
		/*
		 * Not started: back to a migration in progress, for the source
		 * to abort, and no kernel object of it left here.
		 */
		veapi_del(&nl, r->x.id);
		if (resume)
			rename(r->dump, r->dump_tmp);
		unlink(r->x.conf_path);
		rename(r->x.private_dir, r->private_tmp);
	} else {
		rc = finish_commit(r, true);
		if (!rc)
			printf("VE %u %s\n", r->x.id, resume ? "resumed" : "started");
	}
	ve_nl_close(&nl);
	return rc;
}

static int state(struct recv *r)
{
	static struct ve_nl nl;
	int running;

	if (!r->x.exists)
		return exists(r->conf_tmp) ? STATE_PENDING : STATE_ABSENT;
	/* Running or not, a commit cut short is not one: the source aborts it. */
	if (commit_unfinished(r))
		return STATE_PENDING;
	if (ve_nl_open(&nl))
		return STATE_STOPPED;
	running = veapi_running(&nl, r->x.id);
	ve_nl_close(&nl);
	return running > 0 ? STATE_RUNNING : STATE_STOPPED;
}

int cmd_migrate_receive(int argc, char **argv)
{
	const char *step = argc >= 3 ? argv[2] : "";
	const char *run = argc == 4 ? argv[3] : NULL;
	struct recv r;
	uint32_t id;
	int rc;

	if (argc < 3 || argc > 4 ||
	    (run && ((strcmp(run, "--start") && strcmp(run, "--resume")) ||
		     strcmp(step, "--commit")))) {
		vectl_err("migrate-receive: usage: vectl %s (run by vectl migrate over ssh)",
			  vectl_find_cmd("migrate-receive")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("migrate-receive", argv[1], &id))
		return VECTL_ERR_VALUE;
	/* A source that hangs up must not stop us before we cleaned up. */
	signal(SIGPIPE, SIG_IGN);
	rc = vectx_open(&r.x, "migrate", id, true);
	if (rc)
		return rc;
	rc = pending_paths(&r);
	if (rc)
		goto out;
	/* A commit cut short is abandoned: the next check, begin or abort undoes it. */
	if (commit_unfinished(&r) && (!strcmp(step, "--check") || !strcmp(step, "--begin") ||
				      !strcmp(step, "--abort"))) {
		rc = undo_commit(&r);
		if (rc)
			goto out;
	}
	if (!strcmp(step, "--check")) {
		rc = check_free(&r);
		if (!rc)
			rc = abort_pending(&r);	/* an abandoned one */
	} else if (!strcmp(step, "--begin")) {
		rc = check_free(&r);
		if (!rc)
			rc = begin(&r);
	} else if (!strcmp(step, "--data") || !strcmp(step, "--dump")) {
		rc = data(&r, !strcmp(step, "--dump"));
	} else if (!strcmp(step, "--commit")) {
		rc = commit(&r, run);
	} else if (!strcmp(step, "--abort")) {
		rc = r.x.exists ? VECTL_OK : abort_pending(&r);
	} else if (!strcmp(step, "--state")) {
		rc = state(&r);
	} else {
		vectl_err("migrate-receive %u: unknown step '%s' (--check, --begin, --data, --dump, --commit [--start|--resume], --abort or --state)",
			  id, step);
		rc = VECTL_ERR_USAGE;
	}
out:
	vectx_close(&r.x);
	return rc;
}
