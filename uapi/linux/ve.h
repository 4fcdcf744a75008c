/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * ve: virtual environments on a stock kernel -- generic netlink ABI.
 *
 * Kept in agreement with Documentation/netlink/specs/ve.yaml by
 * scripts/check-uapi (run by "make lint"). Every enum here is append-only:
 * values are never renumbered or reused.
 */
#ifndef _UAPI_LINUX_VE_H
#define _UAPI_LINUX_VE_H

#define VE_FAMILY_NAME		"ve"
#define VE_FAMILY_VERSION	1
#define VE_MCGRP_EVENTS		"events"

/* VE IDs are 1..VE_ID_MAX; 0 is the host and is never created or changed. */
#define VE_ID_MAX		0x7fffffffU

/* Beancounter resource IDs (VE_A_RES_ID), OpenVZ's numbering. */
#define VE_RES_KMEMSIZE		0
#define VE_RES_LOCKEDPAGES	1
#define VE_RES_PRIVVMPAGES	2
#define VE_RES_SHMPAGES		3
#define VE_RES_NUMPROC		5
#define VE_RES_PHYSPAGES	6
#define VE_RES_VMGUARPAGES	7
#define VE_RES_OOMGUARPAGES	8
#define VE_RES_NUMTCPSOCK	9
#define VE_RES_NUMFLOCK		10
#define VE_RES_NUMPTY		11
#define VE_RES_NUMSIGINFO	12
#define VE_RES_TCPSNDBUF	13
#define VE_RES_TCPRCVBUF	14
#define VE_RES_OTHERSOCKBUF	15
#define VE_RES_DGRAMRCVBUF	16
#define VE_RES_NUMOTHERSOCK	17
#define VE_RES_DCACHESIZE	18
#define VE_RES_NUMFILE		19
#define VE_RES_NUMIPTENT	23
#define VE_RES_SWAPPAGES	24
#define VE_RES_MAX		VE_RES_SWAPPAGES

/* A barrier or limit of this value means "unlimited". */
#define VE_RES_UNLIMITED	(~0ULL)

enum ve_state {
	VE_STATE_STOPPED,
	VE_STATE_RUNNING,
	VE_STATE_STOPPING,
};

enum ve_cmd {
	VE_CMD_UNSPEC,
	VE_CMD_NEW,
	VE_CMD_DEL,
	VE_CMD_GET,
	VE_CMD_SET,
	VE_CMD_START,
	VE_CMD_STOP,
	VE_CMD_STATE_NTF,
	VE_CMD_LIMIT_NTF,

	__VE_CMD_MAX,
	VE_CMD_MAX = __VE_CMD_MAX - 1
};

enum ve_attr {
	VE_A_UNSPEC,
	VE_A_ID,		/* u32 */
	VE_A_STATE,		/* u32, enum ve_state */
	VE_A_INIT_PID,		/* u32, host pid of the VE's init */
	VE_A_NUM_TASKS,		/* u32 */
	VE_A_START_TIME,	/* u64, ns, CLOCK_BOOTTIME */
	VE_A_FLAGS,		/* u32 */
	VE_A_RES,		/* nest, enum ve_res_attr; one per resource */
	VE_A_MODULE_VERSION,	/* string, the module's version */
	VE_A_ABI_VERSION,	/* u32, VE_FAMILY_VERSION of the module */
	VE_A_PID,		/* u32, a pid in the caller's pid namespace */
	VE_A_EXIT_STATUS,	/* u32, wait(2) status of the VE's last init */
	VE_A_OLD_STATE,		/* u32, enum ve_state before a change */
	VE_A_FD,		/* u32, a file descriptor of the caller */
	VE_A_SOCK_ID,		/* u32, VE a socket is charged to */
	VE_A_PAD,

	__VE_A_MAX,
	VE_A_MAX = __VE_A_MAX - 1
};

enum ve_res_attr {
	VE_A_RES_UNSPEC,
	VE_A_RES_ID,		/* u64, OpenVZ beancounter resource ID */
	VE_A_RES_HELD,		/* u64 */
	VE_A_RES_MAXHELD,	/* u64 */
	VE_A_RES_BARRIER,	/* u64 */
	VE_A_RES_LIMIT,		/* u64 */
	VE_A_RES_FAILCNT,	/* u64 */
	VE_A_RES_PAD,

	__VE_A_RES_MAX,
	VE_A_RES_MAX = __VE_A_RES_MAX - 1
};

#endif /* _UAPI_LINUX_VE_H */
