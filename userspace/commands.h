/* SPDX-License-Identifier: GPL-2.0 */
/* The verbs of vectl, one file each. */
#ifndef VECTL_COMMANDS_H
#define VECTL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

struct vectl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_umount(int argc, char **argv);
int cmd_enter(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_ubc(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_snapshot_list(int argc, char **argv);
int cmd_snapshot_switch(int argc, char **argv);
int cmd_snapshot_delete(int argc, char **argv);
int cmd_suspend(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_receive(int argc, char **argv);
int cmd_rescue(int argc, char **argv);
int cmd_firewall(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_cluster(int argc, char **argv);

struct ve_nl;
struct vectx;
/*
 * Remove stopped VE @x (locked): its kernel object (when @nl, the module
 * is there), network, cgroup, root mount point and private area, and move
 * its config aside to ID.conf@suffix. An exit code, after saying why.
 */
int destroy_locked(struct ve_nl *nl, struct vectx *x, const char *suffix);

/*
 * The options of a listing: -H (@header false) and -j (@json), nothing
 * else after @argv[0]. 0, or the exit code after saying what is wrong.
 */
int cmd_list_opts(const char *verb, int argc, char **argv, bool *header, bool *json);

extern const struct vectl_cmd vectl_cmds[];

/* Find a verb by name; NULL when there is none. */
const struct vectl_cmd *vectl_find_cmd(const char *name);

/*
 * Parse the ID of a VE vectl manages (1 to VECTL_ID_MAX), or say what is
 * wrong; 0 or -EINVAL.
 */
int cmd_veid(const char *verb, const char *arg, uint32_t *id);
/*
 * After getopt returned '?' for @verb: say which option was bad and how
 * the verb is used, in one line. Returns VECTL_ERR_USAGE.
 */
int cmd_bad_option(const char *verb, char **argv);
/* Parse the ID of a VE the module may know (1 to VE_ID_MAX); 0 or -EINVAL. */
int cmd_module_veid(const char *verb, const char *arg, uint32_t *id);

/*
 * The arguments of a verb that takes exactly one VE ID ("vectl @verb ID"):
 * 0 with *@id set, or the exit code after saying what is wrong.
 */
int cmd_one_id(const char *verb, int argc, char **argv, uint32_t *id);


#endif
