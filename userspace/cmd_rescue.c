// SPDX-License-Identifier: GPL-2.0
/*
 * vectl rescue ID          start the VE's rescue system (rescue.h), its
 *                          own private area at /mnt/rescue
 * vectl rescue ID --exit   stop the rescue system; the VE is its own again
 *                          (stopped: vectl start starts it)
 *
 * Refused while the VE runs its own system or is suspended: its files
 * are in use, or its processes wait in a dump for them as they are.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "checkpoint.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "rescue.h"

static int enter(struct ve_nl *nl, struct vectx *x, bool running)
{
	bool made = false;
	int rc;

	if (running) {
		if (rescue_active(x))
			vectl_err("rescue %u: VE is already in rescue mode", x->id);
		else
			vectl_err("rescue %u: VE is running (stop it first: vectl stop %u)",
				  x->id, x->id);
		return VECTL_ERR_RUNNING;
	}
	if (ck_suspended(x)) {
		vectl_err("rescue %u: VE is suspended: resume it with vectl resume %u, or drop its saved state with vectl stop %u",
			  x->id, x->id, x->id);
		return VECTL_ERR_RESTORE;
	}
	/* What a dead init or a killed vectl left (the cgroup) goes first. */
	rc = launch_cleanup(x, false, false);
	if (rc)
		return rc;
	/* A rescue system stopped earlier is started again, as it was left. */
	if (!rescue_active(x)) {
		rc = rescue_make(x);
		if (rc)
			return rc;
		made = true;
	}
	rc = launch_start(nl, x);
	if (rc && made)
		rescue_remove(x);
	return rc;
}

static int leave(struct ve_nl *nl, struct vectx *x, bool running)
{
	int rc;

	if (!rescue_active(x)) {
		vectl_err("rescue %u: VE is not in rescue mode", x->id);
		return VECTL_ERR_RESCUE;
	}
	if (running) {
		rc = launch_stop(nl, x, false);
		if (rc)
			return rc;
	}
	return rescue_remove(x);
}

int cmd_rescue(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "exit", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ve_nl nl;
	bool do_exit = false, running;
	struct vectx x;
	uint32_t id;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'x')
			return cmd_bad_option("rescue", argv);
		do_exit = true;
	}
	if (optind != argc - 1) {
		vectl_err("rescue: usage: vectl %s", vectl_find_cmd("rescue")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("rescue", argv[optind], &id))
		return VECTL_ERR_VALUE;
	rc = ve_nl_open(&nl);
	if (rc)
		return vectl_open_error("rescue", rc);
	rc = launch_open(&nl, &x, "rescue", id, &running);
	if (!rc) {
		rc = do_exit ? leave(&nl, &x, running) : enter(&nl, &x, running);
		vectx_close(&x);
	}
	ve_nl_close(&nl);
	if (!rc && do_exit)
		printf("VE %u left rescue mode (stopped; vectl start %u starts its own system)\n",
		       id, id);
	else if (!rc)
		printf("VE %u started in rescue mode: its own files are at /%s (vectl rescue %u --exit ends it)\n",
		       id, RESCUE_MOUNT, id);
	return rc;
}
