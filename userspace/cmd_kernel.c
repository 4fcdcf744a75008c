// SPDX-License-Identifier: GPL-2.0
/*
 * vectl kernel: the module's registry by hand, for debugging and scripts
 * that build namespaces themselves.
 *   vectl kernel new ID | del ID | stop ID
 *   vectl kernel start ID PID      bind VE ID to init PID
 *   vectl kernel which PID         the VE a process belongs to
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "parse.h"
#include "veapi.h"

#define KERNEL_USAGE \
	"usage: vectl kernel new|del|stop ID | start ID PID | which PID"

/* vzctl's codes where the refusal has one: running, not running. */
static int kernel_exit(const char *sub, int err)
{
	if (err == -EBUSY && (!strcmp(sub, "start") || !strcmp(sub, "del")))
		return VECTL_ERR_RUNNING;
	if (err == -ESRCH && !strcmp(sub, "stop"))
		return VECTL_ERR_NOT_RUNNING;
	return vectl_exit_for_errno(err);
}

int cmd_kernel(int argc, char **argv)
{
	static struct ve_nl nl;
	const char *sub = argc > 1 ? argv[1] : "";
	bool is_start = !strcmp(sub, "start"), is_which = !strcmp(sub, "which");
	int want = is_start ? 4 : 3;
	uint32_t id = 0, pid = 0;
	int64_t ve;
	char verb[32];
	int err;

	if ((strcmp(sub, "new") && strcmp(sub, "del") && strcmp(sub, "stop") &&
	     !is_start && !is_which) || argc != want) {
		vectl_err("kernel: %s", KERNEL_USAGE);
		return VECTL_ERR_USAGE;
	}
	if (is_which && parse_pid(argv[2], &pid)) {
		vectl_err("kernel which: invalid pid '%s' (a process ID)", argv[2]);
		return VECTL_ERR_VALUE;
	}
	snprintf(verb, sizeof(verb), "kernel %s", sub);
	if (!is_which && cmd_module_veid(verb, argv[2], &id))
		return VECTL_ERR_VALUE;
	if (is_start && parse_pid(argv[3], &pid)) {
		vectl_err("kernel start %u: invalid pid '%s'", id, argv[3]);
		return VECTL_ERR_VALUE;
	}

	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("kernel", err);
	if (is_which) {
		ve = veapi_of_pid(&nl, (pid_t)pid);
		err = ve < 0 ? (int)ve : 0;
		if (!err)
			printf("%lld\n", (long long)ve);
	} else if (is_start) {
		err = veapi_start(&nl, id, (pid_t)pid);
	} else if (!strcmp(sub, "new")) {
		err = veapi_new(&nl, id, NULL);
	} else if (!strcmp(sub, "del")) {
		err = veapi_del(&nl, id);
	} else {
		err = veapi_stop(&nl, id);
	}
	ve_nl_close(&nl);
	if (err) {
		vectl_err("kernel %s %u: %s", sub, is_which ? pid : id,
			  ve_nl_strerror(&nl, err));
		return kernel_exit(sub, err);
	}
	return VECTL_OK;
}
