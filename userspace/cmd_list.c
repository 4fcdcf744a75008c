// SPDX-License-Identifier: GPL-2.0
/*
 * vectl list: VEs vzlist-style. Running ones by default, -a for all
 * (every VE with a config, and every VE the module knows), -S for the
 * others; -H drops the header, -o picks fields, -s sorts ("-s -numproc"
 * descending), -j prints JSON. Resource fields are vzlist's: "numfile" is
 * held, "numfile.m" maxheld, ".b" barrier, ".l" limit, ".f" failcnt; and
 * "diskspace" is the usage (of a mounted image, of a dir tree with a
 * project), ".s" soft, ".h" hard.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "disk.h"
#include "exitcodes.h"
#include "private.h"
#include "list.h"
#include "parse.h"
#include "resources.h"
#include "vectx.h"

enum field_id { F_CTID, F_NUMPROC, F_STATUS, F_IP, F_HOSTNAME, F_INITPID,
		F_ONBOOT, F_OSTEMPLATE, F_PRIVATE, F_ROOT, F_NETIN, F_NETOUT,
		F_NETINPKTS, F_NETOUTPKTS, F_NETDROP, F_LAYOUT, F_DISKSPACE,
		F_DISKSPACE_S, F_DISKSPACE_H, F_DISKINODES, F_DISKINODES_S,
		F_DISKINODES_H, F_RES };

enum ftype { T_UINT, T_STR };

static const struct field {
	const char *name;
	const char *header;
	int width;		/* negative: left-aligned */
	enum ftype type;
} fields[] = {
	[F_CTID]	= { "ctid", "CTID", 10, T_UINT },
	[F_NUMPROC]	= { "numproc", "NPROC", 10, T_UINT },
	[F_STATUS]	= { "status", "STATUS", -9, T_STR },
	[F_IP]		= { "ip", "IP_ADDR", -15, T_STR },
	[F_HOSTNAME]	= { "hostname", "HOSTNAME", -20, T_STR },
	[F_INITPID]	= { "initpid", "INITPID", 10, T_UINT },
	[F_ONBOOT]	= { "onboot", "ONBOOT", -6, T_STR },
	[F_OSTEMPLATE]	= { "ostemplate", "OSTEMPLATE", -20, T_STR },
	[F_PRIVATE]	= { "private", "PRIVATE", -30, T_STR },
	[F_ROOT]	= { "root", "ROOT", -30, T_STR },
	/* Traffic through the VE's devices, as the module counts it. */
	[F_NETIN]	= { "netin", "NETIN", 14, T_UINT },
	[F_NETOUT]	= { "netout", "NETOUT", 14, T_UINT },
	[F_NETINPKTS]	= { "netinpkts", "NETINPKTS", 12, T_UINT },
	[F_NETOUTPKTS]	= { "netoutpkts", "NETOUTPKTS", 12, T_UINT },
	[F_NETDROP]	= { "netdrop", "NETDROP", 10, T_UINT },
	/* The private area: its layout, and vzquota's figures (1 KiB blocks). */
	[F_LAYOUT]	= { "layout", "LAYOUT", -6, T_STR },
	[F_DISKSPACE]	= { "diskspace", "DQBLOCKS", 12, T_UINT },
	[F_DISKSPACE_S]	= { "diskspace.s", "DQBLOCKS.S", 12, T_UINT },
	[F_DISKSPACE_H]	= { "diskspace.h", "DQBLOCKS.H", 12, T_UINT },
	[F_DISKINODES]	= { "diskinodes", "DQINODES", 12, T_UINT },
	[F_DISKINODES_S] = { "diskinodes.s", "DQINODES.S", 12, T_UINT },
	[F_DISKINODES_H] = { "diskinodes.h", "DQINODES.H", 12, T_UINT },
};

static bool is_disk_field(int base)
{
	return base >= F_DISKSPACE && base <= F_DISKINODES_H;
}

#define N_FIXED (int)(sizeof(fields) / sizeof(fields[0]))

const char *list_status(const struct list_row *r)
{
	switch (r->info.state) {
	case VE_STATE_RUNNING:
		return "running";
	case VE_STATE_STOPPING:
		return "stopping";
	default:
		return r->suspended ? "suspended" : r->mounted ? "mounted" : "stopped";
	}
}

