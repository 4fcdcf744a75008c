// SPDX-License-Identifier: GPL-2.0
/*
 * vectl snapshot ID [--id UUID] [--name NAME]
 * vectl snapshot-list ID [-H] [-j] [-o FIELD,...]   (id, date, name, size)
 * vectl snapshot-switch ID --id UUID
 * vectl snapshot-delete ID --id UUID
 *
 * vzctl's verbs, for image VEs (snapshot.c). A snapshot is of the disk:
 * neither the VE's memory nor its config is in it. Switching needs the
 * VE stopped and unmounted, and drops what the image held.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "commands.h"
#include "disk.h"
#include "err.h"
#include "exitcodes.h"
#include "snapshot.h"
#include "veapi.h"

enum { SNAP_ID, SNAP_DATE, SNAP_NAME, SNAP_SIZE, SNAP_FIELDS };

static const char *const field_names[SNAP_FIELDS] = { "id", "date", "name", "size" };

/* Parse "ID [--id UUID] [--name NAME] [-H] [-j] [-o F,...]" as @verb allows. */
struct snap_args {
	uint32_t veid;
	const char *id, *name, *fields;
	bool header, json;
};

static int parse(const char *verb, const char *shortopts, int argc, char **argv,
		 struct snap_args *a)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool takes_name = !strcmp(verb, "snapshot"), list = !strcmp(verb, "snapshot-list");
	int opt;

	*a = (struct snap_args){ .header = true, .fields = "id,date,size,name" };
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == 'i' && !list) {
			a->id = optarg;
		} else if (opt == 'n' && takes_name) {
			a->name = optarg;
		} else if (opt == 'H' || opt == 'j' || opt == 'o') {
			a->header &= opt != 'H';
			a->json |= opt == 'j';
			if (opt == 'o')
				a->fields = optarg;
		} else {
			return cmd_bad_option(verb, argv);
		}
	}
	if (optind != argc - 1) {
		vectl_err("%s: usage: vectl %s", verb, vectl_find_cmd(verb)->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid(verb, argv[optind], &a->veid))
		return VECTL_ERR_VALUE;
	if (a->id && !snapshot_id_ok(a->id)) {
		vectl_err("%s %u: invalid --id '%s' (a UUID: 8-4-4-4-12 hex digits)", verb, a->veid,
			  a->id);
		return VECTL_ERR_VALUE;
	}
	if (!a->id && !takes_name && !list) {
		vectl_err("%s %u: which snapshot? --id UUID (see vectl snapshot-list %u)", verb,
			  a->veid, a->veid);
		return VECTL_ERR_USAGE;
	}
	if (a->name && !snapshot_name_ok(a->name)) {
		vectl_err("%s %u: invalid --name (up to %d printable characters, no \", \\, $ or `)",
			  verb, a->veid, SNAPSHOT_NAME_MAX);
		return VECTL_ERR_VALUE;
	}
	return 0;
}

/* Open VE @a->veid for @verb: it must exist and have an image. */
static int open_ve(const char *verb, const struct snap_args *a, struct vectx *x, bool lock)
{
	int rc = vectx_open(x, verb, a->veid, lock);

	if (rc)
		return rc;
	if (!x->exists) {
		rc = cluster_no_ve(verb, a->veid);
	} else if (disk_layout(x) != VE_LAYOUT_IMAGE) {
		vectl_err("%s %u: snapshots need an image private area (this one is a directory: vectl convert %u --layout image)",
			  verb, a->veid, a->veid);
		rc = VECTL_ERR_VALUE;
	}
	if (rc)
		vectx_close(x);
	return rc;
}

static int errno_exit(int err)
{
	return err == -ENOENT || err == -EEXIST ? VECTL_ERR_VALUE : VECTL_ERR_SYSTEM;
}

int cmd_snapshot(int argc, char **argv)
{
	char id[SNAPSHOT_ID_LEN + 1] = "", why[PATH_MAX + 256];
	struct snap_args a;
	struct vectx x;
	int rc, err;

	rc = parse("snapshot", "", argc, argv, &a);
	if (rc || (rc = open_ve("snapshot", &a, &x, true)))
		return rc;
	if (a.id)
		snprintf(id, sizeof(id), "%s", a.id);
	err = snapshot_take(&x, id, a.name ? a.name : "", why, sizeof(why));
	if (err) {
		vectl_err("snapshot %u: %s", a.veid, why);
		rc = errno_exit(err);
	} else {
		printf("Snapshot %s of VE %u taken\n", id, a.veid);
	}
	vectx_close(&x);
	return rc;
}

