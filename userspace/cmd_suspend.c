// SPDX-License-Identifier: GPL-2.0
/*
 * vectl suspend ID [--dumpfile DIR]   checkpoint a running VE to DIR
 *                                     (DUMPDIR/ID) and stop it
 * vectl resume ID [--dumpfile DIR]    restore it from there and go on
 *
 * vzctl's meaning: "vectl status" says "suspended" while the dump waits;
 * a stop drops it, start refuses. See checkpoint.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "rescue.h"
#include "run.h"
#include "veapi.h"

/* DUMPDIR/ID, a link to the dump in @dir. 0, or -1 with errno. */
static int link_default(const char *dir, const char *def)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", def);
	*strrchr(parent, '/') = '\0';
	if (*parent && mkdir_p(parent, 0700))
		return -1;
	return symlink(dir, def);
}

static int act(struct ve_nl *nl, const char *verb, uint32_t id, const char *given)
{
	bool suspend = !strcmp(verb, "suspend");
	char dir[PATH_MAX], def[PATH_MAX];
	struct vectx x;
	bool running;
	int rc;

	rc = launch_open(nl, &x, verb, id, &running);
	if (rc)
		return rc;
	rc = VECTL_ERR_VALUE;
	if (!ck_dump_dir(&x, given, dir, sizeof(dir)) || !ck_dump_dir(&x, NULL, def, sizeof(def)))
		goto out;
	if (suspend && !running) {
		vectl_err("%s %u: VE is not running", verb, id);
		rc = VECTL_ERR_NOT_RUNNING;
	} else if (suspend && rescue_active(&x)) {
		/* A rescue system's dump would resume as the VE's own. */
		rc = rescue_refuse(&x);
	} else if (suspend && given && ck_suspended(&x)) {
		vectl_err("%s %u: VE has a dump already, in %s (resume it, or drop it with vectl stop %u)",
			  verb, id, def, id);
		rc = VECTL_ERR_CHECKPOINT;
	} else if (suspend) {
		rc = ck_suspend(nl, &x, dir, 0);
		/* The default place knows where the dump is: status, resume. */
		if (!rc && given && strcmp(dir, def) && link_default(dir, def)) {
			vectl_err("%s %u: warning: cannot link %s to the dump: %s; resume with --dumpfile %s",
				  verb, id, def, strerror(errno), dir);
		}
	} else if (running) {
		vectl_err("%s %u: VE is already running", verb, id);
		rc = VECTL_ERR_RUNNING;
	} else {
		rc = ck_resume(nl, &x, dir);
	}
	if (!rc && suspend)
		printf("VE %u suspended (dump in %s)\n", id, dir);
	else if (!rc)
		printf("VE %u resumed\n", id);
out:
	vectx_close(&x);
	return rc;
}

static int run(const char *verb, int argc, char **argv)
{
	static struct ve_nl nl;
	const char *idarg = NULL, *given = NULL;
	uint32_t id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dumpfile") && i + 1 < argc && !given)
			given = argv[++i];
		else if (argv[i][0] != '-' && !idarg)
			idarg = argv[i];
		else
			idarg = "";
	}
	if (!idarg || !*idarg) {
		vectl_err("%s: usage: vectl %s", verb, vectl_find_cmd(verb)->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid(verb, idarg, &id))
		return VECTL_ERR_VALUE;
	if (given && (given[0] != '/' || strlen(given) < 2 || given[strlen(given) - 1] == '/')) {
		vectl_err("%s %u: --dumpfile '%s': give the dump directory's absolute path, without a trailing /",
			  verb, id, given);
		return VECTL_ERR_VALUE;
	}
	rc = ve_nl_open(&nl);
	if (rc)
		return vectl_open_error(verb, rc);
	rc = act(&nl, verb, id, given);
	ve_nl_close(&nl);
	return rc;
}

int cmd_suspend(int argc, char **argv)
{
	return run("suspend", argc, argv);
}

int cmd_resume(int argc, char **argv)
{
	return run("resume", argc, argv);
}
