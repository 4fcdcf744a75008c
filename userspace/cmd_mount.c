// SPDX-License-Identifier: GPL-2.0
/*
 * vectl mount ID    mount the private area on the VE root
 * vectl umount ID   undo it (refused while the VE runs)
 */
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "private.h"

static int run(const char *verb, int argc, char **argv)
{
	static struct ve_nl nl;
	bool mount = !strcmp(verb, "mount");
	struct vectx x;
	uint32_t id;
	int rc;

	rc = cmd_one_id(verb, argc, argv, &id);
	if (rc)
		return rc;
	rc = vectx_open(&x, verb, id, true);
	if (rc)
		return rc;
	if (!x.exists) {
		rc = cluster_no_ve(verb, id);
	} else if (mount == path_is_mountpoint(x.root)) {
		vectl_err("%s %u: private area is %s mounted", verb, id, mount ? "already" : "not");
		rc = mount ? VECTL_ERR_MOUNTED : VECTL_ERR_NOT_MOUNTED;
	} else if (mount) {
		rc = private_mount(&x);
	} else if (!ve_nl_open(&nl) && veapi_running(&nl, id) > 0) {
		vectl_err("umount %u: VE is running (stop it first: vectl stop %u)", id, id);
		rc = VECTL_ERR_RUNNING;
	} else {
		rc = private_umount(&x);
	}
	ve_nl_close(&nl);
	vectx_close(&x);
	return rc;
}

int cmd_mount(int argc, char **argv)
{
	return run("mount", argc, argv);
}

int cmd_umount(int argc, char **argv)
{
	return run("umount", argc, argv);
}