static void print_field(int f, const struct snapshot *s, bool json, FILE *out)
{
	char date[32];
	struct tm tm;

	switch (f) {
	case SNAP_ID:
		fprintf(out, json ? "\"id\": \"%s\"" : "%-36s", s->id);
		break;
	case SNAP_DATE:
		gmtime_r(&s->date, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
		if (json)
			fprintf(out, "\"date\": %lld", (long long)s->date);
		else
			fprintf(out, "%-19s", date);
		break;
	case SNAP_SIZE:
		fprintf(out, json ? "\"size\": %" PRIu64 : "%12" PRIu64, s->bytes);
		break;
	default:
		/* Names cannot hold a quote or a backslash: JSON as they are. */
		fprintf(out, json ? "\"name\": \"%s\"" : "%s", s->name);
	}
}

int cmd_snapshot_list(int argc, char **argv)
{
	static const char *const headers[SNAP_FIELDS] = { "%-36s", "%-19s", "%s", "%12s" };
	static const char *const titles[SNAP_FIELDS] = { "ID", "DATE (UTC)", "NAME", "SIZE" };
	int fields[SNAP_FIELDS], n_fields = 0, n;
	struct snapshot *v;
	struct snap_args a;
	struct vectx x;
	int rc;

	rc = parse("snapshot-list", "Hjo:", argc, argv, &a);
	if (rc)
		return rc;
	for (const char *p = a.fields; *p; ) {
		size_t len = strcspn(p, ",");
		int f;

		for (f = 0; f < SNAP_FIELDS; f++)
			if (strlen(field_names[f]) == len && !strncmp(p, field_names[f], len))
				break;
		if (f == SNAP_FIELDS || n_fields == SNAP_FIELDS) {
			vectl_err("snapshot-list: unknown field '%.*s' (fields: id, date, name, size)",
				  (int)len, p);
			return VECTL_ERR_USAGE;
		}
		fields[n_fields++] = f;
		p += len + (p[len] == ',');
	}
	rc = open_ve("snapshot-list", &a, &x, false);
	if (rc)
		return rc;
	n = snapshot_list(&x, &v);
	vectx_close(&x);
	if (n < 0) {
		vectl_err("snapshot-list %u: %s", a.veid, strerror(-n));
		return VECTL_ERR_SYSTEM;
	}
	if (a.header && !a.json) {
		for (int i = 0; i < n_fields; i++) {
			printf(i ? " " : "");
			printf(headers[fields[i]], titles[fields[i]]);
		}
		putchar('\n');
	}
	if (a.json)
		fputs(n ? "[\n" : "[]\n", stdout);
	for (int k = 0; k < n; k++) {
		fputs(a.json ? "  {" : "", stdout);
		for (int i = 0; i < n_fields; i++) {
			fputs(i ? (a.json ? ", " : " ") : "", stdout);
			print_field(fields[i], &v[k], a.json, stdout);
		}
		fputs(a.json ? (k + 1 < n ? "},\n" : "}\n]\n") : "\n", stdout);
	}
	free(v);
	return VECTL_OK;
}

/* snapshot-switch and snapshot-delete. */
static int change(const char *verb, int argc, char **argv)
{
	bool sw = !strcmp(verb, "snapshot-switch");
	char why[PATH_MAX + 256];
	static struct ve_nl nl;
	struct snap_args a;
	struct vectx x;
	int rc, err;

	rc = parse(verb, "", argc, argv, &a);
	if (rc || (rc = open_ve(verb, &a, &x, true)))
		return rc;
	if (sw && !ve_nl_open(&nl) && veapi_running(&nl, a.veid) > 0) {
		vectl_err("%s %u: VE is running (stop it first: vectl stop %u)", verb, a.veid, a.veid);
		rc = VECTL_ERR_RUNNING;
	} else if (sw && path_is_mountpoint(x.root)) {
		vectl_err("%s %u: the private area is mounted (vectl umount %u first)", verb, a.veid,
			  a.veid);
		rc = VECTL_ERR_MOUNTED;
	} else {
		err = sw ? snapshot_switch(&x, a.id, why, sizeof(why)) :
			   snapshot_delete(&x, a.id, why, sizeof(why));
		if (err) {
			vectl_err("%s %u: %s", verb, a.veid, why);
			rc = errno_exit(err);
		} else {
			printf("VE %u %s snapshot %s\n", a.veid, sw ? "switched to" : "deleted", a.id);
		}
	}
	ve_nl_close(&nl);
	vectx_close(&x);
	return rc;
}

int cmd_snapshot_switch(int argc, char **argv)
{
	return change("snapshot-switch", argc, argv);
}

int cmd_snapshot_delete(int argc, char **argv)
{
	return change("snapshot-delete", argc, argv);
}
