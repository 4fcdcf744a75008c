// SPDX-License-Identifier: GPL-2.0
/* vectl: manage ve virtual environments. Parses the verb and dispatches. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "parse.h"
#include "vectx.h"

static void usage(FILE *f)
{
	fputs("usage: vectl [--wait SECONDS] COMMAND [ARGS]\n"
	      "  --wait SECONDS  how long to wait for a VE another vectl is busy with\n"
	      "                  (default: LOCK_WAIT in ve.conf, 60; 0 fails at once)\n"
	      "commands:\n", f);
	for (const struct vectl_cmd *c = vectl_cmds; c->name; c++)
		fprintf(f, "  vectl %s\n", c->usage);
}

int main(int argc, char **argv)
{
	const struct vectl_cmd *cmd;

	if (argc < 2) {
		usage(stderr);
		return VECTL_ERR_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return VECTL_OK;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	if (!strcmp(argv[1], "--wait") || !strncmp(argv[1], "--wait=", 7)) {
		const char *v = argv[1][6] ? argv[1] + 7 : argc > 2 ? argv[2] : NULL;
		int used = argv[1][6] ? 1 : 2;
		uint32_t s;

		if (!v || parse_uint(v, 0, VE_LOCK_WAIT_MAX, &s)) {
			vectl_err("--wait needs a number of seconds from 0 to %d, not '%s'",
				  VE_LOCK_WAIT_MAX, v ? v : "");
			return VECTL_ERR_USAGE;
		}
		vectl_lock_wait = (int)s;
		argc -= used;
		argv += used;
		if (argc < 2) {
			usage(stderr);
			return VECTL_ERR_USAGE;
		}
	}

	/* The verbs report a bad option in one line of their own. */
	opterr = 0;
	cmd = vectl_find_cmd(argv[1]);
	if (!cmd) {
		vectl_err("unknown command '%s' (try: vectl --help)", argv[1]);
		return VECTL_ERR_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