void list_default_fields(struct list_opts *o)
{
	static const int def[] = { F_CTID, F_NUMPROC, F_STATUS, F_IP, F_HOSTNAME };

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
		o->fields[i] = (struct list_field){ def[i], 0 };
	o->n_fields = sizeof(def) / sizeof(def[0]);
}

/* "numfile.m" -> resource field; "hostname" -> fixed field. */
static int lookup_field(const char *p, size_t n, struct list_field *f)
{
	char name[32];
	const char *dot;

	if (!n || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, p, n);
	name[n] = '\0';
	/* vzlist knows the ID as "veid" too. */
	if (!strcmp(name, "veid"))
		snprintf(name, sizeof(name), "%s", fields[F_CTID].name);
	for (int i = 0; i < N_FIXED; i++)
		if (!strcmp(name, fields[i].name)) {
			*f = (struct list_field){ i, 0 };
			return 0;
		}
	dot = strchr(name, '.');
	if (dot) {
		if (dot[2] || !strchr("mblf", dot[1]) || !dot[1])
			return -EINVAL;
		name[dot - name] = '\0';
	}
	for (size_t i = 0; i < res_count; i++)
		if (!strcmp(name, res_table[i].name)) {
			*f = (struct list_field){ F_RES + (int)i, dot ? dot[1] : 0 };
			return 0;
		}
	return -EINVAL;
}

