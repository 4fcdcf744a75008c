// SPDX-License-Identifier: GPL-2.0
/*
 * vectl set ID [--save] PARAMETERS
 *   --hostname H  --onboot yes|no  --ram SIZE  --swap SIZE
 *   --cpulimit PERCENT  --cpuunits N  --cpus N  --stop-signal SIG
 *   --stop-timeout SECONDS  --<resource> BARRIER[:LIMIT]  (numproc, ...)
 *
 * A running VE gets the change at once (module, cgroup, hostname); --save
 * also writes the config, and is required for a VE that is not running.
 * Everything is validated before anything is changed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "cgroup.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "nsexec.h"
#include "parse.h"
#include "resources.h"
#include "vectx.h"

enum { OPT_SAVE = 1, OPT_HOSTNAME, OPT_ONBOOT, OPT_RAM, OPT_SWAP, OPT_CPULIMIT,
       OPT_CPUUNITS, OPT_CPUS, OPT_STOPSIG, OPT_STOPTMO, OPT_RES = 100 };

static const struct option fixed_opts[] = {
	{ "save", no_argument, NULL, OPT_SAVE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "onboot", required_argument, NULL, OPT_ONBOOT },
	{ "ram", required_argument, NULL, OPT_RAM },
	{ "swap", required_argument, NULL, OPT_SWAP },
	{ "cpulimit", required_argument, NULL, OPT_CPULIMIT },
	{ "cpuunits", required_argument, NULL, OPT_CPUUNITS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "stop-signal", required_argument, NULL, OPT_STOPSIG },
	{ "stop-timeout", required_argument, NULL, OPT_STOPTMO },
};

#define N_FIXED (sizeof(fixed_opts) / sizeof(fixed_opts[0]))

static bool number_ok(const char *s, uint32_t min, uint32_t max)
{
	uint32_t v;

	return !parse_uint(s, min, max, &v);
}

static int set_hostname_child(void *arg)
{
	char why[256];

	if (ve_apply_hostname(arg, why, sizeof(why)))
		ns_child_fail("cannot set the hostname: %s", why);
	return 0;
}

/* Set the hostname of running VE @x, from a process that joins it. */
static int live_hostname(struct vectx *x, const char *h)
{
	pid_t helper = fork();
	int status;

	if (helper < 0)
		return VECTL_ERR_SYSTEM;
	if (helper == 0) {
		static struct ve_nl nl;
		struct ns_join j;
		char msg[512];
		pid_t pid;
		int rc;

		if (ve_nl_open(&nl))
			_exit(VECTL_ERR_NOMODULE);
		rc = ns_join(&nl, x, &j);
		ve_nl_close(&nl);
		if (rc)
			_exit(rc);
		pid = ns_spawn(x, &j, set_hostname_child, (void *)h, NULL, 0);
		if (pid < 0)
			_exit(VECTL_ERR_EXEC);
		if (ns_child_error(&j, pid, msg, sizeof(msg))) {
			ns_wait(pid);
			_exit(ns_fail(x, &j, msg));
		}
		_exit(ns_wait(pid));
	}
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			return VECTL_ERR_SYSTEM;
	return WIFEXITED(status) ? WEXITSTATUS(status) : VECTL_ERR_SYSTEM;
}

static int bad_value(uint32_t id, const char *opt, const char *v, const char *what)
{
	vectl_err("set %u: invalid --%s '%s' (%s)", id, opt, v, what);
	return VECTL_ERR_VALUE;
}

/* Parse one option into @c; returns 0 or an exit code. */
static int set_one(struct conf *c, uint32_t id, int opt, const char *name, const char *v)
{
	const struct res_desc *r = NULL;
	const char *key = NULL;
	char buf[64];
	uint64_t b, l;
	int err;

	switch (opt) {
	case OPT_HOSTNAME:
		if (!hostname_ok(v)) {
			vectl_err("set %u: invalid hostname '%s' (letters, digits, '-' and '.', up to 64)",
				  id, v);
			return VECTL_ERR_BAD_HOSTNAME;
		}
		return conf_set(c, "HOSTNAME", v);
	case OPT_ONBOOT:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return bad_value(id, name, v, "yes or no");
		return conf_set(c, "ONBOOT", v);
	case OPT_CPULIMIT:
		key = "CPULIMIT";
		if (!number_ok(v, 0, 100000))
			return bad_value(id, name, v, "percent of one CPU, 0 for none");
		break;
	case OPT_CPUUNITS:
		key = "CPUUNITS";
		if (!number_ok(v, 8, 500000))
			return bad_value(id, name, v, "8 to 500000");
		break;
	case OPT_CPUS:
		key = "CPUS";
		if (!number_ok(v, 1, 4096) && strcmp(v, "unlimited"))
			return bad_value(id, name, v, "a number of CPUs or unlimited");
		break;
	case OPT_STOPSIG:
		key = "STOP_SIGNAL";
		if (parse_signal(v) < 0)
			return bad_value(id, name, v, "a signal like PWR, TERM or RTMIN+3");
		break;
	case OPT_STOPTMO:
		key = "STOP_TIMEOUT";
		if (!number_ok(v, 1, 86400))
			return bad_value(id, name, v, "1 to 86400 seconds");
		break;
	case OPT_RAM:
	case OPT_SWAP:
		/* vzctl: --ram sets PHYSPAGES 0:RAM, --swap SWAPPAGES 0:SWAP. */
		r = res_by_name(opt == OPT_RAM ? "physpages" : "swappages");
		err = res_parse(v, RES_PAGES, &b, &l);
		if (err || strchr(v, ':'))
			return bad_value(id, name, v, "a size like 512M, 2G or unlimited");
		res_format(0, l, buf, sizeof(buf));
		return conf_set(c, r->key, buf);
	default:
		r = &res_table[opt - OPT_RES];
		err = res_parse(v, r->unit, &b, &l);
		if (err == -EDOM)
			return bad_value(id, name, v, "limit below barrier");
		if (err)
			return bad_value(id, name, v, "barrier[:limit], K/M/G/T/P suffixes or unlimited");
		res_format(b, l, buf, sizeof(buf));
		return conf_set(c, r->key, buf);
	}
	return conf_set(c, key, v);
}

