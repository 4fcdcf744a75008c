// SPDX-License-Identifier: GPL-2.0
/* vectl: manage ve virtual environments. Parses the verb and dispatches. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"

static void usage(FILE *f)
{
	fputs("usage: vectl COMMAND [ARGS]\ncommands:\n", f);
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

	/* The verbs report a bad option in one line of their own. */
	opterr = 0;
	cmd = vectl_find_cmd(argv[1]);
	if (!cmd) {
		vectl_err("unknown command '%s' (try: vectl --help)", argv[1]);
		return VECTL_ERR_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
