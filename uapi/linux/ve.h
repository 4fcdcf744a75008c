/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ve.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_VE_H
#define _UAPI_LINUX_VE_H

#define VE_FAMILY_NAME		"ve"
#define VE_FAMILY_VERSION	1

#define VE_ID_MAX		2147483647
#define VE_PID_MAX		4194304
#define VE_RES_UNLIMITED	18446744073709551615ULL
#define VE_RES_MAX		24
#define VE_ADDR_MAX		64
#define VE_NETIF_MAX		16

/**
 * enum ve_state - Kernel state of a VE.
 * @VE_STATE_STOPPED: Registered, no init bound.
 * @VE_STATE_RUNNING: Bound to its init; its tasks, files and sockets are
 *   charged.
 * @VE_STATE_STOPPING: STOP was sent; the init has not finished dying yet.
 */
enum ve_state {
	VE_STATE_STOPPED,
	VE_STATE_RUNNING,
	VE_STATE_STOPPING,
};

/**
 * enum ve_resource - Beancounter resources, with OpenVZ's IDs and names.
 *   numproc, numfile, numtcpsock and numothersock are counted and enforced by
 *   the module; physpages and swappages are read from the VE's memory cgroup;
 *   the others keep the barrier and limit they were given and hold 0. Names
 *   ending in "pages" count pages, "num" ones count objects, the rest count
 *   bytes.
 */
enum ve_resource {
	VE_RES_KMEMSIZE,
	VE_RES_LOCKEDPAGES,
	VE_RES_PRIVVMPAGES,
	VE_RES_SHMPAGES,
	VE_RES_NUMPROC = 5,
	VE_RES_PHYSPAGES,
	VE_RES_VMGUARPAGES,
	VE_RES_OOMGUARPAGES,
	VE_RES_NUMTCPSOCK,
	VE_RES_NUMFLOCK,
	VE_RES_NUMPTY,
	VE_RES_NUMSIGINFO,
	VE_RES_TCPSNDBUF,
	VE_RES_TCPRCVBUF,
	VE_RES_OTHERSOCKBUF,
	VE_RES_DGRAMRCVBUF,
	VE_RES_NUMOTHERSOCK,
	VE_RES_DCACHESIZE,
	VE_RES_NUMFILE,
	VE_RES_NUMIPTENT = 23,
	VE_RES_SWAPPAGES,
};

enum ve_attr {
	VE_A_ID = 1,
	VE_A_STATE,
	VE_A_INIT_PID,
	VE_A_NUM_TASKS,
	VE_A_START_TIME,
	VE_A_FLAGS,
	VE_A_RES,
	VE_A_MODULE_VERSION,
	VE_A_ABI_VERSION,
	VE_A_PID,
	VE_A_EXIT_STATUS,
	VE_A_OLD_STATE,
	VE_A_FD,
	VE_A_SOCK_ID,
	VE_A_PAD,
	VE_A_ADDRS,
	VE_A_NETIF,
	VE_A_STATS,
	VE_A_NETIF_COUNT,

	__VE_A_MAX,
	VE_A_MAX = (__VE_A_MAX - 1)
};

enum ve_res_attr {
	VE_A_RES_ID = 1,
	VE_A_RES_HELD,
	VE_A_RES_MAXHELD,
	VE_A_RES_BARRIER,
	VE_A_RES_LIMIT,
	VE_A_RES_FAILCNT,
	VE_A_RES_PAD,

	__VE_A_RES_MAX,
	VE_A_RES_MAX = (__VE_A_RES_MAX - 1)
};

enum ve_addr_attr {
	VE_A_ADDR_IPV4 = 1,
	VE_A_ADDR_IPV6,

	__VE_A_ADDR_MAX,
	VE_A_ADDR_MAX = (__VE_A_ADDR_MAX - 1)
};

enum ve_netif_attr {
	VE_A_NETIF_IFINDEX = 1,
	VE_A_NETIF_MAC,
	VE_A_NETIF_BRIDGED,

	__VE_A_NETIF_MAX,
	VE_A_NETIF_MAX = (__VE_A_NETIF_MAX - 1)
};

enum ve_stats_attr {
	VE_A_STATS_IN_PACKETS = 1,
	VE_A_STATS_IN_BYTES,
	VE_A_STATS_OUT_PACKETS,
	VE_A_STATS_OUT_BYTES,
	VE_A_STATS_DROPPED,
	VE_A_STATS_PAD,

	__VE_A_STATS_MAX,
	VE_A_STATS_MAX = (__VE_A_STATS_MAX - 1)
};

enum ve_cmd {
	VE_CMD_NEW = 1,
	VE_CMD_DEL,
	VE_CMD_GET,
	VE_CMD_SET,
	VE_CMD_START,
	VE_CMD_STOP,
	VE_CMD_STATE_NTF,
	VE_CMD_LIMIT_NTF,

	__VE_CMD_MAX,
	VE_CMD_MAX = (__VE_CMD_MAX - 1)
};

#define VE_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_VE_H */