/* Apply the changed resources to the module (if it knows the VE), at once. */
static int apply_kernel(struct ve_nl *nl, struct vectx *x, const struct conf *changes)
{
	struct ve_limits lim = { .n = 0 };
	int err;

	for (size_t i = 0; i < changes->n; i++) {
		const struct conf_line *cl = &changes->lines[i];
		const struct res_desc *r = NULL;
		uint64_t b, l;

		for (size_t k = 0; cl->key && k < res_count; k++)
			if (!strcmp(res_table[k].key, cl->key))
				r = &res_table[k];
		if (r && !res_parse(cl->value, r->unit, &b, &l))
			ve_limits_add(&lim, r->id, b, l);
	}
	if (!lim.n)
		return 0;
	err = veapi_set(nl, x->id, &lim);
	if (err) {
		vectl_err("set %u: %s", x->id, ve_nl_strerror(nl, err));
		return vectl_exit_for_errno(err);
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct option opts[N_FIXED + 32];
	static struct ve_nl nl;
	struct conf changes = { 0 };
	bool save = false, running = false, known = false;
	struct ve_info info;
	struct vectx x;
	char why[512];
	uint32_t id;
	int opt, idx, rc, err;
	size_t n = 0;

	for (; n < N_FIXED; n++)
		opts[n] = fixed_opts[n];
	for (size_t i = 0; i < res_count && n < N_FIXED + 31; i++, n++)
		opts[n] = (struct option){ res_table[i].name, required_argument, NULL,
					   OPT_RES + (int)i };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	if (argc < 2 || argv[1][0] == '-') {
		vectl_err("set: usage: vectl %s", vectl_find_cmd("set")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("set", argv[1], &id))
		return VECTL_ERR_VALUE;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (opt == '?' || opt == ':') {
			conf_free(&changes);
			return cmd_bad_option("set", argv);
		}
		if (opt == OPT_SAVE) {
			save = true;
			continue;
		}
		rc = set_one(&changes, id, opt, opts[idx].name, optarg);
		if (rc) {
			conf_free(&changes);
			return rc < 0 ? VECTL_ERR_VALUE : rc;
		}
	}
	if (optind != argc || !changes.n) {
		conf_free(&changes);
		vectl_err("set %u: %s", id, optind != argc ? "unexpected argument" :
			  "nothing to set (see: man vectl)");
		return VECTL_ERR_USAGE;
	}

	rc = vectx_open(&x, "set", id, true);
	if (rc)
		goto out_changes;
	if (!x.exists) {
		vectl_err("set %u: VE does not exist", id);
		rc = VECTL_ERR_NOCONFIG;
		goto out;
	}
	if (!ve_nl_open(&nl) && !veapi_get(&nl, id, &info)) {
		known = true;
		running = info.state == VE_STATE_RUNNING;
	}
	if (!running && !save) {
		vectl_err("set %u: VE is not running, so the change would be lost; add --save", id);
		rc = VECTL_ERR_NOT_RUNNING;
		goto out;
	}
	for (size_t i = 0; i < changes.n; i++)
		conf_set(&x.conf, changes.lines[i].key, changes.lines[i].value);
	if (known) {
		rc = apply_kernel(&nl, &x, &changes);
		if (rc)
			goto out;
	}
	fault_point("set:kernel");
	if (running) {
		const char *h = conf_get(&changes, "HOSTNAME");

		if (cg_apply(&x, why, sizeof(why))) {
			vectl_err("set %u: %s", id, why);
			rc = VECTL_ERR_RESOURCE;
			goto out;
		}
		if (h) {
			rc = live_hostname(&x, h);
			if (rc)
				goto out;
		}
	}
	fault_point("set:applied");
	if (save) {
		err = conf_save(&x.conf, x.conf_path);
		if (err) {
			vectl_err("set %u: cannot write %s: %s", id, x.conf_path, strerror(-err));
			rc = VECTL_ERR_SYSTEM;
			goto out;
		}
		printf("Saved parameters for VE %u\n", id);
	}
out:
	ve_nl_close(&nl);
	vectx_close(&x);
out_changes:
	conf_free(&changes);
	return rc;
}
