// SPDX-License-Identifier: GPL-2.0
/*
 * vectl list: the VEs the kernel knows, vzlist-style. Running ones by
 * default, -a for all, -S for stopped only; -H drops the header, -o picks
 * fields, -j prints JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "list.h"

enum field_id { F_CTID, F_NUMPROC, F_STATUS, F_INITPID };

static const struct field {
	const char *name;
	const char *header;
	int width;		/* negative: left-aligned */
} fields[] = {
	[F_CTID]	= { "ctid", "CTID", 10 },
	[F_NUMPROC]	= { "numproc", "NPROC", 10 },
	[F_STATUS]	= { "status", "STATUS", -9 },
	[F_INITPID]	= { "initpid", "INITPID", 10 },
};

#define N_FIELDS (int)(sizeof(fields) / sizeof(fields[0]))

static const char *state_name(uint32_t state)
{
	switch (state) {
	case VE_STATE_RUNNING:
		return "running";
	case VE_STATE_STOPPING:
		return "stopping";
	default:
		return "stopped";
	}
}

void list_default_fields(struct list_opts *o)
{
	o->fields[0] = F_CTID;
	o->fields[1] = F_NUMPROC;
	o->fields[2] = F_STATUS;
	o->n_fields = 3;
}

int list_parse_fields(const char *spec, struct list_opts *o, char *err, size_t len)
{
	const char *p = spec;

	o->n_fields = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int i;

		for (i = 0; i < N_FIELDS; i++)
			if (strlen(fields[i].name) == n && !strncmp(p, fields[i].name, n))
				break;
		if (i == N_FIELDS || n == 0) {
			snprintf(err, len, "unknown field '%.*s'", (int)n, p);
			return -EINVAL;
		}
		if (o->n_fields == LIST_MAX_FIELDS) {
			snprintf(err, len, "more than %d fields", LIST_MAX_FIELDS);
			return -EINVAL;
		}
		o->fields[o->n_fields++] = i;
		p += n;
		if (*p == ',' && !*++p) {
			snprintf(err, len, "empty field at the end");
			return -EINVAL;
		}
	}
	if (!o->n_fields) {
		snprintf(err, len, "no fields given");
		return -EINVAL;
	}
	return 0;
}

bool list_wanted(const struct list_opts *o, const struct ve_info *info)
{
	bool stopped = info->state == VE_STATE_STOPPED;

	return o->which == LIST_ALL || (o->which == LIST_STOPPED) == stopped;
}

void list_print_header(const struct list_opts *o, FILE *f)
{
	if (o->json || !o->header)
		return;
	for (int i = 0; i < o->n_fields; i++) {
		const struct field *fl = &fields[o->fields[i]];

		fprintf(f, "%s%*s", i ? " " : "", fl->width, fl->header);
	}
	fputc('\n', f);
}

static void print_value(const struct list_opts *o, int id,
			const struct ve_info *info, FILE *f)
{
	const struct field *fl = &fields[id];

	switch (id) {
	case F_CTID:
	case F_NUMPROC:
	case F_INITPID: {
		uint32_t v = id == F_CTID ? info->id :
			     id == F_NUMPROC ? info->num_tasks : info->init_pid;

		if (o->json)
			fprintf(f, "\"%s\": %u", fl->name, v);
		else if (id == F_INITPID && !v)
			fprintf(f, "%*s", fl->width, "-");
		else
			fprintf(f, "%*u", fl->width, v);
		break;
	}
	case F_STATUS:
		if (o->json)
			fprintf(f, "\"%s\": \"%s\"", fl->name, state_name(info->state));
		else
			fprintf(f, "%*s", fl->width, state_name(info->state));
		break;
	}
}

void list_print_row(const struct list_opts *o, const struct ve_info *info,
		    bool first, FILE *f)
{
	if (o->json)
		fputs(first ? "[\n  {" : ",\n  {", f);
	for (int i = 0; i < o->n_fields; i++) {
		if (i)
			fputs(o->json ? ", " : " ", f);
		print_value(o, o->fields[i], info, f);
	}
	fputs(o->json ? "}" : "\n", f);
}

void list_print_end(const struct list_opts *o, int rows, FILE *f)
{
	if (o->json)
		fputs(rows ? "\n]\n" : "[]\n", f);
}

struct list_ctx {
	const struct list_opts *o;
	int rows;
};

static void list_one(const struct ve_info *info, void *data)
{
	struct list_ctx *c = data;

	if (!list_wanted(c->o, info))
		return;
	list_print_row(c->o, info, c->rows == 0, stdout);
	c->rows++;
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "stopped", no_argument, NULL, 'S' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { .header = true };
	struct list_ctx c = { &o, 0 };
	static struct ve_nl nl;
	char why[128];
	int opt, err;

	list_default_fields(&o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "aSHo:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			o.which = LIST_ALL;
			break;
		case 'S':
			o.which = LIST_STOPPED;
			break;
		case 'H':
			o.header = false;
			break;
		case 'j':
			o.json = true;
			break;
		case 'o':
			if (list_parse_fields(optarg, &o, why, sizeof(why))) {
				vectl_err("list: %s (fields: ctid, numproc, status, initpid)",
					  why);
				return VECTL_ERR_USAGE;
			}
			break;
		default:
			vectl_err("list: bad option (usage: vectl list [-a|-S] [-H] [-j] [-o FIELD,...])");
			return VECTL_ERR_USAGE;
		}
	}
	if (optind < argc) {
		vectl_err("list: unexpected argument '%s'", argv[optind]);
		return VECTL_ERR_USAGE;
	}

	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("list", err);
	list_print_header(&o, stdout);
	err = ve_dump_each(&nl, list_one, &c);
	ve_nl_close(&nl);
	if (err < 0) {
		vectl_err("list: %s", ve_nl_strerror(&nl, err));
		return vectl_exit_for_errno(err);
	}
	list_print_end(&o, c.rows, stdout);
	return VECTL_OK;
}
