/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The beancounter resources as vzctl names them: option and vzlist field
 * names ("numproc"), config keys ("NUMPROC"), units, and the
 * "barrier[:limit]" syntax with K/M/G/T/P suffixes and "unlimited".
 */
#ifndef VECTL_RESOURCES_H
#define VECTL_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * RES_KBLOCKS: vzctl's disk space unit, 1 KiB blocks: a plain number
 * counts blocks, a suffixed one is bytes (rounded up to a block).
 */
enum res_unit { RES_COUNT, RES_PAGES, RES_BYTES, RES_KBLOCKS };

struct res_desc {
	const char *name;	/* "numproc" */
	const char *key;	/* "NUMPROC" */
	unsigned int id;	/* VE_RES_NUMPROC */
	enum res_unit unit;
};

/* Every resource of the spec, in ID order; built before main(). */
extern const struct res_desc *const res_table;
extern size_t res_count;

const struct res_desc *res_by_name(const char *name);

/*
 * Parse "barrier[:limit]" for @unit. One value sets both. A suffix scales
 * by powers of 1024; for page resources a suffixed value is in bytes and is
 * converted to pages (rounded up), a plain number counts pages. Returns 0,
 * -EINVAL (syntax), -ERANGE (overflow) or -EDOM (limit below barrier).
 */
int res_parse(const char *s, enum res_unit unit, uint64_t *barrier, uint64_t *limit);

/* "barrier:limit" as saved in a config file ("unlimited" spelled out). */
void res_format(uint64_t barrier, uint64_t limit, char *buf, size_t len);

/* The page size used for page resources. */
uint64_t res_page_size(void);

#endif
