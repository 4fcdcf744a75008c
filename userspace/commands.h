/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs of vectl, one file each. */
#ifndef VECTL_COMMANDS_H
#define VECTL_COMMANDS_H

struct vectl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

int cmd_version(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_kernel(int argc, char **argv);

extern const struct vectl_cmd vectl_cmds[];

/* Find a verb by name; NULL when there is none. */
const struct vectl_cmd *vectl_find_cmd(const char *name);

#endif
