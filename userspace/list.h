/* SPDX-License-Identifier: GPL-2.0 */
/* vectl list: field selection and output, kept apart for unit tests. */
#ifndef VECTL_LIST_H
#define VECTL_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "veapi.h"

#define LIST_MAX_FIELDS 16

enum list_which { LIST_RUNNING, LIST_ALL, LIST_STOPPED };

struct list_opts {
	int fields[LIST_MAX_FIELDS];
	int n_fields;
	bool header;
	bool json;
	enum list_which which;
};

/* Parse "-o ctid,status"; on error, @err names the bad field. */
int list_parse_fields(const char *spec, struct list_opts *o, char *err, size_t len);
void list_default_fields(struct list_opts *o);
bool list_wanted(const struct list_opts *o, const struct ve_info *info);
void list_print_header(const struct list_opts *o, FILE *f);
void list_print_row(const struct list_opts *o, const struct ve_info *info,
		    bool first, FILE *f);
void list_print_end(const struct list_opts *o, int rows, FILE *f);

#endif
