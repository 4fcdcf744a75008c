// SPDX-License-Identifier: GPL-2.0
/*
 * vectl monitor [-j] [ID...]: print the module's events as they happen, one
 * line each, until interrupted:
 *   101 state stopped -> running
 *   101 state running -> stopped exit-status 0
 *   101 limit numproc held 20 maxheld 20 barrier 20 limit 20 failcnt 3
 * or, with -j, one JSON object per line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/ve_names.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "parse.h"
#include "veapi.h"

#define MONITOR_MAX_IDS 64

struct monitor {
	bool json;
	int n_ids;
	uint32_t ids[MONITOR_MAX_IDS];
};

static const char *state_name(uint32_t state)
{
	static const char *const names[] = VE_STATE_NAMES;

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

static const char *res_name(unsigned int id)
{
	static const char *const names[VE_RES_MAX + 1] = VE_RESOURCE_NAMES;

	return id <= VE_RES_MAX && names[id] ? names[id] : "unknown";
}

static bool wanted(const struct monitor *m, uint32_t id)
{
	for (int i = 0; i < m->n_ids; i++)
		if (m->ids[i] == id)
			return true;
	return !m->n_ids;
}

static void print_state(const struct monitor *m, const struct ve_info *v)
{
	if (m->json) {
		printf("{\"event\": \"state\", \"veid\": %u, \"old_state\": \"%s\", \"state\": \"%s\"",
		       v->id, state_name(v->old_state), state_name(v->state));
		if (v->has_exit_status)
			printf(", \"exit_status\": %u", v->exit_status);
		printf("}\n");
		return;
	}
	printf("%u state %s -> %s", v->id, state_name(v->old_state),
	       state_name(v->state));
	if (v->has_exit_status)
		printf(" exit-status %u", v->exit_status);
	printf("\n");
}

static void print_limit(const struct monitor *m, const struct ve_info *v)
{
	unsigned int r = v->first_res;
	const char *fmt = m->json ?
		"{\"event\": \"limit\", \"veid\": %u, \"resource\": \"%s\", \"held\": %" PRIu64
		", \"maxheld\": %" PRIu64 ", \"barrier\": %" PRIu64 ", \"limit\": %" PRIu64
		", \"failcnt\": %" PRIu64 "}\n" :
		"%u limit %s held %" PRIu64 " maxheld %" PRIu64 " barrier %" PRIu64
		" limit %" PRIu64 " failcnt %" PRIu64 "\n";

	if (!v->n_res)
		return;
	printf(fmt, v->id, res_name(r), v->held[r], v->maxheld[r], v->barrier[r],
	       v->limit[r], v->failcnt[r]);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct monitor *m = data;
	struct ve_info v;

	if (veapi_parse_info(nlh, &v) < 0 || !wanted(m, v.id))
		return MNL_CB_OK;
	if (genl->cmd == VE_CMD_STATE_NTF)
		print_state(m, &v);
	else if (genl->cmd == VE_CMD_LIMIT_NTF)
		print_limit(m, &v);
	fflush(stdout);
	return MNL_CB_OK;
}

int cmd_monitor(int argc, char **argv)
{
	static char buf[VE_NL_BUFSZ];
	static struct ve_nl nl;
	static struct monitor m;
	struct mnl_socket *ev;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			m.json = true;
		} else if (argv[i][0] == '-') {
			optopt = 0;
			optind = i + 1;
			return cmd_bad_option("monitor", argv);
		} else if (m.n_ids == MONITOR_MAX_IDS) {
			vectl_err("monitor: at most %d IDs; give none to follow every VE",
				  MONITOR_MAX_IDS);
			return VECTL_ERR_USAGE;
		} else if (cmd_module_veid("monitor", argv[i], &m.ids[m.n_ids++])) {
			return VECTL_ERR_VALUE;
		}
	}

	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("monitor", err);
	ev = veapi_events_open(&nl);
	err = errno;
	ve_nl_close(&nl);
	if (!ev) {
		vectl_err("monitor: cannot listen to the module's events: %s%s",
			  strerror(err), err == EPERM ? " (run as root)" : "");
		return vectl_exit_for_errno(-err);
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(ev, buf, sizeof(buf));

		if (n < 0 && errno == ENOBUFS) {
			vectl_err("monitor: events were lost (the reader was too slow)");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, &m);
	}
	err = errno;
	mnl_socket_close(ev);
	vectl_err("monitor: reading events failed: %s", strerror(err));
	return vectl_exit_for_errno(-err);
}
