// SPDX-License-Identifier: GPL-2.0
/*
 * vectl ubc [-j] [ID...]: the beancounters of VEs (all the module knows,
 * or the IDs given), in /proc/user_beancounters' layout or as JSON.
 * Unlimited is LONG_MAX in the table (as OpenVZ prints it), null in JSON.
 * A VE with disk limits or a known disk usage also gets vzquota's two
 * rows, diskspace (1 KiB blocks) and diskinodes: usage as held, soft and
 * hard limits as barrier and limit; they have no maxheld or failcnt ("-",
 * null). They come from the private area's quota, not from the module.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "disk.h"
#include "exitcodes.h"
#include "parse.h"
#include "private.h"
#include "resources.h"
#include "veapi.h"

struct ubc_ctx {
	bool json;
	int shown;
	char **ids;
	int n_ids;
};

static uint64_t table_num(uint64_t v)
{
	return v > LONG_MAX ? LONG_MAX : v;
}

static void json_num(const char *key, uint64_t v, const char *sep)
{
	if (v == VE_RES_UNLIMITED)
		printf("\"%s\": null%s", key, sep);
	else
		printf("\"%s\": %" PRIu64 "%s", key, v, sep);
}

static void disk_row(struct ubc_ctx *c, const char *name, bool used, uint64_t held,
		     uint64_t soft, uint64_t hard)
{
	char h[24] = "-";

	if (c->json) {
		printf(", \"%s\": {", name);
		json_num("held", used ? held : VE_RES_UNLIMITED, ", ");
		printf("\"maxheld\": null, ");
		json_num("barrier", soft, ", ");
		json_num("limit", hard, ", ");
		printf("\"failcnt\": null}");
		return;
	}
	if (used)
		snprintf(h, sizeof(h), "%" PRIu64, held);
	printf("%10s  %-12s %20s %20s %20" PRIu64 " %20" PRIu64 " %20s\n", "", name, h, "-",
	       table_num(soft), table_num(hard), "-");
}

/* vzquota's rows for VE @id, when it has a config with disk limits or usage. */
static void disk_rows(struct ubc_ctx *c, uint32_t id)
{
	char why[PATH_MAX + 64];
	struct disk_limits d;
	struct disk_usage u;
	struct vectx x;
	bool used;

	if (id > VECTL_ID_MAX || vectx_open(&x, "ubc", id, false))
		return;
	used = x.exists && !private_usage(&x, &u);
	if (x.exists && !disk_limits_get(&x, &d, why, sizeof(why)) && (used || disk_limited(&d))) {
		disk_row(c, "diskspace", used, u.space, d.space_soft, d.space_hard);
		disk_row(c, "diskinodes", used, u.inodes, d.inodes_soft, d.inodes_hard);
	}
	vectx_close(&x);
}

static void show_one(const struct ve_info *info, void *data)
{
	struct ubc_ctx *c = data;
	bool first = true;
	char tag[16];

	if (!id_in_list(info->id, c->ids, c->n_ids))
		return;
	if (c->json)
		printf("%s  {\"ctid\": %u, \"resources\": {", c->shown ? ",\n" : "[\n", info->id);
	snprintf(tag, sizeof(tag), "%u:", info->id);
	for (size_t i = 0; i < res_count; i++) {
		unsigned int id = res_table[i].id;

		if (c->json) {
			printf("%s\"%s\": {", first ? "" : ", ", res_table[i].name);
			json_num("held", info->held[id], ", ");
			json_num("maxheld", info->maxheld[id], ", ");
			json_num("barrier", info->barrier[id], ", ");
			json_num("limit", info->limit[id], ", ");
			json_num("failcnt", info->failcnt[id], "}");
		} else {
			printf("%10s  %-12s %20" PRIu64 " %20" PRIu64 " %20" PRIu64
			       " %20" PRIu64 " %20" PRIu64 "\n",
			       first ? tag : "", res_table[i].name,
			       table_num(info->held[id]), table_num(info->maxheld[id]),
			       table_num(info->barrier[id]), table_num(info->limit[id]),
			       table_num(info->failcnt[id]));
		}
		first = false;
	}
	disk_rows(c, info->id);
	if (c->json)
		printf("}}");
	c->shown++;
}

int cmd_ubc(int argc, char **argv)
{
	static struct ve_nl nl;
	struct ubc_ctx c = { 0 };
	uint32_t id;
	int opt, err;

	optind = 1;
	while ((opt = getopt(argc, argv, "j")) != -1) {
		if (opt != 'j')
			return cmd_bad_option("ubc", argv);
		c.json = true;
	}
	for (int i = optind; i < argc; i++)
		if (cmd_module_veid("ubc", argv[i], &id))
			return VECTL_ERR_VALUE;
	c.ids = argv + optind;
	c.n_ids = argc - optind;

	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("ubc", err);
	if (!c.json)
		printf("%10s  %-12s %20s %20s %20s %20s %20s\n", "uid", "resource",
		       "held", "maxheld", "barrier", "limit", "failcnt");
	err = veapi_dump_each(&nl, show_one, &c);
	ve_nl_close(&nl);
	if (err < 0) {
		vectl_err("ubc: %s", ve_nl_strerror(&nl, err));
		return vectl_exit_for_errno(err);
	}
	if (c.json)
		printf(c.shown ? "\n]\n" : "[]\n");
	if (c.n_ids && c.shown < c.n_ids) {
		vectl_err("ubc: %d of the VEs given are not known to the module (start them first)",
			  c.n_ids - c.shown);
		return VECTL_ERR_NOT_RUNNING;
	}
	return VECTL_OK;
}
