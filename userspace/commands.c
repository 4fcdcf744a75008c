// SPDX-License-Identifier: GPL-2.0
/* The table of vectl's verbs. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "linux/ve.h"
#include "parse.h"
#include "vectx.h"

const struct vectl_cmd vectl_cmds[] = {
	{ "create", cmd_create,
	  "create ID --ostemplate NAME [--config NAME] [--hostname H] [--private DIR] [--ipadd ADDR]... [--layout image|dir] [--diskspace S[:H]] [--diskinodes S[:H]] [--quotatime SEC] [--node NODE|auto]" },
	{ "start", cmd_start, "start ID | start --onboot-all" },
	{ "stop", cmd_stop, "stop ID [--fast] | stop --all [--fast]" },
	{ "restart", cmd_restart, "restart ID" },
	{ "destroy", cmd_destroy, "destroy ID" },
	{ "status", cmd_status, "status ID" },
	{ "mount", cmd_mount, "mount ID" },
	{ "umount", cmd_umount, "umount ID" },
	{ "enter", cmd_enter, "enter ID" },
	{ "exec", cmd_exec, "exec ID COMMAND [ARG...]" },
	{ "set", cmd_set, "set ID [--save] [--hostname H] [--ipadd ADDR] [--ipdel ADDR|all] [--nameserver ADDR] [--searchdomain D] [--netif_add IF[,MAC,HOST_IF,HOST_MAC,BRIDGE[,ADDRS]]] [--netif_del IF|all] [--network NAME[,ADDR/LEN]] [--network-del NAME] [--onboot yes|no] [--ram SIZE] [--swap SIZE] [--cpulimit PCT] [--cpuunits N] [--cpus N] [--diskspace S[:H]] [--diskinodes S[:H]] [--quotatime SEC] [--numproc B[:L]] ..." },
	{ "suspend", cmd_suspend, "suspend ID [--dumpfile DIR]" },
	{ "resume", cmd_resume, "resume ID [--dumpfile DIR]" },
	{ "migrate", cmd_migrate, "migrate ID DEST [--online] [--keep-src] [--ssh OPTIONS]" },
	{ "migrate-receive", cmd_migrate_receive,
	  "migrate-receive ID --check|--begin|--data|--dump|--commit [--start|--resume]|--abort|--state" },
	{ "rescue", cmd_rescue, "rescue ID [--exit]" },
	{ "network", cmd_network,
	  "network create NAME [--subnet CIDR] [--vni N] [--peer ADDR[=KEY]]... [--encrypt] | delete NAME | list [-H] [-j] | key" },
	{ "cluster", cmd_cluster,
	  "cluster init --etcd URLS [--name NODE] [--addr ADDR] [--lease-ttl SECONDS] [--watchdog] | token | join TOKEN [--name NODE] [--addr ADDR] [--watchdog] | leave | list [-H] [-j] | status | evacuate NODE | restore NODE" },
	{ "firewall", cmd_firewall,
	  "firewall ID list [-H] [-j] | add --dir in|out --proto tcp|udp|icmp|any [--sport P] [--dport P] [--src ADDR] [--dst ADDR] --action accept|drop | del N | policy in|out accept|drop" },
	{ "convert", cmd_convert, "convert ID --layout image" },
	{ "snapshot", cmd_snapshot, "snapshot ID [--id UUID] [--name NAME]" },
	{ "snapshot-list", cmd_snapshot_list, "snapshot-list ID [-H] [-j] [-o id,date,name,size]" },
	{ "snapshot-switch", cmd_snapshot_switch, "snapshot-switch ID --id UUID" },
	{ "snapshot-delete", cmd_snapshot_delete, "snapshot-delete ID --id UUID" },
	{ "list", cmd_list, "list [-a|-S] [-H] [-j] [-o FIELD,...] [-s [-]FIELD] [ID...]" },
	{ "ubc", cmd_ubc, "ubc [-j] [ID...]" },
	{ "monitor", cmd_monitor, "monitor [-j] [ID...]" },
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

int cmd_veid(const char *verb, const char *arg, uint32_t *id)
{
	if (parse_uint(arg, 1, VECTL_ID_MAX, id)) {
		vectl_err("%s: invalid VE ID '%s' (1 to %u, so that uid 0 of the VE, host uid %u + ID * %u, fits in 32 bits)",
			  verb, arg, VECTL_ID_MAX, VE_UID_BASE, VE_UID_RANGE);
		return -EINVAL;
	}
	return 0;
}

int cmd_module_veid(const char *verb, const char *arg, uint32_t *id)
{
	if (parse_veid(arg, id)) {
		vectl_err("%s: invalid VE ID '%s' (1 to %u)", verb, arg, VE_ID_MAX);
		return -EINVAL;
	}
	return 0;
}

int cmd_bad_option(const char *verb, char **argv)
{
	const struct vectl_cmd *c = vectl_find_cmd(verb);
	char opt[3] = { '-', (char)optopt, '\0' };

	/* A short option names itself in optopt, a long one only in argv. */
	vectl_err("%s: bad option '%s' (usage: vectl %s)", verb,
		  optopt ? opt : argv[optind - 1], c ? c->usage : verb);
	return VECTL_ERR_USAGE;
}

int cmd_list_opts(const char *verb, int argc, char **argv, bool *header, bool *json)
{
	int c;

	*header = true;
	*json = false;
	optind = 1;
	while ((c = getopt(argc, argv, "Hj")) != -1) {
		if (c == 'H')
			*header = false;
		else if (c == 'j')
			*json = true;
		else
			return cmd_bad_option(verb, argv);
	}
	if (optind == argc)
		return 0;
	vectl_err("%s: unexpected argument '%s' (usage: vectl %s)", verb, argv[optind],
		  vectl_find_cmd(verb)->usage);
	return VECTL_ERR_USAGE;
}

int cmd_one_id(const char *verb, int argc, char **argv, uint32_t *id)
{
	if (argc != 2) {
		vectl_err("%s: usage: vectl %s ID", verb, verb);
		return VECTL_ERR_USAGE;
	}
	return cmd_veid(verb, argv[1], id) ? VECTL_ERR_VALUE : 0;
}
