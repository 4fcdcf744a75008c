// SPDX-License-Identifier: GPL-2.0
/*
 * vectl destroy ID: remove a stopped VE: its private area, root mount
 * point, cgroup and kernel object. The config is kept as
 * ID.conf.destroyed, as vzctl does, so that nothing is lost by mistake.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "fault.h"
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "image.h"
#include "launch.h"
#include "private.h"
#include "rescue.h"
#include "run.h"

int destroy_locked(struct ve_nl *nl, struct vectx *x, const char *suffix)
{
	char dest[PATH_MAX + 16];
	struct ve_info info;
	int rc, err;

	if (nl) {
		err = veapi_get(nl, x->id, &info);
		if (!err && info.state != VE_STATE_STOPPED) {
			vectl_err("%s %u: VE is running (stop it first: vectl stop %u)", x->verb,
				  x->id, x->id);
			return VECTL_ERR_RUNNING;
		}
		if (!err)
			err = veapi_del(nl, x->id);
		if (err && err != -ENOENT) {
			vectl_err("%s %u: %s", x->verb, x->id, ve_nl_strerror(nl, err));
			return err == -EBUSY ? VECTL_ERR_RUNNING : vectl_exit_for_errno(err);
		}
	}
	fault_point("destroy:deleted");
	rc = launch_cleanup(x, true, false);
	if (rc)
		return rc;
	rc = private_remove(x, x->private_dir);
	if (rc)
		return rc;
	cluster_epoch_remove(x);
	fault_point("destroy:removed");
	rc = rescue_remove(x);
	if (rc)
		return rc;
	rmdir(x->root);
	/* A suspended VE's dump has nothing left to resume. */
	err = ck_discard(x);
	if (err)
		vectl_err("%s %u: warning: cannot remove the VE's dump: %s", x->verb, x->id,
			  strerror(-err));
	if (x->exists) {
		snprintf(dest, sizeof(dest), "%s%s", x->conf_path, suffix);
		if (rename(x->conf_path, dest)) {
			vectl_err("%s %u: cannot move %s aside: %s", x->verb, x->id, x->conf_path,
				  strerror(errno));
			return VECTL_ERR_SYSTEM;
		}
		cluster_release_id(x->verb, x->id);
	}
	return VECTL_OK;
}

int cmd_destroy(int argc, char **argv)
{
	static struct ve_nl nl;
	char dest[PATH_MAX + 16];
	struct vectx x;
	struct stat st;
	uint32_t id;
	int rc, err;

	rc = cmd_one_id("destroy", argc, argv, &id);
	if (rc)
		return rc;
	rc = vectx_open(&x, "destroy", id, true);
	if (rc)
		return rc;
	/*
	 * A create that was killed half-way leaves PRIVATE.partial, and
	 * perhaps its image mounted on the root (no VE of this ID exists to
	 * have mounted anything there).
	 */
	if (!x.exists && private_umount(&x) == VECTL_OK)
		image_forget(&x);
	snprintf(dest, sizeof(dest), "%s.partial", x.private_dir);
	remove_tree(dest);
	/* And a convert cut short, its new image or the old tree. */
	snprintf(dest, sizeof(dest), "%s.image", x.private_dir);
	remove_tree(dest);
	if (!x.exists && stat(x.private_dir, &st)) {
		rc = cluster_no_ve("destroy", id);
		goto out;
	}
	/* Not a private area another node runs the VE from now. */
	rc = x.exists ? cluster_epoch_error("destroy", &x) : 0;
	if (rc)
		goto out;
	err = ve_nl_open(&nl);
	if (err && err != -ENOENT) {
		rc = vectl_open_error("destroy", err);
		goto out;
	}
	/* As vzctl does, the config stays as ID.conf.destroyed: nothing lost by mistake. */
	rc = destroy_locked(err ? NULL : &nl, &x, ".destroyed");
	if (!rc)
		printf("VE %u destroyed\n", id);
	ve_nl_close(&nl);
out:
	vectx_close(&x);
	return rc;
}
