// SPDX-License-Identifier: GPL-2.0
/*
 * vectl convert ID --layout image
 *
 * Moves a stopped dir VE into an image private area (private.c), with
 * its DISKSPACE and DISKINODES. The other way is not offered: a dir
 * private area has fewer guarantees, not more.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "commands.h"
#include "disk.h"
#include "err.h"
#include "exitcodes.h"
#include "private.h"
#include "veapi.h"

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "layout", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	char why[PATH_MAX + 256];
	static struct ve_nl nl;
	const char *layout = NULL;
	struct disk_limits d;
	struct vectx x;
	uint32_t id;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'l')
			return cmd_bad_option("convert", argv);
		layout = optarg;
	}
	if (optind != argc - 1 || !layout) {
		vectl_err("convert: usage: vectl %s", vectl_find_cmd("convert")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("convert", argv[optind], &id))
		return VECTL_ERR_VALUE;
	if (strcmp(layout, "image")) {
		vectl_err("convert %u: invalid --layout '%s' (only image: a VE moves into an image)",
			  id, layout);
		return VECTL_ERR_VALUE;
	}
	rc = vectx_open(&x, "convert", id, true);
	if (rc)
		return rc;
	if (!x.exists) {
		rc = cluster_no_ve("convert", id);
	} else if (disk_layout(&x) == VE_LAYOUT_IMAGE) {
		vectl_err("convert %u: the private area is an image already", id);
		rc = VECTL_ERR_VALUE;
	} else if (!ve_nl_open(&nl) && veapi_running(&nl, id) > 0) {
		vectl_err("convert %u: VE is running (stop it first: vectl stop %u)", id, id);
		rc = VECTL_ERR_RUNNING;
	} else if (disk_limits_get(&x, &d, why, sizeof(why))) {
		vectl_err("convert %u: %s", id, why);
		rc = VECTL_ERR_BAD_CONFIG;
	} else {
		/* Mounted (vectl mount, or a convert cut short): unmounted first. */
		rc = private_convert(&x, &d);
		if (!rc)
			printf("VE %u converted to an image private area\n", id);
	}
	ve_nl_close(&nl);
	vectx_close(&x);
	return rc;
}
