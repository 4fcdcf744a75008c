// SPDX-License-Identifier: GPL-2.0
/* vectl version: this tool's version and the loaded module's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "linux/ve.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "veapi.h"

int cmd_version(int argc, char **argv)
{
	static struct ve_nl nl;
	struct ve_module mi;
	bool json = false;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else {
			vectl_err("version: unknown option '%s' (usage: vectl version [-j])",
				  argv[i]);
			return VECTL_ERR_USAGE;
		}
	}

	printf(json ? "{\"vectl\": \"%s\"" : "vectl %s\n", VECTL_VERSION);

	err = ve_nl_open(&nl);
	if (err) {
		if (json)
			printf("}\n");
		return vectl_open_error("version", err);
	}
	err = veapi_module(&nl, &mi);
	ve_nl_close(&nl);
	if (json) {
		if (!err)
			printf(", \"module\": \"%s\", \"abi\": %u", mi.version, mi.abi);
		printf("}\n");
	} else if (!err) {
		printf("ve module %s (netlink ABI %u)\n", mi.version, mi.abi);
	}
	if (err) {
		vectl_err("version: cannot query the ve module: %s",
			  ve_nl_strerror(&nl, err));
		return vectl_exit_for_errno(err);
	}
	return VECTL_OK;
}
