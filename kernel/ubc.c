// SPDX-License-Identifier: GPL-2.0
/*
 * User beancounters: the resources OpenVZ names, with their barriers and
 * limits. IDs and names follow OpenVZ, so that /proc/user_beancounters and
 * vzctl's parameter names carry over.
 */
#include <linux/kernel.h>

#include "ubc.h"

static const char *const ve_res_names[VE_RES_SLOTS] = {
	[VE_RES_KMEMSIZE]	= "kmemsize",
	[VE_RES_LOCKEDPAGES]	= "lockedpages",
	[VE_RES_PRIVVMPAGES]	= "privvmpages",
	[VE_RES_SHMPAGES]	= "shmpages",
	[VE_RES_NUMPROC]	= "numproc",
	[VE_RES_PHYSPAGES]	= "physpages",
	[VE_RES_VMGUARPAGES]	= "vmguarpages",
	[VE_RES_OOMGUARPAGES]	= "oomguarpages",
	[VE_RES_NUMTCPSOCK]	= "numtcpsock",
	[VE_RES_NUMFLOCK]	= "numflock",
	[VE_RES_NUMPTY]		= "numpty",
	[VE_RES_NUMSIGINFO]	= "numsiginfo",
	[VE_RES_TCPSNDBUF]	= "tcpsndbuf",
	[VE_RES_TCPRCVBUF]	= "tcprcvbuf",
	[VE_RES_OTHERSOCKBUF]	= "othersockbuf",
	[VE_RES_DGRAMRCVBUF]	= "dgramrcvbuf",
	[VE_RES_NUMOTHERSOCK]	= "numothersock",
	[VE_RES_DCACHESIZE]	= "dcachesize",
	[VE_RES_NUMFILE]	= "numfile",
	[VE_RES_NUMIPTENT]	= "numiptent",
	[VE_RES_SWAPPAGES]	= "swappages",
};

const char *ve_res_name(unsigned int id)
{
	return id < ARRAY_SIZE(ve_res_names) ? ve_res_names[id] : NULL;
}

void ve_res_init(struct ve_res *res)
{
	unsigned int i;

	for (i = 0; i < VE_RES_SLOTS; i++) {
		res[i].barrier = VE_RES_UNLIMITED;
		res[i].limit = VE_RES_UNLIMITED;
	}
}
