// SPDX-License-Identifier: GPL-2.0
/* The table of vectl's verbs. */
#include <stddef.h>
#include <string.h>

#include "commands.h"

const struct vectl_cmd vectl_cmds[] = {
	{ "list", cmd_list, "list [-a|-S] [-H] [-j] [-o FIELD,...]" },
	{ "kernel", cmd_kernel, "kernel new|del|stop ID | start ID PID | which PID" },
	{ "version", cmd_version, "version [-j]" },
	{ NULL, NULL, NULL },
};

const struct vectl_cmd *vectl_find_cmd(const char *name)
{
	for (const struct vectl_cmd *c = vectl_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
