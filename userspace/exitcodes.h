/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vectl's exit codes. They follow vzctl's (include/vzerror.h) wherever
 * vzctl has one for the same failure, so that scripts written for vzctl
 * keep working. Documented in Documentation/vectl.8.
 */
#ifndef VECTL_EXITCODES_H
#define VECTL_EXITCODES_H

enum vectl_exit {
	VECTL_OK		= 0,
	VECTL_ERR_NOT_FOUND	= 1,	/* list: a VE asked for does not exist (vzlist) */
	VECTL_ERR_SYSTEM	= 3,	/* generic system error */
	VECTL_ERR_NOMODULE	= 5,	/* the ve kernel module is not loaded */
	VECTL_ERR_RESOURCE	= 6,	/* cgroup limits could not be applied */
	VECTL_ERR_ENVCREATE	= 7,	/* the VE could not be started */
	VECTL_ERR_EXEC		= 8,	/* exec/enter could not run the command */
	VECTL_ERR_LOCKED	= 9,	/* another vectl holds the VE's lock */
	VECTL_ERR_PERM		= 12,	/* permission denied */
	VECTL_ERR_NOCONFIG	= 14,	/* the VE does not exist (no config) */
	VECTL_ERR_CHECKPOINT	= 16,	/* suspend: the checkpoint failed */
	VECTL_ERR_RESTORE	= 17,	/* resume: no dump, or the restore failed */
	VECTL_ERR_USAGE		= 20,	/* invalid command line */
	VECTL_ERR_VALUE		= 21,	/* invalid value for a parameter */
	VECTL_ERR_NOT_RUNNING	= 31,	/* the VE is not running */
	VECTL_ERR_RUNNING	= 32,	/* the VE is running */
	VECTL_ERR_STOP		= 33,	/* the VE could not be stopped */
	VECTL_ERR_NET		= 34,	/* the VE's network could not be set up */
	VECTL_ERR_NOT_MOUNTED	= 40,	/* the private area is not mounted */
	VECTL_ERR_MOUNTED	= 41,	/* the private area is mounted */
	VECTL_ERR_NOPRIVATE	= 43,	/* no private area */
	VECTL_ERR_PRIVATE_EXISTS = 44,	/* the private area already exists */
	VECTL_ERR_BAD_TEMPLATE	= 47,	/* OS template missing or unusable */
	VECTL_ERR_NEW_PRIVATE	= 48,	/* the private area could not be made */
	VECTL_ERR_MOUNT		= 50,	/* the private area could not be mounted */
	VECTL_ERR_UMOUNT	= 51,	/* the private area could not be unmounted */
	VECTL_ERR_DEL_PRIVATE	= 52,	/* the private area could not be removed */
	VECTL_ERR_QUOTA		= 62,	/* the disk limits could not be set */
	VECTL_ERR_BAD_HOSTNAME	= 70,	/* invalid hostname */
	VECTL_ERR_IP_INUSE	= 78,	/* the address belongs to another VE */
	VECTL_ERR_BAD_CONFIG	= 85,	/* invalid config file */
	VECTL_ERR_DEST		= 105,	/* migrate: the destination failed or is unreachable */
	VECTL_ERR_DEST_EXISTS	= 106,	/* migrate: the VE ID is in use on the destination */
	VECTL_ERR_RESCUE	= 107,	/* the VE is in rescue mode, or (rescue --exit) is not */
	VECTL_ERR_CLUSTER	= 108,	/* the cluster's control center is unreachable or refused */
	VECTL_ERR_ELSEWHERE	= 109,	/* the VE (its ID) belongs to another node of the cluster */
};

#endif