int list_parse_fields(const char *spec, struct list_opts *o, char *err, size_t len)
{
	const char *p = spec;

	o->n_fields = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (lookup_field(p, n, &o->fields[o->n_fields])) {
			snprintf(err, len, "unknown field '%.*s'", (int)n, p);
			return -EINVAL;
		}
		o->disk |= is_disk_field(o->fields[o->n_fields].base);
		if (++o->n_fields == LIST_MAX_FIELDS && p[n]) {
			snprintf(err, len, "more than %d fields", LIST_MAX_FIELDS);
			return -EINVAL;
		}
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

int list_parse_sort(const char *spec, struct list_opts *o, char *err, size_t len)
{
	o->sort_desc = spec[0] == '-';
	spec += o->sort_desc;
	if (lookup_field(spec, strlen(spec), &o->sort_by)) {
		snprintf(err, len, "unknown sort field '%s'", spec);
		return -EINVAL;
	}
	o->disk |= is_disk_field(o->sort_by.base);
	o->sort = true;
	return 0;
}

bool list_wanted(const struct list_opts *o, const struct list_row *r)
{
	bool stopped = r->info.state == VE_STATE_STOPPED;

	return o->which == LIST_ALL || (o->which == LIST_STOPPED) == stopped;
}

static uint64_t res_value(const struct list_row *r, struct list_field f)
{
	const struct res_desc *d = &res_table[f.base - F_RES];
	unsigned int id = d->id;

	switch (f.suffix) {
	case 'm':
		return r->info.maxheld[id];
	case 'b':
		return r->info.barrier[id];
	case 'l':
		return r->info.limit[id];
	case 'f':
		return r->info.failcnt[id];
	default:
		return r->info.held[id];
	}
}

static uint64_t uint_value(const struct list_row *r, struct list_field f)
{
	switch (f.base) {
	case F_CTID:
		return r->info.id;
	case F_NUMPROC:
		/* vzlist's numproc is the beancounter; without one, the tasks. */
		return r->info.n_res ? r->info.held[VE_RES_NUMPROC] : r->info.num_tasks;
	case F_INITPID:
		return r->info.init_pid;
	case F_NETIN:
		return r->info.net_in_bytes;
	case F_NETOUT:
		return r->info.net_out_bytes;
	case F_NETINPKTS:
		return r->info.net_in_packets;
	case F_NETOUTPKTS:
		return r->info.net_out_packets;
	case F_NETDROP:
		return r->info.net_dropped;
	case F_DISKSPACE:
		return r->space;
	case F_DISKSPACE_S:
		return r->space_soft;
	case F_DISKSPACE_H:
		return r->space_hard;
	case F_DISKINODES:
		return r->inodes;
	case F_DISKINODES_S:
		return r->inodes_soft;
	case F_DISKINODES_H:
		return r->inodes_hard;
	default:
		return res_value(r, f);
	}
}

static const char *str_value(const struct list_row *r, struct list_field f)
{
	switch (f.base) {
	case F_STATUS:
		return list_status(r);
	case F_IP:
		return r->ip;
	case F_HOSTNAME:
		return r->hostname;
	case F_ONBOOT:
		return r->onboot;
	case F_OSTEMPLATE:
		return r->ostemplate;
	case F_PRIVATE:
		return r->private_dir;
	case F_LAYOUT:
		return r->layout;
	default:
		return r->root;
	}
}

static enum ftype type_of(struct list_field f)
{
	return f.base >= F_RES ? T_UINT : fields[f.base].type;
}

static int compare_by(const struct list_opts *o, const struct list_row *a,
		      const struct list_row *b)
{
	int c;

	if (type_of(o->sort_by) == T_UINT) {
		uint64_t x = uint_value(a, o->sort_by), y = uint_value(b, o->sort_by);

		c = x < y ? -1 : x > y;
	} else {
		c = strcmp(str_value(a, o->sort_by), str_value(b, o->sort_by));
	}
	if (o->sort_desc)
		c = -c;
	/* Equal keys keep the ID order, so that output is stable. */
	return c ? c : (a->info.id > b->info.id) - (a->info.id < b->info.id);
}

static int compare_rows(const void *a, const void *b, void *o)
{
	return compare_by(o, *(const struct list_row *const *)a,
			  *(const struct list_row *const *)b);
}

void list_sort(const struct list_opts *o, const struct list_row **rows, size_t n)
{
	/* Pointers: a row holds two PATH_MAX paths, and a list may have thousands. */
	qsort_r(rows, n, sizeof(*rows), compare_rows, (void *)o);
}

static void field_header(struct list_field f, char *buf, size_t len, int *width)
{
	if (f.base < F_RES) {
		snprintf(buf, len, "%s", fields[f.base].header);
		*width = fields[f.base].width;
		return;
	}
	snprintf(buf, len, "%s", res_table[f.base - F_RES].name);
	for (char *p = buf; *p; p++)
		*p = (char)(*p - 'a' + 'A');
	if (f.suffix)
		snprintf(buf + strlen(buf), len - strlen(buf), ".%c", f.suffix - 'a' + 'A');
	*width = 12;
}

void list_print_header(const struct list_opts *o, FILE *f)
{
	if (o->json || !o->header)
		return;
	for (int i = 0; i < o->n_fields; i++) {
		char h[32];
		int width;

		field_header(o->fields[i], h, sizeof(h), &width);
		fprintf(f, "%s%*s", i ? " " : "", width, h);
	}
	fputc('\n', f);
}

static void json_string(const char *s, FILE *f)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_value(const struct list_opts *o, struct list_field fl,
			const struct list_row *r, FILE *f)
{
	char name[40], h[32];
	int width;

	field_header(fl, h, sizeof(h), &width);
	if (fl.base < F_RES)
		snprintf(name, sizeof(name), "%s", fields[fl.base].name);
	else
		snprintf(name, sizeof(name), "%s%s%c", res_table[fl.base - F_RES].name,
			 fl.suffix ? "." : "", fl.suffix);
	if (o->json)
		fprintf(f, "\"%s\": ", name);

	if (type_of(fl) == T_STR) {
		const char *v = str_value(r, fl);

		if (o->json)
			json_string(v, f);
		else
			fprintf(f, "%*s", width, *v ? v : "-");
	} else {
		uint64_t v = uint_value(r, fl);
		/* No init, no usage read (an image not mounted), no limit. */
		bool unknown = (fl.base == F_INITPID && !v) ||
			       ((fl.base == F_DISKSPACE || fl.base == F_DISKINODES) && !r->disk_used);
		bool none = unknown || v == VE_RES_UNLIMITED;

		if (o->json && none)
			fputs("null", f);
		else if (o->json)
			fprintf(f, "%" PRIu64, v);
		else if (none)
			fprintf(f, "%*s", width, unknown ? "-" : "unlimited");
		else
			fprintf(f, "%*" PRIu64, width, v);
	}
}

void list_print_row(const struct list_opts *o, const struct list_row *r,
		    bool first, FILE *f)
{
	if (o->json)
		fputs(first ? "[\n  {" : ",\n  {", f);
	for (int i = 0; i < o->n_fields; i++) {
		if (i)
			fputs(o->json ? ", " : " ", f);
		print_value(o, o->fields[i], r, f);
	}
	fputs(o->json ? "}" : "\n", f);
}

void list_print_end(const struct list_opts *o, int rows, FILE *f)
{
	if (o->json)
		fputs(rows ? "\n]\n" : "[]\n", f);
}

struct rows {
	struct list_row *v;
	size_t n, cap;
	size_t n_kernel;	/* the first n_kernel rows: the dump's, by ID */
	bool disk;		/* read the disk limits and usage */
};

/* A new row for VE @id (stopped until the module says otherwise). */
static struct list_row *row_add(struct rows *rs, uint32_t id)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct list_row *v = realloc(rs->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	/* All but the paths, which are filled or emptied by the config's reader. */
	memset(&rs->v[rs->n], 0, offsetof(struct list_row, private_dir));
	rs->v[rs->n].private_dir[0] = '\0';
	rs->v[rs->n].root[0] = '\0';
	rs->v[rs->n].info.id = id;
	rs->v[rs->n].info.state = VE_STATE_STOPPED;
	rs->v[rs->n].space_soft = rs->v[rs->n].space_hard = VE_RES_UNLIMITED;
	rs->v[rs->n].inodes_soft = rs->v[rs->n].inodes_hard = VE_RES_UNLIMITED;
	return &rs->v[rs->n++];
}

/* A dump names each VE once. */
static void from_kernel(const struct ve_info *info, void *data)
{
	struct list_row *r = row_add(data, info->id);

	if (r)
		r->info = *info;
}

static int cmp_row_id(const void *a, const void *b)
{
	uint32_t x = ((const struct list_row *)a)->info.id;
	uint32_t y = ((const struct list_row *)b)->info.id;

	return x < y ? -1 : x > y;
}

/*
 * VE @id's row: the dump's (a binary search: a list of a thousand VEs
 * looks up each of their configs), else a new one for a VE only a config
 * knows.
 */
static struct list_row *row_for(struct rows *rs, uint32_t id)
{
	size_t lo = 0, hi = rs->n_kernel;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->v[mid].info.id == id)
			return &rs->v[mid];
		if (rs->v[mid].info.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return row_add(rs, id);
}

static void copy_key(const struct vectx *x, const char *key, char *dst, size_t len)
{
	const char *v = vectx_get(x, key);

	snprintf(dst, len, "%s", v ? v : "");
}

/* The disk limits of @x's config, and the usage of its mounted image. */
static void disk_row(struct vectx *x, struct list_row *r)
{
	struct disk_limits d;
	struct disk_usage u;
	char why[PATH_MAX + 64];

	if (!disk_limits_get(x, &d, why, sizeof(why))) {
		r->space_soft = d.space_soft;
		r->space_hard = d.space_hard;
		r->inodes_soft = d.inodes_soft;
		r->inodes_hard = d.inodes_hard;
	}
	if (!private_usage(x, &u)) {
		r->disk_used = true;
		r->space = u.space;
		r->inodes = u.inodes;
	}
}

/* A VE with a config file: fill in what the config says. */
static void from_config(uint32_t id, void *data)
{
	struct list_row *r = row_for(data, id);
	struct vectx x;

	if (!r || vectx_open(&x, "list", id, false))
		return;
	copy_key(&x, "HOSTNAME", r->hostname, sizeof(r->hostname));
	copy_key(&x, "IP_ADDRESS", r->ip, sizeof(r->ip));
	copy_key(&x, "OSTEMPLATE", r->ostemplate, sizeof(r->ostemplate));
	snprintf(r->onboot, sizeof(r->onboot), "%s",
		 vectx_get_bool(&x, "ONBOOT", false) ? "yes" : "no");
	snprintf(r->private_dir, sizeof(r->private_dir), "%s", x.private_dir);
	snprintf(r->root, sizeof(r->root), "%s", x.root);
	r->mounted = path_is_mountpoint(x.root);
	r->suspended = ck_suspended(&x);
	snprintf(r->layout, sizeof(r->layout), "%s", disk_layout_name(disk_layout(&x)));
	if (((struct rows *)data)->disk)
		disk_row(&x, r);
	vectx_close(&x);
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "stopped", no_argument, NULL, 'S' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ "sort", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "cluster", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { .header = true };
	bool cluster = false, fields = false;
	struct rows rs = { 0 };
	const struct list_row **order;
	static struct ve_nl nl;
	char why[128];
	int opt, err, shown = 0;
	uint32_t id;

	list_default_fields(&o);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "aSHo:s:j", longopts, NULL)) != -1) {
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
		case 'c':
			cluster = true;
			break;
		case 'o':
		case 's':
			fields = true;
			if ((opt == 'o' ? list_parse_fields : list_parse_sort)(optarg, &o, why,
									     sizeof(why))) {
				vectl_err("list: %s (fields: ctid, numproc, status, ip, hostname, initpid, onboot, ostemplate, private, root, netin, netout, netinpkts, netoutpkts, netdrop, layout, diskspace[.s|.h], diskinodes[.s|.h], and resources like numfile.m)",
					  why);
				return VECTL_ERR_USAGE;
			}
			break;
		default:
			return cmd_bad_option("list", argv);
		}
	}
	for (int i = optind; i < argc; i++)
		if (cmd_module_veid("list", argv[i], &id))
			return VECTL_ERR_VALUE;
	if (optind < argc)
		o.which = LIST_ALL;
	if (cluster) {
		if (fields || optind < argc) {
			vectl_err("list: --cluster takes -a, -S, -H and -j only");
			return VECTL_ERR_USAGE;
		}
		return cluster_list_ves(o.header, o.json, o.which);
	}

	err = ve_nl_open(&nl);
	if (err)
		return vectl_open_error("list", err);
	for (int tries = 0; ; tries++) {
		err = veapi_dump_each(&nl, from_kernel, &rs);
		/* The set changed under the dump (NLM_F_DUMP_INTR): read it again. */
		if (err != -EINTR || tries == 4)
			break;
		rs.n = 0;
	}
	ve_nl_close(&nl);
	if (err < 0) {
		vectl_err("list: %s", ve_nl_strerror(&nl, err));
		free(rs.v);
		return vectl_exit_for_errno(err);
	}
	/* The module dumps by ID; sorted here only if it ever did not. */
	for (size_t i = 1; i < rs.n; i++)
		if (rs.v[i - 1].info.id > rs.v[i].info.id) {
			qsort(rs.v, rs.n, sizeof(rs.v[0]), cmp_row_id);
			break;
		}
	rs.n_kernel = rs.n;
	rs.disk = o.disk;
	vectx_each_conf(from_config, &rs);
	/* As vzlist: asked for a VE that neither the module nor a config has. */
	for (int i = optind; i < argc; i++) {
		size_t k;

		cmd_module_veid("list", argv[i], &id);
		for (k = 0; k < rs.n && rs.v[k].info.id != id; k++)
			;
		if (k == rs.n) {
			vectl_err("list: VE %u not found", id);
			free(rs.v);
			return VECTL_ERR_NOT_FOUND;
		}
	}
	o.sort_by = o.sort ? o.sort_by : (struct list_field){ F_CTID, 0 };
	order = malloc((rs.n ? rs.n : 1) * sizeof(*order));
	if (!order) {
		vectl_err("list: out of memory");
		free(rs.v);
		return VECTL_ERR_SYSTEM;
	}
	for (size_t i = 0; i < rs.n; i++)
		order[i] = &rs.v[i];
	list_sort(&o, order, rs.n);
	list_print_header(&o, stdout);
	for (size_t i = 0; i < rs.n; i++)
		if (list_wanted(&o, order[i]) && id_in_list(order[i]->info.id, argv + optind,
							    argc - optind))
			list_print_row(&o, order[i], shown++ == 0, stdout);
	list_print_end(&o, shown, stdout);
	free(order);
	free(rs.v);
	return VECTL_OK;
}
