// SPDX-License-Identifier: GPL-2.0
/* vectl version: this tool's version and the loaded module's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "linux/ve.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "nl.h"

struct module_info {
	char version[64];
	uint32_t abi;
};

static int module_info_attr_cb(const struct nlattr *attr, void *data)
{
	struct module_info *mi = data;

	switch (mnl_attr_get_type(attr)) {
	case VE_A_MODULE_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(mi->version, sizeof(mi->version), "%s",
				 mnl_attr_get_str(attr));
		break;
	case VE_A_ABI_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			mi->abi = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int module_info_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      module_info_attr_cb, data);
}

int cmd_version(int argc, char **argv)
{
	static struct ve_nl nl;
	struct module_info mi = { .version = "" };
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
	ve_nl_msg(&nl, VE_CMD_GET, 0);
	err = ve_nl_run(&nl, module_info_cb, &mi);
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
