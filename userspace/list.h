/* SPDX-License-Identifier: GPL-2.0 */
/* vectl list: rows, fields, sorting and output, kept apart for unit tests. */
#ifndef VECTL_LIST_H
#define VECTL_LIST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "veapi.h"

#define LIST_MAX_FIELDS 32

enum list_which { LIST_RUNNING, LIST_ALL, LIST_STOPPED };

/* One VE: what the module reports merged with what its config says. */
struct list_row {
	struct ve_info info;	/* state VE_STATE_STOPPED when unknown */
	bool mounted;
	bool suspended;		/* a dump waits for its resume */
	char hostname[72];
	char ip[128];
	char ostemplate[64];
	char onboot[8];
	char layout[8];
	/*
	 * DISKSPACE (KiB) and DISKINODES: the limits from the config
	 * (VE_RES_UNLIMITED for none), the usage of a mounted image when
	 * disk_used says it was read.
	 */
	bool disk_used;
	uint64_t space, space_soft, space_hard;
	uint64_t inodes, inodes_soft, inodes_hard;
	/* The paths last: a new row is zeroed up to them (cmd_list.c). */
	char private_dir[PATH_MAX];
	char root[PATH_MAX];
};

/* A field: a base (ctid, hostname, numfile, ...) and a suffix for resources. */
struct list_field {
	int base;
	char suffix;		/* 0 (held), 'm', 'b', 'l' or 'f' */
};

struct list_opts {
	struct list_field fields[LIST_MAX_FIELDS];
	bool disk;		/* a disk field is shown or sorted by */
	int n_fields;
	bool header;
	bool json;
	enum list_which which;
	bool sort;
	bool sort_desc;
	struct list_field sort_by;
};

/* Parse "-o ctid,status"; on error, @err names the bad field. */
int list_parse_fields(const char *spec, struct list_opts *o, char *err, size_t len);
/* Parse "-s [-]field". */
int list_parse_sort(const char *spec, struct list_opts *o, char *err, size_t len);
void list_default_fields(struct list_opts *o);
bool list_wanted(const struct list_opts *o, const struct list_row *r);
void list_sort(const struct list_opts *o, const struct list_row **rows, size_t n);
void list_print_header(const struct list_opts *o, FILE *f);
void list_print_row(const struct list_opts *o, const struct list_row *r,
		    bool first, FILE *f);
void list_print_end(const struct list_opts *o, int rows, FILE *f);
/* "running", "stopping", "suspended", "mounted" or "stopped". */
const char *list_status(const struct list_row *r);

#endif
