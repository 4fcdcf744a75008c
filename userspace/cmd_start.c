// SPDX-License-Identifier: GPL-2.0
/*
 * vectl start ID | --onboot-all   start a VE, or every VE with ONBOOT="yes"
 * vectl stop ID [--fast] | --all  halt signal, timeout, then force
 * vectl restart ID                stop (if running), then start
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "parse.h"
#include "rescue.h"
#include "veapi.h"

enum action { DO_START, DO_STOP, DO_STOP_FAST, DO_RESTART };

static int act(struct ve_nl *nl, const char *verb, uint32_t id, enum action what)
{
	struct vectx x;
	bool running;
	int rc;

	rc = launch_open(nl, &x, verb, id, &running);
	if (rc)
		return rc;
	if (!running && ck_suspended(&x) && what != DO_START) {
		/* Its stop: the saved state goes, the VE stays as it is (stopped). */
		int err = ck_discard(&x);

		rc = err ? VECTL_ERR_SYSTEM : VECTL_OK;
		if (err)
			vectl_err("%s %u: cannot remove the VE's dump: %s", verb, id, strerror(-err));
		if (rc || what != DO_RESTART)
			goto out;
	} else if (!running && ck_suspended(&x)) {
		vectl_err("%s %u: VE is suspended: resume it with vectl resume %u, or drop its saved state with vectl stop %u",
			  verb, id, id, id);
		rc = VECTL_ERR_RESTORE;
		goto out;
	}
	if (what != DO_START) {
		if (running)
			rc = launch_stop(nl, &x, what == DO_STOP_FAST);
		else if (what != DO_RESTART)
			rc = launch_stop(nl, &x, true);	/* says "not running" */
		if (rc || what != DO_RESTART)
			goto out;
	} else if (running) {
		vectl_err("%s %u: VE is already running", verb, id);
		rc = VECTL_ERR_RUNNING;
		goto out;
	} else {
		/* What a dead init or a killed vectl left (the cgroup) goes first. */
		rc = launch_cleanup(&x, false, false);
		if (rc)
			goto out;
	}
	rc = launch_start(nl, &x);
	if (!rc && rescue_active(&x))
		printf("VE %u is in rescue mode: its rescue system runs, its own files at /%s (vectl rescue %u --exit ends it)\n",
		       id, RESCUE_MOUNT, id);
out:
	vectx_close(&x);
	return rc;
}

struct onboot {
	struct ve_nl *nl;
	int rc;
};

static void start_if_onboot(uint32_t id, void *data)
{
	struct onboot *o = data;
	struct vectx x;
	bool onboot;
	int rc;

	if (vectx_open(&x, "start", id, false))
		return;
	onboot = vectx_get_bool(&x, "ONBOOT", false);
	vectx_close(&x);
	if (!onboot || veapi_running(o->nl, id) != 0)
		return;
	rc = act(o->nl, "start", id, DO_START);
	if (rc)
		o->rc = rc;
	else
		printf("VE %u started\n", id);
}

/* Start every VE whose config says ONBOOT="yes"; report each failure. */
static int start_onboot(struct ve_nl *nl)
{
	struct onboot o = { nl, VECTL_OK };

	return vectx_each_conf(start_if_onboot, &o) ? VECTL_ERR_SYSTEM : o.rc;
}

struct running {
	uint32_t ids[4096];
	int n;
};

static void collect_running(const struct ve_info *info, void *data)
{
	struct running *r = data;

	if (info->state != VE_STATE_STOPPED && r->n < (int)(sizeof(r->ids) / sizeof(r->ids[0])))
		r->ids[r->n++] = info->id;
}

/* Stop every running VE (host shutdown); report each failure. */
static int stop_all(struct ve_nl *nl, bool fast)
{
	static struct running r;
	int rc = VECTL_OK, err;

	r.n = 0;
	err = veapi_dump_each(nl, collect_running, &r);
	if (err < 0) {
		vectl_err("stop: %s", ve_nl_strerror(nl, err));
		return vectl_exit_for_errno(err);
	}
	for (int i = 0; i < r.n; i++) {
		int one = act(nl, "stop", r.ids[i], fast ? DO_STOP_FAST : DO_STOP);

		if (one)
			rc = one;
		else
			printf("VE %u stopped\n", r.ids[i]);
	}
	return rc;
}

static int run(const char *verb, int argc, char **argv)
{
	static struct ve_nl nl;
	enum action what = !strcmp(verb, "start") ? DO_START :
			   !strcmp(verb, "stop") ? DO_STOP : DO_RESTART;
	bool onboot = false, all = false;
	const char *idarg = NULL;
	uint32_t id = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (what == DO_STOP && !strcmp(argv[i], "--fast"))
			what = DO_STOP_FAST;
		else if (what == DO_START && !strcmp(argv[i], "--onboot-all"))
			onboot = true;
		else if (what != DO_START && what != DO_RESTART && !strcmp(argv[i], "--all"))
			all = true;
		else if (argv[i][0] != '-' && !idarg)
			idarg = argv[i];
		else
			idarg = "";
	}
	if ((onboot || all) == !!idarg || (idarg && !*idarg)) {
		vectl_err("%s: usage: vectl %s", verb, vectl_find_cmd(verb)->usage);
		return VECTL_ERR_USAGE;
	}
	if (idarg && cmd_veid(verb, idarg, &id))
		return VECTL_ERR_VALUE;
	rc = ve_nl_open(&nl);
	if (rc)
		return vectl_open_error(verb, rc);
	rc = onboot ? start_onboot(&nl) : all ? stop_all(&nl, what == DO_STOP_FAST) :
	     act(&nl, verb, id, what);
	ve_nl_close(&nl);
	if (!rc && idarg)
		printf("VE %u %s\n", id, what == DO_START ? "started" :
		       what == DO_RESTART ? "restarted" : "stopped");
	return rc;
}

int cmd_start(int argc, char **argv)
{
	return run("start", argc, argv);
}

int cmd_stop(int argc, char **argv)
{
	return run("stop", argc, argv);
}

int cmd_restart(int argc, char **argv)
{
	return run("restart", argc, argv);
}
