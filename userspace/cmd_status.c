// SPDX-License-Identifier: GPL-2.0
/*
 * vectl status ID: vzctl's one line,
 *   CTID 101 exist mounted running
 * with "deleted", "unmounted" and "down" in those places. A VE exists
 * when its private area does. Works without the module (then "down").
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "rescue.h"
#include "vectx.h"
#include "veapi.h"

int cmd_status(int argc, char **argv)
{
	static struct ve_nl nl;
	bool running = false;
	struct vectx x;
	struct stat st;
	uint32_t id;
	int rc;

	rc = cmd_one_id("status", argc, argv, &id);
	if (rc)
		return rc;
	rc = vectx_open(&x, "status", id, false);
	if (rc)
		return rc;
	if (!ve_nl_open(&nl)) {
		running = veapi_running(&nl, id) > 0;
		ve_nl_close(&nl);
	}
	/*
	 * vzctl's word for a VE whose dump waits for a resume comes last;
	 * so does "rescue" for one in rescue mode (running its rescue system
	 * or not).
	 */
	printf("CTID %u %s %s %s%s%s\n", id,
	       !stat(x.private_dir, &st) && S_ISDIR(st.st_mode) ? "exist" : "deleted",
	       path_is_mountpoint(x.root) ? "mounted" : "unmounted",
	       running ? "running" : "down", !running && ck_suspended(&x) ? " suspended" : "",
	       rescue_active(&x) ? " rescue" : "");
	vectx_close(&x);
	return VECTL_OK;
}
